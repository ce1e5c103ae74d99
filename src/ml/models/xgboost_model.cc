// XGBoost adapter: gradient-boosted trees through XGBoost's C API (1.7).
//
// Training is XGBoost's own loop, written out (XGBoosterUpdateOneIter per
// round) so that the validation score of each round reaches the trial and
// pruners stop bad trials mid-training; its parameters and calls are those
// of python-xgboost's xgb.train, so the same params, data and seed give the
// same trees (the tests compare predictions with python3-xgboost).
#include "src/ml/models/xgboost_model.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

#include "hypertune/core/trial.h"
#include "src/ml/interim_metrics.h"
#include "src/ml/models/registry.h"

namespace hypertune::ml {
namespace {

// XGBoost's message for the last failed call on this thread, without the
// time stamp in front and the stack trace it may append.
std::string LastError() {
  std::string msg = XGBGetLastError();
  if (const size_t p = msg.find("\nStack trace"); p != std::string::npos) msg.resize(p);
  if (msg.size() > 11 && msg[0] == '[' && msg[9] == ']' && msg[10] == ' ') msg.erase(0, 11);
  while (!msg.empty() && std::isspace(static_cast<unsigned char>(msg.back()))) msg.pop_back();
  return msg;
}

Status Check(int rc, std::string_view what, StatusCode code = StatusCode::kInvalidArgument) {
  if (rc == 0) return Status::Ok();
  return Status(code, "xgboost: " + std::string(what) + ": " + LastError());
}

std::atomic<int64_t> dmatrices_built{0};

}  // namespace

namespace xgboost_internal {

SharedDMatrix::~SharedDMatrix() {
  if (handle != nullptr) XGDMatrixFree(handle);
}

Result<std::shared_ptr<SharedDMatrix>> GetDMatrix(const ModelData& data, int threads) {
  const std::function<Result<std::shared_ptr<SharedDMatrix>>()> make =
      [&]() -> Result<std::shared_ptr<SharedDMatrix>> {
    if (data.rows() == 0 || data.cols() == 0) {
      return Status::InvalidArgument("the data has " + std::to_string(data.rows()) + " rows and " +
                                     std::to_string(data.cols()) + " columns");
    }
    if (!data.y.empty() && data.y.size() != data.rows()) {
      return Status::InvalidArgument("the data has " + std::to_string(data.rows()) + " rows but " +
                                     std::to_string(data.y.size()) + " labels");
    }
    for (size_t i = 0; i < data.y.size(); ++i) {
      if (!std::isfinite(data.y[i])) {
        return Status::InvalidArgument("the label of row " + std::to_string(i) + " is " +
                                       std::to_string(data.y[i]));
      }
    }
    // XGBoost takes NaN as missing but an infinity as a value, which breaks
    // its quantile sketch.
    for (Eigen::Index r = 0; r < data.x.rows(); ++r) {
      for (Eigen::Index c = 0; c < data.x.cols(); ++c) {
        if (std::isinf(data.x(r, c))) {
          const std::string name = static_cast<size_t>(c) < data.feature_names.size()
                                       ? " ('" + data.feature_names[static_cast<size_t>(c)] + "')"
                                       : "";
          return Status::InvalidArgument("row " + std::to_string(r) + ", column " +
                                         std::to_string(c) + name + " is infinite");
        }
      }
    }
    auto m = std::make_shared<SharedDMatrix>();
    m->rows = data.rows();
    m->cols = data.cols();
    HT_RETURN_IF_ERROR(
        Check(XGDMatrixCreateFromMat_omp(
                  data.x.data(), static_cast<bst_ulong>(m->rows), static_cast<bst_ulong>(m->cols),
                  std::numeric_limits<float>::quiet_NaN(), &m->handle, std::max(1, threads)),
              "building the DMatrix"));
    if (!data.y.empty()) {
      HT_RETURN_IF_ERROR(Check(
          XGDMatrixSetFloatInfo(m->handle, "label", data.y.data(), static_cast<bst_ulong>(m->rows)),
          "setting the labels"));
    }
    ++dmatrices_built;
    return m;
  };
  return data.cache->GetOrCreate<SharedDMatrix>(kDMatrixKey, make);
}

int64_t DMatricesBuilt() { return dmatrices_built.load(); }

}  // namespace xgboost_internal

namespace {

using xgboost_internal::SharedDMatrix;

constexpr std::string_view kKind = "xgboost";
const std::vector<std::string> kTreeMethods = {"hist", "approx", "exact"};
// LearnedParameters shows the first tree when its JSON dump is at most this
// long (a depth-12 tree can have thousands of nodes).
constexpr size_t kMaxTreeDump = 64 * 1024;

struct BoosterFree {
  void operator()(void* h) const { XGBoosterFree(h); }
};
using Booster = std::unique_ptr<void, BoosterFree>;

std::string FormatDouble(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round trip
  return std::string(buf, r.ptr);
}

SearchSpace DefaultSpace(TaskType /*task*/) {
  Result<SearchSpace> space = SearchSpace::Create({
      {.name = "n_estimators",
       .range = IntDistribution{50, 1000, /*log=*/true},
       .default_value = int64_t{100},
       .help = "boosting rounds (trees per class); early stopping may keep fewer"},
      {.name = "learning_rate",
       .range = FloatDistribution{1e-3, 0.5, /*log=*/true},
       .default_value = 0.3,
       .help = "shrinkage of each tree's weights (eta)"},
      {.name = "max_depth",
       .range = IntDistribution{2, 12},
       .default_value = int64_t{6},
       .help = "maximum depth of a tree"},
      {.name = "min_child_weight",
       .range = FloatDistribution{1e-2, 1e2, /*log=*/true},
       .default_value = 1.0,
       .help = "minimum hessian sum in a leaf (rows, for squared error)"},
      {.name = "subsample",
       .range = FloatDistribution{0.5, 1.0},
       .default_value = 1.0,
       .help = "fraction of rows sampled for each tree"},
      {.name = "colsample_bytree",
       .range = FloatDistribution{0.3, 1.0},
       .default_value = 1.0,
       .help = "fraction of columns sampled for each tree"},
      {.name = "gamma",
       .range = FloatDistribution{1e-8, 10.0, /*log=*/true},
       .default_value = 1e-8,
       .help = "minimum loss reduction to split (min_split_loss; 1e-8 is XGBoost's 0)"},
      {.name = "reg_lambda",
       .range = FloatDistribution{1e-8, 100.0, /*log=*/true},
       .default_value = 1.0,
       .help = "L2 penalty on leaf weights (lambda)"},
      {.name = "reg_alpha",
       .range = FloatDistribution{1e-8, 100.0, /*log=*/true},
       .default_value = 1e-8,
       .help = "L1 penalty on leaf weights (alpha; 1e-8 is XGBoost's 0)"},
      {.name = "tree_method",
       .range = CategoricalDistribution{{std::string("hist"), std::string("approx"),
                                         std::string("exact")}},
       .default_value = std::string("hist"),
       .help = "split finding: histograms (256 bins), per-round quantiles, or exact"},
      {.name = "early_stopping_rounds",
       .range = IntDistribution{10, 200},
       .default_value = int64_t{50},
       .help = "stop after this many rounds without a better validation score (0: never)"},
  });
  HT_CHECK(space.ok()) << space.status();
  // Settings rather than knobs to tune: fixed unless the user asks.
  HT_CHECK(space->Freeze("tree_method").ok());
  HT_CHECK(space->Freeze("early_stopping_rounds").ok());
  return std::move(space).value();
}

struct XgbParams {
  int64_t n_estimators = 100;
  double learning_rate = 0.3;
  int64_t max_depth = 6;
  double min_child_weight = 1.0;
  double subsample = 1.0;
  double colsample_bytree = 1.0;
  double gamma = 0.0;
  double reg_lambda = 1.0;
  double reg_alpha = 0.0;
  std::string tree_method = "hist";
  int64_t early_stopping_rounds = 50;
};

Status OutOfRange(std::string_view name, double v, std::string_view want) {
  return Status::InvalidArgument("hyperparameter '" + std::string(name) + "' is " +
                                 FormatDouble(v) + ", it must be " + std::string(want));
}

Result<XgbParams> ReadParams(const Params& p) {
  XgbParams x;
  HT_ASSIGN_OR_RETURN(x.n_estimators, GetInt(p, "n_estimators"));
  HT_ASSIGN_OR_RETURN(x.learning_rate, GetDouble(p, "learning_rate"));
  HT_ASSIGN_OR_RETURN(x.max_depth, GetInt(p, "max_depth"));
  HT_ASSIGN_OR_RETURN(x.min_child_weight, GetDouble(p, "min_child_weight"));
  HT_ASSIGN_OR_RETURN(x.subsample, GetDouble(p, "subsample"));
  HT_ASSIGN_OR_RETURN(x.colsample_bytree, GetDouble(p, "colsample_bytree"));
  HT_ASSIGN_OR_RETURN(x.gamma, GetDouble(p, "gamma"));
  HT_ASSIGN_OR_RETURN(x.reg_lambda, GetDouble(p, "reg_lambda"));
  HT_ASSIGN_OR_RETURN(x.reg_alpha, GetDouble(p, "reg_alpha"));
  HT_ASSIGN_OR_RETURN(x.tree_method, GetString(p, "tree_method"));
  HT_ASSIGN_OR_RETURN(x.early_stopping_rounds, GetInt(p, "early_stopping_rounds"));
  // Comparisons written so that NaN fails them.
  if (!(x.n_estimators >= 1 && x.n_estimators <= 1000000))
    return OutOfRange("n_estimators", static_cast<double>(x.n_estimators), "in [1, 1e6]");
  if (!(x.learning_rate > 0 && x.learning_rate <= 10))
    return OutOfRange("learning_rate", x.learning_rate, "in (0, 10]");
  if (!(x.max_depth >= 1 && x.max_depth <= 64))
    return OutOfRange("max_depth", static_cast<double>(x.max_depth), "in [1, 64]");
  if (!(x.min_child_weight >= 0 && std::isfinite(x.min_child_weight)))
    return OutOfRange("min_child_weight", x.min_child_weight, ">= 0");
  if (!(x.subsample > 0 && x.subsample <= 1))
    return OutOfRange("subsample", x.subsample, "in (0, 1]");
  if (!(x.colsample_bytree > 0 && x.colsample_bytree <= 1))
    return OutOfRange("colsample_bytree", x.colsample_bytree, "in (0, 1]");
  if (!(x.gamma >= 0 && std::isfinite(x.gamma))) return OutOfRange("gamma", x.gamma, ">= 0");
  if (!(x.reg_lambda >= 0 && std::isfinite(x.reg_lambda)))
    return OutOfRange("reg_lambda", x.reg_lambda, ">= 0");
  if (!(x.reg_alpha >= 0 && std::isfinite(x.reg_alpha)))
    return OutOfRange("reg_alpha", x.reg_alpha, ">= 0");
  if (x.early_stopping_rounds < 0)
    return OutOfRange("early_stopping_rounds", static_cast<double>(x.early_stopping_rounds),
                      ">= 0 (0: no early stopping)");
  if (std::find(kTreeMethods.begin(), kTreeMethods.end(), x.tree_method) == kTreeMethods.end()) {
    return Status::InvalidArgument("hyperparameter 'tree_method' is '" + x.tree_method +
                                   "', expected one of hist, approx, exact");
  }
  return x;
}

// How the validation score of a round is obtained: XGBoost's own metric
// (XGBoosterEvalOneIter, computed on the cached predictions) turned into the
// requested one, or the requested metric computed on the predictions.
struct EvalPlan {
  std::string metric;      // canonical name; empty: the model's loss
  std::string xgb_metric;  // empty: computed from predictions
  bool one_minus = false;  // accuracy = 1 - error
  bool square = false;     // mse = rmse^2
  bool negate = false;     // neg_* scores
  bool maximize = false;
};

Result<EvalPlan> PlanEvaluation(std::string_view metric, TaskType task, size_t num_classes) {
  EvalPlan plan;
  const bool classification = task == TaskType::kClassification;
  const bool multi = classification && num_classes > 2;
  if (metric.empty()) {
    plan.xgb_metric = classification ? (multi ? "mlogloss" : "logloss") : "rmse";
    return plan;
  }
  HT_ASSIGN_OR_RETURN(plan.metric, interim::CanonicalMetric(metric));
  HT_ASSIGN_OR_RETURN(const StudyDirection direction, interim::MetricDirection(plan.metric));
  plan.maximize = direction == StudyDirection::kMaximize;
  plan.negate = plan.metric.starts_with("neg_");
  const std::string base = plan.negate ? plan.metric.substr(4) : plan.metric;
  HT_ASSIGN_OR_RETURN(const TaskType metric_task, interim::MetricTask(plan.metric));
  if (metric_task != task) {
    return Status::InvalidArgument("metric '" + std::string(metric) + "' is not a " +
                                   std::string(ToString(task)) + " metric");
  }
  if (base == "roc_auc" && multi) {
    return Status::InvalidArgument("metric 'roc_auc' is for binary classification; the data has " +
                                   std::to_string(num_classes) + " classes");
  }
  if (base == "accuracy") {
    plan.xgb_metric = multi ? "merror" : "error";
    plan.one_minus = true;
  } else if (base == "roc_auc") {
    plan.xgb_metric = "auc";
  } else if (base == "log_loss") {
    plan.xgb_metric = multi ? "mlogloss" : "logloss";
  } else if (base == "root_mean_squared_error") {
    plan.xgb_metric = "rmse";
  } else if (base == "mean_squared_error") {
    plan.xgb_metric = "rmse";
    plan.square = true;
  } else if (base == "mean_absolute_error") {
    plan.xgb_metric = "mae";
  }  // else (r2): from the predictions
  return plan;
}

// Raw XGBoost output (rows x width floats) as Predict's matrix.
MatrixD ToPrediction(const float* out, size_t rows, size_t width, TaskType task,
                     size_t num_classes) {
  const size_t k = task == TaskType::kClassification ? num_classes : 1;
  MatrixD m(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(k));
  for (size_t i = 0; i < rows; ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    if (k == 2 && width == 1) {
      const double p = out[i];
      m(r, 0) = 1.0 - p;
      m(r, 1) = p;
    } else {
      for (size_t j = 0; j < k; ++j) m(r, static_cast<Eigen::Index>(j)) = out[i * width + j];
    }
  }
  return m;
}

// Predictions on a DMatrix the booster caches (incremental: only the new
// trees are evaluated).
Result<MatrixD> PredictCached(void* booster, void* dmatrix, size_t rows, TaskType task,
                              size_t num_classes) {
  const char* config =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
      R"("strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  HT_RETURN_IF_ERROR(
      Check(XGBoosterPredictFromDMatrix(booster, dmatrix, config, &shape, &dim, &out),
            "predicting the validation rows"));
  bst_ulong total = 1;
  for (bst_ulong d = 0; d < dim; ++d) total *= shape[d];
  return ToPrediction(out, rows, rows == 0 ? 0 : total / rows, task, num_classes);
}

class XgboostModel final : public Model {
 public:
  XgboostModel(Params params, XgbParams p, TaskType task, size_t num_classes)
      : params_(std::move(params)), p_(std::move(p)), task_(task), num_classes_(num_classes) {}

