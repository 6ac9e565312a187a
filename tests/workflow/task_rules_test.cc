#include "workflow/task_rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/support/sample_directory.h"

namespace kaizen {
namespace {

using std::chrono::hours;
using testing::kManager;
using testing::kPlanOwner;
using testing::kStranger;
using testing::kTaskOwner;
using S = TaskState;

const Instant kNow = *ParseRfc3339("2026-12-01T02:00:00Z");

// The lifecycle as the product describes it, written out independently of the code.
const std::map<S, std::vector<S>> kTable = {
    {S::kOpen, {S::kInProgress, S::kBlocked, S::kDone, S::kCancelled}},
    {S::kInProgress, {S::kBlocked, S::kDone, S::kCancelled, S::kOpen}},
    {S::kBlocked, {S::kInProgress, S::kCancelled}},
    {S::kDone, {S::kVerified, S::kInProgress}},
    {S::kCancelled, {S::kOpen}},
    {S::kVerified, {}},
};

bool InTable(S from, S to) {
  const auto& allowed = kTable.at(from);
  return std::find(allowed.begin(), allowed.end(), to) != allowed.end();
}

std::string Trace(S from, S to) {
  return std::string(ToString(from)) + " -> " + std::string(ToString(to));
}

class TaskRules : public ::testing::Test {
 protected:
  TaskRules() : directory_(testing::SampleDirectory()) {
    plan_.id = 3;
    plan_.owner = kPlanOwner;
    plan_.team = "ops";
    task_.id = 7;
    task_.plan_id = 3;
    task_.title = "Survey 200 customers";
    task_.owner = kTaskOwner;
    task_.due_at = kNow + hours{48};
    task_.version = 4;
    task_.created_at = kNow - hours{24};
    task_.updated_at = kNow - hours{1};
  }

  Result<TransitionOutcome> Move(S from, S to, const std::string& actor,
                                 const std::string& note = "") {
    task_.state = from;
    TransitionRequest request{to, note, actor, std::nullopt};
    return DecideTransition(task_, plan_, deps_, directory_, request, kNow);
  }

  Directory directory_;
  Plan plan_;
  Task task_;
  std::vector<DependencyState> deps_;
};

TEST_F(TaskRules, AllowedTransitionsFollowTheLifecycleTable) {
  for (S from : kAllTaskStates) {
    EXPECT_EQ(AllowedTransitions(from), kTable.at(from)) << ToString(from);
    for (S to : kAllTaskStates) {
      EXPECT_EQ(IsTransitionAllowed(from, to), InTable(from, to)) << Trace(from, to);
    }
  }
}

TEST_F(TaskRules, NoStateMayMoveToItself) {
  for (S s : kAllTaskStates) EXPECT_FALSE(IsTransitionAllowed(s, s)) << ToString(s);
}

TEST_F(TaskRules, NotesAreRequiredToBlockCancelAndSendBackDoneWork) {
  for (S from : kAllTaskStates) {
    for (S to : kAllTaskStates) {
      const bool expected =
          to == S::kBlocked || to == S::kCancelled || (from == S::kDone && to == S::kInProgress);
      EXPECT_EQ(TransitionRequiresNote(from, to), expected) << Trace(from, to);
    }
  }
}

TEST_F(TaskRules, DecideAcceptsExactlyTheAllowedPairs) {
  for (S from : kAllTaskStates) {
    for (S to : kAllTaskStates) {
      SCOPED_TRACE(Trace(from, to));
      // Verification needs a reviewer; everything else is the owner's to do.
      const std::string actor = to == S::kVerified ? kPlanOwner : kTaskOwner;
      auto result = Move(from, to, actor, "a note");
      if (InTable(from, to)) {
        ASSERT_TRUE(result.ok()) << result.status().ToString();
        EXPECT_EQ(result->task.state, to);
        EXPECT_EQ(result->event.from, from);
        EXPECT_EQ(result->event.to, to);
      } else {
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.status().code(), StatusCode::kConflict);
        EXPECT_EQ(result.status().reason(), "transition_not_allowed");
        std::vector<std::string> allowed;
        for (S s : kTable.at(from)) allowed.emplace_back(ToString(s));
        EXPECT_EQ(result.status().details()["allowed"], nlohmann::json(allowed));
        EXPECT_EQ(result.status().details()["from"], ToString(from));
        EXPECT_EQ(result.status().details()["to"], ToString(to));
      }
    }
  }
}

TEST_F(TaskRules, RefusalSaysWhereTheTaskCanGo) {
  auto result = Move(S::kDone, S::kBlocked, kTaskOwner, "stuck");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "a done task can move to verified or in_progress, not to blocked");
  EXPECT_EQ(result.status().details(),
            nlohmann::json(
                {{"from", "done"}, {"to", "blocked"}, {"allowed", {"verified", "in_progress"}}}));

