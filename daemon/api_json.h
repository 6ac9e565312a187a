// The JSON side of the HTTP API (docs/api.md): strict decoding of request bodies and query
// strings into workflow requests, encoding of plans, tasks, events and summaries, opaque list
// cursors, and the one mapping from a Status to an HTTP error answer.
//
// Pure functions over values: no I/O, "now" passed in; callable from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/channel_admin.h"
#include "daemon/http_message.h"
#include "workflow/cron_rule.h"
#include "workflow/goal_check_in.h"
#include "workflow/model.h"
#include "workflow/notification.h"
#include "workflow/plan_service.h"
#include "workflow/plan_template.h"
#include "workflow/repository.h"
#include "workflow/status.h"
#include "workflow/task_rules.h"

namespace kaizen::daemon {

// Answers keep their fields in the documented order.
using Json = nlohmann::ordered_json;

// ---- Errors ----------------------------------------------------------------------------------

// The HTTP status for a Status: by code (kInvalidArgument 400, kPermissionDenied 403, kNotFound
// 404, kConflict 409, kPreconditionFailed 412, kUnprocessable 422, kInternal 500, kUnavailable
// 503, ...), except the HTTP-level reasons "method_not_allowed" (405), "body_too_large" (413)
// and "unsupported_media_type" (415).
int HttpStatusOf(const Status& status);

// {"error": {"code", "message", "details"?}} with HttpStatusOf(status). 5xx answers carry the
// documented codes "internal" and "storage_unavailable" whatever the internal reason was.
HttpResponse ErrorResponse(const Status& status);

// A JSON answer with the given status.
HttpResponse JsonResponse(int http_status, const Json& body);

// ---- Request bodies --------------------------------------------------------------------------

// Checks the Content-Type of a non-empty body (application/json, parameters allowed, charset
// must be utf-8) and parses the body as a JSON object. Errors (kInvalidArgument):
// "unsupported_media_type", "malformed_json" (details.position, the byte offset), "invalid_field"
// (the body is not an object; details.field "$").
Result<nlohmann::json> ParseJsonObjectBody(const HttpRequest& request);

// Every decoder refuses unknown fields ("unknown_field", details.field is the path such as
// "tasks[0].ownr"), wrong types ("invalid_field", details.field and details.expected) and
// absent required fields ("missing_field", details.field). Times must be RFC 3339 and dates
// YYYY-MM-DD: kUnprocessable "invalid_time" (details.field). An absent `actor` is nullopt.

struct CreatePlanBody {
  NewPlan plan;
  std::optional<PersonId> actor;
};
Result<CreatePlanBody> DecodeCreatePlan(const nlohmann::json& body);

// ---- templates (issue 5, "tpl") ----
// POST /api/v1/plans with "template": {"template", "team", "start"?, "owner"?, "actor"?}.
// "tasks" or "goals" beside "template" is kInvalidArgument "template_with_inline_fields"
// (details.field names the first); any other field is "unknown_field".
struct CreatePlanFromTemplateBody {
  std::string template_id;
  std::string team;
  std::optional<Instant> start;   // default: now
  std::optional<PersonId> owner;  // overrides the template's plan owner
  std::optional<PersonId> actor;
};
Result<CreatePlanFromTemplateBody> DecodeCreatePlanFromTemplate(const nlohmann::json& body);
// {"items": [{"id", "title", "kind", "tasks", "goals", "source"}]}: counts of tasks and goals.
Json EncodeTemplateList(const std::vector<PlanTemplate>& templates);

struct AddTaskBody {
  NewTask task;
  std::optional<PersonId> actor;
};
Result<AddTaskBody> DecodeAddTask(const nlohmann::json& body);

struct CancelPlanBody {
  std::string note;
  std::optional<PersonId> actor;
};
Result<CancelPlanBody> DecodeCancelPlan(const nlohmann::json& body);

struct PatchTaskBody {
  TaskPatch patch;  // expected_version is left unset: it comes from If-Match
  std::optional<PersonId> actor;
};
Result<PatchTaskBody> DecodePatchTask(const nlohmann::json& body);

// {to, note?, actor}: actor is required here.
Result<TransitionRequest> DecodeTransition(const nlohmann::json& body);

// If-Match: `"3"` or `3` names version 3; absent or `*` means no expectation. Anything else is
// kInvalidArgument "invalid_field" with details.field "If-Match".
Result<std::optional<std::int64_t>> ParseIfMatch(std::optional<std::string_view> header);

// The actor of a command: absent -> "api"; otherwise a known person (or "api"), else
// kUnprocessable "unknown_actor".
Result<PersonId> ResolveActor(const std::optional<PersonId>& actor, const Directory& directory);

// ---- Query strings and paths -----------------------------------------------------------------

// Refuses (kInvalidArgument "invalid_query", details.parameter) parameters not in `allowed`
// and repeated parameters.
Status CheckQueryNames(const QueryParams& query, std::initializer_list<std::string_view> allowed);

// GET /plans: state, owner, team, limit (1..500, default 50), cursor.
// "invalid_query" for a bad value, "invalid_cursor" for a cursor this API did not issue.
Result<PlanFilter> ParsePlanQuery(const QueryParams& query);

// GET /tasks: plan, owner, state, team, overdue (true|false), due_before, due_after, limit,
// cursor. `now` becomes the filter's reference for overdue.
Result<TaskFilter> ParseTaskQuery(const QueryParams& query, Instant now);

// GET /summary: team, owner.
Result<SummaryFilter> ParseSummaryQuery(const QueryParams& query);

// GET /notifications: state, task, channel, limit, cursor.
Result<NotificationFilter> ParseNotificationQuery(const QueryParams& query);

// A path id: a positive decimal integer without sign or leading zeros, else nullopt.
std::optional<std::int64_t> ParseId(std::string_view text);

// Opaque cursors naming the last id of a page of `kind` ("plans", "tasks").
std::string EncodeCursor(std::string_view kind, std::int64_t last_id);
// kInvalidArgument "invalid_cursor" unless `cursor` came from EncodeCursor(kind, ...).
Result<std::int64_t> DecodeCursor(std::string_view kind, std::string_view cursor);

// ---- Answers ---------------------------------------------------------------------------------

Json EncodeGoal(const Goal& goal);
Json EncodeProgress(const PlanProgress& progress);
// The plan; `progress` and `tasks` are added when given.
Json EncodePlan(const Plan& plan, const PlanProgress* progress, const std::vector<Task>* tasks,
                Instant now);
// The task; `overdue` is computed at `now`.
Json EncodeTask(const Task& task, Instant now);
Json EncodeEvent(const TaskEvent& event);
// An outbox row, without the message text (GET /notifications).
Json EncodeNotification(const Notification& notification);
// Owners are named from `directory` (name null for a person no longer configured).
Json EncodeSummary(const Summary& summary, const Directory& directory, Instant now);
Json EncodePeople(const Directory& directory);  // handles are never shown
Json EncodeTeams(const Directory& directory);
// {"items": [Channel]} (GET /channels): each channel's URL redacted, its secret never shown.
Json EncodeChannels(const std::vector<ChannelStatus>& channels);
// What a test message met (POST /channels/{id}/test), the URL redacted.
Json EncodeChannelTest(const ChannelTestReport& report);

// Progress computed from a plan's tasks, as PlanReader::ProgressOf would.
PlanProgress ProgressOfTasks(const std::vector<Task>& tasks, Instant now);

// `"<version>"`, the ETag of a task.
std::string TaskETag(const Task& task);

// ---- Goals and schedule previews -------------------------------------------------------------

// PATCH /plans/{id}/goals/{index}: {"actual": number (required), "note"?, "actor"?}.
struct GoalValueBody {
  GoalValue value;  // expected_version is left unset: it comes from If-Match
  std::optional<PersonId> actor;
};
Result<GoalValueBody> DecodeGoalValue(const nlohmann::json& body);

// A goal index in a path: "0", "1", ... (no sign, no leading zeros), else nullopt.
std::optional<int> ParseGoalIndex(std::string_view text);

// One recorded goal value: {id, value, at, actor, note}.
Json EncodeGoalUpdate(const GoalUpdate& update);

// POST /schedules/preview: {"rule", "time_zone"? (default UTC), "from"? (RFC 3339, default
// now), "count"? (1..kMaxPreviewCount, default kDefaultPreviewCount), "dst"?
// ("fire_after_gap" | "skip", default fire_after_gap)}. A rule the parser refuses is 400
// "invalid_schedule_rule" with the parser's message, details.field "rule" and details.part (the
// rule's field: minute, day-of-month, ...); an unknown zone is 400 "unknown_time_zone".
inline constexpr int kDefaultPreviewCount = 10;
inline constexpr int kMaxPreviewCount = 1000;
struct SchedulePreviewRequest {
  std::string rule_text;
  std::optional<CronRule> rule;  // set when decoded
  const date::time_zone* zone = nullptr;
  Instant from{};
  int count = kDefaultPreviewCount;
  DstGapPolicy dst = DstGapPolicy::kFireAfterGap;
};
Result<SchedulePreviewRequest> DecodeSchedulePreview(const nlohmann::json& body, Instant now);

// The query of a stored schedule's preview (GET /schedules/{id}/preview): count (1..1000,
// default 10) and from (RFC 3339, default now); "invalid_query" otherwise.
struct PreviewWindow {
  Instant from{};
  int count = kDefaultPreviewCount;
};
Result<PreviewWindow> ParsePreviewQuery(const QueryParams& query, Instant now);

// One fire as a person reads it, like `systemd-analyze calendar`: {"utc": "...Z", "local":
// "2027-01-01T09:00:00+08:00", "weekday": "Fri", "abbreviation": "CST", "moved_from": null, or
// the local time the rule named when a DST gap moved the fire ("2026-03-08T02:30:00")}.
Json EncodeFire(const CronFire& fire);
// {"rule", "time_zone", "dst", "fires": [EncodeFire...]}: the answer of both preview routes.
Json EncodeFires(const std::string& rule, const date::time_zone& zone, DstGapPolicy dst,
                 const std::vector<CronFire>& fires);

}  // namespace kaizen::daemon
