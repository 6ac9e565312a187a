#include "config/config.h"

#include <arpa/inet.h>
#include <date/tz.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <system_error>
#include <utility>

#include "config/schedules.h"
#include "workflow/duration.h"
#include "workflow/reminder_policy.h"
#include "workflow/working_calendar.h"

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
    list_.push_back({field, std::move(reason), ""});
  }
  void AddAndTaint(const std::string& field, std::string reason) {
    list_.push_back({field, std::move(reason), ""});
    tainted_.insert(field);
  }
  // A problem found elsewhere (a template, a template file), with its own field and file.
  void AddProblem(ConfigProblem problem) { list_.push_back(std::move(problem)); }
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

  // Returns false when absent or not a boolean.
  bool Bool(std::string_view key, bool& out) {
    const json* value = Get(key);
    if (value == nullptr) return false;
    if (!value->is_boolean()) {
      problems_.Add(Field(key), "expected true or false, got " + Describe(*value));
      return false;
    }
    out = value->get<bool>();
    return true;
  }

  // Any JSON number >= min. Returns false when absent or not one.
  bool Number(std::string_view key, double min, double& out) {
    const json* value = Get(key);
    if (value == nullptr) return false;
    if (!value->is_number()) {
      problems_.Add(Field(key), "expected a number, got " + Describe(*value));
      return false;
    }
    double number = value->get<double>();
    if (number < min) {
      std::string bound = min == static_cast<double>(static_cast<std::int64_t>(min))
                              ? std::to_string(static_cast<std::int64_t>(min))
                              : json(min).dump();
      problems_.Add(Field(key), "must be at least " + bound + ", got " + value->dump());
      return false;
    }
    out = number;
    return true;
  }

  // An ISO 8601 duration such as "P1D" or "PT15S" (workflow/duration.h). Returns false when
  // absent (reporting it when required) or not a duration.
  bool Duration(std::string_view key, std::chrono::seconds& out, bool required) {
    std::string text;
    if (!String(key, text, required)) return false;
    Result<std::chrono::seconds> duration = DecodeIsoDuration(text);
    if (!duration.ok()) {
      problems_.Add(Field(key), duration.status().message());
      return false;
    }
    out = *duration;
    return true;
  }

  // An array of non-empty strings: calls `each` with the path and value of each, in order, and
  // reports the elements that are not non-empty strings. Returns false when absent or not an
  // array.
  bool Strings(std::string_view key,
               const std::function<void(const std::string& path, const std::string& value)>& each) {
    const json* value = Get(key);
    if (value == nullptr) return false;
    if (!value->is_array()) {
      problems_.Add(Field(key), "expected an array of strings, got " + Describe(*value));
      return false;
    }
    for (std::size_t i = 0; i < value->size(); ++i) {
      const json& item = (*value)[i];
      std::string path = Index(Field(key), i);
      if (!item.is_string()) {
        problems_.Add(path, "expected a string, got " + Describe(item));
      } else if (item.get_ref<const std::string&>().empty()) {
        problems_.Add(path, "must not be empty");
      } else {
        each(path, item.get_ref<const std::string&>());
      }
    }
    return true;
  }

  // Strings naming entries of `known` (each at most once), collected into `out`.
  bool References(std::string_view key, const std::set<std::string>& known, std::string_view what,
                  std::string_view plural, std::vector<std::string>& out);

  // The object at `key`, or nullptr when absent; reports a non-object.
  const json* Object(std::string_view key) {
    const json* value = Get(key);
    if (value == nullptr) return nullptr;
    if (!value->is_object()) {
      problems_.Add(Field(key), "expected an object, got " + Describe(*value));
      return nullptr;
    }
    return value;
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
  r.Enum("format", {"text", "json", "journal"}, out.format);
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

// ---- names shared by the follow-up sections -------------------------------------------------

// Channel ids, policy names and calendar ids: they appear in URLs, keys and log lines.
bool IsName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

constexpr std::string_view kNameRule = "must be non-empty and use only A-Z, a-z, 0-9, '_' and '-'";

std::string KnownNames(const std::set<std::string>& names, std::string_view what) {
  if (names.empty()) return std::string("no ") + std::string(what) + " are configured";
  return "known: " + JoinNames(std::vector<std::string>(names.begin(), names.end()));
}

std::string UnknownZone(const std::string& name) {
  return "unknown time zone '" + name +
         "'; use an IANA name such as Asia/Shanghai, Europe/Berlin or UTC";
}

// The keys of the object section `key` (whatever their values), so that references to an entry
// with a malformed body do not add a second, misleading "unknown" problem.
std::set<std::string> KeysOf(const json& root, std::string_view key) {
  std::set<std::string> keys;
  auto it = root.find(key);
  if (it != root.end() && it->is_object()) {
    for (const auto& [name, value] : it->items()) keys.insert(name);
  }
  return keys;
}

bool ObjectReader::References(std::string_view key, const std::set<std::string>& known,
                              std::string_view what, std::string_view plural,
                              std::vector<std::string>& out) {
  std::set<std::string> seen;
  return Strings(key, [&](const std::string& path, const std::string& name) {
    if (known.count(name) == 0) {
      problems_.Add(
          path, "unknown " + std::string(what) + " '" + name + "'; " + KnownNames(known, plural));
    } else if (!seen.insert(name).second) {
      problems_.Add(path, std::string(what) + " '" + name + "' is listed twice");
    } else {
      out.push_back(name);
    }
  });
}

// ---- messages -------------------------------------------------------------------------------

std::string LocaleNames() {
  std::vector<std::string> names;
  for (Locale l : kAllLocales) names.emplace_back(ToString(l));
  return JoinNames(names);
}

// A "locale" field: "en" or "zh-CN". Returns false when absent or invalid.
bool ReadLocale(ObjectReader& r, Problems& problems, std::string_view key, Locale& out) {
  std::string text;
  if (!r.String(key, text, /*required=*/false)) return false;
  std::optional<Locale> locale = ParseLocale(text);
  if (!locale) {
    problems.Add(r.Field(key), "must be one of: " + LocaleNames() + "; got '" + text + "'");
    return false;
  }
  out = *locale;
  return true;
}

// ---- channels -------------------------------------------------------------------------------

// A webhook URL must be absolute http(s) with a host. A plain scheme-and-host check: the full
// parse belongs to notifiers/, which config/ must not depend on. Returns the reason when not.
std::optional<std::string> CheckWebhookUrl(std::string_view url) {
  if (url.find_first_of(" \t\r\n") != std::string_view::npos) {
    return std::string("must not contain blanks");
  }
  std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return std::string("must be an absolute http:// or https:// URL");
  }
  std::string scheme(url.substr(0, sep));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  if (scheme != "http" && scheme != "https") {
    return "the scheme must be http or https, got '" + scheme + "'";
  }
  std::string_view authority = url.substr(sep + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::string("the URL's IPv6 host lacks its ']'");
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::string("the URL's host is malformed");
    if (!rest.empty()) port = rest.substr(1);
    unsigned char buffer[16];
    if (inet_pton(AF_INET6, std::string(host).c_str(), buffer) != 1) {
      return "'" + std::string(host) + "' is not an IPv6 address";
    }
  } else {
    if (std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (host.empty()) return std::string("the URL has no host");
    if (!IsHostName(host)) return "'" + std::string(host) + "' is not a valid host name";
  }
  if (authority.size() > host.size() &&
      (port.empty() || port.size() > 5 ||
       port.find_first_not_of("0123456789") != std::string_view::npos ||
       std::stoul(std::string(port)) == 0 || std::stoul(std::string(port)) > 65535)) {
    return "the URL's port must be a number from 1 to 65535, got '" + std::string(port) + "'";
  }
  return std::nullopt;
}

// Standard base64 (RFC 4648 section 4), padding optional; nullopt when `text` is not base64.
std::optional<std::string> DecodeBase64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else
      return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xff);
    }
  }
  return out;
}

