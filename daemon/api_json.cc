#include "daemon/api_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <limits>
#include <utility>

#include "notifiers/provider_channel.h"
#include "notifiers/provider_reply.h"
#include "notifiers/url.h"
#include "workflow/duration.h"
#include "workflow/goal_check_in.h"

namespace kaizen::daemon {
namespace {

using nlohmann::json;

// ---- Strict object decoding ------------------------------------------------------------------

std::string JoinPath(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  std::string out(prefix);
  out += '.';
  out += name;
  return out;
}

std::string IndexPath(std::string_view prefix, std::size_t index) {
  return std::string(prefix) + "[" + std::to_string(index) + "]";
}

Status InvalidField(const std::string& field, std::string_view expected) {
  std::string shown = field.empty() ? "$" : field;
  return InvalidArgument("invalid_field", "field '" + shown + "' must be " + std::string(expected),
                         {{"field", shown}, {"expected", std::string(expected)}});
}

Status MissingField(const std::string& field) {
  return InvalidArgument("missing_field", "field '" + field + "' is required", {{"field", field}});
}

Status InvalidTime(const std::string& field, std::string_view expected, const std::string& text) {
  return Unprocessable(
      "invalid_time",
      "field '" + field + "' must be " + std::string(expected) + ", not '" + text + "'",
      {{"field", field}, {"value", text}});
}

bool FitsId(const json& value) {
  if (value.is_number_unsigned()) {
    return value.get<std::uint64_t>() <=
               static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) &&
           value.get<std::uint64_t>() > 0;
  }
  return value.is_number_integer() && value.get<std::int64_t>() > 0;
}

// Reads the fields of one JSON object. The first problem wins: later calls do nothing once a
// problem is recorded, so a decoder reads as a plain list of fields followed by one check.
class ObjectDecoder {
 public:
  // Records "invalid_field" if `value` is not an object, and "unknown_field" for the first
  // member not in `allowed`.
  ObjectDecoder(const json& value, std::string path,
                std::initializer_list<std::string_view> allowed)
      : value_(value), path_(std::move(path)) {
    if (!value_.is_object()) {
      status_ = InvalidField(path_, "an object");
      return;
    }
    for (const auto& [name, member] : value_.items()) {
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string field = JoinPath(path_, name);
        status_ =
            InvalidArgument("unknown_field", "unknown field '" + field + "'", {{"field", field}});
        return;
      }
    }
  }

  const Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }
  bool Has(std::string_view name) const { return ok() && value_.contains(name); }

  void String(std::string_view name, std::string& out, bool required) {
    const json* v = Find(name, required);
    if (v == nullptr) return;
    if (!v->is_string()) return Fail(InvalidField(JoinPath(path_, name), "a string"));
    out = v->get<std::string>();
  }
  void String(std::string_view name, std::optional<std::string>& out, bool required) {
    const json* v = Find(name, required);
    if (v == nullptr) return;
    if (!v->is_string()) return Fail(InvalidField(JoinPath(path_, name), "a string"));
    out = v->get<std::string>();
  }
  void NonEmptyString(std::string_view name, std::string& out, bool required) {
    const json* v = Find(name, required);
    if (v == nullptr) return;
    if (!v->is_string() || v->get_ref<const std::string&>().empty()) {
      return Fail(InvalidField(JoinPath(path_, name), "a non-empty string"));
    }
    out = v->get<std::string>();
  }
  void Bool(std::string_view name, bool& out) {
    const json* v = Find(name, false);
    if (v == nullptr) return;
    if (!v->is_boolean()) return Fail(InvalidField(JoinPath(path_, name), "true or false"));
    out = v->get<bool>();
  }
  void Number(std::string_view name, double& out, bool required) {
    const json* v = Find(name, required);
    if (v == nullptr) return;
    if (!v->is_number()) return Fail(InvalidField(JoinPath(path_, name), "a number"));
    out = v->get<double>();
  }
  // null is accepted and leaves `out` empty, as the answers show absent values as null.
  void NullableNumber(std::string_view name, std::optional<double>& out) {
    const json* v = Find(name, false);
    if (v == nullptr || v->is_null()) return;
    if (!v->is_number()) return Fail(InvalidField(JoinPath(path_, name), "a number or null"));
    out = v->get<double>();
  }
  void NullableDate(std::string_view name, std::optional<std::string>& out) {
    const json* v = Find(name, false);
    if (v == nullptr || v->is_null()) return;
    std::string field = JoinPath(path_, name);
    if (!v->is_string()) return Fail(InvalidField(field, "a date YYYY-MM-DD or null"));
    const auto& text = v->get_ref<const std::string&>();
    if (!IsValidDate(text)) return Fail(InvalidTime(field, "a date YYYY-MM-DD", text));
    out = text;
  }
  void Time(std::string_view name, Instant& out, bool required) {
    const json* v = Find(name, required);
    if (v == nullptr) return;
    std::string field = JoinPath(path_, name);
    if (!v->is_string()) return Fail(InvalidField(field, "an RFC 3339 time string"));
    const auto& text = v->get_ref<const std::string&>();
    auto t = ParseRfc3339(text);
    if (!t) return Fail(InvalidTime(field, "an RFC 3339 time such as 2026-12-05T10:00:00Z", text));
    out = *t;
  }
  void Time(std::string_view name, std::optional<Instant>& out) {
    Instant t{};
    if (!Has(name)) return;
    Time(name, t, true);
    if (ok()) out = t;
  }
  void IdArray(std::string_view name, std::vector<std::int64_t>& out) {
    const json* v = Find(name, false);
    if (v == nullptr) return;
    std::string field = JoinPath(path_, name);
    if (!v->is_array()) return Fail(InvalidField(field, "an array of task ids"));
    out.clear();
    for (std::size_t i = 0; i < v->size(); ++i) {
      const json& item = (*v)[i];
      if (!FitsId(item)) return Fail(InvalidField(IndexPath(field, i), "a positive integer id"));
      out.push_back(item.get<std::int64_t>());
    }
  }
  void IdArray(std::string_view name, std::optional<std::vector<std::int64_t>>& out) {
    if (!Has(name)) return;
    std::vector<std::int64_t> ids;
    IdArray(name, ids);
    if (ok()) out = std::move(ids);
  }
  void StringArray(std::string_view name, std::vector<std::string>& out) {
    const json* v = Find(name, false);
    if (v == nullptr) return;
    std::string field = JoinPath(path_, name);
    if (!v->is_array()) return Fail(InvalidField(field, "an array of strings"));
    out.clear();
    for (std::size_t i = 0; i < v->size(); ++i) {
      const json& item = (*v)[i];
      if (!item.is_string()) return Fail(InvalidField(IndexPath(field, i), "a string"));
      out.push_back(item.get<std::string>());
    }
  }
  // Calls `decode(item, path)` for each element of the array `name`.
  void ObjectArray(std::string_view name,
                   const std::function<Status(const json&, const std::string&)>& decode) {
    const json* v = Find(name, false);
    if (v == nullptr) return;
    std::string field = JoinPath(path_, name);
    if (!v->is_array()) return Fail(InvalidField(field, "an array of objects"));
    for (std::size_t i = 0; i < v->size(); ++i) {
      Status s = decode((*v)[i], IndexPath(field, i));
      if (!s.ok()) return Fail(std::move(s));
    }
  }

  void Fail(Status status) {
    if (status_.ok()) status_ = std::move(status);
  }

 private:
  const json* Find(std::string_view name, bool required) {
    if (!ok()) return nullptr;
    auto it = value_.find(name);
    if (it == value_.end()) {
      if (required) Fail(MissingField(JoinPath(path_, name)));
      return nullptr;
    }
    return &*it;
  }

  const json& value_;
  std::string path_;
  Status status_;
};

