// The PostgreSQL server the PostgreSQL storage tests use, and a fresh
// database per test.
//
// Under ctest, the fixture test pg_cluster_start runs
// tests/core/storages/pg_cluster.sh, which starts a throwaway cluster and
// writes the URL of its test role to <build>/pg_cluster/url. Run by hand:
//
//   tests/core/storages/pg_cluster.sh start build/pg_cluster
//   build/tests/postgres_storage_test
//   tests/core/storages/pg_cluster.sh stop build/pg_cluster
//
// or point HYPERTUNE_PG_URL at any server and role that may CREATE DATABASE
// (and CREATE ROLE, for the credentials tests).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <thread>

#include "hypertune/core/status.h"

#ifndef HT_PG_STATE_DIR
#define HT_PG_STATE_DIR "build/pg_cluster"
#endif

namespace hypertune::testing {

// The server URL (database "postgres"), or why there is none.
inline Result<std::string> PgServerUrl() {
  if (const char* env = std::getenv("HYPERTUNE_PG_URL"); env != nullptr && *env != '\0')
    return std::string(env);
  const std::string file = std::string(HT_PG_STATE_DIR) + "/url";
  std::ifstream in(file);
  std::string url;
  if (in && std::getline(in, url) && !url.empty()) return url;
  return Status::Unavailable(
      "no PostgreSQL server for the tests: " + file +
      " does not exist. ctest starts one (fixture pg_cluster); to run a test binary by hand, "
      "start one with `tests/core/storages/pg_cluster.sh start " HT_PG_STATE_DIR
      "` (stop it with `... stop " HT_PG_STATE_DIR
      "`), or set HYPERTUNE_PG_URL=postgresql://user:password@host:port/postgres for a role "
      "that may CREATE DATABASE");
}

// `server_url` with its database replaced by `db` (and no query string).
inline std::string WithDatabase(const std::string& server_url, const std::string& db) {
  const size_t scheme = server_url.find("://");
  const size_t slash = server_url.find('/', scheme + 3);
  return server_url.substr(0, slash) + "/" + db;
}

// "127.0.0.1:5432" of a URL such as the server URL.
inline std::string HostPort(const std::string& url) {
  const size_t at = url.rfind('@');
  const size_t slash = url.find('/', at + 1);
  return url.substr(at + 1, slash - at - 1);
}

// Runs SQL outside PostgresStorage (libpqxx directly; throws on errors).
inline pqxx::result RawSql(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction t(c);
  return t.exec(sql);
}

// A database created for one test and dropped (with its connections) at the
// end of it.
class TempDatabase {
 public:
  TempDatabase() {
    Result<std::string> server = PgServerUrl();
    if (!server.ok()) {
      ADD_FAILURE() << server.status().message();
      return;
    }
    server_ = *server;
    static std::atomic<int> counter{0};
    std::random_device rd;
    name_ = "ht_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
            std::to_string(rd() % 100000);
    RawSql(server_, "CREATE DATABASE " + name_);
    url_ = WithDatabase(server_, name_);
  }
  ~TempDatabase() {
    if (url_.empty()) return;
    // An autovacuum worker may still be on it; FORCE ends it, given
    // pg_signal_backend (see pg_cluster.sh), and otherwise it ends soon.
    for (int attempt = 0;; ++attempt) {
      try {
        RawSql(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
        return;
      } catch (const std::exception& e) {
        if (attempt == 20) {
          ADD_FAILURE() << "dropping " << name_ << ": " << e.what();
          return;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  TempDatabase(const TempDatabase&) = delete;
  TempDatabase& operator=(const TempDatabase&) = delete;

  bool ok() const { return !url_.empty(); }
  // postgresql://hypertune_test:...@127.0.0.1:port/ht_test_...
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  const std::string& server_url() const { return server_; }

 private:
  std::string server_;
  std::string name_;
  std::string url_;
};

}  // namespace hypertune::testing
