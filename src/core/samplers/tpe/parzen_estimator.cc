#include "src/core/samplers/tpe/parzen_estimator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "hypertune/core/status.h"
#include "src/core/samplers/tpe/tpe_kernels.h"
#include "src/core/samplers/tpe/tpe_math.h"

namespace hypertune::tpe {
namespace {

constexpr double kMinSigmaNoClip = 1e-12;      // bandwidth floor without magic clip
constexpr double kNarrowBin = 0.1;             // step/sigma below which bins use the midpoint rule
constexpr size_t kMaxTable = size_t{1} << 16;  // largest bin-mass table (entries)
// Mixtures with at least this many components sum in single precision
// (relative error < 3e-7, twice the speed); smaller ones in double.
constexpr size_t kFastComponents = 1024;

size_t RoundUp(size_t n) { return (n + kLanes - 1) / kLanes * kLanes; }

// Converts n doubles, n a multiple of kLanes (fixed-size inner loops vectorize).
void ToFloat(const double* from, float* to, size_t n) {
  for (size_t i = 0; i < n; i += kLanes) {
    for (size_t k = 0; k < kLanes; ++k) to[i + k] = static_cast<float>(from[i + k]);
  }
}

// Sum with independent partial sums (a single accumulator is a latency chain).
[[maybe_unused]] double Sum(const double* x, size_t n) {
  double p[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (size_t k = 0; k < 8; ++k) p[k] += x[i + k];
  }
  for (; i < n; ++i) p[0] += x[i];
  return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
}

}  // namespace

void ParzenEstimator::Build(std::span<const ParamSpec> specs,
                            std::span<const double* const> columns, std::span<const double> weights,
                            size_t n, const EstimatorOptions& options) {
  HT_CHECK(!specs.empty()) << "an estimator needs a dimension";
  HT_CHECK(options.multivariate || specs.size() == 1) << "univariate estimators are 1-D";
  HT_CHECK(columns.size() == specs.size() && weights.size() >= n) << "observations mismatch";
  options_ = options;
  n_input_ = n;
  has_prior_ = options.consider_prior || n == 0;
  dims_.resize(specs.size());
  for (size_t d = 0; d < specs.size(); ++d) {
    dims_[d].spec = specs[d];
    dims_[d].pmf.clear();
  }
  const double total = (has_prior_ ? options.prior_weight : 0.0) +
                       (options.weight_sum >= 0.0 ? options.weight_sum : Sum(weights.data(), n));
  HT_CHECK(total > 0.0 && std::isfinite(total)) << "weights sum to " << total;
  const double inv_total = 1.0 / total;
  prior_w_ = has_prior_ ? options.prior_weight * inv_total : 0.0;

  // Categorical rows: p0 per category, +1 on the observed one, normalized.
  const double p0 = has_prior_ ? options.prior_weight / (static_cast<double>(n) + 1.0)
                               : options.prior_weight / static_cast<double>(n);
  for (Dim& dim : dims_) {
    if (dim.spec.kind != ParamSpec::Kind::kCategorical) continue;
    const double row_sum = 1.0 + dim.spec.n_choices * p0;
    dim.p_match = (p0 + 1.0) / row_sum;
    dim.p_other = p0 / row_sum;
  }
  if (dims_.size() == 1 && dims_[0].spec.kind == ParamSpec::Kind::kCategorical) {
    BuildCategorical1D(columns[0], weights, n, inv_total);
    return;
  }
  if (options.multivariate) {
    LayOutMultivariate(columns, weights, n, inv_total);
  } else {
    LayOutUnivariate(columns[0], weights, n, inv_total);
  }
  Prepare();
}

void ParzenEstimator::BuildCategorical1D(const double* values, std::span<const double> weights,
                                         size_t n, double inv_total) {
  Dim& dim = dims_[0];
  const size_t k = static_cast<size_t>(dim.spec.n_choices);
  double obs_total = 0.0;
  std::vector<double>& hits = dim.pmf;  // reused: hits first, then the pmf
  hits.assign(k, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const double w = weights[i] * inv_total;
    obs_total += w;
    hits[static_cast<size_t>(values[i])] += w;
  }
  for (size_t c = 0; c < k; ++c) {
    hits[c] = prior_w_ / static_cast<double>(k) + obs_total * dim.p_other +
              hits[c] * (dim.p_match - dim.p_other);
  }
  n_obs_ = n;
  n_pad_ = n_narrow_pad_ = 0;
  weight_.clear();
  cum_ready_ = false;
}

void ParzenEstimator::LayOutUnivariate(const double* v, std::span<const double> w, size_t n,
                                       double inv_total) {
  Dim& dim = dims_[0];
  const ParamSpec& s = dim.spec;
  const double* wp = w.data();
  if (!options_.sorted && !std::is_sorted(v, v + n)) {
    order_.resize(n);
    std::iota(order_.begin(), order_.end(), size_t{0});
    std::stable_sort(order_.begin(), order_.end(), [v](size_t a, size_t b) { return v[a] < v[b]; });
    sorted_v_.resize(n);
    sorted_w_.resize(n);
    for (size_t k = 0; k < n; ++k) {
      sorted_v_[k] = v[order_[k]];
      sorted_w_[k] = wp[order_[k]];
    }
    v = sorted_v_.data();
    wp = sorted_w_.data();
  }
  const double prior_mu = 0.5 * (s.low + s.high);
  const size_t p = has_prior_ ? static_cast<size_t>(std::upper_bound(v, v + n, prior_mu) - v) : n;
  const size_t m = n + (has_prior_ ? 1 : 0);  // centres, the prior's included
  const double min_sigma = options_.consider_magic_clip
                               ? s.range() / std::min(100.0, 1.0 + static_cast<double>(m))
                               : kMinSigmaNoClip;
  const double max_sigma = s.range();
  // Bandwidth of observation k (sorted): the larger gap to a neighbour among
  // the centres, the prior's (between observations p - 1 and p) included; the
  // outermost centres use their inner gap unless consider_endpoints.
  auto bandwidth = [&](size_t k) {
    const size_t pos = k < p ? k : k + 1;  // among the m centres
    const double x = v[k];
    const double left = has_prior_ && k == p ? prior_mu : (k == 0 ? s.low : v[k - 1]);
    const double right = has_prior_ && k + 1 == p ? prior_mu : (k + 1 == n ? s.high : v[k + 1]);
    double sg = std::max(x - left, right - x);
    if (!options_.consider_endpoints && m >= 2) {
      if (pos == 0) sg = right - x;
      if (pos + 1 == m) sg = x - left;
    }
    return std::clamp(sg, min_sigma, max_sigma);
  };

  if (s.kind == ParamSpec::Kind::kContinuous) {
    // One component per observation, in sorted order.
    n_obs_ = n;
    n_narrow_pad_ = n_pad_ = RoundUp(n);
    dim.mu.resize(n_pad_);
    dim.sigma.resize(n_pad_);
    weight_.resize(n_pad_);
    double* sig = dim.sigma.data();
    std::copy(v, v + n, dim.mu.begin());
    // Interior observations (both neighbours observations) in a simple
    // loop; the few next to the ends and to the prior's centre after.
    for (size_t k = 1; k + 1 < n; ++k) {
      sig[k] = std::clamp(std::max(v[k] - v[k - 1], v[k + 1] - v[k]), min_sigma, max_sigma);
    }
    for (size_t k : {size_t{0}, p - 1, p, n - 1}) {
      if (k < n) sig[k] = bandwidth(k);
    }
    for (size_t k = 0; k < n; ++k) weight_[k] = wp[k] * inv_total;
    std::fill(dim.mu.begin() + static_cast<std::ptrdiff_t>(n), dim.mu.end(), s.low);
    std::fill(dim.sigma.begin() + static_cast<std::ptrdiff_t>(n), dim.sigma.end(), s.range());
    std::fill(weight_.begin() + static_cast<std::ptrdiff_t>(n), weight_.end(), 0.0);
    return;
  }

  // Discrete: narrow bins first, wide ones after; equal neighbours with equal
  // bandwidths (repeated grid values) merge into one component.
  dim.mu.resize(n + 2 * kLanes);
  dim.sigma.resize(n + 2 * kLanes);
  weight_.resize(n + 2 * kLanes);
  wide_mu_.resize(n);
  wide_sigma_.resize(n);
  wide_w_.resize(n);
  double* mu = dim.mu.data();
  double* sig = dim.sigma.data();
  double* wt = weight_.data();
  size_t c = 0, cw = 0;  // narrow and wide components so far
  for (size_t k = 0; k < n; ++k) {
    const double weight = wp[k] * inv_total;
    if (!(weight > 0.0)) continue;
    const double x = v[k];
    const double sj = bandwidth(k);
    if (s.step / sj >= kNarrowBin) {
      if (cw > 0 && wide_mu_[cw - 1] == x && wide_sigma_[cw - 1] == sj) {
        wide_w_[cw - 1] += weight;
      } else {
        wide_mu_[cw] = x;
        wide_sigma_[cw] = sj;
        wide_w_[cw++] = weight;
      }
    } else if (c > 0 && mu[c - 1] == x && sig[c - 1] == sj) {
      wt[c - 1] += weight;
    } else {
      mu[c] = x;
      sig[c] = sj;
      wt[c++] = weight;
    }
  }
  n_obs_ = c + cw;
  n_narrow_pad_ = RoundUp(c);
  n_pad_ = n_narrow_pad_ + RoundUp(cw);
  dim.mu.resize(n_pad_);
  dim.sigma.resize(n_pad_);
  weight_.resize(n_pad_);
  auto pad = [&](size_t from, size_t to) {
    std::fill(dim.mu.begin() + static_cast<std::ptrdiff_t>(from),
              dim.mu.begin() + static_cast<std::ptrdiff_t>(to), s.low);
    std::fill(dim.sigma.begin() + static_cast<std::ptrdiff_t>(from),
              dim.sigma.begin() + static_cast<std::ptrdiff_t>(to), s.range());
    std::fill(weight_.begin() + static_cast<std::ptrdiff_t>(from),
              weight_.begin() + static_cast<std::ptrdiff_t>(to), 0.0);
  };
  pad(c, n_narrow_pad_);
  std::copy_n(wide_mu_.begin(), cw, dim.mu.begin() + static_cast<std::ptrdiff_t>(n_narrow_pad_));
  std::copy_n(wide_sigma_.begin(), cw,
              dim.sigma.begin() + static_cast<std::ptrdiff_t>(n_narrow_pad_));
  std::copy_n(wide_w_.begin(), cw, weight_.begin() + static_cast<std::ptrdiff_t>(n_narrow_pad_));
  pad(n_narrow_pad_ + cw, n_pad_);
}

void ParzenEstimator::LayOutMultivariate(std::span<const double* const> columns,
                                         std::span<const double> w, size_t n, double inv_total) {
  n_obs_ = n;
  n_narrow_pad_ = n_pad_ = RoundUp(n);
  weight_.assign(n_pad_, 0.0);
  for (size_t i = 0; i < n; ++i) weight_[i] = w[i] * inv_total;
  const double m = static_cast<double>(n) + (has_prior_ ? 1.0 : 0.0);  // components
  const double sigma0 =
      options_.bandwidth_factor * std::pow(std::max(static_cast<double>(n), 1.0),
                                           -1.0 / (static_cast<double>(dims_.size()) + 4.0));
  for (size_t d = 0; d < dims_.size(); ++d) {
    Dim& dim = dims_[d];
    const ParamSpec& s = dim.spec;
    if (s.kind == ParamSpec::Kind::kCategorical) {
      dim.cat.assign(n_pad_, -1.0);
      std::copy_n(columns[d], n, dim.cat.begin());
      continue;
    }
    const double min_sigma =
        options_.consider_magic_clip ? s.range() / std::min(100.0, 1.0 + m) : kMinSigmaNoClip;
    const double sigma = std::clamp(sigma0 * s.range(), min_sigma, s.range());
    dim.mu.assign(n_pad_, s.low);
    std::copy_n(columns[d], n, dim.mu.begin());
    dim.sigma.assign(n_pad_, sigma);
    dim.inv_shared = 1.0 / sigma;
  }
}

void ParzenEstimator::Prepare() {
  coef_.resize(n_pad_);
  sorted_mu_ = false;
  log_scale_ = 0.0;
  constexpr double kInvSqrt2Pi = 0.39894228040143267794;
  if (dims_.size() == 1) {
    Dim& dim = dims_[0];
    const ParamSpec& s = dim.spec;
    dim.inv.resize(n_pad_);
    const size_t nn = n_narrow_pad_;
    if (s.kind == ParamSpec::Kind::kContinuous) {
      PrepareComponents(weight_.data(), dim.mu.data(), dim.sigma.data(), n_pad_, s.low, s.high,
                        options_.density_kernels, kInvSqrt2Pi, dim.inv.data(), coef_.data());
      sorted_mu_ = !options_.multivariate;
      if (sorted_mu_) {
        blocks_.resize(n_pad_ / kLanes);
        for (size_t b = 0; b < blocks_.size(); ++b) {
          const size_t first = b * kLanes;
          const size_t last = std::min(first + kLanes, n_obs_);  // real components only
          double min_inv = std::numeric_limits<double>::infinity();
          for (size_t i = first; i < last; ++i) min_inv = std::min(min_inv, dim.inv[i]);
          blocks_[b] = {dim.mu[first], dim.mu[last - 1], min_inv};
        }
        if (n_pad_ >= kFastComponents) {
          coef_f_.resize(n_pad_);
          inv_f_.resize(n_pad_);
          ToFloat(coef_.data(), coef_f_.data(), n_pad_);
          ToFloat(dim.inv.data(), inv_f_.data(), n_pad_);
        }
      }
    } else {
      // Narrow bins: w h phi(0) exp(-m^2/2) (...) / Z with h = step / sigma;
      // wide ones: w mass / Z.
      PrepareComponents(weight_.data(), dim.mu.data(), dim.sigma.data(), nn, s.low, s.high,
                        /*density=*/true, s.step * kInvSqrt2Pi, dim.inv.data(), coef_.data());
      PrepareComponents(weight_.data() + nn, dim.mu.data() + nn, dim.sigma.data() + nn, n_pad_ - nn,
                        s.low, s.high, /*density=*/false, 1.0, dim.inv.data() + nn,
                        coef_.data() + nn);
      h2_.resize(nn);
      for (size_t i = 0; i < nn; ++i) h2_[i] = s.step * dim.inv[i] * s.step * dim.inv[i];
    }
  } else {
    std::copy(weight_.begin(), weight_.end(), coef_.begin());
    for (Dim& dim : dims_) {
      const ParamSpec& s = dim.spec;
      if (s.kind == ParamSpec::Kind::kCategorical) continue;
      const double sigma = 1.0 / dim.inv_shared;
      if (s.kind == ParamSpec::Kind::kContinuous) {
        DivideByMass(dim.mu.data(), n_pad_, dim.inv_shared, s.low, s.high, coef_.data());
        log_scale_ -= (options_.density_kernels ? std::log(sigma) : 0.0) + kLogSqrt2Pi;
        continue;
      }
      const double h = s.step * dim.inv_shared;
      dim.grid_size = s.GridSize();
      const size_t table_size = static_cast<size_t>(2 * dim.grid_size - 1);
      dim.narrow = h < kNarrowBin || table_size > kMaxTable;
      if (dim.narrow) {
        dim.h2 = h * h;
        DivideByMass(dim.mu.data(), n_pad_, dim.inv_shared, s.low, s.high, coef_.data());
        log_scale_ += std::log(h) - kLogSqrt2Pi;
        continue;
      }
      // Wide bins: a table of log masses by grid index difference, and one of
      // truncation masses by grid index.
      std::vector<double> ta(table_size), tb(table_size);
      for (size_t k = 0; k < table_size; ++k) {
        const double j = static_cast<double>(static_cast<int64_t>(k) - (dim.grid_size - 1));
        ta[k] = (j - 0.5) * h;
        tb[k] = (j + 0.5) * h;
      }
      dim.table.resize(table_size);
      LogGaussMassBatch(ta.data(), tb.data(), dim.table.data(), table_size);
      const size_t g = static_cast<size_t>(dim.grid_size);
      std::vector<double> za(g), zb(g), log_z(g);
      for (size_t k = 0; k < g; ++k) {
        const double centre = s.first + static_cast<double>(k) * s.step;
        za[k] = (s.low - centre) * dim.inv_shared;
        zb[k] = (s.high - centre) * dim.inv_shared;
      }
      LogGaussMassBatch(za.data(), zb.data(), log_z.data(), g);
      for (double& z : log_z) z = std::exp(-z);  // 1 / Z
      dim.neg_grid.resize(n_pad_);
      for (size_t i = 0; i < n_pad_; ++i) {
        const int64_t k = std::clamp<int64_t>(s.GridIndex(dim.mu[i]), 0, dim.grid_size - 1);
        dim.neg_grid[i] = -k;
        coef_[i] *= log_z[static_cast<size_t>(k)];
      }
    }
  }
  coef_sum_ = -1.0;  // computed when first needed
  fast_ = n_pad_ >= kFastComponents;
  cum_ready_ = false;
}

}  // namespace hypertune::tpe
