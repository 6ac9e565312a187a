#include "workflow/reminder_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/support/fake_clock.h"
#include "tests/support/sample_directory.h"
#include "workflow/duration.h"

namespace kaizen {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::kBoss;
using testing::kManager;
using testing::kPlanOwner;
using testing::kStranger;
using testing::kTaskOwner;

Instant At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  if (!t) ADD_FAILURE() << "bad test time " << rfc3339;
  return t.value_or(Instant{});
}

seconds Iso(const char* text) { return ParseIsoDuration(text).value(); }

// "kind:ordinal -> recipient at fire time": what a user would read off the plan, without the
// anchor part of the key.
std::string Line(const PlannedReminder& r) {
  std::string line = r.key.substr(0, r.key.find('@')) + " -> " +
                     (r.recipient_kind == RecipientKind::kTeam ? "team " : "") + r.recipient +
                     " at " + FormatRfc3339(r.fire_at);
  if (r.fire_at != r.nominal_at) line += " (from " + FormatRfc3339(r.nominal_at) + ")";
  if (r.urgent) line += " urgent";
  return line;
}

std::vector<std::string> Lines(const std::vector<PlannedReminder>& reminders) {
  std::vector<std::string> out;
  for (const auto& r : reminders) out.push_back(Line(r));
  return out;
}

std::set<std::string> Keys(const std::vector<PlannedReminder>& reminders) {
  std::set<std::string> out;
  for (const auto& r : reminders) out.insert(r.key);
  return out;
}

WorkingCalendar OpsCalendar() {  // Asia/Shanghai, Monday to Friday, 09:00-18:00
  WorkingCalendarOptions options;
  options.time_zone = "Asia/Shanghai";
  return WorkingCalendar::Create(options).value();
}

ReminderPolicy StandardPolicy() {
  ReminderPolicy policy;
  policy.name = "standard";
  policy.before = {Iso("P3D"), Iso("P1D"), Iso("PT2H")};
  policy.at_deadline = true;
  policy.overdue = {Iso("P1D"), 3};
  policy.escalations = {
      {Iso("P2D"), EscalationTarget::kManager, "", false, ""},
      {Iso("P3D"), EscalationTarget::kPlanOwner, "", false, ""},
      {Iso("P4D"), EscalationTarget::kPerson, kStranger, true, ""},
      {Iso("P5D"), EscalationTarget::kTeam, "", false, ""},
  };
  VerificationReminders verification;
  verification.first_after = Iso("PT4H");
  verification.repeat_interval = Iso("P1D");
  verification.max_count = 3;
  verification.escalate_after = Iso("P3D");
  policy.verification = verification;
  return policy;
}

class ReminderPlanning : public ::testing::Test {
 protected:
  ReminderPlanning()
      : directory_(testing::SampleDirectory()), always_(WorkingCalendar::AlwaysWorking()) {
    plan_.id = 3;
    plan_.owner = kPlanOwner;
    plan_.team = "ops";
    task_.id = 7;
    task_.plan_id = 3;
    task_.title = "Survey 200 customers";
    task_.owner = kTaskOwner;
    task_.due_at = At("2026-12-02T10:00:00+08:00");  // Wednesday; 02:00Z
    task_.state = TaskState::kInProgress;
    task_.created_at = At("2026-11-20T02:00:00Z");
    task_.updated_at = task_.created_at;
    policy_ = StandardPolicy();
  }

  std::vector<PlannedReminder> Plan(const WorkingCalendar& calendar) const {
    return PlanReminders(task_, plan_, policy_, calendar, directory_);
  }
  std::vector<PlannedReminder> Plan() const { return Plan(always_); }

  Directory directory_;
  WorkingCalendar always_;
  kaizen::Plan plan_;
  Task task_;
  ReminderPolicy policy_;
};

