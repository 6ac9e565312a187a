#include "cli/args.h"

#include <algorithm>

namespace kaizen::cli {
namespace {

constexpr OptionSpec kNote{"note", "TEXT", "why: kept in the task's history"};
constexpr OptionSpec kActor{"actor", "ID", "who does it: a person id (default: $KAIZEN_ACTOR)",
                            true};

// Shortcuts for the moves people make every day; each is `task move ID <state>`.
CommandSpec Shortcut(std::string_view name, std::string_view summary,
                     std::string_view description) {
  return {name, {"ID"}, {kNote, kActor}, summary, description};
}

std::vector<CommandSpec> BuildCommands() {
  return {
      {"tasks",
       {},
       {{"plan", "N", "only tasks of plan N"},
        {"owner", "ID", "only tasks owned by this person"},
        {"state", "S",
         "only tasks in this state: open, in_progress, blocked, done, verified, "
         "cancelled"},
        {"team", "ID", "only tasks of this team's plans"},
        {"overdue", "", "only unfinished tasks past their deadline"},
        {"limit", "N", "show at most N tasks (default 1000)"}},
       "list tasks",
       "Lists tasks with their state, owner and deadline, fetching page after page until all\n"
       "are shown or --limit is reached. DUE is relative to this machine's clock."},
      {"task show",
       {"ID"},
       {},
       "a task's fields and history",
       "Shows every field of task ID and its history: who moved it when, and why."},
      {"task move",
       {"ID", "STATE"},
       {kNote, kActor},
       "move a task to STATE",
       "Moves task ID to STATE (open, in_progress, blocked, done, verified, cancelled).\n"
       "kaizend refuses moves its rules do not allow and says which ones are."},
      Shortcut("task start", "open -> in_progress",
               "Starts work on task ID: task move ID in_progress."),
      Shortcut("task block", "-> blocked (say why with --note)",
               "Marks task ID as blocked: task move ID blocked. Say what blocks it with --note."),
      Shortcut("task done", "-> done, ready for review",
               "Marks task ID as done: task move ID done. A reviewer then verifies or rejects it."),
      Shortcut(
          "task verify", "done -> verified (reviewers only)",
          "Verifies task ID: task move ID verified. Only the plan owner or the owner's manager\n"
          "may, unless the plan allows self-verification."),
      Shortcut("task reject", "done -> in_progress, --note says what is missing",
               "Sends task ID back to work: task move ID in_progress. --note is required: the\n"
               "owner needs to know what is missing."),
      Shortcut("task cancel", "-> cancelled", "Cancels task ID: task move ID cancelled."),
      Shortcut("task reopen", "-> open", "Reopens task ID: task move ID open."),
      {"plans",
       {},
       {{"state", "S", "only plans in this state: active, completed, cancelled"},
        {"owner", "ID", "only plans owned by this person"},
        {"team", "ID", "only this team's plans"},
        {"limit", "N", "show at most N plans (default 1000)"}},
       "list plans",
       "Lists plans with their owner, team and progress (finished tasks of all tasks that\n"
       "are not cancelled)."},
      {"plan show",
       {"ID"},
       {},
       "a plan with its goals and tasks",
       "Shows plan ID: its fields, its goals and every task."},
      {"plan report",
       {"ID"},
       {{"markdown", "", "print the report as Markdown, as kaizend writes it for people"},
        {"locale", "L", "the Markdown's language: en or zh-CN (default: the team's)"}},
       "a plan's report: tasks by state, on time, overdue, goals",
       "Shows the report of plan ID: tasks by state, the share finished on time, overdue tasks\n"
       "with owners and days late, goals, the cycle snapshot and the change against the\n"
       "previous cycle. Live until the plan is closed, then the report frozen at closing."},
      {"plan close",
       {"ID"},
       {},
       "close a plan: freeze its report and post the summary",
       "Closes plan ID: its report is frozen and the team's channels get the summary. Closing\n"
       "a closed plan changes nothing and shows the same report."},
      {"channels",
       {},
       {},
       "list the delivery channels",
       "Lists the channels of kaizend's config: type, rate limit, whether the provider said the\n"
       "channel is broken, and the URL with its tokens replaced by ***."},
      {"channels test",
       {"ID"},
       {},
       "send a test message and show what the provider answered",
       "Sends one test message (\"Test message from kaizen for channel ID\") through channel ID\n"
       "and shows exactly what its provider answered: the HTTP status or the network error,\n"
       "the provider's own code and message, the reply body, how kaizend reads it and what to\n"
       "do. The message is not a reminder: it is sent once, never retried, after the\n"
       "channel's rate limit. Exit status 0 when the channel delivered it, 4 when not."},
      {"templates",
       {},
       {},
       "list the plan templates",
       "Lists the plan templates of kaizend's config: id, kind, how many tasks and goals, the\n"
       "title pattern and the file each was read from. Make a plan from one with\n"
       "POST /api/v1/plans {\"template\": ID, \"team\": T} (docs/api.md)."},
      // Schedules (area "sched").
      {"schedules",
       {},
       {},
       "list the schedules that start review cycles",
       "Lists the schedules of kaizend's config: template, team, rule and zone, whether it is\n"
       "paused (and why), the last fire it started from and the next one."},
      {"schedules trigger",
       {"ID"},
       {},
       "start a cycle of schedule ID now",
       "Starts a cycle of schedule ID now, as its rule would (cause trigger): the plan is made\n"
       "from the template and the overlap policy applies. The rule's own fires continue."},
      {"schedules pause",
       {"ID"},
       {{"reason", "TEXT", "why (required)"}},
       "pause schedule ID",
       "Pauses schedule ID: no cycle starts until it is resumed. --reason is required."},
      {"schedules resume",
       {"ID"},
       {},
       "resume schedule ID without replaying what it missed",
       "Resumes schedule ID. Fires that passed while it was paused are not started."},
      {"summary",
       {},
       {{"team", "ID", "only this team"}, {"owner", "ID", "only this person's tasks"}},
       "where things stand: counts, overdue, due soon",
       "Counts tasks and plans by state and lists what is overdue, by owner, and what is due\n"
       "soon."},
      {"schedules preview",
       {"RULE"},
       {{"tz", "ZONE", "IANA time zone of the rule (default UTC)"},
        {"count", "N", "how many fires, 1 to 1000 (default 10); -n N for short"},
        {"from", "TIME", "fires strictly after this RFC 3339 time (default now)"},
        {"dst", "POLICY",
         "a local time skipped by a DST change: fire_after_gap (default) or skip"}},
       "the next fire times of a cron rule",
       "Shows when RULE fires next in ZONE, in local time with the weekday and in UTC, like\n"
       "systemd-analyze calendar: kaizenctl schedules preview '0 9 1 * *' --tz Asia/Shanghai\n"
       "-n 12. RULE has 5 fields (minute hour day-of-month month day-of-week), or 6 with\n"
       "seconds first, or is a macro such as @monthly; quote it. A fire moved by a DST gap says\n"
       "the local time the rule named. Nothing is stored."},
      // Backup (issue 6, "pkg"; cli/backup.cc).
      {"backup",
       {"FILE"},
       {{"force", "", "replace FILE when it exists"}},
       "download a consistent copy of kaizend's database",
       "Asks kaizend for a copy of its database (POST /api/v1/backup: SQLite's online backup,\n"
       "checked with integrity_check; kaizend keeps serving meanwhile) and writes it to FILE,\n"
       "through FILE.part renamed into place. Refuses to replace FILE without --force. Needs a\n"
       "token with the admin role. Restore: stop kaizend, put FILE at storage.path, remove the\n"
       "old -wal and -shm files, start kaizend."},
  };
}

const std::vector<OptionSpec>& GlobalOptions() {
  static const std::vector<OptionSpec> kGlobal = {
      {"server", "URL", "kaizend's address (default: $KAIZEN_SERVER, else http://127.0.0.1:8080)"},
      {"output", "FORMAT",
       "table (default) or json: the API's JSON answer (a list's pages joined)"},
      {"help", "", "this help"},
      {"version", "", "kaizenctl's version"},
  };
  return kGlobal;
}

// Whether --name takes a value, judged across every command: the command is not known until
// all words are read, and no option is a flag in one command and valued in another.
std::optional<bool> TakesValue(std::string_view name) {
  for (const OptionSpec& o : GlobalOptions()) {
    if (o.name == name) return !o.value_name.empty();
  }
  for (const CommandSpec& c : Commands()) {
    for (const OptionSpec& o : c.options) {
      if (o.name == name) return !o.value_name.empty();
    }
  }
  return std::nullopt;
}

bool IsGlobal(std::string_view name) {
  return std::any_of(GlobalOptions().begin(), GlobalOptions().end(),
                     [name](const OptionSpec& o) { return o.name == name; });
}

std::string Pad(std::string_view text, std::size_t width) {
  std::string out(text);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

std::string OptionLabel(const OptionSpec& o) {
  std::string label = "--" + std::string(o.name);
  if (!o.value_name.empty()) label += " " + std::string(o.value_name);
  return label;
}

std::string UsageLine(const CommandSpec& c) {
  std::string line = "kaizenctl " + std::string(c.name);
  for (std::string_view p : c.positionals) line += " " + std::string(p);
  for (const OptionSpec& o : c.options) {
    line += o.required ? " " + OptionLabel(o) : " [" + OptionLabel(o) + "]";
  }
  return line;
}

// "show, move, start, ..." for the group "task".
std::string Subcommands(std::string_view group) {
  std::string out;
  for (const CommandSpec& c : Commands()) {
    std::size_t space = c.name.find(' ');
    if (space == std::string_view::npos || c.name.substr(0, space) != group) continue;
    if (!out.empty()) out += ", ";
    out += std::string(c.name.substr(space + 1));
  }
  return out;
}

}  // namespace

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> kCommands = BuildCommands();
  return kCommands;
}

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& c : Commands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::optional<std::string> Invocation::Get(std::string_view name) const {
  auto it = options.find(name);
  if (it == options.end()) return std::nullopt;
  return it->second;
}

Status UsageError(std::string message) { return InvalidArgument("usage", std::move(message)); }

bool IsUsageError(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument && status.reason() == "usage";
}

Result<Invocation> ParseArgs(const std::vector<std::string>& args) {
  Invocation inv;
  std::vector<std::string> words;
  std::map<std::string, std::string, std::less<>> options;
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || arg.empty() || arg[0] != '-' || arg == "-") {
      words.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    std::string name;
    std::optional<std::string> value;
    if (arg == "-h") {
      name = "help";
    } else if (arg == "-o") {
      name = "output";
    } else if (arg == "-n") {
      name = "count";
    } else if (arg.rfind("--", 0) == 0) {
      std::size_t eq = arg.find('=');
      name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      if (eq != std::string::npos) value = arg.substr(eq + 1);
    } else {
      return UsageError("unknown option '" + arg + "'");
    }
    std::optional<bool> takes_value = TakesValue(name);
    if (!takes_value) return UsageError("unknown option '--" + name + "'");
    if (*takes_value && !value) {
      if (i + 1 >= args.size()) return UsageError("option --" + name + " needs a value");
      value = args[++i];
    }
    if (!*takes_value && value) return UsageError("option --" + name + " takes no value");
    if (!options.emplace(name, value.value_or("")).second) {
      return UsageError("option --" + name + " is given twice");
    }
  }

