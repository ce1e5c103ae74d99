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
//    it is PRUNED: then it failed one of the rungs evaluated at its last
//    step and holds no value for the later ones. Which one is known when
//    this pruner instance made that decision (PruneLog); otherwise it is
//    taken to be the first of them.
// These give the same records as Optuna's for the trials this instance
// decided, and for all trials whenever each report completes at most one
// rung (e.g. a report at every integer step). They differ from Optuna's when
// the objective skips ShouldPrune after some reports, ignores a "prune", or
// calls ShouldPrune twice at one step (Optuna then moves on to the next rung;
// here the answer is the same both times), and for trials pruned by another
// process at a report that completed several rungs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>

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

// The rungs at which this pruner instance pruned trials. Where one report
// completes several rungs and the trial was then PRUNED, the intermediate
// values do not tell which of those rungs it failed; the instance that
// decided knows. Trials decided elsewhere (another process, an earlier run)
// fall back to "the first of them". Thread-safe.
class PruneLog {
 public:
  void Record(int number, int64_t step, int rung);
  // The rung at which trial `number` was pruned at `step`, if logged.
  std::optional<int> FailedRung(int number, int64_t step) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<int, std::pair<int64_t, int>> log_;  // number -> (step, rung)
};

// The value that `trial` holds in rung `rung` (Optuna's
// "completed_rung_<rung>"), or nullopt when it has none.
std::optional<double> RungValue(const FrozenTrial& trial, const AshaParams& params, int rung,
                                int64_t unevaluated_through, const PruneLog* log = nullptr);

// ASHA's decision for `trial`, the one being asked about, in a study with
// `direction`. `competitors` returns the trials it competes with (the study,
// or one Hyperband bracket); it may contain `trial` itself, which is skipped
// by number. It is called at most once, and only when the trial completes a
// rung at its latest report: most calls decide from the trial alone in
// O(log steps). Otherwise O(n log steps) per rung evaluated.
// Records its "prune" decisions at a rung in `log`.
bool AshaPrune(const FrozenTrial& trial, StudyDirection direction, const AshaParams& params,
               const UnevaluatedSteps& unevaluated, PruneLog& log,
               const std::function<std::span<const FrozenTrial* const>()>& competitors);

}  // namespace hypertune::pruners_internal
