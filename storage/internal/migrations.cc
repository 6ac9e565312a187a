#include "storage/internal/migrations.h"

#include <fmt/format.h>

#include <array>
#include <string_view>

#include "storage/storage.h"

namespace kaizen::storage::internal {
namespace {

// Migration N (1-based) is kMigrations[N - 1]. Append only: a released step never changes,
// because databases in the field have already run it.
//
// Instants are TEXT from FormatStorageTime (fixed width UTC), so comparing text compares time.
// STRICT tables make SQLite refuse a value of the wrong type instead of storing it.
constexpr std::array<std::string_view, 1> kMigrations = {
    R"sql(
CREATE TABLE plans (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  team TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'completed', 'cancelled')),
  allow_self_verification INTEGER NOT NULL CHECK (allow_self_verification IN (0, 1)),
  goals TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  plan_id INTEGER NOT NULL REFERENCES plans (id),
  key TEXT,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  owner TEXT NOT NULL,
  due_at TEXT NOT NULL,
  criterion TEXT NOT NULL,
  state TEXT NOT NULL
    CHECK (state IN ('open', 'in_progress', 'blocked', 'done', 'verified', 'cancelled')),
  version INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  completed_at TEXT,
  UNIQUE (plan_id, key)
) STRICT;

CREATE TABLE task_dependencies (
  task_id INTEGER NOT NULL REFERENCES tasks (id),
  depends_on INTEGER NOT NULL REFERENCES tasks (id),
  PRIMARY KEY (task_id, depends_on)
) STRICT, WITHOUT ROWID;

CREATE TABLE task_events (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks (id),
  plan_id INTEGER NOT NULL REFERENCES plans (id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT,
  note TEXT NOT NULL
) STRICT;

CREATE INDEX plans_by_team ON plans (team);
CREATE INDEX plans_by_owner ON plans (owner);
CREATE INDEX tasks_by_plan ON tasks (plan_id);
CREATE INDEX tasks_by_owner_state_due ON tasks (owner, state, due_at);
CREATE INDEX tasks_by_state_due ON tasks (state, due_at);
CREATE INDEX tasks_by_due ON tasks (due_at);
CREATE INDEX task_dependencies_by_depends_on ON task_dependencies (depends_on);
CREATE INDEX task_events_by_task ON task_events (task_id);
)sql",
};

int UserVersion(Connection& connection) {
  return static_cast<int>(connection.QueryInt64("PRAGMA user_version"));
}

}  // namespace

Result<int> Migrate(Connection& connection) {
  const int latest = LatestSchemaVersion();
  int version = 0;
  try {
    version = UserVersion(connection);
  } catch (const StorageError& e) {
    return Unavailable("database_unavailable",
                       fmt::format("cannot read database {}: {}", connection.path(), e.what()));
  }
  if (version > latest) {
    return Conflict("schema_too_new",
                    fmt::format("database {} has schema version {}, this kaizend knows up to {}; "
                                "upgrade kaizend or restore a backup",
                                connection.path(), version, latest),
                    {{"schema_version", version}, {"latest_known", latest}});
  }
  while (version < latest) {
    const int next = version + 1;
    try {
      Transaction transaction(connection, Transaction::Kind::kImmediate);
      // Another process may have migrated between our read and our lock.
      version = UserVersion(connection);
      if (version >= next) continue;
      connection.Execute(kMigrations[static_cast<std::size_t>(version)]);
      // PRAGMA takes no parameters; `next` is our own integer.
      connection.Execute(fmt::format("PRAGMA user_version = {}", next));
      transaction.Commit();
      version = next;
    } catch (const StorageError& e) {
      return Internal("migration_failed",
                      fmt::format("migrating database {} to schema version {} failed: {}",
                                  connection.path(), next, e.what()));
    }
  }
  return version;
}

}  // namespace kaizen::storage::internal

namespace kaizen::storage {

int LatestSchemaVersion() { return static_cast<int>(internal::kMigrations.size()); }

}  // namespace kaizen::storage
