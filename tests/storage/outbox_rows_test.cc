// Reminders and the notification outbox in SQLite (schema v2): what workflow/repository.h
// promises for each method, the migration of a v1 database, and the query plans of the polling
// queries.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "storage/internal/migrations.h"
#include "storage/internal/outbox_sql.h"
#include "storage/internal/sqlite.h"
#include "storage/storage.h"
#include "tests/storage/storage_test_util.h"

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

PlannedReminder Reminder(TaskId task_id, std::string key, std::string_view fire_at) {
  PlannedReminder r;
  r.task_id = task_id;
  r.key = std::move(key);
  r.kind = ReminderKind::kOverdue;
  r.anchor = At("2026-11-25T01:00:00Z");
  r.nominal_at = At(fire_at) - std::chrono::hours(1);
  r.fire_at = At(fire_at);
  r.recipient = "li.lei";
  return r;
}

Notification MakeNotification(std::string key, TaskId task_id, std::string channel = "ops-chat") {
  Notification n;
  n.idempotency_key = std::move(key);
  n.channel = std::move(channel);
  n.event.kind = std::string(kNotifyOverdue);
  n.event.task_id = task_id;
  n.event.plan_id = 1;
  n.created_at = At("2026-11-25T01:00:00Z");
  n.next_attempt_at = At("2026-11-25T01:00:00Z");
  n.updated_at = At("2026-11-25T01:00:00Z");
  return n;
}

std::vector<std::string> Keys(const std::vector<PlannedReminder>& reminders) {
  std::vector<std::string> keys;
  for (const PlannedReminder& r : reminders)
    keys.push_back(std::to_string(r.task_id) + "/" + r.key);
  return keys;
}

std::vector<NotificationId> Ids(const std::vector<Notification>& items) {
  std::vector<NotificationId> ids;
  for (const Notification& n : items) ids.push_back(n.id);
  return ids;
}

class OutboxRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = OpenStorage(OptionsFor(path_));
    ASSERT_NE(storage_, nullptr);
    PlanId plan = 0;
    Write([&](PlanRepository& repo) {
      plan = repo.InsertPlan(SamplePlan());
      task1_ = repo.InsertTask(SampleTask(plan, "first"));
      task2_ = repo.InsertTask(SampleTask(plan, "second"));
    });
  }

  void Write(const std::function<void(PlanRepository&)>& fn) {
    Status status = storage_->WriteSync([&fn](PlanRepository& repo) {
      fn(repo);
      return Status::Ok();
    });
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

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

  std::vector<StoredReminder> RemindersOf(TaskId id) {
    return Read([id](PlanReader& r) { return r.RemindersOfTask(id); });
  }

  NotificationId Insert(const Notification& n) {
    std::optional<NotificationId> id;
    Write([&](PlanRepository& repo) { id = repo.InsertNotification(n); });
    EXPECT_TRUE(id.has_value());
    return id.value_or(0);
  }

  TempDir dir_;
  std::string path_ = dir_.File("kaizen.db");
  std::unique_ptr<Storage> storage_;
  TaskId task1_ = 0;
  TaskId task2_ = 0;
};

TEST_F(OutboxRowsTest, RoundTripsTheReminderPolicyOfPlansAndTasks) {
  Plan plan = SamplePlan();
  plan.reminder_policy = "strict";
  Write([&](PlanRepository& repo) { plan.id = repo.InsertPlan(plan); });
  Task task = SampleTask(plan.id);
  task.reminder_policy = "gentle";
  Write([&](PlanRepository& repo) { task.id = repo.InsertTask(task); });
  EXPECT_EQ(ToJson(Read([&](PlanReader& r) { return r.FindPlan(plan.id); })), ToJson(plan));
  EXPECT_EQ(ToJson(Read([&](PlanReader& r) { return r.FindTask(task.id); })), ToJson(task));

  plan.reminder_policy.reset();
  task.reminder_policy = "strict";
  Write([&](PlanRepository& repo) {
    repo.UpdatePlan(plan);
    repo.UpdateTask(task);
  });
  EXPECT_EQ(ToJson(Read([&](PlanReader& r) { return r.FindPlan(plan.id); })), ToJson(plan));
  EXPECT_EQ(ToJson(Read([&](PlanReader& r) { return r.FindTask(task.id); })), ToJson(task));
}