  result = Move(S::kOpen, S::kVerified, kPlanOwner);
  EXPECT_EQ(result.status().message(),
            "an open task can move to in_progress, blocked, done or cancelled, not to verified");
}

TEST_F(TaskRules, RefusalOfVerifiedTaskSaysItIsFinal) {
  auto result = Move(S::kVerified, S::kOpen, kPlanOwner);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().reason(), "transition_not_allowed");
  EXPECT_EQ(result.status().message(), "a verified task is final and cannot move to open");
  EXPECT_EQ(result.status().details()["allowed"], nlohmann::json::array());
}

TEST_F(TaskRules, RefusalToTheCurrentStateSaysSo) {
  auto result = Move(S::kInProgress, S::kInProgress, kTaskOwner);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "task 7 is already in_progress");
}

TEST_F(TaskRules, RefusesBlockingWithoutNote) {
  auto result = Move(S::kInProgress, S::kBlocked, kTaskOwner);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().reason(), "note_required");
  EXPECT_EQ(result.status().message(),
            "moving a task to blocked needs a note saying what blocks it");
  EXPECT_TRUE(Move(S::kInProgress, S::kBlocked, kTaskOwner, "waiting for the CRM export").ok());
}

TEST_F(TaskRules, BlankNoteCountsAsNoNote) {
  auto result = Move(S::kOpen, S::kCancelled, kTaskOwner, "  \t\n ");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().reason(), "note_required");
  EXPECT_EQ(result.status().message(), "cancelling a task needs a note saying why");
}

TEST_F(TaskRules, RefusesRejectionWithoutNote) {
  auto result = Move(S::kDone, S::kInProgress, kPlanOwner);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().reason(), "note_required");
  EXPECT_EQ(result.status().message(),
            "sending a done task back to in_progress needs a note saying what is missing");
}

TEST_F(TaskRules, RefusesOwnerTakingBackWithoutNote) {
  EXPECT_EQ(Move(S::kDone, S::kInProgress, kTaskOwner).status().reason(), "note_required");
}

TEST_F(TaskRules, NoteIsOptionalForOrdinaryMoves) {
  EXPECT_TRUE(Move(S::kOpen, S::kInProgress, kTaskOwner).ok());
  EXPECT_TRUE(Move(S::kInProgress, S::kDone, kTaskOwner).ok());
  EXPECT_TRUE(Move(S::kCancelled, S::kOpen, kTaskOwner).ok());
  EXPECT_TRUE(Move(S::kDone, S::kVerified, kPlanOwner).ok());
}

TEST_F(TaskRules, PlanOwnerMayVerify) {
  auto result = Move(S::kDone, S::kVerified, kPlanOwner);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->event.kind, kEventTransition);
  EXPECT_EQ(result->event.actor, kPlanOwner);
}

TEST_F(TaskRules, OwnersManagerMayVerify) {
  EXPECT_TRUE(Move(S::kDone, S::kVerified, kManager).ok());
}

