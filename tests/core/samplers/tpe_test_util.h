// A minimal define-by-run driver for sampler tests: it plays the part of
// Study (start a trial, relative sampling, one SampleIndependent per
// parameter the relative sample lacks, finish) over a TrialCache, without
// storage or threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hypertune/core/sampler.h"
#include "hypertune/core/search_space.h"
#include "hypertune/core/study_view.h"

namespace hypertune::testing_util {

inline std::shared_ptr<const Distribution> Dist(Distribution d) {
  return std::make_shared<const Distribution>(std::move(d));
}

class MiniStudy;

// One running trial: Suggest returns internal values.
class MiniTrial {
 public:
  double Suggest(const std::string& name, const std::shared_ptr<const Distribution>& d);
  FrozenTrial& frozen() { return t_; }

 private:
  friend class MiniStudy;
  MiniStudy* study_ = nullptr;
  FrozenTrial t_;
  InternalParams relative_;
  SearchSpace space_;
};

class MiniStudy {
 public:
  explicit MiniStudy(Sampler& sampler,
                     std::vector<StudyDirection> directions = {StudyDirection::kMinimize})
      : sampler_(sampler), cache_(0, "mini", std::move(directions)) {}

  // Starts trial number cache.trials().size(), RUNNING.
  MiniTrial Start() {
    MiniTrial t;
    t.study_ = this;
    t.t_.number = static_cast<int>(cache_.trials().size());
    t.t_.trial_id = t.t_.number;
    t.t_.state = TrialState::kRunning;
    cache_.Apply(t.t_);
    t.space_ = sampler_.InferRelativeSearchSpace(cache_, t.t_);
    t.relative_ = sampler_.SampleRelative(cache_, t.t_, t.space_);
    return t;
  }
  void Finish(MiniTrial& t, TrialState state, std::vector<double> values = {}) {
    t.t_.state = state;
    t.t_.values = std::move(values);
    cache_.Apply(t.t_);
    sampler_.AfterTrial(cache_, t.t_);
  }
  // Runs one complete trial; returns its value.
  double Run(const std::function<double(MiniTrial&)>& objective) {
    MiniTrial t = Start();
    const double v = objective(t);
    Finish(t, TrialState::kComplete, {v});
    return v;
  }
  double BestValue() const {
    double best = 1e300;
    for (const FrozenTrial* t : cache_.trials()) {
      if (t->state == TrialState::kComplete) best = std::min(best, t->values[0]);
    }
    return best;
  }
  TrialCache& cache() { return cache_; }
  Sampler& sampler() { return sampler_; }

 private:
  friend class MiniTrial;
  Sampler& sampler_;
  TrialCache cache_;
};

inline double MiniTrial::Suggest(const std::string& name,
                                 const std::shared_ptr<const Distribution>& d) {
  double v;
  auto it = relative_.find(name);
  auto sit = space_.find(name);
  if (it != relative_.end() && sit != space_.end() && SameDistribution(sit->second, d)) {
    v = it->second;
  } else {
    v = study_->sampler_.SampleIndependent(study_->cache_, t_, name, *d);
  }
  t_.params.push_back({name, d, v});
  study_->cache_.Apply(t_);  // the running trial as storage would show it
  return v;
}

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace hypertune::testing_util
