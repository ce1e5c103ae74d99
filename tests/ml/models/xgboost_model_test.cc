// The XGBoost adapter on real data: predictions equal to python3-xgboost
// 1.7.4 trained with the same hyperparameters, seed and rows (binary with
// early stopping, multiclass, regression with missing values and a
// categorical column), every round's validation score reaching the trial,
// pruning mid-training, early stopping, the DMatrix built once per data and
// shared by parallel fits, native save / load, and clear errors for bad
// input.
#include "src/ml/models/xgboost_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <thread>

#include "hypertune/core/random_sampler.h"
#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"
#include "hypertune/ml/csv.h"
#include "hypertune/ml/dataset.h"
#include "hypertune/ml/model.h"
#include "hypertune/ml/preprocess.h"
#include "hypertune/ml/split.h"
#include "src/ml/interim_metrics.h"
#include "tests/ml/data/data_test_util.h"

namespace hypertune::ml {
namespace {

using testing::DataPath;
using ::testing::HasSubstr;
using testing::Json;

const ModelInfo& Xgb() { return *FindModel("xgboost").value(); }

// A dataset split into train / validation / test ModelData through the
// adapter's preprocessing (fitted on the training rows).
struct Prepared {
  Dataset ds;
  TrainValTest split;
  Preprocessor pre;
  ModelData train, valid, test;
};

std::unique_ptr<Prepared> Prepare(const std::string& csv, const std::string& target, TaskType task,
                                  SplitRatios ratios, uint64_t seed) {
  auto p = std::make_unique<Prepared>();
  Table table = ReadCsv(DataPath(csv)).value();
  p->ds = Dataset::Create(std::move(table), {.target = target, .task = task}).value();
  p->split = Split(p->ds.AllRows(), ratios, seed).value();
  p->pre = Preprocessor::Fit(p->ds.View(p->split.train).value(), Xgb().preprocessing).value();
  p->train = MakeModelData(p->pre, p->ds.View(p->split.train).value()).value();
  if (!p->split.validation.empty()) {
    p->valid = MakeModelData(p->pre, p->ds.View(p->split.validation).value()).value();
  }
  p->test = MakeModelData(p->pre, p->ds.View(p->split.test).value()).value();
  return p;
}

std::unique_ptr<Model> Create(const Params& params, const ModelData& data) {
  Result<std::unique_ptr<Model>> m = Xgb().create(params, data.task, data.num_classes);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? std::move(m).value() : nullptr;
}

// python-xgboost's run on the same rows: predictions on the test rows, best
// iteration, validation history.
Json PythonReference(const Prepared& p, const std::string& csv, const std::string& target,
                     const Params& params, const std::string& xgb_metric, uint64_t seed,
                     bool with_valid) {
  Json spec = {{"csv", DataPath(csv)},
               {"target", target},
               {"task", std::string(ToString(p.ds.task()))},
               {"train", p.split.train},
               {"valid", with_valid ? Json(p.split.validation) : Json(nullptr)},
               {"test", p.split.test},
               {"params", ParamsToJson(params)},
               {"metric", xgb_metric},
               {"seed", seed}};
  const std::string path = testing::WriteTempFile(
      "xgb_spec_" + std::to_string(std::hash<std::string>{}(spec.dump())) + ".json", spec.dump());
  return testing::RunPythonJson("../models/xgboost_reference.py", "'" + path + "'");
}

// A study whose trials are only reported to (never pruned unless asked).
std::shared_ptr<Study> NewStudy(StudyDirection direction,
                                std::shared_ptr<Pruner> pruner = nullptr) {
  return CreateStudy({.directions = {direction},
                      .sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = 1}),
                      .pruner = pruner ? pruner : std::make_shared<NopPruner>()})
      .value();
}

std::vector<double> Reported(const Trial& trial) {
  std::vector<double> out;
  for (const auto& [step, v] : trial.Snapshot().intermediate_values) out.push_back(v);
  return out;
}

double Accuracy(const MatrixD& proba, const std::vector<float>& y) {
  size_t right = 0;
  for (Eigen::Index i = 0; i < proba.rows(); ++i) {
    Eigen::Index best = 0;
    proba.row(i).maxCoeff(&best);
    right += static_cast<float>(best) == y[static_cast<size_t>(i)];
  }
  return static_cast<double>(right) / static_cast<double>(y.size());
}

