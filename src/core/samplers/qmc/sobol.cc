#include "src/core/samplers/qmc/sobol.h"

#include <bit>
#include <cmath>

#include "hypertune/core/random.h"
#include "hypertune/core/status.h"
#include "src/core/samplers/qmc/dimension_seed.h"

namespace hypertune::qmc {
namespace {

// m_1..m_bits of dimension `d`: the table's initial values, then the
// recurrence of Bratley and Fox (1988) for the polynomial
// x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1:
//   m_k = 2 a_1 m_(k-1) ^ 4 a_2 m_(k-2) ^ ... ^ 2^s m_(k-s) ^ m_(k-s).
std::vector<uint64_t> DirectionIntegers(int d, int bits) {
  std::vector<uint64_t> m(static_cast<size_t>(bits), 1);  // dimension 0: all 1
  if (d == 0) return m;
  const SobolDirection& dir = kSobolDirections[d];
  const int s = static_cast<int>(std::bit_width(dir.poly)) - 1;
  for (int k = 0; k < s; ++k) m[static_cast<size_t>(k)] = dir.m[k];
  for (int k = s; k < bits; ++k) {
    uint64_t x = m[static_cast<size_t>(k - s)];
    x ^= x << s;
    for (int i = 1; i < s; ++i) {
      if ((dir.poly >> (s - i)) & 1u) x ^= m[static_cast<size_t>(k - i)] << i;
    }
    m[static_cast<size_t>(k)] = x;
  }
  return m;
}

}  // namespace

SobolSequence::SobolSequence(int dim, int bits)
    : dim_(dim),
      bits_(bits),
      scale_(std::ldexp(1.0, -bits)),
      v_(static_cast<size_t>(dim) * static_cast<size_t>(bits)),
      shift_(static_cast<size_t>(dim), 0) {
  HT_CHECK(dim >= 1 && dim <= kMaxDim)
      << "Sobol dimension " << dim << " not in [1, " << kMaxDim << "]";
  HT_CHECK(bits <= 63 &&
           bits >= static_cast<int>(std::bit_width(kSobolDirections[dim - 1].poly)) - 1)
      << "Sobol bits " << bits << " fewer than the polynomial degree of dimension " << dim - 1;
  for (int d = 0; d < dim; ++d) {
    const std::vector<uint64_t> m = DirectionIntegers(d, bits);
    // v_k = m_k / 2^k as a bits-bit binary fraction.
    for (int k = 0; k < bits; ++k) {
      v_[static_cast<size_t>(k * dim + d)] = m[static_cast<size_t>(k)] << (bits - 1 - k);
    }
  }
}

void SobolSequence::Scramble(uint64_t seed) {
  std::vector<uint64_t> rows(static_cast<size_t>(dim_) * static_cast<size_t>(bits_));
  std::vector<uint64_t> shifts(static_cast<size_t>(dim_));
  for (int d = 0; d < dim_; ++d) {
    Rng rng(DimensionSeed(seed, d));
    shifts[static_cast<size_t>(d)] = rng.Next() >> (64 - bits_);
    for (int p = 0; p < bits_; ++p) {
      // Row p may have ones in columns 0..p-1 (bits bits-1 .. bits-p).
      const uint64_t below_diagonal = ((uint64_t{1} << p) - 1) << (bits_ - p);
      rows[static_cast<size_t>(d * bits_ + p)] = rng.Next() & below_diagonal;
    }
  }
  ApplyScramble(rows, shifts);
}

void SobolSequence::ApplyScramble(std::span<const uint64_t> rows,
                                  std::span<const uint64_t> shifts) {
  HT_CHECK(rows.size() == v_.size() && shifts.size() == shift_.size())
      << "scramble sizes " << rows.size() << ", " << shifts.size();
  const uint64_t all = (uint64_t{1} << bits_) - 1;
  for (int d = 0; d < dim_; ++d) {
    const std::span<const uint64_t> ltm =
        rows.subspan(static_cast<size_t>(d * bits_), static_cast<size_t>(bits_));
    for (int k = 0; k < bits_; ++k) {
      uint64_t& v = v_[static_cast<size_t>(k * dim_ + d)];
      uint64_t out = 0;
      for (int p = 0; p < bits_; ++p) {
        const uint64_t diagonal = uint64_t{1} << (bits_ - 1 - p);
        HT_CHECK((ltm[static_cast<size_t>(p)] & (diagonal - 1)) == 0)
            << "row " << p << " of dimension " << d << " is not lower-triangular";
        const uint64_t row = ltm[static_cast<size_t>(p)] | diagonal;
        // Output bit (bits-1-p) = <row p, v> over GF(2).
        out |= static_cast<uint64_t>(std::popcount(row & v) & 1) << (bits_ - 1 - p);
      }
      v = out;
    }
    HT_CHECK(shifts[static_cast<size_t>(d)] <= all) << "shift wider than " << bits_ << " bits";
    shift_[static_cast<size_t>(d)] = shifts[static_cast<size_t>(d)];
  }
}

void SobolSequence::PointBits(uint64_t index, std::span<uint64_t> out) const {
  HT_CHECK(index < (uint64_t{1} << bits_))
      << "Sobol index " << index << " needs more than " << bits_ << " bits";
  HT_CHECK(out.size() >= static_cast<size_t>(dim_)) << "output too small";
  for (int d = 0; d < dim_; ++d) out[static_cast<size_t>(d)] = shift_[static_cast<size_t>(d)];
  // Gray-code order: point k is the XOR of the direction numbers of the
  // bits set in k ^ (k >> 1).
  uint64_t gray = index ^ (index >> 1);
  for (int k = 0; gray != 0; ++k, gray >>= 1) {
    if (!(gray & 1)) continue;
    const uint64_t* v = &v_[static_cast<size_t>(k * dim_)];
    for (int d = 0; d < dim_; ++d) out[static_cast<size_t>(d)] ^= v[d];
  }
}

void SobolSequence::Point(uint64_t index, std::span<double> out) const {
  HT_CHECK(out.size() >= static_cast<size_t>(dim_)) << "output too small";
  std::vector<uint64_t> bits(static_cast<size_t>(dim_));
  PointBits(index, bits);
  for (int d = 0; d < dim_; ++d) {
    out[static_cast<size_t>(d)] = static_cast<double>(bits[static_cast<size_t>(d)]) * scale_;
  }
}

}  // namespace hypertune::qmc
