// The queries behind PlanReader::CountOperational (metrics and the status line), named so that
// a test can ask SQLite for their plans. They run at every scrape against tables that only
// grow, so none reads the table rows of what piles up (done tasks, delivered notifications):
// tasks are counted from tasks_by_state_due alone, and delivered notifications per channel are
// the channel's total (from notifications_by_channel alone) minus its other states, which are
// read through notifications_by_state and stay few while deliveries work. INDEXED BY pins each
// plan, as in outbox_sql.h.
#pragma once

#include <string_view>

namespace kaizen::storage::internal {

inline constexpr std::string_view kTasksByStateSql =
    "SELECT state, count(*) FROM tasks INDEXED BY tasks_by_state_due GROUP BY state";

// ?1 now. The unfinished states, as UnfinishedStatesSql() spells them.
inline constexpr std::string_view kOverdueTasksSql =
    "SELECT count(*) FROM tasks INDEXED BY tasks_by_state_due "
    "WHERE state IN ('open', 'in_progress', 'blocked') AND due_at < ?1";

inline constexpr std::string_view kNotificationsByChannelSql =
    "SELECT channel, count(*) FROM notifications INDEXED BY notifications_by_channel "
    "GROUP BY channel";

inline constexpr std::string_view kUndeliveredNotificationsSql =
    "SELECT channel, state, count(*) FROM notifications INDEXED BY notifications_by_state "
    "WHERE state IN ('pending', 'delivering', 'failed', 'dead') GROUP BY channel, state";

}  // namespace kaizen::storage::internal
