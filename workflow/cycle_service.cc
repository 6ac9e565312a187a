#include "workflow/cycle_service.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "workflow/duration.h"
#include "workflow/notification.h"
#include "workflow/plan_service.h"

namespace kaizen {

namespace {

constexpr int kEventNoteLimit = 200;

std::string CycleCauseKey(const std::string& schedule_id, Instant nominal) {
  // NotificationKey wants printable ASCII without '.': the storage time has one.
  std::string key =
      "cycle-" + schedule_id + "-" + std::to_string(nominal.time_since_epoch().count());
  return key;
}

bool PlanStillActive(const Plan& plan) {
  return plan.state == PlanState::kActive && !plan.closed_at;
}

ScheduleRow RowOrNew(PlanRepository& repo, const std::string& id, Instant now) {
  if (auto row = repo.FindScheduleRow(id)) return *row;
  ScheduleRow row;
  row.id = id;
  row.updated_at = now;
  return row;
}

ScheduleEvent Event(const std::string& schedule_id, std::string_view kind, Instant now,
                    std::optional<Instant> nominal, std::string note, int count = 1) {
  ScheduleEvent e;
  e.schedule_id = schedule_id;
  e.at = now;
  e.kind = std::string(kind);
  e.nominal_fire = nominal;
  e.count = count;
  if (note.size() > kEventNoteLimit) note.resize(kEventNoteLimit);
  e.note = std::move(note);
  return e;
}

}  // namespace

const ScheduleEntry* ScheduleSet::Find(std::string_view id) const {
  for (const ScheduleEntry& e : entries) {
    if (e.spec.id == id) return &e;
  }
  return nullptr;
}

CycleContext ScheduleSet::ContextFor(const ScheduleEntry& entry) const {
  CycleContext c;
  c.spec = &entry.spec;
  c.plan_template = &entry.plan_template;
  c.settings = settings.get();
  c.directory = directory.get();
  c.working_days = &entry.working_days;
  c.steps = steps;
  return c;
}

Result<CycleOutcome> StartCycle(PlanRepository& repo, const CycleContext& context,
                                const ScheduledFire& fire, CycleCause cause, Instant now) {
  const ScheduleSpec& spec = *context.spec;
  const Directory& directory = *context.directory;
  CycleOutcome outcome;
  if (auto existing = repo.FindCycle(spec.id, fire.fire.at)) {
    outcome.kind = CycleOutcome::Kind::kAlreadyExists;
    outcome.cycle = *existing;
    return outcome;
  }
  const Team* team = directory.FindTeam(spec.team);
  if (team == nullptr) {
    return Unprocessable("unknown_team", "schedule " + spec.id + ": no team '" + spec.team + "'");
  }

  std::optional<CycleRow> previous;
  std::optional<Plan> previous_plan;
  if (auto recent = repo.RecentCycles(spec.id, 1); !recent.empty()) {
    previous = recent.front();
    previous_plan = repo.FindPlan(previous->plan_id);
  }
  const bool previous_active = previous_plan && PlanStillActive(*previous_plan);
  if (previous_active && spec.overlap == OverlapPolicy::kSkip) {
    repo.AppendScheduleEvent(Event(
        spec.id, kScheduleEventSkippedOverlap, now, fire.fire.at,
        "the previous cycle's plan " + std::to_string(previous_plan->id) + " is still active"));
    outcome.kind = CycleOutcome::Kind::kSkippedOverlap;
    return outcome;
  }

  // The cycle closes when the schedule's next fire starts the next one.
  std::optional<Instant> closes_at;
  const Instant after = cause == CycleCause::kTrigger ? std::max(now, fire.fire.at) : fire.fire.at;
  if (auto next = NextScheduledFires(spec, context.working_days, after, 1); !next.empty()) {
    closes_at = next.front().starts_at;
  }
  Result<NewPlan> request = InstantiateTemplate(*context.plan_template, *team, directory,
                                                *context.working_days, fire.starts_at, closes_at);
  if (!request.ok()) return request.status();
  Result<PlanWithTasks> created = CreatePlan(repo, directory, *request, "system", now);
  if (!created.ok()) return created.status();
  const Plan& plan = created->plan;

  if (previous_active && spec.overlap == OverlapPolicy::kCarryOver && context.steps.carry_over) {
    Result<int> carried = context.steps.carry_over(repo, *previous_plan, plan, now);
    if (!carried.ok()) return carried.status();
    outcome.carried = *carried;
  }
  if (previous_plan && !previous_plan->closed_at && context.steps.close_plan) {
    // The summary of the previous cycle is posted now that the next one starts.
    Result<bool> closed = context.steps.close_plan(repo, previous_plan->id, now);
    if (!closed.ok()) return closed.status();
    if (*closed) outcome.closed_plan = previous_plan->id;
  }
  SyncPlanReminders(repo, *context.settings, directory, plan.id, now);

  CycleRow cycle;
  cycle.schedule_id = spec.id;
  cycle.nominal_fire = fire.fire.at;
  cycle.started_at = now;
  cycle.cause = std::string(ToString(cause));
  cycle.plan_id = plan.id;
  if (previous) cycle.previous_cycle_id = previous->id;
  cycle.id = repo.InsertCycle(cycle);
  outcome.cycle = cycle;
  outcome.starts_at = fire.starts_at;

  const std::vector<Task> tasks = repo.TasksOfPlan(plan.id);
  outcome.tasks = static_cast<int>(tasks.size());
  std::map<std::string, std::string> facts{{"tasks_total", std::to_string(tasks.size())}};
  const Plan stored = repo.FindPlan(plan.id).value_or(plan);
  outcome.notifications +=
      NotifyPlanEvent(repo, *context.settings, directory, stored, kNotifyCycleStarted,
                      std::move(facts), CycleCauseKey(spec.id, fire.fire.at), now);

  std::string note = std::string(ToString(cause)) + ": plan " + std::to_string(plan.id) + ", " +
                     std::to_string(outcome.tasks) + " task(s)";
  if (outcome.carried > 0) note += ", " + std::to_string(outcome.carried) + " carried over";
  if (fire.moved) note += ", moved to " + FormatRfc3339(fire.starts_at);
  repo.AppendScheduleEvent(Event(
      spec.id, cause == CycleCause::kTrigger ? kScheduleEventTriggered : kScheduleEventStarted, now,
      fire.fire.at, std::move(note)));
  return outcome;
}

Result<ScheduleRun> RunSchedule(PlanRepository& repo, const CycleContext& context, Instant now,
                                bool at_start) {
  const ScheduleSpec& spec = *context.spec;
  std::optional<ScheduleRow> stored = repo.FindScheduleRow(spec.id);
  ScheduleRow row =
      stored.value_or(ScheduleRow{spec.id, std::nullopt, false, "", std::nullopt, now});
  ScheduleState state{row.last_nominal_fire, row.paused, at_start};
  FirePlan plan = PlanFires(spec, context.working_days, state, now);

  ScheduleRun run;
  run.paused = row.paused;
  run.cause = plan.cause;
  run.missed = plan.missed;
  run.missed_capped = plan.missed_capped;
  run.merged = plan.merged;
  run.next_wake = plan.next_wake;
  if (plan.missed > 0) {
    std::string note = (plan.missed_capped ? "at least " : "") + std::to_string(plan.missed) +
                       " fire(s) missed, from " + FormatRfc3339(*plan.first_missed) + " to " +
                       FormatRfc3339(*plan.last_missed) + "; not started (catch-up window " +
                       FormatIsoDuration(spec.catch_up) + ", at most one catch-up)";
    repo.AppendScheduleEvent(
        Event(spec.id, kScheduleEventMissed, now, plan.last_missed, std::move(note), plan.missed));
  }
  if (plan.start) {
    Result<CycleOutcome> outcome = StartCycle(repo, context, *plan.start, plan.cause, now);
    if (!outcome.ok()) return outcome.status();
    run.outcome = std::move(*outcome);
  }
  if (!stored || row.last_nominal_fire != plan.watermark) {
    row.last_nominal_fire = plan.watermark;
    row.updated_at = now;
    repo.UpsertScheduleRow(row);
  }
  return run;
}

Result<CycleOutcome> TriggerCycle(PlanRepository& repo, const CycleContext& context, Instant now) {
  const ScheduleSpec& spec = *context.spec;
  if (repo.FindCycle(spec.id, now)) {
    return Conflict("cycle_exists",
                    "schedule " + spec.id + " already has a cycle at " + FormatRfc3339(now));
  }
  if (!repo.FindScheduleRow(spec.id)) {
    // First sight: counting starts now, as RunSchedule would.
    repo.UpsertScheduleRow(ScheduleRow{spec.id, now, false, "", std::nullopt, now});
  }
  ScheduledFire fire;
  fire.fire.at = now;
  fire.starts_at = now;
  return StartCycle(repo, context, fire, CycleCause::kTrigger, now);
}

Result<ScheduleRow> PauseSchedule(PlanRepository& repo, const std::string& schedule_id,
                                  const std::string& reason, Instant now) {
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return InvalidArgument("reason_required", "pausing a schedule needs a reason",
                           {{"field", "reason"}});
  }
  ScheduleRow row = RowOrNew(repo, schedule_id, now);
  if (row.paused) return row;
  if (!row.last_nominal_fire) row.last_nominal_fire = now;
  row.paused = true;
  row.pause_reason = reason;
  row.paused_at = now;
  row.updated_at = now;
  repo.UpsertScheduleRow(row);
  repo.AppendScheduleEvent(Event(schedule_id, kScheduleEventPaused, now, std::nullopt, reason));
  return row;
}

Result<ScheduleRow> ResumeSchedule(PlanRepository& repo, const std::string& schedule_id,
                                   Instant now) {
  ScheduleRow row = RowOrNew(repo, schedule_id, now);
  if (!row.paused) return row;
  const std::optional<Instant> paused_at = row.paused_at;
  // Nothing missed while paused is replayed: counting starts again now.
  row.last_nominal_fire = std::max(row.last_nominal_fire.value_or(now), now);
  row.paused = false;
  row.pause_reason.clear();
  row.paused_at.reset();
  row.updated_at = now;
  repo.UpsertScheduleRow(row);
  repo.AppendScheduleEvent(Event(schedule_id, kScheduleEventResumed, now, std::nullopt,
                                 paused_at ? "paused since " + FormatRfc3339(*paused_at) : ""));
  return row;
}

}  // namespace kaizen
