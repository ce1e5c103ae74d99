// "svm": support vector machines on libsvm 3.24. C-SVC (one-vs-one for more
// than two classes) for classification, epsilon-SVR for regression; rbf,
// linear, poly and sigmoid kernels.
//
// gamma: gamma_mode "scale" (the default) takes scikit-learn's
// gamma="scale", 1 / (n_features * variance of every entry of the training
// matrix), computed at Fit; gamma_mode "value" takes the gamma
// hyperparameter (a gamma given without gamma_mode implies "value").
// FitSummary()["gamma"] is the value used.
//
// The training rows become libsvm's node lists once per ModelData (in its
// LibraryCache) and every trial trains on them. The rows are handed to
// libsvm with the first row of each class moved to the front, in class
// order: libsvm numbers classes in order of first appearance, and this makes
// that order the class codes' (as in scikit-learn) without changing the order
// of rows within a class, so the one-vs-one subproblems are scikit-learn's.
//
// libsvm trains in one call with no iterations to observe, so Fit reports no
// intermediate score to the trial (there is nothing a pruner could stop
// early).
//
// Probability estimates (probability = true): libsvm's Platt scaling, fitted
// by an internal 5-fold cross-validation that shuffles with libc's rand();
// Fit seeds it with FitOptions::seed while holding a process-wide lock, so
// such fits run one at a time. Without it, Predict gives 1 for the
// predicted class.
//
// SaveNative: a line "hypertune_libsvm n_features=<N>", then libsvm's model
// file (what svm_load_model reads). libsvm is single-threaded here:
// FitOptions::threads is not used.
#include <libsvm/svm.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <sstream>

#include "hypertune/ml/model.h"
#include "src/ml/models/adapter_util.h"
#include "src/ml/models/registry.h"

