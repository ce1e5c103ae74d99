// "logistic" and "linear_svc": linear classifiers on liblinear 2.3.
//
// logistic: L2-regularized (solver L2R_LR, or L2R_LR_DUAL with dual = true)
// or L1-regularized (L1R_LR) logistic regression; Predict gives liblinear's
// probabilities. linear_svc: squared hinge loss with an L2 (L2R_L2LOSS_SVC,
// L2R_L2LOSS_SVC_DUAL) or L1 (L1R_L2LOSS_SVC) penalty; Predict gives 1 for the
// predicted class. More than two classes: one-vs-rest, as liblinear does
// (and scikit-learn's solver="liblinear"); logistic normalizes the
// one-vs-rest probabilities to sum to 1.
//
// Intercept (fit_intercept = true): liblinear's bias = 1 appends a constant
// feature 1 to every row; its weight is the intercept. That weight is
// penalized like the others, exactly as in scikit-learn's liblinear solver
// with intercept_scaling = 1.
//
// The training rows become liblinear's feature_node lists once per ModelData
// (in its LibraryCache, one entry with and one without the bias feature).
// liblinear trains in one call, so Fit reports no intermediate score. The
// dual and L1 solvers shuffle with libc's rand(): Fit seeds it with
// FitOptions::seed while holding a process-wide lock (those fits run one at a
// time). Debian's liblinear is single-threaded: FitOptions::threads is not
// used.
#include <linear.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <mutex>

#include "hypertune/ml/model.h"
#include "src/ml/models/adapter_util.h"
#include "src/ml/models/registry.h"

