// Model: one interface over the model libraries (XGBoost, libsvm, liblinear,
// Eigen linear models, K-Means, libtorch networks), with what tuning needs
// around it: a default search space per model, training data converted once
// and shared by every trial, intermediate scores reported to the trial (so
// that pruners stop bad trials mid-training), and inspection and
// serialization of what was learned.
//
//   const ModelInfo& info = FindModel("xgboost").value();
//   SearchSpace space = info.default_space(TaskType::kClassification);
//   HT_CHECK(space.Fix("n_estimators", int64_t{300}).ok());
//   ModelData train = MakeModelData(pre, train_view).value();   // once
//   ModelData valid = MakeModelData(pre, valid_view).value();   // once
//   study->Optimize([&](Trial& trial) {
//     Params params = space.Suggest(trial);
//     auto model = info.create(params, train.task, train.num_classes).value();
//     HT_CHECK(model->Fit(train, {.valid = &valid, .trial = &trial,
//                                 .metric = "accuracy"}).ok());
//     return Score("accuracy", valid, model->Predict(valid.x).value()).value();
//   });
//
// Hyperparameters are not part of the learned model: a Model keeps the
// Params it was created with, and a saved model (saved_model.h) stores them
// beside the library's own bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/distributions.h"
#include "hypertune/core/status.h"
#include "hypertune/ml/dataset.h"
#include "hypertune/ml/matrix.h"
#include "hypertune/ml/preprocess.h"

namespace hypertune {
class Trial;
}

namespace hypertune::ml {

// Hyperparameter values by name, as the trial's params (external values).
using Params = std::map<std::string, ParamValue, std::less<>>;

// The text form of params, for messages and model cards: {"C": 1.5, ...}.
nlohmann::json ParamsToJson(const Params& params);
Result<Params> ParamsFromJson(const nlohmann::json& json);

// One tunable hyperparameter of a model.
struct Hyperparameter {
  std::string name;
  // The range practitioners tune it over.
  Distribution range;
  // The value used when it is not tuned (Fix'ed to nothing else) and the
  // library's usual default.
  ParamValue default_value;
  std::string help;
  // Conditional: active only when hyperparameter `parent` has one of
  // `parent_values` (an SVM's degree only for the poly kernel). Empty: always.
  std::string parent;
  std::vector<ParamValue> parent_values;
};

// A model's search space: its hyperparameters with ranges, which users can
// narrow, fix or leave out. Suggest() asks a trial for every active, unfixed
// hyperparameter, in declaration order (parents are declared before their
// children).
class SearchSpace {
 public:
  SearchSpace() = default;
  // InvalidArgument: a duplicate name, an invalid range, a default outside
  // its range, a parent declared after its child or unknown.
  static Result<SearchSpace> Create(std::vector<Hyperparameter> hyperparameters);

  const std::vector<Hyperparameter>& hyperparameters() const { return hps_; }
  const Hyperparameter* Find(std::string_view name) const;

  // The hyperparameter is no longer tuned: it takes `value` (converted to
  // its range's kind: 3 for a float range gives 3.0). InvalidArgument for a
  // value of the wrong kind; NotFound naming the model's hyperparameters.
  // A fixed value may lie outside the default range (users know their data).
  Status Fix(std::string_view name, const ParamValue& value);
  // Tunes it over `range` instead (same kind: float, int or categorical).
  Status Narrow(std::string_view name, const Distribution& range);
  // Not tuned: it keeps its default.
  Status Freeze(std::string_view name);
  bool IsFixed(std::string_view name) const;

  // Every active hyperparameter: suggested through the trial when tuned, the
  // fixed value or default otherwise. Throws what Trial::Suggest* throws.
  Params Suggest(Trial& trial) const;
  // Every active hyperparameter at its fixed value or default.
  Params Defaults() const;
  // `given` completed with defaults for the active ones it lacks;
  // InvalidArgument for an unknown name or a value of the wrong kind.
  Result<Params> Complete(const Params& given) const;

  // A table for `hypertune models`: name, range, default, help.
  std::string Describe() const;

 private:
  bool Active(const Hyperparameter& hp, const Params& so_far) const;

  std::vector<Hyperparameter> hps_;
  std::map<std::string, ParamValue, std::less<>> fixed_;
};

// Typed access to Params with a clear error (InvalidArgument naming the
// hyperparameter) when absent or of another type. Ints are accepted where a
// double is asked.
Result<double> GetDouble(const Params& p, std::string_view name);
Result<int64_t> GetInt(const Params& p, std::string_view name);
Result<std::string> GetString(const Params& p, std::string_view name);
Result<bool> GetBool(const Params& p, std::string_view name);

// Library-specific forms of a ModelData, built on first use and kept for the
// next trials (XGBoost's DMatrix, libsvm's node lists). Thread-safe: parallel
// trials share it.
class LibraryCache {
 public:
  template <class T>
  Result<std::shared_ptr<T>> GetOrCreate(std::string_view key,
                                         const std::function<Result<std::shared_ptr<T>>()>& make) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) return std::static_pointer_cast<T>(it->second);
    Result<std::shared_ptr<T>> made = make();
    if (!made.ok()) return made.status();
    entries_.emplace(std::string(key), std::static_pointer_cast<void>(*made));
    return *made;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<void>, std::less<>> entries_;
};