namespace hypertune::ml {
namespace {

using namespace models_internal;  // NOLINT: this file's helpers

constexpr std::string_view kName = "svm";
// Past this many values, LearnedParameters leaves the dual coefficients and
// support vector indices out (SaveNative has them all).
constexpr size_t kMaxListedValues = 100000;
// The first line of SaveNative's bytes: libsvm's model file has no place for
// the number of input columns.
constexpr std::string_view kHeader = "hypertune_libsvm n_features=";

const std::vector<std::string> kKernels = {"rbf", "linear", "poly", "sigmoid"};
const int kKernelTypes[] = {RBF, LINEAR, POLY, SIGMOID};
// Indexed by libsvm's enums, as svm_save_model names them.
const char* const kSvmTypeNames[] = {"c_svc", "nu_svc", "one_class", "epsilon_svr", "nu_svr"};
const char* const kKernelNames[] = {"linear", "polynomial", "rbf", "sigmoid", "precomputed"};

void Silent(const char*) {}
void SilenceLibsvm() {
  static std::once_flag once;
  std::call_once(once, [] { svm_set_print_string_function(&Silent); });
}

ParamValue Str(const char* s) { return std::string(s); }

SearchSpace SvmSpace(TaskType task) {
  const std::vector<ParamValue> gamma_kernels = {Str("rbf"), Str("poly"), Str("sigmoid")};
  std::vector<Hyperparameter> hps = {
      {.name = "kernel",
       .range = CategoricalDistribution{{Str("rbf"), Str("linear"), Str("poly"), Str("sigmoid")}},
       .default_value = Str("rbf"),
       .help = "kernel function"},
      {.name = "C",
       .range = FloatDistribution{1e-3, 1e3, true},
       .default_value = 1.0,
       .help = "cost of margin violations (larger: less regularization)"},
      {.name = "gamma_mode",
       .range = CategoricalDistribution{{Str("scale"), Str("value")}},
       .default_value = Str("scale"),
       .help = "scale: 1 / (n_features * X.var()) as scikit-learn's gamma='scale'; value: gamma",
       .parent = "kernel",
       .parent_values = gamma_kernels},
      {.name = "gamma",
       .range = FloatDistribution{1e-4, 10.0, true},
       .default_value = 0.1,
       .help = "kernel coefficient",
       .parent = "gamma_mode",
       .parent_values = {Str("value")}},
      {.name = "degree",
       .range = IntDistribution{2, 5},
       .default_value = int64_t{3},
       .help = "degree of the polynomial kernel",
       .parent = "kernel",
       .parent_values = {Str("poly")}},
      {.name = "coef0",
       .range = FloatDistribution{-1.0, 1.0},
       .default_value = 0.0,
       .help = "constant term of the poly and sigmoid kernels",
       .parent = "kernel",
       .parent_values = {Str("poly"), Str("sigmoid")}},
  };
  if (task == TaskType::kRegression) {
    hps.push_back({.name = "epsilon",
                   .range = FloatDistribution{1e-3, 1.0, true},
                   .default_value = 0.1,
                   .help = "half-width of the tube where errors cost nothing"});
  } else {
    hps.push_back({.name = "class_weight",
                   .range = CategoricalDistribution{{Str("none"), Str("balanced")}},
                   .default_value = Str("none"),
                   .help = "balanced: C of each class times n / (n_classes * class count)"});
    hps.push_back({.name = "probability",
                   .range = CategoricalDistribution{{false, true}},
                   .default_value = false,
                   .help = "Platt scaling so that Predict gives probabilities (5x the training)"});
  }
  hps.push_back({.name = "shrinking",
                 .range = CategoricalDistribution{{true, false}},
                 .default_value = true,
                 .help = "libsvm's shrinking heuristic"});
  hps.push_back({.name = "tol",
                 .range = FloatDistribution{1e-5, 1e-1, true},
                 .default_value = 1e-3,
                 .help = "stopping tolerance"});
  hps.push_back({.name = "cache_size",
                 .range = FloatDistribution{16.0, 4096.0, true},
                 .default_value = 200.0,
                 .help = "kernel cache in MB (speed only)"});
  Result<SearchSpace> space = SearchSpace::Create(std::move(hps));
  HT_CHECK(space.ok()) << space.status();
  // Not worth tuning by default: they change speed or the kind of output,
  // not the fit. Narrow() tunes them again.
  for (const char* name : {"probability", "shrinking", "tol", "cache_size"}) {
    if (space->Find(name)) {
      HT_CHECK(space->Freeze(name).ok());
    }
  }
  return std::move(space).value();
}

struct SvmSettings {
  int kernel = RBF;
  double C = 1.0;
  bool gamma_scale = true;
  double gamma = 0.0;
  int degree = 3;
  double coef0 = 0.0;
  double epsilon = 0.1;
  bool balanced = false;
  bool probability = false;
  bool shrinking = true;
  double tol = 1e-3;
  double cache_size = 200.0;
};

Result<SvmSettings> ParseSettings(const Params& p, TaskType task) {
  SvmSettings s;
  HT_ASSIGN_OR_RETURN(const std::string kernel, GetString(p, "kernel"));
  HT_ASSIGN_OR_RETURN(const size_t k, CheckChoice(kName, "kernel", kernel, kKernels));
  s.kernel = kKernelTypes[k];
  HT_ASSIGN_OR_RETURN(s.C, GetDouble(p, "C"));
  HT_RETURN_IF_ERROR(CheckPositive(kName, "C", s.C));
  if (s.kernel != LINEAR) {
    HT_ASSIGN_OR_RETURN(const std::string mode, GetString(p, "gamma_mode"));
    HT_ASSIGN_OR_RETURN(const size_t m, CheckChoice(kName, "gamma_mode", mode, {"scale", "value"}));
    s.gamma_scale = m == 0;
    if (!s.gamma_scale) {
      HT_ASSIGN_OR_RETURN(s.gamma, GetDouble(p, "gamma"));
      HT_RETURN_IF_ERROR(CheckPositive(kName, "gamma", s.gamma));
    }
  }
  if (s.kernel == POLY) {
    HT_ASSIGN_OR_RETURN(const int64_t degree, GetInt(p, "degree"));
    HT_RETURN_IF_ERROR(CheckInRange(kName, "degree", static_cast<double>(degree), 1, 100));
    s.degree = static_cast<int>(degree);
  }
  if (s.kernel == POLY || s.kernel == SIGMOID) {
    HT_ASSIGN_OR_RETURN(s.coef0, GetDouble(p, "coef0"));
    if (!std::isfinite(s.coef0)) {
      return Status::InvalidArgument("svm: hyperparameter 'coef0' must be finite");
    }
  }
  if (task == TaskType::kRegression) {
    HT_ASSIGN_OR_RETURN(s.epsilon, GetDouble(p, "epsilon"));
    HT_RETURN_IF_ERROR(CheckNonNegative(kName, "epsilon", s.epsilon));
  } else {
    HT_ASSIGN_OR_RETURN(const std::string cw, GetString(p, "class_weight"));
    HT_ASSIGN_OR_RETURN(const size_t c,
                        CheckChoice(kName, "class_weight", cw, {"none", "balanced"}));
    s.balanced = c == 1;
    HT_ASSIGN_OR_RETURN(s.probability, GetBool(p, "probability"));
  }
  HT_ASSIGN_OR_RETURN(s.shrinking, GetBool(p, "shrinking"));
  HT_ASSIGN_OR_RETURN(s.tol, GetDouble(p, "tol"));
  HT_RETURN_IF_ERROR(CheckPositive(kName, "tol", s.tol));
  HT_ASSIGN_OR_RETURN(s.cache_size, GetDouble(p, "cache_size"));
  HT_RETURN_IF_ERROR(CheckPositive(kName, "cache_size", s.cache_size));
  return s;
}

// The training rows as libsvm reads them, shared by every trial on one
// ModelData. libsvm only reads it; trained models copy their support vectors
// out of it (see OwnSupportVectors).
struct SvmProblem {
  std::vector<svm_node> nodes;  // every row's non-zero entries, each ended by index -1
  std::vector<svm_node*> x;     // row starts, in libsvm's order
  std::vector<double> y;
  std::vector<size_t> rows;  // libsvm's position -> ModelData row
  size_t num_features = 0;
  double variance = 0.0;  // of every entry of the matrix, for gamma "scale"
  svm_problem problem{};
};

Result<std::shared_ptr<SvmProblem>> BuildProblem(const ModelData& data) {
  auto p = std::make_shared<SvmProblem>();
  const size_t n = data.rows();
  const size_t d = data.cols();
  if (n > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      d >= static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::InvalidArgument("svm: too many rows or columns for libsvm");
  }
  p->rows.reserve(n);
  if (data.task == TaskType::kClassification) {
    const ClassSummary classes = SummarizeClasses(data.y);
    std::vector<bool> moved(n, false);
    for (size_t r : classes.first_row) {
      p->rows.push_back(r);
      moved[r] = true;
    }
    for (size_t r = 0; r < n; ++r) {
      if (!moved[r]) p->rows.push_back(r);
    }
  } else {
    for (size_t r = 0; r < n; ++r) p->rows.push_back(r);
  }

  // Two passes over the entries: the mean, then the variance (as numpy's
  // X.var()), checking that libsvm gets no NaN or infinity.
  double sum = 0.0;
  size_t nnz = 0;
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < d; ++c) {
      const double v = data.x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c));
      if (!std::isfinite(v)) {
        return Status::InvalidArgument(
            "svm: feature " + DescribeColumn(data, c) + " of training row " + std::to_string(r) +
            " is " + (std::isnan(v) ? "NaN" : "infinite") +
            "; libsvm takes no missing values (impute them in preprocessing)");
      }
      sum += v;
      nnz += v != 0.0;
    }
  }
  const double count = static_cast<double>(n) * static_cast<double>(d);
  const double mean = sum / count;
  double ss = 0.0;
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < d; ++c) {
      const double dev = data.x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) - mean;
      ss += dev * dev;
    }
  }
  p->variance = ss / count;
  p->num_features = d;

  p->nodes.reserve(nnz + n);
  std::vector<size_t> starts;
  starts.reserve(n);
  for (size_t r : p->rows) {
    starts.push_back(p->nodes.size());
    for (size_t c = 0; c < d; ++c) {
      const double v = data.x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c));
      if (v != 0.0) p->nodes.push_back({static_cast<int>(c) + 1, v});
    }
    p->nodes.push_back({-1, 0.0});
    p->y.push_back(data.y[r]);
  }
  for (size_t s : starts) p->x.push_back(p->nodes.data() + s);
  p->problem.l = static_cast<int>(n);
  p->problem.y = p->y.data();
  p->problem.x = p->x.data();
  return p;
}