TEST(XgboostModelTest, IsRegisteredWithItsSearchSpace) {
  const ModelInfo& info = Xgb();
  EXPECT_EQ(info.name, "xgboost");
  EXPECT_EQ(info.preprocessing.scaling, Scaling::kNone);
  EXPECT_EQ(info.preprocessing.numeric_imputation, NumericImputation::kNone);
  SearchSpace space = info.default_space(TaskType::kClassification);
  Params d = space.Defaults();
  EXPECT_EQ(std::get<int64_t>(d.at("max_depth")), 6);
  EXPECT_EQ(std::get<double>(d.at("learning_rate")), 0.3);
  EXPECT_EQ(std::get<int64_t>(d.at("n_estimators")), 100);
  EXPECT_EQ(std::get<double>(d.at("reg_lambda")), 1.0);
  EXPECT_EQ(std::get<std::string>(d.at("tree_method")), "hist");
  EXPECT_EQ(std::get<int64_t>(d.at("early_stopping_rounds")), 50);
  EXPECT_TRUE(space.IsFixed("tree_method"));
  EXPECT_TRUE(space.IsFixed("early_stopping_rounds"));
  EXPECT_FALSE(space.IsFixed("max_depth"));
  for (const Hyperparameter& hp : space.hyperparameters()) {
    // Every default lies in its range.
    EXPECT_TRUE(Contains(hp.range, ToInternal(hp.range, hp.default_value).value())) << hp.name;
  }
}

TEST(XgboostModelTest, BinaryWithEarlyStoppingMatchesPythonXgboost) {
  auto p = Prepare("breast_cancer_wdbc.csv", "diagnosis", TaskType::kClassification,
                   {.validation = 0.2, .test = 0.2}, 11);
  const Params params = Xgb()
                            .default_space(TaskType::kClassification)
                            .Complete({{"n_estimators", int64_t{400}},
                                       {"learning_rate", 0.1},
                                       {"max_depth", int64_t{4}},
                                       {"min_child_weight", 0.5},
                                       {"subsample", 0.8},
                                       {"colsample_bytree", 0.7},
                                       {"gamma", 0.05},
                                       {"reg_lambda", 2.0},
                                       {"reg_alpha", 0.01},
                                       {"early_stopping_rounds", int64_t{15}}})
                            .value();
  auto model = Create(params, p->train);
  auto study = NewStudy(StudyDirection::kMinimize);
  Trial trial = study->Ask().value();
  ASSERT_TRUE(
      model
          ->Fit(
              p->train,
              {.valid = &p->valid, .trial = &trial, .metric = "log_loss", .threads = 1, .seed = 7})
          .ok());
  const Json ref = PythonReference(*p, "breast_cancer_wdbc.csv", "diagnosis", params, "logloss", 7,
                                   /*with_valid=*/true);
  ASSERT_TRUE(ref.is_object());

  // Early stopping chose the same round, after the same history, which
  // reached the trial round by round.
  const Json summary = model->FitSummary();
  EXPECT_EQ(summary["best_iteration"].get<int64_t>(), ref["best_iteration"].get<int64_t>());
  EXPECT_TRUE(summary["stopped_early"].get<bool>());
  const std::vector<double> reported = Reported(trial);
  const auto history = ref["history"].get<std::vector<double>>();
  ASSERT_EQ(reported.size(), history.size());
  EXPECT_EQ(summary["rounds"].get<size_t>(), history.size());
  for (size_t i = 0; i < history.size(); ++i) EXPECT_DOUBLE_EQ(reported[i], history[i]) << i;
  EXPECT_LT(history.size(), 400u);

  const MatrixD pred = model->Predict(p->test.x).value();
  ASSERT_EQ(pred.rows(), static_cast<Eigen::Index>(p->split.test.size()));
  ASSERT_EQ(pred.cols(), 2);
  const auto expected = ref["predictions"].get<std::vector<std::vector<double>>>();
  for (Eigen::Index i = 0; i < pred.rows(); ++i) {
    EXPECT_NEAR(pred(i, 1), expected[static_cast<size_t>(i)][0], 1e-6) << i;
    EXPECT_DOUBLE_EQ(pred(i, 0) + pred(i, 1), 1.0);
  }
  EXPECT_GE(Accuracy(pred, p->test.y), 0.94);
  ASSERT_TRUE(study->Tell(trial, {0.0}).ok());
}

