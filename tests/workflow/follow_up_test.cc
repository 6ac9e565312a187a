#include "workflow/follow_up.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "tests/support/in_memory_repository.h"
#include "tests/support/sample_directory.h"
#include "workflow/duration.h"
#include "workflow/plan_service.h"

namespace kaizen {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::kManager;
using testing::kPlanOwner;
using testing::kTaskOwner;

Instant At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  if (!t) ADD_FAILURE() << "bad test time " << rfc3339;
  return t.value_or(Instant{});
}

seconds Iso(const char* text) { return ParseIsoDuration(text).value(); }

// A policy a test can reason about: 1 day and 2 hours before, at the deadline, twice overdue a
// day apart, the manager after 1 day overdue (on the "managers" channel), verification after 1
// hour, once.
ReminderPolicy TestPolicy() {
  ReminderPolicy p;
  p.name = "test";
  p.before = {Iso("P1D"), Iso("PT2H")};
  p.at_deadline = true;
  p.overdue = OverdueRepeat{Iso("P1D"), 2};
  EscalationLevel manager;
  manager.after_overdue = Iso("P1D");
  manager.target = EscalationTarget::kManager;
  manager.channel = "managers";
  p.escalations = {manager};
  VerificationReminders v;
  v.first_after = Iso("PT1H");
  v.max_count = 1;
  p.verification = v;
  return p;
}

FollowUpSettings TestSettings() {
  FollowUpSettings s;
  s.policies.emplace("test", TestPolicy());
  ReminderPolicy quiet;
  quiet.name = "quiet";
  quiet.at_deadline = true;
  s.policies.emplace("quiet", quiet);
  s.default_policy = "test";
  TeamFollowUp ops;
  ops.channels = {"ops-chat", "ops-webhook"};
  s.teams.emplace("ops", ops);
  return s;
}

class FollowUpTest : public ::testing::Test {
 protected:
  FollowUpTest() : directory_(testing::SampleDirectory()), settings_(TestSettings()) {}

  // A plan of team ops owned by li.lei with one task of han.meimei due at `due`.
  Task MakeTask(Instant due, Instant now, std::optional<std::string> task_policy = std::nullopt) {
    NewPlan plan;
    plan.title = "Cut response time";
    plan.owner = kPlanOwner;
    plan.team = "ops";
    NewTask task;
    task.title = "Collect last month's tickets";
    task.owner = kTaskOwner;
    task.due_at = due;
    task.reminder_policy = task_policy;
    plan.tasks.push_back(task);
    auto created = CreatePlan(repo_, directory_, plan, kPlanOwner, now);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    plan_ = created->plan;
    return created->tasks.at(0);
  }

  bool Sync(const Task& task, Instant now) {
    auto plan = repo_.FindPlan(task.plan_id);
    return SyncTaskReminders(repo_, settings_, directory_, task, *plan, now);
  }

  std::set<std::string> PendingKinds(TaskId id) {
    std::set<std::string> out;
    for (const StoredReminder& r : repo_.RemindersOfTask(id)) {
      if (r.status == ReminderStatus::kPending) {
        out.insert(r.planned.key.substr(0, r.planned.key.find('@')));
      }
    }
    return out;
  }

  std::vector<Notification> AllNotifications() {
    NotificationFilter filter;
    filter.limit = 500;
    return repo_.ListNotifications(filter).items;
  }

  Result<Task> Move(TaskId id, TaskState to, const std::string& actor, Instant now,
                    const std::string& note = "") {
    TransitionRequest request;
    request.to = to;
    request.actor = actor;
    request.note = note;
    return TransitionTask(repo_, directory_, id, request, now);
  }

  Directory directory_;
  FollowUpSettings settings_;
  testing::InMemoryPlanRepository repo_;
  Plan plan_;
};

