// docs/openapi.json, embedded into the binary at build time (daemon/embed_file.cmake), so that
// GET /openapi.json serves exactly the document in the source tree. Immutable; any thread.
#pragma once

#include <string_view>

namespace kaizen::daemon {

std::string_view OpenApiDocument();

}  // namespace kaizen::daemon
