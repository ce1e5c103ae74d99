// Vectorized math for the TPE kernels, written with GCC vector extensions so
// that one source compiles to SSE2, AVX2 or AVX-512 code depending on the
// target attribute of the function it is inlined into (see tpe_kernels.cc).
// Only tpe_kernels.cc includes this file.
//
// Accuracy (checked by tpe_kernels_test against <cmath>):
//   Exp       relative error < 1e-14 on [-708, 708] (inputs clamped there)
//   Log       relative error < 1e-15 for positive normal inputs
//   LogErfc   absolute error < 5e-11 for z >= 0
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

// Vector arguments of inline helpers trigger ABI notes (-Wpsabi) that do not
// matter here: everything is inlined into one translation unit. GCC reports
// them at the end of the unit, so the pragma cannot be scoped.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace hypertune::tpe::vec {

template <int W>
struct Types {
  typedef double D __attribute__((vector_size(8 * W)));
  typedef int64_t I __attribute__((vector_size(8 * W)));
  typedef float FH __attribute__((vector_size(4 * W)));    // W floats
  typedef float F __attribute__((vector_size(8 * W)));     // 2W floats
  typedef int32_t IF __attribute__((vector_size(8 * W)));  // 2W int32
};

#define HT_VEC_INLINE [[gnu::always_inline]] inline

