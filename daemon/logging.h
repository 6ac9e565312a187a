// Logging: spdlog to stderr, one line per record, "time level component: message" (text) or one
// JSON object per line (json). Each component logs through its own named logger so that the
// component shows in every line.
//
// SetUpLogging is called once by the daemon's main thread before any other thread starts;
// Logger() may then be called from any thread.
#pragma once

#include <spdlog/fwd.h>

#include <memory>
#include <string>
#include <string_view>

#include "workflow/status.h"

namespace kaizen::daemon {

// Installs the stderr sink, the format ("text" or "json") and the level ("trace", "debug",
// "info", "warn", "error"). Errors: kInvalidArgument "invalid_log_options".
Status SetUpLogging(std::string_view level, std::string_view format);

// The logger of `component` ("daemon", "http", "api", "storage", ...); the default logger when
// none of that name was set up (tests).
std::shared_ptr<spdlog::logger> Logger(std::string_view component);

}  // namespace kaizen::daemon
