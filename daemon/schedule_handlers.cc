// The /api/v1/schedules routes of ApiHandlers (area "sched"): the configured schedules with
// their stored state, their next fires, pause, resume and trigger. Each write is one
// transaction of workflow/cycle_service.h; the cycle scheduler is then woken to plan again.
#include <date/date.h>
#include <date/tz.h>

#include <string>
#include <utility>
#include <vector>

#include "daemon/api_handlers.h"
#include "daemon/api_json.h"
#include "storage/storage.h"
#include "workflow/duration.h"

namespace kaizen::daemon {

namespace asio = boost::asio;

namespace {

constexpr int kNextFiresListed = 3;
constexpr int kRecentListed = 20;

Status ScheduleNotFound(std::string_view id) {
  return NotFound("schedule_not_found", "no schedule with id '" + std::string(id) + "'");
}

std::string IdOf(const RouteParams& params) {
  auto it = params.find("id");
  return it == params.end() ? std::string() : it->second;
}

// "2026-12-01T09:00:00+08:00": the wall clock of the zone with its offset.
std::string LocalText(const CronFire& fire) {
  const auto offset = fire.utc_offset;
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(
      offset < std::chrono::seconds::zero() ? -offset : offset);
  char sign = offset < std::chrono::seconds::zero() ? '-' : '+';
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%c%02d:%02d", sign, static_cast<int>(minutes.count() / 60),
                static_cast<int>(minutes.count() % 60));
  return date::format("%FT%T", fire.local_time) + buffer;
}

// One fire as the API shows it: the nominal instant (the cycle's key) in UTC and local time,
// and when it starts, which differs only for a fire moved to a working day.
Json EncodeFire(const ScheduledFire& f) {
  Json out;
  out["at"] = FormatRfc3339(f.fire.at);
  out["local"] = LocalText(f.fire);
  out["zone_abbreviation"] = f.fire.zone_abbreviation;
  out["starts_at"] = FormatRfc3339(f.starts_at);
  out["moved_to_working_day"] = f.moved;
  if (f.fire.scheduled_local_time != f.fire.local_time) {
    out["scheduled_local_time"] = date::format("%T", f.fire.scheduled_local_time);
  }
  return out;
}

Json EncodeCycle(const CycleRow& c) {
  Json out;
  out["id"] = c.id;
  out["nominal_fire"] = FormatRfc3339(c.nominal_fire);
  out["started_at"] = FormatRfc3339(c.started_at);
  out["cause"] = c.cause;
  out["plan_id"] = c.plan_id;
  out["previous_cycle_id"] = c.previous_cycle_id ? Json(*c.previous_cycle_id) : Json(nullptr);
  return out;
}

Json EncodeScheduleEvent(const ScheduleEvent& e) {
  Json out;
  out["id"] = e.id;
  out["at"] = FormatRfc3339(e.at);
  out["kind"] = e.kind;
  out["nominal_fire"] = e.nominal_fire ? Json(FormatRfc3339(*e.nominal_fire)) : Json(nullptr);
  out["count"] = e.count;
  out["note"] = e.note;
  return out;
}

Json EncodeSchedule(const ScheduleEntry& entry, const std::optional<ScheduleRow>& row,
                    Instant now) {
  const ScheduleSpec& spec = entry.spec;
  Json out;
  out["id"] = spec.id;
  out["template"] = spec.template_id;
  out["team"] = spec.team;
  out["rule"] = spec.rule_text();
  out["time_zone"] = spec.time_zone;
  out["dst"] = std::string(ToString(spec.dst));
  out["catch_up"] = FormatIsoDuration(spec.catch_up);
  out["overlap"] = std::string(ToString(spec.overlap));
  out["on_non_working_day"] = std::string(ToString(spec.on_non_working_day));
  const bool paused = row && row->paused;
  out["paused"] = paused;
  out["pause_reason"] = paused ? Json(row->pause_reason) : Json(nullptr);
  out["paused_at"] =
      paused && row->paused_at ? Json(FormatRfc3339(*row->paused_at)) : Json(nullptr);
  out["last_nominal_fire"] =
      row && row->last_nominal_fire ? Json(FormatRfc3339(*row->last_nominal_fire)) : Json(nullptr);
  Json next = Json::array();
  if (!paused) {
    // Counted from the watermark, or now: the fires the scheduler will start.
    Instant after = row && row->last_nominal_fire ? std::max(*row->last_nominal_fire, now) : now;
    for (const ScheduledFire& f :
         NextScheduledFires(spec, &entry.working_days, after, kNextFiresListed)) {
      next.push_back(EncodeFire(f));
    }
  }
  out["next_fires"] = std::move(next);
  return out;
}

struct ScheduleDetail {
  std::optional<ScheduleRow> row;
  std::vector<CycleRow> cycles;
  std::vector<ScheduleEvent> events;
};

Result<std::string> ReasonOf(const HttpRequest& request) {
  if (request.body.empty()) {
    return InvalidArgument("reason_required", "pausing a schedule needs {\"reason\": \"...\"}",
                           {{"field", "reason"}});
  }
  auto body = ParseJsonObjectBody(request);
  if (!body.ok()) return body.status();
  for (const auto& [key, value] : body->items()) {
    if (key != "reason") {
      return InvalidArgument("unknown_field", "pause takes only \"reason\"", {{"field", key}});
    }
  }
  auto it = body->find("reason");
  if (it == body->end() || !it->is_string()) {
    return InvalidArgument("reason_required", "pausing a schedule needs a reason (a string)",
                           {{"field", "reason"}});
  }
  return it->get<std::string>();
}

// A manager token may pause, resume and trigger the schedules of its teams only; open mode
// (no caller) allows every one.
Status AllowedOnSchedule(const HttpRequest& request, const ScheduleEntry& entry) {
  if (!request.caller) return Status::Ok();
  return CheckTarget(*request.caller, Permission::kScheduleWrite, {entry.spec.team, std::nullopt});
}

}  // namespace

