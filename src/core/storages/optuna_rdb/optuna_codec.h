// How Optuna's RDB schema spells hypertune's values: distributions as
// distribution_json, datetimes, and (value, value_type) pairs for
// infinities and NaN; and what every SQL back-end of that schema shares
// (supported revisions, version_info, the trial fingerprint of
// ReadTrialUpdates). No database dependency: SqliteStorage and
// PostgresStorage both link it (target hypertune_optuna_rdb).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hypertune/core/distributions.h"
#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/status.h"

namespace hypertune::optuna_rdb {

// {"name": "FloatDistribution", "attributes": {...}}, as Optuna 3 writes it.
std::string DistributionToJson(const Distribution& d);
// Reads Optuna 3's names and the older ones (UniformDistribution,
// LogUniformDistribution, DiscreteUniformDistribution, IntUniformDistribution,
// IntLogUniformDistribution). Corruption when malformed.
Result<Distribution> DistributionFromJson(std::string_view json);

// "2026-11-26 19:42:40.153635" in the machine's local time zone, without an
// offset: what Optuna stores (datetime.now(), naive) through SQLAlchemy.
// separator: ' ' (the SQL back-ends) or 'T' (the journal, isoformat()).
std::string FormatDatetime(FrozenTrial::Clock::time_point t, char separator = ' ');
Result<FrozenTrial::Clock::time_point> ParseDatetime(std::string_view text);

// A stored float and its type: FINITE, INF_POS, INF_NEG, NAN (NULL value for
// all but FINITE).
struct StoredValue {
  std::optional<double> value;
  const char* type;
};
StoredValue EncodeValue(double v);
// `allow_nan`: intermediate values may be NaN, objective values not.
Result<double> DecodeValue(std::optional<double> value, std::string_view type, bool allow_nan);

// True for the alembic revisions hypertune reads and writes
// (kOptunaSchemaV300d and kOptunaSchemaV320a).
bool IsSupportedRevision(std::string_view revision);
// version_info.schema_version, unchanged since Optuna moved to alembic.
inline constexpr int64_t kSchemaVersion = 12;
// version_info.library_version for a new storage of `revision`: the Optuna
// release whose models that revision is ("3.1.0" for v3.0.0.d, "3.2.0" for
// v3.2.0.a). Optuna itself checks only alembic_version.
std::string_view LibraryVersion(std::string_view revision);

// A hash of everything ReadTrialUpdates reports about a trial.
int64_t Fingerprint(const FrozenTrial& t);

}  // namespace hypertune::optuna_rdb