TEST_F(TaskRules, RejectsVerifyByOwner) {
  auto result = Move(S::kDone, S::kVerified, kTaskOwner);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(result.status().reason(), "not_a_reviewer");
  EXPECT_EQ(result.status().details()["reviewers"], nlohmann::json({kPlanOwner, kManager}));
  EXPECT_EQ(result.status().message(),
            "han.meimei owns task 7 and plan 3 does not allow owners to verify their own tasks; "
            "ask li.lei or wang.fang");
}

TEST_F(TaskRules, OwnerMayVerifyWhenPlanAllowsSelfVerification) {
  plan_.allow_self_verification = true;
  EXPECT_TRUE(Move(S::kDone, S::kVerified, kTaskOwner).ok());
}

TEST_F(TaskRules, RejectsVerifyByStranger) {
  auto result = Move(S::kDone, S::kVerified, kStranger);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().reason(), "not_a_reviewer");
  EXPECT_EQ(result.status().message(),
            "zhang.san may not verify task 7: only the plan owner or the task owner's manager "
            "may; ask li.lei or wang.fang");
}

TEST_F(TaskRules, PlanOwnerWhoOwnsTheTaskNeedsTheirManager) {
  task_.owner = kPlanOwner;
  auto result = Move(S::kDone, S::kVerified, kPlanOwner);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().details()["reviewers"], nlohmann::json({testing::kBoss}));
  EXPECT_TRUE(Move(S::kDone, S::kVerified, testing::kBoss).ok());
}

TEST_F(TaskRules, SaysWhenNobodyElseCanVerify) {
  task_.owner = testing::kBoss;
  plan_.owner = testing::kBoss;
  auto result = Move(S::kDone, S::kVerified, testing::kBoss);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().details()["reviewers"], nlohmann::json::array());
  EXPECT_NE(result.status().message().find("nobody can, since its owner owns the plan"),
            std::string::npos);
}

TEST_F(TaskRules, IsReviewerFollowsTheRules) {
  EXPECT_TRUE(IsReviewer(kPlanOwner, task_, plan_, directory_));
  EXPECT_TRUE(IsReviewer(kManager, task_, plan_, directory_));
  EXPECT_FALSE(IsReviewer(kTaskOwner, task_, plan_, directory_));
  EXPECT_FALSE(IsReviewer(kStranger, task_, plan_, directory_));
  EXPECT_FALSE(IsReviewer(testing::kBoss, task_, plan_, directory_));  // manager's manager
  EXPECT_FALSE(IsReviewer("nobody", task_, plan_, directory_));
  plan_.allow_self_verification = true;
  EXPECT_TRUE(IsReviewer(kTaskOwner, task_, plan_, directory_));
}

TEST_F(TaskRules, RejectionByReviewerIsRecordedAsRejected) {
  task_.completed_at = kNow - hours{2};
  auto result = Move(S::kDone, S::kInProgress, kManager, "the sheet has 150 answers, not 200");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->event.kind, kEventRejected);
  EXPECT_EQ(result->event.note, "the sheet has 150 answers, not 200");
  EXPECT_EQ(result->task.completed_at, std::nullopt);
}

TEST_F(TaskRules, OwnerTakingBackDoneTaskIsRecordedAsReopened) {
  auto result = Move(S::kDone, S::kInProgress, kTaskOwner, "forgot the last 20 answers");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->event.kind, kEventReopened);
  EXPECT_EQ(result->task.state, S::kInProgress);
}

TEST_F(TaskRules, RejectsRejectionByStranger) {
  auto result = Move(S::kDone, S::kInProgress, kStranger, "not good");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().reason(), "not_a_reviewer");
  EXPECT_EQ(result.status().message().substr(0, 24), "zhang.san may not reject");
}

TEST_F(TaskRules, RefusesUnknownActor) {
  auto result = Move(S::kOpen, S::kInProgress, "ghost");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnprocessable);
  EXPECT_EQ(result.status().reason(), "unknown_actor");
  EXPECT_EQ(result.status().message(), "'ghost' is not a person in the directory");
  EXPECT_EQ(Move(S::kOpen, S::kInProgress, "").status().reason(), "unknown_actor");
}

