// FrozenTrial: an immutable snapshot of one trial, as samplers, pruners,
// storages and users see it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hypertune/core/distributions.h"

namespace hypertune {

// Same names and numeric order as Optuna's TrialState.
enum class TrialState { kRunning = 0, kComplete = 1, kPruned = 2, kFail = 3, kWaiting = 4 };
std::string_view ToString(TrialState s);  // "RUNNING", "COMPLETE", ...
Result<TrialState> TrialStateFromString(std::string_view s);
inline bool IsFinished(TrialState s) {
  return s == TrialState::kComplete || s == TrialState::kPruned ||
         s == TrialState::kFail;
}

enum class StudyDirection { kMinimize = 1, kMaximize = 2 };
std::string_view ToString(StudyDirection d);  // "MINIMIZE" / "MAXIMIZE"
Result<StudyDirection> StudyDirectionFromString(std::string_view s);

// One suggested parameter. The distribution is shared between all trials of a
// study that use it, so that 10,000 trials do not hold 10,000 copies.
struct TrialParam {
  std::string name;
  std::shared_ptr<const Distribution> distribution;
  double internal = 0.0;  // see distributions.h
  ParamValue value() const { return ToExternal(*distribution, internal); }
};

// Attribute values are stored as JSON text (Optuna stores them as JSON too).
// Use JsonAttr(...) to encode a scalar.
std::string JsonAttr(double v);
std::string JsonAttr(int64_t v);
std::string JsonAttr(bool v);
std::string JsonAttr(std::string_view v);  // quoted and escaped
inline std::string JsonAttr(const char* v) { return JsonAttr(std::string_view(v)); }

// System attribute keys used by hypertune itself.
inline constexpr std::string_view kAttrFailReason = "fail_reason";
inline constexpr std::string_view kAttrFixedParams = "fixed_params";

struct FrozenTrial {
  using Clock = std::chrono::system_clock;

  int64_t trial_id = -1;  // unique in the storage
  int number = -1;        // 0, 1, 2... within the study
  TrialState state = TrialState::kRunning;
  // One value per study direction; empty unless the trial is COMPLETE.
  std::vector<double> values;
  std::optional<Clock::time_point> datetime_start;
  std::optional<Clock::time_point> datetime_complete;
  // In the order they were suggested.
  std::vector<TrialParam> params;
  // (step, value), sorted by step, one value per step.
  std::vector<std::pair<int64_t, double>> intermediate_values;
  // Key -> JSON text.
  std::map<std::string, std::string, std::less<>> user_attrs;
  std::map<std::string, std::string, std::less<>> system_attrs;

  // Single-objective value. Preconditions: values.size() == 1.
  double value() const;
  const TrialParam* FindParam(std::string_view name) const;
  // The external value of a parameter. Preconditions: FindParam(name).
  ParamValue param(std::string_view name) const;
  // The value reported at `step`, if any.
  std::optional<double> IntermediateValue(int64_t step) const;
  // The last reported step, if any.
  std::optional<int64_t> LastStep() const;
  // The reason stored when the trial failed, or "".
  std::string FailReason() const;
};

}  // namespace hypertune