struct SvmModelDeleter {
  void operator()(svm_model* m) const { svm_free_and_destroy_model(&m); }
};
using SvmModelPtr = std::unique_ptr<svm_model, SvmModelDeleter>;

// A trained model's support vectors point into the training problem. Copy
// them into one block the model owns, laid out as svm_load_model lays them
// out (free_sv = 1: svm_free_model_content frees SV[0]), so that the model
// outlives the problem and every model is freed the same way.
Status OwnSupportVectors(svm_model* m) {
  if (m->l <= 0) return Status::Ok();
  size_t total = 0;
  for (int i = 0; i < m->l; ++i) {
    for (const svm_node* p = m->SV[i]; p->index != -1; ++p) ++total;
    ++total;  // the end marker
  }
  auto* block = static_cast<svm_node*>(std::malloc(total * sizeof(svm_node)));
  if (block == nullptr) return Status::Internal("svm: out of memory copying support vectors");
  svm_node* out = block;
  for (int i = 0; i < m->l; ++i) {
    const svm_node* p = m->SV[i];
    m->SV[i] = out;
    do {
      *out++ = *p;
    } while ((p++)->index != -1);
  }
  m->free_sv = 1;
  return Status::Ok();
}

class SvmModel : public Model {
 public:
  SvmModel(Params params, TaskType task, size_t num_classes, SvmSettings settings)
      : params_(std::move(params)), task_(task), num_classes_(num_classes), s_(settings) {}

