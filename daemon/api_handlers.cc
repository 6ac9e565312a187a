#include "daemon/api_handlers.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "config/plan_templates.h"
#include "daemon/access.h"
#include "daemon/api_json.h"
#include "daemon/daemon_metrics.h"
#include "daemon/logging.h"
#include "daemon/openapi_document.h"
#include "storage/storage.h"
#include "workflow/plan_report.h"
#include "workflow/goal_check_in.h"
#include "workflow/plan_service.h"

namespace kaizen::daemon {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kApiBase = "/api/v1";

Status PlanNotFound(std::string_view id) {
  return NotFound("plan_not_found", "no plan with id '" + std::string(id) + "'");
}

Status TaskNotFound(std::string_view id) {
  return NotFound("task_not_found", "no task with id '" + std::string(id) + "'");
}

std::string PathId(const RouteParams& params) {
  auto it = params.find("id");
  return it == params.end() ? std::string() : it->second;
}

// The prologue of every route on one resource: it takes no query parameters, and a path id
// that is not a positive integer names nothing.
Result<std::int64_t> ResourceId(const HttpRequest& request, const RouteParams& params,
                                Status (*not_found)(std::string_view)) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) return s;
  const std::string id_text = PathId(params);
  auto id = ParseId(id_text);
  if (!id) return not_found(id_text);
  return *id;
}

// A write's result with what its follow-up did in the same transaction.
template <typename T>
struct Followed {
  explicit Followed(T v) : value(std::move(v)) {}
  T value;
  bool reminders_changed = false;
  int notifications = 0;
  std::optional<Instant> next_reminder_at;  // of the task, for task answers
};

HttpResponse TaskResponse(int http_status, const Task& task, Instant now,
                          std::optional<Instant> next_reminder_at) {
  Json body = EncodeTask(task, now);
  body["next_reminder_at"] =
      next_reminder_at ? Json(FormatRfc3339(*next_reminder_at)) : Json(nullptr);
  HttpResponse response = JsonResponse(http_status, body);
  response.headers.emplace_back("ETag", TaskETag(task));
  return response;
}

HttpResponse PlanResponse(int http_status, const PlanWithTasks& plan, Instant now) {
  PlanProgress progress = ProgressOfTasks(plan.tasks, now);
  return JsonResponse(http_status, EncodePlan(plan.plan, &progress, &plan.tasks, now));
}

struct PlanListPage {
  Page<Plan> page;
  std::vector<PlanProgress> progress;  // one per item
};

// A request that takes no fields: no body, or {}. Otherwise the body's own error, or
// "unknown_field" naming the first field.
Status CheckEmptyBody(const HttpRequest& request, std::string_view what) {
  if (request.body.empty()) return Status::Ok();
  auto body = ParseJsonObjectBody(request);
  if (!body.ok()) return body.status();
  if (body->empty()) return Status::Ok();
  return InvalidArgument("unknown_field",
                         std::string(what) + " takes no fields; send {} or nothing",
                         {{"field", body->begin().key()}});
}

Status NotificationNotFound(std::string_view id) {
  return NotFound("notification_not_found", "no notification with id '" + std::string(id) + "'");
}

}  // namespace

ApiHandlers::ApiHandlers(storage::Storage& storage, std::shared_ptr<const Directory> directory,
                         const Clock& clock, FollowUpHooks follow_up, ChannelAdmin* channels)
    : storage_(storage),
      directory_(std::move(directory)),
      clock_(clock),
      follow_up_(std::move(follow_up)),
      channels_(channels) {
  if (!follow_up_.settings) follow_up_.settings = std::make_shared<const FollowUpSettings>();
  Route("POST", "/api/v1/plans", Permission::kPlanWrite, &ApiHandlers::PostPlan);
  Route("GET", "/api/v1/plans", Permission::kRead, &ApiHandlers::ListPlans);
  Route("GET", "/api/v1/plans/{id}", Permission::kRead, &ApiHandlers::GetPlan);
  Route("POST", "/api/v1/plans/{id}/cancel", Permission::kPlanWrite, &ApiHandlers::PostPlanCancel);
  Route("POST", "/api/v1/plans/{id}/tasks", Permission::kPlanWrite, &ApiHandlers::PostPlanTask);
  Route("GET", "/api/v1/plans/{id}/report", Permission::kRead, &ApiHandlers::GetPlanReport);
  Route("POST", "/api/v1/plans/{id}/close", Permission::kPlanWrite, &ApiHandlers::PostPlanClose);
  Route("GET", "/api/v1/tasks", Permission::kRead, &ApiHandlers::ListTasks);
  Route("GET", "/api/v1/tasks/{id}", Permission::kRead, &ApiHandlers::GetTask);
  Route("PATCH", "/api/v1/tasks/{id}", Permission::kTaskWrite, &ApiHandlers::PatchTask);
  Route("POST", "/api/v1/tasks/{id}/transitions", Permission::kTaskWrite,
        &ApiHandlers::PostTransition);
  Route("GET", "/api/v1/tasks/{id}/events", Permission::kRead, &ApiHandlers::GetTaskEvents);
  Route("GET", "/api/v1/notifications", Permission::kRead, &ApiHandlers::ListNotifications);
  Route("POST", "/api/v1/notifications/{id}/retry", Permission::kOperate,
        &ApiHandlers::PostNotificationRetry);
  Route("GET", "/api/v1/channels", Permission::kRead, &ApiHandlers::ListChannels);
  Route("POST", "/api/v1/channels/{id}/test", Permission::kOperate, &ApiHandlers::PostChannelTest);
  Route("GET", "/api/v1/summary", Permission::kRead, &ApiHandlers::GetSummary);
  Route("GET", "/api/v1/people", Permission::kRead, &ApiHandlers::GetPeople);
  Route("GET", "/api/v1/teams", Permission::kRead, &ApiHandlers::GetTeams);
  Route("GET", "/healthz", Permission::kPublic, &ApiHandlers::GetHealth);
  Route("GET", "/readyz", Permission::kPublic, &ApiHandlers::GetReady);
  Route("GET", "/openapi.json", Permission::kPublic, &ApiHandlers::GetOpenApi);
  Route("GET", "/api/v1/templates", Permission::kRead, &ApiHandlers::ListTemplates);
  Route("GET", "/api/v1/templates/{id}", Permission::kRead, &ApiHandlers::GetTemplate);
  // Goals during a cycle and schedule previews.
  Route("PATCH", "/api/v1/plans/{id}/goals/{index}", Permission::kGoalWrite,
        &ApiHandlers::PatchPlanGoal);
  Route("GET", "/api/v1/plans/{id}/goals/{index}/history", Permission::kRead,
        &ApiHandlers::GetGoalHistory);
  Route("POST", "/api/v1/schedules/preview", Permission::kRead, &ApiHandlers::PostSchedulePreview);
  AddScheduleRoutes();
  AddBackupRoute();
  Route("GET", "/metrics", Permission::kPublic, &ApiHandlers::GetMetrics);
}

