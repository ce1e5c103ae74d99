#include "hypertune/ml/csv.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <optional>

#include "src/ml/data/category_dict.h"
#include "src/ml/data/input.h"
#include "src/ml/data/parse_number.h"

namespace hypertune::ml {
namespace {

using internal::CategoryDict;
using internal::ParseDouble;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Accumulates one column while the file is read: numbers until a field is
// not one, then categories.
struct ColumnBuilder {
  std::string name;
  std::optional<ColumnType> forced;
  bool categorical = false;
  std::vector<double> numbers;
  std::vector<int32_t> codes;
  CategoryDict dict;

  void ToCategorical() {
    codes.reserve(std::max(codes.capacity(), numbers.capacity()));
    for (double x : numbers) {
      codes.push_back(std::isnan(x) ? Column::kMissingCode : dict.Intern(FormatNumber(x)));
    }
    std::vector<double>().swap(numbers);
    categorical = true;
  }
};

// A field of the record being read: bytes in the input, or in scratch_ when
// unescaping doubled quotes made a copy.
struct FieldRef {
  const char* data;  // nullptr: in scratch at `offset`
  size_t offset;
  size_t size;
  bool quoted;
};

class CsvParser {
 public:
  CsvParser(const CsvOptions& options, std::string source)
      : options_(options), source_(std::move(source)) {}

  Status Init();
  // Parses the complete records in [begin, end) and returns where the
  // unfinished last one starts (end when there is none). With `final`, the
  // end of the data ends the last record.
  Result<const char*> Parse(const char* begin, const char* end, bool final);
  // Reserves room for the rows of a file of `total_bytes`, judging by the
  // rows read so far.
  void Reserve(size_t total_bytes);
  Result<Table> Finish();

 private:
  enum class RecordState { kComplete, kIncomplete, kError };
  enum CharClass : uint8_t { kOrdinary = 0, kStop = 1 };

  RecordState ReadRecord(const char*& pos, const char* end, bool final);
  Status OnHeader();
  Status OnRow(size_t line);
  // The fast path: a line [p, end) known to hold no quote and no CR.
  Status OnSimpleLine(const char* p, const char* end, size_t line);
  // Stores one field; false (with error_ set) when it cannot. Inlined: it
  // runs once per field.
  [[gnu::always_inline]] inline bool AddField(ColumnBuilder& col, std::string_view text,
                                              size_t line);
  // The cold part of AddField: a field that is not a number.
  [[gnu::noinline]] bool AddNonNumber(ColumnBuilder& col, std::string_view text, size_t line);
  Status FieldCountError(size_t line, size_t found, std::string_view extra) const;
  std::string_view FieldText(const FieldRef& f) const {
    return f.data != nullptr ? std::string_view(f.data, f.size)
                             : std::string_view(scratch_.data() + f.offset, f.size);
  }
  bool IsSpace(char c) const { return c == ' ' || (c == '\t' && delimiter_ != '\t'); }
  bool IsNa(std::string_view s) const {
    if (s.empty()) return na_empty_;
    if (s.size() > na_max_size_ || !na_first_[static_cast<unsigned char>(s[0])]) return false;
    for (const std::string& na : options_.na_values) {
      if (na == s) return true;
    }
    return false;
  }
  std::string ColumnName(size_t i) const {
    return i < columns_.size() ? columns_[i].name : "column_" + std::to_string(i + 1);
  }
  Status Error(size_t line, const std::string& message) const {
    return Status::InvalidArgument(source_ + ":" + std::to_string(line) + ": " + message);
  }

  const CsvOptions& options_;
  std::string source_;
  char delimiter_ = ',';
  char quote_ = '"';
  bool trim_ = true;
  std::array<uint8_t, 256> class_{};
  std::array<bool, 256> na_first_{};
  bool na_empty_ = false;
  size_t na_max_size_ = 0;

