// CSV reading speed: ReadCsv on each file given, REPEAT times; one JSON line
// per file with every time and the best. bench/csv_bench.sh runs it next to
// pandas.read_csv.
//
//   csv_read_bench [--repeat N] FILE...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "hypertune/ml/csv.h"

int main(int argc, char** argv) {
  int repeat = 5;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else {
      files.emplace_back(argv[i]);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s [--repeat N] FILE...\n", argv[0]);
    return 2;
  }
  for (const std::string& file : files) {
    std::vector<double> times;
    size_t rows = 0, cols = 0, categorical = 0;
    for (int r = 0; r < repeat; ++r) {
      const auto start = std::chrono::steady_clock::now();
      hypertune::Result<hypertune::ml::Table> t = hypertune::ml::ReadCsv(file);
      const auto stop = std::chrono::steady_clock::now();
      if (!t.ok()) {
        std::fprintf(stderr, "%s\n", t.status().ToString().c_str());
        return 1;
      }
      times.push_back(std::chrono::duration<double>(stop - start).count());
      rows = t->num_rows();
      cols = t->num_columns();
      categorical = 0;
      for (const auto& c : t->columns()) {
        categorical += c.type == hypertune::ml::ColumnType::kCategorical;
      }
    }
    std::printf("{\"file\": \"%s\", \"rows\": %zu, \"cols\": %zu, \"categorical\": %zu, "
                "\"best_s\": %.6f, \"times_s\": [",
                file.c_str(), rows, cols, categorical,
                *std::min_element(times.begin(), times.end()));
    for (size_t i = 0; i < times.size(); ++i) std::printf("%s%.6f", i ? ", " : "", times[i]);
    std::printf("]}\n");
    std::fflush(stdout);
  }
  return 0;
}
