// Reports, closing and carrying over in SQLite (schema v3): the rows of plan_reports, the
// lineage of carried tasks, the chain of cycles, and the same carry-over and close on SQLite as
// on the in-memory reference model.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/internal/sqlite.h"
#include "storage/sqlite_plan_repository.h"
#include "tests/storage/storage_test_util.h"
#include "tests/support/in_memory_repository.h"
#include "tests/support/sample_directory.h"
#include "workflow/carry_over.h"
#include "workflow/plan_report.h"
#include "workflow/plan_service.h"

namespace kaizen::storage {
namespace {

using internal::Connection;
using testutil::At;
using testutil::OpenStorage;
using testutil::OptionsFor;
using testutil::SamplePlan;
using testutil::SampleTask;
using testutil::TempDir;
using testutil::ToJson;

class ReportRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(OpenStorage(OptionsFor(path_)), nullptr);  // creates the schema
    db_ = std::make_unique<Connection>(path_, Connection::Mode::kReadWriteCreate);
    db_->Execute("PRAGMA foreign_keys = ON");  // as Storage opens its connections
    repo_ = std::make_unique<SqlitePlanRepository>(*db_);
  }

  TempDir dir_;
  std::string path_ = dir_.File("kaizen.db");
  std::unique_ptr<Connection> db_;
  std::unique_ptr<SqlitePlanRepository> repo_;
};

TEST_F(ReportRowsTest, StoresOneFrozenReportPerPlan) {
  PlanId plan = repo_->InsertPlan(SamplePlan());
  EXPECT_FALSE(repo_->FindPlanReport(plan).has_value());
  repo_->InsertPlanReport(plan, At("2026-11-30T01:00:00Z"), R"({"plan_id":1})");
  EXPECT_EQ(repo_->FindPlanReport(plan), std::optional<std::string>(R"({"plan_id":1})"));
  EXPECT_EQ(db_->QueryText("SELECT closed_at FROM plan_reports"),
            std::optional<std::string>("2026-11-30T01:00:00.000Z"));
  // Written once: a second report of the same plan is refused, the first kept.
  EXPECT_THROW(repo_->InsertPlanReport(plan, At("2026-12-01T01:00:00Z"), "{}"), StorageError);
  EXPECT_EQ(repo_->FindPlanReport(plan), std::optional<std::string>(R"({"plan_id":1})"));
  EXPECT_THROW(repo_->InsertPlanReport(99, At("2026-12-01T01:00:00Z"), "{}"), StorageError);
}

TEST_F(ReportRowsTest, TasksCarriedFromAPlanInIdOrderThroughTheirIndex) {
  PlanId october = repo_->InsertPlan(SamplePlan("October"));
  PlanId november = repo_->InsertPlan(SamplePlan("November"));
  std::vector<Task> expected;
  for (int i = 0; i < 3; ++i) {
    Task task = SampleTask(november, "task " + std::to_string(i));
    if (i != 1) {
      task.carried_from = october;
      task.carry_count = i + 1;
    }
    task.id = repo_->InsertTask(task);
    if (i != 1) expected.push_back(task);
  }
  EXPECT_EQ(ToJson(repo_->TasksCarriedFrom(october)), ToJson(expected));
  EXPECT_TRUE(repo_->TasksCarriedFrom(november).empty());

  internal::Statement plan(db_->handle(),
                           "EXPLAIN QUERY PLAN SELECT id FROM tasks WHERE carried_from = ?1 "
                           "ORDER BY id");
  std::string steps;
  while (plan.Step()) steps += plan.ColumnText(3) + "; ";
  EXPECT_NE(steps.find("tasks_by_carried_from"), std::string::npos) << steps;
  EXPECT_EQ(steps.find("TEMP B-TREE"), std::string::npos) << steps;
}

TEST_F(ReportRowsTest, FollowsTheChainOfCycles) {
  PlanId first = repo_->InsertPlan(SamplePlan("September"));
  PlanId second = repo_->InsertPlan(SamplePlan("October"));
  PlanId other = repo_->InsertPlan(SamplePlan("Not a cycle"));
  // As the scheduler writes them: the first cycle has no previous one.
  db_->Execute(
      "INSERT INTO cycles (id, schedule_id, nominal_fire, started_at, cause, plan_id, "
      "previous_cycle_id) VALUES (10, 'monthly', '2026-09-01T01:00:00.000Z', "
      "'2026-09-01T01:00:00.000Z', 'schedule', " +
      std::to_string(first) +
      ", NULL), (11, 'monthly', '2026-10-01T01:00:00.000Z', '2026-10-01T01:00:00.000Z', "
      "'schedule', " +
      std::to_string(second) + ", 10)");
  EXPECT_TRUE(repo_->IsCyclePlan(first));
  EXPECT_TRUE(repo_->IsCyclePlan(second));
  EXPECT_FALSE(repo_->IsCyclePlan(other));
  EXPECT_EQ(repo_->PreviousCyclePlanOf(second), std::optional<PlanId>(first));
  EXPECT_FALSE(repo_->PreviousCyclePlanOf(first).has_value());
  EXPECT_FALSE(repo_->PreviousCyclePlanOf(other).has_value());
}