namespace hypertune::ml {
namespace {

using namespace models_internal;  // NOLINT: this file's helpers

enum class Kind { kLogistic, kLinearSvc };

std::string_view KindName(Kind kind) { return kind == Kind::kLogistic ? "logistic" : "linear_svc"; }

const char* SolverName(int solver) {
  switch (solver) {
    case L2R_LR:
      return "L2R_LR";
    case L2R_LR_DUAL:
      return "L2R_LR_DUAL";
    case L1R_LR:
      return "L1R_LR";
    case L2R_L2LOSS_SVC:
      return "L2R_L2LOSS_SVC";
    case L2R_L2LOSS_SVC_DUAL:
      return "L2R_L2LOSS_SVC_DUAL";
    case L1R_L2LOSS_SVC:
      return "L1R_L2LOSS_SVC";
    default:
      return "other";
  }
}

bool SolverUsesRand(int solver) {
  return solver == L2R_LR_DUAL || solver == L1R_LR || solver == L2R_L2LOSS_SVC_DUAL ||
         solver == L1R_L2LOSS_SVC;
}

void Silent(const char*) {}
void SilenceLiblinear() {
  static std::once_flag once;
  std::call_once(once, [] { set_print_string_function(&Silent); });
}

ParamValue Str(const char* s) { return std::string(s); }

SearchSpace LiblinearSpace(Kind kind) {
  std::vector<Hyperparameter> hps = {
      {.name = "penalty",
       .range = CategoricalDistribution{{Str("l2"), Str("l1")}},
       .default_value = Str("l2"),
       .help = "regularization of the weights (l1: sparse weights)"},
      {.name = "dual",
       .range = CategoricalDistribution{{false, true}},
       .default_value = false,
       .help = "solve the dual problem (faster when there are more features than rows)",
       .parent = "penalty",
       .parent_values = {Str("l2")}},
      {.name = "C",
       .range = FloatDistribution{1e-3, 1e3, true},
       .default_value = 1.0,
       .help = "inverse regularization strength"},
      {.name = "class_weight",
       .range = CategoricalDistribution{{Str("none"), Str("balanced")}},
       .default_value = Str("none"),
       .help = "balanced: C of each class times n / (n_classes * class count)"},
      {.name = "fit_intercept",
       .range = CategoricalDistribution{{true, false}},
       .default_value = true,
       .help = "learn an intercept (liblinear's bias feature, penalized like the weights)"},
      {.name = "tol",
       .range = FloatDistribution{1e-8, 1e-1, true},
       .default_value = 1e-4,
       .help = "stopping tolerance (liblinear's eps)"},
  };
  (void)kind;  // both kinds take the same hyperparameters
  Result<SearchSpace> space = SearchSpace::Create(std::move(hps));
  HT_CHECK(space.ok()) << space.status();
  // Solver choices that change speed, not the optimum, or that most users
  // keep: not tuned by default (Narrow() tunes them again).
  for (const char* name : {"dual", "fit_intercept", "tol"}) {
    HT_CHECK(space->Freeze(name).ok());
  }
  return std::move(space).value();
}

struct LiblinearSettings {
  int solver = L2R_LR;
  double C = 1.0;
  bool balanced = false;
  bool fit_intercept = true;
  double tol = 1e-4;
};

Result<LiblinearSettings> ParseSettings(Kind kind, const Params& p) {
  const std::string_view name = KindName(kind);
  LiblinearSettings s;
  HT_ASSIGN_OR_RETURN(const std::string penalty, GetString(p, "penalty"));
  HT_ASSIGN_OR_RETURN(const size_t pen, CheckChoice(name, "penalty", penalty, {"l2", "l1"}));
  bool dual = false;
  if (pen == 0) {
    HT_ASSIGN_OR_RETURN(dual, GetBool(p, "dual"));
  }
  if (kind == Kind::kLogistic) {
    s.solver = pen == 1 ? L1R_LR : (dual ? L2R_LR_DUAL : L2R_LR);
  } else {
    s.solver = pen == 1 ? L1R_L2LOSS_SVC : (dual ? L2R_L2LOSS_SVC_DUAL : L2R_L2LOSS_SVC);
  }
  HT_ASSIGN_OR_RETURN(s.C, GetDouble(p, "C"));
  HT_RETURN_IF_ERROR(CheckPositive(name, "C", s.C));
  HT_ASSIGN_OR_RETURN(const std::string cw, GetString(p, "class_weight"));
  HT_ASSIGN_OR_RETURN(const size_t c, CheckChoice(name, "class_weight", cw, {"none", "balanced"}));
  s.balanced = c == 1;
  HT_ASSIGN_OR_RETURN(s.fit_intercept, GetBool(p, "fit_intercept"));
  HT_ASSIGN_OR_RETURN(s.tol, GetDouble(p, "tol"));
  HT_RETURN_IF_ERROR(CheckPositive(name, "tol", s.tol));
  return s;
}

// The training rows as liblinear reads them (it only reads them, and trained
// models keep no pointer into them).
struct LiblinearProblem {
  std::vector<feature_node> nodes;
  std::vector<feature_node*> x;
  std::vector<double> y;
  problem prob{};
};

Result<std::shared_ptr<LiblinearProblem>> BuildProblem(std::string_view model_name,
                                                       const ModelData& data, bool bias) {
  const size_t n = data.rows();
  const size_t d = data.cols();
  if (n > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      d + 1 >= static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::InvalidArgument(std::string(model_name) +
                                   ": too many rows or columns for liblinear");
  }
  auto p = std::make_shared<LiblinearProblem>();
  std::vector<size_t> starts;
  starts.reserve(n);
  for (size_t r = 0; r < n; ++r) {
    starts.push_back(p->nodes.size());
    for (size_t c = 0; c < d; ++c) {
      const double v = data.x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c));
      if (!std::isfinite(v)) {
        return Status::InvalidArgument(
            std::string(model_name) + ": feature " + DescribeColumn(data, c) + " of training row " +
            std::to_string(r) + " is " + (std::isnan(v) ? "NaN" : "infinite") +
            "; liblinear takes no missing values (impute them in preprocessing)");
      }
      if (v != 0.0) p->nodes.push_back({static_cast<int>(c) + 1, v});
    }
    if (bias) p->nodes.push_back({static_cast<int>(d) + 1, 1.0});
    p->nodes.push_back({-1, 0.0});
    p->y.push_back(data.y[r]);
  }
  for (size_t s : starts) p->x.push_back(p->nodes.data() + s);
  p->prob.l = static_cast<int>(n);
  p->prob.n = static_cast<int>(d) + (bias ? 1 : 0);
  p->prob.y = p->y.data();
  p->prob.x = p->x.data();
  p->prob.bias = bias ? 1.0 : -1.0;
  return p;
}

