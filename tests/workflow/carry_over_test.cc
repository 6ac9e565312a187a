#include "workflow/carry_over.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/in_memory_repository.h"
#include "tests/support/sample_directory.h"
#include "workflow/plan_report.h"

namespace kaizen {
namespace {

using testing::kManager;
using testing::kPlanOwner;
using testing::kTaskOwner;

Instant At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  if (!t) ADD_FAILURE() << "bad test time " << rfc3339;
  return t.value_or(Instant{});
}

const Instant kOctober = At("2026-10-01T01:00:00Z");
const Instant kNovember = At("2026-11-02T01:00:00Z");
const Instant kNovemberCloses = At("2026-12-01T01:00:00Z");

NewTask Keyed(std::string key, std::string title, const PersonId& owner, const char* due,
              std::vector<std::string> depends_on_keys = {}) {
  NewTask t;
  t.key = std::move(key);
  t.title = std::move(title);
  t.owner = owner;
  t.due_at = At(due);
  t.depends_on_keys = std::move(depends_on_keys);
  return t;
}

class CarryOverTest : public ::testing::Test {
 protected:
  CarryOverTest() : directory_(testing::SampleDirectory()) {}

  PlanWithTasks Make(const std::string& title, std::vector<NewTask> tasks, Instant at) {
    NewPlan plan;
    plan.title = title;
    plan.kind = std::string(kPlanKindMonthlyReview);
    plan.owner = kPlanOwner;
    plan.team = "ops";
    plan.tasks = std::move(tasks);
    auto created = CreatePlan(repo_, directory_, plan, kPlanOwner, at);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return *created;
  }

  void Move(TaskId id, TaskState to, const PersonId& actor, Instant at, std::string note = "") {
    TransitionRequest request{to, std::move(note), actor, std::nullopt};
    auto moved = TransitionTask(repo_, directory_, id, request, at);
    ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  }

  testing::InMemoryPlanRepository repo_;
  Directory directory_;
};

TEST_F(CarryOverTest, MovesUnfinishedTasksWithOwnerStateAndHistoryAndANewDeadline) {
  PlanWithTasks october =
      Make("October review",
           {Keyed("stats", "Data statistics", kTaskOwner, "2026-10-05T01:00:00Z"),
            Keyed("analysis", "Problem analysis", kManager, "2026-10-10T01:00:00Z"),
            Keyed("measures", "Improvement measures", kTaskOwner, "2026-10-15T01:00:00Z"),
            Keyed("feedback", "Customer feedback", kPlanOwner, "2026-10-20T01:00:00Z")},
           kOctober);
  const TaskId stats = october.tasks[0].id, analysis = october.tasks[1].id,
               measures = october.tasks[2].id, feedback = october.tasks[3].id;
  Move(stats, TaskState::kDone, kTaskOwner, At("2026-10-04T00:00:00Z"));
  Move(analysis, TaskState::kInProgress, kManager, At("2026-10-06T00:00:00Z"));
  Move(measures, TaskState::kBlocked, kTaskOwner, At("2026-10-07T00:00:00Z"), "waiting for IT");
  Move(feedback, TaskState::kCancelled, kPlanOwner, At("2026-10-08T00:00:00Z"), "dropped");
  PlanWithTasks november = Make(
      "November review",
      {Keyed("summary", "Summary and outlook", kPlanOwner, "2026-11-28T01:00:00Z")}, kNovember);
  const Task analysis_before = *repo_.FindTask(analysis);
  const std::size_t history_before = repo_.EventsOfTask(analysis).size();

  // "analysis" is a task of November's template: it gets that deadline; "measures" is not.
  CarryDeadline deadline =
      TemplateDeadlineOr({{"analysis", At("2026-11-12T01:00:00Z")}}, kNovemberCloses);
  auto result = CarryOverTasks(repo_, directory_, october.plan.id, november.plan.id, deadline,
                               "system", kNovember);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->carried.size(), 2u);
  EXPECT_EQ(result->carried[0].task.id, analysis);
  EXPECT_EQ(result->carried[1].task.id, measures);

