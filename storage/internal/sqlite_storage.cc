#include "storage/internal/sqlite_storage.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <filesystem>
#include <future>
#include <system_error>
#include <utility>

#include "storage/internal/migrations.h"
#include "storage/internal/sqlite.h"
#include "storage/sqlite_plan_repository.h"

namespace kaizen::storage::internal {

// One thread running its own io_context; the work guard keeps it alive while idle.
class Lane {
 public:
  explicit Lane(std::string name)
      : name_(std::move(name)),
        guard_(boost::asio::make_work_guard(io_)),
        thread_([this] { Run(); }) {
    // Named threads make `top -H` and core dumps readable for operators; at most 15 bytes.
    pthread_setname_np(thread_.native_handle(), name_.substr(0, 15).c_str());
  }

  ~Lane() { Join(); }
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  template <typename F>
  void Post(F f) {
    boost::asio::post(io_, std::move(f));
  }

  // Returns once everything posted so far has run and the thread has ended.
  void Join() {
    guard_.reset();
    if (thread_.joinable()) thread_.join();
  }

  bool IsCurrentThread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  void Run() {
    // A handler that throws (a caller's `done`) must not take the lane down with it: every
    // later request on this connection would hang.
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("storage lane {}: a handler threw: {}", name_, e.what());
      } catch (...) {
        spdlog::error("storage lane {}: a handler threw a non-standard exception", name_);
      }
    }
  }

  std::string name_;
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

SqliteStorage::Endpoint::Endpoint() = default;
SqliteStorage::Endpoint::Endpoint(Endpoint&&) noexcept = default;
SqliteStorage::Endpoint::~Endpoint() = default;

namespace {

Status DatabaseUnavailable(const std::string& path, const std::string& why) {
  return Unavailable("database_unavailable", "cannot use database " + path + ": " + why);
}

void ApplyConnectionSettings(Connection& connection, const StorageOptions& options) {
  // Set first so that every later statement, the journal mode switch included, waits for a
  // lock held by another process instead of failing at once.
  connection.Execute("PRAGMA busy_timeout = " + std::to_string(options.busy_timeout_ms));
}

}  // namespace

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::Open(const StorageOptions& options) {
  if (options.path.empty() || options.path == ":memory:") {
    return InvalidArgument("invalid_option", "storage path must name a file");
  }
  if (options.synchronous != "full" && options.synchronous != "normal") {
    return InvalidArgument("invalid_option",
                           "storage synchronous must be \"full\" or \"normal\", "
                           "not \"" +
                               options.synchronous + "\"");
  }

  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(options.path).parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return DatabaseUnavailable(
          options.path, "cannot create directory " + parent.string() + ": " + ec.message());
    }
  }

  std::unique_ptr<SqliteStorage> storage(new SqliteStorage());
  storage->path_ = options.path;
  try {
    auto writer = std::make_unique<Connection>(options.path, Connection::Mode::kReadWriteCreate);
    ApplyConnectionSettings(*writer, options);
    std::optional<std::string> mode = writer->QueryText("PRAGMA journal_mode = WAL");
    if (mode != "wal") {
      return DatabaseUnavailable(options.path, "cannot switch to WAL mode (journal_mode is " +
                                                   mode.value_or("unknown") + ")");
    }
    writer->Execute("PRAGMA foreign_keys = ON");
    writer->Execute(options.synchronous == "full" ? "PRAGMA synchronous = FULL"
                                                  : "PRAGMA synchronous = NORMAL");

    Result<int> version = Migrate(*writer);
    if (!version.ok()) return version.status();
    storage->schema_version_ = *version;

    storage->writer_.repository = std::make_unique<SqlitePlanRepository>(*writer);
    storage->writer_.connection = std::move(writer);

    const int readers = std::max(1, options.readers);
    for (int i = 0; i < readers; ++i) {
      Endpoint reader;
      reader.connection = std::make_unique<Connection>(options.path, Connection::Mode::kReadOnly);
      ApplyConnectionSettings(*reader.connection, options);
      reader.repository = std::make_unique<SqlitePlanRepository>(*reader.connection);
      storage->readers_.push_back(std::move(reader));
    }
  } catch (const StorageError& e) {
    return DatabaseUnavailable(options.path, e.what());
  }

  // Threads start only once every connection is open, so a failed Open has nothing to join.
  storage->writer_.lane = std::make_unique<Lane>("kaizen-writer");
  storage->backup_lane_ = std::make_unique<Lane>("kaizen-backup");
  for (std::size_t i = 0; i < storage->readers_.size(); ++i) {
    storage->readers_[i].lane = std::make_unique<Lane>("kaizen-reader" + std::to_string(i));
  }
  spdlog::info("storage: opened {} (schema version {}, {} readers, synchronous={})", options.path,
               storage->schema_version_, storage->readers_.size(), options.synchronous);
  return storage;
}

