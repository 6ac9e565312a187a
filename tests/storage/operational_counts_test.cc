// PlanReader::CountOperational on SQLite: the numbers behind /metrics and the status line, and
// the plans of its queries, which run at every scrape against tables that only grow.
#include <gtest/gtest.h>

#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "storage/internal/operational_sql.h"
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

Notification MakeNotification(std::string key, std::string channel, NotificationState state) {
  Notification n;
  n.idempotency_key = std::move(key);
  n.channel = std::move(channel);
  n.state = state;
  n.event.kind = std::string(kNotifyOverdue);
  n.event.plan_id = 1;
  n.created_at = At("2026-11-25T01:00:00Z");
  n.next_attempt_at = At("2026-11-25T01:00:00Z");
  n.updated_at = At("2026-11-25T01:00:00Z");
  return n;
}

class OperationalCountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = OpenStorage(OptionsFor(path_));
    ASSERT_NE(storage_, nullptr);
  }

  void Write(const std::function<void(PlanRepository&)>& fn) {
    Status status = storage_->WriteSync([&fn](PlanRepository& repo) {
      fn(repo);
      return Status::Ok();
    });
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  OperationalCounts Count(Instant now) {
    OperationalCounts out;
    Status status = storage_->ReadSync([&](PlanReader& reader) {
      out = reader.CountOperational(now);
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out;
  }

  TempDir dir_;
  std::string path_ = dir_.File("kaizen.db");
  std::unique_ptr<Storage> storage_;
};

TEST_F(OperationalCountsTest, AnEmptyDatabaseHasEveryTaskStateAtZeroAndNoChannels) {
  OperationalCounts counts = Count(At("2026-11-25T01:00:00Z"));
  ASSERT_EQ(counts.tasks_by_state.size(), std::size(kAllTaskStates));
  for (const auto& [state, n] : counts.tasks_by_state) EXPECT_EQ(n, 0) << ToString(state);
  EXPECT_EQ(counts.tasks_overdue, 0);
  EXPECT_TRUE(counts.notifications_by_channel.empty());
  EXPECT_EQ(counts.outbox_depth, 0);
  EXPECT_GT(counts.database_bytes, 0);
  EXPECT_GE(counts.wal_bytes, 0);
}

TEST_F(OperationalCountsTest, CountsTasksOverdueTasksNotificationsAndTheOutbox) {
  const Instant now = At("2026-12-01T00:00:00Z");
  Write([&](PlanRepository& repo) {
    PlanId plan = repo.InsertPlan(SamplePlan());
    struct Row {
      TaskState state;
      std::string_view due;
    };
    const Row rows[] = {
        {TaskState::kOpen, "2026-11-30T00:00:00Z"},        // overdue
        {TaskState::kOpen, "2026-12-02T00:00:00Z"},        // not yet
        {TaskState::kInProgress, "2026-11-01T00:00:00Z"},  // overdue
        {TaskState::kBlocked, "2026-11-01T00:00:00Z"},     // overdue
        {TaskState::kDone, "2026-11-01T00:00:00Z"},        // finished: never overdue
        {TaskState::kVerified, "2026-11-01T00:00:00Z"},
        {TaskState::kCancelled, "2026-11-01T00:00:00Z"},
        {TaskState::kOpen, "2026-12-01T00:00:00Z"},  // due exactly now: not overdue yet
    };
    int i = 0;
    for (const Row& row : rows) {
      Task task = SampleTask(plan, "task " + std::to_string(i++));
      task.state = row.state;
      task.due_at = At(row.due);
      repo.InsertTask(task);
    }
    const std::pair<std::string, NotificationState> notifications[] = {
        {"ops-chat", NotificationState::kDelivered}, {"ops-chat", NotificationState::kDelivered},
        {"ops-chat", NotificationState::kPending},   {"ops-chat", NotificationState::kFailed},
        {"ops-chat", NotificationState::kDead},      {"hooks", NotificationState::kDelivering},
        {"hooks", NotificationState::kDelivered},
    };
    for (const auto& [channel, state] : notifications) {
      repo.InsertNotification(MakeNotification("k" + std::to_string(i++), channel, state));
    }
  });

  OperationalCounts counts = Count(now);
  EXPECT_EQ(counts.tasks_by_state[TaskState::kOpen], 3);
  EXPECT_EQ(counts.tasks_by_state[TaskState::kInProgress], 1);
  EXPECT_EQ(counts.tasks_by_state[TaskState::kBlocked], 1);
  EXPECT_EQ(counts.tasks_by_state[TaskState::kDone], 1);
  EXPECT_EQ(counts.tasks_by_state[TaskState::kVerified], 1);
  EXPECT_EQ(counts.tasks_by_state[TaskState::kCancelled], 1);
  EXPECT_EQ(counts.tasks_overdue, 3);

  using S = NotificationState;
  EXPECT_EQ(counts.notifications_by_channel["ops-chat"],
            (std::map<S, std::int64_t>{{S::kPending, 1},
                                       {S::kDelivering, 0},
                                       {S::kDelivered, 2},
                                       {S::kFailed, 1},
                                       {S::kDead, 1}}));
  EXPECT_EQ(counts.notifications_by_channel["hooks"],
            (std::map<S, std::int64_t>{{S::kPending, 0},
                                       {S::kDelivering, 1},
                                       {S::kDelivered, 1},
                                       {S::kFailed, 0},
                                       {S::kDead, 0}}));
  EXPECT_EQ(counts.outbox_depth, 3) << "pending, failed and delivering; not dead or delivered";
}

TEST_F(OperationalCountsTest, TheOverdueQueryNamesExactlyTheUnfinishedStates) {
  const std::string sql(internal::kOverdueTasksSql);
  for (TaskState state : kAllTaskStates) {
    const bool named = sql.find("'" + std::string(ToString(state)) + "'") != std::string::npos;
    EXPECT_EQ(named, IsUnfinished(state)) << ToString(state);
  }
}

// The plan SQLite chooses for `sql`, one detail line per step.
std::vector<std::string> QueryPlan(Connection& db, std::string_view sql) {
  internal::Statement s(db.handle(), "EXPLAIN QUERY PLAN " + std::string(sql));
  std::vector<std::string> steps;
  while (s.Step()) steps.push_back(s.ColumnText(3));
  return steps;
}

// Reads `index` and never a table's rows in full: every SCAN is of a covering index.
::testing::AssertionResult ReadsNoTableInFull(const std::vector<std::string>& plan,
                                              std::string_view index) {
  std::string all;
  for (const std::string& step : plan) all += step + "; ";
  bool uses = false;
  for (const std::string& step : plan) {
    if (step.rfind("SCAN", 0) == 0 && step.find("COVERING INDEX") == std::string::npos) {
      return ::testing::AssertionFailure() << "reads a table in full: " << all;
    }
    if (step.find(index) != std::string::npos) uses = true;
  }
  if (!uses) return ::testing::AssertionFailure() << "does not use " << index << ": " << all;
  return ::testing::AssertionSuccess() << all;
}

TEST_F(OperationalCountsTest, ItsQueriesReadIndexesNotThePiledUpRows) {
  Write([&](PlanRepository& repo) {
    PlanId plan = repo.InsertPlan(SamplePlan());
    for (int i = 0; i < 200; ++i) {
      Task task = SampleTask(plan, "t" + std::to_string(i));
      task.state = i % 10 == 0 ? TaskState::kOpen : TaskState::kVerified;
      repo.InsertTask(task);
      repo.InsertNotification(MakeNotification(
          "n" + std::to_string(i), i % 2 == 0 ? "a" : "b",
          i % 10 == 0 ? NotificationState::kPending : NotificationState::kDelivered));
    }
  });
  storage_.reset();
  Connection db(path_, Connection::Mode::kReadWriteCreate);
  for (bool analyzed : {false, true}) {
    SCOPED_TRACE(analyzed ? "analyzed" : "no statistics");
    if (analyzed) db.Execute("ANALYZE");
    EXPECT_TRUE(
        ReadsNoTableInFull(QueryPlan(db, internal::kTasksByStateSql), "tasks_by_state_due"));
    EXPECT_TRUE(
        ReadsNoTableInFull(QueryPlan(db, internal::kOverdueTasksSql), "tasks_by_state_due"));
    EXPECT_TRUE(ReadsNoTableInFull(QueryPlan(db, internal::kNotificationsByChannelSql),
                                   "notifications_by_channel"));
    EXPECT_TRUE(ReadsNoTableInFull(QueryPlan(db, internal::kUndeliveredNotificationsSql),
                                   "notifications_by_state"));
  }
}

}  // namespace
}  // namespace kaizen::storage