void ApiHandlers::Route(std::string method, std::string pattern, Permission permission,
                        Member member) {
  route_rules_.push_back({method, pattern, permission});
  // Not a coroutine: it only starts the guarded coroutine, which owns its parameters.
  router_.Add(std::move(method), std::move(pattern),
              [this, permission, member](HttpRequest request, RouteParams params) {
                return Guarded(permission, member, std::move(request), std::move(params));
              });
}

// ---- Access (issue 6, "Access") --------------------------------------------------------------

namespace {

// 401 with the challenge RFC 6750 asks for. The message never repeats what was sent.
HttpResponse Unauthenticated(const Status& status) {
  HttpResponse response = ErrorResponse(status);
  response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"kaizen\"");
  return response;
}

// Open mode (no caller) allows everything; otherwise the rules of workflow/access_policy.h.
Status Allowed(const Caller* caller, Permission permission, const AccessTarget& target) {
  if (caller == nullptr) return Status::Ok();
  return CheckTarget(*caller, permission, target);
}

// The checks below run inside the write's transaction, on the resource as stored; a resource
// that does not exist passes, and the command answers 404 itself.
Status AllowedOnPlan(PlanReader& reader, const Caller* caller, PlanId plan_id) {
  if (caller == nullptr) return Status::Ok();
  std::optional<Plan> plan = reader.FindPlan(plan_id);
  if (!plan) return Status::Ok();
  return CheckTarget(*caller, Permission::kPlanWrite, {plan->team, std::nullopt});
}

Status AllowedOnTask(PlanReader& reader, const Caller* caller, TaskId task_id) {
  if (caller == nullptr) return Status::Ok();
  std::optional<Task> task = reader.FindTask(task_id);
  if (!task) return Status::Ok();
  std::optional<Plan> plan = reader.FindPlan(task->plan_id);
  std::optional<std::string> team = plan ? std::optional<std::string>(plan->team) : std::nullopt;
  return CheckTarget(*caller, Permission::kTaskWrite, {team, task->owner});
}

Status AllowedOnGoal(PlanReader& reader, const Caller* caller, PlanId plan_id, int index) {
  if (caller == nullptr) return Status::Ok();
  std::optional<Plan> plan = reader.FindPlan(plan_id);
  if (!plan) return Status::Ok();
  std::optional<PersonId> owner;
  if (index >= 0 && static_cast<std::size_t>(index) < plan->goals.size()) {
    owner = plan->goals[static_cast<std::size_t>(index)].owner;
  }
  return CheckTarget(*caller, Permission::kGoalWrite, {plan->team, owner});
}

// The actor of a write body as the token decides it (workflow/access_policy.h ActorFor): the
// token's person is written into the body, so the decoders and the domain see one actor.
Status ApplyCallerActor(const HttpRequest& request, nlohmann::json& body) {
  if (!request.caller) return Status::Ok();
  std::optional<PersonId> body_actor;
  auto it = body.find("actor");
  if (it != body.end() && it->is_string()) {
    body_actor = it->get<std::string>();
  } else if (it != body.end() && !it->is_null()) {
    return Status::Ok();  // not a string: the decoder says so
  }
  auto actor = ActorFor(*request.caller, body_actor);
  if (!actor.ok()) return actor.status();
  if (*actor) body["actor"] = **actor;
  return Status::Ok();
}

}  // namespace

void ApiHandlers::SetAccess(std::shared_ptr<const AccessPolicy> access) {
  std::lock_guard<std::mutex> lock(access_mutex_);
  access_ = std::move(access);
}

std::shared_ptr<const AccessPolicy> ApiHandlers::Access() const {
  std::lock_guard<std::mutex> lock(access_mutex_);
  return access_;
}

Result<std::shared_ptr<const Caller>> ApiHandlers::Authenticate(const HttpRequest& request) const {
  std::shared_ptr<const AccessPolicy> access = Access();
  if (!access || access->open()) return std::shared_ptr<const Caller>();
  std::optional<std::string_view> token = BearerToken(request.Header("authorization"));
  if (!token) {
    Logger("access")->info("refused {} {}: no bearer token", request.method, request.path);
    return Status(StatusCode::kUnauthenticated, "unauthenticated",
                  "this API needs a token: send \"Authorization: Bearer <token>\"");
  }
  std::shared_ptr<const Caller> caller = access->Authenticate(*token);
  if (!caller) {
    Logger("access")->warn("refused {} {}: unknown token", request.method, request.path);
    return Status(StatusCode::kUnauthenticated, "unauthenticated",
                  "the bearer token is not one of api.tokens");
  }
  return caller;
}

asio::awaitable<HttpResponse> ApiHandlers::Guarded(Permission permission, Member member,
                                                   HttpRequest request, RouteParams params) {
  if (permission != Permission::kPublic) {
    auto caller = Authenticate(request);
    if (!caller.ok()) co_return Unauthenticated(caller.status());
    if (*caller) {
      if (Status s = CheckRole(**caller, permission); !s.ok()) {
        Logger("access")->info("refused {} {}: token '{}' has role {}", request.method,
                               request.path, (*caller)->token_name, ToString((*caller)->role));
        co_return Error(s);
      }
      Logger("access")->debug("{} {} by token '{}'", request.method, request.path,
                              (*caller)->token_name);
    }
    request.caller = std::move(*caller);
  }
  co_return co_await (this->*member)(std::move(request), std::move(params));
}

