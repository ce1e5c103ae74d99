// PostgresStorage's URLs: postgresql://user:password@host:port/dbname?k=v
// taken apart into what libpq connects with and how messages name the
// server, never with the password.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/status.h"

namespace hypertune::pg_internal {

struct PgTarget {
  // keyword='value' pairs for libpq (PQconnectdb).
  std::string conninfo;
  // How messages name the server and database: "127.0.0.1:5432", "optuna".
  std::string host_port;
  std::string dbname;
  std::string user;
  // Strings that must never appear in a message (the password as written in
  // the URL and decoded), longest first.
  std::vector<std::string> secrets;
};

// Accepts postgresql:// and postgresql+psycopg2:// (SQLAlchemy's spelling),
// with libpq's URI syntax (percent-encoding, [v6 addresses], query
// parameters such as sslmode or application_name). connect_timeout_s is used
// unless the URL sets connect_timeout. InvalidArgument for anything else,
// with the URL shown without its password.
Result<PgTarget> ParsePostgresUrl(std::string_view url, int connect_timeout_s);

// The URL with its password (user info and password= parameter) replaced by
// "***". Works on malformed URLs too: it hides rather too much than too little.
std::string HidePassword(std::string_view url);

// `text` with every secret replaced by "***".
std::string Redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace hypertune::pg_internal