TEST_F(OutboxRowsTest, RoundTripsEveryReminderField) {
  PlannedReminder r = Reminder(task1_, "escalation:0@2026-11-25T01:00:00Z", "2026-11-26T01:00:00Z");
  r.kind = ReminderKind::kEscalation;
  r.recipient_kind = RecipientKind::kTeam;
  r.recipient = "ops";
  r.urgent = true;
  r.mention_all = true;
  r.channel = "ops-wecom";
  Write([&](PlanRepository& repo) { repo.UpsertPendingReminder(r); });
  std::vector<StoredReminder> stored = RemindersOf(task1_);
  EXPECT_EQ(ToJson(stored), ToJson(std::vector<StoredReminder>{{r, ReminderStatus::kPending, {}}}));
}

TEST_F(OutboxRowsTest, UpsertOverwritesPendingRemindersButLeavesSettledOnesAlone) {
  PlannedReminder a = Reminder(task1_, "a", "2026-11-26T01:00:00Z");
  PlannedReminder b = Reminder(task1_, "b", "2026-11-27T01:00:00Z");
  PlannedReminder c = Reminder(task1_, "c", "2026-11-28T01:00:00Z");
  Write([&](PlanRepository& repo) {
    repo.UpsertPendingReminder(a);
    repo.UpsertPendingReminder(b);
    repo.UpsertPendingReminder(c);
    repo.SettleReminder(task1_, "a", ReminderStatus::kFired, At("2026-11-26T01:00:05Z"));
    repo.SettleReminder(task1_, "b", ReminderStatus::kSkipped, At("2026-11-27T02:00:00Z"));
  });
  PlannedReminder a2 = a, b2 = b, c2 = c;
  for (PlannedReminder* r : {&a2, &b2, &c2}) {
    r->fire_at += std::chrono::hours(48);
    r->recipient = "boss";
    r->channel = "other";
  }
  Write([&](PlanRepository& repo) {
    repo.UpsertPendingReminder(a2);
    repo.UpsertPendingReminder(b2);
    repo.UpsertPendingReminder(c2);
    // Settling again does nothing: it is already fired.
    repo.SettleReminder(task1_, "a", ReminderStatus::kSkipped, At("2026-12-01T00:00:00Z"));
  });
  std::vector<StoredReminder> expected = {
      {a, ReminderStatus::kFired, At("2026-11-26T01:00:05Z")},
      {b, ReminderStatus::kSkipped, At("2026-11-27T02:00:00Z")},
      {c2, ReminderStatus::kPending, std::nullopt},
  };
  EXPECT_EQ(ToJson(RemindersOf(task1_)), ToJson(expected));
}

TEST_F(OutboxRowsTest, UpsertForAMissingTaskIsRefused) {
  bool refused = false;
  Write([&](PlanRepository& repo) {
    try {
      repo.UpsertPendingReminder(Reminder(999, "a", "2026-11-26T01:00:00Z"));
    } catch (const StorageError&) {
      refused = true;
    }
  });
  EXPECT_TRUE(refused);
  EXPECT_TRUE(RemindersOf(999).empty());
}

TEST_F(OutboxRowsTest, DeleteRemovesOnlyPendingReminders) {
  Write([&](PlanRepository& repo) {
    repo.UpsertPendingReminder(Reminder(task1_, "a", "2026-11-26T01:00:00Z"));
    repo.UpsertPendingReminder(Reminder(task1_, "b", "2026-11-27T01:00:00Z"));
    repo.UpsertPendingReminder(Reminder(task2_, "a", "2026-11-27T01:00:00Z"));
    repo.SettleReminder(task1_, "b", ReminderStatus::kFired, At("2026-11-27T01:00:00Z"));
  });
  Write([&](PlanRepository& repo) {
    repo.DeletePendingReminder(task1_, "a");
    repo.DeletePendingReminder(task1_, "b");
    repo.DeletePendingReminder(task1_, "unknown");
  });
  std::vector<StoredReminder> left = RemindersOf(task1_);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].planned.key, "b");
  EXPECT_EQ(left[0].status, ReminderStatus::kFired);
  EXPECT_EQ(RemindersOf(task2_).size(), 1u);  // same key, other task: untouched
}

