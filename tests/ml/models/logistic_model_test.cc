// The "logistic" and "linear_svc" models (liblinear 2.3) against
// scikit-learn 1.2's LogisticRegression(solver="liblinear") and LinearSVC,
// fitted by sklearn_svm_linear.py on the same doubles: coefficients and
// intercepts within 1e-6, the same probabilities. Also: exact save/load round
// trips, errors that name the hyperparameter, the cached liblinear problem,
// and a short TPE study.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "tests/ml/models/svm_linear_test_util.h"

namespace hypertune::ml {
namespace {

using ::testing::HasSubstr;
using testing::Json;
using testing::Prepare;
using testing::Prepared;

const ModelInfo& Logistic() { return *FindModel("logistic").value(); }
const ModelInfo& LinearSvc() { return *FindModel("linear_svc").value(); }

std::unique_ptr<Model> Make(const ModelInfo& info, const Params& params, const ModelData& data) {
  Result<std::unique_ptr<Model>> m = info.create(params, data.task, data.num_classes);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(m).value() : nullptr;
}

double MaxAbsDiff(const Json& a, const Json& b) {
  if (a.is_array()) {
    EXPECT_EQ(a.size(), b.size());
    double worst = 0;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
      worst = std::max(worst, MaxAbsDiff(a[i], b[i]));
    return worst;
  }
  return std::abs(a.get<double>() - b.get<double>());
}

struct Case {
  const ModelInfo* info;
  Params ours;
  std::string estimator;
  Json sklearn;
  double tolerance = 1e-6;
};

void Compare(const Prepared& d, const std::string& tag, const std::vector<Case>& cases) {
  Json jobs = Json::array();
  for (const Case& c : cases) jobs.push_back({{"estimator", c.estimator}, {"params", c.sklearn}});
  const Json ref = testing::RunSklearn(tag, d.train, d.test, jobs);
  ASSERT_TRUE(ref.is_array());
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.estimator + " " + c.sklearn.dump());
    auto model = Make(*c.info, c.ours, d.train);
    ASSERT_NE(model, nullptr);
    ASSERT_TRUE(model->Fit(d.train, {}).ok());
    const Json ours = model->LearnedParameters().value();
    const double coef_diff = std::max(MaxAbsDiff(ours["coef"], ref[i]["coef"]),
                                      MaxAbsDiff(ours["intercept"], ref[i]["intercept"]));
    EXPECT_LT(coef_diff, c.tolerance);
    ::testing::Test::RecordProperty("max_coef_diff_" + std::to_string(i), testing::Sci(coef_diff));
    const MatrixD pred = model->Predict(d.test.x).value();
    std::vector<int> expected;
    for (const Json& v : ref[i]["predict"]) expected.push_back(static_cast<int>(v.get<double>()));
    EXPECT_EQ(testing::ArgMax(pred), expected);
    if (ref[i].contains("predict_proba")) {
      Json p = Json::array();
      for (Eigen::Index r = 0; r < pred.rows(); ++r) {
        p.push_back(std::vector<double>(pred.row(r).data(), pred.row(r).data() + pred.cols()));
      }
      EXPECT_LT(MaxAbsDiff(p, ref[i]["predict_proba"]), c.tolerance);
    }
  }
}

Json Sk(Json params) {
  params["solver"] = "liblinear";
  params["max_iter"] = 100000;
  params["random_state"] = 0;
  return params;
}

TEST(LogisticModelTest, BinaryMatchesScikitLearnLiblinear) {
  const Prepared d = Prepare("breast_cancer_wdbc.csv", "diagnosis", TaskType::kClassification);
  const Params tight = {{"tol", 1e-10}};
  const auto with = [&](Params p) {
    p.insert(tight.begin(), tight.end());
    return p;
  };
  Compare(
      d, "logistic_wdbc",
      {{&Logistic(), with({}), "LogisticRegression", Sk({{"tol", 1e-10}})},
       {&Logistic(), with({{"C", 0.05}, {"class_weight", std::string("balanced")}}),
        "LogisticRegression", Sk({{"tol", 1e-10}, {"C", 0.05}, {"class_weight", "balanced"}})},
       {&Logistic(), with({{"C", 10.0}, {"fit_intercept", false}}), "LogisticRegression",
        Sk({{"tol", 1e-10}, {"C", 10.0}, {"fit_intercept", false}})},
       // The L1 and dual solvers shuffle rows (liblinear's rand(),
       // scikit-learn's own generator) and liblinear 2.3 stops L1R_LR
       // after 100 Newton steps: the same optimum, reached less tightly.
       {&Logistic(), with({{"penalty", std::string("l1")}, {"C", 0.5}}), "LogisticRegression",
        Sk({{"tol", 1e-10}, {"penalty", "l1"}, {"C", 0.5}}), 1e-5},
       {&Logistic(), with({{"dual", true}}), "LogisticRegression",
        Sk({{"tol", 1e-10}, {"dual", true}}), 1e-5},
       {&LinearSvc(),
        with({{"C", 0.1}}),
        "LinearSVC",
        {{"tol", 1e-10}, {"C", 0.1}, {"dual", false}, {"max_iter", 100000}, {"random_state", 0}}}});
}

