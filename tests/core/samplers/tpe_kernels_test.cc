// The vectorized kernels against scalar <cmath> references, on every
// instruction set this CPU supports.
#include "src/core/samplers/tpe/tpe_kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hypertune/core/random.h"
#include "src/core/samplers/tpe/tpe_math.h"

namespace hypertune::tpe {
namespace {

class KernelsTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!IsaSupported(GetParam())) GTEST_SKIP() << "CPU lacks " << ToString(GetParam());
    saved_ = ActiveIsa();
    ForceIsa(GetParam());
  }
  void TearDown() override {
    if (IsaSupported(GetParam())) ForceIsa(saved_);
  }
  Isa saved_ = Isa::kSse2;
};

double RelErr(double got, double want) {
  return std::abs(got - want) / std::max(std::abs(want), 1e-300);
}

TEST(ScalarMathTest, LogGaussMassMatchesDifferenceOfCdfs) {
  // Hand-checkable values: P(-1 < Z < 1) = 0.682689492137086, P(0 < Z < inf).
  EXPECT_NEAR(std::exp(LogGaussMass(-1.0, 1.0)), 0.682689492137086, 1e-14);
  EXPECT_NEAR(std::exp(LogGaussMass(0.0, 40.0)), 0.5, 1e-15);
  EXPECT_NEAR(std::exp(LogGaussMass(1.0, 2.0)), 0.135905121983278, 1e-14);
  EXPECT_NEAR(std::exp(LogGaussMass(-2.0, -1.0)), 0.135905121983278, 1e-14);
  // Narrow interval: h * phi(m) to first order, m the midpoint.
  const double m = 0.5 + 0.5e-6;
  EXPECT_NEAR(std::exp(LogGaussMass(0.5, 0.5 + 1e-6)), 1e-6 * std::exp(-0.5 * m * m - kLogSqrt2Pi),
              1e-16);  // h is exact to 1e-10
  // Far tail stays finite and accurate: log P(Z > 40) = -804.608442013754.
  EXPECT_NEAR(LogGaussMass(40.0, 1e300), -804.608442013754, 1e-9);
  EXPECT_EQ(LogGaussMass(1.0, 1.0), kLogZero);
}

TEST(ScalarMathTest, NdtrInverseInvertsNdtr) {
  for (double p : {1e-300, 1e-20, 1e-5, 0.01, 0.3, 0.5, 0.77, 0.99, 1 - 1e-12}) {
    EXPECT_LT(RelErr(Ndtr(NdtrInverse(p)), p), 1e-12) << p;
  }
  EXPECT_NEAR(NdtrInverse(0.975), 1.959963984540054, 1e-13);
}

TEST(ScalarMathTest, TruncatedSamplesStayInBoundsAndHaveTheRightMean) {
  Rng rng(3);
  // Standard normal truncated to [0.5, 3]: mean (phi(0.5) - phi(3)) / mass.
  const double want = (0.3520653267642995 - 0.0044318484119380) / 0.3071876406943568;
  double sum = 0;
  const int n = 200000;
  for (int k = 0; k < n; ++k) {
    const double x = SampleTruncatedStandardNormal(0.5, 3.0, rng);
    ASSERT_GE(x, 0.5);
    ASSERT_LE(x, 3.0);
    sum += x;
  }
  EXPECT_NEAR(sum / n, want, 0.005);
  // Far tails do not break it.
  for (int k = 0; k < 100; ++k) {
    const double x = SampleTruncatedStandardNormal(-60.0, -50.0, rng);
    ASSERT_GE(x, -60.0);
    ASSERT_LE(x, -50.0);
    EXPECT_GT(x, -50.5);  // the mass is within ~1/50 of the upper end
  }
}

TEST_P(KernelsTest, LogAndLogGaussMassBatchesMatchScalar) {
  std::vector<double> a, b;
  for (double lo = -45; lo < 45; lo += 0.37) {
    for (double w : {1e-9, 1e-4, 0.05, 0.099, 0.1, 0.3, 1.0, 4.0, 30.0, 1e6}) {
      a.push_back(lo);
      b.push_back(lo + w);
    }
  }
  std::vector<double> out(a.size());
  LogGaussMassBatch(a.data(), b.data(), out.data(), a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const double want = LogGaussMass(a[i], b[i]);
    // An absolute error in the log is a relative error of the mass. Far in
    // the tails (masses below e^-18) both sides lose some precision, which
    // is harmless: such components add nothing next to the others.
    const double mid = std::abs(0.5 * (a[i] + b[i]));
    EXPECT_NEAR(out[i], want, mid < 6 ? 1e-9 : 1e-2) << "a=" << a[i] << " b=" << b[i];
  }
  std::vector<double> x;
  for (double e = -300; e < 300; e += 0.731) x.push_back(std::pow(10.0, e) * 1.2345);
  std::vector<double> lx(x.size());
  LogBatch(x.data(), lx.data(), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(lx[i], std::log(x[i]), 1e-15 * std::max(1.0, std::abs(std::log(x[i]))));
  }
}

struct Mixture {
  std::vector<double> coef, mu, inv;
};