TEST_F(OutboxRowsTest, DueRemindersComeByFireTimeThenTaskThenKeyUpToTheLimit) {
  Write([&](PlanRepository& repo) {
    repo.UpsertPendingReminder(Reminder(task2_, "z", "2026-11-26T01:00:00Z"));
    repo.UpsertPendingReminder(Reminder(task2_, "b", "2026-11-26T02:00:00Z"));
    repo.UpsertPendingReminder(Reminder(task1_, "y", "2026-11-26T02:00:00Z"));
    repo.UpsertPendingReminder(Reminder(task2_, "a", "2026-11-26T02:00:00Z"));
    repo.UpsertPendingReminder(Reminder(task1_, "fired", "2026-11-25T00:00:00Z"));
    repo.UpsertPendingReminder(Reminder(task1_, "later", "2026-11-26T02:00:00.001Z"));
    repo.SettleReminder(task1_, "fired", ReminderStatus::kFired, At("2026-11-25T00:00:00Z"));
  });
  const Instant now = At("2026-11-26T02:00:00Z");
  EXPECT_EQ(Keys(Read([&](PlanReader& r) { return r.DueReminders(now, 10); })),
            (std::vector<std::string>{"2/z", "1/y", "2/a", "2/b"}));
  EXPECT_EQ(Keys(Read([&](PlanReader& r) { return r.DueReminders(now, 2); })),
            (std::vector<std::string>{"2/z", "1/y"}));
  EXPECT_TRUE(Read([&](PlanReader& r) { return r.DueReminders(now, 0); }).empty());
  EXPECT_TRUE(Read([&](PlanReader& r) { return r.DueReminders(now, -1); }).empty());
  EXPECT_TRUE(
      Read([&](PlanReader& r) { return r.DueReminders(At("2026-11-26T00:59:59Z"), 10); }).empty());
  // RemindersOfTask: every status, by fire_at then key.
  std::vector<std::string> keys;
  for (const StoredReminder& r : RemindersOf(task1_)) keys.push_back(r.planned.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"fired", "y", "later"}));
}

TEST_F(OutboxRowsTest, NextReminderIsTheEarliestPendingOne) {
  EXPECT_EQ(Read([](PlanReader& r) { return r.NextReminderAt(); }), std::nullopt);
  EXPECT_EQ(Read([&](PlanReader& r) { return r.NextReminderOfTask(task1_); }), std::nullopt);
  Write([&](PlanRepository& repo) {
    repo.UpsertPendingReminder(Reminder(task1_, "early", "2026-11-26T01:00:00Z"));
    repo.UpsertPendingReminder(Reminder(task1_, "mid", "2026-11-27T01:00:00Z"));
    repo.UpsertPendingReminder(Reminder(task2_, "x", "2026-11-26T12:00:00Z"));
    repo.SettleReminder(task1_, "early", ReminderStatus::kSkipped, At("2026-11-26T01:00:00Z"));
  });
  EXPECT_EQ(Read([](PlanReader& r) { return r.NextReminderAt(); }), At("2026-11-26T12:00:00Z"));
  EXPECT_EQ(Read([&](PlanReader& r) { return r.NextReminderOfTask(task1_); }),
            At("2026-11-27T01:00:00Z"));
  EXPECT_EQ(Read([&](PlanReader& r) { return r.NextReminderOfTask(999); }), std::nullopt);
}

TEST_F(OutboxRowsTest, RoundTripsEveryNotificationField) {
  Notification n = MakeNotification("overdue:1/overdue:1@x/ops-chat", task1_);
  NotificationEvent& e = n.event;
  e.kind = std::string(kNotifyEscalation);
  e.plan_id = 7;
  e.task_title = "问题分析 \"quoted\"";
  e.plan_title = "Raise CSAT";
  e.team = "ops";
  e.time_zone = "Asia/Shanghai";
  e.owner = "li.lei";
  e.owner_name = "Li Lei";
  e.due_at = At("2026-11-25T01:00:00.250Z");
  e.task_state = TaskState::kBlocked;
  e.recipient_kind = RecipientKind::kTeam;
  e.recipient = "ops";
  e.recipient_name = "Operations";
  e.mention_all = true;
  e.urgent = true;
  e.reminder_key = "escalation:0@2026-11-25T01:00:00Z";
  e.escalation_level = 2;
  e.note = "line1\nline2";
  e.actor = "system";
  e.occurred_at = At("2026-11-26T01:00:00Z");
  n.state = NotificationState::kFailed;
  n.attempts = 3;
  n.next_attempt_at = At("2026-11-26T01:05:00Z");
  n.updated_at = At("2026-11-26T01:00:30Z");
  n.delivered_at = At("2026-11-26T01:00:31Z");
  n.last_error = "HTTP 503";
  n.batch_id = 42;
  n.id = Insert(n);
  EXPECT_EQ(n.id, 1);
  std::optional<Notification> stored =
      Read([&](PlanReader& r) { return r.FindNotification(n.id); });
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(ToJson(*stored), ToJson(n));
  EXPECT_TRUE(*stored == n);
  EXPECT_EQ(Read([](PlanReader& r) { return r.FindNotification(2); }), std::nullopt);
}