template <int W>
HT_VEC_INLINE typename Types<W>::D Load(const double* p) {
  typename Types<W>::D v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <int W>
HT_VEC_INLINE typename Types<W>::I LoadI(const int64_t* p) {
  typename Types<W>::I v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// 2W floats.
template <int W>
HT_VEC_INLINE typename Types<W>::F LoadF(const float* p) {
  typename Types<W>::F v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <int W>
HT_VEC_INLINE void Store(double* p, typename Types<W>::D v) {
  std::memcpy(p, &v, sizeof(v));
}

template <int W>
HT_VEC_INLINE typename Types<W>::D Splat(double x) {
  return typename Types<W>::D{} + x;
}

template <int W>
HT_VEC_INLINE double HorizontalSum(typename Types<W>::D v) {
  double s = 0.0;
  for (int k = 0; k < W; ++k) s += v[k];
  return s;
}

template <class V>
HT_VEC_INLINE V AsDouble(auto bits) {
  V v;
  static_assert(sizeof(v) == sizeof(bits));
  std::memcpy(&v, &bits, sizeof(v));
  return v;
}

template <class I>
HT_VEC_INLINE I AsInt(auto v) {
  I bits;
  static_assert(sizeof(v) == sizeof(bits));
  std::memcpy(&bits, &v, sizeof(v));
  return bits;
}

// exp(x), x clamped to [-708, 708].
template <int W>
HT_VEC_INLINE typename Types<W>::D Exp(typename Types<W>::D x) {
  using D = typename Types<W>::D;
  using I = typename Types<W>::I;
  x = x > -708.0 ? x : -708.0;
  x = x < 708.0 ? x : 708.0;
  constexpr double kShift = 0x1.8p52;  // rounds x*log2(e) to an integer in the low bits
  D kd = x * 1.4426950408889634074 + kShift;
  const I ki = AsInt<I>(kd);
  kd -= kShift;
  D r = x - kd * 6.93147180369123816490e-01;  // ln2, high part (the product is exact)
  r = r - kd * 1.90821492927058770002e-10;    // ln2, low part
  // Taylor polynomial of exp on |r| <= ln2/2, degree 12.
  D p = r * (1.0 / 479001600.0) + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return AsDouble<D>(AsInt<I>(p) + (ki << 52));
}

// exp(x) in single precision, x clamped to [-86, 86]: relative error < 3e-7.
template <int W>
HT_VEC_INLINE typename Types<W>::F ExpF(typename Types<W>::F x) {
  using F = typename Types<W>::F;
  using IF = typename Types<W>::IF;
  x = x > -86.0f ? x : -86.0f;
  x = x < 86.0f ? x : 86.0f;
  constexpr float kShift = 0x1.8p23f;
  F kd = x * 1.44269504088896341f + kShift;
  const IF ki = AsInt<IF>(kd);
  kd -= kShift;
  F r = x - kd * 0.693145751953125f;  // ln2, high part (exact product)
  r = r - kd * 1.428606765330187045e-06f;
  F p = r * (1.0f / 720.0f) + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  return AsDouble<F>(AsInt<IF>(p) + (ki << 23));
}

template <class FH, class F, size_t... I>
HT_VEC_INLINE F ConcatHalves(FH a, FH b, std::index_sequence<I...>) {
  return __builtin_shufflevector(a, b, I...);
}
template <class FH, class F, size_t... I>
HT_VEC_INLINE FH Half(F a, std::index_sequence<I...>) {
  return __builtin_shufflevector(a, a, I...);
}

// Two vectors of W doubles as one of 2W floats, and back.
template <int W>
HT_VEC_INLINE typename Types<W>::F ToFloats(typename Types<W>::D x0, typename Types<W>::D x1) {
  using T = Types<W>;
  return ConcatHalves<typename T::FH, typename T::F>(__builtin_convertvector(x0, typename T::FH),
                                                     __builtin_convertvector(x1, typename T::FH),
                                                     std::make_index_sequence<2 * W>{});
}
template <int W>
HT_VEC_INLINE void ToDoubles(typename Types<W>::F f, typename Types<W>::D& x0,
                             typename Types<W>::D& x1) {
  using T = Types<W>;
  using FH = typename T::FH;
  using F = typename T::F;
  x0 = __builtin_convertvector(Half<FH, F>(f, std::make_index_sequence<W>{}), typename T::D);
  auto hi = []<size_t... I>(std::index_sequence<I...>) {
    return std::index_sequence<(I + W)...>{};
  };
  x1 = __builtin_convertvector(Half<FH, F>(f, hi(std::make_index_sequence<W>{})), typename T::D);
}

// exp of two double vectors through one single-precision exponential over
// 2W lanes (relative error < 3e-7).
template <int W>
HT_VEC_INLINE void ExpPairF(typename Types<W>::D x0, typename Types<W>::D x1,
                            typename Types<W>::D& e0, typename Types<W>::D& e1) {
  ToDoubles<W>(ExpF<W>(ToFloats<W>(x0, x1)), e0, e1);
}

// log(x) for x > 0; inputs below 1e-300 are treated as 1e-300.
template <int W>
HT_VEC_INLINE typename Types<W>::D Log(typename Types<W>::D x) {
  using D = typename Types<W>::D;
  using I = typename Types<W>::I;
  x = x > 1e-300 ? x : 1e-300;
  const I bits = AsInt<I>(x);
  const I biased = bits >> 52;  // x > 0: the sign bit is clear
  D m = AsDouble<D>((bits & 0x000FFFFFFFFFFFFFLL) | 0x3FF0000000000000LL);  // [1, 2)
  const I big = m > 1.4142135623730951;                                     // -1 where true
  m = big ? m * 0.5 : m;                                                    // [sqrt(1/2), sqrt(2))
  // Exponent as a double without an int64 -> double conversion (AVX2 has
  // none): place it in the mantissa of 2^52 and subtract 2^52.
  const D e = (AsDouble<D>((biased - big) | 0x4330000000000000LL) - 0x1p52) - 1023.0;
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716.
  const D s = (m - 1.0) / (m + 1.0);
  const D s2 = s * s;
  D p = s2 * (1.0 / 21.0) + 1.0 / 19.0;
  p = p * s2 + 1.0 / 17.0;
  p = p * s2 + 1.0 / 15.0;
  p = p * s2 + 1.0 / 13.0;
  p = p * s2 + 1.0 / 11.0;
  p = p * s2 + 1.0 / 9.0;
  p = p * s2 + 1.0 / 7.0;
  p = p * s2 + 1.0 / 5.0;
  p = p * s2 + 1.0 / 3.0;
  p = p * s2;
  const D log_m = 2.0 * s + 2.0 * s * p;
  return e * 6.93147180369123816490e-01 + (e * 1.90821492927058770002e-10 + log_m);
}

// log(erfc(z)) - log(t) + z^2 with t = 1 / (1 + 0.35 z), z >= 0: a smooth
// function of t on (0, 1], fitted by a degree-16 polynomial (max error 3e-11).
template <int W>
HT_VEC_INLINE typename Types<W>::D ErfcTail(typename Types<W>::D t) {
  static constexpr double kC[] = {
      -1.6221870673999044, 0.99999999560536634,   0.43875035910030147,   0.21082024284672257,
      0.07589301328624988, -0.010799686906878825, -0.020823968163448336, -0.21711458702128272,
      0.65439373498017783, -2.1280069239183401,   4.8574543120938962,    -8.0220148882473818,
      9.6655527425820651,  -7.9845871025135935,   4.1976564344068512,    -1.2592795377461714,
      0.16429292704455509};
  typename Types<W>::D p = t * kC[16] + kC[15];
  for (int k = 14; k >= 0; --k) p = p * t + kC[k];
  return p;
}

// log(erfc(z)) for z >= 0.
template <int W>
HT_VEC_INLINE typename Types<W>::D LogErfc(typename Types<W>::D z) {
  z = z < 1e150 ? z : 1e150;
  const typename Types<W>::D t = 1.0 / (1.0 + 0.35 * z);
  return Log<W>(t) - z * z + ErfcTail<W>(t);
}

// erfc(z) for z >= 0 (underflows to about 1e-308 past z = 26.6).
template <int W>
HT_VEC_INLINE typename Types<W>::D Erfc(typename Types<W>::D z) {
  z = z < 1e150 ? z : 1e150;
  const typename Types<W>::D t = 1.0 / (1.0 + 0.35 * z);
  return t * Exp<W>(ErfcTail<W>(t) - z * z);
}

// log(Ndtr(b) - Ndtr(a)) for a < b: the log mass of a standard normal on
// [a, b]. Narrow intervals (h = b - a < 0.1) use the midpoint rule with three
// corrections (error about h^8 He8(m) / 9.3e7 relative, m the midpoint: below
// 1e-9 for |m| < 10); wide ones the tails' difference in the left tail.
template <int W>
HT_VEC_INLINE typename Types<W>::D LogGaussMass(typename Types<W>::D a, typename Types<W>::D b) {
  using D = typename Types<W>::D;
  constexpr double kLogSqrt2Pi = 0.91893853320467274178;
  constexpr double kSqrt1_2 = 0.70710678118654752440;
  const D h = b - a;
  const D m = 0.5 * (a + b);
  const D m2 = m * m;
  const D h2 = h * h;
  const D m4 = m2 * m2;
  const D corr = 1.0 + h2 * (m2 - 1.0) * (1.0 / 24.0) +
                 h2 * h2 * (m4 - 6.0 * m2 + 3.0) * (1.0 / 1920.0) +
                 h2 * h2 * h2 * (m4 * m2 - 15.0 * m4 + 45.0 * m2 - 15.0) * (1.0 / 322560.0);
  const D narrow = Log<W>(h * corr) - 0.5 * m2 - kLogSqrt2Pi;
  // Mirror so that lo <= 0: its tail is where erfc keeps relative precision.
  const auto mirror = a > 0.0;
  const D lo = mirror ? -b : a;
  const D hi = mirror ? -a : b;
  const D za = -lo * kSqrt1_2;                    // >= 0
  const D zb = (hi < 0.0 ? -hi : hi) * kSqrt1_2;  // >= 0
  const D ta = 1.0 / (1.0 + 0.35 * (za < 1e150 ? za : 1e150));
  const D tb = 1.0 / (1.0 + 0.35 * (zb < 1e150 ? zb : 1e150));
  const D ea = ErfcTail<W>(ta) - za * za;  // log(erfc(za)) = log(ta) + ea
  const D eb = ErfcTail<W>(tb) - zb * zb;
  // hi <= 0: log(Ndtr(hi)) + log(1 - Ndtr(lo) / Ndtr(hi)).
  const D log_ratio = Log<W>(ta / tb) + ea - eb;
  const D left = Log<W>(0.5 * tb) + eb + Log<W>(1.0 - Exp<W>(log_ratio));
  // lo <= 0 < hi: log(1 - Ndtr(lo) - Ndtr(-hi)).
  const D central = Log<W>(1.0 - 0.5 * ta * Exp<W>(ea) - 0.5 * tb * Exp<W>(eb));
  const D wide = hi <= 0.0 ? left : central;
  return h < 0.1 ? narrow : wide;
}

}  // namespace hypertune::tpe::vec
