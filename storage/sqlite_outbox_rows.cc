// SqlitePlanRepository's half for planned reminders and the notification outbox (tables
// `reminders` and `notifications`, schema v2 in internal/migrations.cc).
//
// The scheduler and the dispatcher poll these tables for "what is due" and "when next", so each
// of those queries (internal/outbox_sql.h) walks a partial index in its ORDER BY order and stops
// at LIMIT; tests/storage/outbox_rows_test.cc checks the plans with EXPLAIN QUERY PLAN.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "storage/internal/columns.h"
#include "storage/internal/outbox_sql.h"
#include "storage/internal/sqlite.h"
#include "storage/sqlite_plan_repository.h"

namespace kaizen::storage {
namespace {

using internal::BindOptionalInstant;
using internal::CachedStatement;
using internal::ColumnInstant;
using internal::ColumnOptionalInstant;
using internal::kNotificationColumns;
using internal::kReminderColumns;
using internal::PageLimit;
using internal::ReadPage;
using internal::Statement;
using internal::ThrowCorrupt;
using internal::TimeText;

std::string_view RecipientKindText(RecipientKind kind) {
  return kind == RecipientKind::kTeam ? "team" : "person";
}

RecipientKind ParseRecipientKindText(const std::string& text) {
  if (text == "person") return RecipientKind::kPerson;
  if (text == "team") return RecipientKind::kTeam;
  ThrowCorrupt("recipient kind", text);
}

// The planned reminder in columns 0..10 of kReminderColumns.
PlannedReminder ReadPlanned(const Statement& s) {
  PlannedReminder r;
  r.task_id = s.ColumnInt64(0);
  r.key = s.ColumnText(1);
  std::string kind = s.ColumnText(2);
  std::optional<ReminderKind> parsed = ParseReminderKind(kind);
  if (!parsed) ThrowCorrupt("reminder kind", kind);
  r.kind = *parsed;
  r.anchor = ColumnInstant(s, 3);
  r.nominal_at = ColumnInstant(s, 4);
  r.fire_at = ColumnInstant(s, 5);
  r.recipient_kind = ParseRecipientKindText(s.ColumnText(6));
  r.recipient = s.ColumnText(7);
  r.urgent = s.ColumnInt64(8) != 0;
  r.mention_all = s.ColumnInt64(9) != 0;
  r.channel = s.ColumnText(10);
  return r;
}

StoredReminder ReadStoredReminder(const Statement& s) {
  StoredReminder stored;
  stored.planned = ReadPlanned(s);
  std::string status = s.ColumnText(11);
  std::optional<ReminderStatus> parsed = ParseReminderStatus(status);
  if (!parsed) ThrowCorrupt("reminder status", status);
  stored.status = *parsed;
  stored.settled_at = ColumnOptionalInstant(s, 12);
  return stored;
}

nlohmann::json EventToJson(const NotificationEvent& e) {
  return {
      {"kind", e.kind},
      {"task_id", e.task_id},
      {"plan_id", e.plan_id},
      {"task_title", e.task_title},
      {"plan_title", e.plan_title},
      {"team", e.team},
      {"time_zone", e.time_zone},
      {"owner", e.owner},
      {"owner_name", e.owner_name},
      {"due_at", e.due_at ? nlohmann::json(TimeText(*e.due_at)) : nlohmann::json(nullptr)},
      {"task_state", ToString(e.task_state)},
      {"recipient_kind", RecipientKindText(e.recipient_kind)},
      {"recipient", e.recipient},
      {"recipient_name", e.recipient_name},
      {"mention_all", e.mention_all},
      {"urgent", e.urgent},
      {"reminder_key", e.reminder_key},
      {"escalation_level", e.escalation_level},
      {"note", e.note},
      {"actor", e.actor},
      {"occurred_at", TimeText(e.occurred_at)},
      {"facts", e.facts},
  };
}

Instant JsonInstant(const nlohmann::json& value) {
  std::string text = value.get<std::string>();
  std::optional<Instant> t = ParseStorageTime(text);
  if (!t) ThrowCorrupt("instant", text);
  return *t;
}

NotificationEvent EventFromJson(const std::string& text) {
  NotificationEvent e;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    e.kind = j.at("kind").get<std::string>();
    e.task_id = j.at("task_id").get<TaskId>();
    e.plan_id = j.at("plan_id").get<PlanId>();
    e.task_title = j.at("task_title").get<std::string>();
    e.plan_title = j.at("plan_title").get<std::string>();
    e.team = j.at("team").get<std::string>();
    e.time_zone = j.at("time_zone").get<std::string>();
    e.owner = j.at("owner").get<std::string>();
    e.owner_name = j.at("owner_name").get<std::string>();
    if (const nlohmann::json& due = j.at("due_at"); !due.is_null()) e.due_at = JsonInstant(due);
    std::optional<TaskState> state = ParseTaskState(j.at("task_state").get<std::string>());
    if (!state) ThrowCorrupt("notification event", text);
    e.task_state = *state;
    e.recipient_kind = ParseRecipientKindText(j.at("recipient_kind").get<std::string>());
    e.recipient = j.at("recipient").get<std::string>();
    e.recipient_name = j.at("recipient_name").get<std::string>();
    e.mention_all = j.at("mention_all").get<bool>();
    e.urgent = j.at("urgent").get<bool>();
    e.reminder_key = j.at("reminder_key").get<std::string>();
    e.escalation_level = j.at("escalation_level").get<int>();
    e.note = j.at("note").get<std::string>();
    e.actor = j.at("actor").get<std::string>();
    e.occurred_at = JsonInstant(j.at("occurred_at"));
    // Absent in rows written before facts existed.
    if (auto facts = j.find("facts"); facts != j.end()) {
      e.facts = facts->get<std::map<std::string, std::string>>();
    }
  } catch (const nlohmann::json::exception&) {
    ThrowCorrupt("notification event", text);
  }
  return e;
}

NotificationState ColumnNotificationState(const Statement& s, int column) {
  std::string text = s.ColumnText(column);
  std::optional<NotificationState> state = ParseNotificationState(text);
  if (!state) ThrowCorrupt("notification state", text);
  return *state;
}

Notification ReadNotification(const Statement& s) {
  Notification n;
  n.id = s.ColumnInt64(0);
  n.idempotency_key = s.ColumnText(1);
  n.channel = s.ColumnText(2);
  n.event = EventFromJson(s.ColumnText(3));
  n.state = ColumnNotificationState(s, 4);
  n.attempts = static_cast<int>(s.ColumnInt64(5));
  n.created_at = ColumnInstant(s, 6);
  n.next_attempt_at = ColumnInstant(s, 7);
  n.updated_at = ColumnInstant(s, 8);
  n.delivered_at = ColumnOptionalInstant(s, 9);
  n.last_error = s.ColumnText(10);
  if (!s.IsNull(11)) n.batch_id = s.ColumnInt64(11);
  return n;
}

void BindOptionalInt64(Statement& s, int index, const std::optional<std::int64_t>& value) {
  if (value) {
    s.BindInt64(index, *value);
  } else {
    s.BindNull(index);
  }
}

// Plan events carry task id 0; the column holds NULL for them.
std::optional<std::int64_t> TaskColumnValue(TaskId id) {
  return id == 0 ? std::nullopt : std::optional<std::int64_t>(id);
}

}  // namespace

