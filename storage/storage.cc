// Why synchronous=FULL is the default: in WAL mode NORMAL skips the fsync of the WAL on each
// commit and syncs only at checkpoints, so a commit survives a crash of kaizend but may be lost
// on power failure or a kernel panic. The API promises that a 2xx means the change is committed,
// and a lost "task verified" or a reminder sent twice after a reboot costs more than one fsync
// per write: kaizen writes a few commands per second at most, so FULL costs nothing anyone
// notices. Operators on a battery-backed disk may choose "normal" in the config.
#include "storage/storage.h"

#include <future>
#include <utility>

#include "storage/internal/sqlite_storage.h"

namespace kaizen::storage {

Result<std::unique_ptr<Storage>> Storage::Open(const StorageOptions& options) {
  Result<std::unique_ptr<internal::SqliteStorage>> storage = internal::SqliteStorage::Open(options);
  if (!storage.ok()) return storage.status();
  return std::unique_ptr<Storage>(std::move(storage).value());
}

// The promise is shared with the callback: the waiter may wake and return while the storage
// thread is still inside set_value, so the promise must not live on the waiter's stack.
Status Storage::WriteSync(WriteFn fn) {
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> result = promise->get_future();
  SubmitWrite(std::move(fn), [promise](Status status) { promise->set_value(std::move(status)); });
  return result.get();
}

Status Storage::ReadSync(ReadFn fn) {
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> result = promise->get_future();
  SubmitRead(std::move(fn), [promise](Status status) { promise->set_value(std::move(status)); });
  return result.get();
}

}  // namespace kaizen::storage