TEST_F(ReminderPlanning, PlansOffsetsDeadlineOverdueRepeatsAndEscalations) {
  EXPECT_EQ(Lines(Plan()), (std::vector<std::string>{
                               "before_due:P3D -> han.meimei at 2026-11-29T02:00:00Z",
                               "before_due:P1D -> han.meimei at 2026-12-01T02:00:00Z",
                               "before_due:PT2H -> han.meimei at 2026-12-02T00:00:00Z",
                               "at_due -> han.meimei at 2026-12-02T02:00:00Z",
                               "overdue:1 -> han.meimei at 2026-12-03T02:00:00Z",
                               "escalation:0 -> wang.fang at 2026-12-04T02:00:00Z",
                               "overdue:2 -> han.meimei at 2026-12-04T02:00:00Z",
                               "escalation:1 -> li.lei at 2026-12-05T02:00:00Z",
                               "overdue:3 -> han.meimei at 2026-12-05T02:00:00Z",
                               "escalation:2 -> zhang.san at 2026-12-06T02:00:00Z urgent",
                               "escalation:3 -> team ops at 2026-12-07T02:00:00Z",
                           }));
}

TEST_F(ReminderPlanning, KeysNameTheKindOrdinalAndAnchor) {
  const auto plan = Plan();
  const std::set<std::string> keys = Keys(plan);
  for (const char* key : {"before_due:P1D@2026-12-02T02:00:00Z", "at_due@2026-12-02T02:00:00Z",
                          "overdue:2@2026-12-02T02:00:00Z", "escalation:0@2026-12-02T02:00:00Z"}) {
    EXPECT_TRUE(keys.count(key)) << key;
  }
  EXPECT_EQ(keys.size(), plan.size());  // unique within the task
  for (const auto& r : plan) {
    EXPECT_EQ(r.task_id, 7);
    EXPECT_EQ(r.anchor, task_.due_at);
    EXPECT_EQ(ParseReminderKind(r.key.substr(0, r.key.find_first_of(":@"))), r.kind);
  }
}

TEST_F(ReminderPlanning, OverdueRepeatsStopAtMaxCount) {
  policy_.before.clear();
  policy_.at_deadline = false;
  policy_.escalations.clear();
  policy_.overdue = {Iso("PT12H"), 5};
  EXPECT_EQ(Lines(Plan()), (std::vector<std::string>{
                               "overdue:1 -> han.meimei at 2026-12-02T14:00:00Z",
                               "overdue:2 -> han.meimei at 2026-12-03T02:00:00Z",
                               "overdue:3 -> han.meimei at 2026-12-03T14:00:00Z",
                               "overdue:4 -> han.meimei at 2026-12-04T02:00:00Z",
                               "overdue:5 -> han.meimei at 2026-12-04T14:00:00Z",
                           }));
  policy_.overdue = {};
  EXPECT_TRUE(Plan().empty());
}

TEST_F(ReminderPlanning, EscalationTargetsAreResolvedOncePerLevel) {
  const auto plan = Plan();
  std::vector<const PlannedReminder*> escalations;
  for (const auto& r : plan) {
    if (r.kind == ReminderKind::kEscalation) escalations.push_back(&r);
  }
  ASSERT_EQ(escalations.size(), 4u);
  EXPECT_EQ(escalations[0]->recipient, kManager);  // han.meimei's manager in the directory
  EXPECT_EQ(escalations[1]->recipient, kPlanOwner);
  EXPECT_EQ(escalations[2]->recipient, kStranger);
  EXPECT_EQ(escalations[3]->recipient_kind, RecipientKind::kTeam);
  EXPECT_EQ(escalations[3]->recipient, "ops");
  EXPECT_TRUE(escalations[3]->mention_all);
  EXPECT_FALSE(escalations[0]->mention_all);
  EXPECT_TRUE(escalations[2]->urgent);
  EXPECT_FALSE(escalations[0]->urgent);
}

