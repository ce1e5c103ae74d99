#include "hypertune/core/qmc_sampler.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "hypertune/core/random.h"
#include "hypertune/core/random_sampler.h"
#include "src/core/samplers/qmc/halton.h"
#include "src/core/samplers/qmc/sobol.h"

namespace hypertune {

static_assert(QmcSampler::kMaxDim <= qmc::SobolSequence::kMaxDim &&
              QmcSampler::kMaxDim <= qmc::HaltonSequence::kMaxDim);

Status QmcSamplerOptions::Validate() const {
  if (qmc_type != QmcType::kSobol && qmc_type != QmcType::kHalton) {
    return Status::InvalidArgument("QmcSamplerOptions: qmc_type " +
                                   std::to_string(static_cast<int>(qmc_type)) +
                                   " is neither kSobol nor kHalton");
  }
  return Status::Ok();
}

Result<std::shared_ptr<QmcSampler>> QmcSampler::Create(QmcSamplerOptions options) {
  HT_RETURN_IF_ERROR(options.Validate());
  return std::make_shared<QmcSampler>(std::move(options));
}

namespace {
uint64_t CheckedSeed(const QmcSamplerOptions& options) {
  const Status s = options.Validate();
  HT_CHECK(s.ok()) << s.ToString();
  return options.seed.value_or(Rng::RandomSeed());
}
}  // namespace

QmcSampler::QmcSampler(QmcSamplerOptions options)
    : qmc_type_(options.qmc_type),
      scramble_(options.scramble),
      seed_(CheckedSeed(options)),
      independent_(options.independent_sampler
                       ? std::move(options.independent_sampler)
                       : std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = seed_})) {}

QmcSampler::~QmcSampler() = default;

SearchSpace QmcSampler::InferRelativeSearchSpace(const StudyView& study, const FrozenTrial&) {
  std::lock_guard lock(mu_);
  if (study.study_id() != study_id_) {  // a new study (or the first): start over
    study_id_ = study.study_id();
    space_.reset();
    view_ = nullptr;
  }
  if (space_) return *space_;

  // Look for COMPLETE trials among those changed since the last call; a new
  // view, or one whose revision went back, is read from the start.
  std::vector<int> numbers;
  if (&study != view_ || study.revision() < revision_) {
    for (const FrozenTrial* t : study.trials()) numbers.push_back(t->number);
  } else {
    study.ChangedSince(revision_, numbers);
  }
  view_ = &study;
  revision_ = study.revision();
  const std::span<const FrozenTrial* const> trials = study.trials();
  const FrozenTrial* first = nullptr;  // numbers are ascending: the first hit
  for (int n : numbers) {
    if (static_cast<size_t>(n) >= trials.size()) continue;
    if (trials[static_cast<size_t>(n)]->state == TrialState::kComplete) {
      first = trials[static_cast<size_t>(n)];
      break;
    }
  }
  if (first == nullptr) return {};

  SearchSpace space;
  for (const TrialParam& p : first->params) {
    if (!IsSingle(*p.distribution)) space.emplace(p.name, p.distribution);
  }
  // Beyond kMaxDim (by name), parameters stay with the independent sampler.
  while (space.size() > static_cast<size_t>(kMaxDim)) space.erase(std::prev(space.end()));
  space_ = std::move(space);
  return *space_;
}

void QmcSampler::EnsureSequence(int dim) {
  if (qmc_type_ == QmcType::kSobol) {
    if (sobol_ && sobol_->dim() == dim) return;
    auto s = std::make_shared<qmc::SobolSequence>(dim);
    if (scramble_) s->Scramble(seed_);
    sobol_ = std::move(s);
  } else {
    if (halton_ && halton_->dim() == dim) return;
    auto h = std::make_shared<qmc::HaltonSequence>(dim);
    if (scramble_) h->Scramble(seed_);
    halton_ = std::move(h);
  }
}

InternalParams QmcSampler::SampleRelative(const StudyView&, const FrozenTrial& trial,
                                          const SearchSpace& space) {
  if (space.empty()) return {};
  HT_CHECK(trial.number >= 0) << "trial without a number";
  const int dim = static_cast<int>(std::min(space.size(), static_cast<size_t>(kMaxDim)));
  std::shared_ptr<const qmc::SobolSequence> sobol;
  std::shared_ptr<const qmc::HaltonSequence> halton;
  {
    // Building a sequence costs O(dim * bits^2) once; points are read from an
    // immutable copy outside the lock.
    std::lock_guard lock(mu_);
    EnsureSequence(dim);
    sobol = sobol_;
    halton = halton_;
  }
  std::vector<double> u(static_cast<size_t>(dim));
  const auto index = static_cast<uint64_t>(trial.number);
  if (qmc_type_ == QmcType::kSobol) {
    sobol->Point(index, u);
  } else {
    halton->Point(index, u);
  }
  InternalParams params;
  size_t d = 0;
  for (const auto& [name, distribution] : space) {
    if (d == u.size()) break;
    params.emplace(name, FromUnit(*distribution, u[d++]));
  }
  return params;
}

double QmcSampler::SampleIndependent(const StudyView& study, const FrozenTrial& trial,
                                     std::string_view name, const Distribution& distribution) {
  return independent_->SampleIndependent(study, trial, name, distribution);
}

bool QmcSampler::BeforeTrial(const StudyView& study, const FrozenTrial& trial,
                             AttrMap& system_attrs) {
  return independent_->BeforeTrial(study, trial, system_attrs);
}

void QmcSampler::AfterTrial(const StudyView& study, const FrozenTrial& trial) {
  independent_->AfterTrial(study, trial);
}

double QmcSampler::FromUnit(const Distribution& d, double u) {
  u = std::clamp(u, 0.0, 1.0);
  // Uniform on [lo, hi] at u.
  auto lerp = [u](double lo, double hi) { return lo + u * (hi - lo); };
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    if (f->log) {
      return std::clamp(std::exp(lerp(std::log(f->low), std::log(f->high))), f->low, f->high);
    }
    if (f->step) {
      const double half = *f->step / 2;
      return Snap(d, lerp(f->low - half, f->high + half));
    }
    return std::clamp(lerp(f->low, f->high), f->low, f->high);
  }
  if (const auto* i = std::get_if<IntDistribution>(&d)) {
    const auto low = static_cast<double>(i->low);
    const auto high = static_cast<double>(i->high);
    if (i->log) {
      return Snap(d, std::round(std::exp(lerp(std::log(low - 0.5), std::log(high + 0.5)))));
    }
    const double half = static_cast<double>(i->step) / 2;
    return Snap(d, lerp(low - half, high + half));
  }
  const auto n = static_cast<double>(std::get<CategoricalDistribution>(d).choices.size());
  return std::min(std::floor(u * n), n - 1);
}

}  // namespace hypertune
