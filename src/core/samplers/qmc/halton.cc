#include "src/core/samplers/qmc/halton.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "hypertune/core/random.h"
#include "hypertune/core/status.h"
#include "src/core/samplers/qmc/dimension_seed.h"

namespace hypertune::qmc {

std::vector<uint32_t> HaltonSequence::FirstPrimes(int n) {
  std::vector<uint32_t> primes;
  primes.reserve(static_cast<size_t>(n));
  for (uint32_t c = 2; static_cast<int>(primes.size()) < n; ++c) {
    bool prime = true;
    for (uint32_t p : primes) {
      if (p * p > c) break;
      if (c % p == 0) {
        prime = false;
        break;
      }
    }
    if (prime) primes.push_back(c);
  }
  return primes;
}

HaltonSequence::HaltonSequence(int dim) {
  HT_CHECK(dim >= 1 && dim <= kMaxDim)
      << "Halton dimension " << dim << " not in [1, " << kMaxDim << "]";
  bases_ = FirstPrimes(dim);
}

void HaltonSequence::Scramble(uint64_t seed) {
  HT_CHECK(!scrambled()) << "Halton sequence scrambled twice";
  positions_.resize(bases_.size());
  perms_.resize(bases_.size());
  for (size_t d = 0; d < bases_.size(); ++d) {
    const uint32_t b = bases_[d];
    // The digit positions j with b^-j above 2^-54, as scipy: beyond them a
    // digit no longer changes a double in [0, 1).
    const int count = static_cast<int>(std::ceil(54.0 / std::log2(static_cast<double>(b)))) - 1;
    positions_[d] = count;
    std::vector<uint16_t>& perm = perms_[d];
    perm.resize(static_cast<size_t>(count) * b);
    Rng rng(DimensionSeed(seed, static_cast<int>(d)));
    for (int j = 0; j < count; ++j) {
      uint16_t* p = &perm[static_cast<size_t>(j) * b];
      std::iota(p, p + b, uint16_t{0});
      for (uint32_t i = b - 1; i > 0; --i) {  // Fisher-Yates
        const auto k = static_cast<uint32_t>(rng.UniformInt(i + 1));
        std::swap(p[i], p[k]);
      }
    }
  }
}

void HaltonSequence::Point(uint64_t index, std::span<double> out) const {
  HT_CHECK(out.size() >= bases_.size()) << "output too small";
  // The largest double below 1: rounding the sum of many scrambled digits
  // could otherwise reach 1.
  static const double kBelowOne = std::nextafter(1.0, 0.0);
  for (size_t d = 0; d < bases_.size(); ++d) {
    const uint64_t b = bases_[d];
    const auto fb = static_cast<double>(b);
    double x = 0.0;
    double weight = 1.0 / fb;
    uint64_t q = index;
    if (!scrambled()) {
      for (; q > 0; q /= b, weight /= fb) x += static_cast<double>(q % b) * weight;
    } else {
      const uint16_t* perm = perms_[d].data();
      for (int j = 0; j < positions_[d]; ++j, q /= b, weight /= fb) {
        x += static_cast<double>(perm[static_cast<size_t>(j) * b + q % b]) * weight;
      }
    }
    out[d] = std::min(x, kBelowOne);
  }
}

}  // namespace hypertune::qmc
