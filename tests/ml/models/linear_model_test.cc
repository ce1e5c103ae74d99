// The "linear" model (Eigen) against scikit-learn 1.2's LinearRegression,
// Ridge, Lasso and ElasticNet, fitted by sklearn_svm_linear.py on the same
// doubles: coefficients and intercepts within 1e-6, and for coordinate
// descent the same number of iterations. Also: exact save/load round trips,
// errors that name the hyperparameter, per-iteration reports and pruning, and
// a short TPE study.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "hypertune/core/threshold_pruner.h"
#include "tests/ml/models/svm_linear_test_util.h"

namespace hypertune::ml {
namespace {

using ::testing::HasSubstr;
using testing::Json;
using testing::Prepare;
using testing::Prepared;

const ModelInfo& Linear() { return *FindModel("linear").value(); }

std::unique_ptr<Model> Make(const Params& params) {
  Result<std::unique_ptr<Model>> m = Linear().create(params, TaskType::kRegression, 0);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(m).value() : nullptr;
}

struct Case {
  Params ours;
  std::string estimator;
  Json sklearn;
};

// Coefficients within 1e-6 relative to their scale (targets are raw: the
// diabetes weights are in the tens, california's in the tens of thousands).
void Compare(const Prepared& d, const std::string& tag, const std::vector<Case>& cases) {
  Json jobs = Json::array();
  for (const Case& c : cases) jobs.push_back({{"estimator", c.estimator}, {"params", c.sklearn}});
  const Json ref = testing::RunSklearn(tag, d.train, d.test, jobs);
  ASSERT_TRUE(ref.is_array());
  double worst = 0;  // relative
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.estimator + " " + c.sklearn.dump());
    auto model = Make(c.ours);
    ASSERT_NE(model, nullptr);
    const Status st = model->Fit(d.train, {});
    ASSERT_TRUE(st.ok()) << st;
    const Json ours = model->LearnedParameters().value();
    const Json& coef = ref[i]["coef"][0];
    ASSERT_EQ(ours["coef"].size(), coef.size());
    for (size_t j = 0; j < coef.size(); ++j) {
      const double expected = coef[j].get<double>();
      const double diff = std::abs(ours["coef"][j].get<double>() - expected);
      EXPECT_LE(diff, 1e-6 * std::max(1.0, std::abs(expected))) << "coef " << j;
      worst = std::max(worst, diff / std::max(1.0, std::abs(expected)));
    }
    const double intercept = ref[i]["intercept"][0].get<double>();
    EXPECT_NEAR(ours["intercept"].get<double>(), intercept,
                1e-6 * std::max(1.0, std::abs(intercept)));
    if (c.estimator == "Lasso" || c.estimator == "ElasticNet") {
      EXPECT_EQ(model->FitSummary()["iterations"], ref[i]["n_iter"][0]);
      EXPECT_EQ(model->FitSummary()["converged"], true);
    }
    const MatrixD pred = model->Predict(d.test.x).value();
    for (Eigen::Index r = 0; r < pred.rows(); ++r) {
      const double expected = ref[i]["predict"][static_cast<size_t>(r)].get<double>();
      EXPECT_NEAR(pred(r, 0), expected, 1e-6 * std::max(1.0, std::abs(expected)));
    }
  }
  ::testing::Test::RecordProperty("max_relative_coef_diff", testing::Sci(worst));
}

Params P(const char* penalty, Params p = {}) {
  p["penalty"] = std::string(penalty);
  return p;
}

TEST(LinearModelTest, MatchesScikitLearnOnDiabetes) {
  const Prepared d = Prepare("diabetes.csv", "progression", TaskType::kRegression);
  const double n = static_cast<double>(d.train.rows());
  const Json cd = {{"tol", 1e-12}, {"max_iter", 100000}};
  const auto sk_cd = [&](Json p) {
    p.update(cd);
    return p;
  };
  const Params our_cd = {{"tol", 1e-12}, {"max_iter", int64_t{100000}}};
  const auto with_cd = [&](Params p) {
    p.insert(our_cd.begin(), our_cd.end());
    return p;
  };
  Compare(d, "linear_diabetes",
          {{P("none"), "LinearRegression", Json::object()},
           {P("none", {{"fit_intercept", false}}), "LinearRegression", {{"fit_intercept", false}}},
           // Our alpha is ElasticNet's: scikit-learn's Ridge alpha is n times it.
           {P("ridge", {{"alpha", 0.1}}), "Ridge", {{"alpha", 0.1 * n}}},
           {P("ridge", {{"alpha", 2.0}, {"fit_intercept", false}}),
            "Ridge",
            {{"alpha", 2.0 * n}, {"fit_intercept", false}}},
           {with_cd(P("lasso", {{"alpha", 0.5}})), "Lasso", sk_cd({{"alpha", 0.5}})},
           {with_cd(P("lasso", {{"alpha", 3.0}, {"fit_intercept", false}})), "Lasso",
            sk_cd({{"alpha", 3.0}, {"fit_intercept", false}})},
           {with_cd(P("elasticnet", {{"alpha", 0.3}, {"l1_ratio", 0.7}})), "ElasticNet",
            sk_cd({{"alpha", 0.3}, {"l1_ratio", 0.7}})},
           // scikit-learn's defaults (tol 1e-4, max_iter 1000) stop at the
           // same iteration too.
           {P("elasticnet", {{"alpha", 0.05}, {"l1_ratio", 0.2}}),
            "ElasticNet",
            {{"alpha", 0.05}, {"l1_ratio", 0.2}}}});
}

