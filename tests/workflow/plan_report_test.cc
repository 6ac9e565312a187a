#include "workflow/plan_report.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/in_memory_repository.h"
#include "tests/support/sample_directory.h"
#include "workflow/plan_service.h"

namespace kaizen {
namespace {

using std::chrono::hours;
using testing::kManager;
using testing::kPlanOwner;
using testing::kTaskOwner;

Instant At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  if (!t) ADD_FAILURE() << "bad test time " << rfc3339;
  return t.value_or(Instant{});
}

FollowUpSettings TwoChannels() {
  FollowUpSettings s;
  TeamFollowUp ops;
  ops.channels = {"ops-chat", "ops-webhook"};
  s.teams.emplace("ops", ops);
  return s;
}

const Instant kStart = At("2026-11-02T01:00:00Z");  // 09:00 in Shanghai, the plan is written

class PlanReportTest : public ::testing::Test {
 protected:
  PlanReportTest() : directory_(testing::SampleDirectory()), settings_(TwoChannels()) {}

  // A monthly review of ops with four tasks due on the 10th, 12th, 15th and 20th of November
  // (01:00 UTC), owned by han.meimei, wang.fang, han.meimei and li.lei, and one goal.
  PlanId MakePlan(const std::string& title = "Monthly operations review 2026-11") {
    NewPlan plan;
    plan.title = title;
    plan.kind = std::string(kPlanKindMonthlyReview);
    plan.owner = kPlanOwner;
    plan.team = "ops";
    Goal goal;
    goal.metric = "first response time";
    goal.baseline = 30;
    goal.target = 20;
    goal.unit = "min";
    plan.goals = {goal};
    const char* dues[] = {"2026-11-10T01:00:00Z", "2026-11-12T01:00:00Z", "2026-11-15T01:00:00Z",
                          "2026-11-20T01:00:00Z"};
    const char* owners[] = {kTaskOwner, kManager, kTaskOwner, kPlanOwner};
    const char* titles[] = {"Data statistics", "Problem analysis", "Improvement measures",
                            "Summary and outlook"};
    for (int i = 0; i < 4; ++i) {
      NewTask task;
      task.key = "t" + std::to_string(i);
      task.title = titles[i];
      task.owner = owners[i];
      task.due_at = At(dues[i]);
      plan.tasks.push_back(task);
    }
    auto created = CreatePlan(repo_, directory_, plan, kPlanOwner, kStart);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    tasks_.clear();
    for (const Task& t : created->tasks) tasks_.push_back(t.id);
    return created->plan.id;
  }

  void Move(TaskId id, TaskState to, const PersonId& actor, Instant at, std::string note = "") {
    TransitionRequest request{to, std::move(note), actor, std::nullopt};
    auto moved = TransitionTask(repo_, directory_, id, request, at);
    ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  }

  PlanReport Report(PlanId plan_id, Instant now,
                    const std::optional<PlanReport>& previous = std::nullopt) {
    return BuildReport(repo_, directory_, *repo_.FindPlan(plan_id), previous, now);
  }