  std::string_view kind() const override { return kName; }
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
  // The nodes of row `r` of `x` in `buf` (zeros left out, ended by -1).
  Status RowNodes(const MatrixF& x, Eigen::Index r, std::vector<svm_node>& buf) const;

  Params params_;
  TaskType task_;
  size_t num_classes_;
  SvmSettings s_;
  SvmModelPtr model_;
  size_t num_features_ = 0;
  // ModelData rows of the support vectors, in libsvm's order (empty after
  // LoadNative: libsvm's file does not keep them).
  std::vector<size_t> sv_rows_;
  nlohmann::json summary_ = nlohmann::json::object();
};

Status SvmModel::Fit(const ModelData& train, const FitOptions& options) {
  HT_RETURN_IF_ERROR(CheckTrainingData(kName, task_, num_classes_, train));
  ClassSummary classes;
  if (classification()) {
    classes = SummarizeClasses(train.y);
    HT_RETURN_IF_ERROR(CheckTwoClasses(kName, classes));
  }
  bool built = false;
  const std::string key = std::string("libsvm/") + std::string(ToString(task_));
  HT_ASSIGN_OR_RETURN(std::shared_ptr<SvmProblem> prob,
                      train.cache->GetOrCreate<SvmProblem>(key, [&] {
                        built = true;
                        return BuildProblem(train);
                      }));

  svm_parameter param{};
  param.svm_type = classification() ? C_SVC : EPSILON_SVR;
  param.kernel_type = s_.kernel;
  param.degree = s_.degree;
  param.gamma = s_.gamma;
  if (s_.kernel != LINEAR && s_.gamma_scale) {
    // scikit-learn's rule, including its fallback for a constant matrix.
    param.gamma = prob->variance != 0.0
                      ? 1.0 / (static_cast<double>(prob->num_features) * prob->variance)
                      : 1.0;
  }
  param.coef0 = s_.coef0;
  param.cache_size = s_.cache_size;
  param.eps = s_.tol;
  param.C = s_.C;
  param.nu = 0.5;
  param.p = s_.epsilon;
  param.shrinking = s_.shrinking ? 1 : 0;
  param.probability = s_.probability ? 1 : 0;
  std::vector<int> weight_label;
  std::vector<double> weight;
  if (s_.balanced) {
    weight = BalancedClassWeights(classes);
    weight_label = classes.codes;
    param.nr_weight = static_cast<int>(weight.size());
    param.weight_label = weight_label.data();
    param.weight = weight.data();
  }
  if (const char* err = svm_check_parameter(&prob->problem, &param)) {
    return Status::InvalidArgument(std::string("svm: libsvm rejects the parameters: ") + err);
  }
  SilenceLibsvm();
  svm_model* raw = nullptr;
  if (param.probability) {
    std::lock_guard lock(CRandMutex());
    std::srand(static_cast<unsigned>(options.seed));
    raw = svm_train(&prob->problem, &param);
  } else {
    raw = svm_train(&prob->problem, &param);
  }
  if (raw == nullptr) return Status::Internal("svm: svm_train returned no model");
  SvmModelPtr m(raw);
  // The model keeps a shallow copy of the parameters: these point into our
  // vectors, which die here.
  m->param.nr_weight = 0;
  m->param.weight_label = nullptr;
  m->param.weight = nullptr;
  sv_rows_.clear();
  if (m->sv_indices != nullptr) {
    for (int i = 0; i < m->l; ++i) {
      sv_rows_.push_back(prob->rows[static_cast<size_t>(m->sv_indices[i] - 1)]);
    }
  }
  HT_RETURN_IF_ERROR(OwnSupportVectors(m.get()));
  model_ = std::move(m);
  num_features_ = train.cols();
  summary_ = {{"support_vectors", model_->l},
              {"gamma", model_->param.gamma},
              {"problem", built ? "built" : "cached"},
              {"reported_steps", 0}};
  return Status::Ok();
}