Status ApiHandlers::CheckPolicyName(const std::optional<std::string>& name,
                                    const std::string& field) const {
  if (!name || name->empty()) return Status::Ok();
  const auto& policies = follow_up_.settings->policies;
  if (policies.count(*name) > 0) return Status::Ok();
  Json known = Json::array();
  for (const auto& [policy_name, policy] : policies) known.push_back(policy_name);
  return Unprocessable("unknown_reminder_policy",
                       field + ": no reminder policy named '" + *name + "' in the config",
                       {{"field", field}, {"known", known}});
}

void ApiHandlers::AfterWrite(bool reminders_changed, int notifications_written) const {
  if (reminders_changed && follow_up_.reminders_changed) follow_up_.reminders_changed();
  if (notifications_written > 0 && follow_up_.notifications_written) {
    follow_up_.notifications_written();
  }
}

HttpResponse ApiHandlers::Error(const Status& status) const {
  int http_status = HttpStatusOf(status);
  if (http_status >= 500) Logger("api")->error("request failed: {}", status.ToString());
  return ErrorResponse(status);
}

asio::awaitable<HttpResponse> ApiHandlers::Handle(HttpRequest request) {
  RouteMatch match = router_.Match(request.method, request.path);
  if (match.outcome != RouteMatch::Outcome::kFound) {
    // Without a token nothing is said about which routes exist.
    auto caller = Authenticate(request);
    if (!caller.ok()) co_return Unauthenticated(caller.status());
  }
  switch (match.outcome) {
    case RouteMatch::Outcome::kFound:
      co_return co_await (*match.handler)(std::move(request), std::move(match.params));
    case RouteMatch::Outcome::kPathNotFound:
      co_return Error(NotFound("route_not_found", "no route for " + request.method + " " +
                                                      request.path + " (the API is under " +
                                                      std::string(kApiBase) + ")"));
    case RouteMatch::Outcome::kMethodNotAllowed: {
      std::string allow;
      for (const std::string& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      HttpResponse response =
          Error(Status(StatusCode::kInvalidArgument, "method_not_allowed",
                       request.path + " does not take " + request.method + "; it takes " + allow,
                       {{"allowed", match.allowed}}));
      response.headers.emplace_back("Allow", allow);
      co_return response;
    }
  }
  co_return Error(Internal("internal", "unreachable route outcome"));
}

// g++ 12 destroys the captures of a lambda written inside a co_await expression twice (a
// double free; see tremotesf2#551). Every lambda handed to the storage is therefore named
// first and moved into the call.

// ---- Plans -----------------------------------------------------------------------------------

asio::awaitable<HttpResponse> ApiHandlers::PostPlan(HttpRequest request, RouteParams) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  auto body = ParseJsonObjectBody(request);
  if (!body.ok()) co_return Error(body.status());
  if (Status s = ApplyCallerActor(request, *body); !s.ok()) co_return Error(s);
  if (body->contains("template")) {
    co_return co_await PostPlanFromTemplate(std::move(*body), request.caller);
  }
  auto decoded = DecodeCreatePlan(*body);
  if (!decoded.ok()) co_return Error(decoded.status());
  if (Status s = Allowed(request.caller.get(), Permission::kPlanWrite, {decoded->plan.team, {}});
      !s.ok()) {
    co_return Error(s);
  }
  auto actor = ResolveActor(decoded->actor, *directory_);
  if (!actor.ok()) co_return Error(actor.status());
  if (Status s = CheckPolicyName(decoded->plan.reminder_policy, "reminder_policy"); !s.ok()) {
    co_return Error(s);
  }
  for (std::size_t i = 0; i < decoded->plan.tasks.size(); ++i) {
    Status s = CheckPolicyName(decoded->plan.tasks[i].reminder_policy,
                               "tasks[" + std::to_string(i) + "].reminder_policy");
    if (!s.ok()) co_return Error(s);
  }
  co_return co_await StorePlan(std::move(decoded->plan), *actor, clock_.Now());
}

asio::awaitable<HttpResponse> ApiHandlers::StorePlan(NewPlan plan, PersonId actor, Instant now) {
  auto command = [directory = directory_, settings = follow_up_.settings, plan = std::move(plan),
                  actor = std::move(actor),
                  now](PlanRepository& repo) -> Result<Followed<PlanWithTasks>> {
    auto created = CreatePlan(repo, *directory, plan, actor, now);
    if (!created.ok()) return created.status();
    Followed<PlanWithTasks> out{std::move(*created)};
    out.reminders_changed = SyncPlanReminders(repo, *settings, *directory, out.value.plan.id, now);
    return out;
  };
  auto created = co_await storage_.Write(std::move(command));
  if (!created.ok()) co_return Error(created.status());
  AfterWrite(created->reminders_changed, created->notifications);
  if (!created->value.plan.goals.empty() && follow_up_.goals_changed) follow_up_.goals_changed();
  HttpResponse response = PlanResponse(201, created->value, now);
  response.headers.emplace_back(
      "Location", std::string(kApiBase) + "/plans/" + std::to_string(created->value.plan.id));
  co_return response;
}

