#include "cli/args.h"

#include <algorithm>
#include <map>

namespace kaizen::cli {
namespace {

constexpr std::string_view kTaskStates = "open in_progress blocked done verified cancelled";
constexpr std::string_view kPlanStates = "active completed cancelled";
constexpr std::string_view kNotificationStates = "pending delivering delivered failed dead";

constexpr OptionSpec kNote{"note", "TEXT", "why: kept in the task's history"};
// --actor is a global option (any command may name who acts); commands whose API call needs
// one list it too, so that their usage line shows it.
constexpr OptionSpec kActor{
    "actor", "ID", "who does it: a person id (default: $KAIZEN_ACTOR, else the config file)", true};
constexpr OptionSpec kActorOptional{
    "actor", "ID", "who does it, for the history (default: $KAIZEN_ACTOR, else the config file)"};

// Shortcuts for the moves people make every day; each is `task move ID <state>`.
CommandSpec Shortcut(std::string_view name, std::string_view summary,
                     std::string_view description) {
  return {name, {"ID"}, {kNote, kActor}, summary, description};
}

std::vector<CommandSpec> BuildCommands() {
  return {
      {"tasks",
       {},
       {{"mine", "", "only my tasks: owned by the actor (--actor, $KAIZEN_ACTOR, config file)"},
        {"owner", "ID", "only tasks owned by this person"},
        {"plan", "N", "only tasks of plan N"},
        {"state", "S",
         "only tasks in this state: open, in_progress, blocked, done, verified, "
         "cancelled",
         false, kTaskStates},
        {"team", "ID", "only tasks of this team's plans"},
        {"overdue", "", "only unfinished tasks past their deadline"},
        {"due-within", "DURATION",
         "only tasks due between now and DURATION ahead: 6h, 2d, 1w, 1d12h"},
        {"limit", "N", "show at most N tasks (default 1000)"}},
       "list tasks",
       "Lists tasks with their state, owner and deadline, fetching page after page until all\n"
       "are shown or --limit is reached. DUE is relative to this machine's clock: \"in 2d\",\n"
       "\"overdue 3h\". On a terminal, overdue deadlines are red, those due within 2 days\n"
       "yellow, finished tasks green. -o wide adds the plan, the exact deadline and the last\n"
       "change."},
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
      {"task snooze",
       {"ID"},
       {{"until", "TIME", "the new deadline, RFC 3339: 2026-12-05T18:00:00+08:00"},
        {"for", "DURATION",
         "move the deadline this much later (from now when it has passed): 2d, 6h"},
        kActorOptional},
       "move a task's deadline, and its reminders with it",
       "Moves the deadline of task ID to --until TIME, or --for DURATION later than it is (from\n"
       "now when it has already passed). kaizend plans the task's reminders anew from the new\n"
       "deadline, so the ones due now fall silent. The change is made only if nobody changed\n"
       "the task in between (If-Match), and is kept in the task's history."},
      {"plans",
       {},
       {{"state", "S", "only plans in this state: active, completed, cancelled", false,
         kPlanStates},
        {"owner", "ID", "only plans owned by this person"},
        {"team", "ID", "only this team's plans"},
        {"limit", "N", "show at most N plans (default 1000)"}},
       "list plans",
       "Lists plans with their owner, team and progress (finished tasks of all tasks that\n"
       "are not cancelled). -o wide adds the kind, the template and when each was made."},
      {"plan show",
       {"ID"},
       {},
       "a plan with its goals and tasks",
       "Shows plan ID: its fields, its goals and every task."},
      {"plan create",
       {},
       {{"template", "ID", "make the plan from this template of kaizend's config"},
        {"team", "ID", "the team the plan is for (with --template)"},
        {"start", "TIME",
         "the cycle's start: RFC 3339, or a date YYYY-MM-DD (midnight in the team's zone); "
         "default now"},
        {"owner", "ID", "the plan's owner instead of the template's"},
        {"file", "FILE", "a whole plan as JSON (POST /api/v1/plans); - reads stdin; -f FILE", false,
         "FILE"},
        kActorOptional},
       "make a plan from a template, or from a JSON file",
       "Makes a plan. With --template ID --team T, from a template of kaizend's config (see\n"
       "kaizenctl templates): its title, goals, tasks, owners and deadlines computed from the\n"
       "start. With -f FILE, from a plan body as docs/api.md describes POST /api/v1/plans\n"
       "(title, owner, team, goals, tasks). Shows the new plan."},
      {"plan cancel",
       {"ID"},
       {{"note", "TEXT", "why the plan stops (required)", true}, kActorOptional},
       "cancel a plan and its unfinished tasks",
       "Cancels plan ID: its unfinished tasks are cancelled with it and their reminders stop.\n"
       "--note is required and kept in every task's history."},
      {"plan report",
       {"ID"},
       {{"markdown", "", "print the report as Markdown, as kaizend writes it for people"},
        {"locale", "L", "the Markdown's language: en or zh-CN (default: the team's)", false,
         "en zh-CN"}},
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
      {"summary",
       {},
       {{"team", "ID", "only this team"}, {"owner", "ID", "only this person's tasks"}},
       "where things stand: counts, overdue, due soon",
       "Counts tasks and plans by state and lists what is overdue, by owner, and what is due\n"
       "soon."},
      {"notifications list",
       {},
       {{"state", "S",
         "only notifications in this state: pending, delivering, delivered, "
         "failed, dead",
         false, kNotificationStates},
        {"channel", "ID", "only those sent through this channel"},
        {"task", "N", "only those about task N"},
        {"limit", "N", "show at most N notifications (default 1000)"}},
       "the delivery outbox: what was sent, what waits, what failed",
       "Lists the notifications of the outbox, oldest first: state, channel, kind, recipient,\n"
       "task, attempts, when made, and when the next attempt is due or why the last failed.\n"
       "'kaizenctl notifications' alone lists too."},
      {"notifications retry",
       {"ID"},
       {},
       "send a dead or failed notification again",
       "Sends notification ID again: a dead or failed one becomes pending with its attempts\n"
       "counted from zero; its idempotency key stays, so the receiver still sees a repeat."},
      {"channels list",
       {},
       {},
       "list the delivery channels",
       "Lists the channels of kaizend's config: type, rate limit, whether the provider said the\n"
       "channel is broken, and the URL with its tokens replaced by ***. 'kaizenctl channels'\n"
       "alone lists too."},
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
       "kaizenctl plan create --template ID --team T."},
      // Schedules (area "sched").
      {"schedules list",
       {},
       {},
       "list the schedules that start review cycles",
       "Lists the schedules of kaizend's config: template, team, rule and zone, whether it is\n"
       "paused (and why), the last fire it started from and the next one. 'kaizenctl\n"
       "schedules' alone lists too."},
      {"schedules preview",
       {"RULE"},
       {{"tz", "ZONE", "IANA time zone of the rule (default UTC)"},
        {"count", "N", "how many fires, 1 to 1000 (default 10); -n N for short"},
        {"from", "TIME", "fires strictly after this RFC 3339 time (default now)"},
        {"dst", "POLICY", "a local time skipped by a DST change: fire_after_gap (default) or skip",
         false, "fire_after_gap skip"}},
       "the next fire times of a cron rule",
       "Shows when RULE fires next in ZONE, in local time with the weekday and in UTC, like\n"
       "systemd-analyze calendar: kaizenctl schedules preview '0 9 1 * *' --tz Asia/Shanghai\n"
       "-n 12. RULE has 5 fields (minute hour day-of-month month day-of-week), or 6 with\n"
       "seconds first, or is a macro such as @monthly; quote it. A fire moved by a DST gap says\n"
       "the local time the rule named. Nothing is stored."},
      {"schedules trigger",
       {"ID"},
       {},
       "start a cycle of schedule ID now",
       "Starts a cycle of schedule ID now, as its rule would (cause trigger): the plan is made\n"
       "from the template and the overlap policy applies. The rule's own fires continue."},
      {"schedules pause",
       {"ID"},
       {{"reason", "TEXT", "why (required)", true}},
       "pause schedule ID",
       "Pauses schedule ID: no cycle starts until it is resumed. --reason is required."},
      {"schedules resume",
       {"ID"},
       {},
       "resume schedule ID without replaying what it missed",
       "Resumes schedule ID. Fires that passed while it was paused are not started."},
      // Local commands: no server involved.
      {"check-config",
       {"FILE"},
       {},
       "validate a kaizend config file here, as kaizend --check-config does",
       "Reads and validates the kaizend config FILE (and the template files it names) on this\n"
       "machine, with the same rules as kaizend: prints \"FILE: ok\", or every problem as\n"
       "FILE: FIELD: REASON on stderr and exits 2. ${NAME} values are read from this shell's\n"
       "environment."},
      {"completion",
       {"SHELL"},
       {},
       "print the shell completion script (bash)",
       "Prints a completion script for SHELL (only bash for now). Load it for this shell with\n"
       "  source <(kaizenctl completion bash)\n"
       "or install it as /usr/share/bash-completion/completions/kaizenctl (packages ship\n"
       "cli/completion/kaizenctl.bash there)."},
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

// Whether `name` is the first word of commands with subcommands ("task", "channels").
bool IsGroup(std::string_view name) {
  for (const CommandSpec& c : Commands()) {
    std::size_t space = c.name.find(' ');
    if (space != std::string_view::npos && c.name.substr(0, space) == name) return true;
  }
  return false;
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

const std::vector<OptionSpec>& GlobalOptions() {
  static const std::vector<OptionSpec> kGlobal = {
      {"server", "URL", "kaizend's address (default: http://127.0.0.1:8080)"},
      {"token", "TOKEN", "API token, sent as Authorization: Bearer TOKEN"},
      {"actor", "ID", "who you are: a person id, for --mine and the history"},
      {"output", "FORMAT", "table (default), wide (more columns), or json (the API's answer)",
       false, "table wide json"},
      {"no-color", "", "no colours, even on a terminal (as NO_COLOR=1)"},
      {"help", "", "this help"},
      {"version", "", "kaizenctl's version"},
  };
  return kGlobal;
}

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
    } else if (arg == "-f") {
      name = "file";
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
  inv.no_color = options.count("no-color") > 0;
  if (auto it = options.find("server"); it != options.end()) inv.server = it->second;
  if (auto it = options.find("token"); it != options.end()) inv.token = it->second;
  if (auto it = options.find("actor"); it != options.end()) inv.actor = it->second;
  if (auto it = options.find("output"); it != options.end()) {
    if (it->second == "json") {
      inv.output = OutputFormat::kJson;
    } else if (it->second == "wide") {
      inv.output = OutputFormat::kWide;
    } else if (it->second != "table") {
      return UsageError("--output must be table, wide or json, not '" + it->second + "'");
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
  if (IsGroup(name)) {
    // "task show", "plan create", "channels test"; "channels" alone is "channels list".
    if (words.size() >= 2 && FindCommand(name + " " + words[1]) != nullptr) {
      name += " " + words[1];
      used = 2;
    } else if (words.size() < 2 && FindCommand(name + " list") != nullptr) {
      name += " list";
    } else if (words.size() < 2) {
      if (inv.help) {
        inv.group = name;
        return inv;
      }
      return UsageError("'" + name + "' needs a subcommand: " + Subcommands(name));
    } else {
      return UsageError("unknown command '" + name + " " + words[1] + "'; '" + name +
                        "' has: " + Subcommands(name));
    }
    inv.command = FindCommand(name);
  } else {
    inv.command = FindCommand(name);
    if (inv.command == nullptr) {
      std::string hint;
      if (FindCommand(name + "s") != nullptr || IsGroup(name + "s")) {
        hint = "; did you mean '" + name + "s'?";
      }
      return UsageError("unknown command '" + name + "'" + hint);
    }
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
      "Usage: kaizenctl [--server URL] [--token TOKEN] [-o table|wide|json] COMMAND [ARGS]\n"
      "                 [OPTIONS]\n"
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
      "\n"
      "Settings come from a flag, else the environment (KAIZEN_SERVER, KAIZEN_TOKEN,\n"
      "KAIZEN_ACTOR), else the config file ($KAIZEN_CONFIG, else\n"
      "$XDG_CONFIG_HOME/kaizen/kaizenctl.json, else ~/.config/kaizen/kaizenctl.json):\n"
      "  {\"server\": URL, \"token\": TOKEN or \"token_file\": FILE, \"actor\": ID}\n"
      "\n"
      "Exit status:\n"
      "  0  done\n"
      "  1  kaizend refused the request or failed (its message is printed)\n"
      "  2  usage error, or check-config found the config invalid; nothing was sent\n"
      "  3  cannot reach kaizend\n"
      "  4  channels test: the channel did not deliver the test message\n"
      "  5  not authenticated (no token, or a token kaizend does not accept) or not allowed\n"
      "     (the token's role, or the workflow's rules, forbid it: HTTP 401 or 403)\n";
  return out;
}

std::string GroupHelp(std::string_view group) {
  std::string out = "Usage: kaizenctl " + std::string(group) + " SUBCOMMAND [ARGS] [OPTIONS]\n\n";
  std::vector<std::pair<std::string, std::string_view>> lines;
  std::size_t width = 0;
  for (const CommandSpec& c : Commands()) {
    std::size_t space = c.name.find(' ');
    if (space == std::string_view::npos || c.name.substr(0, space) != group) continue;
    std::string head(c.name);
    for (std::string_view p : c.positionals) head += " " + std::string(p);
    width = std::max(width, head.size());
    lines.emplace_back(std::move(head), c.summary);
  }
  for (const auto& [head, summary] : lines) {
    out += "  " + Pad(head, width) + "  " + std::string(summary) + "\n";
  }
  out += "\n'kaizenctl " + std::string(group) + " SUBCOMMAND --help' tells more about one.\n";
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
  out +=
      "\nGlobal options: --server URL, --token TOKEN, --actor ID, -o/--output table|wide|json,\n"
      "--no-color (see kaizenctl --help).\n";
  return out;
}

namespace {

// "a b c" for a bash word list.
std::string Words(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::vector<std::string> OptionWords(const std::vector<OptionSpec>& options) {
  std::vector<std::string> out;
  for (const OptionSpec& o : options) out.push_back("--" + std::string(o.name));
  return out;
}

// The bash `case` arm that completes the value of --name: its choices, file names, or nothing
// (a free value: no word list to offer, so no guess either).
std::string ValueArm(const std::string& pattern, std::string_view choices) {
  if (choices == "FILE") return "      " + pattern + ") _kaizenctl_files; return ;;\n";
  if (choices.empty()) return "      " + pattern + ") return ;;\n";
  return "      " + pattern + ") COMPREPLY=($(compgen -W \"" + std::string(choices) +
         "\" -- \"$cur\")); return ;;\n";
}

}  // namespace

std::string BashCompletion() {
  // Top-level words: plain commands and groups, in table order, each once.
  std::vector<std::string> verbs;
  std::map<std::string, std::vector<std::string>, std::less<>> subverbs;
  for (const CommandSpec& c : Commands()) {
    std::size_t space = c.name.find(' ');
    std::string first(c.name.substr(0, space));
    if (std::find(verbs.begin(), verbs.end(), first) == verbs.end()) verbs.push_back(first);
    if (space != std::string_view::npos) {
      subverbs[first].push_back(std::string(c.name.substr(space + 1)));
    }
  }
  std::vector<std::string> valued;  // options that take a value, with the short forms
  for (const CommandSpec& c : Commands()) {
    for (const OptionSpec& o : c.options) {
      std::string word = "--" + std::string(o.name);
      if (!o.value_name.empty() && std::find(valued.begin(), valued.end(), word) == valued.end()) {
        valued.push_back(word);
      }
    }
  }
  for (const OptionSpec& o : GlobalOptions()) {
    if (!o.value_name.empty()) valued.push_back("--" + std::string(o.name));
  }
  valued.insert(valued.end(), {"-o", "-n", "-f"});
  std::string valued_pattern;
  for (const std::string& v : valued) valued_pattern += (valued_pattern.empty() ? "" : "|") + v;

  std::string out =
      "# bash completion for kaizenctl. Generated from kaizenctl's command table by\n"
      "# `kaizenctl completion bash`; cli/completion/kaizenctl.bash is kept equal by a test.\n"
      "# Install as /usr/share/bash-completion/completions/kaizenctl, or for one shell:\n"
      "#   source <(kaizenctl completion bash)\n"
      "\n"
      "_kaizenctl_files() {\n"
      "  local IFS=$'\\n'\n"
      "  COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "  compopt -o filenames 2>/dev/null\n"
      "}\n"
      "\n"
      "_kaizenctl() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\"\n"
      "  ((COMP_CWORD > 0)) && prev=\"${COMP_WORDS[COMP_CWORD - 1]}\"\n"
      "  local cmd=\"\" sub=\"\" npos=0 i w\n"
      "  # The command words so far, skipping options and their values.\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    w=\"${COMP_WORDS[i]}\"\n"
      "    case \"$w\" in\n"
      "      " +
      valued_pattern +
      ") ((i++)) ;;\n"
      "      -*) ;;\n"
      "      *)\n"
      "        if [[ -z $cmd ]]; then cmd=$w\n"
      "        elif [[ -z $sub ]]; then sub=$w\n"
      "        else ((npos++))\n"
      "        fi ;;\n"
      "    esac\n"
      "  done\n"
      "  local globals=\"" +
      Words(OptionWords(GlobalOptions())) +
      " -o -h\" value=0\n"
      "  case \"$prev\" in " +
      valued_pattern +
      ") value=1 ;; esac\n"
      "  case \"$cmd\" in\n";
  // Groups: the subverb first; a group with "list" accepts its options without one.
  for (const auto& [group, subs] : subverbs) {
    out += "    " + group + ")\n";
    out += "      if [[ -z $sub && $cur != -* && $value == 0 ]]; then\n";
    out += "        COMPREPLY=($(compgen -W \"" + Words(subs) + "\" -- \"$cur\")); return\n";
    out += "      fi\n";
    bool has_list = std::find(subs.begin(), subs.end(), "list") != subs.end();
    if (has_list) out += "      [[ -z $sub ]] && sub=list\n";
    out += "      cmd=\"" + group + " $sub\" ;;\n";
  }
  out += "    \"\")\n";
  out += "      if [[ $cur != -* && $value == 0 ]]; then\n";
  out += "        COMPREPLY=($(compgen -W \"" + Words(verbs) + " help\" -- \"$cur\")); return\n";
  out += "      fi ;;\n";
  out += "  esac\n";

  // Values of options, per command (a name such as --state takes different values).
  out += "  case \"$prev\" in\n";
  for (const OptionSpec& o : GlobalOptions()) {
    if (o.value_name.empty()) continue;
    std::string pattern = "--" + std::string(o.name);
    if (o.name == "output") pattern += "|-o";
    out += "  " + ValueArm(pattern, o.choices).substr(2);
  }
  out += "  esac\n";
  out += "  local opts=\"\"\n";
  out += "  case \"$cmd\" in\n";
  for (const CommandSpec& c : Commands()) {
    std::string name(c.name);
    // A plain command's positional (check-config FILE) arrives in $sub: match the command
    // alone, the rest being whatever was typed.
    std::string pattern = name.find(' ') == std::string::npos ? name : "\"" + name + "\"";
    out += "    " + pattern + ")\n";
    std::string value_arms;
    for (const OptionSpec& o : c.options) {
      if (o.value_name.empty()) continue;
      std::string option_pattern = "--" + std::string(o.name);
      if (o.name == "count") option_pattern += "|-n";
      if (o.name == "file") option_pattern += "|-f";
      value_arms += "  " + ValueArm(option_pattern, o.choices);
    }
    if (!value_arms.empty()) out += "      case \"$prev\" in\n" + value_arms + "      esac\n";
    if (name == "check-config") {
      out +=
          "      if [[ -z $sub && $cur != -* && $value == 0 ]]; then _kaizenctl_files; return; "
          "fi\n";
    } else if (name == "completion") {
      out += "      if [[ -z $sub && $cur != -* && $value == 0 ]]; then\n";
      out += "        COMPREPLY=($(compgen -W \"bash\" -- \"$cur\")); return\n";
      out += "      fi\n";
    }
    std::vector<std::string> words;
    for (const OptionSpec& o : c.options) {
      if (!IsGlobal(o.name)) words.push_back("--" + std::string(o.name));
    }
    if (name == "schedules preview") words.push_back("-n");
    if (name == "plan create") words.push_back("-f");
    out += "      opts=\"" + Words(words) + "\" ;;\n";
  }
  out += "  esac\n";
  out += "  if [[ $cur == -* ]]; then\n";
  out += "    COMPREPLY=($(compgen -W \"$opts $globals\" -- \"$cur\"))\n";
  out += "  fi\n";
  out += "}\n";
  out += "complete -F _kaizenctl kaizenctl\n";
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