TEST_F(ReminderPlanning, ManagerEscalationFallsBackToPlanOwnerAndNeverReachesTheOwner) {
  policy_.before.clear();
  policy_.at_deadline = false;
  policy_.overdue = {};
  policy_.escalations = {{Iso("P1D"), EscalationTarget::kManager, "", false, ""},
                         {Iso("P2D"), EscalationTarget::kPlanOwner, "", false, ""},
                         {Iso("P3D"), EscalationTarget::kPerson, kTaskOwner, false, ""}};
  // han.meimei: manager wang.fang; escalating to herself is pointless.
  EXPECT_EQ(Lines(Plan()), (std::vector<std::string>{
                               "escalation:0 -> wang.fang at 2026-12-03T02:00:00Z",
                               "escalation:1 -> li.lei at 2026-12-04T02:00:00Z",
                           }));
  // The boss has no manager: the plan owner hears of it instead.
  task_.owner = kBoss;
  EXPECT_EQ(Lines(Plan()), (std::vector<std::string>{
                               "escalation:0 -> li.lei at 2026-12-03T02:00:00Z",
                               "escalation:1 -> li.lei at 2026-12-04T02:00:00Z",
                               "escalation:2 -> han.meimei at 2026-12-05T02:00:00Z",
                           }));
  // ... unless the boss owns the plan too.
  plan_.owner = kBoss;
  EXPECT_EQ(Lines(Plan()), (std::vector<std::string>{
                               "escalation:2 -> han.meimei at 2026-12-05T02:00:00Z",
                           }));
}

TEST_F(ReminderPlanning, TeamEscalationUsesTheOwnersTeamWhenThePlanHasNone) {
  policy_ = ReminderPolicy{};
  policy_.name = "team";
  policy_.at_deadline = false;
  policy_.escalations = {{Iso("P1D"), EscalationTarget::kTeam, "", false, ""}};
  plan_.team.clear();
  task_.owner = kStranger;  // team cs
  const auto plan = Plan();
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].recipient_kind, RecipientKind::kTeam);
  EXPECT_EQ(plan[0].recipient, "cs");
}

TEST_F(ReminderPlanning, RemindersOutsideWorkingTimeMoveToNextWorkingPeriod) {
  // Due Wednesday 10:00 in Shanghai. P3D falls on Sunday, PT2H before office hours, overdue:3
  // and escalation:1 on Saturday; the urgent escalation keeps its Sunday time.
  EXPECT_EQ(Lines(Plan(OpsCalendar())),
            (std::vector<std::string>{
                "before_due:P3D -> han.meimei at 2026-11-30T01:00:00Z (from 2026-11-29T02:00:00Z)",
                "before_due:P1D -> han.meimei at 2026-12-01T02:00:00Z",
                "before_due:PT2H -> han.meimei at 2026-12-02T01:00:00Z (from 2026-12-02T00:00:00Z)",
                "at_due -> han.meimei at 2026-12-02T02:00:00Z",
                "overdue:1 -> han.meimei at 2026-12-03T02:00:00Z",
                "escalation:0 -> wang.fang at 2026-12-04T02:00:00Z",
                "overdue:2 -> han.meimei at 2026-12-04T02:00:00Z",
                "escalation:2 -> zhang.san at 2026-12-06T02:00:00Z urgent",
                "escalation:1 -> li.lei at 2026-12-07T01:00:00Z (from 2026-12-05T02:00:00Z)",
                "overdue:3 -> han.meimei at 2026-12-07T01:00:00Z (from 2026-12-05T02:00:00Z)",
                "escalation:3 -> team ops at 2026-12-07T02:00:00Z",
            }));
}

TEST_F(ReminderPlanning, WeekendRemindersMovedToMondayCollapseIntoTheLatest) {
  // Due Saturday 12:00. "Due in 2 hours" would arrive on Monday after the deadline: left out.
  // Saturday's at_due and Sunday's overdue:1 both land on Monday 09:00: only overdue:1 is true.
  task_.due_at = At("2026-12-05T12:00:00+08:00");
  policy_.before = {Iso("P1D"), Iso("PT2H")};
  policy_.overdue = {Iso("P1D"), 2};
  policy_.escalations.clear();
  EXPECT_EQ(Lines(Plan(OpsCalendar())),
            (std::vector<std::string>{
                "before_due:P1D -> han.meimei at 2026-12-04T04:00:00Z",
                "overdue:1 -> han.meimei at 2026-12-07T01:00:00Z (from 2026-12-06T04:00:00Z)",
                "overdue:2 -> han.meimei at 2026-12-07T04:00:00Z",
            }));
}

