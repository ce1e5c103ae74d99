// Parameter distributions: the value space of one hyperparameter.
//
// Semantics follow Optuna's distributions so that studies can be shared with
// it. Every distribution maps an external value (what the objective sees) to
// an internal double (what samplers and storages work with):
//   FloatDistribution        the value itself
//   IntDistribution          the value as a double
//   CategoricalDistribution  the index of the choice
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "hypertune/core/status.h"

namespace hypertune {

// An external parameter value. std::monostate is Python's None (allowed in
// categorical choices, as in Optuna).
using ParamValue =
    std::variant<std::monostate, bool, int64_t, double, std::string>;

// "None", "true", "3", "0.1", "adam" (strings are not quoted).
std::string ToString(const ParamValue& v);

struct FloatDistribution {
  double low = 0.0;
  double high = 1.0;
  // Sample on a log scale; requires low > 0 and no step.
  bool log = false;
  // Values are low + k * step; the step must divide high - low.
  std::optional<double> step;

  friend bool operator==(const FloatDistribution&,
                         const FloatDistribution&) = default;
};

struct IntDistribution {
  int64_t low = 0;
  int64_t high = 1;
  // Sample on a log scale; requires low >= 1 and step == 1.
  bool log = false;
  // Values are low + k * step; the step must divide high - low.
  int64_t step = 1;

  friend bool operator==(const IntDistribution&,
                         const IntDistribution&) = default;
};

struct CategoricalDistribution {
  // Non-empty, no duplicates. Order matters: the internal value is the index.
  std::vector<ParamValue> choices;

  friend bool operator==(const CategoricalDistribution&,
                         const CategoricalDistribution&) = default;
};

using Distribution =
    std::variant<FloatDistribution, IntDistribution, CategoricalDistribution>;

// OK, or InvalidArgument naming the problem: low > high, log with low <= 0,
// log with a step, a non-positive step, a step that does not divide the
// range, non-finite bounds, empty or duplicate choices.
Status Validate(const Distribution& d);

// "FloatDistribution(low=1e-05, high=0.1, log=true)" and the like.
std::string ToString(const Distribution& d);

// True when the distribution holds exactly one value.
bool IsSingle(const Distribution& d);

// True when `internal` is a value of the distribution (within the range, on
// the step grid, a valid choice index).
bool Contains(const Distribution& d, double internal);

// External -> internal. InvalidArgument when the value has the wrong type or
// is not in the distribution (e.g. an enqueued parameter out of range).
Result<double> ToInternal(const Distribution& d, const ParamValue& v);

// Internal -> external. Preconditions: Contains(d, internal) up to rounding;
// ints and steps are rounded to the grid.
ParamValue ToExternal(const Distribution& d, double internal);

// Rounds and clips an internal value onto the distribution's grid and range.
// Samplers that work in a continuous space call this before returning.
double Snap(const Distribution& d, double internal);

}  // namespace hypertune
