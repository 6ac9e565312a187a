// A kaizend that dies without closing its database (crash, OOM kill, kill -9) must lose no
// acknowledged write and keep no unacknowledged one. A child process does the writes and dies;
// the test process reopens the file.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "storage/storage.h"
#include "tests/storage/storage_test_util.h"

namespace kaizen::storage {
namespace {

using testutil::OptionsFor;
using testutil::SamplePlan;
using testutil::SampleTask;
using testutil::TempDir;

enum class Death { kExit, kKill, kKillMidTransaction };

constexpr int kCommittedWrites = 20;
constexpr char kUncommittedTitle[] = "never acknowledged";

// Runs in the child: no gtest, no destructors on the way out. Writes the id of every plan
// whose write was acknowledged to `ack_fd`, then dies the requested way.
[[noreturn]] void ChildWritesAndDies(const std::string& path, int ack_fd, Death death) {
  Result<std::unique_ptr<Storage>> opened = Storage::Open(OptionsFor(path));
  if (!opened.ok()) _exit(3);
  Storage& storage = *opened.value();
  for (int i = 0; i < kCommittedWrites; ++i) {
    PlanId id = 0;
    Status status = storage.WriteSync([&id, i](PlanRepository& repo) {
      id = repo.InsertPlan(SamplePlan("plan " + std::to_string(i)));
      repo.InsertTask(SampleTask(id));
      return Status::Ok();
    });
    if (!status.ok()) _exit(4);
    if (write(ack_fd, &id, sizeof id) != static_cast<ssize_t>(sizeof id)) _exit(5);
  }
  switch (death) {
    case Death::kExit: _exit(0);
    case Death::kKill: kill(getpid(), SIGKILL); break;
    case Death::kKillMidTransaction:
      (void)storage.WriteSync([](PlanRepository& repo) {
        PlanId id = repo.InsertPlan(SamplePlan(kUncommittedTitle));
        repo.InsertTask(SampleTask(id));
        kill(getpid(), SIGKILL);
        return Status::Ok();
      });
      break;
  }
  _exit(6);  // not reached: SIGKILL cannot be caught
}

class CrashRecoveryTest : public ::testing::TestWithParam<Death> {};

TEST_P(CrashRecoveryTest, ReopeningSeesEveryAcknowledgedWriteAndNothingElse) {
  TempDir dir;
  const std::string path = dir.File("kaizen.db");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);

  // No Storage is open in this process while it forks, so the child inherits no threads.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    ChildWritesAndDies(path, fds[1], GetParam());
  }
  close(fds[1]);
  std::vector<PlanId> acknowledged;
  PlanId id = 0;
  while (read(fds[0], &id, sizeof id) == static_cast<ssize_t>(sizeof id))
    acknowledged.push_back(id);
  close(fds[0]);
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  if (GetParam() == Death::kExit) {
    ASSERT_TRUE(WIFEXITED(wait_status));
    EXPECT_EQ(WEXITSTATUS(wait_status), 0);
  } else {
    ASSERT_TRUE(WIFSIGNALED(wait_status)) << "child exited with " << WEXITSTATUS(wait_status);
    EXPECT_EQ(WTERMSIG(wait_status), SIGKILL);
  }
  ASSERT_EQ(acknowledged.size(), static_cast<std::size_t>(kCommittedWrites));
  // The child never closed the database: its WAL holds the commits.
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));

  auto storage = testutil::OpenStorage(OptionsFor(path));
  ASSERT_NE(storage, nullptr);
  std::vector<Plan> plans;
  std::size_t tasks = 0;
  ASSERT_TRUE(storage
                  ->ReadSync([&](PlanReader& repo) {
                    plans = repo.ListPlans(testutil::EveryPlan()).items;
                    tasks = repo.ListTasks(testutil::EveryTask()).items.size();
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(plans.size(), acknowledged.size());
  for (std::size_t i = 0; i < plans.size(); ++i) {
    EXPECT_EQ(plans[i].id, acknowledged[i]);
    EXPECT_EQ(plans[i].title, "plan " + std::to_string(i));
    EXPECT_NE(plans[i].title, kUncommittedTitle);
  }
  EXPECT_EQ(tasks, acknowledged.size());

  // The reopened database takes writes again.
  EXPECT_TRUE(storage
                  ->WriteSync([](PlanRepository& repo) {
                    repo.InsertPlan(SamplePlan());
                    return Status::Ok();
                  })
                  .ok());
}

std::string DeathName(const ::testing::TestParamInfo<Death>& death) {
  switch (death.param) {
    case Death::kExit: return "ExitWithoutClosing";
    case Death::kKill: return "KilledBetweenWrites";
    case Death::kKillMidTransaction: return "KilledMidTransaction";
  }
  return "Unknown";
}

INSTANTIATE_TEST_SUITE_P(Deaths, CrashRecoveryTest,
                         ::testing::Values(Death::kExit, Death::kKill, Death::kKillMidTransaction),
                         DeathName);

}  // namespace
}  // namespace kaizen::storage
