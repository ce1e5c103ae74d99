#include "hypertune/core/threshold_pruner.h"

#include <cmath>
#include <string>

#include "src/core/pruners/pruner_util.h"

namespace hypertune {

Status ThresholdPrunerOptions::Validate() const {
  if (!lower && !upper) {
    return Status::InvalidArgument("ThresholdPruner needs lower or upper (or both)");
  }
  if ((lower && std::isnan(*lower)) || (upper && std::isnan(*upper))) {
    return Status::InvalidArgument("ThresholdPruner bounds must not be NaN");
  }
  if (lower && upper && *lower > *upper) {
    return Status::InvalidArgument("lower (" + std::to_string(*lower) + ") > upper (" +
                                   std::to_string(*upper) + ")");
  }
  HT_RETURN_IF_ERROR(pruners_internal::ValidateWarmupAndInterval(n_warmup_steps, interval_steps));
  return Status::Ok();
}

ThresholdPruner::ThresholdPruner(ThresholdPrunerOptions options) : options_(options) {
  const Status s = options_.Validate();
  HT_CHECK(s.ok()) << "ThresholdPruner: " << s;
}

Result<std::unique_ptr<ThresholdPruner>> ThresholdPruner::Create(
    ThresholdPrunerOptions options) {
  HT_RETURN_IF_ERROR(options.Validate().WithContext("ThresholdPruner"));
  return std::make_unique<ThresholdPruner>(options);
}

bool ThresholdPruner::Prune(const StudyView& study, const FrozenTrial& trial) {
  pruners_internal::CheckSingleObjective(study, "ThresholdPruner");
  if (trial.intermediate_values.empty()) return false;
  const auto [step, value] = trial.intermediate_values.back();
  if (step < options_.n_warmup_steps) return false;
  if (!pruners_internal::IsFirstInIntervalStep(trial, step, options_.n_warmup_steps,
                                               options_.interval_steps)) {
    return false;
  }
  if (std::isnan(value)) return true;
  if (options_.lower && value < *options_.lower) return true;
  if (options_.upper && value > *options_.upper) return true;
  return false;
}

}  // namespace hypertune
