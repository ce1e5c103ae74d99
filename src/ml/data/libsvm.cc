#include "hypertune/ml/libsvm.h"

#include <charconv>
#include <limits>
#include <new>

#include "src/ml/data/input.h"
#include "src/ml/data/parse_number.h"

namespace hypertune::ml {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

Result<LibsvmData> ParseLibsvmImpl(std::string_view text, const LibsvmOptions& options,
                                   std::string_view source_name) {
  LibsvmData out;
  CsrMatrix& m = out.features;
  size_t max_index = 0;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    const size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    while (!line.empty() && (IsBlank(line.back()) || line.back() == '\r')) line.remove_suffix(1);
    while (!line.empty() && IsBlank(line.front())) line.remove_prefix(1);
    if (line.empty()) continue;
    auto error = [&](const std::string& msg) {
      return Status::InvalidArgument(std::string(source_name) + ":" + std::to_string(line_no) +
                                     ": " + msg);
    };
    // Tokens separated by blanks.
    size_t at = 0;
    auto next_token = [&]() {
      while (at < line.size() && IsBlank(line[at])) ++at;
      const size_t start = at;
      while (at < line.size() && !IsBlank(line[at])) ++at;
      return line.substr(start, at - start);
    };
    const std::string_view label = next_token();
    double y;
    if (label.find(',') != std::string_view::npos) {
      return error("multi-label row ('" + std::string(label) + "') is not supported");
    }
    if (!internal::ParseDouble(label.data(), label.data() + label.size(), &y)) {
      return error("label '" + std::string(label) + "' is not a number");
    }
    out.labels.push_back(y);
    size_t previous = 0;
    for (std::string_view token = next_token(); !token.empty(); token = next_token()) {
      const size_t colon = token.find(':');
      if (colon == std::string_view::npos) {
        return error("'" + std::string(token) + "' is not index:value");
      }
      const std::string_view key = token.substr(0, colon);
      const std::string_view value = token.substr(colon + 1);
      if (key == "qid") continue;
      uint64_t index = 0;
      const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
      if (ec != std::errc() || end != key.data() + key.size() || index == 0 ||
          index > std::numeric_limits<uint32_t>::max()) {
        return error("index '" + std::string(key) + "' is not an integer in 1.." +
                     std::to_string(std::numeric_limits<uint32_t>::max()));
      }
      if (index <= previous) {
        return error("index " + std::to_string(index) + " after " + std::to_string(previous) +
                     " (indices must ascend)");
      }
      if (options.num_features > 0 && index > options.num_features) {
        return error("index " + std::to_string(index) +
                     " is beyond num_features = " + std::to_string(options.num_features));
      }
      double v;
      if (!internal::ParseDouble(value.data(), value.data() + value.size(), &v)) {
        return error("value '" + std::string(value) + "' of index " + std::to_string(index) +
                     " is not a number");
      }
      previous = index;
      max_index = std::max(max_index, static_cast<size_t>(index));
      m.indices.push_back(static_cast<uint32_t>(index - 1));
      m.values.push_back(v);
    }
    m.indptr.push_back(m.values.size());
  }
  m.rows = out.labels.size();
  m.cols = std::max(max_index, options.num_features);
  return out;
}

}  // namespace

Result<LibsvmData> ParseLibsvm(std::string_view text, const LibsvmOptions& options,
                               std::string_view source_name) {
  try {
    return ParseLibsvmImpl(text, options, source_name);
  } catch (const std::bad_alloc&) {
    return Status::Unavailable(std::string(source_name) + ": out of memory while reading");
  }
}

Result<LibsvmData> ReadLibsvm(const std::string& path, const LibsvmOptions& options) {
  HT_ASSIGN_OR_RETURN(std::string text, internal::ReadFileContents(path));
  return ParseLibsvm(text, options, path);
}

Result<Table> LibsvmToTable(const LibsvmData& data, const std::string& label_name,
                            size_t max_cells) {
  const CsrMatrix& m = data.features;
  if (m.cols > 0 && m.rows > max_cells / m.cols) {
    return Status::InvalidArgument(
        "a dense table of " + std::to_string(m.rows) + " x " + std::to_string(m.cols) +
        " exceeds max_cells = " + std::to_string(max_cells) + "; use the CSR matrix");
  }
  std::vector<Column> columns;
  columns.reserve(m.cols + 1);
  for (size_t j = 0; j < m.cols; ++j) {
    columns.push_back(
        Column::Numeric("f" + std::to_string(j + 1), std::vector<double>(m.rows, 0.0)));
  }
  for (size_t r = 0; r < m.rows; ++r) {
    for (size_t k = m.indptr[r]; k < m.indptr[r + 1]; ++k) {
      columns[m.indices[k]].numeric[r] = m.values[k];
    }
  }
  columns.push_back(Column::Numeric(label_name, data.labels));
  return Table::Create(std::move(columns));
}

}  // namespace hypertune::ml
