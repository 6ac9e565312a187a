#include "storage/sqlite_plan_repository.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "storage/internal/columns.h"
#include "storage/internal/sqlite.h"

namespace kaizen::storage {
namespace {

using internal::BindOptionalInstant;
using internal::CachedStatement;
using internal::ColumnInstant;
using internal::ColumnOptionalInstant;
using internal::PageLimit;
using internal::ReadPage;
using internal::Statement;
using internal::ThrowCorrupt;
using internal::TimeText;

constexpr std::string_view kPlanColumns =
    "id, title, description, kind, owner, team, state, allow_self_verification, goals, version, "
    "created_at, updated_at, reminder_policy, template, closes_at, closed_at";
constexpr std::string_view kTaskColumns =
    "id, plan_id, key, title, description, owner, due_at, criterion, state, version, created_at, "
    "updated_at, completed_at, reminder_policy, carried_from, carry_count";
constexpr std::string_view kEventColumns =
    "id, task_id, plan_id, at, actor, kind, from_state, to_state, note";

constexpr std::chrono::days kDueSoonWindow{7};

// "('open', 'in_progress', 'blocked')", derived from IsUnfinished so that SQL and the domain
// cannot disagree about what may be overdue.
const std::string& UnfinishedStatesSql() {
  static const std::string kSql = [] {
    std::string sql = "(";
    for (TaskState state : kAllTaskStates) {
      if (!IsUnfinished(state)) continue;
      if (sql.size() > 1) sql += ", ";
      sql += "'" + std::string(ToString(state)) + "'";
    }
    return sql + ")";
  }();
  return kSql;
}

TaskState ColumnTaskState(const Statement& s, int column) {
  std::string text = s.ColumnText(column);
  std::optional<TaskState> state = ParseTaskState(text);
  if (!state) ThrowCorrupt("task state", text);
  return *state;
}

std::optional<TaskState> ColumnOptionalTaskState(const Statement& s, int column) {
  if (s.IsNull(column)) return std::nullopt;
  return ColumnTaskState(s, column);
}

PlanState ColumnPlanState(const Statement& s, int column) {
  std::string text = s.ColumnText(column);
  std::optional<PlanState> state = ParsePlanState(text);
  if (!state) ThrowCorrupt("plan state", text);
  return *state;
}

nlohmann::json OptionalNumber(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string GoalsToJson(const std::vector<Goal>& goals) {
  nlohmann::json array = nlohmann::json::array();
  for (const Goal& goal : goals) {
    array.push_back({
        {"metric", goal.metric},
        {"baseline", OptionalNumber(goal.baseline)},
        {"target", goal.target},
        {"unit", goal.unit},
        {"target_date", goal.target_date ? nlohmann::json(*goal.target_date) : nullptr},
        {"actual", OptionalNumber(goal.actual)},
    });
    nlohmann::json& item = array.back();
    if (goal.actual_at) item["actual_at"] = TimeText(*goal.actual_at);
    if (goal.owner) item["owner"] = *goal.owner;
    if (goal.check_in_every) item["check_in_every"] = goal.check_in_every->count();
    if (goal.check_in_before_close) {
      item["check_in_before_close"] = goal.check_in_before_close->count();
    }
  }
  return array.dump();
}

std::optional<double> GetOptionalNumber(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return it->get<double>();
}

std::vector<Goal> GoalsFromJson(const std::string& text) {
  std::vector<Goal> goals;
  try {
    for (const nlohmann::json& item : nlohmann::json::parse(text)) {
      Goal goal;
      goal.metric = item.at("metric").get<std::string>();
      goal.baseline = GetOptionalNumber(item, "baseline");
      goal.target = item.at("target").get<double>();
      goal.unit = item.at("unit").get<std::string>();
      if (auto it = item.find("target_date"); it != item.end() && !it->is_null()) {
        goal.target_date = it->get<std::string>();
      }
      goal.actual = GetOptionalNumber(item, "actual");
      if (auto it = item.find("actual_at"); it != item.end()) {
        std::optional<Instant> at = ParseStorageTime(it->get<std::string>());
        if (!at) ThrowCorrupt("goals", text);
        goal.actual_at = *at;
      }
      if (auto it = item.find("owner"); it != item.end()) goal.owner = it->get<std::string>();
      if (auto it = item.find("check_in_every"); it != item.end()) {
        goal.check_in_every = std::chrono::seconds(it->get<std::int64_t>());
      }
      if (auto it = item.find("check_in_before_close"); it != item.end()) {
        goal.check_in_before_close = std::chrono::seconds(it->get<std::int64_t>());
      }
      goals.push_back(std::move(goal));
    }
  } catch (const nlohmann::json::exception&) {
    ThrowCorrupt("goals", text);
  }
  return goals;
}

Plan ReadPlan(const Statement& s) {
  Plan plan;
  plan.id = s.ColumnInt64(0);
  plan.title = s.ColumnText(1);
  plan.description = s.ColumnText(2);
  plan.kind = s.ColumnText(3);
  plan.owner = s.ColumnText(4);
  plan.team = s.ColumnText(5);
  plan.state = ColumnPlanState(s, 6);
  plan.allow_self_verification = s.ColumnInt64(7) != 0;
  plan.goals = GoalsFromJson(s.ColumnText(8));
  plan.version = s.ColumnInt64(9);
  plan.created_at = ColumnInstant(s, 10);
  plan.updated_at = ColumnInstant(s, 11);
  plan.reminder_policy = s.ColumnOptionalText(12);
  plan.template_id = s.ColumnOptionalText(13);
  plan.closes_at = ColumnOptionalInstant(s, 14);
  plan.closed_at = ColumnOptionalInstant(s, 15);
  return plan;
}

// Binds every plan column but id to parameters 1..15.
void BindPlanFields(Statement& s, const Plan& plan) {
  s.BindText(1, plan.title)
      .BindText(2, plan.description)
      .BindText(3, plan.kind)
      .BindText(4, plan.owner)
      .BindText(5, plan.team)
      .BindText(6, ToString(plan.state))
      .BindInt64(7, plan.allow_self_verification ? 1 : 0)
      .BindText(8, GoalsToJson(plan.goals))
      .BindInt64(9, plan.version)
      .BindText(10, TimeText(plan.created_at))
      .BindText(11, TimeText(plan.updated_at))
      .BindOptionalText(12, plan.reminder_policy)
      .BindOptionalText(13, plan.template_id);
  BindOptionalInstant(s, 14, plan.closes_at);
  BindOptionalInstant(s, 15, plan.closed_at);
}

Task ReadTask(const Statement& s) {
  Task task;
  task.id = s.ColumnInt64(0);
  task.plan_id = s.ColumnInt64(1);
  task.key = s.ColumnOptionalText(2);
  task.title = s.ColumnText(3);
  task.description = s.ColumnText(4);
  task.owner = s.ColumnText(5);
  task.due_at = ColumnInstant(s, 6);
  task.criterion = s.ColumnText(7);
  task.state = ColumnTaskState(s, 8);
  task.version = s.ColumnInt64(9);
  task.created_at = ColumnInstant(s, 10);
  task.updated_at = ColumnInstant(s, 11);
  task.completed_at = ColumnOptionalInstant(s, 12);
  task.reminder_policy = s.ColumnOptionalText(13);
  if (!s.IsNull(14)) task.carried_from = s.ColumnInt64(14);
  task.carry_count = static_cast<int>(s.ColumnInt64(15));
  return task;
}

// Binds every task column but id to parameters 1..15.
void BindTaskFields(Statement& s, const Task& task) {
  s.BindInt64(1, task.plan_id)
      .BindOptionalText(2, task.key)
      .BindText(3, task.title)
      .BindText(4, task.description)
      .BindText(5, task.owner)
      .BindText(6, TimeText(task.due_at))
      .BindText(7, task.criterion)
      .BindText(8, ToString(task.state))
      .BindInt64(9, task.version)
      .BindText(10, TimeText(task.created_at))
      .BindText(11, TimeText(task.updated_at))
      .BindOptionalText(13, task.reminder_policy)
      .BindInt64(15, task.carry_count);
  BindOptionalInstant(s, 12, task.completed_at);
  if (task.carried_from) {
    s.BindInt64(14, *task.carried_from);
  } else {
    s.BindNull(14);
  }
}

TaskBrief ReadBrief(const Statement& s) {
  TaskBrief brief;
  brief.id = s.ColumnInt64(0);
  brief.plan_id = s.ColumnInt64(1);
  brief.title = s.ColumnText(2);
  brief.due_at = ColumnInstant(s, 3);
  brief.state = ColumnTaskState(s, 4);
  return brief;
}

template <typename State, typename Range>
std::map<State, int> ZeroCounts(const Range& states) {
  std::map<State, int> counts;
  for (State state : states) counts[state] = 0;
  return counts;
}

}  // namespace

SqlitePlanRepository::SqlitePlanRepository(internal::Connection& connection)
    : connection_(connection),
      statements_(std::make_unique<internal::StatementCache>(connection)) {}

SqlitePlanRepository::~SqlitePlanRepository() = default;

std::size_t SqlitePlanRepository::prepared_statements() const { return statements_->size(); }

CachedStatement SqlitePlanRepository::Prepared(std::string_view sql) {
  return statements_->Get(sql);
}

// Makes a write of several statements (a task and its dependency rows) all-or-nothing on its
// own, as the port promises: a refused dependency must not leave the task row behind in the
// caller's still-open transaction.
class SqlitePlanRepository::Savepoint {
 public:
  explicit Savepoint(SqlitePlanRepository& repository) : repository_(repository) {
    repository_.Prepared("SAVEPOINT repository_write")->Run();
  }
  ~Savepoint() {
    if (released_) return;
    try {
      repository_.Prepared("ROLLBACK TO repository_write")->Run();
      repository_.Prepared("RELEASE repository_write")->Run();
    } catch (...) {
      // A destructor must not throw; the connection is already failing and the error that is
      // propagating says why. The enclosing transaction's rollback still undoes everything.
    }
  }
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

