// The real close and carry-over steps of a cycle (workflow/cycle_service.h CycleSteps).
#include <map>
#include <string>
#include <utility>

#include "daemon/cycle_scheduler.h"
#include "workflow/carry_over.h"
#include "workflow/plan_report.h"

namespace kaizen::daemon {

CycleSteps RealCycleSteps(std::shared_ptr<const FollowUpSettings> settings,
                          std::shared_ptr<const Directory> directory) {
  CycleSteps steps;
  steps.carry_over = [directory](PlanRepository& repo, const Plan& from, const Plan& to,
                                 Instant now) -> Result<int> {
    // A carried task whose key the new cycle's template has again gets that task's deadline in
    // the new cycle; any other task the new cycle's closing time.
    std::map<std::string, Instant> deadlines_by_key;
    for (const Task& task : repo.TasksOfPlan(to.id)) {
      if (task.key) deadlines_by_key.emplace(*task.key, task.due_at);
    }
    Result<CarryOverResult> carried = CarryOverTasks(
        repo, *directory, from.id, to.id,
        TemplateDeadlineOr(std::move(deadlines_by_key), to.closes_at.value_or(now)), "system", now);
    if (!carried.ok()) return carried.status();
    return static_cast<int>(carried->carried.size());
  };
  steps.close_plan = [settings, directory](PlanRepository& repo, PlanId plan,
                                           Instant now) -> Result<bool> {
    // The summary compares with the cycle before, when it was closed.
    Result<ClosedPlan> closed =
        ClosePlan(repo, *settings, *directory, plan, PreviousCycleReport(repo, plan), now);
    if (!closed.ok()) return closed.status();
    return closed->newly_closed;
  };
  return steps;
}

}  // namespace kaizen::daemon
