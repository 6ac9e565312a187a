// BackupDatabase: a consistent, verified copy of a kaizen database, taken while kaizend may be
// writing to it (issue 6).
//
// The copy is made with SQLite's online backup API on a read-only connection of its own, so it
// never occupies kaizend's writer or readers and works the same from another process
// (`kaizend --backup`) as from inside the daemon. That connection holds one read transaction
// for the whole copy: in WAL mode a reader never blocks the writer, and the copy is the
// database exactly as it stood when the backup began (every commit before it, none after),
// however many steps it takes. The copy is written to "<destination>.partial", checked with
// PRAGMA integrity_check, and only then renamed into place, so a crash or a failed check never
// leaves a half-written file under the name an operator will restore from.
//
// Blocking; runs on the calling thread. Never call it on an io thread (kaizend's HTTP thread):
// Storage::Backup runs it on a thread of its own.
#pragma once

#include <cstdint>
#include <string>

#include "workflow/status.h"

namespace kaizen::storage {

struct BackupOptions {
  // Pages copied per sqlite3_backup_step; progress is logged after each step.
  int pages_per_step = 1024;
  // How long to wait for a lock on the source (another process starting a checkpoint or
  // recovering the WAL) before giving up.
  int busy_timeout_ms = 5000;
};

struct BackupReport {
  std::string source;
  std::string destination;
  std::int64_t bytes = 0;  // the copy's size on disk
  std::int64_t pages = 0;
  int steps = 0;
  int schema_version = 0;  // PRAGMA user_version of the copy
  std::int64_t tasks = 0;  // rows in the copy's tasks table
  std::int64_t plans = 0;  // rows in the copy's plans table
};

// Copies the database at `source` to `destination` (replacing a file there) and verifies it.
// The source must exist; it is never created, migrated or written.
// Errors: kInvalidArgument "invalid_option" (empty paths, source and destination the same
// file, pages_per_step < 1), kUnavailable "backup_failed" (cannot open or read the source,
// cannot write the destination, the copy fails its integrity check); nothing is left at
// `destination` or "<destination>.partial" then.
Result<BackupReport> BackupDatabase(const std::string& source, const std::string& destination,
                                    const BackupOptions& options = {});

}  // namespace kaizen::storage
