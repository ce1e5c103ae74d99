// Clustering metrics: inertia, silhouette, adjusted Rand index.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "hypertune/core/random.h"
#include "hypertune/ml/metrics.h"
#include "src/ml/metrics/metrics_internal.h"

namespace hypertune::ml {
namespace {

using internal::NumpySum;
using Matrix = Eigen::Ref<const RowMajorMatrixXd>;

__extension__ using Int128 = __int128;

Status CheckFeatures(const Matrix& x, std::span<const int32_t> labels) {
  if (static_cast<size_t>(x.rows()) != labels.size()) {
    return Status::InvalidArgument("x has " + std::to_string(x.rows()) + " rows but labels has " +
                                   std::to_string(labels.size()) + " values");
  }
  if (x.rows() == 0) return Status::InvalidArgument("x is empty");
  if (x.cols() == 0) return Status::InvalidArgument("x has no columns");
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      if (!std::isfinite(x(i, j))) {
        return Status::InvalidArgument("x[" + std::to_string(i) + ", " + std::to_string(j) +
                                       "] is " + (std::isnan(x(i, j)) ? "NaN" : "infinite"));
      }
    }
  }
  return Status::Ok();
}

// Labels as codes 0..k-1 in the order of the label values (LabelEncoder).
struct Codes {
  std::vector<int32_t> codes;
  std::vector<int64_t> counts;
};

Codes Encode(std::span<const int32_t> labels) {
  std::vector<int32_t> values(labels.begin(), labels.end());
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  Codes c{std::vector<int32_t>(labels.size()), std::vector<int64_t>(values.size())};
  for (size_t i = 0; i < labels.size(); ++i) {
    c.codes[i] = static_cast<int32_t>(std::lower_bound(values.begin(), values.end(), labels[i]) -
                                      values.begin());
    ++c.counts[c.codes[i]];
  }
  return c;
}

double SquaredDistance(const double* a, const double* b, Eigen::Index d) {
  double s = 0.0;
  for (Eigen::Index f = 0; f < d; ++f) {
    const double t = a[f] - b[f];
    s += t * t;
  }
  return s;
}

// The silhouette of every row, from exact euclidean distances. Rows are taken
// in blocks of B; for each block, every row j of x adds its distance to each
// block row into that row's sum for j's cluster. The features are transposed
// so that the B distances to row j are one vectorized pass per feature, and
// the sums are kept as [cluster][block row] so that adding them is too. The
// sums over j run in index order, as scikit-learn's bincount does.
double MeanSilhouette(const Matrix& x, const Codes& c) {
  const Eigen::Index n = x.rows(), d = x.cols();
  const Eigen::Index k = static_cast<Eigen::Index>(c.counts.size());
  const RowMajorMatrixXd ft = x.transpose();  // feature f of every row, contiguous
  const Eigen::Index block = std::clamp<Eigen::Index>(4096 / d, 64, 512);
  Eigen::ArrayXd dist(block);
  Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> sums(k, block);
  std::vector<double> s(n);
  for (Eigen::Index i0 = 0; i0 < n; i0 += block) {
    const Eigen::Index b = std::min(block, n - i0);
    sums.leftCols(b).setZero();
    for (Eigen::Index j = 0; j < n; ++j) {
      auto dj = dist.head(b);
      dj.setZero();
      for (Eigen::Index f = 0; f < d; ++f) {
        dj += (ft.row(f).segment(i0, b).array() - x(j, f)).square();
      }
      dj = dj.sqrt();
      sums.row(c.codes[j]).head(b) += dj.transpose();
    }
    for (Eigen::Index i = 0; i < b; ++i) {
      const int32_t own = c.codes[i0 + i];
      if (c.counts[own] == 1) {
        s[i0 + i] = 0.0;  // scikit-learn: 0 for a sample alone in its cluster
        continue;
      }
      const double a = sums(own, i) / static_cast<double>(c.counts[own] - 1);
      double nearest = INFINITY;
      for (Eigen::Index other = 0; other < k; ++other) {
        if (other == own) continue;
        nearest = std::min(nearest, sums(other, i) / static_cast<double>(c.counts[other]));
      }
      const double m = std::max(a, nearest);
      s[i0 + i] = m == 0.0 ? 0.0 : (nearest - a) / m;
    }
  }
  return NumpySum(s) / static_cast<double>(n);
}

Status CheckClusterCount(const Codes& c, size_t n) {
  const size_t k = c.counts.size();
  if (k < 2 || k > n - 1) {
    return Status::InvalidArgument(
        "the silhouette needs between 2 and n - 1 = " + std::to_string(n - 1) + " clusters, got " +
        std::to_string(k) + " cluster" + (k == 1 ? "" : "s"));
  }
  return Status::Ok();
}

}  // namespace

