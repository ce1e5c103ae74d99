#include "src/core/samplers/tpe/tpe_kernels.h"

// See vec_math.h about -Wpsabi.
#pragma GCC diagnostic ignored "-Wpsabi"

#include <algorithm>
#include <atomic>

#include "hypertune/core/status.h"
#include "src/core/samplers/tpe/vec_math.h"

// Helpers that take vectors by value are force-inlined (HT_VEC_INLINE): a
// lambda or an out-of-line function would be compiled for the default
// instruction set and called with an incompatible vector ABI.

namespace hypertune::tpe {
namespace {

using vec::Load;
using vec::Splat;
using vec::Store;

// A tail of the normal beyond this many sigmas (below 1.3e-12) is left out of
// truncation masses.
constexpr double kFarSigmas = 7.0;

// exp of two vectors, in double or (fast) single precision.
template <int W>
HT_VEC_INLINE void Exp2(bool fast, typename vec::Types<W>::D x0, typename vec::Types<W>::D x1,
                        typename vec::Types<W>::D& e0, typename vec::Types<W>::D& e1) {
  if (fast) {
    vec::ExpPairF<W>(x0, x1, e0, e1);
  } else {
    e0 = vec::Exp<W>(x0);
    e1 = vec::Exp<W>(x1);
  }
}

template <int W>
HT_VEC_INLINE double SumGaussT(const double* coef, const double* mu, const double* inv, size_t n,
                               double x, bool fast) {
  using D = typename vec::Types<W>::D;
  D acc0 = Splat<W>(0.0), acc1 = Splat<W>(0.0);
  for (size_t i = 0; i < n; i += 2 * W) {
    const D z0 = (x - Load<W>(mu + i)) * Load<W>(inv + i);
    const D z1 = (x - Load<W>(mu + i + W)) * Load<W>(inv + i + W);
    D e0, e1;
    Exp2<W>(fast, -0.5 * z0 * z0, -0.5 * z1 * z1, e0, e1);
    acc0 += Load<W>(coef + i) * e0;
    acc1 += Load<W>(coef + i + W) * e1;
  }
  return vec::HorizontalSum<W>(acc0 + acc1);
}

template <int W>
HT_VEC_INLINE double SumGaussCulledT(const double* coef, const double* mu, const double* inv,
                                     const float* coef_f, const float* inv_f, size_t n, double x,
                                     bool fast, const BlockBounds* blocks, double cull_z2) {
  using D = typename vec::Types<W>::D;
  using F = typename vec::Types<W>::F;
  D acc0 = Splat<W>(0.0), acc1 = Splat<W>(0.0);
  F accf = F{} + 0.0f;
  int pending = 0;  // blocks summed into accf since it was last flushed
  for (size_t b = 0; b * kLanes < n; ++b) {
    const BlockBounds& bb = blocks[b];
    const double gap = std::max({bb.lo - x, x - bb.hi, 0.0}) * bb.min_inv;
    if (gap * gap > cull_z2) continue;
    for (size_t i = b * kLanes; i < (b + 1) * kLanes; i += 2 * W) {
      const D d0 = x - Load<W>(mu + i);
      const D d1 = x - Load<W>(mu + i + W);
      if (fast) {
        const F z = vec::ToFloats<W>(d0, d1) * vec::LoadF<W>(inv_f + i);
        accf += vec::LoadF<W>(coef_f + i) * vec::ExpF<W>(-0.5f * z * z);
      } else {
        const D z0 = d0 * Load<W>(inv + i);
        const D z1 = d1 * Load<W>(inv + i + W);
        acc0 += Load<W>(coef + i) * vec::Exp<W>(-0.5 * z0 * z0);
        acc1 += Load<W>(coef + i + W) * vec::Exp<W>(-0.5 * z1 * z1);
      }
    }
    // Flush the single-precision sums every few blocks, before they lose digits.
    if (fast && ++pending == 8) {
      D f0, f1;
      vec::ToDoubles<W>(accf, f0, f1);
      acc0 += f0;
      acc1 += f1;
      accf = F{} + 0.0f;
      pending = 0;
    }
  }
  if (fast) {
    D f0, f1;
    vec::ToDoubles<W>(accf, f0, f1);
    acc0 += f0;
    acc1 += f1;
  }
  return vec::HorizontalSum<W>(acc0 + acc1);
}

template <int W>
HT_VEC_INLINE typename vec::Types<W>::D NarrowFactor(typename vec::Types<W>::D m2,
                                                     typename vec::Types<W>::D h2) {
  const auto m4 = m2 * m2;
  return 1.0 + h2 * (m2 - 1.0) * (1.0 / 24.0) + h2 * h2 * (m4 - 6.0 * m2 + 3.0) * (1.0 / 1920.0) +
         h2 * h2 * h2 * (m4 * m2 - 15.0 * m4 + 45.0 * m2 - 15.0) * (1.0 / 322560.0);
}

template <int W>
HT_VEC_INLINE double SumNarrowBinsT(const double* coef, const double* mu, const double* inv,
                                    const double* h2, size_t n, double x, bool fast) {
  using D = typename vec::Types<W>::D;
  D acc = Splat<W>(0.0);
  for (size_t i = 0; i < n; i += 2 * W) {
    const D m0 = (x - Load<W>(mu + i)) * Load<W>(inv + i);
    const D m1 = (x - Load<W>(mu + i + W)) * Load<W>(inv + i + W);
    const D q0 = m0 * m0, q1 = m1 * m1;
    D e0, e1;
    Exp2<W>(fast, -0.5 * q0, -0.5 * q1, e0, e1);
    acc += Load<W>(coef + i) * e0 * NarrowFactor<W>(q0, Load<W>(h2 + i));
    acc += Load<W>(coef + i + W) * e1 * NarrowFactor<W>(q1, Load<W>(h2 + i + W));
  }
  return vec::HorizontalSum<W>(acc);
}

template <int W>
HT_VEC_INLINE double SumWideBinsT(const double* coef, const double* mu, const double* inv, size_t n,
                                  double x, double half) {
  using D = typename vec::Types<W>::D;
  D acc = Splat<W>(0.0);
  for (size_t i = 0; i < n; i += W) {
    const D m = Load<W>(mu + i);
    const D iv = Load<W>(inv + i);
    const D a = (x - half - m) * iv;
    const D b = (x + half - m) * iv;
    acc += Load<W>(coef + i) * vec::Exp<W>(vec::LogGaussMass<W>(a, b));
  }
  return vec::HorizontalSum<W>(acc);
}

template <int W>
HT_VEC_INLINE void AddDimTerm(const MvDim& dim, size_t i, typename vec::Types<W>::D& t,
                              typename vec::Types<W>::D& f) {
  using D = typename vec::Types<W>::D;
  switch (dim.kind) {
    case MvDim::Kind::kGauss: {
      const D z = (dim.x - Load<W>(dim.values + i)) * dim.inv;
      t -= 0.5 * z * z;
      return;
    }
    case MvDim::Kind::kNarrowBin: {
      const D m = (dim.x - Load<W>(dim.values + i)) * dim.inv;
      const D m2 = m * m;
      t -= 0.5 * m2;
      f *= NarrowFactor<W>(m2, Splat<W>(dim.h2));
      return;
    }
    case MvDim::Kind::kTable: {
      D g;
      for (int k = 0; k < W; ++k) g[k] = dim.table[dim.index[i + static_cast<size_t>(k)]];
      t += g;
      return;
    }
    case MvDim::Kind::kCategorical:
      t += Load<W>(dim.values + i) == dim.x ? Splat<W>(dim.match) : Splat<W>(dim.other);
      return;
  }
}

template <int W>
HT_VEC_INLINE double SumMultivariateT(const double* coef, size_t n, const MvDim* dims,
                                      size_t n_dims, bool fast) {
  using D = typename vec::Types<W>::D;
  D acc = Splat<W>(0.0);
  for (size_t i = 0; i < n; i += 2 * W) {
    // Two vectors of components through every dimension, in registers.
    D t0 = Splat<W>(0.0), t1 = Splat<W>(0.0), f0 = Load<W>(coef + i), f1 = Load<W>(coef + i + W);
    for (size_t d = 0; d < n_dims; ++d) {
      AddDimTerm<W>(dims[d], i, t0, f0);
      AddDimTerm<W>(dims[d], i + W, t1, f1);
    }
    D e0, e1;
    Exp2<W>(fast, t0, t1, e0, e1);
    acc += f0 * e0 + f1 * e1;
  }
  return vec::HorizontalSum<W>(acc);
}

// 1 / (Ndtr(b) - Ndtr(a)) for a <= 0 <= b, leaving out tails beyond
// kFarSigmas: blocks far from both bounds cost nothing, blocks near one bound
// one erfc.
template <int W>
HT_VEC_INLINE typename vec::Types<W>::D InverseMass(typename vec::Types<W>::D a,
                                                    typename vec::Types<W>::D b) {
  using D = typename vec::Types<W>::D;
  constexpr double kSqrt1_2 = 0.70710678118654752440;
  const D za = -a;  // >= 0
  const D near = za < b ? za : b;
  const D far = za < b ? b : za;
  bool any_near = false, any_far = false;
  for (int k = 0; k < W; ++k) {
    any_near |= near[k] < kFarSigmas;
    any_far |= far[k] < kFarSigmas;
  }
  if (!any_near) return Splat<W>(1.0);
  D tails = 0.5 * vec::Erfc<W>(near * kSqrt1_2);
  if (any_far) tails += 0.5 * vec::Erfc<W>(far * kSqrt1_2);
  return 1.0 / (1.0 - tails);
}

template <int W>
HT_VEC_INLINE void PrepareBlock(const double* w, const double* mu, const double* sigma, double low,
                                double high, bool density, double scale, double* inv,
                                double* coef) {
  using D = typename vec::Types<W>::D;
  const D m = Load<W>(mu);
  const D iv = 1.0 / Load<W>(sigma);
  const D wv = Load<W>(w);
  Store<W>(inv, iv);
  Store<W>(coef, (density ? wv * scale * iv : wv * scale) *
                     InverseMass<W>((low - m) * iv, (high - m) * iv));
}

template <int W>
HT_VEC_INLINE void PrepareComponentsT(const double* w, const double* mu, const double* sigma,
                                      size_t n, double low, double high, bool density, double scale,
                                      double* inv, double* coef) {
  size_t i = 0;
  for (; i + W <= n; i += W) {
    PrepareBlock<W>(w + i, mu + i, sigma + i, low, high, density, scale, inv + i, coef + i);
  }
  if (i < n) {
    double tw[W], tm[W], ts[W], ti[W], tc[W];
    for (size_t k = 0; k < W; ++k) {
      const bool in = i + k < n;
      tw[k] = in ? w[i + k] : 0.0;
      tm[k] = in ? mu[i + k] : low;
      ts[k] = in ? sigma[i + k] : high - low;
    }
    PrepareBlock<W>(tw, tm, ts, low, high, density, scale, ti, tc);
    for (size_t k = 0; i + k < n; ++k) {
      inv[i + k] = ti[k];
      coef[i + k] = tc[k];
    }
  }
}

template <int W>
HT_VEC_INLINE void DivideByMassT(const double* mu, size_t n, double inv, double low, double high,
                                 double* coef) {
  using D = typename vec::Types<W>::D;
  size_t i = 0;
  for (; i + W <= n; i += W) {
    const D m = Load<W>(mu + i);
    Store<W>(coef + i, Load<W>(coef + i) * InverseMass<W>((low - m) * inv, (high - m) * inv));
  }
  if (i < n) {
    double tm[W], tz[W];
    for (size_t k = 0; k < W; ++k) tm[k] = i + k < n ? mu[i + k] : low;
    const D m = Load<W>(tm);
    Store<W>(tz, InverseMass<W>((low - m) * inv, (high - m) * inv));
    for (size_t k = 0; i + k < n; ++k) coef[i + k] *= tz[k];
  }
}

template <int W>
HT_VEC_INLINE void LogGaussMassBatchT(const double* a, const double* b, double* out, size_t n) {
  size_t i = 0;
  for (; i + W <= n; i += W)
    Store<W>(out + i, vec::LogGaussMass<W>(Load<W>(a + i), Load<W>(b + i)));
  if (i < n) {
    double ta[W], tb[W], to[W];
    for (size_t k = 0; k < W; ++k) {
      ta[k] = i + k < n ? a[i + k] : -1.0;
      tb[k] = i + k < n ? b[i + k] : 1.0;
    }
    Store<W>(to, vec::LogGaussMass<W>(Load<W>(ta), Load<W>(tb)));
    for (size_t k = 0; i + k < n; ++k) out[i + k] = to[k];
  }
}

template <int W>
HT_VEC_INLINE void LogBatchT(const double* x, double* out, size_t n) {
  size_t i = 0;
  for (; i + W <= n; i += W) Store<W>(out + i, vec::Log<W>(Load<W>(x + i)));
  if (i < n) {
    double tx[W], to[W];
    for (size_t k = 0; k < W; ++k) tx[k] = i + k < n ? x[i + k] : 1.0;
    Store<W>(to, vec::Log<W>(Load<W>(tx)));
    for (size_t k = 0; i + k < n; ++k) out[i + k] = to[k];
  }
}

// One set of entry points per instruction set.
struct Kernels {
  double (*sum_gauss)(const double*, const double*, const double*, size_t, double, bool);
  double (*sum_gauss_culled)(const double*, const double*, const double*, const float*,
                             const float*, size_t, double, bool, const BlockBounds*, double);
  double (*sum_narrow)(const double*, const double*, const double*, const double*, size_t, double,
                       bool);
  double (*sum_wide)(const double*, const double*, const double*, size_t, double, double);
  double (*sum_mv)(const double*, size_t, const MvDim*, size_t, bool);
  void (*prepare)(const double*, const double*, const double*, size_t, double, double, bool, double,
                  double*, double*);
  void (*divide_by_mass)(const double*, size_t, double, double, double, double*);
  void (*log_gauss_mass)(const double*, const double*, double*, size_t);
  void (*log)(const double*, double*, size_t);
};

#define HT_DEFINE_KERNELS(NAME, TARGET, W)                                                        \
  TARGET double NAME##SumGauss(const double* coef, const double* mu, const double* inv, size_t n, \
                               double x, bool fast) {                                             \
    return SumGaussT<W>(coef, mu, inv, n, x, fast);                                               \
  }                                                                                               \
  TARGET double NAME##SumGaussCulled(const double* coef, const double* mu, const double* inv,     \
                                     const float* coef_f, const float* inv_f, size_t n, double x, \
                                     bool fast, const BlockBounds* blocks, double cull_z2) {      \
    return SumGaussCulledT<W>(coef, mu, inv, coef_f, inv_f, n, x, fast, blocks, cull_z2);         \
  }                                                                                               \
  TARGET double NAME##SumNarrow(const double* coef, const double* mu, const double* inv,          \
                                const double* h2, size_t n, double x, bool fast) {                \
    return SumNarrowBinsT<W>(coef, mu, inv, h2, n, x, fast);                                      \
  }                                                                                               \
  TARGET double NAME##SumWide(const double* coef, const double* mu, const double* inv, size_t n,  \
                              double x, double half) {                                            \
    return SumWideBinsT<W>(coef, mu, inv, n, x, half);                                            \
  }                                                                                               \
  TARGET double NAME##SumMv(const double* coef, size_t n, const MvDim* dims, size_t n_dims,       \
                            bool fast) {                                                          \
    return SumMultivariateT<W>(coef, n, dims, n_dims, fast);                                      \
  }                                                                                               \
  TARGET void NAME##Prepare(const double* w, const double* mu, const double* sigma, size_t n,     \
                            double low, double high, bool density, double scale, double* inv,     \
                            double* coef) {                                                       \
    PrepareComponentsT<W>(w, mu, sigma, n, low, high, density, scale, inv, coef);                 \
  }                                                                                               \
  TARGET void NAME##DivideByMass(const double* mu, size_t n, double inv, double low, double high, \
                                 double* coef) {                                                  \
    DivideByMassT<W>(mu, n, inv, low, high, coef);                                                \
  }                                                                                               \
  TARGET void NAME##LogGaussMass(const double* a, const double* b, double* out, size_t n) {       \
    LogGaussMassBatchT<W>(a, b, out, n);                                                          \
  }                                                                                               \
  TARGET void NAME##Log(const double* x, double* out, size_t n) { LogBatchT<W>(x, out, n); }      \
  constexpr Kernels k##NAME = {NAME##SumGauss,     NAME##SumGaussCulled, NAME##SumNarrow,         \
                               NAME##SumWide,      NAME##SumMv,          NAME##Prepare,           \
                               NAME##DivideByMass, NAME##LogGaussMass,   NAME##Log};

