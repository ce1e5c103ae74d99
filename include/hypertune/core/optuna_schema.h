// The revisions of Optuna's RDB schema (alembic_version.version_num) that
// hypertune's SQL back-ends (SqliteStorage, PostgresStorage) read and write.
//
//   SqliteStorageOptions opts;
//   opts.schema_revision = std::string(kOptunaSchemaV300d);  // for Optuna 3.0/3.1
//
// v3.0.0.d is the head of Optuna 3.0 and 3.1 (Debian's python3-optuna);
// v3.2.0.a (Optuna 3.2 and 3.3) is v3.0.0.d plus the index trials_study_id_key
// on trials.study_id. Optuna refuses a database whose revision is newer than
// its own head, so Optuna 3.1 refuses v3.2.0.a.
#pragma once

#include <string_view>

namespace hypertune {

inline constexpr std::string_view kOptunaSchemaV300d = "v3.0.0.d";
inline constexpr std::string_view kOptunaSchemaV320a = "v3.2.0.a";

}  // namespace hypertune
