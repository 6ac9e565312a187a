#include "workflow/goal_check_in.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/support/fake_clock.h"
#include "tests/support/in_memory_repository.h"
#include "tests/support/sample_directory.h"
#include "workflow/plan_service.h"

namespace kaizen {
namespace {

using std::chrono::days;
using std::chrono::hours;
using testing::kPlanOwner;
using testing::kTaskOwner;

constexpr Instant kStart = testing::FakeClock::kDefaultStart;

Goal CsatGoal() {
  Goal goal;
  goal.metric = "customer satisfaction";
  goal.baseline = 80;
  goal.target = 85;
  goal.unit = "%";
  goal.owner = kTaskOwner;
  goal.check_in_every = days{7};
  return goal;
}

Plan PlanWith(Goal goal, std::optional<Instant> closes_at = std::nullopt) {
  Plan plan;
  plan.id = 7;
  plan.title = "November review";
  plan.owner = kPlanOwner;
  plan.team = "ops";
  plan.created_at = kStart;
  plan.updated_at = kStart;
  plan.closes_at = closes_at;
  plan.goals = {std::move(goal)};
  return plan;
}

// ---- When check-ins fall due ----------------------------------------------------------------

TEST(GoalCheckIns, NoneBeforeTheFirstInterval) {
  Plan plan = PlanWith(CsatGoal());
  EXPECT_EQ(LatestCheckIn(plan, plan.goals[0], kStart), std::nullopt);
  EXPECT_EQ(DueCheckIn(plan, plan.goals[0], kStart + days{7} - std::chrono::seconds{1}),
            std::nullopt);
  EXPECT_TRUE(DueCheckIns(plan, kStart + days{6}).empty());
  EXPECT_EQ(NextCheckIn(plan, plan.goals[0], kStart), kStart + days{7});
}

TEST(GoalCheckIns, EveryIntervalFromTheStartTheLatestOneIsDue) {
  Plan plan = PlanWith(CsatGoal());
  EXPECT_EQ(DueCheckIn(plan, plan.goals[0], kStart + days{7}), kStart + days{7});
  // Three weeks down: one question, about the latest check-in.
  EXPECT_EQ(DueCheckIns(plan, kStart + days{22}),
            (std::vector<GoalCheckInDue>{{0, kStart + days{21}}}));
  EXPECT_EQ(NextCheckIn(plan, plan.goals[0], kStart + days{7}), kStart + days{14});
  EXPECT_EQ(NextCheckIn(plan, plan.goals[0], kStart + days{15}), kStart + days{21});
}

TEST(GoalCheckIns, AValueRecordedAtOrAfterTheCheckInAnswersIt) {
  Goal goal = CsatGoal();
  goal.actual = 82;
  goal.actual_at = kStart + days{8};
  Plan plan = PlanWith(goal);
  EXPECT_EQ(DueCheckIn(plan, plan.goals[0], kStart + days{10}), std::nullopt);
  // The next check-in asks again.
  EXPECT_EQ(DueCheckIn(plan, plan.goals[0], kStart + days{14}), kStart + days{14});

  plan.goals[0].actual_at = kStart + days{7};  // at the check-in itself: answered
  EXPECT_EQ(DueCheckIn(plan, plan.goals[0], kStart + days{7}), std::nullopt);
  plan.goals[0].actual_at = kStart + days{6};  // before it: not an answer
  EXPECT_EQ(DueCheckIn(plan, plan.goals[0], kStart + days{7}), kStart + days{7});
}

TEST(GoalCheckIns, BeforeCloseAddsALastCallAndTheCadenceStopsAtClosing) {
  Goal goal = CsatGoal();
  goal.check_in_before_close = days{3};
  Plan plan = PlanWith(goal, kStart + days{30});
  // Cadence: days 7, 14, 21, 28; last call: day 27.
  EXPECT_EQ(NextCheckIn(plan, plan.goals[0], kStart + days{22}), kStart + days{27});
  EXPECT_EQ(DueCheckIn(plan, plan.goals[0], kStart + days{27} + hours{1}), kStart + days{27});
  EXPECT_EQ(DueCheckIn(plan, plan.goals[0], kStart + days{28}), kStart + days{28});
  // Past closing, no day-35 check-in exists.
  EXPECT_EQ(LatestCheckIn(plan, plan.goals[0], kStart + days{40}), kStart + days{28});
  EXPECT_EQ(NextCheckIn(plan, plan.goals[0], kStart + days{28}), std::nullopt);
}

TEST(GoalCheckIns, BeforeCloseAloneAsksOnceAndNeedsAClosingTime) {
  Goal goal = CsatGoal();
  goal.check_in_every.reset();
  goal.check_in_before_close = days{2};
  Plan closing = PlanWith(goal, kStart + days{30});
  EXPECT_EQ(DueCheckIn(closing, closing.goals[0], kStart + days{27}), std::nullopt);
  EXPECT_EQ(DueCheckIn(closing, closing.goals[0], kStart + days{28}), kStart + days{28});
  EXPECT_EQ(NextCheckIn(closing, closing.goals[0], kStart), kStart + days{28});

  Plan open_ended = PlanWith(goal);  // no closes_at: nothing to come before
  EXPECT_EQ(LatestCheckIn(open_ended, open_ended.goals[0], kStart + days{400}), std::nullopt);
  EXPECT_EQ(NextCheckIn(open_ended, open_ended.goals[0], kStart), std::nullopt);
  // A last call that would fall before the plan even started is none.
  Plan short_plan = PlanWith(goal, kStart + days{1});
  EXPECT_EQ(LatestCheckIn(short_plan, short_plan.goals[0], kStart + days{2}), std::nullopt);
}

TEST(GoalCheckIns, OnlyGoalsWithAnOwnerOfActivePlansAreAsked) {
  Goal unowned = CsatGoal();
  unowned.owner.reset();
  Plan plan = PlanWith(CsatGoal());
  plan.goals.push_back(unowned);
  EXPECT_EQ(DueCheckIns(plan, kStart + days{7}),
            (std::vector<GoalCheckInDue>{{0, kStart + days{7}}}));
  plan.state = PlanState::kCompleted;
  EXPECT_TRUE(DueCheckIns(plan, kStart + days{7}).empty());
}

TEST(GoalCheckIns, CauseNamesPlanGoalAndInstant) {
  EXPECT_EQ(CheckInCause(7, 1, Instant{std::chrono::seconds{1796173200}}),
            "p7-g1-checkin-1796173200");
}

// ---- Recording a value ----------------------------------------------------------------------

class GoalCommands : public ::testing::Test {
 protected:
  GoalCommands() : directory_(testing::SampleDirectory()) {}

