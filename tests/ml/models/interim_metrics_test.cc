// The interim metrics (until metrics.h): values worked out by hand with
// scikit-learn's definitions, names and aliases, and errors.
#include "src/ml/interim_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace hypertune::ml::interim {
namespace {

ModelData Classes(std::vector<float> y, size_t k) {
  ModelData d;
  d.task = TaskType::kClassification;
  d.num_classes = k;
  d.y = std::move(y);
  d.x = MatrixF::Zero(static_cast<Eigen::Index>(d.y.size()), 1);
  return d;
}

ModelData Values(std::vector<float> y) {
  ModelData d;
  d.task = TaskType::kRegression;
  d.y = std::move(y);
  d.x = MatrixF::Zero(static_cast<Eigen::Index>(d.y.size()), 1);
  return d;
}

MatrixD Rows(std::initializer_list<std::initializer_list<double>> rows) {
  MatrixD m(static_cast<Eigen::Index>(rows.size()),
            static_cast<Eigen::Index>(rows.begin()->size()));
  Eigen::Index i = 0;
  for (const auto& r : rows) {
    Eigen::Index j = 0;
    for (double v : r) m(i, j++) = v;
    ++i;
  }
  return m;
}

TEST(InterimMetricsTest, Classification) {
  const ModelData d = Classes({0, 1, 0, 1}, 2);
  // Ties in the argmax go to the lower class, as numpy's argmax.
  EXPECT_DOUBLE_EQ(
      Score("accuracy", d, Rows({{0.9, 0.1}, {0.5, 0.5}, {0.2, 0.8}, {0.1, 0.9}})).value(), 0.5);
  // Positives score 0.5 and 0.9, negatives 0.5 and 0.2: 3.5 of 4 pairs.
  EXPECT_DOUBLE_EQ(
      Score("roc_auc", d, Rows({{0.5, 0.5}, {0.5, 0.5}, {0.8, 0.2}, {0.1, 0.9}})).value(), 0.875);
  const MatrixD p = Rows({{0.8, 0.2}, {0.3, 0.7}, {0.6, 0.4}, {0.0, 1.0}});
  const double eps = std::numeric_limits<double>::epsilon();
  const double expected = -(std::log(0.8) + std::log(0.7) + std::log(0.6) + std::log(1 - eps)) / 4;
  EXPECT_NEAR(Score("log_loss", d, p).value(), expected, 1e-15);
  EXPECT_NEAR(Score("neg_log_loss", d, p).value(), -expected, 1e-15);
  // A zero probability of the true class is clipped, not infinite.
  EXPECT_NEAR(Score("log_loss", Classes({1}, 2), Rows({{1.0, 0.0}})).value(), -std::log(eps), 1e-9);
}

TEST(InterimMetricsTest, Regression) {
  const ModelData d = Values({1, 2, 3});
  const MatrixD p = Rows({{1}, {2}, {4}});
  EXPECT_DOUBLE_EQ(Score("mse", d, p).value(), 1.0 / 3);
  EXPECT_DOUBLE_EQ(Score("mean_squared_error", d, p).value(), 1.0 / 3);
  EXPECT_DOUBLE_EQ(Score("neg_mean_squared_error", d, p).value(), -1.0 / 3);
  EXPECT_DOUBLE_EQ(Score("rmse", d, p).value(), std::sqrt(1.0 / 3));
  EXPECT_DOUBLE_EQ(Score("mae", d, p).value(), 1.0 / 3);
  EXPECT_DOUBLE_EQ(Score("r2", d, p).value(), 0.5);
  // Constant targets: 1 for a perfect prediction, else 0 (force_finite).
  EXPECT_EQ(Score("r2", Values({2, 2}), Rows({{2}, {2}})).value(), 1.0);
  EXPECT_EQ(Score("r2", Values({2, 2}), Rows({{2}, {3}})).value(), 0.0);
}

TEST(InterimMetricsTest, NamesDirectionsAndErrors) {
  EXPECT_EQ(CanonicalMetric("rmse").value(), "root_mean_squared_error");
  EXPECT_EQ(MetricDirection("neg_mean_absolute_error").value(), StudyDirection::kMaximize);
  EXPECT_EQ(MetricTask("roc_auc").value(), TaskType::kClassification);
  EXPECT_EQ(CanonicalMetric("f1_macro").status().code(), StatusCode::kNotFound);

  const ModelData d = Classes({0, 0}, 2);
  EXPECT_THAT(Score("roc_auc", d, Rows({{0.5, 0.5}, {0.1, 0.9}})).status().message(),
              ::testing::HasSubstr("one class"));
  EXPECT_EQ(Score("rmse", d, Rows({{1}, {2}})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Score("accuracy", d, Rows({{1, 0}})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Score("accuracy", d, Rows({{1, 0}, {std::nan(""), 0}})).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Score("accuracy", Classes({0, 2}, 2), Rows({{1, 0}, {1, 0}})).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Score("roc_auc", Classes({0, 1, 2}, 3), Rows({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hypertune::ml::interim
