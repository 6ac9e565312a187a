// Carrying over: when a review cycle closes with work left, its unfinished tasks (open,
// in_progress, blocked) move into the next cycle's plan with their owners, history and state,
// a new deadline and their lineage (the plan they came from, how many times they were carried).
// One repository command, run in the caller's write transaction; the scheduler calls it when a
// schedule's overlap policy is carry_over, then closes the old plan (plan_report.h ClosePlan).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "workflow/model.h"
#include "workflow/plan_service.h"
#include "workflow/repository.h"
#include "workflow/status.h"

namespace kaizen {

// The deadline a carried task gets in the new plan; given the task as it was in the old one.
using CarryDeadline = std::function<Instant(const Task& task)>;

// The rule the scheduler offers: a task whose key names a task of the new cycle's template
// gets that task's deadline for the new cycle (`deadlines_by_key`), any other `otherwise` (the
// new plan's closes_at).
CarryDeadline TemplateDeadlineOr(std::map<std::string, Instant> deadlines_by_key,
                                 Instant otherwise);

// The deadlines by key of the new cycle's tasks, for TemplateDeadlineOr.
std::map<std::string, Instant> DeadlinesByKey(const NewPlan& new_cycle);

struct CarriedTask {
  Task task;                                 // as stored in the new plan
  std::optional<std::string> key_before;     // set when the key was renamed to stay unique
  std::vector<TaskId> dropped_dependencies;  // finished or cancelled tasks left behind
  bool operator==(const CarriedTask&) const = default;
};

struct CarryOverResult {
  std::vector<CarriedTask> carried;  // ascending by task id
  bool operator==(const CarryOverResult&) const = default;
};

// Moves every unfinished task of `from` into `to`, in ascending id order: plan_id = to, owner,
// state and history kept, carried_from = from, carry_count + 1, due_at = deadline(task),
// version + 1, updated_at = now, and one "carried" event (kEventCarried; actor `actor`) whose
// note names both plans, the deadline change, a renamed key and dropped dependencies.
//   - A key that a task of `to` already has (the new cycle's template made the same task)
//     becomes "<key>-from-<from>", then "<key>-from-<from>-2", ... until unique in `to`.
//   - Dependencies on tasks that move too are kept; those on tasks that stay behind (finished or
//     cancelled, so they no longer hold anything up) are dropped.
//   - Both plans' states are derived again (DerivePlanState); a plan whose state changes gets
//     version + 1 and updated_at: `from` may complete, a completed `to` becomes active.
// Reminders are the caller's: SyncPlanReminders(to) afterwards plans the new deadlines.
// Nothing to move is not an error (an empty result, nothing written).
// Errors, before any write: kNotFound "plan_not_found"; kInvalidArgument "same_plan";
// kConflict "plan_not_active" when `to` is cancelled.
Result<CarryOverResult> CarryOverTasks(PlanRepository& repo, const Directory& directory,
                                       PlanId from, PlanId to, const CarryDeadline& deadline,
                                       const PersonId& actor, Instant now);

}  // namespace kaizen