  PlanId CreatePlanWithGoal(Goal goal) {
    NewPlan plan;
    plan.title = "Raise CSAT to 85%";
    plan.owner = kPlanOwner;
    plan.team = "ops";
    plan.goals = {std::move(goal)};
    auto created = CreatePlan(repo_, directory_, plan, "api", clock_.Now());
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->plan.id : 0;
  }

  testing::FakeClock clock_;
  Directory directory_;
  testing::InMemoryPlanRepository repo_;
  FollowUpSettings settings_;
};

TEST_F(GoalCommands, CreatePlanRefusesAnUnknownGoalOwnerAndAZeroCadence) {
  Goal goal = CsatGoal();
  goal.owner = "nobody";
  NewPlan plan;
  plan.title = "t";
  plan.owner = kPlanOwner;
  plan.team = "ops";
  plan.goals = {CsatGoal(), goal};
  auto refused = CreatePlan(repo_, directory_, plan, "api", clock_.Now());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnprocessable);
  EXPECT_EQ(refused.status().reason(), "unknown_owner");
  EXPECT_EQ(refused.status().details()["field"], "goals[1].owner");

  plan.goals[1] = CsatGoal();
  plan.goals[1].check_in_every = std::chrono::seconds{0};
  refused = CreatePlan(repo_, directory_, plan, "api", clock_.Now());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().details()["field"], "goals[1].check_in.every");
  EXPECT_TRUE(repo_.plans().empty());
}

TEST_F(GoalCommands, RecordingAValueKeepsItsTimeAndHistory) {
  PlanId id = CreatePlanWithGoal(CsatGoal());
  clock_.Advance(days{8});
  auto first = RecordGoalValue(repo_, id, 0, {82, "survey of week 1", std::nullopt}, kTaskOwner,
                               clock_.Now());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->version, 2);
  EXPECT_EQ(first->goals[0].actual, 82);
  EXPECT_EQ(first->goals[0].actual_at, clock_.Now());
  EXPECT_EQ(repo_.FindPlan(id), *first);

  clock_.Advance(days{7});
  auto second = RecordGoalValue(repo_, id, 0, {83.5, "", 2}, "api", clock_.Now());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->version, 3);

  std::vector<GoalUpdate> history = repo_.GoalUpdatesOf(id, 0);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].value, 82);
  EXPECT_EQ(history[0].actor, kTaskOwner);
  EXPECT_EQ(history[0].note, "survey of week 1");
  EXPECT_EQ(history[0].at, kStart + days{8});
  EXPECT_EQ(history[1].value, 83.5);
  EXPECT_EQ(history[1].at, kStart + days{15});
  EXPECT_TRUE(repo_.GoalUpdatesOf(id, 1).empty());
}

