// SqlitePlanRepository: the PlanRepository port (workflow/repository.h) on one SQLite
// connection.
//
// Each storage lane owns one connection and one repository over it; a read-only connection
// serves the PlanReader half only. Statements are prepared on first use and kept for the life
// of the repository, so a request costs no SQL parsing. The repository never opens or ends a
// transaction: Storage wraps every call in one. A failure of SQLite throws StorageError.
//
// Not thread-safe: call it only on the thread that owns the connection (its lane).
#pragma once

#include <memory>
#include <string_view>

#include "workflow/repository.h"

namespace kaizen::storage {

namespace internal {
class Connection;
class CachedStatement;
class StatementCache;
}  // namespace internal

class SqlitePlanRepository final : public PlanRepository {
 public:
  // `connection` must outlive the repository.
  explicit SqlitePlanRepository(internal::Connection& connection);
  ~SqlitePlanRepository() override;
  SqlitePlanRepository(const SqlitePlanRepository&) = delete;
  SqlitePlanRepository& operator=(const SqlitePlanRepository&) = delete;

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

  // Reminders and the outbox; defined in sqlite_outbox_rows.cc.
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

  void UpsertPendingReminder(const PlannedReminder& reminder) override;
  void DeletePendingReminder(TaskId task_id, const std::string& key) override;
  void SettleReminder(TaskId task_id, const std::string& key, ReminderStatus status,
                      Instant at) override;
  std::optional<NotificationId> InsertNotification(const Notification& notification) override;
  void UpdateNotification(const Notification& notification) override;
  int ResetInFlightNotifications(Instant now) override;
  std::optional<std::string> ReadSetting(const std::string& key) override;
  void WriteSetting(const std::string& key, const std::string& value) override;

  // Schedules and cycles (area "sched"); defined in sqlite_schedule_rows.cc.
  std::optional<ScheduleRow> FindScheduleRow(const std::string& id) override;
  std::optional<CycleRow> FindCycle(const std::string& schedule_id, Instant nominal_fire) override;
  std::optional<CycleRow> CycleOfPlan(PlanId plan_id) override;
  std::vector<CycleRow> RecentCycles(const std::string& schedule_id, int limit) override;
  std::vector<ScheduleEvent> RecentScheduleEvents(const std::string& schedule_id,
                                                  int limit) override;
  void UpsertScheduleRow(const ScheduleRow& row) override;
  std::int64_t InsertCycle(const CycleRow& cycle) override;
  std::int64_t AppendScheduleEvent(const ScheduleEvent& event) override;
  // Reports and closing; defined in sqlite_report_rows.cc.
  std::vector<Task> TasksCarriedFrom(PlanId plan) override;
  std::optional<std::string> FindPlanReport(PlanId plan) override;
  bool IsCyclePlan(PlanId plan) override;
  std::optional<PlanId> PreviousCyclePlanOf(PlanId plan) override;
  void InsertPlanReport(PlanId plan, Instant closed_at, const std::string& json) override;
  // Goal check-ins; defined in sqlite_goal_rows.cc.
  std::vector<GoalUpdate> GoalUpdatesOf(PlanId plan_id, int goal_index) override;
  std::int64_t AppendGoalUpdate(const GoalUpdate& update) override;
  // Operations; defined in sqlite_operational_rows.cc.
  OperationalCounts CountOperational(Instant now) override;

  // How many distinct statements have been prepared so far (for tests of the cache).
  std::size_t prepared_statements() const;

 private:
  class Savepoint;

  internal::CachedStatement Prepared(std::string_view sql);
  void LoadDependencies(Task& task);
  void StoreDependencies(const Task& task);

  internal::Connection& connection_;
  std::unique_ptr<internal::StatementCache> statements_;
};

}  // namespace kaizen::storage