TEST_F(OutboxRowsTest, ADuplicateIdempotencyKeyIsRefusedAndChangesNothing) {
  Notification first = MakeNotification("k1", task1_);
  first.id = Insert(first);
  Notification again = MakeNotification("k1", task2_, "other");
  again.state = NotificationState::kDead;
  std::optional<NotificationId> id = NotificationId{-1};
  Write([&](PlanRepository& repo) { id = repo.InsertNotification(again); });
  EXPECT_EQ(id, std::nullopt);
  std::optional<Notification> stored =
      Read([&](PlanReader& r) { return r.FindNotification(first.id); });
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(ToJson(*stored), ToJson(first));
  // The refused insert used up no id.
  EXPECT_EQ(Insert(MakeNotification("k2", task1_)), first.id + 1);
}

TEST_F(OutboxRowsTest, UpdateOverwritesTheDeliveryFieldsOnly) {
  Notification n = MakeNotification("k1", task1_);
  n.id = Insert(n);
  Notification changed = n;
  changed.state = NotificationState::kDelivered;
  changed.attempts = 2;
  changed.next_attempt_at = At("2026-11-25T02:00:00Z");
  changed.updated_at = At("2026-11-25T02:00:01Z");
  changed.delivered_at = At("2026-11-25T02:00:01Z");
  changed.last_error = "timeout";
  changed.batch_id = n.id;
  Notification sent = changed;
  // Fields that are not the delivery's are not rewritten.
  sent.channel = "elsewhere";
  sent.idempotency_key = "other";
  sent.event.note = "rewritten";
  sent.created_at = At("2030-01-01T00:00:00Z");
  Write([&](PlanRepository& repo) { repo.UpdateNotification(sent); });
  EXPECT_EQ(ToJson(Read([&](PlanReader& r) { return r.FindNotification(n.id); })), ToJson(changed));

  bool refused = false;
  Notification unknown = changed;
  unknown.id = 99;
  Write([&](PlanRepository& repo) {
    try {
      repo.UpdateNotification(unknown);
    } catch (const StorageError&) {
      refused = true;
    }
  });
  EXPECT_TRUE(refused);
}

TEST_F(OutboxRowsTest, ResetInFlightMakesDeliveringNotificationsPendingAgain) {
  Notification a = MakeNotification("a", task1_);
  a.state = NotificationState::kDelivering;
  a.batch_id = 1;
  a.attempts = 1;
  Notification b = MakeNotification("b", task1_);
  b.state = NotificationState::kFailed;
  Notification c = MakeNotification("c", task2_);
  c.state = NotificationState::kDelivering;
  a.id = Insert(a);
  b.id = Insert(b);
  c.id = Insert(c);
  const Instant now = At("2026-11-30T00:00:00Z");
  int reset = -1;
  Write([&](PlanRepository& repo) { reset = repo.ResetInFlightNotifications(now); });
  EXPECT_EQ(reset, 2);
  for (Notification* n : {&a, &c}) {
    n->state = NotificationState::kPending;
    n->next_attempt_at = now;
    n->updated_at = now;
  }
  for (const Notification& n : {a, b, c}) {
    EXPECT_EQ(ToJson(Read([&](PlanReader& r) { return r.FindNotification(n.id); })), ToJson(n));
  }
  Write([&](PlanRepository& repo) { reset = repo.ResetInFlightNotifications(now); });
  EXPECT_EQ(reset, 0);
}

