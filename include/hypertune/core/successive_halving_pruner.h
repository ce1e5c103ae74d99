// SuccessiveHalvingPruner: asynchronous successive halving, ASHA (Optuna's
// SuccessiveHalvingPruner; Li et al., https://arxiv.org/abs/1810.05934).
//
//   auto pruner = SuccessiveHalvingPruner::Create(
//       {.min_resource = 1, .reduction_factor = 3}).value();
//
// Rung r is completed at step
//   min_resource * reduction_factor^(min_early_stopping_rate + r).
// When a trial's report reaches the completion step of its next rung, its
// value there is compared with the values of all the trials that completed
// that rung before: of the n values (its own included), the best
// floor(n / reduction_factor) are promoted (the best one while that is 0);
// a trial not promoted is pruned. A trial is pruned too when its value is
// NaN at a rung, or when no more than bootstrap_count trials completed the
// rung. A promoted trial may complete further rungs at the same report.
// Trials are never pruned between rungs; the maximum resource is whatever
// the objective runs to.
//
// Rungs are recomputed from the trials' intermediate values, where Optuna
// stores them as trial system attributes ("completed_rung_<r>"): a pruner
// cannot write to the study. The pruner also remembers, in memory, the rung
// at which it pruned each trial (one small entry per pruned trial). Decisions
// are Optuna's when the objective calls ShouldPrune after each report and
// stops when told to; see src/core/pruners/asha.h for the exact rules and the
// cases where they can differ (trials pruned by another process at a report
// that completed several rungs, skipped or repeated ShouldPrune calls).
//
// 'auto' min_resource (0): the first call that finds a COMPLETE trial with
// reports fixes min_resource = max(1, (largest last step of the COMPLETE
// trials) / 100); earlier calls never prune, and (as in Optuna, where they
// record no rung) the steps they saw are left out of the rungs.
//
// Cost: O(log steps) for calls that complete no rung (most calls);
// otherwise one pass over the study, O(n log steps) per rung completed.
// Thread safety: safe to call from several threads (state behind a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "hypertune/core/pruner.h"
#include "hypertune/core/status.h"

namespace hypertune {

struct SuccessiveHalvingPrunerOptions {
  // The number of steps of rung 0 ("r" in the paper); >= 1, or 0 for 'auto'
  // (the default; see above). Set it explicitly when trials may stop at
  // different steps, or to prune before any trial has completed.
  int64_t min_resource = 0;
  // >= 2, default 4 ("eta"): about 1 / reduction_factor of the trials are
  // promoted at each rung, and each rung is this many times longer. Lower it
  // to prune less, raise it to prune more aggressively.
  int reduction_factor = 4;
  // >= 0, default 0 ("s"): shifts every rung by this exponent, so the first
  // decision happens at min_resource * reduction_factor^s steps.
  int min_early_stopping_rate = 0;
  // >= 0, default 0: a trial is pruned at a rung that no more than this many
  // trials (itself included) have completed. Requires an explicit
  // min_resource.
  int bootstrap_count = 0;

  Status Validate() const;
};

class SuccessiveHalvingPruner final : public Pruner {
 public:
  // Preconditions: options.Validate().ok() (aborts otherwise).
  explicit SuccessiveHalvingPruner(SuccessiveHalvingPrunerOptions options = {});
  ~SuccessiveHalvingPruner() override;
  static Result<std::unique_ptr<SuccessiveHalvingPruner>> Create(
      SuccessiveHalvingPrunerOptions options = {});

  // Preconditions: a single-objective study.
  bool Prune(const StudyView& study, const FrozenTrial& trial) override;

  const SuccessiveHalvingPrunerOptions& options() const { return options_; }
  // The min_resource in use: the option, or the 'auto' estimate once made.
  std::optional<int64_t> min_resource() const;

 private:
  struct State;
  const SuccessiveHalvingPrunerOptions options_;
  mutable std::mutex mu_;
  std::unique_ptr<State> state_;  // guarded by mu_
};

}  // namespace hypertune