// An ISO 8601 duration (workflow/duration.h) at `field`; the parser's reason and message, with
// the field added.
Status DecodeDurationField(const json& value, const std::string& field,
                           std::optional<std::chrono::seconds>& out) {
  if (value.is_null()) return Status::Ok();
  if (!value.is_string()) return InvalidField(field, "an ISO 8601 duration such as \"P7D\"");
  const auto& text = value.get_ref<const std::string&>();
  Result<std::chrono::seconds> d = DecodeIsoDuration(text);
  if (!d.ok()) {
    return InvalidArgument(d.status().reason(), "field '" + field + "': " + d.status().message(),
                           {{"field", field}, {"value", text}});
  }
  out = *d;
  return Status::Ok();
}

// "check_in": {"every": "P7D", "before_close": "P2D"}, both optional, or null.
Status DecodeCheckIn(const json& value, const std::string& path, Goal& goal) {
  if (value.is_null()) return Status::Ok();
  ObjectDecoder d(value, path, {"every", "before_close"});
  if (!d.ok()) return d.status();
  if (auto it = value.find("every"); it != value.end()) {
    Status s = DecodeDurationField(*it, JoinPath(path, "every"), goal.check_in_every);
    if (!s.ok()) return s;
  }
  if (auto it = value.find("before_close"); it != value.end()) {
    Status s = DecodeDurationField(*it, JoinPath(path, "before_close"), goal.check_in_before_close);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status DecodeGoal(const json& value, const std::string& path, Goal& goal) {
  ObjectDecoder d(
      value, path,
      {"metric", "baseline", "target", "unit", "target_date", "actual", "owner", "check_in"});
  d.NonEmptyString("metric", goal.metric, true);
  d.NullableNumber("baseline", goal.baseline);
  d.Number("target", goal.target, true);
  d.String("unit", goal.unit, false);
  d.NullableDate("target_date", goal.target_date);
  d.NullableNumber("actual", goal.actual);
  if (d.Has("owner") && !value["owner"].is_null()) {
    std::string owner;
    d.NonEmptyString("owner", owner, true);
    if (d.ok()) goal.owner = std::move(owner);
  }
  if (d.Has("check_in")) d.Fail(DecodeCheckIn(value["check_in"], JoinPath(path, "check_in"), goal));
  return d.status();
}

// The fields of NewTask, shared by inline tasks and POST /plans/{id}/tasks.
void DecodeNewTaskFields(ObjectDecoder& d, NewTask& task) {
  d.String("key", task.key, false);
  d.String("title", task.title, true);
  d.String("description", task.description, false);
  d.String("owner", task.owner, true);
  d.Time("due_at", task.due_at, true);
  d.String("criterion", task.criterion, false);
  d.IdArray("depends_on", task.depends_on);
  d.StringArray("depends_on_keys", task.depends_on_keys);
  d.String("reminder_policy", task.reminder_policy, false);
}

// ---- Query parameters ------------------------------------------------------------------------

Status InvalidQuery(const std::string& parameter, const std::string& message) {
  return InvalidArgument("invalid_query", message, {{"parameter", parameter}});
}

std::optional<std::string_view> QueryValue(const QueryParams& query, std::string_view name) {
  for (const auto& [key, value] : query) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

// A filter value: present and non-empty, or absent.
Result<std::optional<std::string>> QueryText(const QueryParams& query, std::string_view name) {
  auto value = QueryValue(query, name);
  if (!value) return std::optional<std::string>();
  if (value->empty()) {
    return InvalidQuery(std::string(name),
                        "query parameter '" + std::string(name) + "' must not be empty");
  }
  return std::optional<std::string>(std::string(*value));
}

Result<int> ParseLimit(const QueryParams& query) {
  auto value = QueryValue(query, "limit");
  if (!value) return kDefaultPageSize;
  int limit = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), limit);
  if (ec != std::errc() || end != value->data() + value->size() || limit < 1 ||
      limit > kMaxPageSize) {
    return InvalidQuery("limit", "query parameter 'limit' must be an integer from 1 to " +
                                     std::to_string(kMaxPageSize) + ", not '" +
                                     std::string(*value) + "'");
  }
  return limit;
}

Result<std::optional<std::int64_t>> ParseCursor(const QueryParams& query, std::string_view kind) {
  auto value = QueryValue(query, "cursor");
  if (!value) return std::optional<std::int64_t>();
  auto id = DecodeCursor(kind, *value);
  if (!id.ok()) return id.status();
  return std::optional<std::int64_t>(*id);
}

Result<std::optional<Instant>> ParseQueryTime(const QueryParams& query, std::string_view name) {
  auto value = QueryValue(query, name);
  if (!value) return std::optional<Instant>();
  auto t = ParseRfc3339(*value);
  if (!t) {
    return InvalidQuery(std::string(name), "query parameter '" + std::string(name) +
                                               "' must be an RFC 3339 time, not '" +
                                               std::string(*value) + "'");
  }
  return std::optional<Instant>(*t);
}

Json StateNames() {
  Json names = Json::array();
  for (TaskState s : kAllTaskStates) names.push_back(std::string(ToString(s)));
  return names;
}

// ---- Cursors ---------------------------------------------------------------------------------

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64Url[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(kBase64Url[(buffer << (6 - bits)) & 0x3F]);
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    std::size_t v = kBase64Url.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

// ---- Answers ---------------------------------------------------------------------------------

// 80.0 is shown as 80: goals are usually whole numbers and clients compare them as written.
Json NumberJson(double v) {
  constexpr double kExact = 9007199254740992.0;  // 2^53
  if (std::isfinite(v) && std::trunc(v) == v && std::fabs(v) < kExact) {
    return static_cast<std::int64_t>(v);
  }
  return v;
}

template <typename T>
Json OptionalJson(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json TaskBriefJson(const TaskBrief& brief) {
  Json j;
  j["id"] = brief.id;
  j["plan_id"] = brief.plan_id;
  j["title"] = brief.title;
  j["due_at"] = FormatRfc3339(brief.due_at);
  j["state"] = ToString(brief.state);
  return j;
}

Json TasksByState(const std::map<TaskState, int>& counts) {
  Json j = Json::object();
  for (TaskState s : kAllTaskStates) {
    auto it = counts.find(s);
    j[std::string(ToString(s))] = it == counts.end() ? 0 : it->second;
  }
  return j;
}

}  // namespace

// ---- Errors ----------------------------------------------------------------------------------

int HttpStatusOf(const Status& status) {
  if (status.reason() == "method_not_allowed") return 405;
  if (status.reason() == "body_too_large") return 413;
  if (status.reason() == "unsupported_media_type") return 415;
  switch (status.code()) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kConflict: return 409;
    case StatusCode::kPreconditionFailed: return 412;
    case StatusCode::kUnprocessable: return 422;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

HttpResponse ErrorResponse(const Status& status) {
  int http_status = HttpStatusOf(status);
  std::string code = status.reason();
  // Clients branch on the documented 5xx codes; the internal reason stays in the logs.
  if (status.code() == StatusCode::kUnavailable) code = "storage_unavailable";
  if (status.code() == StatusCode::kInternal || status.ok()) code = "internal";
  Json error;
  error["code"] = code;
  error["message"] = status.ok() ? "ok status reported as an error" : status.message();
  if (!status.details().is_null()) error["details"] = Json(status.details());
  Json body;
  body["error"] = std::move(error);
  return JsonResponse(http_status, body);
}

HttpResponse JsonResponse(int http_status, const Json& body) {
  HttpResponse response;
  response.status = http_status;
  // Invalid UTF-8 can only come from stored data; replace it rather than fail the answer.
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  response.body += '\n';
  return response;
}

// ---- Request bodies --------------------------------------------------------------------------

Result<nlohmann::json> ParseJsonObjectBody(const HttpRequest& request) {
  auto content_type = request.Header("content-type");
  // Only a body has a media type to refuse: an empty POST is "malformed_json" below.
  if (!request.body.empty()) {
    std::string_view type = content_type.value_or("");
    std::string_view media = type.substr(0, type.find(';'));
    while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
    bool ok = EqualsIgnoreCase(media, "application/json");
    if (ok && media.size() != type.size()) {
      // Parameters: only a UTF-8 charset is meaningful for JSON.
      std::string_view params = type.substr(media.size());
      std::string lowered;
      for (char c : params) {
        if (c != ' ' && c != '\t') lowered.push_back(static_cast<char>(std::tolower(c)));
      }
      std::size_t at = lowered.find("charset=");
      if (at != std::string::npos) {
        std::string_view charset = std::string_view(lowered).substr(at + 8);
        charset = charset.substr(0, charset.find(';'));
        if (charset != "utf-8" && charset != "\"utf-8\"" && charset != "utf8") ok = false;
      }
    }
    if (!ok) {
      std::string shown = content_type ? std::string(*content_type) : "none";
      return InvalidArgument("unsupported_media_type",
                             "the request body must be application/json, not " + shown,
                             {{"content_type", shown}});
    }
  }
  if (request.body.empty()) {
    return InvalidArgument("malformed_json", "the request needs a JSON object body",
                           {{"position", 0}});
  }
  json body;
  try {
    body = json::parse(request.body);
  } catch (const json::parse_error& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 1, column 10: ...";
    // the bracketed library tag means nothing to an API client.
    std::string_view what = e.what();
    if (std::size_t tag_end = what.find("] ");
        what.starts_with("[json.exception") && tag_end != std::string_view::npos) {
      what.remove_prefix(tag_end + 2);
    }
    // e.byte counts from 1; clients index from 0.
    std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    return InvalidArgument("malformed_json", "the body is not valid JSON: " + std::string(what),
                           {{"position", offset}});
  } catch (const json::out_of_range&) {
    // nlohmann reports a number beyond a double's range (1e999) this way, not as a parse error.
    return InvalidArgument("malformed_json",
                           "the body is not valid JSON for kaizen: a number is too large");
  }
  if (!body.is_object()) return InvalidField("", "an object");
  return body;
}

Result<CreatePlanBody> DecodeCreatePlan(const json& body) {
  CreatePlanBody out;
  NewPlan& plan = out.plan;
  ObjectDecoder d(body, "",
                  {"title", "description", "kind", "owner", "team", "allow_self_verification",
                   "reminder_policy", "goals", "tasks", "actor"});
  d.String("title", plan.title, true);
  d.String("description", plan.description, false);
  d.NonEmptyString("kind", plan.kind, false);
  d.String("owner", plan.owner, true);
  d.String("team", plan.team, true);
  d.Bool("allow_self_verification", plan.allow_self_verification);
  d.String("reminder_policy", plan.reminder_policy, false);
  d.ObjectArray("goals", [&plan](const json& item, const std::string& path) {
    Goal goal;
    Status s = DecodeGoal(item, path, goal);
    if (s.ok()) plan.goals.push_back(std::move(goal));
    return s;
  });
  d.ObjectArray("tasks", [&plan](const json& item, const std::string& path) {
    NewTask task;
    ObjectDecoder t(item, path,
                    {"key", "title", "description", "owner", "due_at", "criterion", "depends_on",
                     "depends_on_keys", "reminder_policy"});
    DecodeNewTaskFields(t, task);
    if (t.ok()) plan.tasks.push_back(std::move(task));
    return t.status();
  });
  d.String("actor", out.actor, false);
  if (!d.ok()) return d.status();
  return out;
}

// ---- templates (issue 5, "tpl") ----

Result<CreatePlanFromTemplateBody> DecodeCreatePlanFromTemplate(const json& body) {
  for (const char* inline_field : {"tasks", "goals"}) {
    if (body.contains(inline_field)) {
      return InvalidArgument("template_with_inline_fields",
                             std::string("a plan from a template takes its ") + inline_field +
                                 " from the template; send either \"template\" or \"" +
                                 inline_field + "\"",
                             {{"field", inline_field}});
    }
  }
  CreatePlanFromTemplateBody out;
  ObjectDecoder d(body, "", {"template", "team", "start", "owner", "actor"});
  d.NonEmptyString("template", out.template_id, true);
  d.NonEmptyString("team", out.team, true);
  d.Time("start", out.start);
  d.String("owner", out.owner, false);
  d.String("actor", out.actor, false);
  if (!d.ok()) return d.status();
  return out;
}

Json EncodeTemplateList(const std::vector<PlanTemplate>& templates) {
  Json items = Json::array();
  for (const PlanTemplate& t : templates) {
    Json j;
    j["id"] = t.id;
    j["title"] = t.title;
    j["kind"] = t.kind;
    j["tasks"] = t.tasks.size();
    j["goals"] = t.goals.size();
    j["source"] = t.source;
    items.push_back(std::move(j));
  }
  Json out;
  out["items"] = std::move(items);
  return out;
}

Result<AddTaskBody> DecodeAddTask(const json& body) {
  AddTaskBody out;
  ObjectDecoder d(body, "",
                  {"key", "title", "description", "owner", "due_at", "criterion", "depends_on",
                   "depends_on_keys", "reminder_policy", "actor"});
  DecodeNewTaskFields(d, out.task);
  d.String("actor", out.actor, false);
  if (!d.ok()) return d.status();
  return out;
}

Result<CancelPlanBody> DecodeCancelPlan(const json& body) {
  CancelPlanBody out;
  ObjectDecoder d(body, "", {"note", "actor"});
  d.String("note", out.note, true);
  d.String("actor", out.actor, false);
  if (!d.ok()) return d.status();
  return out;
}

Result<PatchTaskBody> DecodePatchTask(const json& body) {
  PatchTaskBody out;
  TaskPatch& patch = out.patch;
  ObjectDecoder d(body, "",
                  {"title", "description", "owner", "due_at", "criterion", "depends_on",
                   "reminder_policy", "actor"});
  d.String("title", patch.title, false);
  d.String("description", patch.description, false);
  d.String("owner", patch.owner, false);
  d.Time("due_at", patch.due_at);
  d.String("criterion", patch.criterion, false);
  d.IdArray("depends_on", patch.depends_on);
  d.String("reminder_policy", patch.reminder_policy, false);
  d.String("actor", out.actor, false);
  if (!d.ok()) return d.status();
  return out;
}

Result<TransitionRequest> DecodeTransition(const json& body) {
  TransitionRequest out;
  std::string to;
  ObjectDecoder d(body, "", {"to", "note", "actor"});
  d.String("to", to, true);
  if (d.ok()) {
    auto state = ParseTaskState(to);
    if (!state) {
      return InvalidArgument(
          "invalid_field", "field 'to' must be a task state, not '" + to + "'",
          {{"field", "to"}, {"expected", "a task state"}, {"allowed", StateNames()}});
    }
    out.to = *state;
  }
  d.String("note", out.note, false);
  d.String("actor", out.actor, true);
  if (!d.ok()) return d.status();
  return out;
}

Result<std::optional<std::int64_t>> ParseIfMatch(std::optional<std::string_view> header) {
  if (!header) return std::optional<std::int64_t>();
  std::string_view v = *header;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v == "*") return std::optional<std::int64_t>();
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  std::int64_t version = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || version < 1) {
    return InvalidArgument("invalid_field",
                           "header If-Match must name a task version such as \"3\", not '" +
                               std::string(*header) + "'",
                           {{"field", "If-Match"}, {"expected", "a version such as \"3\""}});
  }
  return std::optional<std::int64_t>(version);
}

Result<PersonId> ResolveActor(const std::optional<PersonId>& actor, const Directory& directory) {
  if (!actor || *actor == "api") return PersonId("api");
  if (directory.FindPerson(*actor) == nullptr) {
    return Unprocessable("unknown_actor", "actor '" + *actor + "' is not a configured person",
                         {{"actor", *actor}});
  }
  return *actor;
}

// ---- Query strings and paths -----------------------------------------------------------------

Status CheckQueryNames(const QueryParams& query, std::initializer_list<std::string_view> allowed) {
  for (std::size_t i = 0; i < query.size(); ++i) {
    const std::string& name = query[i].first;
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string known;
      for (std::string_view a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
      return InvalidQuery(name,
                          "unknown query parameter '" + name + "'" +
                              (known.empty() ? "; this route takes none" : "; known: " + known));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (query[j].first == name) {
        return InvalidQuery(name, "query parameter '" + name + "' is given more than once");
      }
    }
  }
  return Status::Ok();
}

Result<PlanFilter> ParsePlanQuery(const QueryParams& query) {
  if (Status s = CheckQueryNames(query, {"state", "owner", "team", "limit", "cursor"}); !s.ok()) {
    return s;
  }
  PlanFilter filter;
  if (auto state = QueryValue(query, "state")) {
    auto parsed = ParsePlanState(*state);
    if (!parsed) {
      return InvalidQuery("state",
                          "query parameter 'state' must be active, completed or "
                          "cancelled, not '" +
                              std::string(*state) + "'");
    }
    filter.state = *parsed;
  }
  auto owner = QueryText(query, "owner");
  if (!owner.ok()) return owner.status();
  filter.owner = *owner;
  auto team = QueryText(query, "team");
  if (!team.ok()) return team.status();
  filter.team = *team;
  auto limit = ParseLimit(query);
  if (!limit.ok()) return limit.status();
  filter.limit = *limit;
  auto after = ParseCursor(query, "plans");
  if (!after.ok()) return after.status();
  filter.after = *after;
  return filter;
}

Result<TaskFilter> ParseTaskQuery(const QueryParams& query, Instant now) {
  if (Status s = CheckQueryNames(query, {"plan", "owner", "state", "team", "overdue", "due_before",
                                         "due_after", "limit", "cursor"});
      !s.ok()) {
    return s;
  }
  TaskFilter filter;
  filter.now = now;
  if (auto plan = QueryValue(query, "plan")) {
    auto id = ParseId(*plan);
    if (!id) {
      return InvalidQuery("plan", "query parameter 'plan' must be a positive integer id, not '" +
                                      std::string(*plan) + "'");
    }
    filter.plan = *id;
  }
  auto owner = QueryText(query, "owner");
  if (!owner.ok()) return owner.status();
  filter.owner = *owner;
  if (auto state = QueryValue(query, "state")) {
    auto parsed = ParseTaskState(*state);
    if (!parsed) {
      return InvalidArgument(
          "invalid_query",
          "query parameter 'state' must be a task state, not '" + std::string(*state) + "'",
          {{"parameter", "state"}, {"allowed", StateNames()}});
    }
    filter.state = *parsed;
  }
  auto team = QueryText(query, "team");
  if (!team.ok()) return team.status();
  filter.team = *team;
  if (auto overdue = QueryValue(query, "overdue")) {
    if (*overdue == "true") {
      filter.overdue_only = true;
    } else if (*overdue != "false") {
      return InvalidQuery("overdue", "query parameter 'overdue' must be true or false, not '" +
                                         std::string(*overdue) + "'");
    }
  }
  auto before = ParseQueryTime(query, "due_before");
  if (!before.ok()) return before.status();
  filter.due_before = *before;
  auto after_time = ParseQueryTime(query, "due_after");
  if (!after_time.ok()) return after_time.status();
  filter.due_after = *after_time;
  auto limit = ParseLimit(query);
  if (!limit.ok()) return limit.status();
  filter.limit = *limit;
  auto after = ParseCursor(query, "tasks");
  if (!after.ok()) return after.status();
  filter.after = *after;
  return filter;
}

Result<SummaryFilter> ParseSummaryQuery(const QueryParams& query) {
  if (Status s = CheckQueryNames(query, {"team", "owner"}); !s.ok()) return s;
  SummaryFilter filter;
  auto team = QueryText(query, "team");
  if (!team.ok()) return team.status();
  filter.team = *team;
  auto owner = QueryText(query, "owner");
  if (!owner.ok()) return owner.status();
  filter.owner = *owner;
  return filter;
}

Result<NotificationFilter> ParseNotificationQuery(const QueryParams& query) {
  if (Status s = CheckQueryNames(query, {"state", "task", "channel", "limit", "cursor"}); !s.ok()) {
    return s;
  }
  NotificationFilter filter;
  if (auto state = QueryValue(query, "state")) {
    auto parsed = ParseNotificationState(*state);
    if (!parsed) {
      Json allowed = Json::array();
      for (NotificationState st : kAllNotificationStates) allowed.push_back(ToString(st));
      return InvalidArgument(
          "invalid_query",
          "query parameter 'state' must be a notification state, not '" + std::string(*state) + "'",
          {{"parameter", "state"}, {"allowed", allowed}});
    }
    filter.state = *parsed;
  }
  if (auto task = QueryValue(query, "task")) {
    auto id = ParseId(*task);
    if (!id) {
      return InvalidQuery("task", "query parameter 'task' must be a positive integer id, not '" +
                                      std::string(*task) + "'");
    }
    filter.task = *id;
  }
  auto channel = QueryText(query, "channel");
  if (!channel.ok()) return channel.status();
  filter.channel = *channel;
  auto limit = ParseLimit(query);
  if (!limit.ok()) return limit.status();
  filter.limit = *limit;
  auto after = ParseCursor(query, "notifications");
  if (!after.ok()) return after.status();
  filter.after = *after;
  return filter;
}

std::optional<std::int64_t> ParseId(std::string_view text) {
  if (text.empty() || text.front() < '1' || text.front() > '9') return std::nullopt;
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

std::string EncodeCursor(std::string_view kind, std::int64_t last_id) {
  return Base64UrlEncode(std::string(kind) + ":" + std::to_string(last_id));
}

Result<std::int64_t> DecodeCursor(std::string_view kind, std::string_view cursor) {
  auto fail = [&] {
    return InvalidArgument("invalid_cursor",
                           "cursor '" + std::string(cursor) +
                               "' was not issued by this list; pass next_cursor back unchanged",
                           {{"parameter", "cursor"}});
  };
  auto decoded = Base64UrlDecode(cursor);
  if (!decoded) return fail();
  std::string prefix = std::string(kind) + ":";
  if (decoded->size() <= prefix.size() || decoded->compare(0, prefix.size(), prefix) != 0) {
    return fail();
  }
  auto id = ParseId(std::string_view(*decoded).substr(prefix.size()));
  if (!id || EncodeCursor(kind, *id) != cursor) return fail();
  return *id;
}

// ---- Answers ---------------------------------------------------------------------------------

Json EncodeGoal(const Goal& goal) {
  Json j;
  j["metric"] = goal.metric;
  j["baseline"] = goal.baseline ? NumberJson(*goal.baseline) : Json(nullptr);
  j["target"] = NumberJson(goal.target);
  j["unit"] = goal.unit;
  j["target_date"] = OptionalJson(goal.target_date);
  j["actual"] = goal.actual ? NumberJson(*goal.actual) : Json(nullptr);
  j["actual_at"] = goal.actual_at ? Json(FormatRfc3339(*goal.actual_at)) : Json(nullptr);
  j["owner"] = OptionalJson(goal.owner);
  if (goal.check_in_every || goal.check_in_before_close) {
    Json check_in;
    check_in["every"] =
        goal.check_in_every ? Json(FormatIsoDuration(*goal.check_in_every)) : Json(nullptr);
    check_in["before_close"] = goal.check_in_before_close
                                   ? Json(FormatIsoDuration(*goal.check_in_before_close))
                                   : Json(nullptr);
    j["check_in"] = std::move(check_in);
  } else {
    j["check_in"] = nullptr;
  }
  return j;
}

Json EncodeProgress(const PlanProgress& progress) {
  Json j;
  j["total"] = progress.total;
  j["tasks_by_state"] = TasksByState(progress.tasks_by_state);
  j["overdue"] = progress.overdue;
  return j;
}

Json EncodePlan(const Plan& plan, const PlanProgress* progress, const std::vector<Task>* tasks,
                Instant now) {
  Json j;
  j["id"] = plan.id;
  j["title"] = plan.title;
  j["description"] = plan.description;
  j["kind"] = plan.kind;
  j["owner"] = plan.owner;
  j["team"] = plan.team;
  j["state"] = ToString(plan.state);
  j["allow_self_verification"] = plan.allow_self_verification;
  j["reminder_policy"] = OptionalJson(plan.reminder_policy);
  j["template"] = OptionalJson(plan.template_id);
  j["closes_at"] = plan.closes_at ? Json(FormatRfc3339(*plan.closes_at)) : Json(nullptr);
  j["closed_at"] = plan.closed_at ? Json(FormatRfc3339(*plan.closed_at)) : Json(nullptr);
  Json goals = Json::array();
  for (const Goal& g : plan.goals) {
    Json goal = EncodeGoal(g);
    // A check-in passed and no value came since (goal_check_in.h); only active plans ask.
    goal["stale"] = plan.state == PlanState::kActive && DueCheckIn(plan, g, now).has_value();
    goals.push_back(std::move(goal));
  }
  j["goals"] = std::move(goals);
  j["version"] = plan.version;
  j["created_at"] = FormatRfc3339(plan.created_at);
  j["updated_at"] = FormatRfc3339(plan.updated_at);
  if (progress != nullptr) j["progress"] = EncodeProgress(*progress);
  if (tasks != nullptr) {
    Json items = Json::array();
    for (const Task& t : *tasks) items.push_back(EncodeTask(t, now));
    j["tasks"] = std::move(items);
  }
  return j;
}

Json EncodeTask(const Task& task, Instant now) {
  Json j;
  j["id"] = task.id;
  j["plan_id"] = task.plan_id;
  j["key"] = OptionalJson(task.key);
  j["title"] = task.title;
  j["description"] = task.description;
  j["owner"] = task.owner;
  j["due_at"] = FormatRfc3339(task.due_at);
  j["criterion"] = task.criterion;
  j["state"] = ToString(task.state);
  j["depends_on"] = task.depends_on;
  j["reminder_policy"] = OptionalJson(task.reminder_policy);
  j["version"] = task.version;
  j["overdue"] = IsOverdue(task, now);
  j["created_at"] = FormatRfc3339(task.created_at);
  j["updated_at"] = FormatRfc3339(task.updated_at);
  j["completed_at"] = task.completed_at ? Json(FormatRfc3339(*task.completed_at)) : Json(nullptr);
  j["carried_from"] = task.carried_from ? Json(*task.carried_from) : Json(nullptr);
  j["carry_count"] = task.carry_count;
  return j;
}

Json EncodeNotification(const Notification& n) {
  const NotificationEvent& e = n.event;
  Json j;
  j["id"] = n.id;
  j["idempotency_key"] = n.idempotency_key;
  j["channel"] = n.channel;
  j["kind"] = e.kind;
  j["state"] = ToString(n.state);
  j["task_id"] = e.task_id != 0 ? Json(e.task_id) : Json(nullptr);
  j["plan_id"] = e.plan_id;
  j["recipient"] = {{"kind", e.recipient_kind == RecipientKind::kTeam ? "team" : "person"},
                    {"id", e.recipient},
                    {"name", e.recipient_name}};
  j["urgent"] = e.urgent;
  j["reminder_key"] = e.reminder_key.empty() ? Json(nullptr) : Json(e.reminder_key);
  j["attempts"] = n.attempts;
  j["created_at"] = FormatRfc3339(n.created_at);
  j["updated_at"] = FormatRfc3339(n.updated_at);
  bool waiting = n.state == NotificationState::kPending || n.state == NotificationState::kFailed;
  j["next_attempt_at"] = waiting ? Json(FormatRfc3339(n.next_attempt_at)) : Json(nullptr);
  j["delivered_at"] = n.delivered_at ? Json(FormatRfc3339(*n.delivered_at)) : Json(nullptr);
  j["last_error"] = n.last_error.empty() ? Json(nullptr) : Json(n.last_error);
  j["batch_id"] = OptionalJson(n.batch_id);
  return j;
}

Json EncodeEvent(const TaskEvent& event) {
  Json j;
  j["id"] = event.id;
  j["task_id"] = event.task_id;
  j["plan_id"] = event.plan_id;
  j["at"] = FormatRfc3339(event.at);
  j["actor"] = event.actor;
  j["kind"] = event.kind;
  j["from"] = event.from ? Json(ToString(*event.from)) : Json(nullptr);
  j["to"] = event.to ? Json(ToString(*event.to)) : Json(nullptr);
  j["note"] = event.note;
  return j;
}

Json EncodeSummary(const Summary& summary, const Directory& directory, Instant now) {
  Json j;
  j["tasks_by_state"] = TasksByState(summary.tasks_by_state);
  Json plans = Json::object();
  for (PlanState s : {PlanState::kActive, PlanState::kCompleted, PlanState::kCancelled}) {
    auto it = summary.plans_by_state.find(s);
    plans[std::string(ToString(s))] = it == summary.plans_by_state.end() ? 0 : it->second;
  }
  j["plans_by_state"] = std::move(plans);
  j["overdue"] = summary.overdue;
  Json owners = Json::array();
  for (const OwnerOverdue& o : summary.overdue_by_owner) {
    Json item;
    item["owner"] = o.owner;
    const Person* person = directory.FindPerson(o.owner);
    item["name"] = person != nullptr ? Json(person->name) : Json(nullptr);
    item["count"] = o.tasks.size();
    Json tasks = Json::array();
    for (const TaskBrief& t : o.tasks) tasks.push_back(TaskBriefJson(t));
    item["tasks"] = std::move(tasks);
    owners.push_back(std::move(item));
  }
  j["overdue_by_owner"] = std::move(owners);
  Json soon = Json::array();
  for (const TaskBrief& t : summary.due_soon) soon.push_back(TaskBriefJson(t));
  j["due_soon"] = std::move(soon);
  j["generated_at"] = FormatRfc3339(now);
  return j;
}

Json EncodePeople(const Directory& directory) {
  Json items = Json::array();
  for (const Person& p : directory.people()) {
    Json j;
    j["id"] = p.id;
    j["name"] = p.name;
    j["team"] = p.team;
    j["manager"] = OptionalJson(p.manager);
    items.push_back(std::move(j));
  }
  Json out;
  out["items"] = std::move(items);
  return out;
}

Json EncodeTeams(const Directory& directory) {
  Json items = Json::array();
  for (const Team& t : directory.teams()) {
    Json j;
    j["id"] = t.id;
    j["name"] = t.name;
    j["time_zone"] = t.time_zone;
    items.push_back(std::move(j));
  }
  Json out;
  out["items"] = std::move(items);
  return out;
}

namespace {

// A whole number as an integer ("20", not "20.0").
Json Number(double value) {
  if (value == std::floor(value) && std::abs(value) < 1e15) {
    return static_cast<std::int64_t>(value);
  }
  return value;
}

// The URL as logs show it; null for the log channel, which has none.
Json ChannelUrl(const ChannelOptions& options) {
  if (options.type == ChannelType::kLog) return nullptr;
  return notifiers::RedactUrl(options.url);
}

}  // namespace

Json EncodeChannels(const std::vector<ChannelStatus>& channels) {
  Json items = Json::array();
  for (const ChannelStatus& c : channels) {
    const ChannelOptions& o = c.options;
    Json j;
    j["id"] = o.id;
    j["type"] = ToString(o.type);
    j["url"] = ChannelUrl(o);
    j["signed"] = o.secret.has_value();
    j["timeout_ms"] = o.type == ChannelType::kLog ? Json(nullptr) : Json(o.timeout.count());
    j["rate_limit"] =
        o.rate_limit.per_minute > 0
            ? Json{{"per_minute", Number(o.rate_limit.per_minute)}, {"burst", o.rate_limit.burst}}
            : Json(nullptr);
    j["broken"] = c.broken;
    j["broken_reason"] = c.broken ? Json(c.broken_reason) : Json(nullptr);
    j["next_probe_at"] = c.next_probe_at ? Json(FormatRfc3339(*c.next_probe_at)) : Json(nullptr);
    j["locale"] = o.locale ? Json(ToString(*o.locale)) : Json(nullptr);
    j["owner"] = o.owner ? Json(*o.owner) : Json(nullptr);
    items.push_back(std::move(j));
  }
  Json out;
  out["items"] = std::move(items);
  return out;
}

Json EncodeChannelTest(const ChannelTestReport& report) {
  const ChannelOptions& o = report.options;
  const notifiers::DeliveryOutcome& outcome = report.outcome;
  const bool delivered = outcome.verdict == notifiers::DeliveryVerdict::kDelivered;
  Json j;
  j["channel"] = o.id;
  j["type"] = ToString(o.type);
  j["url"] = ChannelUrl(o);
  j["idempotency_key"] = report.idempotency_key;
  j["message"] = report.message;
  j["sent_at"] = FormatRfc3339(report.sent_at);
  j["delivered"] = delivered;
  j["category"] = notifiers::ToString(notifiers::CategoryOf(outcome));
  j["outcome"] = outcome.reason;
  if (const auto& answer = outcome.answer) {
    j["reason"] = answer->explanation;
    j["http_status"] = answer->http_status != 0 ? Json(answer->http_status) : Json(nullptr);
    j["network_error"] =
        answer->network_error.empty()
            ? Json(nullptr)
            : Json{{"code", answer->network_error}, {"message", answer->network_error_message}};
    j["provider_code"] = OptionalJson(answer->provider_code);
    j["provider_message"] =
        answer->provider_message.empty() ? Json(nullptr) : Json(answer->provider_message);
    j["reply_body"] = answer->http_status != 0 ? Json(answer->body) : Json(nullptr);
    j["reply_truncated"] = answer->body_truncated;
    j["latency_ms"] = answer->latency.count();
    j["parts"] = answer->parts;
    j["requests"] = answer->requests;
  } else {
    // The log channel: nothing was sent over the network.
    j["reason"] = o.type == ChannelType::kLog && delivered
                      ? std::string("the message was written to kaizend's log")
                      : outcome.reason;
    j["http_status"] = nullptr;
    j["network_error"] = nullptr;
    j["provider_code"] = nullptr;
    j["provider_message"] = nullptr;
    j["reply_body"] = nullptr;
    j["reply_truncated"] = false;
    j["latency_ms"] = nullptr;
    j["parts"] = delivered ? 1 : 0;
    j["requests"] = 0;
  }
  j["retry_after_seconds"] =
      outcome.retry_after ? Json(outcome.retry_after->count()) : Json(nullptr);
  j["rate_limit_wait_ms"] = report.rate_limit_wait.count();
  j["duration_ms"] = report.duration.count();
  return j;
}

PlanProgress ProgressOfTasks(const std::vector<Task>& tasks, Instant now) {
  PlanProgress progress;
  for (TaskState s : kAllTaskStates) progress.tasks_by_state[s] = 0;
  for (const Task& t : tasks) {
    ++progress.tasks_by_state[t.state];
    ++progress.total;
    if (IsOverdue(t, now)) ++progress.overdue;
  }
  return progress;
}

std::string TaskETag(const Task& task) { return "\"" + std::to_string(task.version) + "\""; }

// ---- Goals and schedule previews -------------------------------------------------------------

Result<GoalValueBody> DecodeGoalValue(const json& body) {
  GoalValueBody out;
  ObjectDecoder d(body, "", {"actual", "note", "actor"});
  d.Number("actual", out.value.actual, true);
  d.String("note", out.value.note, false);
  d.String("actor", out.actor, false);
  if (!d.ok()) return d.status();
  return out;
}

std::optional<int> ParseGoalIndex(std::string_view text) {
  if (text == "0") return 0;
  if (text.empty() || text.front() == '0' || text.size() > 9) return std::nullopt;
  int index = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return index;
}

Json EncodeGoalUpdate(const GoalUpdate& update) {
  Json j;
  j["id"] = update.id;
  j["value"] = NumberJson(update.value);
  j["at"] = FormatRfc3339(update.at);
  j["actor"] = update.actor;
  j["note"] = update.note;
  return j;
}

namespace {

const date::time_zone* FindZone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    // date/tz reports an unknown zone only by throwing.
    return nullptr;
  }
}

Result<int> PreviewCount(long long count, const std::function<Status(std::string)>& refuse) {
  if (count < 1 || count > kMaxPreviewCount) {
    return refuse("count must be from 1 to " + std::to_string(kMaxPreviewCount) + ", not " +
                  std::to_string(count));
  }
  return static_cast<int>(count);
}

// "2027-01-01T09:00:00+08:00": the wall-clock time and its offset from UTC.
std::string LocalText(date::local_seconds local, std::chrono::seconds offset) {
  std::string out = date::format("%FT%T", local);
  const long long total = offset.count();
  const long long minutes = (total < 0 ? -total : total) / 60;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%c%02lld:%02lld", total < 0 ? '-' : '+', minutes / 60,
                minutes % 60);
  return out + buffer;
}

}  // namespace

