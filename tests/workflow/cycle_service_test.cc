#include "workflow/cycle_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/in_memory_repository.h"
#include "tests/support/sample_directory.h"
#include "workflow/plan_service.h"
#include "workflow/task_rules.h"

namespace kaizen {
namespace {

using std::chrono::hours;
using testing::InMemoryPlanRepository;

Instant At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  if (!t) ADD_FAILURE() << "bad test time " << rfc3339;
  return t.value_or(Instant{});
}

PlanTemplate MonthlyReview() {
  PlanTemplate t;
  t.id = "monthly-review";
  t.title = "Monthly operations review {year}-{month}";
  t.kind = std::string(kPlanKindMonthlyReview);
  t.owner = {OwnerRef::Kind::kRole, "lead"};
  TemplateTask stats;
  stats.key = "stats";
  stats.title = "Data statistics";
  stats.owner = {OwnerRef::Kind::kRole, "analyst"};
  stats.deadline.kind = TemplateDeadline::Kind::kAfter;
  stats.deadline.after = std::chrono::hours(72);
  TemplateTask analysis;
  analysis.key = "analysis";
  analysis.title = "Problem analysis";
  analysis.owner = {OwnerRef::Kind::kPerson, testing::kManager};
  analysis.depends_on = {"stats"};
  analysis.deadline.kind = TemplateDeadline::Kind::kAfter;
  analysis.deadline.after = std::chrono::hours(24 * 5);
  t.tasks = {stats, analysis};
  return t;
}

// A fake of the report helper's two steps that records what it was asked: carrying moves the
// unfinished tasks by hand (plan_id, lineage), closing sets closed_at.
struct RecordingSteps {
  std::vector<std::pair<PlanId, PlanId>> carried;
  std::vector<PlanId> closed;

  CycleSteps Bind() {
    CycleSteps steps;
    steps.carry_over = [this](PlanRepository& repo, const Plan& from, const Plan& to,
                              Instant now) -> Result<int> {
      carried.emplace_back(from.id, to.id);
      int n = 0;
      for (Task task : repo.TasksOfPlan(from.id)) {
        if (!IsUnfinished(task.state)) continue;
        task.plan_id = to.id;
        task.carried_from = from.id;
        ++task.carry_count;
        task.updated_at = now;
        repo.UpdateTask(task);
        ++n;
      }
      return n;
    };
    steps.close_plan = [this](PlanRepository& repo, PlanId id, Instant now) -> Result<bool> {
      std::optional<Plan> plan = repo.FindPlan(id);
      if (!plan) return NotFound("plan_not_found", "no plan");
      if (plan->closed_at) return false;
      plan->closed_at = now;
      repo.UpdatePlan(*plan);
      closed.push_back(id);
      return true;
    };
    return steps;
  }
};

class CycleServiceTest : public ::testing::Test {
 protected:
  CycleServiceTest()
      : directory_(testing::SampleDirectory()),
        template_(MonthlyReview()),
        calendar_(WeekdayCalendar("Asia/Shanghai")) {
    spec_.id = "ops-monthly";
    spec_.template_id = template_.id;
    spec_.team = "ops";
    spec_.rule = ParseCronRule("0 9 1 * *").value();
    spec_.time_zone = "Asia/Shanghai";
  }

  CycleContext Context() {
    CycleContext c;
    c.spec = &spec_;
    c.plan_template = &template_;
    c.settings = &settings_;
    c.directory = &directory_;
    c.working_days = &calendar_;
    c.steps = steps_.Bind();
    return c;
  }

  ScheduleRun Run(Instant now) {
    Result<ScheduleRun> run = RunSchedule(repo_, Context(), now);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? *run : ScheduleRun{};
  }

