#include "src/core/samplers/tpe/hypervolume.h"

#include <algorithm>

namespace hypertune::tpe {
namespace {

constexpr double kEps = 1e-12;

bool Dominates(const double* a, const double* b, size_t m) {
  bool strictly = false;
  for (size_t d = 0; d < m; ++d) {
    if (a[d] > b[d]) return false;
    strictly |= a[d] < b[d];
  }
  return strictly;
}

// Hypervolume of `pts` in their first `d` objectives (recursive slicing
// along the last of them). Every point is strictly better than `ref`.
double Slice(std::vector<const double*>& pts, size_t d, const double* ref) {
  if (pts.empty()) return 0.0;
  if (d == 1) {
    double best = ref[0];
    for (const double* p : pts) best = std::min(best, p[0]);
    return ref[0] - best;
  }
  if (d == 2) {
    std::sort(pts.begin(), pts.end(), [](const double* a, const double* b) {
      return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]);
    });
    double hv = 0.0, floor = ref[1];
    for (const double* p : pts) {
      if (p[1] < floor) {
        hv += (ref[0] - p[0]) * (floor - p[1]);
        floor = p[1];
      }
    }
    return hv;
  }
  std::sort(pts.begin(), pts.end(),
            [d](const double* a, const double* b) { return a[d - 1] < b[d - 1]; });
  double hv = 0.0;
  std::vector<const double*> prefix;
  for (size_t i = 0; i < pts.size(); ++i) {
    prefix.push_back(pts[i]);
    const double hi = i + 1 < pts.size() ? pts[i + 1][d - 1] : ref[d - 1];
    const double depth = hi - pts[i][d - 1];
    if (depth <= 0.0) continue;
    std::vector<const double*> copy = prefix;
    hv += Slice(copy, d - 1, ref) * depth;
  }
  return hv;
}

double HypervolumeOfRows(const std::vector<const double*>& rows, size_t m,
                         std::span<const double> ref) {
  std::vector<const double*> pts;
  for (const double* p : rows) {
    bool inside = true;
    for (size_t d = 0; d < m; ++d) inside &= p[d] < ref[d];
    if (inside) pts.push_back(p);
  }
  return Slice(pts, m, ref.data());
}

}  // namespace

std::vector<int> NonDominationRanks(const PointSet& points) {
  const size_t n = points.size(), m = points.m;
  std::vector<int> rank(n, -1);
  std::vector<std::vector<size_t>> dominated(n);  // by i
  std::vector<int> count(n, 0);                   // points dominating i
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (Dominates(points.row(i), points.row(j), m)) {
        dominated[i].push_back(j);
        ++count[j];
      } else if (Dominates(points.row(j), points.row(i), m)) {
        dominated[j].push_back(i);
        ++count[i];
      }
    }
  }
  std::vector<size_t> front;
  for (size_t i = 0; i < n; ++i) {
    if (count[i] == 0) front.push_back(i);
  }
  for (int r = 0; !front.empty(); ++r) {
    std::vector<size_t> next;
    for (size_t i : front) {
      rank[i] = r;
      for (size_t j : dominated[i]) {
        if (--count[j] == 0) next.push_back(j);
      }
    }
    front = std::move(next);
  }
  return rank;
}

double Hypervolume(const PointSet& points, std::span<const double> reference) {
  std::vector<const double*> rows;
  for (size_t i = 0; i < points.size(); ++i) rows.push_back(points.row(i));
  return HypervolumeOfRows(rows, points.m, reference);
}

std::vector<double> ReferencePoint(const PointSet& points) {
  std::vector<double> ref(points.m, 0.0);
  for (size_t d = 0; d < points.m; ++d) {
    double worst = points.size() > 0 ? points.row(0)[d] : 0.0;
    for (size_t i = 1; i < points.size(); ++i) worst = std::max(worst, points.row(i)[d]);
    ref[d] = std::max(1.1 * worst, 0.9 * worst);
    if (ref[d] == 0.0) ref[d] = kEps;
  }
  return ref;
}

std::vector<size_t> GreedyHypervolumeSubset(const PointSet& points, size_t k,
                                            std::span<const double> reference) {
  const size_t n = points.size(), m = points.m;
  k = std::min(k, n);
  // contribution[j]: what point j would add to the points taken so far.
  std::vector<double> contribution(n);
  for (size_t j = 0; j < n; ++j) contribution[j] = HypervolumeOfRows({points.row(j)}, m, reference);
  std::vector<bool> taken(n, false);
  std::vector<size_t> out;
  std::vector<const double*> chosen;
  std::vector<std::vector<double>> clipped(n, std::vector<double>(m));
  double hv_chosen = 0.0;
  while (out.size() < k) {
    size_t best = n;
    for (size_t j = 0; j < n; ++j) {
      if (!taken[j] && (best == n || contribution[j] > contribution[best])) best = j;
    }
    taken[best] = true;
    const double* b = points.row(best);
    // Point j's volume now shared with `best` is what max(best, j) adds.
    for (size_t j = 0; j < n; ++j) {
      if (taken[j]) continue;
      const double* p = points.row(j);
      for (size_t d = 0; d < m; ++d) clipped[j][d] = std::max(b[d], p[d]);
      std::vector<const double*> with = chosen;
      with.push_back(clipped[j].data());
      contribution[j] -= HypervolumeOfRows(with, m, reference) - hv_chosen;
    }
    chosen.push_back(b);
    out.push_back(best);
    hv_chosen = HypervolumeOfRows(chosen, m, reference);
  }
  return out;
}

std::vector<double> HypervolumeContributionWeights(const PointSet& points) {
  const size_t n = points.size();
  if (n == 0) return {};
  if (n == 1) return {1.0};
  const std::vector<double> ref = ReferencePoint(points);
  std::vector<const double*> all;
  for (size_t i = 0; i < n; ++i) all.push_back(points.row(i));
  const double hv = HypervolumeOfRows(all, points.m, ref);
  std::vector<double> w(n);
  double max_w = 0.0;
  for (size_t i = 0; i < n; ++i) {
    std::vector<const double*> others;
    for (size_t j = 0; j < n; ++j) {
      if (j != i) others.push_back(all[j]);
    }
    w[i] = hv - HypervolumeOfRows(others, points.m, ref) + kEps;
    max_w = std::max(max_w, w[i]);
  }
  for (double& x : w) x = std::clamp(x / max_w, 0.0, 1.0);
  return w;
}

}  // namespace hypertune::tpe
