// The rung logic of asynchronous successive halving (ASHA), shared by
// SuccessiveHalvingPruner and HyperbandPruner (internal; not installed).
//
// Rungs without attributes. Optuna's SuccessiveHalvingPruner writes a system
// attribute "completed_rung_<r>" = value on a trial each time it evaluates
// the trial at rung r, and later compares a trial against the attributes of
// the others. A hypertune pruner only reads the study, so the rungs are
// recomputed from the intermediate values instead, assuming what Optuna's
// records reflect when the objective consults the pruner after every report
// and stops when told to:
//  - The rung r of a trial was evaluated at its first report whose step is
//    >= PromotionStep(r) and whose value is not NaN (Optuna returns "prune"
//    on a NaN without recording), among the steps the pruner could evaluate
//    (see UnevaluatedSteps). The rung's value is the value reported there.
//  - A trial that went on reporting after that step passed the rung. One
//    that stopped there passed every rung evaluated at its last step, unless
//    it is PRUNED: then it failed the first rung evaluated at its last step,
//    and holds no value for the later rungs evaluated at that same step.
// These give the same records as Optuna's whenever each report crosses at
// most one promotion step (e.g. a report at every integer step) or the trial
// did not stop at a multi-rung step. They differ from Optuna's when the
// objective skips ShouldPrune after some reports, ignores a "prune", or
// calls ShouldPrune twice at one step (Optuna then moves on to the next rung;
// here the answer is the same both times).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>

#include "hypertune/core/frozen_trial.h"

namespace hypertune::pruners_internal {

struct AshaParams {
  int64_t min_resource = 1;         // >= 1
  int reduction_factor = 4;         // >= 2
  int min_early_stopping_rate = 0;  // >= 0
  int bootstrap_count = 0;          // >= 0

  // The step at which a trial completes rung `rung`:
  // min_resource * reduction_factor^(min_early_stopping_rate + rung), or
  // nullopt when that does not fit in int64 (a rung no trial reaches).
  std::optional<int64_t> PromotionStep(int rung) const;
};

// Trial number -> the largest step at which the pruner was consulted for the
// trial while it could not decide yet ('auto' min_resource of
// SuccessiveHalving or max_resource of Hyperband not yet estimated). Optuna
// records no rung at those calls, so the rungs of that trial are evaluated
// only at later steps. Trials absent from the map are evaluated at every
// step.
using UnevaluatedSteps = std::map<int, int64_t>;

// The value that `trial` holds in rung `rung` (Optuna's
// "completed_rung_<rung>"), or nullopt when it has none.
std::optional<double> RungValue(const FrozenTrial& trial, const AshaParams& params, int rung,
                                int64_t unevaluated_through);

// ASHA's decision for `trial`, the one being asked about, in a study with
// `direction`. `competitors` returns the trials it competes with (the study,
// or one Hyperband bracket); it may contain `trial` itself, which is skipped
// by number. It is called at most once, and only when the trial completes a
// rung at its latest report: most calls decide from the trial alone in
// O(log steps). Otherwise O(n log steps) per rung evaluated.
bool AshaPrune(const FrozenTrial& trial, StudyDirection direction, const AshaParams& params,
               const UnevaluatedSteps& unevaluated,
               const std::function<std::span<const FrozenTrial* const>()>& competitors);

}  // namespace hypertune::pruners_internal
