#include "hypertune/core/patient_pruner.h"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <vector>

#include "core/pruners/pruner_test_util.h"
#include "hypertune/core/median_pruner.h"

namespace hypertune {
namespace {

using testing::History;
using testing::Reports;
using testing::Steps;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(PatientPrunerTest, Validate) {
  EXPECT_TRUE(PatientPrunerOptions{}.Validate().ok());
  EXPECT_FALSE(PatientPrunerOptions{.patience = -1}.Validate().ok());
  EXPECT_FALSE(PatientPrunerOptions{.min_delta = -0.1}.Validate().ok());
  EXPECT_FALSE(PatientPrunerOptions{.min_delta = kNaN}.Validate().ok());
  EXPECT_FALSE(PatientPruner::Create({.patience = -1}).ok());
}

TEST(PatientPrunerTest, StagnationWithoutWrappedPruner) {
  // patience 2: "after" = the last 3 values, "before" = the rest.
  struct Case {
    StudyDirection direction;
    Reports reports;
    double min_delta;
    bool prune;
  };
  const auto kMin = StudyDirection::kMinimize;
  const auto kMax = StudyDirection::kMaximize;
  const std::vector<Case> cases = {
      // Too few values: 3 <= patience + 1.
      {kMin, Steps({1, 5, 6}), 0, false},
      // Minimize: before {5}, after {4, 4.5, 4.2}: improved.
      {kMin, Steps({5, 4, 4.5, 4.2}), 0, false},
      // before {4}, after best 4.25: worse by 0.25.
      {kMin, Steps({4, 4.5, 4.25, 4.75}), 0, true},
      {kMin, Steps({4, 4.5, 4.25, 4.75}), 0.125, true},
      {kMin, Steps({4, 4.5, 4.25, 4.75}), 0.25, false},  // not by more than
      {kMin, Steps({4, 4.5, 4.25, 4.75}), 0.5, false},
      // Equal best before and after: not stagnant.
      {kMin, Steps({4, 4, 4, 4}), 0, false},
      // Only the best before counts: before {9, 3}, after best 3.5.
      {kMin, Steps({9, 3, 3.5, 4, 5}), 0, true},
      // Maximize: before {4}, after best 3.75.
      {kMax, Steps({4, 3.5, 3.75, 3.25}), 0, true},
      {kMax, Steps({4, 3.5, 3.75, 3.25}), 0.125, true},
      {kMax, Steps({4, 3.5, 3.75, 3.25}), 0.25, false},
      {kMax, Steps({4, 3.5, 4.5, 3.25}), 0, false},
      // NaN ignored on each side; a side of NaN only is never stagnant.
      {kMin, Steps({kNaN, 4, 5, kNaN, 6}), 0, true},
      {kMin, Steps({kNaN, 5, kNaN, kNaN}), 0, false},
      {kMin, Steps({4, kNaN, kNaN, kNaN}), 0, false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    History h(cases[i].direction);
    const int n = h.Add(TrialState::kRunning, cases[i].reports);
    PatientPruner pruner({.patience = 2, .min_delta = cases[i].min_delta});
    EXPECT_EQ(pruner.Prune(h.view(), h.trial(n)), cases[i].prune) << "row " << i;
  }
}

TEST(PatientPrunerTest, PatienceZero) {
  // patience 0: stagnant when the latest value is worse than all before.
  History h;
  const int n = h.Add(TrialState::kRunning, Steps({1, 2}));
  PatientPruner pruner({.patience = 0});
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));
  h.Set(n, TrialState::kRunning, Steps({2, 1}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));
  h.Set(n, TrialState::kRunning, Steps({1}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));
}

TEST(PatientPrunerTest, WrapsMedianPruner) {
  // Completed trials report 1 at steps 0..3: median 1 everywhere.
  History h;
  for (int k = 0; k < 3; ++k) h.Add(TrialState::kComplete, Steps({1, 1, 1, 1}));
  PatientPruner pruner({.wrapped_pruner = std::make_shared<MedianPruner>(
                            MedianPrunerOptions{.n_startup_trials = 0}),
                        .patience = 1});
  // Stagnant (before {3, 2}, after {2.5, 4}) and worse than the median
  // (best 2 > 1): pruned.
  const int a = h.Add(TrialState::kRunning, Steps({3, 2, 2.5, 4}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(a)));
  // Stagnant, but its best (0.5) beats the median: the median says no.
  const int b = h.Add(TrialState::kRunning, Steps({3, 0.5, 2.5, 4}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(b)));
  // Worse than the median, but still improving: not stagnant, kept.
  const int c = h.Add(TrialState::kRunning, Steps({5, 4, 3, 2}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(c)));
  EXPECT_TRUE(MedianPruner({.n_startup_trials = 0}).Prune(h.view(), h.trial(c)));
}

}  // namespace
}  // namespace hypertune
