#include "config/config.h"

#include <arpa/inet.h>
#include <date/tz.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <system_error>
#include <utility>

namespace kaizen::config {
namespace {

using nlohmann::json;

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// Collects every problem in document order. A field whose `${...}` substitution failed is
// "tainted": later checks of it would only repeat the same mistake in other words.
class Problems {
 public:
  void Add(const std::string& field, std::string reason) {
    if (tainted_.count(field) > 0) return;
    list_.push_back({field, std::move(reason)});
  }
  void AddAndTaint(const std::string& field, std::string reason) {
    list_.push_back({field, std::move(reason)});
    tainted_.insert(field);
  }
  bool empty() const { return list_.empty(); }
  const std::vector<ConfigProblem>& list() const { return list_; }

 private:
  std::vector<ConfigProblem> list_;
  std::set<std::string> tainted_;
};

// How a wrong value is named in a reason: "expected a string, got the number 8080".
std::string Describe(const json& value) {
  if (value.is_number_float() || value.is_boolean()) return value.dump();
  if (value.is_number()) return "the number " + value.dump();
  if (value.is_string()) return "a string";
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  return "null";
}

// ---- parsing --------------------------------------------------------------------------------

// nlohmann keeps the last of two equal keys without a word; a repeated "listen" or "manager" is
// a mistake the user wants to hear about, so the parser callback tracks paths and keys.
class DuplicateKeyDetector {
 public:
  explicit DuplicateKeyDetector(Problems& problems) : problems_(problems) {}

  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        stack_.push_back({false, ChildPath(), {}, {}, 0});
        break;
      case json::parse_event_t::array_start:
        stack_.push_back({true, ChildPath(), {}, {}, 0});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!stack_.empty()) stack_.pop_back();
        break;
      case json::parse_event_t::key: {
        Frame& frame = stack_.back();
        frame.key = parsed.get<std::string>();
        if (!frame.keys.insert(frame.key).second) {
          problems_.Add(Join(frame.path, frame.key), "duplicate key; only one value may be given");
        }
        break;
      }
      case json::parse_event_t::value:
        if (!stack_.empty() && stack_.back().is_array) ++stack_.back().next_index;
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool is_array;
    std::string path;
    std::set<std::string> keys;
    std::string key;
    std::size_t next_index;
  };

  std::string ChildPath() {
    if (stack_.empty()) return "";
    Frame& parent = stack_.back();
    return parent.is_array ? Index(parent.path, parent.next_index++)
                           : Join(parent.path, parent.key);
  }

  Problems& problems_;
  std::vector<Frame> stack_;
};