TEST_F(ReminderPlanning, OffsetsLongerThanTheTaskHasExistedAreLeftOut) {
  task_.created_at = At("2026-12-01T03:00:00Z");  // 23 hours before the deadline
  policy_.escalations.clear();
  policy_.overdue = {};
  EXPECT_EQ(Lines(Plan()), (std::vector<std::string>{
                               "before_due:PT2H -> han.meimei at 2026-12-02T00:00:00Z",
                               "at_due -> han.meimei at 2026-12-02T02:00:00Z",
                           }));
}

TEST_F(ReminderPlanning, BlockedTaskRemindsThePlanOwner) {
  const auto before = Plan();
  task_.state = TaskState::kBlocked;
  const auto blocked = Plan();
  ASSERT_EQ(blocked.size(), before.size());
  for (size_t i = 0; i < blocked.size(); ++i) {
    EXPECT_EQ(blocked[i].key, before[i].key);  // same reminders, another recipient
    if (IsDeadlineTrack(blocked[i].kind)) {
      EXPECT_EQ(blocked[i].recipient, kPlanOwner) << blocked[i].key;
    } else {
      EXPECT_EQ(blocked[i].recipient, before[i].recipient) << blocked[i].key;
    }
  }
  // Open tasks are reminded like in-progress ones.
  task_.state = TaskState::kOpen;
  EXPECT_EQ(Plan(), before);
}

TEST_F(ReminderPlanning, DoneTaskRemindsTheVerifierThenEscalates) {
  task_.state = TaskState::kDone;
  task_.completed_at = At("2026-12-01T03:00:00Z");  // Tuesday 11:00 in Shanghai
  EXPECT_EQ(Lines(Plan()), (std::vector<std::string>{
                               "verification:1 -> li.lei at 2026-12-01T07:00:00Z",
                               "verification:2 -> li.lei at 2026-12-02T07:00:00Z",
                               "verification:3 -> li.lei at 2026-12-03T07:00:00Z",
                               "verification_escalation -> boss at 2026-12-04T03:00:00Z",
                           }));
  const auto plan = Plan();
  EXPECT_EQ(plan[0].key, "verification:1@2026-12-01T03:00:00Z");
  EXPECT_EQ(plan[3].key, "verification_escalation@2026-12-01T03:00:00Z");
  EXPECT_EQ(plan[0].anchor, *task_.completed_at);
}

TEST_F(ReminderPlanning, VerifierIsTheOwnersManagerWhenTheOwnerOwnsThePlan) {
  task_.state = TaskState::kDone;
  task_.completed_at = At("2026-12-01T03:00:00Z");
  plan_.owner = kTaskOwner;
  policy_.verification->max_count = 1;
  EXPECT_EQ(Lines(Plan()), (std::vector<std::string>{
                               "verification:1 -> wang.fang at 2026-12-01T07:00:00Z",
                               "verification_escalation -> boss at 2026-12-04T03:00:00Z",
                           }));
  plan_.allow_self_verification = true;
  EXPECT_EQ(Lines(Plan()), (std::vector<std::string>{
                               "verification:1 -> han.meimei at 2026-12-01T07:00:00Z",
                               "verification_escalation -> wang.fang at 2026-12-04T03:00:00Z",
                           }));
  // The verifier without a manager gets reminders but nobody to escalate to.
  plan_.owner = kBoss;
  EXPECT_EQ(Lines(Plan()), (std::vector<std::string>{
                               "verification:1 -> boss at 2026-12-01T07:00:00Z",
                           }));
}

