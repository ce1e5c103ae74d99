#include "src/core/samplers/tpe/observation_store.h"

#include <algorithm>
#include <limits>

#include "src/core/samplers/tpe/hypervolume.h"

namespace hypertune::tpe {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

template <class T>
void GrowTo(std::vector<T>& v, size_t n, T fill) {
  if (v.size() < n) v.resize(n, fill);
}

}  // namespace

void ObservationStore::Reset() {
  n_finished_ = 0;
  recorded_.clear();
  ranked_.clear();
  running_.clear();
  columns_.clear();
  ++version_;
  below_.clear();
  is_below_.clear();
  below_weight_.clear();
  losses_.clear();
  complete_.clear();
  below_n_ = -1;
}

void ObservationStore::Sync(const StudyView& view) {
  changed_.clear();
  if (cursor_.Advance(view, changed_)) {
    Reset();
    directions_ = view.directions();
    n_objectives_ = directions_.size();
  }
  const auto trials = view.trials();
  for (int number : changed_) {
    const FrozenTrial& t = *trials[static_cast<size_t>(number)];
    auto it = std::lower_bound(running_.begin(), running_.end(), number);
    const bool listed = it != running_.end() && *it == number;
    if (t.state == TrialState::kRunning) {
      if (!listed) running_.insert(it, number);
    } else if (listed) {
      running_.erase(it);
    }
    const size_t n = static_cast<size_t>(number);
    if (n < recorded_.size() && recorded_[n]) continue;  // finished trials never change
    const bool counted =
        t.state == TrialState::kComplete || (t.state == TrialState::kPruned && n_objectives_ == 1);
    if (counted) Record(t);
  }
}

void ObservationStore::Record(const FrozenTrial& t) {
  const size_t n = static_cast<size_t>(t.number);
  if (t.state == TrialState::kComplete && t.values.size() != n_objectives_) return;  // malformed
  GrowTo<uint8_t>(recorded_, n + 1, 0);
  GrowTo<uint8_t>(is_below_, n + 1, 0);
  recorded_[n] = 1;
  ++n_finished_;
  ++version_;
  if (n_objectives_ == 1) {
    const double sign = directions_[0] == StudyDirection::kMaximize ? -1.0 : 1.0;
    double step_key, value;
    if (t.state == TrialState::kComplete) {
      step_key = -kInf;
      value = sign * t.values[0];
    } else if (!t.intermediate_values.empty()) {
      const auto& [step, v] = t.intermediate_values.back();  // sorted by step
      step_key = -static_cast<double>(step);
      value = std::isnan(v) ? kInf : sign * v;
    } else {
      step_key = 1.0;
      value = 0.0;
    }
    ranked_.emplace(step_key, value, t.number);
  } else {
    GrowTo(losses_, (n + 1) * n_objectives_, kNaN);
    for (size_t k = 0; k < n_objectives_; ++k) {
      const double sign = directions_[k] == StudyDirection::kMaximize ? -1.0 : 1.0;
      losses_[n * n_objectives_ + k] = sign * t.values[k];
    }
    complete_.insert(std::upper_bound(complete_.begin(), complete_.end(), t.number), t.number);
  }
  for (const TrialParam& p : t.params) {
    auto cit = columns_.find(p.name);
    if (cit == columns_.end()) cit = columns_.emplace(p.name, Column{}).first;
    Column& c = cit->second;
    size_t d = 0;
    while (d < c.dists.size() && !SameDistribution(c.dists[d], p.distribution)) ++d;
    if (d == c.dists.size()) {
      if (d == 255) continue;  // absurdly many distinct ranges: ignore the rest
      if (d == 0) {
        const Distribution& first = *p.distribution;
        const auto* f = std::get_if<FloatDistribution>(&first);
        const auto* i = std::get_if<IntDistribution>(&first);
        c.log_keys = (f != nullptr && f->log) || (i != nullptr && i->log);
      }
      c.dists.push_back(p.distribution);
    }
    GrowTo(c.value, n + 1, kNaN);
    GrowTo(c.log_value, n + 1, kNaN);
    GrowTo<uint8_t>(c.dist, n + 1, 0);
    c.value[n] = p.internal;
    c.log_value[n] = p.internal > 0.0 ? std::log(p.internal) : p.internal;
    c.dist[n] = static_cast<uint8_t>(d);
    if (c.chrono.empty() || c.chrono.back() < t.number) {
      c.chrono.push_back(t.number);
    } else {
      c.chrono.insert(std::lower_bound(c.chrono.begin(), c.chrono.end(), t.number), t.number);
    }
    c.unsorted.push_back(t.number);
  }
}

