// The "svm" model (libsvm 3.24) against scikit-learn 1.2's SVC and SVR, fitted
// by sklearn_svm_linear.py on the same doubles: the same support vectors,
// dual coefficients and intercepts within 1e-6, the same predictions.
// Also: probabilities, exact save/load round trips, errors that name the
// hyperparameter, the cached libsvm problem, and a short TPE study.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libsvm/svm.h>

#include <cmath>

#include "tests/ml/models/svm_linear_test_util.h"

namespace hypertune::ml {
namespace {

using ::testing::HasSubstr;
using testing::Json;
using testing::Prepare;
using testing::Prepared;

const ModelInfo& Svm() { return *FindModel("svm").value(); }

std::unique_ptr<Model> MakeSvm(const Params& params, const ModelData& data) {
  Result<std::unique_ptr<Model>> m = Svm().create(params, data.task, data.num_classes);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(m).value() : nullptr;
}

Params Value(double gamma, Params p) {
  p["gamma_mode"] = std::string("value");
  p["gamma"] = gamma;
  return p;
}

// Our fit of `params` and scikit-learn's (`ref`) agree. Raises `worst_so_far` to
// the largest difference of the dual coefficients.
void ExpectSameAsSklearnSvc(const Prepared& d, const Params& params, const Json& ref,
                            double& worst_so_far) {
  SCOPED_TRACE(ParamsToJson(params).dump());
  auto model = MakeSvm(params, d.train);
  ASSERT_NE(model, nullptr);
  ASSERT_TRUE(model->Fit(d.train, {}).ok());
  const Json ours = model->LearnedParameters().value();
  EXPECT_EQ(ours["support_indices"], ref["support"]);
  EXPECT_EQ(ours["n_support"], ref["n_support"]);
  EXPECT_EQ(ours["classes"], ref["classes"]);
  ASSERT_EQ(ours["dual_coef"].size(), ref["dual_coef"].size());
  double worst = 0;
  for (size_t i = 0; i < ref["dual_coef"].size(); ++i) {
    ASSERT_EQ(ours["dual_coef"][i].size(), ref["dual_coef"][i].size());
    for (size_t j = 0; j < ref["dual_coef"][i].size(); ++j) {
      worst = std::max(worst, std::abs(ours["dual_coef"][i][j].get<double>() -
                                       ref["dual_coef"][i][j].get<double>()));
    }
  }
  EXPECT_LT(worst, 1e-6);
  // scikit-learn keeps libsvm's constants as _intercept_ = -rho.
  ASSERT_EQ(ours["rho"].size(), ref["intercept"].size());
  for (size_t i = 0; i < ref["intercept"].size(); ++i) {
    EXPECT_NEAR(-ours["rho"][i].get<double>(), ref["intercept"][i].get<double>(), 1e-6);
  }
  if (ours.contains("gamma")) {
    EXPECT_NEAR(ours["gamma"].get<double>(), ref["gamma"].get<double>(), 1e-12);
  }
  const std::vector<int> predicted = testing::ArgMax(model->Predict(d.test.x).value());
  std::vector<int> expected;
  for (const Json& v : ref["predict"]) expected.push_back(static_cast<int>(v.get<double>()));
  EXPECT_EQ(predicted, expected);
  worst_so_far = std::max(worst_so_far, worst);
}

struct SvcCase {
  Params ours;
  Json sklearn;
};

void CompareSvcCases(const Prepared& d, const std::string& tag, const std::vector<SvcCase>& cases) {
  Json jobs = Json::array();
  for (const SvcCase& c : cases) {
    jobs.push_back(
        {{"estimator", "SVC"}, {"params", c.sklearn.is_null() ? Json::object() : c.sklearn}});
  }
  const Json ref = testing::RunSklearn(tag, d.train, d.test, jobs);
  ASSERT_TRUE(ref.is_array());
  double worst = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    ExpectSameAsSklearnSvc(d, cases[i].ours, ref[i], worst);
  }
  ::testing::Test::RecordProperty("max_dual_coef_diff", testing::Sci(worst));
}

TEST(SvmModelTest, BinaryClassifierMatchesScikitLearnSvc) {
  const Prepared d = Prepare("breast_cancer_wdbc.csv", "diagnosis", TaskType::kClassification);
  CompareSvcCases(
      d, "svm_wdbc",
      {{{}, {{"kernel", "rbf"}, {"gamma", "scale"}}},
       {{{"kernel", std::string("linear")}, {"C", 0.5}}, {{"kernel", "linear"}, {"C", 0.5}}},
       {Value(
            0.02,
            {{"kernel", std::string("poly")}, {"degree", int64_t{3}}, {"coef0", 1.0}, {"C", 10.0}}),
        {{"kernel", "poly"}, {"degree", 3}, {"gamma", 0.02}, {"coef0", 1.0}, {"C", 10.0}}},
       {Value(0.005, {{"kernel", std::string("sigmoid")}, {"coef0", -0.5}, {"C", 3.0}}),
        {{"kernel", "sigmoid"}, {"gamma", 0.005}, {"coef0", -0.5}, {"C", 3.0}}},
       {{{"class_weight", std::string("balanced")}, {"C", 2.0}},
        {{"class_weight", "balanced"}, {"C", 2.0}}},
       {{{"tol", 1e-6}, {"shrinking", false}, {"C", 20.0}},
        {{"tol", 1e-6}, {"shrinking", false}, {"C", 20.0}}}});
}

TEST(SvmModelTest, MulticlassClassifierMatchesScikitLearnSvc) {
  // Wine, three classes: one-vs-one, with the classes in code order.
  const Prepared d = Prepare("wine.csv", "cultivar", TaskType::kClassification);
  CompareSvcCases(
      d, "svm_wine",
      {{{}, {}},
       {{{"C", 0.3}, {"class_weight", std::string("balanced")}},
        {{"C", 0.3}, {"class_weight", "balanced"}}},
       {Value(0.05, {{"kernel", std::string("poly")}, {"degree", int64_t{2}}, {"coef0", 0.5}}),
        {{"kernel", "poly"}, {"degree", 2}, {"gamma", 0.05}, {"coef0", 0.5}}}});
}

TEST(SvmModelTest, RegressorMatchesScikitLearnSvr) {
  const Prepared d = Prepare("diabetes.csv", "progression", TaskType::kRegression);
  const std::vector<std::pair<Params, Json>> cases = {
      {{{"C", 100.0}, {"epsilon", 0.5}}, {{"C", 100.0}, {"epsilon", 0.5}}},
      {{{"kernel", std::string("linear")}, {"C", 10.0}, {"epsilon", 1.0}},
       {{"kernel", "linear"}, {"C", 10.0}, {"epsilon", 1.0}}},
      {Value(0.3, {{"C", 300.0}, {"epsilon", 0.01}}),
       {{"C", 300.0}, {"gamma", 0.3}, {"epsilon", 0.01}}}};
  Json jobs = Json::array();
  for (const auto& c : cases) jobs.push_back({{"estimator", "SVR"}, {"params", c.second}});
  const Json ref = testing::RunSklearn("svm_diabetes", d.train, d.test, jobs);
  ASSERT_TRUE(ref.is_array());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    auto model = MakeSvm(cases[i].first, d.train);
    ASSERT_TRUE(model->Fit(d.train, {}).ok());
    const Json ours = model->LearnedParameters().value();
    EXPECT_EQ(ours["support_indices"], ref[i]["support"]);
    EXPECT_NEAR(-ours["rho"][0].get<double>(), ref[i]["intercept"][0].get<double>(), 1e-6);
    const MatrixD pred = model->Predict(d.test.x).value();
    ASSERT_EQ(static_cast<size_t>(pred.rows()), ref[i]["predict"].size());
    for (Eigen::Index r = 0; r < pred.rows(); ++r) {
      const double expected = ref[i]["predict"][static_cast<size_t>(r)].get<double>();
      EXPECT_NEAR(pred(r, 0), expected, 1e-6 * std::max(1.0, std::abs(expected))) << r;
    }
  }
}

