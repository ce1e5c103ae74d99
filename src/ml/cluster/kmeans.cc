// K-Means: greedy k-means++ and Lloyd's and Hamerly's algorithms.
//
// Both algorithms share everything but the assignment step: the centroid
// update (sums over fixed chunks of rows, added in chunk order), the
// relocation of empty clusters, the stopping rule and the final inertia. The
// assignment compares squared distances computed by one kernel, and Hamerly's
// bounds only skip a row when its nearest centroid is certain with a margin,
// so both choose the same nearest centroid for every row, and the runs are
// identical.
#include "hypertune/ml/kmeans.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "hypertune/core/random.h"
#include "src/ml/cluster/chunk_runner.h"

namespace hypertune::ml {
namespace {

using internal::ChunkRunner;
using Matrix = Eigen::Ref<const RowMajorMatrixXd>;

// Rows per chunk: the unit of parallel work and of the partial sums.
constexpr int64_t kChunk = 2048;

// The data as raw rows.
struct Rows {
  const double* data;
  int64_t stride;
  int64_t n;
  int d;
  const double* row(int64_t i) const { return data + i * stride; }
};

double SquaredDistance(const double* a, const double* b, int d) {
  double s = 0.0;
  for (int f = 0; f < d; ++f) {
    const double t = a[f] - b[f];
    s += t * t;
  }
  return s;
}

// SquaredDistance(x.row(i), center(i)) for i in [begin, end), passed to
// sink(i, value): four rows at a time, as four independent sums (the same
// bits as one at a time, several times faster).
template <class Center, class Sink>
void ForEachSquaredDistance(const Rows& x, int64_t begin, int64_t end, const Center& center,
                            const Sink& sink) {
  int64_t i = begin;
  for (; i + 4 <= end; i += 4) {
    const double* a[4] = {x.row(i), x.row(i + 1), x.row(i + 2), x.row(i + 3)};
    const double* b[4] = {center(i), center(i + 1), center(i + 2), center(i + 3)};
    double acc[4] = {};
    for (int f = 0; f < x.d; ++f) {
      for (int r = 0; r < 4; ++r) {
        const double t = a[r][f] - b[r][f];
        acc[r] += t * t;
      }
    }
    for (int r = 0; r < 4; ++r) sink(i + r, acc[r]);
  }
  for (; i < end; ++i) sink(i, SquaredDistance(x.row(i), center(i), x.d));
}

// 2 doubles in GCC's and Clang's vector extension (one SSE2 register): the
// element-wise operations are the scalar ones, lane by lane, so vectorized
// sums round as scalar ones do.
typedef double Vec2 __attribute__((vector_size(16)));

inline Vec2 Load2(const double* p) {
  Vec2 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// R rows x 2V lanes of distances: out[r * stride + l] is the squared distance
// from xs[r] to centroid t[.. + l], summed over the features in order, as in
// SquaredDistance. The R x V vector sums are independent, so several are in
// flight at once.
template <int R, int V>
inline void DistanceBlock(const double* const* xs, const double* t, int d, int kp, double* out,
                          int stride) {
  Vec2 acc[R][V] = {};
  for (int f = 0; f < d; ++f) {
    const double* row = t + static_cast<size_t>(f) * kp;
    for (int r = 0; r < R; ++r) {
      const double xf = xs[r][f];
      for (int v = 0; v < V; ++v) {
        const Vec2 diff = xf - Load2(row + 2 * v);
        acc[r][v] += diff * diff;
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) std::memcpy(out + r * stride + 2 * v, &acc[r][v], sizeof(Vec2));
  }
}

// Centroids, row-major (k x d) and transposed with k padded to a multiple of
// 4 (d x kp), so that the distances from one row to all centroids are a few
// vectorized passes over its features. Each lane adds the features in the
// same order as SquaredDistance, so both give the same bits, and the choice
// of the nearest centroid does not depend on which of the two computed it.
struct Centroids {
  int k = 0, d = 0, kp = 0;
  RowMajorMatrixXd c;
  std::vector<double> t;

  void Set(const RowMajorMatrixXd& centroids) {
    c = centroids;
    k = static_cast<int>(c.rows());
    d = static_cast<int>(c.cols());
    kp = (k + 3) / 4 * 4;
    t.assign(static_cast<size_t>(d) * kp, 0.0);
    for (int j = 0; j < k; ++j) {
      for (int f = 0; f < d; ++f) t[static_cast<size_t>(f) * kp + j] = c(j, f);
    }
  }

  // out[0..kp): squared distances from x to every centroid (the padding
  // lanes hold distances to the origin).
  void DistancesTo(const double* x, double* out) const {
    int j = 0;
    for (; j + 16 <= kp; j += 16) DistanceBlock<1, 8>(&x, t.data() + j, d, kp, out + j, kp);
    if (j + 8 <= kp) {
      DistanceBlock<1, 4>(&x, t.data() + j, d, kp, out + j, kp);
      j += 8;
    }
    if (j < kp) DistanceBlock<1, 2>(&x, t.data() + j, d, kp, out + j, kp);
  }

  // The same for 4 rows: out[r * kp + j].
  void DistancesTo4(const double* const* xs, double* out) const {
    for (int j = 0; j < kp; j += 4) DistanceBlock<4, 2>(xs, t.data() + j, d, kp, out + j, kp);
  }

  double DistanceTo(const double* x, int j) const { return SquaredDistance(x, &c(j, 0), d); }
};

struct Nearest {
  int32_t index;
  double d2;
  double second_d2;  // to the second-nearest centroid (+inf when k = 1)
};

Nearest FindNearest(const double* d2, int k) {
  Nearest r{0, d2[0], std::numeric_limits<double>::infinity()};
  for (int j = 1; j < k; ++j) {
    if (d2[j] < r.d2) {
      r.second_d2 = r.d2;
      r.d2 = d2[j];
      r.index = j;
    } else if (d2[j] < r.second_d2) {
      r.second_d2 = d2[j];
    }
  }
  return r;
}

int32_t Argmin(const double* d2, int k) {
  int32_t best = 0;
  for (int j = 1; j < k; ++j) {
    if (d2[j] < d2[best]) best = j;
  }
  return best;
}

// Per-chunk partial results, combined in chunk order.
struct Partials {
  int64_t n_chunks = 0;
  int k = 0, d = 0;
  std::vector<double> sums;     // [chunk][k][d]
  std::vector<int64_t> counts;  // [chunk][k]
  std::vector<int64_t> changed;
  std::vector<double> scalar;  // [chunk], e.g. an inertia

  Partials(int64_t n, int k_, int d_)
      : n_chunks((n + kChunk - 1) / kChunk),
        k(k_),
        d(d_),
        sums(static_cast<size_t>(n_chunks) * k * d),
        counts(static_cast<size_t>(n_chunks) * k),
        changed(n_chunks),
        scalar(n_chunks) {}

  double* chunk_sums(int64_t c) { return sums.data() + static_cast<size_t>(c) * k * d; }
  int64_t* chunk_counts(int64_t c) { return counts.data() + static_cast<size_t>(c) * k; }

  void Clear(int64_t c) {
    std::fill_n(chunk_sums(c), static_cast<size_t>(k) * d, 0.0);
    std::fill_n(chunk_counts(c), k, 0);
    changed[c] = 0;
  }
  double ScalarSum() const {
    double s = 0.0;
    for (double v : scalar) s += v;
    return s;
  }
};

class SingleRun {
 public:
  SingleRun(const Rows& x, const KMeansOptions& o, double tol, double slack, ChunkRunner& runner)
      : x_(x),
        k_(o.n_clusters),
        d_(x.d),
        max_iter_(o.max_iter),
        tol_(tol),
        slack_(slack),
        hamerly_(o.algorithm == KMeansAlgorithm::kHamerly),
        runner_(runner),
        partials_(x.n, o.n_clusters, x.d),
        labels_(x.n, -1) {
    if (hamerly_) {
      upper_.assign(x.n, 0.0);
      lower_.assign(x.n, 0.0);
      drift_.assign(k_, 0.0);
    }
  }

  KMeansResult Fit(const RowMajorMatrixXd& init) {
    centroids_.Set(init);
    bool strict = false;
    int iter = 0;
    for (; iter < max_iter_; ++iter) {
      const int64_t changed = Assign(/*update=*/true);
      const double shift = UpdateCentroids();
      if (changed == 0) {
        // The centroids are the means of their rows again (bit for bit,
        // unless an empty cluster was moved), as scikit-learn stops.
        strict = true;
        break;
      }
      if (shift <= tol_) break;
    }
    if (iter == max_iter_) iter = max_iter_ - 1;
    if (!strict) Assign(/*update=*/false);
    KMeansResult r;
    r.centroids = centroids_.c;
    r.labels = labels_;
    r.inertia = ComputeInertia();
    r.n_iter = iter + 1;
    return r;
  }

 private:
  int64_t ChunkEnd(int64_t c) const { return std::min(x_.n, (c + 1) * kChunk); }

  // Assigns every row to its nearest centroid; with `update`, also adds the
  // rows to the per-chunk sums. Returns how many labels changed.
  int64_t Assign(bool update) {
    if (hamerly_) PrepareHamerly();
    runner_.Run(partials_.n_chunks, [&](int64_t c) {
      partials_.Clear(c);
      ChunkOutput out{labels_.data(), update ? partials_.chunk_sums(c) : nullptr,
                      update ? partials_.chunk_counts(c) : nullptr};
      partials_.changed[c] = hamerly_ ? HamerlyChunk(c * kChunk, ChunkEnd(c), out)
                                      : LloydChunk(c * kChunk, ChunkEnd(c), out);
    });
    first_ = false;
    int64_t changed = 0;
    for (int64_t v : partials_.changed) changed += v;
    return changed;
  }

  struct ChunkOutput {
    int32_t* labels;
    double* sums;     // k x d, or null
    int64_t* counts;  // k, or null
  };

  // Records the label of row i; returns 1 if it changed.
  int64_t Record(int64_t i, int32_t label, const double* xi, const ChunkOutput& out) const {
    const int64_t changed = label != out.labels[i];
    out.labels[i] = label;
    if (out.sums != nullptr) {
      double* s = out.sums + static_cast<size_t>(label) * d_;
      for (int f = 0; f < d_; ++f) s[f] += xi[f];
      ++out.counts[label];
    }
    return changed;
  }

  int64_t LloydChunk(int64_t begin, int64_t end, const ChunkOutput& out) const {
    const int kp = centroids_.kp;
    std::vector<double> buffer(4 * static_cast<size_t>(kp));
    double* d2 = buffer.data();
    int64_t changed = 0;
    int64_t i = begin;
    for (; i + 4 <= end; i += 4) {
      const double* xs[4] = {x_.row(i), x_.row(i + 1), x_.row(i + 2), x_.row(i + 3)};
      centroids_.DistancesTo4(xs, d2);
      for (int r = 0; r < 4; ++r) changed += Record(i + r, Argmin(d2 + r * kp, k_), xs[r], out);
    }
    for (; i < end; ++i) {
      const double* xi = x_.row(i);
      centroids_.DistancesTo(xi, d2);
      changed += Record(i, Argmin(d2, k_), xi, out);
    }
    return changed;
  }

  // Half the distance from each centroid to its nearest other centroid, and
  // the largest and second-largest drift of the last update.
  void PrepareHamerly() {
    half_gap_.assign(k_, std::numeric_limits<double>::infinity());
    for (int a = 0; a < k_; ++a) {
      for (int b = a + 1; b < k_; ++b) {
        const double g =
            0.5 * std::sqrt(SquaredDistance(&centroids_.c(a, 0), &centroids_.c(b, 0), d_));
        half_gap_[a] = std::min(half_gap_[a], g);
        half_gap_[b] = std::min(half_gap_[b], g);
      }
    }
    max_drift_ = 0.0;
    second_drift_ = 0.0;
    max_drift_index_ = -1;
    for (int j = 0; j < k_; ++j) {
      if (drift_[j] > max_drift_) {
        second_drift_ = max_drift_;
        max_drift_ = drift_[j];
        max_drift_index_ = j;
      } else if (drift_[j] > second_drift_) {
        second_drift_ = drift_[j];
      }
    }
  }

  // Hamerly's test: u bounds the distance to the assigned centroid a from
  // above, l the distance to every other from below, and no other centroid is
  // nearer than half_gap[a]. When u + slack < max(l, half_gap[a]), a is the
  // nearest by more than rounding can change, so the distances need not be
  // computed; otherwise the row is done in full, as in Lloyd's.
  int64_t HamerlyChunk(int64_t begin, int64_t end, const ChunkOutput& out) {
    std::vector<double> buffer(centroids_.kp);
    double* d2 = buffer.data();
    double* upper = upper_.data();
    double* lower = lower_.data();
    const double* drift = drift_.data();
    const double* half_gap = half_gap_.data();
    const double slack = slack_, max_drift = max_drift_, second_drift = second_drift_;
    const int max_index = max_drift_index_;
    const bool first = first_;
    int64_t changed = 0;
    for (int64_t i = begin; i < end; ++i) {
      const double* xi = x_.row(i);
      const int32_t a = out.labels[i];
      if (!first) {
        double u = upper[i] + drift[a];
        const double l = lower[i] - (a == max_index ? second_drift : max_drift);
        const double m = std::max(l, half_gap[a]);
        if (u + slack >= m) u = std::sqrt(centroids_.DistanceTo(xi, a));
        upper[i] = u;
        lower[i] = l;
        if (u + slack < m) {
          changed += Record(i, a, xi, out);
          continue;
        }
      }
      centroids_.DistancesTo(xi, d2);
      const Nearest nearest = FindNearest(d2, k_);
      upper[i] = std::sqrt(nearest.d2);
      lower[i] = std::sqrt(nearest.second_d2);
      changed += Record(i, nearest.index, xi, out);
    }
    return changed;
  }

  // New centroids from the chunk sums, empty clusters relocated. Returns the
  // sum of the squared centroid movements (scikit-learn's center_shift_tot).
  double UpdateCentroids() {
    RowMajorMatrixXd sums = RowMajorMatrixXd::Zero(k_, d_);
    std::vector<int64_t> counts(k_, 0);
    for (int64_t c = 0; c < partials_.n_chunks; ++c) {
      const double* s = partials_.chunk_sums(c);
      const int64_t* n = partials_.chunk_counts(c);
      for (int j = 0; j < k_; ++j) {
        counts[j] += n[j];
        for (int f = 0; f < d_; ++f) sums(j, f) += s[static_cast<size_t>(j) * d_ + f];
      }
    }
    if (std::find(counts.begin(), counts.end(), 0) != counts.end()) {
      RelocateEmpty(sums, counts);
    }
    RowMajorMatrixXd next(k_, d_);
    for (int j = 0; j < k_; ++j) {
      for (int f = 0; f < d_; ++f) next(j, f) = sums(j, f) / static_cast<double>(counts[j]);
    }
    double shift = 0.0;
    for (int j = 0; j < k_; ++j) {
      const double move2 = SquaredDistance(&next(j, 0), &centroids_.c(j, 0), d_);
      shift += move2;
      if (hamerly_) drift_[j] = std::sqrt(move2);
    }
    centroids_.Set(next);
    return shift;
  }

  // scikit-learn's relocation: each empty cluster takes the row farthest from
  // its centroid (largest first, ties to the lowest index), which leaves its
  // old cluster. Rows alone in their cluster are passed over, so that no
  // cluster is emptied in turn.
  void RelocateEmpty(RowMajorMatrixXd& sums, std::vector<int64_t>& counts) {
    std::vector<int> empty;
    for (int j = 0; j < k_; ++j) {
      if (counts[j] == 0) empty.push_back(j);
    }
    std::vector<double> far(x_.n);
    runner_.Run(partials_.n_chunks, [&](int64_t c) {
      ForEachSquaredDistance(
          x_, c * kChunk, ChunkEnd(c), [&](int64_t i) { return &centroids_.c(labels_[i], 0); },
          [&](int64_t i, double d2) { far[i] = d2; });
    });
    std::vector<int64_t> order(x_.n);
    std::iota(order.begin(), order.end(), int64_t{0});
    std::sort(order.begin(), order.end(),
              [&](int64_t a, int64_t b) { return far[a] != far[b] ? far[a] > far[b] : a < b; });
    size_t next = 0;
    for (int j : empty) {
      while (counts[labels_[order[next]]] <= 1) ++next;  // k <= n: one has 2 or more
      const int64_t i = order[next++];
      const int32_t old = labels_[i];
      const double* xi = x_.row(i);
      for (int f = 0; f < d_; ++f) {
        sums(old, f) -= xi[f];
        sums(j, f) = xi[f];
      }
      --counts[old];
      counts[j] = 1;
    }
  }

  double ComputeInertia() {
    runner_.Run(partials_.n_chunks, [&](int64_t c) {
      double s = 0.0;
      ForEachSquaredDistance(
          x_, c * kChunk, ChunkEnd(c), [&](int64_t i) { return &centroids_.c(labels_[i], 0); },
          [&](int64_t, double d2) { s += d2; });
      partials_.scalar[c] = s;
    });
    return partials_.ScalarSum();
  }

  const Rows& x_;
  const int k_, d_, max_iter_;
  const double tol_, slack_;
  const bool hamerly_;
  ChunkRunner& runner_;
  Partials partials_;
  Centroids centroids_;
  std::vector<int32_t> labels_;
  // Hamerly's state.
  bool first_ = true;
  std::vector<double> upper_, lower_, drift_, half_gap_;
  double max_drift_ = 0.0, second_drift_ = 0.0;
  int max_drift_index_ = -1;
};

// Greedy k-means++ (scikit-learn's _kmeans_plusplus): the first centroid is
// a random row; each next one is the best, by the resulting potential (sum of
// squared distances to the nearest centroid), of 2 + floor(ln k) rows drawn
// with probability proportional to their squared distance to the nearest
// centroid so far.
RowMajorMatrixXd KMeansPlusPlus(const Rows& x, int k, Rng& rng, ChunkRunner& runner) {
  const int64_t n = x.n;
  const int d = x.d;
  const int64_t n_chunks = (n + kChunk - 1) / kChunk;
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(k)));
  RowMajorMatrixXd centers(k, d);
  std::vector<double> closest(n), cumulative(n);
  std::vector<double> pots(static_cast<size_t>(n_chunks) * trials);

  int64_t first = static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(n)));
  for (int f = 0; f < d; ++f) centers(0, f) = x.row(first)[f];
  runner.Run(n_chunks, [&](int64_t c) {
    ForEachSquaredDistance(
        x, c * kChunk, std::min(n, (c + 1) * kChunk), [&](int64_t) { return x.row(first); },
        [&](int64_t i, double d2) { closest[i] = d2; });
  });