struct ModelDeleter {
  void operator()(model* m) const { free_and_destroy_model(&m); }
};
using LinearModelPtr = std::unique_ptr<model, ModelDeleter>;

class LiblinearModel : public Model {
 public:
  LiblinearModel(Kind kind, Params params, size_t num_classes, LiblinearSettings settings)
      : kind_(kind), params_(std::move(params)), num_classes_(num_classes), s_(settings) {}

  std::string_view kind() const override { return KindName(kind_); }
  const Params& params() const override { return params_; }
  TaskType task() const override { return TaskType::kClassification; }

  Status Fit(const ModelData& train, const FitOptions& options) override;
  Result<MatrixD> Predict(const MatrixF& x) const override;
  Result<nlohmann::json> LearnedParameters() const override;
  nlohmann::json FitSummary() const override { return summary_; }
  Result<std::string> SaveNative() const override;
  Status LoadNative(std::string_view bytes) override;

 private:
  std::string name() const { return std::string(KindName(kind_)); }

  Kind kind_;
  Params params_;
  size_t num_classes_;
  LiblinearSettings s_;
  LinearModelPtr model_;
  nlohmann::json summary_ = nlohmann::json::object();
};

Status LiblinearModel::Fit(const ModelData& train, const FitOptions& options) {
  HT_RETURN_IF_ERROR(CheckTrainingData(kind(), TaskType::kClassification, num_classes_, train));
  const ClassSummary classes = SummarizeClasses(train.y);
  HT_RETURN_IF_ERROR(CheckTwoClasses(kind(), classes));
  bool built = false;
  const std::string key = s_.fit_intercept ? "liblinear/bias" : "liblinear/no_bias";
  HT_ASSIGN_OR_RETURN(std::shared_ptr<LiblinearProblem> prob,
                      train.cache->GetOrCreate<LiblinearProblem>(key, [&] {
                        built = true;
                        return BuildProblem(kind(), train, s_.fit_intercept);
                      }));
  parameter param{};
  param.solver_type = s_.solver;
  param.eps = s_.tol;
  param.C = s_.C;
  param.p = 0.1;
  std::vector<int> weight_label;
  std::vector<double> weight;
  if (s_.balanced) {
    weight = BalancedClassWeights(classes);
    weight_label = classes.codes;
    param.nr_weight = static_cast<int>(weight.size());
    param.weight_label = weight_label.data();
    param.weight = weight.data();
  }
  if (const char* err = check_parameter(&prob->prob, &param)) {
    return Status::InvalidArgument(name() + ": liblinear rejects the parameters: " + err);
  }
  SilenceLiblinear();
  model* raw = nullptr;
  if (SolverUsesRand(s_.solver)) {
    std::lock_guard lock(CRandMutex());
    std::srand(static_cast<unsigned>(options.seed));
    raw = ::train(&prob->prob, &param);
  } else {
    raw = ::train(&prob->prob, &param);
  }
  if (raw == nullptr) return Status::Internal(name() + ": liblinear's train returned no model");
  LinearModelPtr m(raw);
  // A shallow copy of `param`: these point into our vectors, which die here.
  m->param.nr_weight = 0;
  m->param.weight_label = nullptr;
  m->param.weight = nullptr;
  m->param.init_sol = nullptr;
  model_ = std::move(m);
  summary_ = {{"solver", SolverName(s_.solver)},
              {"problem", built ? "built" : "cached"},
              {"reported_steps", 0}};
  return Status::Ok();
}

