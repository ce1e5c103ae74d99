// LIBSVM / SVMlight text format: one row per line, "label index:value ...",
// 1-based ascending indices, absent indices are 0. "qid:N" tokens are
// ignored, '#' starts a comment, empty lines are skipped. Plain or gzip
// (detected by magic bytes).
//
//   LibsvmData d = ReadLibsvm("train.svm").value();
//   d.features.cols;               // the largest index seen (or num_features)
//   Table t = LibsvmToTable(d).value();  // dense columns f1..fN and "label"
//   Dataset ds = Dataset::Create(std::move(t), {.target = "label"}).value();
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/status.h"
#include "hypertune/ml/matrix.h"
#include "hypertune/ml/table.h"

namespace hypertune::ml {

struct LibsvmOptions {
  // The width of the matrix when larger than the largest index seen (so that
  // a test file matches its training file); 0: the largest index.
  size_t num_features = 0;
};

struct LibsvmData {
  CsrMatrix features;  // column j is the file's index j + 1
  std::vector<double> labels;
};

// InvalidArgument naming the file and line for: a bad label, an index that
// is not a positive integer or does not ascend, a value that is not a
// number, a token without ':', multi-label rows ("1,3"), an index beyond
// num_features when that is set.
Result<LibsvmData> ReadLibsvm(const std::string& path, const LibsvmOptions& options = {});
Result<LibsvmData> ParseLibsvm(std::string_view text, const LibsvmOptions& options = {},
                               std::string_view source_name = "<text>");

// Dense numeric columns "f1".."fN" (0 where absent) and the labels as a
// numeric column named `label_name`. InvalidArgument when rows x columns
// exceeds `max_cells` (a dense copy of a very sparse file would not fit).
Result<Table> LibsvmToTable(const LibsvmData& data, const std::string& label_name = "label",
                            size_t max_cells = size_t{1} << 30);

}  // namespace hypertune::ml
