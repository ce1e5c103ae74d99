// Helpers shared by the ml data tests: where the shared datasets are, and
// running the reference Python (/usr/bin/python3 with pandas 1.5 and
// scikit-learn 1.2) to get the values ours must match.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace hypertune::ml::testing {

using Json = nlohmann::json;

inline const std::string kPython = "/usr/bin/python3";

// The datasets of /work/shared/data: ../shared/data next to the repository
// (HYPERTUNE_DATA_DIR overrides).
inline std::string DataPath(const std::string& name) {
  if (const char* dir = std::getenv("HYPERTUNE_DATA_DIR")) {
    return (std::filesystem::path(dir) / name).string();
  }
  // This file is <repo>/tests/ml/data/data_test_util.h.
  const auto repo =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
  return (repo.parent_path() / "shared" / "data" / name).lexically_normal().string();
}

inline std::string ScriptPath(const std::string& name) {
  return (std::filesystem::path(__FILE__).parent_path() / name).string();
}

inline bool HavePythonModules(const std::string& modules) {
  return std::system((kPython + " -c 'import " + modules + "' >/dev/null 2>&1").c_str()) == 0;
}

// Runs `/usr/bin/python3 <script> <args>` and parses its standard output as
// JSON; fails the test (and returns null) when it cannot.
inline Json RunPythonJson(const std::string& script, const std::string& args) {
  const std::string cmd = kPython + " '" + ScriptPath(script) + "' " + args;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << cmd;
    return nullptr;
  }
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int rc = pclose(pipe);
  if (rc != 0) {
    ADD_FAILURE() << cmd << " exited with status " << rc;
    return nullptr;
  }
  Json j = Json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) ADD_FAILURE() << cmd << " printed no JSON: " << out.substr(0, 500);
  return j;
}

// A directory for this test process's files, removed when it exits.
inline const std::filesystem::path& TempDir() {
  struct Dir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("hypertune_ml_data_" + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

// A file in TempDir() holding `contents`.
inline std::string WriteTempFile(const std::string& name, const std::string& contents) {
  const auto path = TempDir() / name;
  std::ofstream(path, std::ios::binary) << contents;
  return path.string();
}

}  // namespace hypertune::ml::testing
