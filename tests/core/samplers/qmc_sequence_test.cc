// Tests of the Sobol' and Halton sequences behind QmcSampler.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "src/core/samplers/qmc/halton.h"
#include "src/core/samplers/qmc/sobol.h"

namespace hypertune::qmc {
namespace {

std::vector<double> SobolPoint(const SobolSequence& s, uint64_t index) {
  std::vector<double> p(static_cast<size_t>(s.dim()));
  s.Point(index, p);
  return p;
}

std::vector<double> HaltonPoint(const HaltonSequence& h, uint64_t index) {
  std::vector<double> p(static_cast<size_t>(h.dim()));
  h.Point(index, p);
  return p;
}

// Produced once with scipy 1.10:
//   qmc.Sobol(4, scramble=False).random(8)
TEST(SobolSequenceTest, UnscrambledFirstPointsMatchScipy) {
  const double expected[8][4] = {{0.0, 0.0, 0.0, 0.0},         {0.5, 0.5, 0.5, 0.5},
                                 {0.75, 0.25, 0.25, 0.25},     {0.25, 0.75, 0.75, 0.75},
                                 {0.375, 0.375, 0.625, 0.875}, {0.875, 0.875, 0.125, 0.375},
                                 {0.625, 0.125, 0.875, 0.625}, {0.125, 0.625, 0.375, 0.125}};
  const SobolSequence s(4);
  for (int i = 0; i < 8; ++i) {
    const std::vector<double> p = SobolPoint(s, static_cast<uint64_t>(i));
    for (int d = 0; d < 4; ++d)
      EXPECT_EQ(p[static_cast<size_t>(d)], expected[i][d]) << i << "," << d;
  }
}

// Produced once with scipy 1.10:
//   s = qmc.Sobol(1024, scramble=False).random(1024)
//   [s[i, d] for d in (7, 100, 511, 1023)] for i in (5, 13, 100, 1000, 1023)
// (All 1024 dimensions x 1024 points were compared with scipy once, exactly
// equal; these literals guard the table and the recurrence.)
TEST(SobolSequenceTest, UnscrambledHighDimensionsMatchScipy) {
  const uint64_t indexes[5] = {5, 13, 100, 1000, 1023};
  const int dims[4] = {7, 100, 511, 1023};
  const double expected[5][4] = {{0.375, 0.125, 0.875, 0.375},
                                 {0.5625, 0.1875, 0.8125, 0.4375},
                                 {0.4765625, 0.0390625, 0.5234375, 0.9453125},
                                 {0.8994140625, 0.7685546875, 0.3955078125, 0.7138671875},
                                 {0.6181640625, 0.2373046875, 0.6142578125, 0.9951171875}};
  const SobolSequence s(SobolSequence::kMaxDim);
  for (int i = 0; i < 5; ++i) {
    const std::vector<double> p = SobolPoint(s, indexes[i]);
    for (int j = 0; j < 4; ++j) {
      EXPECT_EQ(p[static_cast<size_t>(dims[j])], expected[i][j]) << indexes[i] << "," << dims[j];
    }
  }
}

// The scrambling algorithm (LMS + digital shift) given scipy's own random
// matrices reproduces scipy's scrambled points. Produced once with scipy 1.10:
//   eng = qmc.Sobol(2, scramble=True, bits=8, seed=12345); eng.random(8) * 2**8
// with the lower-triangular matrices and shifts that scipy drew from
// np.random.default_rng(12345) (rows below as bit masks, diagonal omitted).
TEST(SobolSequenceTest, ScrambleWithScipyMatricesMatchesScipy) {
  SobolSequence s(2, 8);
  const std::vector<uint64_t> rows = {0, 128, 64, 128, 48,  24,  124, 216,
                                      0, 0,   0,  192, 160, 136, 168, 198};
  const std::vector<uint64_t> shifts = {229, 53};
  s.ApplyScramble(rows, shifts);
  const uint64_t expected[8][2] = {{229, 53}, {52, 170},  {87, 100}, {134, 251},
                                   {172, 78}, {125, 209}, {30, 31},  {207, 128}};
  std::vector<uint64_t> p(2);
  for (int i = 0; i < 8; ++i) {
    s.PointBits(static_cast<uint64_t>(i), p);
    EXPECT_EQ(p[0], expected[i][0]) << i;
    EXPECT_EQ(p[1], expected[i][1]) << i;
  }
}

TEST(SobolSequenceTest, BitsDoNotChangeUnscrambledPoints) {
  const SobolSequence coarse(6, 20);
  const SobolSequence fine(6);
  for (uint64_t i = 0; i < 4096; i += 7) EXPECT_EQ(SobolPoint(coarse, i), SobolPoint(fine, i)) << i;
}

// Counts, for points [start, start + n) of dimension d, how many fall in each
// of n equal slabs. Unscrambled points lie on slab boundaries, where rounding
// (2/3 * 3 = 1.9999999999999998) would pick the slab below: 1e-9 absorbs it.
template <class Seq, class PointFn>
std::vector<int> SlabCounts(const Seq& s, PointFn point, uint64_t start, int n, int d) {
  std::vector<int> counts(static_cast<size_t>(n), 0);
  for (uint64_t i = start; i < start + static_cast<uint64_t>(n); ++i) {
    const double x = point(s, i)[static_cast<size_t>(d)];
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
    ++counts[static_cast<size_t>(std::min(n - 1, static_cast<int>(x * n + 1e-9)))];
  }
  return counts;
}

// 2^m consecutive points from a multiple of 2^m: one point per 2^-m slab in
// every dimension, scrambled (several seeds) or not.
TEST(SobolSequenceTest, EverySlabHoldsOnePoint) {
  std::vector<SobolSequence> seqs;
  seqs.emplace_back(12);
  for (uint64_t seed : {1u, 2u, 99u}) {
    seqs.emplace_back(12);
    seqs.back().Scramble(seed);
  }
  for (const SobolSequence& s : seqs) {
    for (int m : {3, 6, 9}) {
      const int n = 1 << m;
      for (uint64_t block : {0u, 1u, 5u}) {
        for (int d = 0; d < 12; ++d) {
          const std::vector<int> counts =
              SlabCounts(s, SobolPoint, block * static_cast<uint64_t>(n), n, d);
          EXPECT_EQ(std::count(counts.begin(), counts.end(), 1), n) << "m=" << m << " d=" << d;
        }
      }
    }
  }
}

// The first two dimensions form a (0, m, 2)-net: every dyadic box of area
// 2^-m holds exactly one of the first 2^m points. Scrambling keeps it.
TEST(SobolSequenceTest, FirstTwoDimensionsFormANet) {
  for (bool scramble : {false, true}) {
    SobolSequence s(2);
    if (scramble) s.Scramble(7);
    const int m = 8;
    const int n = 1 << m;
    for (int a = 0; a <= m; ++a) {
      const int nx = 1 << a;
      const int ny = 1 << (m - a);
      std::vector<int> counts(static_cast<size_t>(n), 0);
      for (int i = 0; i < n; ++i) {
        const std::vector<double> p = SobolPoint(s, static_cast<uint64_t>(i));
        const int bx = static_cast<int>(p[0] * nx);
        const int by = static_cast<int>(p[1] * ny);
        ++counts[static_cast<size_t>(bx * ny + by)];
      }
      EXPECT_EQ(std::count(counts.begin(), counts.end(), 1), n)
          << "a=" << a << " scramble=" << scramble;
    }
  }
}

TEST(SobolSequenceTest, ScrambleDependsOnSeedOnly) {
  SobolSequence a(5), b(5), c(5);
  a.Scramble(42);
  b.Scramble(42);
  c.Scramble(43);
  int differ = 0;
  for (uint64_t i = 0; i < 64; ++i) {
    EXPECT_EQ(SobolPoint(a, i), SobolPoint(b, i));
    if (SobolPoint(a, i) != SobolPoint(c, i)) ++differ;
  }
  EXPECT_EQ(differ, 64);
  // Scrambled, the first point is no longer the origin.
  for (double x : SobolPoint(a, 0)) EXPECT_NE(x, 0.0);
}

TEST(SobolSequenceTest, LeadingDimensionsDoNotDependOnTheDimensionCount) {
  SobolSequence small(3), large(40);
  small.Scramble(5);
  large.Scramble(5);
  for (uint64_t i = 0; i < 100; ++i) {
    const std::vector<double> p = SobolPoint(small, i);
    const std::vector<double> q = SobolPoint(large, i);
    EXPECT_TRUE(std::equal(p.begin(), p.end(), q.begin())) << i;
  }
}

TEST(SobolSequenceDeathTest, DimensionBeyondTheTableAborts) {
  EXPECT_DEATH(SobolSequence(SobolSequence::kMaxDim + 1), "Sobol dimension");
}

TEST(HaltonSequenceTest, FirstPrimes) {
  EXPECT_EQ(HaltonSequence::FirstPrimes(10),
            (std::vector<uint32_t>{2, 3, 5, 7, 11, 13, 17, 19, 23, 29}));
  EXPECT_EQ(HaltonSequence::FirstPrimes(1024).back(), 8161u);
}

// Produced once with scipy 1.10: qmc.Halton(6, scramble=False).random(20)
// (rows 0, 1, 2, 3, 7, 19; 100 dimensions x 2000 points were compared with
// scipy once, exactly equal).
TEST(HaltonSequenceTest, UnscrambledMatchesScipy) {
  const HaltonSequence h(6);
  EXPECT_EQ(HaltonPoint(h, 0), std::vector<double>(6, 0.0));
  EXPECT_EQ(HaltonPoint(h, 1),
            (std::vector<double>{0.5, 0.3333333333333333, 0.2, 0.14285714285714285,
                                 0.09090909090909091, 0.07692307692307693}));
  EXPECT_EQ(HaltonPoint(h, 3),
            (std::vector<double>{0.75, 0.1111111111111111, 0.6000000000000001, 0.42857142857142855,
                                 0.2727272727272727, 0.23076923076923078}));
  EXPECT_EQ(HaltonPoint(h, 19),
            (std::vector<double>{0.78125, 0.4074074074074074, 0.92, 0.7551020408163265,
                                 0.7355371900826446, 0.46745562130177515}));
}

// Unscrambled Halton is the radical inverse: the base-b digits of the index
// mirrored around the point. Computed here with integers.
TEST(HaltonSequenceTest, UnscrambledIsTheRadicalInverse) {
  const HaltonSequence h(8);
  for (uint64_t i = 0; i < 500; ++i) {
    const std::vector<double> p = HaltonPoint(h, i);
    for (int d = 0; d < 8; ++d) {
      const uint64_t b = h.base(d);
      uint64_t numerator = 0, denominator = 1;
      for (uint64_t q = i; q > 0; q /= b) {
        numerator = numerator * b + q % b;
        denominator *= b;
      }
      EXPECT_NEAR(p[static_cast<size_t>(d)],
                  static_cast<double>(numerator) / static_cast<double>(denominator), 1e-15)
          << i << "," << d;
    }
  }
}

// b^m consecutive points from a multiple of b^m put one point in each b^-m
// slab of the base-b dimension, scrambled (several seeds) or not.
TEST(HaltonSequenceTest, EverySlabHoldsOnePoint) {
  std::vector<HaltonSequence> seqs;
  seqs.emplace_back(5);
  for (uint64_t seed : {3u, 4u, 1000u}) {
    seqs.emplace_back(5);
    seqs.back().Scramble(seed);
  }
  for (const HaltonSequence& h : seqs) {
    for (int d = 0; d < 5; ++d) {
      const int b = static_cast<int>(h.base(d));
      for (int n = b; n <= 2500; n *= b) {
        for (uint64_t block : {0u, 2u}) {
          const std::vector<int> counts =
              SlabCounts(h, HaltonPoint, block * static_cast<uint64_t>(n), n, d);
          EXPECT_EQ(std::count(counts.begin(), counts.end(), 1), n) << "b=" << b << " n=" << n;
        }
      }
    }
  }
}

TEST(HaltonSequenceTest, ScrambleDependsOnSeedOnly) {
  HaltonSequence a(4), b(4), c(4);
  a.Scramble(42);
  b.Scramble(42);
  c.Scramble(43);
  int differ = 0;
  for (uint64_t i = 0; i < 64; ++i) {
    EXPECT_EQ(HaltonPoint(a, i), HaltonPoint(b, i));
    if (HaltonPoint(a, i) != HaltonPoint(c, i)) ++differ;
  }
  EXPECT_GE(differ, 60);
  for (double x : HaltonPoint(a, 0)) EXPECT_GT(x, 0.0);
}

// Scrambled Halton spreads points evenly: the mean of 1000 points in each of
// 20 dimensions is within 0.01 of 1/2 (random points: sd 0.009 per mean).
TEST(HaltonSequenceTest, ScrambledMeansAreCentered) {
  HaltonSequence h(20);
  h.Scramble(11);
  std::vector<double> sum(20, 0.0);
  for (uint64_t i = 0; i < 1000; ++i) {
    const std::vector<double> p = HaltonPoint(h, i);
    for (size_t d = 0; d < 20; ++d) sum[d] += p[d];
  }
  for (size_t d = 0; d < 20; ++d) EXPECT_NEAR(sum[d] / 1000, 0.5, 0.01) << d;
}

}  // namespace
}  // namespace hypertune::qmc