// The Standard Webhooks form "whsec_<base64 of 24..64 bytes>". Returns the reason when not;
// never quotes the secret.
std::optional<std::string> CheckWebhookSecret(std::string_view secret) {
  constexpr std::string_view kPrefix = "whsec_";
  if (secret.substr(0, kPrefix.size()) != kPrefix) {
    return std::string("must start with 'whsec_' followed by base64 of 24 to 64 random bytes");
  }
  std::optional<std::string> key = DecodeBase64(secret.substr(kPrefix.size()));
  if (!key) return std::string("the part after 'whsec_' is not valid base64");
  if (key->size() < 24 || key->size() > 64) {
    return "the key must be 24 to 64 bytes, got " + std::to_string(key->size());
  }
  return std::nullopt;
}

// Checked at load time so that a wrong path stops the daemon at start, not at the first
// delivery. Returns the reason when the file cannot be read.
std::optional<std::string> CheckReadableFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return "cannot read '" + path + "': " + std::generic_category().message(errno);
  }
  if (!S_ISREG(st.st_mode)) return "'" + path + "' is not a regular file";
  if (::access(path.c_str(), R_OK) != 0) {
    return "cannot read '" + path + "': " + std::generic_category().message(errno);
  }
  return std::nullopt;
}

// Every channel type, in the order an unknown type lists them. A type missing here would only be
// missing from that message: ReadChannels switches over the enum, so -Wswitch catches the rest.
constexpr ChannelType kChannelTypes[] = {
    ChannelType::kWebhook, ChannelType::kLog,   ChannelType::kDingTalk,
    ChannelType::kFeishu,  ChannelType::kLark,  ChannelType::kWeCom,
    ChannelType::kSlack,   ChannelType::kTeams, ChannelType::kDiscord,
};

std::string ChannelTypeNames() {
  std::vector<std::string> names;
  for (ChannelType t : kChannelTypes) names.emplace_back(ToString(t));
  return JoinNames(names);
}

// What a channel of one type may carry besides "type" and "rate_limit".
struct ChannelRules {
  bool http = true;  // takes "url" (required), "ca_file" and "timeout"
  // Checks "secret" and returns the reason when it is wrong; null: the type takes no secret.
  std::optional<std::string> (*check_secret)(std::string_view secret) = nullptr;
  std::string_view why_not;  // why the fields this type does not take are refused
};

std::optional<std::string> AnySecret(std::string_view) { return std::nullopt; }

// DingTalk's 加签 secret is shown as "SEC" followed by hex digits; anything else is a copy of
// the wrong field (often the access_token) and would fail every delivery with 310000.
std::optional<std::string> CheckDingTalkSecret(std::string_view secret) {
  if (secret.substr(0, 3) != "SEC") {
    return std::string(
        "must start with 'SEC': it is the 加签 (signing) secret DingTalk shows for the robot, not "
        "the access_token");
  }
  return std::nullopt;
}

ChannelRules RulesFor(ChannelType type) {
  switch (type) {
    case ChannelType::kWebhook: return {true, &CheckWebhookSecret, {}};
    case ChannelType::kLog: return {false, nullptr, "it writes to kaizend's log"};
    case ChannelType::kDingTalk: return {true, &CheckDingTalkSecret, {}};
    case ChannelType::kFeishu:
    case ChannelType::kLark: return {true, &AnySecret, {}};
    case ChannelType::kWeCom:
      return {true, nullptr,
              "WeCom group robots have no request signing; the key in the url is the credential"};
    case ChannelType::kSlack:
      return {true, nullptr,
              "Slack incoming webhooks have no request signing; the url is the credential"};
    case ChannelType::kTeams:
      return {true, nullptr,
              "Teams Workflows webhooks have no request signing; the sig= in the url is the "
              "credential"};
    case ChannelType::kDiscord:
      return {true, nullptr,
              "Discord webhooks have no request signing; the token in the url is the credential"};
  }
  return {};
}

// Reads "secret" without ever quoting it: not even a number written by mistake is echoed back.
bool ReadSecret(ObjectReader& r, Problems& problems, std::string& out) {
  const json* value = r.Get("secret");
  if (value == nullptr) return false;
  if (!value->is_string()) {
    problems.Add(r.Field("secret"), "expected a string");
    return false;
  }
  return r.String("secret", out, /*required=*/false);
}