TEST(LinearModelTest, MatchesScikitLearnWithOneHotColumns) {
  // California housing: missing total_bedrooms imputed, ocean_proximity
  // one-hot; a 1/3 sample of the rows keeps the test fast.
  const Prepared d = Prepare("california_housing.csv", "median_house_value", TaskType::kRegression,
                             7, {}, {.train = 0.3, .validation = 0.05, .test = 0.05});
  const double n = static_cast<double>(d.train.rows());
  Compare(d, "linear_california",
          {{P("ridge", {{"alpha", 1e-3}}), "Ridge", {{"alpha", 1e-3 * n}}},
           {P("lasso", {{"alpha", 100.0}, {"tol", 1e-12}, {"max_iter", int64_t{100000}}}),
            "Lasso",
            {{"alpha", 100.0}, {"tol", 1e-12}, {"max_iter", 100000}}}});
}

TEST(LinearModelTest, SaveAndLoadPredictIdentically) {
  const Prepared d = Prepare("diabetes.csv", "progression", TaskType::kRegression);
  for (const Params& params :
       {P("none"), P("ridge", {{"alpha", 0.01}}), P("lasso", {{"alpha", 0.2}}),
        P("elasticnet", {{"fit_intercept", false}})}) {
    SCOPED_TRACE(ParamsToJson(params).dump());
    auto model = Make(params);
    ASSERT_TRUE(model->Fit(d.train, {}).ok());
    const std::string bytes = model->SaveNative().value();
    auto loaded = Make(params);
    const Status st = loaded->LoadNative(bytes);
    ASSERT_TRUE(st.ok()) << st;
    EXPECT_EQ(loaded->Predict(d.test.x).value(), model->Predict(d.test.x).value());
    EXPECT_EQ(loaded->LearnedParameters().value(), model->LearnedParameters().value());
    EXPECT_EQ(loaded->SaveNative().value(), bytes);
    const Json j = Json::parse(bytes);
    EXPECT_EQ(j["feature_names"], d.train.feature_names);
  }
  auto model = Make({});
  EXPECT_EQ(model->LoadNative("{").code(), StatusCode::kCorruption);
  EXPECT_EQ(model
                ->LoadNative(R"({"format":"hypertune-linear","version":1,"n_features":2,)"
                             R"("coef":[1],"intercept":0})")
                .code(),
            StatusCode::kCorruption);
  EXPECT_EQ(model->LoadNative(R"({"format":"other"})").code(), StatusCode::kCorruption);
}