std::vector<StoredReminder> SqlitePlanRepository::RemindersOfTask(TaskId id) {
  static const std::string kSql = "SELECT " + std::string(kReminderColumns) +
                                  " FROM reminders WHERE task_id = ?1 ORDER BY fire_at, key";
  CachedStatement s = Prepared(kSql);
  s->BindInt64(1, id);
  std::vector<StoredReminder> out;
  while (s->Step()) out.push_back(ReadStoredReminder(*s));
  return out;
}

std::optional<Instant> SqlitePlanRepository::NextReminderOfTask(TaskId id) {
  // The primary key narrows to the task's few rows.
  CachedStatement s =
      Prepared("SELECT min(fire_at) FROM reminders WHERE task_id = ?1 AND status = 'pending'");
  s->BindInt64(1, id);
  if (!s->Step()) return std::nullopt;
  return ColumnOptionalInstant(*s, 0);
}

std::optional<Instant> SqlitePlanRepository::NextReminderAt() {
  CachedStatement s = Prepared(internal::kNextReminderAtSql);
  if (!s->Step()) return std::nullopt;
  return ColumnInstant(*s, 0);
}

std::vector<PlannedReminder> SqlitePlanRepository::DueReminders(Instant now, int limit) {
  std::vector<PlannedReminder> out;
  if (limit <= 0) return out;  // SQLite reads a negative LIMIT as no limit at all
  CachedStatement s = Prepared(internal::kDueRemindersSql);
  s->BindText(1, TimeText(now)).BindInt64(2, limit);
  while (s->Step()) out.push_back(ReadPlanned(*s));
  return out;
}

