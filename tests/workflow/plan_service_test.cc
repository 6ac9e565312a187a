#include "workflow/plan_service.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"
#include "tests/support/in_memory_repository.h"
#include "tests/support/sample_directory.h"

namespace kaizen {
namespace {

using std::chrono::hours;
using testing::kManager;
using testing::kPlanOwner;
using testing::kStranger;
using testing::kTaskOwner;
using S = TaskState;

NewTask MakeNewTask(std::optional<std::string> key, std::string title, PersonId owner, Instant due,
                    std::vector<std::string> depends_on_keys = {}) {
  NewTask task;
  task.key = std::move(key);
  task.title = std::move(title);
  task.owner = std::move(owner);
  task.due_at = due;
  task.criterion = "the reviewer can see it";
  task.depends_on_keys = std::move(depends_on_keys);
  return task;
}

class PlanService : public ::testing::Test {
 protected:
  Instant Now() const { return clock_.Now(); }

  // A monthly review: collect data, analyse it, decide measures; each step needs the last.
  NewPlan SamplePlan() const {
    NewPlan plan;
    plan.title = "Raise CSAT to 85%";
    plan.description = "November review";
    plan.owner = kPlanOwner;
    plan.team = "ops";
    plan.goals = {{"customer satisfaction", 80, 85, "%", "2026-12-31", std::nullopt, {}, {}, {}, {}}};
    plan.tasks = {
        MakeNewTask("data", "Collect survey data", kTaskOwner, Now() + hours{24}),
        MakeNewTask("analysis", "Analyse complaints", kTaskOwner, Now() + hours{48}, {"data"}),
        MakeNewTask("measures", "Decide measures", kStranger, Now() + hours{72}, {"analysis"}),
    };
    return plan;
  }

  PlanWithTasks Create(const NewPlan& request) {
    auto result = CreatePlan(repo_, directory_, request, "api", Now());
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? std::move(result).value() : PlanWithTasks{};
  }

  Result<Task> Move(TaskId id, S to, const PersonId& actor, const std::string& note = "") {
    return TransitionTask(repo_, directory_, id, {to, note, actor, std::nullopt}, Now());
  }

  // Drives a task from open to verified through the service.
  void Finish(TaskId id) {
    ASSERT_TRUE(Move(id, S::kInProgress, repo_.FindTask(id)->owner).ok());
    ASSERT_TRUE(Move(id, S::kDone, repo_.FindTask(id)->owner).ok());
    ASSERT_TRUE(Move(id, S::kVerified, kPlanOwner).ok());
  }

  // Runs a command that must be refused and checks that it wrote nothing, even without the
  // rollback the storage executor would do.
  // What a refusal said, for the checks a test adds.
  struct Refusal {
    std::string message;
    nlohmann::json details;
  };

  template <typename Command>
  Refusal ExpectRefused(Command command, StatusCode code, const std::string& reason) {
    const testing::InMemoryPlanRepository before = repo_;
    auto result = command();
    EXPECT_FALSE(result.ok());
    if (result.ok()) return {};
    EXPECT_EQ(result.status().code(), code) << result.status().ToString();
    EXPECT_EQ(result.status().reason(), reason) << result.status().ToString();
    EXPECT_TRUE(repo_ == before) << "a refused command changed the repository";
    return {result.status().message(), result.status().details()};
  }

  Refusal RefusedCreate(const NewPlan& request, StatusCode code, const std::string& reason) {
    return ExpectRefused([&] { return CreatePlan(repo_, directory_, request, "api", Now()); }, code,
                         reason);
  }