  std::string_view kind() const override { return kKind; }
  const Params& params() const override { return params_; }
  TaskType task() const override { return task_; }

  Status Fit(const ModelData& train, const FitOptions& options) override;
  Result<MatrixD> Predict(const MatrixF& x) const override;
  Result<nlohmann::json> LearnedParameters() const override;
  nlohmann::json FitSummary() const override { return summary_; }
  Result<std::string> SaveNative() const override;
  Status LoadNative(std::string_view bytes) override;

 private:
  bool classification() const { return task_ == TaskType::kClassification; }
  size_t width() const { return classification() ? num_classes_ : 1; }
  std::string objective() const {
    if (!classification()) return "reg:squarederror";
    return num_classes_ == 2 ? "binary:logistic" : "multi:softprob";
  }
  Status CheckData(const ModelData& data, std::string_view what) const;
  Status Configure(void* booster, const EvalPlan& plan, const FitOptions& options) const;
  // One XGBoosterUpdateOneIter, holding dtrain.lazy_forms as it needs.
  Status BoostOneRound(void* booster, int round, SharedDMatrix& dtrain) const;
  Result<double> Evaluate(void* booster, int round, const SharedDMatrix& dvalid,
                          const ModelData& valid, const EvalPlan& plan) const;
  Status RequireFitted() const {
    if (booster_) return Status::Ok();
    return Status::FailedPrecondition("xgboost: the model is not fitted (call Fit or LoadNative)");
  }

