// Helpers for the journal storage tests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hypertune/core/journal_storage.h"
#include "tests/core/storages/sqlite_test_util.h"  // TempDir

namespace hypertune::testing {

inline std::string JournalUrl(const std::string& path) { return "journal:///" + path; }

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void AppendRaw(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
}

inline void WriteRaw(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

}  // namespace hypertune::testing
