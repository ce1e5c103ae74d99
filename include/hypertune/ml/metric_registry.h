// The metrics of metrics.h by name, so that a command line can list the valid
// names and a tuner can take the study direction from the metric.
//
//   const MetricInfo* m = FindMetric("f1_macro").value();
//   MetricInputs in{.labels_true = y_test, .labels_pred = predictions};
//   double v = m->compute(in).value();
//   StudyDirection d = m->direction;  // kMaximize
//
// Names are scikit-learn's scorer names and mean what they mean there:
//   - a metric to maximize has its own name ("accuracy", "f1_macro", "r2");
//   - a loss has its plain name and is minimized ("log_loss",
//     "mean_squared_error"), and also the scorer name with "neg_", which is
//     the negated value, maximized ("neg_log_loss" = -log_loss), as in
//     scikit-learn;
//   - short aliases resolve to the plain name: mse, rmse, mae.
// Metrics() lists the canonical names; FindMetric also takes the aliases.
//
//   classification: accuracy, balanced_accuracy, precision, recall, f1 (binary,
//     class 1 positive), precision_{micro,macro,weighted}, recall_..., f1_...,
//     roc_auc (binary; `scores`, or column 1 of 2-column probabilities),
//     roc_auc_ovr, roc_auc_ovr_weighted, log_loss, neg_log_loss
//   regression: mean_squared_error (mse), neg_mean_squared_error,
//     root_mean_squared_error (rmse), neg_root_mean_squared_error,
//     mean_absolute_error (mae), neg_mean_absolute_error, r2
//   clustering: silhouette (features + labels_pred), inertia (features +
//     labels_pred; within-cluster sum of squares), adjusted_rand (labels_true
//     + labels_pred)
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/status.h"

namespace hypertune::ml {

enum class MetricTask { kClassification, kRegression, kClustering };
std::string_view ToString(MetricTask task);  // "classification", ...

// What a metric is computed from. Each metric reads the fields its MetricInfo
// names; the others may stay empty.
struct MetricInputs {
  // Classification: class codes 0..k-1. Clustering: cluster labels (any int32).
  std::span<const int32_t> labels_true;
  std::span<const int32_t> labels_pred;
  // Row-major n x n_classes class probabilities.
  std::span<const double> probabilities;
  int n_classes = 0;
  // Binary decision scores (roc_auc only; preferred to probabilities).
  std::span<const double> scores;
  // Regression targets and predictions.
  std::span<const double> values_true;
  std::span<const double> values_pred;
  // Row-major n x n_features feature matrix (silhouette, inertia).
  std::span<const double> features;
  int n_features = 0;
};

struct MetricInfo {
  std::string name;
  std::vector<std::string> aliases;
  MetricTask task;
  StudyDirection direction;
  bool needs_probabilities = false;  // probabilities (or scores, for roc_auc)
  bool needs_features = false;       // features + labels_pred
  bool needs_labels_true = false;    // clustering metrics against a reference
  std::string description;
  std::function<Result<double>(const MetricInputs&)> compute;
};

// Every metric, in a fixed order (by task, then as listed above).
const std::vector<MetricInfo>& Metrics();

// By name or alias; NotFound lists the valid names.
Result<const MetricInfo*> FindMetric(std::string_view name);

// FindMetric(name), then compute.
Result<double> ComputeMetric(std::string_view name, const MetricInputs& inputs);

}  // namespace hypertune::ml