// Owns the LibraryCache of one ModelData. A copy gets a new, empty cache: the
// copied rows or targets may then be changed, and the forms built from the
// original must not be reused for them. Moving keeps the cache.
class LibraryCacheHandle {
 public:
  LibraryCacheHandle() = default;
  LibraryCacheHandle(const LibraryCacheHandle&) {}
  LibraryCacheHandle& operator=(const LibraryCacheHandle&) {
    cache_ = std::make_shared<LibraryCache>();
    return *this;
  }
  LibraryCacheHandle(LibraryCacheHandle&&) noexcept = default;
  LibraryCacheHandle& operator=(LibraryCacheHandle&&) noexcept = default;

  LibraryCache* operator->() const { return cache_.get(); }
  LibraryCache& operator*() const { return *cache_; }
  LibraryCache* get() const { return cache_.get(); }

 private:
  std::shared_ptr<LibraryCache> cache_ = std::make_shared<LibraryCache>();
};

// Rows in model-ready form: preprocessed features and the target. Built once
// per split or fold and shared by every trial.
struct ModelData {
  MatrixF x;
  // Class codes 0..k-1 (classification), values (regression); empty for
  // clustering without labels.
  std::vector<float> y;
  TaskType task = TaskType::kClassification;
  size_t num_classes = 0;  // classification (and clustering with labels)
  std::vector<std::string> feature_names;
  // Not copied with the data: a copy starts with an empty cache.
  LibraryCacheHandle cache;

  size_t rows() const { return static_cast<size_t>(x.rows()); }
  size_t cols() const { return static_cast<size_t>(x.cols()); }
};

// The view's rows through `pre`, with the dataset's targets.
Result<ModelData> MakeModelData(const Preprocessor& pre, const DatasetView& view);

struct FitOptions {
  // Scored after each step (boosting round, epoch, iteration) when given.
  const ModelData* valid = nullptr;
  // Receives the validation score of each step (Report) and is asked whether
  // to stop (ShouldPrune: the model throws TrialPruned). Needs `valid`.
  Trial* trial = nullptr;
  // The metric (metrics.h registry name) of those scores; it must be the
  // study's objective so that pruners compare like with like. Empty: the
  // model's own validation loss.
  std::string metric;
  // Threads the library may use (the trial's share of the cores).
  int threads = 1;
  uint64_t seed = 0;
};

class Model {
 public:
  virtual ~Model() = default;

  // The registry name ("xgboost").
  virtual std::string_view kind() const = 0;
  virtual const Params& params() const = 0;
  virtual TaskType task() const = 0;

  // Trains on `train`. Errors: data that does not fit the model (no rows,
  // wrong task, NaN where the library takes none), library failures. Throws
  // TrialPruned when options.trial says to stop.
  virtual Status Fit(const ModelData& train, const FitOptions& options) = 0;

  // Classification: class probabilities, rows x num_classes (a model without
  // probabilities gives 1 for the predicted class). Regression: rows x 1
  // predictions. Clustering: rows x 1 cluster indices. FailedPrecondition
  // before Fit; InvalidArgument for a wrong number of columns.
  virtual Result<MatrixD> Predict(const MatrixF& x) const = 0;

  // What was learned, for inspection: coefficients and intercept, centroids,
  // trees, support vectors... as JSON.
  virtual Result<nlohmann::json> LearnedParameters() const = 0;
  // Facts of the last Fit (best iteration under early stopping, epochs run,
  // iterations to converge).
  virtual nlohmann::json FitSummary() const { return nlohmann::json::object(); }

  // The library's own serialization of the learned model, and the reverse
  // (on a Model created with the same params and task).
  virtual Result<std::string> SaveNative() const = 0;
  virtual Status LoadNative(std::string_view bytes) = 0;
};

// A model kind of the registry.
struct ModelInfo {
  std::string name;     // "xgboost", "svm", ...
  std::string summary;  // one line for `hypertune models`
  std::vector<TaskType> tasks;
  // The preprocessing this model wants (trees: none; SVM, linear, networks:
  // standardize and one-hot).
  PreprocessOptions preprocessing;
  // The default search space for a task.
  std::function<SearchSpace(TaskType)> default_space;
  // A model with `params` (completed with defaults) for the task.
  // InvalidArgument for a bad value, naming the hyperparameter.
  std::function<Result<std::unique_ptr<Model>>(const Params& params, TaskType task,
                                               size_t num_classes)>
      create;
};

// Every model this build has, by name.
const std::vector<ModelInfo>& Models();
// NotFound listing the valid names.
Result<const ModelInfo*> FindModel(std::string_view name);

// For adapters: reports `value` at `step` to options.trial (if any) and throws
// TrialPruned when the trial should stop.
void ReportStep(const FitOptions& options, int64_t step, double value);

}  // namespace hypertune::ml