  inv.help = options.count("help") > 0;
  inv.version = options.count("version") > 0;
  if (auto it = options.find("server"); it != options.end()) inv.server = it->second;
  if (auto it = options.find("output"); it != options.end()) {
    if (it->second == "json") {
      inv.output = OutputFormat::kJson;
    } else if (it->second != "table") {
      return UsageError("--output must be table or json, not '" + it->second + "'");
    }
  }

  // "help tasks" reads as "tasks --help".
  if (!words.empty() && words[0] == "help") {
    words.erase(words.begin());
    inv.help = true;
  }
  if (words.empty()) {
    if (inv.help || inv.version) return inv;
    return UsageError("no command given");
  }

  std::size_t used = 1;
  std::string name = words[0];
  if (name == "task" || name == "plan") {
    if (words.size() < 2) {
      if (inv.help) return inv;
      return UsageError("'" + name + "' needs a subcommand: " + Subcommands(name));
    }
    name += " " + words[1];
    used = 2;
    inv.command = FindCommand(name);
    if (inv.command == nullptr) {
      return UsageError("unknown command '" + name + "'; '" + words[0] +
                        "' has: " + Subcommands(words[0]));
    }
  } else if (words.size() >= 2 && FindCommand(name + " " + words[1]) != nullptr) {
    // A command that also has subcommands: "channels" lists, "channels test ID" tests.
    name += " " + words[1];
    used = 2;
    inv.command = FindCommand(name);
  } else {
    inv.command = FindCommand(name);
    if (inv.command == nullptr) return UsageError("unknown command '" + name + "'");
  }
  inv.positionals.assign(words.begin() + static_cast<std::ptrdiff_t>(used), words.end());
  if (inv.help) return inv;