TEST(LogisticModelTest, MulticlassOneVsRestMatchesScikitLearn) {
  const Prepared d = Prepare("wine.csv", "cultivar", TaskType::kClassification);
  Compare(d, "logistic_wine",
          {{&Logistic(), {{"tol", 1e-10}}, "LogisticRegression", Sk({{"tol", 1e-10}})},
           {&Logistic(),
            {{"tol", 1e-10}, {"C", 0.2}, {"class_weight", std::string("balanced")}},
            "LogisticRegression",
            Sk({{"tol", 1e-10}, {"C", 0.2}, {"class_weight", "balanced"}})},
           {&LinearSvc(),
            {{"tol", 1e-10}},
            "LinearSVC",
            {{"tol", 1e-10}, {"dual", false}, {"max_iter", 100000}, {"random_state", 0}}}});
}

TEST(LogisticModelTest, ProbabilitiesAndClassesHaveTheirShape) {
  const Prepared d = Prepare("iris.csv", "species", TaskType::kClassification);
  auto lr = Make(Logistic(), {}, d.train);
  ASSERT_TRUE(lr->Fit(d.train, {}).ok());
  const MatrixD p = lr->Predict(d.test.x).value();
  ASSERT_EQ(p.cols(), 3);
  for (Eigen::Index r = 0; r < p.rows(); ++r) EXPECT_NEAR(p.row(r).sum(), 1.0, 1e-12);
  EXPECT_GT(testing::Accuracy(p, d.test), 0.8);
  auto svc = Make(LinearSvc(), {}, d.train);
  ASSERT_TRUE(svc->Fit(d.train, {}).ok());
  const MatrixD onehot = svc->Predict(d.test.x).value();
  for (Eigen::Index r = 0; r < onehot.rows(); ++r) EXPECT_EQ(onehot.row(r).sum(), 1.0);
  const Json j = lr->LearnedParameters().value();
  EXPECT_EQ(j["classes"], Json({0, 1, 2}));
  EXPECT_EQ(j["coef"].size(), 3u);
  EXPECT_EQ(j["coef"][0].size(), 4u);
  EXPECT_EQ(j["bias"], 1.0);
  EXPECT_EQ(j["solver"], "L2R_LR");
  EXPECT_EQ(lr->FitSummary()["reported_steps"], 0);
}

void ExpectRoundTrip(const ModelInfo& info, const Params& params, const Prepared& d) {
  SCOPED_TRACE(info.name + " " + ParamsToJson(params).dump());
  auto model = Make(info, params, d.train);
  ASSERT_TRUE(model->Fit(d.train, {}).ok());
  const std::string bytes = model->SaveNative().value();
  EXPECT_THAT(bytes, HasSubstr("solver_type"));  // liblinear's own file
  auto loaded = Make(info, params, d.train);
  const Status st = loaded->LoadNative(bytes);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(loaded->Predict(d.test.x).value(), model->Predict(d.test.x).value());
  EXPECT_EQ(loaded->LearnedParameters().value(), model->LearnedParameters().value());
  EXPECT_EQ(loaded->SaveNative().value(), bytes);
}

