// ThresholdPruner: prunes a trial whose latest intermediate value leaves a
// fixed range or is NaN (Optuna's ThresholdPruner). It looks at the trial
// alone, not at other trials, and ignores the study direction.
//
//   // Stop diverging runs: loss above 1e3 or NaN.
//   auto pruner = ThresholdPruner::Create({.upper = 1e3}).value();
//
// Decision for a trial whose latest report is at step s: no pruning when
// s < n_warmup_steps or s is not the first report of the trial in its pruning
// interval (as PercentilePruner); otherwise prune when the value at s is NaN,
// < lower or > upper.
// Thread safety: stateless; safe to call from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "hypertune/core/pruner.h"
#include "hypertune/core/status.h"

namespace hypertune {

struct ThresholdPrunerOptions {
  // Unset: no lower bound. Values strictly below it are pruned. At least one
  // of lower and upper must be set; neither may be NaN.
  std::optional<double> lower;
  // Unset: no upper bound. Values strictly above it are pruned. Must be >=
  // lower when both are set.
  std::optional<double> upper;
  // Default 0. No pruning at steps < n_warmup_steps.
  int64_t n_warmup_steps = 0;
  // Default 1. Check only once per interval of this many steps, counted from
  // n_warmup_steps.
  int64_t interval_steps = 1;

  Status Validate() const;
};

class ThresholdPruner final : public Pruner {
 public:
  // Preconditions: options.Validate().ok() (aborts otherwise).
  explicit ThresholdPruner(ThresholdPrunerOptions options);
  static Result<std::unique_ptr<ThresholdPruner>> Create(ThresholdPrunerOptions options);

  // Preconditions: a single-objective study.
  bool Prune(const StudyView& study, const FrozenTrial& trial) override;

  const ThresholdPrunerOptions& options() const { return options_; }

 private:
  const ThresholdPrunerOptions options_;
};

}  // namespace hypertune