  const Task moved = *repo_.FindTask(analysis);
  EXPECT_EQ(moved.plan_id, november.plan.id);
  EXPECT_EQ(moved.owner, kManager);
  EXPECT_EQ(moved.state, TaskState::kInProgress);
  EXPECT_EQ(moved.carried_from, std::optional<PlanId>(october.plan.id));
  EXPECT_EQ(moved.carry_count, 1);
  EXPECT_EQ(moved.due_at, At("2026-11-12T01:00:00Z"));
  EXPECT_EQ(moved.version, analysis_before.version + 1);
  EXPECT_EQ(moved.updated_at, kNovember);
  EXPECT_EQ(moved.created_at, analysis_before.created_at);
  EXPECT_EQ(moved.key, std::optional<std::string>("analysis"));
  EXPECT_EQ(result->carried[0].task, moved);
  EXPECT_EQ(repo_.FindTask(measures)->due_at, kNovemberCloses);
  EXPECT_EQ(repo_.FindTask(measures)->state, TaskState::kBlocked);

  // History kept, one "carried" event naming both plans and the deadline change.
  std::vector<TaskEvent> events = repo_.EventsOfTask(analysis);
  ASSERT_EQ(events.size(), history_before + 1);
  const TaskEvent& carried = events.back();
  EXPECT_EQ(carried.kind, kEventCarried);
  EXPECT_EQ(carried.plan_id, november.plan.id);
  EXPECT_EQ(carried.actor, "system");
  EXPECT_EQ(carried.at, kNovember);
  EXPECT_EQ(carried.note,
            "carried over from plan " + std::to_string(october.plan.id) +
                " \"October review\" to plan " + std::to_string(november.plan.id) +
                " \"November review\"; due_at: 2026-10-10T01:00:00Z -> 2026-11-12T01:00:00Z");

  // Finished and cancelled tasks stay where they were; October is now all done or cancelled.
  EXPECT_EQ(repo_.FindTask(stats)->plan_id, october.plan.id);
  EXPECT_EQ(repo_.FindTask(feedback)->plan_id, october.plan.id);
  EXPECT_EQ(repo_.TasksOfPlan(november.plan.id).size(), 3u);
  EXPECT_EQ(repo_.TasksCarriedFrom(october.plan.id).size(), 2u);
}

TEST_F(CarryOverTest, AKeyTakenInTheNewPlanGetsASuffixNamingTheOldPlan) {
  PlanWithTasks october =
      Make("October review",
           {Keyed("stats", "Data statistics", kTaskOwner, "2026-10-05T01:00:00Z")}, kOctober);
  // November's template made "stats" again, and someone already added "stats-from-<october>".
  const std::string suffixed = "stats-from-" + std::to_string(october.plan.id);
  PlanWithTasks november =
      Make("November review",
           {Keyed("stats", "Data statistics", kTaskOwner, "2026-11-05T01:00:00Z"),
            Keyed(suffixed, "Old statistics", kTaskOwner, "2026-11-05T01:00:00Z")},
           kNovember);
  auto result = CarryOverTasks(repo_, directory_, october.plan.id, november.plan.id,
                               TemplateDeadlineOr(DeadlinesByKey(NewPlan{}), kNovemberCloses),
                               kPlanOwner, kNovember);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->carried.size(), 1u);
  EXPECT_EQ(result->carried[0].key_before, std::optional<std::string>("stats"));
  EXPECT_EQ(result->carried[0].task.key, std::optional<std::string>(suffixed + "-2"));
  EXPECT_EQ(repo_.FindTask(october.tasks[0].id)->key, std::optional<std::string>(suffixed + "-2"));
  const std::string note = repo_.EventsOfTask(october.tasks[0].id).back().note;
  EXPECT_NE(note.find("key: stats -> " + suffixed + "-2 (stats is taken in plan"),
            std::string::npos)
      << note;
}