TEST(LogisticModelTest, SaveAndLoadPredictIdentically) {
  const Prepared wine = Prepare("wine.csv", "cultivar", TaskType::kClassification);
  ExpectRoundTrip(Logistic(), {}, wine);
  ExpectRoundTrip(Logistic(), {{"penalty", std::string("l1")}}, wine);
  ExpectRoundTrip(Logistic(), {{"fit_intercept", false}}, wine);
  ExpectRoundTrip(LinearSvc(), {}, wine);
  const Prepared wdbc = Prepare("breast_cancer_wdbc.csv", "diagnosis", TaskType::kClassification);
  ExpectRoundTrip(Logistic(), {{"C", 3.0}}, wdbc);

  // A logistic file is not a linear_svc, nor garbage a model.
  auto model = Make(Logistic(), {}, wine.train);
  ASSERT_TRUE(model->Fit(wine.train, {}).ok());
  auto svc = Make(LinearSvc(), {}, wine.train);
  EXPECT_EQ(svc->LoadNative(model->SaveNative().value()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(svc->LoadNative("solver_type nonsense\n").code(), StatusCode::kCorruption);
  // Class codes beyond the model's classes.
  auto binary = Logistic().create({}, TaskType::kClassification, 2).value();
  EXPECT_EQ(binary->LoadNative(model->SaveNative().value()).code(), StatusCode::kInvalidArgument);
}

TEST(LogisticModelTest, BadHyperparametersNameTheHyperparameter) {
  const auto error = [](const ModelInfo& info, const Params& p) {
    Result<std::unique_ptr<Model>> m = info.create(p, TaskType::kClassification, 2);
    EXPECT_FALSE(m.ok());
    return m.status();
  };
  Status st = error(Logistic(), {{"C", 0.0}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'C'"));
  st = error(LinearSvc(), {{"C", -2.0}});
  EXPECT_THAT(st.message(), HasSubstr("linear_svc: hyperparameter 'C'"));
  st = error(Logistic(), {{"penalty", std::string("elasticnet")}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'penalty'"));
  st = error(Logistic(), {{"tol", 0.0}});
  EXPECT_THAT(st.message(), HasSubstr("'tol'"));
  st = error(Logistic(), {{"class_weight", std::string("x")}});
  EXPECT_THAT(st.message(), HasSubstr("'class_weight'"));
  EXPECT_EQ(Logistic().create({}, TaskType::kRegression, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(LogisticModelTest, BadDataGivesClearErrors) {
  const Prepared d = Prepare("iris.csv", "species", TaskType::kClassification);
  auto model = Make(Logistic(), {}, d.train);
  EXPECT_EQ(model->Predict(d.test.x).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(model->SaveNative().status().code(), StatusCode::kFailedPrecondition);
  ModelData one_class = d.train;
  std::fill(one_class.y.begin(), one_class.y.end(), 0.0f);
  Status st = model->Fit(one_class, {});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("single class"));
  ModelData nan = d.train;
  nan.x(0, 2) = std::nanf("");
  EXPECT_THAT(model->Fit(nan, {}).message(), HasSubstr("NaN"));
  ASSERT_TRUE(model->Fit(d.train, {}).ok());
  const MatrixF wide(2, 5);
  st = model->Predict(wide).status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("takes 4 columns"));
}

TEST(LogisticModelTest, TrialsReuseTheCachedProblem) {
  const Prepared d = Prepare("breast_cancer_wdbc.csv", "diagnosis", TaskType::kClassification);
  const auto entry = [&](const char* key) {
    Result<std::shared_ptr<void>> e = d.train.cache->GetOrCreate<void>(
        key, [] { return Result<std::shared_ptr<void>>(Status::NotFound("not built")); });
    return e.ok() ? e->get() : nullptr;
  };
  auto a = Make(Logistic(), {}, d.train);
  ASSERT_TRUE(a->Fit(d.train, {}).ok());
  EXPECT_EQ(a->FitSummary()["problem"], "built");
  const void* first = entry("liblinear/bias");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(entry("liblinear/no_bias"), nullptr);
  auto b = Make(LinearSvc(), {{"C", 0.3}}, d.train);
  ASSERT_TRUE(b->Fit(d.train, {}).ok());
  EXPECT_EQ(b->FitSummary()["problem"], "cached");
  EXPECT_EQ(entry("liblinear/bias"), first);
  auto c = Make(Logistic(), {{"fit_intercept", false}}, d.train);
  ASSERT_TRUE(c->Fit(d.train, {}).ok());
  EXPECT_EQ(c->FitSummary()["problem"], "built");
  EXPECT_NE(entry("liblinear/no_bias"), nullptr);
}

TEST(LogisticModelTest, SeededSolversAreReproducible) {
  // The L1 and dual solvers shuffle with rand(): the seed fixes the result.
  const Prepared d = Prepare("wine.csv", "cultivar", TaskType::kClassification);
  const Params l1 = {{"penalty", std::string("l1")}, {"tol", 1e-2}};
  auto a = Make(Logistic(), l1, d.train);
  auto b = Make(Logistic(), l1, d.train);
  ASSERT_TRUE(a->Fit(d.train, {.seed = 3}).ok());
  ASSERT_TRUE(b->Fit(d.train, {.seed = 3}).ok());
  EXPECT_EQ(a->LearnedParameters().value(), b->LearnedParameters().value());
}

TEST(LogisticModelTest, TpeStudyMatchesOrBeatsTheDefaults) {
  const Prepared d = Prepare("breast_cancer_wdbc.csv", "diagnosis", TaskType::kClassification);
  const double defaults = testing::FitAndScore(Logistic(), {}, d.train, d.valid);
  const double best = testing::TuneWithTpe(Logistic(), d.train, d.valid, 20);
  ::testing::Test::RecordProperty("defaults", testing::Sci(defaults));
  ::testing::Test::RecordProperty("tpe_best", testing::Sci(best));
  EXPECT_GE(best, defaults) << "defaults " << defaults;
  EXPECT_GE(best, 0.95);
}

}  // namespace
}  // namespace hypertune::ml