TEST(XgboostModelTest, MulticlassMatchesPythonXgboost) {
  auto p = Prepare("wine.csv", "cultivar", TaskType::kClassification, {.test = 0.3}, 5);
  const Params params = Xgb()
                            .default_space(TaskType::kClassification)
                            .Complete({{"n_estimators", int64_t{60}},
                                       {"max_depth", int64_t{3}},
                                       {"colsample_bytree", 0.8},
                                       {"subsample", 0.9}})
                            .value();
  auto model = Create(params, p->train);
  ASSERT_TRUE(model->Fit(p->train, {.threads = 1, .seed = 3}).ok());
  const Json ref =
      PythonReference(*p, "wine.csv", "cultivar", params, "mlogloss", 3, /*with_valid=*/false);
  ASSERT_TRUE(ref.is_object());
  const MatrixD pred = model->Predict(p->test.x).value();
  ASSERT_EQ(pred.cols(), 3);
  const auto expected = ref["predictions"].get<std::vector<std::vector<double>>>();
  ASSERT_EQ(expected.size(), static_cast<size_t>(pred.rows()));
  for (Eigen::Index i = 0; i < pred.rows(); ++i) {
    for (Eigen::Index j = 0; j < 3; ++j) {
      EXPECT_NEAR(pred(i, j), expected[static_cast<size_t>(i)][static_cast<size_t>(j)], 1e-6);
    }
    EXPECT_NEAR(pred.row(i).sum(), 1.0, 1e-6);
  }
  EXPECT_GE(Accuracy(pred, p->test.y), 0.9);
  EXPECT_EQ(model->LearnedParameters().value()["trees"].get<int>(), 60 * 3);
}

TEST(XgboostModelTest, RegressionWithMissingValuesAndCategoriesMatchesPythonXgboost) {
  // california_housing: total_bedrooms has missing values (NaN for XGBoost),
  // ocean_proximity is text (ordinal codes).
  auto p = Prepare("california_housing.csv", "median_house_value", TaskType::kRegression,
                   {.validation = 0.2, .test = 0.2}, 3);
  ASSERT_TRUE(p->train.x.hasNaN());
  SearchSpace space = Xgb().default_space(TaskType::kRegression);
  ASSERT_TRUE(space.Fix("early_stopping_rounds", int64_t{0}).ok());  // every round
  const Params params = space
                            .Complete({{"n_estimators", int64_t{80}},
                                       {"learning_rate", 0.2},
                                       {"max_depth", int64_t{7}},
                                       {"min_child_weight", 3.0},
                                       {"reg_lambda", 0.5}})
                            .value();
  auto model = Create(params, p->train);
  auto study = NewStudy(StudyDirection::kMinimize);
  Trial trial = study->Ask().value();
  ASSERT_TRUE(
      model
          ->Fit(p->train,
                {.valid = &p->valid, .trial = &trial, .metric = "rmse", .threads = 1, .seed = 21})
          .ok());
  const Json ref = PythonReference(*p, "california_housing.csv", "median_house_value", params,
                                   "rmse", 21, /*with_valid=*/true);
  ASSERT_TRUE(ref.is_object());
  const auto history = ref["history"].get<std::vector<double>>();
  const std::vector<double> reported = Reported(trial);
  ASSERT_EQ(reported.size(), 80u);
  ASSERT_EQ(history.size(), 80u);
  for (size_t i = 0; i < 80; ++i) EXPECT_DOUBLE_EQ(reported[i], history[i]) << i;
  EXPECT_FALSE(model->FitSummary()["stopped_early"].get<bool>());

  const MatrixD pred = model->Predict(p->test.x).value();
  ASSERT_EQ(pred.cols(), 1);
  const auto expected = ref["predictions"].get<std::vector<std::vector<double>>>();
  double ss_res = 0, ss_tot = 0, mean = 0;
  for (float y : p->test.y) mean += y;
  mean /= static_cast<double>(p->test.y.size());
  for (Eigen::Index i = 0; i < pred.rows(); ++i) {
    const double e = expected[static_cast<size_t>(i)][0];
    EXPECT_NEAR(pred(i, 0), e, 1e-6 * std::max(1.0, std::abs(e))) << i;
    const double y = p->test.y[static_cast<size_t>(i)];
    ss_res += (pred(i, 0) - y) * (pred(i, 0) - y);
    ss_tot += (y - mean) * (y - mean);
  }
  EXPECT_GE(1 - ss_res / ss_tot, 0.8);  // R² on the test rows
  ASSERT_TRUE(study->Tell(trial, {0.0}).ok());
}

