#include "hypertune/core/median_pruner.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/pruners/pruner_test_util.h"

namespace hypertune {
namespace {

using testing::History;
using testing::Reports;
using testing::Steps;

TEST(MedianPrunerTest, Validate) {
  EXPECT_TRUE(MedianPrunerOptions{}.Validate().ok());
  EXPECT_FALSE(MedianPrunerOptions{.n_startup_trials = -1}.Validate().ok());
  EXPECT_FALSE(MedianPrunerOptions{.n_warmup_steps = -1}.Validate().ok());
  EXPECT_FALSE(MedianPrunerOptions{.interval_steps = 0}.Validate().ok());
  EXPECT_FALSE(MedianPrunerOptions{.n_min_trials = 0}.Validate().ok());
  auto bad = MedianPruner::Create({.interval_steps = 0});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("interval_steps"), std::string::npos);
  ASSERT_TRUE(MedianPruner::Create({.n_startup_trials = 2}).ok());
}

TEST(MedianPrunerTest, MedianOfCompletedTrialsAtTheSameStep) {
  // Completed values at step 3: 1, 5, 3, 9 -> median 4. At step 0 they are
  // all 100, so a trial's step-0 report never is its best by accident.
  struct Case {
    StudyDirection direction;
    Reports current;
    bool prune;
  };
  const auto kMin = StudyDirection::kMinimize;
  const auto kMax = StudyDirection::kMaximize;
  const std::vector<Case> cases = {
      {kMin, {{0, 10}, {3, 4.5}}, true},    // best 4.5 > 4
      {kMin, {{0, 10}, {3, 4.0}}, false},   // equal to the median: kept
      {kMin, {{0, 3.9}, {3, 6.0}}, false},  // best over all steps is 3.9
      {kMax, {{0, 1}, {3, 3.5}}, true},     // best 3.5 < 4
      {kMax, {{0, 1}, {3, 4.0}}, false},
      {kMax, {{0, 4.5}, {3, 1.0}}, false},  // best 4.5
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    History h(cases[i].direction);
    for (double v : {1.0, 5.0, 3.0, 9.0}) h.Add(TrialState::kComplete, {{0, 100}, {3, v}});
    const int n = h.Add(TrialState::kRunning, cases[i].current);
    MedianPruner pruner({.n_startup_trials = 0});
    EXPECT_EQ(pruner.Prune(h.view(), h.trial(n)), cases[i].prune) << "row " << i;
  }
}

TEST(MedianPrunerTest, OnlyCompletedTrialsThatReportedAtTheStepCount) {
  // Step 1: COMPLETE 1 and 3 (median 2); a PRUNED 0 and a RUNNING 0 are
  // ignored; a COMPLETE trial without step 1 is ignored.
  History h;
  h.Add(TrialState::kComplete, Steps({0, 1}));
  h.Add(TrialState::kComplete, Steps({0, 3}));
  h.Add(TrialState::kPruned, Steps({0, 0}));
  h.Add(TrialState::kRunning, Steps({0, 0}));
  h.Add(TrialState::kComplete, {{0, 0}, {2, 0}});
  MedianPruner pruner({.n_startup_trials = 0});
  const int n = h.Add(TrialState::kRunning, Steps({5, 2.5}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));
  h.Set(n, TrialState::kRunning, Steps({5, 1.5}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));
}

TEST(MedianPrunerTest, StartupTrials) {
  // n_startup_trials = 3: no pruning until 3 trials are COMPLETE; PRUNED
  // trials do not count.
  MedianPruner pruner({.n_startup_trials = 3});
  History h;
  const int n = h.Add(TrialState::kRunning, Steps({10}));
  h.Add(TrialState::kComplete, Steps({1}));
  h.Add(TrialState::kComplete, Steps({1}));
  h.Add(TrialState::kPruned, Steps({1}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));
  h.Add(TrialState::kComplete, Steps({1}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));
}

TEST(MedianPrunerTest, WarmupAndIntervalSteps) {
  // Completed trials report 1 at steps 0..9; the current trial reports 2
  // (worse than the median) at the given steps. Warm-up 2, interval 3:
  // pruning steps 2, 5, 8; a pruning step without a report is checked at the
  // next report. Each row: the current trial's steps, and whether a call
  // after the last one prunes.
  struct Case {
    std::vector<int64_t> steps;
    bool prune;
  };
  const std::vector<Case> cases = {
      {{0}, false},          {{0, 1}, false},       {{0, 1, 2}, true},
      {{0, 1, 2, 3}, false}, {{0, 1, 2, 3, 4}, false}, {{0, 1, 2, 3, 4, 5}, true},
      {{6}, true},           {{6, 7}, false},       {{0, 3}, true},
      {{0, 3, 4}, false},    {{0, 3, 4, 6}, true},  {{0, 3, 4, 6, 8}, true},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    History h;
    for (int k = 0; k < 3; ++k) {
      Reports ones;
      for (int64_t s = 0; s < 10; ++s) ones.emplace_back(s, 1.0);
      h.Add(TrialState::kComplete, ones);
    }
    Reports current;
    for (int64_t s : cases[i].steps) current.emplace_back(s, 2.0);
    const int n = h.Add(TrialState::kRunning, current);
    MedianPruner pruner({.n_startup_trials = 0, .n_warmup_steps = 2, .interval_steps = 3});
    EXPECT_EQ(pruner.Prune(h.view(), h.trial(n)), cases[i].prune) << "row " << i;
  }
}

TEST(MedianPrunerTest, MinTrials) {
  // Step 1 was reported by 1 COMPLETE trial, step 0 by 2.
  History h;
  h.Add(TrialState::kComplete, Steps({1}));
  h.Add(TrialState::kComplete, Steps({1, 1}));
  MedianPruner pruner({.n_startup_trials = 0, .n_min_trials = 2});
  const int n = h.Add(TrialState::kRunning, Steps({5}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));  // 2 reports at step 0
  h.Set(n, TrialState::kRunning, Steps({5, 5}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));  // 1 report at step 1
  h.Add(TrialState::kComplete, Steps({1, 1}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));
}

}  // namespace
}  // namespace hypertune
