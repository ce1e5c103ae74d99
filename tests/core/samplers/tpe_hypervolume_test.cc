// Pareto ranks, hypervolumes and hypervolume subset selection (MOTPE), by
// hand and against Optuna 3.1 (values it prints for the same points).
#include <gtest/gtest.h>

#include <vector>

#include "hypertune/core/random.h"
#include "src/core/samplers/tpe/hypervolume.h"

namespace hypertune::tpe {
namespace {

PointSet Points(size_t m, std::vector<double> v) { return PointSet{m, std::move(v)}; }

TEST(HypervolumeTest, HandComputedVolumes) {
  // Staircase (1,3) (2,2) (3,1) under (4,4): 3 + 2 + 1.
  EXPECT_DOUBLE_EQ(Hypervolume(Points(2, {1, 3, 2, 2, 3, 1}), std::vector<double>{4, 4}), 6.0);
  // One box in 3-D; two boxes overlapping in a unit cube: 4 + 2 - 1.
  EXPECT_DOUBLE_EQ(Hypervolume(Points(3, {1, 1, 1}), std::vector<double>{2, 3, 4}), 6.0);
  EXPECT_DOUBLE_EQ(Hypervolume(Points(3, {1, 1, 2, 2, 2, 1}), std::vector<double>{3, 3, 3}), 5.0);
  // Points not better than the reference everywhere add nothing.
  EXPECT_DOUBLE_EQ(Hypervolume(Points(2, {1, 5, 5, 1}), std::vector<double>{4, 4}), 0.0);
}

TEST(HypervolumeTest, MatchesAGridCountInFourDimensions) {
  // Random points on a grid: count the dominated grid cells.
  Rng rng(3);
  const int g = 6;
  PointSet p{4, {}};
  for (int i = 0; i < 9; ++i) {
    for (int d = 0; d < 4; ++d) p.v.push_back(static_cast<double>(rng.UniformInt(g)));
  }
  int cells = 0;
  for (int a = 0; a < g; ++a)
    for (int b = 0; b < g; ++b)
      for (int c = 0; c < g; ++c)
        for (int e = 0; e < g; ++e) {
          const int cell[4] = {a, b, c, e};
          bool covered = false;
          for (size_t i = 0; i < p.size() && !covered; ++i) {
            bool in = true;
            for (int d = 0; d < 4; ++d) in &= p.row(i)[d] <= cell[d];
            covered = in;
          }
          cells += covered;
        }
  EXPECT_DOUBLE_EQ(Hypervolume(p, std::vector<double>(4, g)), cells);
}

TEST(HypervolumeTest, RanksSubsetsAndWeightsMatchOptuna) {
  // optuna.samplers._tpe.sampler._calculate_nondomination_rank: [0 1 1 1 0].
  EXPECT_EQ(NonDominationRanks(Points(2, {1, 1, 2, 2, 1, 3, 3, 1, 2, 0.5})),
            (std::vector<int>{0, 1, 1, 1, 0}));
  // _calculate_weights_below_for_multi_objective: [0.3 1 0.3] (reference
  // (3.3, 3.3): contributions 0.3, 1.0, 0.3).
  const std::vector<double> w = HypervolumeContributionWeights(Points(2, {1, 3, 2, 2, 3, 1}));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_NEAR(w[0], 0.3, 1e-9);
  EXPECT_NEAR(w[1], 1.0, 1e-12);
  EXPECT_NEAR(w[2], 0.3, 1e-9);
  // _solve_hssp on the front of (1,3) (2,2) (3,1) (0.5,6) (6,0.4) with
  // reference (6.6, 6.6): takes (2,2), then (1,3), then (3,1), then (6,0.4).
  const PointSet front = Points(2, {1, 3, 2, 2, 3, 1, 0.5, 6, 6, 0.4});
  const std::vector<double> ref = ReferencePoint(front);
  EXPECT_DOUBLE_EQ(ref[0], 6.6);
  EXPECT_DOUBLE_EQ(ref[1], 6.6);
  EXPECT_EQ(GreedyHypervolumeSubset(front, 2, ref), (std::vector<size_t>{1, 0}));
  EXPECT_EQ(GreedyHypervolumeSubset(front, 4, ref), (std::vector<size_t>{1, 0, 2, 4}));
}

}  // namespace
}  // namespace hypertune::tpe
