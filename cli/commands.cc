#include "cli/commands.h"

#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/backup.h"
#include "cli/format.h"
#include "cli/render.h"
#include "config/config.h"
#include "workflow/model.h"
#include "workflow/notification.h"

#ifndef KAIZEN_VERSION
#define KAIZEN_VERSION "dev"
#endif

namespace kaizen::cli {
namespace {

using json = nlohmann::ordered_json;

constexpr std::int64_t kPageMax = 500;  // the API's largest page
// kaizend answers a channel test when the delivery is over: at most twice the channel's timeout
// (10 minutes at most; a refused signature timestamp is sent once more) plus the wait for the
// channel's rate limit.
constexpr std::chrono::milliseconds kChannelTestWait = std::chrono::minutes(25);
constexpr std::int64_t kDefaultLimit = 1000;

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto b = static_cast<unsigned char>(c);
    if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    }
  }
  return out;
}

class Query {
 public:
  void Add(std::string_view name, std::string_view value) {
    text_ += text_.empty() ? "?" : "&";
    text_ += std::string(name) + "=" + PercentEncode(value);
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

Result<std::int64_t> PositiveInt(std::string_view text, std::string_view what) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    return UsageError(std::string(what) + " must be a positive whole number, not '" +
                      std::string(text) + "'");
  }
  return value;
}

std::string StateList() {
  std::string out;
  for (TaskState s : kAllTaskStates) out += (out.empty() ? "" : ", ") + std::string(ToString(s));
  return out;
}

Status TaskStateError(std::string_view text) {
  return UsageError("unknown task state '" + std::string(text) + "'; one of: " + StateList());
}

StatusCode CodeForHttp(int status) {
  switch (status) {
    case 400: return StatusCode::kInvalidArgument;
    case 401: return StatusCode::kUnauthenticated;
    case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 409: return StatusCode::kConflict;
    case 412: return StatusCode::kPreconditionFailed;
    case 422: return StatusCode::kUnprocessable;
    case 503: return StatusCode::kUnavailable;
    default: return StatusCode::kInternal;
  }
}

int ExitCode(const Status& status) {
  if (IsUsageError(status)) return kExitUsage;
  if (status.code() == StatusCode::kUnauthenticated ||
      status.code() == StatusCode::kPermissionDenied) {
    return kExitNotAllowed;
  }
  if (status.reason() == "cannot_connect") return kExitCannotConnect;
  if (status.reason() == "not_delivered") return kExitNotDelivered;
  return kExitApiError;
}

