// Review cycles: what a schedule does when one of its fires comes, each use case one write
// transaction run by the caller on the storage writer (like plan_service.h).
//
// Starting a cycle (StartCycle), in one transaction:
//   1. a cycle of (schedule, nominal fire) that exists already: nothing happens (a crash, a
//      restart or a clock step can never start a cycle twice; the store's UNIQUE agrees);
//   2. the previous cycle of the schedule, when its plan is still active, meets the overlap
//      policy: skip records a skipped_overlap event and starts nothing; allow and carry_over go
//      on;
//   3. the template is instantiated for the team at the fire's start time (a moved fire's,
//      for a working-day schedule), closing at the schedule's next fire, and the plan created;
//   4. carry_over moves the previous plan's unfinished tasks into the new plan (with their
//      owners, history and lineage: CarryOverTasks);
//   5. the previous cycle's plan, whatever its state, is closed (ClosePlan: its summary goes to
//      the team now that the next cycle starts), unless it was closed before;
//   6. the new plan's reminders are planned, the cycle row inserted, the team told
//      (cycle_started, with tasks_total) and a "started" event recorded.
//
// Running a schedule (RunSchedule) plans its fires (workflow/schedule.h PlanFires) against its
// stored row, records the misses, starts at most one cycle and moves the watermark, all in the
// same transaction; so the watermark never moves without its cycle, and vice versa.
//
// No clock (now is a parameter); no state of its own.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/follow_up.h"
#include "workflow/model.h"
#include "workflow/plan_template.h"
#include "workflow/repository.h"
#include "workflow/schedule.h"
#include "workflow/status.h"
#include "workflow/working_calendar.h"

namespace kaizen {

// The two steps that belong to closing and carrying over (workflow/plan_report.h ClosePlan and
// workflow/carry_over.h CarryOverTasks), passed in so that this file and its tests do not depend
// on how they are built; daemon/cycle_scheduler.h RealCycleSteps() binds the real ones.
struct CycleSteps {
  // Moves the unfinished tasks of `from` into `to`; returns how many moved.
  std::function<Result<int>(PlanRepository& repo, const Plan& from, const Plan& to, Instant now)>
      carry_over;
  // Closes the plan (idempotent); returns whether it was newly closed.
  std::function<Result<bool>(PlanRepository& repo, PlanId plan, Instant now)> close_plan;
};

// Everything a schedule's cycle is made from; references must outlive the call.
struct CycleContext {
  const ScheduleSpec* spec = nullptr;
  const PlanTemplate* plan_template = nullptr;
  const FollowUpSettings* settings = nullptr;
  const Directory* directory = nullptr;
  // The team's working days: its calendar, or Monday to Friday in its zone.
  const WorkingCalendar* working_days = nullptr;
  CycleSteps steps;
};

// One configured schedule with what its cycles are made from.
struct ScheduleEntry {
  ScheduleSpec spec;
  PlanTemplate plan_template;
  WorkingCalendar working_days;  // the team's (config/schedules.h TeamWorkingDays)
};

// Every configured schedule and what they share; immutable once built, shared between the
// scheduler and the API by shared_ptr<const ScheduleSet>.
struct ScheduleSet {
  std::vector<ScheduleEntry> entries;  // in config order
  std::shared_ptr<const FollowUpSettings> settings;
  std::shared_ptr<const Directory> directory;
  CycleSteps steps;

  const ScheduleEntry* Find(std::string_view id) const;
  // The context of one entry's cycles; valid while this set lives.
  CycleContext ContextFor(const ScheduleEntry& entry) const;
};

struct CycleOutcome {
  enum class Kind {
    kStarted,         // a new cycle and its plan
    kAlreadyExists,   // the cycle of this nominal fire was started before
    kSkippedOverlap,  // overlap = skip and the previous plan is active
  };
  Kind kind = Kind::kStarted;
  CycleRow cycle;                     // kStarted, kAlreadyExists
  // kStarted: when the fire was due to start (its nominal instant, or the working day it moved
  // to); started_at - starts_at is how late it started.
  Instant starts_at{};
  std::optional<PlanId> closed_plan;  // the previous cycle's plan, newly closed
  int carried = 0;                    // tasks carried over
  int tasks = 0;                      // tasks of the new plan, carried ones included
  int notifications = 0;              // outbox rows written (cycle_started, summary)
};

// Starts the cycle of `fire` (see above). `cause` is recorded in the cycle row. Errors: those of
// InstantiateTemplate and CreatePlan (a role the team does not map: kUnprocessable
// "unknown_role"), and of the steps.
Result<CycleOutcome> StartCycle(PlanRepository& repo, const CycleContext& context,
                                const ScheduledFire& fire, CycleCause cause, Instant now);

struct ScheduleRun {
  std::optional<CycleOutcome> outcome;  // when a fire was due and in time
  CycleCause cause = CycleCause::kSchedule;
  int missed = 0;
  bool missed_capped = false;
  int merged = 0;
  std::optional<Instant> next_wake;  // the next fire's start; nullopt when paused or none
  bool paused = false;
};

// Plans the schedule's fires at `now` against its stored row (created on first sight, counting
// from now), records missed fires as one "missed" event, starts the due fire if any, and stores
// the new watermark. Errors: those of StartCycle (nothing is written then; the caller logs and
// retries at the next wake-up).
// `at_start`: the first run after kaizend started (a due fire is then a catch-up).
Result<ScheduleRun> RunSchedule(PlanRepository& repo, const CycleContext& context, Instant now,
                                bool at_start = false);

// Starts a cycle now, whatever the rule says: cause trigger, keyed by `now`. The watermark does
// not move (the rule's own fires continue as planned). Errors: as StartCycle, and kConflict
// "cycle_exists" when a cycle of this very instant exists.
Result<CycleOutcome> TriggerCycle(PlanRepository& repo, const CycleContext& context, Instant now);

// Pauses the schedule with a reason (required: kInvalidArgument "reason_required"); pausing a
// paused schedule changes nothing and returns its row.
Result<ScheduleRow> PauseSchedule(PlanRepository& repo, const std::string& schedule_id,
                                  const std::string& reason, Instant now);

// Resumes the schedule: the watermark moves to `now`, so no fire missed while paused is ever
// started. Resuming a running schedule changes nothing.
Result<ScheduleRow> ResumeSchedule(PlanRepository& repo, const std::string& schedule_id,
                                   Instant now);

}  // namespace kaizen
