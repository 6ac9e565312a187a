// The storage port: what the workflow needs from a persistent store of plans and tasks.
//
// storage/ implements it on SQLite (SqlitePlanRepository); tests/support has an in-memory
// implementation that doubles as the reference model. Calls are synchronous and run on the
// storage executor inside one transaction (see storage/storage.h); a failure of the
// store itself (disk full, corrupt file) throws StorageError, which the executor turns into a
// Status and a rollback. Domain rules are never checked here: that is plan_service.h's job.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "workflow/model.h"
#include "workflow/notification.h"

namespace kaizen {

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

struct PlanFilter {
  std::optional<PlanState> state;
  std::optional<PersonId> owner;
  std::optional<std::string> team;
  int limit = kDefaultPageSize;
  std::optional<PlanId> after;  // keyset cursor: only ids greater than this
};

struct TaskFilter {
  std::optional<PlanId> plan;
  std::optional<PersonId> owner;
  std::optional<TaskState> state;
  std::optional<std::string> team;    // the team of the task's plan
  bool overdue_only = false;          // unfinished and due_at < now
  std::optional<Instant> due_before;  // due_at < due_before
  std::optional<Instant> due_after;   // due_at > due_after
  Instant now{};                      // reference for overdue_only
  int limit = kDefaultPageSize;
  std::optional<TaskId> after;  // keyset cursor: only ids greater than this
};

template <typename T>
struct Page {
  std::vector<T> items;  // ascending by id
  // Set when more items may follow: pass it back as `after` to get the next page.
  std::optional<std::int64_t> next_after;
};

struct PlanProgress {
  std::map<TaskState, int> tasks_by_state;  // every state present, zero when none
  int total = 0;
  int overdue = 0;
};

struct SummaryFilter {
  std::optional<std::string> team;  // plans of this team
  std::optional<PersonId> owner;    // tasks of this owner
};

struct TaskBrief {
  TaskId id = 0;
  PlanId plan_id = 0;
  std::string title;
  Instant due_at{};
  TaskState state = TaskState::kOpen;
};

struct OwnerOverdue {
  PersonId owner;
  std::vector<TaskBrief> tasks;  // ascending by due_at
};

struct Summary {
  std::map<TaskState, int> tasks_by_state;  // every state present, zero when none
  std::map<PlanState, int> plans_by_state;  // every state present, zero when none
  int overdue = 0;
  std::vector<OwnerOverdue> overdue_by_owner;  // most overdue tasks first, then by owner id
  std::vector<TaskBrief> due_soon;             // unfinished, due within 7 days of now, by due_at
};

// ---- Goals (goal check-ins) ----
// One value recorded for a plan's goal (PATCH /plans/{id}/goals/{index}); the latest is also
// copied into the plan's Goal::actual and actual_at.
struct GoalUpdate {
  std::int64_t id = 0;  // assigned by the repository, increasing
  PlanId plan_id = 0;
  int goal_index = 0;  // index in Plan::goals
  double value = 0;
  Instant at{};
  std::string actor;  // person id, or "api"
  std::string note;
  bool operator==(const GoalUpdate&) const = default;
};

// ---- Schedules and review cycles (issue 5, area "sched") ------------------------------------
// What a schedule remembers between runs; its rule lives in the config (workflow/schedule.h).
struct ScheduleRow {
  std::string id;
  // The watermark: no nominal fire at or before it is started again (a new schedule's is the
  // time it was first seen, a resumed one's the time of the resume).
  std::optional<Instant> last_nominal_fire;
  bool paused = false;
  std::string pause_reason;
  std::optional<Instant> paused_at;
  Instant updated_at{};
  bool operator==(const ScheduleRow&) const = default;
};

// One started review cycle; unique per (schedule_id, nominal_fire).
struct CycleRow {
  std::int64_t id = 0;
  std::string schedule_id;
  Instant nominal_fire{};
  Instant started_at{};
  std::string cause;  // "schedule", "catch_up", "trigger" (workflow/schedule.h CycleCause)
  PlanId plan_id = 0;
  std::optional<std::int64_t> previous_cycle_id;
  bool operator==(const CycleRow&) const = default;
};

// Kinds of schedule events.
inline constexpr std::string_view kScheduleEventStarted = "started";
inline constexpr std::string_view kScheduleEventMissed = "missed";
inline constexpr std::string_view kScheduleEventSkippedOverlap = "skipped_overlap";
inline constexpr std::string_view kScheduleEventPaused = "paused";
inline constexpr std::string_view kScheduleEventResumed = "resumed";
inline constexpr std::string_view kScheduleEventTriggered = "triggered";

struct ScheduleEvent {
  std::int64_t id = 0;  // assigned by the repository, increasing
  std::string schedule_id;
  Instant at{};
  std::string kind;                     // one of kScheduleEvent*
  std::optional<Instant> nominal_fire;  // the fire concerned; for "missed", the newest
  int count = 1;                        // "missed": how many fires
  std::string note;
  bool operator==(const ScheduleEvent&) const = default;
};

// ---- Operations (metrics, status line) ----
// What an operator watches, counted in one read snapshot (PlanReader::CountOperational).
struct OperationalCounts {
  std::map<TaskState, std::int64_t> tasks_by_state;  // every state present, zero when none
  std::int64_t tasks_overdue = 0;                    // unfinished and due_at < now
  // Notifications per channel and state: every state of each channel that has any.
  std::map<std::string, std::map<NotificationState, std::int64_t>, std::less<>>
      notifications_by_channel;
  // Not delivered yet and not dead: pending, delivering or failed.
  std::int64_t outbox_depth = 0;
  // The database file (page_count * page_size) and its write-ahead log, in bytes; 0 for a
  // store without files, -1 when the store cannot tell.
  std::int64_t database_bytes = 0;
  std::int64_t wal_bytes = 0;
  bool operator==(const OperationalCounts&) const = default;
};

// Read side: safe on a read-only connection.
class PlanReader {
 public:
  virtual ~PlanReader() = default;
  virtual std::optional<Plan> FindPlan(PlanId id) = 0;
  virtual std::optional<Task> FindTask(TaskId id) = 0;
  virtual std::vector<Task> TasksOfPlan(PlanId id) = 0;  // ascending by id
  virtual Page<Plan> ListPlans(const PlanFilter& filter) = 0;
  virtual Page<Task> ListTasks(const TaskFilter& filter) = 0;
  virtual std::vector<TaskEvent> EventsOfTask(TaskId id) = 0;  // ascending by id
  virtual PlanProgress ProgressOf(PlanId id, Instant now) = 0;
  virtual Summary Summarize(const SummaryFilter& filter, Instant now) = 0;