  std::vector<int64_t> candidates(trials);
  for (int c = 1; c < k; ++c) {
    double total = 0.0;
    for (int64_t i = 0; i < n; ++i) cumulative[i] = total += closest[i];
    for (int t = 0; t < trials; ++t) {
      if (total > 0.0) {
        // upper_bound: the first row whose cumulative weight exceeds the draw,
        // so rows of weight 0 (already centroids) are never drawn.
        const double u = rng.Uniform() * total;
        candidates[t] = std::min<int64_t>(
            n - 1, std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
      } else {
        // Every row is a centroid already (fewer distinct rows than k).
        candidates[t] = static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(n)));
      }
    }
    // The distances from each row to all candidates at once, as to centroids.
    RowMajorMatrixXd candidate_rows(trials, d);
    for (int t = 0; t < trials; ++t) {
      for (int f = 0; f < d; ++f) candidate_rows(t, f) = x.row(candidates[t])[f];
    }
    Centroids cand;
    cand.Set(candidate_rows);
    runner.Run(n_chunks, [&](int64_t ch) {
      std::vector<double> buffer(4 * static_cast<size_t>(cand.kp));
      double* d2 = buffer.data();
      double* pot = pots.data() + static_cast<size_t>(ch) * trials;
      std::fill_n(pot, trials, 0.0);
      const int64_t end = std::min(n, (ch + 1) * kChunk);
      int64_t i = ch * kChunk;
      for (; i + 4 <= end; i += 4) {
        const double* xs[4] = {x.row(i), x.row(i + 1), x.row(i + 2), x.row(i + 3)};
        cand.DistancesTo4(xs, d2);
        for (int r = 0; r < 4; ++r) {
          for (int t = 0; t < trials; ++t) pot[t] += std::min(closest[i + r], d2[r * cand.kp + t]);
        }
      }
      for (; i < end; ++i) {
        cand.DistancesTo(x.row(i), d2);
        for (int t = 0; t < trials; ++t) pot[t] += std::min(closest[i], d2[t]);
      }
    });
    int best = 0;
    double best_pot = std::numeric_limits<double>::infinity();
    for (int t = 0; t < trials; ++t) {
      double pot = 0.0;
      for (int64_t ch = 0; ch < n_chunks; ++ch) pot += pots[static_cast<size_t>(ch) * trials + t];
      if (pot < best_pot) {
        best_pot = pot;
        best = t;
      }
    }
    const double* chosen = x.row(candidates[best]);
    for (int f = 0; f < d; ++f) centers(c, f) = chosen[f];
    runner.Run(n_chunks, [&](int64_t ch) {
      ForEachSquaredDistance(
          x, ch * kChunk, std::min(n, (ch + 1) * kChunk), [&](int64_t) { return chosen; },
          [&](int64_t i, double d2) { closest[i] = std::min(closest[i], d2); });
    });
  }
  return centers;
}