TEST_F(TaskRules, RefusesStartWhileDependencyUnfinished) {
  task_.depends_on = {5, 6, 8};
  deps_ = {{5, "Collect data", S::kOpen}, {6, "Export CRM", S::kDone}, {8, "Call", S::kBlocked}};
  auto result = Move(S::kOpen, S::kInProgress, kTaskOwner);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kConflict);
  EXPECT_EQ(result.status().reason(), "dependencies_unfinished");
  EXPECT_EQ(result.status().details()["dependencies"],
            nlohmann::json::parse(R"([{"id": 5, "title": "Collect data", "state": "open"},
                                      {"id": 8, "title": "Call", "state": "blocked"}])"));
  EXPECT_EQ(result.status().message(),
            "task 7 cannot move to in_progress before the tasks it depends on are done: "
            "task 5 \"Collect data\" (open), task 8 \"Call\" (blocked)");
}

TEST_F(TaskRules, RefusesDoneWhileDependencyUnfinished) {
  deps_ = {{5, "Collect data", S::kInProgress}};
  EXPECT_EQ(Move(S::kOpen, S::kDone, kTaskOwner).status().reason(), "dependencies_unfinished");
  EXPECT_EQ(Move(S::kInProgress, S::kDone, kTaskOwner).status().reason(),
            "dependencies_unfinished");
  EXPECT_EQ(Move(S::kBlocked, S::kInProgress, kTaskOwner).status().reason(),
            "dependencies_unfinished");
}

TEST_F(TaskRules, DoneAndVerifiedDependenciesSatisfy) {
  deps_ = {{5, "Collect data", S::kDone}, {6, "Export CRM", S::kVerified}};
  EXPECT_TRUE(Move(S::kOpen, S::kInProgress, kTaskOwner).ok());
  EXPECT_TRUE(Move(S::kInProgress, S::kDone, kTaskOwner).ok());
}

TEST_F(TaskRules, CancelledDependencyDoesNotSatisfy) {
  deps_ = {{5, "Collect data", S::kCancelled}};
  EXPECT_EQ(Move(S::kOpen, S::kInProgress, kTaskOwner).status().reason(),
            "dependencies_unfinished");
}

TEST_F(TaskRules, BlockingCancellingAndVerifyingIgnoreDependencies) {
  deps_ = {{5, "Collect data", S::kOpen}};
  EXPECT_TRUE(Move(S::kOpen, S::kBlocked, kTaskOwner, "waiting for 5").ok());
  EXPECT_TRUE(Move(S::kOpen, S::kCancelled, kTaskOwner, "not needed").ok());
  EXPECT_TRUE(Move(S::kInProgress, S::kOpen, kTaskOwner).ok());
  EXPECT_TRUE(Move(S::kDone, S::kVerified, kPlanOwner).ok());
}

TEST_F(TaskRules, RejectionIsNotHeldUpByAReopenedDependency) {
  deps_ = {{5, "Collect data", S::kInProgress}};
  EXPECT_TRUE(Move(S::kDone, S::kInProgress, kPlanOwner, "redo with the new data").ok());
}

TEST_F(TaskRules, RefusesStaleVersion) {
  task_.state = S::kOpen;
  TransitionRequest request{S::kInProgress, "", kTaskOwner, 3};
  auto result = DecideTransition(task_, plan_, deps_, directory_, request, kNow);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kPreconditionFailed);
  EXPECT_EQ(result.status().reason(), "version_mismatch");
  EXPECT_EQ(result.status().details(), nlohmann::json({{"current_version", 4}}));
  EXPECT_EQ(result.status().message(), "task 7 is at version 4, not 3; reload it and try again");
}

TEST_F(TaskRules, AcceptsCurrentVersion) {
  task_.state = S::kOpen;
  TransitionRequest request{S::kInProgress, "", kTaskOwner, 4};
  auto result = DecideTransition(task_, plan_, deps_, directory_, request, kNow);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->task.version, 5);
}

