#include "hypertune/core/threshold_pruner.h"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <vector>

#include "core/pruners/pruner_test_util.h"

namespace hypertune {
namespace {

using testing::History;
using testing::Reports;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ThresholdPrunerTest, Validate) {
  EXPECT_TRUE(ThresholdPrunerOptions{.lower = 0}.Validate().ok());
  EXPECT_TRUE(ThresholdPrunerOptions{.upper = 0}.Validate().ok());
  EXPECT_TRUE(ThresholdPrunerOptions({.lower = 1, .upper = 1}).Validate().ok());
  EXPECT_FALSE(ThresholdPrunerOptions{}.Validate().ok());
  EXPECT_FALSE(ThresholdPrunerOptions({.lower = 2, .upper = 1}).Validate().ok());
  EXPECT_FALSE(ThresholdPrunerOptions{.lower = kNaN}.Validate().ok());
  EXPECT_FALSE(ThresholdPrunerOptions({.lower = 0, .upper = kNaN}).Validate().ok());
  EXPECT_FALSE(ThresholdPrunerOptions({.lower = 0, .n_warmup_steps = -1}).Validate().ok());
  EXPECT_FALSE(ThresholdPrunerOptions({.lower = 0, .interval_steps = 0}).Validate().ok());
  EXPECT_FALSE(ThresholdPruner::Create({}).ok());
}

// The decision for a trial whose only report is `value` at step 0.
bool PrunesValue(const ThresholdPrunerOptions& options, double value) {
  History h;
  const int n = h.Add(TrialState::kRunning, {{0, value}});
  return ThresholdPruner(options).Prune(h.view(), h.trial(n));
}

TEST(ThresholdPrunerTest, Bounds) {
  struct Case {
    std::optional<double> lower, upper;
    double value;
    bool prune;
  };
  const std::vector<Case> cases = {
      {0.0, std::nullopt, 1.0, false},  {0.0, std::nullopt, 0.0, false},
      {0.0, std::nullopt, -0.5, true},  {0.0, std::nullopt, kNaN, true},
      {0.0, std::nullopt, kInf, false}, {0.0, std::nullopt, -kInf, true},
      {std::nullopt, 1.0, 1.0, false},  {std::nullopt, 1.0, 1.2, true},
      {std::nullopt, 1.0, -100, false}, {std::nullopt, 1.0, kNaN, true},
      {-1.0, 1.0, 0.0, false},          {-1.0, 1.0, -1.5, true},
      {-1.0, 1.0, 1.5, true},           {-1.0, 1.0, kNaN, true},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(PrunesValue({.lower = cases[i].lower, .upper = cases[i].upper}, cases[i].value),
              cases[i].prune)
        << "row " << i;
  }
}

TEST(ThresholdPrunerTest, OnlyTheLatestValueMatters) {
  History h;
  const int n = h.Add(TrialState::kRunning, {{0, 5.0}, {1, 0.5}});
  ThresholdPruner pruner({.upper = 1.0});
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));
  h.Set(n, TrialState::kRunning, {{0, 0.5}, {1, 5.0}});
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));
  const int silent = h.Add(TrialState::kRunning, {});
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(silent)));
}

TEST(ThresholdPrunerTest, WarmupAndInterval) {
  // Every report is above the bound. Warm-up 2, interval 2: pruning steps
  // 2, 4, 6...; a skipped pruning step is checked at the next report.
  struct Case {
    std::vector<int64_t> steps;
    bool prune;
  };
  const std::vector<Case> cases = {
      {{0}, false},    {{0, 1}, false}, {{0, 1, 2}, true}, {{0, 1, 2, 3}, false},
      {{0, 1, 2, 3, 4}, true}, {{0, 3}, true}, {{0, 3, 4}, true}, {{0, 4, 5}, false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    History h;
    Reports r;
    for (int64_t s : cases[i].steps) r.emplace_back(s, 10.0);
    const int n = h.Add(TrialState::kRunning, r);
    ThresholdPruner pruner({.upper = 1.0, .n_warmup_steps = 2, .interval_steps = 2});
    EXPECT_EQ(pruner.Prune(h.view(), h.trial(n)), cases[i].prune) << "row " << i;
  }
}

}  // namespace
}  // namespace hypertune
