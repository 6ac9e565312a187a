#include "workflow/goal_check_in.h"

#include <charconv>
#include <cmath>
#include <utility>

#include "workflow/notification.h"

namespace kaizen {
namespace {

using std::chrono::seconds;

// The last call before closing, when the plan closes and the instant falls inside the plan.
std::optional<Instant> BeforeCloseCheckIn(const Plan& plan, const Goal& goal) {
  if (!goal.check_in_before_close || !plan.closes_at) return std::nullopt;
  Instant at = *plan.closes_at - *goal.check_in_before_close;
  if (at <= plan.created_at) return std::nullopt;
  return at;
}

bool HasCadence(const Goal& goal) {
  return goal.check_in_every && *goal.check_in_every > seconds::zero();
}

// created_at + k * every for the largest k >= 1 with that instant <= limit.
std::optional<Instant> CadenceAtOrBefore(const Plan& plan, const Goal& goal, Instant limit) {
  if (!HasCadence(goal) || limit < plan.created_at) return std::nullopt;
  const auto every = std::chrono::duration_cast<Instant::duration>(*goal.check_in_every);
  const auto k = (limit - plan.created_at) / every;
  if (k < 1) return std::nullopt;
  return plan.created_at + k * every;
}

// Later of two optional instants.
std::optional<Instant> Later(std::optional<Instant> a, std::optional<Instant> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

std::optional<Instant> Earlier(std::optional<Instant> a, std::optional<Instant> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

// Shortest text that reads back as the same number: 80, 92.5, 0.1.
std::string NumberText(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (ec != std::errc()) return std::to_string(value);
  return std::string(buffer, end);
}

}  // namespace

bool HasCheckIns(const Goal& goal) { return HasCadence(goal) || goal.check_in_before_close; }

std::optional<Instant> LatestCheckIn(const Plan& plan, const Goal& goal, Instant now) {
  // A cadence stops at the plan's closing: a check-in after it asks about nothing.
  Instant cadence_limit = plan.closes_at ? std::min(now, *plan.closes_at) : now;
  std::optional<Instant> cadence = CadenceAtOrBefore(plan, goal, cadence_limit);
  std::optional<Instant> before_close = BeforeCloseCheckIn(plan, goal);
  if (before_close && *before_close > now) before_close.reset();
  return Later(cadence, before_close);
}

std::optional<Instant> NextCheckIn(const Plan& plan, const Goal& goal, Instant now) {
  std::optional<Instant> cadence;
  if (HasCadence(goal)) {
    const auto every = std::chrono::duration_cast<Instant::duration>(*goal.check_in_every);
    Instant next = plan.created_at + every;
    if (now >= plan.created_at)
      next = plan.created_at + ((now - plan.created_at) / every + 1) * every;
    if (!plan.closes_at || next <= *plan.closes_at) cadence = next;
  }
  std::optional<Instant> before_close = BeforeCloseCheckIn(plan, goal);
  if (before_close && *before_close <= now) before_close.reset();
  return Earlier(cadence, before_close);
}

std::optional<Instant> DueCheckIn(const Plan& plan, const Goal& goal, Instant now) {
  std::optional<Instant> latest = LatestCheckIn(plan, goal, now);
  if (!latest) return std::nullopt;
  if (goal.actual && goal.actual_at && *goal.actual_at >= *latest) return std::nullopt;
  return latest;
}

std::vector<GoalCheckInDue> DueCheckIns(const Plan& plan, Instant now) {
  std::vector<GoalCheckInDue> out;
  if (plan.state != PlanState::kActive) return out;
  for (size_t i = 0; i < plan.goals.size(); ++i) {
    const Goal& goal = plan.goals[i];
    if (!goal.owner) continue;
    if (std::optional<Instant> at = DueCheckIn(plan, goal, now)) {
      out.push_back({static_cast<int>(i), *at});
    }
  }
  return out;
}

std::string CheckInCause(PlanId plan_id, int goal_index, Instant at) {
  const auto epoch_seconds = std::chrono::duration_cast<seconds>(at.time_since_epoch()).count();
  return "p" + std::to_string(plan_id) + "-g" + std::to_string(goal_index) + "-checkin-" +
         std::to_string(epoch_seconds);
}

Result<Plan> RecordGoalValue(PlanRepository& repo, PlanId plan_id, int goal_index,
                             const GoalValue& value, const PersonId& actor, Instant now) {
  if (!std::isfinite(value.actual)) {
    return InvalidArgument("invalid_field", "the value of a goal must be a finite number",
                           {{"field", "actual"}});
  }
  std::optional<Plan> plan = repo.FindPlan(plan_id);
  if (!plan) return NotFound("plan_not_found", "there is no plan " + std::to_string(plan_id));
  if (goal_index < 0 || static_cast<size_t>(goal_index) >= plan->goals.size()) {
    return NotFound("goal_not_found", "plan " + std::to_string(plan_id) + " has " +
                                          std::to_string(plan->goals.size()) +
                                          " goals; there is no goal " + std::to_string(goal_index) +
                                          " (goals count from 0)");
  }
  if (value.expected_version && *value.expected_version != plan->version) {
    return PreconditionFailed(
        "version_mismatch",
        "plan " + std::to_string(plan_id) + " is at version " + std::to_string(plan->version) +
            ", not " + std::to_string(*value.expected_version) + "; reload it and try again",
        {{"current_version", plan->version}});
  }
  if (plan->state == PlanState::kCancelled) {
    return Conflict("plan_not_active", "plan " + std::to_string(plan_id) +
                                           " is cancelled; its goals can no longer change");
  }
  Goal& goal = plan->goals[static_cast<size_t>(goal_index)];
  goal.actual = value.actual;
  goal.actual_at = now;
  plan->version += 1;
  plan->updated_at = now;
  repo.UpdatePlan(*plan);
  GoalUpdate update;
  update.plan_id = plan_id;
  update.goal_index = goal_index;
  update.value = value.actual;
  update.at = now;
  update.actor = actor;
  update.note = value.note;
  repo.AppendGoalUpdate(update);
  return *plan;
}

CheckInSweepReport SweepGoalCheckIns(PlanRepository& repo, const FollowUpSettings& settings,
                                     const Directory& directory, Instant now) {
  CheckInSweepReport report;
  PlanFilter filter;
  filter.state = PlanState::kActive;
  filter.limit = kMaxPageSize;
  while (true) {
    Page<Plan> page = repo.ListPlans(filter);
    for (const Plan& plan : page.items) {
      ++report.plans;
      for (size_t i = 0; i < plan.goals.size(); ++i) {
        const Goal& goal = plan.goals[i];
        if (!goal.owner || !HasCheckIns(goal)) continue;
        report.next_check_in = Earlier(report.next_check_in, NextCheckIn(plan, goal, now));
      }
      for (const GoalCheckInDue& due : DueCheckIns(plan, now)) {
        ++report.due;
        const Goal& goal = plan.goals[static_cast<size_t>(due.goal_index)];
        std::map<std::string, std::string> facts = {
            {"goal_metric", goal.metric},
            {"goal_target", NumberText(goal.target)},
            {"goal_unit", goal.unit},
            {"goal_actual", goal.actual ? NumberText(*goal.actual) : ""},
        };
        report.notifications +=
            NotifyPlanEvent(repo, settings, directory, plan, kNotifyGoalCheckIn, std::move(facts),
                            CheckInCause(plan.id, due.goal_index, due.at), now, goal.owner);
      }
    }
    if (!page.next_after) break;
    filter.after = page.next_after;
  }
  return report;
}

}  // namespace kaizen