  Params params_;
  XgbParams p_;
  TaskType task_;
  size_t num_classes_;
  Booster booster_;
  size_t num_features_ = 0;
  nlohmann::json summary_ = nlohmann::json::object();
};

Status XgboostModel::CheckData(const ModelData& data, std::string_view what) const {
  const std::string where = "xgboost: " + std::string(what);
  if (data.rows() == 0 || data.cols() == 0) {
    return Status::InvalidArgument(where + " has " + std::to_string(data.rows()) + " rows and " +
                                   std::to_string(data.cols()) + " columns");
  }
  if (data.task != task_) {
    return Status::InvalidArgument(where + " is for " + std::string(ToString(data.task)) +
                                   ", the model for " + std::string(ToString(task_)));
  }
  if (data.y.size() != data.rows()) {
    return Status::InvalidArgument(where + " has " + std::to_string(data.rows()) + " rows but " +
                                   std::to_string(data.y.size()) + " labels");
  }
  if (classification() && data.num_classes != num_classes_) {
    return Status::InvalidArgument(where + " has " + std::to_string(data.num_classes) +
                                   " classes, the model " + std::to_string(num_classes_));
  }
  for (size_t i = 0; i < data.y.size(); ++i) {
    const float y = data.y[i];
    const bool ok = classification()
                        ? (y >= 0 && static_cast<size_t>(y) < num_classes_ && std::trunc(y) == y)
                        : std::isfinite(y);
    if (!ok) {
      return Status::InvalidArgument(
          where + ": the label of row " + std::to_string(i) + " is " + FormatDouble(y) +
          (classification() ? ", not a class code 0.." + std::to_string(num_classes_ - 1) : ""));
    }
  }
  return Status::Ok();
}

Status XgboostModel::Configure(void* booster, const EvalPlan& plan,
                               const FitOptions& options) const {
  std::vector<std::pair<std::string, std::string>> kv = {
      {"objective", objective()},
      {"eval_metric",
       plan.xgb_metric.empty()
           ? (classification() ? (num_classes_ > 2 ? "mlogloss" : "logloss") : "rmse")
           : plan.xgb_metric},
      {"tree_method", p_.tree_method},
      {"eta", FormatDouble(p_.learning_rate)},
      {"max_depth", std::to_string(p_.max_depth)},
      {"min_child_weight", FormatDouble(p_.min_child_weight)},
      {"subsample", FormatDouble(p_.subsample)},
      {"colsample_bytree", FormatDouble(p_.colsample_bytree)},
      {"gamma", FormatDouble(p_.gamma)},
      {"lambda", FormatDouble(p_.reg_lambda)},
      {"alpha", FormatDouble(p_.reg_alpha)},
      {"nthread", std::to_string(std::max(1, options.threads))},
      // XGBoost's seed is a signed int; 31 bits are kept.
      {"seed", std::to_string(options.seed & 0x7fffffffu)},
  };
  if (classification() && num_classes_ > 2)
    kv.emplace_back("num_class", std::to_string(num_classes_));
  for (const auto& [k, v] : kv) {
    HT_RETURN_IF_ERROR(
        Check(XGBoosterSetParam(booster, k.c_str(), v.c_str()), "parameter " + k + "=" + v));
  }
  return Status::Ok();
}

Result<double> XgboostModel::Evaluate(void* booster, int round, const SharedDMatrix& dvalid,
                                      const ModelData& valid, const EvalPlan& plan) const {
  if (plan.xgb_metric.empty()) {
    HT_ASSIGN_OR_RETURN(MatrixD pred,
                        PredictCached(booster, dvalid.handle, dvalid.rows, task_, num_classes_));
    return interim::Score(plan.metric, valid, pred);
  }
  void* dmats[] = {dvalid.handle};
  const char* names[] = {"valid"};
  const char* out = nullptr;
  HT_RETURN_IF_ERROR(Check(XGBoosterEvalOneIter(booster, round, dmats, names, 1, &out),
                           "evaluating round " + std::to_string(round)));
  // "[7]\tvalid-error:0.0263157894736842" (17 significant digits)
  const std::string_view text(out);
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Status::Internal("xgboost: cannot read the evaluation '" + std::string(text) + "'");
  }
  const std::string number(text.substr(colon + 1));
  char* end = nullptr;
  double v = std::strtod(number.c_str(), &end);  // "nan" included (AUC of one class)
  if (end == number.c_str()) v = std::numeric_limits<double>::quiet_NaN();
  if (plan.one_minus) v = 1.0 - v;
  if (plan.square) v = v * v;
  if (plan.negate) v = -v;
  return v;
}

Status XgboostModel::BoostOneRound(void* booster, int round, SharedDMatrix& dtrain) const {
  const bool hist = p_.tree_method == "hist";
  auto update = [&] {
    return Check(XGBoosterUpdateOneIter(booster, round, dtrain.handle),
                 "boosting round " + std::to_string(round));
  };
  if (round > 0 && p_.tree_method != "approx") {
    std::shared_lock<std::shared_mutex> shared(dtrain.lazy_forms);
    if (!hist || dtrain.hist_index) return update();
  }
  std::unique_lock<std::shared_mutex> exclusive(dtrain.lazy_forms);
  HT_RETURN_IF_ERROR(update());
  if (p_.tree_method != "exact") dtrain.hist_index = hist;
  return Status::Ok();
}

Status XgboostModel::Fit(const ModelData& train, const FitOptions& options) {
  HT_RETURN_IF_ERROR(CheckData(train, "training data"));
  const ModelData* valid = options.valid;
  if (valid != nullptr) {
    HT_RETURN_IF_ERROR(CheckData(*valid, "validation data"));
    if (valid->cols() != train.cols()) {
      return Status::InvalidArgument("xgboost: validation data has " +
                                     std::to_string(valid->cols()) + " columns, training data " +
                                     std::to_string(train.cols()));
    }
  }
  if (options.trial != nullptr && valid == nullptr) {
    return Status::InvalidArgument("xgboost: a trial to report to needs validation data");
  }
  HT_ASSIGN_OR_RETURN(const EvalPlan plan, PlanEvaluation(options.metric, task_, num_classes_));
  HT_ASSIGN_OR_RETURN(std::shared_ptr<SharedDMatrix> dtrain,
                      xgboost_internal::GetDMatrix(train, options.threads));
  std::shared_ptr<SharedDMatrix> dvalid;
  if (valid != nullptr) {
    HT_ASSIGN_OR_RETURN(dvalid, xgboost_internal::GetDMatrix(*valid, options.threads));
  }

  // The validation DMatrix is in the booster's cache, so that evaluating it
  // each round only adds the new tree's outputs.
  std::vector<void*> cached = {dtrain->handle};
  if (dvalid) cached.push_back(dvalid->handle);
  void* raw = nullptr;
  HT_RETURN_IF_ERROR(
      Check(XGBoosterCreate(cached.data(), cached.size(), &raw), "creating a booster"));
  Booster booster(raw);
  HT_RETURN_IF_ERROR(Configure(booster.get(), plan, options));

  const int64_t patience = dvalid ? p_.early_stopping_rounds : 0;
  double best = std::numeric_limits<double>::quiet_NaN();
  int64_t best_round = -1;
  int64_t since_best = 0;
  int64_t rounds = 0;
  bool stopped = false;
  double last = std::numeric_limits<double>::quiet_NaN();
  for (int64_t round = 0; round < p_.n_estimators; ++round) {
    HT_RETURN_IF_ERROR(BoostOneRound(booster.get(), static_cast<int>(round), *dtrain));
    rounds = round + 1;
    if (!dvalid) continue;
    HT_ASSIGN_OR_RETURN(last,
                        Evaluate(booster.get(), static_cast<int>(round), *dvalid, *valid, plan));
    // Strictly better, as python-xgboost's EarlyStopping: ties keep the
    // earlier (smaller) model.
    if (!std::isnan(last) && (best_round < 0 || (plan.maximize ? last > best : last < best))) {
      best = last;
      best_round = round;
      since_best = 0;
    } else {
      ++since_best;
    }
    if (!std::isnan(last)) ReportStep(options, round, last);  // may throw TrialPruned
    if (patience > 0 && since_best >= patience) {
      stopped = true;
      break;
    }
  }

  // With early stopping, keep the trees up to the best round (whether or not
  // training stopped before n_estimators, as python-xgboost's best_iteration),
  // so that Predict, SaveNative and LearnedParameters all see that model.
  const bool keep_best = patience > 0 && best_round >= 0 && best_round + 1 < rounds;
  if (keep_best) {
    void* sliced = nullptr;
    HT_RETURN_IF_ERROR(
        Check(XGBoosterSlice(booster.get(), 0, static_cast<int>(best_round + 1), 1, &sliced),
              "keeping the rounds up to the best one"));
    booster.reset(sliced);
  }
  if (train.feature_names.size() == train.cols()) {
    std::vector<const char*> names;
    for (const std::string& n : train.feature_names) names.push_back(n.c_str());
    HT_RETURN_IF_ERROR(
        Check(XGBoosterSetStrFeatureInfo(booster.get(), "feature_name", names.data(), names.size()),
              "setting the feature names"));
  }
  booster_ = std::move(booster);
  num_features_ = train.cols();
  summary_ = nlohmann::json::object();
  summary_["rounds"] = rounds;
  summary_["trees_kept"] =
      (keep_best ? best_round + 1 : rounds) *
      static_cast<int64_t>(classification() && num_classes_ > 2 ? num_classes_ : 1);
  summary_["stopped_early"] = stopped;
  if (dvalid) {
    summary_["validation_metric"] = plan.metric.empty() ? plan.xgb_metric : plan.metric;
    summary_["best_iteration"] = best_round;
    summary_["best_score"] = std::isnan(best) ? nlohmann::json(nullptr) : nlohmann::json(best);
    summary_["last_score"] = std::isnan(last) ? nlohmann::json(nullptr) : nlohmann::json(last);
  }
  return Status::Ok();
}

Result<MatrixD> XgboostModel::Predict(const MatrixF& x) const {
  HT_RETURN_IF_ERROR(RequireFitted());
  if (static_cast<size_t>(x.cols()) != num_features_) {
    return Status::InvalidArgument("xgboost: the rows to predict have " + std::to_string(x.cols()) +
                                   " columns, the model was fitted on " +
                                   std::to_string(num_features_));
  }
  const auto rows = static_cast<size_t>(x.rows());
  if (rows == 0) return MatrixD(0, static_cast<Eigen::Index>(width()));
  // In-place prediction (no DMatrix): the rows are read where they are,
  // through the array interface; thread-safe on one booster.
  const std::string array = "{\"data\": [" + std::to_string(reinterpret_cast<uintptr_t>(x.data())) +
                            ", true], \"shape\": [" + std::to_string(rows) + ", " +
                            std::to_string(x.cols()) +
                            "], \"strides\": null, \"typestr\": \"<f4\", \"version\": 3}";
  const char* config =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
      R"("strict_shape": false, "missing": NaN, "cache_id": 0})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  HT_RETURN_IF_ERROR(Check(
      XGBoosterPredictFromDense(booster_.get(), array.c_str(), config, nullptr, &shape, &dim, &out),
      "predicting"));
  bst_ulong total = 1;
  for (bst_ulong d = 0; d < dim; ++d) total *= shape[d];
  return ToPrediction(out, rows, total / rows, task_, num_classes_);
}

