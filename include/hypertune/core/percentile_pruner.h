// PercentilePruner: prunes a trial whose best intermediate value is worse than
// a percentile of the completed trials' values at the same step (Optuna's
// PercentilePruner). MedianPruner is the 50th percentile.
//
//   auto pruner = PercentilePruner::Create({.percentile = 25.0,
//                                           .n_warmup_steps = 10}).value();
//
// Decision for a trial whose latest report is at step s, in this order (any
// "no" means: do not prune):
//  1. at least one and at least n_startup_trials trials are COMPLETE;
//  2. s >= n_warmup_steps, and s is the first report of the trial in its
//     pruning interval (pruning steps are n_warmup_steps + k *
//     interval_steps; a pruning step with no report is checked at the next
//     report);
//  3. best = the trial's best intermediate value over all its steps, NaN
//     ignored. If every value is NaN: prune;
//  4. the COMPLETE trials that reported at step s number at least
//     n_min_trials (NaN reports count here, as in Optuna);
//  5. p = the percentile of their values at s (NaN ignored; linear
//     interpolation as numpy.nanpercentile). For a maximized study the
//     percentile is mirrored (100 - percentile), so that percentile = 25
//     keeps the best quarter in both directions. If p is NaN: no;
//  6. prune when best is worse than p (minimize: best > p; maximize:
//     best < p).
// Cost: one pass over the study's trials, O(n log steps) per call.
// Thread safety: stateless; safe to call from several threads.
#pragma once

#include <cstdint>
#include <memory>

#include "hypertune/core/pruner.h"
#include "hypertune/core/status.h"

namespace hypertune {

struct PercentilePrunerOptions {
  // In [0, 100]. Trials worse than this percentile of the others are pruned:
  // 25 keeps roughly the best quarter at each step (aggressive), 75 keeps the
  // best three quarters (lenient). Optuna has no default; 50 is the median.
  double percentile = 50.0;
  // Default 5. No pruning until this many trials are COMPLETE. Raise it when
  // early trials are too few to estimate the percentile reliably.
  int n_startup_trials = 5;
  // Default 0. No pruning at steps < n_warmup_steps (steps start at 0). Raise
  // it when early learning curves are noisy or cross.
  int64_t n_warmup_steps = 0;
  // Default 1. Check only once per interval of this many steps, counted from
  // n_warmup_steps. Raise it to prune less eagerly.
  int64_t interval_steps = 1;
  // Default 1. No pruning at a step where fewer than this many COMPLETE
  // trials reported a value. Raise it to let a minimum number of trials reach
  // each step.
  int n_min_trials = 1;

  Status Validate() const;
};

class PercentilePruner final : public Pruner {
 public:
  // Preconditions: options.Validate().ok() (aborts otherwise; use Create for
  // options that come from outside).
  explicit PercentilePruner(PercentilePrunerOptions options);
  static Result<std::unique_ptr<PercentilePruner>> Create(PercentilePrunerOptions options);

  // Preconditions: a single-objective study.
  bool Prune(const StudyView& study, const FrozenTrial& trial) override;

  const PercentilePrunerOptions& options() const { return options_; }

 private:
  const PercentilePrunerOptions options_;
};

}  // namespace hypertune
