// Storage's transaction and threading contract: failed commands leave nothing, reads see one
// snapshot, awaitables resume on the caller's executor, many threads may use it at once.
#include "storage/storage.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <exception>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "tests/storage/storage_test_util.h"

namespace kaizen::storage {
namespace {

using testutil::OpenStorage;
using testutil::OptionsFor;
using testutil::SamplePlan;
using testutil::SampleTask;
using testutil::TempDir;
using testutil::ToJson;

class StorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = OpenStorage(OptionsFor(dir_.File("kaizen.db")));
    ASSERT_NE(storage_, nullptr);
  }

  std::vector<Plan> AllPlans() {
    std::vector<Plan> plans;
    Status status = storage_->ReadSync([&plans](PlanReader& repo) {
      plans = repo.ListPlans(testutil::EveryPlan()).items;
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return plans;
  }

  std::size_t TaskCount() {
    std::size_t count = 0;
    Status status = storage_->ReadSync([&count](PlanReader& repo) {
      count = repo.ListTasks(testutil::EveryTask()).items.size();
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return count;
  }

  TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

TEST_F(StorageTest, ACommandThatFailsLeavesNothingBehind) {
  Status status = storage_->WriteSync([](PlanRepository& repo) {
    PlanId plan = repo.InsertPlan(SamplePlan());
    repo.InsertTask(SampleTask(plan));
    return Conflict("plan_not_active", "the plan is cancelled");
  });
  EXPECT_EQ(status.code(), StatusCode::kConflict);
  EXPECT_EQ(status.reason(), "plan_not_active");
  EXPECT_TRUE(AllPlans().empty());
  EXPECT_EQ(TaskCount(), 0u);

  // The rolled-back insert did not use up an id.
  PlanId id = 0;
  ASSERT_TRUE(storage_
                  ->WriteSync([&id](PlanRepository& repo) {
                    id = repo.InsertPlan(SamplePlan());
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(id, 1);
}

TEST_F(StorageTest, AStorageErrorMidwayRollsBackAndReportsStorageUnavailable) {
  Status status = storage_->WriteSync([](PlanRepository& repo) -> Status {
    PlanId plan = repo.InsertPlan(SamplePlan());
    repo.InsertTask(SampleTask(plan));
    throw StorageError("disk I/O error");
  });
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(status.reason(), "storage_unavailable");
  EXPECT_NE(status.message().find("disk I/O error"), std::string::npos) << status.message();
  EXPECT_TRUE(AllPlans().empty());
  EXPECT_EQ(TaskCount(), 0u);
}

TEST_F(StorageTest, ASqliteFailureMidwayRollsBackTheWholeCommand) {
  Status status = storage_->WriteSync([](PlanRepository& repo) {
    PlanId plan = repo.InsertPlan(SamplePlan());
    repo.InsertTask(SampleTask(plan));
    repo.InsertTask(SampleTask(plan + 100));  // no such plan: the foreign key refuses it
    return Status::Ok();
  });
  EXPECT_EQ(status.reason(), "storage_unavailable");
  EXPECT_TRUE(AllPlans().empty());
  EXPECT_EQ(TaskCount(), 0u);
}

TEST_F(StorageTest, AnyOtherExceptionRollsBackAndIsInternal) {
  Status status = storage_->WriteSync([](PlanRepository& repo) -> Status {
    repo.InsertPlan(SamplePlan());
    throw std::logic_error("bug in a command");
  });
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_TRUE(AllPlans().empty());

  // The writer lane survived and still commits.
  EXPECT_TRUE(storage_
                  ->WriteSync([](PlanRepository& repo) {
                    repo.InsertPlan(SamplePlan());
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(AllPlans().size(), 1u);
}

TEST_F(StorageTest, AReadSeesOneSnapshotWhileAWriteCommits) {
  ASSERT_TRUE(storage_
                  ->WriteSync([](PlanRepository& repo) {
                    repo.InsertPlan(SamplePlan());
                    return Status::Ok();
                  })
                  .ok());
  std::promise<void> first_read_done;
  std::promise<void> write_committed;
  std::promise<std::pair<std::size_t, std::size_t>> counts;
  storage_->SubmitRead(
      [&](PlanReader& repo) {
        std::size_t before = repo.ListPlans({}).items.size();
        first_read_done.set_value();
        write_committed.get_future().wait();
        std::size_t after = repo.ListPlans({}).items.size();
        counts.set_value({before, after});
        return Status::Ok();
      },
      [](Status status) { EXPECT_TRUE(status.ok()) << status.ToString(); });

  first_read_done.get_future().wait();
  ASSERT_TRUE(storage_
                  ->WriteSync([](PlanRepository& repo) {
                    repo.InsertPlan(SamplePlan());
                    return Status::Ok();
                  })
                  .ok());
  write_committed.set_value();
  EXPECT_EQ(counts.get_future().get(), std::make_pair(std::size_t{1}, std::size_t{1}));
  EXPECT_EQ(AllPlans().size(), 2u);
}

struct AwaitOutcome {
  std::thread::id resumed_on_after_write;
  std::thread::id resumed_on_after_read;
  std::thread::id ran_on;
  std::optional<Result<PlanId>> written;
  std::optional<Result<Plan>> read;
  std::optional<Result<PlanId>> refused;
};

boost::asio::awaitable<void> WriteThenRead(Storage* storage, AwaitOutcome* out) {
  out->written.emplace(co_await storage->Write([out](PlanRepository& repo) -> Result<PlanId> {
    out->ran_on = std::this_thread::get_id();
    return repo.InsertPlan(SamplePlan());
  }));
  out->resumed_on_after_write = std::this_thread::get_id();

  const PlanId id = out->written->ok() ? out->written->value() : 0;
  out->read.emplace(co_await storage->Read([id](PlanReader& repo) -> Result<Plan> {
    std::optional<Plan> plan = repo.FindPlan(id);
    if (!plan) return NotFound("plan_not_found", "no plan");
    return *plan;
  }));
  out->resumed_on_after_read = std::this_thread::get_id();

  out->refused.emplace(co_await storage->Write([](PlanRepository& repo) -> Result<PlanId> {
    repo.InsertPlan(SamplePlan());
    return Conflict("plan_not_active", "refused");
  }));
}

TEST_F(StorageTest, AwaitableWriteAndReadResumeOnTheCallersThread) {
  boost::asio::io_context io;
  AwaitOutcome out;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, WriteThenRead(storage_.get(), &out),
                        [&failure](std::exception_ptr e) { failure = e; });
  io.run();
  ASSERT_FALSE(failure);

  const std::thread::id caller = std::this_thread::get_id();
  EXPECT_NE(out.ran_on, caller);
  EXPECT_EQ(out.resumed_on_after_write, caller);
  EXPECT_EQ(out.resumed_on_after_read, caller);
  ASSERT_TRUE(out.written && out.written->ok()) << out.written->status().ToString();
  ASSERT_TRUE(out.read && out.read->ok()) << out.read->status().ToString();
  Plan expected = SamplePlan();
  expected.id = out.written->value();
  EXPECT_EQ(ToJson(out.read->value()), ToJson(expected));
  ASSERT_TRUE(out.refused.has_value());
  EXPECT_EQ(out.refused->status().reason(), "plan_not_active");
  EXPECT_EQ(AllPlans().size(), 1u);  // the refused command was rolled back
}

boost::asio::awaitable<void> ThrowingWrite(Storage* storage, Status* out) {
  Result<int> result = co_await storage->Write([](PlanRepository& repo) -> Result<int> {
    repo.InsertPlan(SamplePlan());
    throw StorageError("database disk image is malformed");
  });
  *out = result.status();
}

TEST_F(StorageTest, AwaitableWriteCarriesAStorageFailureBack) {
  boost::asio::io_context io;
  Status status;
  boost::asio::co_spawn(io, ThrowingWrite(storage_.get(), &status), boost::asio::detached);
  io.run();
  EXPECT_EQ(status.reason(), "storage_unavailable");
  EXPECT_TRUE(AllPlans().empty());
}

TEST_F(StorageTest, ManyThreadsWriteAndReadConsistentPlans) {
  constexpr int kThreads = 4;
  constexpr int kPlansPerThread = 25;
  constexpr std::size_t kTasksPerPlan = 3;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPlansPerThread; ++i) {
        Status written = storage_->WriteSync([&](PlanRepository& repo) {
          PlanId plan = repo.InsertPlan(SamplePlan("thread " + std::to_string(t)));
          for (std::size_t k = 0; k < kTasksPerPlan; ++k) repo.InsertTask(SampleTask(plan));
          return Status::Ok();
        });
        if (!written.ok()) ++failures;
        // A reader must never see a plan without all of its tasks.
        Status read = storage_->ReadSync([&](PlanReader& repo) {
          for (const Plan& plan : repo.ListPlans(testutil::EveryPlan()).items) {
            if (repo.TasksOfPlan(plan.id).size() != kTasksPerPlan) ++failures;
          }
          return Status::Ok();
        });
        if (!read.ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(failures.load(), 0);
  std::vector<Plan> plans = AllPlans();
  ASSERT_EQ(plans.size(), static_cast<std::size_t>(kThreads * kPlansPerThread));
  for (std::size_t i = 0; i < plans.size(); ++i) EXPECT_EQ(plans[i].id, PlanId(i + 1));
  EXPECT_EQ(TaskCount(), plans.size() * kTasksPerPlan);
}

TEST_F(StorageTest, ClosingRunsEveryQueuedWriteFirst) {
  constexpr int kWrites = 40;
  std::atomic<int> done{0};
  for (int i = 0; i < kWrites; ++i) {
    storage_->SubmitWrite(
        [](PlanRepository& repo) {
          repo.InsertPlan(SamplePlan());
          return Status::Ok();
        },
        [&done](Status status) {
          if (status.ok()) ++done;
        });
  }
  storage_.reset();
  EXPECT_EQ(done.load(), kWrites);

  storage_ = OpenStorage(OptionsFor(dir_.File("kaizen.db")));
  ASSERT_NE(storage_, nullptr);
  EXPECT_EQ(AllPlans().size(), static_cast<std::size_t>(kWrites));
}

TEST_F(StorageTest, ReportsItsSizeInBytes) {
  const std::int64_t empty = storage_->SizeBytes();
  EXPECT_GT(empty, 0);
  ASSERT_TRUE(storage_
                  ->WriteSync([](PlanRepository& repo) {
                    for (int i = 0; i < 200; ++i) {
                      repo.InsertPlan(SamplePlan(std::string(500, 'x')));
                    }
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_GT(storage_->SizeBytes(), empty + 200 * 500);
}

TEST_F(StorageTest, BacksUpToAFileThatOpensAsTheSameDatabase) {
  PlanId id = 0;
  ASSERT_TRUE(storage_
                  ->WriteSync([&id](PlanRepository& repo) {
                    id = repo.InsertPlan(SamplePlan());
                    repo.InsertTask(SampleTask(id));
                    return Status::Ok();
                  })
                  .ok());
  const std::string backup = dir_.File("backup.db");
  Result<BackupReport> report = storage_->BackupTo(backup);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->tasks, 1);
  EXPECT_FALSE(std::filesystem::exists(backup + ".partial"));

  auto copy = OpenStorage(OptionsFor(backup));
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->schema_version(), LatestSchemaVersion());
  std::optional<Plan> plan;
  std::vector<Task> tasks;
  ASSERT_TRUE(copy->ReadSync([&](PlanReader& repo) {
                    plan = repo.FindPlan(id);
                    tasks = repo.TasksOfPlan(id);
                    return Status::Ok();
                  })
                  .ok());
  Plan expected = SamplePlan();
  expected.id = id;
  EXPECT_EQ(ToJson(plan), ToJson(expected));
  EXPECT_EQ(tasks.size(), 1u);

  Result<BackupReport> refused = storage_->BackupTo(dir_.File("no/such/dir/backup.db"));
  EXPECT_EQ(refused.status().reason(), "backup_failed");
}

}  // namespace
}  // namespace kaizen::storage
