#include "hypertune/core/successive_halving_pruner.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "core/pruners/pruner_test_util.h"

namespace hypertune {
namespace {

using testing::History;
using testing::Reports;
using testing::Steps;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(SuccessiveHalvingPrunerTest, Validate) {
  EXPECT_TRUE(SuccessiveHalvingPrunerOptions{}.Validate().ok());
  EXPECT_TRUE(SuccessiveHalvingPrunerOptions({.min_resource = 2, .bootstrap_count = 3})
                  .Validate()
                  .ok());
  EXPECT_FALSE(SuccessiveHalvingPrunerOptions{.min_resource = -1}.Validate().ok());
  EXPECT_FALSE(SuccessiveHalvingPrunerOptions{.reduction_factor = 1}.Validate().ok());
  EXPECT_FALSE(SuccessiveHalvingPrunerOptions{.min_early_stopping_rate = -1}.Validate().ok());
  EXPECT_FALSE(
      SuccessiveHalvingPrunerOptions({.min_resource = 1, .bootstrap_count = -1}).Validate().ok());
  // bootstrap_count needs an explicit min_resource.
  auto bad = SuccessiveHalvingPruner::Create({.bootstrap_count = 1});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bootstrap_count"), std::string::npos);
}

// min_resource 1, factor 2: rungs complete at steps 1, 2, 4, 8. Rung values
// of the history (minimize):
//   trial 0 COMPLETE 10 8 6 4 2   rung 0: 8, rung 1: 6, rung 2: 2
//   trial 1 PRUNED   10 9         rung 0: 9 (pruned there)
//   trial 2 PRUNED   10 7 7.5     rung 0: 7, rung 1: 7.5 (pruned there)
//   trial 3 RUNNING   9 5         rung 0: 5
History FactorTwoHistory() {
  History h;
  h.Add(TrialState::kComplete, Steps({10, 8, 6, 4, 2}));
  h.Add(TrialState::kPruned, Steps({10, 9}));
  h.Add(TrialState::kPruned, Steps({10, 7, 7.5}));
  h.Add(TrialState::kRunning, Steps({9, 5}));
  return h;
}

TEST(SuccessiveHalvingPrunerTest, RungPromotionWithFactorTwo) {
  struct Case {
    Reports current;
    bool prune;
  };
  const std::vector<Case> cases = {
      // Step 0 completes no rung.
      {Steps({100}), false},
      // Rung 0 at step 1: {8, 9, 7, 5, v}, the best 5 / 2 = 2 are promoted,
      // i.e. v <= second smallest.
      {Steps({10, 6}), false},   // {5, 6, 7, 8, 9}: 6 is second
      {Steps({10, 7}), false},   // {5, 7, 7, 8, 9}: ties promote
      {Steps({10, 7.5}), true},  // {5, 7, 7.5, 8, 9}
      // Rung 1 at step 2 (rung 0 passed at step 1): {6, 7.5, v}, 3 / 2 = 1
      // promoted.
      {Steps({10, 6.5, 5.9}), false},
      {Steps({10, 6.5, 6.1}), true},
      // Step 3 is between rungs 1 and 2.
      {Steps({10, 6.5, 5.9, 100}), false},
      // A report at step 4 after step 0 completes rungs 0, 1, 2 at once:
      // rung 0 {8, 9, 7, 5, 3} ok, rung 1 {6, 7.5, 3} ok, rung 2 {2, 3}: out.
      {{{0, 10}, {4, 3}}, true},
      {{{0, 10}, {4, 1.5}}, false},  // rung 2 {2, 1.5}: promoted
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    History h = FactorTwoHistory();
    const int n = h.Add(TrialState::kRunning, cases[i].current);
    SuccessiveHalvingPruner pruner({.min_resource = 1, .reduction_factor = 2});
    EXPECT_EQ(pruner.Prune(h.view(), h.trial(n)), cases[i].prune) << "row " << i;
    // Asking twice gives the same answer.
    EXPECT_EQ(pruner.Prune(h.view(), h.trial(n)), cases[i].prune) << "row " << i;
  }
}

TEST(SuccessiveHalvingPrunerTest, FactorFourMaximize) {
  // Seven trials with rung 0 (step 1) values 1..7. With the current trial,
  // n = 8 and 8 / 4 = 2 are promoted: v must be >= the second largest.
  const std::vector<std::pair<double, bool>> cases = {
      {6.5, false}, {6.0, false}, {5.5, true}, {8.0, false}, {0.0, true}};
  for (size_t i = 0; i < cases.size(); ++i) {
    History h(StudyDirection::kMaximize);
    for (int v = 1; v <= 7; ++v) h.Add(TrialState::kComplete, Steps({0, double(v)}));
    const int n = h.Add(TrialState::kRunning, Steps({0, cases[i].first}));
    SuccessiveHalvingPruner pruner({.min_resource = 1, .reduction_factor = 4});
    EXPECT_EQ(pruner.Prune(h.view(), h.trial(n)), cases[i].second) << "row " << i;
  }
}

TEST(SuccessiveHalvingPrunerTest, FewerCompetitorsThanTheFactorPromoteOnlyTheBest) {
  // Factor 4 with 3 values: floor(3 / 4) = 0, so only the best goes on.
  History h;
  h.Add(TrialState::kComplete, Steps({0, 2}));
  h.Add(TrialState::kComplete, Steps({0, 4}));
  SuccessiveHalvingPruner pruner({.min_resource = 1, .reduction_factor = 4});
  const int n = h.Add(TrialState::kRunning, Steps({0, 3}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));
  h.Set(n, TrialState::kRunning, Steps({0, 1}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));
  // The very first trial is alone in its rung: always promoted.
  History first;
  const int f = first.Add(TrialState::kRunning, Steps({0, 100}));
  EXPECT_FALSE(pruner.Prune(first.view(), first.trial(f)));
}

TEST(SuccessiveHalvingPrunerTest, MinEarlyStoppingRate) {
  // min_resource 1, factor 2, rate 2: the first rung completes at step 4.
  History h;
  h.Add(TrialState::kComplete, Steps({1, 1, 1, 1, 1}));
  SuccessiveHalvingPruner pruner(
      {.min_resource = 1, .reduction_factor = 2, .min_early_stopping_rate = 2});
  const int n = h.Add(TrialState::kRunning, Steps({9, 9, 9, 9}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));  // step 3
  h.Set(n, TrialState::kRunning, Steps({9, 9, 9, 9, 9}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));  // step 4: {1, 9}
}

TEST(SuccessiveHalvingPrunerTest, BootstrapCount) {
  // bootstrap_count 2: pruned at a rung that at most 2 trials (itself
  // included) completed.
  SuccessiveHalvingPruner pruner(
      {.min_resource = 1, .reduction_factor = 2, .bootstrap_count = 2});
  History h;
  const int n = h.Add(TrialState::kRunning, Steps({0, 5}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));  // alone
  h.Add(TrialState::kComplete, Steps({0, 10}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));  // 2 values
  h.Add(TrialState::kComplete, Steps({0, 10}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));  // 3 values, 5 the best
}

TEST(SuccessiveHalvingPrunerTest, NanValue) {
  SuccessiveHalvingPruner pruner({.min_resource = 1, .reduction_factor = 2});
  History h;
  // NaN at a step that completes no rung: no decision.
  const int early = h.Add(TrialState::kRunning, Steps({kNaN}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(early)));
  // NaN at a rung: pruned, even when alone.
  const int at_rung = h.Add(TrialState::kRunning, Steps({0, kNaN}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(at_rung)));
  // No reports: no decision.
  const int silent = h.Add(TrialState::kRunning, {});
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(silent)));
}

