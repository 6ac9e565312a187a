// The domain's data: people, plans, goals, tasks and their history. Plain values, no I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/time.h"

namespace kaizen {

using PlanId = std::int64_t;
using TaskId = std::int64_t;
using PersonId = std::string;

enum class TaskState { kOpen, kInProgress, kBlocked, kDone, kVerified, kCancelled };
inline constexpr TaskState kAllTaskStates[] = {TaskState::kOpen,     TaskState::kInProgress,
                                               TaskState::kBlocked,  TaskState::kDone,
                                               TaskState::kVerified, TaskState::kCancelled};
// "open", "in_progress", "blocked", "done", "verified", "cancelled".
std::string_view ToString(TaskState state);
std::optional<TaskState> ParseTaskState(std::string_view text);
// A task still waiting for work: open, in_progress or blocked. Only these can be overdue.
bool IsUnfinished(TaskState state);
// done or verified: satisfies a dependency.
bool SatisfiesDependency(TaskState state);

enum class PlanState { kActive, kCompleted, kCancelled };
std::string_view ToString(PlanState state);
std::optional<PlanState> ParsePlanState(std::string_view text);

// Plan kinds the product knows; any other non-empty text is accepted as a free-form kind.
inline constexpr std::string_view kPlanKindImprovement = "improvement";
inline constexpr std::string_view kPlanKindMonthlyReview = "monthly_review";
inline constexpr std::string_view kPlanKindSelfCheck = "self_check";

struct Person {
  PersonId id;
  std::string name;
  std::string team;                            // team id
  std::optional<PersonId> manager;             // for escalation and verification
  std::map<std::string, std::string> handles;  // provider -> handle (mobile, user id, ...)
};

struct Team {
  std::string id;
  std::string name;
  std::string time_zone = "UTC";  // IANA name
  // Role name ("analyst", "service_lead") -> the person who holds it; templates name owners by
  // role so that one template serves every team.
  std::map<std::string, PersonId> roles;
};

// The people and teams known from the config; immutable once built, shared between threads
// by shared_ptr<const Directory>.
class Directory {
 public:
  Directory() = default;
  Directory(std::vector<Person> people, std::vector<Team> teams);
  const Person* FindPerson(std::string_view id) const;
  const Team* FindTeam(std::string_view id) const;
  const std::vector<Person>& people() const { return people_; }
  const std::vector<Team>& teams() const { return teams_; }

 private:
  std::vector<Person> people_;
  std::vector<Team> teams_;
};

struct Goal {
  std::string metric;                      // e.g. "customer satisfaction"
  std::optional<double> baseline;          // where it stands when the plan is written
  double target = 0;                       // where it must get to
  std::string unit;                        // "%", "tickets", ...
  std::optional<std::string> target_date;  // "YYYY-MM-DD"
  std::optional<double> actual;            // the latest value recorded
  std::optional<Instant> actual_at;        // when `actual` was recorded
  std::optional<PersonId> owner;           // who records the value; nudged at check-ins
  // Check-in cadence: the owner is asked for the current value every `check_in_every` from the
  // plan's start, and once more `check_in_before_close` before the plan's closes_at.
  std::optional<std::chrono::seconds> check_in_every;
  std::optional<std::chrono::seconds> check_in_before_close;
  bool operator==(const Goal&) const = default;
};

struct Plan {
  PlanId id = 0;
  std::string title;
  std::string description;
  std::string kind = std::string(kPlanKindImprovement);
  PersonId owner;
  std::string team;
  PlanState state = PlanState::kActive;
  // When true, a task's owner may verify their own task; otherwise only the plan owner or the
  // task owner's manager may.
  bool allow_self_verification = false;
  std::vector<Goal> goals;
  // Reminder policy name for the plan's tasks; nullopt: the team's default.
  std::optional<std::string> reminder_policy;
  // The template the plan was made from, if any.
  std::optional<std::string> template_id;
  // When the plan's cycle is due to close: the next fire of its schedule, or for a template
  // instantiated by hand its latest deadline. Goals get their last check-in before it.
  std::optional<Instant> closes_at;
  // Set by the close step, which freezes the plan's report; closing again changes nothing.
  std::optional<Instant> closed_at;
  std::int64_t version = 1;
  Instant created_at{};
  Instant updated_at{};
  bool operator==(const Plan&) const = default;
};

struct Task {
  TaskId id = 0;
  PlanId plan_id = 0;
  std::optional<std::string> key;  // unique within the plan when set (templates, inline refs)
  std::string title;
  std::string description;
  PersonId owner;
  Instant due_at{};
  std::string criterion;  // how the reviewer will know it is done
  TaskState state = TaskState::kOpen;
  std::vector<TaskId> depends_on;  // tasks of the same plan; kept sorted ascending
  // Reminder policy name for this task; nullopt: the plan's, else the team's default.
  std::optional<std::string> reminder_policy;
  std::int64_t version = 1;  // +1 on every write
  Instant created_at{};
  Instant updated_at{};
  std::optional<Instant> completed_at;  // set when the task reaches done
  // Lineage of a task carried over from an earlier cycle: the plan it came from last, and how
  // many times it has been carried (0: never).
  std::optional<PlanId> carried_from;
  int carry_count = 0;
  bool operator==(const Task&) const = default;
};

// Overdue: unfinished and past its deadline at `now`.
bool IsOverdue(const Task& task, Instant now);

// Event kinds in a task's history.
inline constexpr std::string_view kEventCreated = "created";
inline constexpr std::string_view kEventTransition = "transition";
inline constexpr std::string_view kEventRejected = "rejected";
inline constexpr std::string_view kEventUpdated = "updated";
// The task owner took back their own done task (done -> in_progress).
inline constexpr std::string_view kEventReopened = "reopened";
// The task moved into the next review cycle's plan (carry_over.h); the note names both plans.
inline constexpr std::string_view kEventCarried = "carried";

struct TaskEvent {
  std::int64_t id = 0;  // assigned by the repository, increasing
  TaskId task_id = 0;
  PlanId plan_id = 0;
  Instant at{};
  std::string actor;  // person id, or "system"
  std::string kind;   // one of the kEvent* names
  std::optional<TaskState> from;
  std::optional<TaskState> to;
  std::string note;  // free text; for "updated", what changed
  bool operator==(const TaskEvent&) const = default;
};

}  // namespace kaizen