// October's review with four tasks (one done, one in progress depending on it, one blocked,
// one cancelled), November's with a task of the same key as October's in-progress one; the
// unfinished ones are carried into November, then October is closed, twice. Returns what a
// reader sees afterwards, as JSON.
nlohmann::json CarryAndClose(PlanRepository& repo) {
  const Directory directory = testing::SampleDirectory();
  FollowUpSettings settings;
  settings.default_channels = {"ops-chat"};
  auto task = [](std::string key, std::string title, const char* owner, const char* due,
                 std::vector<std::string> deps = {}) {
    NewTask t;
    t.key = std::move(key);
    t.title = std::move(title);
    t.owner = owner;
    t.due_at = At(due);
    t.depends_on_keys = std::move(deps);
    return t;
  };
  NewPlan october;
  october.title = "October review";
  october.owner = testing::kPlanOwner;
  october.team = "ops";
  october.tasks = {
      task("stats", "Data statistics", testing::kTaskOwner, "2026-10-05T01:00:00Z"),
      task("analysis", "Problem analysis", testing::kManager, "2026-10-10T01:00:00Z", {"stats"}),
      task("measures", "Improvement measures", testing::kTaskOwner, "2026-10-15T01:00:00Z"),
      task("feedback", "Customer feedback", testing::kPlanOwner, "2026-10-20T01:00:00Z")};
  auto o = CreatePlan(repo, directory, october, testing::kPlanOwner, At("2026-10-01T01:00:00Z"));
  EXPECT_TRUE(o.ok());
  auto move = [&](TaskId id, TaskState to, const char* actor, const char* at,
                  std::string note = "") {
    auto moved =
        TransitionTask(repo, directory, id, TransitionRequest{to, note, actor, {}}, At(at));
    EXPECT_TRUE(moved.ok()) << moved.status().ToString();
  };
  move(o->tasks[0].id, TaskState::kDone, testing::kTaskOwner, "2026-10-04T01:00:00Z");
  move(o->tasks[1].id, TaskState::kInProgress, testing::kManager, "2026-10-11T01:00:00Z");
  move(o->tasks[2].id, TaskState::kBlocked, testing::kTaskOwner, "2026-10-12T01:00:00Z", "IT");
  move(o->tasks[3].id, TaskState::kCancelled, testing::kPlanOwner, "2026-10-13T01:00:00Z", "no");

  NewPlan november = october;
  november.title = "November review";
  november.tasks = {
      task("analysis", "Problem analysis", testing::kManager, "2026-11-10T01:00:00Z")};
  auto n = CreatePlan(repo, directory, november, testing::kPlanOwner, At("2026-11-02T01:00:00Z"));
  EXPECT_TRUE(n.ok());
  const Instant now = At("2026-11-02T01:00:00Z");
  auto carried = CarryOverTasks(
      repo, directory, o->plan.id, n->plan.id,
      TemplateDeadlineOr(DeadlinesByKey(november), At("2026-12-01T01:00:00Z")), "system", now);
  EXPECT_TRUE(carried.ok());
  auto closed = ClosePlan(repo, settings, directory, o->plan.id, std::nullopt, now);
  auto again =
      ClosePlan(repo, settings, directory, o->plan.id, std::nullopt, At("2026-11-03T01:00:00Z"));
  EXPECT_TRUE(closed.ok() && again.ok());
  EXPECT_TRUE(closed->newly_closed);
  EXPECT_FALSE(again->newly_closed);

  nlohmann::json out;
  out["october"] = ToJson(repo.FindPlan(o->plan.id));
  out["november"] = ToJson(repo.FindPlan(n->plan.id));
  out["november_tasks"] = ToJson(repo.TasksOfPlan(n->plan.id));
  out["carried_from_october"] = ToJson(repo.TasksCarriedFrom(o->plan.id));
  nlohmann::json events = nlohmann::json::array();
  for (const Task& t : repo.TasksOfPlan(n->plan.id))
    events.push_back(ToJson(repo.EventsOfTask(t.id)));
  out["events"] = events;
  out["report"] = nlohmann::json::parse(repo.FindPlanReport(o->plan.id).value_or("null"));
  out["same_answer"] = closed->report == again->report;
  NotificationFilter all;
  all.limit = kMaxPageSize;
  out["notifications"] = ToJson(repo.ListNotifications(all));
  return out;
}

TEST_F(ReportRowsTest, CarryOverAndCloseGiveTheSameAsTheReferenceModel) {
  testing::InMemoryPlanRepository reference;
  nlohmann::json expected = CarryAndClose(reference);
  nlohmann::json actual = CarryAndClose(*repo_);
  EXPECT_EQ(actual, expected);
  // And what the scenario means.
  EXPECT_EQ(actual["november_tasks"].size(), 3u);
  EXPECT_EQ(actual["november_tasks"][0]["key"], "analysis-from-1");
  EXPECT_EQ(actual["report"]["snapshot"]["carried"], 2);
  EXPECT_EQ(actual["report"]["snapshot"]["done"], 1);
  EXPECT_EQ(actual["report"]["snapshot"]["cancelled"], 1);
  EXPECT_EQ(actual["same_answer"], true);
  EXPECT_EQ(actual["notifications"]["items"].size(), 1u);
}

}  // namespace
}  // namespace kaizen::storage
