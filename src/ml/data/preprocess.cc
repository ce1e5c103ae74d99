#include "hypertune/ml/preprocess.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>

#include "src/ml/data/parse_number.h"

namespace hypertune::ml {
namespace {

using Json = nlohmann::ordered_json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kJsonVersion = 1;
constexpr int32_t kUnseen = -2;

// Enum <-> JSON names.
template <class E>
struct EnumNames;
template <>
struct EnumNames<Scaling> {
  static constexpr std::pair<Scaling, const char*> kList[] = {
      {Scaling::kNone, "none"},
      {Scaling::kStandardize, "standardize"},
      {Scaling::kMinMax, "min_max"}};
};
template <>
struct EnumNames<CategoricalEncoding> {
  static constexpr std::pair<CategoricalEncoding, const char*> kList[] = {
      {CategoricalEncoding::kOneHot, "one_hot"}, {CategoricalEncoding::kOrdinal, "ordinal"}};
};
template <>
struct EnumNames<NumericImputation> {
  static constexpr std::pair<NumericImputation, const char*> kList[] = {
      {NumericImputation::kNone, "none"},
      {NumericImputation::kMean, "mean"},
      {NumericImputation::kMedian, "median"},
      {NumericImputation::kMostFrequent, "most_frequent"},
      {NumericImputation::kConstant, "constant"}};
};
template <>
struct EnumNames<CategoricalImputation> {
  static constexpr std::pair<CategoricalImputation, const char*> kList[] = {
      {CategoricalImputation::kNone, "none"},
      {CategoricalImputation::kMostFrequent, "most_frequent"},
      {CategoricalImputation::kConstant, "constant"}};
};
template <>
struct EnumNames<AllMissingColumn> {
  static constexpr std::pair<AllMissingColumn, const char*> kList[] = {
      {AllMissingColumn::kDrop, "drop"},
      {AllMissingColumn::kError, "error"},
      {AllMissingColumn::kConstant, "constant"}};
};

template <class E>
std::string EnumToString(E e) {
  for (const auto& [value, name] : EnumNames<E>::kList) {
    if (value == e) return name;
  }
  return "unknown";
}

template <class E>
Result<E> EnumFromJson(const Json& j, const char* key) {
  const std::string s = j.at(key).get<std::string>();
  for (const auto& [value, name] : EnumNames<E>::kList) {
    if (s == name) return value;
  }
  return Status::Corruption(std::string("preprocessor JSON: unknown ") + key + " '" + s + "'");
}

// JSON has no NaN or infinities: they travel as strings.
Json NumberToJson(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  return x;
}

Result<double> NumberFromJson(const Json& j, const char* key) {
  const Json& v = j.at(key);
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "NaN") return kNaN;
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  }
  return Status::Corruption(std::string("preprocessor JSON: '") + key +
                            "' is not a number: " + v.dump());
}

// Median as numpy computes it: the mean of the two middle values when the
// count is even. Reorders `v`.
double Median(std::vector<double>& v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

// The most frequent value; the smallest on a tie (as SimpleImputer picks).
// Reorders `v`.
double Mode(std::vector<double>& v) {
  std::sort(v.begin(), v.end());
  double best = v[0];
  size_t best_count = 0;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j < v.size() && v[j] == v[i]) ++j;
    if (j - i > best_count) {
      best_count = j - i;
      best = v[i];
    }
    i = j;
  }
  return best;
}

bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates, beyond U+10FFFF: what JSON rejects.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

// JSON text must be UTF-8, but a CSV in Latin-1 gives names and categories
// that are not: those travel as {"hex": "..."} so that nothing is lost.
Json StringToJson(const std::string& s) {
  if (IsUtf8(s)) return s;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  Json j;
  j["hex"] = hex;
  return j;
}

Result<std::string> StringFromJson(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.contains("hex") && j.at("hex").is_string()) {
    const std::string hex = j.at("hex").get<std::string>();
    auto digit = [](char c) {
      return c >= '0' && c <= '9' ? c - '0' : (c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1);
    };
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
      if (hi < 0 || lo < 0) break;
      out += static_cast<char>(hi * 16 + lo);
    }
    if (out.size() * 2 == hex.size()) return out;
  }
  return Status::Corruption("preprocessor JSON: " + j.dump() + " is not a string");
}

