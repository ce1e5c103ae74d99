#include "hypertune/ml/dataset.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace hypertune::ml {
namespace {

Status CheckRows(std::span<const size_t> rows, size_t n, std::string_view what) {
  for (size_t r : rows) {
    if (r >= n) {
      return Status::InvalidArgument(std::string(what) + " " + std::to_string(r) +
                                     " is out of range (" + std::to_string(n) + " rows)");
    }
  }
  return Status::Ok();
}

template <class T>
std::vector<T> Keep(const std::vector<T>& v, const std::vector<size_t>& rows) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (size_t r : rows) out.push_back(v[r]);
  return out;
}

}  // namespace

std::string_view ToString(TaskType task) {
  switch (task) {
    case TaskType::kClassification:
      return "classification";
    case TaskType::kRegression:
      return "regression";
  }
  return "unknown";
}

Result<Dataset> Dataset::Create(Table table, const DatasetOptions& options) {
  const std::vector<std::string> names = table.names();
  auto target_index = table.IndexOf(options.target);
  if (!target_index.ok()) {
    return Status::NotFound("target column '" + options.target +
                            "' not found (columns: " + JoinNames(names) + ")");
  }
  for (const auto* list : {&options.drop_columns, &options.categorical_columns}) {
    for (const std::string& name : *list) {
      if (table.Find(name) == nullptr) {
        return Status::InvalidArgument(
            std::string(list == &options.drop_columns ? "drop_columns" : "categorical_columns") +
            " names '" + name + "', which is not a column (columns: " + JoinNames(names) + ")");
      }
      if (name == options.target) {
        return Status::InvalidArgument(
            "column '" + name + "' is the target; it cannot be in " +
            (list == &options.drop_columns ? "drop_columns" : "categorical_columns"));
      }
    }
  }
  const size_t n = table.num_rows();
  std::vector<Column> columns = std::move(table).TakeColumns();
  Column target = std::move(columns[*target_index]);
  columns.erase(columns.begin() + static_cast<std::ptrdiff_t>(*target_index));

  Dataset ds;
  ds.task_ = options.task;
  ds.target_name_ = options.target;

  // Rows with a target.
  std::vector<size_t> keep;
  keep.reserve(n);
  for (size_t r = 0; r < n; ++r) {
    if (target.IsMissing(r)) {
      ds.dropped_rows_.push_back(r);
    } else {
      keep.push_back(r);
    }
  }
  if (!ds.dropped_rows_.empty() && options.missing_target == MissingTarget::kError) {
    return Status::InvalidArgument(
        "target '" + options.target + "' has " + std::to_string(ds.dropped_rows_.size()) +
        " missing values (the first in row " + std::to_string(ds.dropped_rows_[0]) +
        ", counting data rows from 0); set missing_target = kDropRows to drop those rows");
  }
  if (keep.empty()) {
    return Status::InvalidArgument("target '" + options.target + "': no rows" +
                                   (n > 0 ? " with a target value" : ""));
  }
  const bool dropping = !ds.dropped_rows_.empty();

  if (options.task == TaskType::kRegression) {
    if (target.type != ColumnType::kNumeric) {
      return Status::InvalidArgument(
          "target '" + options.target + "' is categorical (values such as '" +
          target.ValueString(keep[0]) + "'); regression needs a numeric target");
    }
    ds.target_ = dropping ? Keep(target.numeric, keep) : std::move(target.numeric);
  } else {
    std::vector<int32_t> codes;
    if (!options.classes.empty()) {
      // Fixed classes (a test file encoded as its training file was).
      std::unordered_map<std::string_view, int32_t> index;
      for (size_t k = 0; k < options.classes.size(); ++k) {
        if (!index.emplace(options.classes[k], static_cast<int32_t>(k)).second) {
          return Status::InvalidArgument("classes lists '" + options.classes[k] + "' twice");
        }
      }
      ds.class_names_ = options.classes;
      codes.reserve(keep.size());
      for (size_t r : keep) {
        const std::string value = target.ValueString(r);
        auto it = index.find(value);
        if (it == index.end()) {
          return Status::InvalidArgument(
              "target '" + options.target + "', row " + std::to_string(r) + ": class '" + value +
              "' is not one of the given classes (" + JoinNames(options.classes) + ")");
        }
        codes.push_back(it->second);
      }
    } else if (target.type == ColumnType::kNumeric) {
      // Classes in the order LabelEncoder gives them: numeric order here, by
      // bytes for text.
      std::vector<double> values = dropping ? Keep(target.numeric, keep) : target.numeric;
      std::vector<double> distinct = values;
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
      for (double x : distinct) ds.class_names_.push_back(FormatNumber(x));
      codes.reserve(values.size());
      for (double x : values) {
        codes.push_back(static_cast<int32_t>(std::lower_bound(distinct.begin(), distinct.end(), x) -
                                             distinct.begin()));
      }
    } else {
      std::vector<int32_t> raw = dropping ? Keep(target.codes, keep) : std::move(target.codes);
      std::vector<bool> used(target.categories.size(), false);
      for (int32_t c : raw) used[static_cast<size_t>(c)] = true;
      std::vector<int32_t> order;  // old codes in use, sorted by name
      for (size_t c = 0; c < used.size(); ++c) {
        if (used[c]) order.push_back(static_cast<int32_t>(c));
      }
      std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        return target.categories[static_cast<size_t>(a)] <
               target.categories[static_cast<size_t>(b)];
      });
      std::vector<int32_t> remap(target.categories.size(), -1);
      for (size_t k = 0; k < order.size(); ++k) {
        remap[static_cast<size_t>(order[k])] = static_cast<int32_t>(k);
        ds.class_names_.push_back(target.categories[static_cast<size_t>(order[k])]);
      }
      codes.reserve(raw.size());
      for (int32_t c : raw) codes.push_back(remap[static_cast<size_t>(c)]);
    }
    if (ds.class_names_.size() < 2) {
      return Status::InvalidArgument("target '" + options.target + "' has a single class ('" +
                                     ds.class_names_[0] + "') in " + std::to_string(codes.size()) +
                                     " rows; classification needs at least 2 classes");
    }
    ds.target_.assign(codes.begin(), codes.end());
    ds.labels_ = std::move(codes);
  }

  std::vector<Column> features;
  for (Column& c : columns) {
    if (std::find(options.drop_columns.begin(), options.drop_columns.end(), c.name) !=
        options.drop_columns.end()) {
      continue;
    }
    if (dropping) {
      c.numeric = c.type == ColumnType::kNumeric ? Keep(c.numeric, keep) : std::vector<double>();
      c.codes = c.type == ColumnType::kCategorical ? Keep(c.codes, keep) : std::vector<int32_t>();
    }
    if (std::find(options.categorical_columns.begin(), options.categorical_columns.end(), c.name) !=
        options.categorical_columns.end()) {
      c = ToCategorical(std::move(c));
    }
    features.push_back(std::move(c));
  }
  if (features.empty()) {
    return Status::InvalidArgument("no feature column left besides the target '" + options.target +
                                   "'");
  }
  HT_ASSIGN_OR_RETURN(ds.features_, Table::Create(std::move(features)));
  return ds;
}

