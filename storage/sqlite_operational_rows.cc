// SqlitePlanRepository's operational counts (metrics and the status line): bounded-cost index
// scans, see storage/internal/operational_sql.h.
#include <filesystem>
#include <string>
#include <system_error>

#include "storage/internal/columns.h"
#include "storage/internal/operational_sql.h"
#include "storage/internal/sqlite.h"
#include "storage/sqlite_plan_repository.h"

namespace kaizen::storage {

using internal::CachedStatement;
using internal::ThrowCorrupt;
using internal::TimeText;

namespace {

template <typename State>
State ColumnState(const internal::Statement& s, int column,
                  std::optional<State> (*parse)(std::string_view), std::string_view what) {
  std::string text = s.ColumnText(column);
  std::optional<State> state = parse(text);
  if (!state) ThrowCorrupt(what, text);
  return *state;
}

}  // namespace

OperationalCounts SqlitePlanRepository::CountOperational(Instant now) {
  OperationalCounts counts;
  for (TaskState state : kAllTaskStates) counts.tasks_by_state[state] = 0;
  {
    CachedStatement s = Prepared(internal::kTasksByStateSql);
    while (s->Step()) {
      counts.tasks_by_state[ColumnState<TaskState>(*s, 0, &ParseTaskState, "task state")] =
          s->ColumnInt64(1);
    }
  }
  {
    CachedStatement s = Prepared(internal::kOverdueTasksSql);
    s->BindText(1, TimeText(now));
    if (s->Step()) counts.tasks_overdue = s->ColumnInt64(0);
  }
  // Every channel's total, then its undelivered states; what is left was delivered.
  {
    CachedStatement s = Prepared(internal::kNotificationsByChannelSql);
    while (s->Step()) {
      auto& states = counts.notifications_by_channel[s->ColumnText(0)];
      for (NotificationState state : kAllNotificationStates) states[state] = 0;
      states[NotificationState::kDelivered] = s->ColumnInt64(1);
    }
  }
  {
    CachedStatement s = Prepared(internal::kUndeliveredNotificationsSql);
    while (s->Step()) {
      auto& states = counts.notifications_by_channel[s->ColumnText(0)];
      const auto state =
          ColumnState<NotificationState>(*s, 1, &ParseNotificationState, "notification state");
      const std::int64_t n = s->ColumnInt64(2);
      states[state] = n;
      states[NotificationState::kDelivered] -= n;
      if (state != NotificationState::kDead) counts.outbox_depth += n;
    }
  }
  counts.database_bytes =
      connection_.QueryInt64("PRAGMA page_count") * connection_.QueryInt64("PRAGMA page_size");
  // A stat of the -wal file: cheap, and what an operator's disk alert sees.
  std::error_code ec;
  const std::filesystem::path wal = connection_.path() + "-wal";
  const auto wal_size = std::filesystem::file_size(wal, ec);
  if (!ec) {
    counts.wal_bytes = static_cast<std::int64_t>(wal_size);
  } else {
    counts.wal_bytes = std::filesystem::exists(wal, ec) ? -1 : 0;
  }
  return counts;
}

}  // namespace kaizen::storage
