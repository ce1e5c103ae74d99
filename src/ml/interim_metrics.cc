#include "src/ml/interim_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

namespace hypertune::ml::interim {
namespace {

struct MetricDef {
  const char* name;
  const char* alias;
  TaskType task;
  StudyDirection direction;
};

constexpr StudyDirection kMax = StudyDirection::kMaximize;
constexpr StudyDirection kMin = StudyDirection::kMinimize;
constexpr TaskType kClf = TaskType::kClassification;
constexpr TaskType kReg = TaskType::kRegression;

constexpr MetricDef kMetrics[] = {
    {"accuracy", "", kClf, kMax},
    {"roc_auc", "", kClf, kMax},
    {"log_loss", "", kClf, kMin},
    {"neg_log_loss", "", kClf, kMax},
    {"r2", "", kReg, kMax},
    {"mean_squared_error", "mse", kReg, kMin},
    {"neg_mean_squared_error", "", kReg, kMax},
    {"root_mean_squared_error", "rmse", kReg, kMin},
    {"neg_root_mean_squared_error", "", kReg, kMax},
    {"mean_absolute_error", "mae", kReg, kMin},
    {"neg_mean_absolute_error", "", kReg, kMax},
};

Result<const MetricDef*> Find(std::string_view metric) {
  std::string known;
  for (const MetricDef& m : kMetrics) {
    if (metric == m.name || (*m.alias != '\0' && metric == m.alias)) return &m;
    known += (known.empty() ? "" : ", ") + std::string(m.name);
  }
  return Status::NotFound("no metric '" + std::string(metric) + "' (metrics: " + known + ")");
}

// Mann-Whitney U / (n0 n1), ties counting one half (average ranks).
Result<double> BinaryRocAuc(const std::vector<float>& y, const MatrixD& p) {
  const size_t n = y.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return p(static_cast<Eigen::Index>(a), 1) < p(static_cast<Eigen::Index>(b), 1);
  });
  double positive_rank_sum = 0.0;
  size_t positives = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    const double v = p(static_cast<Eigen::Index>(order[i]), 1);
    while (j < n && p(static_cast<Eigen::Index>(order[j]), 1) == v) ++j;
    const double average_rank = 0.5 * static_cast<double>(i + 1 + j);  // ranks i+1 .. j
    for (size_t k = i; k < j; ++k) {
      if (y[order[k]] == 1.0f) {
        positive_rank_sum += average_rank;
        ++positives;
      }
    }
    i = j;
  }
  const double n1 = static_cast<double>(positives);
  const double n0 = static_cast<double>(n - positives);
  if (positives == 0 || positives == n) {
    return Status::InvalidArgument("roc_auc is undefined when y_true holds one class");
  }
  return (positive_rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0);
}

}  // namespace

Result<std::string> CanonicalMetric(std::string_view metric) {
  HT_ASSIGN_OR_RETURN(const MetricDef* m, Find(metric));
  return std::string(m->name);
}

Result<StudyDirection> MetricDirection(std::string_view metric) {
  HT_ASSIGN_OR_RETURN(const MetricDef* m, Find(metric));
  return m->direction;
}

Result<TaskType> MetricTask(std::string_view metric) {
  HT_ASSIGN_OR_RETURN(const MetricDef* m, Find(metric));
  return m->task;
}

Result<double> Score(std::string_view metric, const ModelData& data, const MatrixD& predictions) {
  HT_ASSIGN_OR_RETURN(const MetricDef* m, Find(metric));
  const std::string name = m->name;
  if (m->task != data.task) {
    return Status::InvalidArgument("metric '" + name + "' is for " +
                                   std::string(ToString(m->task)) + ", the data is " +
                                   std::string(ToString(data.task)));
  }
  const size_t n = data.y.size();
  const size_t width = m->task == kClf ? data.num_classes : 1;
  if (n == 0) return Status::InvalidArgument("metric '" + name + "': no rows");
  if (static_cast<size_t>(predictions.rows()) != n ||
      static_cast<size_t>(predictions.cols()) != width) {
    return Status::InvalidArgument("metric '" + name + "': predictions are " +
                                   std::to_string(predictions.rows()) + " x " +
                                   std::to_string(predictions.cols()) + ", expected " +
                                   std::to_string(n) + " x " + std::to_string(width));
  }
  if (!predictions.allFinite()) {
    return Status::InvalidArgument("metric '" + name + "': a prediction is not finite");
  }
  if (m->task == kClf) {
    for (size_t i = 0; i < n; ++i) {
      if (!(data.y[i] >= 0 && static_cast<size_t>(data.y[i]) < width &&
            std::trunc(data.y[i]) == data.y[i])) {
        return Status::InvalidArgument("metric '" + name + "': label " + std::to_string(data.y[i]) +
                                       " of row " + std::to_string(i) + " is not a class code 0.." +
                                       std::to_string(width - 1));
      }
    }
  }
  const bool negate = name.starts_with("neg_");
  const std::string base = negate ? name.substr(4) : name;
  auto row = [&](size_t i) { return predictions.row(static_cast<Eigen::Index>(i)); };
  double value = 0.0;
  if (base == "accuracy") {
    size_t right = 0;
    for (size_t i = 0; i < n; ++i) {
      Eigen::Index best = 0;
      row(i).maxCoeff(&best);  // ties: the first, as numpy's argmax
      right += static_cast<float>(best) == data.y[i];
    }
    value = static_cast<double>(right) / static_cast<double>(n);
  } else if (base == "roc_auc") {
    if (width != 2) {
      return Status::InvalidArgument("roc_auc is for binary classification, the data has " +
                                     std::to_string(width) + " classes");
    }
    HT_ASSIGN_OR_RETURN(value, BinaryRocAuc(data.y, predictions));
  } else if (base == "log_loss") {
    // scikit-learn 1.2: clip to [eps, 1 - eps] (eps of float64), renormalize.
    const double eps = std::numeric_limits<double>::epsilon();
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i) {
      Eigen::RowVectorXd p = row(i).cwiseMax(eps).cwiseMin(1 - eps);
      const auto label = static_cast<Eigen::Index>(data.y[i]);
      sum -= std::log(p(label) / p.sum());
    }
    value = sum / static_cast<double>(n);
  } else {
    double sq = 0.0, abs = 0.0, mean = 0.0;
    for (size_t i = 0; i < n; ++i) mean += data.y[i];
    mean /= static_cast<double>(n);
    double total = 0.0;
    for (size_t i = 0; i < n; ++i) {
      const double e = predictions(static_cast<Eigen::Index>(i), 0) - data.y[i];
      sq += e * e;
      abs += std::abs(e);
      total += (data.y[i] - mean) * (data.y[i] - mean);
    }
    const double dn = static_cast<double>(n);
    if (base == "mean_squared_error") {
      value = sq / dn;
    } else if (base == "root_mean_squared_error") {
      value = std::sqrt(sq / dn);
    } else if (base == "mean_absolute_error") {
      value = abs / dn;
    } else {  // r2, scikit-learn's force_finite
      if (n < 2) return Status::InvalidArgument("r2 needs at least 2 rows");
      value = total == 0.0 ? (sq == 0.0 ? 1.0 : 0.0) : 1.0 - sq / total;
    }
  }
  return negate ? -value : value;
}

}  // namespace hypertune::ml::interim
