// Opening a database: creation, migrations, refusal of files this build cannot use, and the
// connection settings the rest of storage relies on.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "storage/internal/sqlite.h"
#include "storage/storage.h"
#include "tests/storage/storage_test_util.h"

namespace kaizen::storage {
namespace {

using internal::Connection;
using testutil::OpenStorage;
using testutil::OptionsFor;
using testutil::SamplePlan;
using testutil::TempDir;

std::set<std::string> SchemaObjects(Connection& db, const std::string& type) {
  internal::Statement s(
      db.handle(), "SELECT name FROM sqlite_master WHERE type = ?1 AND name NOT LIKE 'sqlite_%'");
  s.BindText(1, type);
  std::set<std::string> names;
  while (s.Step()) names.insert(s.ColumnText(0));
  return names;
}

TEST(StorageOpen, CreatesTheFileAndItsDirectoryAndAppliesEveryMigration) {
  TempDir dir;
  const std::string path = dir.File("var/lib/kaizen/kaizen.db");

  auto storage = OpenStorage(OptionsFor(path));
  ASSERT_NE(storage, nullptr);
  EXPECT_EQ(storage->schema_version(), LatestSchemaVersion());
  EXPECT_TRUE(std::filesystem::exists(path));
  storage.reset();

  Connection db(path, Connection::Mode::kReadOnly);
  EXPECT_EQ(db.QueryInt64("PRAGMA user_version"), LatestSchemaVersion());
  EXPECT_EQ(SchemaObjects(db, "table"),
            (std::set<std::string>{"plans", "tasks", "task_dependencies", "task_events",
                                   "reminders", "notifications", "settings", "goal_updates",
                                   "schedules", "cycles", "schedule_events", "plan_reports"}));
  std::set<std::string> indexes = SchemaObjects(db, "index");
  for (const char* name :
       {"tasks_by_plan", "tasks_by_owner_state_due", "tasks_by_state_due", "task_events_by_task",
        "reminders_pending_by_fire_at", "notifications_ready", "notifications_by_state",
        "notifications_by_channel", "notifications_by_task"}) {
    EXPECT_TRUE(indexes.contains(name)) << name;
  }
}

TEST(StorageOpen, ReopeningKeepsTheDataAndTheSchemaVersion) {
  TempDir dir;
  const std::string path = dir.File("kaizen.db");
  PlanId id = 0;
  {
    auto storage = OpenStorage(OptionsFor(path));
    ASSERT_NE(storage, nullptr);
    ASSERT_TRUE(storage
                    ->WriteSync([&id](PlanRepository& repo) {
                      id = repo.InsertPlan(SamplePlan());
                      return Status::Ok();
                    })
                    .ok());
  }
  auto storage = OpenStorage(OptionsFor(path));
  ASSERT_NE(storage, nullptr);
  EXPECT_EQ(storage->schema_version(), LatestSchemaVersion());
  std::optional<Plan> plan;
  ASSERT_TRUE(storage
                  ->ReadSync([&](PlanReader& repo) {
                    plan = repo.FindPlan(id);
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->title, SamplePlan().title);
}

TEST(StorageOpen, RefusesADatabaseWrittenByANewerKaizendAndLeavesItAlone) {
  TempDir dir;
  const std::string path = dir.File("kaizen.db");
  ASSERT_NE(OpenStorage(OptionsFor(path)), nullptr);
  {
    Connection db(path, Connection::Mode::kReadWriteCreate);
    db.Execute("PRAGMA user_version = 7");
  }

  Result<std::unique_ptr<Storage>> storage = Storage::Open(OptionsFor(path));
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), StatusCode::kConflict);
  EXPECT_EQ(storage.status().reason(), "schema_too_new");
  EXPECT_EQ(storage.status().message(),
            "database " + path + " has schema version 7, this kaizend knows up to " +
                std::to_string(LatestSchemaVersion()) + "; upgrade kaizend or restore a backup");

  Connection db(path, Connection::Mode::kReadOnly);
  EXPECT_EQ(db.QueryInt64("PRAGMA user_version"), 7);
}

TEST(StorageOpen, RefusesAFileThatIsNotADatabase) {
  TempDir dir;
  const std::string path = dir.File("kaizen.db");
  std::ofstream(path) << "this is a config file, not a database; " << std::string(4096, 'x');

  Result<std::unique_ptr<Storage>> storage = Storage::Open(OptionsFor(path));
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(storage.status().reason(), "database_unavailable");
  EXPECT_NE(storage.status().message().find(path), std::string::npos) << storage.status().message();
}

TEST(StorageOpen, ReportsADirectoryThatCannotBeCreated) {
  TempDir dir;
  std::ofstream(dir.File("file")) << "x";

  Result<std::unique_ptr<Storage>> storage = Storage::Open(OptionsFor(dir.File("file/kaizen.db")));
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().reason(), "database_unavailable");
}

TEST(StorageOpen, RefusesAnInMemoryDatabaseAndAnUnknownSynchronousMode) {
  Result<std::unique_ptr<Storage>> memory = Storage::Open(OptionsFor(":memory:"));
  ASSERT_FALSE(memory.ok());
  EXPECT_EQ(memory.status().code(), StatusCode::kInvalidArgument);

  TempDir dir;
  StorageOptions options = OptionsFor(dir.File("kaizen.db"));
  options.synchronous = "off";
  Result<std::unique_ptr<Storage>> storage = Storage::Open(options);
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().reason(), "invalid_option");
  EXPECT_FALSE(std::filesystem::exists(options.path));
}

TEST(StorageOpen, RunsInWalModeWhileOpenAndEmptiesTheWalOnClose) {
  TempDir dir;
  const std::string path = dir.File("kaizen.db");
  auto storage = OpenStorage(OptionsFor(path));
  ASSERT_NE(storage, nullptr);
  ASSERT_TRUE(storage
                  ->WriteSync([](PlanRepository& repo) {
                    repo.InsertPlan(SamplePlan());
                    return Status::Ok();
                  })
                  .ok());
  {
    Connection db(path, Connection::Mode::kReadOnly);
    EXPECT_EQ(db.QueryText("PRAGMA journal_mode"), "wal");
  }
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));

  storage.reset();
  EXPECT_TRUE(!std::filesystem::exists(path + "-wal") ||
              std::filesystem::file_size(path + "-wal") == 0);
}

TEST(StorageOpen, EnforcesForeignKeys) {
  TempDir dir;
  auto storage = OpenStorage(OptionsFor(dir.File("kaizen.db")));
  ASSERT_NE(storage, nullptr);
  Status status = storage->WriteSync([](PlanRepository& repo) {
    repo.InsertTask(testutil::SampleTask(/*plan_id=*/42));
    return Status::Ok();
  });
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(status.reason(), "storage_unavailable");
  EXPECT_NE(status.message().find("FOREIGN KEY"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace kaizen::storage
