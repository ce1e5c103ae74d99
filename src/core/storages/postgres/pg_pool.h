// Pool: PostgresStorage's connections (libpqxx), its prepared statements,
// and the one place where libpqxx exceptions become Status, retries happen,
// and passwords are redacted.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/status.h"
#include "src/core/storages/postgres/pg_url.h"

namespace pqxx {
class result;
class field;
class transaction_base;
}  // namespace pqxx

namespace hypertune::pg_internal {

// A statement parameter in PostgreSQL's text format, or NULL.
using Param = std::optional<std::string>;
Param P(int64_t v);
Param P(double v);  // shortest text that reads back to the same double
Param P(std::string_view v);
inline Param P(const char* v) { return P(std::string_view(v)); }
inline Param P(int v) { return P(static_cast<int64_t>(v)); }
inline Param P(std::optional<double> v) { return v ? P(*v) : std::nullopt; }

// Result fields. Corruption when the text is not what the column promises.
Result<int64_t> Int(const pqxx::field& f);
Result<double> Double(const pqxx::field& f);
std::string Text(const pqxx::field& f);  // "" for NULL

// InvalidArgument when `s` holds a NUL byte, which PostgreSQL's text cannot
// (libpq would silently cut the string there).
Status CheckText(std::string_view what, std::string_view s);

struct Session;

// What a transaction body runs statements with. Statements are prepared
// once per connection, keyed by their text; parameters are data, never SQL.
class Tx {
 public:
  Tx(Session& s, pqxx::transaction_base& t) : session_(s), tx_(t) {}
  pqxx::result Exec(const std::string& sql, const std::vector<Param>& params);
  // A constant statement without parameters (DDL cannot be prepared).
  void ExecDdl(const char* sql);

 private:
  Session& session_;
  pqxx::transaction_base& tx_;
};

// kStatement: one statement that PostgreSQL runs atomically on its own
// (autocommit; one round trip). kTransaction: BEGIN ... COMMIT, READ
// COMMITTED for writes (with explicit row locks), a REPEATABLE READ READ
// ONLY snapshot for reads.
enum class Scope { kStatement, kTransaction };
// kIdempotentWrite: a write that may run twice with the effect of once (an
// upsert of the same value), so that it is retried when the connection is
// lost while it runs, as reads and transactions are.
enum class Access { kRead, kWrite, kIdempotentWrite };

struct PoolOptions {
  int max_connections = 4;
  int max_retries = 20;
  bool read_only = false;
};

class Pool {
 public:
  // Connects the first connection now, so that a bad URL, server or
  // password is reported by Open.
  static Result<std::unique_ptr<Pool>> Open(PgTarget target, PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Runs `body` on a pooled connection; commits when it returns OK, rolls
  // back otherwise. Retries the whole body on a serialization failure or
  // deadlock (up to max_retries), and once, on a new connection, when the
  // connection is lost before the outcome is known to be nothing: always
  // but for a kWrite statement (the server may have run it), which is
  // Unavailable then. `what` names the operation in messages.
  Status Run(Access access, Scope scope, const char* what, const std::function<Status(Tx&)>& body);

  // "PostgreSQL database 'optuna' at 127.0.0.1:5432".
  const std::string& where() const { return where_; }
  const PgTarget& target() const { return target_; }
  bool read_only() const { return options_.read_only; }
  // `s` with the password removed from its message.
  Status Redacted(const Status& s) const;

 private:
  Pool(PgTarget target, PoolOptions options);

  Result<std::unique_ptr<Session>> Connect();
  Result<std::unique_ptr<Session>> Acquire();
  void Release(std::unique_ptr<Session> s, bool broken);
  Status FromException(const std::exception& e, const char* what) const;

  PgTarget target_;
  PoolOptions options_;
  std::string where_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Session>> idle_;  // guarded by mu_
  int open_ = 0;                                // guarded by mu_
};

}  // namespace hypertune::pg_internal