  void Release() {
    repository_.Prepared("RELEASE repository_write")->Run();
    released_ = true;
  }

 private:
  SqlitePlanRepository& repository_;
  bool released_ = false;
};

std::optional<Plan> SqlitePlanRepository::FindPlan(PlanId id) {
  static const std::string kSql =
      "SELECT " + std::string(kPlanColumns) + " FROM plans WHERE id = ?1";
  CachedStatement s = Prepared(kSql);
  s->BindInt64(1, id);
  if (!s->Step()) return std::nullopt;
  return ReadPlan(*s);
}

void SqlitePlanRepository::LoadDependencies(Task& task) {
  CachedStatement s =
      Prepared("SELECT depends_on FROM task_dependencies WHERE task_id = ?1 ORDER BY depends_on");
  s->BindInt64(1, task.id);
  task.depends_on.clear();
  while (s->Step()) task.depends_on.push_back(s->ColumnInt64(0));
}

void SqlitePlanRepository::StoreDependencies(const Task& task) {
  {
    CachedStatement clear = Prepared("DELETE FROM task_dependencies WHERE task_id = ?1");
    clear->BindInt64(1, task.id);
    clear->Run();
  }
  // OR IGNORE: a dependency listed twice is one dependency; depends_on reads back sorted and
  // without repeats.
  CachedStatement insert =
      Prepared("INSERT OR IGNORE INTO task_dependencies (task_id, depends_on) VALUES (?1, ?2)");
  for (TaskId dependency : task.depends_on) {
    insert->BindInt64(1, task.id).BindInt64(2, dependency);
    insert->Run();
    insert->Reset();
  }
}

std::optional<Task> SqlitePlanRepository::FindTask(TaskId id) {
  static const std::string kSql =
      "SELECT " + std::string(kTaskColumns) + " FROM tasks WHERE id = ?1";
  std::optional<Task> task;
  {
    CachedStatement s = Prepared(kSql);
    s->BindInt64(1, id);
    if (!s->Step()) return std::nullopt;
    task = ReadTask(*s);
  }
  LoadDependencies(*task);
  return task;
}

std::vector<Task> SqlitePlanRepository::TasksOfPlan(PlanId id) {
  static const std::string kSql =
      "SELECT " + std::string(kTaskColumns) + " FROM tasks WHERE plan_id = ?1 ORDER BY id";
  std::vector<Task> tasks;
  {
    CachedStatement s = Prepared(kSql);
    s->BindInt64(1, id);
    while (s->Step()) tasks.push_back(ReadTask(*s));
  }
  for (Task& task : tasks) LoadDependencies(task);
  return tasks;
}

Page<Plan> SqlitePlanRepository::ListPlans(const PlanFilter& filter) {
  // One statement per combination of filters (at most eight), each prepared once: the planner
  // can then use the index that fits instead of a catch-all "?1 IS NULL OR ..." plan.
  std::string sql = "SELECT " + std::string(kPlanColumns) + " FROM plans WHERE id > ?1";
  if (filter.state) sql += " AND state = ?2";
  if (filter.owner) sql += " AND owner = ?3";
  if (filter.team) sql += " AND team = ?4";
  sql += " ORDER BY id LIMIT ?5";

  const int limit = PageLimit(filter.limit);
  CachedStatement s = Prepared(sql);
  s->BindInt64(1, filter.after.value_or(0));
  if (filter.state) s->BindText(2, ToString(*filter.state));
  if (filter.owner) s->BindText(3, *filter.owner);
  if (filter.team) s->BindText(4, *filter.team);
  s->BindInt64(5, limit + 1);
  return ReadPage<Plan>(*s, limit, ReadPlan);
}

Page<Task> SqlitePlanRepository::ListTasks(const TaskFilter& filter) {
  std::string sql = "SELECT " + std::string(kTaskColumns) + " FROM tasks WHERE id > ?1";
  if (filter.plan) sql += " AND plan_id = ?2";
  if (filter.owner) sql += " AND owner = ?3";
  if (filter.state) sql += " AND state = ?4";
  if (filter.team) sql += " AND plan_id IN (SELECT id FROM plans WHERE team = ?5)";
  if (filter.overdue_only) sql += " AND state IN " + UnfinishedStatesSql() + " AND due_at < ?6";
  if (filter.due_before) sql += " AND due_at < ?7";
  if (filter.due_after) sql += " AND due_at > ?8";
  sql += " ORDER BY id LIMIT ?9";

  const int limit = PageLimit(filter.limit);
  Page<Task> page;
  {
    CachedStatement s = Prepared(sql);
    s->BindInt64(1, filter.after.value_or(0));
    if (filter.plan) s->BindInt64(2, *filter.plan);
    if (filter.owner) s->BindText(3, *filter.owner);
    if (filter.state) s->BindText(4, ToString(*filter.state));
    if (filter.team) s->BindText(5, *filter.team);
    if (filter.overdue_only) s->BindText(6, TimeText(filter.now));
    if (filter.due_before) s->BindText(7, TimeText(*filter.due_before));
    if (filter.due_after) s->BindText(8, TimeText(*filter.due_after));
    s->BindInt64(9, limit + 1);
    page = ReadPage<Task>(*s, limit, ReadTask);
  }
  for (Task& task : page.items) LoadDependencies(task);
  return page;
}

std::vector<TaskEvent> SqlitePlanRepository::EventsOfTask(TaskId id) {
  static const std::string kSql =
      "SELECT " + std::string(kEventColumns) + " FROM task_events WHERE task_id = ?1 ORDER BY id";
  CachedStatement s = Prepared(kSql);
  s->BindInt64(1, id);
  std::vector<TaskEvent> events;
  while (s->Step()) {
    TaskEvent event;
    event.id = s->ColumnInt64(0);
    event.task_id = s->ColumnInt64(1);
    event.plan_id = s->ColumnInt64(2);
    event.at = ColumnInstant(*s, 3);
    event.actor = s->ColumnText(4);
    event.kind = s->ColumnText(5);
    event.from = ColumnOptionalTaskState(*s, 6);
    event.to = ColumnOptionalTaskState(*s, 7);
    event.note = s->ColumnText(8);
    events.push_back(std::move(event));
  }
  return events;
}

PlanProgress SqlitePlanRepository::ProgressOf(PlanId id, Instant now) {
  static const std::string kSql = "SELECT state, count(*), sum(state IN " + UnfinishedStatesSql() +
                                  " AND due_at < ?2) FROM tasks WHERE plan_id = ?1 GROUP BY state";
  PlanProgress progress;
  progress.tasks_by_state = ZeroCounts<TaskState>(kAllTaskStates);
  CachedStatement s = Prepared(kSql);
  s->BindInt64(1, id).BindText(2, TimeText(now));
  while (s->Step()) {
    const int count = static_cast<int>(s->ColumnInt64(1));
    progress.tasks_by_state[ColumnTaskState(*s, 0)] = count;
    progress.total += count;
    progress.overdue += static_cast<int>(s->ColumnInt64(2));
  }
  return progress;
}

Summary SqlitePlanRepository::Summarize(const SummaryFilter& filter, Instant now) {
  // The same task conditions for every part of the summary; parameters ?1 and ?2 are the
  // filter, ?3 is now and ?4 the end of the due-soon window.
  std::string where = " WHERE 1";
  if (filter.team) where += " AND plan_id IN (SELECT id FROM plans WHERE team = ?1)";
  if (filter.owner) where += " AND owner = ?2";
  auto bind_filter = [&filter](Statement& s) {
    if (filter.team) s.BindText(1, *filter.team);
    if (filter.owner) s.BindText(2, *filter.owner);
  };
  const std::string now_text = TimeText(now);

  Summary summary;
  summary.tasks_by_state = ZeroCounts<TaskState>(kAllTaskStates);
  summary.plans_by_state = ZeroCounts<PlanState>(std::initializer_list<PlanState>{
      PlanState::kActive, PlanState::kCompleted, PlanState::kCancelled});
  {
    CachedStatement s = Prepared("SELECT state, count(*) FROM tasks" + where + " GROUP BY state");
    bind_filter(*s);
    while (s->Step()) {
      summary.tasks_by_state[ColumnTaskState(*s, 0)] = static_cast<int>(s->ColumnInt64(1));
    }
  }
  {
    std::string plan_where = " WHERE 1";
    if (filter.team) plan_where += " AND team = ?1";
    CachedStatement s =
        Prepared("SELECT state, count(*) FROM plans" + plan_where + " GROUP BY state");
    if (filter.team) s->BindText(1, *filter.team);
    while (s->Step()) {
      summary.plans_by_state[ColumnPlanState(*s, 0)] = static_cast<int>(s->ColumnInt64(1));
    }
  }
  {
    CachedStatement s = Prepared("SELECT id, plan_id, title, due_at, state, owner FROM tasks" +
                                 where + " AND state IN " + UnfinishedStatesSql() +
                                 " AND due_at < ?3 ORDER BY owner, due_at, id");
    bind_filter(*s);
    s->BindText(3, now_text);
    while (s->Step()) {
      std::string owner = s->ColumnText(5);
      if (summary.overdue_by_owner.empty() || summary.overdue_by_owner.back().owner != owner) {
        summary.overdue_by_owner.push_back({std::move(owner), {}});
      }
      summary.overdue_by_owner.back().tasks.push_back(ReadBrief(*s));
      ++summary.overdue;
    }
    // Rows arrive grouped by owner; the worst offenders go first, owners alphabetically on a tie.
    std::stable_sort(summary.overdue_by_owner.begin(), summary.overdue_by_owner.end(),
                     [](const OwnerOverdue& a, const OwnerOverdue& b) {
                       return a.tasks.size() > b.tasks.size();
                     });
  }
  {
    CachedStatement s =
        Prepared("SELECT id, plan_id, title, due_at, state FROM tasks" + where + " AND state IN " +
                 UnfinishedStatesSql() + " AND due_at >= ?3 AND due_at < ?4 ORDER BY due_at, id");
    bind_filter(*s);
    s->BindText(3, now_text).BindText(4, TimeText(now + kDueSoonWindow));
    while (s->Step()) summary.due_soon.push_back(ReadBrief(*s));
  }
  return summary;
}

PlanId SqlitePlanRepository::InsertPlan(const Plan& plan) {
  CachedStatement s = Prepared(
      "INSERT INTO plans (title, description, kind, owner, team, state, allow_self_verification, "
      "goals, version, created_at, updated_at, reminder_policy, template, closes_at, closed_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
  BindPlanFields(*s, plan);
  s->Run();
  return connection_.LastInsertRowId();
}

void SqlitePlanRepository::UpdatePlan(const Plan& plan) {
  CachedStatement s = Prepared(
      "UPDATE plans SET title = ?1, description = ?2, kind = ?3, owner = ?4, team = ?5, "
      "state = ?6, allow_self_verification = ?7, goals = ?8, version = ?9, created_at = ?10, "
      "updated_at = ?11, reminder_policy = ?12, template = ?13, closes_at = ?14, closed_at = ?15 "
      "WHERE id = ?16");
  BindPlanFields(*s, plan);
  s->BindInt64(16, plan.id);
  s->Run();
  if (connection_.Changes() == 0) {
    throw StorageError("UpdatePlan: no plan " + std::to_string(plan.id));
  }
}

TaskId SqlitePlanRepository::InsertTask(const Task& task) {
  Savepoint savepoint(*this);
  {
    CachedStatement s = Prepared(
        "INSERT INTO tasks (plan_id, key, title, description, owner, due_at, criterion, state, "
        "version, created_at, updated_at, completed_at, reminder_policy, carried_from, carry_count) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
    BindTaskFields(*s, task);
    s->Run();
  }
  Task stored = task;
  stored.id = connection_.LastInsertRowId();
  StoreDependencies(stored);
  savepoint.Release();
  return stored.id;
}

void SqlitePlanRepository::UpdateTask(const Task& task) {
  Savepoint savepoint(*this);
  {
    CachedStatement s = Prepared(
        "UPDATE tasks SET plan_id = ?1, key = ?2, title = ?3, description = ?4, owner = ?5, "
        "due_at = ?6, criterion = ?7, state = ?8, version = ?9, created_at = ?10, "
        "updated_at = ?11, completed_at = ?12, reminder_policy = ?13, carried_from = ?14, "
        "carry_count = ?15 WHERE id = ?16");
    BindTaskFields(*s, task);
    s->BindInt64(16, task.id);
    s->Run();
  }
  if (connection_.Changes() == 0) {
    throw StorageError("UpdateTask: no task " + std::to_string(task.id));
  }
  StoreDependencies(task);
  savepoint.Release();
}

std::int64_t SqlitePlanRepository::AppendEvent(const TaskEvent& event) {
  CachedStatement s = Prepared(
      "INSERT INTO task_events (task_id, plan_id, at, actor, kind, from_state, to_state, note) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  s->BindInt64(1, event.task_id)
      .BindInt64(2, event.plan_id)
      .BindText(3, TimeText(event.at))
      .BindText(4, event.actor)
      .BindText(5, event.kind);
  if (event.from) {
    s->BindText(6, ToString(*event.from));
  } else {
    s->BindNull(6);
  }
  if (event.to) {
    s->BindText(7, ToString(*event.to));
  } else {
    s->BindNull(7);
  }
  s->BindText(8, event.note);
  s->Run();
  return connection_.LastInsertRowId();
}

}  // namespace kaizen::storage
