// Goals during a cycle: when a goal's owner is asked for the current value (check-ins), recording
// a value (PATCH /api/v1/plans/{id}/goals/{index}), and the sweep that nudges owners.
//
// Check-ins of a goal with a cadence (Goal::check_in_every and/or check_in_before_close):
//   - every `check_in_every` from the plan's created_at: created_at + k * every, k >= 1 (none at
//     the start itself: nobody has had time to move the number yet); when the plan has a
//     closes_at, only those at or before it;
//   - once `check_in_before_close` before the plan's closes_at, when the plan has one and that
//     instant is after created_at.
// A check-in is DUE at `now` when it is the latest check-in at or before `now` and no value was
// recorded at or after it (Goal::actual_at < the check-in, or no value at all). Only the latest
// one counts: a daemon down for three weeks asks once, for the current value, not three times.
// A goal with a due check-in is shown as "stale".
//
// Pure functions except the two commands at the end, which run in the caller's write
// transaction on the storage writer (like plan_service.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "workflow/follow_up.h"
#include "workflow/model.h"
#include "workflow/repository.h"
#include "workflow/status.h"

namespace kaizen {

// Whether the goal has any check-in (a cadence or a last call before closing).
bool HasCheckIns(const Goal& goal);

// The latest check-in of `goal` (of `plan`) at or before `now`; nullopt before the first one.
std::optional<Instant> LatestCheckIn(const Plan& plan, const Goal& goal, Instant now);

// The first check-in strictly after `now`; nullopt when no more come.
std::optional<Instant> NextCheckIn(const Plan& plan, const Goal& goal, Instant now);

// The check-in that is due at `now` (see above), if any.
std::optional<Instant> DueCheckIn(const Plan& plan, const Goal& goal, Instant now);

struct GoalCheckInDue {
  int goal_index = 0;
  Instant at{};  // the check-in instant
  bool operator==(const GoalCheckInDue&) const = default;
};

// The due check-ins of every goal of `plan` that has an owner, by goal index. None for a plan
// that is not active.
std::vector<GoalCheckInDue> DueCheckIns(const Plan& plan, Instant now);

// The idempotency cause of the nudge for one check-in: "p<plan>-g<index>-checkin-<seconds since
// the epoch of the check-in instant>". The same check-in always gives the same cause, so the
// outbox never holds two nudges for it, however often the sweep runs.
std::string CheckInCause(PlanId plan_id, int goal_index, Instant at);

// ---- Commands --------------------------------------------------------------------------------

struct GoalValue {
  double actual = 0;
  std::string note;
  std::optional<std::int64_t> expected_version;  // If-Match: the plan's version
};

// Records the current value of goal `goal_index` of the plan: the goal's actual = value and
// actual_at = now, the plan's version + 1 and updated_at = now, and one GoalUpdate appended.
// Errors: kNotFound "plan_not_found" / "goal_not_found", kPreconditionFailed "version_mismatch"
// (details.current_version), kConflict "plan_not_active" (a cancelled plan), kInvalidArgument
// "invalid_field" (details.field "actual": not a finite number).
Result<Plan> RecordGoalValue(PlanRepository& repo, PlanId plan_id, int goal_index,
                             const GoalValue& value, const PersonId& actor, Instant now);

struct CheckInSweepReport {
  int plans = 0;          // active plans looked at
  int due = 0;            // check-ins due at `now`
  int notifications = 0;  // outbox rows newly written
  // The earliest check-in after `now` of the active plans' goals with owners: when to sweep
  // again at the latest.
  std::optional<Instant> next_check_in;
};

// Writes a goal_check_in notification to the owner of each goal whose check-in is due at `now`,
// over every active plan, through NotifyPlanEvent with CheckInCause: a check-in already asked
// about writes nothing new. Facts: goal_metric, goal_target, goal_unit, goal_actual (empty when
// no value was ever recorded).
CheckInSweepReport SweepGoalCheckIns(PlanRepository& repo, const FollowUpSettings& settings,
                                     const Directory& directory, Instant now);

}  // namespace kaizen
