// kaizenctl's command line: the table of commands and their options, the parser that turns argv
// into an Invocation, the help texts, and the server URL. Pure; any thread.
//
// Options may stand anywhere after the program name, as `--name value` or `--name=value`; `--`
// ends them. A usage error is kInvalidArgument with reason "usage" and a message for the user.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/status.h"

namespace kaizen::cli {

struct OptionSpec {
  std::string_view name;        // long name without the dashes: "owner"
  std::string_view value_name;  // "ID"; empty for a flag such as --overdue
  std::string_view help;
  bool required = false;  // shown without brackets in the usage line; checked by the command
  // The values shell completion offers, blank-separated: "open in_progress ...". "FILE"
  // completes file names.
  std::string_view choices = {};
};

struct CommandSpec {
  std::string_view name;                      // "tasks", "task show", "task start"
  std::vector<std::string_view> positionals;  // "ID", "STATE"
  std::vector<OptionSpec> options;            // besides the global ones
  std::string_view summary;                   // one line in the overall help
  std::string_view description;               // paragraphs in the command's own help
};

// Every command, in the order the overall help lists them.
const std::vector<CommandSpec>& Commands();
const CommandSpec* FindCommand(std::string_view name);

enum class OutputFormat { kTable, kWide, kJson };

struct Invocation {
  const CommandSpec* command = nullptr;  // null only with help: the overall help
  std::vector<std::string> positionals;  // as many as command->positionals (unless help)
  std::map<std::string, std::string, std::less<>> options;  // name -> value ("" for flags)
  std::optional<std::string> server;                        // --server
  std::optional<std::string> token;                         // --token
  std::optional<std::string> actor;                         // --actor
  OutputFormat output = OutputFormat::kTable;
  bool no_color = false;  // --no-color
  bool help = false;
  bool version = false;
  std::string group;  // with help and no command: "task" for `kaizenctl task --help`

  bool Has(std::string_view name) const { return options.count(name) > 0; }
  std::optional<std::string> Get(std::string_view name) const;
};

Status UsageError(std::string message);
bool IsUsageError(const Status& status);

// Parses the arguments after the program name. Checks the command, the number of positionals
// and that every option belongs to the command; the values are checked by the command.
Result<Invocation> ParseArgs(const std::vector<std::string>& args);

// The options every command takes: --server, --token, --actor, --output, --no-color, ...
const std::vector<OptionSpec>& GlobalOptions();

std::string OverallHelp();
std::string CommandHelp(const CommandSpec& command);
// The commands of a group such as "task", one line each.
std::string GroupHelp(std::string_view group);

// A bash completion script for kaizenctl, generated from the command table: verbs, subverbs,
// every command's options and the values they take. `kaizenctl completion bash` prints it;
// cli/completion/kaizenctl.bash is a copy a test keeps equal.
std::string BashCompletion();

// Where kaizend listens: "http://host[:port][/base]", or "host:port" for short. https is refused
// for now (usage error). `base_path` is "" or starts with '/' and has no trailing '/'.
struct ServerUrl {
  std::string host;  // without IPv6 brackets
  std::string port;  // "8080"; "80" when the URL has none
  std::string base_path;
  std::string text;  // as the user wrote it, for messages
};
Result<ServerUrl> ParseServerUrl(std::string_view text);

}  // namespace kaizen::cli
