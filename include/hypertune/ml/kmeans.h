// K-Means clustering of a dense row-major matrix, as scikit-learn 1.2's
// KMeans: greedy k-means++ initialisation, n_init runs keeping the lowest
// inertia, max_iter iterations, tol relative to the data's mean feature
// variance, empty clusters moved to the farthest points. The default
// algorithm is Hamerly's (exact: the same result as Lloyd's, with most
// distance computations skipped by bounds); Lloyd's is an option.
//
//   Eigen::Map<const RowMajorMatrixXd> x(data.data(), n_rows, n_features);
//   KMeansResult km = FitKMeans(x, {.n_clusters = 3, .seed = 42}).value();
//   // km.centroids (3 x n_features), km.labels, km.inertia, km.n_iter
//   std::vector<int32_t> labels = PredictKMeans(km.centroids, x_new).value();
//
// Deterministic: the same options (seed included) give the same result, bit
// for bit, whatever n_threads is: the work is split into fixed chunks whose
// partial sums are added in chunk order. Hamerly's and Lloyd's algorithms
// give the same labels, centroids and n_iter from the same initial centroids.
//
// Convergence, as scikit-learn: an iteration assigns every row to its nearest
// centroid, then moves each centroid to the mean of its rows; the run stops
// when no label changes (the centroids are then the means of their rows), or
// when the squared centroid movements sum to at most
// tol * mean(per-feature variance of x) (then the rows are assigned once
// more, so that the labels are those of the final centroids), or after
// max_iter iterations. Ties in distance go to the lowest centroid index.
//
// Errors (InvalidArgument): an empty x, NaN or infinite values, n_clusters < 1
// or greater than the number of rows, n_init < 1, max_iter < 1, tol < 0,
// initial centroids of the wrong shape. n_clusters = 1 (the mean) and
// n_clusters = n (inertia 0) are valid. With fewer distinct rows than
// n_clusters, some centroids coincide; the result is still defined (no NaN).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "hypertune/core/status.h"

namespace hypertune::ml {

using RowMajorMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class KMeansAlgorithm {
  kHamerly,  // exact, with one upper and one lower bound per row (default)
  kLloyd,    // exact, every distance every iteration
};

enum class KMeansInit {
  kKMeansPlusPlus,  // greedy k-means++, 2 + floor(ln k) candidates per step
  kRandom,          // n_clusters distinct rows drawn at random
};

struct KMeansOptions {
  int n_clusters = 8;
  // Runs from different initial centroids; the lowest inertia wins. Ignored
  // (one run) when initial_centroids is set.
  int n_init = 10;
  int max_iter = 300;
  // Relative to the mean per-feature variance of x, as scikit-learn's tol.
  double tol = 1e-4;
  KMeansAlgorithm algorithm = KMeansAlgorithm::kHamerly;
  KMeansInit init = KMeansInit::kKMeansPlusPlus;
  // Start from these (n_clusters x n_features) instead of `init`.
  std::optional<RowMajorMatrixXd> initial_centroids;
  uint64_t seed = 0;
  // Threads; 0 uses every hardware thread. The result does not depend on it.
  int n_threads = 1;
};

struct KMeansResult {
  RowMajorMatrixXd centroids;   // n_clusters x n_features
  std::vector<int32_t> labels;  // per row, 0..n_clusters-1
  double inertia = 0.0;         // sum of squared distances to the centroids
  int n_iter = 0;               // iterations of the winning run
  int best_run = 0;             // which of the n_init runs won (0-based)
};

Result<KMeansResult> FitKMeans(const Eigen::Ref<const RowMajorMatrixXd>& x,
                               const KMeansOptions& options = {});

// The index of the nearest centroid of each row (ties: the lowest index).
Result<std::vector<int32_t>> PredictKMeans(const Eigen::Ref<const RowMajorMatrixXd>& centroids,
                                           const Eigen::Ref<const RowMajorMatrixXd>& x);

}  // namespace hypertune::ml