asio::awaitable<HttpResponse> ApiHandlers::ListPlans(HttpRequest request, RouteParams) {
  auto filter = ParsePlanQuery(request.query);
  if (!filter.ok()) co_return Error(filter.status());
  Instant now = clock_.Now();
  auto query = [filter = *filter, now](PlanReader& reader) -> Result<PlanListPage> {
    PlanListPage out;
    out.page = reader.ListPlans(filter);
    for (const Plan& plan : out.page.items) out.progress.push_back(reader.ProgressOf(plan.id, now));
    return out;
  };
  auto result = co_await storage_.Read(std::move(query));
  if (!result.ok()) co_return Error(result.status());
  Json items = Json::array();
  for (std::size_t i = 0; i < result->page.items.size(); ++i) {
    items.push_back(EncodePlan(result->page.items[i], &result->progress[i], nullptr, now));
  }
  Json out;
  out["items"] = std::move(items);
  out["next_cursor"] = result->page.next_after
                           ? Json(EncodeCursor("plans", *result->page.next_after))
                           : Json(nullptr);
  co_return JsonResponse(200, out);
}

asio::awaitable<HttpResponse> ApiHandlers::GetPlan(HttpRequest request, RouteParams params) {
  auto id = ResourceId(request, params, PlanNotFound);
  if (!id.ok()) co_return Error(id.status());
  Instant now = clock_.Now();
  auto query = [plan_id = *id](PlanReader& reader) -> Result<PlanWithTasks> {
    auto plan = reader.FindPlan(plan_id);
    if (!plan) return PlanNotFound(std::to_string(plan_id));
    return PlanWithTasks{std::move(*plan), reader.TasksOfPlan(plan_id)};
  };
  auto result = co_await storage_.Read(std::move(query));
  if (!result.ok()) co_return Error(result.status());
  co_return PlanResponse(200, *result, now);
}

asio::awaitable<HttpResponse> ApiHandlers::PostPlanCancel(HttpRequest request, RouteParams params) {
  auto id = ResourceId(request, params, PlanNotFound);
  if (!id.ok()) co_return Error(id.status());
  auto body = ParseJsonObjectBody(request);
  if (!body.ok()) co_return Error(body.status());
  if (Status s = ApplyCallerActor(request, *body); !s.ok()) co_return Error(s);
  auto decoded = DecodeCancelPlan(*body);
  if (!decoded.ok()) co_return Error(decoded.status());
  auto actor = ResolveActor(decoded->actor, *directory_);
  if (!actor.ok()) co_return Error(actor.status());
  Instant now = clock_.Now();
  auto command = [directory = directory_, settings = follow_up_.settings, plan_id = *id,
                  note = decoded->note, actor = *actor, caller = request.caller,
                  now](PlanRepository& repo) -> Result<Followed<PlanWithTasks>> {
    if (Status s = AllowedOnPlan(repo, caller.get(), plan_id); !s.ok()) return s;
    auto cancelled = CancelPlan(repo, *directory, plan_id, note, actor, now);
    if (!cancelled.ok()) return cancelled.status();
    Followed<PlanWithTasks> out{std::move(*cancelled)};
    out.reminders_changed = SyncPlanReminders(repo, *settings, *directory, plan_id, now);
    return out;
  };
  auto cancelled = co_await storage_.Write(std::move(command));
  if (!cancelled.ok()) co_return Error(cancelled.status());
  AfterWrite(cancelled->reminders_changed, cancelled->notifications);
  co_return PlanResponse(200, cancelled->value, now);
}

// ---- Reports and closing ---------------------------------------------------------------------

namespace {

// Markdown when the client asks for it (Accept names text/markdown), else JSON.
bool WantsMarkdown(const HttpRequest& request) {
  std::optional<std::string_view> accept = request.Header("accept");
  if (!accept) return false;
  std::string lower(*accept);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("text/markdown") != std::string::npos;
}

HttpResponse ReportResponse(const PlanReport& report, bool markdown, Locale locale) {
  HttpResponse response;
  if (markdown) {
    response.content_type = "text/markdown; charset=utf-8";
    response.body = ReportToMarkdown(report, ToString(locale));
  } else {
    response.body = ReportToJson(report);
  }
  return response;
}

}  // namespace

asio::awaitable<HttpResponse> ApiHandlers::GetPlanReport(HttpRequest request, RouteParams params) {
  if (Status s = CheckQueryNames(request.query, {"locale"}); !s.ok()) co_return Error(s);
  std::optional<Locale> asked;
  for (const auto& [name, value] : request.query) {
    if (name != "locale") continue;
    asked = ParseLocale(value);
    if (!asked) {
      co_return Error(InvalidArgument("invalid_query", "locale must be \"en\" or \"zh-CN\"",
                                      Json{{"parameter", "locale"}}));
    }
  }
  const std::string id_text = PathId(params);
  std::optional<std::int64_t> id = ParseId(id_text);
  if (!id) co_return Error(PlanNotFound(id_text));
  Instant now = clock_.Now();
  auto query = [directory = directory_, plan_id = *id, now](PlanReader& reader) {
    return ReportOfPlan(reader, *directory, plan_id, now);
  };
  auto report = co_await storage_.Read(std::move(query));
  if (!report.ok()) co_return Error(report.status());
  co_return ReportResponse(*report, WantsMarkdown(request), asked.value_or(LocaleOf(report->team)));
}

asio::awaitable<HttpResponse> ApiHandlers::PostPlanClose(HttpRequest request, RouteParams params) {
  auto id = ResourceId(request, params, PlanNotFound);
  if (!id.ok()) co_return Error(id.status());
  if (Status s = CheckEmptyBody(request, "the close request"); !s.ok()) co_return Error(s);
  Instant now = clock_.Now();
  auto command = [directory = directory_, settings = follow_up_.settings, plan_id = *id,
                  caller = request.caller, now](PlanRepository& repo) -> Result<ClosedPlan> {
    if (Status s = AllowedOnPlan(repo, caller.get(), plan_id); !s.ok()) return s;
    return ClosePlan(repo, *settings, *directory, plan_id, PreviousCycleReport(repo, plan_id), now);
  };
  auto closed = co_await storage_.Write(std::move(command));
  if (!closed.ok()) co_return Error(closed.status());
  AfterWrite(false, closed->notifications);
  co_return ReportResponse(closed->report, WantsMarkdown(request), LocaleOf(closed->report.team));
}