Status SvmModel::RowNodes(const MatrixF& x, Eigen::Index r, std::vector<svm_node>& buf) const {
  buf.clear();
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    const double v = x(r, c);
    if (!std::isfinite(v)) {
      return Status::InvalidArgument("svm: row " + std::to_string(r) + " column " +
                                     std::to_string(c) + " is not a finite number");
    }
    if (v != 0.0) buf.push_back({static_cast<int>(c) + 1, v});
  }
  buf.push_back({-1, 0.0});
  return Status::Ok();
}

Result<MatrixD> SvmModel::Predict(const MatrixF& x) const {
  HT_RETURN_IF_ERROR(CheckPredictInput(kName, model_ != nullptr, num_features_, x));
  std::vector<svm_node> buf;
  buf.reserve(num_features_ + 1);
  if (!classification()) {
    MatrixD out(x.rows(), 1);
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      HT_RETURN_IF_ERROR(RowNodes(x, r, buf));
      out(r, 0) = svm_predict(model_.get(), buf.data());
    }
    return out;
  }
  MatrixD out = MatrixD::Zero(x.rows(), static_cast<Eigen::Index>(num_classes_));
  const bool probability = svm_check_probability_model(model_.get()) != 0;
  std::vector<double> p(static_cast<size_t>(model_->nr_class));
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    HT_RETURN_IF_ERROR(RowNodes(x, r, buf));
    if (probability) {
      svm_predict_probability(model_.get(), buf.data(), p.data());
      for (int i = 0; i < model_->nr_class; ++i)
        out(r, model_->label[i]) = p[static_cast<size_t>(i)];
    } else {
      out(r, static_cast<Eigen::Index>(svm_predict(model_.get(), buf.data()))) = 1.0;
    }
  }
  return out;
}

Result<nlohmann::json> SvmModel::LearnedParameters() const {
  if (model_ == nullptr)
    return Status::FailedPrecondition("svm: no model before Fit or LoadNative");
  const svm_model& m = *model_;
  const int k = m.nr_class;
  const size_t pairs = static_cast<size_t>(k * (k - 1) / 2);
  nlohmann::json j;
  j["svm_type"] = kSvmTypeNames[m.param.svm_type];
  j["kernel"] = kKernelNames[m.param.kernel_type];
  if (m.param.kernel_type != LINEAR) j["gamma"] = m.param.gamma;
  if (m.param.kernel_type == POLY) j["degree"] = m.param.degree;
  if (m.param.kernel_type == POLY || m.param.kernel_type == SIGMOID) j["coef0"] = m.param.coef0;
  j["total_support_vectors"] = m.l;
  if (m.label != nullptr) j["classes"] = std::vector<int>(m.label, m.label + k);
  if (m.nSV != nullptr) j["n_support"] = std::vector<int>(m.nSV, m.nSV + k);
  // Decision value of class pair (i, j), i < j in "classes" order:
  // sum of dual_coef * K(sv, x) over the two classes' vectors, minus rho.
  j["rho"] = std::vector<double>(m.rho, m.rho + pairs);
  const size_t coef_rows = classification() ? static_cast<size_t>(k - 1) : 1;
  const size_t l = static_cast<size_t>(m.l);
  if (coef_rows * l <= kMaxListedValues) {
    nlohmann::json dual = nlohmann::json::array();
    for (size_t i = 0; i < coef_rows; ++i)
      dual.push_back(std::vector<double>(m.sv_coef[i], m.sv_coef[i] + l));
    j["dual_coef"] = std::move(dual);
  } else {
    j["dual_coef_omitted"] = coef_rows * l;
  }
  if (!sv_rows_.empty() && sv_rows_.size() <= kMaxListedValues) j["support_indices"] = sv_rows_;
  if (m.probA != nullptr) j["probA"] = std::vector<double>(m.probA, m.probA + pairs);
  if (m.probB != nullptr) j["probB"] = std::vector<double>(m.probB, m.probB + pairs);
  return j;
}