TEST_F(OutboxRowsTest, ListFiltersAndPagesByKeyset) {
  // ids 1..9: channel alternates, task cycles task1, task2, plan event (0), states cycle.
  for (int i = 0; i < 9; ++i) {
    Notification n =
        MakeNotification("k" + std::to_string(i), i % 3 == 0 ? task1_ : (i % 3 == 1 ? task2_ : 0),
                         i % 2 == 0 ? "ops-chat" : "mail");
    n.state = kAllNotificationStates[i % 5];
    Insert(n);
  }
  auto list = [&](NotificationFilter f) {
    return Read([f](PlanReader& r) { return r.ListNotifications(f); });
  };
  NotificationFilter f;
  f.channel = "ops-chat";
  EXPECT_EQ(Ids(list(f).items), (std::vector<NotificationId>{1, 3, 5, 7, 9}));
  f = {};
  f.task = task2_;
  EXPECT_EQ(Ids(list(f).items), (std::vector<NotificationId>{2, 5, 8}));
  f.task = 0;
  EXPECT_EQ(Ids(list(f).items), (std::vector<NotificationId>{3, 6, 9}));
  f = {};
  f.state = NotificationState::kPending;
  EXPECT_EQ(Ids(list(f).items), (std::vector<NotificationId>{1, 6}));
  f.channel = "mail";
  EXPECT_EQ(Ids(list(f).items), (std::vector<NotificationId>{6}));

  // Keyset paging: pages of 4 over all 9, the last page has no cursor.
  f = {};
  f.limit = 4;
  Page<Notification> page = list(f);
  EXPECT_EQ(Ids(page.items), (std::vector<NotificationId>{1, 2, 3, 4}));
  ASSERT_EQ(page.next_after, 4);
  f.after = page.next_after;
  page = list(f);
  EXPECT_EQ(Ids(page.items), (std::vector<NotificationId>{5, 6, 7, 8}));
  ASSERT_EQ(page.next_after, 8);
  f.after = page.next_after;
  page = list(f);
  EXPECT_EQ(Ids(page.items), (std::vector<NotificationId>{9}));
  EXPECT_EQ(page.next_after, std::nullopt);
  // An exactly full last page has no cursor either.
  f = {};
  f.channel = "mail";
  f.limit = 4;
  page = list(f);
  EXPECT_EQ(Ids(page.items), (std::vector<NotificationId>{2, 4, 6, 8}));
  EXPECT_EQ(page.next_after, std::nullopt);
}

TEST_F(OutboxRowsTest, ReadyNotificationsArePendingOrFailedAndDueInOrder) {
  const Instant t0 = At("2026-11-25T01:00:00Z");
  struct Row {
    NotificationState state;
    Instant next;
  };
  const Row rows[] = {
      {NotificationState::kFailed, t0 + std::chrono::minutes(5)},      // 1
      {NotificationState::kPending, t0},                               // 2
      {NotificationState::kDelivering, t0 - std::chrono::minutes(9)},  // 3
      {NotificationState::kDead, t0 - std::chrono::minutes(9)},        // 4
      {NotificationState::kDelivered, t0 - std::chrono::minutes(9)},   // 5
      {NotificationState::kPending, t0},                               // 6
      {NotificationState::kPending, t0 + std::chrono::minutes(20)},    // 7
  };
  for (int i = 0; i < 7; ++i) {
    Notification n = MakeNotification("k" + std::to_string(i), task1_);
    n.state = rows[i].state;
    n.next_attempt_at = rows[i].next;
    Insert(n);
  }
  const Instant now = t0 + std::chrono::minutes(5);
  EXPECT_EQ(Ids(Read([&](PlanReader& r) { return r.ReadyNotifications(now, 10); })),
            (std::vector<NotificationId>{2, 6, 1}));
  EXPECT_EQ(Ids(Read([&](PlanReader& r) { return r.ReadyNotifications(now, 2); })),
            (std::vector<NotificationId>{2, 6}));
  EXPECT_TRUE(Read([&](PlanReader& r) { return r.ReadyNotifications(now, 0); }).empty());
  EXPECT_EQ(Read([](PlanReader& r) { return r.NextNotificationAt(); }), t0);
}

