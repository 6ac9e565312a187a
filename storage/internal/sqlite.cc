#include "storage/internal/sqlite.h"

#include <sqlite3.h>

#include <utility>

namespace kaizen::storage::internal {

void ThrowSqliteError(sqlite3* db, int rc, std::string_view what) {
  // The connection's message is more specific than sqlite3_errstr (it names the constraint or
  // the missing table), but only while it still describes `rc`.
  const char* message =
      db != nullptr && sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string text = "sqlite: ";
  text += message;
  text += " (code " + std::to_string(rc) + ") in: ";
  text += what;
  throw SqliteError(rc, text);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    ThrowSqliteError(db, rc, sql);
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

void Statement::Fail(int rc) const { ThrowSqliteError(db_, rc, sql()); }

Statement& Statement::BindInt64(int index, std::int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) Fail(rc);
  return *this;
}

Statement& Statement::BindDouble(int index, double value) {
  if (int rc = sqlite3_bind_double(stmt_, index, value); rc != SQLITE_OK) Fail(rc);
  return *this;
}

Statement& Statement::BindText(int index, std::string_view value) {
  if (int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                   SQLITE_UTF8);
      rc != SQLITE_OK) {
    Fail(rc);
  }
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) Fail(rc);
  return *this;
}

Statement& Statement::BindOptionalText(int index, const std::optional<std::string>& value) {
  return value ? BindText(index, *value) : BindNull(index);
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Fail(rc);
}

void Statement::Run() {
  while (Step()) {
  }
}

void Statement::Reset() noexcept {
  // sqlite3_reset repeats the error of the last step, which Step() has already thrown.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Statement::ColumnOptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return ColumnText(column);
}

std::string Statement::sql() const {
  const char* text = stmt_ != nullptr ? sqlite3_sql(stmt_) : nullptr;
  return text != nullptr ? text : "";
}

Connection::Connection(const std::string& path, Mode mode) : path_(path) {
  // NOMUTEX: each connection lives on one lane thread, so SQLite's own locking is pure cost.
  int flags =
      SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
      (mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string what = "open " + path;
    try {
      ThrowSqliteError(db_, rc, what);
    } catch (...) {
      sqlite3_close_v2(db_);
      db_ = nullptr;
      throw;
    }
  }
}

Connection::~Connection() {
  control_.clear();
  sqlite3_close_v2(db_);
}

void Connection::Execute(std::string_view sql) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) ThrowSqliteError(db_, rc, sql);
}

std::optional<std::string> Connection::QueryText(std::string_view sql) {
  Statement statement(db_, sql);
  if (!statement.Step() || statement.IsNull(0)) return std::nullopt;
  return statement.ColumnText(0);
}

std::int64_t Connection::QueryInt64(std::string_view sql) {
  Statement statement(db_, sql);
  return statement.Step() ? statement.ColumnInt64(0) : 0;
}

std::int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int Connection::Changes() const { return sqlite3_changes(db_); }

Statement& Connection::Control(std::string_view sql) {
  auto it = control_.find(sql);
  if (it == control_.end()) {
    it = control_.emplace(std::string(sql), Statement(db_, sql)).first;
  }
  return it->second;
}

CachedStatement StatementCache::Get(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    it = statements_.emplace(std::string(sql), Statement(connection_.handle(), sql)).first;
  }
  return CachedStatement(it->second);
}

Transaction::Transaction(Connection& connection, Kind kind) : connection_(connection) {
  CachedStatement begin(
      connection_.Control(kind == Kind::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  begin->Run();
}

Transaction::~Transaction() { Rollback(); }

void Transaction::Commit() {
  CachedStatement commit(connection_.Control("COMMIT"));
  commit->Run();
  open_ = false;
}

void Transaction::Rollback() noexcept {
  if (!open_) return;
  open_ = false;
  // A failed COMMIT or an I/O error may already have ended the transaction; then there is
  // nothing left to roll back.
  if (sqlite3_get_autocommit(connection_.handle()) != 0) return;
  try {
    CachedStatement rollback(connection_.Control("ROLLBACK"));
    rollback->Run();
  } catch (const StorageError&) {
    // Rolling back can only fail when the connection is already unusable; the error that led
    // here is the one worth reporting, and the caller already has it.
  }
}

}  // namespace kaizen::storage::internal