TEST(SvmModelTest, ProbabilitiesAreReproducibleAndAgreeWithTheClasses) {
  const Prepared d = Prepare("wine.csv", "cultivar", TaskType::kClassification);
  auto plain = MakeSvm({}, d.train);
  ASSERT_TRUE(plain->Fit(d.train, {}).ok());
  const MatrixD onehot = plain->Predict(d.test.x).value();
  for (Eigen::Index r = 0; r < onehot.rows(); ++r) {
    EXPECT_EQ(onehot.row(r).sum(), 1.0);
    EXPECT_EQ(onehot.row(r).maxCoeff(), 1.0);
  }
  auto prob = MakeSvm({{"probability", true}}, d.train);
  ASSERT_TRUE(prob->Fit(d.train, {.seed = 5}).ok());
  const MatrixD p = prob->Predict(d.test.x).value();
  ASSERT_EQ(p.cols(), 3);
  for (Eigen::Index r = 0; r < p.rows(); ++r) {
    EXPECT_NEAR(p.row(r).sum(), 1.0, 1e-9);
    EXPECT_GE(p.row(r).minCoeff(), 0.0);
  }
  // Platt scaling may move a few rows near a boundary, not many.
  const std::vector<int> a = testing::ArgMax(p), b = testing::ArgMax(onehot);
  int same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  EXPECT_GE(same, static_cast<int>(a.size()) - 2);
  EXPECT_TRUE(prob->LearnedParameters().value().contains("probA"));
  // The same seed gives the same internal cross-validation.
  auto again = MakeSvm({{"probability", true}}, d.train);
  ASSERT_TRUE(again->Fit(d.train, {.seed = 5}).ok());
  EXPECT_EQ(again->Predict(d.test.x).value(), p);
}

