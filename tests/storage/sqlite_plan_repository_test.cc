// SqlitePlanRepository through Storage: every field survives a round trip, and the queries
// filter, page, count and summarise as workflow/repository.h promises.
#include "storage/sqlite_plan_repository.h"

#include <gtest/gtest.h>

#include <functional>

#include "storage/internal/sqlite.h"
#include "storage/storage.h"
#include "tests/storage/storage_test_util.h"

namespace kaizen::storage {
namespace {

using testutil::At;
using testutil::OpenStorage;
using testutil::OptionsFor;
using testutil::SamplePlan;
using testutil::SampleTask;
using testutil::TempDir;
using testutil::ToJson;

std::vector<std::int64_t> Ids(const auto& items) {
  std::vector<std::int64_t> ids;
  for (const auto& item : items) ids.push_back(item.id);
  return ids;
}

class SqlitePlanRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = OpenStorage(OptionsFor(dir_.File("kaizen.db")));
    ASSERT_NE(storage_, nullptr);
  }

  // Runs `fn` in one write transaction and fails the test unless it commits.
  void Write(const std::function<void(PlanRepository&)>& fn) {
    Status status = storage_->WriteSync([&fn](PlanRepository& repo) {
      fn(repo);
      return Status::Ok();
    });
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  // Runs `fn` on a reader connection and returns its answer.
  template <typename F>
  auto Read(F fn) {
    std::optional<std::invoke_result_t<F, PlanReader&>> out;
    Status status = storage_->ReadSync([&](PlanReader& repo) {
      out.emplace(fn(repo));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return std::move(out).value();
  }

  PlanId AddPlan(Plan plan) {
    PlanId id = 0;
    Write([&](PlanRepository& repo) { id = repo.InsertPlan(plan); });
    return id;
  }

  TaskId AddTask(Task task) {
    TaskId id = 0;
    Write([&](PlanRepository& repo) { id = repo.InsertTask(task); });
    return id;
  }

  TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

TEST_F(SqlitePlanRepositoryTest, RoundTripsEveryPlanField) {
  Plan plan = SamplePlan();
  plan.state = PlanState::kCompleted;
  plan.id = AddPlan(plan);
  EXPECT_EQ(plan.id, 1);

  std::optional<Plan> stored = Read([&](PlanReader& repo) { return repo.FindPlan(plan.id); });
  EXPECT_EQ(ToJson(stored), ToJson(plan));
  EXPECT_TRUE(stored == plan);

  plan.title = "Lower complaint rate";
  plan.description = "";
  plan.kind = "self_check";
  plan.owner = "boss";
  plan.team = "cs";
  plan.state = PlanState::kCancelled;
  plan.allow_self_verification = false;
  plan.goals = {Goal{"tickets", 1.0 / 3.0, -2.5e-7, "", "2027-01-01", 123456789.125, {}, {}, {}, {}}};
  plan.version = 4;
  plan.updated_at = At("2026-12-01T00:00:00.001Z");
  Write([&](PlanRepository& repo) { repo.UpdatePlan(plan); });

  stored = Read([&](PlanReader& repo) { return repo.FindPlan(plan.id); });
  EXPECT_EQ(ToJson(stored), ToJson(plan));
  EXPECT_TRUE(stored == plan);
  EXPECT_FALSE(Read([](PlanReader& repo) { return repo.FindPlan(2); }).has_value());
}

TEST_F(SqlitePlanRepositoryTest, RoundTripsEveryTaskFieldWithSortedDependencies) {
  PlanId plan = AddPlan(SamplePlan());
  Task first = SampleTask(plan, "collect data");
  first.id = AddTask(first);
  Task second = SampleTask(plan, "analyse");
  second.id = AddTask(second);

  Task task = SampleTask(plan);
  task.key = "survey";
  task.description = "客户反馈 summary";
  task.state = TaskState::kDone;
  task.version = 5;
  task.completed_at = At("2026-12-04T17:45:12.345Z");
  task.depends_on = {second.id, first.id, second.id};
  task.id = AddTask(task);

  std::optional<Task> stored = Read([&](PlanReader& repo) { return repo.FindTask(task.id); });
  task.depends_on = {first.id, second.id};
  EXPECT_EQ(ToJson(stored), ToJson(task));
  EXPECT_TRUE(stored == task);

  std::optional<Task> plain = Read([&](PlanReader& repo) { return repo.FindTask(first.id); });
  ASSERT_TRUE(plain.has_value());
  EXPECT_FALSE(plain->key.has_value());
  EXPECT_FALSE(plain->completed_at.has_value());
  EXPECT_TRUE(plain->depends_on.empty());

  std::vector<Task> of_plan = Read([&](PlanReader& repo) { return repo.TasksOfPlan(plan); });
  EXPECT_EQ(Ids(of_plan), (std::vector<std::int64_t>{first.id, second.id, task.id}));
  EXPECT_EQ(ToJson(of_plan[2]), ToJson(task));
}

TEST_F(SqlitePlanRepositoryTest, UpdateTaskOverwritesFieldsAndReplacesDependencies) {
  PlanId plan = AddPlan(SamplePlan());
  TaskId a = AddTask(SampleTask(plan, "a"));
  TaskId b = AddTask(SampleTask(plan, "b"));
  Task task = SampleTask(plan, "c");
  task.depends_on = {a};
  task.id = AddTask(task);

  task.key = "c";
  task.title = "c, renamed";
  task.owner = "zhang.san";
  task.due_at = At("2027-01-10T00:00:00Z");
  task.criterion = "";
  task.state = TaskState::kBlocked;
  task.version = 2;
  task.updated_at = At("2026-11-30T00:00:00Z");
  task.depends_on = {b};
  Write([&](PlanRepository& repo) { repo.UpdateTask(task); });
  EXPECT_EQ(ToJson(Read([&](PlanReader& repo) { return repo.FindTask(task.id); })), ToJson(task));

  task.key.reset();
  task.depends_on.clear();
  Write([&](PlanRepository& repo) { repo.UpdateTask(task); });
  EXPECT_EQ(ToJson(Read([&](PlanReader& repo) { return repo.FindTask(task.id); })), ToJson(task));
}

TEST_F(SqlitePlanRepositoryTest, RefusedWritesThrowAndChangeNothingInsideTheTransaction) {
  std::vector<std::string> refused;
  Write([&](PlanRepository& repo) {
    PlanId plan = repo.InsertPlan(SamplePlan());
    auto expect_refused = [&refused](const char* what, const std::function<void()>& write) {
      try {
        write();
      } catch (const StorageError&) {
        refused.push_back(what);
      }
    };
    Plan unknown_plan = SamplePlan();
    unknown_plan.id = 99;
    expect_refused("update unknown plan", [&] { repo.UpdatePlan(unknown_plan); });
    Task bad_dependency = SampleTask(plan);
    bad_dependency.depends_on = {999};
    expect_refused("unknown dependency", [&] { repo.InsertTask(bad_dependency); });
    expect_refused("unknown plan", [&] { repo.InsertTask(SampleTask(77)); });
    Task unknown_task = SampleTask(plan);
    unknown_task.id = 55;
    expect_refused("update unknown task", [&] { repo.UpdateTask(unknown_task); });
    TaskEvent orphan = testutil::SampleEvent(/*task_id=*/55, plan, "created");
    expect_refused("event of unknown task", [&] { repo.AppendEvent(orphan); });

    // The refused insert left neither its task row nor its id behind.
    EXPECT_EQ(repo.InsertTask(SampleTask(plan)), 1);
    EXPECT_EQ(repo.TasksOfPlan(plan).size(), 1u);
  });
  EXPECT_EQ(refused.size(), 5u);
  std::vector<Task> tasks = Read([](PlanReader& repo) { return repo.TasksOfPlan(1); });
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_TRUE(tasks[0].depends_on.empty());
}

TEST_F(SqlitePlanRepositoryTest, KeysAreUniqueWithinAPlanOnly) {
  PlanId plan = AddPlan(SamplePlan());
  PlanId other = AddPlan(SamplePlan());
  Task keyed = SampleTask(plan);
  keyed.key = "survey";
  AddTask(keyed);
  AddTask(SampleTask(plan));
  AddTask(SampleTask(plan));  // any number of tasks without a key

  Status duplicate = storage_->WriteSync([&](PlanRepository& repo) {
    repo.InsertTask(keyed);
    return Status::Ok();
  });
  EXPECT_EQ(duplicate.reason(), "storage_unavailable");
  EXPECT_NE(duplicate.message().find("UNIQUE"), std::string::npos) << duplicate.message();

  keyed.plan_id = other;
  AddTask(keyed);
  EXPECT_EQ(Read([&](PlanReader& repo) { return repo.TasksOfPlan(plan); }).size(), 3u);
}

TEST_F(SqlitePlanRepositoryTest, KeepsEachTasksHistoryInOrder) {
  PlanId plan = AddPlan(SamplePlan());
  TaskId a = AddTask(SampleTask(plan, "a"));
  TaskId b = AddTask(SampleTask(plan, "b"));
  std::vector<TaskEvent> of_a = {
      testutil::SampleEvent(a, plan, "created"),
      testutil::SampleEvent(a, plan, "transition", TaskState::kOpen, TaskState::kInProgress,
                            "started, 开始"),
      testutil::SampleEvent(a, plan, "rejected", TaskState::kInProgress, std::nullopt, "no"),
  };
  of_a[0].at = At("2026-11-25T01:00:00Z");
  of_a[0].actor = "li.lei";
  of_a[2].at = At("2026-11-26T03:00:00.001Z");
  Write([&](PlanRepository& repo) {
    of_a[0].id = repo.AppendEvent(of_a[0]);
    EXPECT_EQ(repo.AppendEvent(testutil::SampleEvent(b, plan, "created")), 2);
    of_a[1].id = repo.AppendEvent(of_a[1]);
    of_a[2].id = repo.AppendEvent(of_a[2]);
  });
  EXPECT_EQ(of_a[0].id, 1);
  EXPECT_EQ(of_a[2].id, 4);
  std::vector<TaskEvent> stored = Read([&](PlanReader& repo) { return repo.EventsOfTask(a); });
  EXPECT_EQ(ToJson(stored), ToJson(of_a));
  EXPECT_TRUE(stored == of_a);
  EXPECT_TRUE(Read([](PlanReader& repo) { return repo.EventsOfTask(99); }).empty());
}

TEST_F(SqlitePlanRepositoryTest, ListPlansCombinesFiltersWithAnd) {
  struct Row {
    const char* owner;
    const char* team;
    PlanState state;
  };
  for (Row row :
       {Row{"li.lei", "ops", PlanState::kActive}, Row{"li.lei", "cs", PlanState::kActive},
        Row{"boss", "ops", PlanState::kCompleted}, Row{"li.lei", "ops", PlanState::kCancelled},
        Row{"boss", "ops", PlanState::kActive}}) {
    Plan plan = SamplePlan();
    plan.owner = row.owner;
    plan.team = row.team;
    plan.state = row.state;
    AddPlan(plan);
  }
  auto ids = [&](std::optional<PlanState> state, std::optional<PersonId> owner,
                 std::optional<std::string> team, std::optional<PlanId> after = std::nullopt) {
    PlanFilter filter;
    filter.state = state;
    filter.owner = owner;
    filter.team = team;
    filter.after = after;
    return Ids(Read([&](PlanReader& repo) { return repo.ListPlans(filter); }).items);
  };
  using V = std::vector<std::int64_t>;
  const auto any = std::nullopt;
  EXPECT_EQ(ids(any, any, any), (V{1, 2, 3, 4, 5}));
  EXPECT_EQ(ids(PlanState::kActive, any, any), (V{1, 2, 5}));
  EXPECT_EQ(ids(any, "li.lei", any), (V{1, 2, 4}));
  EXPECT_EQ(ids(any, any, "ops"), (V{1, 3, 4, 5}));
  EXPECT_EQ(ids(PlanState::kActive, "li.lei", "ops"), (V{1}));
  EXPECT_EQ(ids(any, "nobody", any), V{});
  EXPECT_EQ(ids(any, any, "ops", 3), (V{4, 5}));
}

TEST_F(SqlitePlanRepositoryTest, PagesWalkEveryPlanOnceAndTheLastPageHasNoCursor) {
  for (int i = 0; i < 7; ++i) AddPlan(SamplePlan("plan " + std::to_string(i)));
  auto page = [&](int limit, std::optional<PlanId> after = std::nullopt) {
    PlanFilter filter;
    filter.limit = limit;
    filter.after = after;
    return Read([&](PlanReader& repo) { return repo.ListPlans(filter); });
  };
  using V = std::vector<std::int64_t>;

  Page<Plan> first = page(3);
  EXPECT_EQ(Ids(first.items), (V{1, 2, 3}));
  EXPECT_EQ(first.next_after, 3);
  Page<Plan> second = page(3, first.next_after);
  EXPECT_EQ(Ids(second.items), (V{4, 5, 6}));
  EXPECT_EQ(second.next_after, 6);
  Page<Plan> last = page(3, second.next_after);
  EXPECT_EQ(Ids(last.items), (V{7}));
  EXPECT_FALSE(last.next_after.has_value());

  Page<Plan> exactly_full = page(4, 3);
  EXPECT_EQ(Ids(exactly_full.items), (V{4, 5, 6, 7}));
  EXPECT_FALSE(exactly_full.next_after.has_value());

  Page<Plan> clamped_up = page(0);
  EXPECT_EQ(Ids(clamped_up.items), (V{1}));
  EXPECT_EQ(clamped_up.next_after, 1);
  EXPECT_EQ(page(100000).items.size(), 7u);
}

TEST_F(SqlitePlanRepositoryTest, ListTasksFiltersByEveryField) {
  Plan ops = SamplePlan();
  ops.team = "ops";
  Plan cs = SamplePlan();
  cs.team = "cs";
  PlanId ops_id = AddPlan(ops);
  PlanId cs_id = AddPlan(cs);
  const Instant now = At("2026-12-10T00:00:00Z");
  struct Row {
    PlanId plan;
    const char* owner;
    TaskState state;
    const char* due;
  };
  for (Row row : {
           Row{ops_id, "han.meimei", TaskState::kOpen, "2026-12-01T00:00:00Z"},        // 1 overdue
           Row{ops_id, "han.meimei", TaskState::kDone, "2026-12-01T00:00:00Z"},        // 2 done
           Row{ops_id, "zhang.san", TaskState::kBlocked, "2026-12-09T23:59:59.999Z"},  // 3 overdue
           Row{cs_id, "han.meimei", TaskState::kInProgress, "2026-12-10T00:00:00Z"},   // 4 due now
           Row{cs_id, "zhang.san", TaskState::kCancelled, "2026-11-01T00:00:00Z"},     // 5
           Row{cs_id, "han.meimei", TaskState::kOpen, "2026-12-20T00:00:00Z"},         // 6 future
       }) {
    Task task = SampleTask(row.plan);
    task.owner = row.owner;
    task.state = row.state;
    task.due_at = At(row.due);
    AddTask(task);
  }
  auto ids = [&](const std::function<void(TaskFilter&)>& set) {
    TaskFilter filter;
    set(filter);
    return Ids(Read([&](PlanReader& repo) { return repo.ListTasks(filter); }).items);
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(ids([](TaskFilter&) {}), (V{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(ids([&](TaskFilter& f) { f.plan = cs_id; }), (V{4, 5, 6}));
  EXPECT_EQ(ids([](TaskFilter& f) { f.owner = "zhang.san"; }), (V{3, 5}));
  EXPECT_EQ(ids([](TaskFilter& f) { f.state = TaskState::kOpen; }), (V{1, 6}));
  EXPECT_EQ(ids([](TaskFilter& f) { f.team = "ops"; }), (V{1, 2, 3}));
  EXPECT_EQ(ids([&](TaskFilter& f) {
              f.overdue_only = true;
              f.now = now;
            }),
            (V{1, 3}));
  EXPECT_EQ(ids([](TaskFilter& f) { f.due_before = At("2026-12-10T00:00:00Z"); }), (V{1, 2, 3, 5}));
  EXPECT_EQ(ids([](TaskFilter& f) { f.due_after = At("2026-12-10T00:00:00Z"); }), (V{6}));
  EXPECT_EQ(ids([](TaskFilter& f) {
              f.due_before = At("2026-12-20T00:00:00Z");
              f.due_after = At("2026-12-01T00:00:00Z");
            }),
            (V{3, 4}));
  EXPECT_EQ(ids([&](TaskFilter& f) {
              f.owner = "han.meimei";
              f.team = "cs";
              f.overdue_only = true;
              f.now = now;
            }),
            V{});
  EXPECT_EQ(ids([](TaskFilter& f) {
              f.owner = "han.meimei";
              f.limit = 2;
              f.after = 1;
            }),
            (V{2, 4}));

  TaskFilter five;
  five.limit = 5;
  Page<Task> page = Read([&](PlanReader& repo) { return repo.ListTasks(five); });
  EXPECT_EQ(page.next_after, 5);
}

TEST_F(SqlitePlanRepositoryTest, ProgressCountsEveryStateAndTheOverdueTasks) {
  PlanId plan = AddPlan(SamplePlan());
  PlanId other = AddPlan(SamplePlan());
  const Instant now = At("2026-12-10T00:00:00Z");
  for (auto [state, due] : std::vector<std::pair<TaskState, const char*>>{
           {TaskState::kOpen, "2026-12-01T00:00:00Z"},
           {TaskState::kOpen, "2026-12-11T00:00:00Z"},
           {TaskState::kBlocked, "2026-12-09T00:00:00Z"},
           {TaskState::kVerified, "2026-12-01T00:00:00Z"},
       }) {
    Task task = SampleTask(plan);
    task.state = state;
    task.due_at = At(due);
    AddTask(task);
  }
  AddTask(SampleTask(other));

  PlanProgress progress = Read([&](PlanReader& repo) { return repo.ProgressOf(plan, now); });
  EXPECT_EQ(progress.total, 4);
  EXPECT_EQ(progress.overdue, 2);
  EXPECT_EQ(progress.tasks_by_state, (std::map<TaskState, int>{{TaskState::kOpen, 2},
                                                               {TaskState::kInProgress, 0},
                                                               {TaskState::kBlocked, 1},
                                                               {TaskState::kDone, 0},
                                                               {TaskState::kVerified, 1},
                                                               {TaskState::kCancelled, 0}}));

  PlanProgress unknown = Read([&](PlanReader& repo) { return repo.ProgressOf(99, now); });
  EXPECT_EQ(unknown.total, 0);
  EXPECT_EQ(unknown.tasks_by_state.size(), std::size(kAllTaskStates));
}

TEST_F(SqlitePlanRepositoryTest, SummaryRanksOwnersByOverdueTasksAndListsWhatIsDueSoon) {
  Plan ops = SamplePlan();
  ops.team = "ops";
  Plan cs = SamplePlan();
  cs.team = "cs";
  cs.state = PlanState::kCompleted;
  PlanId ops_id = AddPlan(ops);
  PlanId cs_id = AddPlan(cs);
  const Instant now = At("2026-12-10T00:00:00Z");
  struct Row {
    PlanId plan;
    const char* owner;
    TaskState state;
    const char* due;
  };
  for (Row row : {
           Row{ops_id, "zhang.san", TaskState::kOpen, "2026-12-05T00:00:00Z"},        // 1 overdue
           Row{ops_id, "han.meimei", TaskState::kBlocked, "2026-12-08T00:00:00Z"},    // 2 overdue
           Row{cs_id, "han.meimei", TaskState::kOpen, "2026-12-02T00:00:00Z"},        // 3 overdue
           Row{ops_id, "boss", TaskState::kOpen, "2026-12-09T00:00:00Z"},             // 4 overdue
           Row{ops_id, "boss", TaskState::kDone, "2026-12-01T00:00:00Z"},             // 5 finished
           Row{ops_id, "li.lei", TaskState::kOpen, "2026-12-10T00:00:00Z"},           // 6 due now
           Row{cs_id, "li.lei", TaskState::kInProgress, "2026-12-16T23:59:59.999Z"},  // 7 soon
           Row{ops_id, "li.lei", TaskState::kOpen, "2026-12-17T00:00:00Z"},  // 8 after the window
           Row{ops_id, "li.lei", TaskState::kDone, "2026-12-12T00:00:00Z"},  // 9 finished
           Row{ops_id, "han.meimei", TaskState::kOpen, "2026-12-12T00:00:00Z"},  // 10 soon
       }) {
    Task task = SampleTask(row.plan, std::string("task of ") + row.owner);
    task.owner = row.owner;
    task.state = row.state;
    task.due_at = At(row.due);
    AddTask(task);
  }

  Summary all = Read([&](PlanReader& repo) { return repo.Summarize({}, now); });
  EXPECT_EQ(all.overdue, 4);
  ASSERT_EQ(all.overdue_by_owner.size(), 3u);
  EXPECT_EQ(all.overdue_by_owner[0].owner, "han.meimei");
  EXPECT_EQ(Ids(all.overdue_by_owner[0].tasks), (std::vector<std::int64_t>{3, 2}));
  EXPECT_EQ(all.overdue_by_owner[1].owner, "boss");
  EXPECT_EQ(all.overdue_by_owner[2].owner, "zhang.san");
  ASSERT_EQ(Ids(all.due_soon), (std::vector<std::int64_t>{6, 10, 7}));
  EXPECT_EQ(all.due_soon[0].title, "task of li.lei");
  EXPECT_EQ(all.due_soon[0].plan_id, ops_id);
  EXPECT_EQ(all.due_soon[0].due_at, now);
  EXPECT_EQ(all.due_soon[2].state, TaskState::kInProgress);
  EXPECT_EQ(all.tasks_by_state.at(TaskState::kOpen), 6);
  EXPECT_EQ(all.tasks_by_state.at(TaskState::kDone), 2);
  EXPECT_EQ(all.tasks_by_state.at(TaskState::kCancelled), 0);
  EXPECT_EQ(all.plans_by_state,
            (std::map<PlanState, int>{
                {PlanState::kActive, 1}, {PlanState::kCompleted, 1}, {PlanState::kCancelled, 0}}));

  SummaryFilter ops_filter;
  ops_filter.team = "ops";
  Summary ops_only = Read([&](PlanReader& repo) { return repo.Summarize(ops_filter, now); });
  EXPECT_EQ(ops_only.overdue, 3);
  EXPECT_EQ(ops_only.overdue_by_owner[0].owner, "boss");  // one each: by owner id
  EXPECT_EQ(Ids(ops_only.due_soon), (std::vector<std::int64_t>{6, 10}));
  EXPECT_EQ(ops_only.plans_by_state.at(PlanState::kCompleted), 0);

  // The owner filter narrows the tasks but not the plans.
  SummaryFilter mine_filter;
  mine_filter.owner = "li.lei";
  Summary mine = Read([&](PlanReader& repo) { return repo.Summarize(mine_filter, now); });
  EXPECT_EQ(mine.overdue, 0);
  EXPECT_TRUE(mine.overdue_by_owner.empty());
  EXPECT_EQ(Ids(mine.due_soon), (std::vector<std::int64_t>{6, 7}));
  EXPECT_EQ(mine.plans_by_state.at(PlanState::kActive), 1);
  EXPECT_EQ(mine.plans_by_state.at(PlanState::kCompleted), 1);
}

TEST(SqlitePlanRepository, PreparesEachStatementOncePerConnection) {
  TempDir dir;
  const std::string path = dir.File("kaizen.db");
  ASSERT_NE(OpenStorage(OptionsFor(path)), nullptr);  // creates the schema

  internal::Connection connection(path, internal::Connection::Mode::kReadWriteCreate);
  SqlitePlanRepository repo(connection);
  PlanId id = repo.InsertPlan(SamplePlan());
  repo.InsertPlan(SamplePlan());
  repo.FindPlan(id);
  PlanFilter of_owner;
  of_owner.owner = "li.lei";
  repo.ListPlans(of_owner);
  const std::size_t prepared = repo.prepared_statements();

  for (int i = 0; i < 5; ++i) {
    repo.InsertPlan(SamplePlan());
    EXPECT_TRUE(repo.FindPlan(id).has_value());
    of_owner.after = i;
    EXPECT_EQ(repo.ListPlans(of_owner).items.front().id, i + 1);
  }
  EXPECT_EQ(repo.prepared_statements(), prepared);

  PlanFilter active;
  active.state = PlanState::kActive;
  repo.ListPlans(active);  // a new combination of filters
  EXPECT_EQ(repo.prepared_statements(), prepared + 1);
}

}  // namespace
}  // namespace kaizen::storage