Result<nlohmann::json> XgboostModel::LearnedParameters() const {
  HT_RETURN_IF_ERROR(RequireFitted());
  void* b = booster_.get();
  nlohmann::json out = nlohmann::json::object();
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  out["library"] = "xgboost " + std::to_string(major) + "." + std::to_string(minor) + "." +
                   std::to_string(patch);
  out["objective"] = objective();
  out["num_features"] = num_features_;
  int rounds = 0;
  HT_RETURN_IF_ERROR(Check(XGBoosterBoostedRounds(b, &rounds), "counting rounds"));
  out["rounds"] = rounds;
  out["trees"] = rounds * static_cast<int>(classification() && num_classes_ > 2 ? num_classes_ : 1);
  if (summary_.contains("best_iteration")) out["best_iteration"] = summary_["best_iteration"];

  for (const char* type : {"gain", "total_gain", "weight"}) {
    const std::string config =
        std::string(R"({"importance_type": ")") + type + R"(", "feature_map": ""})";
    bst_ulong n = 0, dim = 0;
    const char** names = nullptr;
    const bst_ulong* shape = nullptr;
    const float* scores = nullptr;
    HT_RETURN_IF_ERROR(
        Check(XGBoosterFeatureScore(b, config.c_str(), &n, &names, &dim, &shape, &scores),
              std::string("feature importance by ") + type));
    nlohmann::json imp = nlohmann::json::object();
    if (dim == 1) {
      for (bst_ulong i = 0; i < n; ++i) imp[names[i]] = scores[i];
    }
    out["importance_" + std::string(type)] = std::move(imp);
  }

  // The first round's tree(s), when the dump is small enough to read.
  void* first = nullptr;
  if (rounds > 0) {
    HT_RETURN_IF_ERROR(Check(XGBoosterSlice(b, 0, 1, 1, &first), "taking the first round"));
    Booster first_round(first);
    bst_ulong n = 0;
    const char** dump = nullptr;
    HT_RETURN_IF_ERROR(
        Check(XGBoosterDumpModelEx(first, "", 1, "json", &n, &dump), "dumping the first tree"));
    size_t bytes = 0;
    for (bst_ulong i = 0; i < n; ++i) bytes += std::strlen(dump[i]);
    if (bytes <= kMaxTreeDump) {
      nlohmann::json trees = nlohmann::json::array();
      for (bst_ulong i = 0; i < n; ++i) {
        // Feature names are written unescaped: a name with a quote breaks
        // the JSON, so the text is kept then.
        nlohmann::json tree = nlohmann::json::parse(dump[i], nullptr, /*allow_exceptions=*/false);
        trees.push_back(tree.is_discarded() ? nlohmann::json(dump[i]) : std::move(tree));
      }
      out["first_round_trees"] = std::move(trees);
    } else {
      out["first_round_trees"] = nullptr;
      out["first_round_trees_note"] = "not shown: the dump has " + std::to_string(bytes) + " bytes";
    }
  }
  bst_ulong len = 0;
  const char* config = nullptr;
  HT_RETURN_IF_ERROR(Check(XGBoosterSaveJsonConfig(b, &len, &config), "reading the configuration"));
  out["config"] = nlohmann::json::parse(std::string_view(config, len), nullptr, false);
  return out;
}

Result<std::string> XgboostModel::SaveNative() const {
  HT_RETURN_IF_ERROR(RequireFitted());
  bst_ulong len = 0;
  const char* buf = nullptr;
  HT_RETURN_IF_ERROR(
      Check(XGBoosterSaveModelToBuffer(booster_.get(), R"({"format": "ubj"})", &len, &buf),
            "saving the model", StatusCode::kInternal));
  return std::string(buf, len);
}

Status XgboostModel::LoadNative(std::string_view bytes) {
  void* raw = nullptr;
  HT_RETURN_IF_ERROR(Check(XGBoosterCreate(nullptr, 0, &raw), "creating a booster"));
  Booster booster(raw);
  if (bytes.empty()) return Status::Corruption("xgboost: the model bytes are empty");
  HT_RETURN_IF_ERROR(Check(XGBoosterLoadModelFromBuffer(booster.get(), bytes.data(), bytes.size()),
                           "loading the model", StatusCode::kCorruption));
  // The bytes must hold a model of this model's kind of task.
  bst_ulong len = 0;
  const char* config = nullptr;
  HT_RETURN_IF_ERROR(
      Check(XGBoosterSaveJsonConfig(booster.get(), &len, &config), "reading the configuration"));
  const nlohmann::json cfg = nlohmann::json::parse(std::string_view(config, len), nullptr, false);
  std::string objective_name;
  size_t num_class = 0;
  if (cfg.is_object()) {
    const nlohmann::json learner = cfg.value("learner", nlohmann::json::object());
    objective_name = learner.value("learner_train_param", nlohmann::json::object())
                         .value("objective", std::string());
    num_class = std::strtoul(learner.value("learner_model_param", nlohmann::json::object())
                                 .value("num_class", std::string("0"))
                                 .c_str(),
                             nullptr, 10);
  }
  if (objective_name != objective() || (num_classes_ > 2 && num_class != num_classes_)) {
    return Status::InvalidArgument(
        "xgboost: the model bytes hold a '" + objective_name + "' model" +
        (num_class > 0 ? " of " + std::to_string(num_class) + " classes" : "") +
        ", this model is '" + objective() + "'" +
        (num_classes_ > 2 ? " of " + std::to_string(num_classes_) + " classes" : ""));
  }
  bst_ulong features = 0;
  HT_RETURN_IF_ERROR(Check(XGBoosterGetNumFeature(booster.get(), &features), "counting features"));
  HT_RETURN_IF_ERROR(Check(XGBoosterSetParam(booster.get(), "nthread", "1"), "parameter nthread"));
  booster_ = std::move(booster);
  num_features_ = static_cast<size_t>(features);
  summary_ = nlohmann::json::object();
  return Status::Ok();
}

}  // namespace