  Directory directory_;
  PlanTemplate template_;
  WorkingCalendar calendar_;
  FollowUpSettings settings_;
  ScheduleSpec spec_;
  RecordingSteps steps_;
  InMemoryPlanRepository repo_;
};

TEST_F(CycleServiceTest, FirstSightCountsFromNowThenTheFireStartsACycle) {
  ScheduleRun first = Run(At("2026-11-20T10:00:00+08:00"));
  EXPECT_FALSE(first.outcome);
  EXPECT_EQ(first.next_wake, At("2026-12-01T09:00:00+08:00"));
  ASSERT_TRUE(repo_.FindScheduleRow("ops-monthly"));
  EXPECT_EQ(repo_.FindScheduleRow("ops-monthly")->last_nominal_fire,
            At("2026-11-20T10:00:00+08:00"));

  ScheduleRun due = Run(At("2026-12-01T09:00:01+08:00"));
  ASSERT_TRUE(due.outcome);
  EXPECT_EQ(due.outcome->kind, CycleOutcome::Kind::kStarted);
  EXPECT_EQ(due.cause, CycleCause::kSchedule);
  const CycleRow& cycle = due.outcome->cycle;
  EXPECT_EQ(cycle.nominal_fire, At("2026-12-01T09:00:00+08:00"));
  EXPECT_EQ(cycle.cause, "schedule");
  std::optional<Plan> plan = repo_.FindPlan(cycle.plan_id);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->title, "Monthly operations review 2026-12");
  EXPECT_EQ(plan->owner, testing::kPlanOwner);  // role "lead"
  EXPECT_EQ(plan->template_id, "monthly-review");
  EXPECT_EQ(plan->closes_at, At("2027-01-01T09:00:00+08:00"));  // the next fire
  std::vector<Task> tasks = repo_.TasksOfPlan(plan->id);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].owner, testing::kTaskOwner);  // role "analyst"
  EXPECT_EQ(tasks[0].due_at, At("2026-12-04T09:00:00+08:00"));
  EXPECT_EQ(tasks[1].depends_on, std::vector<TaskId>{tasks[0].id});
  // The team hears of it once, through the default channel "log".
  ASSERT_EQ(repo_.notifications().size(), 1u);
  const Notification& n = repo_.notifications().begin()->second;
  EXPECT_EQ(n.event.kind, kNotifyCycleStarted);
  EXPECT_EQ(n.event.facts.at("tasks_total"), "2");
  EXPECT_EQ(repo_.FindScheduleRow("ops-monthly")->last_nominal_fire,
            At("2026-12-01T09:00:00+08:00"));
  std::vector<ScheduleEvent> events = repo_.RecentScheduleEvents("ops-monthly", 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, kScheduleEventStarted);

  // Running again in the same minute starts nothing more.
  ScheduleRun again = Run(At("2026-12-01T09:00:30+08:00"));
  EXPECT_FALSE(again.outcome);
  EXPECT_EQ(repo_.cycles().size(), 1u);
}

TEST_F(CycleServiceTest, StartingTheSameNominalFireTwiceDoesNothing) {
  ScheduledFire fire;
  fire.fire.at = At("2026-12-01T09:00:00+08:00");
  fire.starts_at = fire.fire.at;
  auto first = StartCycle(repo_, Context(), fire, CycleCause::kSchedule, fire.fire.at);
  ASSERT_TRUE(first.ok());
  auto second = StartCycle(repo_, Context(), fire, CycleCause::kCatchUp, fire.fire.at + hours(1));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->kind, CycleOutcome::Kind::kAlreadyExists);
  EXPECT_EQ(second->cycle.id, first->cycle.id);
  EXPECT_EQ(repo_.plans().size(), 1u);
}