  bool started_ = false;  // BOM and delimiter handled
  bool have_columns_ = false;
  size_t line_ = 1;  // line where the next record starts
  size_t rows_ = 0;
  size_t bytes_ = 0;  // consumed so far
  std::vector<FieldRef> fields_;
  std::string scratch_;
  Status error_;
  std::vector<ColumnBuilder> columns_;
};

Status CsvParser::Init() {
  quote_ = options_.quote;
  trim_ = options_.trim_spaces;
  for (const std::string& na : options_.na_values) {
    if (na.empty()) {
      na_empty_ = true;
      continue;
    }
    na_first_[static_cast<unsigned char>(na[0])] = true;
    na_max_size_ = std::max(na_max_size_, na.size());
  }
  if (quote_ == '\n' || quote_ == '\r') {
    return Status::InvalidArgument(source_ + ": the quote character cannot be a line break");
  }
  return Status::Ok();
}

// The most frequent candidate outside quotes on the first line; ',' on a tie
// or when none occurs.
char SniffDelimiter(const char* p, const char* end, char quote) {
  constexpr std::array<char, 4> kCandidates = {',', ';', '\t', '|'};
  std::array<size_t, 4> counts{};
  bool in_quotes = false;
  for (; p != end; ++p) {
    if (*p == quote) {
      in_quotes = !in_quotes;
    } else if (!in_quotes) {
      if (*p == '\n' || *p == '\r') break;
      for (size_t k = 0; k < kCandidates.size(); ++k) counts[k] += *p == kCandidates[k];
    }
  }
  size_t best = 0;
  for (size_t k = 1; k < kCandidates.size(); ++k) {
    if (counts[k] > counts[best]) best = k;
  }
  return kCandidates[best];
}

// Counts line breaks in [p, end): LF, CRLF and a lone CR each count once.
size_t CountLineBreaks(const char* p, const char* end) {
  size_t n = 0;
  for (; p != end; ++p) {
    if (*p == '\n') {
      ++n;
    } else if (*p == '\r' && (p + 1 == end || p[1] != '\n')) {
      ++n;
    }
  }
  return n;
}

CsvParser::RecordState CsvParser::ReadRecord(const char*& pos, const char* end, bool final) {
  const char* p = pos;
  fields_.clear();
  scratch_.clear();
  size_t inner_breaks = 0;  // line breaks inside quoted fields
  for (;;) {
    if (trim_) {
      while (p != end && IsSpace(*p)) ++p;
    }
    FieldRef field{nullptr, 0, 0, false};
    if (p != end && *p == quote_) {
      field.quoted = true;
      const size_t open_line = line_ + inner_breaks;
      ++p;
      const char* start = p;
      bool copied = false;
      const size_t scratch_begin = scratch_.size();
      for (;;) {
        const auto* q =
            static_cast<const char*>(std::memchr(p, quote_, static_cast<size_t>(end - p)));
        if (q == nullptr) {
          if (!final) return RecordState::kIncomplete;
          error_ = Error(open_line, "column '" + ColumnName(fields_.size()) +
                                        "': quoted field is never closed");
          return RecordState::kError;
        }
        inner_breaks += CountLineBreaks(p, q);
        if (q + 1 == end && !final) return RecordState::kIncomplete;  // "" split by the block
        if (q + 1 != end && q[1] == quote_) {
          scratch_.append(start, q + 1);
          copied = true;
          p = q + 2;
          start = p;
          continue;
        }
        if (copied) {
          scratch_.append(start, q);
          field.offset = scratch_begin;
          field.size = scratch_.size() - scratch_begin;
        } else {
          field.data = start;
          field.size = static_cast<size_t>(q - start);
        }
        p = q + 1;
        break;
      }
      if (trim_) {
        while (p != end && IsSpace(*p)) ++p;
      }
      if (p == end) {
        if (!final) return RecordState::kIncomplete;
        fields_.push_back(field);
        break;
      }
      if (*p == delimiter_) {
        fields_.push_back(field);
        ++p;
        continue;
      }
      if (*p != '\n' && *p != '\r') {
        error_ = Error(line_ + inner_breaks, "column '" + ColumnName(fields_.size()) +
                                                 "': unexpected '" + std::string(1, *p) +
                                                 "' after the closing quote of a quoted field");
        return RecordState::kError;
      }
      fields_.push_back(field);
    } else {
      const char* start = p;
      while (p != end && class_[static_cast<unsigned char>(*p)] == kOrdinary) ++p;
      const char* stop = p;
      if (trim_) {
        while (stop != start && IsSpace(stop[-1])) --stop;
      }
      field.data = start;
      field.size = static_cast<size_t>(stop - start);
      if (p == end) {
        if (!final) return RecordState::kIncomplete;
        fields_.push_back(field);
        break;
      }
      fields_.push_back(field);
      if (*p == delimiter_) {
        ++p;
        continue;
      }
    }
    // *p is a line break.
    if (*p == '\r') {
      if (p + 1 == end && !final) return RecordState::kIncomplete;
      p += (p + 1 != end && p[1] == '\n') ? 2 : 1;
    } else {
      ++p;
    }
    break;
  }
  line_ += 1 + inner_breaks;
  pos = p;
  return RecordState::kComplete;
}

Result<const char*> CsvParser::Parse(const char* begin, const char* end, bool final) {
  const char* p = begin;
  if (!started_) {
    if (end - p < 3 && !final) return p;
    if (end - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    delimiter_ =
        options_.delimiter.has_value() ? *options_.delimiter : SniffDelimiter(p, end, quote_);
    if (delimiter_ == quote_ || delimiter_ == '\n' || delimiter_ == '\r' ||
        (trim_ && delimiter_ == ' ')) {
      return Status::InvalidArgument(source_ + ": cannot use '" + std::string(1, delimiter_) +
                                     "' as the delimiter" +
                                     (delimiter_ == ' ' ? " with trim_spaces" : ""));
    }
    class_[static_cast<unsigned char>(delimiter_)] = kStop;
    class_['\n'] = kStop;
    class_['\r'] = kStop;
    started_ = true;
  }
  while (p != end) {
    if (have_columns_) {
      // Most lines hold no quote: find the line end with memchr, then split
      // it and store the fields in one pass.
      const auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      if (nl != nullptr) {
        const char* line_end = (nl != p && nl[-1] == '\r') ? nl - 1 : nl;
        const auto len = static_cast<size_t>(line_end - p);
        if (std::memchr(p, quote_, len) == nullptr && std::memchr(p, '\r', len) == nullptr) {
          const char* q = p;
          if (trim_) {
            while (q != line_end && IsSpace(*q)) ++q;
          }
          if (q != line_end) HT_RETURN_IF_ERROR(OnSimpleLine(p, line_end, line_));
          bytes_ += static_cast<size_t>(nl + 1 - p);
          ++line_;
          p = nl + 1;
          continue;
        }
      }
    }
    const size_t line = line_;
    const char* record_start = p;
    const RecordState state = ReadRecord(p, end, final);
    if (state == RecordState::kIncomplete) return record_start;
    if (state == RecordState::kError) return error_;
    bytes_ += static_cast<size_t>(p - record_start);
    // Blank lines are skipped, as pandas does.
    if (fields_.size() == 1 && fields_[0].size == 0 && !fields_[0].quoted) continue;
    if (!have_columns_) {
      HT_RETURN_IF_ERROR(OnHeader());
      if (options_.has_header) continue;
    }
    HT_RETURN_IF_ERROR(OnRow(line));
  }
  return p;
}

Status CsvParser::OnHeader() {
  have_columns_ = true;
  columns_.resize(fields_.size());
  for (size_t i = 0; i < fields_.size(); ++i) {
    std::string& name = columns_[i].name;
    if (!options_.has_header) {
      name = "column_" + std::to_string(i + 1);
    } else {
      name = std::string(FieldText(fields_[i]));
      if (name.empty()) name = "Unnamed: " + std::to_string(i);
    }
    for (size_t j = 0; j < i; ++j) {
      if (columns_[j].name == name) {
        return Error(1, "duplicate column name '" + name + "' (columns " + std::to_string(j + 1) +
                            " and " + std::to_string(i + 1) + ")");
      }
    }
  }
  for (const auto& [name, type] : options_.column_types) {
    auto it = std::find_if(columns_.begin(), columns_.end(),
                           [&](const ColumnBuilder& c) { return c.name == name; });
    if (it == columns_.end()) {
      std::vector<std::string> names;
      for (const ColumnBuilder& c : columns_) names.push_back(c.name);
      return Status::InvalidArgument(source_ + ": column_types names '" + name +
                                     "', which is not a column (columns: " + JoinNames(names) +
                                     ")");
    }
    it->forced = type;
    it->categorical = type == ColumnType::kCategorical;
  }
  return Status::Ok();
}

Status CsvParser::FieldCountError(size_t line, size_t found, std::string_view extra) const {
  const size_t n = columns_.size();
  std::string detail;
  if (found < n) {
    detail = " (the row ends before column '" + columns_[found].name + "')";
  } else {
    detail =
        " (extra field '" + std::string(extra) + "' after column '" + columns_[n - 1].name + "')";
  }
  return Error(
      line, "expected " + std::to_string(n) + " fields, found " + std::to_string(found) + detail);
}

inline bool CsvParser::AddField(ColumnBuilder& col, std::string_view text, size_t line) {
  if (IsNa(text)) {
    if (col.categorical) {
      col.codes.push_back(Column::kMissingCode);
    } else {
      col.numbers.push_back(kNaN);
    }
    return true;
  }
  if (!col.categorical) {
    double v;
    if (ParseDouble(text.data(), text.data() + text.size(), &v)) {
      col.numbers.push_back(v);
      return true;
    }
    return AddNonNumber(col, text, line);
  }
  col.codes.push_back(col.dict.Intern(text));
  return true;
}

bool CsvParser::AddNonNumber(ColumnBuilder& col, std::string_view text, size_t line) {
  if (col.forced == ColumnType::kNumeric) {
    error_ = Error(line, "column '" + col.name + "': '" + std::string(text) +
                             "' is not a number (the column is forced numeric)");
    return false;
  }
  col.ToCategorical();
  col.codes.push_back(col.dict.Intern(text));
  return true;
}

Status CsvParser::OnRow(size_t line) {
  const size_t n = columns_.size();
  if (fields_.size() != n) {
    return FieldCountError(line, fields_.size(),
                           fields_.size() > n ? FieldText(fields_[n]) : std::string_view());
  }
  for (size_t c = 0; c < n; ++c) {
    if (!AddField(columns_[c], FieldText(fields_[c]), line)) return error_;
  }
  ++rows_;
  return Status::Ok();
}

Status CsvParser::OnSimpleLine(const char* p, const char* end, size_t line) {
  const size_t n = columns_.size();
  size_t c = 0;
  for (;;) {
    const char* start = p;
    while (p != end && *p != delimiter_) ++p;
    const char* stop = p;
    if (trim_) {
      while (start != stop && IsSpace(*start)) ++start;
      while (stop != start && IsSpace(stop[-1])) --stop;
    }
    const std::string_view text(start, static_cast<size_t>(stop - start));
    if (c == n) {
      return FieldCountError(line, n + 1 + static_cast<size_t>(std::count(p, end, delimiter_)),
                             text);
    }
    if (!AddField(columns_[c], text, line)) return error_;
    ++c;
    if (p == end) break;
    ++p;
  }
  if (c != n) return FieldCountError(line, c, {});
  ++rows_;
  return Status::Ok();
}

void CsvParser::Reserve(size_t total_bytes) {
  if (rows_ == 0 || bytes_ == 0 || total_bytes <= bytes_) return;
  const double per_row = static_cast<double>(bytes_) / static_cast<double>(rows_);
  const auto rows = static_cast<size_t>(static_cast<double>(total_bytes) / per_row * 1.05) + 16;
  // Only a hint (a gzip trailer can mislead): without the room, the vectors
  // grow as they go.
  try {
    for (ColumnBuilder& c : columns_) {
      if (c.categorical) {
        c.codes.reserve(rows);
      } else {
        c.numbers.reserve(rows);
      }
    }
  } catch (const std::bad_alloc&) {
  }
}

Result<Table> CsvParser::Finish() {
  if (!have_columns_) {
    return Status::InvalidArgument(source_ + ": empty file (no " +
                                   (options_.has_header ? "header" : "data") + " line)");
  }
  std::vector<Column> columns;
  columns.reserve(columns_.size());
  for (ColumnBuilder& b : columns_) {
    if (b.categorical) {
      columns.push_back(
          Column::Categorical(std::move(b.name), std::move(b.codes), std::move(b.dict).Take()));
    } else {
      columns.push_back(Column::Numeric(std::move(b.name), std::move(b.numbers)));
    }
  }
  columns_.clear();
  return Table::Create(std::move(columns));
}

}  // namespace

std::vector<std::string> CsvOptions::DefaultNaValues() {
  return {"", "NA", "N/A", "?", "NaN", "nan", "null"};
}

namespace {

Status OutOfMemory(std::string_view source) {
  return Status::Unavailable(std::string(source) + ": out of memory while reading");
}

Result<Table> ParseCsvImpl(std::string_view text, const CsvOptions& options,
                           std::string_view source_name) {
  CsvParser parser(options, std::string(source_name));
  HT_RETURN_IF_ERROR(parser.Init());
  HT_ASSIGN_OR_RETURN(const char* rest,
                      parser.Parse(text.data(), text.data() + text.size(), /*final=*/true));
  (void)rest;
  return parser.Finish();
}

Result<Table> ReadCsvImpl(const std::string& path, const CsvOptions& options) {
  HT_ASSIGN_OR_RETURN(std::unique_ptr<internal::BlockReader> reader,
                      internal::BlockReader::Open(path));
  CsvParser parser(options, path);
  HT_RETURN_IF_ERROR(parser.Init());
  internal::Block block;
  std::string carry;   // the unfinished record at the end of the last block
  std::string joined;  // carry + block, when carry does not fit the headroom
  bool reserved = false;
  for (;;) {
    HT_ASSIGN_OR_RETURN(bool more, reader->Next(&block));
    if (!more) break;
    const char* begin;
    const char* end;
    if (carry.size() <= block.begin) {
      block.begin -= carry.size();
      if (!carry.empty()) std::memcpy(block.data(), carry.data(), carry.size());
      begin = block.data();
      end = begin + block.size();
    } else {
      joined.assign(carry);
      joined.append(block.data(), block.size());
      begin = joined.data();
      end = begin + joined.size();
    }
    HT_ASSIGN_OR_RETURN(const char* rest, parser.Parse(begin, end, /*final=*/false));
    carry.assign(rest, end);
    if (!reserved) {
      parser.Reserve(reader->size_hint());
      reserved = true;
    }
  }
  HT_ASSIGN_OR_RETURN(const char* rest,
                      parser.Parse(carry.data(), carry.data() + carry.size(), /*final=*/true));
  (void)rest;
  return parser.Finish();
}

}  // namespace

Result<Table> ParseCsv(std::string_view text, const CsvOptions& options,
                       std::string_view source_name) {
  try {
    return ParseCsvImpl(text, options, source_name);
  } catch (const std::bad_alloc&) {
    return OutOfMemory(source_name);
  }
}

Result<Table> ReadCsv(const std::string& path, const CsvOptions& options) {
  try {
    return ReadCsvImpl(path, options);
  } catch (const std::bad_alloc&) {
    return OutOfMemory(path);
  }
}

}  // namespace hypertune::ml
