// The metrics against scikit-learn 1.2.1's values for the same inputs
// (tests/ml/make_ml_fixtures.py, run at test time), and their error cases.
#include "hypertune/ml/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "hypertune/core/random.h"
#include "hypertune/ml/metric_registry.h"
#include "ml/sklearn_fixtures.h"

namespace hypertune::ml {
namespace {

using ::testing::HasSubstr;
using testing::SklearnFixture;
using testing::Vec;

constexpr double kRelTol = 1e-12;

// Compares one value of ours with scikit-learn's: both errors, or both values
// within kRelTol relative. Returns the relative difference.
double Check(const nlohmann::json& expected, const Result<double>& ours, const std::string& what) {
  if (expected.is_object()) {
    EXPECT_FALSE(ours.ok()) << what << ": scikit-learn raises '"
                            << expected["error"].get<std::string>() << "' but we return "
                            << ours.value_or(NAN);
    return 0.0;
  }
  EXPECT_TRUE(ours.ok()) << what << ": " << ours.status();
  if (!ours.ok()) return 0.0;
  const double e = expected.get<double>(), v = *ours;
  const double rel = e == v ? 0.0 : std::fabs(e - v) / std::max(std::fabs(e), std::fabs(v));
  EXPECT_LE(rel, kRelTol) << what << ": ours " << v << ", scikit-learn " << e;
  return rel;
}

// The largest relative difference seen, printed at the end of each test.
struct Worst {
  double rel = 0.0;
  int compared = 0;
  void Add(double r) {
    rel = std::max(rel, r);
    ++compared;
  }
  ~Worst() {
    std::cout << compared << " values compared; largest relative difference " << rel << "\n";
  }
};

TEST(MetricsVsSklearn, Classification) {
  const nlohmann::json* f = SklearnFixture("metrics");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ((*f)["sklearn_version"], "1.2.1");
  Worst worst;
  int cases = 0;
  for (const auto& c : (*f)["classification"]) {
    const std::string name = c["name"];
    const int k = c["n_classes"];
    const auto y = Vec<int32_t>(c["y_true"]);
    const auto pred = Vec<int32_t>(c["y_pred"]);
    const auto proba = c.contains("proba") ? Vec<double>(c["proba"]) : std::vector<double>{};
    const auto scores = c.contains("scores") ? Vec<double>(c["scores"]) : std::vector<double>{};
    const MetricInputs in{
        .labels_true = y, .labels_pred = pred, .probabilities = proba, .n_classes = k};
    ++cases;
    for (const auto& [key, expected] : c["expected"].items()) {
      const std::string what = name + " / " + key;
      // Each value through the function and through the registry name(s).
      std::vector<std::pair<std::string, Result<double>>> ours;
      auto prf = [&](const std::string& metric, Average average, int32_t pos) {
        Result<PrecisionRecallF1> r = PrecisionRecallF1Score(y, pred, average, pos);
        if (!r.ok()) return Result<double>(r.status());
        return Result<double>(metric == "precision" ? r->precision
                              : metric == "recall"  ? r->recall
                                                    : r->f1);
      };
      if (key == "confusion_matrix") {
        Result<ConfusionMatrix> m = ComputeConfusionMatrix(y, pred, k);
        ASSERT_TRUE(m.ok()) << what << ": " << m.status();
        EXPECT_EQ(m->counts, Vec<int64_t>(expected)) << what;
        continue;
      } else if (key == "accuracy") {
        ours = {{"", AccuracyScore(y, pred)}, {"accuracy", ComputeMetric("accuracy", in)}};
      } else if (key == "balanced_accuracy") {
        ours = {{"", BalancedAccuracyScore(y, pred)},
                {"balanced_accuracy", ComputeMetric("balanced_accuracy", in)}};
      } else if (key == "roc_auc") {
        MetricInputs with_scores = in;
        with_scores.scores = scores;
        ours = {{"", RocAucScore(y, scores)}, {"roc_auc", ComputeMetric("roc_auc", with_scores)}};
      } else if (key == "roc_auc_proba") {
        std::vector<double> p1(y.size());
        for (size_t i = 0; i < y.size(); ++i) p1[i] = proba[2 * i + 1];
        ours = {{"", RocAucScore(y, p1)}, {"roc_auc", ComputeMetric("roc_auc", in)}};
      } else if (key == "roc_auc_ovr_macro") {
        ours = {{"", RocAucOvrScore(y, proba, k, Average::kMacro)},
                {"roc_auc_ovr", ComputeMetric("roc_auc_ovr", in)}};
      } else if (key == "roc_auc_ovr_weighted") {
        ours = {{"", RocAucOvrScore(y, proba, k, Average::kWeighted)},
                {"roc_auc_ovr_weighted", ComputeMetric("roc_auc_ovr_weighted", in)}};
      } else if (key == "log_loss") {
        ours = {{"", LogLoss(y, proba, k)}, {"log_loss", ComputeMetric("log_loss", in)}};
        Result<double> neg = ComputeMetric("neg_log_loss", in);
        if (neg.ok()) neg = -*neg;
        ours.emplace_back("neg_log_loss", neg);
      } else {
        // precision_binary, recall_macro, f1_binary_pos0, ...
        const size_t cut = key.find('_');
        const std::string metric = key.substr(0, cut), average = key.substr(cut + 1);
        Average a = Average::kBinary;
        int32_t pos = 1;
        std::string registry_name = key;
        if (average == "binary") {
          registry_name = metric;
        } else if (average == "binary_pos0") {
          pos = 0;
          registry_name.clear();
        } else if (average == "micro") {
          a = Average::kMicro;
        } else if (average == "macro") {
          a = Average::kMacro;
        } else if (average == "weighted") {
          a = Average::kWeighted;
        } else {
          ADD_FAILURE() << "unknown fixture key " << key;
          continue;
        }
        if (metric == "precision") {
          ours = {{"", PrecisionScore(y, pred, a, pos)}};
        } else if (metric == "recall") {
          ours = {{"", RecallScore(y, pred, a, pos)}};
        } else if (metric == "f1") {
          ours = {{"", F1Score(y, pred, a, pos)}};
        } else {
          ADD_FAILURE() << "unknown fixture key " << key;
          continue;
        }
        ours.emplace_back("", prf(metric, a, pos));
        if (!registry_name.empty()) {
          ours.emplace_back(registry_name, ComputeMetric(registry_name, in));
        }
      }
      for (const auto& [registry_name, r] : ours) {
        worst.Add(
            Check(expected, r, what + (registry_name.empty() ? "" : " via " + registry_name)));
      }
    }
  }
  EXPECT_GE(cases, 40);
}

TEST(MetricsVsSklearn, Regression) {
  const nlohmann::json* f = SklearnFixture("metrics");
  ASSERT_NE(f, nullptr);
  Worst worst;
  int cases = 0;
  for (const auto& c : (*f)["regression"]) {
    const std::string name = c["name"];
    const auto y = Vec<double>(c["y_true"]);
    const auto pred = Vec<double>(c["y_pred"]);
    const MetricInputs in{.values_true = y, .values_pred = pred};
    ++cases;
    auto negated = [&](const std::string& metric) {
      Result<double> r = ComputeMetric(metric, in);
      if (r.ok()) r = -*r;
      return r;
    };
    for (const auto& [key, expected] : c["expected"].items()) {
      std::vector<std::pair<std::string, Result<double>>> ours;
      if (key == "mse") {
        ours = {{"", MeanSquaredError(y, pred)},
                {"mean_squared_error", ComputeMetric("mean_squared_error", in)},
                {"mse", ComputeMetric("mse", in)},
                {"neg_mean_squared_error", negated("neg_mean_squared_error")}};
      } else if (key == "rmse") {
        ours = {{"", RootMeanSquaredError(y, pred)},
                {"root_mean_squared_error", ComputeMetric("root_mean_squared_error", in)},
                {"rmse", ComputeMetric("rmse", in)},
                {"neg_root_mean_squared_error", negated("neg_root_mean_squared_error")}};
      } else if (key == "mae") {
        ours = {{"", MeanAbsoluteError(y, pred)},
                {"mean_absolute_error", ComputeMetric("mean_absolute_error", in)},
                {"mae", ComputeMetric("mae", in)},
                {"neg_mean_absolute_error", negated("neg_mean_absolute_error")}};
      } else if (key == "r2") {
        ours = {{"", R2Score(y, pred)}, {"r2", ComputeMetric("r2", in)}};
      } else {
        ADD_FAILURE() << "unknown fixture key " << key;
      }
      for (const auto& [registry_name, r] : ours) {
        worst.Add(
            Check(expected, r,
                  name + " / " + key + (registry_name.empty() ? "" : " via " + registry_name)));
      }
    }
  }
  EXPECT_GE(cases, 14);
}

TEST(MetricsVsSklearn, Clustering) {
  const nlohmann::json* f = SklearnFixture("metrics");
  ASSERT_NE(f, nullptr);
  Worst worst;
  int cases = 0;
  for (const auto& c : (*f)["clustering"]) {
    const std::string name = c["name"];
    const auto labels = Vec<int32_t>(c["labels"]);
    const auto labels_true =
        c.contains("labels_true") ? Vec<int32_t>(c["labels_true"]) : std::vector<int32_t>{};
    std::vector<double> x;
    int d = 0;
    if (c.contains("x")) {
      x = Vec<double>(c["x"]);
      d = c["n_features"];
    }
    const Eigen::Map<const RowMajorMatrixXd> xm(x.data(), d == 0 ? 0 : x.size() / d, d);
    const MetricInputs in{
        .labels_true = labels_true, .labels_pred = labels, .features = x, .n_features = d};
    ++cases;
    for (const auto& [key, expected] : c["expected"].items()) {
      std::vector<std::pair<std::string, Result<double>>> ours;
      if (key == "silhouette" || key == "silhouette_exact_distances") {
        ours = {{"", SilhouetteScore(xm, labels)},
                {"silhouette", ComputeMetric("silhouette", in)},
                // A sample as large as the data is the whole data.
                {"", SilhouetteScoreSampled(xm, labels, xm.rows(), 7)}};
      } else if (key == "inertia_means") {
        ours = {{"", Inertia(xm, labels)}, {"inertia", ComputeMetric("inertia", in)}};
      } else if (key == "inertia_centroids") {
        const auto centroids = Vec<double>(c["centroids"]);
        const Eigen::Map<const RowMajorMatrixXd> cm(centroids.data(), centroids.size() / d, d);
        ours = {{"", Inertia(xm, cm, labels)}};
      } else if (key == "adjusted_rand") {
        ours = {{"", AdjustedRandScore(labels_true, labels)},
                {"adjusted_rand", ComputeMetric("adjusted_rand", in)}};
      } else {
        ADD_FAILURE() << "unknown fixture key " << key;
      }
      for (const auto& [registry_name, r] : ours) {
        worst.Add(
            Check(expected, r,
                  name + " / " + key + (registry_name.empty() ? "" : " via " + registry_name)));
      }
    }
  }
  EXPECT_GE(cases, 20);
}

// ---- Errors and edge cases ------------------------------------------------------

template <class T>
void ExpectError(const Result<T>& r, const std::string& substring) {
  ASSERT_FALSE(r.ok()) << "expected an error containing '" << substring << "'";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status();
  EXPECT_THAT(r.status().message(), HasSubstr(substring));
}

TEST(MetricsErrors, LengthMismatchAndEmpty) {
  const std::vector<int32_t> a = {0, 1, 1}, b = {0, 1};
  ExpectError(AccuracyScore(a, b), "y_true has 3 values but y_pred has 2");
  ExpectError(F1Score(a, b, Average::kMacro), "y_true has 3 values but y_pred has 2");
  ExpectError(AccuracyScore({}, {}), "y_true is empty");
  ExpectError(BalancedAccuracyScore({}, {}), "y_true is empty");
  ExpectError(RocAucScore(a, std::vector<double>{0.1, 0.2}), "scores has 2");
  ExpectError(MeanSquaredError(std::vector<double>{1, 2}, std::vector<double>{1}), "has 1");
  ExpectError(MeanAbsoluteError({}, {}), "y_true is empty");
  ExpectError(AdjustedRandScore(a, b), "labels_true has 3 values but labels_pred has 2");
  ExpectError(LogLoss({}, {}, 2), "y_true is empty");
  ExpectError(LogLoss(a, std::vector<double>{0.5, 0.5}, 2), "expected n x n_classes = 3 x 2");
  const RowMajorMatrixXd x = RowMajorMatrixXd::Random(4, 2);
  ExpectError(SilhouetteScore(x, a), "x has 4 rows but labels has 3");
  ExpectError(Inertia(x, a), "x has 4 rows but labels has 3");
}

TEST(MetricsErrors, NaNAndInfinity) {
  ExpectError(MeanSquaredError(std::vector<double>{1, 2, 3}, std::vector<double>{1, NAN, 3}),
              "y_pred[1] is NaN");
  ExpectError(R2Score(std::vector<double>{1, INFINITY}, std::vector<double>{1, 2}),
              "y_true[1] is infinite");
  ExpectError(RocAucScore(std::vector<int32_t>{0, 1}, std::vector<double>{NAN, 1}),
              "scores[0] is NaN");
  ExpectError(LogLoss(std::vector<int32_t>{0, 1}, std::vector<double>{0.5, 0.5, NAN, 0.5}, 2),
              "probabilities[2] is NaN");
  RowMajorMatrixXd x = RowMajorMatrixXd::Random(5, 2);
  x(3, 1) = NAN;
  const std::vector<int32_t> labels = {0, 0, 1, 1, 1};
  ExpectError(SilhouetteScore(x, labels), "x[3, 1] is NaN");
  ExpectError(Inertia(x, labels), "x[3, 1] is NaN");
}

TEST(MetricsErrors, ClassCodes) {
  const std::vector<int32_t> y = {0, 1, 2}, bad = {0, -1, 2};
  ExpectError(F1Score(y, bad, Average::kMacro), "y_pred[1] = -1");
  ExpectError(BalancedAccuracyScore(bad, y), "y_true[1] = -1");
  // A huge code is an error, not a huge allocation.
  ExpectError(PrecisionScore(y, std::vector<int32_t>{0, 1, INT32_MAX}, Average::kMacro),
              "class codes must be in 0..");
  ExpectError(ComputeConfusionMatrix(y, y, 2), "y_true[2] = 2: class codes must be in 0..1");
  ExpectError(ComputeConfusionMatrix(y, y, 100000), "n_classes is 100000");
  ExpectError(LogLoss(y, std::vector<double>(6, 0.5), 2), "y_true[2] = 2");
  ExpectError(RocAucScore(y, std::vector<double>{0.1, 0.2, 0.3}), "class codes must be in 0..1");
  ExpectError(F1Score(y, y, Average::kBinary), "average=binary needs at most 2 classes");
  ExpectError(F1Score(std::vector<int32_t>{0, 2}, std::vector<int32_t>{2, 0}, Average::kBinary),
              "pos_label 1 is not one of the classes (0, 2)");
}

TEST(MetricsErrors, RocAucNeedsBothClasses) {
  ExpectError(RocAucScore(std::vector<int32_t>{1, 1, 1}, std::vector<double>{0.1, 0.2, 0.3}),
              "only one class");
  // One-vs-rest: every class must occur in y_true.
  const std::vector<double> p = {0.5, 0.3, 0.2, 0.2, 0.5, 0.3, 0.6, 0.2, 0.2};
  ExpectError(RocAucOvrScore(std::vector<int32_t>{0, 1, 0}, p, 3), "class 2 of 3 does not occur");
  // Class 0: 1 of 2 pairs; class 1: 2 of 2; class 2: a tie and a loss.
  EXPECT_NEAR(*RocAucOvrScore(std::vector<int32_t>{0, 1, 2}, p, 3), (0.5 + 1.0 + 0.25) / 3, 1e-15);
}

TEST(MetricsErrors, ProbabilitiesMustSumToOne) {
  const std::vector<int32_t> y = {0, 1, 2};
  std::vector<double> p = {0.2, 0.3, 0.5, 0.1, 0.1, 0.6, 0.3, 0.3, 0.4};  // row 1 sums to 0.8
  ExpectError(LogLoss(y, p, 3), "row 1 of probabilities sums to 0.8");
  ExpectError(RocAucOvrScore(y, p, 3), "row 1 of probabilities sums to 0.8");
  MetricInputs in{.labels_true = y, .probabilities = p, .n_classes = 3};
  ExpectError(ComputeMetric("neg_log_loss", in), "row 1");
  p = {0.2, 0.3, 0.5, 1.2, -0.2, 0.0, 0.3, 0.3, 0.4};  // sums to 1, not probabilities
  ExpectError(LogLoss(y, p, 3), "probabilities[1, 0] = 1.2");
  // Within np.allclose's tolerance: accepted and renormalized (scikit-learn
  // 1.2), so scaling a row by 1 + 5e-6 leaves the loss unchanged.
  p = {0.2, 0.3, 0.5, 0.1, 0.3, 0.6, 0.3, 0.3, 0.4};
  const double base = *LogLoss(y, p, 3);
  for (int j = 3; j < 6; ++j) p[j] *= 1.0 + 5e-6;
  EXPECT_NEAR(*LogLoss(y, p, 3), base, 1e-15);
  EXPECT_NEAR(base, -(std::log(0.2) + std::log(0.3) + std::log(0.4)) / 3, 1e-15);
  ExpectError(LogLoss(y, p, 1), "n_classes >= 2");
}

TEST(MetricsEdgeCases, ZeroDivisionGivesZero) {
  // Nothing predicted as 1: precision 0/0 -> 0, F1 0 (scikit-learn's default).
  const std::vector<int32_t> y = {0, 1, 1, 0}, pred = {0, 0, 0, 0};
  const PrecisionRecallF1 r = *PrecisionRecallF1Score(y, pred);
  EXPECT_EQ(r.precision, 0.0);
  EXPECT_EQ(r.recall, 0.0);
  EXPECT_EQ(r.f1, 0.0);
  // Macro over classes 0 and 1: class 0 has precision 2/4, recall 1.
  EXPECT_DOUBLE_EQ(*PrecisionScore(y, pred, Average::kMacro), 0.25);
  EXPECT_DOUBLE_EQ(*RecallScore(y, pred, Average::kMacro), 0.5);
}

TEST(MetricsEdgeCases, R2) {
  ExpectError(R2Score(std::vector<double>{1.0}, std::vector<double>{1.0}), "fewer than 2 samples");
  // A constant y_true: 1 when perfect, else 0, also where scikit-learn's
  // rounded mean makes SS_tot 1e-34 and its score -5e29 (documented).
  const std::vector<double> y = {0.1, 0.1, 0.1};
  EXPECT_EQ(*R2Score(y, y), 1.0);
  EXPECT_EQ(*R2Score(y, std::vector<double>{0.11, 0.11, 0.11}), 0.0);
}

TEST(MetricsEdgeCases, Silhouette) {
  const RowMajorMatrixXd x = RowMajorMatrixXd::Random(6, 2);
  ExpectError(SilhouetteScore(x, std::vector<int32_t>(6, 3)), "got 1 cluster");
  ExpectError(SilhouetteScore(x, std::vector<int32_t>{0, 1, 2, 3, 4, 5}),
              "between 2 and n - 1 = 5 clusters, got 6");
  ExpectError(SilhouetteScoreSampled(x, std::vector<int32_t>{0, 0, 0, 1, 1, 1}, 1, 0),
              "sample_size is 1");
}

// The sampled silhouette: deterministic per seed, an unbiased estimate of the
// full score.
TEST(MetricsEdgeCases, SampledSilhouette) {
  Rng rng(3);
  const int n = 1200;
  RowMajorMatrixXd x(n, 3);
  std::vector<int32_t> labels(n);
  for (int i = 0; i < n; ++i) {
    labels[i] = static_cast<int32_t>(rng.UniformInt(4));
    for (int f = 0; f < 3; ++f) x(i, f) = 3.0 * ((labels[i] >> (f % 2)) & 1) + rng.Normal();
  }
  const double full = *SilhouetteScore(x, labels);
  const double a = *SilhouetteScoreSampled(x, labels, 300, 11);
  EXPECT_EQ(a, *SilhouetteScoreSampled(x, labels, 300, 11));
  double mean = 0.0;
  std::set<double> distinct;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const double s = *SilhouetteScoreSampled(x, labels, 300, seed);
    distinct.insert(s);
    mean += s / 20;
  }
  EXPECT_GT(distinct.size(), 15u);  // the seed changes the sample
  // One sample's score has a standard deviation of 0.014 here (measured over
  // 400 seeds), so the mean of 20 has 0.0032; subsampling biases it by
  // -0.002. 0.015 leaves more than 4 standard errors.
  EXPECT_NEAR(mean, full, 0.015);
  EXPECT_EQ(*SilhouetteScoreSampled(x, labels, n + 5, 1), full);
}

TEST(MetricsEdgeCases, AdjustedRandAnyLabelValues) {
  const std::vector<int32_t> a = {INT32_MIN, INT32_MIN, 0, 0, INT32_MAX, INT32_MAX};
  const std::vector<int32_t> b = {-1, -1, 7, 7, 3, 3};
  EXPECT_EQ(*AdjustedRandScore(a, b), 1.0);
  EXPECT_EQ(*AdjustedRandScore(std::vector<int32_t>{5}, std::vector<int32_t>{9}), 1.0);
}

// ---- Registry ---------------------------------------------------------------------

TEST(MetricRegistry, NamesAreUniqueAndDescribed) {
  std::set<std::string> names;
  for (const MetricInfo& m : Metrics()) {
    EXPECT_TRUE(names.insert(m.name).second) << m.name;
    for (const std::string& alias : m.aliases) EXPECT_TRUE(names.insert(alias).second) << alias;
    EXPECT_FALSE(m.description.empty()) << m.name;
    EXPECT_TRUE(m.compute) << m.name;
    EXPECT_EQ(*FindMetric(m.name), &m);
  }
  for (const char* expected : {"accuracy",
                               "balanced_accuracy",
                               "f1",
                               "f1_macro",
                               "f1_weighted",
                               "precision",
                               "precision_macro",
                               "recall_weighted",
                               "roc_auc",
                               "roc_auc_ovr",
                               "roc_auc_ovr_weighted",
                               "log_loss",
                               "neg_log_loss",
                               "mse",
                               "neg_mean_squared_error",
                               "rmse",
                               "mae",
                               "r2",
                               "silhouette",
                               "inertia",
                               "adjusted_rand",
                               "adjusted_rand_score"}) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }
}

