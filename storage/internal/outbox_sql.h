// The polling queries of the scheduler and the dispatcher, named so that a test can ask SQLite
// for their plans (EXPLAIN QUERY PLAN) and prove they walk an index instead of the table: they
// run on every wake-up against tables that only grow.
//
// Each names its partial index with INDEXED BY. Left to itself, the planner (without ANALYZE
// statistics, as kaizen runs) prefers notifications_by_state for `state IN (...)` and then sorts
// every pending row for the ORDER BY; INDEXED BY pins the plan, and should a schema change ever
// make the index unusable the statement fails to prepare instead of silently scanning.
#pragma once

#include <string_view>

namespace kaizen::storage::internal {

inline constexpr std::string_view kReminderColumns =
    "task_id, key, kind, anchor, nominal_at, fire_at, recipient_kind, recipient, urgent, "
    "mention_all, channel, status, settled_at";
inline constexpr std::string_view kNotificationColumns =
    "id, idempotency_key, channel, event, state, attempts, created_at, next_attempt_at, "
    "updated_at, delivered_at, last_error, batch_id";

// ORDER BY ... LIMIT 1 rather than min(): the first entry of the partial index, whatever the
// planner's min() optimisation does with a WHERE.
inline constexpr std::string_view kNextReminderAtSql =
    "SELECT fire_at FROM reminders INDEXED BY reminders_pending_by_fire_at "
    "WHERE status = 'pending' ORDER BY fire_at LIMIT 1";

// ?1 now, ?2 limit.
inline constexpr std::string_view kDueRemindersSql =
    "SELECT task_id, key, kind, anchor, nominal_at, fire_at, recipient_kind, recipient, urgent, "
    "mention_all, channel, status, settled_at FROM reminders "
    "INDEXED BY reminders_pending_by_fire_at "
    "WHERE status = 'pending' AND fire_at <= ?1 ORDER BY fire_at, task_id, key LIMIT ?2";

// `state IN ('pending', 'failed')` is written exactly like the WHERE of the partial index
// notifications_ready: SQLite uses a partial index only when the query's WHERE implies it.
// ?1 now, ?2 limit.
inline constexpr std::string_view kReadyNotificationsSql =
    "SELECT id, idempotency_key, channel, event, state, attempts, created_at, next_attempt_at, "
    "updated_at, delivered_at, last_error, batch_id FROM notifications "
    "INDEXED BY notifications_ready "
    "WHERE state IN ('pending', 'failed') AND next_attempt_at <= ?1 "
    "ORDER BY next_attempt_at, id LIMIT ?2";

inline constexpr std::string_view kNextNotificationAtSql =
    "SELECT next_attempt_at FROM notifications INDEXED BY notifications_ready "
    "WHERE state IN ('pending', 'failed') ORDER BY next_attempt_at LIMIT 1";

// The failed rows are few (messages waiting for a retry) while a channel's rows only grow;
// left to itself the planner walks notifications_by_channel through every delivered row.
// ?1 channel.
inline constexpr std::string_view kOldestFailedNotificationSql =
    "SELECT id, idempotency_key, channel, event, state, attempts, created_at, next_attempt_at, "
    "updated_at, delivered_at, last_error, batch_id FROM notifications "
    "INDEXED BY notifications_by_state "
    "WHERE state = 'failed' AND channel = ?1 ORDER BY id LIMIT 1";

}  // namespace kaizen::storage::internal