  Directory directory_ = testing::SampleDirectory();
  testing::FakeClock clock_;
  testing::InMemoryPlanRepository repo_;
};

// CreatePlan.

TEST_F(PlanService, CreatePlanStoresPlanTasksAndOneCreatedEventEach) {
  const NewPlan request = SamplePlan();
  const PlanWithTasks created = Create(request);
  const Plan& plan = created.plan;
  EXPECT_EQ(plan.id, 1);
  EXPECT_EQ(plan.title, "Raise CSAT to 85%");
  EXPECT_EQ(plan.state, PlanState::kActive);
  EXPECT_EQ(plan.version, 1);
  EXPECT_EQ(plan.created_at, Now());
  EXPECT_EQ(plan.updated_at, Now());
  EXPECT_EQ(plan.goals, request.goals);
  EXPECT_EQ(repo_.FindPlan(1), plan);

  ASSERT_EQ(created.tasks.size(), 3u);
  EXPECT_EQ(repo_.TasksOfPlan(1), created.tasks);
  for (size_t i = 0; i < 3; ++i) {
    const Task& task = created.tasks[i];
    EXPECT_EQ(task.id, static_cast<TaskId>(i + 1));
    EXPECT_EQ(task.plan_id, 1);
    EXPECT_EQ(task.key, request.tasks[i].key);
    EXPECT_EQ(task.owner, request.tasks[i].owner);
    EXPECT_EQ(task.due_at, request.tasks[i].due_at);
    EXPECT_EQ(task.criterion, "the reviewer can see it");
    EXPECT_EQ(task.state, S::kOpen);
    EXPECT_EQ(task.version, 1);
    EXPECT_EQ(task.completed_at, std::nullopt);
    const std::vector<TaskEvent> events = repo_.EventsOfTask(task.id);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, kEventCreated);
    EXPECT_EQ(events[0].actor, "api");
    EXPECT_EQ(events[0].at, Now());
    EXPECT_EQ(events[0].to, S::kOpen);
  }
  EXPECT_EQ(created.tasks[0].depends_on, std::vector<TaskId>{});
  EXPECT_EQ(created.tasks[1].depends_on, std::vector<TaskId>{1});
  EXPECT_EQ(created.tasks[2].depends_on, std::vector<TaskId>{2});
}

TEST_F(PlanService, CreatePlanResolvesKeysOfLaterTasks) {
  NewPlan request = SamplePlan();
  // The first task now waits for the last one, named before it exists.
  request.tasks[0].depends_on_keys = {"measures"};
  request.tasks[1].depends_on_keys = {"measures", "data", "data"};
  request.tasks[2].depends_on_keys = {};
  const PlanWithTasks created = Create(request);
  EXPECT_EQ(repo_.FindTask(1)->depends_on, std::vector<TaskId>{3});
  EXPECT_EQ(repo_.FindTask(2)->depends_on, (std::vector<TaskId>{1, 3}));
  EXPECT_EQ(repo_.TasksOfPlan(1), created.tasks);
}

TEST_F(PlanService, CreatePlanWithoutTasksIsActive) {
  NewPlan request = SamplePlan();
  request.tasks.clear();
  EXPECT_EQ(Create(request).plan.state, PlanState::kActive);
}

TEST_F(PlanService, CreatePlanRefusesMissingOrUnknownPeopleAndTeams) {
  Create(SamplePlan());  // so that "unchanged" means something
  NewPlan request = SamplePlan();
  request.title = "  ";
  Refusal s = RefusedCreate(request, StatusCode::kInvalidArgument, "missing_field");
  EXPECT_EQ(s.details["field"], "title");

  request = SamplePlan();
  request.owner = "";
  s = RefusedCreate(request, StatusCode::kInvalidArgument, "missing_field");
  EXPECT_EQ(s.details["field"], "owner");

  request = SamplePlan();
  request.owner = "ghost";
  s = RefusedCreate(request, StatusCode::kUnprocessable, "unknown_owner");
  EXPECT_EQ(s.details, nlohmann::json({{"field", "owner"}, {"owner", "ghost"}}));
  EXPECT_EQ(s.message, "'ghost' is not a person in the directory");

  request = SamplePlan();
  request.team = "";
  s = RefusedCreate(request, StatusCode::kInvalidArgument, "missing_field");
  EXPECT_EQ(s.details["field"], "team");

  request = SamplePlan();
  request.team = "marketing";
  s = RefusedCreate(request, StatusCode::kUnprocessable, "unknown_team");
  EXPECT_EQ(s.message, "'marketing' is not a team in the directory");

  request = SamplePlan();
  request.kind = "";
  s = RefusedCreate(request, StatusCode::kInvalidArgument, "invalid_field");
  EXPECT_EQ(s.details["field"], "kind");
}

TEST_F(PlanService, CreatePlanAcceptsFreeFormKind) {
  NewPlan request = SamplePlan();
  request.kind = "store_audit";
  EXPECT_EQ(Create(request).plan.kind, "store_audit");
}

TEST_F(PlanService, CreatePlanRefusesBadGoals) {
  NewPlan request = SamplePlan();
  request.goals.push_back({"", std::nullopt, 1, "", std::nullopt, std::nullopt, {}, {}, {}, {}});
  Refusal s = RefusedCreate(request, StatusCode::kInvalidArgument, "missing_field");
  EXPECT_EQ(s.details["field"], "goals[1].metric");

  request = SamplePlan();
  request.goals[0].target_date = "2026-02-30";
  s = RefusedCreate(request, StatusCode::kInvalidArgument, "invalid_field");
  EXPECT_EQ(s.details["field"], "goals[0].target_date");
  EXPECT_EQ(s.message,
            "the target date of goal 'customer satisfaction' must be a calendar date "
            "YYYY-MM-DD, not '2026-02-30'");

  request = SamplePlan();
  request.goals[0].target_date = "2026-12-31T00:00:00Z";
  RefusedCreate(request, StatusCode::kInvalidArgument, "invalid_field");

  request = SamplePlan();
  request.goals[0].target = std::numeric_limits<double>::infinity();
  s = RefusedCreate(request, StatusCode::kInvalidArgument, "invalid_field");
  EXPECT_EQ(s.details["field"], "goals[0].target");
}

TEST_F(PlanService, CreatePlanRefusesBadTasks) {
  NewPlan request = SamplePlan();
  request.tasks[1].title = "";
  Refusal s = RefusedCreate(request, StatusCode::kInvalidArgument, "missing_field");
  EXPECT_EQ(s.details["field"], "tasks[1].title");

  request = SamplePlan();
  request.tasks[2].owner = "ghost";
  s = RefusedCreate(request, StatusCode::kUnprocessable, "unknown_owner");
  EXPECT_EQ(s.details["field"], "tasks[2].owner");

  request = SamplePlan();
  request.tasks[2].key = "";
  s = RefusedCreate(request, StatusCode::kInvalidArgument, "invalid_field");
  EXPECT_EQ(s.details["field"], "tasks[2].key");

  request = SamplePlan();
  request.tasks[2].key = "data";
  s = RefusedCreate(request, StatusCode::kUnprocessable, "duplicate_key");
  EXPECT_EQ(s.details, nlohmann::json({{"field", "tasks[2].key"}, {"key", "data"}}));

  request = SamplePlan();
  request.tasks[1].depends_on_keys = {"dta"};
  s = RefusedCreate(request, StatusCode::kUnprocessable, "unknown_dependency");
  EXPECT_EQ(s.details, nlohmann::json({{"field", "tasks[1].depends_on_keys"}, {"key", "dta"}}));
  EXPECT_EQ(s.message, "no task of this plan has the key 'dta'");

  request = SamplePlan();
  request.tasks[1].depends_on = {1};  // ids cannot name tasks of a plan not yet created
  s = RefusedCreate(request, StatusCode::kUnprocessable, "unknown_dependency");
  EXPECT_EQ(s.details["field"], "tasks[1].depends_on");
}

TEST_F(PlanService, CreatePlanRefusesCyclesAndNamesThem) {
  NewPlan request = SamplePlan();
  request.tasks[0].depends_on_keys = {"measures"};  // data -> measures -> analysis -> data
  Refusal s = RefusedCreate(request, StatusCode::kUnprocessable, "dependency_cycle");
  EXPECT_EQ(s.details["cycle"], nlohmann::json({"data", "measures", "analysis"}));
  EXPECT_EQ(s.message,
            "tasks cannot depend on each other in a circle: data -> measures -> analysis -> "
            "data (each depends on the next)");

  request = SamplePlan();
  request.tasks[1].depends_on_keys = {"analysis"};
  s = RefusedCreate(request, StatusCode::kUnprocessable, "dependency_cycle");
  EXPECT_EQ(s.details["cycle"], nlohmann::json({"analysis"}));
}

// AddTask.

TEST_F(PlanService, AddTaskResolvesIdsAndKeysOfThePlan) {
  Create(SamplePlan());
  clock_.Advance(hours{1});
  NewTask request =
      MakeNewTask("summary", "Summary and outlook", kTaskOwner, Now() + hours{96}, {"measures"});
  request.depends_on = {1, 3};
  auto result = AddTask(repo_, directory_, 1, request, kPlanOwner, Now());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->id, 4);
  EXPECT_EQ(result->depends_on, (std::vector<TaskId>{1, 3}));
  EXPECT_EQ(result->created_at, Now());
  EXPECT_EQ(repo_.FindTask(4), *result);
  const auto events = repo_.EventsOfTask(4);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, kEventCreated);
  EXPECT_EQ(events[0].actor, kPlanOwner);
  EXPECT_EQ(repo_.FindPlan(1)->version, 1);  // the plan itself did not change
}

