#include "hypertune/core/successive_halving_pruner.h"

#include <algorithm>
#include <string>

#include "src/core/pruners/asha.h"
#include "src/core/pruners/pruner_util.h"

namespace hypertune {

struct SuccessiveHalvingPruner::State {
  std::optional<int64_t> min_resource;
  // Written only while min_resource is unset; read-only afterwards, so a
  // caller that saw min_resource set (under mu_) may read it unlocked.
  pruners_internal::UnevaluatedSteps unevaluated;
  // Thread-safe itself; not guarded by mu_.
  pruners_internal::PruneLog prune_log;
};

Status SuccessiveHalvingPrunerOptions::Validate() const {
  if (min_resource < 0) {
    return Status::InvalidArgument("min_resource must be >= 1, or 0 for 'auto'; got " +
                                   std::to_string(min_resource));
  }
  if (reduction_factor < 2) {
    return Status::InvalidArgument("reduction_factor must be >= 2, got " +
                                   std::to_string(reduction_factor));
  }
  if (min_early_stopping_rate < 0) {
    return Status::InvalidArgument("min_early_stopping_rate must be >= 0, got " +
                                   std::to_string(min_early_stopping_rate));
  }
  if (bootstrap_count < 0) {
    return Status::InvalidArgument("bootstrap_count must be >= 0, got " +
                                   std::to_string(bootstrap_count));
  }
  if (bootstrap_count > 0 && min_resource == 0) {
    return Status::InvalidArgument(
        "bootstrap_count > 0 needs an explicit min_resource (not 'auto')");
  }
  return Status::Ok();
}

SuccessiveHalvingPruner::SuccessiveHalvingPruner(SuccessiveHalvingPrunerOptions options)
    : options_(options), state_(std::make_unique<State>()) {
  const Status s = options_.Validate();
  HT_CHECK(s.ok()) << "SuccessiveHalvingPruner: " << s;
  if (options_.min_resource > 0) state_->min_resource = options_.min_resource;
}

SuccessiveHalvingPruner::~SuccessiveHalvingPruner() = default;

Result<std::unique_ptr<SuccessiveHalvingPruner>> SuccessiveHalvingPruner::Create(
    SuccessiveHalvingPrunerOptions options) {
  HT_RETURN_IF_ERROR(options.Validate().WithContext("SuccessiveHalvingPruner"));
  return std::make_unique<SuccessiveHalvingPruner>(options);
}

std::optional<int64_t> SuccessiveHalvingPruner::min_resource() const {
  std::lock_guard lock(mu_);
  return state_->min_resource;
}

bool SuccessiveHalvingPruner::Prune(const StudyView& study, const FrozenTrial& trial) {
  pruners_internal::CheckSingleObjective(study, "SuccessiveHalvingPruner");
  const std::optional<int64_t> step = trial.LastStep();
  if (!step) return false;

  int64_t min_resource;
  {
    std::lock_guard lock(mu_);
    if (!state_->min_resource) {
      // Optuna's estimate: the largest last step of the COMPLETE trials / 100.
      std::optional<int64_t> longest;
      for (const FrozenTrial* t : study.trials()) {
        if (t->state != TrialState::kComplete) continue;
        if (std::optional<int64_t> s = t->LastStep()) longest = std::max(longest.value_or(*s), *s);
      }
      if (!longest) {
        int64_t& seen = state_->unevaluated.try_emplace(trial.number, *step).first->second;
        seen = std::max(seen, *step);
        return false;
      }
      state_->min_resource = std::max<int64_t>(*longest / 100, 1);
    }
    min_resource = *state_->min_resource;
  }

  const pruners_internal::AshaParams params{
      .min_resource = min_resource,
      .reduction_factor = options_.reduction_factor,
      .min_early_stopping_rate = options_.min_early_stopping_rate,
      .bootstrap_count = options_.bootstrap_count};
  return pruners_internal::AshaPrune(trial, study.directions()[0], params, state_->unevaluated,
                                     state_->prune_log,
                                     [&study] { return study.trials(); });
}

}  // namespace hypertune
