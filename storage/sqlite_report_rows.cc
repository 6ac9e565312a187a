// SqlitePlanRepository's half for reports and closing: the frozen reports (table
// `plan_reports`), the lineage of carried tasks (tasks.carried_from) and the chain of review
// cycles (table `cycles`, written by the scheduler), schema v3 in internal/migrations.cc.
#include <string>

#include "storage/internal/columns.h"
#include "storage/internal/sqlite.h"
#include "storage/sqlite_plan_repository.h"

namespace kaizen::storage {

using internal::CachedStatement;
using internal::TimeText;

std::vector<Task> SqlitePlanRepository::TasksCarriedFrom(PlanId plan) {
  // Ids first, then FindTask: a carried task is read exactly as any other (dependencies
  // included), and a plan's carried tasks are few.
  CachedStatement s = Prepared("SELECT id FROM tasks WHERE carried_from = ?1 ORDER BY id");
  s->BindInt64(1, plan);
  std::vector<TaskId> ids;
  while (s->Step()) ids.push_back(s->ColumnInt64(0));
  std::vector<Task> out;
  out.reserve(ids.size());
  for (TaskId id : ids) {
    if (std::optional<Task> task = FindTask(id)) out.push_back(std::move(*task));
  }
  return out;
}

std::optional<std::string> SqlitePlanRepository::FindPlanReport(PlanId plan) {
  CachedStatement s = Prepared("SELECT report FROM plan_reports WHERE plan_id = ?1");
  s->BindInt64(1, plan);
  if (!s->Step()) return std::nullopt;
  return s->ColumnText(0);
}

bool SqlitePlanRepository::IsCyclePlan(PlanId plan) {
  CachedStatement s = Prepared("SELECT 1 FROM cycles WHERE plan_id = ?1");
  s->BindInt64(1, plan);
  return s->Step();
}

std::optional<PlanId> SqlitePlanRepository::PreviousCyclePlanOf(PlanId plan) {
  CachedStatement s = Prepared(
      "SELECT previous.plan_id FROM cycles AS current "
      "JOIN cycles AS previous ON previous.id = current.previous_cycle_id "
      "WHERE current.plan_id = ?1");
  s->BindInt64(1, plan);
  if (!s->Step()) return std::nullopt;
  return s->ColumnInt64(0);
}

void SqlitePlanRepository::InsertPlanReport(PlanId plan, Instant closed_at,
                                            const std::string& json) {
  CachedStatement s =
      Prepared("INSERT INTO plan_reports (plan_id, closed_at, report) VALUES (?1, ?2, ?3)");
  s->BindInt64(1, plan).BindText(2, TimeText(closed_at)).BindText(3, json);
  s->Run();
}

}  // namespace kaizen::storage
