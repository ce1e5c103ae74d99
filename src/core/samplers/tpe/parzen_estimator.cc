#include "core/samplers/tpe/parzen_estimator.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/samplers/tpe/tpe_kernels.h"
#include "core/samplers/tpe/tpe_math.h"
#include "hypertune/core/status.h"

namespace hypertune::tpe {
namespace {

constexpr double kSigma0Magnitude = 0.2;  // multivariate bandwidth factor (Optuna's)
constexpr double kMinSigmaNoClip = 1e-12;  // bandwidth floor without magic clip
constexpr double kNarrowBin = 0.1;        // step/sigma below which bins use the midpoint rule
constexpr size_t kMaxTable = size_t{1} << 16;  // largest bin-mass table (entries)

size_t RoundUp(size_t n) { return (n + kLanes - 1) / kLanes * kLanes; }

}  // namespace

ParzenEstimator::ParzenEstimator(std::span<const ParamSpec> specs,
                                 std::span<const double* const> columns,
                                 std::span<const double> weights, size_t n,
                                 const EstimatorOptions& options)
    : options_(options), n_input_(n) {
  HT_CHECK(!specs.empty()) << "an estimator needs a dimension";
  HT_CHECK(options.multivariate || specs.size() == 1) << "univariate estimators are 1-D";
  HT_CHECK(columns.size() == specs.size() && weights.size() >= n) << "observations mismatch";
  has_prior_ = options.consider_prior || n == 0;
  dims_.resize(specs.size());
  for (size_t d = 0; d < specs.size(); ++d) dims_[d].spec = specs[d];

  double total = has_prior_ ? options.prior_weight : 0.0;
  for (size_t i = 0; i < n; ++i) total += weights[i];
  HT_CHECK(total > 0.0 && std::isfinite(total)) << "weights sum to " << total;
  prior_w_ = has_prior_ ? options.prior_weight / total : 0.0;
  std::vector<double> w(weights.begin(), weights.begin() + static_cast<std::ptrdiff_t>(n));
  for (double& x : w) x /= total;

  // Categorical rows: p0 per category, +1 on the observed one, normalized.
  const double p0_base = has_prior_ ? options.prior_weight / (static_cast<double>(n) + 1.0)
                                    : options.prior_weight / static_cast<double>(n);
  for (Dim& dim : dims_) {
    if (dim.spec.kind != ParamSpec::Kind::kCategorical) continue;
    const double row_sum = 1.0 + dim.spec.n_choices * p0_base;
    dim.p_match = (p0_base + 1.0) / row_sum;
    dim.p_other = p0_base / row_sum;
  }
  if (dims_.size() == 1 && dims_[0].spec.kind == ParamSpec::Kind::kCategorical) {
    BuildCategorical1D(columns[0], w, n);
    return;
  }

  std::vector<std::vector<double>> sig(dims_.size());
  std::vector<size_t> ids(n);
  std::iota(ids.begin(), ids.end(), size_t{0});
  const double m = static_cast<double>(n) + (has_prior_ ? 1.0 : 0.0);  // components
  auto min_sigma = [&](const ParamSpec& s) {
    return options.consider_magic_clip ? s.range() / std::min(100.0, 1.0 + m) : kMinSigmaNoClip;
  };
  if (!options.multivariate) {
    const double* v = columns[0];
    if (!std::is_sorted(v, v + n)) {
      std::stable_sort(ids.begin(), ids.end(), [v](size_t a, size_t b) { return v[a] < v[b]; });
    }
    ComputeUnivariateSigmas(v, ids, sig[0]);
  } else {
    const double sigma0 = kSigma0Magnitude *
                          std::pow(std::max(static_cast<double>(n), 1.0),
                                   -1.0 / (static_cast<double>(dims_.size()) + 4.0));
    for (size_t d = 0; d < dims_.size(); ++d) {
      const ParamSpec& s = dims_[d].spec;
      if (s.kind == ParamSpec::Kind::kCategorical) continue;
      sig[d].assign(n, std::clamp(sigma0 * s.range(), min_sigma(s), s.range()));
    }
  }
  LayOut(ids, w, columns, sig);
  FinishNumeric();
}

void ParzenEstimator::ComputeUnivariateSigmas(const double* values,
                                              const std::vector<size_t>& order,
                                              std::vector<double>& sigma) const {
  const ParamSpec& s = dims_[0].spec;
  const size_t n = order.size();
  const double prior_mu = 0.5 * (s.low + s.high);
  // The sorted sequence of centres, the prior's (if any) at position p,
  // after the observations equal to it.
  size_t p = n + 1;  // no prior
  if (has_prior_) {
    p = static_cast<size_t>(
        std::upper_bound(order.begin(), order.end(), prior_mu,
                         [values](double x, size_t i) { return x < values[i]; }) -
        order.begin());
  }
  const size_t m = n + (has_prior_ ? 1 : 0);
  auto at = [&](size_t k) {
    if (k == p) return prior_mu;
    return values[order[k < p ? k : k - 1]];
  };
  const double min_sigma = options_.consider_magic_clip
                               ? s.range() / std::min(100.0, 1.0 + static_cast<double>(m))
                               : kMinSigmaNoClip;
  sigma.assign(n, 0.0);
  for (size_t k = 0; k < m; ++k) {
    if (k == p) continue;
    const double x = at(k);
    const double left = k == 0 ? s.low : at(k - 1);
    const double right = k + 1 == m ? s.high : at(k + 1);
    double sg = std::max(x - left, right - x);
    if (!options_.consider_endpoints && m >= 2) {
      if (k == 0) sg = right - x;
      if (k + 1 == m) sg = x - left;
    }
    sigma[order[k < p ? k : k - 1]] = std::clamp(sg, min_sigma, s.range());
  }
}

void ParzenEstimator::BuildCategorical1D(const double* values, std::span<const double> weights,
                                         size_t n) {
  Dim& dim = dims_[0];
  const int k = dim.spec.n_choices;
  double obs_total = 0.0;
  std::vector<double> hits(static_cast<size_t>(k), 0.0);
  for (size_t i = 0; i < n; ++i) {
    obs_total += weights[i];
    hits[static_cast<size_t>(values[i])] += weights[i];
  }
  dim.pmf.resize(static_cast<size_t>(k));
  for (size_t c = 0; c < dim.pmf.size(); ++c) {
    dim.pmf[c] = prior_w_ / k + obs_total * dim.p_other + hits[c] * (dim.p_match - dim.p_other);
  }
  n_obs_ = n;
}

void ParzenEstimator::LayOut(std::vector<size_t>& ids, const std::vector<double>& raw_w,
                             std::span<const double* const> columns,
                             const std::vector<std::vector<double>>& sig) {
  struct Comp {
    size_t src;
    double w;
  };
  std::vector<Comp> comps;
  comps.reserve(ids.size());
  const bool merge = !options_.multivariate;  // univariate ids are sorted by value
  const double* v0 = columns[0];
  for (size_t i : ids) {
    if (raw_w[i] <= 0.0) continue;
    if (merge && !comps.empty() && v0[comps.back().src] == v0[i] &&
        sig[0][comps.back().src] == sig[0][i]) {
      comps.back().w += raw_w[i];
      continue;
    }
    comps.push_back({i, raw_w[i]});
  }
  n_obs_ = comps.size();
  // One discrete dimension: narrow bins (midpoint rule) first, then wide ones.
  size_t n_narrow = comps.size();
  const ParamSpec& s0 = dims_[0].spec;
  if (dims_.size() == 1 && s0.kind == ParamSpec::Kind::kDiscrete) {
    auto it = std::stable_partition(comps.begin(), comps.end(), [&](const Comp& c) {
      return s0.step / sig[0][c.src] < kNarrowBin;
    });
    n_narrow = static_cast<size_t>(it - comps.begin());
  }
  n_narrow_pad_ = RoundUp(n_narrow);
  n_pad_ = n_narrow_pad_ + RoundUp(comps.size() - n_narrow);
  weight_.assign(n_pad_, 0.0);
  for (Dim& dim : dims_) {
    const ParamSpec& s = dim.spec;
    if (s.kind == ParamSpec::Kind::kCategorical) {
      dim.cat.assign(n_pad_, -1.0);
    } else {
      dim.mu.assign(n_pad_, s.low);
      dim.sigma.assign(n_pad_, s.range());
    }
  }
  for (size_t j = 0; j < comps.size(); ++j) {
    const size_t slot = j < n_narrow ? j : n_narrow_pad_ + (j - n_narrow);
    weight_[slot] = comps[j].w;
    for (size_t d = 0; d < dims_.size(); ++d) {
      Dim& dim = dims_[d];
      if (dim.spec.kind == ParamSpec::Kind::kCategorical) {
        dim.cat[slot] = columns[d][comps[j].src];
      } else {
        dim.mu[slot] = columns[d][comps[j].src];
        dim.sigma[slot] = sig[d][comps[j].src];
      }
    }
  }
}

void ParzenEstimator::FinishNumeric() {
  std::vector<double> a(n_pad_), b(n_pad_), log_z(n_pad_), log_sigma(n_pad_);
  base_.assign(n_pad_, 0.0);
  LogBatch(weight_.data(), base_.data(), n_pad_);
  const bool one_d = dims_.size() == 1;
  for (Dim& dim : dims_) {
    const ParamSpec& s = dim.spec;
    if (s.kind == ParamSpec::Kind::kCategorical) continue;
    dim.prior_log_z = LogGaussMass(-0.5, 0.5);
    dim.inv.resize(n_pad_);
    for (size_t i = 0; i < n_pad_; ++i) {
      dim.inv[i] = 1.0 / dim.sigma[i];
      a[i] = (s.low - dim.mu[i]) * dim.inv[i];
      b[i] = (s.high - dim.mu[i]) * dim.inv[i];
    }
    // Truncation masses; components far from both bounds have mass 1.
    std::vector<size_t> near;
    for (size_t i = 0; i < n_pad_; ++i) {
      if (a[i] > -8.5 || b[i] < 8.5) near.push_back(i);
    }
    std::fill(log_z.begin(), log_z.end(), 0.0);
    if (!near.empty()) {
      std::vector<double> na(near.size()), nb(near.size()), nz(near.size());
      for (size_t k = 0; k < near.size(); ++k) {
        na[k] = a[near[k]];
        nb[k] = b[near[k]];
      }
      LogGaussMassBatch(na.data(), nb.data(), nz.data(), near.size());
      for (size_t k = 0; k < near.size(); ++k) log_z[near[k]] = nz[k];
    }
    LogBatch(dim.sigma.data(), log_sigma.data(), n_pad_);
    if (s.kind == ParamSpec::Kind::kContinuous) {
      for (size_t i = 0; i < n_pad_; ++i) base_[i] -= log_sigma[i] + log_z[i] + kLogSqrt2Pi;
      continue;
    }
    // Discrete. One dimension: per component, narrow slots first.
    if (one_d) {
      h2_.assign(n_narrow_pad_, 0.0);
      for (size_t i = 0; i < n_pad_; ++i) {
        base_[i] -= log_z[i];
        if (i < n_narrow_pad_) {
          const double h = s.step * dim.inv[i];
          h2_[i] = h * h;
          base_[i] += std::log(h) - kLogSqrt2Pi;
        }
      }
      continue;
    }
    // Several dimensions: sigma is shared.
    const double sigma = n_pad_ > 0 ? dim.sigma[0] : s.range();
    const double h = s.step / sigma;
    dim.grid_size = s.GridSize();
    const size_t table_size = static_cast<size_t>(2 * dim.grid_size - 1);
    dim.narrow = h < kNarrowBin || table_size > kMaxTable;
    if (dim.narrow) {
      dim.h2 = h * h;
      for (size_t i = 0; i < n_pad_; ++i) base_[i] += std::log(h) - kLogSqrt2Pi - log_z[i];
      continue;
    }
    std::vector<double> ta(table_size), tb(table_size);
    for (size_t k = 0; k < table_size; ++k) {
      const double j = static_cast<double>(static_cast<int64_t>(k) - (dim.grid_size - 1));
      ta[k] = (j - 0.5) * h;
      tb[k] = (j + 0.5) * h;
    }
    dim.table.resize(table_size);
    LogGaussMassBatch(ta.data(), tb.data(), dim.table.data(), table_size);
    dim.neg_grid.resize(n_pad_);
    for (size_t i = 0; i < n_pad_; ++i) {
      dim.neg_grid[i] = -std::clamp<int64_t>(s.GridIndex(dim.mu[i]), 0, dim.grid_size - 1);
      base_[i] -= log_z[i];
    }
  }
  shift_ = kLogZero;
  for (size_t i = 0; i < n_pad_; ++i) {
    if (weight_[i] > 0.0) shift_ = std::max(shift_, base_[i]);
  }
  for (size_t i = 0; i < n_pad_; ++i) base_[i] = weight_[i] > 0.0 ? base_[i] - shift_ : kLogZero;
  cum_.resize(n_pad_ + 1);
  double acc = 0.0;
  for (size_t i = 0; i < n_pad_; ++i) cum_[i] = acc += weight_[i];
  cum_[n_pad_] = acc + prior_w_;
}

}  // namespace hypertune::tpe
