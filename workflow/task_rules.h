// The task lifecycle and plan rules as pure functions: no I/O, "now" passed in.
//
//   open        -> in_progress | blocked | done | cancelled
//   in_progress -> blocked | done | cancelled | open
//   blocked     -> in_progress | cancelled
//   done        -> verified | in_progress (a rejection by the reviewer)
//   cancelled   -> open
//   verified    -> (final)
//
// blocked, cancelled and a rejection need a note. Verification (and rejection) is done by a
// reviewer: the plan owner or the task owner's manager; the task owner only when the plan
// allows self-verification. A task owner may take back their own done task (done ->
// in_progress, with a note); that is recorded as "reopened", not "rejected".
//
// A task owner is never a reviewer of their own task unless the plan allows self-verification,
// even when they also own the plan: then their manager verifies. Moving work forward (to
// in_progress or done, except done -> in_progress) needs every dependency done or verified; a
// cancelled dependency never satisfies it (remove it with a task update instead).
//
// Pure functions on values; callable from any thread.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "workflow/model.h"
#include "workflow/status.h"

namespace kaizen {

bool IsTransitionAllowed(TaskState from, TaskState to);
// In the order of the table above; empty for verified.
std::vector<TaskState> AllowedTransitions(TaskState from);
// To blocked, to cancelled, and done -> in_progress. A note of only blanks counts as none.
bool TransitionRequiresNote(TaskState from, TaskState to);

// Whether `actor` may verify or reject `task` in `plan`.
bool IsReviewer(const PersonId& actor, const Task& task, const Plan& plan,
                const Directory& directory);

struct DependencyState {
  TaskId id = 0;
  std::string title;
  TaskState state = TaskState::kOpen;
};

struct TransitionRequest {
  TaskState to = TaskState::kOpen;
  std::string note;
  PersonId actor;
  std::optional<std::int64_t> expected_version;  // from If-Match
};

// What a transition does to a task: the updated task and the event to append.
struct TransitionOutcome {
  Task task;
  TaskEvent event;
};

// Checks every rule for moving `task` and returns the new task and its event, or why not. The
// checks run in this order, so the first broken rule is the one reported:
//   kConflict "plan_not_active"          the plan is cancelled or completed (except reopening)
//   kPreconditionFailed "version_mismatch"
//   kConflict "transition_not_allowed"   details: {"from", "to", "allowed": [...]}
//   kInvalidArgument "note_required"
//   kUnprocessable "unknown_actor"
//   kPermissionDenied "not_a_reviewer"   details: {"reviewers": [...]}
//   kConflict "dependencies_unfinished"  details: {"dependencies": [{"id","title","state"}]}
// On success the task has version + 1, updated_at = now, completed_at = now when it enters
// done (cleared when done work goes back to in_progress), and the event (id 0, to be assigned
// by the repository) is a "transition", "rejected" or "reopened" with from, to, note and actor.
// `dependencies` holds the current state of each task in task.depends_on.
Result<TransitionOutcome> DecideTransition(const Task& task, const Plan& plan,
                                           std::span<const DependencyState> dependencies,
                                           const Directory& directory,
                                           const TransitionRequest& request, Instant now);

// active until every task is verified or cancelled with at least one verified; then
// completed. A cancelled plan stays cancelled. A completed plan with unfinished work (a task
// added or reopened) is active again.
PlanState DerivePlanState(PlanState current, std::span<const TaskState> task_states);

// Returns a cycle (a list of ids where each depends on the next and the last on the first;
// a self-dependency is a cycle of one) if the graph has one, nullopt for a DAG. `graph` maps a
// task to the tasks it depends on; a task named only as a dependency has no dependencies.
// Deterministic: the same graph always yields the same cycle.
std::optional<std::vector<TaskId>> FindDependencyCycle(
    const std::map<TaskId, std::vector<TaskId>>& graph);

}  // namespace kaizen