std::vector<size_t> Dataset::ClassCounts() const {
  std::vector<size_t> counts(class_names_.size(), 0);
  for (int32_t c : labels_) ++counts[static_cast<size_t>(c)];
  return counts;
}

Result<std::string> Dataset::DecodeLabel(int64_t code) const {
  if (code < 0 || static_cast<size_t>(code) >= class_names_.size()) {
    return Status::InvalidArgument("class code " + std::to_string(code) + " is out of range (" +
                                   std::to_string(class_names_.size()) + " classes)");
  }
  return class_names_[static_cast<size_t>(code)];
}

Result<int32_t> Dataset::EncodeLabel(std::string_view name) const {
  for (size_t k = 0; k < class_names_.size(); ++k) {
    if (class_names_[k] == name) return static_cast<int32_t>(k);
  }
  return Status::NotFound("no class '" + std::string(name) +
                          "' (classes: " + JoinNames(class_names_) + ")");
}

DatasetView Dataset::AllRows() const {
  std::vector<size_t> rows(num_rows());
  std::iota(rows.begin(), rows.end(), size_t{0});
  return DatasetView(*this, std::move(rows));
}

Result<DatasetView> Dataset::View(std::vector<size_t> rows) const {
  HT_RETURN_IF_ERROR(CheckRows(rows, num_rows(), "row"));
  return DatasetView(*this, std::move(rows));
}

std::vector<double> DatasetView::Targets() const { return Keep(dataset_->target(), rows_); }

std::vector<int32_t> DatasetView::Labels() const {
  if (dataset_->labels().empty()) return {};
  return Keep(dataset_->labels(), rows_);
}

std::vector<size_t> DatasetView::ClassCounts() const {
  std::vector<size_t> counts(dataset_->num_classes(), 0);
  if (dataset_->labels().empty()) return counts;
  for (size_t r : rows_) ++counts[static_cast<size_t>(dataset_->labels()[r])];
  return counts;
}

Result<DatasetView> DatasetView::Subset(std::span<const size_t> positions) const {
  HT_RETURN_IF_ERROR(CheckRows(positions, rows_.size(), "position"));
  std::vector<size_t> rows;
  rows.reserve(positions.size());
  for (size_t p : positions) rows.push_back(rows_[p]);
  return DatasetView(*dataset_, std::move(rows));
}

}  // namespace hypertune::ml