void ApiHandlers::SetSchedules(std::shared_ptr<const ScheduleSet> schedules,
                               std::function<void()> schedules_changed) {
  schedules_ = std::move(schedules);
  schedules_changed_ = std::move(schedules_changed);
}

void ApiHandlers::AddScheduleRoutes() {
  Route("GET", "/api/v1/schedules", Permission::kRead, &ApiHandlers::ListSchedules);
  Route("GET", "/api/v1/schedules/{id}", Permission::kRead, &ApiHandlers::GetSchedule);
  Route("GET", "/api/v1/schedules/{id}/preview", Permission::kRead,
        &ApiHandlers::GetSchedulePreview);
  Route("POST", "/api/v1/schedules/{id}/pause", Permission::kScheduleWrite,
        &ApiHandlers::PostSchedulePause);
  Route("POST", "/api/v1/schedules/{id}/resume", Permission::kScheduleWrite,
        &ApiHandlers::PostScheduleResume);
  Route("POST", "/api/v1/schedules/{id}/trigger", Permission::kScheduleWrite,
        &ApiHandlers::PostScheduleTrigger);
}

asio::awaitable<HttpResponse> ApiHandlers::ListSchedules(HttpRequest request, RouteParams) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  Json items = Json::array();
  // Held for the request: a reload may replace schedules_ while it awaits the store.
  const std::shared_ptr<const ScheduleSet> schedules = schedules_;
  if (schedules) {
    std::vector<std::string> ids;
    for (const ScheduleEntry& e : schedules->entries) ids.push_back(e.spec.id);
    auto query = [ids](PlanReader& reader) -> Result<std::vector<std::optional<ScheduleRow>>> {
      std::vector<std::optional<ScheduleRow>> rows;
      for (const std::string& id : ids) rows.push_back(reader.FindScheduleRow(id));
      return rows;
    };
    auto rows = co_await storage_.Read(std::move(query));
    if (!rows.ok()) co_return Error(rows.status());
    const Instant now = clock_.Now();
    for (std::size_t i = 0; i < schedules->entries.size(); ++i) {
      items.push_back(EncodeSchedule(schedules->entries[i], (*rows)[i], now));
    }
  }
  Json out;
  out["items"] = std::move(items);
  co_return JsonResponse(200, out);
}

