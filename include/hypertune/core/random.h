// Rng: the random source of every hypertune algorithm. Its output is defined
// here, not by the standard library, so a seed gives the same numbers with
// every compiler.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace hypertune {

__extension__ typedef unsigned __int128 Uint128;

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  // A seed drawn from the operating system's entropy.
  static uint64_t RandomSeed();

  uint64_t Next() { return engine_(); }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [low, high).
  double Uniform(double low, double high) { return low + (high - low) * Uniform(); }
  // Uniform integer in [0, n). Preconditions: n > 0.
  uint64_t UniformInt(uint64_t n) {
    // Lemire's nearly divisionless method, unbiased.
    uint64_t x = engine_();
    Uint128 m = static_cast<Uint128>(x) * n;
    uint64_t l = static_cast<uint64_t>(m);
    if (l < n) {
      uint64_t t = -n % n;
      while (l < t) {
        x = engine_();
        m = static_cast<Uint128>(x) * n;
        l = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  // Standard normal (Marsaglia polar method).
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = Uniform() * 2.0 - 1.0;
      v = Uniform() * 2.0 - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace hypertune