// libsvm's model file as svm_save_model writes it, except for the support
// vectors' values: svm_save_model prints them with 8 significant digits, not
// enough for a model read back to predict as this one does.
Result<std::string> SvmModel::SaveNative() const {
  if (model_ == nullptr)
    return Status::FailedPrecondition("svm: SaveNative before Fit or LoadNative");
  const svm_model& m = *model_;
  const svm_parameter& param = m.param;
  const int k = m.nr_class;
  const int pairs = k * (k - 1) / 2;
  std::string out;
  out += std::string(kHeader) + std::to_string(num_features_) + "\n";
  out += std::string("svm_type ") + kSvmTypeNames[param.svm_type] + "\n";
  out += std::string("kernel_type ") + kKernelNames[param.kernel_type] + "\n";
  if (param.kernel_type == POLY) out += "degree " + std::to_string(param.degree) + "\n";
  if (param.kernel_type == POLY || param.kernel_type == RBF || param.kernel_type == SIGMOID) {
    out += "gamma " + ExactDouble(param.gamma) + "\n";
  }
  if (param.kernel_type == POLY || param.kernel_type == SIGMOID) {
    out += "coef0 " + ExactDouble(param.coef0) + "\n";
  }
  out += "nr_class " + std::to_string(k) + "\n";
  out += "total_sv " + std::to_string(m.l) + "\n";
  const auto list = [&](const char* name, const double* v, int n) {
    out += name;
    for (int i = 0; i < n; ++i) out += " " + ExactDouble(v[i]);
    out += "\n";
  };
  list("rho", m.rho, pairs);
  if (m.label != nullptr) {
    out += "label";
    for (int i = 0; i < k; ++i) out += " " + std::to_string(m.label[i]);
    out += "\n";
  }
  if (m.probA != nullptr) list("probA", m.probA, pairs);
  if (m.probB != nullptr) list("probB", m.probB, pairs);
  if (m.nSV != nullptr) {
    out += "nr_sv";
    for (int i = 0; i < k; ++i) out += " " + std::to_string(m.nSV[i]);
    out += "\n";
  }
  out += "SV\n";
  for (int i = 0; i < m.l; ++i) {
    for (int c = 0; c < k - 1; ++c) out += ExactDouble(m.sv_coef[c][i]) + " ";
    for (const svm_node* p = m.SV[i]; p->index != -1; ++p) {
      out += std::to_string(p->index) + ":" + ExactDouble(p->value) + " ";
    }
    out += "\n";
  }
  return out;
}

// Checks what svm_load_model would trust: its reader does not check that
// the file has as many support vector lines as it announces.
Status CheckModelText(std::string_view text) {
  const size_t sv = text.starts_with("SV\n") ? 0 : text.find("\nSV\n");
  if (sv == std::string_view::npos) return Status::Corruption("svm: LoadNative: no 'SV' line");
  std::istringstream header(std::string(text.substr(0, sv)));
  std::string line;
  long total_sv = -1;
  while (std::getline(header, line)) {
    if (line.starts_with("total_sv ")) total_sv = std::strtol(line.c_str() + 9, nullptr, 10);
  }
  if (total_sv < 0) return Status::Corruption("svm: LoadNative: no 'total_sv' line");
  std::string_view body = text.substr(sv == 0 ? 3 : sv + 4);
  long lines = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    if (end > pos) ++lines;
    pos = end + 1;
  }
  if (lines != total_sv) {
    return Status::Corruption("svm: LoadNative: total_sv is " + std::to_string(total_sv) +
                              " but there are " + std::to_string(lines) + " support vector lines");
  }
  return Status::Ok();
}