// n components (a multiple of kLanes), coefficients up to 1.
Mixture RandomMixture(size_t n, Rng& rng) {
  Mixture m;
  for (size_t i = 0; i < n; ++i) {
    m.coef.push_back(std::exp(-rng.Uniform(0.0, 5.0)));
    m.mu.push_back(rng.Uniform(-1.0, 1.0));
    m.inv.push_back(1.0 / rng.Uniform(0.01, 0.5));
  }
  return m;
}

TEST_P(KernelsTest, SumGaussMatchesScalar) {
  Rng rng(1);
  Mixture m = RandomMixture(64 * 7, rng);
  for (double x : {-1.2, -0.3, 0.0, 0.41, 0.999, 3.0}) {
    double want = 0;
    for (size_t i = 0; i < m.mu.size(); ++i) {
      const double z = (x - m.mu[i]) * m.inv[i];
      want += m.coef[i] * std::exp(-0.5 * z * z);
    }
    const size_t n = m.mu.size();
    EXPECT_LT(RelErr(SumGauss(m.coef.data(), m.mu.data(), m.inv.data(), n, x, false), want), 1e-13);
    EXPECT_LT(RelErr(SumGauss(m.coef.data(), m.mu.data(), m.inv.data(), n, x, true), want), 1e-6);
  }
  // Padding components (coefficient 0) add nothing.
  std::vector<double> coef(kLanes, 0.0), mu(kLanes, 0.0), inv(kLanes, 1.0);
  coef[0] = 1.0;
  EXPECT_EQ(SumGauss(coef.data(), mu.data(), inv.data(), kLanes, 0.0, false), 1.0);
}

TEST_P(KernelsTest, CulledGaussSumMatchesFullSum) {
  // Sorted centres, bandwidths 0.001 to 0.5: far blocks are skipped, near
  // ones summed in double or single precision.
  Rng rng(3);
  const size_t n_real = 1000, n = (n_real + kLanes - 1) / kLanes * kLanes;
  Mixture m = RandomMixture(n_real, rng);
  std::sort(m.mu.begin(), m.mu.end());
  for (double& inv : m.inv) inv = 1.0 / std::exp(rng.Uniform(std::log(1e-3), std::log(0.5)));
  m.coef.resize(n, 0.0);
  m.mu.resize(n, -1.0);
  m.inv.resize(n, 1.0);
  std::vector<BlockBounds> blocks;
  for (size_t b = 0; b < n / kLanes; ++b) {
    const size_t first = b * kLanes, last = std::min(first + kLanes, n_real);
    double min_inv = 1e300;
    for (size_t i = first; i < last; ++i) min_inv = std::min(min_inv, m.inv[i]);
    blocks.push_back({m.mu[first], m.mu[last - 1], min_inv});
  }
  const std::vector<float> coef_f(m.coef.begin(), m.coef.end()), inv_f(m.inv.begin(), m.inv.end());
  for (double x : {-1.5, -0.99, -0.3, 0.0, 0.77, 1.2}) {
    const double full = SumGauss(m.coef.data(), m.mu.data(), m.inv.data(), n, x, false);
    ASSERT_GT(full, 0.0);
    const double exact = SumGaussCulled(m.coef.data(), m.mu.data(), m.inv.data(), coef_f.data(),
                                        inv_f.data(), n, x, false, blocks.data(), 100.0);
    const double fast = SumGaussCulled(m.coef.data(), m.mu.data(), m.inv.data(), coef_f.data(),
                                       inv_f.data(), n, x, true, blocks.data(), 100.0);
    EXPECT_LT(RelErr(exact, full), 1e-12) << x;
    EXPECT_LT(RelErr(fast, full), 1e-5) << x;
  }
}

TEST_P(KernelsTest, BinKernelsMatchExactBinMasses) {
  const double step = 0.02;
  auto exact = [&](const Mixture& m, double x) {
    double want = 0;
    for (size_t i = 0; i < m.mu.size(); ++i) {
      const double a = (x - step / 2 - m.mu[i]) * m.inv[i];
      want += m.coef[i] * std::exp(LogGaussMass(a, a + step * m.inv[i]));
    }
    return want;
  };
  Rng rng(2);
  // Bandwidths 0.01 to 0.5: bins from narrow (h = step/sigma = 0.04) to wide (2).
  const Mixture any = RandomMixture(kLanes * 6, rng);
  // Bandwidths of at least 0.2: every bin is narrow (h <= 0.1).
  Mixture narrow = RandomMixture(kLanes * 6, rng);
  for (double& inv : narrow.inv) inv = std::min(inv, 5.0);
  std::vector<double> narrow_coef, h2;
  for (size_t i = 0; i < narrow.mu.size(); ++i) {
    const double h = step * narrow.inv[i];
    narrow_coef.push_back(narrow.coef[i] * h * std::exp(-kLogSqrt2Pi));
    h2.push_back(h * h);
  }
  for (double x : {-1.0, -0.5, 0.0, 0.02, 0.46, 1.3}) {
    EXPECT_LT(RelErr(SumWideBins(any.coef.data(), any.mu.data(), any.inv.data(), any.mu.size(), x,
                                 step / 2),
                     exact(any, x)),
              1e-9);
    for (bool fast : {false, true}) {
      EXPECT_LT(RelErr(SumNarrowBins(narrow_coef.data(), narrow.mu.data(), narrow.inv.data(),
                                     h2.data(), narrow.mu.size(), x, fast),
                       exact(narrow, x)),
                fast ? 1e-6 : 1e-9);
    }
  }
}