// Prunes every trial once it has reported step `k`.
class PruneAtStep final : public Pruner {
 public:
  explicit PruneAtStep(int64_t k) : k_(k) {}
  bool Prune(const StudyView&, const FrozenTrial& trial) override {
    return trial.LastStep().value_or(-1) >= k_;
  }

 private:
  int64_t k_;
};

TEST(XgboostModelTest, APrunerStopsTrainingAtTheRoundItChooses) {
  auto p = Prepare("breast_cancer_wdbc.csv", "diagnosis", TaskType::kClassification,
                   {.validation = 0.25}, 2);
  auto study = NewStudy(StudyDirection::kMaximize, std::make_shared<PruneAtStep>(7));
  Model* fitted = nullptr;
  std::unique_ptr<Model> model;
  ASSERT_TRUE(study
                  ->Optimize(
                      [&](Trial& trial) {
                        model = Create({{"n_estimators", int64_t{200}}}, p->train);
                        fitted = model.get();
                        Status s = model->Fit(
                            p->train, {.valid = &p->valid, .trial = &trial, .metric = "accuracy"});
                        ADD_FAILURE() << "Fit returned instead of throwing TrialPruned: " << s;
                        return 0.0;
                      },
                      {.n_trials = 1})
                  .ok());
  const FrozenTrial t = study->Trials().value().at(0);
  EXPECT_EQ(t.state, TrialState::kPruned);
  ASSERT_EQ(t.intermediate_values.size(), 8u);  // rounds 0..7 of 200
  for (const auto& [step, accuracy] : t.intermediate_values) {
    EXPECT_GT(accuracy, 0.8) << step;  // accuracy, not XGBoost's error
    EXPECT_LE(accuracy, 1.0);
  }
  // The pruned fit left no model behind.
  ASSERT_NE(fitted, nullptr);
  EXPECT_EQ(fitted->Predict(p->valid.x).status().code(), StatusCode::kFailedPrecondition);
}

TEST(XgboostModelTest, EarlyStoppingKeepsTheBestRound) {
  auto p = Prepare("breast_cancer_wdbc.csv", "diagnosis", TaskType::kClassification,
                   {.validation = 0.3}, 4);
  Params params = {{"n_estimators", int64_t{1000}},
                   {"learning_rate", 0.3},
                   {"early_stopping_rounds", int64_t{10}}};
  auto model = Create(params, p->train);
  auto study = NewStudy(StudyDirection::kMaximize);
  Trial trial = study->Ask().value();
  ASSERT_TRUE(
      model->Fit(p->train, {.valid = &p->valid, .trial = &trial, .metric = "roc_auc"}).ok());
  const Json s = model->FitSummary();
  const int64_t best = s["best_iteration"].get<int64_t>();
  const int64_t rounds = s["rounds"].get<int64_t>();
  EXPECT_EQ(rounds, best + 11);  // 10 rounds without a better AUC
  EXPECT_LT(rounds, 1000);
  const std::vector<double> reported = Reported(trial);
  ASSERT_EQ(reported.size(), static_cast<size_t>(rounds));
  // The best is the first maximum of the history.
  const auto max_it = std::max_element(reported.begin(), reported.end());
  EXPECT_EQ(max_it - reported.begin(), best);
  EXPECT_DOUBLE_EQ(s["best_score"].get<double>(), *max_it);
  // XGBoost's AUC of the best round is the ROC AUC of the kept model.
  EXPECT_NEAR(interim::Score("roc_auc", p->valid, model->Predict(p->valid.x).value()).value(),
              *max_it, 1e-12);
  EXPECT_EQ(model->LearnedParameters().value()["rounds"].get<int64_t>(), best + 1);

  // The kept model is the one trained for best + 1 rounds.
  params["n_estimators"] = best + 1;
  params["early_stopping_rounds"] = int64_t{0};
  auto shorter = Create(params, p->train);
  ASSERT_TRUE(shorter->Fit(p->train, {.valid = &p->valid}).ok());
  EXPECT_EQ(model->Predict(p->valid.x).value(), shorter->Predict(p->valid.x).value());
  ASSERT_TRUE(study->Tell(trial, {0.0}).ok());
}

