// Builders for the pruner tests: hand-made trial histories in a TrialCache.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/pruner.h"
#include "hypertune/core/study_view.h"

namespace hypertune::testing {

using Reports = std::vector<std::pair<int64_t, double>>;

// Reports at steps 0, 1, 2, ... with the given values.
inline Reports Steps(std::initializer_list<double> values) {
  Reports r;
  int64_t step = 0;
  for (double v : values) r.emplace_back(step++, v);
  return r;
}

inline FrozenTrial MakeTrial(int number, TrialState state, Reports reports) {
  FrozenTrial t;
  t.trial_id = number;
  t.number = number;
  t.state = state;
  t.intermediate_values = std::move(reports);
  // A COMPLETE trial's value: its last report (pruners never look at it).
  if (state == TrialState::kComplete) {
    t.values = {t.intermediate_values.empty() ? 0.0 : t.intermediate_values.back().second};
  }
  return t;
}

// A study history built trial by trial: Add() appends with the next number.
class History {
 public:
  explicit History(StudyDirection direction = StudyDirection::kMinimize,
                   std::string name = "pruner-test")
      : cache_(1, std::move(name), {direction}) {}

  // Appends a trial; returns its number.
  int Add(TrialState state, Reports reports) {
    const int number = next_++;
    cache_.Apply(MakeTrial(number, state, std::move(reports)));
    return number;
  }
  // Replaces trial `number`.
  void Set(int number, TrialState state, Reports reports) {
    cache_.Apply(MakeTrial(number, state, std::move(reports)));
  }
  const FrozenTrial& trial(int number) const {
    return *cache_.trials()[static_cast<size_t>(number)];
  }
  const TrialCache& view() const { return cache_; }

  // Runs a new trial the way an objective does: reports the values one by
  // one, asks `pruner` after each report, and stops when told to. The trial
  // ends PRUNED or COMPLETE. Returns the index of the report at which it was
  // pruned, or -1.
  int Run(Pruner& pruner, const Reports& reports) {
    const int number = Add(TrialState::kRunning, {});
    Reports so_far;
    for (size_t i = 0; i < reports.size(); ++i) {
      so_far.push_back(reports[i]);
      Set(number, TrialState::kRunning, so_far);
      if (pruner.Prune(view(), trial(number))) {
        Set(number, TrialState::kPruned, so_far);
        return static_cast<int>(i);
      }
    }
    Set(number, TrialState::kComplete, so_far);
    return -1;
  }

 private:
  TrialCache cache_;
  int next_ = 0;
};

}  // namespace hypertune::testing
