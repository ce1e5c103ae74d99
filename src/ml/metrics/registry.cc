#include <string>
#include <vector>

#include "hypertune/ml/metric_registry.h"
#include "hypertune/ml/metrics.h"
#include "src/ml/metrics/metrics_internal.h"

namespace hypertune::ml {
namespace {

using Compute = std::function<Result<double>(const MetricInputs&)>;
constexpr StudyDirection kMax = StudyDirection::kMaximize;
constexpr StudyDirection kMin = StudyDirection::kMinimize;

Status Need(bool present, std::string_view metric, std::string_view field) {
  if (present) return Status::Ok();
  return Status::InvalidArgument("metric '" + std::string(metric) + "' needs MetricInputs." +
                                 std::string(field));
}

Status NeedLabels(const MetricInputs& in, std::string_view metric) {
  HT_RETURN_IF_ERROR(Need(!in.labels_true.empty(), metric, "labels_true"));
  return Need(!in.labels_pred.empty(), metric, "labels_pred");
}

Status NeedProbabilities(const MetricInputs& in, std::string_view metric) {
  HT_RETURN_IF_ERROR(Need(!in.labels_true.empty(), metric, "labels_true"));
  return Need(!in.probabilities.empty(), metric, "probabilities (with n_classes)");
}

Status NeedValues(const MetricInputs& in, std::string_view metric) {
  HT_RETURN_IF_ERROR(Need(!in.values_true.empty(), metric, "values_true"));
  return Need(!in.values_pred.empty(), metric, "values_pred");
}

Result<Eigen::Map<const RowMajorMatrixXd>> Features(const MetricInputs& in,
                                                    std::string_view metric) {
  HT_RETURN_IF_ERROR(Need(!in.features.empty(), metric, "features (with n_features)"));
  HT_RETURN_IF_ERROR(Need(!in.labels_pred.empty(), metric, "labels_pred"));
  if (in.n_features < 1 || in.features.size() % static_cast<size_t>(in.n_features) != 0) {
    return Status::InvalidArgument(
        "features has " + std::to_string(in.features.size()) +
        " values, not a multiple of n_features = " + std::to_string(in.n_features));
  }
  const auto rows = static_cast<Eigen::Index>(in.features.size() / in.n_features);
  return Eigen::Map<const RowMajorMatrixXd>(in.features.data(), rows, in.n_features);
}

Compute Negated(Compute f) {
  return [f = std::move(f)](const MetricInputs& in) -> Result<double> {
    HT_ASSIGN_OR_RETURN(double v, f(in));
    return -v;
  };
}

Compute Prf(std::string name, Average average, int which) {
  return [name = std::move(name), average, which](const MetricInputs& in) -> Result<double> {
    HT_RETURN_IF_ERROR(NeedLabels(in, name));
    HT_ASSIGN_OR_RETURN(PrecisionRecallF1 r,
                        PrecisionRecallF1Score(in.labels_true, in.labels_pred, average));
    return which == 0 ? r.precision : which == 1 ? r.recall : r.f1;
  };
}

std::vector<MetricInfo> MakeRegistry() {
  std::vector<MetricInfo> m;
  auto add = [&](std::string name, std::vector<std::string> aliases, MetricTask task,
                 StudyDirection dir, std::string description, Compute compute) -> MetricInfo& {
    m.push_back(MetricInfo{std::move(name), std::move(aliases), task, dir, false, false, false,
                           std::move(description), std::move(compute)});
    return m.back();
  };
  constexpr MetricTask kC = MetricTask::kClassification;
  constexpr MetricTask kR = MetricTask::kRegression;
  constexpr MetricTask kK = MetricTask::kClustering;

  add("accuracy", {}, kC, kMax, "fraction of correct predictions",
      [](const MetricInputs& in) -> Result<double> {
        HT_RETURN_IF_ERROR(NeedLabels(in, "accuracy"));
        return AccuracyScore(in.labels_true, in.labels_pred);
      });
  add("balanced_accuracy", {}, kC, kMax, "mean recall over the classes of labels_true",
      [](const MetricInputs& in) -> Result<double> {
        HT_RETURN_IF_ERROR(NeedLabels(in, "balanced_accuracy"));
        return BalancedAccuracyScore(in.labels_true, in.labels_pred);
      });
  const char* kWhat[] = {"precision", "recall", "f1"};
  for (int which = 0; which < 3; ++which) {
    const std::string base = kWhat[which];
    add(base, {}, kC, kMax, base + " of class 1 (binary)", Prf(base, Average::kBinary, which));
    add(base + "_micro", {}, kC, kMax, base + " from the total counts",
        Prf(base + "_micro", Average::kMicro, which));
    add(base + "_macro", {}, kC, kMax, base + ", unweighted mean over classes",
        Prf(base + "_macro", Average::kMacro, which));
    add(base + "_weighted", {}, kC, kMax, base + ", mean over classes weighted by support",
        Prf(base + "_weighted", Average::kWeighted, which));
  }
  add("roc_auc", {}, kC, kMax,
      "binary ROC AUC from scores, or from column 1 of 2-column probabilities",
      [](const MetricInputs& in) -> Result<double> {
        HT_RETURN_IF_ERROR(Need(!in.labels_true.empty(), "roc_auc", "labels_true"));
        if (!in.scores.empty()) return RocAucScore(in.labels_true, in.scores);
        HT_RETURN_IF_ERROR(NeedProbabilities(in, "roc_auc"));
        if (in.n_classes != 2) {
          return Status::InvalidArgument("roc_auc is binary but n_classes is " +
                                         std::to_string(in.n_classes) +
                                         "; use roc_auc_ovr or roc_auc_ovr_weighted");
        }
        HT_RETURN_IF_ERROR(
            internal::CheckProbabilities(in.probabilities, in.labels_true.size(), 2));
        std::vector<double> p1(in.labels_true.size());
        for (size_t i = 0; i < p1.size(); ++i) p1[i] = in.probabilities[2 * i + 1];
        return RocAucScore(in.labels_true, p1);
      })
      .needs_probabilities = true;
  add("roc_auc_ovr", {}, kC, kMax, "one-vs-rest ROC AUC, unweighted mean over classes",
      [](const MetricInputs& in) -> Result<double> {
        HT_RETURN_IF_ERROR(NeedProbabilities(in, "roc_auc_ovr"));
        return RocAucOvrScore(in.labels_true, in.probabilities, in.n_classes, Average::kMacro);
      })
      .needs_probabilities = true;
  add("roc_auc_ovr_weighted", {}, kC, kMax, "one-vs-rest ROC AUC, mean weighted by support",
      [](const MetricInputs& in) -> Result<double> {
        HT_RETURN_IF_ERROR(NeedProbabilities(in, "roc_auc_ovr_weighted"));
        return RocAucOvrScore(in.labels_true, in.probabilities, in.n_classes, Average::kWeighted);
      })
      .needs_probabilities = true;
  Compute log_loss = [](const MetricInputs& in) -> Result<double> {
    HT_RETURN_IF_ERROR(NeedProbabilities(in, "log_loss"));
    return LogLoss(in.labels_true, in.probabilities, in.n_classes);
  };
  add("log_loss", {}, kC, kMin, "mean negative log-likelihood of the true classes", log_loss)
      .needs_probabilities = true;
  add("neg_log_loss", {}, kC, kMax, "-log_loss", Negated(log_loss)).needs_probabilities = true;

  auto regression = [](std::string name,
                       Result<double> (*f)(std::span<const double>, std::span<const double>)) {
    return [name = std::move(name), f](const MetricInputs& in) -> Result<double> {
      HT_RETURN_IF_ERROR(NeedValues(in, name));
      return f(in.values_true, in.values_pred);
    };
  };
  Compute mse = regression("mean_squared_error", MeanSquaredError);
  Compute rmse = regression("root_mean_squared_error", RootMeanSquaredError);
  Compute mae = regression("mean_absolute_error", MeanAbsoluteError);
  add("mean_squared_error", {"mse"}, kR, kMin, "mean of squared errors", mse);
  add("neg_mean_squared_error", {}, kR, kMax, "-mean_squared_error", Negated(mse));
  add("root_mean_squared_error", {"rmse"}, kR, kMin, "square root of the MSE", rmse);
  add("neg_root_mean_squared_error", {}, kR, kMax, "-root_mean_squared_error", Negated(rmse));
  add("mean_absolute_error", {"mae"}, kR, kMin, "mean of absolute errors", mae);
  add("neg_mean_absolute_error", {}, kR, kMax, "-mean_absolute_error", Negated(mae));
  add("r2", {}, kR, kMax, "coefficient of determination", regression("r2", R2Score));

  add("silhouette", {"silhouette_score"}, kK, kMax, "mean silhouette coefficient (euclidean)",
      [](const MetricInputs& in) -> Result<double> {
        HT_ASSIGN_OR_RETURN(auto x, Features(in, "silhouette"));
        return SilhouetteScore(x, in.labels_pred);
      })
      .needs_features = true;
  add("inertia", {}, kK, kMin, "within-cluster sum of squared distances to the cluster means",
      [](const MetricInputs& in) -> Result<double> {
        HT_ASSIGN_OR_RETURN(auto x, Features(in, "inertia"));
        return Inertia(x, in.labels_pred);
      })
      .needs_features = true;
  add("adjusted_rand", {"adjusted_rand_score"}, kK, kMax,
      "adjusted Rand index against reference labels",
      [](const MetricInputs& in) -> Result<double> {
        HT_RETURN_IF_ERROR(NeedLabels(in, "adjusted_rand"));
        return AdjustedRandScore(in.labels_true, in.labels_pred);
      })
      .needs_labels_true = true;
  return m;
}

}  // namespace

std::string_view ToString(MetricTask task) {
  switch (task) {
    case MetricTask::kClassification:
      return "classification";
    case MetricTask::kRegression:
      return "regression";
    case MetricTask::kClustering:
      return "clustering";
  }
  return "unknown";
}

const std::vector<MetricInfo>& Metrics() {
  static const std::vector<MetricInfo> registry = MakeRegistry();
  return registry;
}

Result<const MetricInfo*> FindMetric(std::string_view name) {
  for (const MetricInfo& m : Metrics()) {
    if (m.name == name) return &m;
    for (const std::string& alias : m.aliases) {
      if (alias == name) return &m;
    }
  }
  std::string names;
  for (const MetricInfo& m : Metrics()) names += (names.empty() ? "" : ", ") + m.name;
  return Status::NotFound("unknown metric '" + std::string(name) + "'; valid names: " + names);
}

Result<double> ComputeMetric(std::string_view name, const MetricInputs& inputs) {
  HT_ASSIGN_OR_RETURN(const MetricInfo* m, FindMetric(name));
  return m->compute(inputs);
}

}  // namespace hypertune::ml
