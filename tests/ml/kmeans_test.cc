// K-Means: against scikit-learn 1.2.1's KMeans on real data (iris, seeds), the
// equality of Hamerly's and Lloyd's algorithms, determinism, edge cases.
#include "hypertune/ml/kmeans.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "hypertune/core/random.h"
#include "hypertune/ml/metrics.h"
#include "ml/kmeans_test_util.h"
#include "ml/sklearn_fixtures.h"

namespace hypertune::ml {
namespace {

using testing::DataDir;
using ::testing::HasSubstr;
using testing::ReadNumericCsv;
using testing::SklearnFixture;
using testing::Vec;

// The best of n_init runs is within 0.1% of scikit-learn's inertia with the
// same k and n_init, or lower.
TEST(KMeansVsSklearn, BestOfNInitOnRealData) {
  const nlohmann::json* f = SklearnFixture("kmeans");
  ASSERT_NE(f, nullptr);
  int checked = 0;
  for (const auto& run : (*f)["best_of_n_init"]) {
    if (run["dataset"] == "skin_segmentation") continue;  // kmeans_slow_test
    ExpectInertiaNoWorseThanSklearn(run, DataDir());
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

// From scikit-learn's own k-means++ centroids, both algorithms find the
// labels, iteration count and inertia of scikit-learn's Lloyd run.
TEST(KMeansVsSklearn, SameRunFromTheSameInit) {
  const nlohmann::json* f = SklearnFixture("kmeans");
  ASSERT_NE(f, nullptr);
  int checked = 0;
  for (const auto& run : (*f)["from_init"]) {
    if (run["dataset"] == "skin_segmentation") continue;
    ExpectSameRunAsSklearn(run, DataDir());
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

RowMajorMatrixXd Blobs(int n, int d, int centers, uint64_t seed, double spread = 1.0) {
  Rng rng(seed);
  RowMajorMatrixXd c(centers, d), x(n, d);
  for (int j = 0; j < centers; ++j) {
    for (int f = 0; f < d; ++f) c(j, f) = rng.Uniform(-10, 10);
  }
  for (int i = 0; i < n; ++i) {
    const int j = static_cast<int>(rng.UniformInt(centers));
    for (int f = 0; f < d; ++f) x(i, f) = c(j, f) + spread * rng.Normal();
  }
  return x;
}

// Hamerly's algorithm computes few distances but must end where Lloyd's does:
// the same labels, the same centroids bit for bit, the same n_iter, on data
// with clear clusters, on overlapping ones, and on small integers (many exact
// ties in distance).
TEST(KMeans, HamerlyEqualsLloyd) {
  const RowMajorMatrixXd iris = ReadNumericCsv(DataDir() / "iris.csv", 4);
  const RowMajorMatrixXd seeds = ReadNumericCsv(DataDir() / "seeds.csv", 7);
  Rng rng(5);
  RowMajorMatrixXd grid(500, 2);
  for (int i = 0; i < 500; ++i) {
    grid(i, 0) = static_cast<double>(rng.UniformInt(6));
    grid(i, 1) = static_cast<double>(rng.UniformInt(6));
  }
  struct Case {
    std::string name;
    RowMajorMatrixXd x;
    int k;
  };
  const std::vector<Case> cases = {{"iris", iris, 3},
                                   {"iris", iris, 8},
                                   {"seeds", seeds, 5},
                                   {"blobs", Blobs(3000, 4, 12, 1), 12},
                                   {"overlapping blobs", Blobs(3000, 2, 20, 2, 4.0), 20},
                                   {"integer grid", grid, 7}};
  for (const Case& c : cases) {
    for (uint64_t seed : {0, 1, 2}) {
      KMeansOptions o{.n_clusters = c.k, .n_init = 1, .tol = 0.0, .seed = seed};
      o.algorithm = KMeansAlgorithm::kLloyd;
      const KMeansResult lloyd = *FitKMeans(c.x, o);
      o.algorithm = KMeansAlgorithm::kHamerly;
      const KMeansResult hamerly = *FitKMeans(c.x, o);
      const std::string what =
          c.name + " k=" + std::to_string(c.k) + " seed " + std::to_string(seed);
      EXPECT_EQ(hamerly.labels, lloyd.labels) << what;
      EXPECT_EQ(hamerly.centroids, lloyd.centroids) << what;
      EXPECT_EQ(hamerly.n_iter, lloyd.n_iter) << what;
      EXPECT_EQ(hamerly.inertia, lloyd.inertia) << what;
      EXPECT_GT(lloyd.n_iter, 1) << what;
    }
  }
}

TEST(KMeans, SameSeedSameResultWhateverTheThreads) {
  const RowMajorMatrixXd x = Blobs(20000, 3, 6, 9);  // several chunks of rows
  KMeansOptions o{.n_clusters = 6, .n_init = 3, .seed = 42};
  const KMeansResult a = *FitKMeans(x, o);
  for (int threads : {1, 2, 3}) {
    o.n_threads = threads;
    const KMeansResult b = *FitKMeans(x, o);
    EXPECT_EQ(a.labels, b.labels) << threads;
    EXPECT_EQ(a.centroids, b.centroids) << threads;
    EXPECT_EQ(a.inertia, b.inertia) << threads;
    EXPECT_EQ(a.n_iter, b.n_iter) << threads;
  }
  o.seed = 43;
  o.n_init = 1;
  const KMeansResult c = *FitKMeans(x, o);
  o.seed = 44;
  EXPECT_NE(c.centroids, FitKMeans(x, o)->centroids);  // the seed matters
}

// The result is consistent: labels are the nearest centroids, the inertia is
// the metric's, the centroids are the means of their rows (strict
// convergence).
TEST(KMeans, ResultIsConsistent) {
  const RowMajorMatrixXd x = Blobs(1000, 3, 5, 3);
  for (KMeansAlgorithm algorithm : {KMeansAlgorithm::kHamerly, KMeansAlgorithm::kLloyd}) {
    for (double tol : {0.0, 1e-4, 10.0}) {
      const KMeansResult r =
          *FitKMeans(x, {.n_clusters = 5, .tol = tol, .algorithm = algorithm, .seed = 1});
      EXPECT_EQ(*PredictKMeans(r.centroids, x), r.labels);
      EXPECT_NEAR(*Inertia(x, r.centroids, r.labels), r.inertia, 1e-12 * r.inertia);
      if (tol == 0.0) {
        EXPECT_NEAR(*Inertia(x, r.labels), r.inertia, 1e-12 * r.inertia);
      }
      EXPECT_GE(r.best_run, 0);
      EXPECT_LT(r.best_run, 10);
    }
  }
  // The best of n_init runs is no worse than each single run with the same
  // random stream's first init.
  const KMeansResult one = *FitKMeans(x, {.n_clusters = 5, .n_init = 1, .seed = 1});
  const KMeansResult ten = *FitKMeans(x, {.n_clusters = 5, .n_init = 10, .seed = 1});
  EXPECT_LE(ten.inertia, one.inertia);
}

TEST(KMeans, MaxIterAndTolerance) {
  const RowMajorMatrixXd x = Blobs(2000, 2, 10, 4, 3.0);
  KMeansResult r = *FitKMeans(x, {.n_clusters = 10, .n_init = 1, .max_iter = 1, .seed = 2});
  EXPECT_EQ(r.n_iter, 1);
  EXPECT_EQ(*PredictKMeans(r.centroids, x), r.labels);
  // A tolerance as large as the data's variance stops after one iteration.
  r = *FitKMeans(x, {.n_clusters = 10, .n_init = 1, .tol = 1e3, .seed = 2});
  EXPECT_EQ(r.n_iter, 1);
  const KMeansResult exact = *FitKMeans(x, {.n_clusters = 10, .n_init = 1, .tol = 0, .seed = 2});
  EXPECT_GT(exact.n_iter, 2);
  EXPECT_NEAR(*Inertia(x, exact.labels), exact.inertia, 1e-12 * exact.inertia);
}

TEST(KMeans, OneClusterAndNClusters) {
  const RowMajorMatrixXd x = Blobs(50, 3, 2, 6);
  const KMeansResult one = *FitKMeans(x, {.n_clusters = 1, .seed = 3});
  EXPECT_EQ(one.labels, std::vector<int32_t>(50, 0));
  const Eigen::RowVectorXd mean = x.colwise().mean();
  EXPECT_LT((one.centroids.row(0) - mean).norm(), 1e-12);
  EXPECT_NEAR(one.inertia, (x.rowwise() - mean).squaredNorm(), 1e-10);

  const KMeansResult all = *FitKMeans(x, {.n_clusters = 50, .n_init = 2, .seed = 3});
  EXPECT_EQ(all.inertia, 0.0);
  EXPECT_EQ(std::set<int32_t>(all.labels.begin(), all.labels.end()).size(), 50u);
}

TEST(KMeans, DuplicatePoints) {
  // 10 distinct points, 6 copies each.
  const RowMajorMatrixXd distinct = Blobs(10, 2, 10, 7);
  RowMajorMatrixXd x(60, 2);
  for (int i = 0; i < 60; ++i) x.row(i) = distinct.row(i % 10);
  for (KMeansAlgorithm algorithm : {KMeansAlgorithm::kHamerly, KMeansAlgorithm::kLloyd}) {
    // k-means++ never draws a point that is already a centroid, so 10
    // clusters find the 10 points (the mean of 6 equal values may differ
    // from them in the last bit, hence "near").
    const KMeansResult ten = *FitKMeans(x, {.n_clusters = 10, .algorithm = algorithm});
    EXPECT_NEAR(ten.inertia, 0.0, 1e-25);
    // More clusters than distinct points: defined, finite, inertia 0.
    const KMeansResult more =
        *FitKMeans(x, {.n_clusters = 14, .n_init = 3, .algorithm = algorithm});
    EXPECT_NEAR(more.inertia, 0.0, 1e-25);
    EXPECT_TRUE(more.centroids.allFinite());
    for (int32_t l : more.labels) EXPECT_TRUE(l >= 0 && l < 14);
    // All rows equal.
    const RowMajorMatrixXd same = RowMajorMatrixXd::Constant(20, 3, 1.5);
    const KMeansResult r = *FitKMeans(same, {.n_clusters = 4, .algorithm = algorithm});
    EXPECT_EQ(r.inertia, 0.0);
    EXPECT_TRUE(r.centroids.allFinite());
  }
}

// A centroid far from every row gets no rows; it moves to the row farthest
// from its centroid, as scikit-learn's relocation, in both algorithms alike.
TEST(KMeans, EmptyClusterIsRelocated) {
  const RowMajorMatrixXd x = Blobs(400, 2, 3, 8);
  RowMajorMatrixXd init(4, 2);
  init << x.row(0), x.row(1), x.row(2), 1e6, 1e6;
  KMeansOptions o{.n_clusters = 4, .initial_centroids = init};
  o.algorithm = KMeansAlgorithm::kLloyd;
  const KMeansResult lloyd = *FitKMeans(x, o);
  o.algorithm = KMeansAlgorithm::kHamerly;
  const KMeansResult hamerly = *FitKMeans(x, o);
  EXPECT_EQ(lloyd.labels, hamerly.labels);
  EXPECT_EQ(lloyd.centroids, hamerly.centroids);
  EXPECT_LT(lloyd.centroids.cwiseAbs().maxCoeff(), 100.0);  // it moved into the data
  EXPECT_EQ(std::set<int32_t>(lloyd.labels.begin(), lloyd.labels.end()).size(), 4u);
}

TEST(KMeans, RandomInit) {
  const RowMajorMatrixXd x = Blobs(600, 2, 4, 10);
  KMeansOptions o{.n_clusters = 4, .init = KMeansInit::kRandom, .seed = 5};
  const KMeansResult a = *FitKMeans(x, o);
  EXPECT_EQ(a.labels, FitKMeans(x, o)->labels);
  const KMeansResult pp = *FitKMeans(x, {.n_clusters = 4, .seed = 5});
  EXPECT_NEAR(a.inertia, pp.inertia, 1e-3 * pp.inertia);  // 4 clear blobs: the same optimum
}

template <class T>
void ExpectError(const Result<T>& r, const std::string& substring) {
  ASSERT_FALSE(r.ok()) << "expected an error containing '" << substring << "'";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status();
  EXPECT_THAT(r.status().message(), HasSubstr(substring));
}

TEST(KMeans, Errors) {
  RowMajorMatrixXd x = Blobs(10, 2, 2, 11);
  ExpectError(FitKMeans(x, {.n_clusters = 11}), "n_clusters is 11; it must be in 1..n_rows = 10");
  ExpectError(FitKMeans(x, {.n_clusters = 0}), "n_clusters is 0");
  ExpectError(FitKMeans(x, {.n_clusters = 2, .n_init = 0}), "n_init is 0");
  ExpectError(FitKMeans(x, {.n_clusters = 2, .max_iter = 0}), "max_iter is 0");
  ExpectError(FitKMeans(x, {.n_clusters = 2, .tol = -1}), "tol is");
  ExpectError(FitKMeans(x, {.n_clusters = 2, .n_threads = -2}), "n_threads is -2");
  ExpectError(FitKMeans(RowMajorMatrixXd(0, 2), {.n_clusters = 1}), "x is empty");
  ExpectError(FitKMeans(x, {.n_clusters = 2, .initial_centroids = RowMajorMatrixXd::Zero(3, 2)}),
              "initial_centroids is 3 x 2; expected n_clusters x n_features = 2 x 2");
  x(4, 1) = NAN;
  ExpectError(FitKMeans(x, {.n_clusters = 2}), "x[4, 1] is NaN");
  x(4, 1) = -INFINITY;
  ExpectError(FitKMeans(x, {.n_clusters = 2}), "x[4, 1] is infinite");
  ExpectError(PredictKMeans(RowMajorMatrixXd::Zero(2, 3), Blobs(5, 2, 1, 1)),
              "x has 2 columns but the centroids have 3");
}

}  // namespace
}  // namespace hypertune::ml