std::vector<ChannelOptions> ReadChannels(const json& root, Problems& problems) {
  std::vector<ChannelOptions> channels;
  const json* section = Section(root, "channels", problems);
  if (section != nullptr) {
    for (const auto& [id, item] : section->items()) {
      std::string path = Join("channels", id);
      if (!IsName(id)) problems.Add(path, "channel id " + std::string(kNameRule));
      if (!item.is_object()) {
        problems.Add(path, "expected an object, got " + Describe(item));
        continue;
      }
      ObjectReader r(item, path, problems,
                     {"type", "url", "secret", "ca_file", "timeout", "legacy_connector",
                      "rate_limit", "locale", "owner"});
      ChannelOptions channel;
      channel.id = id;
      if (Locale locale{}; ReadLocale(r, problems, "locale", locale)) channel.locale = locale;
      if (std::string owner; r.String("owner", owner, /*required=*/false)) channel.owner = owner;
      std::string type;
      std::optional<ChannelType> parsed;
      if (r.String("type", type, /*required=*/true)) {
        parsed = ParseChannelType(type);
        if (parsed) {
          channel.type = *parsed;
        } else {
          problems.Add(r.Field("type"),
                       "must be one of: " + ChannelTypeNames() + "; got '" + type + "'");
        }
      }
      if (parsed) {
        ChannelRules rules = RulesFor(*parsed);
        auto refuse = [&](const char* key) {
          if (r.Get(key) != nullptr) {
            problems.Add(r.Field(key), "a " + type + " channel takes no " + key + ": " +
                                           std::string(rules.why_not));
          }
        };
        if (!rules.http) {
          refuse("url");
        } else if (r.String("url", channel.url, /*required=*/true)) {
          if (auto reason = CheckWebhookUrl(channel.url)) problems.Add(r.Field("url"), *reason);
        }
        std::string secret;
        if (rules.check_secret == nullptr) {
          refuse("secret");
        } else if (ReadSecret(r, problems, secret)) {
          if (auto reason = rules.check_secret(secret)) problems.Add(r.Field("secret"), *reason);
          channel.secret = std::move(secret);
        }
        if (!rules.http) {
          refuse("ca_file");
          refuse("timeout");
        } else {
          std::string ca_file;
          if (r.String("ca_file", ca_file, /*required=*/false)) {
            if (auto reason = CheckReadableFile(ca_file)) {
              problems.Add(r.Field("ca_file"), *reason);
            }
            channel.ca_file = std::move(ca_file);
          }
          std::chrono::seconds timeout{};
          if (r.Duration("timeout", timeout, /*required=*/false)) {
            if (timeout < std::chrono::seconds{1} || timeout > std::chrono::minutes{10}) {
              problems.Add(r.Field("timeout"), "must be between PT1S and PT10M");
            } else {
              channel.timeout = timeout;
            }
          }
        }
        // Teams' retired Office 365 connector (MessageCard) only by explicit opt-in; the daemon
        // warns at start that the format is retired and cannot mention anyone.
        if (*parsed != ChannelType::kTeams) {
          if (r.Get("legacy_connector") != nullptr) {
            problems.Add(r.Field("legacy_connector"),
                         "only a teams channel takes legacy_connector");
          }
        } else {
          r.Bool("legacy_connector", channel.legacy_connector);
        }
        channel.rate_limit = DefaultRateLimit(*parsed, channel.legacy_connector);
      }
      // Given, the limit replaces the provider's default as a whole.
      if (const json* limit = r.Object("rate_limit")) {
        channel.rate_limit = RateLimit{};
        ObjectReader lr(*limit, r.Field("rate_limit"), problems, {"per_minute", "burst"});
        lr.Number("per_minute", 0, channel.rate_limit.per_minute);
        lr.Integer("burst", 1, 10000, channel.rate_limit.burst);
      }
      channels.push_back(std::move(channel));
    }
  }
  bool has_log = std::any_of(channels.begin(), channels.end(),
                             [](const ChannelOptions& c) { return c.id == "log"; });
  if (!has_log) {
    ChannelOptions log;
    log.id = "log";
    log.type = ChannelType::kLog;
    log.rate_limit = DefaultRateLimit(ChannelType::kLog);
    channels.push_back(std::move(log));
  }
  std::sort(channels.begin(), channels.end(),
            [](const ChannelOptions& a, const ChannelOptions& b) { return a.id < b.id; });
  return channels;
}

// One template: a string, or an array of strings joined by line breaks (JSON has no multi-line
// strings). Checked against the names its kind offers.
void ReadTemplate(const json& value, const std::string& path, std::string_view kind,
                  Problems& problems, std::string& out) {
  std::string source;
  if (value.is_string()) {
    source = value.get<std::string>();
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (!value[i].is_string()) {
        problems.Add(Index(path, i), "expected a string, got " + Describe(value[i]));
        return;
      }
      if (i > 0) source += '\n';
      source += value[i].get<std::string>();
    }
  } else {
    problems.Add(path,
                 "expected a template (a string or an array of lines), got " + Describe(value));
    return;
  }
  if (source.empty()) {
    problems.Add(path, "must not be empty");
    return;
  }
  Result<MessageTemplate> parsed = MessageTemplate::Parse(source, TemplateScopeFor(kind));
  if (!parsed.ok()) {
    problems.Add(path, parsed.status().message());
    return;
  }
  out = std::move(source);
}

void ReadMessages(const json& root, Problems& problems, MessageSettings& out) {
  const json* section = Section(root, "messages", problems);
  if (section == nullptr) return;
  ObjectReader r(*section, "messages", problems, {"locale", "base_url", "templates"});
  ReadLocale(r, problems, "locale", out.default_locale);
  if (r.String("base_url", out.base_url, /*required=*/false)) {
    if (auto reason = CheckWebhookUrl(out.base_url)) {
      problems.Add(r.Field("base_url"), *reason);
    } else if (out.base_url.find_first_of("?#") != std::string::npos) {
      problems.Add(r.Field("base_url"), "must not have a query or a fragment: links append a path");
    }
    while (!out.base_url.empty() && out.base_url.back() == '/') out.base_url.pop_back();
  }
  const json* templates = r.Object("templates");
  if (templates == nullptr) return;
  for (const auto& [locale_name, kinds] : templates->items()) {
    const std::string locale_path = Join(r.Field("templates"), locale_name);
    std::optional<Locale> locale = ParseLocale(locale_name);
    if (!locale) {
      problems.Add(locale_path, "not a locale; known: " + LocaleNames());
      continue;
    }
    if (!kinds.is_object()) {
      problems.Add(locale_path,
                   "expected an object of templates by message kind, got " + Describe(kinds));
      continue;
    }
    for (const auto& [kind, value] : kinds.items()) {
      const std::string path = Join(locale_path, kind);
      if (!IsTemplateKind(kind)) {
        std::vector<std::string> known;
        for (std::string_view k : TemplateKinds()) known.emplace_back(k);
        problems.Add(path, "not a message kind; known: " + JoinNames(known));
        continue;
      }
      std::string source;
      ReadTemplate(value, path, kind, problems, source);
      if (!source.empty()) out.templates[*locale][kind] = std::move(source);
    }
  }
}