  const std::string command_name(inv.command->name);
  for (const auto& [option, value] : options) {
    if (IsGlobal(option)) continue;
    const auto& allowed = inv.command->options;
    if (std::none_of(allowed.begin(), allowed.end(),
                     [&option](const OptionSpec& o) { return o.name == option; })) {
      return UsageError("'" + command_name + "' has no option --" + option);
    }
    inv.options.emplace(option, value);
  }
  const auto& expected = inv.command->positionals;
  if (inv.positionals.size() < expected.size()) {
    return UsageError("'" + command_name + "' needs " +
                      std::string(expected[inv.positionals.size()]));
  }
  if (inv.positionals.size() > expected.size()) {
    std::string hint;
    // "tasks show 7" for "task show 7": the plural lists, the singular acts on one.
    if ((command_name == "tasks" || command_name == "plans") &&
        FindCommand(command_name.substr(0, 4) + " " + inv.positionals[0]) != nullptr) {
      hint = "; did you mean 'kaizenctl " + command_name.substr(0, 4) + " " + inv.positionals[0] +
             "'?";
    }
    return UsageError("unexpected argument '" + inv.positionals[expected.size()] + "'" + hint);
  }
  return inv;
}

std::string OverallHelp() {
  std::string out =
      "kaizenctl: the command-line client of kaizend, the improvement-plan tracker.\n"
      "\n"
      "Usage: kaizenctl [--server URL] [-o table|json] COMMAND [ARGS] [OPTIONS]\n"
      "\n"
      "Commands:\n";
  std::size_t width = 0;
  std::vector<std::string> heads;
  for (const CommandSpec& c : Commands()) {
    std::string head = std::string(c.name);
    for (std::string_view p : c.positionals) head += " " + std::string(p);
    width = std::max(width, head.size());
    heads.push_back(std::move(head));
  }
  for (std::size_t i = 0; i < Commands().size(); ++i) {
    out += "  " + Pad(heads[i], width) + "  " + std::string(Commands()[i].summary) + "\n";
  }
  out += "\nGlobal options:\n";
  for (const OptionSpec& o : GlobalOptions()) {
    std::string label = o.name == "help"     ? "-h, --help"
                        : o.name == "output" ? "-o, --output FORMAT"
                                             : OptionLabel(o);
    out += "  " + Pad(label, 20) + "  " + std::string(o.help) + "\n";
  }
  out +=
      "\n"
      "'kaizenctl COMMAND --help' tells more about one command.\n"
      "Exit status: 0 done, 1 kaizend refused or failed, 2 usage error, 3 cannot reach kaizend,\n"
      "4 the channel did not deliver the test message (channels test).\n";
  return out;
}

