// MedianPruner: the median stopping rule (Optuna's MedianPruner). Prunes a
// trial whose best intermediate value so far is worse than the median of the
// COMPLETE trials' values at the same step. Exactly PercentilePruner with
// percentile 50; see percentile_pruner.h for the full decision.
//
//   auto pruner = std::make_shared<MedianPruner>(
//       MedianPrunerOptions{.n_startup_trials = 5, .n_warmup_steps = 30,
//                           .interval_steps = 10});
//
// Thread safety: stateless; safe to call from several threads.
#pragma once

#include <cstdint>
#include <memory>

#include "hypertune/core/percentile_pruner.h"
#include "hypertune/core/pruner.h"
#include "hypertune/core/status.h"

namespace hypertune {

struct MedianPrunerOptions {
  // Default 5. No pruning until this many trials are COMPLETE.
  int n_startup_trials = 5;
  // Default 0. No pruning at steps < n_warmup_steps (steps start at 0). Raise
  // it when early learning curves are noisy or cross.
  int64_t n_warmup_steps = 0;
  // Default 1. Check only once per interval of this many steps, counted from
  // n_warmup_steps.
  int64_t interval_steps = 1;
  // Default 1. No pruning at a step where fewer than this many COMPLETE
  // trials reported a value.
  int n_min_trials = 1;

  Status Validate() const;
};

class MedianPruner final : public Pruner {
 public:
  // Preconditions: options.Validate().ok() (aborts otherwise).
  explicit MedianPruner(MedianPrunerOptions options = {});
  static Result<std::unique_ptr<MedianPruner>> Create(MedianPrunerOptions options = {});

  // Preconditions: a single-objective study.
  bool Prune(const StudyView& study, const FrozenTrial& trial) override {
    return percentile_.Prune(study, trial);
  }

  const MedianPrunerOptions& options() const { return options_; }

 private:
  const MedianPrunerOptions options_;
  PercentilePruner percentile_;
};

}  // namespace hypertune