// ---- delivery -------------------------------------------------------------------------------

void ReadDelivery(const json& root, Problems& problems, DeliveryOptions& out) {
  const json* section = Section(root, "delivery", problems);
  if (section == nullptr) return;
  ObjectReader r(*section, "delivery", problems,
                 {"max_attempts", "backoff_initial", "backoff_max", "concurrency",
                  "group_window_ms", "max_group_size", "broken_channel_probe"});
  r.Integer("max_attempts", 1, 100, out.max_attempts);
  bool backoffs_valid = true;
  const auto read_backoff = [&](std::string_view key, std::chrono::seconds& value) {
    std::chrono::seconds d{};
    if (!r.Duration(key, d, /*required=*/false)) {
      if (r.Get(key) != nullptr) backoffs_valid = false;
      return;
    }
    if (d < std::chrono::seconds{1} || d > std::chrono::hours{24}) {
      problems.Add(r.Field(key), "must be between PT1S and P1D");
      backoffs_valid = false;
      return;
    }
    value = d;
  };
  read_backoff("backoff_initial", out.backoff_initial);
  read_backoff("backoff_max", out.backoff_max);
  if (backoffs_valid && out.backoff_initial > out.backoff_max) {
    problems.Add(r.Field("backoff_initial"), "must not be longer than backoff_max (" +
                                                 FormatIsoDuration(out.backoff_max) + ")");
  }
  r.Integer("concurrency", 1, 256, out.concurrency);
  std::int64_t window_ms = out.group_window.count();
  r.Integer("group_window_ms", 0, 60000, window_ms);
  out.group_window = std::chrono::milliseconds{window_ms};
  r.Integer("max_group_size", 1, 500, out.max_group_size);
  std::chrono::seconds probe{};
  if (r.Duration("broken_channel_probe", probe, /*required=*/false)) {
    if (probe < std::chrono::seconds{1} || probe > std::chrono::hours{24}) {
      problems.Add(r.Field("broken_channel_probe"), "must be between PT1S and P1D");
    } else {
      out.broken_channel_probe = probe;
    }
  }
}

// ---- calendars ------------------------------------------------------------------------------

// By id; nullopt for a calendar with problems (already reported).
using Calendars = std::map<std::string, std::optional<WorkingCalendar>>;

Calendars ReadCalendars(const json& root, Problems& problems) {
  Calendars calendars;
  const json* section = Section(root, "calendars", problems);
  if (section == nullptr) return calendars;
  for (const auto& [id, item] : section->items()) {
    std::string path = Join("calendars", id);
    std::optional<WorkingCalendar>& slot = calendars[id];
    std::size_t problems_before = problems.list().size();
    if (!IsName(id)) problems.Add(path, "calendar id " + std::string(kNameRule));
    if (!item.is_object()) {
      problems.Add(path, "expected an object, got " + Describe(item));
      continue;
    }
    ObjectReader r(item, path, problems,
                   {"time_zone", "working_days", "hours", "holidays", "extra_working_days"});
    WorkingCalendarOptions options;
    if (r.String("time_zone", options.time_zone, /*required=*/true) &&
        !IsTimeZone(options.time_zone)) {
      problems.Add(r.Field("time_zone"), UnknownZone(options.time_zone));
    }
    std::vector<date::weekday> working_days;
    bool days_given = r.Strings("working_days", [&](const std::string& day_path,
                                                    const std::string& text) {
      if (std::optional<date::weekday> day = ParseWeekday(text)) {
        working_days.push_back(*day);
      } else {
        problems.Add(day_path,
                     "'" + text + "' is not a weekday; use mon, tue, wed, thu, fri, sat or sun");
      }
    });
    if (days_given) options.working_days = std::move(working_days);
    std::string hours;
    if (r.String("hours", hours, /*required=*/false)) {
      Result<std::vector<WorkingPeriod>> periods = ParseWorkingHours(hours);
      if (periods.ok()) {
        options.hours = std::move(*periods);
      } else {
        problems.Add(r.Field("hours"), periods.status().message());
      }
    }
    const auto read_dates = [&](std::string_view key, std::vector<date::year_month_day>& out) {
      r.Strings(key, [&](const std::string& date_path, const std::string& text) {
        if (std::optional<date::year_month_day> d = ParseCalendarDate(text)) {
          out.push_back(*d);
        } else {
          problems.Add(date_path, "'" + text + "' is not a date; write YYYY-MM-DD");
        }
      });
    };
    read_dates("holidays", options.holidays);
    read_dates("extra_working_days", options.extra_working_days);
    if (problems.list().size() != problems_before) continue;
    Result<WorkingCalendar> calendar = WorkingCalendar::Create(options);
    if (!calendar.ok()) {
      const json& details = calendar.status().details();
      std::string field =
          details.is_object() && details.contains("field") && details["field"].is_string()
              ? details["field"].get<std::string>()
              : "";
      problems.Add(field.empty() ? path : Join(path, field), calendar.status().message());
      continue;
    }
    slot = std::move(*calendar);
  }
  return calendars;
}

// ---- policies -------------------------------------------------------------------------------

// ValidateReminderPolicy names the struct's fields; the user wrote the JSON names.
std::string PolicyJsonPath(const std::string& field) {
  static const std::pair<std::string_view, std::string_view> kRenames[] = {
      {"overdue.interval", "overdue.every"},
      {"overdue.max_count", "overdue.max"},
      {"verification.repeat_interval", "verification.repeat_every"},
      {"verification.max_count", "verification.max"},
  };
  for (const auto& [from, to] : kRenames) {
    if (field == from) return std::string(to);
  }
  constexpr std::string_view kAfterOverdue = ".after_overdue";
  if (field.size() > kAfterOverdue.size() &&
      field.compare(field.size() - kAfterOverdue.size(), kAfterOverdue.size(), kAfterOverdue) ==
          0) {
    return field.substr(0, field.size() - kAfterOverdue.size()) + ".after";
  }
  return field;
}

