// CSV reading speed: ReadCsv on each file given, REPEAT times; one JSON line
// per file with every wall time, the best, and the best process CPU time
// (both threads: on a shared machine it moves less than the wall time).
// bench/csv_bench.sh runs it next to pandas.read_csv.
//
//   csv_read_bench [--repeat N] FILE...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "hypertune/ml/csv.h"

namespace {

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

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
    std::vector<double> times, cpu_times;
    size_t rows = 0, cols = 0, categorical = 0;
    for (int r = 0; r < repeat; ++r) {
      const double cpu_start = CpuSeconds();
      const auto start = std::chrono::steady_clock::now();
      hypertune::Result<hypertune::ml::Table> t = hypertune::ml::ReadCsv(file);
      const auto stop = std::chrono::steady_clock::now();
      cpu_times.push_back(CpuSeconds() - cpu_start);
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
    std::printf(
        "{\"file\": \"%s\", \"rows\": %zu, \"cols\": %zu, \"categorical\": %zu, "
        "\"best_s\": %.6f, \"best_cpu_s\": %.6f, \"times_s\": [",
        file.c_str(), rows, cols, categorical, *std::min_element(times.begin(), times.end()),
        *std::min_element(cpu_times.begin(), cpu_times.end()));
    for (size_t i = 0; i < times.size(); ++i) std::printf("%s%.6f", i ? ", " : "", times[i]);
    std::printf("]}\n");
    std::fflush(stdout);
  }
  return 0;
}
