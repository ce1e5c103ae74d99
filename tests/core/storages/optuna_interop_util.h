// Shared by the Optuna interoperability tests of the SQL storages: running
// optuna_interop.py (Optuna's side, with /usr/bin/python3) and comparing what
// Optuna sees of a study with what hypertune sees.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "hypertune/core/frozen_trial.h"

namespace hypertune::testing {

using Json = nlohmann::json;

inline const std::string kPython = "/usr/bin/python3";

inline std::string Script() {
  return (std::filesystem::path(__FILE__).parent_path() / "optuna_interop.py").string();
}

inline bool HaveOptuna() {
  return std::system((kPython + " -c 'import optuna' >/dev/null 2>&1").c_str()) == 0;
}

// Runs the helper script; returns its exit status.
inline int RunScript(const std::string& args) {
  return std::system((kPython + " '" + Script() + "' " + args).c_str());
}

inline Json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return Json::parse(in);
}

// The script's encoding of a double (non-finite values as strings).
inline double Num(const Json& j) {
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "nan") return std::nan("");
    return s == "inf" ? INFINITY : -INFINITY;
  }
  return j.get<double>();
}

inline void ExpectSameDouble(double a, double b, const std::string& what) {
  if (std::isnan(a) || std::isnan(b)) {
    EXPECT_TRUE(std::isnan(a) && std::isnan(b)) << what << ": " << a << " vs " << b;
  } else {
    EXPECT_EQ(a, b) << what;
  }
}

// Compares one trial as Optuna sees it (JSON from the script) with ours.
inline void ExpectSameTrial(const Json& o, const FrozenTrial& t) {
  const std::string where = "trial " + std::to_string(t.number);
  EXPECT_EQ(o["number"].get<int>(), t.number) << where;
  EXPECT_EQ(o["state"].get<std::string>(), ToString(t.state)) << where;
  EXPECT_EQ(o["has_start"].get<bool>(), t.datetime_start.has_value()) << where;
  EXPECT_EQ(o["has_complete"].get<bool>(), t.datetime_complete.has_value()) << where;
  ASSERT_EQ(o["values"].size(), t.values.size()) << where;
  for (size_t k = 0; k < t.values.size(); ++k)
    ExpectSameDouble(Num(o["values"][k]), t.values[k], where + " value");
  ASSERT_EQ(o["params"].size(), t.params.size()) << where;
  for (const TrialParam& p : t.params) {
    ASSERT_TRUE(o["params"].contains(p.name)) << where << " " << p.name;
    const Json& v = o["params"][p.name];
    const ParamValue ours = p.value();
    if (v.is_null()) {
      EXPECT_TRUE(std::holds_alternative<std::monostate>(ours)) << where << " " << p.name;
    } else if (v.is_string()) {
      EXPECT_EQ(v.get<std::string>(), std::get<std::string>(ours)) << where << " " << p.name;
    } else if (v.is_number_integer()) {
      EXPECT_EQ(v.get<int64_t>(), std::get<int64_t>(ours)) << where << " " << p.name;
    } else {
      EXPECT_EQ(v.get<double>(), std::get<double>(ours)) << where << " " << p.name;
    }
  }
  ASSERT_EQ(o["intermediate_values"].size(), t.intermediate_values.size()) << where;
  for (const auto& [step, value] : t.intermediate_values) {
    const std::string key = std::to_string(step);
    ASSERT_TRUE(o["intermediate_values"].contains(key)) << where << " step " << key;
    ExpectSameDouble(Num(o["intermediate_values"][key]), value, where + " step " + key);
  }
}

}  // namespace hypertune::testing