TEST(XgboostModelTest, MetricsWithoutAnXgboostEquivalentAreComputedFromPredictions) {
  auto p = Prepare("diabetes.csv", "progression", TaskType::kRegression, {.validation = 0.3}, 8);
  auto model = Create({{"n_estimators", int64_t{30}}, {"learning_rate", 0.1}}, p->train);
  auto study = NewStudy(StudyDirection::kMaximize);
  Trial trial = study->Ask().value();
  ASSERT_TRUE(model->Fit(p->train, {.valid = &p->valid, .trial = &trial, .metric = "r2"}).ok());
  const std::vector<double> r2 = Reported(trial);
  ASSERT_EQ(r2.size(), 30u);
  EXPECT_LT(r2.front(), r2.back());  // learning: R² rises from below 0 (eta 0.1)
  EXPECT_GT(r2.back(), 0.2);
  // The last one is the R² of the final model's predictions.
  const MatrixD pred = model->Predict(p->valid.x).value();
  double ss_res = 0, ss_tot = 0, mean = 0;
  for (float y : p->valid.y) mean += y;
  mean /= static_cast<double>(p->valid.y.size());
  for (Eigen::Index i = 0; i < pred.rows(); ++i) {
    const double y = p->valid.y[static_cast<size_t>(i)];
    ss_res += (pred(i, 0) - y) * (pred(i, 0) - y);
    ss_tot += (y - mean) * (y - mean);
  }
  EXPECT_NEAR(r2.back(), 1 - ss_res / ss_tot, 1e-12);
  ASSERT_TRUE(study->Tell(trial, {0.0}).ok());
}

TEST(XgboostModelTest, TheDMatrixIsBuiltOncePerModelData) {
  auto p = Prepare("iris.csv", "species", TaskType::kClassification, {.validation = 0.3}, 1);
  const int64_t before = xgboost_internal::DMatricesBuilt();
  auto a = Create({{"n_estimators", int64_t{5}}}, p->train);
  ASSERT_TRUE(a->Fit(p->train, {.valid = &p->valid}).ok());
  EXPECT_EQ(xgboost_internal::DMatricesBuilt(), before + 2);  // train and validation
  const auto first = xgboost_internal::GetDMatrix(p->train).value();
  auto b = Create({{"n_estimators", int64_t{5}}, {"max_depth", int64_t{2}}}, p->train);
  ASSERT_TRUE(b->Fit(p->train, {.valid = &p->valid}).ok());
  EXPECT_EQ(xgboost_internal::DMatricesBuilt(), before + 2);
  EXPECT_EQ(xgboost_internal::GetDMatrix(p->train).value().get(), first.get());
  // Which histogram index the DMatrix holds decides whether the next "hist"
  // round may rebuild it (and so must hold the DMatrix alone).
  EXPECT_TRUE(first->hist_index);
  auto approx =
      Create({{"n_estimators", int64_t{3}}, {"tree_method", std::string("approx")}}, p->train);
  ASSERT_TRUE(approx->Fit(p->train, {}).ok());
  EXPECT_FALSE(first->hist_index);
  ASSERT_TRUE(a->Fit(p->train, {}).ok());
  EXPECT_TRUE(first->hist_index);
  // A copy may be changed: it gets its own.
  ModelData copy = p->train;
  EXPECT_NE(xgboost_internal::GetDMatrix(copy).value().get(), first.get());
  EXPECT_EQ(xgboost_internal::DMatricesBuilt(), before + 3);
}

