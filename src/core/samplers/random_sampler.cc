#include "hypertune/core/random_sampler.h"

#include <algorithm>
#include <cmath>

namespace hypertune {

RandomSampler::RandomSampler(RandomSamplerOptions options)
    : rng_(options.seed.value_or(Rng::RandomSeed())) {}

double RandomSampler::SampleIndependent(const StudyView&, const FrozenTrial&, std::string_view,
                                        const Distribution& distribution) {
  std::lock_guard lock(mu_);
  return Draw(distribution, rng_);
}

double RandomSampler::Draw(const Distribution& d, Rng& rng) {
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    if (f->log) {
      const double x = std::exp(rng.Uniform(std::log(f->low), std::log(f->high)));
      return std::clamp(x, f->low, f->high);
    }
    if (f->step) {
      const auto n = static_cast<uint64_t>(std::llround((f->high - f->low) / *f->step));
      return Snap(d, f->low + static_cast<double>(rng.UniformInt(n + 1)) * *f->step);
    }
    return f->low == f->high ? f->low : rng.Uniform(f->low, f->high);
  }
  if (const auto* i = std::get_if<IntDistribution>(&d)) {
    if (i->log) {
      // Uniform on [log(low - 0.5), log(high + 0.5)), rounded: each integer
      // gets the mass of its log-width, as Optuna does.
      const double lo = std::log(static_cast<double>(i->low) - 0.5);
      const double hi = std::log(static_cast<double>(i->high) + 0.5);
      return Snap(d, std::round(std::exp(rng.Uniform(lo, hi))));
    }
    const auto n = static_cast<uint64_t>((i->high - i->low) / i->step);
    return static_cast<double>(i->low + static_cast<int64_t>(rng.UniformInt(n + 1)) * i->step);
  }
  const auto& c = std::get<CategoricalDistribution>(d);
  return static_cast<double>(rng.UniformInt(c.choices.size()));
}

}  // namespace hypertune
