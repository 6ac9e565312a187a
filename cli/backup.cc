#include "cli/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>
#include <system_error>

namespace kaizen::cli {
namespace {

namespace fs = std::filesystem;

// kaizend copies the database before it answers; a large one on a slow disk takes a while.
constexpr std::chrono::milliseconds kBackupWait = std::chrono::minutes(30);
constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};

Status CannotWrite(const std::string& path, const std::string& why) {
  return Internal("cannot_write", "cannot write " + path + ": " + why);
}

// The API's error answer as a Status, as every other kaizenctl command reports it.
Status ApiError(const HttpResponse& response) {
  auto parsed = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  StatusCode code = response.status == 403   ? StatusCode::kPermissionDenied
                    : response.status == 401 ? StatusCode::kUnauthenticated
                    : response.status == 503 ? StatusCode::kUnavailable
                    : response.status == 400 ? StatusCode::kInvalidArgument
                                             : StatusCode::kInternal;
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object() &&
      parsed["error"].value("message", nlohmann::json()).is_string()) {
    const auto& error = parsed["error"];
    return Status(code, error.value("code", "http_error"), error["message"].get<std::string>());
  }
  return Status(code, "http_" + std::to_string(response.status),
                "kaizend answered HTTP " + std::to_string(response.status) + " to the backup");
}

// Writes `data` to `path` and syncs it, so that the rename that follows publishes a whole file.
Status WriteSynced(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return CannotWrite(path, std::strerror(errno));
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return CannotWrite(path, why);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return CannotWrite(path, std::strerror(errno));
  return Status::Ok();
}

}  // namespace

Status DownloadBackup(const std::string& file, bool force, const ServerUrl& server,
                      Transport& transport, std::ostream& out) {
  std::error_code ec;
  if (!force && fs::exists(file, ec)) {
    return UsageError(file + " exists; give --force to replace it");
  }
  HttpRequest request{"POST", server.base_path + "/api/v1/backup", "{}", kBackupWait,
                      "application/vnd.sqlite3"};
  Result<HttpResponse> response = transport.Send(request);
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) return ApiError(*response);
  if (!std::string_view(response->body).starts_with(kSqliteMagic)) {
    return Internal("bad_answer", "kaizend's answer to the backup is not an SQLite database");
  }
  // The copy holds every person's tasks: readable by its owner only (0600), like the database.
  const std::string part = file + ".part";
  if (Status s = WriteSynced(part, response->body); !s.ok()) {
    fs::remove(part, ec);
    return s;
  }
  fs::rename(part, file, ec);
  if (ec) {
    fs::remove(part, ec);
    return CannotWrite(file, ec.message());
  }
  out << "wrote " << file << ": " << response->body.size() << " bytes\n";
  return Status::Ok();
}

}  // namespace kaizen::cli
