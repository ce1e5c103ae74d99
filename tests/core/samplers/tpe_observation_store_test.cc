// ObservationStore: the incremental ranking, columns and running set against
// brute-force recomputation; Optuna's ranking of PRUNED trials by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include "hypertune/core/random.h"
#include "src/core/samplers/tpe/observation_store.h"

namespace hypertune::tpe {
namespace {

auto kX = std::make_shared<const Distribution>(FloatDistribution{0, 1});

FrozenTrial Trial(int number, TrialState state, double value, double x,
                  std::vector<std::pair<int64_t, double>> reports = {}) {
  FrozenTrial t;
  t.number = number;
  t.state = state;
  if (state == TrialState::kComplete) t.values = {value};
  t.params.push_back({"x", kX, x});
  t.intermediate_values = std::move(reports);
  return t;
}

TEST(ObservationStoreTest, RanksCompleteThenPrunedByStepThenValue) {
  TrialCache cache(0, "s", {StudyDirection::kMinimize});
  cache.Apply(Trial(0, TrialState::kPruned, 0, 0.1, {{1, 0.5}, {3, 9.0}}));  // step 3, value 9
  cache.Apply(Trial(1, TrialState::kComplete, 5.0, 0.2));
  cache.Apply(Trial(2, TrialState::kPruned, 0, 0.3, {{3, 2.0}}));  // step 3, value 2
  cache.Apply(Trial(3, TrialState::kPruned, 0, 0.4));              // no report
  cache.Apply(Trial(4, TrialState::kComplete, 7.0, 0.5));
  cache.Apply(Trial(5, TrialState::kPruned, 0, 0.6, {{8, 100.0}}));  // step 8
  cache.Apply(Trial(6, TrialState::kFail, 0, 0.7));
  cache.Apply(Trial(7, TrialState::kRunning, 0, 0.8));
  ObservationStore store;
  store.Sync(cache);
  EXPECT_EQ(store.n_finished(), 6);
  // Order: 1 (5.0), 4 (7.0), 5 (step 8), 2 (step 3, 2.0), 0 (step 3, 9.0), 3.
  const std::vector<std::vector<int>> want = {
      {}, {1}, {1, 4}, {1, 4, 5}, {1, 2, 4, 5}, {0, 1, 2, 4, 5}, {0, 1, 2, 3, 4, 5}};
  for (int k = 0; k <= 6; ++k) EXPECT_EQ(store.Below(k), want[k]) << k;
  EXPECT_TRUE(store.IsBelow(2));
  EXPECT_FALSE(store.Below(2).empty() || store.IsBelow(2));
  EXPECT_EQ(store.running(), std::vector<int>{7});
  // Maximizing reverses the values, not the steps.
  TrialCache max_cache(0, "s", {StudyDirection::kMaximize});
  for (const FrozenTrial* t : cache.trials()) max_cache.Apply(*t);
  ObservationStore max_store;
  max_store.Sync(max_cache);
  EXPECT_EQ(max_store.Below(4), (std::vector<int>{0, 1, 4, 5}));  // 4 (7), 1 (5), 5, 0 (9)
}

TEST(ObservationStoreTest, IncrementalMatchesBruteForce) {
  TrialCache cache(0, "s", {StudyDirection::kMinimize});
  ObservationStore store;
  Rng rng(11);
  std::vector<FrozenTrial> all;
  for (int k = 0; k < 400; ++k) {
    // Trials start RUNNING and finish later, out of order.
    all.push_back(Trial(k, TrialState::kRunning, 0, rng.Uniform()));
    cache.Apply(all.back());
    for (int j = 0; j < 2; ++j) {
      const int pick = static_cast<int>(rng.UniformInt(all.size()));
      FrozenTrial& t = all[static_cast<size_t>(pick)];
      if (t.state != TrialState::kRunning) continue;
      const double u = rng.Uniform();
      t.state = u < 0.6 ? TrialState::kComplete : u < 0.8 ? TrialState::kPruned : TrialState::kFail;
      if (t.state == TrialState::kComplete) t.values = {rng.Uniform()};
      if (t.state == TrialState::kPruned)
        t.intermediate_values = {{static_cast<int64_t>(rng.UniformInt(3)), rng.Uniform()}};
      cache.Apply(t);
    }
    if (k % 37 != 0) continue;
    store.Sync(cache);
    // Brute force.
    std::vector<std::tuple<double, double, int>> keys;
    std::vector<int> running, with_x;
    for (const FrozenTrial& t : all) {
      if (t.state == TrialState::kRunning) running.push_back(t.number);
      if (t.state == TrialState::kComplete) keys.emplace_back(-1e300, t.values[0], t.number);
      if (t.state == TrialState::kPruned) {
        keys.emplace_back(-static_cast<double>(t.intermediate_values[0].first),
                          t.intermediate_values[0].second, t.number);
      }
      if (t.state == TrialState::kComplete || t.state == TrialState::kPruned)
        with_x.push_back(t.number);
    }
    std::sort(keys.begin(), keys.end());
    ASSERT_EQ(store.n_finished(), static_cast<int>(keys.size()));
    const int n_below = static_cast<int>(keys.size()) / 4;
    std::vector<int> below;
    for (int i = 0; i < n_below; ++i) below.push_back(std::get<2>(keys[static_cast<size_t>(i)]));
    std::sort(below.begin(), below.end());
    EXPECT_EQ(store.Below(n_below), below);
    EXPECT_EQ(store.running(), running);
    ASSERT_NE(store.FindColumn("x"), nullptr);
    EXPECT_EQ(store.FindColumn("x")->chrono, with_x);
    const auto& sorted = store.SortedEntries("x");
    ASSERT_EQ(sorted.size(), with_x.size());
    for (size_t i = 0; i < sorted.size(); ++i) {
      EXPECT_EQ(sorted[i].key, all[static_cast<size_t>(sorted[i].number)].params[0].internal);
      if (i > 0) {
        EXPECT_LE(sorted[i - 1].key, sorted[i].key);
      }
    }
  }
}

TEST(ObservationStoreTest, MultiObjectiveBelowIsFrontsThenHypervolumeSubset) {
  // Optuna 3.1's _split_observation_pairs on these losses: 2 below -> trials
  // {1, 0}; 4 below -> {1, 0, 2, 5}. Trial 3 is dominated; 6 is pruned (not
  // counted in multi-objective studies).
  TrialCache cache(0, "s", {StudyDirection::kMinimize, StudyDirection::kMaximize});
  const double losses[][2] = {{1, 3}, {2, 2}, {3, 1}, {5, 5}, {0.5, 6}, {6, 0.4}};
  for (int k = 0; k < 6; ++k) {
    FrozenTrial t = Trial(k, TrialState::kComplete, 0, 0.5);
    t.values = {losses[k][0], -losses[k][1]};  // the second objective is maximized
    cache.Apply(t);
  }
  cache.Apply(Trial(6, TrialState::kPruned, 0, 0.5, {{1, 0.0}}));
  ObservationStore store;
  store.Sync(cache);
  EXPECT_TRUE(store.multi_objective());
  EXPECT_EQ(store.n_finished(), 6);
  EXPECT_EQ(store.Below(2), (std::vector<int>{0, 1}));
  EXPECT_EQ(store.Below(4), (std::vector<int>{0, 1, 2, 5}));
  // Weights: hypervolume contributions within the below set, the largest 1
  // (Optuna's _calculate_weights_below_for_multi_objective:
  // [0.1, 0.3333, 1.0, 0.12] for trials 0, 1, 2, 5).
  EXPECT_NEAR(store.BelowWeight(0), 0.10000000000030025, 1e-12);
  EXPECT_NEAR(store.BelowWeight(1), 0.3333333333335557, 1e-12);
  EXPECT_NEAR(store.BelowWeight(2), 1.0, 1e-12);
  EXPECT_NEAR(store.BelowWeight(5), 0.12000000000029316, 1e-12);
}

TEST(ObservationStoreTest, StartsOverOnAnotherView) {
  TrialCache a(0, "s", {StudyDirection::kMinimize});
  a.Apply(Trial(0, TrialState::kComplete, 1.0, 0.5));
  a.Apply(Trial(1, TrialState::kComplete, 0.5, 0.5));
  ObservationStore store;
  store.Sync(a);
  EXPECT_EQ(store.n_finished(), 2);
  TrialCache b(1, "other", {StudyDirection::kMinimize});
  b.Apply(Trial(0, TrialState::kComplete, 3.0, 0.5));
  store.Sync(b);
  EXPECT_EQ(store.n_finished(), 1);
  EXPECT_EQ(store.Below(1), std::vector<int>{0});
  EXPECT_EQ(store.FindColumn("x")->chrono, std::vector<int>{0});
}

}  // namespace
}  // namespace hypertune::tpe
