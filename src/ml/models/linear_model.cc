// "linear": linear regression on Eigen, with no penalty, ridge, lasso or
// elastic net. Every penalty minimizes scikit-learn's ElasticNet objective
//
//   1/(2n) ||y - Xw - b||^2 + alpha * l1_ratio * ||w||_1
//                           + alpha * (1 - l1_ratio) / 2 * ||w||^2
//
// with l1_ratio = 0 for ridge and 1 for lasso (the intercept b is not
// penalized). So alpha means the same thing for every penalty; scikit-learn's
// Ridge(alpha = n * alpha) is our ridge.
//
// Solvers: no penalty: least squares by a complete orthogonal decomposition
// of the centered matrix (the minimum-norm solution when columns are
// collinear, as scipy's lstsq gives); ridge: Cholesky on the normal
// equations; lasso and elastic net: cyclic coordinate descent as
// scikit-learn's enet_coordinate_descent does it (same updates, same stopping
// rule: the largest weight change relative to the largest weight falls under
// tol, then the duality gap under tol * ||y - mean(y)||^2).
//
// Coordinate descent reports the validation score to the trial every
// kReportEvery iterations when FitOptions gives one (step = iterations done),
// so that pruners can stop slow fits; the closed-form solvers report nothing.
#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include "hypertune/ml/model.h"
#include "src/ml/models/adapter_util.h"
#include "src/ml/models/registry.h"