Result<MatrixD> LiblinearModel::Predict(const MatrixF& x) const {
  const size_t features = model_ ? static_cast<size_t>(get_nr_feature(model_.get())) : 0;
  HT_RETURN_IF_ERROR(CheckPredictInput(kind(), model_ != nullptr, features, x));
  const model* m = model_.get();
  const bool probability = check_probability_model(m) != 0;
  MatrixD out = MatrixD::Zero(x.rows(), static_cast<Eigen::Index>(num_classes_));
  std::vector<feature_node> buf;
  buf.reserve(features + 2);
  std::vector<double> p(static_cast<size_t>(m->nr_class));
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    buf.clear();
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
      const double v = x(r, c);
      if (!std::isfinite(v)) {
        return Status::InvalidArgument(name() + ": row " + std::to_string(r) + " column " +
                                       std::to_string(c) + " is not a finite number");
      }
      if (v != 0.0) buf.push_back({static_cast<int>(c) + 1, v});
    }
    // Predicting rows must carry the bias feature as training rows did.
    if (m->bias >= 0) buf.push_back({static_cast<int>(features) + 1, m->bias});
    buf.push_back({-1, 0.0});
    if (probability) {
      predict_probability(m, buf.data(), p.data());
      for (int i = 0; i < m->nr_class; ++i) out(r, m->label[i]) = p[static_cast<size_t>(i)];
    } else {
      out(r, static_cast<Eigen::Index>(predict(m, buf.data()))) = 1.0;
    }
  }
  return out;
}

// Coefficients as scikit-learn lays them out: with two classes, one row for
// the second class (positive decision values favour it); otherwise one row
// per class, its one-vs-rest decision function. Classes in code order.
Result<nlohmann::json> LiblinearModel::LearnedParameters() const {
  if (model_ == nullptr) {
    return Status::FailedPrecondition(name() + ": no model before Fit or LoadNative");
  }
  const model* m = model_.get();
  std::vector<int> labels(m->label, m->label + m->nr_class);
  std::vector<int> sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  const auto label_index = [&](int code) {
    return static_cast<int>(std::find(labels.begin(), labels.end(), code) - labels.begin());
  };
  std::vector<int> rows;
  if (sorted.size() == 2) {
    rows = {sorted[1]};
  } else {
    rows = sorted;
  }
  const int features = get_nr_feature(m);
  nlohmann::json coef = nlohmann::json::array();
  std::vector<double> intercept;
  for (int code : rows) {
    const int li = label_index(code);
    std::vector<double> w(static_cast<size_t>(features));
    for (int f = 0; f < features; ++f) w[static_cast<size_t>(f)] = get_decfun_coef(m, f + 1, li);
    coef.push_back(std::move(w));
    intercept.push_back(get_decfun_bias(m, li));
  }
  return nlohmann::json{{"solver", SolverName(m->param.solver_type)},
                        {"classes", sorted},
                        {"coef", std::move(coef)},
                        {"intercept", intercept},
                        {"bias", m->bias}};
}

// liblinear's own model file (save_model prints every weight with 17
// significant digits, so a model read back predicts identically).
Result<std::string> LiblinearModel::SaveNative() const {
  if (model_ == nullptr) {
    return Status::FailedPrecondition(name() + ": SaveNative before Fit or LoadNative");
  }
  HT_ASSIGN_OR_RETURN(TempFile file, TempFile::Create("hypertune-liblinear"));
  int rc = 0;
  {
    std::lock_guard lock(ModelFileMutex());
    rc = save_model(file.path().c_str(), model_.get());
  }
  if (rc != 0) return Status::IoError(name() + ": liblinear cannot write " + file.path());
  return ReadFileBytes(file.path());
}

// load_model prints to stderr on unknown header text: check the header
// first (liblinear 2.3's keywords and solver names).
Status CheckModelHeader(std::string_view name, std::string_view bytes) {
  static const std::vector<std::string> kKeys = {"solver_type", "nr_class", "label", "nr_feature",
                                                 "bias"};
  static const std::vector<std::string> kSolvers = {"L2R_LR",
                                                    "L2R_L2LOSS_SVC_DUAL",
                                                    "L2R_L2LOSS_SVC",
                                                    "L2R_L1LOSS_SVC_DUAL",
                                                    "MCSVM_CS",
                                                    "L1R_L2LOSS_SVC",
                                                    "L1R_LR",
                                                    "L2R_LR_DUAL",
                                                    "L2R_L2LOSS_SVR",
                                                    "L2R_L2LOSS_SVR_DUAL",
                                                    "L2R_L1LOSS_SVR_DUAL"};
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) end = bytes.size();
    const std::string_view line = bytes.substr(pos, end - pos);
    const std::string_view key = line.substr(0, line.find(' '));
    if (key == "w") return Status::Ok();
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      return Status::Corruption(std::string(name) + ": LoadNative: unknown header line '" +
                                std::string(line.substr(0, 80)) + "'");
    }
    if (key == "solver_type") {
      const std::string_view solver = line.substr(std::min(line.size(), key.size() + 1));
      if (std::find(kSolvers.begin(), kSolvers.end(), solver) == kSolvers.end()) {
        return Status::Corruption(std::string(name) + ": LoadNative: unknown solver '" +
                                  std::string(solver.substr(0, 80)) + "'");
      }
    }
    pos = end + 1;
  }
  return Status::Corruption(std::string(name) + ": LoadNative: no 'w' line");
}