TEST_F(ReminderPlanning, VerificationRemindersRespectWorkingTimeUnlessUrgent) {
  // Done on Friday 16:00 in Shanghai. The reminders of Friday, Saturday and Sunday evening all
  // move to Monday 09:00, where only the latest is sent; the urgent escalation comes on Sunday.
  task_.state = TaskState::kDone;
  task_.completed_at = At("2026-12-04T08:00:00Z");
  policy_.verification->escalate_after = Iso("P2D");
  policy_.verification->escalation_urgent = true;
  EXPECT_EQ(Lines(Plan(OpsCalendar())),
            (std::vector<std::string>{
                "verification_escalation -> boss at 2026-12-06T08:00:00Z urgent",
                "verification:3 -> li.lei at 2026-12-07T01:00:00Z (from 2026-12-06T12:00:00Z)",
            }));
}

TEST_F(ReminderPlanning, FinishedOrCancelledWorkGetsNothing) {
  task_.completed_at = At("2026-12-01T03:00:00Z");
  for (TaskState state : {TaskState::kVerified, TaskState::kCancelled}) {
    task_.state = state;
    EXPECT_TRUE(Plan().empty()) << ToString(state);
  }
  task_.state = TaskState::kDone;
  policy_.verification.reset();
  EXPECT_TRUE(Plan().empty());  // the policy does not chase verification
  policy_ = StandardPolicy();
  task_.completed_at.reset();
  EXPECT_TRUE(Plan().empty());  // no completion time to anchor on
  task_.state = TaskState::kInProgress;
  plan_.state = PlanState::kCancelled;
  EXPECT_TRUE(Plan().empty());
}

TEST_F(ReminderPlanning, KeysChangeWithTheDeadlineOnly) {
  const auto original = Plan();
  // Unrelated edits keep every key (and so what was sent stays sent).
  task_.title = "Survey 300 customers";
  task_.description = "Phone, not email";
  task_.criterion = "300 answers in the sheet";
  task_.version = 9;
  task_.updated_at = At("2026-11-24T09:00:00Z");
  task_.state = TaskState::kBlocked;
  EXPECT_EQ(Keys(Plan()), Keys(original));
  task_.state = TaskState::kInProgress;
  task_.owner = kManager;  // new owner: same reminders, new recipients
  const auto reassigned = Plan();
  EXPECT_EQ(Keys(reassigned), Keys(original));
  EXPECT_EQ(reassigned.front().recipient, kManager);
  EXPECT_EQ(reassigned[5].key, "escalation:0@2026-12-02T02:00:00Z");
  EXPECT_EQ(reassigned[5].recipient, kBoss);  // wang.fang's manager

  // A moved deadline makes every key new: nothing planned for the old deadline can fire.
  task_.due_at += days{1};
  const auto moved = Plan();
  std::vector<std::string> common;
  const auto old_keys = Keys(original);
  const auto new_keys = Keys(moved);
  std::set_intersection(old_keys.begin(), old_keys.end(), new_keys.begin(), new_keys.end(),
                        std::back_inserter(common));
  EXPECT_TRUE(common.empty());
  EXPECT_EQ(moved.size(), original.size());
}

TEST_F(ReminderPlanning, FinishingAgainMakesNewVerificationKeys) {
  task_.state = TaskState::kDone;
  task_.completed_at = At("2026-12-01T03:00:00Z");
  const auto first = Keys(Plan());
  task_.completed_at = At("2026-12-03T03:00:00Z");  // rejected, reworked, done again
  const auto second = Keys(Plan());
  for (const auto& key : second) EXPECT_FALSE(first.count(key)) << key;
}

TEST_F(ReminderPlanning, PlanningIsDeterministic) {
  EXPECT_EQ(Plan(OpsCalendar()), Plan(OpsCalendar()));
  const auto plan = Plan(OpsCalendar());
  EXPECT_TRUE(std::is_sorted(plan.begin(), plan.end(),
                             [](const auto& a, const auto& b) { return a.fire_at < b.fire_at; }));
}

// ---------------------------------------------------------------------------------------------
// Validation

struct PolicyCase {
  const char* field;
  void (*edit)(ReminderPolicy&);
};

TEST(ReminderPolicyValidation, AcceptsTheStandardPolicy) {
  EXPECT_TRUE(ValidateReminderPolicy(StandardPolicy(), testing::SampleDirectory()).ok());
  ReminderPolicy minimal;
  minimal.name = "deadline only";
  EXPECT_TRUE(ValidateReminderPolicy(minimal, testing::SampleDirectory()).ok());
}