TEST_F(PlanService, AddTaskReactivatesCompletedPlan) {
  Create(SamplePlan());
  for (TaskId id : {1, 2, 3}) Finish(id);
  ASSERT_EQ(repo_.FindPlan(1)->state, PlanState::kCompleted);
  const std::int64_t version = repo_.FindPlan(1)->version;
  clock_.Advance(hours{2});
  auto result =
      AddTask(repo_, directory_, 1,
              MakeNewTask(std::nullopt, "One more", kTaskOwner, Now() + hours{1}), "api", Now());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const Plan plan = *repo_.FindPlan(1);
  EXPECT_EQ(plan.state, PlanState::kActive);
  EXPECT_EQ(plan.version, version + 1);
  EXPECT_EQ(plan.updated_at, Now());
}

TEST_F(PlanService, AddTaskRefusals) {
  Create(SamplePlan());
  NewPlan other = SamplePlan();
  other.tasks.resize(1);
  Create(other);  // plan 2 with task 4
  auto add = [&](PlanId plan, const NewTask& task) {
    return [&, plan, task] { return AddTask(repo_, directory_, plan, task, "api", Now()); };
  };
  const NewTask good = MakeNewTask("extra", "Extra", kTaskOwner, Now());

  ExpectRefused(add(42, good), StatusCode::kNotFound, "plan_not_found");

  NewTask task = good;
  task.key = "data";
  Refusal s = ExpectRefused(add(1, task), StatusCode::kUnprocessable, "duplicate_key");
  EXPECT_EQ(s.details["field"], "key");

  task = good;
  task.depends_on = {4};  // a task of plan 2
  s = ExpectRefused(add(1, task), StatusCode::kUnprocessable, "unknown_dependency");
  EXPECT_EQ(s.details, nlohmann::json({{"field", "depends_on"}, {"id", 4}}));
  EXPECT_EQ(s.message, "task 4 is not a task of this plan");

  task = good;
  task.depends_on_keys = {"nope"};
  ExpectRefused(add(1, task), StatusCode::kUnprocessable, "unknown_dependency");

  task = good;
  task.depends_on_keys = {"extra"};
  s = ExpectRefused(add(1, task), StatusCode::kUnprocessable, "dependency_cycle");
  EXPECT_EQ(s.details["cycle"], nlohmann::json({"extra"}));

  task = good;
  task.owner = "ghost";
  ExpectRefused(add(1, task), StatusCode::kUnprocessable, "unknown_owner");

  task = good;
  task.title = "";
  ExpectRefused(add(1, task), StatusCode::kInvalidArgument, "missing_field");

  ASSERT_TRUE(CancelPlan(repo_, directory_, 1, "merged into plan 2", "api", Now()).ok());
  s = ExpectRefused(add(1, good), StatusCode::kConflict, "plan_not_active");
  EXPECT_EQ(s.message, "plan 1 is cancelled; no tasks can be added to it");
}

