// HyperbandPruner: Hyperband over asynchronous successive halving (Optuna's
// HyperbandPruner; Li et al., http://www.jmlr.org/papers/volume18/16-558/16-558.pdf).
//
//   auto pruner = HyperbandPruner::Create(
//       {.min_resource = 1, .max_resource = 100, .reduction_factor = 3}).value();
//
// Hyperband runs several ASHA "brackets" (see successive_halving_pruner.h)
// that trade many short trials against few long ones. Bracket b is an ASHA
// with min_resource, reduction_factor, bootstrap_count as given and
// min_early_stopping_rate = b, so bracket 0 prunes earliest. There are
//   n_brackets = floor(log(max_resource / min_resource) / log(reduction_factor)) + 1
// brackets, computed in floating point exactly as Optuna does (so, like
// Optuna, 243 / 1 with factor 3 gives 5 brackets, not 6). Each trial belongs
// to one bracket, by a hash of the study name and the trial number:
//   n = CRC32("<study name>_<trial number>") mod sum(budgets)
// and the trial goes to the first bracket b whose budgets up to b exceed n,
// with budget(b) = ceil(n_brackets * reduction_factor^s / (s + 1)),
// s = n_brackets - 1 - b. This is Optuna's assignment, so a study of the
// same name splits its trials into the same brackets as in Optuna, in every
// process. A trial competes only with the trials of its own bracket.
//
// 'auto' max_resource (0): the first call that finds a COMPLETE trial with
// reports fixes max_resource = its largest last step + 1 (the largest over
// the COMPLETE trials then). Earlier calls never prune, and the steps they
// saw are left out of the rungs, as in Optuna. When max_resource turns out
// smaller than min_resource there is no bracket and nothing is pruned (as in
// Optuna).
//
// Differences from Optuna: rungs are recomputed from intermediate values
// (see successive_halving_pruner.h). Optuna also shows samplers only the
// trials of the current trial's bracket; a hypertune pruner cannot filter
// what samplers see, but BracketOf() gives the bracket for a caller that
// wants to.
//
// Thread safety: safe to call from several threads (state behind a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "hypertune/core/pruner.h"
#include "hypertune/core/status.h"

namespace hypertune {

struct HyperbandPrunerOptions {
  // >= 1, default 1 ("r"): the steps of rung 0 in bracket 0. Larger values
  // judge trials later and more reliably.
  int64_t min_resource = 1;
  // >= min_resource, or 0 for 'auto' (the default; see above): the number of
  // steps a full trial runs (e.g. epochs). Set it when trials may stop at
  // different steps.
  int64_t max_resource = 0;
  // >= 2, default 3 ("eta"). Choose it so that there are about 4 to 6
  // brackets.
  int reduction_factor = 3;
  // >= 0, default 0: per bracket, a trial is pruned at a rung that no more
  // than this many trials (itself included) have completed. Requires an
  // explicit max_resource.
  int bootstrap_count = 0;

  Status Validate() const;
};

class HyperbandPruner final : public Pruner {
 public:
  // Preconditions: options.Validate().ok() (aborts otherwise).
  explicit HyperbandPruner(HyperbandPrunerOptions options = {});
  ~HyperbandPruner() override;
  static Result<std::unique_ptr<HyperbandPruner>> Create(HyperbandPrunerOptions options = {});

  // Preconditions: a single-objective study.
  bool Prune(const StudyView& study, const FrozenTrial& trial) override;

  const HyperbandPrunerOptions& options() const { return options_; }
  // The max_resource in use: the option, or the 'auto' estimate once made.
  std::optional<int64_t> max_resource() const;
  // The number of brackets, once max_resource is known.
  std::optional<int> n_brackets() const;
  // The bracket of trial `trial_number` of `study`, once max_resource is
  // known and there is at least one bracket. Like Prune, it fixes an 'auto'
  // max_resource when the study has a COMPLETE trial with reports.
  std::optional<int> BracketOf(const StudyView& study, int trial_number);

  // The bracket assignment itself: `budgets[b]` is bracket b's trial
  // allocation budget (all >= 1).
  static int BracketFor(std::string_view study_name, int trial_number,
                        std::span<const int64_t> budgets);
  // The budgets of Optuna's Hyperband for `n_brackets` brackets (>= 1).
  static std::vector<int64_t> BracketBudgets(int n_brackets, int reduction_factor);
  // Optuna's bracket count for these resources; may be <= 0 when
  // max_resource < min_resource.
  static int NumBrackets(int64_t min_resource, int64_t max_resource, int reduction_factor);

 private:
  struct State;
  // Sets up the brackets once max_resource is known. Requires mu_.
  void TryInitialize(const StudyView& study);
  // Bracket of a trial, cached per study name. Requires mu_ and brackets.
  int CachedBracket(const StudyView& study, int trial_number);

  const HyperbandPrunerOptions options_;
  mutable std::mutex mu_;
  std::unique_ptr<State> state_;  // guarded by mu_
};

}  // namespace hypertune
