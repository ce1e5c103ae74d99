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

TEST(KMeansVsSklearnLarge, BestOfNInitOnSkinSegmentation) {
  const nlohmann::json* f = SklearnFixture("kmeans");
  ASSERT_NE(f, nullptr);
  int checked = 0;
  for (const auto& run : (*f)["best_of_n_init"]) {
    if (run["dataset"] != "skin_segmentation") continue;
    ExpectInertiaNoWorseThanSklearn(run, DataDir(), /*n_threads=*/2);
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

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