TEST_F(CarryOverTest, KeepsDependenciesOnTasksThatMoveAndDropsThoseOnTasksLeftBehind) {
  PlanWithTasks october =
      Make("October review",
           {Keyed("stats", "Data statistics", kTaskOwner, "2026-10-05T01:00:00Z"),
            Keyed("analysis", "Problem analysis", kManager, "2026-10-10T01:00:00Z", {"stats"}),
            Keyed("measures", "Improvement measures", kTaskOwner, "2026-10-15T01:00:00Z",
                  {"stats", "analysis"})},
           kOctober);
  const TaskId stats = october.tasks[0].id, analysis = october.tasks[1].id,
               measures = october.tasks[2].id;
  Move(stats, TaskState::kDone, kTaskOwner, At("2026-10-04T00:00:00Z"));
  Move(stats, TaskState::kVerified, kPlanOwner, At("2026-10-04T01:00:00Z"));
  PlanWithTasks november = Make("November review", {}, kNovember);

  auto result = CarryOverTasks(repo_, directory_, october.plan.id, november.plan.id,
                               TemplateDeadlineOr({}, kNovemberCloses), "system", kNovember);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->carried.size(), 2u);
  EXPECT_EQ(result->carried[0].dropped_dependencies, std::vector<TaskId>{stats});
  EXPECT_EQ(result->carried[1].dropped_dependencies, std::vector<TaskId>{stats});
  EXPECT_TRUE(repo_.FindTask(analysis)->depends_on.empty());
  EXPECT_EQ(repo_.FindTask(measures)->depends_on, std::vector<TaskId>{analysis});
  const std::string note = repo_.EventsOfTask(measures).back().note;
  EXPECT_NE(
      note.find("dependencies dropped (left behind): #" + std::to_string(stats) + " (verified)"),
      std::string::npos)
      << note;
  // October holds only its verified task now: it is completed.
  EXPECT_EQ(repo_.FindPlan(october.plan.id)->state, PlanState::kCompleted);
}

TEST_F(CarryOverTest, ACompletedTargetBecomesActiveAgain) {
  PlanWithTasks october =
      Make("October review",
           {Keyed("stats", "Data statistics", kTaskOwner, "2026-10-05T01:00:00Z")}, kOctober);
  PlanWithTasks november =
      Make("November review",
           {Keyed("stats", "Data statistics", kTaskOwner, "2026-11-05T01:00:00Z")}, kNovember);
  Move(november.tasks[0].id, TaskState::kDone, kTaskOwner, At("2026-11-03T00:00:00Z"));
  Move(november.tasks[0].id, TaskState::kVerified, kPlanOwner, At("2026-11-03T01:00:00Z"));
  ASSERT_EQ(repo_.FindPlan(november.plan.id)->state, PlanState::kCompleted);
  const std::int64_t version = repo_.FindPlan(november.plan.id)->version;

  ASSERT_TRUE(CarryOverTasks(repo_, directory_, october.plan.id, november.plan.id,
                             TemplateDeadlineOr({}, kNovemberCloses), "system",
                             At("2026-11-04T00:00:00Z"))
                  .ok());
  const Plan after = *repo_.FindPlan(november.plan.id);
  EXPECT_EQ(after.state, PlanState::kActive);
  EXPECT_EQ(after.version, version + 1);
  EXPECT_EQ(after.updated_at, At("2026-11-04T00:00:00Z"));
}

