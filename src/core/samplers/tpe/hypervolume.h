// Pareto ranks and hypervolumes for multi-objective TPE (Optuna's MOTPE:
// the good trials are the best non-dominated fronts, the last one cut by
// greedy hypervolume subset selection, and each good trial is weighted by its
// hypervolume contribution). Every objective is minimized.
//
// Sizes: ranks are O(n^2 m) for n points of m objectives; hypervolumes use
// recursive slicing, O(n^(m-1) log n), meant for the few dozen points of a
// "below" set.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace hypertune::tpe {

// Points as rows of `m` values, row-major.
struct PointSet {
  size_t m = 0;
  std::vector<double> v;
  size_t size() const { return m == 0 ? 0 : v.size() / m; }
  const double* row(size_t i) const { return v.data() + i * m; }
};

// Non-domination rank of each point: 0 for the Pareto front, 1 for the front
// of what remains, and so on. a dominates b when a <= b everywhere and a < b
// somewhere.
std::vector<int> NonDominationRanks(const PointSet& points);

// The volume dominated by `points` and bounded by `reference` (points not
// strictly better than the reference in every objective add nothing).
double Hypervolume(const PointSet& points, std::span<const double> reference);

// Optuna's reference point for a set: max(1.1 w, 0.9 w) per objective, w
// the worst value, with 0 replaced by 1e-12.
std::vector<double> ReferencePoint(const PointSet& points);

// Greedy hypervolume subset selection: `k` of `points` (indices), each step
// taking the point that adds the most hypervolume to those taken.
std::vector<size_t> GreedyHypervolumeSubset(const PointSet& points, size_t k,
                                            std::span<const double> reference);

// Weight of each point of a "below" set: its hypervolume contribution (plus
// 1e-12), divided by the largest one. One point: 1.
std::vector<double> HypervolumeContributionWeights(const PointSet& points);

}  // namespace hypertune::tpe
