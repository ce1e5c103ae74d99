// ParzenEstimator: bandwidths, weights and densities against hand-checked
// values and reference values, plus normalization, the fast path against the
// exact one, and sampling.
//
// Reference values: bandwidths and discrete densities are those Optuna 3.1's
// _ParzenEstimator prints for the same observations. Its continuous densities
// are not: 3.1.0's truncnorm.logpdf leaves out the -log(sigma) term, so the
// continuous references come from scipy.stats.truncnorm with Optuna's
// bandwidths and weights.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "src/core/samplers/tpe/parzen_estimator.h"
#include "src/core/samplers/tpe/tpe_math.h"

namespace hypertune::tpe {
namespace {

// Default weights of Optuna for n observations (flat below 25).
std::vector<double> Ramp(size_t n) {
  std::vector<double> w(n, 1.0);
  if (n >= 25) {
    const size_t r = n - 25;
    for (size_t i = 0; i < r; ++i) {
      w[i] = r == 1 ? 1.0 / n : 1.0 / n + i * (1.0 - 1.0 / n) / (r - 1.0);
    }
  }
  return w;
}

struct Built {
  std::vector<ParamSpec> specs;
  std::vector<std::vector<double>> cols;  // kernel space
  ParzenEstimator est;
};

// Observations as internal values, one vector per parameter.
Built Make(const std::vector<Distribution>& dists, const std::vector<std::vector<double>>& obs,
           EstimatorOptions o = {}) {
  std::vector<ParamSpec> specs;
  std::vector<std::vector<double>> cols(dists.size());
  std::vector<const double*> ptrs;
  for (size_t d = 0; d < dists.size(); ++d) {
    specs.push_back(ParamSpec::From(dists[d]));
    for (double v : obs[d]) cols[d].push_back(specs[d].Transform(v));
    ptrs.push_back(cols[d].data());
  }
  const size_t n = obs[0].size();
  std::vector<double> w = Ramp(n);
  ParzenEstimator est(specs, ptrs, w, n, o);
  return {specs, cols, std::move(est)};
}

std::vector<double> LogPdf(const ParzenEstimator& e, const std::vector<double>& points) {
  const size_t count = points.size() / e.n_dims();
  std::vector<double> out(count);
  e.LogPdf(points, count, out.data());
  return out;
}

void ExpectAllNear(const std::vector<double>& got, const std::vector<double>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

TEST(ParzenEstimatorTest, UnivariateBandwidthsByHand) {
  // Sorted centres with the prior's (0.5): -1.9 0.1 0.15 0.5 1.7 on [-2, 3].
  // Neighbour distances: -1.9 -> 2.0 (first: its right gap), 0.1 -> 2.0,
  // 0.15 -> 0.35, 1.7 -> 1.2 (last: its left gap). Magic clip raises them to
  // at least 5 / min(100, 1 + 5) = 0.8333.
  auto b = Make({FloatDistribution{-2, 3}}, {{0.1, 0.15, 1.7, -1.9}});
  ExpectAllNear(b.est.ComponentMus(0), {-1.9, 0.1, 0.15, 1.7}, 0);
  ExpectAllNear(b.est.ComponentSigmas(0), {2.0, 2.0, 5.0 / 6.0, 1.2}, 1e-15);
  ExpectAllNear(b.est.ComponentWeights(), {0.2, 0.2, 0.2, 0.2}, 1e-15);
  EXPECT_NEAR(b.est.prior_weight(), 0.2, 1e-15);
  ExpectAllNear(LogPdf(b.est, {-2, -1.0, 0.12, 1.0, 2.9}),
                {-1.9099913075044264, -1.6223664018120356, -1.3162667337259872, -1.4381881506439136,
                 -2.2252575105876917},
                1e-10);
  // Endpoints count as neighbours; no clip: -1.9 -> max(0.1, 2.0), 0.15 ->
  // 0.35, 1.7 -> max(1.2, 1.3).
  auto e = Make({FloatDistribution{-2, 3}}, {{0.1, 0.15, 1.7, -1.9}},
                {.consider_magic_clip = false, .consider_endpoints = true});
  ExpectAllNear(e.est.ComponentSigmas(0), {2.0, 2.0, 0.35, 1.3}, 1e-15);
  ExpectAllNear(LogPdf(e.est, {-2, -1.0, 0.12, 1.0, 2.9}),
                {-1.9293856943450605, -1.810157000307715, -0.9125109266018249, -1.6601252453261544,
                 -2.2211928631955082},
                1e-10);
}

TEST(ParzenEstimatorTest, OneObservationMatchesClosedForm) {
  // One observation at 0.3 on [0, 1]: bandwidth = gap to the prior centre
  // (0.2), raised by the magic clip to 1 / min(100, 3). Weights 1/2, 1/2.
  auto b = Make({FloatDistribution{0, 1}}, {{0.3}});
  ExpectAllNear(b.est.ComponentSigmas(0), {1.0 / 3.0}, 1e-15);
  auto trunc = [](double x, double mu, double s) {
    const double z = (x - mu) / s;
    const double mass = Ndtr((1 - mu) / s) - Ndtr(-mu / s);
    return std::exp(-0.5 * z * z) / (s * std::sqrt(2 * std::numbers::pi) * mass);
  };
  for (double x : {0.0, 0.3, 0.77}) {
    const double want = 0.5 * trunc(x, 0.3, 1.0 / 3.0) + 0.5 * trunc(x, 0.5, 1.0);
    EXPECT_NEAR(LogPdf(b.est, {x})[0], std::log(want), 1e-12);
  }
}

TEST(ParzenEstimatorTest, HeightKernelsLeaveOutOneOverSigma) {
  // Same estimator as above with kernels scaled by their bandwidth (Optuna
  // 3.1.0's evaluation): each term loses its 1/sigma.
  auto b = Make({FloatDistribution{0, 1}}, {{0.3}}, {.density_kernels = false});
  auto height = [](double x, double mu, double s) {
    const double z = (x - mu) / s;
    const double mass = Ndtr((1 - mu) / s) - Ndtr(-mu / s);
    return std::exp(-0.5 * z * z) / (std::sqrt(2 * std::numbers::pi) * mass);
  };
  for (double x : {0.0, 0.3, 0.77}) {
    const double want = 0.5 * height(x, 0.3, 1.0 / 3.0) + 0.5 * height(x, 0.5, 1.0);
    EXPECT_NEAR(LogPdf(b.est, {x})[0], std::log(want), 1e-12);
    EXPECT_NEAR(b.est.LogPdfReference(&x), std::log(want), 1e-12);
  }
  // Multivariate: observation kernels share sigma, so only the prior gains
  // weight (its sigma is the range): by range / sigma per continuous dimension.
  const std::vector<std::vector<double>> obs = {{0.2, 0.4, 0.45}, {0.7, 0.1, 0.5}};
  auto d = Make({FloatDistribution{0, 1}, FloatDistribution{0, 1}}, obs,
                {.consider_magic_clip = false, .multivariate = true, .bandwidth_factor = 0.1});
  auto h = Make({FloatDistribution{0, 1}, FloatDistribution{0, 1}}, obs,
                {.density_kernels = false,
                 .consider_magic_clip = false,
                 .multivariate = true,
                 .bandwidth_factor = 0.1});
  const double sigma = 0.1 * std::pow(3.0, -1.0 / 6.0);
  EXPECT_NEAR(d.est.ComponentSigmas(0)[0], sigma, 1e-15);
  for (const std::vector<double>& p : {std::vector<double>{0.21, 0.69}, {0.44, 0.12}}) {
    EXPECT_NEAR(LogPdf(h.est, p)[0], h.est.LogPdfReference(p.data()), 1e-10);
    EXPECT_NEAR(LogPdf(d.est, p)[0], d.est.LogPdfReference(p.data()), 1e-10);
    // The two differ by how much the prior weighs: not by a constant.
    EXPECT_GT(std::abs(LogPdf(h.est, p)[0] - LogPdf(d.est, p)[0]), 0.1);
  }
}

TEST(ParzenEstimatorTest, DiscreteMatchesOptunaAndMergesRepeats) {
  // [2, 2, 3, 9] on 1..10 with prior 5.5: bandwidths 0 -> 1.667 (clip),
  // 1 -> 1.667, 2.5, 3.5. The two 2s become one component of weight 2/5.
  auto b = Make({IntDistribution{1, 10}}, {{2, 2, 3, 9}});
  EXPECT_EQ(b.est.n_observation_components(), 3u);
  ExpectAllNear(b.est.ComponentWeights(), {0.4, 0.2, 0.2}, 1e-15);
  ExpectAllNear(LogPdf(b.est, {1, 2, 3, 5, 10}),
                {-1.9241173226126609, -1.7440447692484125, -1.813821264164496, -2.403951410521355,
                 -2.9420998024395293},
                1e-9);
  // Step 2, 30 distinct observations: Optuna's ramp weights (the first
  // weight is 1/30 of the flat ones). Repeated values would make the result depend
  // on how ties sort, which numpy leaves unspecified.
  const std::vector<double> vals = {52,  174, 4,   112, 152, 188, 32, 148, 110, 192,
                                    108, 186, 158, 26,  14,  60,  44, 48,  66,  16,
                                    86,  126, 6,   144, 90,  96,  12, 200, 166, 154};
  auto s = Make({IntDistribution{0, 200, false, 2}}, {vals});
  ExpectAllNear(LogPdf(s.est, {0, 4, 100, 150, 200}),
                {-4.820472784112003, -4.326858556773548, -4.44668655252164, -4.062859619043504,
                 -4.489626840797463},
                1e-9);
}

TEST(ParzenEstimatorTest, CategoricalKernelByHand) {
  // Observations a, a, c of {a, b, c}: p0 = 1/4, rows (p0 + [hit]) / 1.75,
  // i.e. 5/7 on the observed choice and 1/7 elsewhere; the prior row is
  // uniform; all four weights 1/4. P(a) = 1/12 + (5+5+1)/28 = 10/21,
  // P(b) = 1/12 + 3/28 = 4/21, P(c) = 1/12 + 7/28 = 7/21.
  auto b = Make({CategoricalDistribution{{"a", "b", "c"}}}, {{0, 0, 2}});
  ExpectAllNear(LogPdf(b.est, {0, 1, 2}),
                {std::log(10.0 / 21), std::log(4.0 / 21), std::log(7.0 / 21)}, 1e-14);
}

TEST(ParzenEstimatorTest, MultivariateMatchesReference) {
  // Log float, log int, categorical and stepped float jointly. Bandwidths:
  // 0.2 * 5^(-1/8) * range, e.g. 1.50638 for lr (range log(1e4)).
  std::vector<Distribution> dists = {FloatDistribution{1e-4, 1, true}, IntDistribution{1, 64, true},
                                     CategoricalDistribution{{"a", "b", "c"}},
                                     FloatDistribution{0, 1, false, 0.25}};
  auto b = Make(
      dists,
      {{1e-3, 2e-2, 0.5, 1e-4, 3e-3}, {1, 4, 64, 8, 9}, {0, 2, 2, 1, 0}, {0, 0.25, 1.0, 0.5, 0.5}},
      {.multivariate = true});
  EXPECT_NEAR(b.est.ComponentSigmas(0)[0], 1.5063795982378922, 1e-14);
  EXPECT_NEAR(b.est.ComponentSigmas(1)[0], 0.794837319961403, 1e-14);
  EXPECT_NEAR(b.est.ComponentSigmas(3)[0], 0.20444135848948566, 1e-14);
  ExpectAllNear(LogPdf(b.est, {1e-3, 1, 0, 0, 0.1, 5, 1, 0.75, 0.9, 60, 2, 1.0}),
                {-4.227944990910348, -7.95972454856915, -3.521704900482331}, 1e-9);
}

TEST(ParzenEstimatorTest, DensitiesIntegrateToOne) {
  Rng rng(5);
  std::vector<double> obs;
  for (int i = 0; i < 40; ++i) obs.push_back(std::round(rng.Uniform(-3, 7) * 4) / 4);
  // Continuous (trapezoid rule on a fine grid), univariate and with a single
  // shared bandwidth.
  for (bool mv : {false, true}) {
    auto b = Make({FloatDistribution{-3, 7}}, {obs}, {.multivariate = mv});
    std::vector<double> xs;
    const int steps = 20000;
    for (int k = 0; k <= steps; ++k) xs.push_back(-3 + 10.0 * k / steps);
    const std::vector<double> lp = LogPdf(b.est, xs);
    double integral = 0;
    for (int k = 0; k < steps; ++k) integral += 0.5 * (std::exp(lp[k]) + std::exp(lp[k + 1]));
    EXPECT_NEAR(integral * 10.0 / steps, 1.0, 1e-6) << "multivariate=" << mv;
  }
  // Discrete: masses over the grid sum to one (narrow and wide bins).
  for (int64_t high : {10, 400, 3000}) {
    std::vector<double> iobs;
    for (double v : obs) iobs.push_back(std::round((v + 3) * high / 10));
    auto b = Make({IntDistribution{0, high}}, {iobs});
    std::vector<double> xs;
    for (int64_t k = 0; k <= high; ++k) xs.push_back(static_cast<double>(k));
    double sum = 0;
    for (double lp : LogPdf(b.est, xs)) sum += std::exp(lp);
    EXPECT_NEAR(sum, 1.0, 1e-9) << "high=" << high;
  }
  // Log scale: the density is over log(x).
  std::vector<double> lobs;
  for (double v : obs) lobs.push_back(std::exp(v));
  auto l = Make({FloatDistribution{std::exp(-3), std::exp(7), true}}, {lobs});
  double integral = 0;
  const int steps = 20000;
  std::vector<double> xs;
  for (int k = 0; k <= steps; ++k) xs.push_back(std::exp(-3 + 10.0 * k / steps));
  xs.front() = std::exp(-3.0);
  xs.back() = std::exp(7.0);
  const std::vector<double> lp = LogPdf(l.est, xs);
  for (int k = 0; k < steps; ++k) integral += 0.5 * (std::exp(lp[k]) + std::exp(lp[k + 1]));
  EXPECT_NEAR(integral * 10.0 / steps, 1.0, 1e-6);
  // Two dimensions, continuous x discrete: sum over the grid of integrals.
  std::vector<double> d2;
  for (double v : obs) d2.push_back(std::round(v + 3));
  auto m =
      Make({FloatDistribution{-3, 7}, IntDistribution{0, 10}}, {obs, d2}, {.multivariate = true});
  double total = 0;
  for (int g = 0; g <= 10; ++g) {
    std::vector<double> pts;
    for (int k = 0; k <= 4000; ++k) {
      pts.push_back(-3 + 10.0 * k / 4000);
      pts.push_back(g);
    }
    const std::vector<double> l2 = LogPdf(m.est, pts);
    for (int k = 0; k < 4000; ++k)
      total += 0.5 * (std::exp(l2[k]) + std::exp(l2[k + 1])) * 10.0 / 4000;
  }
  EXPECT_NEAR(total, 1.0, 1e-5);
}

TEST(ParzenEstimatorTest, FastPathMatchesExactSumOnLargeMixtures) {
  Rng rng(6);
  const size_t n = 3000;
  std::vector<double> x(n), k(n), c(n), q(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = std::exp(rng.Uniform(std::log(1e-3), 0.0));
    k[i] = static_cast<double>(rng.UniformInt(50));
    c[i] = static_cast<double>(rng.UniformInt(4));
    q[i] = static_cast<double>(rng.UniformInt(6));  // wide bins: table path
  }
  const Distribution fx = FloatDistribution{1e-3, 1, true};
  const Distribution ik = IntDistribution{0, 49};
  const Distribution cc = CategoricalDistribution{{"a", "b", "c", "d"}};
  const Distribution iq = IntDistribution{0, 5};
  std::vector<std::pair<Built, std::vector<double>>> cases;
  cases.emplace_back(Make({fx}, {x}), std::vector<double>{1e-3, 0.02, 0.5, 1.0});
  cases.emplace_back(Make({ik}, {k}), std::vector<double>{0, 7, 49});
  cases.emplace_back(Make({fx, ik, cc, iq}, {x, k, c, q}, {.multivariate = true}),
                     std::vector<double>{0.01, 3, 1, 5, 0.7, 40, 3, 0});
  cases.emplace_back(Make({fx, ik}, {x, k}, {.consider_prior = false, .multivariate = true}),
                     std::vector<double>{0.01, 3, 0.7, 40});
  // Mixtures this large sum their exponentials in single precision: the log
  // density is good to a few 1e-7.
  for (auto& [b, pts] : cases) {
    const std::vector<double> fast = LogPdf(b.est, pts);
    for (size_t j = 0; j < fast.size(); ++j) {
      EXPECT_NEAR(fast[j], b.est.LogPdfReference(pts.data() + j * b.est.n_dims()), 1e-6);
    }
  }
}

TEST(ParzenEstimatorTest, UnderflowFallsBackToTheExactSum) {
  // No prior, tiny bandwidths, a point far from every observation: the fast
  // sum underflows; the result must still be the exact log density.
  auto b = Make({FloatDistribution{0, 100}}, {{1.0, 1.001, 1.002}},
                {.consider_prior = false, .consider_magic_clip = false});
  const double lp = LogPdf(b.est, {90.0})[0];
  EXPECT_LT(lp, -1e6);
  EXPECT_NEAR(lp, b.est.LogPdfReference(std::vector<double>{90.0}.data()), 1e-6 * std::abs(lp));
}

TEST(ParzenEstimatorTest, SamplesFollowTheDensity) {
  auto b = Make({IntDistribution{1, 10}}, {{2, 2, 3, 9}});
  Rng rng(7);
  std::vector<double> s;
  const int n = 100000;
  b.est.Sample(rng, n, s);
  std::vector<double> freq(11, 0.0);
  for (double v : s) {
    ASSERT_EQ(v, std::round(v));
    ASSERT_GE(v, 1);
    ASSERT_LE(v, 10);
    freq[static_cast<size_t>(v)] += 1.0 / n;
  }
  const std::vector<double> lp = LogPdf(b.est, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  for (int v = 1; v <= 10; ++v) EXPECT_NEAR(freq[v], std::exp(lp[v - 1]), 0.005) << v;
  // Multivariate samples are on the grids and inside the bounds.
  auto m = Make({FloatDistribution{1e-4, 1, true}, CategoricalDistribution{{"a", "b"}},
                 FloatDistribution{0, 1, false, 0.25}},
                {{1e-3, 0.5}, {0, 1}, {0.25, 1.0}}, {.multivariate = true});
  s.clear();
  m.est.Sample(rng, 1000, s);
  for (size_t i = 0; i < s.size(); i += 3) {
    ASSERT_GE(s[i], 1e-4);
    ASSERT_LE(s[i], 1.0);
    ASSERT_TRUE(s[i + 1] == 0 || s[i + 1] == 1);
    ASSERT_EQ(s[i + 2] * 4, std::round(s[i + 2] * 4));
  }
}

}  // namespace
}  // namespace hypertune::tpe