#define HT_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma")))
#define HT_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define HT_TARGET_SSE2

HT_DEFINE_KERNELS(Avx512, HT_TARGET_AVX512, 8)
HT_DEFINE_KERNELS(Avx2, HT_TARGET_AVX2, 4)
HT_DEFINE_KERNELS(Sse2, HT_TARGET_SSE2, 2)

const Kernels* KernelsFor(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return &kAvx512;
    case Isa::kAvx2:
      return &kAvx2;
    case Isa::kSse2:
      return &kSse2;
  }
  return &kSse2;
}

Isa BestIsa() {
  if (IsaSupported(Isa::kAvx512)) return Isa::kAvx512;
  if (IsaSupported(Isa::kAvx2)) return Isa::kAvx2;
  return Isa::kSse2;
}

std::atomic<Isa> g_isa{BestIsa()};

const Kernels& Active() { return *KernelsFor(g_isa.load(std::memory_order_relaxed)); }

}  // namespace

std::string_view ToString(Isa isa) {
  switch (isa) {
    case Isa::kAvx512:
      return "avx512";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kSse2:
      return "sse2";
  }
  return "?";
}

bool IsaSupported(Isa isa) {
  __builtin_cpu_init();
  switch (isa) {
    case Isa::kAvx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") &&
             __builtin_cpu_supports("fma");
    case Isa::kAvx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::kSse2:
      return true;
  }
  return false;
}

