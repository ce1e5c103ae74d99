// Preprocessor: turns feature columns into the dense matrix that models
// read. It is fitted on training rows only (means, scales, categories,
// fill values come from those rows), then applied unchanged to any rows or
// any table with the same columns, e.g. a test file read later. It
// serializes to JSON so that a saved model carries it.
//
//   PreprocessOptions opts;  // impute mean / most frequent, standardize, one-hot
//   Preprocessor pre = Preprocessor::Fit(train_view, opts).value();
//   MatrixF x_train = pre.TransformFloat(train_view).value();
//   MatrixF x_test = pre.TransformFloat(test_table).value();  // by column name
//   std::string json = pre.ToJson();
//   Preprocessor same = Preprocessor::FromJson(json).value();
//
// Per column, in input order (the target is never an input):
// - Numeric: missing values are imputed, then the column is scaled with
//   statistics of the imputed training values (as scikit-learn's
//   SimpleImputer followed by StandardScaler / MinMaxScaler does).
//   Standardize: (x - mean) / std with the population std (ddof 0); min-max:
//   (x - min) / (max - min). A constant column gets scale 1 (not a
//   division by zero). With kNone imputation, missing values stay NaN (what
//   XGBoost takes as missing) and the statistics skip them.
// - Categorical: the categories are those of the training rows, sorted by
//   bytes. One-hot gives one output per category, named "<column>_<category>"
//   (scikit-learn's names); ordinal gives one output holding the category's
//   index (not scaled). Missing values are imputed with the most frequent
//   training category (ties: the smallest) or with `categorical_fill_value`
//   (a category of its own when the training rows have missing values);
//   with kNone they give an all-zero one-hot / NaN ordinal.
// - A category not seen in training gives an all-zero one-hot or
//   `ordinal_unknown_value` (default -1): never an error.
// - A column with no value in the training rows is dropped with a line in
//   warnings() (kDrop, the default, as SimpleImputer does), an error
//   (kError), or kept (kConstant): numeric filled with numeric_fill_value,
//   categorical as the single category categorical_fill_value.
// - At transform time, columns are found by name; other columns are
//   ignored. A column numeric at fit time may arrive categorical if its
//   categories read as numbers, and the reverse (values matched by their
//   shortest text); anything else is an error naming the column.
#pragma once

#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hypertune/core/status.h"
#include "hypertune/ml/dataset.h"
#include "hypertune/ml/matrix.h"
#include "hypertune/ml/table.h"

namespace hypertune::ml {

enum class Scaling { kNone, kStandardize, kMinMax };
enum class CategoricalEncoding { kOneHot, kOrdinal };
enum class NumericImputation { kNone, kMean, kMedian, kMostFrequent, kConstant };
enum class CategoricalImputation { kNone, kMostFrequent, kConstant };
enum class AllMissingColumn { kDrop, kError, kConstant };

struct PreprocessOptions {
  Scaling scaling = Scaling::kStandardize;
  CategoricalEncoding encoding = CategoricalEncoding::kOneHot;
  NumericImputation numeric_imputation = NumericImputation::kMean;
  double numeric_fill_value = 0.0;
  CategoricalImputation categorical_imputation = CategoricalImputation::kMostFrequent;
  std::string categorical_fill_value = "missing";
  AllMissingColumn all_missing = AllMissingColumn::kDrop;
  // Ordinal output of a category not seen in training (NaN allowed).
  double ordinal_unknown_value = -1.0;
};

// Transform is const and safe to call from several threads at once.
class Preprocessor {
 public:
  Preprocessor() = default;

  // InvalidArgument for no training rows, a row out of range, or (kError)
  // an all-missing column.
  static Result<Preprocessor> Fit(const Table& features, std::span<const size_t> rows,
                                  const PreprocessOptions& options = {});
  static Result<Preprocessor> Fit(const DatasetView& train, const PreprocessOptions& options = {});

  // Row-major, one row per input row (in the order given), num_outputs()
  // columns.
  Result<MatrixD> Transform(const Table& table) const;
  Result<MatrixD> Transform(const Table& table, std::span<const size_t> rows) const;
  Result<MatrixD> Transform(const DatasetView& view) const;
  Result<MatrixF> TransformFloat(const Table& table) const;
  Result<MatrixF> TransformFloat(const Table& table, std::span<const size_t> rows) const;
  Result<MatrixF> TransformFloat(const DatasetView& view) const;

  size_t num_outputs() const { return output_names_.size(); }
  // The output columns' names, in matrix order.
  const std::vector<std::string>& output_names() const { return output_names_; }
  // The input columns fitted, dropped ones included.
  std::vector<std::string> input_names() const;
  const PreprocessOptions& options() const { return options_; }
  // Fit-time notes (dropped columns), for the user's log.
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Exact: a preprocessor read back gives bit-identical output. Names and
  // categories that are not UTF-8 (a Latin-1 file) are stored as
  // {"hex": "..."}, so nothing is lost.
  std::string ToJson() const;
  // Corruption when the text is not a preprocessor written by ToJson.
  static Result<Preprocessor> FromJson(std::string_view json);

  // Fitted state of one input column (public for inspection and tests).
  struct FittedColumn {
    std::string name;
    ColumnType type = ColumnType::kNumeric;
    bool dropped = false;
    // Numeric: missing -> fill (NaN: left missing); out = (x - center) / scale.
    double fill = std::numeric_limits<double>::quiet_NaN();
    double center = 0.0;
    double scale = 1.0;
    // Categorical: sorted categories; fill_code is the category for missing
    // values (-1: none).
    std::vector<std::string> categories;
    int32_t fill_code = -1;
    size_t output_offset = 0;
    size_t output_width = 0;
  };
  const std::vector<FittedColumn>& columns() const { return columns_; }

 private:
  template <class T>
  Result<RowMatrix<T>> TransformImpl(const Table& table, const size_t* rows, size_t n) const;
  void Index();

  PreprocessOptions options_;
  std::vector<FittedColumn> columns_;
  std::vector<std::string> output_names_;
  std::vector<std::string> warnings_;
  // Per column: category -> index, for categorical columns.
  std::vector<std::unordered_map<std::string, int32_t>> category_index_;
};

}  // namespace hypertune::ml
