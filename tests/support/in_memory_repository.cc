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

bool IsReady(const Notification& n) {
  return n.state == NotificationState::kPending || n.state == NotificationState::kFailed;
}

// The first max(limit, 0) elements.
template <typename T>
void Truncate(std::vector<T>& items, int limit) {
  const size_t n = static_cast<size_t>(std::max(limit, 0));
  if (items.size() > n) items.resize(n);
}

}  // namespace

bool InMemoryPlanRepository::operator==(const InMemoryPlanRepository& other) const {
  return plans_ == other.plans_ && tasks_ == other.tasks_ && events_ == other.events_ &&
         next_plan_id_ == other.next_plan_id_ && next_task_id_ == other.next_task_id_ &&
         next_event_id_ == other.next_event_id_ && reminders_ == other.reminders_ &&
         notifications_ == other.notifications_ &&
         next_notification_id_ == other.next_notification_id_ && settings_ == other.settings_ &&
         plan_reports_ == other.plan_reports_ && cycle_plans_ == other.cycle_plans_ &&
         goal_updates_ == other.goal_updates_ && schedule_rows_ == other.schedule_rows_ &&
         cycles_ == other.cycles_ && schedule_events_ == other.schedule_events_;
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

std::vector<StoredReminder> InMemoryPlanRepository::RemindersOfTask(TaskId id) {
  std::vector<StoredReminder> out;
  for (const auto& [key, reminder] : reminders_) {
    if (key.first == id) out.push_back(reminder);
  }
  std::sort(out.begin(), out.end(), [](const StoredReminder& a, const StoredReminder& b) {
    return std::tie(a.planned.fire_at, a.planned.key) < std::tie(b.planned.fire_at, b.planned.key);
  });
  return out;
}

std::optional<Instant> InMemoryPlanRepository::NextReminderOfTask(TaskId id) {
  std::optional<Instant> next;
  for (const auto& [key, reminder] : reminders_) {
    if (key.first != id || reminder.status != ReminderStatus::kPending) continue;
    if (!next || reminder.planned.fire_at < *next) next = reminder.planned.fire_at;
  }
  return next;
}

std::optional<Instant> InMemoryPlanRepository::NextReminderAt() {
  std::optional<Instant> next;
  for (const auto& [key, reminder] : reminders_) {
    if (reminder.status != ReminderStatus::kPending) continue;
    if (!next || reminder.planned.fire_at < *next) next = reminder.planned.fire_at;
  }
  return next;
}

std::vector<PlannedReminder> InMemoryPlanRepository::DueReminders(Instant now, int limit) {
  std::vector<PlannedReminder> out;
  for (const auto& [key, reminder] : reminders_) {
    if (reminder.status != ReminderStatus::kPending || reminder.planned.fire_at > now) continue;
    out.push_back(reminder.planned);
  }
  std::sort(out.begin(), out.end(), [](const PlannedReminder& a, const PlannedReminder& b) {
    return std::tie(a.fire_at, a.task_id, a.key) < std::tie(b.fire_at, b.task_id, b.key);
  });
  Truncate(out, limit);
  return out;
}

std::optional<Notification> InMemoryPlanRepository::FindNotification(NotificationId id) {
  auto it = notifications_.find(id);
  if (it == notifications_.end()) return std::nullopt;
  return it->second;
}

Page<Notification> InMemoryPlanRepository::ListNotifications(const NotificationFilter& filter) {
  std::vector<Notification> matches;
  for (const auto& [id, n] : notifications_) {
    if (filter.after && id <= *filter.after) continue;
    if (filter.state && n.state != *filter.state) continue;
    if (filter.task && n.event.task_id != *filter.task) continue;
    if (filter.channel && n.channel != *filter.channel) continue;
    matches.push_back(n);
  }
  return Paginate(std::move(matches), filter.limit);
}

std::vector<Notification> InMemoryPlanRepository::ReadyNotifications(Instant now, int limit) {
  std::vector<Notification> out;
  for (const auto& [id, n] : notifications_) {
    if (IsReady(n) && n.next_attempt_at <= now) out.push_back(n);
  }
  std::stable_sort(out.begin(), out.end(), [](const Notification& a, const Notification& b) {
    return a.next_attempt_at < b.next_attempt_at;  // ties stay ascending by id
  });
  Truncate(out, limit);
  return out;
}

std::optional<Notification> InMemoryPlanRepository::OldestFailedNotification(
    const std::string& channel) {
  for (const auto& [id, n] : notifications_) {
    if (n.state == NotificationState::kFailed && n.channel == channel) return n;
  }
  return std::nullopt;
}

std::optional<Instant> InMemoryPlanRepository::NextNotificationAt() {
  std::optional<Instant> next;
  for (const auto& [id, n] : notifications_) {
    if (!IsReady(n)) continue;
    if (!next || n.next_attempt_at < *next) next = n.next_attempt_at;
  }
  return next;
}

std::map<NotificationState, std::int64_t> InMemoryPlanRepository::CountNotifications() {
  std::map<NotificationState, std::int64_t> counts;
  for (NotificationState s : kAllNotificationStates) counts[s] = 0;
  for (const auto& [id, n] : notifications_) ++counts[n.state];
  return counts;
}

OperationalCounts InMemoryPlanRepository::CountOperational(Instant now) {
  OperationalCounts counts;
  for (TaskState s : kAllTaskStates) counts.tasks_by_state[s] = 0;
  for (const auto& [id, task] : tasks_) {
    ++counts.tasks_by_state[task.state];
    if (IsOverdue(task, now)) ++counts.tasks_overdue;
  }
  for (const auto& [id, n] : notifications_) {
    auto& states = counts.notifications_by_channel[n.channel];
    if (states.empty()) {
      for (NotificationState s : kAllNotificationStates) states[s] = 0;
    }
    ++states[n.state];
    if (n.state != NotificationState::kDelivered && n.state != NotificationState::kDead) {
      ++counts.outbox_depth;
    }
  }
  return counts;  // no files: database_bytes and wal_bytes stay 0
}

void InMemoryPlanRepository::UpsertPendingReminder(const PlannedReminder& reminder) {
  if (!tasks_.contains(reminder.task_id)) {
    throw StorageError("reminder refers to missing task " + std::to_string(reminder.task_id));
  }
  auto [it, inserted] = reminders_.try_emplace({reminder.task_id, reminder.key});
  if (!inserted && it->second.status != ReminderStatus::kPending) return;
  it->second = StoredReminder{reminder, ReminderStatus::kPending, std::nullopt};
}

void InMemoryPlanRepository::DeletePendingReminder(TaskId task_id, const std::string& key) {
  auto it = reminders_.find({task_id, key});
  if (it != reminders_.end() && it->second.status == ReminderStatus::kPending) {
    reminders_.erase(it);
  }
}

void InMemoryPlanRepository::SettleReminder(TaskId task_id, const std::string& key,
                                            ReminderStatus status, Instant at) {
  auto it = reminders_.find({task_id, key});
  if (it == reminders_.end() || it->second.status != ReminderStatus::kPending) return;
  it->second.status = status;
  it->second.settled_at = at;
}

std::optional<NotificationId> InMemoryPlanRepository::InsertNotification(
    const Notification& notification) {
  for (const auto& [id, n] : notifications_) {
    if (n.idempotency_key == notification.idempotency_key) return std::nullopt;
  }
  Notification stored = notification;
  stored.id = next_notification_id_++;
  notifications_[stored.id] = stored;
  return stored.id;
}

void InMemoryPlanRepository::UpdateNotification(const Notification& notification) {
  auto it = notifications_.find(notification.id);
  if (it == notifications_.end()) {
    throw StorageError("UpdateNotification: no notification " + std::to_string(notification.id));
  }
  Notification& stored = it->second;
  stored.state = notification.state;
  stored.attempts = notification.attempts;
  stored.next_attempt_at = notification.next_attempt_at;
  stored.updated_at = notification.updated_at;
  stored.delivered_at = notification.delivered_at;
  stored.last_error = notification.last_error;
  stored.batch_id = notification.batch_id;
}

int InMemoryPlanRepository::ResetInFlightNotifications(Instant now) {
  int count = 0;
  for (auto& [id, n] : notifications_) {
    if (n.state != NotificationState::kDelivering) continue;
    n.state = NotificationState::kPending;
    n.next_attempt_at = now;
    n.updated_at = now;
    ++count;
  }
  return count;
}

std::optional<std::string> InMemoryPlanRepository::ReadSetting(const std::string& key) {
  auto it = settings_.find(key);
  if (it == settings_.end()) return std::nullopt;
  return it->second;
}

void InMemoryPlanRepository::WriteSetting(const std::string& key, const std::string& value) {
  settings_[key] = value;
}

// ---- Schedules and cycles (area "sched") ----

std::optional<ScheduleRow> InMemoryPlanRepository::FindScheduleRow(const std::string& id) {
  auto it = schedule_rows_.find(id);
  if (it == schedule_rows_.end()) return std::nullopt;
  return it->second;
}

std::optional<CycleRow> InMemoryPlanRepository::FindCycle(const std::string& schedule_id,
                                                          Instant nominal_fire) {
  for (const CycleRow& c : cycles_) {
    if (c.schedule_id == schedule_id && c.nominal_fire == nominal_fire) return c;
  }
  return std::nullopt;
}

std::optional<CycleRow> InMemoryPlanRepository::CycleOfPlan(PlanId plan_id) {
  for (const CycleRow& c : cycles_) {
    if (c.plan_id == plan_id) return c;
  }
  return std::nullopt;
}

std::vector<CycleRow> InMemoryPlanRepository::RecentCycles(const std::string& schedule_id,
                                                           int limit) {
  std::vector<CycleRow> out;
  for (auto it = cycles_.rbegin(); it != cycles_.rend() && static_cast<int>(out.size()) < limit;
       ++it) {
    if (it->schedule_id == schedule_id) out.push_back(*it);
  }
  return out;
}

std::vector<ScheduleEvent> InMemoryPlanRepository::RecentScheduleEvents(
    const std::string& schedule_id, int limit) {
  std::vector<ScheduleEvent> out;
  for (auto it = schedule_events_.rbegin();
       it != schedule_events_.rend() && static_cast<int>(out.size()) < limit; ++it) {
    if (it->schedule_id == schedule_id) out.push_back(*it);
  }
  return out;
}

void InMemoryPlanRepository::UpsertScheduleRow(const ScheduleRow& row) {
  schedule_rows_[row.id] = row;
}

std::int64_t InMemoryPlanRepository::InsertCycle(const CycleRow& cycle) {
  if (FindCycle(cycle.schedule_id, cycle.nominal_fire)) {
    throw StorageError("UNIQUE constraint failed: cycles.schedule_id, cycles.nominal_fire");
  }
  if (CycleOfPlan(cycle.plan_id)) throw StorageError("UNIQUE constraint failed: cycles.plan_id");
  if (plans_.count(cycle.plan_id) == 0) throw StorageError("FOREIGN KEY constraint failed");
  CycleRow stored = cycle;
  stored.id = static_cast<std::int64_t>(cycles_.size()) + 1;
  std::optional<PlanId> previous_plan;
  if (cycle.previous_cycle_id) {
    if (*cycle.previous_cycle_id < 1 ||
        *cycle.previous_cycle_id > static_cast<std::int64_t>(cycles_.size())) {
      throw StorageError("FOREIGN KEY constraint failed: cycles.previous_cycle_id");
    }
    previous_plan = cycles_[*cycle.previous_cycle_id - 1].plan_id;
  }
  cycles_.push_back(stored);
  LinkCycle(stored.plan_id, previous_plan);  // what the report reads of the cycle chain
  return stored.id;
}

std::int64_t InMemoryPlanRepository::AppendScheduleEvent(const ScheduleEvent& event) {
  ScheduleEvent stored = event;
  stored.id = static_cast<std::int64_t>(schedule_events_.size()) + 1;
  schedule_events_.push_back(stored);
  return stored.id;
}

std::vector<Task> InMemoryPlanRepository::TasksCarriedFrom(PlanId plan) {
  std::vector<Task> out;
  for (const auto& [id, task] : tasks_) {
    if (task.carried_from == plan) out.push_back(task);
  }
  return out;
}

std::optional<std::string> InMemoryPlanRepository::FindPlanReport(PlanId plan) {
  auto it = plan_reports_.find(plan);
  if (it == plan_reports_.end()) return std::nullopt;
  return it->second.second;
}

bool InMemoryPlanRepository::IsCyclePlan(PlanId plan) { return cycle_plans_.count(plan) > 0; }

std::optional<PlanId> InMemoryPlanRepository::PreviousCyclePlanOf(PlanId plan) {
  auto it = cycle_plans_.find(plan);
  if (it == cycle_plans_.end()) return std::nullopt;
  return it->second;
}

void InMemoryPlanRepository::InsertPlanReport(PlanId plan, Instant closed_at,
                                              const std::string& json) {
  if (plans_.count(plan) == 0) {
    throw StorageError("InsertPlanReport: no plan " + std::to_string(plan));
  }
  if (plan_reports_.count(plan) > 0) {
    throw StorageError("InsertPlanReport: plan " + std::to_string(plan) + " has a report");
  }
  plan_reports_[plan] = {closed_at, json};
}

void InMemoryPlanRepository::LinkCycle(PlanId plan, std::optional<PlanId> previous_plan) {
  cycle_plans_[plan] = previous_plan;
}

std::vector<GoalUpdate> InMemoryPlanRepository::GoalUpdatesOf(PlanId plan_id, int goal_index) {
  std::vector<GoalUpdate> out;
  for (const GoalUpdate& u : goal_updates_) {
    if (u.plan_id == plan_id && u.goal_index == goal_index) out.push_back(u);
  }
  return out;
}

std::int64_t InMemoryPlanRepository::AppendGoalUpdate(const GoalUpdate& update) {
  // As SQLite's foreign key: the plan must exist.
  if (!plans_.contains(update.plan_id)) {
    throw StorageError("goal update of unknown plan " + std::to_string(update.plan_id));
  }
  GoalUpdate stored = update;
  stored.id = goal_updates_.empty() ? 1 : goal_updates_.back().id + 1;
  goal_updates_.push_back(stored);
  return stored.id;
}

}  // namespace kaizen::testing