TEST(SuccessiveHalvingPrunerTest, AutoMinResourceFromACompletedTrial) {
  // The COMPLETE trial's last step is 250: min_resource = 250 / 100 = 2;
  // with factor 4 the rungs complete at steps 2, 8, 32.
  History h;
  h.Add(TrialState::kComplete, {{0, 5}, {250, 4}});
  SuccessiveHalvingPruner pruner({.reduction_factor = 4});
  EXPECT_EQ(pruner.min_resource(), std::nullopt);
  const int n = h.Add(TrialState::kRunning, {{0, 1}, {1, 100}});
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));  // step 1 < 2
  EXPECT_EQ(pruner.min_resource(), 2);
  // Rung 0 at step 2: trial 0's value there is its first report at a step
  // >= 2, 4. {4, v}: only the best is promoted.
  h.Set(n, TrialState::kRunning, {{0, 1}, {1, 100}, {2, 5}});
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));
  h.Set(n, TrialState::kRunning, {{0, 1}, {1, 100}, {2, 3}});
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));
}

TEST(SuccessiveHalvingPrunerTest, AutoMinResourceLeavesOutStepsSeenBeforeTheEstimate) {
  // Run sequentially, the first trial is consulted at every step while no
  // trial is complete: Optuna records no rung for it, so it does not compete
  // later. Trial 1 (worse than trial 0 everywhere) is therefore alone at
  // rung 0 and promoted; trial 2 then competes with trial 1 only.
  const Reports first = {{0, 5}, {1, 4.5}, {2, 4}, {3, 3.5}, {250, 3}};
  SuccessiveHalvingPruner pruner({.reduction_factor = 4});
  History h;
  EXPECT_EQ(h.Run(pruner, first), -1);
  EXPECT_EQ(pruner.min_resource(), std::nullopt);
  EXPECT_EQ(h.Run(pruner, Steps({6, 6, 6, 6})), -1);  // steps 0..3: rung 0 at 2
  EXPECT_EQ(pruner.min_resource(), 2);
  EXPECT_EQ(h.Run(pruner, Steps({7, 7, 7, 7})), 2);  // {6, 7} at rung 0
  // A fresh pruner on the same history sees trial 0 at rung 0 (value 4): it
  // was never consulted for it. (Optuna's fresh pruner would find no rung
  // attribute on trial 0 and leave it out; hypertune keeps no such record.)
  SuccessiveHalvingPruner fresh({.reduction_factor = 4});
  EXPECT_EQ(h.Run(fresh, Steps({5, 5, 5})), 2);  // {4, 6, 7, 5} at rung 0
}

