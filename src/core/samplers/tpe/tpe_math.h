// Scalar normal-distribution helpers for the TPE sampler: precise reference
// implementations (std::erfc based), and draws from truncated normals.
// The vectorized versions used on large mixtures live in vec_math.h.
#pragma once

#include <algorithm>
#include <cmath>
#include <utility>

#include "hypertune/core/random.h"

namespace hypertune::tpe {

inline constexpr double kLogSqrt2Pi = 0.91893853320467274178;  // log(sqrt(2*pi))
inline constexpr double kSqrt1_2 = 0.70710678118654752440;     // 1/sqrt(2)
// A finite stand-in for log(0): keeps sums of log terms free of inf - inf.
inline constexpr double kLogZero = -1e300;

// Standard normal CDF.
inline double Ndtr(double x) { return 0.5 * std::erfc(-x * kSqrt1_2); }
// log(Ndtr(x)), accurate in both tails (an asymptotic series below -20).
double LogNdtr(double x);
// log(Ndtr(b) - Ndtr(a)) for a <= b: the log probability a standard normal
// falls in [a, b]. kLogZero when the interval is empty.
double LogGaussMass(double a, double b);
// Inverse of Ndtr for p in (0, 1); -inf / +inf at 0 / 1.
double NdtrInverse(double p);
// A draw from the standard normal truncated to [a, b] (a <= b), by inverting
// the CDF: exactly one rng.Uniform() per call.
double SampleTruncatedStandardNormal(double a, double b, Rng& rng);

// log density at x of N(mu, sigma^2) truncated to [low, high].
inline double LogTruncatedNormalPdf(double x, double mu, double sigma, double low, double high) {
  if (x < low || x > high) return kLogZero;
  const double z = (x - mu) / sigma;
  return -0.5 * z * z - std::log(sigma) - kLogSqrt2Pi -
         LogGaussMass((low - mu) / sigma, (high - mu) / sigma);
}

// log of the mass of N(mu, sigma^2) truncated to [low, high] on the bin
// [x - half, x + half] (clipped to the bounds).
inline double LogTruncatedNormalBinMass(double x, double half, double mu, double sigma, double low,
                                        double high) {
  const double lo = std::max(x - half, low);
  const double hi = std::min(x + half, high);
  if (lo > hi) return kLogZero;
  return LogGaussMass((lo - mu) / sigma, (hi - mu) / sigma) -
         LogGaussMass((low - mu) / sigma, (high - mu) / sigma);
}

// log(exp(a) + exp(b)) without overflow.
inline double LogAddExp(double a, double b) {
  if (a < b) std::swap(a, b);
  if (b <= kLogZero) return a;
  return a + std::log1p(std::exp(b - a));
}

}  // namespace hypertune::tpe
