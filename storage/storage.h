// Storage: kaizen's only state, one SQLite database in WAL mode.
//
// Owns one writer thread with the only read-write connection and `readers` threads with a
// read-only connection each; every SQLite call runs on those threads and never on the caller's.
// Write() runs a domain command inside BEGIN IMMEDIATE ... COMMIT on the writer: the command's
// Result decides commit (ok) or rollback (not ok, or a StorageError thrown by the repository),
// so an acknowledged change is durable and a failed one changes nothing. Read() runs a query on
// a reader. Both resume the awaiting coroutine on its own executor.
//
// Thread-safe: Write/Read/WriteSync/ReadSync may be called from any thread. Destruction joins
// the threads after finishing queued work; never destroy a Storage, or call the blocking
// *Sync/SizeBytes forms, from inside a storage callback.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "storage/backup.h"
#include "workflow/repository.h"
#include "workflow/status.h"

namespace kaizen::storage {

struct StorageOptions {
  std::string path;  // database file; created with its directory if missing
  int readers = 2;   // read-only connections, one thread each
  // "full" (default) or "normal". FULL syncs the WAL on every commit so that a 2xx survives
  // power loss, not only a process crash.
  std::string synchronous = "full";
  int busy_timeout_ms = 5000;
};

// The highest schema version this build knows.
int LatestSchemaVersion();

class Storage {
 public:
  // Opens (creating if needed) the database, sets WAL, foreign keys and synchronous, applies
  // pending migrations in one transaction each, and starts the threads.
  // Errors: kInvalidArgument "invalid_option" (empty path, ":memory:", unknown synchronous),
  // kUnavailable "database_unavailable" (cannot open/create, not a database, no WAL),
  // kConflict "schema_too_new" (the file was written by a newer kaizen; the message says which
  // versions), kInternal "migration_failed".
  static Result<std::unique_ptr<Storage>> Open(const StorageOptions& options);

  virtual ~Storage() = default;

  using WriteFn = std::function<Status(PlanRepository&)>;
  using ReadFn = std::function<Status(PlanReader&)>;

  // Queues `fn` on the writer; `done` is called on the writer thread with fn's Status, or with
  // kUnavailable "storage_unavailable" when the store failed (SQLite error, StorageError thrown),
  // or kInternal "internal" when fn threw anything else; the transaction is then rolled back.
  virtual void SubmitWrite(WriteFn fn, std::function<void(Status)> done) = 0;
  // Queues `fn` on one of the readers (round robin), in a read transaction (one snapshot);
  // `done` is called on that reader's thread, with the same failures as SubmitWrite.
  virtual void SubmitRead(ReadFn fn, std::function<void(Status)> done) = 0;

  // Schema version after migrations.
  virtual int schema_version() const = 0;
  // Database file size in bytes (page_count * page_size), for metrics; -1 when SQLite cannot
  // tell. Blocks until the writer gets to it.
  virtual std::int64_t SizeBytes() = 0;
  // The database file, as opened.
  virtual const std::string& path() const = 0;
  // Consistent, verified copy of the database through SQLite's online backup API
  // (storage/backup.h: BackupDatabase on this database): on the calling thread, with a
  // read-only connection of its own, so writes and reads go on meanwhile.
  // Errors: those of BackupDatabase.
  virtual Result<BackupReport> BackupTo(const std::string& destination) = 0;
  // Queues BackupTo(destination) on the storage's backup thread (one backup at a time; others
  // wait their turn); `done` is called on that thread. After destruction began:
  // kUnavailable "storage_unavailable".
  virtual void SubmitBackup(std::string destination,
                            std::function<void(Result<BackupReport>)> done) = 0;

  // Copies every page of the WAL into the database file and truncates the WAL to zero bytes
  // (PRAGMA wal_checkpoint(TRUNCATE)), on the writer thread, so that the database file alone is
  // complete: kaizend does it at a clean stop, before closing. Blocks until done. A reader in
  // the middle of a read keeps its pages in the WAL: the result says busy then.
  // Errors: kUnavailable "checkpoint_failed".
  struct CheckpointResult {
    bool busy = false;           // some pages could not be copied (a reader held them)
    std::int64_t wal_bytes = 0;  // the size of the -wal file before; -1 when unknown
  };
  virtual Result<CheckpointResult> CheckpointWal() = 0;

