#include "hypertune/core/percentile_pruner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/pruners/pruner_test_util.h"
#include "src/core/pruners/pruner_util.h"

namespace hypertune {
namespace {

using testing::History;
using testing::Reports;
using testing::Steps;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(NanPercentileTest, MatchesNumpyLinear) {
  struct Case {
    std::vector<double> values;
    double percentile;
    double expected;  // numpy.nanpercentile(values, percentile)
  };
  const std::vector<Case> cases = {
      {{1, 2, 3, 4, 5}, 25, 2.0},          // index 1
      {{5, 4, 3, 2, 1}, 75, 4.0},          // order does not matter
      {{1, 2, 3, 4}, 50, 2.5},             // index 1.5
      {{1, 2, 3, 4}, 25, 1.75},            // index 0.75: 2 - 1 * 0.25
      {{1, 2, 3, 4}, 10, 1.3},             // index 0.3: 1 + 1 * 0.3
      {{1, 3, kNaN, 2}, 50, 2.0},          // NaN dropped
      {{7}, 30, 7.0},                      // one value
      {{1, 9}, 0, 1.0},                    // minimum
      {{1, 9}, 100, 9.0},                  // maximum
      {{kNaN, kNaN}, 50, kNaN},            // nothing left
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    std::vector<double> v = cases[i].values;
    const double got = pruners_internal::NanPercentile(v, cases[i].percentile);
    if (std::isnan(cases[i].expected)) {
      EXPECT_TRUE(std::isnan(got)) << "row " << i;
    } else {
      EXPECT_DOUBLE_EQ(got, cases[i].expected) << "row " << i;
    }
  }
}

TEST(IsFirstInIntervalStepTest, WarmupAndInterval) {
  // Warm-up 2, interval 3: pruning steps 2, 5, 8, ...
  struct Case {
    std::vector<int64_t> steps;  // the last one is the current step
    bool expected;
  };
  const std::vector<Case> cases = {
      {{2}, true},        {{0, 1, 2}, true},  {{2, 3}, false}, {{2, 3, 4}, false},
      {{2, 3, 4, 5}, true}, {{0, 3}, true},   // step 2 skipped: checked at 3
      {{0, 3, 4}, false}, {{0, 3, 4, 6}, true}, {{0, 9}, true}, {{6, 7}, false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    FrozenTrial t;
    for (int64_t s : cases[i].steps) t.intermediate_values.emplace_back(s, 0.0);
    EXPECT_EQ(pruners_internal::IsFirstInIntervalStep(t, cases[i].steps.back(), 2, 3),
              cases[i].expected)
        << "row " << i;
  }
}

TEST(PercentilePrunerTest, Validate) {
  EXPECT_TRUE(PercentilePrunerOptions{.percentile = 0}.Validate().ok());
  EXPECT_TRUE(PercentilePrunerOptions{.percentile = 100}.Validate().ok());
  EXPECT_FALSE(PercentilePrunerOptions{.percentile = -1}.Validate().ok());
  EXPECT_FALSE(PercentilePrunerOptions{.percentile = 100.5}.Validate().ok());
  EXPECT_FALSE(PercentilePrunerOptions{.percentile = kNaN}.Validate().ok());
  EXPECT_FALSE(PercentilePrunerOptions{.n_startup_trials = -1}.Validate().ok());
  EXPECT_FALSE(PercentilePrunerOptions{.n_warmup_steps = -1}.Validate().ok());
  EXPECT_FALSE(PercentilePrunerOptions{.interval_steps = 0}.Validate().ok());
  EXPECT_FALSE(PercentilePrunerOptions{.n_min_trials = 0}.Validate().ok());
  auto bad = PercentilePruner::Create({.percentile = 101});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("percentile"), std::string::npos);
}

// Five COMPLETE trials whose values at step 1 are 1, 2, 3, 4, 5.
History FiveCompleted(StudyDirection direction) {
  History h(direction);
  for (double v : {3.0, 1.0, 5.0, 2.0, 4.0}) h.Add(TrialState::kComplete, Steps({0.0, v}));
  return h;
}

TEST(PercentilePrunerTest, PercentilesInBothDirections) {
  struct Case {
    StudyDirection direction;
    double percentile;
    double current;  // the current trial's value at step 1 (its best)
    bool prune;
  };
  // Minimize: 25th percentile of {1..5} = 2, 75th = 4. Maximize mirrors the
  // percentile: 25 -> numpy's 75th = 4, 75 -> 25th = 2.
  const auto kMin = StudyDirection::kMinimize;
  const auto kMax = StudyDirection::kMaximize;
  const std::vector<Case> cases = {
      {kMin, 25, 2.5, true},  {kMin, 25, 2.0, false}, {kMin, 75, 4.5, true},
      {kMin, 75, 4.0, false}, {kMax, 25, 3.5, true},  {kMax, 25, 4.0, false},
      {kMax, 75, 1.5, true},  {kMax, 75, 2.0, false}, {kMin, 0, 1.5, true},
      {kMin, 100, 5.0, false}, {kMax, 0, 4.5, true},  {kMax, 100, 1.0, false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    History h = FiveCompleted(cases[i].direction);
    // The current trial starts at its value so that step 0 is not better.
    const int n = h.Add(TrialState::kRunning, Steps({cases[i].current, cases[i].current}));
    PercentilePruner pruner({.percentile = cases[i].percentile, .n_startup_trials = 0});
    EXPECT_EQ(pruner.Prune(h.view(), h.trial(n)), cases[i].prune) << "row " << i;
  }
}

TEST(PercentilePrunerTest, InterpolatesBetweenValues) {
  // Values at step 0: 1, 2, 3, 4 -> 25th percentile 1.75.
  History h;
  for (double v : {4.0, 2.0, 1.0, 3.0}) h.Add(TrialState::kComplete, Steps({v}));
  PercentilePruner pruner({.percentile = 25, .n_startup_trials = 0});
  const int above = h.Add(TrialState::kRunning, Steps({1.8}));
  const int below = h.Add(TrialState::kRunning, Steps({1.7}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(above)));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(below)));
}

TEST(PercentilePrunerTest, ComparesTheBestValueOverAllSteps) {
  // 25th percentile at step 1 is 2. The trial reported 1.5 at step 0 and 9
  // at step 1: its best (1.5) is kept, so it is not pruned.
  History h = FiveCompleted(StudyDirection::kMinimize);
  const int n = h.Add(TrialState::kRunning, Steps({1.5, 9.0}));
  PercentilePruner pruner({.percentile = 25, .n_startup_trials = 0});
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));
  h.Set(n, TrialState::kRunning, Steps({2.5, 9.0}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));
}

