// ParamSpec: how one parameter's distribution maps to the space where the
// TPE kernels live (Optuna's "uniform" space):
//   float                continuous on [low, high]
//   float, log           continuous on [log low, log high]
//   float, step          discrete: grid low + k*step, kernels on [low - step/2, high + step/2]
//   int                  discrete: grid low + k*step, kernels on [low - step/2, high + step/2]
//   int, log             continuous on [log(low - 0.5), log(high + 0.5)], rounded after sampling
//   categorical          the choice index
#pragma once

#include <cmath>
#include <cstdint>

#include "hypertune/core/distributions.h"

namespace hypertune::tpe {

struct ParamSpec {
  enum class Kind : uint8_t { kContinuous, kDiscrete, kCategorical };
  Kind kind = Kind::kContinuous;
  bool log = false;     // kernels on log(value)
  bool is_int = false;  // values are integers
  double low = 0.0;     // kernel support, transformed space
  double high = 1.0;
  double step = 0.0;   // kDiscrete: grid step
  double first = 0.0;  // smallest value of the distribution (internal)
  double last = 1.0;   // largest value of the distribution (internal)
  int n_choices = 0;   // kCategorical

  // Preconditions: Validate(d).ok() and !IsSingle(d).
  static ParamSpec From(const Distribution& d);

  // Internal value -> kernel space (log for log scales).
  double Transform(double internal) const { return log ? std::log(internal) : internal; }
  // Kernel space -> a value the distribution contains (rounded onto the grid,
  // clamped to the range).
  double ToInternal(double y) const;
  // kDiscrete: index of a grid value.
  int64_t GridIndex(double y) const {
    return static_cast<int64_t>(std::floor((y - first) / step + 0.5));
  }
  // kDiscrete: number of grid values.
  int64_t GridSize() const { return GridIndex(last) + 1; }
  double range() const { return high - low; }
};

}  // namespace hypertune::tpe
