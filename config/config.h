// The configuration file: one JSON document (comments allowed), `${ENV_VAR}` substituted in
// string values, validated as a whole into option structs. Pure: the caller provides the text
// and the environment, so every rule can be unit-tested.
//
// A config error never half-applies: LoadConfig returns either a complete Config or every
// problem found, each naming the file, the field path and the reason.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/model.h"
#include "workflow/status.h"

namespace kaizen::config {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port (tests)
  std::size_t max_body_bytes = 1024 * 1024;
  int request_timeout_seconds = 30;  // per request, header read to response written
  int max_connections = 1024;
};

struct StorageOptions {
  std::string path = "var/kaizen.db";  // relative paths are relative to the working directory
  int readers = 2;
  std::string synchronous = "full";  // "full" or "normal"
};

struct LogOptions {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "text";  // "text" or "json"
};

struct Config {
  std::string source;  // file the config came from
  ServerOptions server;
  StorageOptions storage;
  LogOptions log;
  std::shared_ptr<const Directory> directory;  // people and teams
};

struct ConfigProblem {
  std::string field;   // JSON path, e.g. "people[2].manager"
  std::string reason;  // e.g. "unknown person 'wang.wu'"
};

// Looks up an environment variable; std::getenv in production, a map in tests.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup ProcessEnvironment();

// Parses and validates `text` as read from `source` (a file name used in messages).
// On failure: kInvalidArgument "config_invalid"; the message lists every problem as
// "<source>: <field>: <reason>" one per line, and details = {"errors": [{"field","reason"}]}.
Result<Config> ParseConfig(std::string_view text, const std::string& source, const EnvLookup& env);

// Reads the file and calls ParseConfig. A missing or unreadable file is "config_invalid" too,
// with field "" and the OS reason.
Result<Config> LoadConfigFile(const std::string& path, const EnvLookup& env);

}  // namespace kaizen::config
