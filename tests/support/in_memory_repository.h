// InMemoryPlanRepository: the reference model of workflow/repository.h.
//
// Plain maps and linear scans, written to be obviously right rather than fast: the SQLite
// store is tested against it (the same operations on both must give the same answers), so
// every semantic below is exact and the SQLite store must match it.
//
// Writes
//   - Ids of plans, tasks and events are each numbered 1, 2, 3... in insertion order and never
//     reused. The id field of the value passed to Insert* is ignored.
//   - InsertTask/UpdateTask store depends_on sorted ascending without duplicates.
//   - A write that a database with foreign keys would refuse throws StorageError and changes
//     nothing: UpdatePlan/UpdateTask of an unknown id, a task whose plan_id or one of whose
//     depends_on ids is not stored, an event whose task is not stored. (Domain rules, such as
//     a dependency belonging to the same plan, are plan_service's job and are not checked.)
// Reads (all return copies)
//   - TasksOfPlan, EventsOfTask and page items are ascending by id.
//   - ListPlans keeps a plan when every set filter matches: state ==, owner ==, team ==,
//     id > after. ListTasks keeps a task when: plan_id == plan, owner ==, state ==, the team of
//     its plan == team, overdue_only => IsOverdue(task, now) (unfinished and due_at < now),
//     due_at < due_before (strict), due_at > due_after (strict), id > after.
//   - limit is clamped to 1..kMaxPageSize. A page holds the first `limit` matches; next_after
//     is the id of its last item when at least one more item matches, and nullopt otherwise
//     (so an exactly full last page has no next_after).
//   - ProgressOf counts the plan's tasks by state (every state present, zero when none), their
//     total, and the overdue ones at `now`. An unknown plan gives all zeros.
//   - Summarize considers the tasks whose plan's team == filter.team (when set) and whose
//     owner == filter.owner (when set), and the plans whose team == filter.team (when set; the
//     owner filter does not apply to plans).
//       tasks_by_state / plans_by_state: counts, every state present.
//       overdue: the number of those tasks overdue at `now`.
//       overdue_by_owner: the overdue tasks grouped by owner; each group's tasks ascending by
//         (due_at, id); groups ordered by task count descending, then owner id ascending.
//       due_soon: unfinished tasks with now <= due_at < now + 7 days, ascending by
//         (due_at, id). A task due exactly at `now` is due soon, not overdue.
// Reminders, stored by (task_id, key)
//   - UpsertPendingReminder of a task that is not stored throws StorageError (a foreign key).
//     A fired or skipped reminder is left untouched, settled_at included.
//   - DeletePendingReminder and SettleReminder act only on a pending reminder; on a fired,
//     skipped or unknown one they do nothing. SettleReminder sets status and settled_at = at.
//   - RemindersOfTask: every status, ascending by (fire_at, key). DueReminders: pending with
//     fire_at <= now, ascending by (fire_at, task_id, key), at most max(limit, 0) of them.
//     NextReminderOfTask / NextReminderAt: the smallest fire_at among pending ones.
//   - Keys compare as bytes (std::string's order, SQLite's BINARY collation).
// Notifications (the outbox)
//   - Ids are numbered 1, 2, 3... in insertion order; a refused duplicate idempotency key uses
//     no id. Every field of the inserted value but id is stored as given.
//   - UpdateNotification of an unknown id throws StorageError and changes nothing.
//   - ResetInFlightNotifications: each delivering notification gets state pending,
//     next_attempt_at = now and updated_at = now; everything else is kept.
//   - ListNotifications keeps a notification when: state ==, event.task_id == task,
//     channel ==, id > after; paged like ListPlans. ReadyNotifications: state pending or
//     failed and next_attempt_at <= now, ascending by (next_attempt_at, id), at most
//     max(limit, 0). NextNotificationAt: the smallest next_attempt_at of those states.
//     OldestFailedNotification: the failed one of the channel with the smallest id.
//
// Copyable and comparable: a test copies it before a command and compares afterwards to prove
// that a refused command wrote nothing. Not thread-safe; one test thread uses it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "workflow/repository.h"

namespace kaizen::testing {

inline constexpr std::chrono::hours kDueSoonWindow{7 * 24};

class InMemoryPlanRepository : public PlanRepository {
 public:
  std::optional<Plan> FindPlan(PlanId id) override;
  std::optional<Task> FindTask(TaskId id) override;
  std::vector<Task> TasksOfPlan(PlanId id) override;
  Page<Plan> ListPlans(const PlanFilter& filter) override;
  Page<Task> ListTasks(const TaskFilter& filter) override;
  std::vector<TaskEvent> EventsOfTask(TaskId id) override;
  PlanProgress ProgressOf(PlanId id, Instant now) override;
  Summary Summarize(const SummaryFilter& filter, Instant now) override;

  PlanId InsertPlan(const Plan& plan) override;
  void UpdatePlan(const Plan& plan) override;
  TaskId InsertTask(const Task& task) override;
  void UpdateTask(const Task& task) override;
  std::int64_t AppendEvent(const TaskEvent& event) override;

