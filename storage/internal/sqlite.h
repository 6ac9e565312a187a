// Thin RAII wrappers over the SQLite C API, private to storage/.
//
// Every SQLite failure becomes a SqliteError (a kaizen::StorageError) carrying SQLite's message,
// its extended result code and the statement that failed, so that the writer lane can turn it
// into one Status and a rollback. sqlite3.h stays out of this header: callers never see a raw
// handle unless they ask for it in a .cc file.
//
// Not thread-safe: a Connection and everything prepared on it belong to one thread at a time
// (in kaizen, one storage lane).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "workflow/repository.h"

struct sqlite3;
struct sqlite3_stmt;

namespace kaizen::storage::internal {

class SqliteError : public StorageError {
 public:
  SqliteError(int code, const std::string& message) : StorageError(message), code_(code) {}
  // SQLite's extended result code (SQLITE_BUSY, SQLITE_NOTADB, ...).
  int code() const { return code_; }

 private:
  int code_;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);  // throws SqliteError
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are numbered from 1, as in SQLite.
  Statement& BindInt64(int index, std::int64_t value);
  Statement& BindDouble(int index, double value);
  Statement& BindText(int index, std::string_view value);
  Statement& BindNull(int index);
  Statement& BindOptionalText(int index, const std::optional<std::string>& value);

  // Advances to the next row: true when a row is available, false when the statement is done.
  bool Step();
  // Runs a statement that returns no rows.
  void Run();
  // Makes the statement ready to run again and clears its bindings; never throws.
  void Reset() noexcept;

  // Columns are numbered from 0, as in SQLite.
  bool IsNull(int column) const;
  std::int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  std::optional<std::string> ColumnOptionalText(int column) const;

  std::string sql() const;

 private:
  [[noreturn]] void Fail(int rc) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  enum class Mode { kReadWriteCreate, kReadOnly };

  // Opens `path` (a file, never ":memory:" in kaizen). Throws SqliteError.
  Connection(const std::string& path, Mode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return no rows.
  void Execute(std::string_view sql);
  // Runs a statement and returns the first column of its first row (pragmas, counts).
  std::optional<std::string> QueryText(std::string_view sql);
  std::int64_t QueryInt64(std::string_view sql);

  std::int64_t LastInsertRowId() const;
  int Changes() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  friend class Transaction;
  // BEGIN, COMMIT and ROLLBACK run on every request: prepared once like everything else.
  Statement& Control(std::string_view sql);

  std::string path_;
  sqlite3* db_ = nullptr;
  std::map<std::string, Statement, std::less<>> control_;
};

// Throws the SqliteError for `rc` on `db`, naming `what` (the statement or the operation).
[[noreturn]] void ThrowSqliteError(sqlite3* db, int rc, std::string_view what);

// A statement borrowed from a StatementCache. Resets the statement when the borrow ends, so a
// cached SELECT never keeps its read snapshot (and the WAL) pinned after use.
class CachedStatement {
 public:
  explicit CachedStatement(Statement& statement) : statement_(&statement) {}
  ~CachedStatement() { statement_->Reset(); }
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;

  Statement* operator->() const { return statement_; }
  Statement& operator*() const { return *statement_; }

 private:
  Statement* statement_;
};

// Statements prepared once per connection and reused, keyed by their SQL text. A statement
// must not be borrowed twice at the same time (finish one loop before running it again).
class StatementCache {
 public:
  explicit StatementCache(Connection& connection) : connection_(connection) {}
  CachedStatement Get(std::string_view sql);
  std::size_t size() const { return statements_.size(); }

 private:
  Connection& connection_;
  std::map<std::string, Statement, std::less<>> statements_;
};

// BEGIN ... COMMIT on one connection; rolls back when destroyed without Commit().
class Transaction {
 public:
  enum class Kind { kDeferred, kImmediate };

  Transaction(Connection& connection, Kind kind);  // throws SqliteError
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void Commit();  // throws SqliteError; the destructor then rolls back
  void Rollback() noexcept;

 private:
  Connection& connection_;
  bool open_ = true;
};

}  // namespace kaizen::storage::internal
