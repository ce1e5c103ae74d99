// Vectorized inner loops of the Parzen estimators: sums of mixture-component
// densities at one point. Each loop exists for SSE2, AVX2 and AVX-512; the
// best one the CPU supports is picked at run time (never -march=native).
//
// Conventions: arrays hold `n` components, n a multiple of kLanes, padded
// with components whose base is kLogZero (they add nothing). Every function
// returns sum_i exp(base_i + log k_i(x)) where k_i(x) <= 1 is the
// x-dependent part of component i; callers put the rest (weights,
// normalizers, a shift that keeps exponents <= 0) into base_i. A sum below
// about 1e-250 may have lost precision to underflow: callers recompute it
// in log space.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hypertune::tpe {

inline constexpr size_t kLanes = 8;  // padding unit of component arrays

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
double SumGauss(const double* base, const double* mu, const double* inv, size_t n, double x);

// k_i(x) = mass of N(mu_i, 1/inv_i^2) on [x - h/2, x + h/2] relative to
// h_i * phi(0), by the midpoint rule with three corrections:
// exp(-m^2/2) (1 + h2 He2(m)/24 + h2^2 He4(m)/1920 + h2^3 He6(m)/322560),
// m = (x - mu_i) inv_i, h2 = h2_i = (step * inv_i)^2, He the Hermite
// polynomials. Relative error below 1e-9 for h < 0.1 and |m| < 6; base_i
// holds log(h_i) - log(sqrt(2 pi)).
double SumNarrowBins(const double* base, const double* mu, const double* inv, const double* h2,
                     size_t n, double x);

// k_i(x) = mass of N(mu_i, 1/inv_i^2) on [x - half, x + half].
double SumWideBins(const double* base, const double* mu, const double* inv, size_t n, double x,
                   double half);

// One dimension of a multivariate mixture whose components share their
// bandwidth in that dimension.
struct MvDim {
  enum class Kind : int { kGauss, kNarrowBin, kTable, kCategorical };
  Kind kind = Kind::kGauss;
  const double* values = nullptr;  // kGauss/kNarrowBin: mu; kCategorical: category index
  const int64_t* index = nullptr;  // kTable: minus the grid index of each component
  const double* table = nullptr;   // kTable: log mass by grid index difference, offset so
                                   // that table[index_i] is component i's term
  double x = 0.0;                  // the point (kGauss/kNarrowBin) or its category
  double inv = 1.0;                // kGauss/kNarrowBin: 1/sigma
  double h2 = 0.0;                 // kNarrowBin: (step/sigma)^2
  double match = 0.0;              // kCategorical: log prob of a component's own category
  double other = 0.0;              // kCategorical: log prob of any other category
};

// sum_i exp(base_i + sum_d term_d(i)) for the dimensions `dims`.
double SumMultivariate(const double* base, size_t n, const MvDim* dims, size_t n_dims);

// out_i = log(Ndtr(b_i) - Ndtr(a_i)), a_i < b_i; any n.
void LogGaussMassBatch(const double* a, const double* b, double* out, size_t n);
// out_i = log(x_i), x_i > 0; any n.
void LogBatch(const double* x, double* out, size_t n);

}  // namespace hypertune::tpe
