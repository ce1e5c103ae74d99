// JSON as Python's json module writes it, which is what Optuna's journal holds:
// besides standard JSON, the bare tokens NaN, Infinity and -Infinity for
// non-finite floats. nlohmann::json reads none of them, hence this codec.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hypertune/core/status.h"

namespace hypertune::journal_internal {

struct JsonValue {
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;                 // kInt: a number without fraction or exponent that fits
  double d = 0.0;                // kDouble
  std::string s;                 // kString, decoded
  std::vector<JsonValue> items;  // kArray
  std::vector<std::pair<std::string, JsonValue>> members;  // kObject, in text order
  // The value's text in the parsed input (attribute values are kept as text).
  std::string_view raw;

  bool is_null() const { return kind == Kind::kNull; }
  bool is_number() const { return kind == Kind::kInt || kind == Kind::kDouble; }
  bool is_string() const { return kind == Kind::kString; }
  bool is_object() const { return kind == Kind::kObject; }
  bool is_array() const { return kind == Kind::kArray; }
  // Preconditions: is_number().
  double number() const { return kind == Kind::kInt ? static_cast<double>(i) : d; }
  // The member named `key` of an object, or nullptr (also for non-objects).
  // Python keeps the last of duplicate keys; so does this.
  const JsonValue* Find(std::string_view key) const;
  // "null", "bool", "int", ... for error messages.
  std::string_view KindName() const;
};

// Parses one JSON text. The raw views point into `text`, which must outlive
// the result. Errors (InvalidArgument) name the column (1-based) and the
// problem.
Result<JsonValue> ParseJson(std::string_view text);

// Appends `s` as a JSON string (quotes, escapes for ", \ and control
// characters; UTF-8 is written as is, which Python reads).
void AppendJsonString(std::string& out, std::string_view s);
// Appends a float as Python writes it: shortest text that reads back exactly,
// always with a '.' or an exponent ("1.0", "1e-05"), and NaN, Infinity,
// -Infinity.
void AppendJsonDouble(std::string& out, double v);

// Writes an object with Python's default separators (", " and ": "), as
// Optuna 3.1's json.dumps does.
class JsonObjectWriter {
 public:
  explicit JsonObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  // Starts a member; the caller then appends its value.
  std::string& Key(std::string_view key) {
    if (!first_) out_ += ", ";
    first_ = false;
    AppendJsonString(out_, key);
    out_ += ": ";
    return out_;
  }
  void Close() { out_ += '}'; }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace hypertune::journal_internal
