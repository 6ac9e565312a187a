// The HTTP request and response as kaizen's handlers see them: plain values, no Beast.
//
// http_server.cc converts between these and Beast's messages, so that the router, the API
// handlers and their tests compile without Beast. Values; no executor affinity.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workflow/status.h"

namespace kaizen {
struct Caller;  // workflow/access_policy.h
}

namespace kaizen::daemon {

// Query parameters in the order they appear, percent-decoded. A name may repeat; the API
// refuses repeats where a single value is expected.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // as sent: path and query
  std::string path;    // target up to '?', not decoded (ids only)
  QueryParams query;
  // Header names in lower case. Only the first of repeated headers is looked up.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Who sent it: set by ApiHandlers once the bearer token checked out (daemon/access.h); null
  // in open mode (no api.tokens) and on public routes.
  std::shared_ptr<const kaizen::Caller> caller;

  // The value of header `name` (any case), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type/Length
  std::string content_type = "application/json";
  std::string body;
  // When set, the body is this file, streamed from disk instead of `body` (a backup may be
  // larger than anything kept in memory), and the file is removed once sent or not.
  std::string body_file;

  // The value of header `name` (any case), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;
};

// Splits a request target into path and decoded query parameters. Fails with
// kInvalidArgument "invalid_query" on a malformed percent escape. '+' is kept as '+' (this is
// not an HTML form), so that "+08:00" in a time works without escaping.
Status SplitTarget(std::string_view target, std::string& path, QueryParams& query);

// Case-insensitive ASCII comparison for header names and tokens.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace kaizen::daemon