// UpdateTask.

TEST_F(PlanService, UpdateTaskRecordsWhatChanged) {
  NewPlan request = SamplePlan();
  request.tasks[0].due_at = *ParseRfc3339("2026-12-01T10:00:00Z");
  Create(request);
  clock_.Advance(hours{3});
  TaskPatch patch;
  patch.due_at = *ParseRfc3339("2026-12-02T18:00:00+08:00");
  patch.owner = kStranger;
  patch.title = "Collect survey data";  // unchanged: not listed
  patch.expected_version = 1;
  auto result = UpdateTask(repo_, directory_, 1, patch, kPlanOwner, Now());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->version, 2);
  EXPECT_EQ(result->updated_at, Now());
  EXPECT_EQ(result->owner, kStranger);
  EXPECT_EQ(repo_.FindTask(1), *result);
  const auto events = repo_.EventsOfTask(1);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, kEventUpdated);
  EXPECT_EQ(events[1].actor, kPlanOwner);
  EXPECT_EQ(events[1].at, Now());
  EXPECT_EQ(events[1].note,
            "owner: han.meimei -> zhang.san; due_at: 2026-12-01T10:00:00Z -> 2026-12-02T10:00:00Z");
}

TEST_F(PlanService, UpdateTaskShortensLongTextInTheNote) {
  Create(SamplePlan());
  TaskPatch patch;
  patch.description = std::string(55, 'x') + "一二三四五六七八";  // multi-byte near the cut
  patch.criterion = "200 answers";
  auto result = UpdateTask(repo_, directory_, 1, patch, "api", Now());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->description, *patch.description);
  EXPECT_EQ(repo_.EventsOfTask(1).back().note,
            "description: (empty) -> " + std::string(55, 'x') +
                "...; criterion: the reviewer can see it -> 200 answers");
}

