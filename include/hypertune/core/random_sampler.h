// RandomSampler: independent uniform draws (log-uniform on log scales).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>

#include "hypertune/core/random.h"
#include "hypertune/core/sampler.h"

namespace hypertune {

struct RandomSamplerOptions {
  // Seed of the generator; unset draws one from the OS (not reproducible).
  std::optional<uint64_t> seed;
};

class RandomSampler final : public Sampler {
 public:
  explicit RandomSampler(RandomSamplerOptions options = {});
  double SampleIndependent(const StudyView& study, const FrozenTrial& trial,
                           std::string_view name, const Distribution& distribution) override;

  // Draws one internal value from `d` with `rng`. Other samplers use it for
  // their random start-up trials.
  static double Draw(const Distribution& d, Rng& rng);

 private:
  std::mutex mu_;
  Rng rng_;
};

}  // namespace hypertune
