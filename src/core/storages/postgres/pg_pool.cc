#include "src/core/storages/postgres/pg_pool.h"

#include <poll.h>

#include <charconv>
#include <chrono>
#include <map>
#include <pqxx/pqxx>
#include <random>
#include <thread>

namespace hypertune::pg_internal {

struct Session {
  explicit Session(const std::string& conninfo) : conn(conninfo) {}
  pqxx::connection conn;
  // Statement text -> name of its prepared statement on this connection.
  std::map<std::string, std::string, std::less<>> prepared;
};

namespace {

// libpq's messages end in newlines and indent their continuation lines.
std::string OneLine(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// True when libpq knows an idle connection is gone, or it has something to
// read: the server closed it (a restart, pg_terminate_backend, an idle
// timeout) and said so. An idle connection of ours has nothing else pending.
bool LooksClosed(const pqxx::connection& c) {
  const int fd = c.sock();
  if (fd < 0 || !c.is_open()) return true;
  pollfd p{};
  p.fd = fd;
  p.events = POLLIN;
  return ::poll(&p, 1, 0) != 0;
}

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

}  // namespace

Param P(int64_t v) { return std::to_string(v); }

Param P(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

Param P(std::string_view v) { return std::string(v); }

Result<int64_t> Int(const pqxx::field& f) {
  int64_t v = 0;
  const char* s = f.c_str();
  const auto r = std::from_chars(s, s + f.size(), v);
  if (f.is_null() || r.ec != std::errc() || r.ptr != s + f.size())
    return Status::Corruption("column " + std::string(f.name()) + ": '" + std::string(s) +
                              "' is not an integer");
  return v;
}

Result<double> Double(const pqxx::field& f) {
  double v = 0;
  const char* s = f.c_str();
  const auto r = std::from_chars(s, s + f.size(), v);
  if (f.is_null() || r.ec != std::errc() || r.ptr != s + f.size())
    return Status::Corruption("column " + std::string(f.name()) + ": '" + std::string(s) +
                              "' is not a number");
  return v;
}

std::string Text(const pqxx::field& f) {
  if (f.is_null()) return {};
  return std::string(f.c_str(), f.size());
}

Status CheckText(std::string_view what, std::string_view s) {
  const size_t nul = s.find('\0');
  if (nul == std::string_view::npos) return Status::Ok();
  return Status::InvalidArgument(std::string(what) + " '" + std::string(s.substr(0, nul)) +
                                 "\\0...' contains a NUL byte, which PostgreSQL cannot store");
}

pqxx::result Tx::Exec(const std::string& sql, const std::vector<Param>& params) {
  auto it = session_.prepared.find(sql);
  if (it == session_.prepared.end()) {
    std::string name = "ht" + std::to_string(session_.prepared.size());
    session_.conn.prepare(name, sql);
    it = session_.prepared.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  return tx_.exec_prepared(it->second, pqxx::prepare::make_dynamic_params(values));
}

void Tx::ExecDdl(const char* sql) { tx_.exec(sql); }

Pool::Pool(PgTarget target, PoolOptions options)
    : target_(std::move(target)),
      options_(options),
      where_("PostgreSQL database '" + target_.dbname + "' at " + target_.host_port) {}

Pool::~Pool() = default;

Result<std::unique_ptr<Pool>> Pool::Open(PgTarget target, PoolOptions options) {
  std::unique_ptr<Pool> pool(new Pool(std::move(target), options));
  HT_ASSIGN_OR_RETURN(std::unique_ptr<Session> first, pool->Connect());
  pool->open_ = 1;
  pool->Release(std::move(first), false);
  return pool;
}

Status Pool::Redacted(const Status& s) const {
  if (s.ok()) return s;
  return Status(s.code(), Redact(s.message(), target_.secrets));
}

Result<std::unique_ptr<Session>> Pool::Connect() {
  std::unique_ptr<Session> s;
  try {
    s = std::make_unique<Session>(target_.conninfo);
    pqxx::nontransaction setup(s->conn);
    // Shortest-exact float8 text even on servers older than 12.
    setup.exec("SET extra_float_digits = 3");
    // Every statement of ours finds its rows through a key. Before
    // autovacuum has analyzed a growing table, the planner takes it for
    // small and may scan all of it instead, making reads cost what the
    // study holds rather than what changed (see PostgresPlanTest).
    setup.exec("SET enable_seqscan = off");
    if (options_.read_only) setup.exec("SET default_transaction_read_only = on");
  } catch (const std::exception& e) {
    const std::string why = OneLine(e.what());
    std::string msg = "cannot connect to PostgreSQL at " + target_.host_port + " (database '" +
                      target_.dbname + "', user '" + target_.user + "'): " + why;
    msg = Redact(std::move(msg), target_.secrets);
    // libpq reports no SQLSTATE for a refused connection; its (English)
    // messages are what there is.
    if (Contains(why, "password authentication failed") || Contains(why, "no password supplied") ||
        Contains(why, "authentication failed"))
      return Status::InvalidArgument(msg + " (check the user and password in the URL)");
    if (Contains(why, "database \"") && Contains(why, "does not exist"))
      return Status::NotFound(msg + " (create it first, e.g. createdb)");
    if (Contains(why, "role \"") && Contains(why, "does not exist"))
      return Status::InvalidArgument(msg);
    return Status::Unavailable(msg);
  }
  return s;
}

Result<std::unique_ptr<Session>> Pool::Acquire() {
  {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return !idle_.empty() || open_ < options_.max_connections; });
      if (idle_.empty()) break;
      std::unique_ptr<Session> s = std::move(idle_.back());
      idle_.pop_back();
      // Cheaper than finding out with a statement whose outcome would then
      // be unknown.
      if (!LooksClosed(s->conn)) return s;
      --open_;
    }
    ++open_;
  }
  Result<std::unique_ptr<Session>> s = Connect();
  if (!s.ok()) {
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_one();
  }
  return s;
}

void Pool::Release(std::unique_ptr<Session> s, bool broken) {
  {
    std::lock_guard lock(mu_);
    if (broken) {
      --open_;
    } else {
      idle_.push_back(std::move(s));
    }
    cv_.notify_one();
  }
  s.reset();  // a broken connection is closed outside the lock
}

Status Pool::FromException(const std::exception& e, const char* what) const {
  const std::string msg = Redact(where_ + ", " + what + ": " + OneLine(e.what()), target_.secrets);
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr)
    return Status::Unavailable(msg +
                               " (the connection was lost during COMMIT: the change may "
                               "or may not have been stored)");
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr)
    return Status::Unavailable(msg + " (connection lost)");
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr)
    return Status::Unavailable(msg);
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    const std::string_view cls =
        std::string_view(state).substr(0, std::min<size_t>(2, state.size()));
    if (state == "25006") return Status::FailedPrecondition(msg + " (read-only)");
    if (state == "42501") return Status::FailedPrecondition(msg);
    if (state == "3D000") return Status::NotFound(msg);
    if (cls == "22" || cls == "23") return Status::InvalidArgument(msg);
    if (cls == "42") return Status::Corruption(msg + " (is the schema Optuna's?)");
    if (cls == "08" || cls == "53" || cls == "57" || cls == "40") return Status::Unavailable(msg);
    return Status::IoError(msg + " (SQLSTATE " + state + ")");
  }
  if (dynamic_cast<const pqxx::usage_error*>(&e) != nullptr ||
      dynamic_cast<const pqxx::internal_error*>(&e) != nullptr)
    return Status::Internal(msg);
  return Status::IoError(msg);
}