using Policies = std::map<std::string, ReminderPolicy, std::less<>>;

// Reads every policy; the result holds the valid ones. `people` are those of the config (a
// person escalation must name one), `channels` the ids of every channel.
Policies ReadPolicies(const json& root, Problems& problems, const Directory& people,
                      const std::set<std::string>& channels) {
  Policies policies;
  const json* section = Section(root, "policies", problems);
  if (section == nullptr) return policies;
  for (const auto& [name, item] : section->items()) {
    std::string path = Join("policies", name);
    std::size_t problems_before = problems.list().size();
    if (!IsName(name)) problems.Add(path, "policy name " + std::string(kNameRule));
    if (!item.is_object()) {
      problems.Add(path, "expected an object, got " + Describe(item));
      continue;
    }
    ObjectReader r(item, path, problems,
                   {"before", "at_deadline", "overdue", "escalations", "verification"});
    ReminderPolicy policy;
    policy.name = name;
    r.Strings("before", [&](const std::string& offset_path, const std::string& text) {
      Result<std::chrono::seconds> offset = DecodeIsoDuration(text);
      if (offset.ok()) {
        policy.before.push_back(*offset);
      } else {
        problems.Add(offset_path, offset.status().message());
      }
    });
    r.Bool("at_deadline", policy.at_deadline);
    if (const json* overdue = r.Object("overdue")) {
      ObjectReader o(*overdue, r.Field("overdue"), problems, {"every", "max"});
      o.Duration("every", policy.overdue.interval, /*required=*/true);
      if (o.Get("max") == nullptr) problems.Add(o.Field("max"), "required");
      o.Integer("max", 0, kMaxReminderRepeats, policy.overdue.max_count);
    }
    if (const json* levels = r.Get("escalations")) {
      std::string levels_path = r.Field("escalations");
      if (!levels->is_array()) {
        problems.Add(levels_path, "expected an array, got " + Describe(*levels));
      } else {
        for (std::size_t i = 0; i < levels->size(); ++i) {
          std::string level_path = Index(levels_path, i);
          const json& level_item = (*levels)[i];
          if (!level_item.is_object()) {
            problems.Add(level_path, "expected an object, got " + Describe(level_item));
            continue;
          }
          ObjectReader e(level_item, level_path, problems,
                         {"after", "to", "person", "urgent", "channel"});
          EscalationLevel level;
          e.Duration("after", level.after_overdue, /*required=*/true);
          std::string to;
          if (e.String("to", to, /*required=*/true)) {
            if (std::optional<EscalationTarget> target = ParseEscalationTarget(to)) {
              level.target = *target;
            } else {
              problems.Add(e.Field("to"),
                           "must be one of: manager, plan_owner, person, team; got '" + to + "'");
            }
          }
          e.String("person", level.person, /*required=*/false);
          e.Bool("urgent", level.urgent);
          if (e.String("channel", level.channel, /*required=*/false) &&
              channels.count(level.channel) == 0) {
            problems.Add(e.Field("channel"), "unknown channel '" + level.channel + "'; " +
                                                 KnownNames(channels, "channels"));
          }
          policy.escalations.push_back(std::move(level));
        }
      }
    }
    if (const json* verification = r.Object("verification")) {
      ObjectReader v(*verification, r.Field("verification"), problems,
                     {"first_after", "repeat_every", "max", "escalate_after", "escalation_urgent"});
      VerificationReminders& out = policy.verification.emplace();
      v.Duration("first_after", out.first_after, /*required=*/true);
      v.Duration("repeat_every", out.repeat_interval, /*required=*/false);
      v.Integer("max", 1, kMaxReminderRepeats, out.max_count);
      std::chrono::seconds escalate_after{};
      if (v.Duration("escalate_after", escalate_after, /*required=*/false)) {
        out.escalate_after = escalate_after;
      }
      v.Bool("escalation_urgent", out.escalation_urgent);
    }
    // The validator stops at its first finding and would only restate a reported problem.
    if (problems.list().size() != problems_before) continue;
    if (Status status = ValidateReminderPolicy(policy, people); !status.ok()) {
      const json& details = status.details();
      std::string field =
          details.is_object() && details.contains("field") && details["field"].is_string()
              ? details["field"].get<std::string>()
              : "";
      // Its message is "<field>: <reason>".
      std::string reason = status.message();
      if (!field.empty() && reason.rfind(field + ": ", 0) == 0) {
        reason = reason.substr(field.size() + 2);
      }
      problems.Add(field.empty() ? path : Join(path, PolicyJsonPath(field)), reason);
      continue;
    }
    policies.emplace(name, std::move(policy));
  }
  return policies;
}

// ---- reminders ------------------------------------------------------------------------------

struct ReminderDefaults {
  std::string default_policy = std::string(kBuiltInPolicyName);
  std::optional<std::vector<std::string>> default_channels;  // nullopt: FollowUpSettings' own
};

ReminderDefaults ReadReminders(const json& root, Problems& problems,
                               const std::set<std::string>& policy_names,
                               const std::set<std::string>& channels) {
  ReminderDefaults out;
  const json* section = Section(root, "reminders", problems);
  if (section == nullptr) return out;
  ObjectReader r(*section, "reminders", problems, {"default_policy", "default_channels"});
  if (r.String("default_policy", out.default_policy, /*required=*/false) &&
      policy_names.count(out.default_policy) == 0) {
    problems.Add(r.Field("default_policy"), "unknown policy '" + out.default_policy + "'; " +
                                                KnownNames(policy_names, "policies"));
  }
  std::vector<std::string> ids;
  if (r.References("default_channels", channels, "channel", "channels", ids)) {
    if (r.Get("default_channels")->empty()) {
      problems.Add(r.Field("default_channels"),
                   "must name at least one channel, or notifications would go nowhere");
    }
    out.default_channels = std::move(ids);
  }
  return out;
}

// ---- teams, people ---------------------------------------------------------------------

// What the follow-up sections define, for the teams' references to them.
struct FollowUpNames {
  const Calendars& calendars;
  std::set<std::string> calendar_ids;
  std::set<std::string> policies;  // the configured ones and the built-in "default"
  std::set<std::string> channels;
};

