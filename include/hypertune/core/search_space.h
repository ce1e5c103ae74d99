// Search spaces a study's history implies, for samplers that sample several
// parameters jointly (multivariate TPE, CMA-ES, QMC...).
//
//   IntersectionSearchSpace space;              // one per study
//   SearchSpace s = space.Calculate(view);      // params every finished trial has
//
// Both classes are incremental: each call reads only the trials that changed
// since the previous call (StudyView::ChangedSince), so the cost of a call
// does not grow with the length of the history. They are not thread-safe; a
// sampler calls them under its own lock.
//
// Semantics follow Optuna 3.x (optuna.search_space.IntersectionSearchSpace
// and the group decomposition of TPESampler(group=True)).
#pragma once

#include <cstdint>
#include <vector>

#include "hypertune/core/distributions.h"
#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/sampler.h"
#include "hypertune/core/study_view.h"

namespace hypertune {

// True when two parameter distributions are the same (same object, or equal).
bool SameDistribution(const std::shared_ptr<const Distribution>& a,
                      const std::shared_ptr<const Distribution>& b);

// Remembers which view it read last and where it stopped. Calculate() on
// another view object, another study or a view whose revision went back
// starts over from that view's first trial (correct, but O(history)).
class ViewCursor {
 public:
  // Appends to `numbers` the trials to (re)read from `view`, ascending, and
  // advances the cursor. Returns true when the caller must first forget what
  // it derived from earlier views (a different view, study or an older
  // revision).
  bool Advance(const StudyView& view, std::vector<int>& numbers);

 private:
  const StudyView* view_ = nullptr;
  int64_t study_id_ = -1;
  uint64_t revision_ = 0;
};

// The parameters that every COMPLETE trial (and PRUNED trial, with
// include_pruned) has, with the same distribution. A parameter whose
// distribution differs between two such trials is left out. Empty until a
// trial finishes.
class IntersectionSearchSpace {
 public:
  explicit IntersectionSearchSpace(bool include_pruned = false) : include_pruned_(include_pruned) {}

  // The intersection over the trials `view` holds. Sorted by name (the map).
  const SearchSpace& Calculate(const StudyView& view);

 private:
  bool include_pruned_;
  bool initialized_ = false;  // false until a trial counted
  SearchSpace space_;
  ViewCursor cursor_;
  std::vector<int> scratch_;
};

// Splits the parameters of a study with a conditional (tree-structured)
// search space into groups of parameters that always appear together: two
// parameters share a group when every counted trial has either both or
// neither. Each group can then be sampled jointly from the trials that have
// it. Counted trials: COMPLETE, and PRUNED with include_pruned.
//
// Example: trials {a, b}, {a, c}, {a, c} give the groups {a}, {b}, {c}.
// A parameter keeps the distribution it had in the first trial that showed it.
class GroupDecomposedSearchSpace {
 public:
  explicit GroupDecomposedSearchSpace(bool include_pruned = false)
      : include_pruned_(include_pruned) {}

  // The groups, each non-empty, in order of first appearance (the order is
  // deterministic for a given history).
  const std::vector<SearchSpace>& Calculate(const StudyView& view);

  // Adds the parameters of one trial (Calculate does this for each counted
  // trial). Adding the same trial twice changes nothing.
  void Add(const FrozenTrial& trial);

 private:
  bool include_pruned_;
  std::vector<SearchSpace> groups_;
  ViewCursor cursor_;
  std::vector<int> scratch_;
};

}  // namespace hypertune