TEST(XgboostModelTest, ParallelFitsSharingOneDMatrixEqualSerialFits) {
  auto p = Prepare("breast_cancer_wdbc.csv", "diagnosis", TaskType::kClassification,
                   {.validation = 0.3}, 6);
  // "exact" and "approx" build other lazy forms of the DMatrix than "hist".
  const std::vector<Params> params = {
      {{"n_estimators", int64_t{40}}, {"max_depth", int64_t{3}}},
      {{"n_estimators", int64_t{40}}, {"subsample", 0.7}, {"colsample_bytree", 0.5}},
      {{"n_estimators", int64_t{30}}, {"tree_method", std::string("exact")}},
      {{"n_estimators", int64_t{30}}, {"tree_method", std::string("approx")}},
      {{"n_estimators", int64_t{40}}, {"learning_rate", 0.05}},
      {{"n_estimators", int64_t{40}}, {"max_depth", int64_t{8}}, {"min_child_weight", 0.1}},
  };
  std::vector<MatrixD> serial;
  for (const Params& ps : params) {
    ModelData own_train = p->train, own_valid = p->valid;  // copies: their own DMatrix
    auto m = Create(ps, own_train);
    ASSERT_TRUE(m->Fit(own_train, {.valid = &own_valid, .metric = "accuracy", .seed = 9}).ok());
    serial.push_back(m->Predict(p->valid.x).value());
  }
  for (int repeat = 0; repeat < 3; ++repeat) {
    ModelData train = p->train, valid = p->valid;  // fresh caches, shared by the threads
    std::vector<MatrixD> parallel(params.size());
    std::vector<Status> status(params.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < params.size(); ++i) {
      threads.emplace_back([&, i] {
        auto m = Xgb().create(params[i], train.task, train.num_classes).value();
        status[i] = m->Fit(train, {.valid = &valid, .metric = "accuracy", .seed = 9});
        if (status[i].ok()) parallel[i] = m->Predict(valid.x).value();
      });
    }
    for (std::thread& t : threads) t.join();
    for (size_t i = 0; i < params.size(); ++i) {
      ASSERT_TRUE(status[i].ok()) << status[i];
      EXPECT_EQ(parallel[i], serial[i]) << "model " << i << ", repeat " << repeat;
    }
  }
}

TEST(XgboostModelTest, NativeBytesRoundTripAndLearnedParametersAreReadable) {
  auto p = Prepare("iris.csv", "species", TaskType::kClassification, {.test = 0.3}, 2);
  auto model = Create({{"n_estimators", int64_t{20}}, {"max_depth", int64_t{3}}}, p->train);
  ASSERT_TRUE(model->Fit(p->train, {}).ok());
  const std::string bytes = model->SaveNative().value();
  auto loaded = Create(model->params(), p->train);
  ASSERT_TRUE(loaded->LoadNative(bytes).ok());
  EXPECT_EQ(loaded->Predict(p->test.x).value(), model->Predict(p->test.x).value());
  EXPECT_EQ(loaded->SaveNative().value(), bytes);

  const Json learned = loaded->LearnedParameters().value();
  EXPECT_EQ(learned["trees"].get<int>(), 60);
  EXPECT_EQ(learned["num_features"].get<int>(), 4);
  EXPECT_EQ(learned["objective"], "multi:softprob");
  // Importance by the input's column names, which travel in the bytes.
  const Json gain = learned["importance_gain"];
  ASSERT_FALSE(gain.empty());
  for (const auto& [name, v] : gain.items()) {
    EXPECT_THAT(p->train.feature_names, ::testing::Contains(name));
    EXPECT_GT(v.get<double>(), 0);
  }
  ASSERT_EQ(learned["first_round_trees"].size(), 3u);  // one tree per class
  EXPECT_TRUE(learned["first_round_trees"][0].contains("nodeid"));
  EXPECT_EQ(learned["config"]["version"], Json::array({1, 7, 4}));
}

