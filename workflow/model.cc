#include "workflow/model.h"

#include <algorithm>

namespace kaizen {

std::string_view ToString(TaskState state) {
  switch (state) {
    case TaskState::kOpen: return "open";
    case TaskState::kInProgress: return "in_progress";
    case TaskState::kBlocked: return "blocked";
    case TaskState::kDone: return "done";
    case TaskState::kVerified: return "verified";
    case TaskState::kCancelled: return "cancelled";
  }
  return "unknown";
}

std::optional<TaskState> ParseTaskState(std::string_view text) {
  for (TaskState s : kAllTaskStates) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

bool IsUnfinished(TaskState state) {
  return state == TaskState::kOpen || state == TaskState::kInProgress ||
         state == TaskState::kBlocked;
}

bool SatisfiesDependency(TaskState state) {
  return state == TaskState::kDone || state == TaskState::kVerified;
}

std::string_view ToString(PlanState state) {
  switch (state) {
    case PlanState::kActive: return "active";
    case PlanState::kCompleted: return "completed";
    case PlanState::kCancelled: return "cancelled";
  }
  return "unknown";
}

std::optional<PlanState> ParsePlanState(std::string_view text) {
  for (PlanState s : {PlanState::kActive, PlanState::kCompleted, PlanState::kCancelled}) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

bool IsOverdue(const Task& task, Instant now) {
  return IsUnfinished(task.state) && task.due_at < now;
}

Directory::Directory(std::vector<Person> people, std::vector<Team> teams)
    : people_(std::move(people)), teams_(std::move(teams)) {
  std::sort(people_.begin(), people_.end(),
            [](const Person& a, const Person& b) { return a.id < b.id; });
  std::sort(teams_.begin(), teams_.end(), [](const Team& a, const Team& b) { return a.id < b.id; });
}

const Person* Directory::FindPerson(std::string_view id) const {
  auto it = std::lower_bound(people_.begin(), people_.end(), id,
                             [](const Person& p, std::string_view v) { return p.id < v; });
  return it != people_.end() && it->id == id ? &*it : nullptr;
}

const Team* Directory::FindTeam(std::string_view id) const {
  auto it = std::lower_bound(teams_.begin(), teams_.end(), id,
                             [](const Team& t, std::string_view v) { return t.id < v; });
  return it != teams_.end() && it->id == id ? &*it : nullptr;
}

}  // namespace kaizen