TEST_F(OutboxRowsTest, OldestFailedNotificationIsPerChannelAndOnlyFailed) {
  const Instant t0 = At("2026-11-25T01:00:00Z");
  struct Row {
    std::string channel;
    NotificationState state;
  };
  const Row rows[] = {
      {"chat", NotificationState::kDead},       // 1
      {"chat", NotificationState::kDelivered},  // 2
      {"other", NotificationState::kFailed},    // 3
      {"chat", NotificationState::kPending},    // 4
      {"chat", NotificationState::kFailed},     // 5
      {"chat", NotificationState::kFailed},     // 6
  };
  for (int i = 0; i < 6; ++i) {
    Notification n = MakeNotification("k" + std::to_string(i), task1_, rows[i].channel);
    n.state = rows[i].state;
    n.next_attempt_at = t0 + std::chrono::minutes(10 - i);
    Insert(n);
  }
  auto oldest = Read([](PlanReader& r) { return r.OldestFailedNotification("chat"); });
  ASSERT_TRUE(oldest);
  EXPECT_EQ(oldest->id, 5);
  EXPECT_EQ(oldest->next_attempt_at, t0 + std::chrono::minutes(6));
  EXPECT_EQ(Read([](PlanReader& r) { return r.OldestFailedNotification("other"); })->id, 3);
  EXPECT_FALSE(Read([](PlanReader& r) { return r.OldestFailedNotification("none"); }));
}

TEST_F(OutboxRowsTest, NothingReadyWithoutNotifications) {
  EXPECT_EQ(Read([](PlanReader& r) { return r.NextNotificationAt(); }), std::nullopt);
  EXPECT_EQ(ToJson(Read([](PlanReader& r) { return r.CountNotifications(); })),
            (nlohmann::json{
                {"pending", 0}, {"delivering", 0}, {"delivered", 0}, {"failed", 0}, {"dead", 0}}));
}

TEST_F(OutboxRowsTest, CountsEveryState) {
  int i = 0;
  for (NotificationState state : kAllNotificationStates) {
    for (int n = 0; n <= static_cast<int>(state); ++n) {
      Notification row = MakeNotification("k" + std::to_string(i++), task1_);
      row.state = state;
      Insert(row);
    }
  }
  EXPECT_EQ(ToJson(Read([](PlanReader& r) { return r.CountNotifications(); })),
            (nlohmann::json{
                {"pending", 1}, {"delivering", 2}, {"delivered", 3}, {"failed", 4}, {"dead", 5}}));
}

// The plan SQLite chooses for `sql`, one detail line per step.
std::vector<std::string> QueryPlan(Connection& db, std::string_view sql) {
  internal::Statement s(db.handle(), "EXPLAIN QUERY PLAN " + std::string(sql));
  std::vector<std::string> steps;
  while (s.Step()) steps.push_back(s.ColumnText(3));
  return steps;
}

::testing::AssertionResult WalksIndex(const std::vector<std::string>& plan,
                                      std::string_view index) {
  std::string all;
  for (const std::string& step : plan) all += step + "; ";
  bool uses = false;
  for (const std::string& step : plan) {
    if (step.find("TEMP B-TREE") != std::string::npos) {
      return ::testing::AssertionFailure() << "sorts: " << all;
    }
    if (step.find("USING") == std::string::npos && step.rfind("SCAN", 0) == 0) {
      return ::testing::AssertionFailure() << "full scan: " << all;
    }
    if (step.find(index) != std::string::npos) uses = true;
  }
  if (!uses) return ::testing::AssertionFailure() << "does not use " << index << ": " << all;
  return ::testing::AssertionSuccess() << all;
}

