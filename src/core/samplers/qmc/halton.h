// HaltonSequence: the Halton low-discrepancy sequence in [0, 1)^d, with
// optional scrambling, read by index (random access).
//
// Dimension d is the radical inverse (van der Corput sequence) in the d-th
// prime base: 2, 3, 5, 7, ... Unscrambled, point k equals the k-th point of
// scipy.stats.qmc.Halton(d, scramble=False) (point 0 is the origin).
// Scrambling is scipy's (Owen 2017, "A randomized Halton algorithm in R"): in
// dimension d every digit position j gets its own random permutation of the
// digits 0..b-1, applied to all points, over as many positions as a double
// resolves (so the trailing zero digits are permuted too, and point 0 is no
// longer the origin). Permuting digits keeps the stratification: b^m
// consecutive points starting at a multiple of b^m put exactly one point in
// each b^-m-wide slab of a base-b dimension. The permutations come from our
// Rng (one stream per dimension), not numpy's, so scrambled points differ from
// scipy's for the same seed.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace hypertune::qmc {

class HaltonSequence {
 public:
  // Dimensions supported (same bound as Sobol, for one documented limit). The
  // scrambling permutations take about sum over dimensions of
  // 2 * b * ceil(54 / log2 b) bytes: 120 KB for 64 dimensions, 31 MB for 1024.
  static constexpr int kMaxDim = 1024;

  // The unscrambled sequence. Preconditions: 1 <= dim <= kMaxDim.
  explicit HaltonSequence(int dim);

  int dim() const { return static_cast<int>(bases_.size()); }
  // The base of dimension d: the (d+1)-th prime.
  uint32_t base(int d) const { return bases_[static_cast<size_t>(d)]; }

  // Draws the digit permutations from `seed`. Call once.
  void Scramble(uint64_t seed);
  bool scrambled() const { return !perms_.empty(); }

  // Writes point `index` to out[0, dim()), each in [0, 1). Thread-safe (const).
  // Preconditions: out.size() >= dim().
  void Point(uint64_t index, std::span<double> out) const;

  // The first n primes.
  static std::vector<uint32_t> FirstPrimes(int n);

 private:
  std::vector<uint32_t> bases_;
  // Per dimension: digit positions; perms_[d][j * base + digit].
  std::vector<int> positions_;
  std::vector<std::vector<uint16_t>> perms_;
};

}  // namespace hypertune::qmc