TEST_F(FollowUpTest, SyncStoresEveryPlannedReminderAsPendingAndReportsTheEarliest) {
  const Instant now = At("2026-11-20T00:00:00Z");
  Task task = MakeTask(At("2026-11-25T10:00:00Z"), now);
  EXPECT_TRUE(Sync(task, now));
  EXPECT_EQ(PendingKinds(task.id),
            (std::set<std::string>{"before_due:P1D", "before_due:PT2H", "at_due", "overdue:1",
                                   "overdue:2", "escalation:0"}));
  EXPECT_EQ(repo_.NextReminderOfTask(task.id), At("2026-11-24T10:00:00Z"));
  EXPECT_EQ(repo_.NextReminderAt(), At("2026-11-24T10:00:00Z"));
  // Nothing changed: a second sync writes nothing.
  EXPECT_FALSE(Sync(task, now));
}

TEST_F(FollowUpTest, MovingTheDeadlineReplacesPendingRemindersAndNeverResendsFiredOnes) {
  const Instant now = At("2026-11-20T00:00:00Z");
  Task task = MakeTask(At("2026-11-25T10:00:00Z"), now);
  Sync(task, now);
  // The day-before reminder fires.
  FireReport fired =
      FireDueReminders(repo_, settings_, directory_, At("2026-11-24T10:00:01Z"), 100, false);
  EXPECT_EQ(fired.fired, 1);
  EXPECT_EQ(fired.notifications, 2);  // ops-chat and ops-webhook

  TaskPatch patch;
  patch.due_at = At("2026-11-27T10:00:00Z");
  auto updated =
      UpdateTask(repo_, directory_, task.id, patch, kPlanOwner, At("2026-11-24T11:00:00Z"));
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(Sync(*updated, At("2026-11-24T11:00:00Z")));

  int fired_count = 0;
  for (const StoredReminder& r : repo_.RemindersOfTask(task.id)) {
    if (r.status == ReminderStatus::kFired) {
      ++fired_count;
      EXPECT_EQ(r.planned.key, "before_due:P1D@2026-11-25T10:00:00Z");
    }
    if (r.status == ReminderStatus::kPending) {
      EXPECT_EQ(r.planned.anchor, At("2026-11-27T10:00:00Z")) << r.planned.key;
    }
  }
  EXPECT_EQ(fired_count, 1);
  EXPECT_EQ(repo_.NextReminderOfTask(task.id), At("2026-11-26T10:00:00Z"));
}

TEST_F(FollowUpTest, FinishingATaskDropsDeadlineRemindersAndChasesTheVerifier) {
  const Instant now = At("2026-11-20T00:00:00Z");
  Task task = MakeTask(At("2026-11-25T10:00:00Z"), now);
  Sync(task, now);
  auto started = Move(task.id, TaskState::kInProgress, kTaskOwner, now);
  ASSERT_TRUE(started.ok());
  auto done = Move(task.id, TaskState::kDone, kTaskOwner, At("2026-11-21T08:00:00Z"));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  Sync(*done, At("2026-11-21T08:00:00Z"));
  EXPECT_EQ(PendingKinds(task.id), (std::set<std::string>{"verification:1"}));
  EXPECT_EQ(repo_.NextReminderOfTask(task.id), At("2026-11-21T09:00:00Z"));
}

TEST_F(FollowUpTest, FiringWritesOneNotificationPerTeamChannelOnceOnly) {
  const Instant now = At("2026-11-20T00:00:00Z");
  Task task = MakeTask(At("2026-11-25T10:00:00Z"), now);
  Sync(task, now);
  const Instant at_due = At("2026-11-25T10:00:00Z");
  // Day-before and two-hours-before fire on time first.
  FireDueReminders(repo_, settings_, directory_, At("2026-11-24T10:00:00Z"), 100, false);
  FireDueReminders(repo_, settings_, directory_, At("2026-11-25T08:00:00Z"), 100, false);
  FireReport report = FireDueReminders(repo_, settings_, directory_, at_due, 100, false);
  EXPECT_EQ(report.fired, 1);
  EXPECT_EQ(report.notifications, 2);
  // Firing again at the same time finds nothing due.
  FireReport again = FireDueReminders(repo_, settings_, directory_, at_due, 100, false);
  EXPECT_EQ(again.fired, 0);
  EXPECT_EQ(again.notifications, 0);

  std::vector<Notification> all = AllNotifications();
  ASSERT_EQ(all.size(), 6u);
  const Notification& last = all.back();
  EXPECT_EQ(last.event.kind, "at_due");
  EXPECT_EQ(last.event.recipient, kTaskOwner);
  EXPECT_EQ(last.event.owner_name, "Han Meimei");
  EXPECT_EQ(last.event.time_zone, "Asia/Shanghai");
  EXPECT_EQ(last.event.due_at, At("2026-11-25T10:00:00Z"));
  EXPECT_EQ(last.state, NotificationState::kPending);
  EXPECT_EQ(last.next_attempt_at, at_due);
  std::set<std::string> channels;
  std::set<std::string> keys;
  for (const Notification& n : all) {
    channels.insert(n.channel);
    keys.insert(n.idempotency_key);
    EXPECT_EQ(n.idempotency_key.find('.'), std::string::npos) << n.idempotency_key;
  }
  EXPECT_EQ(channels, (std::set<std::string>{"ops-chat", "ops-webhook"}));
  EXPECT_EQ(keys.size(), 6u);
}

