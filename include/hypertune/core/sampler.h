// Sampler: proposes parameter values for trials.
//
// A trial asks its sampler twice (as in Optuna):
//  1. When the trial starts: InferRelativeSearchSpace, then SampleRelative
//     draws all the parameters of that space jointly (multivariate TPE, QMC,
//     grid...). Samplers without joint sampling keep the defaults.
//  2. For each suggest_* whose parameter SampleRelative did not give:
//     SampleIndependent draws that one parameter.
// Values are internal (see distributions.h); the trial snaps nothing, so
// a sampler must return values its distribution contains.
//
// Thread safety: with n_jobs > 1 the methods are called from several threads
// at once, each with its own view; a sampler guards its own state.
// Determinism: a sampler constructed with a seed returns the same values for
// the same sequence of calls on the same history.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "hypertune/core/distributions.h"
#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/study_view.h"

namespace hypertune {

using SearchSpace =
    std::map<std::string, std::shared_ptr<const Distribution>, std::less<>>;
using InternalParams = std::map<std::string, double, std::less<>>;
using AttrMap = std::map<std::string, std::string, std::less<>>;

class Sampler {
 public:
  virtual ~Sampler() = default;

  virtual SearchSpace InferRelativeSearchSpace(const StudyView& study,
                                               const FrozenTrial& trial) {
    (void)study;
    (void)trial;
    return {};
  }
  virtual InternalParams SampleRelative(const StudyView& study,
                                        const FrozenTrial& trial,
                                        const SearchSpace& space) {
    (void)study;
    (void)trial;
    (void)space;
    return {};
  }
  virtual double SampleIndependent(const StudyView& study, const FrozenTrial& trial,
                                   std::string_view name,
                                   const Distribution& distribution) = 0;

  // Called when a trial starts, before SampleRelative. A sampler may ask for
  // system attributes to be stored on the trial by adding them to
  // `system_attrs` (key -> JSON text; e.g. the grid point id), and may keep
  // state keyed by trial.number for SampleRelative.
  // Returns false when the sampler has nothing left to propose (a fully
  // assigned grid): the trial is then failed with that reason and the study
  // stops.
  virtual bool BeforeTrial(const StudyView& study, const FrozenTrial& trial,
                           AttrMap& system_attrs) {
    (void)study;
    (void)trial;
    (void)system_attrs;
    return true;
  }
  // Called after the trial finished and was stored.
  virtual void AfterTrial(const StudyView& study, const FrozenTrial& trial) {
    (void)study;
    (void)trial;
  }
  // True when the sampler can propose nothing more (a grid fully assigned);
  // the study stops asking for trials.
  virtual bool Exhausted(const StudyView& study) const {
    (void)study;
    return false;
  }
};

}  // namespace hypertune
