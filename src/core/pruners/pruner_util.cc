#include "src/core/pruners/pruner_util.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace hypertune::pruners_internal {

Status ValidateWarmupAndInterval(int64_t n_warmup_steps, int64_t interval_steps) {
  if (n_warmup_steps < 0) {
    return Status::InvalidArgument("n_warmup_steps must be >= 0, got " +
                                   std::to_string(n_warmup_steps));
  }
  if (interval_steps < 1) {
    return Status::InvalidArgument("interval_steps must be >= 1, got " +
                                   std::to_string(interval_steps));
  }
  return Status::Ok();
}

void CheckSingleObjective(const StudyView& study, std::string_view pruner) {
  HT_CHECK(!study.multi_objective())
      << pruner << " called on multi-objective study '" << study.study_name()
      << "'; pruning supports single-objective studies only";
}

bool IsFirstInIntervalStep(const FrozenTrial& trial, int64_t step, int64_t n_warmup_steps,
                           int64_t interval_steps) {
  HT_CHECK(step >= n_warmup_steps && interval_steps >= 1)
      << "step " << step << ", warm-up " << n_warmup_steps << ", interval " << interval_steps;
  const int64_t nearest_lower_pruning_step =
      (step - n_warmup_steps) / interval_steps * interval_steps + n_warmup_steps;
  // Steps are sorted and unique, so the largest step other than `step` is the
  // one before the last (when the last is `step`).
  int64_t second_last_step = -1;
  const auto& values = trial.intermediate_values;
  for (auto it = values.rbegin(); it != values.rend(); ++it) {
    if (it->first != step) {
      second_last_step = it->first;
      break;
    }
  }
  return second_last_step < nearest_lower_pruning_step;
}

double NanMin(std::span<const std::pair<int64_t, double>> values) {
  double best = std::numeric_limits<double>::quiet_NaN();
  for (const auto& [step, v] : values) {
    if (!std::isnan(v) && (std::isnan(best) || v < best)) best = v;
  }
  return best;
}

double NanMax(std::span<const std::pair<int64_t, double>> values) {
  double best = std::numeric_limits<double>::quiet_NaN();
  for (const auto& [step, v] : values) {
    if (!std::isnan(v) && (std::isnan(best) || v > best)) best = v;
  }
  return best;
}

double BestIntermediateValue(const FrozenTrial& trial, StudyDirection direction) {
  return direction == StudyDirection::kMaximize ? NanMax(trial.intermediate_values)
                                                : NanMin(trial.intermediate_values);
}

double NanPercentile(std::vector<double>& values, double percentile) {
  HT_CHECK(percentile >= 0.0 && percentile <= 100.0) << "percentile " << percentile;
  std::erase_if(values, [](double v) { return std::isnan(v); });
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const size_t n = values.size();
  // numpy: q = percentile / 100, virtual index (n - 1) * q.
  const double virtual_index = static_cast<double>(n - 1) * (percentile / 100.0);
  if (virtual_index >= static_cast<double>(n - 1)) {
    return *std::max_element(values.begin(), values.end());
  }
  const double previous_index = std::floor(virtual_index);
  const auto lo = static_cast<size_t>(previous_index);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo),
                   values.end());
  const double a = values[lo];
  // The next order statistic is the smallest of the upper partition.
  const double b = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo) + 1,
                                     values.end());
  const double t = virtual_index - previous_index;
  // numpy's _lerp: interpolate from the nearer end, for monotonicity.
  const double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

}  // namespace hypertune::pruners_internal
