// Optuna's RDB schema (alembic revisions v3.0.0.d and v3.2.0.a) for SQLite: creating it in
// an empty file and recognising it in an existing one.
#pragma once

#include <string>
#include <string_view>

#include "hypertune/core/status.h"
#include "src/core/storages/optuna_rdb/optuna_codec.h"
#include "src/core/storages/sqlite/connection.h"

namespace hypertune::sqlite_internal {

using optuna_rdb::IsSupportedRevision;

// Inside a write transaction: creates every table and index of `revision`
// and records it in alembic_version and version_info.
Status CreateSchema(Connection& db, std::string_view revision);

// Inside a transaction: the file's alembic revision, or "" when the file has
// no table at all. Corruption when it has tables but is not an Optuna file.
Result<std::string> ReadRevision(Connection& db);

}  // namespace hypertune::sqlite_internal