TEST_F(FollowUpTest, AnEscalationGoesToItsLevelsChannelAndMentionsTheManager) {
  const Instant now = At("2026-11-20T00:00:00Z");
  Task task = MakeTask(At("2026-11-25T10:00:00Z"), now);
  Sync(task, now);
  // Run the scheduler on time through the first overdue day.
  for (const char* t : {"2026-11-24T10:00:00Z", "2026-11-25T08:00:00Z", "2026-11-25T10:00:00Z",
                        "2026-11-26T10:00:00Z"}) {
    FireDueReminders(repo_, settings_, directory_, At(t), 100, false);
  }
  std::vector<Notification> escalations;
  for (const Notification& n : AllNotifications()) {
    if (n.event.kind == "escalation") escalations.push_back(n);
  }
  ASSERT_EQ(escalations.size(), 1u);
  EXPECT_EQ(escalations[0].channel, "managers");
  EXPECT_EQ(escalations[0].event.recipient, kManager);
  EXPECT_EQ(escalations[0].event.escalation_level, 0);
}

TEST_F(FollowUpTest, CatchUpSendsOnlyTheReminderThatIsStillTrue) {
  const Instant now = At("2026-11-20T00:00:00Z");
  Task task = MakeTask(At("2026-11-25T10:00:00Z"), now);
  Sync(task, now);
  // The daemon was down from before the first reminder until the deadline passed by 3 hours.
  FireReport report =
      FireDueReminders(repo_, settings_, directory_, At("2026-11-25T13:00:00Z"), 100, true);
  EXPECT_EQ(report.fired, 1);
  EXPECT_EQ(report.skipped, 2);  // before_due:P1D and before_due:PT2H
  std::vector<Notification> all = AllNotifications();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].event.kind, "at_due");
  // Nothing fires twice later.
  EXPECT_EQ(
      FireDueReminders(repo_, settings_, directory_, At("2026-11-25T13:00:00Z"), 100, false).fired,
      0);
}

TEST_F(FollowUpTest, ADeadlineMovedIntoThePastKeepsOnlyTheLatestPastReminder) {
  const Instant now = At("2026-11-20T00:00:00Z");
  Task task = MakeTask(At("2026-11-25T10:00:00Z"), now);
  Sync(task, now);
  TaskPatch patch;
  patch.due_at = At("2026-11-18T10:00:00Z");  // two days ago
  auto updated = UpdateTask(repo_, directory_, task.id, patch, kPlanOwner, now);
  ASSERT_TRUE(updated.ok());
  Sync(*updated, now);
  // The day-before reminder of the new deadline came before the task existed and is not planned;
  // of at_due, overdue:1 (past) only overdue:1 is pending; escalation is kept as it tells
  // someone new.
  EXPECT_EQ(PendingKinds(task.id),
            (std::set<std::string>{"overdue:1", "overdue:2", "escalation:0"}));
  FireReport report = FireDueReminders(repo_, settings_, directory_, now, 100, false);
  EXPECT_EQ(report.fired, 2);  // overdue:1 and the escalation
}

