// Seeds of the per-dimension random streams of the scrambled QMC sequences.
#pragma once

#include <cstdint>

namespace hypertune::qmc {

// A well-mixed 64-bit seed for dimension `dim` of a sequence scrambled with
// `seed` (SplitMix64 finalizer). Each dimension draws its scrambling from its
// own stream, so dimension k is scrambled the same way whatever the total
// number of dimensions: a study whose search space grows keeps its points'
// leading coordinates.
inline uint64_t DimensionSeed(uint64_t seed, int dim) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<uint64_t>(dim) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace hypertune::qmc
