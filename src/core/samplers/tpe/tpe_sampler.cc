#include "hypertune/core/tpe_sampler.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>
#include <string>

#include "hypertune/core/random.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/search_space.h"
#include "hypertune/core/trial.h"
#include "src/core/samplers/tpe/observation_builder.h"
#include "src/core/samplers/tpe/observation_store.h"
#include "src/core/samplers/tpe/param_spec.h"
#include "src/core/samplers/tpe/parzen_estimator.h"

namespace hypertune {

using tpe::ParamSpec;

Status TpeSamplerOptions::Validate() const {
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument("TpeSamplerOptions: " + why);
  };
  if (n_startup_trials < 0) {
    return bad("n_startup_trials must be >= 0, got " + std::to_string(n_startup_trials));
  }
  if (n_ei_candidates < 1) {
    return bad("n_ei_candidates must be >= 1, got " + std::to_string(n_ei_candidates));
  }
  if (!(prior_weight > 0.0) || !std::isfinite(prior_weight)) {
    return bad("prior_weight must be finite and > 0, got " + std::to_string(prior_weight));
  }
  if (group && !multivariate) return bad("group requires multivariate");
  if (!(multivariate_bandwidth_factor > 0.0) || !std::isfinite(multivariate_bandwidth_factor)) {
    return bad("multivariate_bandwidth_factor must be finite and > 0, got " +
               std::to_string(multivariate_bandwidth_factor));
  }
  return Status::Ok();
}

class TpeSampler::Impl {
 public:
  explicit Impl(TpeSamplerOptions o)
      : options(std::move(o)),
        rng_(options.seed.value_or(Rng::RandomSeed())),
        weights_(options.weights) {}

  SearchSpace Infer(const StudyView& view);
  InternalParams SampleRelative(const StudyView& view, const FrozenTrial& trial,
                                const SearchSpace& space);
  double SampleIndependent(const StudyView& view, const FrozenTrial& trial, std::string_view name,
                           const Distribution& distribution);

  const TpeSamplerOptions options;

 private:
  int Gamma(int n) const;
  tpe::RunningTrials Running(const StudyView& view, const FrozenTrial& trial);
  void SampleJoint(const StudyView& view, const FrozenTrial& trial,
                   const std::vector<std::pair<std::string, const Distribution*>>& params,
                   InternalParams& out);
  // Fits l and g to `obs` and returns in `best` (one value per spec) the
  // candidate drawn from l with the largest l/g.
  void Propose(std::span<const ParamSpec> specs, const tpe::SplitObservations& obs,
               bool multivariate, double* best);

  std::mutex mu_;
  Rng rng_;
  tpe::ObservationStore store_;
  IntersectionSearchSpace intersection_{/*include_pruned=*/true};
  GroupDecomposedSearchSpace groups_{/*include_pruned=*/true};
  tpe::WeightFunction weights_;
  tpe::SplitObservations obs_;
  std::vector<int> running_;
  std::vector<double> candidates_, log_l_, log_g_;
  tpe::ParzenEstimator l_, g_;  // rebuilt per suggestion; kept for their buffers
};

int TpeSampler::Impl::Gamma(int n) const {
  const double beta = options.multivariate ? 0.15 : 0.1;
  const int g =
      options.gamma ? options.gamma(n) : std::min(static_cast<int>(std::ceil(beta * n)), 25);
  return std::clamp(g, 0, n);
}

tpe::RunningTrials TpeSampler::Impl::Running(const StudyView& view, const FrozenTrial& trial) {
  running_.clear();
  // As in Optuna, the liar is for single-objective studies.
  if (options.constant_liar && !store_.multi_objective()) {
    for (int number : store_.running()) {
      if (number != trial.number) running_.push_back(number);
    }
  }
  return {&view, running_};
}

void TpeSampler::Impl::Propose(std::span<const ParamSpec> specs, const tpe::SplitObservations& obs,
                               bool multivariate, double* best) {
  const size_t dims = specs.size();
  std::vector<const double*> below(dims), above(dims);
  for (size_t d = 0; d < dims; ++d) {
    below[d] = obs.below[d].data();
    above[d] = obs.above[d].data();
  }
  tpe::EstimatorOptions eo{.density_kernels = options.kernel_scale == TpeKernelScale::kDensity,
                           .consider_prior = options.consider_prior,
                           .prior_weight = options.prior_weight,
                           .consider_magic_clip = options.consider_magic_clip,
                           .consider_endpoints = options.consider_endpoints,
                           .multivariate = multivariate,
                           .bandwidth_factor = options.multivariate_bandwidth_factor};
  tpe::ParzenEstimator& l = l_;
  tpe::ParzenEstimator& g = g_;
  eo.weight_sum = obs.below_w_sum;
  l.Build(specs, below, obs.below_w, obs.below[0].size(), eo);
  eo.sorted = obs.above_sorted;
  eo.weight_sum = obs.above_w_sum;
  g.Build(specs, above, obs.above_w, obs.above[0].size(), eo);
  const size_t count = static_cast<size_t>(options.n_ei_candidates);
  candidates_.clear();
  l.Sample(rng_, count, candidates_);
  log_l_.resize(count);
  log_g_.resize(count);
  if (dims == 1) {
    // Discrete parameters repeat values: evaluate each distinct one once.
    std::vector<double> unique(candidates_);
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
    std::vector<double> ul(unique.size()), ug(unique.size());
    l.LogPdf(unique, unique.size(), ul.data());
    g.LogPdf(unique, unique.size(), ug.data());
    for (size_t j = 0; j < count; ++j) {
      const size_t u = static_cast<size_t>(
          std::lower_bound(unique.begin(), unique.end(), candidates_[j]) - unique.begin());
      log_l_[j] = ul[u];
      log_g_[j] = ug[u];
    }
  } else {
    l.LogPdf(candidates_, count, log_l_.data());
    g.LogPdf(candidates_, count, log_g_.data());
  }
  size_t arg = 0;
  for (size_t j = 1; j < count; ++j) {
    if (log_l_[j] - log_g_[j] > log_l_[arg] - log_g_[arg]) arg = j;
  }
  std::copy_n(candidates_.begin() + static_cast<std::ptrdiff_t>(arg * dims), dims, best);
}