Isa ActiveIsa() { return g_isa.load(); }

void ForceIsa(Isa isa) {
  HT_CHECK(IsaSupported(isa)) << "this CPU cannot run " << ToString(isa);
  g_isa.store(isa);
}

double SumGauss(const double* coef, const double* mu, const double* inv, size_t n, double x,
                bool fast) {
  return Active().sum_gauss(coef, mu, inv, n, x, fast);
}
double SumGaussCulled(const double* coef, const double* mu, const double* inv, const float* coef_f,
                      const float* inv_f, size_t n, double x, bool fast, const BlockBounds* blocks,
                      double cull_z2) {
  return Active().sum_gauss_culled(coef, mu, inv, coef_f, inv_f, n, x, fast, blocks, cull_z2);
}
double SumNarrowBins(const double* coef, const double* mu, const double* inv, const double* h2,
                     size_t n, double x, bool fast) {
  return Active().sum_narrow(coef, mu, inv, h2, n, x, fast);
}
double SumWideBins(const double* coef, const double* mu, const double* inv, size_t n, double x,
                   double half) {
  return Active().sum_wide(coef, mu, inv, n, x, half);
}
double SumMultivariate(const double* coef, size_t n, const MvDim* dims, size_t n_dims, bool fast) {
  return Active().sum_mv(coef, n, dims, n_dims, fast);
}
void PrepareComponents(const double* w, const double* mu, const double* sigma, size_t n, double low,
                       double high, bool density, double scale, double* inv, double* coef) {
  Active().prepare(w, mu, sigma, n, low, high, density, scale, inv, coef);
}
void DivideByMass(const double* mu, size_t n, double inv, double low, double high, double* coef) {
  Active().divide_by_mass(mu, n, inv, low, high, coef);
}
void LogGaussMassBatch(const double* a, const double* b, double* out, size_t n) {
  Active().log_gauss_mass(a, b, out, n);
}
void LogBatch(const double* x, double* out, size_t n) { Active().log(x, out, n); }

}  // namespace hypertune::tpe
