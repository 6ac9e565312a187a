// The configuration file: one JSON document (comments allowed), `${ENV_VAR}` substituted in
// string values, validated as a whole into option structs. Pure: the caller provides the text
// and the environment, so every rule can be unit-tested. Any thread may call it; it runs once at
// start-up, before the daemon's executors exist.
//
// A config error never half-applies: LoadConfig returns either a complete Config or every
// problem found, each naming the file, the field path and the reason.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/plan_templates.h"
#include "workflow/access_policy.h"
#include "workflow/delivery_settings.h"
#include "workflow/follow_up.h"
#include "workflow/messages.h"
#include "workflow/model.h"
#include "workflow/plan_template.h"
#include "workflow/schedule.h"
#include "workflow/status.h"

namespace kaizen::config {

struct ServerOptions {
  // From "listen": "host:port". `host` is an IPv4 address, an IPv6 address without its
  // brackets ("::1" from "[::1]:8080") or a host name.
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
  std::string format = "text";  // "text", "json" or "journal" (daemon/logging.h)
};

// One of "api.tokens" (issue 6, "Access"): a bearer token and what it may do.
struct ApiTokenOptions {
  std::string name;    // unique; shown in logs and errors instead of the secret
  std::string secret;  // "token", or the content of "token_file"; never logged or shown
  ApiRole role = ApiRole::kViewer;
  std::optional<PersonId> person;            // required for member and manager
  std::set<std::string, std::less<>> teams;  // manager: its teams (default: its person's team)
};

// Section "api". No tokens: the API is open to anyone who can reach it (loopback only).
struct ApiOptions {
  std::vector<ApiTokenOptions> tokens;
};

// 127.0.0.0/8, ::1 and "localhost": addresses only this host can reach.
bool IsLoopbackHost(std::string_view host);

struct Config {
  std::string source;  // file the config came from
  ServerOptions server;
  StorageOptions storage;
  LogOptions log;
  std::shared_ptr<const Directory> directory;  // people and teams
  // Policies, calendars and routing (sections "policies", "calendars", "reminders", and the
  // teams' "calendar", "reminder_policy", "channels"). Never null after ParseConfig.
  std::shared_ptr<const FollowUpSettings> follow_up;
  // By id; always holds a channel "log" of type log unless the config defines "log" itself.
  std::vector<kaizen::ChannelOptions> channels;
  kaizen::DeliveryOptions delivery;
  // Section "messages" (language, links, templates) and the teams' "locale"; a channel's
  // "locale" is in its ChannelOptions.
  kaizen::MessageSettings messages;
  // Section "templates": the plan templates, inline or read from the files it names, in order;
  // ids are unique. Their role owners are mapped by at least one team's "roles".
  std::vector<PlanTemplate> templates;
  // Section "schedules" (config/schedules.h): templates bound to a team and a cron rule.
  std::vector<ScheduleSpec> schedules;
  // Section "api" (issue 6, "Access"): the API tokens.
  ApiOptions api;
};

struct ConfigProblem {
  std::string field;   // JSON path, e.g. "people[2].manager"
  std::string reason;  // e.g. "unknown person 'wang.wu'"
  std::string file;    // the template file the problem is in; empty: the config file itself
};

// Looks up an environment variable; std::getenv in production, a map in tests.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup ProcessEnvironment();

// Parses and validates `text` as read from `source` (a file name used in messages).
// On failure: kInvalidArgument "config_invalid"; the message lists every problem as
// "<source>: <field>: <reason>" one per line ("<source>: <reason>" when the problem concerns the
// whole document), and details = {"errors": [{"field","reason"}]}, in document order.
//
// String values may use `${NAME}`, replaced by the variable from `env`; `$${` stands for a
// literal `${`. Unknown fields, duplicate keys and unset variables are problems, never ignored.
// Without "teams" and "people" the directory is empty; every other section has the defaults above.
//
// Template files ({"file": "path"} in "templates", relative to the directory of `source`) are
// read with `read_file`; without one, naming a file is a problem. A problem inside a template
// file is reported as "<that file>: <field>: <reason>", with "file" in its details entry.
Result<Config> ParseConfig(std::string_view text, const std::string& source, const EnvLookup& env,
                           const FileReader& read_file = {});

// Reads the file and calls ParseConfig, reading template files with `read_file`. A missing or
// unreadable file is "config_invalid" too, with field "" and the OS reason.
Result<Config> LoadConfigFile(const std::string& path, const EnvLookup& env,
                              const FileReader& read_file = FilesystemReader());

}  // namespace kaizen::config
