#include <algorithm>

#include "hypertune/core/study_view.h"

namespace hypertune {

TrialCache::TrialCache(int64_t study_id, std::string study_name,
                       std::vector<StudyDirection> directions)
    : study_id_(study_id), study_name_(std::move(study_name)), directions_(std::move(directions)) {}

void TrialCache::Apply(FrozenTrial trial) {
  HT_CHECK(trial.number >= 0) << "trial without a number";
  const auto n = static_cast<size_t>(trial.number);
  if (n >= owned_.size()) {
    owned_.resize(n + 1);
    ptrs_.resize(n + 1, nullptr);
  }
  if (owned_[n] && owned_[n]->state == TrialState::kWaiting) --n_waiting_;
  if (trial.state == TrialState::kWaiting) ++n_waiting_;
  owned_[n] = std::make_unique<const FrozenTrial>(std::move(trial));
  ptrs_[n] = owned_[n].get();
  ++revision_;
  if (n < n_contiguous_) {
    log_.emplace_back(revision_, static_cast<int>(n));
    CompactLog();
    return;
  }
  // Trials past a gap become visible only when the gap fills; log them then.
  while (n_contiguous_ < ptrs_.size() && ptrs_[n_contiguous_] != nullptr) {
    log_.emplace_back(revision_, static_cast<int>(n_contiguous_++));
  }
}

// Keeps the log linear in the number of trials (a running trial that reports
// every step is re-applied at every step): only the latest change of each
// trial matters to ChangedSince.
void TrialCache::CompactLog() {
  if (log_.size() <= 2 * ptrs_.size() + 64) return;
  std::vector<uint64_t> last(ptrs_.size(), 0);
  for (const auto& [rev, number] : log_) last[static_cast<size_t>(number)] = rev;
  std::erase_if(log_, [&](const auto& e) { return last[static_cast<size_t>(e.second)] != e.first; });
}

void TrialCache::Apply(std::vector<FrozenTrial>&& updates) {
  for (FrozenTrial& t : updates) Apply(std::move(t));
  updates.clear();
}

std::span<const FrozenTrial* const> TrialCache::trials() const {
  return {ptrs_.data(), n_contiguous_};
}

void TrialCache::ChangedSince(uint64_t since, std::vector<int>& numbers) const {
  auto it = std::upper_bound(log_.begin(), log_.end(), since,
                             [](uint64_t s, const auto& e) { return s < e.first; });
  const size_t first = numbers.size();
  for (; it != log_.end(); ++it) numbers.push_back(it->second);
  std::sort(numbers.begin() + static_cast<std::ptrdiff_t>(first), numbers.end());
  numbers.erase(std::unique(numbers.begin() + static_cast<std::ptrdiff_t>(first), numbers.end()),
                numbers.end());
}

}  // namespace hypertune