void ExpectRoundTrip(const Params& params, const Prepared& d) {
  SCOPED_TRACE(ParamsToJson(params).dump());
  auto model = MakeSvm(params, d.train);
  ASSERT_TRUE(model->Fit(d.train, {}).ok());
  const std::string bytes = model->SaveNative().value();
  auto loaded = MakeSvm(params, d.train);
  const Status st = loaded->LoadNative(bytes);
  ASSERT_TRUE(st.ok()) << st;
  // Bit for bit, on rows it was not trained on.
  EXPECT_EQ(loaded->Predict(d.test.x).value(), model->Predict(d.test.x).value());
  EXPECT_EQ(loaded->SaveNative().value(), bytes);
  Json a = model->LearnedParameters().value();
  a.erase("support_indices");  // not in libsvm's file
  EXPECT_EQ(loaded->LearnedParameters().value(), a);
}

TEST(SvmModelTest, SaveAndLoadPredictIdentically) {
  const Prepared wine = Prepare("wine.csv", "cultivar", TaskType::kClassification);
  ExpectRoundTrip({}, wine);
  ExpectRoundTrip({{"probability", true}}, wine);
  ExpectRoundTrip(Value(0.05, {{"kernel", std::string("poly")}, {"coef0", 0.25}}), wine);
  ExpectRoundTrip({{"kernel", std::string("sigmoid")}}, wine);
  const Prepared diabetes = Prepare("diabetes.csv", "progression", TaskType::kRegression);
  ExpectRoundTrip({{"C", 50.0}}, diabetes);
  ExpectRoundTrip({{"kernel", std::string("linear")}}, diabetes);
  // Every row inside the epsilon tube: no support vector at all.
  ExpectRoundTrip({{"epsilon", 1000.0}}, diabetes);
  auto flat = MakeSvm({{"epsilon", 1000.0}}, diabetes.train);
  ASSERT_TRUE(flat->Fit(diabetes.train, {}).ok());
  EXPECT_EQ(flat->LearnedParameters().value()["total_support_vectors"], 0);
}

TEST(SvmModelTest, GammaGivenAloneIsUsed) {
  const Prepared d = Prepare("iris.csv", "species", TaskType::kClassification);
  auto model = MakeSvm({{"gamma", 0.5}}, d.train);
  EXPECT_EQ(std::get<std::string>(model->params().at("gamma_mode")), "value");
  ASSERT_TRUE(model->Fit(d.train, {}).ok());
  EXPECT_EQ(model->FitSummary()["gamma"], 0.5);
  auto scaled = MakeSvm({}, d.train);
  ASSERT_TRUE(scaled->Fit(d.train, {}).ok());
  // Standardized columns: variance 1, so "scale" is 1 / n_features.
  EXPECT_NEAR(scaled->FitSummary()["gamma"].get<double>(), 0.25, 1e-6);
  EXPECT_FALSE(scaled->params().contains("gamma"));
}

