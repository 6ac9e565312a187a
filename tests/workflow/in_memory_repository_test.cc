// The reference model must itself be right before the SQLite store is compared with it.
#include "tests/support/in_memory_repository.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace kaizen {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using testing::InMemoryPlanRepository;

const Instant kNow = testing::FakeClock::kDefaultStart;

TaskEvent EventOf(TaskId task, const std::string& kind) {
  TaskEvent event;
  event.task_id = task;
  event.kind = kind;
  return event;
}

SummaryFilter Only(std::optional<std::string> team, std::optional<PersonId> owner) {
  SummaryFilter filter;
  filter.team = std::move(team);
  filter.owner = std::move(owner);
  return filter;
}

class InMemoryRepository : public ::testing::Test {
 protected:
  PlanId AddPlan(const std::string& owner = "li.lei", const std::string& team = "ops",
                 PlanState state = PlanState::kActive) {
    Plan plan;
    plan.id = 99;  // ignored
    plan.title = "plan";
    plan.owner = owner;
    plan.team = team;
    plan.state = state;
    return repo_.InsertPlan(plan);
  }

  TaskId AddTask(PlanId plan, const std::string& owner, Instant due,
                 TaskState state = TaskState::kOpen, std::vector<TaskId> deps = {}) {
    Task task;
    task.id = 99;  // ignored
    task.plan_id = plan;
    task.title = "task of " + owner;
    task.owner = owner;
    task.due_at = due;
    task.state = state;
    task.depends_on = std::move(deps);
    return repo_.InsertTask(task);
  }

  static std::vector<std::int64_t> Ids(const auto& items) {
    std::vector<std::int64_t> ids;
    for (const auto& item : items) ids.push_back(item.id);
    return ids;
  }

  InMemoryPlanRepository repo_;
};

