#include "src/core/storages/sqlite/connection.h"

#include <chrono>
#include <thread>

namespace hypertune::sqlite_internal {

Status FromSqlite(sqlite3* db, int rc, std::string_view path, std::string_view what) {
  std::string msg = "sqlite file '" + std::string(path) + "', " + std::string(what) + ": " +
                    (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) + " (code " +
                    std::to_string(rc) + ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(msg));
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Status::Corruption(std::move(msg));
    case SQLITE_CANTOPEN:
      return Status::NotFound(std::move(msg));
    case SQLITE_READONLY:
      return Status::FailedPrecondition(std::move(msg));
    case SQLITE_CONSTRAINT:
      return Status::InvalidArgument(std::move(msg));
    default:
      return Status::IoError(std::move(msg));
  }
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Stmt& Stmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Stmt& Stmt::Bind(int i, std::string_view v) {
  sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Stmt& Stmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Result<bool> Stmt::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return FromSqlite(sqlite3_db_handle(stmt_), rc, path_,
                    std::string("running '") + sqlite3_sql(stmt_) + "'");
}

Status Stmt::Run() {
  for (;;) {
    HT_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

std::string Stmt::Text(int c) const {
  const auto* p = sqlite3_column_text(stmt_, c);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, c)));
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool read_only,
                                                     int busy_timeout_ms, int max_retries) {
  sqlite3* db = nullptr;
  const int flags = (read_only ? SQLITE_OPEN_READONLY
                               : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = FromSqlite(db, rc, path, "opening");
    sqlite3_close_v2(db);
    return s;
  }
  sqlite3_busy_timeout(db, busy_timeout_ms);
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Connection>(new Connection(db, path, read_only, max_retries));
}

Connection::Connection(sqlite3* db, std::string path, bool read_only, int max_retries)
    : db_(db), path_(std::move(path)), read_only_(read_only), max_retries_(max_retries) {}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<Stmt> Connection::Prepare(const char* sql) {
  auto it = cache_.find(std::string_view(sql));
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return FromSqlite(db_, rc, path_, std::string("preparing '") + sql + "'");
    }
    it = cache_.emplace(sql, stmt).first;
  }
  return Stmt(it->second, path_);
}

Status Connection::Exec(const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return FromSqlite(db_, rc, path_, std::string("running '") + sql + "'");
  return Status::Ok();
}

Status Connection::Transaction(bool write, const std::function<Status()>& body) {
  if (write && read_only_)
    return Status::FailedPrecondition("sqlite file '" + path_ + "' was opened read-only");
  std::lock_guard lock(mu_);
  Status s;
  for (int attempt = 0; attempt <= max_retries_; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * std::min(attempt, 20)));
    }
    s = Exec(write ? "BEGIN IMMEDIATE" : "BEGIN");
    if (s.ok()) {
      s = body();
      if (s.ok()) s = Exec("COMMIT");
      if (!s.ok() && !sqlite3_get_autocommit(db_)) (void)Exec("ROLLBACK");
    }
    if (s.code() != StatusCode::kUnavailable) return s;
  }
  return s.WithContext("still busy after " + std::to_string(max_retries_) + " retries");
}

}  // namespace hypertune::sqlite_internal