TEST(XgboostModelTest, PredictShapes) {
  auto p = Prepare("diabetes.csv", "progression", TaskType::kRegression, {.test = 0.2}, 1);
  auto model = Create({{"n_estimators", int64_t{10}}}, p->train);
  EXPECT_EQ(model->Predict(p->test.x).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(model->SaveNative().status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(model->Fit(p->train, {}).ok());
  const MatrixD pred = model->Predict(p->test.x).value();
  EXPECT_EQ(pred.rows(), p->test.x.rows());
  EXPECT_EQ(pred.cols(), 1);
  const MatrixD none = model->Predict(MatrixF(0, p->test.x.cols())).value();
  EXPECT_EQ(none.rows(), 0);
  EXPECT_EQ(none.cols(), 1);
  // Missing values are allowed at prediction time.
  MatrixF holes = p->test.x;
  holes(0, 2) = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(model->Predict(holes).value().allFinite());
}

TEST(XgboostModelTest, BadInputGivesAClearStatus) {
  auto p = Prepare("iris.csv", "species", TaskType::kClassification, {.validation = 0.3}, 3);
  const ModelInfo& info = Xgb();

  ModelData nan_label = p->train;
  nan_label.y[3] = std::numeric_limits<float>::quiet_NaN();
  auto m = Create({}, p->train);
  Status s = m->Fit(nan_label, {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("row 3"));

  ModelData bad_code = p->train;
  bad_code.y[5] = 3.0f;  // iris has classes 0..2
  EXPECT_THAT(m->Fit(bad_code, {}).message(), HasSubstr("row 5"));

  Result<std::unique_ptr<Model>> one_class = info.create({}, TaskType::kClassification, 1);
  EXPECT_EQ(one_class.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(one_class.status().message(), HasSubstr("at least 2 classes"));

  SearchSpace space = info.default_space(TaskType::kClassification);
  ASSERT_TRUE(space.Fix("tree_method", std::string("bogus")).ok());
  Result<std::unique_ptr<Model>> bogus =
      info.create(space.Defaults(), TaskType::kClassification, 3);
  EXPECT_EQ(bogus.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bogus.status().message(), HasSubstr("tree_method"));
  EXPECT_THAT(bogus.status().message(), HasSubstr("bogus"));

  EXPECT_EQ(info.create({{"no_such_thing", 1.0}}, TaskType::kClassification, 3).status().code(),
            StatusCode::kNotFound);
  Result<std::unique_ptr<Model>> negative =
      info.create({{"subsample", 0.0}}, TaskType::kClassification, 3);
  EXPECT_THAT(negative.status().message(), HasSubstr("subsample"));

  ModelData empty = p->train;
  empty.x.resize(0, 4);
  empty.y.clear();
  EXPECT_EQ(m->Fit(empty, {}).code(), StatusCode::kInvalidArgument);

  ModelData inf = p->train;
  inf.x(2, 1) = std::numeric_limits<float>::infinity();
  s = m->Fit(inf, {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("infinite"));

  EXPECT_THAT(m->Fit(p->train, {.valid = &p->valid, .metric = "rmse"}).message(),
              HasSubstr("rmse"));
  EXPECT_EQ(m->Fit(p->train, {.valid = &p->valid, .metric = "nope"}).code(), StatusCode::kNotFound);
  auto study = NewStudy(StudyDirection::kMaximize);
  Trial trial = study->Ask().value();
  EXPECT_EQ(m->Fit(p->train, {.trial = &trial}).code(), StatusCode::kInvalidArgument);

  ModelData regression = p->train;
  regression.task = TaskType::kRegression;
  EXPECT_THAT(m->Fit(regression, {}).message(), HasSubstr("regression"));

  ASSERT_TRUE(m->Fit(p->train, {.valid = &p->valid}).ok());
  s = m->Predict(MatrixF::Zero(2, 3)).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("3 columns"));

  // Native bytes: garbage, and a model of another task.
  auto fresh = Create({}, p->train);
  s = fresh->LoadNative("this is not a model");
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s;
  std::string bytes = m->SaveNative().value();
  EXPECT_EQ(fresh->LoadNative(bytes.substr(0, bytes.size() / 2)).code(), StatusCode::kCorruption);
  auto binary = info.create({}, TaskType::kClassification, 2).value();
  s = binary->LoadNative(bytes);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), HasSubstr("multi:softprob"));
  ASSERT_TRUE(study->Tell(trial, {0.0}).ok());
}

}  // namespace
}  // namespace hypertune::ml
