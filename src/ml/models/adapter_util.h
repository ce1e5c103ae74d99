// Helpers shared by the libsvm, liblinear and Eigen model adapters: checks of
// the data a model is given, hyperparameter checks with messages that name
// the hyperparameter, class bookkeeping, temporary files for libraries that
// serialize to a path only, exact number text, and the locks that C
// libraries with process-wide state need.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/status.h"
#include "hypertune/ml/model.h"

namespace hypertune::ml::models_internal {

// InvalidArgument unless `data` can train a `model` for `task`: at least one
// row and one column, one target per row, the same task, finite regression
// targets, and class codes in [0, num_classes) for classification.
Status CheckTrainingData(std::string_view model, TaskType task, size_t num_classes,
                         const ModelData& data);

// FailedPrecondition before Fit; InvalidArgument when `x` does not have the
// `num_features` columns the model was trained on.
Status CheckPredictInput(std::string_view model, bool fitted, size_t num_features,
                         const MatrixF& x);

// The feature name of column `col` for messages: "'mean_radius' (column 0)".
std::string DescribeColumn(const ModelData& data, size_t col);

// The classes present in classification targets, ascending, with their
// counts and the row where each first appears.
struct ClassSummary {
  std::vector<int> codes;
  std::vector<size_t> counts;
  std::vector<size_t> first_row;
};
ClassSummary SummarizeClasses(const std::vector<float>& y);
// InvalidArgument when fewer than two classes are present.
Status CheckTwoClasses(std::string_view model, const ClassSummary& classes);
// scikit-learn's class_weight="balanced": n_rows / (n_classes * count), per
// present class.
std::vector<double> BalancedClassWeights(const ClassSummary& classes);

// Hyperparameter checks: InvalidArgument "<model>: hyperparameter '<name>'
// ..." naming the value and what is allowed.
Status CheckPositive(std::string_view model, std::string_view name, double value);
Status CheckNonNegative(std::string_view model, std::string_view name, double value);
Status CheckInRange(std::string_view model, std::string_view name, double value, double low,
                    double high);
// The index of `value` in `choices`, or InvalidArgument listing them.
Result<size_t> CheckChoice(std::string_view model, std::string_view name, const std::string& value,
                           const std::vector<std::string>& choices);

// A file that exists while this object does (mkstemp in the temporary
// directory), for libraries that read and write models by path only.
class TempFile {
 public:
  static Result<TempFile> Create(std::string_view prefix);
  TempFile(TempFile&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempFile& operator=(TempFile&&) = delete;
  TempFile(const TempFile&) = delete;
  ~TempFile();
  const std::string& path() const { return path_; }

 private:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};
Result<std::string> ReadFileBytes(const std::string& path);
Status WriteFileBytes(const std::string& path, std::string_view bytes);

// Shortest text that reads back to the same double (std::to_chars): the
// libraries' readers (strtod, fscanf %lf) parse it exactly.
std::string ExactDouble(double v);

// libc's rand() is process-wide: libsvm's probability estimates and
// liblinear's dual and L1 solvers shuffle with it. A fit seeds it with srand
// and runs while holding this lock, so that it is reproducible even when
// other trials train at the same time.
std::mutex& CRandMutex();
// libsvm's and liblinear's save and load functions switch the process's
// locale to "C" and back (setlocale is not thread-safe); our calls take this
// lock.
std::mutex& ModelFileMutex();

}  // namespace hypertune::ml::models_internal