TEST_F(CarryOverTest, CarriedTwiceCountsTwiceAndTheReportNamesIt) {
  PlanWithTasks october =
      Make("October review",
           {Keyed("stats", "Data statistics", kTaskOwner, "2026-10-05T01:00:00Z")}, kOctober);
  PlanWithTasks november = Make("November review", {}, kNovember);
  PlanWithTasks december = Make("December review", {}, At("2026-12-01T01:00:00Z"));
  const TaskId stats = october.tasks[0].id;
  ASSERT_TRUE(CarryOverTasks(repo_, directory_, october.plan.id, november.plan.id,
                             TemplateDeadlineOr({}, kNovemberCloses), "system", kNovember)
                  .ok());
  ASSERT_TRUE(CarryOverTasks(repo_, directory_, november.plan.id, december.plan.id,
                             TemplateDeadlineOr({}, At("2026-12-31T01:00:00Z")), "system",
                             At("2026-12-01T01:00:00Z"))
                  .ok());
  const Task t = *repo_.FindTask(stats);
  EXPECT_EQ(t.plan_id, december.plan.id);
  EXPECT_EQ(t.carry_count, 2);
  EXPECT_EQ(t.carried_from, std::optional<PlanId>(november.plan.id));

  // November's report, frozen after the move, names it among the tasks carried twice.
  PlanReport report = BuildReport(repo_, directory_, *repo_.FindPlan(november.plan.id),
                                  std::nullopt, At("2026-12-01T01:00:00Z"));
  EXPECT_EQ(report.snapshot.carried, 1);
  EXPECT_EQ(report.snapshot.scope_at_start, 1);
  ASSERT_EQ(report.carried_twice.size(), 1u);
  EXPECT_EQ(report.carried_twice[0].id, stats);
}

TEST_F(CarryOverTest, RefusesBeforeWritingAnything) {
  PlanWithTasks october =
      Make("October review",
           {Keyed("stats", "Data statistics", kTaskOwner, "2026-10-05T01:00:00Z")}, kOctober);
  PlanWithTasks november = Make("November review", {}, kNovember);
  ASSERT_TRUE(
      CancelPlan(repo_, directory_, november.plan.id, "wrong month", kPlanOwner, kNovember).ok());
  const testing::InMemoryPlanRepository before = repo_;
  CarryDeadline deadline = TemplateDeadlineOr({}, kNovemberCloses);

  auto cancelled = CarryOverTasks(repo_, directory_, october.plan.id, november.plan.id, deadline,
                                  "system", kNovember);
  EXPECT_EQ(cancelled.status().reason(), "plan_not_active");
  auto unknown =
      CarryOverTasks(repo_, directory_, october.plan.id, 99, deadline, "system", kNovember);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().reason(), "plan_not_found");
  auto same = CarryOverTasks(repo_, directory_, october.plan.id, october.plan.id, deadline,
                             "system", kNovember);
  EXPECT_EQ(same.status().reason(), "same_plan");
  EXPECT_TRUE(repo_ == before);
}

TEST_F(CarryOverTest, NothingUnfinishedMovesNothing) {
  PlanWithTasks october =
      Make("October review",
           {Keyed("stats", "Data statistics", kTaskOwner, "2026-10-05T01:00:00Z")}, kOctober);
  Move(october.tasks[0].id, TaskState::kDone, kTaskOwner, At("2026-10-04T00:00:00Z"));
  PlanWithTasks november = Make("November review", {}, kNovember);
  const testing::InMemoryPlanRepository before = repo_;
  auto result = CarryOverTasks(repo_, directory_, october.plan.id, november.plan.id,
                               TemplateDeadlineOr({}, kNovemberCloses), "system", kNovember);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->carried.empty());
  EXPECT_TRUE(repo_ == before);
}

TEST(TemplateDeadlineOr, UsesTheTemplateTaskOfTheSameKeyElseTheFallback) {
  NewPlan next;
  next.tasks = {Keyed("stats", "Data statistics", "x", "2026-11-05T01:00:00Z"),
                Keyed("analysis", "Problem analysis", "x", "2026-11-10T01:00:00Z")};
  next.tasks.push_back(NewTask{});  // no key: not in the map
  EXPECT_EQ(DeadlinesByKey(next).size(), 2u);
  CarryDeadline deadline = TemplateDeadlineOr(DeadlinesByKey(next), kNovemberCloses);
  Task task;
  task.key = "analysis";
  EXPECT_EQ(deadline(task), At("2026-11-10T01:00:00Z"));
  task.key = "other";
  EXPECT_EQ(deadline(task), kNovemberCloses);
  task.key.reset();
  EXPECT_EQ(deadline(task), kNovemberCloses);
}

}  // namespace
}  // namespace kaizen
