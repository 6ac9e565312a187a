// Use cases on plans and tasks: each function is one domain command, run inside one write
// transaction by the caller (storage/ executes it on the writer thread). They validate the
// input against the directory and the stored state, apply task_rules.h, write through the
// repository and append history. On a non-ok Result the caller rolls back, so a failed command
// changes nothing. Besides, every command checks all of its input before its first write, so a
// refused command has written nothing even without a rollback; only a StorageError thrown by
// the repository can interrupt a command between two writes.
//
// Validation errors carry details.field, a path into the request ("title", "tasks[2].owner",
// "goals[0].target_date"). Text fields count as missing when they hold only blanks.
// Runs on whichever thread owns `repo` (the storage writer); no state of its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "workflow/model.h"
#include "workflow/repository.h"
#include "workflow/status.h"
#include "workflow/task_rules.h"

namespace kaizen {

struct NewTask {
  std::optional<std::string> key;  // unique within the plan
  std::string title;               // required, non-empty
  std::string description;
  PersonId owner;  // required, must be a known person
  Instant due_at{};
  std::string criterion;
  std::vector<TaskId> depends_on;            // ids of existing tasks of the same plan
  std::vector<std::string> depends_on_keys;  // keys of tasks of the same plan or request
  // A reminder policy name (checked by the caller against the config); nullopt: the plan's.
  std::optional<std::string> reminder_policy;
};

struct NewPlan {
  std::string title;  // required
  std::string description;
  std::string kind = std::string(kPlanKindImprovement);
  PersonId owner;    // required, known person
  std::string team;  // required, known team
  bool allow_self_verification = false;
  std::optional<std::string> reminder_policy;  // checked by the caller; nullopt: the team's
  std::vector<Goal> goals;      // a goal's owner, when set, must be a known person
  std::vector<NewTask> tasks;  // created with the plan, in order
  std::optional<std::string> template_id;  // copied to Plan::template_id
  std::optional<Instant> closes_at;        // copied to Plan::closes_at
};

struct PlanWithTasks {
  Plan plan;
  std::vector<Task> tasks;
};

// Stores the plan (active, version 1), its tasks in request order (open, version 1) and one
// "created" event per task. Inline tasks name each other with depends_on_keys; depends_on ids
// cannot name anything in a plan that does not exist yet and are refused.
// Errors: kUnprocessable "unknown_owner" / "unknown_team" / "unknown_dependency" /
// "dependency_cycle" (details.cycle: the keys on the cycle) / "duplicate_key";
// kInvalidArgument "missing_field" (title, owner, team, a goal's metric, a task's title or
// owner) / "invalid_field" (empty kind or key, a goal's target_date that is not a valid
// YYYY-MM-DD, a goal number that is not finite, a goal's check-in duration that is not
// positive: "goals[i].check_in.every" / ".before_close"). A goal's owner that is not a known
// person is "unknown_owner" with details.field "goals[i].owner".
Result<PlanWithTasks> CreatePlan(PlanRepository& repo, const Directory& directory,
                                 const NewPlan& request, const PersonId& actor, Instant now);

// Adds one task to an existing plan (a completed plan becomes active again, version + 1).
// depends_on ids and depends_on_keys name tasks of this plan; naming its own key is a
// "dependency_cycle". Errors as CreatePlan, plus kNotFound "plan_not_found", kConflict
// "plan_not_active" for a cancelled plan.
Result<Task> AddTask(PlanRepository& repo, const Directory& directory, PlanId plan_id,
                     const NewTask& request, const PersonId& actor, Instant now);

struct TaskPatch {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<PersonId> owner;
  std::optional<Instant> due_at;
  std::optional<std::string> criterion;
  std::optional<std::vector<TaskId>> depends_on;
  // A reminder policy name, checked by the caller; "" goes back to the plan's or team's.
  std::optional<std::string> reminder_policy;
  std::optional<std::int64_t> expected_version;  // If-Match
};

// Errors: kNotFound "task_not_found", kPreconditionFailed "version_mismatch",
// kUnprocessable "unknown_owner" / "unknown_dependency" / "dependency_cycle",
// kConflict "task_final" (a verified or cancelled task's fields are frozen),
// kInvalidArgument "missing_field" (empty title), kConflict "plan_not_active" (a done task in
// a cancelled plan). A patch that changes nothing returns the task unchanged without a new
// version or event, even on a final task. Otherwise the task gets version + 1, updated_at and
// an "updated" event whose note lists each change as "field: old -> new" joined by "; " (long
// text shortened). details.cycle of a "dependency_cycle" holds task ids.
Result<Task> UpdateTask(PlanRepository& repo, const Directory& directory, TaskId task_id,
                        const TaskPatch& patch, const PersonId& actor, Instant now);

// Applies DecideTransition, stores the task and its event, and re-derives the plan state from
// all its tasks (DerivePlanState); a plan whose state changes gets version + 1 and updated_at.
// Errors: kNotFound "task_not_found" and those of DecideTransition.
Result<Task> TransitionTask(PlanRepository& repo, const Directory& directory, TaskId task_id,
                            const TransitionRequest& request, Instant now);

// A transition and what it did, for the follow-ups that depend on it (follow_up.h): the task
// and its plan before and after, and the event as stored (its id set).
struct RecordedTransition {
  Task before;
  Task after;
  Plan plan_before;
  Plan plan_after;
  TaskEvent event;
};

// TransitionTask, returning the whole record. Errors as TransitionTask.
Result<RecordedTransition> RecordTransition(PlanRepository& repo, const Directory& directory,
                                            TaskId task_id, const TransitionRequest& request,
                                            Instant now);

// Cancels the plan and every unfinished task in it (open, in_progress, blocked), each with a
// "transition" event whose note names the plan cancellation. Done and verified tasks stay.
// Errors: kNotFound "plan_not_found", kConflict "plan_not_active" (already cancelled or
// completed), kInvalidArgument "note_required".
Result<PlanWithTasks> CancelPlan(PlanRepository& repo, const Directory& directory, PlanId plan_id,
                                 const std::string& note, const PersonId& actor, Instant now);

}  // namespace kaizen
