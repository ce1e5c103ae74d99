#include "hypertune/core/hyperband_pruner.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/pruners/pruner_test_util.h"
#include "hypertune/core/successive_halving_pruner.h"
#include "src/core/pruners/crc32.h"

namespace hypertune {
namespace {

using testing::History;
using testing::Reports;
using testing::Steps;

TEST(Crc32Test, KnownValues) {
  // zlib / binascii.crc32 values.
  EXPECT_EQ(pruners_internal::Crc32(""), 0u);
  EXPECT_EQ(pruners_internal::Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(pruners_internal::Crc32("foo_0"), 3949227919u);
  EXPECT_EQ(pruners_internal::Crc32("foo_1"), 2623758105u);
}

TEST(HyperbandPrunerTest, Validate) {
  EXPECT_TRUE(HyperbandPrunerOptions{}.Validate().ok());
  EXPECT_TRUE(HyperbandPrunerOptions({.max_resource = 9, .bootstrap_count = 2}).Validate().ok());
  EXPECT_FALSE(HyperbandPrunerOptions{.min_resource = 0}.Validate().ok());
  EXPECT_FALSE(HyperbandPrunerOptions({.min_resource = 5, .max_resource = 4}).Validate().ok());
  EXPECT_FALSE(HyperbandPrunerOptions{.reduction_factor = 1}.Validate().ok());
  EXPECT_FALSE(HyperbandPrunerOptions({.max_resource = 9, .bootstrap_count = -1}).Validate().ok());
  auto bad = HyperbandPruner::Create({.bootstrap_count = 1});  // 'auto' max_resource
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bootstrap_count"), std::string::npos);
}

TEST(HyperbandPrunerTest, NumBracketsAsOptuna) {
  struct Case {
    int64_t min_resource, max_resource;
    int factor;
    int expected;  // Optuna: floor(math.log(max / min, factor)) + 1
  };
  const std::vector<Case> cases = {
      {1, 81, 3, 5},   {1, 100, 3, 5}, {1, 27, 3, 4},  {1, 9, 3, 3},   {1, 1, 3, 1},
      {1, 64, 4, 4},   {2, 16, 2, 4},  {1, 8, 2, 4},   {3, 100, 3, 4},
      // Floating-point quirks kept from Optuna: log(243) / log(3) is just
      // below 5, log(1000) / log(10) just below 3.
      {1, 243, 3, 5},  {1, 1000, 10, 3},
      // max_resource < min_resource ('auto' estimate): no bracket.
      {5, 3, 3, 0},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(HyperbandPruner::NumBrackets(cases[i].min_resource, cases[i].max_resource,
                                           cases[i].factor),
              cases[i].expected)
        << "row " << i;
  }
}

TEST(HyperbandPrunerTest, BracketBudgets) {
  // ceil(n * factor^s / (s + 1)), s = n - 1 - bracket.
  EXPECT_EQ(HyperbandPruner::BracketBudgets(5, 3), (std::vector<int64_t>{81, 34, 15, 8, 5}));
  EXPECT_EQ(HyperbandPruner::BracketBudgets(3, 3), (std::vector<int64_t>{9, 5, 3}));
  EXPECT_EQ(HyperbandPruner::BracketBudgets(4, 2), (std::vector<int64_t>{8, 6, 4, 4}));
  EXPECT_EQ(HyperbandPruner::BracketBudgets(1, 3), (std::vector<int64_t>{1}));
  // Huge brackets are capped without overflow; the last ones stay exact.
  const std::vector<int64_t> big = HyperbandPruner::BracketBudgets(64, 1 << 30);
  ASSERT_EQ(big.size(), 64u);
  EXPECT_EQ(big[63], 64);
  EXPECT_EQ(big[62], (int64_t{64} << 30) / 2);
  EXPECT_GT(big[0], int64_t{1} << 40);
}

TEST(HyperbandPrunerTest, BracketsAsOptuna) {
  // Optuna 3.1 HyperbandPruner(min_resource=1, max_resource=9,
  // reduction_factor=3)._get_bracket_id for trials 0..29 of study "hb-study".
  const std::vector<int> expected = {1, 0, 0, 2, 0, 2, 0, 0, 2, 2, 0, 0, 1, 2, 1,
                                     2, 2, 1, 2, 1, 2, 0, 0, 0, 2, 0, 1, 0, 0, 1};
  const std::vector<int64_t> budgets = {9, 5, 3};
  for (int k = 0; k < static_cast<int>(expected.size()); ++k) {
    EXPECT_EQ(HyperbandPruner::BracketFor("hb-study", k, budgets), expected[k]) << "trial " << k;
  }
  // Five brackets, study "foo" (Optuna: [0, 1, 0, 2, 0, 2, 0, 3, 0, 2, 0, 4]).
  const std::vector<int> foo = {0, 1, 0, 2, 0, 2, 0, 3, 0, 2, 0, 4};
  const std::vector<int64_t> budgets5 = HyperbandPruner::BracketBudgets(5, 3);
  for (int k = 0; k < static_cast<int>(foo.size()); ++k) {
    EXPECT_EQ(HyperbandPruner::BracketFor("foo", k, budgets5), foo[k]) << "trial " << k;
  }
  // Through the pruner, once max_resource is known.
  History h(StudyDirection::kMinimize, "hb-study");
  HyperbandPruner pruner({.max_resource = 9});
  EXPECT_EQ(pruner.n_brackets(), std::nullopt);  // not initialized before a call
  EXPECT_EQ(pruner.BracketOf(h.view(), 3), 2);
  EXPECT_EQ(pruner.n_brackets(), 3);
}

// Study "hb-study", max_resource 9, factor 3: brackets of trials 0..14 are
//   1 0 0 2 0 2 0 0 2 2 0 0 1 2 1
// Bracket b is an ASHA whose rungs complete at steps 3^b, 3^(b+1)...:
// bracket 0 at 1, 3, 9; bracket 1 at 3, 9; bracket 2 at 9.
// Trials not used by a test are WAITING without reports.
History HbHistory(int n_trials) {
  History h(StudyDirection::kMinimize, "hb-study");
  for (int k = 0; k < n_trials; ++k) h.Add(TrialState::kWaiting, {});
  return h;
}

TEST(HyperbandPrunerTest, TrialsCompeteOnlyWithinTheirBracket) {
  History h = HbHistory(4);
  // Trials 0 (bracket 1) and 3 (bracket 2) did far better than trial 1.
  h.Set(0, TrialState::kComplete, Steps({0.1, 0.1, 0.1, 0.1}));
  h.Set(3, TrialState::kComplete, Steps({0.1, 0.1, 0.1, 0.1}));
  HyperbandPruner pruner({.max_resource = 9});
  // Trial 1 (bracket 0) at step 1, rung 0: alone in its bracket, promoted.
  h.Set(1, TrialState::kRunning, Steps({5, 5}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(1)));
  // A plain ASHA with bracket 0's settings would compare it with them all.
  SuccessiveHalvingPruner sha({.min_resource = 1, .reduction_factor = 3});
  EXPECT_TRUE(sha.Prune(h.view(), h.trial(1)));
  // Trial 2, in bracket 0 too, reported 1 at step 1: {1, 5}, 5 is out.
  h.Set(2, TrialState::kComplete, Steps({1, 1}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(1)));
}

TEST(HyperbandPrunerTest, EachBracketHasItsOwnEarlyStoppingRate) {
  History h = HbHistory(13);
  h.Set(12, TrialState::kComplete, Steps({1, 1, 1, 1}));  // bracket 1
  HyperbandPruner pruner({.max_resource = 9});
  // Trial 0, bracket 1: rung 0 completes at step 3, not 1.
  h.Set(0, TrialState::kRunning, Steps({5, 5}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(0)));
  h.Set(0, TrialState::kRunning, Steps({5, 5, 5, 5}));
  EXPECT_TRUE(pruner.Prune(h.view(), h.trial(0)));  // {1, 5} at step 3
  h.Set(0, TrialState::kRunning, Steps({5, 5, 5, 0.5}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(0)));  // best; next rung at 9
  // Trial 3, bracket 2: nothing before step 9.
  h.Set(3, TrialState::kRunning, Steps({9, 9, 9, 9, 9, 9, 9, 9}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(3)));
}

TEST(HyperbandPrunerTest, AutoMaxResource) {
  History h(StudyDirection::kMinimize, "hb-study");
  HyperbandPruner pruner;  // min_resource 1, 'auto', factor 3
  // Nothing complete: no brackets, no pruning.
  EXPECT_EQ(h.Run(pruner, Steps({5, 5, 5, 5})), -1);  // trial 0
  EXPECT_EQ(pruner.max_resource(), std::nullopt);
  EXPECT_TRUE(pruner.BracketOf(h.view(), 0).has_value());  // trial 0 is COMPLETE now
  // Trial 0's last step 3 gives max_resource 4 and 2 brackets (log3(4)).
  EXPECT_EQ(pruner.max_resource(), 4);
  EXPECT_EQ(pruner.n_brackets(), 2);
}

TEST(HyperbandPrunerTest, StepsSeenBeforeInitializationAreNotRungs) {
  // Trial 2 (bracket 0) runs alone to completion: its rungs are never
  // recorded (Optuna's brackets do not exist yet). Trial 1 (bracket 0), far
  // worse, is then alone at rung 0 and promoted. Trial 0 (bracket 1) stays
  // WAITING.
  History h = HbHistory(3);
  HyperbandPruner pruner({.max_resource = 0});
  Reports r2;
  for (int64_t s = 0; s < 9; ++s) {
    r2.emplace_back(s, 1.0);
    h.Set(2, TrialState::kRunning, r2);
    EXPECT_FALSE(pruner.Prune(h.view(), h.trial(2)));
  }
  h.Set(2, TrialState::kComplete, r2);
  h.Set(1, TrialState::kRunning, Steps({5, 5}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(1)));
  EXPECT_EQ(pruner.n_brackets(), 3);  // max_resource 9
  // A pruner that never saw trial 2 running compares trial 1 with it.
  HyperbandPruner fresh({.max_resource = 0});
  EXPECT_TRUE(fresh.Prune(h.view(), h.trial(1)));
}

TEST(HyperbandPrunerTest, NoBracketWhenMaxResourceIsBelowMinResource) {
  History h(StudyDirection::kMinimize, "hb-study");
  h.Add(TrialState::kComplete, Steps({1, 1}));  // max_resource 'auto' = 2
  HyperbandPruner pruner({.min_resource = 3});
  const int n = h.Add(TrialState::kRunning, Steps({9, 9, 9, 9, 9, 9, 9, 9, 9, 9}));
  EXPECT_FALSE(pruner.Prune(h.view(), h.trial(n)));
  EXPECT_EQ(pruner.n_brackets(), 0);
  EXPECT_EQ(pruner.BracketOf(h.view(), n), std::nullopt);
}

}  // namespace
}  // namespace hypertune
