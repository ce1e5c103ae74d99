#include "hypertune/core/frozen_trial.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "hypertune/core/json_lite.h"

namespace hypertune {

std::string_view ToString(TrialState s) {
  switch (s) {
    case TrialState::kRunning: return "RUNNING";
    case TrialState::kComplete: return "COMPLETE";
    case TrialState::kPruned: return "PRUNED";
    case TrialState::kFail: return "FAIL";
    case TrialState::kWaiting: return "WAITING";
  }
  return "UNKNOWN";
}

Result<TrialState> TrialStateFromString(std::string_view s) {
  for (TrialState t : {TrialState::kRunning, TrialState::kComplete, TrialState::kPruned,
                       TrialState::kFail, TrialState::kWaiting}) {
    if (s == ToString(t)) return t;
  }
  return Status::InvalidArgument("unknown trial state '" + std::string(s) +
                                 "' (expected RUNNING, COMPLETE, PRUNED, FAIL or WAITING)");
}

std::string_view ToString(StudyDirection d) {
  return d == StudyDirection::kMinimize ? "MINIMIZE" : "MAXIMIZE";
}

Result<StudyDirection> StudyDirectionFromString(std::string_view s) {
  std::string l(s);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  if (l == "minimize") return StudyDirection::kMinimize;
  if (l == "maximize") return StudyDirection::kMaximize;
  return Status::InvalidArgument("unknown direction '" + std::string(s) +
                                 "' (expected minimize or maximize)");
}

std::string JsonAttr(double v) { return json_lite::Encode(ParamValue(v)); }
std::string JsonAttr(int64_t v) { return json_lite::Encode(ParamValue(v)); }
std::string JsonAttr(bool v) { return v ? "true" : "false"; }
std::string JsonAttr(std::string_view v) { return json_lite::Encode(ParamValue(std::string(v))); }

double FrozenTrial::value() const {
  HT_CHECK(values.size() == 1) << "trial " << number << " has " << values.size()
                               << " values; value() needs exactly one";
  return values[0];
}

const TrialParam* FrozenTrial::FindParam(std::string_view name) const {
  for (const TrialParam& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

ParamValue FrozenTrial::param(std::string_view name) const {
  const TrialParam* p = FindParam(name);
  HT_CHECK(p != nullptr) << "trial " << number << " has no parameter '" << name << "'";
  return p->value();
}

std::optional<double> FrozenTrial::IntermediateValue(int64_t step) const {
  auto it = std::lower_bound(intermediate_values.begin(), intermediate_values.end(), step,
                             [](const auto& e, int64_t s) { return e.first < s; });
  if (it == intermediate_values.end() || it->first != step) return std::nullopt;
  return it->second;
}

std::optional<int64_t> FrozenTrial::LastStep() const {
  if (intermediate_values.empty()) return std::nullopt;
  return intermediate_values.back().first;
}

std::string FrozenTrial::FailReason() const {
  auto it = system_attrs.find(kAttrFailReason);
  if (it == system_attrs.end()) return "";
  auto v = json_lite::DecodeScalar(it->second);
  if (v.ok()) {
    if (const auto* s = std::get_if<std::string>(&*v)) return *s;
  }
  return it->second;
}

}  // namespace hypertune