std::string Dump(const json& value) {
  // An invalid UTF-8 byte in a title must not stop the answer from being shown.
  return value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// One run of one command: the parsed invocation and everything it talks to.
class Session {
 public:
  Session(const Invocation& inv, const Settings& settings, const ServerUrl& server,
          Transport& transport, const Clock& clock, Style style, Terminal terminal)
      : inv_(inv),
        settings_(settings),
        server_(server),
        transport_(transport),
        now_(clock.Now()),
        style_(style),
        term_(terminal) {}

  Status Dispatch() {
    std::string_view name = inv_.command->name;
    if (name == "tasks") return Tasks();
    if (name == "task show") return TaskShow();
    if (name == "task move") return TaskMove(inv_.positionals[1]);
    if (name == "task start") return TaskMove("in_progress");
    if (name == "task block") return TaskMove("blocked");
    if (name == "task done") return TaskMove("done");
    if (name == "task verify") return TaskMove("verified");
    if (name == "task reject") return TaskMove("in_progress");
    if (name == "task cancel") return TaskMove("cancelled");
    if (name == "task reopen") return TaskMove("open");
    if (name == "task snooze") return TaskSnooze();
    if (name == "plans") return Plans();
    if (name == "plan show") return PlanShow();
    if (name == "plan create") return PlanCreate();
    if (name == "plan cancel") return PlanCancel();
    if (name == "notifications list") return Notifications();
    if (name == "notifications retry") return NotificationRetry();
    if (name == "plan report") return PlanReport();
    if (name == "plan close") return PlanClose();
    if (name == "channels list") return Channels();
    if (name == "channels test") return ChannelTest();
    if (name == "summary") return Summary();
    if (name == "templates") return Templates();
    if (name == "schedules preview") return SchedulePreview();
    if (name == "schedules list") return Schedules();
    if (name == "schedules trigger") return ScheduleTrigger();
    if (name == "schedules pause") return ScheduleAction("pause");
    if (name == "schedules resume") return ScheduleAction("resume");
    if (name == "backup") {
      return DownloadBackup(inv_.positionals[0], inv_.Has("force"), server_, transport_, term_.out);
    }
    return UsageError("command '" + std::string(name) + "' is not implemented");
  }

 private:
  bool Json() const { return inv_.output == OutputFormat::kJson; }

  // Sends `request` with the token, when there is one.
  Result<HttpResponse> Send(HttpRequest request) {
    if (settings_.token)
      request.headers.emplace_back("Authorization", "Bearer " + *settings_.token);
    return transport_.Send(request);
  }

  // Sends one request; a 2xx answer's JSON body, or the API's error as a Status.
  Result<json> Call(std::string method, const std::string& path, const json& body = nullptr,
                    std::optional<std::chrono::milliseconds> timeout = std::nullopt,
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest request{std::move(method), server_.base_path + "/api/v1" + path,
                        body.is_null() ? "" : body.dump(), timeout};
    request.headers = std::move(headers);
    Result<HttpResponse> response = Send(request);
    if (!response.ok()) return response.status();
    json parsed = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    if (response->status >= 200 && response->status < 300) {
      if (parsed.is_discarded()) {
        return Internal("bad_answer", "kaizend answered HTTP " + std::to_string(response->status) +
                                          " with a body that is not JSON");
      }
      return parsed;
    }
    const json* error = parsed.is_object() && parsed.contains("error") ? &parsed["error"] : nullptr;
    if (error != nullptr && error->is_object() && error->value("message", json()).is_string()) {
      return Status(CodeForHttp(response->status), error->value("code", "http_error"),
                    (*error)["message"].get<std::string>(),
                    nlohmann::json::parse(error->value("details", json()).dump()));
    }
    return Status(CodeForHttp(response->status), "http_" + std::to_string(response->status),
                  "kaizend answered HTTP " + std::to_string(response->status) + " to " +
                      request.method + " " + request.target);
  }

  // Follows next_cursor until `limit` items are collected or the list ends.
  Result<json> List(const std::string& path, Query query, std::int64_t limit,
                    std::string_view what) {
    json items = json::array();
    json cursor = nullptr;
    while (static_cast<std::int64_t>(items.size()) < limit) {
      Query page = query;
      page.Add("limit",
               std::to_string(std::min(kPageMax, limit - static_cast<std::int64_t>(items.size()))));
      if (cursor.is_string()) page.Add("cursor", cursor.get<std::string>());
      Result<json> answer = Call("GET", path + page.text());
      if (!answer.ok()) return answer.status();
      const json& got = answer->value("items", json::array());
      for (const json& item : got) {
        if (static_cast<std::int64_t>(items.size()) < limit) items.push_back(item);
      }
      cursor = answer->value("next_cursor", json());
      // An empty page with a cursor would loop forever; the daemon should never send one.
      if (!cursor.is_string() || got.empty()) {
        cursor = nullptr;
        break;
      }
    }
    if (cursor.is_string() && !Json()) {
      term_.err << "kaizenctl: showing the first " << items.size() << " " << what
                << "; --limit N shows more\n";
    }
    return json{{"items", std::move(items)}, {"next_cursor", cursor}};
  }

  Status Tasks() {
    Query query;
    if (auto plan = inv_.Get("plan")) {
      Result<std::int64_t> id = PositiveInt(*plan, "--plan");
      if (!id.ok()) return id.status();
      query.Add("plan", std::to_string(*id));
    }
    std::optional<std::string> owner = inv_.Get("owner");
    if (inv_.Has("mine")) {
      if (owner) return UsageError("give --mine or --owner, not both");
      if (!settings_.actor) {
        return UsageError(
            "--mine needs to know who you are: --actor ID, KAIZEN_ACTOR, or \"actor\" in the "
            "config file");
      }
      owner = settings_.actor;
    }
    if (owner) query.Add("owner", *owner);
    if (auto state = inv_.Get("state")) {
      if (!ParseTaskState(*state)) return TaskStateError(*state);
      query.Add("state", *state);
    }
    if (auto team = inv_.Get("team")) query.Add("team", *team);
    if (inv_.Has("overdue")) query.Add("overdue", "true");
    if (auto within = inv_.Get("due-within")) {
      if (inv_.Has("overdue")) {
        return UsageError("give --overdue (already past) or --due-within (ahead), not both");
      }
      std::optional<std::chrono::seconds> span = ParseShortDuration(*within);
      if (!span) {
        return UsageError("--due-within takes a duration such as 6h, 2d, 1w or 1d12h, not '" +
                          *within + "'");
      }
      query.Add("due_after", FormatRfc3339(now_));
      query.Add("due_before", FormatRfc3339(now_ + *span));
    }
    Result<std::int64_t> limit = Limit();
    if (!limit.ok()) return limit.status();
    Result<json> list = List("/tasks", query, *limit, "tasks");
    if (!list.ok()) return list.status();
    if (Json()) {
      term_.out << Dump(*list);
    } else if (list->at("items").empty()) {
      term_.out << "no tasks\n";
    } else {
      term_.out << RenderTaskTable(list->at("items"), now_, style_);
    }
    return Status::Ok();
  }

  Status TaskSnooze() {
    Result<std::string> id = IdArgument();
    if (!id.ok()) return id.status();
    std::optional<std::string> until = inv_.Get("until");
    std::optional<std::string> span_text = inv_.Get("for");
    if (until.has_value() == span_text.has_value()) {
      return UsageError("task snooze needs --until TIME or --for DURATION (one of them)");
    }
    std::optional<Instant> new_due;
    std::optional<std::chrono::seconds> span;
    if (until) {
      new_due = ParseRfc3339(*until);
      if (!new_due) {
        return UsageError(
            "--until takes an RFC 3339 time such as 2026-12-05T18:00:00+08:00, not '" + *until +
            "'");
      }
    } else {
      span = ParseShortDuration(*span_text);
      if (!span) {
        return UsageError("--for takes a duration such as 6h, 2d, 1w or 1d12h, not '" + *span_text +
                          "'");
      }
    }
    Result<json> before = Call("GET", "/tasks/" + *id);
    if (!before.ok()) return before.status();
    if (span) {
      const json& due = before->value("due_at", json());
      std::optional<Instant> current =
          due.is_string() ? ParseRfc3339(due.get<std::string>()) : std::nullopt;
      // A deadline already passed moves from now: snoozing an overdue task for 2d gives two
      // days from here, not two days after a date long gone. Now is rounded up to the whole
      // second: a deadline needs no milliseconds.
      Instant from =
          current && *current > now_ ? *current : std::chrono::ceil<std::chrono::seconds>(now_);
      new_due = from + *span;
    }
    json body = {{"due_at", FormatRfc3339(*new_due)}};
    if (settings_.actor) body["actor"] = *settings_.actor;
    std::vector<std::pair<std::string, std::string>> headers;
    const json& version = before->value("version", json());
    if (version.is_number_integer()) {
      headers.emplace_back("If-Match", "\"" + std::to_string(version.get<std::int64_t>()) + "\"");
    }
    Result<json> after = Call("PATCH", "/tasks/" + *id, body, std::nullopt, std::move(headers));
    if (!after.ok()) return after.status();
    term_.out << (Json() ? Dump(*after) : RenderSnoozed(*before, *after, now_));
    return Status::Ok();
  }

  Result<std::string> ReadInput(const std::string& path) {
    std::ostringstream text;
    if (path == "-") {
      text << std::cin.rdbuf();
      return text.str();
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return UsageError("cannot read " + path);
    text << in.rdbuf();
    return text.str();
  }

  // A cycle start from --start: an RFC 3339 time, or a date meaning midnight in the team's
  // zone (asked from kaizend, which knows the team).
  Result<std::string> StartTime(const std::string& text, const std::string& team) {
    if (ParseRfc3339(text)) return text;
    if (!IsValidDate(text)) {
      return UsageError("--start takes an RFC 3339 time or a date YYYY-MM-DD, not '" + text + "'");
    }
    Result<json> teams = Call("GET", "/teams");
    if (!teams.ok()) return teams.status();
    std::string zone_name;
    for (const json& t : teams->value("items", json::array())) {
      if (t.value("id", json()) == team && t.value("time_zone", json()).is_string()) {
        zone_name = t["time_zone"].get<std::string>();
      }
    }
    if (zone_name.empty()) {
      return Status(StatusCode::kUnprocessable, "unknown_team",
                    "kaizend knows no team '" + team + "'");
    }
    try {
      const date::time_zone* zone = date::locate_zone(zone_name);
      // IsValidDate checked the form YYYY-MM-DD and the day.
      auto number = [&text](std::size_t at, std::size_t length) {
        return std::stoi(text.substr(at, length));
      };
      const date::local_days day{date::year(number(0, 4)) /
                                 date::month(static_cast<unsigned>(number(5, 2))) /
                                 date::day(static_cast<unsigned>(number(8, 2)))};
      auto start =
          zone->to_sys(date::local_time<std::chrono::milliseconds>(day), date::choose::earliest);
      return FormatRfc3339(Instant(start.time_since_epoch()));
    } catch (const std::exception&) {
      // A midnight skipped by a DST change, or a zone this machine lacks: ask for a time.
      return UsageError("cannot place " + text + " in " + zone_name +
                        " here; give --start as an RFC 3339 time");
    }
  }

  Status PlanCreate() {
    std::optional<std::string> file = inv_.Get("file");
    std::optional<std::string> template_id = inv_.Get("template");
    json body;
    if (file) {
      for (const char* other : {"template", "team", "start", "owner"}) {
        if (inv_.Has(other)) {
          return UsageError(std::string("-f FILE holds the whole plan; --") + other +
                            " goes with --template");
        }
      }
      Result<std::string> text = ReadInput(*file);
      if (!text.ok()) return text.status();
      body = json::parse(*text, nullptr, /*allow_exceptions=*/false);
      if (body.is_discarded() || !body.is_object()) {
        return UsageError(*file + " is not a JSON object (a plan as POST /api/v1/plans takes)");
      }
    } else if (template_id) {
      std::optional<std::string> team = inv_.Get("team");
      if (!team || team->empty()) return UsageError("plan create --template needs --team T");
      body = {{"template", *template_id}, {"team", *team}};
      if (auto start = inv_.Get("start")) {
        Result<std::string> at = StartTime(*start, *team);
        if (!at.ok()) return at.status();
        body["start"] = *at;
      }
      if (auto owner = inv_.Get("owner")) body["owner"] = *owner;
    } else {
      return UsageError("plan create needs --template ID --team T, or -f FILE");
    }
    if (settings_.actor && !body.contains("actor")) body["actor"] = *settings_.actor;
    Result<json> plan = Call("POST", "/plans", body);
    if (!plan.ok()) return plan.status();
    if (Json()) {
      term_.out << Dump(*plan);
    } else {
      term_.out << "plan " << Text(plan->value("id", json())) << " created\n\n"
                << RenderPlan(*plan, now_, style_);
    }
    return Status::Ok();
  }

  Status PlanCancel() {
    Result<std::string> id = IdArgument();
    if (!id.ok()) return id.status();
    std::optional<std::string> note = inv_.Get("note");
    if (!note || note->empty()) {
      return UsageError("plan cancel needs --note TEXT: why the plan stops");
    }
    json body = {{"note", *note}};
    if (settings_.actor) body["actor"] = *settings_.actor;
    Result<json> plan = Call("POST", "/plans/" + *id + "/cancel", body);
    if (!plan.ok()) return plan.status();
    if (Json()) {
      term_.out << Dump(*plan);
    } else {
      std::int64_t cancelled = 0;
      for (const json& t : plan->value("tasks", json::array())) {
        if (t.value("state", json()) == "cancelled") ++cancelled;
      }
      term_.out << "plan " << Text(plan->value("id", json())) << " is now "
                << Text(plan->value("state", json())) << " (" << cancelled
                << " task(s) cancelled): " << Text(plan->value("title", json())) << "\n";
    }
    return Status::Ok();
  }

  Status Notifications() {
    Query query;
    if (auto state = inv_.Get("state")) {
      if (!ParseNotificationState(*state)) {
        return UsageError("unknown notification state '" + *state +
                          "'; one of: pending, delivering, delivered, failed, dead");
      }
      query.Add("state", *state);
    }
    if (auto task = inv_.Get("task")) {
      Result<std::int64_t> id = PositiveInt(*task, "--task");
      if (!id.ok()) return id.status();
      query.Add("task", std::to_string(*id));
    }
    if (auto channel = inv_.Get("channel")) query.Add("channel", *channel);
    Result<std::int64_t> limit = Limit();
    if (!limit.ok()) return limit.status();
    Result<json> list = List("/notifications", query, *limit, "notifications");
    if (!list.ok()) return list.status();
    if (Json()) {
      term_.out << Dump(*list);
    } else if (list->at("items").empty()) {
      term_.out << "no notifications\n";
    } else {
      term_.out << RenderNotificationTable(list->at("items"), now_, style_);
    }
    return Status::Ok();
  }

  Status NotificationRetry() {
    Result<std::string> id = IdArgument();
    if (!id.ok()) return id.status();
    Result<json> notification = Call("POST", "/notifications/" + *id + "/retry");
    if (!notification.ok()) return notification.status();
    if (Json()) {
      term_.out << Dump(*notification);
    } else {
      term_.out << "notification " << *id << " is " << Text(notification->value("state", json()))
                << " again: channel " << Text(notification->value("channel", json()))
                << ", attempts counted from 0\n";
    }
    return Status::Ok();
  }

  Result<std::int64_t> Limit() {
    auto text = inv_.Get("limit");
    return text ? PositiveInt(*text, "--limit") : Result<std::int64_t>(kDefaultLimit);
  }

  Result<std::string> IdArgument() {
    Result<std::int64_t> id = PositiveInt(inv_.positionals[0], "ID");
    if (!id.ok()) return id.status();
    return std::to_string(*id);
  }

  Status TaskShow() {
    Result<std::string> id = IdArgument();
    if (!id.ok()) return id.status();
    Result<json> task = Call("GET", "/tasks/" + *id);
    if (!task.ok()) return task.status();
    Result<json> events = Call("GET", "/tasks/" + *id + "/events");
    if (!events.ok()) return events.status();
    if (Json()) {
      term_.out << Dump(json{{"task", *task}, {"events", events->value("items", json::array())}});
    } else {
      term_.out << RenderTask(*task, events->value("items", json::array()), now_, style_);
    }
    return Status::Ok();
  }

  Status TaskMove(std::string_view to) {
    Result<std::string> id = IdArgument();
    if (!id.ok()) return id.status();
    if (!ParseTaskState(to)) return TaskStateError(to);
    const std::optional<std::string>& actor = settings_.actor;
    // With a token, kaizend takes the actor from the token's person.
    if (!actor && !settings_.token) {
      return UsageError(
          "--actor ID is required: who makes this move (or set KAIZEN_ACTOR, or \"actor\" in "
          "the config file, or use a token that names you)");
    }
    std::optional<std::string> note = inv_.Get("note");
    if (inv_.command->name == "task reject" && (!note || note->empty())) {
      return UsageError("task reject needs --note TEXT: what is missing for the task to pass");
    }
    json body = {{"to", to}};
    if (actor) body["actor"] = *actor;
    if (note) body["note"] = *note;
    Result<json> task = Call("POST", "/tasks/" + *id + "/transitions", body);
    if (!task.ok()) return task.status();
    term_.out << (Json() ? Dump(*task) : RenderMoved(*task, now_));
    return Status::Ok();
  }

  Status Plans() {
    Query query;
    if (auto state = inv_.Get("state")) {
      if (!ParsePlanState(*state)) {
        return UsageError("unknown plan state '" + *state +
                          "'; one of: active, completed, cancelled");
      }
      query.Add("state", *state);
    }
    if (auto owner = inv_.Get("owner")) query.Add("owner", *owner);
    if (auto team = inv_.Get("team")) query.Add("team", *team);
    Result<std::int64_t> limit = Limit();
    if (!limit.ok()) return limit.status();
    Result<json> list = List("/plans", query, *limit, "plans");
    if (!list.ok()) return list.status();
    if (Json()) {
      term_.out << Dump(*list);
    } else if (list->at("items").empty()) {
      term_.out << "no plans\n";
    } else {
      term_.out << RenderPlanTable(list->at("items"), style_, now_);
    }
    return Status::Ok();
  }

  Status PlanShow() {
    Result<std::string> id = IdArgument();
    if (!id.ok()) return id.status();
    Result<json> plan = Call("GET", "/plans/" + *id);
    if (!plan.ok()) return plan.status();
    term_.out << (Json() ? Dump(*plan) : RenderPlan(*plan, now_, style_));
    return Status::Ok();
  }

  Status Templates() {
    Result<json> list = Call("GET", "/templates");
    if (!list.ok()) return list.status();
    if (Json()) {
      term_.out << Dump(*list);
    } else if (list->value("items", json::array()).empty()) {
      term_.out << "no templates\n";
    } else {
      term_.out << RenderTemplateTable(list->at("items"));
    }
    return Status::Ok();
  }

  Status PlanReport() {
    Result<std::string> id = IdArgument();
    if (!id.ok()) return id.status();
    std::string path = "/plans/" + *id + "/report";
    if (inv_.Has("markdown")) {
      if (auto locale = inv_.Get("locale")) path += "?locale=" + PercentEncode(*locale);
      HttpRequest request{"GET", server_.base_path + "/api/v1" + path, "", std::nullopt,
                          "text/markdown"};
      Result<HttpResponse> response = Send(request);
      if (!response.ok()) return response.status();
      if (response->status >= 200 && response->status < 300) {
        term_.out << response->body;
        return Status::Ok();
      }
      return Call("GET", path).status();  // the error, as JSON this time
    }
    if (inv_.Has("locale")) return UsageError("--locale goes with --markdown");
    Result<json> report = Call("GET", path);
    if (!report.ok()) return report.status();
    term_.out << (Json() ? Dump(*report) : RenderReport(*report));
    return Status::Ok();
  }

  Status PlanClose() {
    Result<std::string> id = IdArgument();
    if (!id.ok()) return id.status();
    Result<json> report = Call("POST", "/plans/" + *id + "/close", json::object());
    if (!report.ok()) return report.status();
    term_.out << (Json() ? Dump(*report) : RenderReport(*report));
    return Status::Ok();
  }

  Status Channels() {
    Result<json> list = Call("GET", "/channels");
    if (!list.ok()) return list.status();
    if (Json()) {
      term_.out << Dump(*list);
    } else if (list->value("items", json::array()).empty()) {
      term_.out << "no channels\n";
    } else {
      term_.out << RenderChannelTable(list->at("items"));
    }
    return Status::Ok();
  }

  Status ChannelTest() {
    const std::string& id = inv_.positionals[0];
    if (id.empty()) return UsageError("ID must name a channel");
    Result<json> report =
        Call("POST", "/channels/" + PercentEncode(id) + "/test", json::object(), kChannelTestWait);
    if (!report.ok()) return report.status();
    term_.out << (Json() ? Dump(*report) : RenderChannelTest(*report));
    if (report->value("delivered", false)) return Status::Ok();
    // The API call worked; the channel did not: a distinct exit status for scripts.
    std::string outcome = report->value("outcome", json()).is_string()
                              ? report->at("outcome").get<std::string>()
                              : std::string("unknown");
    return Status(StatusCode::kUnavailable, "not_delivered",
                  "channel " + id + " did not deliver the test message: " + outcome);
  }

  Status Summary() {
    Query query;
    if (auto team = inv_.Get("team")) query.Add("team", *team);
    if (auto owner = inv_.Get("owner")) query.Add("owner", *owner);
    Result<json> summary = Call("GET", "/summary" + query.text());
    if (!summary.ok()) return summary.status();
    term_.out << (Json() ? Dump(*summary) : RenderSummary(*summary, now_, style_));
    return Status::Ok();
  }

  Status SchedulePreview() {
    json body;
    body["rule"] = inv_.positionals[0];
    if (auto tz = inv_.Get("tz")) body["time_zone"] = *tz;
    if (auto count = inv_.Get("count")) {
      Result<std::int64_t> n = PositiveInt(*count, "--count");
      if (!n.ok()) return n.status();
      body["count"] = *n;
    }
    if (auto from = inv_.Get("from")) body["from"] = *from;
    if (auto dst = inv_.Get("dst")) body["dst"] = *dst;
    Result<json> preview = Call("POST", "/schedules/preview", body);
    if (!preview.ok()) return preview.status();
    term_.out << (Json() ? Dump(*preview) : RenderSchedulePreview(*preview));
    return Status::Ok();
  }

  // ---- Schedules (area "sched") ----
  Status Schedules() {
    Result<json> list = Call("GET", "/schedules");
    if (!list.ok()) return list.status();
    if (Json()) {
      term_.out << Dump(*list);
    } else if (list->value("items", json::array()).empty()) {
      term_.out << "no schedules\n";
    } else {
      term_.out << RenderScheduleTable(list->at("items"));
    }
    return Status::Ok();
  }

  Status ScheduleTrigger() {
    const std::string& id = inv_.positionals[0];
    Result<json> result =
        Call("POST", "/schedules/" + PercentEncode(id) + "/trigger", json::object());
    if (!result.ok()) return result.status();
    term_.out << (Json() ? Dump(*result) : RenderTriggered(id, *result));
    return Status::Ok();
  }

  Status ScheduleAction(std::string_view action) {
    const std::string& id = inv_.positionals[0];
    json body = json::object();
    if (action == "pause") {
      std::optional<std::string> reason = inv_.Get("reason");
      if (!reason || reason->empty()) {
        return UsageError("schedules pause needs --reason TEXT: why the schedule stops");
      }
      body["reason"] = *reason;
    }
    Result<json> schedule =
        Call("POST", "/schedules/" + PercentEncode(id) + "/" + std::string(action), body);
    if (!schedule.ok()) return schedule.status();
    term_.out << (Json() ? Dump(*schedule) : RenderScheduleTable(json::array({*schedule})));
    return Status::Ok();
  }

  static std::string Text(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    return value.is_null() ? "-" : value.dump();
  }

  const Invocation& inv_;
  const Settings& settings_;
  const ServerUrl& server_;
  Transport& transport_;
  // One moment for the whole run: a deadline computed from now and shown relative to now agree
  // ("--for 1d" shows "in 1d").
  const Instant now_;
  Style style_;
  Terminal term_;
};

// What to do about a 401 or 403, after kaizend's own message.
std::string AccessHint(const Status& status, const Settings* settings) {
  if (status.code() == StatusCode::kUnauthenticated) {
    if (settings == nullptr || !settings->token) {
      return "kaizend wants an API token: give --token, set KAIZEN_TOKEN, or put \"token\" or "
             "\"token_file\" in " +
             (settings != nullptr && !settings->config_file.empty()
                  ? settings->config_file
                  : std::string("~/.config/kaizen/kaizenctl.json"));
    }
    return "kaizend did not accept the token from " + settings->token_source +
           " (unknown, revoked or mistyped)";
  }
  if (status.code() == StatusCode::kPermissionDenied && status.reason() == "forbidden") {
    return "the token's role does not allow this; ask for a token with a role that does";
  }
  return "";
}

int Fail(const Status& status, const Invocation* inv, Terminal term,
         const Settings* settings = nullptr) {
  term.err << "kaizenctl: " << status.message();
  if (!IsUsageError(status) && status.reason() != "cannot_connect") {
    term.err << " (" << status.reason() << ")";
  }
  term.err << "\n";
  if (!status.details().is_null() && !status.details().empty()) {
    term.err << "  details: "
             << status.details().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
             << "\n";
  }
  if (IsUsageError(status)) {
    std::string command = inv != nullptr && inv->command != nullptr
                              ? " " + std::string(inv->command->name)
                              : std::string();
    term.err << "Run 'kaizenctl" << command << " --help' for usage.\n";
  }
  if (std::string hint = AccessHint(status, settings); !hint.empty()) {
    term.err << "  " << hint << "\n";
  }
  return ExitCode(status);
}

// check-config FILE: the config validated here, as kaizend --check-config does.
int CheckConfig(const std::string& path, const EnvLookup& env, Terminal terminal) {
  config::EnvLookup config_env = [&env](std::string_view name) -> std::optional<std::string> {
    return env ? env(name) : std::nullopt;
  };
  Result<config::Config> loaded = config::LoadConfigFile(path, config_env);
  if (!loaded.ok()) {
    terminal.err << loaded.status().message() << "\n";
    return kExitUsage;
  }
  terminal.out << path << ": ok\n";
  return kExitOk;
}

bool WantsColor(const Invocation& inv, const EnvLookup& env, Terminal terminal) {
  if (inv.no_color || !terminal.out_is_tty || inv.output == OutputFormat::kJson) return false;
  // https://no-color.org: NO_COLOR set and not empty turns colours off.
  if (std::optional<std::string> no_color = env ? env("NO_COLOR") : std::nullopt;
      no_color && !no_color->empty()) {
    return false;
  }
  std::optional<std::string> term = env ? env("TERM") : std::nullopt;
  return !(term && *term == "dumb");
}

}  // namespace

int Run(const std::vector<std::string>& args, const EnvLookup& env,
        const TransportFactory& make_transport, const Clock& clock, Terminal terminal) {
  Result<Invocation> inv = ParseArgs(args);
  if (!inv.ok()) {
    if (args.empty()) {
      terminal.err << OverallHelp();
      return kExitUsage;
    }
    return Fail(inv.status(), nullptr, terminal);
  }
  if (inv->help) {
    terminal.out << (inv->command != nullptr ? CommandHelp(*inv->command)
                     : !inv->group.empty()   ? GroupHelp(inv->group)
                                             : OverallHelp());
    return kExitOk;
  }
  if (inv->version && inv->command == nullptr) {
    terminal.out << "kaizenctl " << KAIZEN_VERSION << "\n";
    return kExitOk;
  }
  // Local commands: nothing is sent to kaizend, so no settings are read.
  const std::string_view name = inv->command->name;
  if (name == "completion") {
    if (inv->positionals[0] != "bash") {
      return Fail(UsageError("completion knows only bash, not '" + inv->positionals[0] + "'"),
                  &*inv, terminal);
    }
    terminal.out << BashCompletion();
    return kExitOk;
  }
  if (name == "check-config") return CheckConfig(inv->positionals[0], env, terminal);

  Result<Settings> settings = ResolveSettings(*inv, env);
  if (!settings.ok()) return Fail(settings.status(), &*inv, terminal);
  for (const std::string& warning : settings->warnings) {
    terminal.err << "kaizenctl: " << warning << "\n";
  }
  Result<ServerUrl> server = ParseServerUrl(settings->server);
  if (!server.ok()) return Fail(server.status(), &*inv, terminal);
  std::unique_ptr<Transport> transport = make_transport(*server);
  Style style{WantsColor(*inv, env, terminal), inv->output == OutputFormat::kWide};
  Session session(*inv, *settings, *server, *transport, clock, style, terminal);
  Status status = session.Dispatch();
  return status.ok() ? kExitOk : Fail(status, &*inv, terminal, &*settings);
}

}  // namespace kaizen::cli
