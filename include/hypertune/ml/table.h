// Table: columnar data as the readers produce it, before a target is chosen.
// A column is numeric (doubles, NaN = missing) or categorical (int32 codes
// into a list of category strings, -1 = missing). Dataset (dataset.h) is a
// Table split into features and a target.
//
//   Table t = ReadCsv("../shared/data/penguins.csv").value();
//   const Column& sex = *t.Find("sex");
//   if (sex.type == ColumnType::kCategorical) std::cout << sex.categories.size();
//   std::cout << sex.CountMissing();  // 11
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/status.h"

namespace hypertune::ml {

enum class ColumnType { kNumeric, kCategorical };
std::string_view ToString(ColumnType type);  // "numeric", "categorical"

// One column. Plain data: Table::Create checks the invariants (the vector of
// the column's type has one entry per row, every code is -1 or indexes
// `categories`, categories are distinct).
struct Column {
  static constexpr int32_t kMissingCode = -1;

  std::string name;
  ColumnType type = ColumnType::kNumeric;
  std::vector<double> numeric;          // kNumeric: NaN = missing
  std::vector<int32_t> codes;           // kCategorical: kMissingCode = missing
  std::vector<std::string> categories;  // kCategorical: readers list them in
                                        // order of first appearance

  static Column Numeric(std::string name, std::vector<double> values);
  static Column Categorical(std::string name, std::vector<int32_t> codes,
                            std::vector<std::string> categories);

  size_t size() const { return type == ColumnType::kNumeric ? numeric.size() : codes.size(); }
  bool IsMissing(size_t row) const;
  size_t CountMissing() const;
  // The value as text: a category, or a number in its shortest exact form
  // ("3", "0.1"); "" when missing.
  std::string ValueString(size_t row) const;
};

// The categorical form of a numeric column: each distinct value becomes the
// category named by its shortest exact text ("1", "2.5"), in ascending
// numeric order. Categorical columns are returned unchanged.
Column ToCategorical(Column column);

// The shortest text that reads back as exactly `x` ("3", "0.1", "1e+300").
std::string FormatNumber(double x);

class Table {
 public:
  Table() = default;
  // Checks the columns (see Column) and that names are distinct and every
  // column has the same number of rows.
  static Result<Table> Create(std::vector<Column> columns);

  size_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  const std::vector<Column>& columns() const { return columns_; }
  const Column& column(size_t i) const { return columns_[i]; }
  std::vector<std::string> names() const;

  // nullptr when there is no such column.
  const Column* Find(std::string_view name) const;
  // NotFound naming the columns that exist: "no column 'x' (columns: a, b)".
  Result<size_t> IndexOf(std::string_view name) const;

  // The table with the rows listed in `rows` (any order, repeats allowed).
  // InvalidArgument when an index is out of range.
  Result<Table> SelectRows(const std::vector<size_t>& rows) const;

  // Moves the columns out, leaving the table empty.
  std::vector<Column> TakeColumns() &&;

 private:
  std::vector<Column> columns_;
  size_t num_rows_ = 0;
};

// "a, b, c" (at most `max` names, then "... (N in all)"): for error messages.
std::string JoinNames(const std::vector<std::string>& names, size_t max = 50);

}  // namespace hypertune::ml