  // Reminders (notification.h). Every stored reminder of a task, any status, by fire_at then key.
  virtual std::vector<StoredReminder> RemindersOfTask(TaskId id) = 0;
  // The earliest fire_at of a pending reminder: of one task, or of all tasks.
  virtual std::optional<Instant> NextReminderOfTask(TaskId id) = 0;
  virtual std::optional<Instant> NextReminderAt() = 0;
  // Pending reminders with fire_at <= now, by fire_at then task id then key, at most `limit`.
  virtual std::vector<PlannedReminder> DueReminders(Instant now, int limit) = 0;

  // Outbox (notification.h).
  virtual std::optional<Notification> FindNotification(NotificationId id) = 0;
  virtual Page<Notification> ListNotifications(const NotificationFilter& filter) = 0;
  // Pending or failed notifications with next_attempt_at <= now, by next_attempt_at then id, at
  // most `limit`.
  virtual std::vector<Notification> ReadyNotifications(Instant now, int limit) = 0;
  // The earliest next_attempt_at of a pending or failed notification.
  virtual std::optional<Instant> NextNotificationAt() = 0;
  // The failed notification of `channel` with the smallest id: for a channel that delivers in
  // order, the message the later ones wait behind. nullopt when none of `channel` is failed.
  virtual std::optional<Notification> OldestFailedNotification(const std::string& channel) = 0;
  // Notifications per state (every state present, zero when none), for metrics and status.
  virtual std::map<NotificationState, std::int64_t> CountNotifications() = 0;

  // A small fact kept between runs; nullopt when never written.
  virtual std::optional<std::string> ReadSetting(const std::string& key) = 0;

  // ---- Schedules and review cycles (area "sched") ----
  virtual std::optional<ScheduleRow> FindScheduleRow(const std::string& id) = 0;
  virtual std::optional<CycleRow> FindCycle(const std::string& schedule_id,
                                            Instant nominal_fire) = 0;
  // The cycle a plan was started by, if any.
  virtual std::optional<CycleRow> CycleOfPlan(PlanId plan_id) = 0;
  // The newest cycles of a schedule (largest id first), at most `limit`.
  virtual std::vector<CycleRow> RecentCycles(const std::string& schedule_id, int limit) = 0;
  // The newest events of a schedule (largest id first), at most `limit`.
  virtual std::vector<ScheduleEvent> RecentScheduleEvents(const std::string& schedule_id,
                                                          int limit) = 0;

