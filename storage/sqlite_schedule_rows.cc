// SqlitePlanRepository's half for schedules and review cycles (tables `schedules`, `cycles` and
// `schedule_events`, schema v3 in internal/migrations.cc). The UNIQUE (schedule_id,
// nominal_fire) of `cycles` is what keeps a cycle from starting twice: a second insert throws.
#include <algorithm>
#include <string>

#include "storage/internal/columns.h"
#include "storage/internal/sqlite.h"
#include "storage/sqlite_plan_repository.h"

namespace kaizen::storage {
namespace {

using internal::BindOptionalInstant;
using internal::CachedStatement;
using internal::ColumnInstant;
using internal::ColumnOptionalInstant;
using internal::Statement;
using internal::TimeText;

constexpr const char* kCycleColumns =
    "id, schedule_id, nominal_fire, started_at, cause, plan_id, previous_cycle_id";

CycleRow ReadCycle(const Statement& s) {
  CycleRow c;
  c.id = s.ColumnInt64(0);
  c.schedule_id = s.ColumnText(1);
  c.nominal_fire = ColumnInstant(s, 2);
  c.started_at = ColumnInstant(s, 3);
  c.cause = s.ColumnText(4);
  c.plan_id = s.ColumnInt64(5);
  if (!s.IsNull(6)) c.previous_cycle_id = s.ColumnInt64(6);
  return c;
}

}  // namespace

std::optional<ScheduleRow> SqlitePlanRepository::FindScheduleRow(const std::string& id) {
  CachedStatement s = Prepared(
      "SELECT id, last_nominal_fire, paused, pause_reason, paused_at, updated_at "
      "FROM schedules WHERE id = ?1");
  s->BindText(1, id);
  if (!s->Step()) return std::nullopt;
  ScheduleRow row;
  row.id = s->ColumnText(0);
  row.last_nominal_fire = ColumnOptionalInstant(*s, 1);
  row.paused = s->ColumnInt64(2) != 0;
  row.pause_reason = s->ColumnText(3);
  row.paused_at = ColumnOptionalInstant(*s, 4);
  row.updated_at = ColumnInstant(*s, 5);
  return row;
}

std::optional<CycleRow> SqlitePlanRepository::FindCycle(const std::string& schedule_id,
                                                        Instant nominal_fire) {
  CachedStatement s = Prepared(std::string("SELECT ") + kCycleColumns +
                               " FROM cycles WHERE schedule_id = ?1 AND nominal_fire = ?2");
  s->BindText(1, schedule_id);
  s->BindText(2, TimeText(nominal_fire));
  if (!s->Step()) return std::nullopt;
  return ReadCycle(*s);
}

std::optional<CycleRow> SqlitePlanRepository::CycleOfPlan(PlanId plan_id) {
  CachedStatement s =
      Prepared(std::string("SELECT ") + kCycleColumns + " FROM cycles WHERE plan_id = ?1");
  s->BindInt64(1, plan_id);
  if (!s->Step()) return std::nullopt;
  return ReadCycle(*s);
}

std::vector<CycleRow> SqlitePlanRepository::RecentCycles(const std::string& schedule_id,
                                                         int limit) {
  CachedStatement s = Prepared(std::string("SELECT ") + kCycleColumns +
                               " FROM cycles WHERE schedule_id = ?1 ORDER BY id DESC LIMIT ?2");
  s->BindText(1, schedule_id);
  s->BindInt64(2, std::max(limit, 0));
  std::vector<CycleRow> out;
  while (s->Step()) out.push_back(ReadCycle(*s));
  return out;
}

std::vector<ScheduleEvent> SqlitePlanRepository::RecentScheduleEvents(
    const std::string& schedule_id, int limit) {
  CachedStatement s = Prepared(
      "SELECT id, schedule_id, at, kind, nominal_fire, count, note FROM schedule_events "
      "WHERE schedule_id = ?1 ORDER BY id DESC LIMIT ?2");
  s->BindText(1, schedule_id);
  s->BindInt64(2, std::max(limit, 0));
  std::vector<ScheduleEvent> out;
  while (s->Step()) {
    ScheduleEvent e;
    e.id = s->ColumnInt64(0);
    e.schedule_id = s->ColumnText(1);
    e.at = ColumnInstant(*s, 2);
    e.kind = s->ColumnText(3);
    e.nominal_fire = ColumnOptionalInstant(*s, 4);
    e.count = static_cast<int>(s->ColumnInt64(5));
    e.note = s->ColumnText(6);
    out.push_back(std::move(e));
  }
  return out;
}

void SqlitePlanRepository::UpsertScheduleRow(const ScheduleRow& row) {
  CachedStatement s = Prepared(
      "INSERT INTO schedules (id, last_nominal_fire, paused, pause_reason, paused_at, "
      "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET "
      "last_nominal_fire = excluded.last_nominal_fire, paused = excluded.paused, "
      "pause_reason = excluded.pause_reason, paused_at = excluded.paused_at, "
      "updated_at = excluded.updated_at");
  s->BindText(1, row.id);
  BindOptionalInstant(*s, 2, row.last_nominal_fire);
  s->BindInt64(3, row.paused ? 1 : 0);
  s->BindText(4, row.pause_reason);
  BindOptionalInstant(*s, 5, row.paused_at);
  s->BindText(6, TimeText(row.updated_at));
  s->Run();
}

std::int64_t SqlitePlanRepository::InsertCycle(const CycleRow& cycle) {
  CachedStatement s = Prepared(
      "INSERT INTO cycles (schedule_id, nominal_fire, started_at, cause, plan_id, "
      "previous_cycle_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s->BindText(1, cycle.schedule_id);
  s->BindText(2, TimeText(cycle.nominal_fire));
  s->BindText(3, TimeText(cycle.started_at));
  s->BindText(4, cycle.cause);
  s->BindInt64(5, cycle.plan_id);
  if (cycle.previous_cycle_id) {
    s->BindInt64(6, *cycle.previous_cycle_id);
  } else {
    s->BindNull(6);
  }
  s->Run();
  return connection_.LastInsertRowId();
}

std::int64_t SqlitePlanRepository::AppendScheduleEvent(const ScheduleEvent& event) {
  CachedStatement s = Prepared(
      "INSERT INTO schedule_events (schedule_id, at, kind, nominal_fire, count, note) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s->BindText(1, event.schedule_id);
  s->BindText(2, TimeText(event.at));
  s->BindText(3, event.kind);
  BindOptionalInstant(*s, 4, event.nominal_fire);
  s->BindInt64(5, event.count);
  s->BindText(6, event.note);
  s->Run();
  return connection_.LastInsertRowId();
}

}  // namespace kaizen::storage
