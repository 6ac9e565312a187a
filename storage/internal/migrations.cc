#include "storage/internal/migrations.h"

#include <fmt/format.h>

#include <algorithm>
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
constexpr std::array<std::string_view, 3> kMigrations = {
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
    // v2: reminder policies chosen per plan and task; planned reminders; the notification
    // outbox.
    //
    // reminders: the pending ones are read by fire time (the scheduler's next wake-up and its
    // due batch), so a partial index holds only those: a daemon idle over a million pending
    // reminders answers "when next?" from the first index entry. Fired and skipped rows stay as
    // the record that a key was already sent.
    //
    // notifications: `event` is the JSON of NotificationEvent and the source of truth; task_id,
    // plan_id and kind are copies for filtering (task_id NULL for plan events). Delivered and
    // dead rows pile up, so the dispatcher's queries go through a partial index of the ones
    // still to send.
    R"sql(
ALTER TABLE plans ADD COLUMN reminder_policy TEXT;
ALTER TABLE tasks ADD COLUMN reminder_policy TEXT;

CREATE TABLE reminders (
  task_id INTEGER NOT NULL REFERENCES tasks (id),
  key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('before_due', 'at_due', 'overdue', 'escalation',
                                     'verification', 'verification_escalation')),
  anchor TEXT NOT NULL,
  nominal_at TEXT NOT NULL,
  fire_at TEXT NOT NULL,
  recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('person', 'team')),
  recipient TEXT NOT NULL,
  urgent INTEGER NOT NULL CHECK (urgent IN (0, 1)),
  mention_all INTEGER NOT NULL CHECK (mention_all IN (0, 1)),
  channel TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'fired', 'skipped')),
  settled_at TEXT,
  PRIMARY KEY (task_id, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX reminders_pending_by_fire_at ON reminders (fire_at, task_id, key)
  WHERE status = 'pending';

CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  event TEXT NOT NULL,
  task_id INTEGER,
  plan_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL
    CHECK (state IN ('pending', 'delivering', 'delivered', 'failed', 'dead')),
  attempts INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  next_attempt_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  delivered_at TEXT,
  last_error TEXT NOT NULL,
  batch_id INTEGER
) STRICT;

CREATE INDEX notifications_ready ON notifications (next_attempt_at, id)
  WHERE state IN ('pending', 'failed');
CREATE INDEX notifications_by_state ON notifications (state, id);
CREATE INDEX notifications_by_channel ON notifications (channel, id);
CREATE INDEX notifications_by_task ON notifications (task_id, id);

-- Small facts the daemon keeps between runs, such as the fingerprint of the reminder settings
-- the pending reminders were planned with.
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
)sql",
    // v3: templates, schedules and review cycles.
    //
    // plans: the template a plan came from, when its cycle is due to close, when it was closed.
    // tasks: lineage of tasks carried over from an earlier cycle; a plan's report lists the tasks
    //   carried out of it (tasks_by_carried_from, PlanReader::TasksCarriedFrom).
    // goal_updates: every value recorded for a goal, the latest also copied into plans.goals.
    // schedules: what a schedule remembers between runs; its rule lives in the config. The last
    //   nominal fire is what catch-up after downtime counts from.
    // cycles: one row per started cycle; UNIQUE (schedule_id, nominal_fire) is what makes a
    //   cycle impossible to start twice, whatever crashes, restarts or clock steps happen.
    // schedule_events: what a schedule did or missed (missed fires, skips, pauses, triggers).
    // plan_reports: the snapshot frozen by closing a plan; JSON, written once.
    R"sql(
ALTER TABLE plans ADD COLUMN template TEXT;
ALTER TABLE plans ADD COLUMN closes_at TEXT;
ALTER TABLE plans ADD COLUMN closed_at TEXT;
ALTER TABLE tasks ADD COLUMN carried_from INTEGER REFERENCES plans (id);
ALTER TABLE tasks ADD COLUMN carry_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tasks_by_carried_from ON tasks (carried_from, id) WHERE carried_from IS NOT NULL;

CREATE TABLE goal_updates (
  id INTEGER PRIMARY KEY,
  plan_id INTEGER NOT NULL REFERENCES plans (id),
  goal_index INTEGER NOT NULL,
  value REAL NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  note TEXT NOT NULL
) STRICT;
CREATE INDEX goal_updates_by_goal ON goal_updates (plan_id, goal_index, id);

CREATE TABLE schedules (
  id TEXT PRIMARY KEY,
  last_nominal_fire TEXT,
  paused INTEGER NOT NULL CHECK (paused IN (0, 1)),
  pause_reason TEXT NOT NULL,
  paused_at TEXT,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE cycles (
  id INTEGER PRIMARY KEY,
  schedule_id TEXT NOT NULL,
  nominal_fire TEXT NOT NULL,
  started_at TEXT NOT NULL,
  cause TEXT NOT NULL CHECK (cause IN ('schedule', 'catch_up', 'trigger')),
  plan_id INTEGER NOT NULL UNIQUE REFERENCES plans (id),
  previous_cycle_id INTEGER REFERENCES cycles (id),
  UNIQUE (schedule_id, nominal_fire)
) STRICT;

CREATE TABLE schedule_events (
  id INTEGER PRIMARY KEY,
  schedule_id TEXT NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  nominal_fire TEXT,
  count INTEGER NOT NULL,
  note TEXT NOT NULL
) STRICT;
CREATE INDEX schedule_events_by_schedule ON schedule_events (schedule_id, id);

CREATE TABLE plan_reports (
  plan_id INTEGER PRIMARY KEY REFERENCES plans (id),
  closed_at TEXT NOT NULL,
  report TEXT NOT NULL
) STRICT;
)sql",
};

int UserVersion(Connection& connection) {
  return static_cast<int>(connection.QueryInt64("PRAGMA user_version"));
}

}  // namespace

Result<int> Migrate(Connection& connection) { return MigrateTo(connection, LatestSchemaVersion()); }

Result<int> MigrateTo(Connection& connection, int target) {
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
  target = std::min(target, latest);
  while (version < target) {
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