TEST_F(FollowUpTest, PolicyIsTakenFromTaskThenPlanThenTeamThenDefault) {
  const Instant now = At("2026-11-20T00:00:00Z");
  Task task = MakeTask(At("2026-11-25T10:00:00Z"), now, "quiet");
  Plan plan = *repo_.FindPlan(task.plan_id);
  EXPECT_EQ(settings_.PolicyFor(task, plan).name, "quiet");
  task.reminder_policy.reset();
  EXPECT_EQ(settings_.PolicyFor(task, plan).name, "test");  // the default
  plan.reminder_policy = "quiet";
  EXPECT_EQ(settings_.PolicyFor(task, plan).name, "quiet");
  plan.reminder_policy = "no-such-policy";
  EXPECT_EQ(settings_.PolicyFor(task, plan).name, "test");
  settings_.teams["ops"].policy = "quiet";
  EXPECT_EQ(settings_.PolicyFor(task, plan).name, "quiet");
  FollowUpSettings empty;
  EXPECT_EQ(empty.PolicyFor(task, plan).name, "default");

  task = MakeTask(At("2026-11-25T10:00:00Z"), now, "quiet");
  Sync(task, now);
  EXPECT_EQ(PendingKinds(task.id), (std::set<std::string>{"at_due"}));
}

TEST_F(FollowUpTest, TeamsWithoutChannelsUseTheDefaultChannels) {
  EXPECT_EQ(settings_.ChannelsOf("cs"), (std::vector<std::string>{"log"}));
  EXPECT_EQ(settings_.ChannelsOf("ops"), (std::vector<std::string>{"ops-chat", "ops-webhook"}));
}

TEST_F(FollowUpTest, DoneAsksTheVerifierRejectionTellsTheOwnerAndCompletionTellsTheTeam) {
  const Instant now = At("2026-11-20T00:00:00Z");
  Task task = MakeTask(At("2026-11-25T10:00:00Z"), now);
  auto step = [&](TaskState to, const std::string& actor, const std::string& note) {
    const Task before = *repo_.FindTask(task.id);
    const Plan plan_before = *repo_.FindPlan(task.plan_id);
    TransitionRequest request;
    request.to = to;
    request.actor = actor;
    request.note = note;
    auto recorded = RecordTransition(repo_, directory_, task.id, request, now);
    EXPECT_TRUE(recorded.ok()) << recorded.status().ToString();
    if (!recorded.ok()) return -1;
    // The record is what the store now holds.
    EXPECT_EQ(recorded->before, before);
    EXPECT_EQ(recorded->plan_before, plan_before);
    EXPECT_EQ(recorded->after, *repo_.FindTask(task.id));
    EXPECT_EQ(recorded->plan_after, *repo_.FindPlan(task.plan_id));
    EXPECT_EQ(recorded->event, repo_.EventsOfTask(task.id).back());
    return NotifyTransition(repo_, settings_, directory_, *recorded, now);
  };
  EXPECT_EQ(step(TaskState::kInProgress, kTaskOwner, ""), 0);
  EXPECT_EQ(step(TaskState::kDone, kTaskOwner, ""), 2);
  EXPECT_EQ(step(TaskState::kInProgress, kPlanOwner, "numbers are from October"), 2);
  EXPECT_EQ(step(TaskState::kDone, kTaskOwner, ""), 2);
  EXPECT_EQ(step(TaskState::kVerified, kPlanOwner, ""), 2);

  std::vector<std::string> said;
  for (const Notification& n : AllNotifications()) {
    if (n.channel != "ops-chat") continue;
    said.push_back(n.event.kind + "->" + n.event.recipient +
                   (n.event.note.empty() ? "" : ": " + n.event.note));
  }
  EXPECT_EQ(said, (std::vector<std::string>{
                      "waiting_verification->li.lei",
                      "rejected->han.meimei: numbers are from October",
                      "waiting_verification->li.lei",
                      "plan_completed->ops",
                  }));
}