Locale ApiHandlers::LocaleOf(std::string_view team) const {
  if (!follow_up_.messages) return Locale::kEn;
  auto it = follow_up_.messages->team_locales.find(team);
  if (it != follow_up_.messages->team_locales.end()) return it->second;
  return follow_up_.messages->default_locale;
}

asio::awaitable<HttpResponse> ApiHandlers::PostPlanTask(HttpRequest request, RouteParams params) {
  auto id = ResourceId(request, params, PlanNotFound);
  if (!id.ok()) co_return Error(id.status());
  auto body = ParseJsonObjectBody(request);
  if (!body.ok()) co_return Error(body.status());
  if (Status s = ApplyCallerActor(request, *body); !s.ok()) co_return Error(s);
  auto decoded = DecodeAddTask(*body);
  if (!decoded.ok()) co_return Error(decoded.status());
  auto actor = ResolveActor(decoded->actor, *directory_);
  if (!actor.ok()) co_return Error(actor.status());
  if (Status s = CheckPolicyName(decoded->task.reminder_policy, "reminder_policy"); !s.ok()) {
    co_return Error(s);
  }
  Instant now = clock_.Now();
  auto command = [directory = directory_, settings = follow_up_.settings, plan_id = *id,
                  task = std::move(decoded->task), actor = *actor, caller = request.caller,
                  now](PlanRepository& repo) -> Result<Followed<Task>> {
    if (Status s = AllowedOnPlan(repo, caller.get(), plan_id); !s.ok()) return s;
    auto added = AddTask(repo, *directory, plan_id, task, actor, now);
    if (!added.ok()) return added.status();
    Followed<Task> out{std::move(*added)};
    // Adding a task may reactivate a completed plan: every task's reminders may change.
    out.reminders_changed = SyncPlanReminders(repo, *settings, *directory, plan_id, now);
    out.next_reminder_at = repo.NextReminderOfTask(out.value.id);
    return out;
  };
  auto added = co_await storage_.Write(std::move(command));
  if (!added.ok()) co_return Error(added.status());
  AfterWrite(added->reminders_changed, added->notifications);
  HttpResponse response = TaskResponse(201, added->value, now, added->next_reminder_at);
  response.headers.emplace_back(
      "Location", std::string(kApiBase) + "/tasks/" + std::to_string(added->value.id));
  co_return response;
}

// ---- Tasks -----------------------------------------------------------------------------------

asio::awaitable<HttpResponse> ApiHandlers::ListTasks(HttpRequest request, RouteParams) {
  Instant now = clock_.Now();
  auto filter = ParseTaskQuery(request.query, now);
  if (!filter.ok()) co_return Error(filter.status());
  auto query = [filter = *filter](PlanReader& reader) -> Result<Page<Task>> {
    return reader.ListTasks(filter);
  };
  auto page = co_await storage_.Read(std::move(query));
  if (!page.ok()) co_return Error(page.status());
  Json items = Json::array();
  for (const Task& task : page->items) items.push_back(EncodeTask(task, now));
  Json out;
  out["items"] = std::move(items);
  out["next_cursor"] =
      page->next_after ? Json(EncodeCursor("tasks", *page->next_after)) : Json(nullptr);
  co_return JsonResponse(200, out);
}

asio::awaitable<HttpResponse> ApiHandlers::GetTask(HttpRequest request, RouteParams params) {
  auto id = ResourceId(request, params, TaskNotFound);
  if (!id.ok()) co_return Error(id.status());
  Instant now = clock_.Now();
  auto query = [task_id = *id](PlanReader& reader) -> Result<Followed<Task>> {
    auto found = reader.FindTask(task_id);
    if (!found) return TaskNotFound(std::to_string(task_id));
    Followed<Task> out{std::move(*found)};
    out.next_reminder_at = reader.NextReminderOfTask(task_id);
    return out;
  };
  auto task = co_await storage_.Read(std::move(query));
  if (!task.ok()) co_return Error(task.status());
  co_return TaskResponse(200, task->value, now, task->next_reminder_at);
}

asio::awaitable<HttpResponse> ApiHandlers::PatchTask(HttpRequest request, RouteParams params) {
  auto id = ResourceId(request, params, TaskNotFound);
  if (!id.ok()) co_return Error(id.status());
  auto expected = ParseIfMatch(request.Header("if-match"));
  if (!expected.ok()) co_return Error(expected.status());
  auto body = ParseJsonObjectBody(request);
  if (!body.ok()) co_return Error(body.status());
  if (Status s = ApplyCallerActor(request, *body); !s.ok()) co_return Error(s);
  auto decoded = DecodePatchTask(*body);
  if (!decoded.ok()) co_return Error(decoded.status());
  auto actor = ResolveActor(decoded->actor, *directory_);
  if (!actor.ok()) co_return Error(actor.status());
  decoded->patch.expected_version = *expected;
  if (Status s = CheckPolicyName(decoded->patch.reminder_policy, "reminder_policy"); !s.ok()) {
    co_return Error(s);
  }
  Instant now = clock_.Now();
  auto command = [directory = directory_, settings = follow_up_.settings, task_id = *id,
                  patch = std::move(decoded->patch), actor = *actor, caller = request.caller,
                  now](PlanRepository& repo) -> Result<Followed<Task>> {
    if (Status s = AllowedOnTask(repo, caller.get(), task_id); !s.ok()) return s;
    auto updated = UpdateTask(repo, *directory, task_id, patch, actor, now);
    if (!updated.ok()) return updated.status();
    Followed<Task> out{std::move(*updated)};
    if (std::optional<Plan> plan = repo.FindPlan(out.value.plan_id)) {
      out.reminders_changed = SyncTaskReminders(repo, *settings, *directory, out.value, *plan, now);
    }
    out.next_reminder_at = repo.NextReminderOfTask(task_id);
    return out;
  };
  auto updated = co_await storage_.Write(std::move(command));
  if (!updated.ok()) co_return Error(updated.status());
  AfterWrite(updated->reminders_changed, updated->notifications);
  co_return TaskResponse(200, updated->value, now, updated->next_reminder_at);
}

