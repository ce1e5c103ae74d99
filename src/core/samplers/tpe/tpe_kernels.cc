#include "core/samplers/tpe/tpe_kernels.h"

// See vec_math.h about -Wpsabi.
#pragma GCC diagnostic ignored "-Wpsabi"

#include <algorithm>
#include <atomic>

#include "core/samplers/tpe/vec_math.h"
#include "hypertune/core/status.h"

namespace hypertune::tpe {
namespace {

using vec::Load;
using vec::Splat;
using vec::Store;

template <int W>
HT_VEC_INLINE double SumGaussT(const double* base, const double* mu, const double* inv, size_t n,
                              double x) {
  using D = typename vec::Types<W>::D;
  D acc0 = Splat<W>(0.0), acc1 = Splat<W>(0.0);
  size_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    const D z0 = (x - Load<W>(mu + i)) * Load<W>(inv + i);
    const D z1 = (x - Load<W>(mu + i + W)) * Load<W>(inv + i + W);
    acc0 += vec::Exp<W>(Load<W>(base + i) - 0.5 * z0 * z0);
    acc1 += vec::Exp<W>(Load<W>(base + i + W) - 0.5 * z1 * z1);
  }
  for (; i < n; i += W) {
    const D z = (x - Load<W>(mu + i)) * Load<W>(inv + i);
    acc0 += vec::Exp<W>(Load<W>(base + i) - 0.5 * z * z);
  }
  return vec::HorizontalSum<W>(acc0 + acc1);
}

template <int W>
HT_VEC_INLINE typename vec::Types<W>::D NarrowFactor(typename vec::Types<W>::D m2,
                                                    typename vec::Types<W>::D h2) {
  const auto m4 = m2 * m2;
  return 1.0 + h2 * (m2 - 1.0) * (1.0 / 24.0) +
         h2 * h2 * (m4 - 6.0 * m2 + 3.0) * (1.0 / 1920.0) +
         h2 * h2 * h2 * (m4 * m2 - 15.0 * m4 + 45.0 * m2 - 15.0) * (1.0 / 322560.0);
}

template <int W>
HT_VEC_INLINE double SumNarrowBinsT(const double* base, const double* mu, const double* inv,
                                   const double* h2, size_t n, double x) {
  using D = typename vec::Types<W>::D;
  D acc = Splat<W>(0.0);
  for (size_t i = 0; i < n; i += W) {
    const D m = (x - Load<W>(mu + i)) * Load<W>(inv + i);
    const D m2 = m * m;
    acc += vec::Exp<W>(Load<W>(base + i) - 0.5 * m2) * NarrowFactor<W>(m2, Load<W>(h2 + i));
  }
  return vec::HorizontalSum<W>(acc);
}

template <int W>
HT_VEC_INLINE double SumWideBinsT(const double* base, const double* mu, const double* inv,
                                 size_t n, double x, double half) {
  using D = typename vec::Types<W>::D;
  D acc = Splat<W>(0.0);
  for (size_t i = 0; i < n; i += W) {
    const D m = Load<W>(mu + i);
    const D iv = Load<W>(inv + i);
    const D a = (x - half - m) * iv;
    const D b = (x + half - m) * iv;
    acc += vec::Exp<W>(Load<W>(base + i) + vec::LogGaussMass<W>(a, b));
  }
  return vec::HorizontalSum<W>(acc);
}

constexpr size_t kBlock = 256;

template <int W>
HT_VEC_INLINE double SumMultivariateT(const double* base, size_t n, const MvDim* dims,
                                     size_t n_dims) {
  using D = typename vec::Types<W>::D;
  alignas(64) double t[kBlock];
  alignas(64) double f[kBlock];
  bool any_narrow = false;
  for (size_t d = 0; d < n_dims; ++d) any_narrow |= dims[d].kind == MvDim::Kind::kNarrowBin;
  D acc = Splat<W>(0.0);
  for (size_t start = 0; start < n; start += kBlock) {
    const size_t len = std::min(kBlock, n - start);
    std::copy(base + start, base + start + len, t);
    if (any_narrow) std::fill(f, f + len, 1.0);
    for (size_t d = 0; d < n_dims; ++d) {
      const MvDim& dim = dims[d];
      switch (dim.kind) {
        case MvDim::Kind::kGauss: {
          const double* mu = dim.values + start;
          for (size_t i = 0; i < len; i += W) {
            const D z = (dim.x - Load<W>(mu + i)) * dim.inv;
            Store<W>(t + i, Load<W>(t + i) - 0.5 * z * z);
          }
          break;
        }
        case MvDim::Kind::kNarrowBin: {
          const double* mu = dim.values + start;
          for (size_t i = 0; i < len; i += W) {
            const D m = (dim.x - Load<W>(mu + i)) * dim.inv;
            const D m2 = m * m;
            Store<W>(t + i, Load<W>(t + i) - 0.5 * m2);
            Store<W>(f + i, Load<W>(f + i) * NarrowFactor<W>(m2, Splat<W>(dim.h2)));
          }
          break;
        }
        case MvDim::Kind::kTable: {
          const int64_t* idx = dim.index + start;
          for (size_t i = 0; i < len; ++i) t[i] += dim.table[idx[i]];
          break;
        }
        case MvDim::Kind::kCategorical: {
          const double* cat = dim.values + start;
          for (size_t i = 0; i < len; i += W) {
            const D c = Load<W>(cat + i);
            Store<W>(t + i, Load<W>(t + i) + (c == dim.x ? Splat<W>(dim.match) : Splat<W>(dim.other)));
          }
          break;
        }
      }
    }
    if (any_narrow) {
      for (size_t i = 0; i < len; i += W) acc += vec::Exp<W>(Load<W>(t + i)) * Load<W>(f + i);
    } else {
      for (size_t i = 0; i < len; i += W) acc += vec::Exp<W>(Load<W>(t + i));
    }
  }
  return vec::HorizontalSum<W>(acc);
}

template <int W>
HT_VEC_INLINE void LogGaussMassBatchT(const double* a, const double* b, double* out, size_t n) {
  size_t i = 0;
  for (; i + W <= n; i += W) Store<W>(out + i, vec::LogGaussMass<W>(Load<W>(a + i), Load<W>(b + i)));
  if (i < n) {
    double ta[W], tb[W], to[W];
    for (int k = 0; k < W; ++k) {
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
  for (; i < n; ++i) out[i] = vec::Log<1>(vec::Splat<1>(x[i]))[0];
}

// One set of entry points per instruction set.
struct Kernels {
  double (*sum_gauss)(const double*, const double*, const double*, size_t, double);
  double (*sum_narrow)(const double*, const double*, const double*, const double*, size_t,
                       double);
  double (*sum_wide)(const double*, const double*, const double*, size_t, double, double);
  double (*sum_mv)(const double*, size_t, const MvDim*, size_t);
  void (*log_gauss_mass)(const double*, const double*, double*, size_t);
  void (*log)(const double*, double*, size_t);
};

#define HT_DEFINE_KERNELS(NAME, TARGET, W)                                                   \
  TARGET double NAME##SumGauss(const double* base, const double* mu, const double* inv,      \
                               size_t n, double x) {                                         \
    return SumGaussT<W>(base, mu, inv, n, x);                                                \
  }                                                                                          \
  TARGET double NAME##SumNarrow(const double* base, const double* mu, const double* inv,     \
                                const double* h2, size_t n, double x) {                      \
    return SumNarrowBinsT<W>(base, mu, inv, h2, n, x);                                       \
  }                                                                                          \
  TARGET double NAME##SumWide(const double* base, const double* mu, const double* inv,       \
                              size_t n, double x, double half) {                             \
    return SumWideBinsT<W>(base, mu, inv, n, x, half);                                       \
  }                                                                                          \
  TARGET double NAME##SumMv(const double* base, size_t n, const MvDim* dims, size_t n_dims) { \
    return SumMultivariateT<W>(base, n, dims, n_dims);                                       \
  }                                                                                          \
  TARGET void NAME##LogGaussMass(const double* a, const double* b, double* out, size_t n) {  \
    LogGaussMassBatchT<W>(a, b, out, n);                                                     \
  }                                                                                          \
  TARGET void NAME##Log(const double* x, double* out, size_t n) { LogBatchT<W>(x, out, n); } \
  constexpr Kernels k##NAME = {NAME##SumGauss, NAME##SumNarrow, NAME##SumWide,               \
                               NAME##SumMv,    NAME##LogGaussMass, NAME##Log};