TEST_F(OutboxRowsTest, PollingQueriesWalkAPartialIndexWithoutSorting) {
  // Mostly settled rows, as in a long-lived database.
  Write([&](PlanRepository& repo) {
    for (int i = 0; i < 300; ++i) {
      std::string key = "r" + std::to_string(i);
      repo.UpsertPendingReminder(Reminder(task1_, key, "2026-11-26T01:00:00Z"));
      if (i % 10 != 0)
        repo.SettleReminder(task1_, key, ReminderStatus::kFired, At("2026-11-26T01:00:00Z"));
      Notification n = MakeNotification(key, task1_);
      n.state = i % 10 == 0 ? NotificationState::kPending : NotificationState::kDelivered;
      ASSERT_TRUE(repo.InsertNotification(n).has_value());
    }
  });
  storage_.reset();
  Connection db(path_, Connection::Mode::kReadWriteCreate);
  // As kaizend runs (no statistics), and after ANALYZE, which changes the planner's costs.
  for (bool analyzed : {false, true}) {
    SCOPED_TRACE(analyzed ? "analyzed" : "no statistics");
    if (analyzed) db.Execute("ANALYZE");
    EXPECT_TRUE(
        WalksIndex(QueryPlan(db, internal::kNextReminderAtSql), "reminders_pending_by_fire_at"));
    EXPECT_TRUE(
        WalksIndex(QueryPlan(db, internal::kDueRemindersSql), "reminders_pending_by_fire_at"));
    EXPECT_TRUE(WalksIndex(QueryPlan(db, internal::kReadyNotificationsSql), "notifications_ready"));
    EXPECT_TRUE(WalksIndex(QueryPlan(db, internal::kNextNotificationAtSql), "notifications_ready"));
    EXPECT_TRUE(WalksIndex(QueryPlan(db, internal::kOldestFailedNotificationSql),
                           "notifications_by_state"));
  }
}

TEST(OutboxMigration, AVersion1DatabaseKeepsItsDataAndGainsTheOutbox) {
  TempDir dir;
  const std::string path = dir.File("kaizen.db");
  {
    // A database as kaizend with schema v1 left it, with a plan, a task and an event.
    Connection db(path, Connection::Mode::kReadWriteCreate);
    Result<int> version = internal::MigrateTo(db, 1);
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    ASSERT_EQ(*version, 1);
    db.Execute(R"sql(
INSERT INTO plans (id, title, description, kind, owner, team, state, allow_self_verification,
                   goals, version, created_at, updated_at)
VALUES (1, 'Raise CSAT', 'd', 'improvement', 'boss', 'ops', 'active', 0, '[]', 3,
        '2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z');
INSERT INTO tasks (id, plan_id, key, title, description, owner, due_at, criterion, state, version,
                   created_at, updated_at, completed_at)
VALUES (1, 1, 'survey', 'Survey', '', 'li.lei', '2026-11-25T01:00:00.000Z', 'c', 'open', 1,
        '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', NULL);
INSERT INTO task_events (task_id, plan_id, at, actor, kind, from_state, to_state, note)
VALUES (1, 1, '2026-11-01T00:00:00.000Z', 'boss', 'created', NULL, 'open', '');
)sql");
    EXPECT_EQ(db.QueryText("SELECT name FROM sqlite_master WHERE name = 'reminders'"),
              std::nullopt);
  }

  auto storage = OpenStorage(OptionsFor(path));
  ASSERT_NE(storage, nullptr);
  EXPECT_EQ(storage->schema_version(), LatestSchemaVersion());
  std::optional<Plan> plan;
  std::optional<Task> task;
  std::vector<TaskEvent> events;
  ASSERT_TRUE(storage
                  ->ReadSync([&](PlanReader& r) {
                    plan = r.FindPlan(1);
                    task = r.FindTask(1);
                    events = r.EventsOfTask(1);
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->title, "Raise CSAT");
  EXPECT_EQ(plan->version, 3);
  EXPECT_EQ(plan->reminder_policy, std::nullopt);
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->key, "survey");
  EXPECT_EQ(task->due_at, At("2026-11-25T01:00:00Z"));
  EXPECT_EQ(task->reminder_policy, std::nullopt);
  EXPECT_EQ(events.size(), 1u);

  // The new tables work on the migrated file.
  std::optional<NotificationId> id;
  ASSERT_TRUE(storage
                  ->WriteSync([&](PlanRepository& repo) {
                    repo.UpsertPendingReminder(Reminder(1, "at_due@x", "2026-11-25T01:00:00Z"));
                    id = repo.InsertNotification(MakeNotification("k", 1));
                    task->reminder_policy = "strict";
                    repo.UpdateTask(*task);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(id, 1);
  ASSERT_TRUE(storage
                  ->ReadSync([&](PlanReader& r) {
                    EXPECT_EQ(r.NextReminderAt(), At("2026-11-25T01:00:00Z"));
                    EXPECT_EQ(r.FindTask(1)->reminder_policy, "strict");
                    return Status::Ok();
                  })
                  .ok());
}

}  // namespace
}  // namespace kaizen::storage
