// ParzenEstimator: sampling and density evaluation (construction is in
// parzen_estimator.cc).
#include <algorithm>
#include <cmath>
#include <limits>

#include "hypertune/core/status.h"
#include "src/core/samplers/tpe/parzen_estimator.h"
#include "src/core/samplers/tpe/tpe_kernels.h"
#include "src/core/samplers/tpe/tpe_math.h"

namespace hypertune::tpe {
namespace {

constexpr double kUnderflowSum = 1e-280;
// A single-precision sum below this fraction of the coefficients' total may
// be made of floored exponentials: recompute it in double.
constexpr double kFastFloor = 1e-25;
constexpr size_t kMaxDims = 64;  // dimensions evaluated with stack buffers

int DrawCategory(double u, int n_choices, int observed, double p_match, double p_other) {
  double acc = 0.0;
  for (int c = 0; c < n_choices; ++c) {
    acc += c == observed ? p_match : p_other;
    if (u < acc) return c;
  }
  return n_choices - 1;
}

}  // namespace

void ParzenEstimator::Sample(Rng& rng, size_t count, std::vector<double>& out) const {
  const size_t d_count = dims_.size();
  if (!cum_ready_ && dims_[0].pmf.empty()) {
    cum_.resize(n_pad_ + 1);
    double acc = 0.0;
    for (size_t i = 0; i < n_pad_; ++i) cum_[i] = acc += weight_[i];
    cum_[n_pad_] = acc + prior_w_;
    cum_ready_ = true;
  }
  out.reserve(out.size() + count * d_count);
  for (size_t s = 0; s < count; ++s) {
    if (!dims_[0].pmf.empty()) {  // one categorical dimension: the mixture is a pmf
      const std::vector<double>& pmf = dims_[0].pmf;
      double total = 0.0;
      for (double p : pmf) total += p;
      const double u = rng.Uniform() * total;
      double acc = 0.0;
      size_t c = 0;
      for (; c + 1 < pmf.size(); ++c) {
        acc += pmf[c];
        if (u < acc) break;
      }
      out.push_back(static_cast<double>(c));
      continue;
    }
    const double u = rng.Uniform() * cum_.back();
    const size_t slot =
        static_cast<size_t>(std::upper_bound(cum_.begin(), cum_.end(), u) - cum_.begin());
    const bool prior = slot >= n_pad_;
    for (const Dim& dim : dims_) {
      const ParamSpec& sp = dim.spec;
      if (sp.kind == ParamSpec::Kind::kCategorical) {
        const double v = rng.Uniform();
        const int c = prior ? std::min(static_cast<int>(v * sp.n_choices), sp.n_choices - 1)
                            : DrawCategory(v, sp.n_choices, static_cast<int>(dim.cat[slot]),
                                           dim.p_match, dim.p_other);
        out.push_back(static_cast<double>(c));
        continue;
      }
      const double mu = prior ? 0.5 * (sp.low + sp.high) : dim.mu[slot];
      const double sigma = prior ? sp.range() : dim.sigma[slot];
      const double z =
          SampleTruncatedStandardNormal((sp.low - mu) / sigma, (sp.high - mu) / sigma, rng);
      out.push_back(sp.ToInternal(std::clamp(mu + sigma * z, sp.low, sp.high)));
    }
  }
}

double ParzenEstimator::CoefSum() const {
  if (coef_sum_ < 0.0) {
    double sum = 0.0;
    for (double c : coef_) sum += c;
    coef_sum_ = sum;
  }
  return coef_sum_;
}

double ParzenEstimator::PriorLogPdf(const double* y) const {
  double lp = 0.0;
  for (size_t d = 0; d < dims_.size(); ++d) {
    const ParamSpec& s = dims_[d].spec;
    const double mu = 0.5 * (s.low + s.high);
    switch (s.kind) {
      case ParamSpec::Kind::kCategorical:
        lp -= std::log(s.n_choices);
        break;
      case ParamSpec::Kind::kContinuous:
        lp += LogTruncatedNormalPdf(y[d], mu, s.range(), s.low, s.high) +
              (options_.density_kernels ? 0.0 : std::log(s.range()));
        break;
      case ParamSpec::Kind::kDiscrete:
        lp += LogTruncatedNormalBinMass(y[d], 0.5 * s.step, mu, s.range(), s.low, s.high);
        break;
    }
  }
  return lp;
}

double ParzenEstimator::ObservationLogSumReference(const double* y) const {
  double best = kLogZero;
  std::vector<double> terms;
  terms.reserve(n_obs_);
  for (size_t i = 0; i < n_pad_; ++i) {
    if (weight_[i] <= 0.0) continue;
    double t = std::log(weight_[i]);
    for (size_t d = 0; d < dims_.size(); ++d) {
      const Dim& dim = dims_[d];
      const ParamSpec& s = dim.spec;
      switch (s.kind) {
        case ParamSpec::Kind::kCategorical:
          t += std::log(dim.cat[i] == y[d] ? dim.p_match : dim.p_other);
          break;
        case ParamSpec::Kind::kContinuous:
          t += LogTruncatedNormalPdf(y[d], dim.mu[i], dim.sigma[i], s.low, s.high) +
               (options_.density_kernels ? 0.0 : std::log(dim.sigma[i]));
          break;
        case ParamSpec::Kind::kDiscrete:
          t +=
              LogTruncatedNormalBinMass(y[d], 0.5 * s.step, dim.mu[i], dim.sigma[i], s.low, s.high);
          break;
      }
    }
    terms.push_back(t);
    best = std::max(best, t);
  }
  if (terms.empty() || best <= kLogZero) return kLogZero;
  double sum = 0.0;
  for (double t : terms) sum += std::exp(t - best);
  return best + std::log(sum);
}

double ParzenEstimator::ObservationLogSum(const double* y) const {
  if (n_obs_ == 0) return kLogZero;
  double sum;
  if (dims_.size() == 1) {
    const Dim& dim = dims_[0];
    auto sum_1d = [&](bool fast) {
      if (dim.spec.kind == ParamSpec::Kind::kContinuous) {
        if (!sorted_mu_) {
          return SumGauss(coef_.data(), dim.mu.data(), dim.inv.data(), n_pad_, y[0], fast);
        }
        // Skip blocks whose every term is below e^-50 times the nearest
        // component's: ~1e-12 of the sum even with weights 1e8 apart.
        const double* mu = dim.mu.data();
        const size_t k = static_cast<size_t>(std::lower_bound(mu, mu + n_obs_, y[0]) - mu);
        double z_near = std::numeric_limits<double>::infinity();
        for (size_t i : {k - 1, k}) {
          if (i < n_obs_) z_near = std::min(z_near, std::abs(y[0] - mu[i]) * dim.inv[i]);
        }
        return SumGaussCulled(coef_.data(), mu, dim.inv.data(), coef_f_.data(), inv_f_.data(),
                              n_pad_, y[0], fast, blocks_.data(), z_near * z_near + 100.0);
      }
      const size_t nn = n_narrow_pad_;
      double s = 0.0;
      if (nn > 0) {
        s += SumNarrowBins(coef_.data(), dim.mu.data(), dim.inv.data(), h2_.data(), nn, y[0], fast);
      }
      if (n_pad_ > nn) {
        s += SumWideBins(coef_.data() + nn, dim.mu.data() + nn, dim.inv.data() + nn, n_pad_ - nn,
                         y[0], 0.5 * dim.spec.step);
      }
      return s;
    };
    sum = sum_1d(fast_);
    if (fast_ && sum < kFastFloor * CoefSum()) sum = sum_1d(false);
  } else {
    MvDim mv[kMaxDims];
    for (size_t d = 0; d < dims_.size(); ++d) {
      const Dim& dim = dims_[d];
      MvDim& m = mv[d];
      switch (dim.spec.kind) {
        case ParamSpec::Kind::kContinuous:
          m = {.kind = MvDim::Kind::kGauss,
               .values = dim.mu.data(),
               .x = y[d],
               .inv = dim.inv_shared};
          break;
        case ParamSpec::Kind::kCategorical:
          m = {.kind = MvDim::Kind::kCategorical,
               .values = dim.cat.data(),
               .x = y[d],
               .match = std::log(dim.p_match),
               .other = std::log(dim.p_other)};
          break;
        case ParamSpec::Kind::kDiscrete:
          if (dim.narrow) {
            m = {.kind = MvDim::Kind::kNarrowBin,
                 .values = dim.mu.data(),
                 .x = y[d],
                 .inv = dim.inv_shared,
                 .h2 = dim.h2};
          } else {
            const int64_t k = std::clamp<int64_t>(dim.spec.GridIndex(y[d]), 0, dim.grid_size - 1);
            m = {.kind = MvDim::Kind::kTable,
                 .index = dim.neg_grid.data(),
                 .table = dim.table.data() + (k + dim.grid_size - 1)};
          }
          break;
      }
    }
    sum = SumMultivariate(coef_.data(), n_pad_, mv, dims_.size(), fast_);
    if (fast_ && sum < kFastFloor * CoefSum()) {
      sum = SumMultivariate(coef_.data(), n_pad_, mv, dims_.size(), false);
    }
  }
  if (sum > kUnderflowSum) return log_scale_ + std::log(sum);
  return kLogZero;  // let the caller decide whether the exact sum matters
}

void ParzenEstimator::LogPdf(std::span<const double> points, size_t count, double* out) const {
  const size_t d_count = dims_.size();
  HT_CHECK(d_count <= kMaxDims) << "estimators over more than " << kMaxDims << " parameters";
  HT_CHECK(points.size() >= count * d_count) << "too few coordinates";
  double y[kMaxDims];
  for (size_t j = 0; j < count; ++j) {
    const double* x = points.data() + j * d_count;
    if (!dims_[0].pmf.empty()) {
      const double p = dims_[0].pmf[static_cast<size_t>(x[0])];
      out[j] = p > 0.0 ? std::log(p) : kLogZero;
      continue;
    }
    bool inside = true;
    for (size_t d = 0; d < d_count; ++d) {
      const ParamSpec& s = dims_[d].spec;
      y[d] = s.Transform(x[d]);
      inside &= y[d] >= s.low && y[d] <= s.high;
    }
    if (!inside) {
      out[j] = kLogZero;
      continue;
    }
    const double prior = has_prior_ ? std::log(prior_w_) + PriorLogPdf(y) : kLogZero;
    double obs = ObservationLogSum(y);
    // The fast sum underflowed. It matters only when the prior does not
    // dwarf it: then sum in log space, component by component.
    if (obs <= kLogZero && n_obs_ > 0 &&
        !(prior > log_scale_ + std::log(kUnderflowSum * CoefSum()) + 40.0)) {
      obs = ObservationLogSumReference(y);
    }
    out[j] = LogAddExp(obs, prior);
  }
}

double ParzenEstimator::LogPdfReference(const double* point) const {
  if (!dims_[0].pmf.empty()) {
    const double p = dims_[0].pmf[static_cast<size_t>(point[0])];
    return p > 0.0 ? std::log(p) : kLogZero;
  }
  std::vector<double> y(dims_.size());
  for (size_t d = 0; d < dims_.size(); ++d) y[d] = dims_[d].spec.Transform(point[d]);
  const double prior = has_prior_ ? std::log(prior_w_) + PriorLogPdf(y.data()) : kLogZero;
  return LogAddExp(ObservationLogSumReference(y.data()), prior);
}

std::vector<double> ParzenEstimator::ComponentWeights() const {
  std::vector<double> w;
  for (double x : weight_) {
    if (x > 0.0) w.push_back(x);
  }
  return w;
}

std::vector<double> ParzenEstimator::ComponentMus(size_t d) const {
  std::vector<double> out;
  for (size_t i = 0; i < n_pad_; ++i) {
    if (weight_[i] > 0.0) out.push_back(dims_[d].mu[i]);
  }
  return out;
}

std::vector<double> ParzenEstimator::ComponentSigmas(size_t d) const {
  std::vector<double> out;
  for (size_t i = 0; i < n_pad_; ++i) {
    if (weight_[i] > 0.0) out.push_back(dims_[d].sigma[i]);
  }
  return out;
}

}  // namespace hypertune::tpe
