// Vectorized inner loops of the Parzen estimators: sums of mixture-component
// densities at one point, and the per-component set-up. Each loop exists for
// SSE2, AVX2 and AVX-512; the best one the CPU supports is picked at run time
// (never -march=native).
//
// Conventions: component arrays hold `n` components, n a multiple of kLanes,
// padded with components whose coefficient is 0. The sums are linear:
// sum_i coef_i * k_i(x), where k_i(x) <= 1 (about) is the x-dependent part of
// component i and coef_i the rest (weight, normalizers). A sum below ~1e-280
// may have lost digits to underflow: callers then recompute in log space.
//
// `fast` sums take their exponentials in single precision (relative error
// below 3e-7 on the sum, twice the speed); they floor each exponential at
// e^-86, so a fast sum below ~1e-30 of the coefficients' total must be
// recomputed exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hypertune::tpe {

inline constexpr size_t kLanes = 16;  // padding unit of component arrays

enum class Isa { kSse2, kAvx2, kAvx512 };
std::string_view ToString(Isa isa);
// The instruction set the kernels use now.
Isa ActiveIsa();
// True when the CPU can run `isa`.
bool IsaSupported(Isa isa);
// Makes the kernels use `isa` (tests and benchmarks compare them).
// Preconditions: IsaSupported(isa). Not thread-safe with running kernels.
void ForceIsa(Isa isa);

// k_i(x) = exp(-0.5 ((x - mu_i) inv_i)^2): a Gaussian.
double SumGauss(const double* coef, const double* mu, const double* inv, size_t n, double x,
                bool fast);

// Where the components of a block of kLanes lie: every mu_i in [lo, hi],
// every inv_i >= min_inv (so z_i >= gap * min_inv).
struct BlockBounds {
  double lo, hi, min_inv;
};

// SumGauss skipping the blocks whose every component has z^2 > cull_z2, z =
// (x - mu_i) inv_i: each adds less than coef_i exp(-cull_z2 / 2). The fast
// sum works in single precision throughout, from x - mu_i on, with
// coef_f and inv_f, single-precision copies of coef and inv (relative error
// about 1e-6).
double SumGaussCulled(const double* coef, const double* mu, const double* inv, const float* coef_f,
                      const float* inv_f, size_t n, double x, bool fast, const BlockBounds* blocks,
                      double cull_z2);

// k_i(x) = mass of N(mu_i, 1/inv_i^2) on [x - step/2, x + step/2] divided by
// h_i phi(0), h_i = step inv_i, by the midpoint rule with three corrections:
// exp(-m^2/2) (1 + h2 He2(m)/24 + h2^2 He4(m)/1920 + h2^3 He6(m)/322560),
// m = (x - mu_i) inv_i, h2 = h2_i = h_i^2, He the Hermite polynomials.
// Relative error below 1e-9 for h < 0.1 and |m| < 6.
double SumNarrowBins(const double* coef, const double* mu, const double* inv, const double* h2,
                     size_t n, double x, bool fast);

// k_i(x) = mass of N(mu_i, 1/inv_i^2) on [x - half, x + half].
double SumWideBins(const double* coef, const double* mu, const double* inv, size_t n, double x,
                   double half);

// One dimension of a multivariate mixture whose components share their
// bandwidth in that dimension. Terms are logs, summed over dimensions, then
// exponentiated.
struct MvDim {
  enum class Kind : int { kGauss, kNarrowBin, kTable, kCategorical };
  Kind kind = Kind::kGauss;
  const double* values = nullptr;  // kGauss/kNarrowBin: mu; kCategorical: category index
  const int64_t* index = nullptr;  // kTable: minus the grid index of each component
  const double* table = nullptr;   // kTable: log mass by grid index difference, offset so
                                   // that table[index_i] is component i's term
  double x = 0.0;                  // the point (kGauss/kNarrowBin) or its category
  double inv = 1.0;                // kGauss/kNarrowBin: 1/sigma
  double h2 = 0.0;                 // kNarrowBin: (step/sigma)^2; the term is -m^2/2 and
                                   // the midpoint corrections multiply the result
  double match = 0.0;              // kCategorical: log prob of a component's own category
  double other = 0.0;              // kCategorical: log prob of any other category
};

// sum_i coef_i exp(sum_d term_d(i)) for the dimensions `dims`.
double SumMultivariate(const double* coef, size_t n, const MvDim* dims, size_t n_dims, bool fast);

// Component set-up for one-dimensional mixtures, any n:
//   inv_i  = 1 / sigma_i
//   coef_i = w_i * scale * (density ? inv_i : 1) / Z_i
// where Z_i is the mass of N(mu_i, sigma_i^2) on [low, high] (low <= mu_i <=
// high), less tails beyond 7 sigmas (1.3e-12): components far from both
// bounds cost no erfc.
void PrepareComponents(const double* w, const double* mu, const double* sigma, size_t n, double low,
                       double high, bool density, double scale, double* inv, double* coef);

// coef_i /= Z_i for components N(mu_i, 1/inv^2) truncated to [low, high]
// (one shared inv, low <= mu_i <= high); any n.
void DivideByMass(const double* mu, size_t n, double inv, double low, double high, double* coef);

// out_i = log(Ndtr(b_i) - Ndtr(a_i)), a_i < b_i; any n.
void LogGaussMassBatch(const double* a, const double* b, double* out, size_t n);
// out_i = log(x_i), x_i > 0; any n.
void LogBatch(const double* x, double* out, size_t n);

}  // namespace hypertune::tpe