TEST_F(FollowUpTest, RemindersOfACancelledPlanAreDroppedAndNeverFire) {
  const Instant now = At("2026-11-20T00:00:00Z");
  Task task = MakeTask(At("2026-11-25T10:00:00Z"), now);
  Sync(task, now);
  auto cancelled = CancelPlan(repo_, directory_, task.plan_id, "reorganised", kPlanOwner, now);
  ASSERT_TRUE(cancelled.ok());
  SyncPlanReminders(repo_, settings_, directory_, task.plan_id, now);
  EXPECT_TRUE(PendingKinds(task.id).empty());
  EXPECT_EQ(repo_.NextReminderAt(), std::nullopt);
  EXPECT_EQ(FireDueReminders(repo_, settings_, directory_, At("2026-12-30T00:00:00Z"), 100, false)
                .notifications,
            0);
}

TEST_F(FollowUpTest, FiringIsBatchedByTheLimit) {
  const Instant now = At("2026-11-20T00:00:00Z");
  settings_.policies["quiet"].at_deadline = true;
  settings_.default_policy = "quiet";
  for (int i = 0; i < 5; ++i) Sync(MakeTask(At("2026-11-25T10:00:00Z"), now), now);
  FireReport first =
      FireDueReminders(repo_, settings_, directory_, At("2026-11-25T10:00:00Z"), 3, false);
  EXPECT_EQ(first.fired, 3);
  EXPECT_TRUE(first.more);
  FireReport second =
      FireDueReminders(repo_, settings_, directory_, At("2026-11-25T10:00:00Z"), 3, false);
  EXPECT_EQ(second.fired, 2);
  EXPECT_FALSE(second.more);
}

TEST_F(FollowUpTest, NotificationKeysAreStableAndFreeOfDots) {
  EXPECT_EQ(NotificationKey("r1-at_due@2026-11-25T10:00:00.500Z", "ops.chat"),
            "r1-at_due@2026-11-25T10:00:00_500Z/ops_chat");
  EXPECT_EQ(NotificationKey("a b", "c"), NotificationKey("a b", "c"));
}

TEST_F(FollowUpTest, AChangedConfigPlansEveryTaskAgainInBatches) {
  const Instant now = At("2026-11-20T00:00:00Z");
  settings_.fingerprint = "first";
  std::vector<TaskId> ids;
  for (int i = 0; i < 5; ++i) {
    Task task = MakeTask(At("2026-11-25T10:00:00Z"), now);
    Sync(task, now);
    ids.push_back(task.id);
  }
  EXPECT_TRUE(NeedsReplanning(repo_, settings_));

  // The config now says "quiet" (at the deadline only) for everybody.
  settings_.default_policy = "quiet";
  settings_.fingerprint = "second";
  std::optional<TaskId> after;
  int batches = 0;
  int tasks = 0;
  do {
    ReplanReport report = ReplanAllReminders(repo_, settings_, directory_, after, 2, now);
    tasks += report.tasks;
    after = report.next_after;
    ++batches;
    // Until the last batch is done, a restart would have to start over.
    EXPECT_EQ(NeedsReplanning(repo_, settings_), after.has_value());
  } while (after && batches < 10);
  EXPECT_EQ(tasks, 5);
  EXPECT_EQ(batches, 3);
  for (TaskId id : ids) {
    EXPECT_EQ(PendingKinds(id), (std::set<std::string>{"at_due"})) << id;
    EXPECT_EQ(repo_.NextReminderOfTask(id), At("2026-11-25T10:00:00Z"));
  }
  EXPECT_EQ(repo_.ReadSetting(std::string(kPlanningFingerprintKey)), "second");
}

TEST(BuiltInReminderPolicyTest, IsValidAndChasesOwnersManagersAndVerifiers) {
  ReminderPolicy p = BuiltInReminderPolicy();
  EXPECT_TRUE(ValidateReminderPolicy(p, testing::SampleDirectory()).ok());
  EXPECT_EQ(p.name, "default");
  EXPECT_EQ(p.before, (std::vector<seconds>{hours(24)}));
  EXPECT_EQ(p.overdue.max_count, 3);
  ASSERT_EQ(p.escalations.size(), 2u);
  EXPECT_EQ(p.escalations[0].target, EscalationTarget::kManager);
  ASSERT_TRUE(p.verification.has_value());
  EXPECT_EQ(p.verification->escalate_after, hours(72));
}

}  // namespace
}  // namespace kaizen
