// K-Means on skin_segmentation.csv (245,057 rows x 3) against scikit-learn
// 1.2.1's KMeans: the best inertia of n_init = 10 runs, and the same run from
// the same initial centroids, with one thread and with two.
#include <gtest/gtest.h>

#include "hypertune/ml/kmeans.h"
#include "ml/kmeans_test_util.h"
#include "ml/sklearn_fixtures.h"

namespace hypertune::ml {
namespace {

using testing::DataDir;
using testing::SklearnFixture;

// One test per k, so that each has the whole per-test time limit (a sanitizer
// build takes minutes for the 5 x 10 runs).
void ExpectSkinNoWorseThanSklearn(int k) {
  const nlohmann::json* f = SklearnFixture("kmeans");
  ASSERT_NE(f, nullptr);
  int checked = 0;
  for (const auto& run : (*f)["best_of_n_init"]) {
    if (run["dataset"] != "skin_segmentation" || run["k"] != k) continue;
    ExpectInertiaNoWorseThanSklearn(run, DataDir(), /*n_threads=*/2);
    ++checked;
  }
  EXPECT_EQ(checked, 1);
}

TEST(KMeansVsSklearnLarge, BestOfNInitOnSkinSegmentationK3) { ExpectSkinNoWorseThanSklearn(3); }
TEST(KMeansVsSklearnLarge, BestOfNInitOnSkinSegmentationK8) { ExpectSkinNoWorseThanSklearn(8); }

TEST(KMeansVsSklearnLarge, SameRunFromTheSameInitOnSkinSegmentation) {
  const nlohmann::json* f = SklearnFixture("kmeans");
  ASSERT_NE(f, nullptr);
  int checked = 0;
  for (const auto& run : (*f)["from_init"]) {
    if (run["dataset"] != "skin_segmentation") continue;
    for (int threads : {1, 2}) ExpectSameRunAsSklearn(run, DataDir(), threads);
    ++checked;
  }
  EXPECT_EQ(checked, 1);
}

}  // namespace
}  // namespace hypertune::ml