  // Blocking forms for start-up, offline tools and tests; never call them on an io thread.
  Status WriteSync(WriteFn fn);
  Status ReadSync(ReadFn fn);

  // Awaitable forms: run `fn` on the storage threads and resume the caller on its executor.
  // `fn` returns Result<T>; the result is carried back by value. `fn` must be copyable (it
  // travels in a std::function) and runs on a storage thread: capture by value. A storage
  // failure arrives as a Result holding the Status SubmitWrite/SubmitRead describe.
  //
  // Name the lambda before awaiting: `auto command = [..](PlanRepository& repo) {...};
  // co_await storage.Write(std::move(command));`. g++ 12 destroys the captures of a capturing
  // lambda written inside a co_await expression twice (a double free seen in kaizend).
  template <typename F>
  auto Write(F fn) -> boost::asio::awaitable<std::invoke_result_t<F, PlanRepository&>> {
    using R = std::invoke_result_t<F, PlanRepository&>;
    co_return co_await Run<R, PlanRepository>(
        [this](auto wrapped, auto done) { SubmitWrite(std::move(wrapped), std::move(done)); },
        std::move(fn));
  }
  // SubmitBackup, resuming the caller on its own executor.
  boost::asio::awaitable<Result<BackupReport>> Backup(std::string destination) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>,
                                       void(Result<BackupReport>)>(
        [this](auto handler, std::string to) {
          auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
          auto caller = boost::asio::prefer(boost::asio::get_associated_executor(*shared_handler),
                                            boost::asio::execution::outstanding_work.tracked);
          SubmitBackup(std::move(to), [shared_handler, caller](Result<BackupReport> result) {
            boost::asio::post(caller, [shared_handler, result = std::move(result)]() mutable {
              std::move (*shared_handler)(std::move(result));
            });
          });
        },
        boost::asio::use_awaitable, std::move(destination));
  }
  template <typename F>
  auto Read(F fn) -> boost::asio::awaitable<std::invoke_result_t<F, PlanReader&>> {
    using R = std::invoke_result_t<F, PlanReader&>;
    co_return co_await Run<R, PlanReader>(
        [this](auto wrapped, auto done) { SubmitRead(std::move(wrapped), std::move(done)); },
        std::move(fn));
  }

 private:
  // Adapts a Result-returning function to the Status-based Submit* calls and hands the
  // Result to the awaiting coroutine on the coroutine's own executor.
  template <typename R, typename Repo, typename Submit, typename F>
  static boost::asio::awaitable<R> Run(Submit submit, F fn) {
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void(R)>(
        [](auto handler, Submit submit_fn, F f) {
          auto slot = std::make_shared<std::optional<R>>();
          auto shared_handler = std::make_shared<decltype(handler)>(std::move(handler));
          // Outstanding work on the caller's executor until the result is posted back, so the
          // caller's io_context::run() cannot run out of work while the storage thread works.
          auto caller = boost::asio::prefer(boost::asio::get_associated_executor(*shared_handler),
                                            boost::asio::execution::outstanding_work.tracked);
          submit_fn(
              [slot, f = std::move(f)](Repo& repo) mutable -> Status {
                R r = f(repo);
                Status s = r.ok() ? Status::Ok() : r.status();
                slot->emplace(std::move(r));
                return s;
              },
              [slot, shared_handler, caller](Status status) {
                boost::asio::post(caller, [slot, shared_handler, status = std::move(status)]() {
                  if (!slot->has_value() || (!status.ok() && (*slot)->ok())) {
                    // The command never ran or its commit failed: the store's Status wins.
                    std::move (*shared_handler)(R(status));
                  } else {
                    std::move (*shared_handler)(std::move(**slot));
                  }
                });
              });
        },
        boost::asio::use_awaitable, std::move(submit), std::move(fn));
  }
};

}  // namespace kaizen::storage