  // ---- Reports and closing (plan_report.h, carry_over.h) ----
  // Tasks whose carried_from is `plan`: moved out of it into a later cycle; ascending by id.
  virtual std::vector<Task> TasksCarriedFrom(PlanId plan) = 0;
  // The report frozen when `plan` was closed (ReportToJson's text); nullopt when not closed.
  virtual std::optional<std::string> FindPlanReport(PlanId plan) = 0;
  // Whether `plan` is the plan of a review cycle (a row of `cycles` names it).
  virtual bool IsCyclePlan(PlanId plan) = 0;
  // The plan of the cycle before the cycle of `plan` (cycles.previous_cycle_id); nullopt when
  // `plan` is not a cycle's or its cycle is the first of its schedule.
  virtual std::optional<PlanId> PreviousCyclePlanOf(PlanId plan) = 0;
  // ---- Goals (goal check-ins) ----
  // Every value recorded for goal `goal_index` of the plan, oldest first (ascending by id).
  virtual std::vector<GoalUpdate> GoalUpdatesOf(PlanId plan_id, int goal_index) = 0;
  // ---- Operations (metrics, status line) ----
  // Counted at `now` (for overdue); bounded cost: index scans, no table scan of the outbox.
  virtual OperationalCounts CountOperational(Instant now) = 0;
};

// Write side: only inside a write transaction on the single writer.
class PlanRepository : public PlanReader {
 public:
  // Stores a new plan (plan.id is ignored) and returns its id.
  virtual PlanId InsertPlan(const Plan& plan) = 0;
  // Overwrites every field of an existing plan.
  virtual void UpdatePlan(const Plan& plan) = 0;
  // Stores a new task (task.id is ignored), its dependencies included, and returns its id.
  virtual TaskId InsertTask(const Task& task) = 0;
  // Overwrites every field of an existing task, its dependencies included.
  virtual void UpdateTask(const Task& task) = 0;
  // Appends to a task's history and returns the event id.
  virtual std::int64_t AppendEvent(const TaskEvent& event) = 0;

  // Stores a new pending reminder, or, when (task_id, key) exists and is still pending,
  // overwrites its fields. A fired or skipped reminder is left as it is (it is never sent twice).
  virtual void UpsertPendingReminder(const PlannedReminder& reminder) = 0;
  // Deletes a pending reminder that no longer applies; a fired or skipped one is kept.
  virtual void DeletePendingReminder(TaskId task_id, const std::string& key) = 0;
  // Marks a pending reminder fired or skipped at `at`.
  virtual void SettleReminder(TaskId task_id, const std::string& key, ReminderStatus status,
                              Instant at) = 0;

  // Stores a new notification (id ignored) and returns its id; nullopt, changing nothing, when
  // a notification with the same idempotency key exists.
  virtual std::optional<NotificationId> InsertNotification(const Notification& notification) = 0;
  // Overwrites state, attempts, next_attempt_at, updated_at, delivered_at, last_error and
  // batch_id of an existing notification.
  virtual void UpdateNotification(const Notification& notification) = 0;
  // Crash recovery at start: every delivering notification becomes pending with
  // next_attempt_at = now (batch_id kept); returns how many.
  virtual int ResetInFlightNotifications(Instant now) = 0;

  // Stores or overwrites a setting.
  virtual void WriteSetting(const std::string& key, const std::string& value) = 0;

  // ---- Schedules and review cycles (area "sched") ----
  // Stores or overwrites the row of schedule `row.id`.
  virtual void UpsertScheduleRow(const ScheduleRow& row) = 0;
  // Stores a new cycle (id ignored) and returns its id. A second cycle with the same
  // (schedule_id, nominal_fire), or a plan that already has a cycle, throws StorageError.
  virtual std::int64_t InsertCycle(const CycleRow& cycle) = 0;
  // Appends a schedule event (id ignored) and returns its id.
  virtual std::int64_t AppendScheduleEvent(const ScheduleEvent& event) = 0;
  // ---- Reports and closing (plan_report.h) ----
  // Stores the frozen report of a plan. A plan has at most one: a second insert for the same
  // plan throws StorageError (ClosePlan never writes twice).
  virtual void InsertPlanReport(PlanId plan, Instant closed_at, const std::string& json) = 0;
  // ---- Goals (goal check-ins) ----
  // Appends a recorded goal value (update.id is ignored) and returns its id.
  virtual std::int64_t AppendGoalUpdate(const GoalUpdate& update) = 0;
};

}  // namespace kaizen
