// Pruner: decides whether a running trial should stop early, from the
// intermediate values it and the other trials reported.
//
// Called from Trial::ShouldPrune with the trial as stored (its latest report
// included). Thread safety: may be called from several threads at once.
// Pruners are for single-objective studies; a multi-objective study rejects
// ShouldPrune, as Optuna does.
#pragma once

#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/study_view.h"

namespace hypertune {

class Pruner {
 public:
  virtual ~Pruner() = default;
  // True when `trial` should be pruned now.
  virtual bool Prune(const StudyView& study, const FrozenTrial& trial) = 0;
};

// Never prunes.
class NopPruner final : public Pruner {
 public:
  bool Prune(const StudyView&, const FrozenTrial&) override { return false; }
};

}  // namespace hypertune
