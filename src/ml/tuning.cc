#include "hypertune/ml/tuning.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "hypertune/core/trial.h"
#include "src/ml/interim_metrics.h"

namespace hypertune::ml {
namespace {

using Clock = std::chrono::steady_clock;

Status CheckSetup(const ModelInfo& info, const ModelData& train, const ModelData& valid,
                  const std::string& metric, const std::string& where) {
  if (std::find(info.tasks.begin(), info.tasks.end(), train.task) == info.tasks.end()) {
    return Status::InvalidArgument(where + "model '" + info.name + "' does not do " +
                                   std::string(ToString(train.task)));
  }
  HT_ASSIGN_OR_RETURN(const TaskType metric_task, interim::MetricTask(metric));
  if (metric_task != train.task) {
    return Status::InvalidArgument("metric '" + metric + "' is for " +
                                   std::string(ToString(metric_task)) + ", the data is " +
                                   std::string(ToString(train.task)));
  }
  if (valid.task != train.task || valid.num_classes != train.num_classes ||
      valid.cols() != train.cols()) {
    return Status::InvalidArgument(
        where + "training and validation data differ: " + std::string(ToString(train.task)) +
        " with " + std::to_string(train.num_classes) + " classes and " +
        std::to_string(train.cols()) + " columns vs " + std::string(ToString(valid.task)) +
        " with " + std::to_string(valid.num_classes) + " classes and " +
        std::to_string(valid.cols()) + " columns");
  }
  if (train.rows() == 0 || valid.rows() == 0) {
    return Status::InvalidArgument(where + "no training or no validation rows");
  }
  return Status::Ok();
}

[[noreturn]] void Fail(const Status& s, const Trial& trial) {
  throw HypertuneError(s.WithContext("trial " + std::to_string(trial.number())));
}

// Fits a model with `params` and scores it on `valid`.
struct FitResult {
  std::unique_ptr<Model> model;
  double score = 0.0;
};
FitResult FitAndScore(const ModelInfo& info, const Params& params, const ModelData& train,
                      const ModelData& valid, const std::string& metric,
                      const ObjectiveOptions& options, Trial* report_to, Trial& trial) {
  Result<std::unique_ptr<Model>> model = info.create(params, train.task, train.num_classes);
  if (!model.ok()) Fail(model.status(), trial);
  FitResult out{std::move(model).value(), 0.0};
  const Status fit = out.model->Fit(train, {.valid = &valid,
                                            .trial = report_to,
                                            .metric = metric,
                                            .threads = options.threads,
                                            .seed = options.seed});  // may throw TrialPruned
  if (!fit.ok()) Fail(fit, trial);
  Result<MatrixD> pred = out.model->Predict(valid.x);
  if (!pred.ok()) Fail(pred.status(), trial);
  Result<double> score = interim::Score(metric, valid, *pred);
  if (!score.ok()) Fail(score.status(), trial);
  out.score = *score;
  return out;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace

Result<StudyDirection> MetricDirection(std::string_view metric) {
  return interim::MetricDirection(metric);
}

Result<Objective> MakeObjective(const ModelInfo& info, SearchSpace space, const ModelData& train,
                                const ModelData& valid, std::string metric,
                                ObjectiveOptions options) {
  HT_ASSIGN_OR_RETURN(metric, interim::CanonicalMetric(metric));
  HT_RETURN_IF_ERROR(CheckSetup(info, train, valid, metric, ""));
  return Objective([info = &info, space = std::move(space), train = &train, valid = &valid,
                    metric = std::move(metric), options = std::move(options)](Trial& trial) {
    const Params params = space.Suggest(trial);
    const auto start = Clock::now();
    FitResult fit = FitAndScore(*info, params, *train, *valid, metric, options,
                                options.report_steps ? &trial : nullptr, trial);
    trial.SetUserAttr("fit_seconds", Seconds(start));
    const nlohmann::json summary = fit.model->FitSummary();
    for (const auto& [key, v] : summary.items()) {
      const std::string name = "fit_" + key;
      if (v.is_number_integer()) {
        trial.SetUserAttr(name, v.get<int64_t>());
      } else if (v.is_number()) {
        trial.SetUserAttr(name, v.get<double>());
      } else if (v.is_boolean()) {
        trial.SetUserAttr(name, v.get<bool>());
      } else if (v.is_string()) {
        trial.SetUserAttr(name, v.get<std::string>());
      }
    }
    const double score = fit.score;
    if (options.on_fitted) options.on_fitted(trial, std::move(fit.model), score);
    return score;
  });
}

Result<Objective> MakeCrossValidationObjective(const ModelInfo& info, SearchSpace space,
                                               const std::vector<FoldData>& folds,
                                               std::string metric, ObjectiveOptions options) {
  HT_ASSIGN_OR_RETURN(metric, interim::CanonicalMetric(metric));
  if (folds.size() < 2) {
    return Status::InvalidArgument("cross-validation needs at least 2 folds, got " +
                                   std::to_string(folds.size()));
  }
  for (size_t k = 0; k < folds.size(); ++k) {
    HT_RETURN_IF_ERROR(CheckSetup(info, folds[k].train, folds[k].valid, metric,
                                  "fold " + std::to_string(k) + ": "));
    if (folds[k].train.task != folds[0].train.task ||
        folds[k].train.num_classes != folds[0].train.num_classes ||
        folds[k].train.cols() != folds[0].train.cols()) {
      return Status::InvalidArgument("fold " + std::to_string(k) +
                                     " differs from fold 0 in task, classes or columns");
    }
  }
  return Objective([info = &info, space = std::move(space), folds = &folds,
                    metric = std::move(metric), options = std::move(options)](Trial& trial) {
    const Params params = space.Suggest(trial);
    const auto start = Clock::now();
    std::vector<double> scores;
    std::map<std::string, double> summary_sums;
    std::map<std::string, int> summary_counts;
    for (size_t k = 0; k < folds->size(); ++k) {
      const FoldData& fold = (*folds)[k];
      FitResult fit = FitAndScore(*info, params, fold.train, fold.valid, metric, options,
                                  /*report_to=*/nullptr, trial);
      scores.push_back(fit.score);
      trial.SetUserAttr("fold_" + std::to_string(k) + "_score", fit.score);
      const nlohmann::json summary = fit.model->FitSummary();
      for (const auto& [key, v] : summary.items()) {
        if (v.is_number()) {
          summary_sums[key] += v.get<double>();
          ++summary_counts[key];
        }
      }
      double mean = 0.0;
      for (double s : scores) mean += s;
      mean /= static_cast<double>(scores.size());
      trial.Report(mean, static_cast<int64_t>(k));
      if (k + 1 < folds->size() && trial.ShouldPrune()) throw TrialPruned();
    }
    double mean = 0.0, sq = 0.0;
    for (double s : scores) mean += s;
    mean /= static_cast<double>(scores.size());
    for (double s : scores) sq += (s - mean) * (s - mean);
    trial.SetUserAttr("score_std", std::sqrt(sq / static_cast<double>(scores.size())));
    trial.SetUserAttr("fit_seconds", Seconds(start));
    for (const auto& [key, sum] : summary_sums) {
      if (summary_counts[key] == static_cast<int>(folds->size())) {
        trial.SetUserAttr("fit_" + key + "_mean", sum / static_cast<double>(folds->size()));
      }
    }
    return mean;
  });
}

}  // namespace hypertune::ml
