// Test support for the ml tests: scikit-learn's values, generated at test time
// by tests/ml/make_ml_fixtures.py (/usr/bin/python3, python3-sklearn 1.2.1)
// and cached beside the test binary, and a small CSV reader for the datasets
// in ../shared/data (the real CSV reader is the data layer's; this one only
// reads the leading numeric columns of a file with a header).
//
//   const nlohmann::json* f = SklearnFixture("metrics");
//   ASSERT_NE(f, nullptr);
//   for (const auto& c : (*f)["classification"]) ...
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "hypertune/ml/metrics.h"

namespace hypertune::ml::testing {

namespace fs = std::filesystem;

inline fs::path TestsMlDir() { return fs::path(__FILE__).parent_path(); }

// The datasets live beside the repository: <repo>/../shared/data.
inline fs::path DataDir() { return TestsMlDir() / ".." / ".." / ".." / "shared" / "data"; }

// The JSON the script writes for `what` ("metrics" or "kmeans"); nullptr,
// with the reason on stderr, when it cannot be made. The file is made once
// per build directory and again when the script changes; a lock keeps
// parallel test processes from making it at the same time.
inline const nlohmann::json* SklearnFixture(const std::string& what) {
  static std::map<std::string, nlohmann::json> loaded;
  if (auto it = loaded.find(what); it != loaded.end()) return &it->second;

  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  const fs::path dir = (ec ? fs::temp_directory_path() : exe.parent_path()) / "ml_fixtures";
  fs::create_directories(dir, ec);
  const fs::path script = TestsMlDir() / "make_ml_fixtures.py";
  const fs::path out = dir / (what + ".json");

  const int lock = ::open((dir / (what + ".lock")).c_str(), O_CREAT | O_RDWR, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    std::cerr << "cannot lock " << dir / (what + ".lock") << "\n";
    if (lock >= 0) ::close(lock);
    return nullptr;
  }
  const bool fresh = fs::exists(out) && fs::last_write_time(out) >= fs::last_write_time(script);
  if (!fresh) {
    const std::string cmd = "/usr/bin/python3 '" + script.string() + "' " + what + " '" +
                            out.string() + "' --data-dir '" + DataDir().string() + "'";
    if (std::system(cmd.c_str()) != 0) {
      std::cerr << "fixture script failed: " << cmd << "\n";
      ::close(lock);
      return nullptr;
    }
  }
  ::close(lock);  // releases the lock
  std::ifstream in(out);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    std::cerr << "cannot parse " << out << "\n";
    return nullptr;
  }
  return &(loaded[what] = std::move(j));
}

// The first n_cols columns of a CSV file with a header row, as doubles.
// Aborts the test program on a malformed file (these are fixed datasets).
inline RowMajorMatrixXd ReadNumericCsv(const fs::path& path, int n_cols) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot open " << path << "\n";
    std::abort();
  }
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> values;
  int64_t rows = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const char* p = line.c_str();
    for (int c = 0; c < n_cols; ++c) {
      char* end = nullptr;
      values.push_back(std::strtod(p, &end));
      if (end == p || (c + 1 < n_cols && *end != ',')) {
        std::cerr << path << ": row " << rows + 1 << ", column " << c + 1 << " is not numeric\n";
        std::abort();
      }
      p = end + 1;
    }
    ++rows;
  }
  RowMajorMatrixXd m(rows, n_cols);
  std::copy(values.begin(), values.end(), m.data());
  return m;
}

template <class T>
std::vector<T> Vec(const nlohmann::json& j) {
  return j.get<std::vector<T>>();
}

}  // namespace hypertune::ml::testing
