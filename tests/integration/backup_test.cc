// Backups of a live database (issue 6): while a client keeps creating plans through the API,
// `kaizenctl backup` (POST /api/v1/backup) and `kaizend --backup` (another process, its own
// connection) each write a copy that SQLite opens, that passes integrity_check and that holds
// every task committed before the backup started.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "tests/integration/daemon_fixture.h"

#ifndef KAIZENCTL_PATH
#error "KAIZENCTL_PATH must name the kaizenctl executable"
#endif

namespace kaizen::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct Copy {
  std::string integrity;
  std::set<std::int64_t> task_ids;
};

// Opens a copy the way an operator would, with the sqlite3 library and nothing of kaizen.
Copy ReadCopy(const fs::path& path) {
  Copy copy;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return copy;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    copy.integrity = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  if (sqlite3_prepare_v2(db, "SELECT id FROM tasks", -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) copy.task_ids.insert(sqlite3_column_int64(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return copy;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class Backup : public DaemonTest {
 protected:
  void TearDown() override {
    StopWriter();
    DaemonTest::TearDown();
  }

  // Creates plans of one task each until told to stop (at most 60 s), recording the id of
  // every task whose 201 came back: those are committed.
  void StartWriter() {
    writer_ = std::thread([this] {
      auto client = daemon_.Client();
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      for (int i = 0; !stop_ && std::chrono::steady_clock::now() < deadline; ++i) {
        json body = PlanBody("Backup load " + std::to_string(i));
        body["tasks"] = {
            TaskBody("t", "Task " + std::to_string(i), "han.meimei", "2099-03-01T09:00:00Z")};
        auto answer = client->Post("/api/v1/plans", body);
        if (!answer.ok() || answer->status != 201) continue;
        std::lock_guard lock(mutex_);
        committed_.push_back(answer->json["tasks"][0]["id"].get<std::int64_t>());
        more_.notify_all();
      }
    });
  }

  void StopWriter() {
    stop_ = true;
    if (writer_.joinable()) writer_.join();
  }

  // Waits (at most 20 s) until at least `n` more tasks than now are committed; returns them all.
  std::vector<std::int64_t> CommittedAfter(std::size_t n) {
    std::unique_lock lock(mutex_);
    const std::size_t target = committed_.size() + n;
    EXPECT_TRUE(
        more_.wait_for(lock, std::chrono::seconds(20), [&] { return committed_.size() >= target; }))
        << "the writer committed " << committed_.size() << " tasks, expected " << target;
    return committed_;
  }

  std::size_t CommittedCount() {
    std::lock_guard lock(mutex_);
    return committed_.size();
  }

  ProgramResult Run(std::vector<std::string> argv) {
    auto result = RunProgram(argv, daemon_.dir(), std::chrono::seconds(60));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return {};
    EXPECT_FALSE(result->timed_out) << argv[0] << " did not finish";
    return *result;
  }

  std::vector<std::string> Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {KAIZENCTL_PATH, "--server",
                                     "http://127.0.0.1:" + std::to_string(daemon_.port())};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  std::thread writer_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable more_;
  std::vector<std::int64_t> committed_;
};

TEST_F(Backup, CopiesTakenWhileTasksAreCommittedHoldEveryTaskCommittedBefore) {
  StartWriter();

  const std::vector<std::int64_t> before_api = CommittedAfter(10);
  const fs::path api_copy = daemon_.dir() / "api-copy.db";
  ProgramResult ctl = Run(Ctl({"backup", api_copy.string()}));
  EXPECT_EQ(ctl.exit_code, 0) << ctl.err;
  EXPECT_NE(ctl.out.find("wrote " + api_copy.string()), std::string::npos) << ctl.out;

  const std::vector<std::int64_t> before_offline = CommittedAfter(5);
  const fs::path offline_copy = daemon_.dir() / "offline-copy.db";
  ProgramResult offline =
      Run({KaizendPath(), "--backup", offline_copy.string(), "--db", daemon_.db_path().string()});
  EXPECT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_NE(offline.out.find("integrity ok"), std::string::npos) << offline.out;

  // The writer kept going through both backups: neither held the database.
  const std::size_t after = CommittedCount();
  CommittedAfter(5);
  StopWriter();
  EXPECT_GT(CommittedCount(), after);

  for (const auto& [copy, before] :
       {std::pair{api_copy, before_api}, std::pair{offline_copy, before_offline}}) {
    SCOPED_TRACE(copy.string());
    ASSERT_TRUE(fs::exists(copy));
    EXPECT_FALSE(fs::exists(copy.string() + ".part"));
    EXPECT_FALSE(fs::exists(copy.string() + ".partial"));
    Copy read = ReadCopy(copy);
    EXPECT_EQ(read.integrity, "ok");
    for (std::int64_t id : before) EXPECT_TRUE(read.task_ids.count(id)) << "task " << id;
  }

  // The daemon's own temporary copy is gone once sent (bounded wait: it is removed right after
  // the last byte is written, which the client may see first).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto leftovers = [&] {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(daemon_.db_path().parent_path())) {
      if (entry.path().filename().string().starts_with(".kaizen-backup-")) ++n;
    }
    return n;
  };
  while (leftovers() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(leftovers(), 0);
}

TEST_F(Backup, NeitherCommandReplacesAFileWithoutForce) {
  const fs::path target = daemon_.dir() / "keep.db";
  std::ofstream(target) << "an earlier backup";

  ProgramResult ctl = Run(Ctl({"backup", target.string()}));
  EXPECT_EQ(ctl.exit_code, 2) << ctl.err;
  EXPECT_NE(ctl.err.find("--force"), std::string::npos) << ctl.err;
  ProgramResult offline =
      Run({KaizendPath(), "--backup", target.string(), "--config", daemon_.config_path().string()});
  EXPECT_EQ(offline.exit_code, 2) << offline.err;
  EXPECT_EQ(ReadText(target), "an earlier backup");

  ProgramResult forced = Run(Ctl({"backup", target.string(), "--force"}));
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(ReadCopy(target).integrity, "ok");
  ProgramResult forced_offline = Run({KaizendPath(), "--backup", target.string(), "--force",
                                      "--config", daemon_.config_path().string()});
  EXPECT_EQ(forced_offline.exit_code, 0) << forced_offline.err;
  EXPECT_EQ(ReadCopy(target).integrity, "ok");
}

TEST_F(Backup, OfflineBackupOfAMissingDatabaseFailsAndCreatesNothing) {
  const fs::path missing = daemon_.dir() / "no-such.db";
  const fs::path target = daemon_.dir() / "never.db";
  ProgramResult offline =
      Run({KaizendPath(), "--backup", target.string(), "--db", missing.string()});
  EXPECT_EQ(offline.exit_code, 1);
  EXPECT_NE(offline.err.find("no-such.db"), std::string::npos) << offline.err;
  EXPECT_FALSE(fs::exists(missing));
  EXPECT_FALSE(fs::exists(target));
}

}  // namespace
}  // namespace kaizen::testing