TEST_F(PlanService, UpdateTaskThatChangesNothingWritesNothing) {
  Create(SamplePlan());
  const testing::InMemoryPlanRepository before = repo_;
  TaskPatch patch;
  patch.title = "Collect survey data";
  patch.owner = kTaskOwner;
  patch.depends_on = std::vector<TaskId>{};
  auto result = UpdateTask(repo_, directory_, 1, patch, "api", Now());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->version, 1);
  EXPECT_TRUE(repo_ == before);
}

TEST_F(PlanService, UpdateTaskNormalisesDependencies) {
  Create(SamplePlan());
  TaskPatch patch;
  patch.depends_on = std::vector<TaskId>{2, 1, 2};
  auto result = UpdateTask(repo_, directory_, 3, patch, "api", Now());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->depends_on, (std::vector<TaskId>{1, 2}));
  EXPECT_EQ(repo_.EventsOfTask(3).back().note, "depends_on: [2] -> [1, 2]");
}

TEST_F(PlanService, UpdateTaskRefusals) {
  Create(SamplePlan());
  NewPlan other = SamplePlan();
  other.tasks.resize(1);
  Create(other);  // plan 2 with task 4
  auto update = [&](TaskId id, const TaskPatch& patch) {
    return [&, id, patch] { return UpdateTask(repo_, directory_, id, patch, "api", Now()); };
  };

  TaskPatch patch;
  patch.title = "New title";
  ExpectRefused(update(42, patch), StatusCode::kNotFound, "task_not_found");

  patch.expected_version = 7;
  Refusal s = ExpectRefused(update(1, patch), StatusCode::kPreconditionFailed, "version_mismatch");
  EXPECT_EQ(s.details, nlohmann::json({{"current_version", 1}}));

  patch = {};
  patch.title = " ";
  s = ExpectRefused(update(1, patch), StatusCode::kInvalidArgument, "missing_field");
  EXPECT_EQ(s.details["field"], "title");

  patch = {};
  patch.owner = "ghost";
  ExpectRefused(update(1, patch), StatusCode::kUnprocessable, "unknown_owner");

  patch = {};
  patch.depends_on = std::vector<TaskId>{4};
  ExpectRefused(update(1, patch), StatusCode::kUnprocessable, "unknown_dependency");
  patch.depends_on = std::vector<TaskId>{99};
  ExpectRefused(update(1, patch), StatusCode::kUnprocessable, "unknown_dependency");

  patch.depends_on = std::vector<TaskId>{1};
  s = ExpectRefused(update(1, patch), StatusCode::kUnprocessable, "dependency_cycle");
  EXPECT_EQ(s.details["cycle"], nlohmann::json({1}));

  patch.depends_on = std::vector<TaskId>{3};  // 3 -> 2 -> 1 -> 3
  s = ExpectRefused(update(1, patch), StatusCode::kUnprocessable, "dependency_cycle");
  EXPECT_EQ(s.details["cycle"], nlohmann::json({1, 3, 2}));
  EXPECT_EQ(s.message,
            "tasks cannot depend on each other in a circle: task 1 -> task 3 -> task 2 -> "
            "task 1 (each depends on the next)");
}