TEST(SuccessiveHalvingPrunerTest, StepsSeenBeforeTheEstimateByTheCurrentTrial) {
  // Trial 0 reports up to step 3 while nothing is complete; then trial 1
  // completes (min_resource 1, factor 2: rungs at 1, 2, 4). At its next
  // report, step 5, trial 0 is evaluated at rungs 0, 1, 2 at once, as in
  // Optuna, against trial 1's values 3, 3, 3.
  SuccessiveHalvingPruner pruner({.reduction_factor = 2});
  History h;
  const int t0 = h.Add(TrialState::kRunning, {});
  Reports r0;
  for (int64_t s = 0; s <= 3; ++s) {
    r0.emplace_back(s, 10.0);
    h.Set(t0, TrialState::kRunning, r0);
    EXPECT_FALSE(pruner.Prune(h.view(), h.trial(t0)));
  }
  h.Add(TrialState::kComplete, Steps({3, 3, 3, 3, 3, 3}));
  r0.emplace_back(5, 2.0);
  h.Set(t0, TrialState::kRunning, r0);
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(t0)));  // best at every rung
  EXPECT_EQ(pruner.min_resource(), 1);
  r0.back().second = 4.0;
  h.Set(t0, TrialState::kRunning, r0);
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(t0)));  // {3, 4} at rung 0
}

TEST(SuccessiveHalvingPrunerTest, RemembersWhichRungItPrunedAt) {
  // min_resource 1, factor 2: rungs at steps 1, 2, 4.
  History h;
  h.Add(TrialState::kComplete, Steps({10, 8, 6, 4, 2}));  // rungs 8, 6, 2
  SuccessiveHalvingPruner pruner({.min_resource = 1, .reduction_factor = 2});
  // Trial 1 reports 3 at step 4: promoted at rung 0 ({8, 3}) and rung 1
  // ({6, 3}), pruned at rung 2 ({2, 3}). It holds 3 in rungs 0, 1 and 2.
  EXPECT_EQ(h.Run(pruner, {{0, 10}, {4, 3}}), 1);
  // Trial 2 at step 2 competes at rung 1 with {6, 3}: 3.5 is not the best.
  const int n = h.Add(TrialState::kRunning, {{0, 10}, {1, 2.5}, {2, 3.5}});
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(n)));
  // Another instance did not see trial 1 pruned; from its reports alone
  // trial 1 failed rung 0 (the first completed at its last report), so rung 1
  // holds {6} and 3.5 is promoted.
  SuccessiveHalvingPruner other({.min_resource = 1, .reduction_factor = 2});
  EXPECT_FALSE(other.Prune(h.view(), h.trial(n)));
}

TEST(SuccessiveHalvingPrunerDeathTest, MultiObjectiveStudy) {
  TrialCache view(1, "mo", {StudyDirection::kMinimize, StudyDirection::kMaximize});
  FrozenTrial t = testing::MakeTrial(0, TrialState::kRunning, Steps({1}));
  view.Apply(t);
  SuccessiveHalvingPruner pruner({.min_resource = 1});
  EXPECT_DEATH(pruner.Prune(view, t), "multi-objective");
}

}  // namespace
}  // namespace hypertune