TEST(PercentilePrunerTest, NanHandling) {
  // Completed values at step 0: 1, NaN, 3 -> NaN ignored, median 2.
  History h;
  for (double v : {1.0, kNaN, 3.0}) h.Add(TrialState::kComplete, Steps({v}));
  PercentilePruner pruner({.percentile = 50, .n_startup_trials = 0});
  const int worse = h.Add(TrialState::kRunning, Steps({2.5}));
  const int better = h.Add(TrialState::kRunning, Steps({1.5}));
  const int all_nan = h.Add(TrialState::kRunning, Steps({kNaN}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(worse)));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(better)));
  // A trial whose values are all NaN is pruned.
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(all_nan)));
  // A NaN latest value does not hide an earlier good one: best is 1.5 < 2.
  History h2;
  for (double v : {1.0, 3.0}) h2.Add(TrialState::kComplete, Steps({v, v}));
  const int late_nan = h2.Add(TrialState::kRunning, Steps({1.5, kNaN}));
  EXPECT_FALSE(pruner.Prune(h2.view(), h2.trial(late_nan)));
  h2.Set(late_nan, TrialState::kRunning, Steps({2.5, kNaN}));
  EXPECT_TRUE(pruner.Prune(h2.view(), h2.trial(late_nan)));
}

TEST(PercentilePrunerTest, NanValuesCountTowardsMinTrialsButNotThePercentile) {
  // Two of three completed values at step 0 are NaN.
  History h;
  for (double v : {kNaN, 1.0, kNaN}) h.Add(TrialState::kComplete, Steps({v}));
  const int n = h.Add(TrialState::kRunning, Steps({2.0}));
  // Three reports >= n_min_trials 3 (NaN counted, as in Optuna); the
  // percentile over the one real value is 1 < 2: pruned.
  EXPECT_TRUE(PercentilePruner({.n_startup_trials = 0, .n_min_trials = 3})
                  .Prune(h.view(), h.trial(n)));
  EXPECT_FALSE(PercentilePruner({.n_startup_trials = 0, .n_min_trials = 4})
                   .Prune(h.view(), h.trial(n)));
  // Every completed value NaN: no percentile, no pruning.
  History h2;
  for (int i = 0; i < 3; ++i) h2.Add(TrialState::kComplete, Steps({kNaN}));
  const int m = h2.Add(TrialState::kRunning, Steps({100.0}));
  EXPECT_FALSE(PercentilePruner({.n_startup_trials = 0}).Prune(h2.view(), h2.trial(m)));
}

TEST(PercentilePrunerTest, NoDecisionWithoutReportsOrCompletedTrials) {
  History h;
  h.Add(TrialState::kPruned, Steps({0.0}));  // not COMPLETE: does not count
  const int n = h.Add(TrialState::kRunning, Steps({100.0}));
  PercentilePruner pruner({.n_startup_trials = 0});
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));
  h.Add(TrialState::kComplete, Steps({0.0}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));
  const int silent = h.Add(TrialState::kRunning, {});
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(silent)));
}

}  // namespace
}  // namespace hypertune