TEST_F(TaskRules, CancelledPlanRefusesEveryTransition) {
  plan_.state = PlanState::kCancelled;
  for (S from : kAllTaskStates) {
    for (S to : kTable.at(from)) {
      auto result = Move(from, to, kPlanOwner, "note");
      ASSERT_FALSE(result.ok()) << Trace(from, to);
      EXPECT_EQ(result.status().reason(), "plan_not_active") << Trace(from, to);
      EXPECT_EQ(result.status().code(), StatusCode::kConflict);
    }
  }
}

TEST_F(TaskRules, CompletedPlanAllowsOnlyReopeningACancelledTask) {
  plan_.state = PlanState::kCompleted;
  for (S from : kAllTaskStates) {
    for (S to : kTable.at(from)) {
      auto result = Move(from, to, kPlanOwner, "note");
      if (from == S::kCancelled && to == S::kOpen) {
        EXPECT_TRUE(result.ok()) << result.status().ToString();
      } else {
        EXPECT_EQ(result.status().reason(), "plan_not_active") << Trace(from, to);
      }
    }
  }
}

TEST_F(TaskRules, OutcomeBumpsVersionAndStampsTimes) {
  auto result = Move(S::kInProgress, S::kDone, kTaskOwner, "200 answers in the sheet");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const Task& t = result->task;
  EXPECT_EQ(t.version, 5);
  EXPECT_EQ(t.updated_at, kNow);
  EXPECT_EQ(t.completed_at, kNow);
  EXPECT_EQ(t.created_at, task_.created_at);
  EXPECT_EQ(t.title, task_.title);
  const TaskEvent& e = result->event;
  EXPECT_EQ(e.id, 0);
  EXPECT_EQ(e.task_id, 7);
  EXPECT_EQ(e.plan_id, 3);
  EXPECT_EQ(e.at, kNow);
  EXPECT_EQ(e.actor, kTaskOwner);
  EXPECT_EQ(e.kind, kEventTransition);
  EXPECT_EQ(e.from, S::kInProgress);
  EXPECT_EQ(e.to, S::kDone);
  EXPECT_EQ(e.note, "200 answers in the sheet");
}

TEST_F(TaskRules, VerifyingKeepsTheCompletionTime) {
  task_.completed_at = kNow - hours{5};
  auto result = Move(S::kDone, S::kVerified, kPlanOwner);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->task.completed_at, kNow - hours{5});
}

TEST_F(TaskRules, RefusalOrderReportsTheFirstBrokenRule) {
  // A stale request for a forbidden move by a stranger is reported as stale first.
  task_.state = S::kVerified;
  TransitionRequest request{S::kOpen, "", "ghost", 1};
  EXPECT_EQ(DecideTransition(task_, plan_, deps_, directory_, request, kNow).status().reason(),
            "version_mismatch");
  request.expected_version.reset();
  EXPECT_EQ(DecideTransition(task_, plan_, deps_, directory_, request, kNow).status().reason(),
            "transition_not_allowed");
}

// DerivePlanState.

PlanState Derive(PlanState current, std::vector<S> states) {
  return DerivePlanState(current, states);
}

TEST(DerivePlanState, PlanWithoutTasksIsActive) {
  EXPECT_EQ(Derive(PlanState::kActive, {}), PlanState::kActive);
}

TEST(DerivePlanState, PlanWithWorkLeftIsActive) {
  EXPECT_EQ(Derive(PlanState::kActive, {S::kVerified, S::kOpen}), PlanState::kActive);
  EXPECT_EQ(Derive(PlanState::kActive, {S::kVerified, S::kDone}), PlanState::kActive);
  EXPECT_EQ(Derive(PlanState::kActive, {S::kVerified, S::kBlocked}), PlanState::kActive);
}

TEST(DerivePlanState, AllVerifiedCompletes) {
  EXPECT_EQ(Derive(PlanState::kActive, {S::kVerified, S::kVerified}), PlanState::kCompleted);
}

TEST(DerivePlanState, VerifiedAndCancelledCompletes) {
  EXPECT_EQ(Derive(PlanState::kActive, {S::kCancelled, S::kVerified}), PlanState::kCompleted);
}

