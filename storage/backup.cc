#include "storage/backup.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <system_error>

#include "storage/internal/sqlite.h"

namespace kaizen::storage {
namespace {

namespace fs = std::filesystem;
using internal::Connection;
using internal::ThrowSqliteError;

Status BackupFailed(const std::string& message) { return Unavailable("backup_failed", message); }

// SQLite's own companions of a database file; a failed attempt may leave them.
void RemoveWithCompanions(const std::string& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
    fs::remove(path + suffix, ignored);
  }
}

// Makes a rename durable: the directory entry is on disk once its directory is synced.
void SyncDirectoryOf(const std::string& path) {
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// Copies every page of `source` into `target` inside the read transaction the caller holds on
// `source`, `pages_per_step` at a time.
void CopyPages(Connection& source, Connection& target, const BackupOptions& options,
               BackupReport& report) {
  sqlite3_backup* backup = sqlite3_backup_init(target.handle(), "main", source.handle(), "main");
  if (backup == nullptr) {
    ThrowSqliteError(target.handle(), sqlite3_extended_errcode(target.handle()), "backup init");
  }
  int rc = SQLITE_OK;
  const auto started = std::chrono::steady_clock::now();
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    rc = sqlite3_backup_step(backup, options.pages_per_step);
    ++report.steps;
    const int total = sqlite3_backup_pagecount(backup);
    const int remaining = sqlite3_backup_remaining(backup);
    spdlog::debug("backup {}: step {}: {} of {} pages copied", report.source, report.steps,
                  total - remaining, total);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      // Only the destination can be locked (it is ours alone) or the source briefly while
      // another process recovers the WAL: wait as long as the busy timeout allows.
      if (std::chrono::steady_clock::now() - started >
          std::chrono::milliseconds(options.busy_timeout_ms)) {
        break;
      }
      sqlite3_sleep(10);
    }
  }
  report.pages = sqlite3_backup_pagecount(backup);
  sqlite3_backup_finish(backup);  // its result repeats the last step's
  if (rc != SQLITE_DONE) ThrowSqliteError(target.handle(), rc, "backup step");
}

}  // namespace

Result<BackupReport> BackupDatabase(const std::string& source, const std::string& destination,
                                    const BackupOptions& options) {
  if (source.empty() || destination.empty()) {
    return InvalidArgument("invalid_option", "backup needs a source and a destination file");
  }
  if (options.pages_per_step < 1) {
    return InvalidArgument("invalid_option", "backup pages_per_step must be at least 1");
  }
  std::error_code ec;
  if (!fs::exists(source, ec)) {
    return BackupFailed("cannot back up " + source + ": no such file");
  }
  if (fs::exists(destination, ec) && fs::equivalent(source, destination, ec)) {
    return InvalidArgument("invalid_option",
                           "the backup would overwrite the database itself: " + destination);
  }

  BackupReport report;
  report.source = source;
  report.destination = destination;
  const std::string partial = destination + ".partial";
  RemoveWithCompanions(partial);
  try {
    {
      Connection from(source, Connection::Mode::kReadOnly);
      from.Execute("PRAGMA busy_timeout = " + std::to_string(options.busy_timeout_ms));
      // One read transaction over every step: the copy is one snapshot, and commits made
      // meanwhile neither show up in it nor make the backup start over.
      from.Execute("BEGIN");
      (void)from.QueryInt64("SELECT count(*) FROM sqlite_schema");
      Connection to(partial, Connection::Mode::kReadWriteCreate);
      CopyPages(from, to, options, report);
      from.Execute("COMMIT");
    }
    {
      // A connection of its own, as a restore would open it.
      Connection copy(partial, Connection::Mode::kReadWriteCreate);
      std::optional<std::string> verdict = copy.QueryText("PRAGMA integrity_check");
      if (verdict != "ok") {
        RemoveWithCompanions(partial);
        return BackupFailed("the copy of " + source +
                            " failed its integrity check: " + verdict.value_or("no answer"));
      }
      report.schema_version = static_cast<int>(copy.QueryInt64("PRAGMA user_version"));
      const bool kaizen_schema =
          copy.QueryInt64(
              "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
              "('plans', 'tasks')") == 2;
      if (kaizen_schema) {
        report.tasks = copy.QueryInt64("SELECT count(*) FROM tasks");
        report.plans = copy.QueryInt64("SELECT count(*) FROM plans");
      }
    }  // the last connection closes: the copy's -wal is checkpointed into it and removed
  } catch (const StorageError& e) {
    RemoveWithCompanions(partial);
    return BackupFailed("cannot back up " + source + " to " + destination + ": " + e.what());
  }

  report.bytes = static_cast<std::int64_t>(fs::file_size(partial, ec));
  fs::rename(partial, destination, ec);
  if (ec) {
    RemoveWithCompanions(partial);
    return BackupFailed("cannot move the backup into place at " + destination + ": " +
                        ec.message());
  }
  SyncDirectoryOf(destination);
  spdlog::info(
      "backup: copied {} to {}: {} pages, {} bytes in {} steps, schema version {}, {} plans, "
      "{} tasks, integrity ok",
      source, destination, report.pages, report.bytes, report.steps, report.schema_version,
      report.plans, report.tasks);
  return report;
}

}  // namespace kaizen::storage