#define HT_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma")))
#define HT_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define HT_TARGET_SSE2

HT_DEFINE_KERNELS(Avx512, HT_TARGET_AVX512, 8)
HT_DEFINE_KERNELS(Avx2, HT_TARGET_AVX2, 4)
HT_DEFINE_KERNELS(Sse2, HT_TARGET_SSE2, 2)

const Kernels* KernelsFor(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return &kAvx512;
    case Isa::kAvx2: return &kAvx2;
    case Isa::kSse2: return &kSse2;
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
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    case Isa::kSse2: return "sse2";
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
    case Isa::kAvx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::kSse2: return true;
  }
  return false;
}

Isa ActiveIsa() { return g_isa.load(); }

void ForceIsa(Isa isa) {
  HT_CHECK(IsaSupported(isa)) << "this CPU cannot run " << ToString(isa);
  g_isa.store(isa);
}

double SumGauss(const double* base, const double* mu, const double* inv, size_t n, double x) {
  return Active().sum_gauss(base, mu, inv, n, x);
}
double SumNarrowBins(const double* base, const double* mu, const double* inv, const double* h2,
                     size_t n, double x) {
  return Active().sum_narrow(base, mu, inv, h2, n, x);
}
double SumWideBins(const double* base, const double* mu, const double* inv, size_t n, double x,
                   double half) {
  return Active().sum_wide(base, mu, inv, n, x, half);
}
double SumMultivariate(const double* base, size_t n, const MvDim* dims, size_t n_dims) {
  return Active().sum_mv(base, n, dims, n_dims);
}
void LogGaussMassBatch(const double* a, const double* b, double* out, size_t n) {
  Active().log_gauss_mass(a, b, out, n);
}
void LogBatch(const double* x, double* out, size_t n) { Active().log(x, out, n); }

}  // namespace hypertune::tpe