asio::awaitable<HttpResponse> ApiHandlers::PostTransition(HttpRequest request, RouteParams params) {
  auto id = ResourceId(request, params, TaskNotFound);
  if (!id.ok()) co_return Error(id.status());
  auto expected = ParseIfMatch(request.Header("if-match"));
  if (!expected.ok()) co_return Error(expected.status());
  auto body = ParseJsonObjectBody(request);
  if (!body.ok()) co_return Error(body.status());
  if (Status s = ApplyCallerActor(request, *body); !s.ok()) co_return Error(s);
  auto transition = DecodeTransition(*body);
  if (!transition.ok()) co_return Error(transition.status());
  transition->expected_version = *expected;
  Instant now = clock_.Now();
  // The workflow checks the actor: who may move a task is a domain rule.
  auto command = [directory = directory_, settings = follow_up_.settings, task_id = *id,
                  transition = std::move(*transition), caller = request.caller,
                  now](PlanRepository& repo) -> Result<Followed<Task>> {
    if (Status s = AllowedOnTask(repo, caller.get(), task_id); !s.ok()) return s;
    auto recorded = RecordTransition(repo, *directory, task_id, transition, now);
    if (!recorded.ok()) return recorded.status();
    Followed<Task> out{recorded->after};
    out.notifications = NotifyTransition(repo, *settings, *directory, *recorded, now);
    // A review cycle whose last task just completed it closes with it, in this transaction.
    if (auto closed = CloseCompletedCycle(repo, *settings, *directory, *recorded, now)) {
      out.notifications += closed->notifications;
    }
    const Plan& plan = recorded->plan_after;
    if (recorded->plan_before.state != plan.state) {
      out.reminders_changed = SyncPlanReminders(repo, *settings, *directory, plan.id, now);
    } else {
      out.reminders_changed = SyncTaskReminders(repo, *settings, *directory, out.value, plan, now);
    }
    out.next_reminder_at = repo.NextReminderOfTask(task_id);
    return out;
  };
  auto moved = co_await storage_.Write(std::move(command));
  if (!moved.ok()) co_return Error(moved.status());
  AfterWrite(moved->reminders_changed, moved->notifications);
  co_return TaskResponse(200, moved->value, now, moved->next_reminder_at);
}

asio::awaitable<HttpResponse> ApiHandlers::GetTaskEvents(HttpRequest request, RouteParams params) {
  auto id = ResourceId(request, params, TaskNotFound);
  if (!id.ok()) co_return Error(id.status());
  auto query = [task_id = *id](PlanReader& reader) -> Result<std::vector<TaskEvent>> {
    if (!reader.FindTask(task_id)) return TaskNotFound(std::to_string(task_id));
    return reader.EventsOfTask(task_id);
  };
  auto events = co_await storage_.Read(std::move(query));
  if (!events.ok()) co_return Error(events.status());
  Json items = Json::array();
  for (const TaskEvent& event : *events) items.push_back(EncodeEvent(event));
  Json out;
  out["items"] = std::move(items);
  co_return JsonResponse(200, out);
}

// ---- Notifications ---------------------------------------------------------------------------

asio::awaitable<HttpResponse> ApiHandlers::ListNotifications(HttpRequest request, RouteParams) {
  auto filter = ParseNotificationQuery(request.query);
  if (!filter.ok()) co_return Error(filter.status());
  auto query = [filter = *filter](PlanReader& reader) -> Result<Page<Notification>> {
    return reader.ListNotifications(filter);
  };
  auto page = co_await storage_.Read(std::move(query));
  if (!page.ok()) co_return Error(page.status());
  Json items = Json::array();
  for (const Notification& n : page->items) items.push_back(EncodeNotification(n));
  Json out;
  out["items"] = std::move(items);
  out["next_cursor"] =
      page->next_after ? Json(EncodeCursor("notifications", *page->next_after)) : Json(nullptr);
  co_return JsonResponse(200, out);
}

asio::awaitable<HttpResponse> ApiHandlers::PostNotificationRetry(HttpRequest request,
                                                                 RouteParams params) {
  auto id = ResourceId(request, params, NotificationNotFound);
  if (!id.ok()) co_return Error(id.status());
  if (Status s = CheckEmptyBody(request, "the retry request"); !s.ok()) co_return Error(s);
  Instant now = clock_.Now();
  auto command = [notification_id = *id, now](PlanRepository& repo) -> Result<Notification> {
    std::optional<Notification> n = repo.FindNotification(notification_id);
    if (!n) return NotificationNotFound(std::to_string(notification_id));
    if (n->state != NotificationState::kDead && n->state != NotificationState::kFailed) {
      return Conflict("notification_not_retryable",
                      "notification " + std::to_string(notification_id) + " is " +
                          std::string(ToString(n->state)) +
                          "; only dead or failed notifications can be retried",
                      {{"state", ToString(n->state)}});
    }
    // A fresh start: the attempts count again from zero, the key stays, so the receiver
    // still recognises a repeat.
    n->state = NotificationState::kPending;
    n->attempts = 0;
    // Out of its old batch: resent alone (or grouped anew) it keeps its own item key, and a
    // batch key never names two different sets of items.
    n->batch_id.reset();
    n->next_attempt_at = now;
    n->updated_at = now;
    repo.UpdateNotification(*n);
    return *n;
  };
  auto retried = co_await storage_.Write(std::move(command));
  if (!retried.ok()) co_return Error(retried.status());
  AfterWrite(false, 1);
  co_return JsonResponse(200, EncodeNotification(*retried));
}

// ---- Channels --------------------------------------------------------------------------------

asio::awaitable<HttpResponse> ApiHandlers::ListChannels(HttpRequest request, RouteParams) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  std::vector<ChannelStatus> channels;
  if (channels_ != nullptr) channels = channels_->Channels();
  co_return JsonResponse(200, EncodeChannels(channels));
}

