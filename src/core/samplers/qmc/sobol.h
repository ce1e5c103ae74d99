// SobolSequence: the Sobol' low-discrepancy sequence in [0, 1)^d, with
// optional scrambling, read by index (random access).
//
// The points are those of scipy.stats.qmc.Sobol: direction numbers of Joe and
// Kuo (criterion 6), gray-code order, point 0 = the digital shift (0 when not
// scrambled). Unscrambled, point k equals scipy's k-th point exactly, whatever
// the number of bits. Scrambling is scipy's: a random lower-triangular binary
// matrix per dimension applied to the direction numbers (linear matrix
// scramble, LMS), then a random digital shift. It keeps the net properties:
// any 2^m consecutive points starting at a multiple of 2^m put exactly one
// point in each 2^-m-wide slab of every dimension. The random bits come from
// our Rng (one stream per dimension, see dimension_seed.h), not numpy's, so
// scrambled points differ from scipy's for the same seed.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "src/core/samplers/qmc/sobol_direction_numbers.h"

namespace hypertune::qmc {

class SobolSequence {
 public:
  static constexpr int kMaxDim = kSobolMaxDim;
  // Bits per coordinate: 52 makes every point an exact double in [0, 1) with
  // the finest resolution a double has there, and allows 2^52 points.
  static constexpr int kDefaultBits = 52;

  // The unscrambled sequence. Preconditions: 1 <= dim <= kMaxDim, bits <= 63
  // and at least the polynomial degree of every dimension (13 covers all).
  explicit SobolSequence(int dim, int bits = kDefaultBits);

  int dim() const { return dim_; }
  int bits() const { return bits_; }

  // Scrambles with LMS + digital shift drawn from `seed`. Call once, on an
  // unscrambled sequence.
  void Scramble(uint64_t seed);
  // The same with explicit random choices (tests compare with scipy through
  // it). `rows` holds dim() * bits() masks, dimension-major: rows[d * bits + p]
  // is row p of dimension d's lower-triangular matrix, column i stored at bit
  // (bits - 1 - i); its diagonal bit is forced to 1 and bits below it must be
  // 0. `shifts[d]` (< 2^bits) is XORed into every point of dimension d.
  void ApplyScramble(std::span<const uint64_t> rows, std::span<const uint64_t> shifts);

  // Writes point `index` to out[0, dim()). Thread-safe (const).
  // Preconditions: index < 2^bits(), out.size() >= dim().
  void Point(uint64_t index, std::span<double> out) const;
  // The same as integers: coordinate = value * 2^-bits().
  void PointBits(uint64_t index, std::span<uint64_t> out) const;

 private:
  int dim_;
  int bits_;
  double scale_;                 // 2^-bits
  std::vector<uint64_t> v_;      // direction numbers, v_[k * dim_ + d]
  std::vector<uint64_t> shift_;  // per dimension
};

}  // namespace hypertune::qmc