  std::vector<StoredReminder> RemindersOfTask(TaskId id) override;
  std::optional<Instant> NextReminderOfTask(TaskId id) override;
  std::optional<Instant> NextReminderAt() override;
  std::vector<PlannedReminder> DueReminders(Instant now, int limit) override;
  std::optional<Notification> FindNotification(NotificationId id) override;
  Page<Notification> ListNotifications(const NotificationFilter& filter) override;
  std::vector<Notification> ReadyNotifications(Instant now, int limit) override;
  std::optional<Instant> NextNotificationAt() override;
  std::optional<Notification> OldestFailedNotification(const std::string& channel) override;
  std::map<NotificationState, std::int64_t> CountNotifications() override;
  OperationalCounts CountOperational(Instant now) override;

  void UpsertPendingReminder(const PlannedReminder& reminder) override;
  void DeletePendingReminder(TaskId task_id, const std::string& key) override;
  void SettleReminder(TaskId task_id, const std::string& key, ReminderStatus status,
                      Instant at) override;
  std::optional<NotificationId> InsertNotification(const Notification& notification) override;
  void UpdateNotification(const Notification& notification) override;
  int ResetInFlightNotifications(Instant now) override;
  std::optional<std::string> ReadSetting(const std::string& key) override;
  void WriteSetting(const std::string& key, const std::string& value) override;

  // Schedules and cycles (area "sched"): cycles unique per (schedule_id, nominal_fire) and per
  // plan (StorageError otherwise); recent lists newest first.
  std::optional<ScheduleRow> FindScheduleRow(const std::string& id) override;
  std::optional<CycleRow> FindCycle(const std::string& schedule_id, Instant nominal_fire) override;
  std::optional<CycleRow> CycleOfPlan(PlanId plan_id) override;
  std::vector<CycleRow> RecentCycles(const std::string& schedule_id, int limit) override;
  std::vector<ScheduleEvent> RecentScheduleEvents(const std::string& schedule_id,
                                                  int limit) override;
  void UpsertScheduleRow(const ScheduleRow& row) override;
  std::int64_t InsertCycle(const CycleRow& cycle) override;
  std::int64_t AppendScheduleEvent(const ScheduleEvent& event) override;
  const std::vector<CycleRow>& cycles() const { return cycles_; }
  const std::vector<ScheduleEvent>& schedule_events() const { return schedule_events_; }
  // Reports and closing. InsertPlanReport of a plan that has a report throws StorageError (the
  // table's primary key). TasksCarriedFrom: carried_from == plan, ascending by id.
  std::vector<Task> TasksCarriedFrom(PlanId plan) override;
  std::optional<std::string> FindPlanReport(PlanId plan) override;
  bool IsCyclePlan(PlanId plan) override;
  std::optional<PlanId> PreviousCyclePlanOf(PlanId plan) override;
  void InsertPlanReport(PlanId plan, Instant closed_at, const std::string& json) override;
  // The part of a `cycles` row that reports read: `plan` is a cycle's plan, and the cycle
  // before it (previous_cycle_id) has `previous_plan` (nullopt: the first cycle).
  void LinkCycle(PlanId plan, std::optional<PlanId> previous_plan);
  const std::map<PlanId, std::pair<Instant, std::string>>& plan_reports() const {
    return plan_reports_;
  }
  // Goal check-ins.
  std::vector<GoalUpdate> GoalUpdatesOf(PlanId plan_id, int goal_index) override;
  std::int64_t AppendGoalUpdate(const GoalUpdate& update) override;

  // Everything stored, for tests that look at the whole state.
  const std::map<PlanId, Plan>& plans() const { return plans_; }
  const std::map<TaskId, Task>& tasks() const { return tasks_; }
  const std::vector<TaskEvent>& events() const { return events_; }
  const std::map<std::pair<TaskId, std::string>, StoredReminder>& reminders() const {
    return reminders_;
  }
  const std::map<NotificationId, Notification>& notifications() const { return notifications_; }

  // Same stored rows and same next ids.
  bool operator==(const InMemoryPlanRepository& other) const;

 private:
  // Throws StorageError unless the task refers only to stored rows; returns it normalised.
  Task Checked(const Task& task) const;

  std::map<PlanId, Plan> plans_;
  std::map<TaskId, Task> tasks_;
  std::vector<TaskEvent> events_;  // ascending by id
  PlanId next_plan_id_ = 1;
  TaskId next_task_id_ = 1;
  std::int64_t next_event_id_ = 1;
  std::map<std::pair<TaskId, std::string>, StoredReminder> reminders_;
  std::map<NotificationId, Notification> notifications_;
  std::map<std::string, std::string> settings_;
  NotificationId next_notification_id_ = 1;
  std::map<std::string, ScheduleRow> schedule_rows_;
  std::vector<CycleRow> cycles_;                // ascending by id = index + 1
  std::vector<ScheduleEvent> schedule_events_;  // ascending by id = index + 1
  std::map<PlanId, std::pair<Instant, std::string>> plan_reports_;  // closed_at, JSON
  std::map<PlanId, std::optional<PlanId>> cycle_plans_;             // plan -> previous cycle's plan
  std::vector<GoalUpdate> goal_updates_;  // ascending by id
};

}  // namespace kaizen::testing