asio::awaitable<HttpResponse> ApiHandlers::PostChannelTest(HttpRequest request,
                                                           RouteParams params) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  const std::string id = PathId(params);
  if (Status s = CheckEmptyBody(request, "the test request"); !s.ok()) co_return Error(s);
  if (channels_ == nullptr) co_return Error(ChannelNotFound(id));
  // The API call succeeds when the message was tried, delivered or not: the answer says what
  // the channel's receiver did. Only an unknown channel is an error.
  Result<ChannelTestReport> report = co_await channels_->TestChannel(id);
  if (!report.ok()) co_return Error(report.status());
  co_return JsonResponse(200, EncodeChannelTest(*report));
}

// ---- Overview and directory ------------------------------------------------------------------

asio::awaitable<HttpResponse> ApiHandlers::GetSummary(HttpRequest request, RouteParams) {
  auto filter = ParseSummaryQuery(request.query);
  if (!filter.ok()) co_return Error(filter.status());
  Instant now = clock_.Now();
  auto query = [filter = *filter, now](PlanReader& reader) -> Result<Summary> {
    return reader.Summarize(filter, now);
  };
  auto summary = co_await storage_.Read(std::move(query));
  if (!summary.ok()) co_return Error(summary.status());
  co_return JsonResponse(200, EncodeSummary(*summary, *directory_, now));
}

asio::awaitable<HttpResponse> ApiHandlers::GetPeople(HttpRequest request, RouteParams) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  co_return JsonResponse(200, EncodePeople(*directory_));
}

asio::awaitable<HttpResponse> ApiHandlers::GetTeams(HttpRequest request, RouteParams) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  co_return JsonResponse(200, EncodeTeams(*directory_));
}

// ---- Operations ------------------------------------------------------------------------------

asio::awaitable<HttpResponse> ApiHandlers::GetHealth(HttpRequest, RouteParams) {
  Json out;
  out["status"] = "ok";
  co_return JsonResponse(200, out);
}

asio::awaitable<HttpResponse> ApiHandlers::GetReady(HttpRequest, RouteParams) {
  // A real read on a reader connection: proves the file is still there and readable.
  auto query = [](PlanReader& reader) -> Result<bool> {
    (void)reader.FindPlan(1);
    return true;
  };
  auto probe = co_await storage_.Read(std::move(query));
  if (!probe.ok()) {
    Logger("api")->warn("not ready: {}", probe.status().ToString());
    co_return ErrorResponse(Status(StatusCode::kUnavailable, "storage_unavailable",
                                   "the database is not usable: " + probe.status().message(),
                                   {{"check", "database"}}));
  }
  // Migrations run before the listener opens, so this holds unless the store is a stand-in.
  if (storage_.schema_version() != storage::LatestSchemaVersion()) {
    co_return ErrorResponse(
        Status(StatusCode::kUnavailable, "storage_unavailable",
               "the database has schema version " + std::to_string(storage_.schema_version()) +
                   ", this kaizend needs " + std::to_string(storage::LatestSchemaVersion()),
               {{"check", "schema"}}));
  }
  Json out;
  out["status"] = "ready";
  out["schema_version"] = storage_.schema_version();
  co_return JsonResponse(200, out);
}

// ---- Metrics (issue 6, "metrics") -------------------------------------------------------------

asio::awaitable<HttpResponse> ApiHandlers::GetMetrics(HttpRequest, RouteParams) {
  // Query parameters are ignored: Prometheus' scrape config may add some (`params`).
  if (metrics_ == nullptr) {
    co_return Error(NotFound("metrics_disabled", "this server does not collect metrics"));
  }
  // The database's gauges, counted on a storage reader in one snapshot, never on this thread.
  const Instant now = clock_.Now();
  auto query = [now](PlanReader& reader) -> Result<OperationalCounts> {
    return reader.CountOperational(now);
  };
  Result<OperationalCounts> counts = co_await storage_.Read(std::move(query));
  if (!counts.ok()) co_return Error(counts.status());
  std::vector<std::string> channels;
  if (channels_ != nullptr) {
    for (const ChannelStatus& channel : channels_->Channels())
      channels.push_back(channel.options.id);
  }
  metrics_->SetOperationalCounts(*counts, channels);
  HttpResponse response;
  response.content_type = std::string(kMetricsContentType);
  response.body = metrics_->Expose();
  co_return response;
}

asio::awaitable<HttpResponse> ApiHandlers::GetOpenApi(HttpRequest, RouteParams) {
  HttpResponse response;
  response.body = std::string(OpenApiDocument());
  co_return response;
}

// ---- Templates (issue 5, "tpl") ---------------------------------------------------------------

void ApiHandlers::SetDirectory(std::shared_ptr<const Directory> directory) {
  directory_ = directory ? std::move(directory) : std::make_shared<const Directory>();
}

void ApiHandlers::SetFollowUpSettings(std::shared_ptr<const FollowUpSettings> settings,
                                      std::shared_ptr<const MessageSettings> messages) {
  follow_up_.settings = settings ? std::move(settings) : std::make_shared<const FollowUpSettings>();
  follow_up_.messages = std::move(messages);
}

void ApiHandlers::SetTemplates(std::vector<PlanTemplate> templates) {
  templates_ = std::move(templates);
}

asio::awaitable<HttpResponse> ApiHandlers::ListTemplates(HttpRequest request, RouteParams) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  co_return JsonResponse(200, EncodeTemplateList(templates_));
}

asio::awaitable<HttpResponse> ApiHandlers::GetTemplate(HttpRequest request, RouteParams params) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  const std::string id = PathId(params);
  for (const PlanTemplate& t : templates_) {
    if (t.id == id) co_return JsonResponse(200, Json(config::PlanTemplateToJson(t)));
  }
  co_return Error(NotFound("template_not_found", "no template with id '" + id + "'"));
}