TEST_F(CycleServiceTest, CatchUpAfterDowntimeStartsOnceAndRecordsOlderMisses) {
  spec_.rule = ParseCronRule("0 9 * * *").value();
  repo_.UpsertScheduleRow({"ops-monthly", At("2026-11-26T09:00:00+08:00"), false, "", std::nullopt,
                           At("2026-11-26T09:00:00+08:00")});
  ScheduleRun run = Run(At("2026-11-29T12:00:00+08:00"));
  ASSERT_TRUE(run.outcome);
  EXPECT_EQ(run.cause, CycleCause::kCatchUp);
  EXPECT_EQ(run.outcome->cycle.cause, "catch_up");
  EXPECT_EQ(run.outcome->cycle.nominal_fire, At("2026-11-29T09:00:00+08:00"));
  // Three hours late: what kaizen_schedule_fire_lag_seconds records for this cycle.
  EXPECT_EQ(run.outcome->starts_at, At("2026-11-29T09:00:00+08:00"));
  EXPECT_EQ(run.outcome->cycle.started_at - run.outcome->starts_at, hours(3));
  EXPECT_EQ(run.missed, 2);
  std::vector<ScheduleEvent> events = repo_.RecentScheduleEvents("ops-monthly", 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, kScheduleEventMissed);
  EXPECT_EQ(events[1].count, 2);
  EXPECT_EQ(events[1].nominal_fire, At("2026-11-28T09:00:00+08:00"));
  EXPECT_EQ(events[0].kind, kScheduleEventStarted);
  EXPECT_FALSE(Run(At("2026-11-29T12:00:05+08:00")).outcome);
  EXPECT_EQ(repo_.cycles().size(), 1u);
}

TEST_F(CycleServiceTest, CarryOverMovesUnfinishedTasksAndClosesThePreviousCycle) {
  Run(At("2026-11-20T10:00:00+08:00"));
  ScheduleRun december = Run(At("2026-12-01T09:00:00+08:00"));
  ASSERT_TRUE(december.outcome);
  const PlanId first_plan = december.outcome->cycle.plan_id;
  std::vector<Task> tasks = repo_.TasksOfPlan(first_plan);
  // The statistics get done; the analysis is still open when January starts.
  for (TaskState to : {TaskState::kInProgress, TaskState::kDone}) {
    TransitionRequest request;
    request.to = to;
    request.actor = testing::kTaskOwner;
    auto moved =
        TransitionTask(repo_, directory_, tasks[0].id, request, At("2026-12-02T09:00:00+08:00"));
    ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  }

  ScheduleRun january = Run(At("2027-01-01T09:00:00+08:00"));
  ASSERT_TRUE(january.outcome);
  EXPECT_EQ(january.outcome->carried, 1);
  EXPECT_EQ(january.outcome->tasks, 3);  // two from the template, one carried
  EXPECT_EQ(january.outcome->closed_plan, first_plan);
  EXPECT_EQ(steps_.carried,
            (std::vector<std::pair<PlanId, PlanId>>{{first_plan, january.outcome->cycle.plan_id}}));
  EXPECT_EQ(january.outcome->cycle.previous_cycle_id, december.outcome->cycle.id);
  std::optional<Task> carried = repo_.FindTask(tasks[1].id);
  ASSERT_TRUE(carried);
  EXPECT_EQ(carried->plan_id, january.outcome->cycle.plan_id);
  EXPECT_EQ(carried->carried_from, first_plan);
}

TEST_F(CycleServiceTest, SkipOverlapRecordsAnEventAndStartsNothing) {
  spec_.overlap = OverlapPolicy::kSkip;
  Run(At("2026-11-20T10:00:00+08:00"));
  ASSERT_TRUE(Run(At("2026-12-01T09:00:00+08:00")).outcome);
  ScheduleRun january = Run(At("2027-01-01T09:00:00+08:00"));
  ASSERT_TRUE(january.outcome);
  EXPECT_EQ(january.outcome->kind, CycleOutcome::Kind::kSkippedOverlap);
  EXPECT_EQ(repo_.cycles().size(), 1u);
  EXPECT_TRUE(steps_.closed.empty());
  EXPECT_EQ(repo_.RecentScheduleEvents("ops-monthly", 1).front().kind,
            kScheduleEventSkippedOverlap);
  // The watermark moved all the same: the skipped fire is not retried.
  EXPECT_EQ(repo_.FindScheduleRow("ops-monthly")->last_nominal_fire,
            At("2027-01-01T09:00:00+08:00"));
}