  testing::InMemoryPlanRepository repo_;
  Directory directory_;
  FollowUpSettings settings_;
  std::vector<TaskId> tasks_;
};

TEST_F(PlanReportTest, CountsTasksByStateAndOnTimeAmongFinishedOrDue) {
  PlanId plan = MakePlan();
  // Task 0 done on time (9th, due 10th) and verified; task 1 done late (13th, due 12th).
  Move(tasks_[0], TaskState::kDone, kTaskOwner, At("2026-11-09T01:00:00Z"));
  Move(tasks_[0], TaskState::kVerified, kPlanOwner, At("2026-11-09T02:00:00Z"));
  Move(tasks_[1], TaskState::kDone, kManager, At("2026-11-13T01:00:00Z"));
  // On the 16th: task 2 (due 15th) is overdue, task 3 (due 20th) is not due yet.
  PlanReport r = Report(plan, At("2026-11-16T03:00:00Z"));

  EXPECT_EQ(r.tasks_total, 4);
  EXPECT_EQ(r.tasks_by_state.at(TaskState::kVerified), 1);
  EXPECT_EQ(r.tasks_by_state.at(TaskState::kDone), 1);
  EXPECT_EQ(r.tasks_by_state.at(TaskState::kOpen), 2);
  EXPECT_EQ(r.tasks_by_state.at(TaskState::kCancelled), 0);
  EXPECT_EQ(r.finished, 2);
  EXPECT_EQ(r.finished_on_time, 1);
  // 1 on time of 3 that count (two finished, one due): the one not due yet is left out.
  ASSERT_TRUE(r.on_time_percent.has_value());
  EXPECT_DOUBLE_EQ(*r.on_time_percent, 33.3);
  EXPECT_EQ(r.team, "ops");
  EXPECT_EQ(r.time_zone, "Asia/Shanghai");
  EXPECT_EQ(r.plan_state, PlanState::kActive);
  EXPECT_FALSE(r.closed_at.has_value());
}

TEST_F(PlanReportTest, NoOnTimeFigureBeforeAnythingIsFinishedOrDue) {
  PlanId plan = MakePlan();
  PlanReport r = Report(plan, At("2026-11-03T00:00:00Z"));
  EXPECT_FALSE(r.on_time_percent.has_value());
  EXPECT_TRUE(r.overdue.empty());
}

TEST_F(PlanReportTest, ListsOverdueTasksWithOwnerNamesAndWholeDaysLateMostLateFirst) {
  PlanId plan = MakePlan();
  Move(tasks_[3], TaskState::kCancelled, kPlanOwner, At("2026-11-05T00:00:00Z"), "not needed");
  // On the 16th 03:00 UTC: task 0 is 6 days 2 hours late, task 1 4 days 2 hours, task 2 1 day.
  PlanReport r = Report(plan, At("2026-11-16T03:00:00Z"));
  ASSERT_EQ(r.overdue.size(), 3u);
  EXPECT_EQ(r.overdue[0].id, tasks_[0]);
  EXPECT_EQ(r.overdue[0].days_late, 6);
  EXPECT_EQ(r.overdue[0].owner, kTaskOwner);
  EXPECT_EQ(r.overdue[0].owner_name, "Han Meimei");
  EXPECT_EQ(r.overdue[1].id, tasks_[1]);
  EXPECT_EQ(r.overdue[1].days_late, 4);
  EXPECT_EQ(r.overdue[1].owner_name, "Wang Fang");
  EXPECT_EQ(r.overdue[2].id, tasks_[2]);
  EXPECT_EQ(r.overdue[2].days_late, 1);
  // Cancelled tasks are neither overdue nor part of the on-time share: 0 of 3.
  EXPECT_EQ(r.snapshot.cancelled, 1);
  EXPECT_DOUBLE_EQ(r.on_time_percent.value(), 0.0);
}

TEST_F(PlanReportTest, GoalsCarryBaselineTargetAndLatestValue) {
  PlanId plan = MakePlan();
  Plan p = *repo_.FindPlan(plan);
  p.goals[0].actual = 24.5;
  p.goals[0].actual_at = At("2026-11-14T08:00:00Z");
  p.goals[0].owner = kManager;
  repo_.UpdatePlan(p);
  PlanReport r = Report(plan, At("2026-11-16T00:00:00Z"));
  ASSERT_EQ(r.goals.size(), 1u);
  EXPECT_EQ(r.goals[0].metric, "first response time");
  EXPECT_EQ(r.goals[0].baseline, 30);
  EXPECT_EQ(r.goals[0].target, 20);
  EXPECT_EQ(r.goals[0].actual, 24.5);
  EXPECT_EQ(r.goals[0].actual_at, At("2026-11-14T08:00:00Z"));
  EXPECT_EQ(r.goals[0].owner, std::optional<PersonId>(kManager));
  EXPECT_EQ(r.goals[0].unit, "min");
}

TEST_F(PlanReportTest, SnapshotSeparatesScopeAtStartAddedCarriedInAndCarriedOut) {
  PlanId earlier = MakePlan("October review");
  std::vector<TaskId> october = tasks_;
  PlanId plan = MakePlan("November review");
  std::vector<TaskId> november = tasks_;
  // One of October's tasks was carried into November (already carried once before).
  Task carried_in = *repo_.FindTask(october[2]);
  carried_in.plan_id = plan;
  carried_in.carried_from = earlier;
  carried_in.carry_count = 2;
  repo_.UpdateTask(carried_in);
  // A task added on the 5th.
  NewTask extra;
  extra.title = "Customer feedback";
  extra.owner = kTaskOwner;
  extra.due_at = At("2026-11-25T01:00:00Z");
  ASSERT_TRUE(AddTask(repo_, directory_, plan, extra, kPlanOwner, At("2026-11-05T00:00:00Z")).ok());
  // Two of November's tasks move on to a later plan.
  PlanId later = MakePlan("December review");
  for (TaskId id : {november[2], november[3]}) {
    Task t = *repo_.FindTask(id);
    t.plan_id = later;
    t.carried_from = plan;
    t.carry_count = 1;
    repo_.UpdateTask(t);
  }
  Move(november[0], TaskState::kDone, kTaskOwner, At("2026-11-06T00:00:00Z"));
  Move(november[1], TaskState::kDone, kManager, At("2026-11-06T00:00:00Z"));
  Move(november[1], TaskState::kVerified, kPlanOwner, At("2026-11-06T01:00:00Z"));

  PlanReport r = Report(plan, At("2026-11-30T00:00:00Z"));
  // At start: November's four (two of which left) and the one carried in; added: one.
  EXPECT_EQ(r.snapshot.scope_at_start, 5);
  EXPECT_EQ(r.snapshot.added, 1);
  EXPECT_EQ(r.snapshot.done, 1);
  EXPECT_EQ(r.snapshot.verified, 1);
  EXPECT_EQ(r.snapshot.cancelled, 0);
  EXPECT_EQ(r.snapshot.carried, 2);
  // The plan now holds four tasks: two of its own, the carried-in one and the added one.
  EXPECT_EQ(r.tasks_total, 4);
  ASSERT_EQ(r.carried_twice.size(), 1u);
  EXPECT_EQ(r.carried_twice[0].id, october[2]);
  EXPECT_EQ(r.carried_twice[0].carry_count, 2);
  EXPECT_EQ(r.carried_twice[0].carried_from, std::optional<PlanId>(earlier));
}

TEST_F(PlanReportTest, ChangeAgainstThePreviousCycle) {
  PlanId plan = MakePlan();
  Move(tasks_[0], TaskState::kDone, kTaskOwner, At("2026-11-09T00:00:00Z"));
  PlanReport previous;
  previous.plan_id = 7;
  previous.on_time_percent = 20;
  previous.overdue.resize(5);
  // On the 16th: 1 on time of 3 counted (33.3%), 2 overdue.
  PlanReport r = Report(plan, At("2026-11-16T03:00:00Z"), previous);
  EXPECT_EQ(r.previous_plan_id, std::optional<PlanId>(7));
  EXPECT_DOUBLE_EQ(r.on_time_percent_change.value(), 13.3);
  EXPECT_EQ(r.overdue_change, std::optional<int>(-3));

  PlanReport first = Report(plan, At("2026-11-16T03:00:00Z"));
  EXPECT_FALSE(first.previous_plan_id.has_value());
  EXPECT_FALSE(first.overdue_change.has_value());
}

TEST_F(PlanReportTest, JsonRoundTripsEveryField) {
  PlanId earlier = MakePlan("October review");
  PlanId plan = MakePlan();
  Task t = *repo_.FindTask(tasks_[2]);
  t.carried_from = earlier;
  t.carry_count = 3;
  repo_.UpdateTask(t);
  Plan p = *repo_.FindPlan(plan);
  p.goals[0].actual = 22;
  p.goals[0].actual_at = At("2026-11-14T08:00:00Z");
  repo_.UpdatePlan(p);
  Move(tasks_[0], TaskState::kDone, kTaskOwner, At("2026-11-09T00:00:00Z"));
  PlanReport previous;
  previous.plan_id = earlier;
  previous.on_time_percent = 50;
  PlanReport r = Report(plan, At("2026-11-16T03:00:00Z"), previous);
  r.closed_at = At("2026-11-16T03:00:00Z");
  ASSERT_FALSE(r.overdue.empty());
  ASSERT_FALSE(r.carried_twice.empty());

  std::optional<PlanReport> back = ReportFromJson(ReportToJson(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, r);
  auto json = nlohmann::json::parse(ReportToJson(r));
  EXPECT_EQ(json["closed_at"], "2026-11-16T03:00:00Z");
  EXPECT_EQ(json["tasks_by_state"]["done"], 1);
  EXPECT_EQ(json["previous"]["plan_id"], earlier);
  EXPECT_EQ(json["snapshot"]["scope_at_start"], 4);
}

TEST_F(PlanReportTest, ReportFromJsonRefusesWhatItDidNotWrite) {
  EXPECT_FALSE(ReportFromJson("").has_value());
  EXPECT_FALSE(ReportFromJson("{}").has_value());
  EXPECT_FALSE(ReportFromJson("[1,2]").has_value());
  PlanId plan = MakePlan();
  auto json = nlohmann::json::parse(ReportToJson(Report(plan, kStart)));
  json["plan_state"] = "sleeping";
  EXPECT_FALSE(ReportFromJson(json.dump()).has_value());
  json = nlohmann::json::parse(ReportToJson(Report(plan, kStart)));
  json["generated_at"] = "yesterday";
  EXPECT_FALSE(ReportFromJson(json.dump()).has_value());
}

TEST_F(PlanReportTest, MarkdownInEnglishAndChinese) {
  PlanId plan = MakePlan();
  Move(tasks_[0], TaskState::kDone, kTaskOwner, At("2026-11-09T00:00:00Z"));
  PlanReport r = Report(plan, At("2026-11-16T03:00:00Z"));

  std::string en = ReportToMarkdown(r, "en");
  EXPECT_NE(en.find("# Report: Monthly operations review 2026-11"), std::string::npos) << en;
  EXPECT_NE(en.find("**On time: 33.3%** (1 of 1 finished tasks were done by their deadline)"),
            std::string::npos)
      << en;
  // Times in the team's zone: due 2026-11-12T01:00Z is 09:00 in Shanghai.
  EXPECT_NE(en.find("| " + std::to_string(tasks_[1]) +
                    " | Problem analysis | Wang Fang | 2026-11-12 09:00 | 4 |"),
            std::string::npos)
      << en;
  EXPECT_NE(en.find("| first response time | 30min | 20min | - | - |"), std::string::npos) << en;
  EXPECT_NE(en.find("- Scope at start: 4"), std::string::npos) << en;
  EXPECT_NE(en.find("Live report, generated: 2026-11-16 11:00 (Asia/Shanghai)"), std::string::npos)
      << en;

  std::string zh = ReportToMarkdown(r, "zh-CN");
  EXPECT_NE(zh.find("# 报告：Monthly operations review 2026-11"), std::string::npos) << zh;
  EXPECT_NE(zh.find("**按时完成率：33.3%**"), std::string::npos) << zh;
  EXPECT_NE(zh.find("| 已完成 | 1 |"), std::string::npos) << zh;
  EXPECT_NE(zh.find("- 期初范围：4"), std::string::npos) << zh;
  EXPECT_EQ(zh.find("Scope"), std::string::npos) << zh;
}

TEST_F(PlanReportTest, MarkdownNamesTheClosingAndThePreviousCycle) {
  PlanId plan = MakePlan();
  PlanReport previous;
  previous.plan_id = 3;
  previous.on_time_percent = 50;
  Move(tasks_[0], TaskState::kDone, kTaskOwner, At("2026-11-09T00:00:00Z"));
  PlanReport r = Report(plan, At("2026-11-11T03:00:00Z"), previous);
  r.closed_at = At("2026-11-11T03:00:00Z");
  std::string en = ReportToMarkdown(r, "en");
  EXPECT_NE(en.find("- Closed: 2026-11-11 11:00 (Asia/Shanghai)"), std::string::npos) << en;
  EXPECT_NE(en.find("## Against the previous cycle (#3)"), std::string::npos) << en;
  EXPECT_NE(en.find("- On time: +50 points"), std::string::npos) << en;
  EXPECT_NE(en.find("- Overdue tasks: 0\n"), std::string::npos) << en;
}

TEST_F(PlanReportTest, ClosePlanFreezesTheReportAndTellsTheTeamOnce) {
  PlanId plan = MakePlan();
  Move(tasks_[0], TaskState::kDone, kTaskOwner, At("2026-11-09T00:00:00Z"));
  const Instant close_at = At("2026-11-16T03:00:00Z");
  const Plan before = *repo_.FindPlan(plan);

  auto closed = ClosePlan(repo_, settings_, directory_, plan, std::nullopt, close_at);
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  EXPECT_TRUE(closed->newly_closed);
  EXPECT_EQ(closed->report.closed_at, std::optional<Instant>(close_at));
  EXPECT_EQ(closed->report.tasks_total, 4);

  const Plan after = *repo_.FindPlan(plan);
  EXPECT_EQ(after.closed_at, std::optional<Instant>(close_at));
  EXPECT_EQ(after.version, before.version + 1);
  EXPECT_EQ(after.updated_at, close_at);
  EXPECT_EQ(after.state, before.state);  // closing freezes; it does not finish work
  EXPECT_EQ(FrozenReport(repo_, plan), std::optional<PlanReport>(closed->report));

  // One cycle_summary per channel of the team, with the figures.
  std::vector<Notification> sent;
  for (const auto& [id, n] : repo_.notifications()) {
    if (n.event.kind == kNotifyCycleSummary) sent.push_back(n);
  }
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].channel, "ops-chat");
  EXPECT_EQ(sent[1].channel, "ops-webhook");
  const auto& facts = sent[0].event.facts;
  EXPECT_EQ(facts.at("tasks_total"), "4");
  EXPECT_EQ(facts.at("tasks_done"), "1");
  EXPECT_EQ(facts.at("tasks_overdue"), "2");
  EXPECT_EQ(facts.at("on_time_percent"), "33");  // 1 of 3 counted, rounded
  EXPECT_EQ(facts.at("tasks_carried"), "");
  EXPECT_EQ(sent[0].event.recipient_kind, RecipientKind::kTeam);
  EXPECT_EQ(sent[0].event.plan_id, plan);