Status CheckRows(std::span<const size_t> rows, size_t n) {
  for (size_t r : rows) {
    if (r >= n) {
      return Status::InvalidArgument("row " + std::to_string(r) + " is out of range (" +
                                     std::to_string(n) + " rows)");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Preprocessor> Preprocessor::Fit(const DatasetView& train, const PreprocessOptions& options) {
  return Fit(train.dataset().features(), train.rows(), options);
}

Result<Preprocessor> Preprocessor::Fit(const Table& features, std::span<const size_t> rows,
                                       const PreprocessOptions& options) {
  if (rows.empty()) return Status::InvalidArgument("preprocessor: no training rows");
  HT_RETURN_IF_ERROR(CheckRows(rows, features.num_rows()));
  Preprocessor p;
  p.options_ = options;
  for (const Column& col : features.columns()) {
    FittedColumn f;
    f.name = col.name;
    f.type = col.type;
    const std::string all_missing_note = "column '" + col.name + "' has no value in the " +
                                         std::to_string(rows.size()) + " training rows";
    if (col.type == ColumnType::kNumeric) {
      std::vector<double> values;
      values.reserve(rows.size());
      for (size_t r : rows) {
        if (!std::isnan(col.numeric[r])) values.push_back(col.numeric[r]);
      }
      const size_t missing = rows.size() - values.size();
      if (values.empty()) {
        if (options.all_missing == AllMissingColumn::kError) {
          return Status::InvalidArgument("preprocessor: " + all_missing_note);
        }
        if (options.all_missing == AllMissingColumn::kDrop) {
          f.dropped = true;
          p.warnings_.push_back(all_missing_note + "; dropped");
        } else {
          f.fill = options.numeric_fill_value;
          if (options.scaling != Scaling::kNone) f.center = f.fill;
          p.warnings_.push_back(all_missing_note + "; filled with " +
                                FormatNumber(options.numeric_fill_value));
        }
        p.columns_.push_back(std::move(f));
        continue;
      }
      switch (options.numeric_imputation) {
        case NumericImputation::kNone:
          f.fill = kNaN;
          break;
        case NumericImputation::kMean:
          f.fill = std::accumulate(values.begin(), values.end(), 0.0) /
                   static_cast<double>(values.size());
          break;
        case NumericImputation::kMedian: {
          std::vector<double> copy = values;
          f.fill = Median(copy);
          break;
        }
        case NumericImputation::kMostFrequent: {
          std::vector<double> copy = values;
          f.fill = Mode(copy);
          break;
        }
        case NumericImputation::kConstant:
          f.fill = options.numeric_fill_value;
          break;
      }
      // The scaler sees the imputed training column.
      if (!std::isnan(f.fill)) values.insert(values.end(), missing, f.fill);
      const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
      if (options.scaling == Scaling::kStandardize) {
        if (*lo == *hi) {
          // Exactly 0 for a constant column, not rounding noise divided by
          // rounding noise.
          f.center = *lo;
          f.scale = 1.0;
        } else {
          const double n = static_cast<double>(values.size());
          const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
          double ss = 0.0;
          for (double x : values) ss += (x - mean) * (x - mean);
          f.center = mean;
          f.scale = std::sqrt(ss / n);
          if (!(f.scale > 0.0)) f.scale = 1.0;
        }
      } else if (options.scaling == Scaling::kMinMax) {
        f.center = *lo;
        f.scale = *hi - *lo;
        if (!(f.scale > 0.0)) f.scale = 1.0;
      }
    } else {
      std::vector<size_t> counts(col.categories.size(), 0);
      size_t missing = 0;
      for (size_t r : rows) {
        const int32_t c = col.codes[r];
        if (c < 0) {
          ++missing;
        } else {
          ++counts[static_cast<size_t>(c)];
        }
      }
      std::vector<size_t> used;  // input codes seen, sorted by name
      for (size_t c = 0; c < counts.size(); ++c) {
        if (counts[c] > 0) used.push_back(c);
      }
      std::sort(used.begin(), used.end(),
                [&](size_t a, size_t b) { return col.categories[a] < col.categories[b]; });
      if (used.empty()) {
        if (options.all_missing == AllMissingColumn::kError) {
          return Status::InvalidArgument("preprocessor: " + all_missing_note);
        }
        if (options.all_missing == AllMissingColumn::kDrop) {
          f.dropped = true;
          p.warnings_.push_back(all_missing_note + "; dropped");
        } else {
          f.categories = {options.categorical_fill_value};
          f.fill_code = 0;
          p.warnings_.push_back(all_missing_note + "; filled with '" +
                                options.categorical_fill_value + "'");
        }
        p.columns_.push_back(std::move(f));
        continue;
      }
      for (size_t c : used) f.categories.push_back(col.categories[c]);
      if (options.categorical_imputation == CategoricalImputation::kMostFrequent) {
        size_t best = 0;
        for (size_t k = 1; k < used.size(); ++k) {
          if (counts[used[k]] > counts[used[best]]) best = k;
        }
        f.fill_code = static_cast<int32_t>(best);
      } else if (options.categorical_imputation == CategoricalImputation::kConstant) {
        const std::string& fill = options.categorical_fill_value;
        auto it = std::lower_bound(f.categories.begin(), f.categories.end(), fill);
        if (it == f.categories.end() || *it != fill) {
          // A category of its own only when training had missing values (as
          // SimpleImputer + OneHotEncoder would see it).
          if (missing > 0) it = f.categories.insert(it, fill);
        }
        if (it != f.categories.end() && *it == fill) {
          f.fill_code = static_cast<int32_t>(it - f.categories.begin());
        }
      }
    }
    p.columns_.push_back(std::move(f));
  }
  p.Index();
  if (p.output_names_.empty()) {
    return Status::InvalidArgument("preprocessor: no output column (every column was dropped)");
  }
  return p;
}

void Preprocessor::Index() {
  output_names_.clear();
  category_index_.assign(columns_.size(), {});
  size_t offset = 0;
  for (size_t i = 0; i < columns_.size(); ++i) {
    FittedColumn& f = columns_[i];
    f.output_offset = offset;
    f.output_width = 0;
    if (f.dropped) continue;
    if (f.type == ColumnType::kNumeric || options_.encoding == CategoricalEncoding::kOrdinal) {
      f.output_width = 1;
      output_names_.push_back(f.name);
    } else {
      f.output_width = f.categories.size();
      for (const std::string& c : f.categories) output_names_.push_back(f.name + "_" + c);
    }
    if (f.type == ColumnType::kCategorical) {
      for (size_t k = 0; k < f.categories.size(); ++k) {
        category_index_[i].emplace(f.categories[k], static_cast<int32_t>(k));
      }
    }
    offset += f.output_width;
  }
}

std::vector<std::string> Preprocessor::input_names() const {
  std::vector<std::string> out;
  for (const FittedColumn& f : columns_) out.push_back(f.name);
  return out;
}

template <class T>
Result<RowMatrix<T>> Preprocessor::TransformImpl(const Table& table, const size_t* rows,
                                                 size_t n) const {
  if (rows != nullptr) HT_RETURN_IF_ERROR(CheckRows({rows, n}, table.num_rows()));
  auto row_of = [&](size_t i) { return rows != nullptr ? rows[i] : i; };
  const size_t width = num_outputs();
  RowMatrix<T> out =
      RowMatrix<T>::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(width));
  T* data = out.data();
  const bool missing_as_unseen =
      options_.categorical_imputation == CategoricalImputation::kConstant;
  for (size_t i = 0; i < columns_.size(); ++i) {
    const FittedColumn& f = columns_[i];
    if (f.dropped) continue;
    const Column* col = table.Find(f.name);
    if (col == nullptr) {
      return Status::InvalidArgument("preprocessor: input has no column '" + f.name +
                                     "' (columns: " + JoinNames(table.names()) + ")");
    }
    T* base = data + f.output_offset;
    if (f.type == ColumnType::kNumeric) {
      // A column that arrives categorical must hold numbers.
      std::vector<double> category_value;
      if (col->type == ColumnType::kCategorical) {
        category_value.assign(col->categories.size(), kNaN);
        std::vector<bool> is_number(col->categories.size(), false);
        for (size_t k = 0; k < col->categories.size(); ++k) {
          const std::string& s = col->categories[k];
          is_number[k] = internal::ParseDouble(s.data(), s.data() + s.size(), &category_value[k]);
        }
        for (size_t r = 0; r < n; ++r) {
          const int32_t c = col->codes[row_of(r)];
          if (c >= 0 && !is_number[static_cast<size_t>(c)]) {
            return Status::InvalidArgument("preprocessor: column '" + f.name +
                                           "' was numeric at fit time, but row " +
                                           std::to_string(row_of(r)) + " holds '" +
                                           col->categories[static_cast<size_t>(c)] + "'");
          }
        }
      }
      for (size_t r = 0; r < n; ++r) {
        const size_t row = row_of(r);
        double x;
        if (col->type == ColumnType::kNumeric) {
          x = col->numeric[row];
        } else {
          const int32_t c = col->codes[row];
          x = c < 0 ? kNaN : category_value[static_cast<size_t>(c)];
        }
        if (std::isnan(x)) x = f.fill;
        base[r * width] = static_cast<T>((x - f.center) / f.scale);
      }
      continue;
    }
    // Categorical: input code -> fitted index (kUnseen when not fitted).
    const auto& index = category_index_[i];
    auto lookup = [&](const std::string& s) {
      auto it = index.find(s);
      return it == index.end() ? kUnseen : it->second;
    };
    std::vector<int32_t> remap;
    if (col->type == ColumnType::kCategorical) {
      remap.reserve(col->categories.size());
      for (const std::string& s : col->categories) remap.push_back(lookup(s));
    }
    const bool one_hot = options_.encoding == CategoricalEncoding::kOneHot;
    for (size_t r = 0; r < n; ++r) {
      const size_t row = row_of(r);
      int32_t k;
      if (col->IsMissing(row)) {
        k = f.fill_code >= 0 ? f.fill_code : (missing_as_unseen ? kUnseen : Column::kMissingCode);
      } else if (col->type == ColumnType::kCategorical) {
        k = remap[static_cast<size_t>(col->codes[row])];
      } else {
        k = lookup(FormatNumber(col->numeric[row]));
      }
      T* cell = base + r * width;
      if (one_hot) {
        if (k >= 0) cell[k] = T(1);
      } else if (k >= 0) {
        *cell = static_cast<T>(k);
      } else {
        *cell = static_cast<T>(k == kUnseen ? options_.ordinal_unknown_value : kNaN);
      }
    }
  }
  return out;
}

Result<MatrixD> Preprocessor::Transform(const Table& table) const {
  return TransformImpl<double>(table, nullptr, table.num_rows());
}
Result<MatrixD> Preprocessor::Transform(const Table& table, std::span<const size_t> rows) const {
  return TransformImpl<double>(table, rows.data(), rows.size());
}
Result<MatrixD> Preprocessor::Transform(const DatasetView& view) const {
  return Transform(view.dataset().features(), view.rows());
}
Result<MatrixF> Preprocessor::TransformFloat(const Table& table) const {
  return TransformImpl<float>(table, nullptr, table.num_rows());
}
Result<MatrixF> Preprocessor::TransformFloat(const Table& table,
                                             std::span<const size_t> rows) const {
  return TransformImpl<float>(table, rows.data(), rows.size());
}
Result<MatrixF> Preprocessor::TransformFloat(const DatasetView& view) const {
  return TransformFloat(view.dataset().features(), view.rows());
}

std::string Preprocessor::ToJson() const {
  Json j;
  j["format"] = "hypertune.preprocessor";
  j["version"] = kJsonVersion;
  Json o;
  o["scaling"] = EnumToString(options_.scaling);
  o["encoding"] = EnumToString(options_.encoding);
  o["numeric_imputation"] = EnumToString(options_.numeric_imputation);
  o["numeric_fill_value"] = NumberToJson(options_.numeric_fill_value);
  o["categorical_imputation"] = EnumToString(options_.categorical_imputation);
  o["categorical_fill_value"] = StringToJson(options_.categorical_fill_value);
  o["all_missing"] = EnumToString(options_.all_missing);
  o["ordinal_unknown_value"] = NumberToJson(options_.ordinal_unknown_value);
  j["options"] = std::move(o);
  Json cols = Json::array();
  for (const FittedColumn& f : columns_) {
    Json c;
    c["name"] = StringToJson(f.name);
    c["type"] = std::string(ToString(f.type));
    c["dropped"] = f.dropped;
    if (f.type == ColumnType::kNumeric) {
      c["fill"] = NumberToJson(f.fill);
      c["center"] = NumberToJson(f.center);
      c["scale"] = NumberToJson(f.scale);
    } else {
      Json categories = Json::array();
      for (const std::string& category : f.categories) {
        categories.push_back(StringToJson(category));
      }
      c["categories"] = std::move(categories);
      c["fill_code"] = f.fill_code;
    }
    cols.push_back(std::move(c));
  }
  j["columns"] = std::move(cols);
  j["warnings"] = warnings_;
  // Warnings are for people: bytes that are not UTF-8 become U+FFFD there.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Preprocessor> Preprocessor::FromJson(std::string_view text) {
  // nlohmann reports malformed or mistyped JSON by exceptions; none leaves
  // this function.
  try {
    const Json j = Json::parse(text);
    if (!j.is_object() || !j.contains("format") ||
        j.at("format") != Json("hypertune.preprocessor")) {
      return Status::Corruption("preprocessor JSON: not a hypertune.preprocessor object");
    }
    const int version = j.at("version").get<int>();
    if (version != kJsonVersion) {
      return Status::Corruption("preprocessor JSON: version " + std::to_string(version) +
                                " (this build reads version " + std::to_string(kJsonVersion) + ")");
    }
    Preprocessor p;
    const Json& o = j.at("options");
    HT_ASSIGN_OR_RETURN(p.options_.scaling, EnumFromJson<Scaling>(o, "scaling"));
    HT_ASSIGN_OR_RETURN(p.options_.encoding, EnumFromJson<CategoricalEncoding>(o, "encoding"));
    HT_ASSIGN_OR_RETURN(p.options_.numeric_imputation,
                        EnumFromJson<NumericImputation>(o, "numeric_imputation"));
    HT_ASSIGN_OR_RETURN(p.options_.numeric_fill_value, NumberFromJson(o, "numeric_fill_value"));
    HT_ASSIGN_OR_RETURN(p.options_.categorical_imputation,
                        EnumFromJson<CategoricalImputation>(o, "categorical_imputation"));
    HT_ASSIGN_OR_RETURN(p.options_.categorical_fill_value,
                        StringFromJson(o.at("categorical_fill_value")));
    HT_ASSIGN_OR_RETURN(p.options_.all_missing, EnumFromJson<AllMissingColumn>(o, "all_missing"));
    HT_ASSIGN_OR_RETURN(p.options_.ordinal_unknown_value,
                        NumberFromJson(o, "ordinal_unknown_value"));
    for (const Json& c : j.at("columns")) {
      FittedColumn f;
      HT_ASSIGN_OR_RETURN(f.name, StringFromJson(c.at("name")));
      const std::string type = c.at("type").get<std::string>();
      f.dropped = c.at("dropped").get<bool>();
      if (type == "numeric") {
        f.type = ColumnType::kNumeric;
        HT_ASSIGN_OR_RETURN(f.fill, NumberFromJson(c, "fill"));
        HT_ASSIGN_OR_RETURN(f.center, NumberFromJson(c, "center"));
        HT_ASSIGN_OR_RETURN(f.scale, NumberFromJson(c, "scale"));
        if (!(f.scale != 0.0) || !std::isfinite(f.scale)) {
          return Status::Corruption("preprocessor JSON: column '" + f.name + "' has scale " +
                                    FormatNumber(f.scale));
        }
      } else if (type == "categorical") {
        f.type = ColumnType::kCategorical;
        if (!c.at("categories").is_array()) {
          return Status::Corruption("preprocessor JSON: column '" + f.name +
                                    "': categories is not an array");
        }
        for (const Json& category : c.at("categories")) {
          HT_ASSIGN_OR_RETURN(std::string name, StringFromJson(category));
          f.categories.push_back(std::move(name));
        }
        f.fill_code = c.at("fill_code").get<int32_t>();
        if (f.fill_code < -1 || f.fill_code >= static_cast<int64_t>(f.categories.size()) ||
            !std::is_sorted(f.categories.begin(), f.categories.end()) ||
            std::adjacent_find(f.categories.begin(), f.categories.end()) != f.categories.end()) {
          return Status::Corruption("preprocessor JSON: column '" + f.name +
                                    "': categories not sorted and distinct, or fill_code out "
                                    "of range");
        }
      } else {
        return Status::Corruption("preprocessor JSON: column '" + f.name + "' has type '" + type +
                                  "'");
      }
      p.columns_.push_back(std::move(f));
    }
    if (j.contains("warnings")) p.warnings_ = j.at("warnings").get<std::vector<std::string>>();
    p.Index();
    return p;
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("preprocessor JSON: ") + e.what());
  }
}

}  // namespace hypertune::ml
