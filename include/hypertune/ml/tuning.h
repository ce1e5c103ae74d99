// Model tuning: the objective that Study::Optimize runs to tune a model's
// hyperparameters, built from a model kind, its search space, the data
// (converted once, shared by every trial) and the metric to optimize.
//
//   const ModelInfo& info = *FindModel("xgboost").value();
//   SearchSpace space = info.default_space(TaskType::kClassification);
//   HT_CHECK(space.Narrow("n_estimators", IntDistribution{50, 300, true}).ok());
//   ModelData train = MakeModelData(pre, train_view).value();  // outlive the
//   ModelData valid = MakeModelData(pre, valid_view).value();  // objective
//   Objective objective = MakeObjective(info, space, train, valid, "accuracy").value();
//   auto study = CreateStudy({.directions = {MetricDirection("accuracy").value()},
//                             .pruner = std::make_shared<MedianPruner>()}).value();
//   HT_CHECK(study->Optimize(objective, {.n_trials = 50}).ok());
//
// One trial: params = space.Suggest(trial); the model is created with them
// and fitted on `train` with the trial, so that the model reports its
// validation score after each step (boosting round, epoch) and stops when
// the pruner says so (the trial is then PRUNED); the trial's value is the
// metric on `valid` of the fitted model's predictions. User attributes:
// "fit_seconds" and the model's FitSummary scalars as "fit_<key>" (XGBoost:
// fit_best_iteration, fit_rounds, ...). A model or data error fails the
// trial with its message.
//
// Cross-validation (MakeCrossValidationObjective): the same per fold, and the
// value is the mean of the fold scores. Models are not given the trial there
// (their steps would repeat for every fold); after fold k the mean of the
// scores so far is reported at step k, so a pruner can stop a trial between
// folds. User attributes: "fold_<k>_score", "score_std", "fit_seconds", and
// the mean over folds of each numeric FitSummary entry as "fit_<key>_mean".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/status.h"
#include "hypertune/core/study.h"
#include "hypertune/ml/model.h"

namespace hypertune::ml {

// The direction to optimize a metric in: maximize scores (accuracy, roc_auc,
// r2, neg_*), minimize losses (log_loss, mse, rmse, mae). NotFound for an
// unknown metric.
// TODO(metrics): take it from metrics.h's registry once merged.
Result<StudyDirection> MetricDirection(std::string_view metric);

struct ObjectiveOptions {
  // Threads each trial's model may use (Optimize's n_jobs runs trials at
  // once: n_jobs x threads should not exceed the cores).
  int threads = 1;
  // The models' seed, the same in every trial, so that trials differ by
  // their hyperparameters only.
  uint64_t seed = 0;
  // Single split: give the trial to Fit (per-step reports and pruning).
  bool report_steps = true;
  // Called after each trial's model is fitted and scored (single split
  // only), e.g. to keep the best model without fitting it again. From the
  // thread that runs the trial.
  std::function<void(Trial& trial, std::unique_ptr<Model> model, double score)> on_fitted;
};

// InvalidArgument for a metric that does not apply to the data's task, data
// of a task the model does not handle, or train and valid of different
// tasks, classes or column counts. `train` and `valid` are used by
// reference: they must outlive the objective.
Result<Objective> MakeObjective(const ModelInfo& info, SearchSpace space, const ModelData& train,
                                const ModelData& valid, std::string metric,
                                ObjectiveOptions options = {});

struct FoldData {
  ModelData train;
  ModelData valid;
};

// As MakeObjective, over folds (at least 2); `folds` must outlive the
// objective.
Result<Objective> MakeCrossValidationObjective(const ModelInfo& info, SearchSpace space,
                                               const std::vector<FoldData>& folds,
                                               std::string metric, ObjectiveOptions options = {});

}  // namespace hypertune::ml
