// Where kaizenctl finds kaizend, the API token and who the user is: a flag, else the
// environment, else the config file, else the default.
//
//   server  --server      KAIZEN_SERVER  "server"                  http://127.0.0.1:8080
//   token   --token       KAIZEN_TOKEN   "token" or "token_file"   none
//   actor   --actor       KAIZEN_ACTOR   "actor"                   none
//
// The config file is $KAIZEN_CONFIG, else $XDG_CONFIG_HOME/kaizen/kaizenctl.json, else
// $HOME/.config/kaizen/kaizenctl.json; a missing file is no error unless KAIZEN_CONFIG names
// it. "token_file" is relative to the config file's folder and its content is trimmed. A config
// file that holds a token, or a token file, readable by group or others earns a warning. Reads
// files; single-threaded.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "workflow/status.h"

namespace kaizen::cli {

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

inline constexpr std::string_view kDefaultServer = "http://127.0.0.1:8080";

struct Settings {
  std::string server;                // as written; parsed by ParseServerUrl
  std::optional<std::string> token;  // never printed
  std::string token_source;          // "--token", "KAIZEN_TOKEN", or the file it came from
  std::optional<std::string> actor;
  std::string config_file;            // the file read; empty when none
  std::vector<std::string> warnings;  // for stderr, one line each
};

// The config file kaizenctl reads for `env`, whether it exists or not; empty when neither
// KAIZEN_CONFIG, XDG_CONFIG_HOME nor HOME is set.
std::string ConfigFilePath(const EnvLookup& env);

// Resolves the settings of `inv`. A config file that cannot be read or parsed, or holds an
// unknown field, is a usage error naming the file.
Result<Settings> ResolveSettings(const Invocation& inv, const EnvLookup& env);

}  // namespace kaizen::cli