TEST_P(KernelsTest, SumMultivariateMatchesScalar) {
  Rng rng(4);
  const size_t n = kLanes * 40;  // more than one block
  Mixture m = RandomMixture(n, rng);
  std::vector<double> mu2(n), cat(n);
  std::vector<int64_t> idx(n);
  for (size_t i = 0; i < n; ++i) {
    mu2[i] = rng.Uniform(0.0, 2.0);
    cat[i] = static_cast<double>(rng.UniformInt(3));
    idx[i] = -static_cast<int64_t>(rng.UniformInt(5));  // grid index 0..4
  }
  std::vector<double> table(9);  // index differences -4..4
  for (int j = -4; j <= 4; ++j) table[static_cast<size_t>(j + 4)] = -0.3 * j * j - 0.1;
  const double x_gauss = 0.3, x_bin = 1.1, x_cat = 1.0, h2 = 0.0036;
  const int64_t k = 2;  // the point's grid index
  MvDim dims[4];
  dims[0] = {.kind = MvDim::Kind::kGauss, .values = m.mu.data(), .x = x_gauss, .inv = 4.0};
  dims[1] = {
      .kind = MvDim::Kind::kNarrowBin, .values = mu2.data(), .x = x_bin, .inv = 2.0, .h2 = h2};
  dims[2] = {.kind = MvDim::Kind::kTable, .index = idx.data(), .table = table.data() + k + 4};
  dims[3] = {.kind = MvDim::Kind::kCategorical,
             .values = cat.data(),
             .x = x_cat,
             .match = -0.2,
             .other = -1.7};
  double want = 0;
  for (size_t i = 0; i < n; ++i) {
    const double z = (x_gauss - m.mu[i]) * 4.0;
    const double b = (x_bin - mu2[i]) * 2.0;
    const double b2 = b * b;
    const double f = 1 + h2 * (b2 - 1) / 24 + h2 * h2 * (b2 * b2 - 6 * b2 + 3) / 1920 +
                     h2 * h2 * h2 * (b2 * b2 * b2 - 15 * b2 * b2 + 45 * b2 - 15) / 322560;
    const double t = -0.5 * z * z - 0.5 * b2 + table[static_cast<size_t>(k + idx[i] + 4)] +
                     (cat[i] == x_cat ? -0.2 : -1.7);
    want += m.coef[i] * std::exp(t) * f;
  }
  EXPECT_LT(RelErr(SumMultivariate(m.coef.data(), n, dims, 4, false), want), 1e-12);
  EXPECT_LT(RelErr(SumMultivariate(m.coef.data(), n, dims, 4, true), want), 1e-6);
}

TEST_P(KernelsTest, ComponentSetUpMatchesScalar) {
  // Truncation masses of components near and far from the bounds [0, 1].
  Rng rng(8);
  const size_t n = 45;  // not a multiple of the vector width
  std::vector<double> w(n), mu(n), sigma(n), inv(n), coef(n);
  for (size_t i = 0; i < n; ++i) {
    w[i] = rng.Uniform(0.1, 1.0);
    mu[i] = i < 15 ? rng.Uniform(0.0, 0.05) : rng.Uniform(0.0, 1.0);
    sigma[i] = std::exp(rng.Uniform(std::log(1e-3), 0.0));
  }
  for (bool density : {false, true}) {
    PrepareComponents(w.data(), mu.data(), sigma.data(), n, 0.0, 1.0, density, 0.5, inv.data(),
                      coef.data());
    for (size_t i = 0; i < n; ++i) {
      const double z = std::exp(LogGaussMass(-mu[i] / sigma[i], (1 - mu[i]) / sigma[i]));
      EXPECT_NEAR(inv[i], 1.0 / sigma[i], 1e-15 / sigma[i]);
      EXPECT_LT(RelErr(coef[i], w[i] * 0.5 * (density ? 1.0 / sigma[i] : 1.0) / z), 1e-10) << i;
    }
  }
  std::vector<double> c(n, 2.0);
  DivideByMass(mu.data(), n, 1 / 0.3, 0.0, 1.0, c.data());
  for (size_t i = 0; i < n; ++i) {
    const double z = std::exp(LogGaussMass(-mu[i] / 0.3, (1 - mu[i]) / 0.3));
    EXPECT_LT(RelErr(c[i], 2.0 / z), 1e-10) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(AllIsas, KernelsTest,
                         ::testing::Values(Isa::kSse2, Isa::kAvx2, Isa::kAvx512),
                         [](const auto& p) { return std::string(ToString(p.param)); });

}  // namespace
}  // namespace hypertune::tpe