SqliteStorage::~SqliteStorage() {
  accepting_ = false;
  if (backup_lane_) backup_lane_->Join();
  for (Endpoint& reader : readers_) {
    if (reader.lane) reader.lane->Join();
  }
  if (writer_.lane) writer_.lane->Join();

  // Statements go before their connections, readers before the writer, so that the final
  // checkpoint sees no other connection and can empty the WAL.
  for (Endpoint& reader : readers_) reader.repository.reset();
  readers_.clear();
  writer_.repository.reset();
  if (writer_.connection) {
    try {
      writer_.connection->Execute("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const StorageError& e) {
      // Not fatal: the WAL stays and the next open replays it.
      spdlog::warn("storage: checkpoint on close of {} failed: {}", path_, e.what());
    }
  }
  writer_.connection.reset();
}

Status SqliteStorage::RunWrite(const WriteFn& fn) {
  try {
    Transaction transaction(*writer_.connection, Transaction::Kind::kImmediate);
    Status status = fn(*writer_.repository);
    if (status.ok()) transaction.Commit();
    return status;  // not ok: the transaction's destructor rolls back
  } catch (const StorageError& e) {
    spdlog::error("storage: write rolled back: {}", e.what());
    return Unavailable("storage_unavailable",
                       std::string("the database failed; nothing was changed: ") + e.what());
  } catch (const std::exception& e) {
    // Not the store's fault but a bug in the command; still nothing may be half-written.
    spdlog::error("storage: write command threw, rolled back: {}", e.what());
    return Internal("internal", std::string("write command failed: ") + e.what());
  }
}

Status SqliteStorage::RunRead(Endpoint& reader, const ReadFn& fn) {
  try {
    // One read transaction: every query of `fn` sees the same snapshot.
    Transaction transaction(*reader.connection, Transaction::Kind::kDeferred);
    Status status = fn(*reader.repository);
    transaction.Commit();
    return status;
  } catch (const StorageError& e) {
    spdlog::error("storage: read failed: {}", e.what());
    return Unavailable("storage_unavailable", std::string("the database failed: ") + e.what());
  } catch (const std::exception& e) {
    spdlog::error("storage: read command threw: {}", e.what());
    return Internal("internal", std::string("read command failed: ") + e.what());
  }
}

void SqliteStorage::SubmitWrite(WriteFn fn, std::function<void(Status)> done) {
  if (!accepting_) {
    done(Unavailable("storage_unavailable", "storage is shutting down"));
    return;
  }
  writer_.lane->Post([this, fn = std::move(fn), done = std::move(done)] { done(RunWrite(fn)); });
}

void SqliteStorage::SubmitRead(ReadFn fn, std::function<void(Status)> done) {
  if (!accepting_) {
    done(Unavailable("storage_unavailable", "storage is shutting down"));
    return;
  }
  Endpoint& reader =
      readers_[next_reader_.fetch_add(1, std::memory_order_relaxed) % readers_.size()];
  reader.lane->Post(
      [this, &reader, fn = std::move(fn), done = std::move(done)] { done(RunRead(reader, fn)); });
}

void SqliteStorage::RunOnWriterAndWait(const std::function<void()>& fn) {
  if (writer_.lane->IsCurrentThread()) {
    fn();
    return;
  }
  auto finished = std::make_shared<std::promise<void>>();
  std::future<void> waiter = finished->get_future();
  writer_.lane->Post([&fn, finished] {
    fn();
    finished->set_value();
  });
  waiter.get();
}

std::int64_t SqliteStorage::SizeBytes() {
  std::int64_t size = -1;
  RunOnWriterAndWait([this, &size] {
    try {
      Connection& db = *writer_.connection;
      size = db.QueryInt64("PRAGMA page_count") * db.QueryInt64("PRAGMA page_size");
    } catch (const StorageError& e) {
      spdlog::warn("storage: cannot read the size of {}: {}", path_, e.what());
    }
  });
  return size;
}

Result<BackupReport> SqliteStorage::BackupTo(const std::string& destination) {
  return BackupDatabase(path_, destination);
}

void SqliteStorage::SubmitBackup(std::string destination,
                                 std::function<void(Result<BackupReport>)> done) {
  if (!accepting_) {
    done(Unavailable("storage_unavailable", "storage is shutting down"));
    return;
  }
  backup_lane_->Post([this, destination = std::move(destination), done = std::move(done)] {
    done(BackupTo(destination));
  });
}

Result<Storage::CheckpointResult> SqliteStorage::CheckpointWal() {
  Result<CheckpointResult> result = CheckpointResult{};
  RunOnWriterAndWait([&] {
    try {
      CheckpointResult r;
      // The pragma's own counts read 0 once TRUNCATE has emptied the WAL: the file tells more.
      std::error_code ec;
      const std::uintmax_t size = std::filesystem::file_size(path_ + "-wal", ec);
      r.wal_bytes = ec ? -1 : static_cast<std::int64_t>(size);
      Statement checkpoint(writer_.connection->handle(), "PRAGMA wal_checkpoint(TRUNCATE)");
      if (checkpoint.Step()) r.busy = checkpoint.ColumnInt64(0) != 0;
      result = r;
    } catch (const StorageError& e) {
      result = Unavailable("checkpoint_failed",
                           "checkpoint of " + path_ + " failed: " + std::string(e.what()));
    }
  });
  return result;
}

}  // namespace kaizen::storage::internal
