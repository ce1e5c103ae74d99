// PatientPruner: tolerates a trial that stopped improving for a while before
// pruning it (Optuna's PatientPruner).
//
//   // Median rule, but only once a trial has not improved for 3 reports.
//   auto pruner = std::make_shared<PatientPruner>(PatientPrunerOptions{
//       .wrapped_pruner = std::make_shared<MedianPruner>(), .patience = 3});
//
// Decision for a trial with k intermediate values v_1..v_k (by step): no
// pruning when k <= patience + 1. Otherwise split them into "before" (all but
// the last patience + 1) and "after" (the last patience + 1), and compare the
// best of each, NaN ignored:
//   minimize: stagnant when best(before) + min_delta < best(after)
//   maximize: stagnant when best(before) - min_delta > best(after)
// (a side whose values are all NaN is never stagnant). A stagnant trial is
// pruned when the wrapped pruner says so, or right away when there is no
// wrapped pruner (plain early stopping). The wrapped pruner is consulted only
// for stagnant trials.
// Wrapping SuccessiveHalving or Hyperband: Optuna's ASHA records a rung only
// when it is consulted, i.e. here only for stagnant trials; hypertune's ASHA
// reads rungs from the reports, so it may see rungs Optuna's would not.
// Thread safety: stateless itself; the wrapped pruner must be thread-safe
// (all hypertune pruners are).
#pragma once

#include <memory>

#include "hypertune/core/pruner.h"
#include "hypertune/core/status.h"

namespace hypertune {

struct PatientPrunerOptions {
  // Default null: prune as soon as the trial is stagnant. Otherwise this
  // pruner decides, once the trial is stagnant.
  std::shared_ptr<Pruner> wrapped_pruner;
  // >= 0. Reports without improvement tolerated. Optuna has no default; 0
  // prunes when the latest value is no improvement on all earlier ones.
  int patience = 0;
  // >= 0, default 0. Tolerance: a trial is stagnant only when its recent
  // best is worse than its earlier best by more than min_delta. Raise it to
  // tolerate noisy curves (prunes less).
  double min_delta = 0.0;

  Status Validate() const;
};

class PatientPruner final : public Pruner {
 public:
  // Preconditions: options.Validate().ok() (aborts otherwise).
  explicit PatientPruner(PatientPrunerOptions options);
  static Result<std::unique_ptr<PatientPruner>> Create(PatientPrunerOptions options);

  // Preconditions: a single-objective study.
  bool Prune(const StudyView& study, const FrozenTrial& trial) override;

  const PatientPrunerOptions& options() const { return options_; }

 private:
  const PatientPrunerOptions options_;
};

}  // namespace hypertune