bool SameZone(const std::string& a, const date::time_zone& b) {
  try {
    const date::time_zone* zone = date::locate_zone(a);
    return zone == &b || zone->name() == b.name();
  } catch (const std::exception&) {
    return false;  // an unknown zone is reported on its own field
  }
}

// "roles": {"analyst": "li.lei", ...}; the people are checked once they are read (CheckRoles).
void ReadRoles(ObjectReader& r, Problems& problems, std::map<std::string, PersonId>& out) {
  const json* roles = r.Object("roles");
  if (roles == nullptr) return;
  for (const auto& [role, person] : roles->items()) {
    const std::string field = Join(r.Field("roles"), role);
    if (!IsId(role)) {
      problems.Add(field, "a role name " + std::string(kIdRule));
    } else if (!person.is_string()) {
      problems.Add(field, "expected a person id, got " + Describe(person));
    } else if (person.get_ref<const std::string&>().empty()) {
      problems.Add(field, "must not be empty");
    } else {
      out[role] = person.get<std::string>();
    }
  }
}

std::vector<Team> ReadTeams(const json& root, Problems& problems,
                            std::map<std::string, std::string>& ids, const FollowUpNames& names,
                            std::map<std::string, TeamFollowUp, std::less<>>& follow_up,
                            std::map<std::string, Locale, std::less<>>& locales) {
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
    ObjectReader r(
        item, path, problems,
        {"id", "name", "time_zone", "calendar", "reminder_policy", "channels", "locale", "roles"});
    Team team;
    ReadId(r, path, ids, problems, team.id);
    ReadRoles(r, problems, team.roles);
    if (Locale locale{}; ReadLocale(r, problems, "locale", locale)) locales[team.id] = locale;
    r.String("name", team.name, /*required=*/true);
    bool zone_valid = true;
    if (r.String("time_zone", team.time_zone, /*required=*/false) && !IsTimeZone(team.time_zone)) {
      problems.Add(r.Field("time_zone"), UnknownZone(team.time_zone));
      zone_valid = false;
    }
    TeamFollowUp team_follow_up;
    std::string calendar_id;
    if (r.String("calendar", calendar_id, /*required=*/false)) {
      auto found = names.calendars.find(calendar_id);
      if (found == names.calendars.end()) {
        problems.Add(r.Field("calendar"), "unknown calendar '" + calendar_id + "'; " +
                                              KnownNames(names.calendar_ids, "calendars"));
      } else if (found->second) {
        const WorkingCalendar& calendar = *found->second;
        if (zone_valid && !SameZone(team.time_zone, calendar.zone())) {
          problems.Add(r.Field("calendar"), "calendar '" + calendar_id + "' is in " +
                                                std::string(calendar.zone().name()) +
                                                " but the team's time_zone is " + team.time_zone +
                                                "; deadlines and working hours must use one zone");
        }
        team_follow_up.calendar = calendar;
      }
    }
    if (r.String("reminder_policy", team_follow_up.policy, /*required=*/false) &&
        names.policies.count(team_follow_up.policy) == 0) {
      problems.Add(r.Field("reminder_policy"), "unknown policy '" + team_follow_up.policy + "'; " +
                                                   KnownNames(names.policies, "policies"));
    }
    r.References("channels", names.channels, "channel", "channels", team_follow_up.channels);
    follow_up[team.id] = std::move(team_follow_up);
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

// The keys of people[].handles: the chat providers that mention people (a lark channel uses
// the feishu handle, as Lark and Feishu share their ids).
bool IsHandleProvider(std::string_view name) {
  for (std::string_view known : {"dingtalk", "feishu", "wecom", "slack", "teams", "discord"}) {
    if (name == known) return true;
  }
  return false;
}

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
          if (!IsHandleProvider(provider)) {
            // A typo ("dingding") or "lark" would never be used: mentions would silently
            // fall back to plain names.
            problems.Add(field, "unknown chat provider '" + provider +
                                    "'; known: dingtalk, feishu (Lark too), wecom, slack, "
                                    "teams, discord");
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

// A role may be held by anyone configured, in the team or not (an analyst shared by two teams).
void CheckRoles(const std::vector<Team>& teams, const std::vector<Person>& people,
                Problems& problems) {
  std::set<std::string> ids;
  for (const Person& p : people) ids.insert(p.id);
  for (std::size_t i = 0; i < teams.size(); ++i) {
    for (const auto& [role, person] : teams[i].roles) {
      if (ids.count(person) > 0) continue;
      problems.Add(Join(Join(Index("teams", i), "roles"), role),
                   "unknown person '" + person + "'; " +
                       (ids.empty() ? std::string("no people are configured")
                                    : "known: " + JoinNames(std::vector<std::string>(ids.begin(),
                                                                                     ids.end()))));
    }
  }
}

// The directory part of `path` with its slash ("/etc/kaizen/" of "/etc/kaizen/kaizen.json"),
// "" for a bare file name: template files are relative to the config file.
std::string DirectoryOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

// "templates": [template | {"file": "path"}]. A template file holds one template object, with
// comments and ${NAME} like the config; its problems name the file.
std::vector<PlanTemplate> ReadTemplates(const json& root, const std::string& source,
                                        const EnvLookup& env, const FileReader& read_file,
                                        const TemplateReferences& known, Problems& problems) {
  std::vector<PlanTemplate> templates;
  const json* array = ArrayAt(root, "templates", problems);
  if (array == nullptr) return templates;
  std::map<std::string, std::string> ids;  // id -> where it was first defined
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string path = Index("templates", i);
    const json& item = (*array)[i];
    std::vector<ConfigProblem> found;
    std::optional<PlanTemplate> read;
    std::string file;
    std::string id_field = Join(path, "id");
    if (item.is_object() && item.contains("file")) {
      ObjectReader r(item, path, problems, {"file"});
      std::string name;
      if (!r.String("file", name, /*required=*/true)) continue;
      file = !name.empty() && name.front() == '/' ? name : DirectoryOf(source) + name;
      if (!read_file) {
        problems.Add(r.Field("file"), "template files cannot be read here");
        continue;
      }
      Result<std::string> text = read_file(file);
      if (!text.ok()) {
        problems.Add(r.Field("file"), "cannot read " + file + ": " + text.status().message());
        continue;
      }
      Problems file_problems;
      std::optional<json> parsed = ParseJson(*text, file_problems);
      if (parsed) {
        Substitute(*parsed, "", env, file_problems);
        read = ReadPlanTemplate(*parsed, "", known, found);
      }
      found.insert(found.begin(), file_problems.list().begin(), file_problems.list().end());
      id_field = "id";
    } else {
      read = ReadPlanTemplate(item, path, known, found);
    }
    const bool clean = found.empty();
    for (ConfigProblem& p : found) {
      if (file.empty()) {
        problems.Add(p.field, std::move(p.reason));  // skips fields whose ${NAME} failed
      } else {
        p.file = file;
        problems.AddProblem(std::move(p));
      }
    }
    if (!read) continue;
    read->source = file.empty() ? source : file;
    if (!read->id.empty()) {
      const std::string where = file.empty() ? path : file;
      auto [it, inserted] = ids.emplace(read->id, where);
      if (!inserted) {
        problems.AddProblem(
            {id_field, "duplicate template id '" + read->id + "'; first defined at " + it->second,
             file});
        continue;
      }
    }
    if (clean) templates.push_back(std::move(*read));
  }
  return templates;
}

// ---- api (issue 6, "Access") ------------------------------------------------------------------

// Shorter tokens could be guessed; 16 characters of `openssl rand -hex 16` are 128 bits.
constexpr std::size_t kMinTokenLength = 16;

// "api": {"tokens": [{name, token | token_file, role, person?, teams?}]}. No problem ever
// quotes a token: a config error is printed to the terminal and the journal.
ApiOptions ReadApi(const json& root, const std::string& source, const FileReader& read_file,
                   const std::map<std::string, std::string>& team_ids,
                   const std::vector<Person>& people, Problems& problems) {
  ApiOptions out;
  const json* section = Section(root, "api", problems);
  if (section == nullptr) return out;
  ObjectReader api(*section, "api", problems, {"tokens"});
  const json* array = api.Get("tokens");
  if (array == nullptr) return out;
  if (!array->is_array()) {
    problems.Add("api.tokens", "expected an array, got " + Describe(*array));
    return out;
  }
  std::map<std::string, std::string> names;    // name -> path of its first use
  std::map<std::string, std::string> secrets;  // secret -> name of the first token with it
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string path = Index("api.tokens", i);
    const json& item = (*array)[i];
    if (!item.is_object()) {
      problems.Add(path, "expected an object, got " + Describe(item));
      continue;
    }
    ObjectReader r(item, path, problems,
                   {"name", "token", "token_file", "role", "person", "teams"});
    ApiTokenOptions token;
    bool valid = true;
    if (r.String("name", token.name, /*required=*/true)) {
      auto [it, inserted] = names.emplace(token.name, path);
      if (!inserted) {
        problems.Add(r.Field("name"),
                     "duplicate token name '" + token.name + "' (also " + it->second + ")");
        valid = false;
      }
    } else {
      valid = false;
    }
    // The secret: inline, or a file beside the config (mode 0600, out of version control).
    const bool inline_token = r.Get("token") != nullptr;
    const bool file_token = r.Get("token_file") != nullptr;
    std::string secret_field = r.Field("token");
    if (inline_token == file_token) {
      problems.Add(path, inline_token ? "give \"token\" or \"token_file\", not both"
                                      : "\"token\" or \"token_file\" is required");
      valid = false;
    } else if (inline_token) {
      valid = r.String("token", token.secret, /*required=*/true) && valid;
    } else {
      secret_field = r.Field("token_file");
      std::string name;
      if (!r.String("token_file", name, /*required=*/true)) {
        valid = false;
      } else {
        const std::string file = name.front() == '/' ? name : DirectoryOf(source) + name;
        Result<std::string> text =
            read_file ? read_file(file)
                      : Result<std::string>(Unavailable("no_reader", "files cannot be read here"));
        if (!text.ok()) {
          problems.Add(secret_field, "cannot read " + file + ": " + text.status().message());
          valid = false;
        } else {
          token.secret = *text;
          while (!token.secret.empty() &&
                 (token.secret.back() == '\n' || token.secret.back() == '\r')) {
            token.secret.pop_back();
          }
          if (token.secret.empty()) {
            problems.Add(secret_field, file + " is empty");
            valid = false;
          }
        }
      }
    }
    if (!token.secret.empty()) {
      if (token.secret.size() < kMinTokenLength) {
        problems.Add(secret_field, "the token has " + std::to_string(token.secret.size()) +
                                       " characters; at least " + std::to_string(kMinTokenLength) +
                                       " are needed (e.g. openssl rand -hex 32)");
        valid = false;
      } else if (auto [it, inserted] = secrets.emplace(token.secret, token.name); !inserted) {
        problems.Add(secret_field,
                     "the same token as token '" + it->second + "'; every token must be different");
        valid = false;
      }
    }
    std::string role_text;
    if (r.String("role", role_text, /*required=*/true)) {
      if (auto role = ParseApiRole(role_text)) {
        token.role = *role;
      } else {
        problems.Add(r.Field("role"),
                     "must be one of: viewer, member, manager, admin; got '" + role_text + "'");
        valid = false;
        role_text.clear();
      }
    } else {
      valid = false;
    }
    const Person* person = nullptr;
    std::string person_id;
    if (r.String("person", person_id, /*required=*/false)) {
      for (const Person& p : people) {
        if (p.id == person_id) person = &p;
      }
      if (person == nullptr) {
        std::vector<std::string> ids;
        for (const Person& p : people) ids.push_back(p.id);
        problems.Add(r.Field("person"), "unknown person '" + person_id + "'; " +
                                            (ids.empty() ? std::string("no people are configured")
                                                         : "known: " + JoinNames(ids)));
        valid = false;
      } else {
        token.person = person_id;
      }
    } else if (token.role == ApiRole::kMember || token.role == ApiRole::kManager) {
      if (!role_text.empty() && r.Get("person") == nullptr) {
        problems.Add(r.Field("person"),
                     "required for role " + role_text + ": the person the token acts as");
      }
      valid = false;
    }
    if (r.Get("teams") != nullptr && !role_text.empty() && token.role != ApiRole::kManager) {
      problems.Add(r.Field("teams"), "only manager tokens have teams; this one is " + role_text);
      valid = false;
    }
    r.Strings("teams", [&](const std::string& field, const std::string& team) {
      if (team_ids.count(team) == 0) {
        problems.Add(field, "unknown team '" + team + "'; " + KnownList(team_ids, "teams"));
        valid = false;
      } else {
        token.teams.insert(team);
      }
    });
    if (token.role == ApiRole::kManager && r.Get("teams") == nullptr && person != nullptr) {
      token.teams.insert(person->team);
    }
    if (valid) out.tokens.push_back(std::move(token));
  }
  return out;
}