RowMajorMatrixXd RandomRows(const Rows& x, int k, Rng& rng) {
  std::vector<int64_t> index(x.n);
  std::iota(index.begin(), index.end(), int64_t{0});
  RowMajorMatrixXd centers(k, x.d);
  for (int j = 0; j < k; ++j) {
    const int64_t pick = j + static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(x.n - j)));
    std::swap(index[j], index[pick]);
    for (int f = 0; f < x.d; ++f) centers(j, f) = x.row(index[j])[f];
  }
  return centers;
}

Status CheckFinite(const Matrix& m, std::string_view name) {
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      if (!std::isfinite(m(i, j))) {
        return Status::InvalidArgument(std::string(name) + "[" + std::to_string(i) + ", " +
                                       std::to_string(j) + "] is " +
                                       (std::isnan(m(i, j)) ? "NaN" : "infinite"));
      }
    }
  }
  return Status::Ok();
}

Status Validate(const Matrix& x, const KMeansOptions& o) {
  if (x.rows() == 0 || x.cols() == 0) {
    return Status::InvalidArgument("k-means: x is empty (" + std::to_string(x.rows()) + " x " +
                                   std::to_string(x.cols()) + ")");
  }
  if (x.rows() > std::numeric_limits<int32_t>::max() / 2) {
    return Status::InvalidArgument("k-means: too many rows");
  }
  if (o.n_clusters < 1 || o.n_clusters > x.rows()) {
    return Status::InvalidArgument("k-means: n_clusters is " + std::to_string(o.n_clusters) +
                                   "; it must be in 1..n_rows = " + std::to_string(x.rows()));
  }
  if (o.n_init < 1) {
    return Status::InvalidArgument("k-means: n_init is " + std::to_string(o.n_init) +
                                   "; it must be at least 1");
  }
  if (o.max_iter < 1) {
    return Status::InvalidArgument("k-means: max_iter is " + std::to_string(o.max_iter) +
                                   "; it must be at least 1");
  }
  if (!(o.tol >= 0.0) || !std::isfinite(o.tol)) {
    return Status::InvalidArgument("k-means: tol is " + std::to_string(o.tol) +
                                   "; it must be finite and >= 0");
  }
  if (o.n_threads < 0) {
    return Status::InvalidArgument("k-means: n_threads is " + std::to_string(o.n_threads) +
                                   "; it must be >= 0 (0: all hardware threads)");
  }
  if (o.initial_centroids) {
    const RowMajorMatrixXd& c = *o.initial_centroids;
    if (c.rows() != o.n_clusters || c.cols() != x.cols()) {
      return Status::InvalidArgument(
          "k-means: initial_centroids is " + std::to_string(c.rows()) + " x " +
          std::to_string(c.cols()) + "; expected n_clusters x n_features = " +
          std::to_string(o.n_clusters) + " x " + std::to_string(x.cols()));
    }
    HT_RETURN_IF_ERROR(CheckFinite(c, "k-means: initial_centroids"));
  }
  return Status::Ok();  // x's values are checked with its statistics
}