asio::awaitable<HttpResponse> ApiHandlers::PostPlanFromTemplate(
    nlohmann::json body, std::shared_ptr<const Caller> caller) {
  auto decoded = DecodeCreatePlanFromTemplate(body);
  if (!decoded.ok()) co_return Error(decoded.status());
  if (Status s = Allowed(caller.get(), Permission::kPlanWrite, {decoded->team, {}}); !s.ok()) {
    co_return Error(s);
  }
  const PlanTemplate* found = nullptr;
  for (const PlanTemplate& t : templates_) {
    if (t.id == decoded->template_id) found = &t;
  }
  if (found == nullptr) {
    Json known = Json::array();
    for (const PlanTemplate& t : templates_) known.push_back(t.id);
    co_return Error(Unprocessable("unknown_template",
                                  "no template named '" + decoded->template_id + "' in the config",
                                  {{"field", "template"}, {"known", known}}));
  }
  const Team* team = directory_->FindTeam(decoded->team);
  if (team == nullptr) {
    co_return Error(
        Unprocessable("unknown_team", "unknown team '" + decoded->team + "'", {{"field", "team"}}));
  }
  auto actor = ResolveActor(decoded->actor, *directory_);
  if (!actor.ok()) co_return Error(actor.status());
  const Instant now = clock_.Now();
  // Working days come from the team's calendar; a team without one works Monday to Friday.
  auto team_settings = follow_up_.settings->teams.find(team->id);
  const WorkingCalendar calendar =
      team_settings != follow_up_.settings->teams.end() && team_settings->second.calendar
          ? *team_settings->second.calendar
          : WeekdayCalendar(team->time_zone);
  auto plan =
      InstantiateTemplate(*found, *team, *directory_, calendar, decoded->start.value_or(now));
  if (!plan.ok()) co_return Error(plan.status());
  if (decoded->owner) plan->owner = *decoded->owner;
  co_return co_await StorePlan(std::move(*plan), *actor, now);
}

// ---- Goals and schedule previews -------------------------------------------------------------

namespace {

Status GoalNotFound(std::string_view plan, std::string_view index) {
  return NotFound("goal_not_found",
                  "plan " + std::string(plan) + " has no goal '" + std::string(index) + "'");
}

// The plan id and goal index of a goal route; a path that names nothing is 404.
Result<std::pair<PlanId, int>> GoalPath(const HttpRequest& request, const RouteParams& params) {
  auto id = ResourceId(request, params, PlanNotFound);
  if (!id.ok()) return id.status();
  auto it = params.find("index");
  const std::string index_text = it == params.end() ? std::string() : it->second;
  std::optional<int> index = ParseGoalIndex(index_text);
  if (!index) return GoalNotFound(std::to_string(*id), index_text);
  return std::pair<PlanId, int>{*id, *index};
}

}  // namespace

asio::awaitable<HttpResponse> ApiHandlers::PatchPlanGoal(HttpRequest request, RouteParams params) {
  auto path = GoalPath(request, params);
  if (!path.ok()) co_return Error(path.status());
  auto expected = ParseIfMatch(request.Header("if-match"));
  if (!expected.ok()) co_return Error(expected.status());
  auto body = ParseJsonObjectBody(request);
  if (!body.ok()) co_return Error(body.status());
  if (Status s = ApplyCallerActor(request, *body); !s.ok()) co_return Error(s);
  auto decoded = DecodeGoalValue(*body);
  if (!decoded.ok()) co_return Error(decoded.status());
  auto actor = ResolveActor(decoded->actor, *directory_);
  if (!actor.ok()) co_return Error(actor.status());
  decoded->value.expected_version = *expected;
  Instant now = clock_.Now();
  auto command = [plan_id = path->first, index = path->second, value = decoded->value,
                  actor = *actor, caller = request.caller,
                  now](PlanRepository& repo) -> Result<PlanWithTasks> {
    if (Status s = AllowedOnGoal(repo, caller.get(), plan_id, index); !s.ok()) return s;
    auto recorded = RecordGoalValue(repo, plan_id, index, value, actor, now);
    if (!recorded.ok()) return recorded.status();
    PlanWithTasks out{std::move(*recorded), repo.TasksOfPlan(plan_id)};
    return out;
  };
  auto recorded = co_await storage_.Write(std::move(command));
  if (!recorded.ok()) co_return Error(recorded.status());
  if (follow_up_.goals_changed) follow_up_.goals_changed();
  HttpResponse response = PlanResponse(200, *recorded, now);
  response.headers.emplace_back("ETag", "\"" + std::to_string(recorded->plan.version) + "\"");
  co_return response;
}

asio::awaitable<HttpResponse> ApiHandlers::GetGoalHistory(HttpRequest request, RouteParams params) {
  auto path = GoalPath(request, params);
  if (!path.ok()) co_return Error(path.status());
  auto query = [plan_id = path->first,
                index = path->second](PlanReader& reader) -> Result<std::vector<GoalUpdate>> {
    std::optional<Plan> plan = reader.FindPlan(plan_id);
    if (!plan) return PlanNotFound(std::to_string(plan_id));
    if (static_cast<std::size_t>(index) >= plan->goals.size()) {
      return GoalNotFound(std::to_string(plan_id), std::to_string(index));
    }
    return reader.GoalUpdatesOf(plan_id, index);
  };
  auto history = co_await storage_.Read(std::move(query));
  if (!history.ok()) co_return Error(history.status());
  Json items = Json::array();
  for (const GoalUpdate& update : *history) items.push_back(EncodeGoalUpdate(update));
  Json out;
  out["items"] = std::move(items);
  co_return JsonResponse(200, out);
}

asio::awaitable<HttpResponse> ApiHandlers::PostSchedulePreview(HttpRequest request, RouteParams) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  auto body = ParseJsonObjectBody(request);
  if (!body.ok()) co_return Error(body.status());
  auto preview = DecodeSchedulePreview(*body, clock_.Now());
  if (!preview.ok()) co_return Error(preview.status());
  // Pure computation, bounded by the count cap: no storage, no need to leave this thread.
  std::vector<CronFire> fires =
      NextFireTimes(*preview->rule, preview->zone, preview->from,
                    static_cast<std::size_t>(preview->count), preview->dst);
  co_return JsonResponse(200,
                         EncodeFires(preview->rule->text(), *preview->zone, preview->dst, fires));
}

}  // namespace kaizen::daemon