TEST(DerivePlanState, AllCancelledDoesNotComplete) {
  EXPECT_EQ(Derive(PlanState::kActive, {S::kCancelled, S::kCancelled}), PlanState::kActive);
}

TEST(DerivePlanState, CompletedPlanWithNewWorkIsActiveAgain) {
  EXPECT_EQ(Derive(PlanState::kCompleted, {S::kVerified, S::kOpen}), PlanState::kActive);
  EXPECT_EQ(Derive(PlanState::kCompleted, {S::kVerified}), PlanState::kCompleted);
}

TEST(DerivePlanState, CancelledPlanStaysCancelled) {
  EXPECT_EQ(Derive(PlanState::kCancelled, {S::kVerified}), PlanState::kCancelled);
  EXPECT_EQ(Derive(PlanState::kCancelled, {S::kOpen}), PlanState::kCancelled);
}

// FindDependencyCycle.

using Graph = std::map<TaskId, std::vector<TaskId>>;

// A cycle as documented: distinct ids, each depending on the next, the last on the first.
void ExpectIsCycleOf(const Graph& graph, const std::vector<TaskId>& cycle) {
  ASSERT_FALSE(cycle.empty());
  EXPECT_EQ(std::set<TaskId>(cycle.begin(), cycle.end()).size(), cycle.size());
  for (size_t i = 0; i < cycle.size(); ++i) {
    const TaskId next = cycle[(i + 1) % cycle.size()];
    const auto& deps = graph.at(cycle[i]);
    EXPECT_NE(std::find(deps.begin(), deps.end(), next), deps.end())
        << cycle[i] << " does not depend on " << next;
  }
}

TEST(FindDependencyCycle, EmptyGraphHasNone) { EXPECT_EQ(FindDependencyCycle({}), std::nullopt); }

TEST(FindDependencyCycle, DagHasNone) {
  // A diamond plus a task named only as a dependency.
  const Graph graph = {{1, {2, 3}}, {2, {4}}, {3, {4}}, {4, {9}}};
  EXPECT_EQ(FindDependencyCycle(graph), std::nullopt);
}

TEST(FindDependencyCycle, FindsSelfLoop) {
  const Graph graph = {{1, {}}, {2, {2}}};
  EXPECT_EQ(FindDependencyCycle(graph), std::vector<TaskId>{2});
}

TEST(FindDependencyCycle, FindsTwoCycle) {
  const Graph graph = {{1, {2}}, {2, {1}}};
  auto cycle = FindDependencyCycle(graph);
  ASSERT_TRUE(cycle.has_value());
  EXPECT_EQ(cycle->size(), 2u);
  ExpectIsCycleOf(graph, *cycle);
}

TEST(FindDependencyCycle, FindsLongCycleBehindADag) {
  // 1 and 2 lead into the cycle 10 -> 11 -> 12 -> 13 -> 14 -> 10 without being on it.
  const Graph graph = {{1, {2, 10}}, {2, {3}},   {3, {}},    {10, {11}},
                       {11, {12}},   {12, {13}}, {13, {14}}, {14, {10, 3}}};
  auto cycle = FindDependencyCycle(graph);
  ASSERT_TRUE(cycle.has_value());
  EXPECT_EQ(std::set<TaskId>(cycle->begin(), cycle->end()), (std::set<TaskId>{10, 11, 12, 13, 14}));
  ExpectIsCycleOf(graph, *cycle);
}

TEST(FindDependencyCycle, HandlesLongChainsWithoutRecursion) {
  Graph graph;
  constexpr TaskId kLength = 20000;
  for (TaskId i = 1; i < kLength; ++i) graph[i] = {i + 1};
  EXPECT_EQ(FindDependencyCycle(graph), std::nullopt);
  graph[kLength] = {1};
  auto cycle = FindDependencyCycle(graph);
  ASSERT_TRUE(cycle.has_value());
  EXPECT_EQ(cycle->size(), static_cast<size_t>(kLength));
}

}  // namespace
}  // namespace kaizen