const std::vector<int>& ObservationStore::Below(int n_below) {
  if (n_below == below_n_ && version_ == below_version_) return below_;
  for (int b : below_) {
    if (static_cast<size_t>(b) < is_below_.size()) is_below_[static_cast<size_t>(b)] = 0;
  }
  below_.clear();
  if (n_objectives_ > 1) {
    MultiObjectiveBelow(n_below);
  } else {
    for (auto it = ranked_.begin();
         it != ranked_.end() && static_cast<int>(below_.size()) < n_below; ++it) {
      below_.push_back(std::get<2>(*it));
    }
  }
  std::sort(below_.begin(), below_.end());
  if (!below_.empty()) GrowTo<uint8_t>(is_below_, static_cast<size_t>(below_.back()) + 1, 0);
  for (int b : below_) is_below_[static_cast<size_t>(b)] = 1;
  below_n_ = n_below;
  below_version_ = version_;
  return below_;
}

void ObservationStore::MultiObjectiveBelow(int n_below) {
  const size_t m = n_objectives_;
  PointSet all{m, {}};
  for (int number : complete_) {
    const double* l = losses_.data() + static_cast<size_t>(number) * m;
    all.v.insert(all.v.end(), l, l + m);
  }
  // Whole fronts while they fit, then the best subset of the next one.
  const std::vector<int> rank = NonDominationRanks(all);
  const size_t want = std::min(static_cast<size_t>(std::max(n_below, 0)), complete_.size());
  for (int r = 0; below_.size() < want; ++r) {
    std::vector<size_t> front;
    for (size_t i = 0; i < rank.size(); ++i) {
      if (rank[i] == r) front.push_back(i);
    }
    if (below_.size() + front.size() <= want) {
      for (size_t i : front) below_.push_back(complete_[i]);
      continue;
    }
    PointSet f{m, {}};
    for (size_t i : front) f.v.insert(f.v.end(), all.row(i), all.row(i) + m);
    for (size_t j : GreedyHypervolumeSubset(f, want - below_.size(), ReferencePoint(f))) {
      below_.push_back(complete_[front[j]]);
    }
  }
  std::sort(below_.begin(), below_.end());
  PointSet b{m, {}};
  for (int number : below_) {
    const double* l = losses_.data() + static_cast<size_t>(number) * m;
    b.v.insert(b.v.end(), l, l + m);
  }
  const std::vector<double> w = HypervolumeContributionWeights(b);
  GrowTo(below_weight_, is_below_.size(), 0.0);
  for (size_t i = 0; i < below_.size(); ++i) below_weight_[static_cast<size_t>(below_[i])] = w[i];
}

const ObservationStore::Column* ObservationStore::FindColumn(std::string_view name) const {
  auto it = columns_.find(name);
  return it == columns_.end() ? nullptr : &it->second;
}

const std::vector<ObservationStore::SortedEntry>& ObservationStore::SortedEntries(
    std::string_view name) {
  static const std::vector<SortedEntry> kEmpty;
  auto it = columns_.find(name);
  if (it == columns_.end()) return kEmpty;
  Column& c = it->second;
  if (c.unsorted.empty()) return c.sorted;
  auto less = [](const SortedEntry& a, const SortedEntry& b) {
    return a.key < b.key || (a.key == b.key && a.number < b.number);
  };
  auto entry = [&c](int number) {
    const size_t k = static_cast<size_t>(number);
    return SortedEntry{c.log_keys ? c.log_value[k] : c.value[k], number};
  };
  if (c.unsorted.size() <= 16) {
    // A few new trials (the usual case): insert each at its place.
    for (int number : c.unsorted) {
      const SortedEntry e = entry(number);
      c.sorted.insert(std::upper_bound(c.sorted.begin(), c.sorted.end(), e, less), e);
    }
  } else {
    const auto mid = static_cast<std::ptrdiff_t>(c.sorted.size());
    for (int number : c.unsorted) c.sorted.push_back(entry(number));
    std::sort(c.sorted.begin() + mid, c.sorted.end(), less);
    std::inplace_merge(c.sorted.begin(), c.sorted.begin() + mid, c.sorted.end(), less);
  }
  c.unsorted.clear();
  return c.sorted;
}

}  // namespace hypertune::tpe