// Per-feature statistics of x in one pass over the rows (x may be far larger
// than the cache). The variance comes from sums of x - x_0, shifted by the
// first row so that a large mean does not cancel it away.
struct FeatureStats {
  std::vector<double> variance, low, high;
  bool finite = true;
};

FeatureStats ComputeFeatureStats(const Rows& x) {
  const int d = x.d;
  const double* first = x.row(0);
  FeatureStats s{std::vector<double>(d, 0.0), std::vector<double>(first, first + d),
                 std::vector<double>(first, first + d)};
  std::vector<double> sum(d, 0.0), sum2(d, 0.0);
  for (int64_t i = 0; i < x.n; ++i) {
    const double* r = x.row(i);
    for (int f = 0; f < d; ++f) {
      const double v = r[f] - first[f];
      sum[f] += v;
      sum2[f] += v * v;
      s.low[f] = std::min(s.low[f], r[f]);
      s.high[f] = std::max(s.high[f], r[f]);
    }
  }
  const double n = static_cast<double>(x.n);
  for (int f = 0; f < d; ++f) {
    // NaN propagates into the sums; an infinity makes them infinite or NaN.
    s.finite = s.finite && std::isfinite(sum2[f]) && std::isfinite(s.high[f] - s.low[f]);
    s.variance[f] = std::max(0.0, (sum2[f] - sum[f] * sum[f] / n) / n);
  }
  return s;
}