  // Again, later and after more work: the same frozen report, nothing written.
  Move(tasks_[1], TaskState::kDone, kManager, At("2026-11-17T00:00:00Z"));
  const testing::InMemoryPlanRepository snapshot = repo_;
  auto again =
      ClosePlan(repo_, settings_, directory_, plan, std::nullopt, At("2026-11-20T00:00:00Z"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->newly_closed);
  EXPECT_EQ(again->report, closed->report);
  EXPECT_TRUE(repo_ == snapshot);
}

TEST_F(PlanReportTest, ClosePlanOfAnUnknownPlanIsNotFound) {
  auto closed = ClosePlan(repo_, settings_, directory_, 42, std::nullopt, kStart);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(closed.status().reason(), "plan_not_found");
  EXPECT_TRUE(repo_ == testing::InMemoryPlanRepository{});
}

TEST_F(PlanReportTest, ReportOfPlanIsLiveUntilClosedThenFrozenAndComparesWithThePreviousCycle) {
  PlanId october = MakePlan("October review");
  ASSERT_TRUE(
      ClosePlan(repo_, settings_, directory_, october, std::nullopt, At("2026-11-30T00:00:00Z"))
          .ok());
  PlanId november = MakePlan("November review");
  repo_.LinkCycle(october, std::nullopt);
  repo_.LinkCycle(november, october);
  EXPECT_TRUE(repo_.IsCyclePlan(november));
  EXPECT_EQ(PreviousCycleReport(repo_, november)->plan_id, october);
  EXPECT_FALSE(PreviousCycleReport(repo_, october).has_value());

  auto live = ReportOfPlan(repo_, directory_, november, At("2026-11-16T03:00:00Z"));
  ASSERT_TRUE(live.ok());
  EXPECT_FALSE(live->closed_at.has_value());
  EXPECT_EQ(live->previous_plan_id, std::optional<PlanId>(october));
  // October had all 4 overdue on the 30th; November has 3 on the 16th.
  EXPECT_EQ(live->overdue_change, std::optional<int>(-1));

  auto frozen = ReportOfPlan(repo_, directory_, october, At("2026-12-31T00:00:00Z"));
  ASSERT_TRUE(frozen.ok());
  EXPECT_EQ(frozen->closed_at, std::optional<Instant>(At("2026-11-30T00:00:00Z")));
  EXPECT_EQ(frozen->generated_at, At("2026-11-30T00:00:00Z"));

  auto missing = ReportOfPlan(repo_, directory_, 99, kStart);
  EXPECT_EQ(missing.status().reason(), "plan_not_found");
}

}  // namespace
}  // namespace kaizen
