#include "src/core/pruners/asha.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace hypertune::pruners_internal {
namespace {

using Reports = std::vector<std::pair<int64_t, double>>;

// Index of the first report at a step >= `from` whose value is not NaN, or
// -1. This is where a rung with promotion step <= `from` is evaluated.
std::ptrdiff_t FirstEvaluableIndex(const Reports& reports, int64_t from) {
  auto it = std::lower_bound(reports.begin(), reports.end(), from,
                             [](const auto& r, int64_t s) { return r.first < s; });
  while (it != reports.end() && std::isnan(it->second)) ++it;
  return it == reports.end() ? -1 : it - reports.begin();
}

int64_t EvaluationFrom(int64_t promotion_step, int64_t unevaluated_through) {
  return std::max(promotion_step, unevaluated_through + 1);
}

int64_t UnevaluatedThrough(const UnevaluatedSteps& unevaluated, int number) {
  auto it = unevaluated.find(number);
  return it == unevaluated.end() ? -1 : it->second;
}

// The value at rung `rung`, given the promotion steps of that rung and of
// the one before (unused for rung 0).
std::optional<double> RungValueImpl(const FrozenTrial& trial, int rung, int64_t promotion_step,
                                    int64_t previous_promotion_step,
                                    int64_t unevaluated_through, const PruneLog* log) {
  const Reports& reports = trial.intermediate_values;
  const std::ptrdiff_t i =
      FirstEvaluableIndex(reports, EvaluationFrom(promotion_step, unevaluated_through));
  if (i < 0) return std::nullopt;
  const auto last = static_cast<std::ptrdiff_t>(reports.size()) - 1;
  // A PRUNED trial failed one of the rungs evaluated at its last report;
  // the rungs after it were never evaluated. Unless logged, take the first.
  if (trial.state == TrialState::kPruned && i == last && rung > 0 &&
      FirstEvaluableIndex(reports, EvaluationFrom(previous_promotion_step,
                                                  unevaluated_through)) == last) {
    const std::optional<int> failed =
        log ? log->FailedRung(trial.number, reports.back().first) : std::nullopt;
    if (!failed || rung > *failed) return std::nullopt;
  }
  return reports[static_cast<size_t>(i)].second;
}

// Optuna's rule: promote when `value` is within the best
// floor(n / reduction_factor) of the n competing values (its own included),
// or the best one when that floor is 0. Reorders `competing`.
bool Promotable(double value, std::vector<double>& competing, int reduction_factor,
                StudyDirection direction) {
  const size_t n = competing.size();
  size_t k = n / static_cast<size_t>(reduction_factor);
  k = k == 0 ? 0 : k - 1;  // index of the worst promotable value, best first
  if (direction == StudyDirection::kMaximize) k = n - 1 - k;
  std::nth_element(competing.begin(), competing.begin() + static_cast<std::ptrdiff_t>(k),
                   competing.end());
  return direction == StudyDirection::kMaximize ? value >= competing[k]
                                                : value <= competing[k];
}

}  // namespace

void PruneLog::Record(int number, int64_t step, int rung) {
  std::lock_guard lock(mu_);
  log_[number] = {step, rung};
}

std::optional<int> PruneLog::FailedRung(int number, int64_t step) const {
  std::lock_guard lock(mu_);
  auto it = log_.find(number);
  if (it == log_.end() || it->second.first != step) return std::nullopt;
  return it->second.second;
}

std::optional<int64_t> AshaParams::PromotionStep(int rung) const {
  int64_t step = min_resource;
  for (int e = 0; e < min_early_stopping_rate + rung; ++e) {
    if (__builtin_mul_overflow(step, static_cast<int64_t>(reduction_factor), &step)) {
      return std::nullopt;
    }
  }
  return step;
}

std::optional<double> RungValue(const FrozenTrial& trial, const AshaParams& params, int rung,
                                int64_t unevaluated_through, const PruneLog* log) {
  const std::optional<int64_t> step = params.PromotionStep(rung);
  if (!step) return std::nullopt;
  const int64_t previous = rung > 0 ? *params.PromotionStep(rung - 1) : 0;
  return RungValueImpl(trial, rung, *step, previous, unevaluated_through, log);
}

bool AshaPrune(const FrozenTrial& trial, StudyDirection direction, const AshaParams& params,
               const UnevaluatedSteps& unevaluated, PruneLog& log,
               const std::function<std::span<const FrozenTrial* const>()>& competitors) {
  const Reports& reports = trial.intermediate_values;
  if (reports.empty()) return false;
  const auto [step, value] = reports.back();
  const int64_t own_unevaluated = UnevaluatedThrough(unevaluated, trial.number);

  // The rungs this trial passed at earlier reports (Optuna: the number of its
  // "completed_rung_*" attributes). It is still running, so it passed them.
  int rung = 0;
  for (;; ++rung) {
    const std::optional<int64_t> promotion = params.PromotionStep(rung);
    if (!promotion) return false;  // no step reaches the next rung
    const std::ptrdiff_t i =
        FirstEvaluableIndex(reports, EvaluationFrom(*promotion, own_unevaluated));
    if (i < 0 || reports[static_cast<size_t>(i)].first >= step) break;
  }

  std::span<const FrozenTrial* const> others;
  bool have_others = false;
  std::vector<double> competing;
  for (;; ++rung) {
    const std::optional<int64_t> promotion = params.PromotionStep(rung);
    if (!promotion || step < *promotion) return false;
    if (std::isnan(value)) return true;
    if (!have_others) {
      others = competitors();
      have_others = true;
    }
    const int64_t previous_promotion = rung > 0 ? *params.PromotionStep(rung - 1) : 0;
    competing.clear();
    for (const FrozenTrial* t : others) {
      if (t->number == trial.number) continue;
      if (std::optional<double> v =
              RungValueImpl(*t, rung, *promotion, previous_promotion,
                            UnevaluatedThrough(unevaluated, t->number), &log)) {
        competing.push_back(*v);
      }
    }
    competing.push_back(value);
    // `competing` includes this trial, hence <=.
    if (competing.size() <= static_cast<size_t>(params.bootstrap_count) ||
        !Promotable(value, competing, params.reduction_factor, direction)) {
      log.Record(trial.number, step, rung);
      return true;
    }
  }
}

}  // namespace hypertune::pruners_internal