std::optional<Notification> SqlitePlanRepository::FindNotification(NotificationId id) {
  static const std::string kSql =
      "SELECT " + std::string(kNotificationColumns) + " FROM notifications WHERE id = ?1";
  CachedStatement s = Prepared(kSql);
  s->BindInt64(1, id);
  if (!s->Step()) return std::nullopt;
  return ReadNotification(*s);
}

Page<Notification> SqlitePlanRepository::ListNotifications(const NotificationFilter& filter) {
  // One statement per combination of filters, as in ListPlans. `task_id IS ?3` so that task 0
  // (plan events, stored as NULL) is found like any other.
  std::string sql =
      "SELECT " + std::string(kNotificationColumns) + " FROM notifications WHERE id > ?1";
  if (filter.state) sql += " AND state = ?2";
  if (filter.task) sql += " AND task_id IS ?3";
  if (filter.channel) sql += " AND channel = ?4";
  sql += " ORDER BY id LIMIT ?5";

  const int limit = PageLimit(filter.limit);
  CachedStatement s = Prepared(sql);
  s->BindInt64(1, filter.after.value_or(0));
  if (filter.state) s->BindText(2, ToString(*filter.state));
  if (filter.task) BindOptionalInt64(*s, 3, TaskColumnValue(*filter.task));
  if (filter.channel) s->BindText(4, *filter.channel);
  s->BindInt64(5, limit + 1);
  return ReadPage<Notification>(*s, limit, ReadNotification);
}

std::vector<Notification> SqlitePlanRepository::ReadyNotifications(Instant now, int limit) {
  std::vector<Notification> out;
  if (limit <= 0) return out;
  CachedStatement s = Prepared(internal::kReadyNotificationsSql);
  s->BindText(1, TimeText(now)).BindInt64(2, limit);
  while (s->Step()) out.push_back(ReadNotification(*s));
  return out;
}

std::optional<Instant> SqlitePlanRepository::NextNotificationAt() {
  CachedStatement s = Prepared(internal::kNextNotificationAtSql);
  if (!s->Step()) return std::nullopt;
  return ColumnInstant(*s, 0);
}

std::optional<Notification> SqlitePlanRepository::OldestFailedNotification(
    const std::string& channel) {
  CachedStatement s = Prepared(internal::kOldestFailedNotificationSql);
  s->BindText(1, channel);
  if (!s->Step()) return std::nullopt;
  return ReadNotification(*s);
}

std::map<NotificationState, std::int64_t> SqlitePlanRepository::CountNotifications() {
  std::map<NotificationState, std::int64_t> counts;
  for (NotificationState state : kAllNotificationStates) counts[state] = 0;
  CachedStatement s = Prepared("SELECT state, count(*) FROM notifications GROUP BY state");
  while (s->Step()) counts[ColumnNotificationState(*s, 0)] = s->ColumnInt64(1);
  return counts;
}

void SqlitePlanRepository::UpsertPendingReminder(const PlannedReminder& r) {
  // The WHERE of DO UPDATE leaves a fired or skipped row as it is: a key once sent stays sent.
  CachedStatement s = Prepared(
      "INSERT INTO reminders (task_id, key, kind, anchor, nominal_at, fire_at, recipient_kind, "
      "recipient, urgent, mention_all, channel, status, settled_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending', NULL) "
      "ON CONFLICT (task_id, key) DO UPDATE SET kind = excluded.kind, anchor = excluded.anchor, "
      "nominal_at = excluded.nominal_at, fire_at = excluded.fire_at, "
      "recipient_kind = excluded.recipient_kind, recipient = excluded.recipient, "
      "urgent = excluded.urgent, mention_all = excluded.mention_all, channel = excluded.channel "
      "WHERE reminders.status = 'pending'");
  s->BindInt64(1, r.task_id)
      .BindText(2, r.key)
      .BindText(3, ToString(r.kind))
      .BindText(4, TimeText(r.anchor))
      .BindText(5, TimeText(r.nominal_at))
      .BindText(6, TimeText(r.fire_at))
      .BindText(7, RecipientKindText(r.recipient_kind))
      .BindText(8, r.recipient)
      .BindInt64(9, r.urgent ? 1 : 0)
      .BindInt64(10, r.mention_all ? 1 : 0)
      .BindText(11, r.channel);
  s->Run();
}