namespace models_internal {

ModelInfo XgboostModelInfo() {
  ModelInfo info;
  info.name = std::string(kKind);
  info.summary = "gradient-boosted trees (XGBoost): binary, multiclass, regression";
  info.tasks = {TaskType::kClassification, TaskType::kRegression};
  // Trees need no scaling; XGBoost takes NaN as missing and learns where
  // missing values go, so nothing is imputed. Categories are ordinal codes
  // (one column each, sorted categories; unseen ones are missing): trees
  // split them in any order with fewer columns than one-hot gives.
  info.preprocessing.scaling = Scaling::kNone;
  info.preprocessing.encoding = CategoricalEncoding::kOrdinal;
  info.preprocessing.numeric_imputation = NumericImputation::kNone;
  info.preprocessing.categorical_imputation = CategoricalImputation::kNone;
  info.preprocessing.ordinal_unknown_value = std::numeric_limits<double>::quiet_NaN();
  info.default_space = DefaultSpace;
  info.create = [](const Params& given, TaskType task,
                   size_t num_classes) -> Result<std::unique_ptr<Model>> {
    Result<Params> params = DefaultSpace(task).Complete(given);
    if (!params.ok()) return params.status().WithContext("xgboost");
    Result<XgbParams> p = ReadParams(*params);
    if (!p.ok()) return p.status().WithContext("xgboost");
    if (task == TaskType::kClassification && num_classes < 2) {
      return Status::InvalidArgument("xgboost: classification needs at least 2 classes, got " +
                                     std::to_string(num_classes));
    }
    if (task == TaskType::kRegression) num_classes = 0;
    return std::unique_ptr<Model>(std::make_unique<XgboostModel>(
        std::move(params).value(), std::move(p).value(), task, num_classes));
  };
  return info;
}

}  // namespace models_internal
}  // namespace hypertune::ml