TEST_F(PlanService, FinalTasksAreFrozen) {
  Create(SamplePlan());
  Finish(1);
  ASSERT_TRUE(Move(3, S::kCancelled, kStranger, "covered elsewhere").ok());
  for (TaskId id : {1, 3}) {
    TaskPatch patch;
    patch.due_at = Now() + hours{100};
    Refusal s =
        ExpectRefused([&] { return UpdateTask(repo_, directory_, id, patch, "api", Now()); },
                      StatusCode::kConflict, "task_final");
    EXPECT_NE(s.message.find("can no longer change"), std::string::npos);
    // Restating what is there is still fine.
    patch.due_at = repo_.FindTask(id)->due_at;
    EXPECT_TRUE(UpdateTask(repo_, directory_, id, patch, "api", Now()).ok());
  }
}

TEST_F(PlanService, DoneTaskOfCancelledPlanIsFrozen) {
  Create(SamplePlan());
  ASSERT_TRUE(Move(1, S::kInProgress, kTaskOwner).ok());
  ASSERT_TRUE(Move(1, S::kDone, kTaskOwner).ok());
  ASSERT_TRUE(CancelPlan(repo_, directory_, 1, "budget cut", "api", Now()).ok());
  TaskPatch patch;
  patch.title = "Renamed";
  ExpectRefused([&] { return UpdateTask(repo_, directory_, 1, patch, "api", Now()); },
                StatusCode::kConflict, "plan_not_active");
}

// TransitionTask.

TEST_F(PlanService, TransitionStoresTaskAndEvent) {
  Create(SamplePlan());
  clock_.Advance(hours{1});
  auto result =
      TransitionTask(repo_, directory_, 1, {S::kInProgress, "starting", kTaskOwner, 1}, Now());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->state, S::kInProgress);
  EXPECT_EQ(result->version, 2);
  EXPECT_EQ(repo_.FindTask(1), *result);
  const auto events = repo_.EventsOfTask(1);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, kEventTransition);
  EXPECT_EQ(events[1].from, S::kOpen);
  EXPECT_EQ(events[1].to, S::kInProgress);
  EXPECT_EQ(events[1].note, "starting");
  EXPECT_EQ(events[1].actor, kTaskOwner);
  EXPECT_EQ(events[1].at, Now());
  EXPECT_EQ(repo_.FindPlan(1)->version, 1);
}

TEST_F(PlanService, TransitionRefusalsWriteNothing) {
  Create(SamplePlan());
  auto move = [&](TaskId id, TransitionRequest request) {
    return [&, id, request] { return TransitionTask(repo_, directory_, id, request, Now()); };
  };
  ExpectRefused(move(42, {S::kInProgress, "", kTaskOwner, std::nullopt}), StatusCode::kNotFound,
                "task_not_found");
  Refusal s = ExpectRefused(move(2, {S::kInProgress, "", kTaskOwner, std::nullopt}),
                            StatusCode::kConflict, "dependencies_unfinished");
  EXPECT_EQ(s.details["dependencies"],
            nlohmann::json::parse(R"([{"id": 1, "title": "Collect survey data",
                                       "state": "open"}])"));
  ExpectRefused(move(1, {S::kInProgress, "", kTaskOwner, 2}), StatusCode::kPreconditionFailed,
                "version_mismatch");
  ExpectRefused(move(1, {S::kVerified, "", kPlanOwner, std::nullopt}), StatusCode::kConflict,
                "transition_not_allowed");
  ExpectRefused(move(1, {S::kInProgress, "", "ghost", std::nullopt}), StatusCode::kUnprocessable,
                "unknown_actor");
}

