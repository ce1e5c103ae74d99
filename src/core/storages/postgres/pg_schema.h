// Optuna's RDB schema (alembic revisions v3.0.0.d and v3.2.0.a) for
// PostgreSQL, as Optuna 3.1's SQLAlchemy models create it: creating it in an
// empty database and recognising it in an existing one.
#pragma once

#include <string>
#include <string_view>

#include "hypertune/core/status.h"
#include "src/core/storages/postgres/pg_pool.h"

namespace hypertune::pg_internal {

// The database's alembic revision, or "" when it has none of Optuna's
// tables. Corruption when it has some of them but no alembic_version.
Result<std::string> ReadRevision(Tx& tx);

// Inside a write transaction: waits for any other process creating the
// schema (an advisory lock held until the transaction ends), then, unless
// the schema exists by then, creates every type, table and index of
// `revision` and records it in alembic_version and version_info. Returns the
// revision the database has afterwards.
Result<std::string> CreateSchemaIfMissing(Tx& tx, std::string_view revision);

}  // namespace hypertune::pg_internal
