// The online backup (storage/backup.h): a copy taken while another thread keeps committing
// opens, passes integrity_check and holds every task committed before the backup began; a
// failed backup leaves nothing behind and never touches an earlier backup under that name.
#include "storage/backup.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "storage/internal/sqlite.h"
#include "storage/storage.h"
#include "tests/storage/storage_test_util.h"

namespace kaizen::storage {
namespace {

using internal::Connection;
using testutil::OpenStorage;
using testutil::OptionsFor;
using testutil::SamplePlan;
using testutil::SampleTask;
using testutil::TempDir;

// The ids in the copy's tasks table, read with plain SQLite as an operator would.
std::set<TaskId> TaskIdsIn(const std::string& path) {
  Connection copy(path, Connection::Mode::kReadOnly);
  internal::Statement select(copy.handle(), "SELECT id FROM tasks");
  std::set<TaskId> ids;
  while (select.Step()) ids.insert(select.ColumnInt64(0));
  return ids;
}

std::string IntegrityOf(const std::string& path) {
  Connection copy(path, Connection::Mode::kReadWriteCreate);
  return copy.QueryText("PRAGMA integrity_check").value_or("no answer");
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = OpenStorage(OptionsFor(dir_.File("kaizen.db")));
    ASSERT_NE(storage_, nullptr);
  }

  TaskId CommitTask(PlanId plan, const std::string& title) {
    TaskId id = 0;
    Status status = storage_->WriteSync([&](PlanRepository& repo) {
      id = repo.InsertTask(SampleTask(plan, title));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return id;
  }

  PlanId CommitPlan() {
    PlanId id = 0;
    EXPECT_TRUE(storage_
                    ->WriteSync([&id](PlanRepository& repo) {
                      id = repo.InsertPlan(SamplePlan());
                      return Status::Ok();
                    })
                    .ok());
    return id;
  }

  TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

TEST_F(BackupTest, CopyTakenWhileTasksAreCommittedHoldsEveryTaskCommittedBefore) {
  const PlanId plan = CommitPlan();
  // Enough pages that a copy of 4 pages per step takes many steps, each one a chance for the
  // writer's commits to get in.
  ASSERT_TRUE(storage_
                  ->WriteSync([plan](PlanRepository& repo) {
                    for (int n = 0; n < 300; ++n) {
                      repo.InsertTask(
                          SampleTask(plan, "seed " + std::to_string(n) + std::string(800, 's')));
                    }
                    return Status::Ok();
                  })
                  .ok());

  std::mutex mutex;
  std::condition_variable committed_more;
  std::vector<TaskId> committed;  // in commit order, under mutex
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    // Bounded: stops when told, or after 20 s whatever happens.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (int i = 0; !stop && std::chrono::steady_clock::now() < deadline; ++i) {
      TaskId id = CommitTask(plan, "live " + std::to_string(i) + std::string(400, 'l'));
      std::lock_guard lock(mutex);
      committed.push_back(id);
      committed_more.notify_all();
    }
  });

  std::vector<TaskId> before;
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(committed_more.wait_for(lock, std::chrono::seconds(10), [&] {
      return committed.size() >= 20;
    })) << "the writer did not commit 20 tasks in 10 s";
    before = committed;
  }
  BackupOptions options;
  options.pages_per_step = 4;
  const std::string copy = dir_.File("copy.db");
  Result<BackupReport> report = BackupDatabase(storage_->path(), copy, options);
  std::size_t committed_during;
  {
    std::lock_guard lock(mutex);
    committed_during = committed.size() - before.size();
  }
  stop = true;
  writer.join();

  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GT(report->steps, 10) << "the copy was not taken in steps";
  EXPECT_EQ(report->schema_version, LatestSchemaVersion());
  EXPECT_EQ(report->bytes, static_cast<std::int64_t>(std::filesystem::file_size(copy)));
  EXPECT_FALSE(std::filesystem::exists(copy + ".partial"));
  EXPECT_EQ(IntegrityOf(copy), "ok");

  std::set<TaskId> in_copy = TaskIdsIn(copy);
  EXPECT_EQ(static_cast<std::int64_t>(in_copy.size()), report->tasks);
  for (TaskId id : before) EXPECT_TRUE(in_copy.count(id)) << "task " << id << " is missing";
  // One snapshot: the copy is a prefix of the commits, with no gap.
  EXPECT_EQ(in_copy.size(), *in_copy.rbegin() - *in_copy.begin() + 1);
  RecordProperty("committed_during_backup", static_cast<int>(committed_during));
}

TEST_F(BackupTest, StorageBackupRunsOffTheCallersThreadAndResumesOnIt) {
  const PlanId plan = CommitPlan();
  const TaskId task = CommitTask(plan, "back me up");
  boost::asio::io_context io;
  std::optional<Result<BackupReport>> result;
  std::thread::id resumed_on;
  const std::string copy = dir_.File("from-coroutine.db");
  auto backup = [&]() -> boost::asio::awaitable<void> {
    Result<BackupReport> r = co_await storage_->Backup(copy);
    resumed_on = std::this_thread::get_id();
    result.emplace(std::move(r));
  };
  boost::asio::co_spawn(io, backup(), boost::asio::detached);
  io.run();

  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->ok()) << result->status().ToString();
  EXPECT_EQ(resumed_on, std::this_thread::get_id());
  EXPECT_EQ((*result)->tasks, 1);
  EXPECT_EQ(TaskIdsIn(copy), std::set<TaskId>{task});
}

TEST_F(BackupTest, WorksOnADatabaseNoDaemonHasOpen) {
  const PlanId plan = CommitPlan();
  const TaskId task = CommitTask(plan, "offline");
  storage_.reset();  // closed: checkpointed, no -wal left

  Result<BackupReport> report = BackupDatabase(dir_.File("kaizen.db"), dir_.File("offline.db"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(TaskIdsIn(dir_.File("offline.db")), std::set<TaskId>{task});
  EXPECT_EQ(IntegrityOf(dir_.File("offline.db")), "ok");
}

TEST_F(BackupTest, FailuresSayWhyAndLeaveNothingBehind) {
  Result<BackupReport> missing = BackupDatabase(dir_.File("nothing.db"), dir_.File("a.db"));
  EXPECT_EQ(missing.status().reason(), "backup_failed");
  EXPECT_NE(missing.status().message().find("nothing.db"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_.File("nothing.db"))) << "the source was created";
  EXPECT_FALSE(std::filesystem::exists(dir_.File("a.db")));

  Result<BackupReport> itself = BackupDatabase(storage_->path(), storage_->path());
  EXPECT_EQ(itself.status().reason(), "invalid_option");

  Result<BackupReport> no_dir = BackupDatabase(storage_->path(), dir_.File("no/dir/b.db"));
  EXPECT_EQ(no_dir.status().reason(), "backup_failed");
  EXPECT_FALSE(std::filesystem::exists(dir_.File("no/dir/b.db.partial")));

  // A file that is not a database: the earlier backup under the destination's name stays.
  const std::string garbage = dir_.File("garbage.db");
  std::ofstream(garbage) << std::string(8192, 'x');
  const std::string earlier = dir_.File("earlier.db");
  std::ofstream(earlier) << "the earlier backup";
  Result<BackupReport> not_db = BackupDatabase(garbage, earlier);
  EXPECT_EQ(not_db.status().reason(), "backup_failed");
  std::ifstream kept(earlier);
  std::string text((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "the earlier backup");
  EXPECT_FALSE(std::filesystem::exists(earlier + ".partial"));
}

}  // namespace
}  // namespace kaizen::storage