namespace hypertune::ml {
namespace {

using namespace models_internal;  // NOLINT: this file's helpers

constexpr std::string_view kName = "linear";
constexpr int64_t kReportEvery = 10;
constexpr std::string_view kFormat = "hypertune-linear";

enum class Penalty { kNone, kRidge, kLasso, kElasticNet };
const std::vector<std::string> kPenalties = {"none", "ridge", "lasso", "elasticnet"};

ParamValue Str(const char* s) { return std::string(s); }

SearchSpace LinearSpace(TaskType) {
  const std::vector<ParamValue> cd = {Str("lasso"), Str("elasticnet")};
  std::vector<Hyperparameter> hps = {
      {.name = "penalty",
       .range =
           CategoricalDistribution{{Str("none"), Str("ridge"), Str("lasso"), Str("elasticnet")}},
       .default_value = Str("none"),
       .help = "none: least squares; ridge: L2; lasso: L1; elasticnet: both"},
      {.name = "alpha",
       .range = FloatDistribution{1e-5, 1e2, true},
       .default_value = 1.0,
       .help = "penalty strength (scikit-learn's ElasticNet alpha; Ridge's alpha / n_rows)",
       .parent = "penalty",
       .parent_values = {Str("ridge"), Str("lasso"), Str("elasticnet")}},
      {.name = "l1_ratio",
       .range = FloatDistribution{0.0, 1.0},
       .default_value = 0.5,
       .help = "share of the L1 term in the elastic net penalty",
       .parent = "penalty",
       .parent_values = {Str("elasticnet")}},
      {.name = "fit_intercept",
       .range = CategoricalDistribution{{true, false}},
       .default_value = true,
       .help = "learn an unpenalized intercept"},
      {.name = "max_iter",
       .range = IntDistribution{100, 100000, true},
       .default_value = int64_t{1000},
       .help = "coordinate descent iterations at most",
       .parent = "penalty",
       .parent_values = cd},
      {.name = "tol",
       .range = FloatDistribution{1e-10, 1e-2, true},
       .default_value = 1e-4,
       .help = "coordinate descent tolerance (scikit-learn's)",
       .parent = "penalty",
       .parent_values = cd},
  };
  Result<SearchSpace> space = SearchSpace::Create(std::move(hps));
  HT_CHECK(space.ok()) << space.status();
  for (const char* name : {"fit_intercept", "max_iter", "tol"}) {
    HT_CHECK(space->Freeze(name).ok());
  }
  return std::move(space).value();
}

struct LinearSettings {
  Penalty penalty = Penalty::kNone;
  double alpha = 0.0;
  double l1_ratio = 0.0;
  bool fit_intercept = true;
  int64_t max_iter = 1000;
  double tol = 1e-4;
};

Result<LinearSettings> ParseSettings(const Params& p) {
  LinearSettings s;
  HT_ASSIGN_OR_RETURN(const std::string penalty, GetString(p, "penalty"));
  HT_ASSIGN_OR_RETURN(const size_t k, CheckChoice(kName, "penalty", penalty, kPenalties));
  s.penalty = static_cast<Penalty>(k);
  if (s.penalty != Penalty::kNone) {
    HT_ASSIGN_OR_RETURN(s.alpha, GetDouble(p, "alpha"));
    HT_RETURN_IF_ERROR(CheckPositive(kName, "alpha", s.alpha));
  }
  if (s.penalty == Penalty::kLasso) s.l1_ratio = 1.0;
  if (s.penalty == Penalty::kElasticNet) {
    HT_ASSIGN_OR_RETURN(s.l1_ratio, GetDouble(p, "l1_ratio"));
    HT_RETURN_IF_ERROR(CheckInRange(kName, "l1_ratio", s.l1_ratio, 0.0, 1.0));
  }
  HT_ASSIGN_OR_RETURN(s.fit_intercept, GetBool(p, "fit_intercept"));
  if (s.penalty == Penalty::kLasso || s.penalty == Penalty::kElasticNet) {
    HT_ASSIGN_OR_RETURN(s.max_iter, GetInt(p, "max_iter"));
    HT_RETURN_IF_ERROR(CheckInRange(kName, "max_iter", static_cast<double>(s.max_iter), 1,
                                    static_cast<double>(std::numeric_limits<int32_t>::max())));
    HT_ASSIGN_OR_RETURN(s.tol, GetDouble(p, "tol"));
    HT_RETURN_IF_ERROR(CheckNonNegative(kName, "tol", s.tol));
  }
  return s;
}

// The training matrix in double, column-major (coordinate descent reads
// columns), with the column means: built once per ModelData.
struct LinearProblem {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  Eigen::RowVectorXd x_mean;
  double y_mean = 0.0;
};

Result<std::shared_ptr<LinearProblem>> BuildProblem(const ModelData& data) {
  auto p = std::make_shared<LinearProblem>();
  p->x = data.x.cast<double>();
  for (Eigen::Index c = 0; c < p->x.cols(); ++c) {
    for (Eigen::Index r = 0; r < p->x.rows(); ++r) {
      if (!std::isfinite(p->x(r, c))) {
        return Status::InvalidArgument(
            "linear: feature " + DescribeColumn(data, static_cast<size_t>(c)) +
            " of training row " + std::to_string(r) +
            " is not a finite number (impute missing values in preprocessing)");
      }
    }
  }
  p->y = Eigen::Map<const Eigen::VectorXf>(data.y.data(), static_cast<Eigen::Index>(data.y.size()))
             .cast<double>();
  p->x_mean = p->x.colwise().mean();
  p->y_mean = p->y.mean();
  return p;
}

// The metrics this model computes for its per-iteration reports (until the
// metrics registry is wired in). Empty: its own loss, the mean squared error.
bool KnownMetric(std::string_view metric) {
  return metric.empty() || metric == "mse" || metric == "rmse" || metric == "mae" || metric == "r2";
}

std::optional<double> ValidationScore(std::string_view metric, const Eigen::VectorXd& y,
                                      const Eigen::VectorXd& pred) {
  const Eigen::VectorXd err = y - pred;
  const double n = static_cast<double>(y.size());
  if (metric.empty() || metric == "mse") return err.squaredNorm() / n;
  if (metric == "rmse") return std::sqrt(err.squaredNorm() / n);
  if (metric == "mae") return err.cwiseAbs().sum() / n;
  if (metric == "r2") {
    const double ss_tot = (y.array() - y.mean()).square().sum();
    return ss_tot > 0 ? 1.0 - err.squaredNorm() / ss_tot : 0.0;
  }
  return std::nullopt;
}

class LinearModel : public Model {
 public:
  LinearModel(Params params, LinearSettings settings) : params_(std::move(params)), s_(settings) {}