TEST(SvmModelTest, SavedModelIsLibsvmsFormat) {
  // After its one header line, the bytes are a model file svm_load_model
  // reads, with the full precision svm_save_model would lose.
  const Prepared d = Prepare("iris.csv", "species", TaskType::kClassification);
  auto model = MakeSvm({}, d.train);
  ASSERT_TRUE(model->Fit(d.train, {}).ok());
  const std::string bytes = model->SaveNative().value();
  ASSERT_THAT(bytes, ::testing::StartsWith("hypertune_libsvm n_features=4\nsvm_type c_svc\n"));
  const std::string path =
      testing::WriteTempFile("svm_iris.model", bytes.substr(bytes.find('\n') + 1));
  svm_model* m = svm_load_model(path.c_str());
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(svm_get_nr_class(m), 3);
  EXPECT_EQ(svm_get_nr_sv(m),
            model->LearnedParameters().value()["total_support_vectors"].get<int>());
  svm_free_and_destroy_model(&m);
}

TEST(SvmModelTest, LoadRejectsDamagedModels) {
  const Prepared d = Prepare("iris.csv", "species", TaskType::kClassification);
  auto model = MakeSvm({}, d.train);
  ASSERT_TRUE(model->Fit(d.train, {}).ok());
  const std::string bytes = model->SaveNative().value();
  auto other = MakeSvm({}, d.train);
  EXPECT_EQ(other->LoadNative("garbage").code(), StatusCode::kCorruption);
  EXPECT_EQ(other->LoadNative(bytes.substr(bytes.find('\n') + 1)).code(), StatusCode::kCorruption);
  // A support vector line lost.
  std::string cut = bytes.substr(0, bytes.rfind('\n', bytes.size() - 2) + 1);
  const Status st = other->LoadNative(cut);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_THAT(st.message(), HasSubstr("total_sv"));
  // A classifier's file is not a regressor.
  auto regressor = Svm().create({}, TaskType::kRegression, 0).value();
  EXPECT_EQ(regressor->LoadNative(bytes).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(other->Predict(d.test.x).status().code(), StatusCode::kFailedPrecondition);
}

TEST(SvmModelTest, BadHyperparametersNameTheHyperparameter) {
  const auto error = [](const Params& p, TaskType task = TaskType::kClassification) {
    Result<std::unique_ptr<Model>> m = Svm().create(p, task, 2);
    EXPECT_FALSE(m.ok());
    return m.status();
  };
  Status st = error({{"C", 0.0}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'C'"));
  st = error({{"C", -1.0}});
  EXPECT_THAT(st.message(), HasSubstr("'C'"));
  st = error(Value(-0.5, {}));
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'gamma'"));
  st = error(Value(0.0, {}));
  EXPECT_THAT(st.message(), HasSubstr("'gamma'"));
  st = error({{"kernel", std::string("precomputed")}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("'kernel'"));
  EXPECT_THAT(st.message(), HasSubstr("rbf, linear, poly, sigmoid"));
  st = error({{"epsilon", -0.1}}, TaskType::kRegression);
  EXPECT_THAT(st.message(), HasSubstr("'epsilon'"));
  st = error({{"class_weight", std::string("auto")}});
  EXPECT_THAT(st.message(), HasSubstr("'class_weight'"));
  st = error({{"C", std::string("big")}});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(error({{"nu", 0.5}}).code(), StatusCode::kNotFound);
  EXPECT_EQ(Svm().create({}, TaskType::kClassification, 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SvmModelTest, BadDataGivesClearErrors) {
  const Prepared d = Prepare("iris.csv", "species", TaskType::kClassification);
  auto model = MakeSvm({}, d.train);
  EXPECT_EQ(model->Predict(d.test.x).status().code(), StatusCode::kFailedPrecondition);

  ModelData one_class = d.train;  // a copy: its own, empty cache
  std::fill(one_class.y.begin(), one_class.y.end(), 2.0f);
  Status st = model->Fit(one_class, {});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("single class (code 2)"));

  ModelData nan = d.train;
  nan.x(3, 1) = std::nanf("");
  st = model->Fit(nan, {});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("row 3"));
  EXPECT_THAT(st.message(), HasSubstr(d.train.feature_names[1]));

  ModelData bad_label = d.train;
  bad_label.y[0] = 7.0f;
  EXPECT_THAT(model->Fit(bad_label, {}).message(), HasSubstr("not a class code"));

  auto regressor = Svm().create({}, TaskType::kRegression, 0).value();
  EXPECT_EQ(regressor->Fit(d.train, {}).code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE(model->Fit(d.train, {}).ok());
  const MatrixF narrow = d.test.x.leftCols(3);
  st = model->Predict(narrow).status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("takes 4 columns"));
}

TEST(SvmModelTest, TrialsReuseTheCachedProblem) {
  const Prepared d = Prepare("breast_cancer_wdbc.csv", "diagnosis", TaskType::kClassification);
  const auto entry = [&](const ModelData& data) {
    Result<std::shared_ptr<void>> e = data.cache->GetOrCreate<void>("libsvm/classification", [] {
      return Result<std::shared_ptr<void>>(Status::NotFound("not built"));
    });
    return e.ok() ? e->get() : nullptr;
  };
  EXPECT_EQ(entry(d.train), nullptr);
  auto a = MakeSvm({}, d.train);
  ASSERT_TRUE(a->Fit(d.train, {}).ok());
  EXPECT_EQ(a->FitSummary()["problem"], "built");
  const void* first = entry(d.train);
  ASSERT_NE(first, nullptr);
  auto b = MakeSvm({{"kernel", std::string("linear")}, {"C", 3.0}}, d.train);
  ASSERT_TRUE(b->Fit(d.train, {}).ok());
  EXPECT_EQ(b->FitSummary()["problem"], "cached");
  EXPECT_EQ(entry(d.train), first);
  // A copy of the data does not share the cache.
  const ModelData copy = d.train;
  EXPECT_EQ(entry(copy), nullptr);
  // The model owns its support vectors: it outlives the data and its cache.
  auto c = MakeSvm({}, d.train);
  {
    ModelData temp = d.train;
    ASSERT_TRUE(c->Fit(temp, {}).ok());
  }
  EXPECT_EQ(c->Predict(d.test.x).value(), a->Predict(d.test.x).value());
}

TEST(SvmModelTest, LearnedParametersDescribeTheSupportVectors) {
  const Prepared d = Prepare("wine.csv", "cultivar", TaskType::kClassification);
  auto model = MakeSvm({}, d.train);
  ASSERT_TRUE(model->Fit(d.train, {}).ok());
  const Json j = model->LearnedParameters().value();
  const int total = j["total_support_vectors"].get<int>();
  EXPECT_GT(total, 10);
  EXPECT_EQ(j["n_support"].size(), 3u);
  int sum = 0;
  for (const Json& n : j["n_support"]) sum += n.get<int>();
  EXPECT_EQ(sum, total);
  ASSERT_EQ(j["dual_coef"].size(), 2u);  // k - 1 rows
  EXPECT_EQ(j["dual_coef"][0].size(), static_cast<size_t>(total));
  EXPECT_EQ(j["rho"].size(), 3u);  // one per class pair
  EXPECT_EQ(j["support_indices"].size(), static_cast<size_t>(total));
  for (const Json& i : j["support_indices"]) EXPECT_LT(i.get<size_t>(), d.train.rows());
  EXPECT_GT(model->FitSummary()["gamma"].get<double>(), 0.0);
  EXPECT_EQ(model->FitSummary()["reported_steps"], 0);
}

TEST(SvmModelTest, TpeStudyImprovesOnTheDefaults) {
  // SVR's defaults (C = 1, epsilon = 0.1) underfit diabetes' raw targets.
  const Prepared d = Prepare("diabetes.csv", "progression", TaskType::kRegression);
  const double defaults = testing::FitAndScore(Svm(), {}, d.train, d.valid);
  const double best = testing::TuneWithTpe(Svm(), d.train, d.valid, 20);
  ::testing::Test::RecordProperty("defaults", testing::Sci(defaults));
  ::testing::Test::RecordProperty("tpe_best", testing::Sci(best));
  EXPECT_GT(best, defaults + 0.2) << "defaults " << defaults;
  EXPECT_GT(best, 0.35) << "defaults " << defaults;
}

TEST(SvmModelTest, TpeStudyOnAClassifierMatchesOrBeatsTheDefaults) {
  const Prepared d = Prepare("breast_cancer_wdbc.csv", "diagnosis", TaskType::kClassification);
  const double defaults = testing::FitAndScore(Svm(), {}, d.train, d.valid);
  const double best = testing::TuneWithTpe(Svm(), d.train, d.valid, 20);
  ::testing::Test::RecordProperty("defaults", testing::Sci(defaults));
  ::testing::Test::RecordProperty("tpe_best", testing::Sci(best));
  EXPECT_GE(best, defaults) << "defaults " << defaults;
  EXPECT_GE(best, 0.95);
}

}  // namespace
}  // namespace hypertune::ml