Result<double> Inertia(const Matrix& x, const Matrix& centroids, std::span<const int32_t> labels) {
  HT_RETURN_IF_ERROR(CheckFeatures(x, labels));
  if (centroids.cols() != x.cols()) {
    return Status::InvalidArgument("centroids have " + std::to_string(centroids.cols()) +
                                   " columns but x has " + std::to_string(x.cols()));
  }
  HT_RETURN_IF_ERROR(internal::CheckClassCodes("labels", labels, centroids.rows()));
  const Eigen::Index d = x.cols();
  return NumpySum(labels.size(), [&](size_t i) {
    return SquaredDistance(x.row(static_cast<Eigen::Index>(i)).data(),
                           centroids.row(labels[i]).data(), d);
  });
}

Result<double> Inertia(const Matrix& x, std::span<const int32_t> labels) {
  HT_RETURN_IF_ERROR(CheckFeatures(x, labels));
  const Codes c = Encode(labels);
  RowMajorMatrixXd means =
      RowMajorMatrixXd::Zero(static_cast<Eigen::Index>(c.counts.size()), x.cols());
  for (Eigen::Index i = 0; i < x.rows(); ++i) means.row(c.codes[i]) += x.row(i);
  for (Eigen::Index j = 0; j < means.rows(); ++j) {
    means.row(j) /= static_cast<double>(c.counts[j]);
  }
  const Eigen::Index d = x.cols();
  return NumpySum(labels.size(), [&](size_t i) {
    return SquaredDistance(x.row(static_cast<Eigen::Index>(i)).data(), means.row(c.codes[i]).data(),
                           d);
  });
}

Result<double> SilhouetteScore(const Matrix& x, std::span<const int32_t> labels) {
  HT_RETURN_IF_ERROR(CheckFeatures(x, labels));
  const Codes c = Encode(labels);
  HT_RETURN_IF_ERROR(CheckClusterCount(c, labels.size()));
  return MeanSilhouette(x, c);
}

Result<double> SilhouetteScoreSampled(const Matrix& x, std::span<const int32_t> labels,
                                      int64_t sample_size, uint64_t seed) {
  HT_RETURN_IF_ERROR(CheckFeatures(x, labels));
  if (sample_size < 2) {
    return Status::InvalidArgument("sample_size is " + std::to_string(sample_size) +
                                   "; it must be at least 2");
  }
  const int64_t n = x.rows();
  if (sample_size >= n) return SilhouetteScore(x, labels);
  // A partial Fisher-Yates shuffle: the first sample_size entries are a
  // uniform sample without replacement.
  std::vector<int64_t> index(n);
  std::iota(index.begin(), index.end(), int64_t{0});
  Rng rng(seed);
  for (int64_t i = 0; i < sample_size; ++i) {
    const int64_t j = i + static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(n - i)));
    std::swap(index[i], index[j]);
  }
  RowMajorMatrixXd xs(sample_size, x.cols());
  std::vector<int32_t> ls(sample_size);
  for (int64_t i = 0; i < sample_size; ++i) {
    xs.row(i) = x.row(index[i]);
    ls[i] = labels[index[i]];
  }
  const Codes c = Encode(ls);
  HT_RETURN_IF_ERROR(CheckClusterCount(c, ls.size())
                         .WithContext("in the sample of " + std::to_string(sample_size) + " rows"));
  return MeanSilhouette(xs, c);
}

Result<double> AdjustedRandScore(std::span<const int32_t> labels_true,
                                 std::span<const int32_t> labels_pred) {
  HT_RETURN_IF_ERROR(internal::CheckPair("labels_true", labels_true, "labels_pred", labels_pred));
  const Codes a = Encode(labels_true);
  const Codes b = Encode(labels_pred);
  const size_t n = labels_true.size();
  // The contingency table's non-zero cells, by sorting the pairs of codes.
  std::vector<uint64_t> pairs(n);
  for (size_t i = 0; i < n; ++i) {
    pairs[i] = (static_cast<uint64_t>(a.codes[i]) << 32) | static_cast<uint32_t>(b.codes[i]);
  }
  std::sort(pairs.begin(), pairs.end());
  Int128 sum_squares = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && pairs[j] == pairs[i]) ++j;
    sum_squares += static_cast<Int128>(j - i) * static_cast<Int128>(j - i);
    i = j;
  }
  Int128 sum_a = 0, sum_b = 0;
  for (int64_t v : a.counts) sum_a += static_cast<Int128>(v) * v;
  for (int64_t v : b.counts) sum_b += static_cast<Int128>(v) * v;
  // scikit-learn's pair confusion matrix, then its formula in exact integers
  // (Python ints there), rounded once at the end as Python does.
  const Int128 nn = static_cast<Int128>(n);
  const Int128 tp = sum_squares - nn;
  const Int128 fp = sum_b - sum_squares;
  const Int128 fn = sum_a - sum_squares;
  const Int128 tn = nn * nn - fp - fn - sum_squares;
  if (fn == 0 && fp == 0) return 1.0;
  const Int128 num = tp * tn - fn * fp;
  const Int128 den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return 2.0 * static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace hypertune::ml
