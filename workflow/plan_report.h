// Reports on a plan, and closing: the figures a review looks at (tasks by state, completion on
// time, overdue tasks with owners and days late, goals with baseline, target and latest value,
// the change against the previous cycle) and the snapshot frozen when a plan is closed (scope at
// start, added, done, verified, cancelled, carried). Pure computation plus one repository
// command (ClosePlan) run in the caller's write transaction.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "workflow/follow_up.h"
#include "workflow/model.h"
#include "workflow/repository.h"
#include "workflow/status.h"

namespace kaizen {

struct ReportTask {
  TaskId id = 0;
  std::string title;
  PersonId owner;
  std::string owner_name;
  Instant due_at{};
  TaskState state = TaskState::kOpen;
  int days_late = 0;  // overdue tasks: whole days past the deadline at the report's time
  int carry_count = 0;
  std::optional<PlanId> carried_from;
  bool operator==(const ReportTask&) const = default;
};

struct ReportGoal {
  std::string metric;
  std::string unit;
  std::optional<double> baseline;
  double target = 0;
  std::optional<double> actual;
  std::optional<Instant> actual_at;
  std::optional<PersonId> owner;
  bool operator==(const ReportGoal&) const = default;
};

// What closing freezes about the cycle's scope.
struct CycleSnapshot {
  int scope_at_start = 0;  // tasks the plan held when it started (template's and carried in)
  int added = 0;           // tasks added afterwards
  int done = 0;            // done, not yet verified
  int verified = 0;
  int cancelled = 0;
  int carried = 0;  // unfinished tasks moved on to the next cycle
  bool operator==(const CycleSnapshot&) const = default;
};

struct PlanReport {
  PlanId plan_id = 0;
  std::string title;
  std::string team;
  std::string time_zone = "UTC";  // the team's IANA zone: the Markdown writes times in it
  PlanState plan_state = PlanState::kActive;
  Instant generated_at{};
  std::optional<Instant> closed_at;  // set when frozen by ClosePlan
  std::map<TaskState, int> tasks_by_state;
  int tasks_total = 0;
  int finished = 0;          // done or verified
  int finished_on_time = 0;  // completed_at <= due_at
  // finished_on_time / tasks due by now (or finished); nullopt when no task counts yet.
  std::optional<double> on_time_percent;
  std::vector<ReportTask> overdue;        // most days late first
  std::vector<ReportTask> carried_twice;  // carry_count >= 2
  std::vector<ReportGoal> goals;
  CycleSnapshot snapshot;
  // The previous cycle of the same schedule, when there is one: its plan id and the change of
  // the figures (this - previous).
  std::optional<PlanId> previous_plan_id;
  std::optional<double> on_time_percent_change;
  std::optional<int> overdue_change;
  bool operator==(const PlanReport&) const = default;
};

std::string ReportToJson(const PlanReport& report);  // stored form and API body
std::optional<PlanReport> ReportFromJson(const std::string& text);
// The report for people, in `locale` ("en" or "zh-CN"; anything else: "en"), times in the
// team's zone.
std::string ReportToMarkdown(const PlanReport& report, std::string_view locale);

// The report of `plan` as it stands at `now`: from its tasks, the tasks carried out of it
// (PlanReader::TasksCarriedFrom) and, when given, the previous cycle's frozen report.
PlanReport BuildReport(PlanReader& reader, const Directory& directory, const Plan& plan,
                       const std::optional<PlanReport>& previous, Instant now);

// The frozen report of `plan` (FindPlanReport), nullopt when it is not closed or the stored
// text cannot be read.
std::optional<PlanReport> FrozenReport(PlanReader& reader, PlanId plan);

// The frozen report of the cycle before `plan`'s (PreviousCyclePlanOf), when there is one.
std::optional<PlanReport> PreviousCycleReport(PlanReader& reader, PlanId plan);

// What GET /plans/{id}/report answers: the frozen report of a closed plan, else the live one
// against the previous cycle's frozen report. Errors: kNotFound "plan_not_found".
Result<PlanReport> ReportOfPlan(PlanReader& reader, const Directory& directory, PlanId plan_id,
                                Instant now);

struct ClosedPlan {
  PlanReport report;
  bool newly_closed = false;  // false: it was closed before and nothing changed
};

// Closes the plan: freezes its report (stored by plan_id, plan.closed_at set, version + 1) and
// writes the cycle_summary notification to the team's channels. Closing a closed plan returns
// the frozen report and writes nothing. The plan's state and tasks are not changed. Errors:
// kNotFound "plan_not_found".
Result<ClosedPlan> ClosePlan(PlanRepository& repo, const FollowUpSettings& settings,
                             const Directory& directory, PlanId plan_id,
                             const std::optional<PlanReport>& previous, Instant now);

}  // namespace kaizen
