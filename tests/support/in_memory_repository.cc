#include "tests/support/in_memory_repository.h"

#include <algorithm>
#include <string>
#include <tuple>

namespace kaizen::testing {
namespace {

int ClampLimit(int limit) { return std::clamp(limit, 1, kMaxPageSize); }

template <typename T>
Page<T> Paginate(std::vector<T> matches, int limit) {
  Page<T> page;
  const size_t n = static_cast<size_t>(ClampLimit(limit));
  if (matches.size() > n) {
    matches.resize(n);
    page.next_after = matches.back().id;
  }
  page.items = std::move(matches);
  return page;
}

std::map<TaskState, int> ZeroTaskCounts() {
  std::map<TaskState, int> counts;
  for (TaskState s : kAllTaskStates) counts[s] = 0;
  return counts;
}

TaskBrief BriefOf(const Task& task) {
  return {task.id, task.plan_id, task.title, task.due_at, task.state};
}

bool EarlierDue(const Task& a, const Task& b) {
  return std::tie(a.due_at, a.id) < std::tie(b.due_at, b.id);
}

}  // namespace

bool InMemoryPlanRepository::operator==(const InMemoryPlanRepository& other) const {
  return plans_ == other.plans_ && tasks_ == other.tasks_ && events_ == other.events_ &&
         next_plan_id_ == other.next_plan_id_ && next_task_id_ == other.next_task_id_ &&
         next_event_id_ == other.next_event_id_;
}

std::optional<Plan> InMemoryPlanRepository::FindPlan(PlanId id) {
  auto it = plans_.find(id);
  if (it == plans_.end()) return std::nullopt;
  return it->second;
}

std::optional<Task> InMemoryPlanRepository::FindTask(TaskId id) {
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return std::nullopt;
  return it->second;
}

std::vector<Task> InMemoryPlanRepository::TasksOfPlan(PlanId id) {
  std::vector<Task> out;
  for (const auto& [task_id, task] : tasks_) {
    if (task.plan_id == id) out.push_back(task);
  }
  return out;
}

Page<Plan> InMemoryPlanRepository::ListPlans(const PlanFilter& filter) {
  std::vector<Plan> matches;
  for (const auto& [id, plan] : plans_) {
    if (filter.after && id <= *filter.after) continue;
    if (filter.state && plan.state != *filter.state) continue;
    if (filter.owner && plan.owner != *filter.owner) continue;
    if (filter.team && plan.team != *filter.team) continue;
    matches.push_back(plan);
  }
  return Paginate(std::move(matches), filter.limit);
}

Page<Task> InMemoryPlanRepository::ListTasks(const TaskFilter& filter) {
  std::vector<Task> matches;
  for (const auto& [id, task] : tasks_) {
    if (filter.after && id <= *filter.after) continue;
    if (filter.plan && task.plan_id != *filter.plan) continue;
    if (filter.owner && task.owner != *filter.owner) continue;
    if (filter.state && task.state != *filter.state) continue;
    if (filter.team && plans_.at(task.plan_id).team != *filter.team) continue;
    if (filter.overdue_only && !IsOverdue(task, filter.now)) continue;
    if (filter.due_before && !(task.due_at < *filter.due_before)) continue;
    if (filter.due_after && !(task.due_at > *filter.due_after)) continue;
    matches.push_back(task);
  }
  return Paginate(std::move(matches), filter.limit);
}

std::vector<TaskEvent> InMemoryPlanRepository::EventsOfTask(TaskId id) {
  std::vector<TaskEvent> out;
  for (const TaskEvent& event : events_) {
    if (event.task_id == id) out.push_back(event);
  }
  return out;
}

PlanProgress InMemoryPlanRepository::ProgressOf(PlanId id, Instant now) {
  PlanProgress progress;
  progress.tasks_by_state = ZeroTaskCounts();
  for (const Task& task : TasksOfPlan(id)) {
    ++progress.tasks_by_state[task.state];
    ++progress.total;
    if (IsOverdue(task, now)) ++progress.overdue;
  }
  return progress;
}

Summary InMemoryPlanRepository::Summarize(const SummaryFilter& filter, Instant now) {
  Summary summary;
  summary.tasks_by_state = ZeroTaskCounts();
  for (PlanState s : {PlanState::kActive, PlanState::kCompleted, PlanState::kCancelled}) {
    summary.plans_by_state[s] = 0;
  }
  for (const auto& [id, plan] : plans_) {
    if (filter.team && plan.team != *filter.team) continue;
    ++summary.plans_by_state[plan.state];
  }

  std::map<PersonId, std::vector<Task>> overdue_of_owner;
  std::vector<Task> due_soon;
  for (const auto& [id, task] : tasks_) {
    if (filter.team && plans_.at(task.plan_id).team != *filter.team) continue;
    if (filter.owner && task.owner != *filter.owner) continue;
    ++summary.tasks_by_state[task.state];
    if (IsOverdue(task, now)) {
      ++summary.overdue;
      overdue_of_owner[task.owner].push_back(task);
    }
    if (IsUnfinished(task.state) && now <= task.due_at && task.due_at < now + kDueSoonWindow) {
      due_soon.push_back(task);
    }
  }

  for (auto& [owner, tasks] : overdue_of_owner) {
    std::sort(tasks.begin(), tasks.end(), EarlierDue);
    OwnerOverdue group;
    group.owner = owner;
    for (const Task& task : tasks) group.tasks.push_back(BriefOf(task));
    summary.overdue_by_owner.push_back(std::move(group));
  }
  // overdue_of_owner is ordered by owner id, so a stable sort by count keeps that as the
  // tie-break.
  std::stable_sort(
      summary.overdue_by_owner.begin(), summary.overdue_by_owner.end(),
      [](const OwnerOverdue& a, const OwnerOverdue& b) { return a.tasks.size() > b.tasks.size(); });
  std::sort(due_soon.begin(), due_soon.end(), EarlierDue);
  for (const Task& task : due_soon) summary.due_soon.push_back(BriefOf(task));
  return summary;
}

PlanId InMemoryPlanRepository::InsertPlan(const Plan& plan) {
  Plan stored = plan;
  stored.id = next_plan_id_++;
  plans_[stored.id] = stored;
  return stored.id;
}

void InMemoryPlanRepository::UpdatePlan(const Plan& plan) {
  auto it = plans_.find(plan.id);
  if (it == plans_.end()) throw StorageError("UpdatePlan: no plan " + std::to_string(plan.id));
  it->second = plan;
}

Task InMemoryPlanRepository::Checked(const Task& task) const {
  if (!plans_.contains(task.plan_id)) {
    throw StorageError("task refers to missing plan " + std::to_string(task.plan_id));
  }
  Task out = task;
  std::sort(out.depends_on.begin(), out.depends_on.end());
  out.depends_on.erase(std::unique(out.depends_on.begin(), out.depends_on.end()),
                       out.depends_on.end());
  for (TaskId dep : out.depends_on) {
    if (!tasks_.contains(dep)) {
      throw StorageError("task depends on missing task " + std::to_string(dep));
    }
  }
  return out;
}

TaskId InMemoryPlanRepository::InsertTask(const Task& task) {
  Task stored = Checked(task);
  stored.id = next_task_id_++;
  tasks_[stored.id] = stored;
  return stored.id;
}

void InMemoryPlanRepository::UpdateTask(const Task& task) {
  auto it = tasks_.find(task.id);
  if (it == tasks_.end()) throw StorageError("UpdateTask: no task " + std::to_string(task.id));
  it->second = Checked(task);
}

std::int64_t InMemoryPlanRepository::AppendEvent(const TaskEvent& event) {
  if (!tasks_.contains(event.task_id)) {
    throw StorageError("event refers to missing task " + std::to_string(event.task_id));
  }
  TaskEvent stored = event;
  stored.id = next_event_id_++;
  events_.push_back(stored);
  return stored.id;
}

}  // namespace kaizen::testing
