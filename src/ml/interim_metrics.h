// Interim metrics: the few scores that the XGBoost adapter and the tuning
// objective compute themselves until metrics.h (with its name registry)
// lands. Each name means what it means in scikit-learn and in metrics.h, so
// that switching to FindMetric / ComputeMetric changes no value:
//   accuracy, roc_auc (binary), log_loss, r2, mean_squared_error (mse),
//   root_mean_squared_error (rmse), mean_absolute_error (mae), and the
//   "neg_" forms of the losses (the negated value, maximized).
// TODO(metrics): replace with metrics.h's registry and delete this file.
#pragma once

#include <string>
#include <string_view>

#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/status.h"
#include "hypertune/ml/model.h"

namespace hypertune::ml::interim {

// The canonical name ("mse" -> "mean_squared_error"); NotFound listing the
// names above.
Result<std::string> CanonicalMetric(std::string_view metric);

// Maximize for scores (accuracy, roc_auc, r2, neg_*), minimize for losses.
Result<StudyDirection> MetricDirection(std::string_view metric);

// The task a metric scores.
Result<TaskType> MetricTask(std::string_view metric);

// The metric of `predictions` (Model::Predict's output on data.x) against
// data.y. InvalidArgument for a metric of the other task, shapes that do not
// match, non-finite predictions, or a metric undefined for the data (ROC AUC
// with one class present).
Result<double> Score(std::string_view metric, const ModelData& data, const MatrixD& predictions);

}  // namespace hypertune::ml::interim
