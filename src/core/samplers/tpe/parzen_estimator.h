// ParzenEstimator: the kernel density TPE builds over the good (or the bad)
// observations, as in Optuna 3.x (optuna/samplers/_tpe/parzen_estimator.py).
//
// One component per observation plus, optionally, a "prior" component
// (centre of the range, bandwidth = the range, weight prior_weight). Per
// dimension a component is
//   continuous   a normal truncated to the kernel support [low, high]
//   discrete     the same normal, integrated over the bin [x - step/2, x + step/2]
//   categorical  (p0 + [c == observed]) / (1 + K p0), p0 = prior_weight / (n + 1);
//                the prior component is uniform
// and a multivariate component is the product over dimensions. With
// density_kernels off, continuous kernels are multiplied by their bandwidth
// (so the mixture no longer integrates to one: only ratios of it matter).
//
// Bandwidths: univariate (one dimension, `multivariate` false) uses the
// distance to the neighbouring observations (the prior's centre and, with
// consider_endpoints, the bounds count as neighbours); multivariate uses
// bandwidth_factor n^(-1/(D+4)) * range in every dimension (Scott's rule
// with Optuna's factor 0.2 by default). Both are clipped to
// [range / min(100, 1 + components), range] with consider_magic_clip, to
// [1e-12, range] without.
//
// Cost: building is O(n D) (O(n log n) if univariate values arrive unsorted);
// LogPdf is O(n D) per point through the vectorized kernels. Components with
// the same centre and bandwidth (repeated values of a discrete parameter)
// are merged.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hypertune/core/random.h"
#include "src/core/samplers/tpe/param_spec.h"
#include "src/core/samplers/tpe/tpe_kernels.h"

namespace hypertune::tpe {

struct EstimatorOptions {
  // Continuous kernels as proper densities (each integrates to its weight),
  // or scaled by their bandwidth so that each peaks at weight / (sqrt(2 pi) Z)
  // whatever its width (Optuna 3.1.0's evaluation). See TpeKernelScale.
  bool density_kernels = true;
  bool consider_prior = true;
  double prior_weight = 1.0;
  bool consider_magic_clip = true;
  bool consider_endpoints = false;
  bool multivariate = false;
  // Multivariate bandwidths: factor * n^(-1/(D+4)) * range (Optuna: 0.2).
  double bandwidth_factor = 0.2;
  // Univariate only: the caller guarantees the values arrive sorted
  // (skips a check). Unsorted values are sorted either way.
  bool sorted = false;
  // When >= 0: the sum of the weights (saves a pass).
  double weight_sum = -1.0;
};

class ParzenEstimator {
 public:
  ParzenEstimator() = default;
  ParzenEstimator(std::span<const ParamSpec> specs, std::span<const double* const> columns,
                  std::span<const double> weights, size_t n, const EstimatorOptions& options) {
    Build(specs, columns, weights, n, options);
  }

  // (Re)builds the estimator, reusing its buffers. `columns[d][i]`:
  // observation i of dimension d in kernel space (see ParamSpec::Transform),
  // i < n. `weights[i] >= 0`: its unnormalized weight (normalized together
  // with prior_weight). Univariate estimators are fastest when the values
  // arrive sorted.
  // Preconditions: !specs.empty(); multivariate or specs.size() == 1; values
  // within [low, high] of their spec; finite weights.
  void Build(std::span<const ParamSpec> specs, std::span<const double* const> columns,
             std::span<const double> weights, size_t n, const EstimatorOptions& options);

  size_t n_dims() const { return dims_.size(); }

  // Draws `count` points; appends count * n_dims internal values (row-major,
  // each a value of its distribution) to `out`.
  void Sample(Rng& rng, size_t count, std::vector<double>& out) const;

  // log density of `count` points given as internal values (row-major, as
  // Sample writes them); writes `count` values to `out`.
  void LogPdf(std::span<const double> points, size_t count, double* out) const;

  // The same for one point, computed component by component with <cmath>:
  // slow, exact; the fallback when the fast sum underflows, and a reference
  // for tests.
  double LogPdfReference(const double* point) const;

  // For tests: the observation components after merging (the prior excluded),
  // their normalized weights and bandwidths in dimension d.
  size_t n_observation_components() const { return n_obs_; }
  std::vector<double> ComponentWeights() const;
  std::vector<double> ComponentMus(size_t d) const;
  std::vector<double> ComponentSigmas(size_t d) const;
  double prior_weight() const { return prior_w_; }  // normalized; 0 without prior

 private:
  struct Dim {
    ParamSpec spec;
    std::vector<double> mu, sigma, inv;   // numeric, per component (padded)
    std::vector<double> cat;              // categorical: observed index (-1 in padding)
    double p_match = 0.0, p_other = 0.0;  // categorical: row probabilities
    std::vector<double> pmf;              // 1-D categorical: the whole mixture
    // Multivariate discrete dimensions share sigma: either the midpoint rule
    // (narrow bins) or a table of log bin masses by grid index difference.
    bool narrow = true;
    double h2 = 0.0;
    std::vector<int64_t> neg_grid;  // minus each component's grid index
    std::vector<double> table;      // log mass by index difference + (G - 1)
    int64_t grid_size = 0;
    double inv_shared = 1.0;  // multivariate numeric: 1/sigma
  };

  void BuildCategorical1D(const double* values, std::span<const double> weights, size_t n,
                          double inv_total);
  // One numeric dimension, neighbour bandwidths; merges equal components.
  void LayOutUnivariate(const double* values, std::span<const double> weights, size_t n,
                        double inv_total);
  // Several dimensions (or one), shared bandwidths.
  void LayOutMultivariate(std::span<const double* const> columns, std::span<const double> weights,
                          size_t n, double inv_total);
  void Prepare();  // kernel terms, shift, cumulative weights
  double PriorLogPdf(const double* y) const;
  double ObservationLogSum(const double* y) const;  // log sum over components, fast path
  double ObservationLogSumReference(const double* y) const;

  EstimatorOptions options_;
  std::vector<Dim> dims_;
  size_t n_input_ = 0;                       // observations given
  size_t n_obs_ = 0;                         // observation components after merging
  size_t n_narrow_pad_ = 0;                  // 1-D discrete: narrow components first, padded
  size_t n_pad_ = 0;                         // all components, padded to kLanes
  std::vector<double> weight_;               // normalized, per component (padding 0)
  mutable std::vector<double> cum_;          // cumulative weights, prior last
  std::vector<double> coef_;                 // kernel coefficients (see tpe_kernels.h)
  std::vector<double> h2_;                   // 1-D discrete narrow components: (step/sigma)^2
  std::vector<size_t> order_;                // scratch: sort order of unsorted univariate input
  std::vector<double> sorted_v_, sorted_w_;  // scratch: unsorted univariate input, sorted
  std::vector<double> wide_mu_, wide_sigma_, wide_w_;  // scratch: wide bins
  mutable bool cum_ready_ = false;                     // cum_ is built by the first Sample()
  // 1-D continuous univariate: components sorted by centre, so that sums
  // can skip blocks far from the point.
  bool sorted_mu_ = false;
  std::vector<BlockBounds> blocks_;
  std::vector<float> coef_f_, inv_f_;  // single-precision copies for fast sums
  double log_scale_ = 0.0;             // log density = log(kernel sum) + log_scale_
  mutable double coef_sum_ = -1.0;     // sum of coef_, computed when first needed
  double CoefSum() const;
  bool fast_ = false;  // single-precision exponentials (large mixtures)
  bool has_prior_ = false;
  double prior_w_ = 0.0;
};

}  // namespace hypertune::tpe