Status SvmModel::LoadNative(std::string_view bytes) {
  const size_t eol = bytes.find('\n');
  if (!bytes.starts_with(kHeader) || eol == std::string_view::npos) {
    return Status::Corruption("svm: LoadNative: not a model written by SaveNative (no '" +
                              std::string(kHeader) + "' line)");
  }
  const std::string count(bytes.substr(kHeader.size(), eol - kHeader.size()));
  char* end = nullptr;
  const long long features = std::strtoll(count.c_str(), &end, 10);
  if (count.empty() || *end != '\0' || features <= 0) {
    return Status::Corruption("svm: LoadNative: bad column count '" + count + "'");
  }
  const std::string_view text = bytes.substr(eol + 1);
  HT_RETURN_IF_ERROR(CheckModelText(text));
  HT_ASSIGN_OR_RETURN(TempFile file, TempFile::Create("hypertune-libsvm"));
  HT_RETURN_IF_ERROR(WriteFileBytes(file.path(), text));
  SvmModelPtr m;
  {
    std::lock_guard lock(ModelFileMutex());
    m.reset(svm_load_model(file.path().c_str()));
  }
  if (m == nullptr) return Status::Corruption("svm: LoadNative: libsvm cannot read the model");
  const int expected_type = classification() ? C_SVC : EPSILON_SVR;
  if (m->param.svm_type != expected_type) {
    return Status::InvalidArgument(
        std::string("svm: LoadNative: the model is ") + kSvmTypeNames[m->param.svm_type] +
        ", expected " + kSvmTypeNames[expected_type] + " for " + std::string(ToString(task_)));
  }
  if (m->param.kernel_type == PRECOMPUTED) {
    return Status::InvalidArgument("svm: LoadNative: precomputed kernels are not supported");
  }
  if (classification()) {
    if (m->label == nullptr || m->nSV == nullptr || m->nr_class < 2) {
      return Status::Corruption("svm: LoadNative: a classifier needs 'label' and 'nr_sv'");
    }
    for (int i = 0; i < m->nr_class; ++i) {
      if (m->label[i] < 0 || static_cast<size_t>(m->label[i]) >= num_classes_) {
        return Status::InvalidArgument("svm: LoadNative: class " + std::to_string(m->label[i]) +
                                       " is not in [0, " + std::to_string(num_classes_) + ")");
      }
    }
  }
  for (int i = 0; i < m->l; ++i) {
    for (const svm_node* p = m->SV[i]; p->index != -1; ++p) {
      if (p->index < 1 || p->index > features) {
        return Status::Corruption("svm: LoadNative: support vector " + std::to_string(i) +
                                  " has feature " + std::to_string(p->index) + " of " +
                                  std::to_string(features));
      }
    }
  }
  SilenceLibsvm();  // svm_predict_probability may print
  model_ = std::move(m);
  num_features_ = static_cast<size_t>(features);
  sv_rows_.clear();
  summary_ = nlohmann::json::object();
  return Status::Ok();
}

Result<std::unique_ptr<Model>> CreateSvm(const Params& given, TaskType task, size_t num_classes) {
  Params params = given;
  // A gamma given alone is meant to be used (gamma_mode would otherwise
  // default to "scale" and drop it).
  if (params.contains("gamma") && !params.contains("gamma_mode")) {
    params["gamma_mode"] = std::string("value");
  }
  HT_ASSIGN_OR_RETURN(Params complete, SvmSpace(task).Complete(params));
  HT_ASSIGN_OR_RETURN(SvmSettings settings, ParseSettings(complete, task));
  if (task == TaskType::kClassification && num_classes < 2) {
    return Status::InvalidArgument("svm: a classifier needs at least 2 classes, got " +
                                   std::to_string(num_classes));
  }
  return std::unique_ptr<Model>(
      std::make_unique<SvmModel>(std::move(complete), task, num_classes, settings));
}

}  // namespace

namespace models_internal {

ModelInfo SvmModelInfo() {
  PreprocessOptions pre;  // impute, standardize, one-hot: the defaults
  return ModelInfo{.name = std::string(kName),
                   .summary =
                       "support vector machine (libsvm): C-SVC, epsilon-SVR; rbf, linear, "
                       "poly, sigmoid kernels",
                   .tasks = {TaskType::kClassification, TaskType::kRegression},
                   .preprocessing = pre,
                   .default_space = &SvmSpace,
                   .create = &CreateSvm};
}

}  // namespace models_internal
}  // namespace hypertune::ml