Result<SchedulePreviewRequest> DecodeSchedulePreview(const json& body, Instant now) {
  SchedulePreviewRequest out;
  out.from = now;
  std::string zone_name = "UTC";
  std::string dst = "fire_after_gap";
  ObjectDecoder d(body, "", {"rule", "time_zone", "from", "count", "dst"});
  d.String("rule", out.rule_text, true);
  d.NonEmptyString("time_zone", zone_name, false);
  d.Time("from", out.from, false);
  d.String("dst", dst, false);
  if (d.Has("count")) {
    const json& count = body["count"];
    if (!count.is_number_integer()) {
      d.Fail(InvalidField("count", "an integer from 1 to " + std::to_string(kMaxPreviewCount)));
    } else {
      auto checked = PreviewCount(count.get<long long>(), [](std::string message) {
        return InvalidArgument("invalid_field", "field 'count': " + message,
                               {{"field", "count"}, {"maximum", kMaxPreviewCount}});
      });
      if (checked.ok()) {
        out.count = *checked;
      } else {
        d.Fail(checked.status());
      }
    }
  }
  if (!d.ok()) return d.status();
  if (dst == "skip") {
    out.dst = DstGapPolicy::kSkip;
  } else if (dst != "fire_after_gap") {
    return InvalidArgument("invalid_field",
                           "field 'dst' must be \"fire_after_gap\" or \"skip\", not '" + dst + "'",
                           {{"field", "dst"}, {"allowed", {"fire_after_gap", "skip"}}});
  }
  out.zone = FindZone(zone_name);
  if (out.zone == nullptr) {
    return InvalidArgument("unknown_time_zone",
                           "'" + zone_name + "' is not an IANA time zone (e.g. Asia/Shanghai)",
                           {{"field", "time_zone"}, {"value", zone_name}});
  }
  Result<CronRule> rule = ParseCronRule(out.rule_text);
  if (!rule.ok()) {
    const Status& s = rule.status();
    json details = {{"field", "rule"}};
    if (s.details().is_object() && s.details().contains("field")) {
      details["part"] = s.details()["field"];
    }
    return InvalidArgument(s.reason(), s.message(), details);
  }
  out.rule = std::move(*rule);
  return out;
}

