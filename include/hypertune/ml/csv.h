// CSV reader: a file (plain or gzip, detected by its magic bytes) into a
// Table whose columns are typed automatically.
//
//   CsvOptions opts;                          // header, ',' (or sniffed), ...
//   opts.column_types["sex"] = ColumnType::kCategorical;
//   Result<Table> t = ReadCsv("../shared/data/adult_train.csv", opts);
//   if (!t.ok()) return t.status();  // "adult_train.csv:1234: expected 15
//                                    //  fields, found 14 (...)"
//
// What it accepts:
// - RFC 4180: fields in double quotes may hold delimiters, newlines and
//   doubled quotes (""). A quote inside an unquoted field is an ordinary
//   character. After a closing quote only spaces and a delimiter or the end
//   of the line may follow (anything else is an error).
// - Lines end in LF, CRLF or CR. A UTF-8 byte-order mark is skipped. Empty
//   lines are skipped.
// - Spaces and tabs around fields are trimmed (adult's ", " separators), as
//   are those around the header names; `trim_spaces = false` keeps them.
// - The delimiter is sniffed when not given: the most frequent of ',', ';',
//   tab and '|' outside quotes on the first line (',' on a tie or if none).
// - A field equal to one of `na_values` (quoted or not) is missing.
// - Types: a column is numeric when every non-missing field is a number
//   (what std::from_chars reads, with an optional '+'; "inf" too), else
//   categorical. A column that turns out categorical after numeric rows
//   gives those rows the number's shortest text ("007" becomes "7"); force
//   kCategorical to keep the exact text. An all-missing column is numeric.
//   Numbers are stored as double (integers above 2^53 lose precision).
// - Errors name the file and the line where the record starts:
//   ragged rows, an unterminated quote, a non-number in a column forced
//   numeric, an empty file, duplicate header names, gzip damage.
//
// Speed: one thread inflates or reads 1 MiB blocks while the caller's thread
// tokenizes them in place; numbers never become std::string, categories go
// through a hash table keyed by the bytes. bench/csv_bench.sh compares it
// with pandas.read_csv.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/status.h"
#include "hypertune/ml/table.h"

namespace hypertune::ml {

struct CsvOptions {
  // Unset: sniffed (see above).
  std::optional<char> delimiter;
  char quote = '"';
  // false: columns are named "column_1", "column_2", ...
  bool has_header = true;
  bool trim_spaces = true;
  std::vector<std::string> na_values = DefaultNaValues();
  // Forces the type of the named columns. A non-number in a column forced
  // kNumeric is an error; kCategorical keeps every field's text.
  std::map<std::string, ColumnType, std::less<>> column_types;

  // "", NA, N/A, ?, NaN, nan, null.
  static std::vector<std::string> DefaultNaValues();
};

// Reads `path`; errors are prefixed with the file's name. Empty header names
// become "Unnamed: <index>" (as pandas names them).
Result<Table> ReadCsv(const std::string& path, const CsvOptions& options = {});

// The same on text in memory; `source_name` stands for the file in errors.
Result<Table> ParseCsv(std::string_view text, const CsvOptions& options = {},
                       std::string_view source_name = "<text>");

}  // namespace hypertune::ml