SearchSpace TpeSampler::Impl::Infer(const StudyView& view) {
  SearchSpace out;
  if (!options.multivariate) return out;
  std::lock_guard lock(mu_);
  if (options.group) {
    for (const SearchSpace& g : groups_.Calculate(view)) {
      for (const auto& [name, d] : g) {
        if (!IsSingle(*d)) out.emplace(name, d);
      }
    }
    return out;
  }
  for (const auto& [name, d] : intersection_.Calculate(view)) {
    if (!IsSingle(*d)) out.emplace(name, d);
  }
  return out;
}

InternalParams TpeSampler::Impl::SampleRelative(const StudyView& view, const FrozenTrial& trial,
                                                const SearchSpace& space) {
  InternalParams out;
  if (space.empty()) return out;
  std::lock_guard lock(mu_);
  store_.Sync(view);
  const int n = store_.n_finished();
  if (n < options.n_startup_trials) return out;
  store_.Below(Gamma(n));
  std::vector<std::pair<std::string, const Distribution*>> params;
  if (!options.group) {
    for (const auto& [name, d] : space) params.emplace_back(name, d.get());
    SampleJoint(view, trial, params, out);
    return out;
  }
  for (const SearchSpace& g : groups_.Calculate(view)) {
    params.clear();
    for (const auto& [name, d] : g) {
      auto it = space.find(name);
      if (it != space.end()) params.emplace_back(name, it->second.get());
    }
    if (!params.empty()) SampleJoint(view, trial, params, out);
  }
  return out;
}

void TpeSampler::Impl::SampleJoint(
    const StudyView& view, const FrozenTrial& trial,
    const std::vector<std::pair<std::string, const Distribution*>>& params, InternalParams& out) {
  std::vector<std::string> names;
  std::vector<ParamSpec> specs;
  std::vector<tpe::ValueMapper> mappers;
  for (const auto& [name, d] : params) {
    names.push_back(name);
    specs.push_back(ParamSpec::From(*d));
    // Non-owning: the distribution outlives this call.
    mappers.emplace_back(std::shared_ptr<const Distribution>(std::shared_ptr<void>(), d),
                         specs.back());
  }
  tpe::CollectJoint(store_, names, mappers, Running(view, trial), weights_, obs_);
  std::vector<double> best(specs.size());
  Propose(specs, obs_, /*multivariate=*/true, best.data());
  for (size_t k = 0; k < params.size(); ++k) out[names[k]] = Snap(*params[k].second, best[k]);
}

double TpeSampler::Impl::SampleIndependent(const StudyView& view, const FrozenTrial& trial,
                                           std::string_view name,
                                           const Distribution& distribution) {
  if (IsSingle(distribution)) {
    return std::holds_alternative<CategoricalDistribution>(distribution)
               ? 0.0
               : Snap(distribution, ParamSpec::From(distribution).first);
  }
  std::lock_guard lock(mu_);
  store_.Sync(view);
  const int n = store_.n_finished();
  if (n < options.n_startup_trials) return RandomSampler::Draw(distribution, rng_);
  store_.Below(Gamma(n));
  const ParamSpec spec = ParamSpec::From(distribution);
  tpe::ValueMapper mapper(
      std::shared_ptr<const Distribution>(std::shared_ptr<void>(), &distribution), spec);
  // Univariate estimators size bandwidths from neighbours: they want the
  // observations sorted by value.
  const bool sorted = !options.multivariate && spec.kind != ParamSpec::Kind::kCategorical;
  tpe::CollectOne(store_, name, mapper, Running(view, trial), sorted, weights_, obs_);
  double best;
  Propose(std::span(&spec, 1), obs_, options.multivariate, &best);
  return Snap(distribution, best);
}

TpeSampler::TpeSampler(TpeSamplerOptions options) {
  const Status s = options.Validate();
  HT_CHECK(s.ok()) << s.ToString();
  impl_ = std::make_unique<Impl>(std::move(options));
}

Result<std::shared_ptr<TpeSampler>> TpeSampler::Create(TpeSamplerOptions options) {
  HT_RETURN_IF_ERROR(options.Validate());
  return std::make_shared<TpeSampler>(std::move(options));
}

TpeSampler::~TpeSampler() = default;

const TpeSamplerOptions& TpeSampler::options() const { return impl_->options; }

SearchSpace TpeSampler::InferRelativeSearchSpace(const StudyView& study, const FrozenTrial&) {
  return impl_->Infer(study);
}

InternalParams TpeSampler::SampleRelative(const StudyView& study, const FrozenTrial& trial,
                                          const SearchSpace& space) {
  return impl_->SampleRelative(study, trial, space);
}

double TpeSampler::SampleIndependent(const StudyView& study, const FrozenTrial& trial,
                                     std::string_view name, const Distribution& distribution) {
  return impl_->SampleIndependent(study, trial, name, distribution);
}

}  // namespace hypertune