Status Pool::Run(Access access, Scope scope, const char* what,
                 const std::function<Status(Tx&)>& body) {
  if (access != Access::kRead && options_.read_only)
    return Status::FailedPrecondition(where_ + " was opened read-only; " + what + " writes");
  thread_local std::minstd_rand jitter(std::random_device{}());
  bool reconnected = false;
  Status last;
  for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
    if (attempt > 0) {
      const int cap_us = 500 * std::min(attempt, 40);
      std::this_thread::sleep_for(std::chrono::microseconds(
          cap_us / 2 + static_cast<int>(jitter() % static_cast<unsigned>(cap_us / 2 + 1))));
    }
    HT_ASSIGN_OR_RETURN(std::unique_ptr<Session> session, Acquire());
    bool broken = false;
    bool retry = false;
    Status s;
    // The connection is gone: retried on a new one unless the server may
    // have run a write that must not run twice.
    const auto lost = [&](const std::exception& e) {
      broken = true;
      s = FromException(e, what);
      if (access == Access::kWrite && scope == Scope::kStatement) {
        s = Status::Unavailable(s.message() + "; the change may or may not have been stored");
      } else {
        retry = !reconnected;
        reconnected = true;
      }
    };
    try {
      if (scope == Scope::kStatement) {
        pqxx::nontransaction t(session->conn);
        Tx tx(*session, t);
        s = body(tx);
      } else if (access != Access::kRead) {
        pqxx::work t(session->conn);
        Tx tx(*session, t);
        s = body(tx);
        if (s.ok()) t.commit();
      } else {
        pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> t(session->conn);
        Tx tx(*session, t);
        s = body(tx);
        if (s.ok()) t.commit();
      }
    } catch (const pqxx::in_doubt_error& e) {
      broken = true;
      s = FromException(e, what);
    } catch (const pqxx::broken_connection& e) {
      lost(e);
    } catch (const pqxx::serialization_failure& e) {
      s = FromException(e, what);
      retry = true;
    } catch (const pqxx::deadlock_detected& e) {
      s = FromException(e, what);
      retry = true;
    } catch (const pqxx::sql_error& e) {
      // The server ended the session (57P01 admin shutdown, 57P02 crash
      // shutdown, 57P03 cannot connect now) or the link broke (class 08).
      const std::string& state = e.sqlstate();
      if (state == "57P01" || state == "57P02" || state == "57P03" || state.starts_with("08")) {
        lost(e);
      } else {
        s = FromException(e, what);
        retry = state == "40001" || state == "40P01";
      }
    } catch (const std::exception& e) {
      s = FromException(e, what);
    }
    if (!broken && !session->conn.is_open()) broken = true;
    Release(std::move(session), broken);
    if (!retry) return Redacted(s);
    last = s;
  }
  return Redacted(
      last.WithContext("gave up after " + std::to_string(options_.max_retries) + " retries"));
}

}  // namespace hypertune::pg_internal