TEST(LinearModelTest, BadHyperparametersNameTheHyperparameter) {
  const auto error = [](const Params& p) {
    Result<std::unique_ptr<Model>> m = Linear().create(p, TaskType::kRegression, 0);
    EXPECT_FALSE(m.ok());
    return m.status();
  };
  Status st = error(P("ridge", {{"alpha", 0.0}}));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'alpha'"));
  st = error(P("lasso", {{"alpha", -1.0}}));
  EXPECT_THAT(st.message(), HasSubstr("'alpha'"));
  st = error(P("elasticnet", {{"l1_ratio", 1.5}}));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'l1_ratio'"));
  st = error(P("lasso", {{"max_iter", int64_t{0}}}));
  EXPECT_THAT(st.message(), HasSubstr("'max_iter'"));
  st = error(P("l0"));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'penalty'"));
  EXPECT_EQ(Linear().create({}, TaskType::kClassification, 2).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(LinearModelTest, BadDataGivesClearErrors) {
  const Prepared d = Prepare("diabetes.csv", "progression", TaskType::kRegression);
  auto model = Make({});
  EXPECT_EQ(model->Predict(d.test.x).status().code(), StatusCode::kFailedPrecondition);
  ModelData nan = d.train;
  nan.x(4, 0) = std::nanf("");
  Status st = model->Fit(nan, {});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'age' (column 0) of training row 4"));
  ModelData no_rows = d.train;
  no_rows.x.resize(0, no_rows.x.cols());
  no_rows.y.clear();
  EXPECT_THAT(model->Fit(no_rows, {}).message(), HasSubstr("no rows"));
  const Prepared iris = Prepare("iris.csv", "species", TaskType::kClassification);
  EXPECT_THAT(model->Fit(iris.train, {}).message(), HasSubstr("created for regression"));
  ASSERT_TRUE(model->Fit(d.train, {}).ok());
  st = model->Predict(iris.test.x).status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("takes 10 columns but the rows have 4"));
}

TEST(LinearModelTest, CoordinateDescentReportsToTheTrialAndCanBePruned) {
  const Prepared d = Prepare("diabetes.csv", "progression", TaskType::kRegression);
  const Params slow = P("lasso", {{"alpha", 0.01}, {"tol", 1e-14}, {"max_iter", int64_t{200}}});
  auto study = CreateStudy({}).value();
  Trial trial = study->Ask().value();
  auto model = Make(slow);
  ASSERT_TRUE(model->Fit(d.train, {.valid = &d.valid, .trial = &trial, .metric = "mse"}).ok());
  const int64_t reported = model->FitSummary()["reported_steps"].get<int64_t>();
  EXPECT_GE(reported, 2);
  ASSERT_TRUE(study->Tell(trial, {1.0}).ok());
  const FrozenTrial frozen = study->Trials().value()[0];
  ASSERT_EQ(frozen.intermediate_values.size(), static_cast<size_t>(reported));
  EXPECT_EQ(frozen.intermediate_values[0].first, 10);
  // The last report is the validation MSE of the (nearly) final weights.
  const MatrixD pred = model->Predict(d.valid.x).value();
  double mse = 0;
  for (size_t i = 0; i < d.valid.rows(); ++i) {
    mse += std::pow(pred(static_cast<Eigen::Index>(i), 0) - d.valid.y[i], 2);
  }
  mse /= static_cast<double>(d.valid.rows());
  EXPECT_NEAR(frozen.intermediate_values.back().second, mse, 1e-3 * mse);

  // A pruner that stops every trial whose MSE exceeds 1 stops this fit at
  // its first report.
  auto pruning =
      CreateStudy(
          {.pruner = std::make_shared<ThresholdPruner>(ThresholdPrunerOptions{.upper = 1.0})})
          .value();
  Trial pruned = pruning->Ask().value();
  auto again = Make(slow);
  EXPECT_THROW((void)again->Fit(d.train, {.valid = &d.valid, .trial = &pruned, .metric = "mse"}),
               TrialPruned);
  // A metric this model does not compute: no reports, and the fit goes on.
  Trial quiet = pruning->Ask().value();
  auto third = Make(slow);
  ASSERT_TRUE(third->Fit(d.train, {.valid = &d.valid, .trial = &quiet, .metric = "poisson"}).ok());
  EXPECT_EQ(third->FitSummary()["reported_steps"], 0);
}

TEST(LinearModelTest, TrialsReuseTheCachedMatrix) {
  const Prepared d = Prepare("diabetes.csv", "progression", TaskType::kRegression);
  auto a = Make(P("ridge"));
  ASSERT_TRUE(a->Fit(d.train, {}).ok());
  EXPECT_EQ(a->FitSummary()["problem"], "built");
  auto b = Make(P("lasso"));
  ASSERT_TRUE(b->Fit(d.train, {}).ok());
  EXPECT_EQ(b->FitSummary()["problem"], "cached");
  const ModelData copy = d.train;
  auto c = Make(P("lasso"));
  ASSERT_TRUE(c->Fit(copy, {}).ok());
  EXPECT_EQ(c->FitSummary()["problem"], "built");
  EXPECT_EQ(c->Predict(d.test.x).value(), b->Predict(d.test.x).value());
}

TEST(LinearModelTest, TpeStudyMatchesOrBeatsTheDefaults) {
  const Prepared d = Prepare("diabetes.csv", "progression", TaskType::kRegression);
  const double defaults = testing::FitAndScore(Linear(), {}, d.train, d.valid);
  const double best = testing::TuneWithTpe(Linear(), d.train, d.valid, 20);
  ::testing::Test::RecordProperty("defaults", testing::Sci(defaults));
  ::testing::Test::RecordProperty("tpe_best", testing::Sci(best));
  EXPECT_GE(best, defaults) << "defaults " << defaults;
  EXPECT_GT(best, 0.38) << "defaults " << defaults;
}

}  // namespace
}  // namespace hypertune::ml
