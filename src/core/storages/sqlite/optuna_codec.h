// How Optuna's RDB schema spells hypertune's values: distributions as
// distribution_json, datetimes, and (value, value_type) pairs for
// infinities and NaN.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hypertune/core/distributions.h"
#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/status.h"

namespace hypertune::sqlite_internal {

// {"name": "FloatDistribution", "attributes": {...}}, as Optuna 3 writes it.
std::string DistributionToJson(const Distribution& d);
// Reads Optuna 3's names and the older ones (UniformDistribution,
// LogUniformDistribution, DiscreteUniformDistribution, IntUniformDistribution,
// IntLogUniformDistribution). Corruption when malformed.
Result<Distribution> DistributionFromJson(std::string_view json);

// "2026-11-26 19:42:40.153635" in the machine's local time zone, without an
// offset: what Optuna stores (datetime.now(), naive) through SQLAlchemy.
std::string FormatDatetime(FrozenTrial::Clock::time_point t);
Result<FrozenTrial::Clock::time_point> ParseDatetime(std::string_view text);

// A stored float and its type: FINITE, INF_POS, INF_NEG, NAN (NULL value for
// all but FINITE).
struct StoredValue {
  std::optional<double> value;
  const char* type;
};
StoredValue EncodeValue(double v);
// `allow_nan`: intermediate values may be NaN, objective values not.
Result<double> DecodeValue(std::optional<double> value, std::string_view type,
                           bool allow_nan);

}  // namespace hypertune::sqlite_internal