TEST_F(PlanService, DependentTaskStartsOnceItsDependencyIsDone) {
  Create(SamplePlan());
  ASSERT_TRUE(Move(1, S::kInProgress, kTaskOwner).ok());
  EXPECT_EQ(Move(2, S::kInProgress, kTaskOwner).status().reason(), "dependencies_unfinished");
  ASSERT_TRUE(Move(1, S::kDone, kTaskOwner).ok());
  EXPECT_TRUE(Move(2, S::kInProgress, kTaskOwner).ok());
}

TEST_F(PlanService, LifecycleStampsTimesFromTheClock) {
  Create(SamplePlan());
  const Instant created = Now();
  clock_.Advance(hours{1});
  ASSERT_TRUE(Move(1, S::kInProgress, kTaskOwner).ok());
  clock_.Advance(hours{5});
  const Instant done_at = Now();
  ASSERT_TRUE(Move(1, S::kDone, kTaskOwner).ok());
  clock_.Advance(hours{1});
  auto rejected = Move(1, S::kInProgress, kManager, "only 150 answers");
  ASSERT_TRUE(rejected.ok()) << rejected.status().ToString();
  EXPECT_EQ(rejected->completed_at, std::nullopt);
  EXPECT_EQ(repo_.EventsOfTask(1).back().kind, kEventRejected);
  clock_.Advance(hours{1});
  ASSERT_TRUE(Move(1, S::kDone, kTaskOwner).ok());
  EXPECT_EQ(repo_.FindTask(1)->completed_at, Now());
  EXPECT_NE(Now(), done_at);
  clock_.Advance(hours{1});
  auto verified = Move(1, S::kVerified, kPlanOwner);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->completed_at, Now() - hours{1});
  EXPECT_EQ(verified->updated_at, Now());
  EXPECT_EQ(verified->created_at, created);
  EXPECT_EQ(verified->version, 6);
  std::vector<std::string> kinds;
  for (const TaskEvent& e : repo_.EventsOfTask(1)) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"created", "transition", "transition", "rejected",
                                             "transition", "transition"}));
}

TEST_F(PlanService, OwnerTakingBackDoneTaskIsRecordedAsReopened) {
  Create(SamplePlan());
  ASSERT_TRUE(Move(1, S::kInProgress, kTaskOwner).ok());
  ASSERT_TRUE(Move(1, S::kDone, kTaskOwner).ok());
  ASSERT_TRUE(Move(1, S::kInProgress, kTaskOwner, "missed a region").ok());
  EXPECT_EQ(repo_.EventsOfTask(1).back().kind, kEventReopened);
}

TEST_F(PlanService, PlanCompletesWhenItsLastTaskIsVerified) {
  Create(SamplePlan());
  Finish(1);
  Finish(2);
  EXPECT_EQ(repo_.FindPlan(1)->state, PlanState::kActive);
  EXPECT_EQ(repo_.FindPlan(1)->version, 1);
  clock_.Advance(hours{1});
  Finish(3);
  const Plan plan = *repo_.FindPlan(1);
  EXPECT_EQ(plan.state, PlanState::kCompleted);
  EXPECT_EQ(plan.version, 2);
  EXPECT_EQ(plan.updated_at, Now());
}

TEST_F(PlanService, CancellingTheLastOpenTaskCompletesAPlanWithVerifiedWork) {
  Create(SamplePlan());
  Finish(1);
  Finish(2);
  ASSERT_TRUE(Move(3, S::kCancelled, kStranger, "decided in the weekly meeting").ok());
  EXPECT_EQ(repo_.FindPlan(1)->state, PlanState::kCompleted);
}

TEST_F(PlanService, CompletedPlanOnlyLetsACancelledTaskBeReopened) {
  Create(SamplePlan());
  Finish(1);
  Finish(2);
  ASSERT_TRUE(Move(3, S::kCancelled, kStranger, "decided in the weekly meeting").ok());
  ASSERT_EQ(repo_.FindPlan(1)->state, PlanState::kCompleted);
  const std::int64_t version = repo_.FindPlan(1)->version;

  Refusal s = ExpectRefused(
      [&] {
        return TransitionTask(repo_, directory_, 1, {S::kInProgress, "x", kPlanOwner, {}}, Now());
      },
      StatusCode::kConflict, "plan_not_active");
  EXPECT_EQ(s.message, "plan 1 is completed; only a cancelled task can be reopened");

  clock_.Advance(hours{1});
  ASSERT_TRUE(Move(3, S::kOpen, kStranger).ok());
  const Plan plan = *repo_.FindPlan(1);
  EXPECT_EQ(plan.state, PlanState::kActive);
  EXPECT_EQ(plan.version, version + 1);
  EXPECT_EQ(plan.updated_at, Now());
}