asio::awaitable<HttpResponse> ApiHandlers::GetSchedule(HttpRequest request, RouteParams params) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  const std::string id = IdOf(params);
  // Held for the request: a reload may replace schedules_ while it awaits the store.
  const std::shared_ptr<const ScheduleSet> schedules = schedules_;
  const ScheduleEntry* entry = schedules ? schedules->Find(id) : nullptr;
  if (entry == nullptr) co_return Error(ScheduleNotFound(id));
  auto query = [id](PlanReader& reader) -> Result<ScheduleDetail> {
    ScheduleDetail d;
    d.row = reader.FindScheduleRow(id);
    d.cycles = reader.RecentCycles(id, kRecentListed);
    d.events = reader.RecentScheduleEvents(id, kRecentListed);
    return d;
  };
  auto detail = co_await storage_.Read(std::move(query));
  if (!detail.ok()) co_return Error(detail.status());
  Json out = EncodeSchedule(*entry, detail->row, clock_.Now());
  Json cycles = Json::array();
  for (const CycleRow& c : detail->cycles) cycles.push_back(EncodeCycle(c));
  Json events = Json::array();
  for (const ScheduleEvent& e : detail->events) events.push_back(EncodeScheduleEvent(e));
  out["recent_cycles"] = std::move(cycles);
  out["recent_events"] = std::move(events);
  co_return JsonResponse(200, out);
}

asio::awaitable<HttpResponse> ApiHandlers::GetSchedulePreview(HttpRequest request,
                                                              RouteParams params) {
  if (Status s = CheckQueryNames(request.query, {"count", "from"}); !s.ok()) co_return Error(s);
  const std::string id = IdOf(params);
  // Held for the request: a reload may replace schedules_ while it awaits the store.
  const std::shared_ptr<const ScheduleSet> schedules = schedules_;
  const ScheduleEntry* entry = schedules ? schedules->Find(id) : nullptr;
  if (entry == nullptr) co_return Error(ScheduleNotFound(id));
  auto window = ParsePreviewQuery(request.query, clock_.Now());
  if (!window.ok()) co_return Error(window.status());
  const Instant from = window->from;
  const int count = window->count;
  Json fires = Json::array();
  for (const ScheduledFire& f :
       NextScheduledFires(entry->spec, &entry->working_days, from, static_cast<size_t>(count))) {
    fires.push_back(EncodeFire(f));
  }
  Json out;
  out["id"] = entry->spec.id;
  out["rule"] = entry->spec.rule_text();
  out["time_zone"] = entry->spec.time_zone;
  out["from"] = FormatRfc3339(from);
  out["fires"] = std::move(fires);
  co_return JsonResponse(200, out);
}

asio::awaitable<HttpResponse> ApiHandlers::PostSchedulePause(HttpRequest request,
                                                             RouteParams params) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  const std::string id = IdOf(params);
  // Held for the request: a reload may replace schedules_ while it awaits the store.
  const std::shared_ptr<const ScheduleSet> schedules = schedules_;
  const ScheduleEntry* entry = schedules ? schedules->Find(id) : nullptr;
  if (entry == nullptr) co_return Error(ScheduleNotFound(id));
  if (Status s = AllowedOnSchedule(request, *entry); !s.ok()) co_return Error(s);
  auto reason = ReasonOf(request);
  if (!reason.ok()) co_return Error(reason.status());
  const Instant now = clock_.Now();
  auto command = [id, reason = *reason, now](PlanRepository& repo) -> Result<ScheduleRow> {
    return PauseSchedule(repo, id, reason, now);
  };
  auto row = co_await storage_.Write(std::move(command));
  if (!row.ok()) co_return Error(row.status());
  if (schedules_changed_) schedules_changed_();
  co_return JsonResponse(200, EncodeSchedule(*entry, *row, now));
}

