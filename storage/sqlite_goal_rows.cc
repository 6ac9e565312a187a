// SqlitePlanRepository's half for goal check-ins: the values recorded for a plan's goals (table
// `goal_updates`, schema v3 in internal/migrations.cc). The latest value is also kept in the
// plan's goals; this table is its history.
#include <string>
#include <utility>

#include "storage/internal/columns.h"
#include "storage/internal/sqlite.h"
#include "storage/sqlite_plan_repository.h"

namespace kaizen::storage {

using internal::CachedStatement;
using internal::ColumnInstant;
using internal::TimeText;

std::vector<GoalUpdate> SqlitePlanRepository::GoalUpdatesOf(PlanId plan_id, int goal_index) {
  // Walks the index goal_updates_by_goal (plan_id, goal_index, id) in its order.
  CachedStatement s = Prepared(
      "SELECT id, plan_id, goal_index, value, at, actor, note FROM goal_updates "
      "WHERE plan_id = ?1 AND goal_index = ?2 ORDER BY id");
  s->BindInt64(1, plan_id).BindInt64(2, goal_index);
  std::vector<GoalUpdate> updates;
  while (s->Step()) {
    GoalUpdate u;
    u.id = s->ColumnInt64(0);
    u.plan_id = s->ColumnInt64(1);
    u.goal_index = static_cast<int>(s->ColumnInt64(2));
    u.value = s->ColumnDouble(3);
    u.at = ColumnInstant(*s, 4);
    u.actor = s->ColumnText(5);
    u.note = s->ColumnText(6);
    updates.push_back(std::move(u));
  }
  return updates;
}

std::int64_t SqlitePlanRepository::AppendGoalUpdate(const GoalUpdate& update) {
  CachedStatement s = Prepared(
      "INSERT INTO goal_updates (plan_id, goal_index, value, at, actor, note) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s->BindInt64(1, update.plan_id)
      .BindInt64(2, update.goal_index)
      .BindDouble(3, update.value)
      .BindText(4, TimeText(update.at))
      .BindText(5, update.actor)
      .BindText(6, update.note);
  s->Run();
  return connection_.LastInsertRowId();
}

}  // namespace kaizen::storage