// CancelPlan.

TEST_F(PlanService, CancelPlanCancelsUnfinishedTasksAndKeepsDoneWork) {
  Create(SamplePlan());
  ASSERT_TRUE(Move(1, S::kInProgress, kTaskOwner).ok());
  ASSERT_TRUE(Move(1, S::kDone, kTaskOwner).ok());
  ASSERT_TRUE(Move(2, S::kBlocked, kTaskOwner, "waiting for the CRM export").ok());
  clock_.Advance(hours{1});
  auto result = CancelPlan(repo_, directory_, 1, "merged into the Q1 plan", kPlanOwner, Now());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->plan.state, PlanState::kCancelled);
  EXPECT_EQ(result->plan.version, 2);
  EXPECT_EQ(result->plan.updated_at, Now());
  EXPECT_EQ(repo_.FindPlan(1), result->plan);
  EXPECT_EQ(repo_.TasksOfPlan(1), result->tasks);
  ASSERT_EQ(result->tasks.size(), 3u);
  EXPECT_EQ(result->tasks[0].state, S::kDone);
  EXPECT_EQ(result->tasks[0].version, 3);
  for (size_t i : {1u, 2u}) {
    const Task& task = result->tasks[i];
    EXPECT_EQ(task.state, S::kCancelled);
    EXPECT_EQ(task.updated_at, Now());
    const TaskEvent event = repo_.EventsOfTask(task.id).back();
    EXPECT_EQ(event.kind, kEventTransition);
    EXPECT_EQ(event.to, S::kCancelled);
    EXPECT_EQ(event.actor, kPlanOwner);
    EXPECT_EQ(event.note, "plan cancelled: merged into the Q1 plan");
  }
  EXPECT_EQ(repo_.EventsOfTask(2).back().from, S::kBlocked);
  EXPECT_EQ(repo_.EventsOfTask(3).back().from, S::kOpen);
  EXPECT_EQ(repo_.EventsOfTask(1).size(), 3u);  // the done task got no event
}

TEST_F(PlanService, CancelPlanRefusals) {
  Create(SamplePlan());
  auto cancel = [&](PlanId id, std::string note) {
    return [&, id, note] { return CancelPlan(repo_, directory_, id, note, "api", Now()); };
  };
  Refusal s = ExpectRefused(cancel(1, " "), StatusCode::kInvalidArgument, "note_required");
  EXPECT_EQ(s.message, "cancelling a plan needs a note saying why");
  ExpectRefused(cancel(42, "why"), StatusCode::kNotFound, "plan_not_found");
  ASSERT_TRUE(CancelPlan(repo_, directory_, 1, "why", "api", Now()).ok());
  s = ExpectRefused(cancel(1, "again"), StatusCode::kConflict, "plan_not_active");
  EXPECT_EQ(s.message, "plan 1 is already cancelled");

  NewPlan request = SamplePlan();
  request.tasks.resize(1);
  Create(request);  // plan 2, task 4
  Finish(4);
  ASSERT_EQ(repo_.FindPlan(2)->state, PlanState::kCompleted);
  ExpectRefused(cancel(2, "why"), StatusCode::kConflict, "plan_not_active");
}

TEST_F(PlanService, TasksOfCancelledPlanCannotMove) {
  Create(SamplePlan());
  ASSERT_TRUE(CancelPlan(repo_, directory_, 1, "budget cut", "api", Now()).ok());
  Refusal s = ExpectRefused(
      [&] {
        return TransitionTask(repo_, directory_, 1, {S::kOpen, "", kPlanOwner, {}}, Now());
      },
      StatusCode::kConflict, "plan_not_active");
  EXPECT_EQ(s.message, "plan 1 is cancelled; its tasks can no longer change");
}

}  // namespace
}  // namespace kaizen
