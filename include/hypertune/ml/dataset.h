// Dataset: a Table split into feature columns and a target, for one task.
// Classification targets are encoded as class codes 0..k-1 (classes sorted
// as scikit-learn's LabelEncoder sorts them: numerically for a numeric
// column, by bytes for text) and the class names are kept for decoding;
// regression targets are doubles. DatasetView is a list of row indices over
// a Dataset: what splits and folds hand to models, without copying data.
//
//   Table table = ReadCsv("../shared/data/iris.csv").value();
//   Dataset ds = Dataset::Create(std::move(table),
//                                {.target = "species",
//                                 .task = TaskType::kClassification}).value();
//   ds.num_classes();              // 3
//   ds.class_names()[ds.labels()[0]];  // "setosa"
//   DatasetView train = ds.View(split.train).value();
//
// Missing targets are an error unless `missing_target` is kDropRows, which
// drops those rows (dropped_rows() lists them, as row numbers of the table).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/status.h"
#include "hypertune/ml/table.h"

namespace hypertune::ml {

enum class TaskType { kClassification, kRegression };
std::string_view ToString(TaskType task);  // "classification", "regression"

enum class MissingTarget {
  kError,     // InvalidArgument naming the count and the first row
  kDropRows,  // the rows are dropped
};

struct DatasetOptions {
  std::string target;
  TaskType task = TaskType::kClassification;
  MissingTarget missing_target = MissingTarget::kError;
  // Columns left out of the features (ids, leaking columns).
  std::vector<std::string> drop_columns;
  // Numeric columns to treat as categorical (codes such as diabetes' sex
  // 1/2): converted with ToCategorical.
  std::vector<std::string> categorical_columns;
  // Classification: when set, exactly these classes with these codes, so
  // that a test file is encoded as its training file was (pass the
  // training Dataset's class_names()); a numeric target matches by its
  // shortest text ("1", "2.5"). A value not listed is an error; classes
  // absent from the rows are fine. Empty: the classes found, sorted.
  std::vector<std::string> classes;
};

class DatasetView;

class Dataset {
 public:
  Dataset() = default;
  // Errors (InvalidArgument unless said): no target column (NotFound,
  // listing the columns), a drop/categorical column that does not exist, a
  // categorical target for regression, a single class (fewer than 2 in
  // `classes` when given), a value outside `classes`, missing target values
  // with kError, no rows, no feature left.
  static Result<Dataset> Create(Table table, const DatasetOptions& options);

  size_t num_rows() const { return target_.size(); }
  size_t num_features() const { return features_.num_columns(); }
  TaskType task() const { return task_; }
  const std::string& target_name() const { return target_name_; }

  // The feature columns, in the table's order without the target.
  const Table& features() const { return features_; }
  std::vector<std::string> feature_names() const { return features_.names(); }

  // One value per row: the regression target, or the class code as a
  // double (what XGBoost's label field takes).
  const std::vector<double>& target() const { return target_; }

  // Classification only (empty for regression).
  const std::vector<int32_t>& labels() const { return labels_; }
  const std::vector<std::string>& class_names() const { return class_names_; }
  size_t num_classes() const { return class_names_.size(); }
  // Rows per class code.
  std::vector<size_t> ClassCounts() const;
  // Class name of a code; InvalidArgument for a code out of range.
  Result<std::string> DecodeLabel(int64_t code) const;
  // Code of a class name; NotFound listing the classes.
  Result<int32_t> EncodeLabel(std::string_view name) const;

  // Rows of the table that were dropped for a missing target.
  const std::vector<size_t>& dropped_rows() const { return dropped_rows_; }

  // A view of every row / of the rows listed (InvalidArgument when one is
  // out of range). The view points to this Dataset, which must outlive it
  // and stay where it is (not be moved).
  DatasetView AllRows() const;
  Result<DatasetView> View(std::vector<size_t> rows) const;

 private:
  Table features_;
  TaskType task_ = TaskType::kClassification;
  std::string target_name_;
  std::vector<double> target_;
  std::vector<int32_t> labels_;
  std::vector<std::string> class_names_;
  std::vector<size_t> dropped_rows_;
};

// Rows of a Dataset, by index; copying one copies the indices only.
class DatasetView {
 public:
  DatasetView(const Dataset& dataset, std::vector<size_t> rows)
      : dataset_(&dataset), rows_(std::move(rows)) {}

  const Dataset& dataset() const { return *dataset_; }
  // Row numbers in the Dataset, in view order.
  const std::vector<size_t>& rows() const { return rows_; }
  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }

  double target(size_t i) const { return dataset_->target()[rows_[i]]; }
  int32_t label(size_t i) const { return dataset_->labels()[rows_[i]]; }
  // The targets / labels of the view's rows, in view order.
  std::vector<double> Targets() const;
  std::vector<int32_t> Labels() const;
  std::vector<size_t> ClassCounts() const;

  // A view of some of this view's rows: positions into rows().
  // InvalidArgument when a position is out of range.
  Result<DatasetView> Subset(std::span<const size_t> positions) const;

 private:
  const Dataset* dataset_;
  std::vector<size_t> rows_;
};

}  // namespace hypertune::ml