// scikit-learn's _tolerance: tol times the mean over features of np.var.
double AbsoluteTolerance(const FeatureStats& s, double tol) {
  if (tol == 0.0) return 0.0;
  double total = 0.0;
  for (double v : s.variance) total += v;
  return total / static_cast<double>(s.variance.size()) * tol;
}

// How far rounding may carry the bounds from the true distances, with room to
// spare: relative to the diagonal of the data's bounding box, which no
// distance between rows or centroids exceeds, and growing with the
// iterations over which the bounds accumulate drifts.
double BoundSlack(const FeatureStats& s, int max_iter) {
  double diag2 = 0.0;
  for (size_t f = 0; f < s.low.size(); ++f)
    diag2 += (s.high[f] - s.low[f]) * (s.high[f] - s.low[f]);
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  return std::sqrt(diag2) * kEps *
         (1024.0 + 16.0 * static_cast<double>(s.low.size()) + 16.0 * max_iter);
}

}  // namespace

Result<KMeansResult> FitKMeans(const Matrix& x, const KMeansOptions& options) {
  HT_RETURN_IF_ERROR(Validate(x, options));
  const Rows rows{x.data(), x.outerStride(), x.rows(), static_cast<int>(x.cols())};
  const FeatureStats stats = ComputeFeatureStats(rows);
  if (!stats.finite) return CheckFinite(x, "k-means: x");  // names the first offender
  int n_threads = options.n_threads;
  if (n_threads == 0)
    n_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ChunkRunner runner(n_threads);
  const double tol = AbsoluteTolerance(stats, options.tol);
  const double slack = BoundSlack(stats, options.max_iter);
  Rng rng(options.seed);
  const int n_init = options.initial_centroids ? 1 : options.n_init;
  KMeansResult best;
  for (int run = 0; run < n_init; ++run) {
    RowMajorMatrixXd init;
    if (options.initial_centroids) {
      init = *options.initial_centroids;
    } else if (options.init == KMeansInit::kRandom) {
      init = RandomRows(rows, options.n_clusters, rng);
    } else {
      init = KMeansPlusPlus(rows, options.n_clusters, rng, runner);
    }
    KMeansResult r = SingleRun(rows, options, tol, slack, runner).Fit(init);
    if (run == 0 || r.inertia < best.inertia) {
      best = std::move(r);
      best.best_run = run;
    }
  }
  return best;
}

Result<std::vector<int32_t>> PredictKMeans(const Matrix& centroids, const Matrix& x) {
  if (centroids.rows() == 0 || centroids.cols() == 0) {
    return Status::InvalidArgument("k-means predict: no centroids");
  }
  if (x.cols() != centroids.cols()) {
    return Status::InvalidArgument("k-means predict: x has " + std::to_string(x.cols()) +
                                   " columns but the centroids have " +
                                   std::to_string(centroids.cols()));
  }
  HT_RETURN_IF_ERROR(CheckFinite(centroids, "k-means predict: centroids"));
  HT_RETURN_IF_ERROR(CheckFinite(x, "k-means predict: x"));
  Centroids c;
  c.Set(centroids);
  std::vector<double> d2(c.kp);
  std::vector<int32_t> labels(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    c.DistancesTo(x.data() + i * x.outerStride(), d2.data());
    labels[i] = Argmin(d2.data(), c.k);
  }
  return labels;
}

}  // namespace hypertune::ml
