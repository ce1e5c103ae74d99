// Connection: one SQLite connection, its prepared statements, and the one
// place where SQLite's return codes become Status.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "hypertune/core/status.h"

namespace hypertune::sqlite_internal {

// A prepared statement borrowed from the connection's cache; reset when it
// goes out of scope. Bind indexes start at 1, column indexes at 0.
class Stmt {
 public:
  Stmt(sqlite3_stmt* stmt, std::string_view path) : stmt_(stmt), path_(path) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : stmt_(o.stmt_), path_(o.path_) { o.stmt_ = nullptr; }

  Stmt& Bind(int i, int64_t v);
  Stmt& Bind(int i, double v);
  Stmt& Bind(int i, std::string_view v);
  Stmt& BindNull(int i);
  Stmt& Bind(int i, std::optional<double> v) { return v ? Bind(i, *v) : BindNull(i); }
  // True: a row is ready; false: done.
  Result<bool> Step();
  // Runs to completion, ignoring rows.
  Status Run();

  bool IsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  int64_t Int(int c) const { return sqlite3_column_int64(stmt_, c); }
  double Double(int c) const { return sqlite3_column_double(stmt_, c); }
  std::string Text(int c) const;

 private:
  sqlite3_stmt* stmt_;
  std::string_view path_;
};

// Converts a SQLite result code into a Status naming the file and what was
// being done. SQLITE_BUSY / SQLITE_LOCKED become kUnavailable (retried).
Status FromSqlite(sqlite3* db, int rc, std::string_view path, std::string_view what);

class Connection {
 public:
  // Opens `path` (read-write, created when missing, unless `read_only`).
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only,
                                                  int busy_timeout_ms, int max_retries);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& path() const { return path_; }
  bool read_only() const { return read_only_; }

  // Runs `body` in a transaction (BEGIN IMMEDIATE when `write`, else a
  // deferred one for a consistent snapshot) under the connection's mutex;
  // commits when it returns OK, rolls back otherwise. Retries the whole
  // transaction when the file stays busy.
  Status Transaction(bool write, const std::function<Status()>& body);

  // Preconditions: inside Transaction's body (or during Open's setup).
  Result<Stmt> Prepare(const char* sql);
  Status Exec(const char* sql);
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  int Changes() const { return sqlite3_changes(db_); }

 private:
  Connection(sqlite3* db, std::string path, bool read_only, int max_retries);

  sqlite3* db_;
  std::string path_;
  bool read_only_;
  int max_retries_;
  std::recursive_mutex mu_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

}  // namespace hypertune::sqlite_internal
