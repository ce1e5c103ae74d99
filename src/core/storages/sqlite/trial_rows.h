// TrialRows: reads and writes one trial's rows (trials, trial_params,
// trial_values, trial_intermediate_values, trial_*_attributes), and shares
// one Distribution object between all parameters with the same
// distribution_json.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "hypertune/core/frozen_trial.h"
#include "src/core/storages/sqlite/connection.h"

namespace hypertune::sqlite_internal {

// The trials row of a trial: enough to check a write.
struct TrialRow {
  int64_t trial_id = -1;
  int64_t study_id = -1;
  int number = -1;
  TrialState state = TrialState::kRunning;
};

class TrialRows {
 public:
  explicit TrialRows(Connection& db) : db_(db) {}

  // All methods: preconditions: inside a transaction of db.

  // NotFound naming the trial id when there is no such trial.
  Result<TrialRow> FindRow(int64_t trial_id);
  // As FindRow, and FailedPrecondition when the trial is finished.
  Result<TrialRow> FindUnfinishedRow(int64_t trial_id);
  Result<FrozenTrial> Load(int64_t trial_id);
  // Inserts params, values, intermediate values and attributes of `t` for
  // the existing trial row `trial_id`.
  Status InsertContents(int64_t trial_id, const FrozenTrial& t);
  // Replaces the trial's values.
  Status WriteValues(int64_t trial_id, const std::vector<double>& values);
  Status UpsertIntermediate(int64_t trial_id, int64_t step, double value);
  Status UpsertAttr(bool user, int64_t trial_id, std::string_view key, std::string_view json);
  Status InsertParam(int64_t trial_id, std::string_view name, double internal,
                     const Distribution& d);
  // The distribution of the trial's parameter `name`, if it has one.
  Result<std::optional<std::shared_ptr<const Distribution>>> FindParamDistribution(
      int64_t trial_id, std::string_view name);
  Status UpdateParamValue(int64_t trial_id, std::string_view name, double internal);

 private:
  Result<std::shared_ptr<const Distribution>> Intern(const std::string& json);

  Connection& db_;
  std::map<std::string, std::shared_ptr<const Distribution>, std::less<>> distributions_;
};

}  // namespace hypertune::sqlite_internal