std::optional<json> ParseJson(std::string_view text, Problems& problems) {
  try {
    return json::parse(text, DuplicateKeyDetector(problems), /*allow_exceptions=*/true,
                       /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 3, column 5: ..." -> from "parse".
    std::string what = e.what();
    std::size_t start = what.find("] ");
    problems.Add("", start == std::string::npos ? what : what.substr(start + 2));
    return std::nullopt;
  }
}

// ---- ${NAME} substitution -------------------------------------------------------------------

bool IsVariableName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

void ExpandString(json& value, const std::string& field, const EnvLookup& env, Problems& problems) {
  const std::string& in = value.get_ref<const std::string&>();
  if (in.find('$') == std::string::npos) return;
  std::string out;
  bool failed = false;
  std::size_t i = 0;
  while (i < in.size()) {
    if (in.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (in.compare(i, 2, "${") != 0) {
      out += in[i++];
      continue;
    }
    std::size_t close = in.find('}', i + 2);
    if (close == std::string::npos) {
      problems.AddAndTaint(field, "unterminated '${' (write '$${' for a literal '${')");
      failed = true;
      break;
    }
    std::string name = in.substr(i + 2, close - i - 2);
    i = close + 1;
    if (!IsVariableName(name)) {
      problems.AddAndTaint(field, "invalid environment variable name '" + name + "'");
      failed = true;
      continue;
    }
    std::optional<std::string> found = env ? env(name) : std::nullopt;
    if (!found) {
      problems.AddAndTaint(field, "environment variable " + name + " is not set");
      failed = true;
      continue;
    }
    out += *found;
  }
  if (!failed) value = std::move(out);
}

void Substitute(json& node, const std::string& path, const EnvLookup& env, Problems& problems) {
  if (node.is_object()) {
    for (auto& [key, child] : node.items()) Substitute(child, Join(path, key), env, problems);
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      Substitute(node[i], Index(path, i), env, problems);
  } else if (node.is_string()) {
    ExpandString(node, path, env, problems);
  }
}

// ---- field readers --------------------------------------------------------------------------

// Reads one JSON object: reports keys it does not know, and reads typed fields with their rules.
// An absent or null field leaves the output at its default.
class ObjectReader {
 public:
  ObjectReader(const json& object, std::string path, Problems& problems,
               std::vector<std::string> known)
      : object_(object), path_(std::move(path)), problems_(problems) {
    std::vector<std::string> sorted = known;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [key, value] : object_.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        problems_.Add(Field(key), "unknown field; known: " + JoinNames(sorted));
      }
    }
  }

  std::string Field(std::string_view key) const { return Join(path_, key); }

  const json* Get(std::string_view key) const {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  // Returns false when absent (reporting it when required) or not a string.
  bool String(std::string_view key, std::string& out, bool required, bool non_empty = true) {
    const json* value = Get(key);
    if (value == nullptr) {
      if (required) problems_.Add(Field(key), "required");
      return false;
    }
    if (!value->is_string()) {
      problems_.Add(Field(key), "expected a string, got " + Describe(*value));
      return false;
    }
    if (non_empty && value->get_ref<const std::string&>().empty()) {
      problems_.Add(Field(key), "must not be empty");
      return false;
    }
    out = value->get<std::string>();
    return true;
  }

  template <typename T>
  void Integer(std::string_view key, std::int64_t min, std::int64_t max, T& out) {
    const json* value = Get(key);
    if (value == nullptr) return;
    if (!value->is_number_integer()) {
      problems_.Add(Field(key), "expected an integer, got " + Describe(*value));
      return;
    }
    bool in_range = value->is_number_unsigned()
                        ? value->get<std::uint64_t>() <= static_cast<std::uint64_t>(max) &&
                              static_cast<std::int64_t>(value->get<std::uint64_t>()) >= min
                        : value->get<std::int64_t>() >= min && value->get<std::int64_t>() <= max;
    if (!in_range) {
      problems_.Add(Field(key), "must be between " + std::to_string(min) + " and " +
                                    std::to_string(max) + ", got " + value->dump());
      return;
    }
    out = static_cast<T>(value->get<std::int64_t>());
  }

  void Enum(std::string_view key, const std::vector<std::string>& allowed, std::string& out) {
    std::string text;
    if (!String(key, text, /*required=*/false)) return;
    if (std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
      problems_.Add(Field(key), "must be one of: " + JoinNames(allowed) + "; got '" + text + "'");
      return;
    }
    out = text;
  }

 private:
  const json& object_;
  std::string path_;
  Problems& problems_;
};

// Returns the object at `key` of `parent`, or nullptr when absent; reports a non-object.
const json* Section(const json& parent, std::string_view key, Problems& problems) {
  auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) return nullptr;
  if (!it->is_object()) {
    problems.Add(std::string(key), "expected an object, got " + Describe(*it));
    return nullptr;
  }
  return &*it;
}

// ---- server.listen --------------------------------------------------------------------------