TEST_F(GoalCommands, RefusedValuesChangeNothing) {
  PlanId id = CreatePlanWithGoal(CsatGoal());
  const testing::InMemoryPlanRepository before = repo_;
  auto reason_of = [&](PlanId plan, int index, GoalValue value) {
    auto r = RecordGoalValue(repo_, plan, index, value, "api", clock_.Now());
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string("ok") : r.status().reason();
  };
  EXPECT_EQ(reason_of(id + 1, 0, {1, "", std::nullopt}), "plan_not_found");
  EXPECT_EQ(reason_of(id, 1, {1, "", std::nullopt}), "goal_not_found");
  EXPECT_EQ(reason_of(id, -1, {1, "", std::nullopt}), "goal_not_found");
  EXPECT_EQ(reason_of(id, 0, {std::numeric_limits<double>::infinity(), "", std::nullopt}),
            "invalid_field");
  EXPECT_EQ(reason_of(id, 0, {std::nan(""), "", std::nullopt}), "invalid_field");
  EXPECT_EQ(reason_of(id, 0, {1, "", 5}), "version_mismatch");
  EXPECT_TRUE(repo_ == before);

  ASSERT_TRUE(CancelPlan(repo_, directory_, id, "dropped", "api", clock_.Now()).ok());
  auto cancelled = RecordGoalValue(repo_, id, 0, {1, "", std::nullopt}, "api", clock_.Now());
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.status().code(), StatusCode::kConflict);
  EXPECT_EQ(cancelled.status().reason(), "plan_not_active");
}

// ---- The sweep ------------------------------------------------------------------------------

TEST_F(GoalCommands, SweepNudgesTheOwnerOncePerCheckIn) {
  PlanId id = CreatePlanWithGoal(CsatGoal());
  CheckInSweepReport early = SweepGoalCheckIns(repo_, settings_, directory_, clock_.Now());
  EXPECT_EQ(early.notifications, 0);
  EXPECT_EQ(early.next_check_in, kStart + days{7});

  clock_.Advance(days{7});
  CheckInSweepReport first = SweepGoalCheckIns(repo_, settings_, directory_, clock_.Now());
  EXPECT_EQ(first.due, 1);
  EXPECT_EQ(first.notifications, 1);  // one per channel of the team: the default "log"
  EXPECT_EQ(first.next_check_in, kStart + days{14});
  ASSERT_EQ(repo_.notifications().size(), 1u);
  const Notification& n = repo_.notifications().begin()->second;
  EXPECT_EQ(n.event.kind, "goal_check_in");
  EXPECT_EQ(n.event.plan_id, id);
  EXPECT_EQ(n.event.recipient_kind, RecipientKind::kPerson);
  EXPECT_EQ(n.event.recipient, kTaskOwner);
  EXPECT_EQ(n.event.facts.at("goal_metric"), "customer satisfaction");
  EXPECT_EQ(n.event.facts.at("goal_target"), "85");
  EXPECT_EQ(n.event.facts.at("goal_unit"), "%");
  EXPECT_EQ(n.event.facts.at("goal_actual"), "");
  EXPECT_NE(n.idempotency_key.find(CheckInCause(id, 0, kStart + days{7})), std::string::npos);

  // Again a minute later, or after a restart: the same check-in, nothing new.
  clock_.Advance(std::chrono::minutes{1});
  EXPECT_EQ(SweepGoalCheckIns(repo_, settings_, directory_, clock_.Now()).notifications, 0);

  // Answered: the next sweep stays quiet until the next check-in, which asks again.
  ASSERT_TRUE(
      RecordGoalValue(repo_, id, 0, {82.5, "", std::nullopt}, kTaskOwner, clock_.Now()).ok());
  EXPECT_EQ(SweepGoalCheckIns(repo_, settings_, directory_, clock_.Now()).due, 0);
  clock_.Advance(days{7});
  EXPECT_EQ(SweepGoalCheckIns(repo_, settings_, directory_, clock_.Now()).notifications, 1);
  ASSERT_EQ(repo_.notifications().size(), 2u);
  EXPECT_EQ(repo_.notifications().rbegin()->second.event.facts.at("goal_actual"), "82.5");
}

}  // namespace
}  // namespace kaizen
