// kaizenctl backup FILE [--force] (issue 6): downloads a consistent copy of kaizend's database
// (POST /api/v1/backup) into FILE. Kept apart from commands.cc, which only dispatches here.
#pragma once

#include <ostream>
#include <string>

#include "cli/args.h"
#include "cli/transport.h"
#include "workflow/status.h"

namespace kaizen::cli {

// Writes the answer to "FILE.part", checks that it is an SQLite database, and renames it to
// FILE; prints what was written to `out`. FILE is never left half-written.
// Errors: usage error when FILE exists and `force` is false (nothing is sent); the API's error
// (403 for a token without the admin role, 503 backup_failed); kInternal "bad_answer" when the
// answer is not a database; kInternal "cannot_write" when FILE cannot be written.
Status DownloadBackup(const std::string& file, bool force, const ServerUrl& server,
                      Transport& transport, std::ostream& out);

}  // namespace kaizen::cli
