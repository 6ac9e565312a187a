#include "cli/commands.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "cli/backup.h"
#include "cli/render.h"
#include "workflow/model.h"

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
  Session(const Invocation& inv, const ServerUrl& server, Transport& transport, const Clock& clock,
          const EnvLookup& env, Terminal terminal)
      : inv_(inv),
        server_(server),
        transport_(transport),
        clock_(clock),
        env_(env),
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
    if (name == "plans") return Plans();
    if (name == "plan show") return PlanShow();
    if (name == "plan report") return PlanReport();
    if (name == "plan close") return PlanClose();
    if (name == "channels") return Channels();
    if (name == "channels test") return ChannelTest();
    if (name == "summary") return Summary();
    if (name == "templates") return Templates();
    if (name == "schedules preview") return SchedulePreview();
    if (name == "schedules") return Schedules();
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

  // Sends one request; a 2xx answer's JSON body, or the API's error as a Status.
  Result<json> Call(std::string method, const std::string& path, const json& body = nullptr,
                    std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    HttpRequest request{std::move(method), server_.base_path + "/api/v1" + path,
                        body.is_null() ? "" : body.dump(), timeout};
    Result<HttpResponse> response = transport_.Send(request);
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
    if (auto owner = inv_.Get("owner")) query.Add("owner", *owner);
    if (auto state = inv_.Get("state")) {
      if (!ParseTaskState(*state)) return TaskStateError(*state);
      query.Add("state", *state);
    }
    if (auto team = inv_.Get("team")) query.Add("team", *team);
    if (inv_.Has("overdue")) query.Add("overdue", "true");
    Result<std::int64_t> limit = Limit();
    if (!limit.ok()) return limit.status();
    Result<json> list = List("/tasks", query, *limit, "tasks");
    if (!list.ok()) return list.status();
    if (Json()) {
      term_.out << Dump(*list);
    } else if (list->at("items").empty()) {
      term_.out << "no tasks\n";
    } else {
      term_.out << RenderTaskTable(list->at("items"), clock_.Now());
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
      term_.out << RenderTask(*task, events->value("items", json::array()), clock_.Now());
    }
    return Status::Ok();
  }

  Status TaskMove(std::string_view to) {
    Result<std::string> id = IdArgument();
    if (!id.ok()) return id.status();
    if (!ParseTaskState(to)) return TaskStateError(to);
    std::optional<std::string> actor = inv_.Get("actor");
    if (!actor || actor->empty()) actor = env_ ? env_("KAIZEN_ACTOR") : std::nullopt;
    if (!actor || actor->empty()) {
      return UsageError("--actor ID is required: who makes this move (or set KAIZEN_ACTOR)");
    }
    std::optional<std::string> note = inv_.Get("note");
    if (inv_.command->name == "task reject" && (!note || note->empty())) {
      return UsageError("task reject needs --note TEXT: what is missing for the task to pass");
    }
    json body = {{"to", to}, {"actor", *actor}};
    if (note) body["note"] = *note;
    Result<json> task = Call("POST", "/tasks/" + *id + "/transitions", body);
    if (!task.ok()) return task.status();
    term_.out << (Json() ? Dump(*task) : RenderMoved(*task, clock_.Now()));
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
      term_.out << RenderPlanTable(list->at("items"));
    }
    return Status::Ok();
  }

  Status PlanShow() {
    Result<std::string> id = IdArgument();
    if (!id.ok()) return id.status();
    Result<json> plan = Call("GET", "/plans/" + *id);
    if (!plan.ok()) return plan.status();
    term_.out << (Json() ? Dump(*plan) : RenderPlan(*plan, clock_.Now()));
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
      Result<HttpResponse> response = transport_.Send(request);
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
    term_.out << (Json() ? Dump(*summary) : RenderSummary(*summary, clock_.Now()));
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

  const Invocation& inv_;
  const ServerUrl& server_;
  Transport& transport_;
  const Clock& clock_;
  const EnvLookup& env_;
  Terminal term_;
};

int Fail(const Status& status, const Invocation* inv, Terminal term) {
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
  return ExitCode(status);
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
    terminal.out << (inv->command != nullptr ? CommandHelp(*inv->command) : OverallHelp());
    return kExitOk;
  }
  if (inv->version && inv->command == nullptr) {
    terminal.out << "kaizenctl " << KAIZEN_VERSION << "\n";
    return kExitOk;
  }
  std::string server_text(kDefaultServer);
  if (inv->server) {
    server_text = *inv->server;
  } else if (std::optional<std::string> from_env = env ? env("KAIZEN_SERVER") : std::nullopt;
             from_env && !from_env->empty()) {
    server_text = *from_env;
  }
  Result<ServerUrl> server = ParseServerUrl(server_text);
  if (!server.ok()) return Fail(server.status(), &*inv, terminal);
  std::unique_ptr<Transport> transport = make_transport(*server);
  Session session(*inv, *server, *transport, clock, env, terminal);
  Status status = session.Dispatch();
  return status.ok() ? kExitOk : Fail(status, &*inv, terminal);
}

}  // namespace kaizen::cli
