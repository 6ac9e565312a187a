// ApiHandlers: the routes of docs/api.md as thin coroutines over the workflow's use cases.
//
// Each handler decodes the request (api_json.h), runs one domain command or query on the
// storage threads (a write command is one transaction: a failure changes nothing), and encodes
// the answer. Rules live in workflow/; this file only translates.
//
// Handle() runs on the HTTP executor and resumes there after every storage call. The storage,
// the clock and the handlers must outlive every request in flight.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "daemon/channel_admin.h"
#include "daemon/http_message.h"
#include "daemon/router.h"
#include "workflow/access_policy.h"
#include "workflow/cycle_service.h"
#include "workflow/follow_up.h"
#include "workflow/messages.h"
#include "workflow/model.h"
#include "workflow/plan_template.h"
#include "workflow/status.h"
#include "workflow/time.h"

namespace kaizen::storage {
class Storage;
}

namespace kaizen::daemon {

class AccessPolicy;  // daemon/access.h
class DaemonMetrics;

// What a write does besides its command, in the same transaction: reminders recomputed and
// event notifications written (workflow/follow_up.h); then the scheduler and the dispatcher
// are told, on the HTTP executor.
struct FollowUpHooks {
  std::shared_ptr<const FollowUpSettings> settings;  // null: FollowUpSettings{}
  std::function<void()> reminders_changed;           // may be empty
  std::function<void()> notifications_written;       // may be empty
  // The config's messages section: the language of a report in Markdown (the team's locale,
  // else the default). null: English.
  std::shared_ptr<const MessageSettings> messages;
  // A plan with goals was created or a goal value recorded: the check-in sweep looks again.
  std::function<void()> goals_changed;  // may be empty
};

class ApiHandlers {
 public:
  // `channels` (the DeliveryDispatcher in kaizend) serves the /channels routes; null: no
  // channels are listed and every channel test is 404.
  ApiHandlers(storage::Storage& storage, std::shared_ptr<const Directory> directory,
              const Clock& clock, FollowUpHooks follow_up = {}, ChannelAdmin* channels = nullptr);
  ApiHandlers(const ApiHandlers&) = delete;
  ApiHandlers& operator=(const ApiHandlers&) = delete;

  // Routes and answers one request: 404 route_not_found, 405 method_not_allowed (with Allow),
  // or the route's answer.
  boost::asio::awaitable<HttpResponse> Handle(HttpRequest request);

  const Router& router() const { return router_; }

  // ---- Access (issue 6, "Access"; daemon/access.h, workflow/access_policy.h) ----
  // The API tokens. Null or without tokens: open mode, no token needed (the default). Any
  // thread; a request already past its check keeps the Caller it authenticated as.
  void SetAccess(std::shared_ptr<const AccessPolicy> access);
  // Every route with the permission it declared, in the router's order.
  struct RouteRule {
    std::string method;
    std::string pattern;
    Permission permission;
  };
  const std::vector<RouteRule>& route_rules() const { return route_rules_; }

  // ---- templates (issue 5, "tpl") ----
  // The config's plan templates, served by GET /api/v1/templates[/{id}] and instantiated by
  // POST /api/v1/plans {"template": ...}. Call before serving; none by default.
  void SetTemplates(std::vector<PlanTemplate> templates);

  // ---- Schedules (area "sched"; daemon/schedule_handlers.cc) ----
  // The configured schedules, and what to tell after a pause, resume or trigger (the cycle
  // scheduler plans again); without them the schedule routes know no schedule.
  void SetSchedules(std::shared_ptr<const ScheduleSet> schedules,
                    std::function<void()> schedules_changed);

  // ---- Reload (area "svc") ----
  // The config was reloaded (on the HTTP executor, between requests' steps): requests read
  // these from their next step on; a request in flight keeps what its storage command captured.
  void SetDirectory(std::shared_ptr<const Directory> directory);
  void SetFollowUpSettings(std::shared_ptr<const FollowUpSettings> settings,
                           std::shared_ptr<const MessageSettings> messages);
  // ---- Metrics (issue 6, "metrics") ----
  // What GET /metrics exposes, with the database's gauges read at each scrape; without it
  // /metrics is 404 metrics_disabled. Call before serving; must outlive the handlers.
  void SetMetrics(DaemonMetrics* metrics) { metrics_ = metrics; }

