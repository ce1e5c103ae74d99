#include "hypertune/ml/table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_set>

namespace hypertune::ml {

std::string_view ToString(ColumnType type) {
  switch (type) {
    case ColumnType::kNumeric:
      return "numeric";
    case ColumnType::kCategorical:
      return "categorical";
  }
  return "unknown";
}

std::string FormatNumber(double x) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof(buf), x);
  return std::string(buf, r.ptr);
}

Column Column::Numeric(std::string name, std::vector<double> values) {
  Column c;
  c.name = std::move(name);
  c.type = ColumnType::kNumeric;
  c.numeric = std::move(values);
  return c;
}

Column Column::Categorical(std::string name, std::vector<int32_t> codes,
                           std::vector<std::string> categories) {
  Column c;
  c.name = std::move(name);
  c.type = ColumnType::kCategorical;
  c.codes = std::move(codes);
  c.categories = std::move(categories);
  return c;
}

bool Column::IsMissing(size_t row) const {
  return type == ColumnType::kNumeric ? std::isnan(numeric[row]) : codes[row] < 0;
}

size_t Column::CountMissing() const {
  if (type == ColumnType::kNumeric) {
    return static_cast<size_t>(
        std::count_if(numeric.begin(), numeric.end(), [](double x) { return std::isnan(x); }));
  }
  return static_cast<size_t>(
      std::count_if(codes.begin(), codes.end(), [](int32_t c) { return c < 0; }));
}

std::string Column::ValueString(size_t row) const {
  if (IsMissing(row)) return "";
  if (type == ColumnType::kNumeric) return FormatNumber(numeric[row]);
  return categories[static_cast<size_t>(codes[row])];
}

Column ToCategorical(Column column) {
  if (column.type == ColumnType::kCategorical) return column;
  std::vector<double> distinct;
  distinct.reserve(64);
  for (double x : column.numeric) {
    if (!std::isnan(x)) distinct.push_back(x);
  }
  std::sort(distinct.begin(), distinct.end());
  // -0.0 and 0.0 compare equal and are one category.
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<int32_t> codes;
  codes.reserve(column.numeric.size());
  for (double x : column.numeric) {
    if (std::isnan(x)) {
      codes.push_back(Column::kMissingCode);
    } else {
      codes.push_back(static_cast<int32_t>(std::lower_bound(distinct.begin(), distinct.end(), x) -
                                           distinct.begin()));
    }
  }
  std::vector<std::string> categories;
  categories.reserve(distinct.size());
  for (double x : distinct) categories.push_back(FormatNumber(x));
  return Column::Categorical(std::move(column.name), std::move(codes), std::move(categories));
}

Result<Table> Table::Create(std::vector<Column> columns) {
  Table t;
  std::unordered_set<std::string_view> names;
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& c = columns[i];
    if (!names.insert(c.name).second) {
      return Status::InvalidArgument("duplicate column name '" + c.name + "'");
    }
    if (i == 0) t.num_rows_ = c.size();
    if (c.size() != t.num_rows_) {
      return Status::InvalidArgument("column '" + c.name + "' has " + std::to_string(c.size()) +
                                     " rows, column '" + columns[0].name + "' has " +
                                     std::to_string(t.num_rows_));
    }
    if (c.type == ColumnType::kCategorical) {
      if (c.categories.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
        return Status::InvalidArgument("column '" + c.name + "' has too many categories");
      }
      const auto limit = static_cast<int32_t>(c.categories.size());
      for (size_t r = 0; r < c.codes.size(); ++r) {
        if (c.codes[r] < Column::kMissingCode || c.codes[r] >= limit) {
          return Status::InvalidArgument("column '" + c.name + "', row " + std::to_string(r) +
                                         ": code " + std::to_string(c.codes[r]) +
                                         " is not a category index (" + std::to_string(limit) +
                                         " categories)");
        }
      }
      std::unordered_set<std::string_view> seen;
      for (const std::string& s : c.categories) {
        if (!seen.insert(s).second) {
          return Status::InvalidArgument("column '" + c.name + "': category '" + s +
                                         "' is listed twice");
        }
      }
    }
  }
  t.columns_ = std::move(columns);
  return t;
}

std::vector<std::string> Table::names() const {
  std::vector<std::string> out;
  out.reserve(columns_.size());
  for (const Column& c : columns_) out.push_back(c.name);
  return out;
}

const Column* Table::Find(std::string_view name) const {
  for (const Column& c : columns_) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Result<size_t> Table::IndexOf(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return i;
  }
  return Status::NotFound("no column '" + std::string(name) + "' (columns: " + JoinNames(names()) +
                          ")");
}

Result<Table> Table::SelectRows(const std::vector<size_t>& rows) const {
  for (size_t r : rows) {
    if (r >= num_rows_) {
      return Status::InvalidArgument("row " + std::to_string(r) + " is out of range (" +
                                     std::to_string(num_rows_) + " rows)");
    }
  }
  Table t;
  t.num_rows_ = rows.size();
  t.columns_.reserve(columns_.size());
  for (const Column& c : columns_) {
    Column out;
    out.name = c.name;
    out.type = c.type;
    out.categories = c.categories;
    if (c.type == ColumnType::kNumeric) {
      out.numeric.reserve(rows.size());
      for (size_t r : rows) out.numeric.push_back(c.numeric[r]);
    } else {
      out.codes.reserve(rows.size());
      for (size_t r : rows) out.codes.push_back(c.codes[r]);
    }
    t.columns_.push_back(std::move(out));
  }
  return t;
}

std::vector<Column> Table::TakeColumns() && {
  num_rows_ = 0;
  return std::move(columns_);
}

std::string JoinNames(const std::vector<std::string>& names, size_t max) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < max; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > max) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

}  // namespace hypertune::ml