bool IsHostName(std::string_view host) {
  if (host.size() > 253) return false;
  std::size_t start = 0;
  while (start <= host.size()) {
    std::size_t dot = host.find('.', start);
    std::string_view label =
        host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

// Splits "host:port" into its parts; returns the reason when it is not one.
std::optional<std::string> ParseListen(std::string_view text, std::string& host,
                                       std::uint16_t& port) {
  const std::string kExample =
      "expected host:port, e.g. 127.0.0.1:8080, [::1]:8080 or localhost:8080";
  std::string_view host_part;
  std::string_view port_part;
  bool bracketed = false;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return kExample;
    }
    host_part = text.substr(1, close - 1);
    port_part = text.substr(close + 2);
    bracketed = true;
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return kExample;
    host_part = text.substr(0, colon);
    port_part = text.substr(colon + 1);
    if (host_part.find(':') != std::string_view::npos) {
      return "an IPv6 address must be written in brackets, e.g. [::1]:8080";
    }
  }
  if (host_part.empty()) return "host is empty; use 0.0.0.0 to listen on every interface";
  std::string host_text(host_part);
  unsigned char buffer[16];
  if (bracketed) {
    if (inet_pton(AF_INET6, host_text.c_str(), buffer) != 1) {
      return "'" + host_text + "' is not an IPv6 address";
    }
  } else if (host_part.find_first_not_of("0123456789.") == std::string_view::npos) {
    if (inet_pton(AF_INET, host_text.c_str(), buffer) != 1) {
      return "'" + host_text + "' is not an IPv4 address";
    }
  } else if (!IsHostName(host_part)) {
    return "'" + host_text + "' is not a valid host name";
  }
  if (port_part.empty() || port_part.size() > 5 ||
      port_part.find_first_not_of("0123456789") != std::string_view::npos ||
      std::stoul(std::string(port_part)) > 65535) {
    return "port must be a number from 0 to 65535, got '" + std::string(port_part) + "'";
  }
  host = std::move(host_text);
  port = static_cast<std::uint16_t>(std::stoul(std::string(port_part)));
  return std::nullopt;
}

// ---- sections -------------------------------------------------------------------------------

void ReadServer(const json& root, Problems& problems, ServerOptions& out) {
  const json* section = Section(root, "server", problems);
  if (section == nullptr) return;
  ObjectReader r(*section, "server", problems,
                 {"listen", "max_body_bytes", "request_timeout_seconds", "max_connections"});
  std::string listen;
  if (r.String("listen", listen, /*required=*/false)) {
    if (auto reason = ParseListen(listen, out.host, out.port)) {
      problems.Add(r.Field("listen"), *reason);
    }
  }
  r.Integer("max_body_bytes", 1, std::int64_t{1} << 30, out.max_body_bytes);
  r.Integer("request_timeout_seconds", 1, 3600, out.request_timeout_seconds);
  r.Integer("max_connections", 1, 1000000, out.max_connections);
}

void ReadStorage(const json& root, Problems& problems, StorageOptions& out) {
  const json* section = Section(root, "storage", problems);
  if (section == nullptr) return;
  ObjectReader r(*section, "storage", problems, {"path", "readers", "synchronous"});
  r.String("path", out.path, /*required=*/false);
  r.Integer("readers", 1, 64, out.readers);
  r.Enum("synchronous", {"full", "normal"}, out.synchronous);
}

void ReadLog(const json& root, Problems& problems, LogOptions& out) {
  const json* section = Section(root, "log", problems);
  if (section == nullptr) return;
  ObjectReader r(*section, "log", problems, {"level", "format"});
  r.Enum("level", {"trace", "debug", "info", "warn", "error"}, out.level);
  r.Enum("format", {"text", "json"}, out.format);
}