Status Failure(const std::string& source, const Problems& problems) {
  std::string message;
  json errors = json::array();
  for (const ConfigProblem& p : problems.list()) {
    if (!message.empty()) message += '\n';
    message += (p.file.empty() ? source : p.file) + ": " + (p.field.empty() ? "" : p.field + ": ") +
               p.reason;
    json error = {{"field", p.field}, {"reason", p.reason}};
    if (!p.file.empty()) error["file"] = p.file;
    errors.push_back(std::move(error));
  }
  return InvalidArgument("config_invalid", message, json{{"errors", std::move(errors)}});
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  const std::string text(host);
  unsigned char v4[4];
  if (inet_pton(AF_INET, text.c_str(), v4) == 1) return v4[0] == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

EnvLookup ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

// What reminders are planned from: the sections that decide when and to whom (people for their
// managers, teams for their calendars and policies). nlohmann::json keeps object keys sorted,
// so the dump is canonical and a reordered file gives the same fingerprint. FNV-1a 64 is
// enough: the fingerprint only decides whether to plan again, never anything a user sees.
std::string PlanningFingerprint(const json& root) {
  json planning = json::object();
  for (const char* section : {"policies", "calendars", "reminders", "teams", "people"}) {
    if (root.contains(section)) planning[section] = root[section];
  }
  const std::string text = std::string(kReminderPlanningVersion) + planning.dump();
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

Result<Config> ParseConfig(std::string_view text, const std::string& source, const EnvLookup& env,
                           const FileReader& read_file) {
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
  ObjectReader top(
      *root, "", problems,
      {"server", "storage", "log", "channels", "delivery", "calendars", "teams", "people",
       "policies", "reminders", "messages", "templates", "schedules", "api"});
  ReadServer(*root, problems, config.server);
  ReadStorage(*root, problems, config.storage);
  ReadLog(*root, problems, config.log);
  config.channels = ReadChannels(*root, problems);
  ReadDelivery(*root, problems, config.delivery);
  Calendars calendars = ReadCalendars(*root, problems);

  FollowUpNames names{calendars, {}, KeysOf(*root, "policies"), {}};
  for (const auto& [id, calendar] : calendars) names.calendar_ids.insert(id);
  names.policies.insert(std::string(kBuiltInPolicyName));
  for (const ChannelOptions& channel : config.channels) names.channels.insert(channel.id);

  auto follow_up = std::make_shared<FollowUpSettings>();
  std::map<std::string, std::string> team_ids;
  std::vector<Team> teams =
      ReadTeams(*root, problems, team_ids, names, follow_up->teams, config.messages.team_locales);
  ReadMessages(*root, problems, config.messages);
  std::vector<PersonEntry> entries = ReadPeople(*root, problems, team_ids);
  CheckManagerCycles(entries, problems);

  std::vector<Person> people;
  people.reserve(entries.size());
  for (PersonEntry& e : entries) people.push_back(std::move(e.person));
  // Person escalations are checked against the people as read, even when some have problems.
  Directory known_people(people, {});
  for (const ChannelOptions& channel : config.channels) {
    if (channel.owner && known_people.FindPerson(*channel.owner) == nullptr) {
      std::vector<std::string> ids;
      for (const Person& p : people) ids.push_back(p.id);
      problems.Add(
          Join(Join("channels", channel.id), "owner"),
          "unknown person '" + *channel.owner + "'; " +
              (ids.empty() ? std::string("no people are configured") : "known: " + JoinNames(ids)));
    }
  }
  follow_up->policies = ReadPolicies(*root, problems, known_people, names.channels);
  ReminderDefaults defaults = ReadReminders(*root, problems, names.policies, names.channels);
  CheckRoles(teams, people, problems);
  TemplateReferences template_names;
  for (const Person& p : people) template_names.people.insert(p.id);
  template_names.policies = names.policies;
  for (const Team& team : teams) {
    for (const auto& [role, person] : team.roles) template_names.roles.insert(role);
  }
  config.templates = ReadTemplates(*root, source, env, read_file, template_names, problems);
  config.api = ReadApi(*root, source, read_file, team_ids, people, problems);
  // Tokens given but all wrong have their own problems; this one is for none at all.
  const json* api_section = root->contains("api") ? &(*root)["api"] : nullptr;
  const bool tokens_given = api_section != nullptr && api_section->is_object() &&
                            api_section->contains("tokens") && !(*api_section)["tokens"].empty();
  if (!tokens_given && !IsLoopbackHost(config.server.host)) {
    problems.Add("server.listen", "listening on a non-loopback address (" + config.server.host +
                                      ") needs api.tokens: without them anyone who can reach it "
                                      "may change every plan");
  }
  if (!problems.empty()) return Failure(source, problems);

  follow_up->policies.try_emplace(std::string(kBuiltInPolicyName), BuiltInReminderPolicy());
  follow_up->default_policy = std::move(defaults.default_policy);
  if (defaults.default_channels)
    follow_up->default_channels = std::move(*defaults.default_channels);
  follow_up->fingerprint = PlanningFingerprint(*root);
  config.follow_up = std::move(follow_up);
  config.directory = std::make_shared<const Directory>(std::move(people), std::move(teams));
  // Schedules instantiate their template for their team, so they need everything else: they
  // are checked once the rest of the config is sound.
  std::vector<ConfigProblem> schedule_problems;
  config.schedules = ReadSchedules(*root, *config.directory, *config.follow_up, config.templates,
                                   schedule_problems);
  for (ConfigProblem& p : schedule_problems) problems.AddProblem(std::move(p));
  if (!problems.empty()) return Failure(source, problems);
  return config;
}

Result<Config> LoadConfigFile(const std::string& path, const EnvLookup& env,
                              const FileReader& read_file) {
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
  return ParseConfig(text, path, env, read_file);
}

}  // namespace kaizen::config