  std::string_view kind() const override { return kName; }
  const Params& params() const override { return params_; }
  TaskType task() const override { return TaskType::kRegression; }

  Status Fit(const ModelData& train, const FitOptions& options) override;
  Result<MatrixD> Predict(const MatrixF& x) const override;
  Result<nlohmann::json> LearnedParameters() const override;
  nlohmann::json FitSummary() const override { return summary_; }
  Result<std::string> SaveNative() const override;
  Status LoadNative(std::string_view bytes) override;

 private:
  // Coordinate descent on the centered xc, yc from w = 0; fills summary_.
  Status CoordinateDescent(const Eigen::MatrixXd& xc, const Eigen::VectorXd& yc,
                           const LinearProblem& prob, const FitOptions& options);

  Params params_;
  LinearSettings s_;
  bool fitted_ = false;
  Eigen::VectorXd coef_;
  double intercept_ = 0.0;
  std::vector<std::string> feature_names_;
  nlohmann::json summary_ = nlohmann::json::object();
};

Status LinearModel::Fit(const ModelData& train, const FitOptions& options) {
  HT_RETURN_IF_ERROR(CheckTrainingData(kName, TaskType::kRegression, 0, train));
  if (options.trial != nullptr && options.valid != nullptr &&
      options.valid->cols() != train.cols()) {
    return Status::InvalidArgument("linear: the validation data has " +
                                   std::to_string(options.valid->cols()) + " columns, training " +
                                   std::to_string(train.cols()));
  }
  bool built = false;
  HT_ASSIGN_OR_RETURN(std::shared_ptr<LinearProblem> prob,
                      train.cache->GetOrCreate<LinearProblem>("eigen/linear", [&] {
                        built = true;
                        return BuildProblem(train);
                      }));
  const double n = static_cast<double>(prob->x.rows());
  Eigen::MatrixXd xc;
  Eigen::VectorXd yc;
  if (s_.fit_intercept) {
    xc = prob->x.rowwise() - prob->x_mean;
    yc = prob->y.array() - prob->y_mean;
  } else {
    xc = prob->x;
    yc = prob->y;
  }
  summary_ = {{"problem", built ? "built" : "cached"}, {"reported_steps", 0}};
  switch (s_.penalty) {
    case Penalty::kNone: {
      Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(xc);
      coef_ = cod.solve(yc);
      summary_["solver"] = "complete_orthogonal_decomposition";
      summary_["rank"] = cod.rank();
      break;
    }
    case Penalty::kRidge: {
      Eigen::MatrixXd a = xc.transpose() * xc;
      a.diagonal().array() += n * s_.alpha;
      const Eigen::VectorXd b = xc.transpose() * yc;
      Eigen::LLT<Eigen::MatrixXd> llt(a);
      if (llt.info() != Eigen::Success) {
        return Status::Internal("linear: ridge's normal equations are not positive definite");
      }
      coef_ = llt.solve(b);
      summary_["solver"] = "cholesky";
      break;
    }
    case Penalty::kLasso:
    case Penalty::kElasticNet:
      HT_RETURN_IF_ERROR(CoordinateDescent(xc, yc, *prob, options));
      break;
  }
  intercept_ = s_.fit_intercept ? prob->y_mean - prob->x_mean.dot(coef_) : 0.0;
  if (!coef_.allFinite() || !std::isfinite(intercept_)) {
    return Status::Internal("linear: the fit gave non-finite coefficients");
  }
  feature_names_ = train.feature_names;
  fitted_ = true;
  return Status::Ok();
}

Status LinearModel::CoordinateDescent(const Eigen::MatrixXd& xc, const Eigen::VectorXd& yc,
                                      const LinearProblem& prob, const FitOptions& options) {
  const Eigen::Index p = xc.cols();
  const double n = static_cast<double>(xc.rows());
  const double l1 = s_.alpha * s_.l1_ratio * n;
  const double l2 = s_.alpha * (1.0 - s_.l1_ratio) * n;
  const Eigen::VectorXd norm_cols = xc.colwise().squaredNorm().transpose();
  Eigen::VectorXd w = Eigen::VectorXd::Zero(p);
  Eigen::VectorXd r = yc;  // residual y - Xw
  const double gap_tol = s_.tol * yc.squaredNorm();

  std::optional<Eigen::VectorXd> valid_y;
  Eigen::MatrixXd valid_x;
  const bool report =
      options.trial != nullptr && options.valid != nullptr && KnownMetric(options.metric);
  if (report) {
    valid_x = options.valid->x.cast<double>();
    valid_y = Eigen::Map<const Eigen::VectorXf>(options.valid->y.data(),
                                                static_cast<Eigen::Index>(options.valid->y.size()))
                  .cast<double>();
  } else if (options.trial != nullptr && options.valid != nullptr) {
    summary_["reports"] = "none: metric '" + options.metric + "' is not computed by linear";
  }

  double gap = 0.0;
  bool converged = false;
  int64_t iter = 0;
  int64_t reported = 0;
  while (iter < s_.max_iter) {
    double w_max = 0.0;
    double d_w_max = 0.0;
    for (Eigen::Index j = 0; j < p; ++j) {
      if (norm_cols[j] == 0.0) continue;
      const double w_old = w[j];
      if (w_old != 0.0) r += w_old * xc.col(j);
      const double tmp = xc.col(j).dot(r);
      const double shrunk = std::max(std::abs(tmp) - l1, 0.0);
      w[j] = (tmp > 0 ? shrunk : tmp < 0 ? -shrunk : 0.0) / (norm_cols[j] + l2);
      if (w[j] != 0.0) r -= w[j] * xc.col(j);
      d_w_max = std::max(d_w_max, std::abs(w[j] - w_old));
      w_max = std::max(w_max, std::abs(w[j]));
    }
    ++iter;
    if (w_max == 0.0 || d_w_max / w_max < s_.tol || iter == s_.max_iter) {
      // The duality gap decides (scikit-learn's formula for the objective
      // scaled by n).
      const Eigen::VectorXd xta = xc.transpose() * r - l2 * w;
      const double dual_norm = xta.cwiseAbs().maxCoeff();
      const double r_norm2 = r.squaredNorm();
      const double w_norm2 = w.squaredNorm();
      double scale = 1.0;
      if (dual_norm > l1) {
        scale = l1 / dual_norm;
        gap = 0.5 * (r_norm2 + r_norm2 * scale * scale);
      } else {
        gap = r_norm2;
      }
      gap += l1 * w.cwiseAbs().sum() - scale * r.dot(yc) + 0.5 * l2 * (1 + scale * scale) * w_norm2;
      if (gap < gap_tol) {
        converged = true;
        break;
      }
    }
    if (report && iter % kReportEvery == 0) {
      const double b = s_.fit_intercept ? prob.y_mean - prob.x_mean.dot(w) : 0.0;
      const Eigen::VectorXd pred = (valid_x * w).array() + b;
      ReportStep(options, iter, *ValidationScore(options.metric, *valid_y, pred));
      ++reported;
    }
  }
  coef_ = std::move(w);
  summary_["solver"] = "coordinate_descent";
  summary_["iterations"] = iter;
  summary_["converged"] = converged;
  summary_["duality_gap"] = gap;
  summary_["reported_steps"] = reported;
  return Status::Ok();
}

Result<MatrixD> LinearModel::Predict(const MatrixF& x) const {
  HT_RETURN_IF_ERROR(CheckPredictInput(kName, fitted_, static_cast<size_t>(coef_.size()), x));
  if (!x.allFinite()) return Status::InvalidArgument("linear: the rows hold NaN or infinity");
  MatrixD out(x.rows(), 1);
  out.col(0) = (x.cast<double>() * coef_).array() + intercept_;
  return out;
}

Result<nlohmann::json> LinearModel::LearnedParameters() const {
  if (!fitted_) return Status::FailedPrecondition("linear: no model before Fit or LoadNative");
  nlohmann::json j{{"coef", std::vector<double>(coef_.data(), coef_.data() + coef_.size())},
                   {"intercept", intercept_}};
  if (!feature_names_.empty()) j["feature_names"] = feature_names_;
  return j;
}

// JSON; nlohmann writes doubles in the shortest text that reads back to the
// same bits, so a model read back predicts identically.
Result<std::string> LinearModel::SaveNative() const {
  if (!fitted_) return Status::FailedPrecondition("linear: SaveNative before Fit or LoadNative");
  nlohmann::json j{{"format", kFormat},
                   {"version", 1},
                   {"n_features", coef_.size()},
                   {"coef", std::vector<double>(coef_.data(), coef_.data() + coef_.size())},
                   {"intercept", intercept_},
                   {"feature_names", feature_names_}};
  return j.dump();
}

Status LinearModel::LoadNative(std::string_view bytes) {
  const nlohmann::json j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  const auto bad = [](const std::string& why) {
    return Status::Corruption("linear: LoadNative: " + why);
  };
  if (j.is_discarded() || !j.is_object()) return bad("not JSON");
  if (!j.contains("format") || j["format"] != kFormat) return bad("not a linear model");
  if (!j.contains("version") || j["version"] != 1) return bad("unknown version");
  if (!j.contains("n_features") || !j["n_features"].is_number_unsigned()) {
    return bad("no n_features");
  }
  const size_t features = j["n_features"].get<size_t>();
  if (!j.contains("coef") || !j["coef"].is_array() || j["coef"].size() != features) {
    return bad("coef must hold n_features numbers");
  }
  Eigen::VectorXd coef(static_cast<Eigen::Index>(features));
  for (size_t i = 0; i < features; ++i) {
    if (!j["coef"][i].is_number()) return bad("coef holds a non-number");
    coef[static_cast<Eigen::Index>(i)] = j["coef"][i].get<double>();
  }
  if (!j.contains("intercept") || !j["intercept"].is_number()) return bad("no intercept");
  std::vector<std::string> names;
  if (j.contains("feature_names")) {
    if (!j["feature_names"].is_array()) return bad("feature_names is not a list");
    for (const auto& name : j["feature_names"]) {
      if (!name.is_string()) return bad("feature_names holds a non-string");
      names.push_back(name.get<std::string>());
    }
  }
  coef_ = std::move(coef);
  intercept_ = j["intercept"].get<double>();
  feature_names_ = std::move(names);
  fitted_ = true;
  summary_ = nlohmann::json::object();
  return Status::Ok();
}

Result<std::unique_ptr<Model>> CreateLinear(const Params& params, TaskType task, size_t) {
  if (task != TaskType::kRegression) {
    return Status::InvalidArgument(
        "linear: regression only (for classification: logistic, linear_svc or svm)");
  }
  HT_ASSIGN_OR_RETURN(Params complete, LinearSpace(task).Complete(params));
  HT_ASSIGN_OR_RETURN(LinearSettings settings, ParseSettings(complete));
  return std::unique_ptr<Model>(std::make_unique<LinearModel>(std::move(complete), settings));
}

}  // namespace

namespace models_internal {

ModelInfo LinearModelInfo() {
  return ModelInfo{.name = std::string(kName),
                   .summary = "linear regression (Eigen): least squares, ridge, lasso, elastic net",
                   .tasks = {TaskType::kRegression},
                   .preprocessing = PreprocessOptions{},
                   .default_space = &LinearSpace,
                   .create = &CreateLinear};
}

}  // namespace models_internal
}  // namespace hypertune::ml
