// Test functions of the quality benchmark, C++ side.
//
// Each function here has a twin in bench/test_functions.py with the same name,
// parameters (names, order, ranges, scales), formula and known optimum; the
// runner compares the two at fixed points before running anything
// (`quality_bench --check` prints the C++ values).
//
// A function takes its values in parameter order; a categorical parameter is
// passed as the index of its choice. Everything is minimized; `optimum` is the
// exact (or best known) minimum and `optimizer` a point where it is reached.
// Sums are taken in the same order as in Python so that both agree to
// rounding.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "hypertune/core/distributions.h"
#include "hypertune/core/trial.h"

namespace hypertune::bench {

struct ParamSpec {
  enum class Kind { kFloat, kInt, kCategorical };
  std::string name;
  Kind kind = Kind::kFloat;
  double low = 0.0;
  double high = 1.0;
  bool log = false;
  std::vector<std::string> choices;  // kCategorical only
};

struct TestFunction {
  std::string name;
  std::vector<ParamSpec> params;
  double (*fn)(std::span<const double> x) = nullptr;
  double optimum = 0.0;
  std::vector<double> optimizer;

  double operator()(std::span<const double> x) const { return fn(x); }
};

// ---- Branin (2D). x1 in [-5, 10], x2 in [0, 15]; f* = 5 / (4 pi) at
// (pi, 2.275) and two other points.
inline double Branin(std::span<const double> x) {
  constexpr double kPi = std::numbers::pi;
  const double a = 1.0;
  const double b = 5.1 / (4.0 * kPi * kPi);
  const double c = 5.0 / kPi;
  const double r = 6.0;
  const double s = 10.0;
  const double t = 1.0 / (8.0 * kPi);
  const double u = x[1] - b * x[0] * x[0] + c * x[0] - r;
  return a * u * u + s * (1.0 - t) * std::cos(x[0]) + s;
}

// ---- Hartmann6 in [0, 1]^6. f* = -3.322368011415515 (scipy BFGS from the
// published optimizer; published as -3.32237).
inline double Hartmann6(std::span<const double> x) {
  static constexpr double kAlpha[4] = {1.0, 1.2, 3.0, 3.2};
  static constexpr double kA[4][6] = {{10.0, 3.0, 17.0, 3.5, 1.7, 8.0},
                                      {0.05, 10.0, 17.0, 0.1, 8.0, 14.0},
                                      {3.0, 3.5, 1.7, 10.0, 17.0, 8.0},
                                      {17.0, 8.0, 0.05, 10.0, 0.1, 14.0}};
  static constexpr double kP[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                      {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                      {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                      {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
  double total = 0.0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0.0;
    for (int j = 0; j < 6; ++j) {
      const double d = x[j] - kP[i][j];
      inner += kA[i][j] * d * d;
    }
    total += kAlpha[i] * std::exp(-inner);
  }
  return -total;
}

// ---- Rosenbrock (5D) in [-5, 10]^5; f* = 0 at (1, ..., 1).
inline double Rosenbrock(std::span<const double> x) {
  double total = 0.0;
  for (size_t i = 0; i + 1 < x.size(); ++i) {
    const double a = x[i + 1] - x[i] * x[i];
    const double b = 1.0 - x[i];
    total += 100.0 * a * a + b * b;
  }
  return total;
}

// ---- Ackley (5D) in [-32.768, 32.768]^5; f* = 0 at the origin.
inline double Ackley(std::span<const double> x) {
  const double d = static_cast<double>(x.size());
  double sum_sq = 0.0;
  double sum_cos = 0.0;
  for (double v : x) {
    sum_sq += v * v;
    sum_cos += std::cos(2.0 * std::numbers::pi * v);
  }
  return -20.0 * std::exp(-0.2 * std::sqrt(sum_sq / d)) - std::exp(sum_cos / d) + 20.0 +
         std::numbers::e;
}

// ---- Styblinski-Tang (8D) in [-5, 5]^8; f* = 8 * -39.16616570377141 at
// x_i = -2.903534027771177 (the root of 4x^3 - 32x + 5 in [-3, -2.5]).
inline constexpr double kStyblinskiTangX = -2.903534027771177;
inline constexpr double kStyblinskiTangF1 = -39.16616570377141;  // per dimension

inline double StyblinskiTang(std::span<const double> x) {
  double total = 0.0;
  for (double v : x) total += v * v * v * v - 16.0 * v * v + 5.0 * v;
  return 0.5 * total;
}

// ---- Levy (4D) in [-10, 10]^4; f* = 0 at (1, ..., 1).
inline double Levy(std::span<const double> x) {
  constexpr double kPi = std::numbers::pi;
  std::vector<double> w(x.size());
  for (size_t i = 0; i < x.size(); ++i) w[i] = 1.0 + (x[i] - 1.0) / 4.0;
  double s = std::sin(kPi * w[0]);
  double total = s * s;
  for (size_t i = 0; i + 1 < w.size(); ++i) {
    s = std::sin(kPi * w[i] + 1.0);
    total += (w[i] - 1.0) * (w[i] - 1.0) * (1.0 + 10.0 * s * s);
  }
  s = std::sin(2.0 * kPi * w.back());
  total += (w.back() - 1.0) * (w.back() - 1.0) * (1.0 + s * s);
  return total;
}

// ---- Mixed (5 parameters): x, y floats in [-5, 5], lr a log float in
// [1e-5, 1], n an int in [1, 16], kind a categorical in {a, b, c}.
//
// Each kind has its own centre (x0, y0, n0) and a bias; the log10 of lr should
// match u0 = -4 + n / 4, which couples the int and the log float:
//   f = dx^2 + 0.5 dy^2 + 0.5 dx dy + (log10(lr) - u0)^2 + 0.05 (n - n0)^2 + bias
// The quadratic form in (dx, dy) is positive definite, so f >= bias, with
// equality only at the centre. Only kind "b" has bias 0, so
// f* = 0 at x = -2.5, y = 1, lr = 0.1 (u0 = -4 + 12/4 = -1), n = 12, kind = b.
// The other kinds' minima (0.6 and 0.3) are local optima a sampler must leave.
inline double Mixed(std::span<const double> v) {
  static constexpr double kCenters[3][4] = {
      // x0, y0, n0, bias
      {1.5, -2.0, 4.0, 0.6},   // a
      {-2.5, 1.0, 12.0, 0.0},  // b: the global optimum
      {3.0, 3.0, 8.0, 0.3},    // c
  };
  const double* c = kCenters[static_cast<int>(v[4])];
  const double dx = v[0] - c[0];
  const double dy = v[1] - c[1];
  const double du = std::log10(v[2]) - (-4.0 + v[3] / 4.0);
  const double dn = v[3] - c[2];
  return dx * dx + 0.5 * dy * dy + 0.5 * dx * dy + du * du + 0.05 * dn * dn + c[3];
}

inline std::vector<ParamSpec> Floats(const std::string& prefix, int dim, double low, double high) {
  std::vector<ParamSpec> out;
  for (int i = 0; i < dim; ++i) {
    out.push_back({.name = prefix + std::to_string(i),
                   .kind = ParamSpec::Kind::kFloat,
                   .low = low,
                   .high = high});
  }
  return out;
}

inline const std::vector<TestFunction>& AllTestFunctions() {
  using K = ParamSpec::Kind;
  static const std::vector<TestFunction> kFunctions = {
      {"branin",
       {{.name = "x0", .kind = K::kFloat, .low = -5.0, .high = 10.0},
        {.name = "x1", .kind = K::kFloat, .low = 0.0, .high = 15.0}},
       Branin,
       5.0 / (4.0 * std::numbers::pi),
       {std::numbers::pi, 2.275}},
      {"hartmann6",
       Floats("x", 6, 0.0, 1.0),
       Hartmann6,
       -3.322368011415515,
       {0.20168951397760904, 0.15001069019946628, 0.4768739709136298, 0.27533243023964377,
        0.3116516154723292, 0.6573005311849274}},
      {"rosenbrock5", Floats("x", 5, -5.0, 10.0), Rosenbrock, 0.0, std::vector<double>(5, 1.0)},
      {"ackley5", Floats("x", 5, -32.768, 32.768), Ackley, 0.0, std::vector<double>(5, 0.0)},
      {"styblinski_tang8", Floats("x", 8, -5.0, 5.0), StyblinskiTang, 8 * kStyblinskiTangF1,
       std::vector<double>(8, kStyblinskiTangX)},
      {"levy4", Floats("x", 4, -10.0, 10.0), Levy, 0.0, std::vector<double>(4, 1.0)},
      {"mixed",
       {{.name = "x", .kind = K::kFloat, .low = -5.0, .high = 5.0},
        {.name = "y", .kind = K::kFloat, .low = -5.0, .high = 5.0},
        {.name = "lr", .kind = K::kFloat, .low = 1e-5, .high = 1.0, .log = true},
        {.name = "n", .kind = K::kInt, .low = 1, .high = 16},
        {.name = "kind", .kind = K::kCategorical, .choices = {"a", "b", "c"}}},
       Mixed,
       0.0,
       {-2.5, 1.0, 0.1, 12, 1}},
  };
  return kFunctions;
}

// Asks `trial` for every parameter of `f`, in order; returns the values with
// categoricals as choice indices.
inline std::vector<double> SuggestAll(Trial& trial, const TestFunction& f) {
  std::vector<double> x;
  x.reserve(f.params.size());
  for (const ParamSpec& p : f.params) {
    switch (p.kind) {
      case ParamSpec::Kind::kFloat:
        x.push_back(trial.SuggestFloat(p.name, p.low, p.high, {.log = p.log}));
        break;
      case ParamSpec::Kind::kInt:
        x.push_back(static_cast<double>(trial.SuggestInt(
            p.name, static_cast<int64_t>(p.low), static_cast<int64_t>(p.high), {.log = p.log})));
        break;
      case ParamSpec::Kind::kCategorical: {
        const std::string choice = trial.SuggestCategoricalAs<std::string>(p.name, p.choices);
        size_t i = 0;
        while (i < p.choices.size() && p.choices[i] != choice) ++i;
        if (i == p.choices.size()) throw std::logic_error("unknown choice " + choice);
        x.push_back(static_cast<double>(i));
        break;
      }
    }
  }
  return x;
}

}  // namespace hypertune::bench
