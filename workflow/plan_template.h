// Plan templates: a review described once (title pattern, goals, tasks with owners given as a
// person or a role of the team, deadlines relative to the cycle's start) and instantiated into
// a NewPlan for one team and one cycle start. Pure: no I/O, no clock.
//
// Deadlines, computed in the team's time zone:
//   after         an exact duration from the cycle start ("P3D" is 72 hours of elapsed time)
//   working_days  the Nth working day after the cycle start's local date (the start's own date
//                 is day 0), at a local time of day; working days come from the team's calendar
//                 (holidays and extra working days included), Monday to Friday without one
//   day_of_month  a day of the cycle start's month at a local time of day; a day the month does
//                 not have is its last day; when that instant is not after the start, the same
//                 day of the next month
// A local time that a DST gap skips becomes the first instant after the gap.
//
// Title patterns (the plan's title and each task's title): {year} {month} (two digits)
// {quarter} (1-4) {day} (two digits) {date} (YYYY-MM-DD) {team} (the team's name), all of the
// cycle start in the team's zone; any other {name} is kept as written.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "workflow/model.h"
#include "workflow/plan_service.h"
#include "workflow/status.h"
#include "workflow/working_calendar.h"

namespace kaizen {

// An owner in a template: a person by id, or a role the team maps to a person (Team::roles).
struct OwnerRef {
  enum class Kind { kPerson, kRole };
  Kind kind = Kind::kPerson;
  std::string name;  // person id or role name
  bool operator==(const OwnerRef&) const = default;
};

struct TemplateDeadline {
  enum class Kind { kAfter, kWorkingDays, kDayOfMonth };
  Kind kind = Kind::kAfter;
  std::chrono::seconds after{0};       // kAfter
  int working_days = 0;                // kWorkingDays, >= 0
  int day_of_month = 1;                // kDayOfMonth, 1..31
  std::chrono::minutes time_of_day{0};  // kWorkingDays and kDayOfMonth: local time, < 24h
  bool operator==(const TemplateDeadline&) const = default;
};

struct TemplateGoal {
  std::string metric;
  std::optional<double> baseline;
  double target = 0;
  std::string unit;
  std::optional<OwnerRef> owner;
  std::optional<std::chrono::seconds> check_in_every;
  std::optional<std::chrono::seconds> check_in_before_close;
  bool operator==(const TemplateGoal&) const = default;
};

struct TemplateTask {
  std::string key;  // unique within the template
  std::string title;
  std::string description;
  std::string criterion;
  OwnerRef owner;
  std::vector<std::string> depends_on;  // keys of other tasks of the template
  TemplateDeadline deadline;
  std::optional<std::string> reminder_policy;
  bool operator==(const TemplateTask&) const = default;
};

struct PlanTemplate {
  std::string id;
  std::string title;  // pattern, see above
  std::string description;
  std::string kind = std::string(kPlanKindImprovement);
  OwnerRef owner;
  bool allow_self_verification = false;
  std::optional<std::string> reminder_policy;
  std::vector<TemplateGoal> goals;
  std::vector<TemplateTask> tasks;
  std::string source;  // the file it was read from, for messages
  bool operator==(const PlanTemplate&) const = default;
};

// The person an OwnerRef names in `team`. kUnprocessable "unknown_role" (the team does not map
// the role) or "unknown_owner" (no such person); details.field is left to the caller.
Result<PersonId> ResolveOwner(const OwnerRef& owner, const Team& team, const Directory& directory);

// The deadline of a task for a cycle that starts at `start`. `working_days` is the team's
// working-day calendar (see above).
Instant DeadlineFor(const TemplateDeadline& deadline, Instant start, const date::time_zone& zone,
                    const WorkingCalendar& working_days);

// The title for a cycle starting at `start`.
std::string ExpandTitle(const std::string& pattern, Instant start, const Team& team);

// The plan for `team` and a cycle starting at `start`: title expanded, owners resolved, goals
// copied (owners resolved), tasks with keys, dependencies by key and deadlines. The plan's
// template_id is the template's id and closes_at is `closes_at` when given, else the latest task
// deadline. Errors name the field in details.field ("tasks[2].owner"): kUnprocessable
// "unknown_role" / "unknown_owner".
Result<NewPlan> InstantiateTemplate(const PlanTemplate& plan_template, const Team& team,
                                    const Directory& directory,
                                    const WorkingCalendar& working_days, Instant start,
                                    std::optional<Instant> closes_at = std::nullopt);

// Monday to Friday in `zone`, no holidays: the working days of a team without a calendar.
WorkingCalendar WeekdayCalendar(const std::string& zone);

}  // namespace kaizen
