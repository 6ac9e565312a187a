// The database schema as an ordered list of migrations, versioned by PRAGMA user_version.
//
// Called once by Storage::Open on the writer connection before any lane starts.
#pragma once

#include "storage/internal/sqlite.h"
#include "workflow/status.h"

namespace kaizen::storage::internal {

// Brings the database to LatestSchemaVersion(), one transaction per migration, and returns the
// resulting version. Errors: kConflict "schema_too_new" when the file was written by a newer
// kaizend (nothing is touched), kInternal "migration_failed" (the failed step is rolled back;
// earlier steps stay applied).
Result<int> Migrate(Connection& connection);

// The same, stopping at `version` (1..LatestSchemaVersion()); for tests that need a database as
// an older kaizend left it.
Result<int> MigrateTo(Connection& connection, int version);

}  // namespace kaizen::storage::internal