TEST_F(InMemoryRepository, NumbersRowsInInsertionOrderIgnoringGivenIds) {
  EXPECT_EQ(AddPlan(), 1);
  EXPECT_EQ(AddPlan(), 2);
  EXPECT_EQ(AddTask(2, "a", kNow), 1);
  EXPECT_EQ(AddTask(1, "a", kNow), 2);
  EXPECT_EQ(repo_.FindTask(2)->plan_id, 1);
  EXPECT_EQ(repo_.AppendEvent(EventOf(1, "created")), 1);
  EXPECT_EQ(repo_.AppendEvent(EventOf(2, "created")), 2);
  EXPECT_EQ(repo_.AppendEvent(EventOf(1, "updated")), 3);
  EXPECT_EQ(Ids(repo_.EventsOfTask(1)), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(repo_.FindPlan(3), std::nullopt);
  EXPECT_EQ(repo_.FindTask(3), std::nullopt);
}

TEST_F(InMemoryRepository, StoresDependenciesSortedWithoutDuplicates) {
  const PlanId plan = AddPlan();
  AddTask(plan, "a", kNow);
  AddTask(plan, "a", kNow);
  const TaskId t = AddTask(plan, "a", kNow, TaskState::kOpen, {2, 1, 2});
  EXPECT_EQ(repo_.FindTask(t)->depends_on, (std::vector<TaskId>{1, 2}));
}

TEST_F(InMemoryRepository, RefusesDanglingReferencesAndChangesNothing) {
  const PlanId plan = AddPlan();
  const TaskId task = AddTask(plan, "a", kNow);
  const InMemoryPlanRepository before = repo_;
  EXPECT_THROW(AddTask(42, "a", kNow), StorageError);
  EXPECT_THROW(AddTask(plan, "a", kNow, TaskState::kOpen, {task, 42}), StorageError);
  Task stored = *repo_.FindTask(task);
  stored.id = 42;
  EXPECT_THROW(repo_.UpdateTask(stored), StorageError);
  stored.id = task;
  stored.plan_id = 42;
  EXPECT_THROW(repo_.UpdateTask(stored), StorageError);
  Plan missing;
  missing.id = 42;
  EXPECT_THROW(repo_.UpdatePlan(missing), StorageError);
  EXPECT_THROW(repo_.AppendEvent(EventOf(42, "created")), StorageError);
  EXPECT_TRUE(repo_ == before);
}

TEST_F(InMemoryRepository, PagesPlansByIdWithCursorOnlyWhenMoreFollow) {
  for (int i = 0; i < 5; ++i) AddPlan();
  PlanFilter filter;
  filter.limit = 2;
  Page<Plan> page = repo_.ListPlans(filter);
  EXPECT_EQ(Ids(page.items), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(page.next_after, 2);
  filter.after = page.next_after;
  page = repo_.ListPlans(filter);
  EXPECT_EQ(Ids(page.items), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(page.next_after, 4);
  filter.after = page.next_after;
  page = repo_.ListPlans(filter);
  EXPECT_EQ(Ids(page.items), (std::vector<std::int64_t>{5}));
  EXPECT_EQ(page.next_after, std::nullopt);
}

TEST_F(InMemoryRepository, ExactlyFullLastPageHasNoCursor) {
  for (int i = 0; i < 4; ++i) AddPlan();
  PlanFilter filter;
  filter.limit = 2;
  filter.after = 2;
  const Page<Plan> page = repo_.ListPlans(filter);
  EXPECT_EQ(Ids(page.items), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(page.next_after, std::nullopt);
  filter.after = 4;
  EXPECT_TRUE(repo_.ListPlans(filter).items.empty());
}

TEST_F(InMemoryRepository, ClampsLimit) {
  for (int i = 0; i < kMaxPageSize + 1; ++i) AddPlan();
  PlanFilter filter;
  filter.limit = 0;
  EXPECT_EQ(repo_.ListPlans(filter).items.size(), 1u);
  filter.limit = 100000;
  const Page<Plan> page = repo_.ListPlans(filter);
  EXPECT_EQ(page.items.size(), static_cast<size_t>(kMaxPageSize));
  EXPECT_EQ(page.next_after, kMaxPageSize);
}

TEST_F(InMemoryRepository, FiltersPlans) {
  AddPlan("li.lei", "ops");
  AddPlan("li.lei", "cs", PlanState::kCancelled);
  AddPlan("wang.fang", "ops", PlanState::kCompleted);
  PlanFilter filter;
  filter.owner = "li.lei";
  EXPECT_EQ(Ids(repo_.ListPlans(filter).items), (std::vector<std::int64_t>{1, 2}));
  filter.team = "ops";
  EXPECT_EQ(Ids(repo_.ListPlans(filter).items), (std::vector<std::int64_t>{1}));
  filter = {};
  filter.state = PlanState::kCompleted;
  EXPECT_EQ(Ids(repo_.ListPlans(filter).items), (std::vector<std::int64_t>{3}));
}

TEST_F(InMemoryRepository, FiltersTasks) {
  const PlanId ops = AddPlan("li.lei", "ops");
  const PlanId cs = AddPlan("li.lei", "cs");
  AddTask(ops, "a", kNow - hours{1});                         // 1 overdue
  AddTask(ops, "b", kNow);                                    // 2 due exactly now: not overdue
  AddTask(ops, "a", kNow - hours{1}, TaskState::kDone);       // 3 done: never overdue
  AddTask(cs, "a", kNow + hours{1}, TaskState::kBlocked);     // 4
  AddTask(cs, "b", kNow - hours{2}, TaskState::kInProgress);  // 5 overdue

  TaskFilter filter;
  filter.plan = ops;
  EXPECT_EQ(Ids(repo_.ListTasks(filter).items), (std::vector<std::int64_t>{1, 2, 3}));
  filter = {};
  filter.owner = "a";
  filter.team = "cs";
  EXPECT_EQ(Ids(repo_.ListTasks(filter).items), (std::vector<std::int64_t>{4}));
  filter = {};
  filter.state = TaskState::kDone;
  EXPECT_EQ(Ids(repo_.ListTasks(filter).items), (std::vector<std::int64_t>{3}));
  filter = {};
  filter.overdue_only = true;
  filter.now = kNow;
  EXPECT_EQ(Ids(repo_.ListTasks(filter).items), (std::vector<std::int64_t>{1, 5}));
  filter = {};
  filter.due_before = kNow;  // strict
  EXPECT_EQ(Ids(repo_.ListTasks(filter).items), (std::vector<std::int64_t>{1, 3, 5}));
  filter = {};
  filter.due_after = kNow;  // strict
  EXPECT_EQ(Ids(repo_.ListTasks(filter).items), (std::vector<std::int64_t>{4}));
  filter = {};
  filter.due_after = kNow - hours{2};
  filter.due_before = kNow + hours{1};
  EXPECT_EQ(Ids(repo_.ListTasks(filter).items), (std::vector<std::int64_t>{1, 2, 3}));
}

TEST_F(InMemoryRepository, PaginatesFilteredTasks) {
  const PlanId plan = AddPlan();
  for (int i = 0; i < 6; ++i) AddTask(plan, i % 2 == 0 ? "a" : "b", kNow);
  TaskFilter filter;
  filter.owner = "a";  // tasks 1, 3, 5
  filter.limit = 2;
  Page<Task> page = repo_.ListTasks(filter);
  EXPECT_EQ(Ids(page.items), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(page.next_after, 3);
  filter.after = page.next_after;
  page = repo_.ListTasks(filter);
  EXPECT_EQ(Ids(page.items), (std::vector<std::int64_t>{5}));
  EXPECT_EQ(page.next_after, std::nullopt);
}

TEST_F(InMemoryRepository, ProgressCountsEveryState) {
  const PlanId plan = AddPlan();
  const PlanId other = AddPlan();
  AddTask(plan, "a", kNow - hours{1});
  AddTask(plan, "a", kNow - hours{1}, TaskState::kVerified);
  AddTask(plan, "a", kNow + hours{1}, TaskState::kBlocked);
  AddTask(other, "a", kNow - hours{1});
  const PlanProgress progress = repo_.ProgressOf(plan, kNow);
  EXPECT_EQ(progress.total, 3);
  EXPECT_EQ(progress.overdue, 1);
  EXPECT_EQ(progress.tasks_by_state, (std::map<TaskState, int>{{TaskState::kOpen, 1},
                                                               {TaskState::kInProgress, 0},
                                                               {TaskState::kBlocked, 1},
                                                               {TaskState::kDone, 0},
                                                               {TaskState::kVerified, 1},
                                                               {TaskState::kCancelled, 0}}));
  const PlanProgress none = repo_.ProgressOf(42, kNow);
  EXPECT_EQ(none.total, 0);
  EXPECT_EQ(none.tasks_by_state.size(), 6u);
}

TEST_F(InMemoryRepository, SummaryOrdersOwnersByMostOverdueThenId) {
  const PlanId plan = AddPlan();
  AddTask(plan, "b", kNow - hours{1});  // 1
  AddTask(plan, "b", kNow - hours{5});  // 2
  AddTask(plan, "a", kNow - hours{3});  // 3
  AddTask(plan, "a", kNow - hours{4});  // 4
  AddTask(plan, "c", kNow - hours{1});  // 5
  AddTask(plan, "c", kNow - hours{2});  // 6
  AddTask(plan, "c", kNow - hours{2});  // 7 same due as 6: by id
  AddTask(plan, "d", kNow - hours{9}, TaskState::kDone);
  const Summary summary = repo_.Summarize({}, kNow);
  EXPECT_EQ(summary.overdue, 7);
  ASSERT_EQ(summary.overdue_by_owner.size(), 3u);
  EXPECT_EQ(summary.overdue_by_owner[0].owner, "c");
  EXPECT_EQ(summary.overdue_by_owner[1].owner, "a");
  EXPECT_EQ(summary.overdue_by_owner[2].owner, "b");
  EXPECT_EQ(Ids(summary.overdue_by_owner[0].tasks), (std::vector<std::int64_t>{6, 7, 5}));
  EXPECT_EQ(Ids(summary.overdue_by_owner[1].tasks), (std::vector<std::int64_t>{4, 3}));
  EXPECT_EQ(Ids(summary.overdue_by_owner[2].tasks), (std::vector<std::int64_t>{2, 1}));
  const TaskBrief& brief = summary.overdue_by_owner[2].tasks[0];
  EXPECT_EQ(brief.plan_id, plan);
  EXPECT_EQ(brief.title, "task of b");
  EXPECT_EQ(brief.due_at, kNow - hours{5});
  EXPECT_EQ(brief.state, TaskState::kOpen);
}

TEST_F(InMemoryRepository, DueSoonIsUnfinishedWorkDueInTheNextSevenDays) {
  const PlanId plan = AddPlan();
  const auto week = hours{7 * 24};
  AddTask(plan, "a", kNow + week - milliseconds{1});            // 1 in
  AddTask(plan, "a", kNow);                                     // 2 in: due now, not overdue
  AddTask(plan, "a", kNow + week);                              // 3 out: exactly a week
  AddTask(plan, "a", kNow - milliseconds{1});                   // 4 out: overdue
  AddTask(plan, "a", kNow + hours{1}, TaskState::kDone);        // 5 out: finished
  AddTask(plan, "a", kNow + hours{2}, TaskState::kInProgress);  // 6 in
  const Summary summary = repo_.Summarize({}, kNow);
  EXPECT_EQ(Ids(summary.due_soon), (std::vector<std::int64_t>{2, 6, 1}));
}

TEST_F(InMemoryRepository, SummaryFiltersByTeamAndOwner) {
  const PlanId ops = AddPlan("li.lei", "ops");
  const PlanId cs = AddPlan("li.lei", "cs", PlanState::kCompleted);
  AddTask(ops, "a", kNow - hours{1});
  AddTask(ops, "b", kNow - hours{1});
  AddTask(cs, "a", kNow - hours{1}, TaskState::kVerified);

  Summary summary = repo_.Summarize(Only("ops", std::nullopt), kNow);
  EXPECT_EQ(summary.plans_by_state[PlanState::kActive], 1);
  EXPECT_EQ(summary.plans_by_state[PlanState::kCompleted], 0);
  EXPECT_EQ(summary.plans_by_state.size(), 3u);
  EXPECT_EQ(summary.tasks_by_state[TaskState::kOpen], 2);
  EXPECT_EQ(summary.tasks_by_state[TaskState::kVerified], 0);
  EXPECT_EQ(summary.overdue, 2);

  summary = repo_.Summarize(Only(std::nullopt, "a"), kNow);
  EXPECT_EQ(summary.plans_by_state[PlanState::kActive], 1);  // plans ignore the owner filter
  EXPECT_EQ(summary.plans_by_state[PlanState::kCompleted], 1);
  EXPECT_EQ(summary.tasks_by_state[TaskState::kOpen], 1);
  EXPECT_EQ(summary.tasks_by_state[TaskState::kVerified], 1);
  ASSERT_EQ(summary.overdue_by_owner.size(), 1u);
  EXPECT_EQ(summary.overdue_by_owner[0].owner, "a");
}

}  // namespace
}  // namespace kaizen
