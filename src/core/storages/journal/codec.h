// How Optuna's journal spells hypertune's values that are not plain JSON:
// distributions and datetimes.
#pragma once

#include <string>
#include <string_view>

#include "hypertune/core/distributions.h"
#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/status.h"
// The distribution JSON is the one of Optuna's RDB schema.
#include "src/core/storages/optuna_rdb/optuna_codec.h"

namespace hypertune::journal_internal {

// distribution_to_json / json_to_distribution: {"name": ..., "attributes": ...}.
using optuna_rdb::DistributionFromJson;
using optuna_rdb::DistributionToJson;

// datetime.isoformat(timespec="microseconds") of a naive local time, as
// Optuna's journal writes datetime.now(): "2023-01-31T12:34:56.789012".
std::string FormatIsoDatetime(FrozenTrial::Clock::time_point t);
// What datetime.fromisoformat reads in practice: "YYYY-MM-DD", optionally
// followed by 'T' or ' ' and "HH:MM[:SS[.ffffff]]", optionally with "Z" or a
// "+HH:MM" offset. Without an offset the time is local, as in Optuna.
// InvalidArgument when malformed.
Result<FrozenTrial::Clock::time_point> ParseIsoDatetime(std::string_view text);

// Optuna's check_distribution_compatibility: the same kind, the same log
// flag for floats and ints, the same choices for categoricals. Ranges and
// steps may differ.
bool CompatibleDistributions(const Distribution& a, const Distribution& b);

}  // namespace hypertune::journal_internal