 private:
  using Member = boost::asio::awaitable<HttpResponse> (ApiHandlers::*)(HttpRequest, RouteParams);
  // Every route says what it needs: no route can be added without a Permission.
  void Route(std::string method, std::string pattern, Permission permission, Member member);
  // The request's token checked against `permission` (401, or 403 for a role that can never
  // hold it), then the member.
  boost::asio::awaitable<HttpResponse> Guarded(Permission permission, Member member,
                                               HttpRequest request, RouteParams params);
  // The caller of `request`: null in open mode; 401 without a known bearer token.
  Result<std::shared_ptr<const Caller>> Authenticate(const HttpRequest& request) const;
  std::shared_ptr<const AccessPolicy> Access() const;
  mutable std::mutex access_mutex_;
  std::shared_ptr<const AccessPolicy> access_;
  std::vector<RouteRule> route_rules_;
  // The error answer for `status`; failures of the daemon itself (5xx) are logged.
  HttpResponse Error(const Status& status) const;

  boost::asio::awaitable<HttpResponse> PostPlan(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> ListPlans(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetPlan(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> PostPlanCancel(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> PostPlanTask(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetPlanReport(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> PostPlanClose(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> ListTasks(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetTask(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> PatchTask(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> PostTransition(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetTaskEvents(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> ListNotifications(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> PostNotificationRetry(HttpRequest request,
                                                             RouteParams params);
  boost::asio::awaitable<HttpResponse> ListChannels(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> PostChannelTest(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetSummary(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetPeople(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetTeams(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetHealth(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetReady(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetOpenApi(HttpRequest request, RouteParams params);
  // Goals during a cycle and schedule previews.
  boost::asio::awaitable<HttpResponse> PatchPlanGoal(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetGoalHistory(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> PostSchedulePreview(HttpRequest request, RouteParams params);

  // ---- templates (issue 5, "tpl") ----
  boost::asio::awaitable<HttpResponse> ListTemplates(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetTemplate(HttpRequest request, RouteParams params);
  // POST /api/v1/plans with "template": the plan instantiated for the team, then StorePlan.
  boost::asio::awaitable<HttpResponse> PostPlanFromTemplate(nlohmann::json body,
                                                            std::shared_ptr<const Caller> caller);
  // Creates the plan with its reminders in one transaction; 201 with the plan and Location.
  boost::asio::awaitable<HttpResponse> StorePlan(NewPlan plan, PersonId actor, Instant now);
  std::vector<PlanTemplate> templates_;

  // ---- Schedules (area "sched"; daemon/schedule_handlers.cc) ----
  void AddScheduleRoutes();
  boost::asio::awaitable<HttpResponse> ListSchedules(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetSchedule(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> GetSchedulePreview(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> PostSchedulePause(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> PostScheduleResume(HttpRequest request, RouteParams params);
  boost::asio::awaitable<HttpResponse> PostScheduleTrigger(HttpRequest request, RouteParams params);
  std::shared_ptr<const ScheduleSet> schedules_;
  std::function<void()> schedules_changed_;

  // ---- Backup (issue 6, "pkg"; daemon/backup_handlers.cc) ----
  void AddBackupRoute();
  boost::asio::awaitable<HttpResponse> PostBackup(HttpRequest request, RouteParams params);
  // ---- Metrics (issue 6, "metrics"; daemon/daemon_metrics.h) ----
  boost::asio::awaitable<HttpResponse> GetMetrics(HttpRequest request, RouteParams params);
  DaemonMetrics* metrics_ = nullptr;

  storage::Storage& storage_;
  std::shared_ptr<const Directory> directory_;
  // kUnprocessable "unknown_reminder_policy" unless `name` is a configured policy.
  Status CheckPolicyName(const std::optional<std::string>& name, const std::string& field) const;
  // The language of a team's reports: its locale, else the config's default.
  Locale LocaleOf(std::string_view team) const;
  // Tells the scheduler and the dispatcher what a committed write changed.
  void AfterWrite(bool reminders_changed, int notifications_written) const;

  const Clock& clock_;
  FollowUpHooks follow_up_;
  ChannelAdmin* channels_;
  Router router_;
};

}  // namespace kaizen::daemon