TEST(MetricRegistry, DirectionsTasksAndInputs) {
  auto info = [](const char* name) { return *FindMetric(name).value(); };
  EXPECT_EQ(info("accuracy").direction, StudyDirection::kMaximize);
  EXPECT_EQ(info("log_loss").direction, StudyDirection::kMinimize);
  EXPECT_EQ(info("neg_log_loss").direction, StudyDirection::kMaximize);
  EXPECT_EQ(info("mse").direction, StudyDirection::kMinimize);
  EXPECT_EQ(info("mse").name, "mean_squared_error");
  EXPECT_EQ(info("neg_mean_absolute_error").direction, StudyDirection::kMaximize);
  EXPECT_EQ(info("r2").direction, StudyDirection::kMaximize);
  EXPECT_EQ(info("inertia").direction, StudyDirection::kMinimize);
  EXPECT_EQ(info("silhouette").direction, StudyDirection::kMaximize);
  EXPECT_EQ(info("f1_macro").task, MetricTask::kClassification);
  EXPECT_EQ(info("rmse").task, MetricTask::kRegression);
  EXPECT_EQ(info("adjusted_rand").task, MetricTask::kClustering);
  EXPECT_TRUE(info("roc_auc_ovr").needs_probabilities);
  EXPECT_TRUE(info("log_loss").needs_probabilities);
  EXPECT_FALSE(info("accuracy").needs_probabilities);
  EXPECT_TRUE(info("silhouette").needs_features);
  EXPECT_TRUE(info("adjusted_rand").needs_labels_true);
  EXPECT_EQ(ToString(MetricTask::kClustering), "clustering");

  Result<const MetricInfo*> unknown = FindMetric("f2");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("unknown metric 'f2'; valid names: accuracy"));

  ExpectError(ComputeMetric("accuracy", {}), "metric 'accuracy' needs MetricInputs.labels_true");
  ExpectError(ComputeMetric("r2", {}), "needs MetricInputs.values_true");
  ExpectError(ComputeMetric("silhouette", {}), "needs MetricInputs.features");
  const std::vector<int32_t> y = {0, 1, 2};
  const std::vector<double> p(9, 1.0 / 3);
  ExpectError(ComputeMetric("roc_auc", {.labels_true = y, .probabilities = p, .n_classes = 3}),
              "use roc_auc_ovr");
  const std::vector<double> features = {1, 2, 3, 4, 5};
  ExpectError(ComputeMetric("inertia", {.labels_pred = y, .features = features, .n_features = 2}),
              "not a multiple of n_features = 2");
}

}  // namespace
}  // namespace hypertune::ml