asio::awaitable<HttpResponse> ApiHandlers::PostScheduleResume(HttpRequest request,
                                                              RouteParams params) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  const std::string id = IdOf(params);
  // Held for the request: a reload may replace schedules_ while it awaits the store.
  const std::shared_ptr<const ScheduleSet> schedules = schedules_;
  const ScheduleEntry* entry = schedules ? schedules->Find(id) : nullptr;
  if (entry == nullptr) co_return Error(ScheduleNotFound(id));
  if (Status s = AllowedOnSchedule(request, *entry); !s.ok()) co_return Error(s);
  if (request.body.size() > 0) {
    auto body = ParseJsonObjectBody(request);
    if (!body.ok()) co_return Error(body.status());
    if (!body->empty()) {
      co_return Error(InvalidArgument("unknown_field", "resume takes no fields; send {} or nothing",
                                      {{"field", body->begin().key()}}));
    }
  }
  const Instant now = clock_.Now();
  auto command = [id, now](PlanRepository& repo) -> Result<ScheduleRow> {
    return ResumeSchedule(repo, id, now);
  };
  auto row = co_await storage_.Write(std::move(command));
  if (!row.ok()) co_return Error(row.status());
  if (schedules_changed_) schedules_changed_();
  co_return JsonResponse(200, EncodeSchedule(*entry, *row, now));
}

asio::awaitable<HttpResponse> ApiHandlers::PostScheduleTrigger(HttpRequest request,
                                                               RouteParams params) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  const std::string id = IdOf(params);
  // Held for the request: a reload may replace schedules_ while it awaits the store.
  const std::shared_ptr<const ScheduleSet> schedules = schedules_;
  const ScheduleEntry* entry = schedules ? schedules->Find(id) : nullptr;
  if (entry == nullptr) co_return Error(ScheduleNotFound(id));
  if (Status s = AllowedOnSchedule(request, *entry); !s.ok()) co_return Error(s);
  if (request.body.size() > 0) {
    auto body = ParseJsonObjectBody(request);
    if (!body.ok()) co_return Error(body.status());
    if (!body->empty()) {
      co_return Error(InvalidArgument("unknown_field",
                                      "trigger takes no fields; send {} or nothing",
                                      {{"field", body->begin().key()}}));
    }
  }
  const Instant now = clock_.Now();
  auto command = [schedules, entry, now](PlanRepository& repo) -> Result<CycleOutcome> {
    return TriggerCycle(repo, schedules->ContextFor(*entry), now);
  };
  auto outcome = co_await storage_.Write(std::move(command));
  if (!outcome.ok()) co_return Error(outcome.status());
  AfterWrite(true, outcome->notifications);
  if (schedules_changed_) schedules_changed_();
  Json out;
  out["outcome"] = outcome->kind == CycleOutcome::Kind::kSkippedOverlap  ? "skipped_overlap"
                   : outcome->kind == CycleOutcome::Kind::kAlreadyExists ? "already_exists"
                                                                         : "started";
  if (outcome->kind != CycleOutcome::Kind::kSkippedOverlap) {
    out["cycle"] = EncodeCycle(outcome->cycle);
  } else {
    out["cycle"] = nullptr;
  }
  out["tasks"] = outcome->tasks;
  out["carried"] = outcome->carried;
  out["closed_plan_id"] = outcome->closed_plan ? Json(*outcome->closed_plan) : Json(nullptr);
  co_return JsonResponse(outcome->kind == CycleOutcome::Kind::kStarted ? 201 : 200, out);
}

}  // namespace kaizen::daemon