TEST(ReminderPolicyValidation, NamesTheBrokenField) {
  const PolicyCase cases[] = {
      {"name", [](ReminderPolicy& p) { p.name = "  "; }},
      {"before[1]", [](ReminderPolicy& p) { p.before[1] = seconds{0}; }},
      {"before[2]", [](ReminderPolicy& p) { p.before[2] = -hours{1}; }},
      {"before[2]", [](ReminderPolicy& p) { p.before[2] = p.before[0]; }},
      {"overdue.interval", [](ReminderPolicy& p) { p.overdue.interval = seconds{0}; }},
      {"overdue.max_count", [](ReminderPolicy& p) { p.overdue.max_count = -1; }},
      {"overdue.max_count", [](ReminderPolicy& p) { p.overdue.max_count = 10000; }},
      {"escalations[1].after_overdue",
       [](ReminderPolicy& p) { p.escalations[1].after_overdue = -seconds{1}; }},
      {"escalations[2].person", [](ReminderPolicy& p) { p.escalations[2].person = ""; }},
      {"escalations[2].person", [](ReminderPolicy& p) { p.escalations[2].person = "nobody"; }},
      {"escalations[0].person", [](ReminderPolicy& p) { p.escalations[0].person = kBoss; }},
      {"verification.first_after",
       [](ReminderPolicy& p) { p.verification->first_after = -seconds{1}; }},
      {"verification.max_count", [](ReminderPolicy& p) { p.verification->max_count = 0; }},
      {"verification.repeat_interval",
       [](ReminderPolicy& p) { p.verification->repeat_interval = seconds{0}; }},
      {"verification.escalate_after",
       [](ReminderPolicy& p) { p.verification->escalate_after = -seconds{1}; }},
  };
  for (const PolicyCase& c : cases) {
    ReminderPolicy policy = StandardPolicy();
    c.edit(policy);
    const Status status = ValidateReminderPolicy(policy, testing::SampleDirectory());
    ASSERT_FALSE(status.ok()) << c.field;
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(status.reason(), "invalid_reminder_policy");
    EXPECT_EQ(status.details()["field"], c.field) << status.message();
    EXPECT_NE(status.message().find(c.field), std::string::npos) << status.message();
  }
  // Unused intervals need no value.
  ReminderPolicy once = StandardPolicy();
  once.overdue = {seconds{0}, 0};
  once.verification->max_count = 1;
  once.verification->repeat_interval = seconds{0};
  EXPECT_TRUE(ValidateReminderPolicy(once, testing::SampleDirectory()).ok());
}

TEST(ReminderNames, RoundTrip) {
  for (auto kind : {ReminderKind::kBeforeDue, ReminderKind::kAtDue, ReminderKind::kOverdue,
                    ReminderKind::kEscalation, ReminderKind::kVerification,
                    ReminderKind::kVerificationEscalation}) {
    EXPECT_EQ(ParseReminderKind(ToString(kind)), kind);
  }
  for (auto target : {EscalationTarget::kManager, EscalationTarget::kPlanOwner,
                      EscalationTarget::kPerson, EscalationTarget::kTeam}) {
    EXPECT_EQ(ParseEscalationTarget(ToString(target)), target);
  }
  EXPECT_EQ(ToString(EscalationTarget::kPlanOwner), "plan_owner");
  EXPECT_FALSE(ParseEscalationTarget("boss").has_value());
  EXPECT_FALSE(ParseReminderKind("").has_value());
}

// ---------------------------------------------------------------------------------------------
// Catch-up after downtime

// What the scheduler holds after a stop: every planned reminder whose time came while it was
// down, none of them sent.
std::vector<PlannedReminder> MissedBy(const std::vector<PlannedReminder>& plan, Instant now) {
  std::vector<PlannedReminder> out;
  for (const auto& r : plan) {
    if (r.fire_at <= now) out.push_back(r);
  }
  return out;
}

