#include "hypertune/core/percentile_pruner.h"

#include <cmath>
#include <string>
#include <vector>

#include "src/core/pruners/pruner_util.h"

namespace hypertune {

Status PercentilePrunerOptions::Validate() const {
  if (!(percentile >= 0.0 && percentile <= 100.0)) {
    return Status::InvalidArgument("percentile must be in [0, 100], got " +
                                   std::to_string(percentile));
  }
  if (n_startup_trials < 0) {
    return Status::InvalidArgument("n_startup_trials must be >= 0, got " +
                                   std::to_string(n_startup_trials));
  }
  HT_RETURN_IF_ERROR(pruners_internal::ValidateWarmupAndInterval(n_warmup_steps, interval_steps));
  if (n_min_trials < 1) {
    return Status::InvalidArgument("n_min_trials must be >= 1, got " +
                                   std::to_string(n_min_trials));
  }
  return Status::Ok();
}

PercentilePruner::PercentilePruner(PercentilePrunerOptions options)
    : options_(std::move(options)) {
  const Status s = options_.Validate();
  HT_CHECK(s.ok()) << "PercentilePruner: " << s;
}

Result<std::unique_ptr<PercentilePruner>> PercentilePruner::Create(
    PercentilePrunerOptions options) {
  HT_RETURN_IF_ERROR(options.Validate().WithContext("PercentilePruner"));
  return std::make_unique<PercentilePruner>(std::move(options));
}

bool PercentilePruner::Prune(const StudyView& study, const FrozenTrial& trial) {
  pruners_internal::CheckSingleObjective(study, "PercentilePruner");
  // The checks on the trial alone come first: they are free and decide most
  // calls. The order does not change the result, every early exit is "no".
  const std::optional<int64_t> last_step = trial.LastStep();
  if (!last_step) return false;
  const int64_t step = *last_step;
  if (step < options_.n_warmup_steps) return false;
  if (!pruners_internal::IsFirstInIntervalStep(trial, step, options_.n_warmup_steps,
                                               options_.interval_steps)) {
    return false;
  }

  // One pass: count the COMPLETE trials and gather their values at `step`.
  int n_complete = 0;
  std::vector<double> at_step;
  for (const FrozenTrial* t : study.trials()) {
    if (t->state != TrialState::kComplete) continue;
    ++n_complete;
    if (std::optional<double> v = t->IntermediateValue(step)) at_step.push_back(*v);
  }
  if (n_complete == 0 || n_complete < options_.n_startup_trials) return false;

  const StudyDirection direction = study.directions()[0];
  const double best = pruners_internal::BestIntermediateValue(trial, direction);
  if (std::isnan(best)) return true;

  if (at_step.size() < static_cast<size_t>(options_.n_min_trials)) return false;
  const bool maximize = direction == StudyDirection::kMaximize;
  const double p = pruners_internal::NanPercentile(
      at_step, maximize ? 100.0 - options_.percentile : options_.percentile);
  if (std::isnan(p)) return false;
  return maximize ? best < p : best > p;
}

}  // namespace hypertune
