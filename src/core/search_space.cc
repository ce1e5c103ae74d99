#include "hypertune/core/search_space.h"

#include <algorithm>
#include <string>

namespace hypertune {

bool SameDistribution(const std::shared_ptr<const Distribution>& a,
                      const std::shared_ptr<const Distribution>& b) {
  if (a == b) return true;
  return a != nullptr && b != nullptr && *a == *b;
}

bool ViewCursor::Advance(const StudyView& view, std::vector<int>& numbers) {
  const bool restart =
      view_ != &view || study_id_ != view.study_id() || view.revision() < revision_;
  if (restart) {
    view_ = &view;
    study_id_ = view.study_id();
    const int n = static_cast<int>(view.trials().size());
    for (int k = 0; k < n; ++k) numbers.push_back(k);
  } else {
    view.ChangedSince(revision_, numbers);
  }
  revision_ = view.revision();
  return restart;
}

namespace {

bool Counted(const FrozenTrial& t, bool include_pruned) {
  return t.state == TrialState::kComplete || (include_pruned && t.state == TrialState::kPruned);
}

}  // namespace

const SearchSpace& IntersectionSearchSpace::Calculate(const StudyView& view) {
  scratch_.clear();
  if (cursor_.Advance(view, scratch_)) {
    space_.clear();
    initialized_ = false;
  }
  const auto trials = view.trials();
  for (int number : scratch_) {
    const FrozenTrial& t = *trials[static_cast<size_t>(number)];
    if (!Counted(t, include_pruned_)) continue;
    if (!initialized_) {
      for (const TrialParam& p : t.params) space_.emplace(p.name, p.distribution);
      initialized_ = true;
      continue;
    }
    // Intersecting with a trial already counted changes nothing, so a trial
    // reported twice (e.g. an attribute set after it finished) is harmless.
    for (auto it = space_.begin(); it != space_.end();) {
      const TrialParam* p = t.FindParam(it->first);
      if (p != nullptr && SameDistribution(p->distribution, it->second)) {
        ++it;
      } else {
        it = space_.erase(it);
      }
    }
  }
  return space_;
}

void GroupDecomposedSearchSpace::Add(const FrozenTrial& trial) {
  // Partition refinement: every group splits into its part inside the trial's
  // parameters and its part outside; the trial's parameters that no group
  // holds yet form a new group.
  std::vector<SearchSpace> next;
  next.reserve(groups_.size() + 1);
  std::vector<bool> placed(trial.params.size(), false);
  for (SearchSpace& group : groups_) {
    SearchSpace inside;
    SearchSpace outside;
    for (auto& [name, dist] : group) {
      bool found = false;
      for (size_t k = 0; k < trial.params.size(); ++k) {
        if (trial.params[k].name == name) {
          placed[k] = true;
          found = true;
          break;
        }
      }
      (found ? inside : outside).emplace(name, std::move(dist));
    }
    if (!inside.empty()) next.push_back(std::move(inside));
    if (!outside.empty()) next.push_back(std::move(outside));
  }
  SearchSpace fresh;
  for (size_t k = 0; k < trial.params.size(); ++k) {
    if (!placed[k]) fresh.emplace(trial.params[k].name, trial.params[k].distribution);
  }
  if (!fresh.empty()) next.push_back(std::move(fresh));
  groups_ = std::move(next);
}

const std::vector<SearchSpace>& GroupDecomposedSearchSpace::Calculate(const StudyView& view) {
  scratch_.clear();
  if (cursor_.Advance(view, scratch_)) groups_.clear();
  const auto trials = view.trials();
  for (int number : scratch_) {
    const FrozenTrial& t = *trials[static_cast<size_t>(number)];
    if (Counted(t, include_pruned_)) Add(t);
  }
  return groups_;
}

}  // namespace hypertune