void SqlitePlanRepository::DeletePendingReminder(TaskId task_id, const std::string& key) {
  CachedStatement s =
      Prepared("DELETE FROM reminders WHERE task_id = ?1 AND key = ?2 AND status = 'pending'");
  s->BindInt64(1, task_id).BindText(2, key);
  s->Run();
}

void SqlitePlanRepository::SettleReminder(TaskId task_id, const std::string& key,
                                          ReminderStatus status, Instant at) {
  CachedStatement s = Prepared(
      "UPDATE reminders SET status = ?3, settled_at = ?4 "
      "WHERE task_id = ?1 AND key = ?2 AND status = 'pending'");
  s->BindInt64(1, task_id).BindText(2, key).BindText(3, ToString(status)).BindText(4, TimeText(at));
  s->Run();
}

std::optional<NotificationId> SqlitePlanRepository::InsertNotification(const Notification& n) {
  // DO NOTHING on the idempotency key only: any other refused value still throws.
  CachedStatement s = Prepared(
      "INSERT INTO notifications (idempotency_key, channel, event, task_id, plan_id, kind, "
      "state, attempts, created_at, next_attempt_at, updated_at, delivered_at, last_error, "
      "batch_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
      "ON CONFLICT (idempotency_key) DO NOTHING");
  s->BindText(1, n.idempotency_key)
      .BindText(2, n.channel)
      .BindText(3, EventToJson(n.event).dump())
      .BindInt64(5, n.event.plan_id)
      .BindText(6, n.event.kind)
      .BindText(7, ToString(n.state))
      .BindInt64(8, n.attempts)
      .BindText(9, TimeText(n.created_at))
      .BindText(10, TimeText(n.next_attempt_at))
      .BindText(11, TimeText(n.updated_at))
      .BindText(13, n.last_error);
  BindOptionalInt64(*s, 4, TaskColumnValue(n.event.task_id));
  BindOptionalInstant(*s, 12, n.delivered_at);
  BindOptionalInt64(*s, 14, n.batch_id);
  s->Run();
  if (connection_.Changes() == 0) return std::nullopt;
  return connection_.LastInsertRowId();
}

void SqlitePlanRepository::UpdateNotification(const Notification& n) {
  CachedStatement s = Prepared(
      "UPDATE notifications SET state = ?2, attempts = ?3, next_attempt_at = ?4, "
      "updated_at = ?5, delivered_at = ?6, last_error = ?7, batch_id = ?8 WHERE id = ?1");
  s->BindInt64(1, n.id)
      .BindText(2, ToString(n.state))
      .BindInt64(3, n.attempts)
      .BindText(4, TimeText(n.next_attempt_at))
      .BindText(5, TimeText(n.updated_at))
      .BindText(7, n.last_error);
  BindOptionalInstant(*s, 6, n.delivered_at);
  BindOptionalInt64(*s, 8, n.batch_id);
  s->Run();
  if (connection_.Changes() == 0) {
    throw StorageError("UpdateNotification: no notification " + std::to_string(n.id));
  }
}

int SqlitePlanRepository::ResetInFlightNotifications(Instant now) {
  CachedStatement s = Prepared(
      "UPDATE notifications SET state = 'pending', next_attempt_at = ?1, updated_at = ?1 "
      "WHERE state = 'delivering'");
  s->BindText(1, TimeText(now));
  s->Run();
  return connection_.Changes();
}

std::optional<std::string> SqlitePlanRepository::ReadSetting(const std::string& key) {
  CachedStatement s = Prepared("SELECT value FROM settings WHERE key = ?1");
  s->BindText(1, key);
  if (!s->Step()) return std::nullopt;
  return s->ColumnText(0);
}

void SqlitePlanRepository::WriteSetting(const std::string& key, const std::string& value) {
  CachedStatement s = Prepared(
      "INSERT INTO settings (key, value) VALUES (?1, ?2) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  s->BindText(1, key);
  s->BindText(2, value);
  s->Run();
}

}  // namespace kaizen::storage
