#include "src/core/samplers/tpe/tpe_math.h"

#include <cfloat>
#include <limits>
#include <numbers>

namespace hypertune::tpe {

double LogNdtr(double x) {
  if (x > 6.0) return std::log1p(-Ndtr(-x));
  if (x > -20.0) return std::log(Ndtr(x));
  // Asymptotic expansion of the left tail:
  // Ndtr(x) = phi(x) / -x * (1 - 1/x^2 + 3/x^4 - 15/x^6 + ...).
  const double log_lhs = -0.5 * x * x - std::log(-x) - kLogSqrt2Pi;
  const double inv_x2 = 1.0 / (x * x);
  double sum = 1.0, term = 1.0;
  for (int i = 1; i < 30; ++i) {
    term *= -(2.0 * i - 1.0) * inv_x2;
    const double next = sum + term;
    if (next == sum) break;
    sum = next;
  }
  return log_lhs + std::log(sum);
}

double LogGaussMass(double a, double b) {
  if (!(a < b)) return kLogZero;
  const double h = b - a;
  const double m = 0.5 * (a + b);
  if (h < 1e-2 && std::abs(m) < 30.0) {
    // Midpoint rule with its two first corrections; the error is below
    // h^6 * He6(m) / 322560, negligible here.
    const double m2 = m * m;
    const double h2 = h * h;
    const double corr =
        1.0 + h2 * (m2 - 1.0) / 24.0 + h2 * h2 * (m2 * m2 - 6.0 * m2 + 3.0) / 1920.0;
    return std::log(h) - 0.5 * m2 - kLogSqrt2Pi + std::log(corr);
  }
  if (a > 0.0) return LogGaussMass(-b, -a);  // work in the left tail, where it is accurate
  if (b <= 0.0) {
    const double lb = LogNdtr(b);
    const double la = LogNdtr(a);
    const double d = la - lb;
    if (d >= 0.0) return kLogZero;
    return lb + std::log1p(-std::exp(d));
  }
  // a <= 0 < b: one minus two tails, each at most one half.
  return std::log1p(-Ndtr(a) - Ndtr(-b));
}

double NdtrInverse(double p) {
  if (p <= 0.0) return -std::numeric_limits<double>::infinity();
  if (p >= 1.0) return std::numeric_limits<double>::infinity();
  // Acklam's rational approximation (relative error 1.15e-9) ...
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x;
  if (p < kLow || p > 1.0 - kLow) {
    const double q = std::sqrt(-2.0 * std::log(p < kLow ? p : 1.0 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    if (p > 1.0 - kLow) x = -x;
  } else {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  // ... refined by one Halley step to full double precision.
  const double e = Ndtr(x) - p;
  const double u = e * std::sqrt(2.0 * std::numbers::pi) * std::exp(0.5 * x * x);
  if (std::isfinite(u)) x -= u / (1.0 + 0.5 * x * u);
  return x;
}

double SampleTruncatedStandardNormal(double a, double b, Rng& rng) {
  const double u = rng.Uniform();
  if (a >= b) return a;
  // Invert in the left tail, where Ndtr keeps its relative precision.
  const bool mirror = a > 0.0;
  const double lo = mirror ? -b : a;
  const double hi = mirror ? -a : b;
  const double plo = Ndtr(lo);
  const double phi = Ndtr(hi);
  double x;
  if (phi - plo > 1e-300) {
    x = NdtrInverse(plo + u * (phi - plo));
  } else {
    // The whole interval lies far in the left tail, where the density is
    // close to exponential with rate |hi|: invert that.
    const double rate = std::max(-hi, 1.0);
    const double width = hi - lo;
    x = hi + std::log1p(-u * -std::expm1(-rate * width)) / rate;
  }
  x = std::clamp(x, lo, hi);
  return mirror ? -x : x;
}

}  // namespace hypertune::tpe
