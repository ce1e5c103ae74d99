// The model-tuning objective with XGBoost: trials suggest the space's
// hyperparameters, report each boosting round (so pruners stop them), return
// the validation metric of the fitted model and record the fit's facts;
// cross-validation reports the running mean per fold; setup errors are
// returned before any trial runs.
#include "hypertune/ml/tuning.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "hypertune/core/median_pruner.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/study.h"
#include "hypertune/core/tpe_sampler.h"
#include "hypertune/ml/csv.h"
#include "hypertune/ml/dataset.h"
#include "hypertune/ml/preprocess.h"
#include "hypertune/ml/split.h"
#include "tests/ml/data/data_test_util.h"

namespace hypertune::ml {
namespace {

using testing::DataPath;
using ::testing::HasSubstr;

const ModelInfo& Xgb() { return *FindModel("xgboost").value(); }

struct Data {
  Dataset ds;
  ModelData train, valid;
};

std::unique_ptr<Data> Load(const std::string& csv, const std::string& target, TaskType task,
                           uint64_t seed) {
  auto d = std::make_unique<Data>();
  d->ds = Dataset::Create(ReadCsv(DataPath(csv)).value(), {.target = target, .task = task}).value();
  const TrainValTest s = Split(d->ds.AllRows(), {.validation = 0.3}, seed).value();
  const Preprocessor pre =
      Preprocessor::Fit(d->ds.View(s.train).value(), Xgb().preprocessing).value();
  d->train = MakeModelData(pre, d->ds.View(s.train).value()).value();
  d->valid = MakeModelData(pre, d->ds.View(s.validation).value()).value();
  return d;
}

double AccuracyOf(const Model& m, const ModelData& data) {
  const MatrixD p = m.Predict(data.x).value();
  size_t right = 0;
  for (Eigen::Index i = 0; i < p.rows(); ++i) {
    Eigen::Index best = 0;
    p.row(i).maxCoeff(&best);
    right += static_cast<float>(best) == data.y[static_cast<size_t>(i)];
  }
  return static_cast<double>(right) / static_cast<double>(p.rows());
}

TEST(TuningTest, MetricDirections) {
  EXPECT_EQ(MetricDirection("accuracy").value(), StudyDirection::kMaximize);
  EXPECT_EQ(MetricDirection("roc_auc").value(), StudyDirection::kMaximize);
  EXPECT_EQ(MetricDirection("r2").value(), StudyDirection::kMaximize);
  EXPECT_EQ(MetricDirection("neg_log_loss").value(), StudyDirection::kMaximize);
  EXPECT_EQ(MetricDirection("log_loss").value(), StudyDirection::kMinimize);
  EXPECT_EQ(MetricDirection("rmse").value(), StudyDirection::kMinimize);
  EXPECT_EQ(MetricDirection("mean_squared_error").value(), StudyDirection::kMinimize);
  EXPECT_EQ(MetricDirection("mae").value(), StudyDirection::kMinimize);
  Result<StudyDirection> unknown = MetricDirection("fastness");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("accuracy"));
}

TEST(TuningTest, SetupErrorsComeBeforeAnyTrial) {
  auto d = Load("iris.csv", "species", TaskType::kClassification, 1);
  const SearchSpace space = Xgb().default_space(TaskType::kClassification);
  EXPECT_EQ(MakeObjective(Xgb(), space, d->train, d->valid, "fastness").status().code(),
            StatusCode::kNotFound);
  Result<Objective> wrong_task = MakeObjective(Xgb(), space, d->train, d->valid, "rmse");
  EXPECT_EQ(wrong_task.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong_task.status().message(), HasSubstr("regression"));
  ModelData fewer = d->valid;
  fewer.x.conservativeResize(Eigen::NoChange, 2);
  EXPECT_EQ(MakeObjective(Xgb(), space, d->train, fewer, "accuracy").status().code(),
            StatusCode::kInvalidArgument);
  const std::vector<FoldData> one = {{d->train, d->valid}};
  EXPECT_EQ(MakeCrossValidationObjective(Xgb(), space, one, "accuracy").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(TuningTest, TrialsReportEveryRoundAndReturnTheValidationScore) {
  auto d = Load("breast_cancer_wdbc.csv", "diagnosis", TaskType::kClassification, 3);
  SearchSpace space = Xgb().default_space(TaskType::kClassification);
  ASSERT_TRUE(space.Narrow("n_estimators", IntDistribution{20, 120, true}).ok());
  ASSERT_TRUE(space.Fix("early_stopping_rounds", int64_t{15}).ok());
  std::mutex mu;
  std::map<int, double> refit_accuracy;  // trial number -> accuracy of the model it fitted
  ObjectiveOptions options{.seed = 4};
  options.on_fitted = [&](Trial& trial, std::unique_ptr<Model> model, double score) {
    std::lock_guard lock(mu);
    refit_accuracy[trial.number()] = AccuracyOf(*model, d->valid);
    EXPECT_EQ(refit_accuracy[trial.number()], score);
  };
  const Objective objective =
      MakeObjective(Xgb(), space, d->train, d->valid, "accuracy", options).value();
  auto study = CreateStudy({.directions = {MetricDirection("accuracy").value()},
                            .sampler = std::make_shared<TpeSampler>(
                                TpeSamplerOptions{.seed = 2, .n_startup_trials = 5}),
                            .pruner = std::make_shared<MedianPruner>(
                                MedianPrunerOptions{.n_startup_trials = 4, .n_warmup_steps = 5})})
                   .value();
  ASSERT_TRUE(study->Optimize(objective, {.n_trials = 14}).ok());

  const std::vector<FrozenTrial> trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 14u);
  int complete = 0, pruned = 0;
  for (const FrozenTrial& t : trials) {
    ASSERT_NE(t.state, TrialState::kFail) << t.FailReason();
    const auto n_estimators = std::get<int64_t>(t.param("n_estimators"));
    EXPECT_GE(n_estimators, 20);
    EXPECT_LE(n_estimators, 120);
    EXPECT_NE(t.FindParam("learning_rate"), nullptr);
    EXPECT_EQ(t.FindParam("tree_method"), nullptr);  // fixed: not a trial param
    if (t.state == TrialState::kPruned) {
      ++pruned;
      EXPECT_LT(static_cast<int64_t>(t.intermediate_values.size()), n_estimators);
      EXPECT_FALSE(refit_accuracy.contains(t.number));
      continue;
    }
    ASSERT_EQ(t.state, TrialState::kComplete);
    ++complete;
    // One report per round run; the value is the kept model's accuracy,
    // the best reported one (early stopping keeps the best round).
    const int64_t rounds = std::stoll(t.user_attrs.at("fit_rounds"));
    EXPECT_EQ(static_cast<int64_t>(t.intermediate_values.size()), rounds);
    EXPECT_LE(rounds, n_estimators);
    double best_reported = 0;
    for (const auto& [step, v] : t.intermediate_values) best_reported = std::max(best_reported, v);
    EXPECT_DOUBLE_EQ(t.values.at(0), best_reported);
    EXPECT_DOUBLE_EQ(t.values.at(0), refit_accuracy.at(t.number));
    EXPECT_TRUE(t.user_attrs.contains("fit_best_iteration"));
    EXPECT_TRUE(t.user_attrs.contains("fit_seconds"));
  }
  EXPECT_GE(complete, 5);
  EXPECT_GE(pruned, 1);
  EXPECT_GE(study->BestValue().value(), 0.95);
}

TEST(TuningTest, ModelErrorsFailTheTrialWithTheirMessage) {
  auto d = Load("iris.csv", "species", TaskType::kClassification, 1);
  SearchSpace space = Xgb().default_space(TaskType::kClassification);
  ASSERT_TRUE(space.Fix("tree_method", std::string("bogus")).ok());
  auto study = CreateStudy({.directions = {StudyDirection::kMaximize}}).value();
  ASSERT_TRUE(study
                  ->Optimize(MakeObjective(Xgb(), space, d->train, d->valid, "accuracy").value(),
                             {.n_trials = 1})
                  .ok());
  const FrozenTrial t = study->Trials().value().at(0);
  EXPECT_EQ(t.state, TrialState::kFail);
  EXPECT_THAT(t.FailReason(), HasSubstr("tree_method"));
}

TEST(TuningTest, CrossValidationReportsTheRunningMeanPerFold) {
  Dataset ds = Dataset::Create(ReadCsv(DataPath("wine.csv")).value(),
                               {.target = "cultivar", .task = TaskType::kClassification})
                   .value();
  std::vector<FoldData> folds;
  for (const Fold& f : KFold(ds.AllRows(), 3, 5).value()) {
    const Preprocessor pre =
        Preprocessor::Fit(ds.View(f.train).value(), Xgb().preprocessing).value();
    folds.push_back({MakeModelData(pre, ds.View(f.train).value()).value(),
                     MakeModelData(pre, ds.View(f.validation).value()).value()});
  }
  SearchSpace space = Xgb().default_space(TaskType::kClassification);
  ASSERT_TRUE(space.Fix("n_estimators", int64_t{30}).ok());
  // Tuned: depth and sampling. Frozen: what stops a 118-row model from
  // learning at all at the far ends of its range (eta 1e-3, L1 100...).
  for (const char* name :
       {"learning_rate", "min_child_weight", "gamma", "reg_lambda", "reg_alpha"}) {
    ASSERT_TRUE(space.Freeze(name).ok());
  }
  const Objective objective =
      MakeCrossValidationObjective(Xgb(), space, folds, "log_loss", {.seed = 1}).value();
  auto study =
      CreateStudy({.directions = {MetricDirection("log_loss").value()},
                   .sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = 8}),
                   .pruner = std::make_shared<NopPruner>()})
          .value();
  ASSERT_TRUE(study->Optimize(objective, {.n_trials = 3}).ok());
  for (const FrozenTrial& t : study->Trials().value()) {
    ASSERT_EQ(t.state, TrialState::kComplete) << t.FailReason();
    ASSERT_EQ(t.intermediate_values.size(), 3u);
    double sum = 0;
    for (int k = 0; k < 3; ++k) {
      const double score = std::stod(t.user_attrs.at("fold_" + std::to_string(k) + "_score"));
      EXPECT_GT(score, 0.0);
      EXPECT_LT(score, 0.5);  // a log loss of a model that learned
      sum += score;
      EXPECT_NEAR(t.intermediate_values[static_cast<size_t>(k)].second, sum / (k + 1), 1e-12);
    }
    EXPECT_NEAR(t.values.at(0), sum / 3, 1e-12);
    EXPECT_TRUE(t.user_attrs.contains("score_std"));
    EXPECT_TRUE(t.user_attrs.contains("fit_best_iteration_mean"));
  }

  // A pruner can stop a trial between folds.
  class AfterFirstFold final : public Pruner {
   public:
    bool Prune(const StudyView&, const FrozenTrial&) override { return true; }
  };
  auto pruned = CreateStudy({.directions = {StudyDirection::kMinimize},
                             .pruner = std::make_shared<AfterFirstFold>()})
                    .value();
  ASSERT_TRUE(pruned->Optimize(objective, {.n_trials = 1}).ok());
  const FrozenTrial t = pruned->Trials().value().at(0);
  EXPECT_EQ(t.state, TrialState::kPruned);
  EXPECT_EQ(t.intermediate_values.size(), 1u);
}

}  // namespace
}  // namespace hypertune::ml
