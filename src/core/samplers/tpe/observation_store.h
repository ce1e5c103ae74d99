// ObservationStore: what the TPE sampler knows about a study's history,
// updated from StudyView::ChangedSince so that a suggestion costs no more
// than the few trials that changed since the previous one (Optuna re-reads
// and re-sorts the whole history per suggestion).
//
// It keeps
//  - the finished trials (COMPLETE and PRUNED) ranked as Optuna ranks them:
//    COMPLETE by value, then PRUNED by last reported step (later first) and
//    the value reported there, then PRUNED without reports; ties by number.
//    Multi-objective studies count COMPLETE trials only; their "below" set
//    is the best non-dominated fronts, the last one cut by greedy
//    hypervolume subset selection (Optuna's MOTPE; O(n^2) per change).
//  - per parameter name, its values by trial number, the numbers of the
//    finished trials that have it, and (on demand) those trials sorted by
//    value;
//  - the RUNNING trials (for the constant liar).
// Finished trials never change (storage guarantee), so each is recorded once.
//
// Memory: about 40 bytes per (finished trial, parameter) plus 60 per trial.
// Not thread-safe: the sampler calls it under its lock.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "hypertune/core/search_space.h"
#include "hypertune/core/study_view.h"

namespace hypertune::tpe {

class ObservationStore {
 public:
  struct SortedEntry {
    double key;  // the value, or its log when the column's first distribution is log-scaled
    int number;
  };

  // One parameter name across the history.
  struct Column {
    // The distinct distributions trials used for this name, in order of use.
    std::vector<std::shared_ptr<const Distribution>> dists;
    // The first distribution is log-scaled: sorted keys are logs.
    bool log_keys = false;
    // By trial number (finished trials only): the internal value (NaN when
    // the trial lacks the parameter), its log, and the index in `dists`.
    std::vector<double> value;
    std::vector<double> log_value;
    std::vector<uint8_t> dist;
    // Finished trials that have the parameter, ascending numbers.
    std::vector<int> chrono;

    bool Has(int number) const {
      return static_cast<size_t>(number) < value.size() &&
             !std::isnan(value[static_cast<size_t>(number)]);
    }
    // The trials of `chrono`, ascending by (key, number). Brought up to
    // date by SortedEntries().
    std::vector<SortedEntry> sorted;
    std::vector<int> unsorted;  // recorded since the last sort
  };

  // Reads what changed in `view` since the previous call (everything on a
  // new view, study, or a view whose revision went back).
  void Sync(const StudyView& view);

  bool multi_objective() const { return n_objectives_ > 1; }
  // COMPLETE and PRUNED trials recorded (COMPLETE only, multi-objective).
  int n_finished() const { return n_finished_; }

  // The `n_below` best finished trials, ascending numbers, and a membership
  // test for that set. Recomputed only when a trial finished or n_below
  // changed. Single-objective only.
  const std::vector<int>& Below(int n_below);
  // The set the last Below() call returned.
  const std::vector<int>& below() const { return below_; }
  bool IsBelow(int number) const {
    return static_cast<size_t>(number) < is_below_.size() &&
           is_below_[static_cast<size_t>(number)] != 0;
  }
  // Membership flags by trial number, valid for every recorded (finished)
  // trial's number.
  const uint8_t* below_flags() const { return is_below_.data(); }
  // Multi-objective: the weight of a below trial in l(x), its hypervolume
  // contribution relative to the largest one (see hypervolume.h).
  double BelowWeight(int number) const { return below_weight_[static_cast<size_t>(number)]; }

  // RUNNING trials, ascending numbers.
  const std::vector<int>& running() const { return running_; }

  // nullptr when no finished trial has the parameter.
  const Column* FindColumn(std::string_view name) const;
  // The column's trials sorted by value (merges the recent ones in first).
  const std::vector<SortedEntry>& SortedEntries(std::string_view name);

 private:
  void Reset();
  void Record(const FrozenTrial& t);
  void MultiObjectiveBelow(int n_below);

  ViewCursor cursor_;
  std::vector<int> changed_;
  size_t n_objectives_ = 1;
  std::vector<StudyDirection> directions_;
  int n_finished_ = 0;
  std::vector<uint8_t> recorded_;  // by number
  // (step key, signed value, number): ascending = best first.
  std::set<std::tuple<double, double, int>> ranked_;
  std::vector<int> running_;
  std::map<std::string, Column, std::less<>> columns_;
  // Below() cache.
  uint64_t version_ = 0;
  uint64_t below_version_ = ~uint64_t{0};
  int below_n_ = -1;
  std::vector<int> below_;
  std::vector<uint8_t> is_below_;
  std::vector<double> below_weight_;  // by number, multi-objective
  std::vector<double> losses_;        // by number x objective, multi-objective
  std::vector<int> complete_;         // numbers of the COMPLETE trials, multi-objective
};

}  // namespace hypertune::tpe