Result<PreviewWindow> ParsePreviewQuery(const QueryParams& query, Instant now) {
  if (Status s = CheckQueryNames(query, {"count", "from"}); !s.ok()) return s;
  PreviewWindow out;
  out.from = now;
  if (auto value = QueryValue(query, "count")) {
    long long count = 0;
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), count);
    if (ec != std::errc() || end != value->data() + value->size()) count = 0;
    auto checked = PreviewCount(count, [&value](std::string) {
      return InvalidQuery("count", "query parameter 'count' must be an integer from 1 to " +
                                       std::to_string(kMaxPreviewCount) + ", not '" +
                                       std::string(*value) + "'");
    });
    if (!checked.ok()) return checked.status();
    out.count = *checked;
  }
  auto from = ParseQueryTime(query, "from");
  if (!from.ok()) return from.status();
  if (*from) out.from = **from;
  return out;
}

Json EncodeFire(const CronFire& fire) {
  static constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  Json j;
  j["utc"] = FormatRfc3339(fire.at);
  j["local"] = LocalText(fire.local_time, fire.utc_offset);
  const date::weekday weekday{date::floor<date::days>(fire.local_time)};
  j["weekday"] = kWeekdays[weekday.c_encoding()];
  j["abbreviation"] = fire.zone_abbreviation;
  j["moved_from"] = fire.scheduled_local_time != fire.local_time
                        ? Json(date::format("%FT%T", fire.scheduled_local_time))
                        : Json(nullptr);
  return j;
}

Json EncodeFires(const std::string& rule, const date::time_zone& zone, DstGapPolicy dst,
                 const std::vector<CronFire>& fires) {
  Json j;
  j["rule"] = rule;
  j["time_zone"] = std::string(zone.name());
  j["dst"] = ToString(dst);
  Json items = Json::array();
  for (const CronFire& fire : fires) items.push_back(EncodeFire(fire));
  j["fires"] = std::move(items);
  return j;
}

}  // namespace kaizen::daemon