std::string CommandHelp(const CommandSpec& command) {
  std::string out =
      "Usage: " + UsageLine(command) + "\n\n" + std::string(command.description) + "\n";
  std::size_t width = 0;
  for (const OptionSpec& o : command.options) width = std::max(width, OptionLabel(o).size());
  if (!command.options.empty()) {
    out += "\nOptions:\n";
    for (const OptionSpec& o : command.options) {
      out += "  " + Pad(OptionLabel(o), width) + "  " + std::string(o.help) + "\n";
    }
  }
  out += "\nGlobal options: --server URL, -o/--output table|json (see kaizenctl --help).\n";
  return out;
}

Result<ServerUrl> ParseServerUrl(std::string_view text) {
  ServerUrl url;
  url.text = std::string(text);
  std::string_view rest = text;
  if (std::size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    std::string_view name = rest.substr(0, scheme);
    if (name == "https") {
      return UsageError("https is not supported yet; use http:// (server '" + url.text + "')");
    }
    if (name != "http") return UsageError("server URL must start with http://: '" + url.text + "'");
    rest.remove_prefix(scheme + 3);
  }
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    url.base_path = std::string(path);
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return UsageError("bad server URL '" + url.text + "'");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return UsageError("bad server URL '" + url.text + "'");
      port = after.substr(1);
    }
  } else {
    std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return UsageError("server URL has no host: '" + url.text + "'");
  if (port.empty()) {
    url.port = "80";
  } else if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
             std::stoul(std::string(port)) > 65535) {
    return UsageError("bad port in server URL '" + url.text + "'");
  } else {
    url.port = std::string(port);
  }
  return url;
}

}  // namespace kaizen::cli