TEST_F(ReminderPlanning, OverdueTaskAfterDowntimeGetsOneOverdueReminder) {
  testing::FakeClock clock(At("2026-11-28T00:00:00Z"));  // daemon stops here
  clock.Advance(days{5} + hours{5});                     // back at 2026-12-03T05:00Z
  const auto plan = Plan();
  const auto missed = MissedBy(plan, clock.Now());
  ASSERT_EQ(missed.size(), 5u);  // three before_due, at_due, overdue:1
  EXPECT_EQ(Lines(CollapseMissed(missed, clock.Now())),
            (std::vector<std::string>{"overdue:1 -> han.meimei at 2026-12-03T02:00:00Z"}));

  // Two more days down: the latest overdue and every escalation not yet sent.
  clock.Advance(days{2});
  EXPECT_EQ(Lines(CollapseMissed(MissedBy(plan, clock.Now()), clock.Now())),
            (std::vector<std::string>{
                "escalation:0 -> wang.fang at 2026-12-04T02:00:00Z",
                "escalation:1 -> li.lei at 2026-12-05T02:00:00Z",
                "overdue:3 -> han.meimei at 2026-12-05T02:00:00Z",
            }));
}

TEST_F(ReminderPlanning, CollapseKeepsTheLatestDueSoonReminderBeforeTheDeadline) {
  const Instant now = At("2026-12-02T01:00:00Z");  // an hour before the deadline
  EXPECT_EQ(Lines(CollapseMissed(MissedBy(Plan(), now), now)),
            (std::vector<std::string>{"before_due:PT2H -> han.meimei at 2026-12-02T00:00:00Z"}));
}

TEST_F(ReminderPlanning, CollapseDropsDueSoonOnceTheDeadlinePassed) {
  policy_.at_deadline = false;
  policy_.overdue = {};
  policy_.escalations.clear();
  const Instant now = At("2026-12-02T03:00:00Z");
  const auto missed = MissedBy(Plan(), now);
  ASSERT_EQ(missed.size(), 3u);
  EXPECT_TRUE(CollapseMissed(missed, now).empty());
}

TEST_F(ReminderPlanning, CollapseLeavesOutWhatIsNotDueYet) {
  const Instant now = At("2026-12-03T05:00:00Z");
  const auto collapsed = CollapseMissed(Plan(), now);  // the whole plan, future included
  EXPECT_EQ(Lines(collapsed),
            (std::vector<std::string>{"overdue:1 -> han.meimei at 2026-12-03T02:00:00Z"}));
  EXPECT_TRUE(CollapseMissed({}, now).empty());
}

TEST_F(ReminderPlanning, CollapseKeepsLatestVerificationAndItsEscalation) {
  task_.state = TaskState::kDone;
  task_.completed_at = At("2026-12-01T03:00:00Z");
  const Instant now = At("2026-12-05T00:00:00Z");
  EXPECT_EQ(Lines(CollapseMissed(MissedBy(Plan(), now), now)),
            (std::vector<std::string>{
                "verification:3 -> li.lei at 2026-12-03T07:00:00Z",
                "verification_escalation -> boss at 2026-12-04T03:00:00Z",
            }));
}

TEST_F(ReminderPlanning, CollapseTreatsEachTaskOnItsOwn) {
  const Instant now = At("2026-12-03T05:00:00Z");
  auto missed = MissedBy(Plan(), now);
  Task other = task_;
  other.id = 8;
  other.due_at = At("2026-12-04T02:00:00Z");
  for (auto& r : MissedBy(PlanReminders(other, plan_, policy_, always_, directory_), now)) {
    missed.push_back(std::move(r));
  }
  const auto collapsed = CollapseMissed(missed, now);
  ASSERT_EQ(collapsed.size(), 2u);
  EXPECT_EQ(collapsed[0].task_id, 7);
  EXPECT_EQ(collapsed[0].kind, ReminderKind::kOverdue);
  EXPECT_EQ(collapsed[1].task_id, 8);
  EXPECT_EQ(collapsed[1].key, "before_due:P1D@2026-12-04T02:00:00Z");
}

}  // namespace
}  // namespace kaizen