Status LiblinearModel::LoadNative(std::string_view bytes) {
  HT_RETURN_IF_ERROR(CheckModelHeader(kind(), bytes));
  HT_ASSIGN_OR_RETURN(TempFile file, TempFile::Create("hypertune-liblinear"));
  HT_RETURN_IF_ERROR(WriteFileBytes(file.path(), bytes));
  LinearModelPtr m;
  {
    std::lock_guard lock(ModelFileMutex());
    m.reset(load_model(file.path().c_str()));
  }
  if (m == nullptr)
    return Status::Corruption(name() + ": LoadNative: liblinear cannot read the model");
  if (check_regression_model(m.get()) || m->nr_class < 2 || m->label == nullptr) {
    return Status::InvalidArgument(name() + ": LoadNative: not a liblinear classifier");
  }
  const bool logistic_solver = check_probability_model(m.get()) != 0;
  if (logistic_solver != (kind_ == Kind::kLogistic)) {
    return Status::InvalidArgument(name() + ": LoadNative: the model's solver is " +
                                   SolverName(m->param.solver_type));
  }
  for (int i = 0; i < m->nr_class; ++i) {
    if (m->label[i] < 0 || static_cast<size_t>(m->label[i]) >= num_classes_) {
      return Status::InvalidArgument(name() + ": LoadNative: class " + std::to_string(m->label[i]) +
                                     " is not in [0, " + std::to_string(num_classes_) + ")");
    }
  }
  model_ = std::move(m);
  summary_ = nlohmann::json::object();
  return Status::Ok();
}

Result<std::unique_ptr<Model>> Create(Kind kind, const Params& params, TaskType task,
                                      size_t num_classes) {
  if (task != TaskType::kClassification) {
    return Status::InvalidArgument(std::string(KindName(kind)) +
                                   ": classification only (for regression: linear or svm)");
  }
  if (num_classes < 2) {
    return Status::InvalidArgument(std::string(KindName(kind)) +
                                   ": a classifier needs at least 2 classes, got " +
                                   std::to_string(num_classes));
  }
  HT_ASSIGN_OR_RETURN(Params complete, LiblinearSpace(kind).Complete(params));
  HT_ASSIGN_OR_RETURN(LiblinearSettings settings, ParseSettings(kind, complete));
  return std::unique_ptr<Model>(
      std::make_unique<LiblinearModel>(kind, std::move(complete), num_classes, settings));
}

}  // namespace

namespace models_internal {

ModelInfo LogisticModelInfo() {
  return ModelInfo{.name = "logistic",
                   .summary = "logistic regression (liblinear): L2 or L1 penalty, one-vs-rest",
                   .tasks = {TaskType::kClassification},
                   .preprocessing = PreprocessOptions{},
                   .default_space = [](TaskType) { return LiblinearSpace(Kind::kLogistic); },
                   .create = [](const Params& p, TaskType t,
                                size_t k) { return Create(Kind::kLogistic, p, t, k); }};
}

ModelInfo LinearSvcModelInfo() {
  return ModelInfo{
      .name = "linear_svc",
      .summary = "linear support vector classifier (liblinear): squared hinge loss, L2 or L1",
      .tasks = {TaskType::kClassification},
      .preprocessing = PreprocessOptions{},
      .default_space = [](TaskType) { return LiblinearSpace(Kind::kLinearSvc); },
      .create = [](const Params& p, TaskType t,
                   size_t k) { return Create(Kind::kLinearSvc, p, t, k); }};
}

}  // namespace models_internal
}  // namespace hypertune::ml
