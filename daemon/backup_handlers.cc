// POST /api/v1/backup (issue 6): a consistent copy of the live database, answered as the file.
//
// The copy is made by Storage::Backup on the storage's backup thread (never on this HTTP
// thread), with a read-only connection of its own, so requests and writes go on meanwhile. It
// is written into the database's own directory (the state directory, on the same file system
// and with the same permissions as the database), verified, streamed back from disk and
// removed once sent.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

#include "daemon/api_handlers.h"
#include "daemon/api_json.h"
#include "storage/storage.h"

namespace kaizen::daemon {

namespace asio = boost::asio;

namespace {

// "20261126T083700Z": a file name without ':' (which some file systems and tools refuse).
std::string CompactUtc(Instant t) {
  std::string text = FormatRfc3339(std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::string out;
  for (char c : text) {
    if (c != '-' && c != ':') out += c;
  }
  return out;
}

// A copy is removed once sent; one left by a kaizend killed while sending it would hold the
// whole database in the state directory for good. No answer takes an hour (the request
// timeout bounds it), so older copies are leftovers.
void RemoveLeftoverCopies(const std::filesystem::path& directory) {
  std::error_code ec;
  const auto cutoff = std::filesystem::file_time_type::clock::now() - std::chrono::hours(1);
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(".kaizen-backup-")) continue;
    std::error_code entry_ec;
    if (entry.last_write_time(entry_ec) < cutoff && !entry_ec) {
      std::filesystem::remove(entry.path(), entry_ec);
    }
  }
}

}  // namespace

void ApiHandlers::AddBackupRoute() {
  // Admin only: the answer is the whole database (every plan, task, person's history and the
  // delivery state).
  Route("POST", "/api/v1/backup", Permission::kAdmin, &ApiHandlers::PostBackup);
}

asio::awaitable<HttpResponse> ApiHandlers::PostBackup(HttpRequest request, RouteParams) {
  if (Status s = CheckQueryNames(request.query, {}); !s.ok()) co_return Error(s);
  if (!request.body.empty()) {
    auto body = ParseJsonObjectBody(request);
    if (!body.ok()) co_return Error(body.status());
    if (!body->empty()) {
      co_return Error(InvalidArgument("unknown_field", "backup takes no fields; send {} or nothing",
                                      {{"field", body->begin().key()}}));
    }
  }
  // Two backups at once get two files: the counter keeps their names apart.
  static std::atomic<int> sequence{0};
  const Instant now = clock_.Now();
  std::filesystem::path directory = std::filesystem::path(storage_.path()).parent_path();
  if (directory.empty()) directory = ".";
  RemoveLeftoverCopies(directory);
  const std::string stamp = CompactUtc(now);
  const std::string copy = (directory / (".kaizen-backup-" + stamp + "-" +
                                         std::to_string(sequence.fetch_add(1)) + ".db"))
                               .string();
  Result<storage::BackupReport> report = co_await storage_.Backup(copy);
  if (!report.ok()) co_return Error(report.status());

  HttpResponse response;
  response.content_type = "application/vnd.sqlite3";
  response.body_file = copy;
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"kaizen-" + stamp + ".db\"");
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("X-Kaizen-Schema-Version", std::to_string(report->schema_version));
  response.headers.emplace_back("X-Kaizen-Plans", std::to_string(report->plans));
  response.headers.emplace_back("X-Kaizen-Tasks", std::to_string(report->tasks));
  co_return response;
}

}  // namespace kaizen::daemon