TEST_F(CycleServiceTest, AllowOverlapStartsBesideAndClosesThePrevious) {
  spec_.overlap = OverlapPolicy::kAllow;
  Run(At("2026-11-20T10:00:00+08:00"));
  ScheduleRun december = Run(At("2026-12-01T09:00:00+08:00"));
  ScheduleRun january = Run(At("2027-01-01T09:00:00+08:00"));
  ASSERT_TRUE(january.outcome);
  EXPECT_EQ(january.outcome->carried, 0);
  EXPECT_TRUE(steps_.carried.empty());
  EXPECT_EQ(steps_.closed, std::vector<PlanId>{december.outcome->cycle.plan_id});
  EXPECT_EQ(repo_.TasksOfPlan(december.outcome->cycle.plan_id).size(), 2u);
}

TEST_F(CycleServiceTest, PauseNeedsAReasonAndResumeDoesNotReplay) {
  Run(At("2026-11-20T10:00:00+08:00"));
  auto refused = PauseSchedule(repo_, "ops-monthly", "  ", At("2026-11-21T10:00:00+08:00"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().reason(), "reason_required");
  ASSERT_TRUE(
      PauseSchedule(repo_, "ops-monthly", "team offsite", At("2026-11-21T10:00:00+08:00")).ok());
  ScheduleRun paused = Run(At("2026-12-01T09:00:00+08:00"));
  EXPECT_TRUE(paused.paused);
  EXPECT_FALSE(paused.outcome);
  EXPECT_FALSE(paused.next_wake);

  auto resumed = ResumeSchedule(repo_, "ops-monthly", At("2026-12-01T12:00:00+08:00"));
  ASSERT_TRUE(resumed.ok());
  EXPECT_FALSE(resumed->paused);
  ScheduleRun after = Run(At("2026-12-01T12:00:01+08:00"));
  EXPECT_FALSE(after.outcome);  // December's fire, three hours ago, is not replayed
  EXPECT_EQ(after.missed, 0);
  EXPECT_EQ(after.next_wake, At("2027-01-01T09:00:00+08:00"));
  std::vector<ScheduleEvent> events = repo_.RecentScheduleEvents("ops-monthly", 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, kScheduleEventResumed);
  EXPECT_EQ(events[1].kind, kScheduleEventPaused);
  EXPECT_EQ(events[1].note, "team offsite");
}

TEST_F(CycleServiceTest, TriggerStartsACycleNowWithoutMovingTheWatermark) {
  Run(At("2026-11-20T10:00:00+08:00"));
  const Instant now = At("2026-11-25T15:30:00+08:00");
  auto triggered = TriggerCycle(repo_, Context(), now);
  ASSERT_TRUE(triggered.ok()) << triggered.status().ToString();
  EXPECT_EQ(triggered->cycle.cause, "trigger");
  EXPECT_EQ(triggered->cycle.nominal_fire, now);
  EXPECT_EQ(repo_.FindPlan(triggered->cycle.plan_id)->closes_at, At("2026-12-01T09:00:00+08:00"));
  EXPECT_EQ(repo_.FindScheduleRow("ops-monthly")->last_nominal_fire,
            At("2026-11-20T10:00:00+08:00"));
  auto twice = TriggerCycle(repo_, Context(), now);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().reason(), "cycle_exists");
  // December's fire still starts, and carries the triggered cycle's open tasks.
  ScheduleRun december = Run(At("2026-12-01T09:00:00+08:00"));
  ASSERT_TRUE(december.outcome);
  EXPECT_EQ(december.outcome->carried, 2);
}

TEST_F(CycleServiceTest, ARoleTheTeamDoesNotMapFailsAndWritesNothing) {
  spec_.team = "cs";  // maps no roles
  Run(At("2026-11-20T10:00:00+08:00"));
  Result<ScheduleRun> run = RunSchedule(repo_, Context(), At("2026-12-01T09:00:00+08:00"));
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().reason(), "unknown_role");
}

}  // namespace
}  // namespace kaizen
