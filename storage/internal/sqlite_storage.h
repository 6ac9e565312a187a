// SqliteStorage: the Storage implementation, one writer lane and N reader lanes.
//
// A lane is one thread running its own io_context with one SQLite connection and the
// SqlitePlanRepository over it; everything posted to a lane runs there in order, so a
// connection is only ever touched by its thread. Storage::Open is the only way to build one.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "storage/storage.h"

namespace kaizen::storage {
class SqlitePlanRepository;
}

namespace kaizen::storage::internal {

class Connection;
class Lane;

class SqliteStorage final : public Storage {
 public:
  static Result<std::unique_ptr<SqliteStorage>> Open(const StorageOptions& options);

  // Stops accepting work, runs what is queued, joins the lanes, checkpoints and closes.
  // Must not run on a lane thread (from a `done` callback).
  ~SqliteStorage() override;

  void SubmitWrite(WriteFn fn, std::function<void(Status)> done) override;
  void SubmitRead(ReadFn fn, std::function<void(Status)> done) override;
  int schema_version() const override { return schema_version_; }
  std::int64_t SizeBytes() override;
  const std::string& path() const override { return path_; }
  Result<BackupReport> BackupTo(const std::string& destination) override;
  void SubmitBackup(std::string destination,
                    std::function<void(Result<BackupReport>)> done) override;
  Result<CheckpointResult> CheckpointWal() override;

 private:
  // A connection with its repository and the thread that may use them.
  struct Endpoint {
    Endpoint();
    Endpoint(Endpoint&&) noexcept;
    ~Endpoint();
    std::unique_ptr<Connection> connection;
    std::unique_ptr<SqlitePlanRepository> repository;
    std::unique_ptr<Lane> lane;
  };

  SqliteStorage() = default;
  Status RunWrite(const WriteFn& fn);
  Status RunRead(Endpoint& reader, const ReadFn& fn);
  // Runs `fn` on the writer thread and waits for it (inline when already there).
  void RunOnWriterAndWait(const std::function<void()>& fn);

  std::string path_;
  int schema_version_ = 0;
  Endpoint writer_;
  std::vector<Endpoint> readers_;
  // Backups run here, never on the writer or a reader: a large copy must not hold up requests.
  std::unique_ptr<Lane> backup_lane_;
  std::atomic<std::size_t> next_reader_{0};
  std::atomic<bool> accepting_{true};
};

}  // namespace kaizen::storage::internal