bool IsId(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

constexpr std::string_view kIdRule = "must use only a-z, 0-9, '.', '_' and '-'";

bool IsTimeZone(const std::string& name) {
  try {
    return date::locate_zone(name) != nullptr;
  } catch (const std::exception&) {
    // date/tz reports an unknown zone (and an unreadable tz database) only by throwing.
    return false;
  }
}

// Returns the array at `key`, or nullptr when absent; reports a non-array.
const json* ArrayAt(const json& root, std::string_view key, Problems& problems) {
  auto it = root.find(key);
  if (it == root.end() || it->is_null()) return nullptr;
  if (!it->is_array()) {
    problems.Add(std::string(key), "expected an array, got " + Describe(*it));
    return nullptr;
  }
  return &*it;
}

// Reads "id" with its rules; `seen` maps each id to the path of its first definition, so even a
// malformed id is known and references to it do not add a second, misleading problem.
void ReadId(ObjectReader& r, const std::string& path, std::map<std::string, std::string>& seen,
            Problems& problems, std::string& out) {
  if (!r.String("id", out, /*required=*/true)) return;
  if (!IsId(out)) problems.Add(r.Field("id"), std::string(kIdRule));
  auto [it, inserted] = seen.emplace(out, path);
  if (!inserted)
    problems.Add(r.Field("id"), "duplicate id '" + out + "' (also " + it->second + ")");
}

std::vector<Team> ReadTeams(const json& root, Problems& problems,
                            std::map<std::string, std::string>& ids) {
  std::vector<Team> teams;
  const json* array = ArrayAt(root, "teams", problems);
  if (array == nullptr) return teams;
  for (std::size_t i = 0; i < array->size(); ++i) {
    std::string path = Index("teams", i);
    const json& item = (*array)[i];
    if (!item.is_object()) {
      problems.Add(path, "expected an object, got " + Describe(item));
      continue;
    }
    ObjectReader r(item, path, problems, {"id", "name", "time_zone"});
    Team team;
    ReadId(r, path, ids, problems, team.id);
    r.String("name", team.name, /*required=*/true);
    if (r.String("time_zone", team.time_zone, /*required=*/false) && !IsTimeZone(team.time_zone)) {
      problems.Add(r.Field("time_zone"),
                   "unknown time zone '" + team.time_zone +
                       "'; use an IANA name such as Asia/Shanghai, Europe/Berlin or UTC");
    }
    teams.push_back(std::move(team));
  }
  return teams;
}

std::string KnownList(const std::map<std::string, std::string>& ids, std::string_view what) {
  if (ids.empty()) return std::string("no ") + std::string(what) + " are configured";
  std::vector<std::string> names;
  for (const auto& [id, path] : ids) names.push_back(id);
  return "known: " + JoinNames(names);
}

struct PersonEntry {
  Person person;
  std::string path;
  bool manager_valid = false;  // names another, known person
};

std::vector<PersonEntry> ReadPeople(const json& root, Problems& problems,
                                    const std::map<std::string, std::string>& team_ids) {
  std::vector<PersonEntry> entries;
  const json* array = ArrayAt(root, "people", problems);
  if (array == nullptr) return entries;
  std::map<std::string, std::string> ids;
  // Managers may be declared after the people they manage, so ids are collected first.
  for (std::size_t i = 0; i < array->size(); ++i) {
    const json& item = (*array)[i];
    auto id = item.is_object() ? item.find("id") : item.end();
    if (item.is_object() && id != item.end() && id->is_string()) {
      ids.emplace(id->get<std::string>(), Index("people", i));
    }
  }
  std::map<std::string, std::string> seen;
  for (std::size_t i = 0; i < array->size(); ++i) {
    std::string path = Index("people", i);
    const json& item = (*array)[i];
    if (!item.is_object()) {
      problems.Add(path, "expected an object, got " + Describe(item));
      continue;
    }
    ObjectReader r(item, path, problems, {"id", "name", "team", "manager", "handles"});
    PersonEntry entry;
    entry.path = path;
    Person& person = entry.person;
    ReadId(r, path, seen, problems, person.id);
    r.String("name", person.name, /*required=*/true);
    if (r.String("team", person.team, /*required=*/true) && team_ids.count(person.team) == 0) {
      problems.Add(r.Field("team"),
                   "unknown team '" + person.team + "'; " + KnownList(team_ids, "teams"));
    }
    std::string manager;
    if (r.String("manager", manager, /*required=*/false)) {
      person.manager = manager;
      if (manager == person.id) {
        problems.Add(r.Field("manager"), "a person cannot be their own manager");
      } else if (ids.count(manager) == 0) {
        problems.Add(r.Field("manager"),
                     "unknown person '" + manager + "'; " + KnownList(ids, "people"));
      } else {
        entry.manager_valid = true;
      }
    }
    if (const json* handles = r.Get("handles")) {
      std::string handles_path = r.Field("handles");
      if (!handles->is_object()) {
        problems.Add(handles_path,
                     "expected an object of provider: handle, got " + Describe(*handles));
      } else {
        for (const auto& [provider, handle] : handles->items()) {
          std::string field = Join(handles_path, provider);
          if (provider.empty()) {
            problems.Add(field, "provider name must not be empty");
          } else if (!handle.is_string()) {
            problems.Add(field, "expected a string, got " + Describe(handle));
          } else if (handle.get_ref<const std::string&>().empty()) {
            problems.Add(field, "must not be empty");
          } else {
            person.handles[provider] = handle.get<std::string>();
          }
        }
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

// Escalation walks up the manager chain, so a cycle would make it loop; each cycle is reported
// once, on the first of its members in the file.
void CheckManagerCycles(const std::vector<PersonEntry>& entries, Problems& problems) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < entries.size(); ++i) index.emplace(entries[i].person.id, i);
  std::vector<int> state(entries.size(), 0);  // 0 unvisited, 1 on the current walk, 2 done
  for (std::size_t start = 0; start < entries.size(); ++start) {
    if (state[start] != 0) continue;
    std::vector<std::size_t> walk;
    std::size_t at = start;
    bool cycle = false;
    while (true) {
      state[at] = 1;
      walk.push_back(at);
      const PersonEntry& e = entries[at];
      if (!e.manager_valid) break;
      auto next = index.find(*e.person.manager);
      if (next == index.end() || state[next->second] == 2) break;
      at = next->second;
      if (state[at] == 1) {
        cycle = true;
        break;
      }
    }
    if (cycle) {
      std::vector<std::size_t> members(std::find(walk.begin(), walk.end(), at), walk.end());
      std::rotate(members.begin(), std::min_element(members.begin(), members.end()), members.end());
      std::string chain;
      for (std::size_t member : members) chain += entries[member].person.id + " -> ";
      chain += entries[members.front()].person.id;
      problems.Add(Join(entries[members.front()].path, "manager"), "manager cycle: " + chain);
    }
    for (std::size_t member : walk) state[member] = 2;
  }
}

Status Failure(const std::string& source, const Problems& problems) {
  std::string message;
  json errors = json::array();
  for (const ConfigProblem& p : problems.list()) {
    if (!message.empty()) message += '\n';
    message += source + ": " + (p.field.empty() ? "" : p.field + ": ") + p.reason;
    errors.push_back({{"field", p.field}, {"reason", p.reason}});
  }
  return InvalidArgument("config_invalid", message, json{{"errors", std::move(errors)}});
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Config> ParseConfig(std::string_view text, const std::string& source, const EnvLookup& env) {
  Problems problems;
  std::optional<json> root = ParseJson(text, problems);
  if (!root) return Failure(source, problems);
  if (!root->is_object()) {
    problems.Add("", "expected a JSON object at the top level, got " + Describe(*root));
    return Failure(source, problems);
  }
  Substitute(*root, "", env, problems);

  Config config;
  config.source = source;
  ObjectReader top(*root, "", problems, {"server", "storage", "log", "teams", "people"});
  ReadServer(*root, problems, config.server);
  ReadStorage(*root, problems, config.storage);
  ReadLog(*root, problems, config.log);
  std::map<std::string, std::string> team_ids;
  std::vector<Team> teams = ReadTeams(*root, problems, team_ids);
  std::vector<PersonEntry> entries = ReadPeople(*root, problems, team_ids);
  CheckManagerCycles(entries, problems);
  if (!problems.empty()) return Failure(source, problems);

  std::vector<Person> people;
  people.reserve(entries.size());
  for (PersonEntry& e : entries) people.push_back(std::move(e.person));
  config.directory = std::make_shared<const Directory>(std::move(people), std::move(teams));
  return config;
}

Result<Config> LoadConfigFile(const std::string& path, const EnvLookup& env) {
  auto fail = [&path](int error) {
    std::string reason = "cannot read the file: " + std::generic_category().message(error);
    return Status(InvalidArgument("config_invalid", path + ": " + reason,
                                  json{{"errors", {{{"field", ""}, {"reason", reason}}}}}));
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return fail(errno);
  std::string text;
  char buffer[16384];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get())) return fail(errno);
  return ParseConfig(text, path, env);
}

}  // namespace kaizen::config
