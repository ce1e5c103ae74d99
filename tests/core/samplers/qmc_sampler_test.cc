// Tests of QmcSampler against a hand-built study history (TrialCache).
#include "hypertune/core/qmc_sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hypertune/core/grid_sampler.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/study.h"
#include "src/core/samplers/qmc/sobol.h"

namespace hypertune {
namespace {

std::shared_ptr<const Distribution> Dist(Distribution d) {
  return std::make_shared<const Distribution>(std::move(d));
}

FrozenTrial MakeTrial(
    int number, TrialState state,
    std::vector<std::pair<std::string, std::shared_ptr<const Distribution>>> params = {}) {
  FrozenTrial t;
  t.trial_id = number;
  t.number = number;
  t.state = state;
  if (state == TrialState::kComplete) t.values = {0.0};
  for (auto& [name, d] : params) t.params.push_back({name, d, Snap(*d, 0.0)});
  return t;
}

TrialCache NewCache(int64_t study_id = 0) {
  return TrialCache(study_id, "s" + std::to_string(study_id), {StudyDirection::kMinimize});
}

QmcSampler Unscrambled(QmcType type = QmcType::kSobol) {
  return QmcSampler({.qmc_type = type, .scramble = false, .seed = 1});
}

TEST(QmcSamplerTest, OptionsValidate) {
  EXPECT_TRUE(QmcSamplerOptions{}.Validate().ok());
  QmcSamplerOptions bad;
  bad.qmc_type = static_cast<QmcType>(7);
  EXPECT_EQ(bad.Validate().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(QmcSampler::Create(bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(QmcSampler::Create({.seed = 3}).ok());
}

TEST(QmcSamplerTest, NoRelativeSpaceUntilATrialCompletes) {
  TrialCache cache = NewCache();
  const auto x = Dist(FloatDistribution{0, 1});
  cache.Apply(MakeTrial(0, TrialState::kFail, {{"x", x}}));
  cache.Apply(MakeTrial(1, TrialState::kPruned, {{"x", x}}));
  cache.Apply(MakeTrial(2, TrialState::kRunning));
  QmcSampler sampler({.seed = 5});
  EXPECT_TRUE(sampler.InferRelativeSearchSpace(cache, *cache.trials()[2]).empty());
  // Meanwhile parameters come from RandomSampler seeded alike.
  RandomSampler random({.seed = 5});
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(sampler.SampleIndependent(cache, *cache.trials()[2], "x", *x),
              random.SampleIndependent(cache, *cache.trials()[2], "x", *x));
  }
}

TEST(QmcSamplerTest, SpaceComesFromTheLowestNumberedCompleteTrialAndStays) {
  TrialCache cache = NewCache();
  const auto x = Dist(FloatDistribution{0, 1});
  const auto single = Dist(IntDistribution{3, 3});
  const auto c = Dist(CategoricalDistribution{{ParamValue("a"), ParamValue("b")}});
  const auto z = Dist(IntDistribution{0, 9});
  cache.Apply(MakeTrial(0, TrialState::kRunning));
  cache.Apply(MakeTrial(1, TrialState::kComplete, {{"x", x}, {"s", single}, {"c", c}}));
  cache.Apply(MakeTrial(2, TrialState::kComplete, {{"z", z}}));
  QmcSampler sampler({.seed = 5});
  const SearchSpace space = sampler.InferRelativeSearchSpace(cache, *cache.trials()[0]);
  ASSERT_EQ(space.size(), 2u);  // the single-valued "s" is left out
  EXPECT_EQ(space.begin()->first, "c");
  EXPECT_EQ(*space.at("c"), *c);
  EXPECT_EQ(*space.at("x"), *x);
  // A lower-numbered trial completing later does not change it.
  cache.Apply(MakeTrial(0, TrialState::kComplete, {{"z", z}}));
  EXPECT_EQ(sampler.InferRelativeSearchSpace(cache, *cache.trials()[2]), space);
}

// Unscrambled Sobol' points 1, 2, 3 are (0.5, 0.5), (0.75, 0.25),
// (0.25, 0.75); trial k gets point k.
TEST(QmcSamplerTest, TrialNumberIndexesTheSequence) {
  TrialCache cache = NewCache();
  const auto a = Dist(FloatDistribution{0, 1});
  const auto b = Dist(FloatDistribution{-2, 2});
  const SearchSpace space = {{"a", a}, {"b", b}};
  QmcSampler sampler = Unscrambled();
  const double expected[4][2] = {{0, -2}, {0.5, 0}, {0.75, -1}, {0.25, 1}};
  for (int k = 0; k < 4; ++k) {
    const InternalParams p =
        sampler.SampleRelative(cache, MakeTrial(k, TrialState::kRunning), space);
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p.at("a"), expected[k][0]) << k;
    EXPECT_EQ(p.at("b"), expected[k][1]) << k;
  }
  QmcSampler halton = Unscrambled(QmcType::kHalton);
  const InternalParams h = halton.SampleRelative(cache, MakeTrial(1, TrialState::kRunning), space);
  EXPECT_EQ(h.at("a"), 0.5);
  EXPECT_NEAR(h.at("b"), -2 + 4.0 / 3, 1e-15);
}

TEST(QmcSamplerTest, FromUnitMapsEachDistribution) {
  const FloatDistribution f{-1, 3};
  EXPECT_EQ(QmcSampler::FromUnit(f, 0.0), -1.0);
  EXPECT_EQ(QmcSampler::FromUnit(f, 0.25), 0.0);
  const FloatDistribution flog{1, 100, true};
  EXPECT_NEAR(QmcSampler::FromUnit(flog, 0.5), 10.0, 1e-12);
  EXPECT_EQ(QmcSampler::FromUnit(flog, 0.0), 1.0);
  // Step 0.25 on [0, 1]: five values, each 1/5 of the unit interval.
  const FloatDistribution fstep{0, 1, false, 0.25};
  EXPECT_EQ(QmcSampler::FromUnit(fstep, 0.0), 0.0);
  EXPECT_EQ(QmcSampler::FromUnit(fstep, 0.19), 0.0);
  EXPECT_EQ(QmcSampler::FromUnit(fstep, 0.21), 0.25);
  EXPECT_EQ(QmcSampler::FromUnit(fstep, 0.5), 0.5);
  EXPECT_EQ(QmcSampler::FromUnit(fstep, 0.81), 1.0);
  // Ints over [low - 0.5, high + 0.5]: [1, 4] gives each value a quarter.
  const IntDistribution i{1, 4};
  EXPECT_EQ(QmcSampler::FromUnit(i, 0.0), 1.0);
  EXPECT_EQ(QmcSampler::FromUnit(i, 0.24), 1.0);
  EXPECT_EQ(QmcSampler::FromUnit(i, 0.26), 2.0);
  EXPECT_EQ(QmcSampler::FromUnit(i, 0.74), 3.0);
  EXPECT_EQ(QmcSampler::FromUnit(i, 0.76), 4.0);
  EXPECT_EQ(QmcSampler::FromUnit(i, 0.999), 4.0);
  // Step 2 on [0, 10]: six values over [-1, 11]; u = 0.45 -> 4.4 -> 4.
  const IntDistribution istep{0, 10, false, 2};
  EXPECT_EQ(QmcSampler::FromUnit(istep, 0.45), 4.0);
  EXPECT_EQ(QmcSampler::FromUnit(istep, 0.99), 10.0);
  // Log ints over [log 0.5, log 1000.5].
  const IntDistribution ilog{1, 1000, true};
  EXPECT_EQ(QmcSampler::FromUnit(ilog, 0.0), 1.0);
  EXPECT_EQ(QmcSampler::FromUnit(ilog, 0.999999), 1000.0);
  EXPECT_EQ(QmcSampler::FromUnit(ilog, 0.5), std::round(std::sqrt(0.5 * 1000.5)));
  const CategoricalDistribution c{{ParamValue("a"), ParamValue("b"), ParamValue("c")}};
  EXPECT_EQ(QmcSampler::FromUnit(c, 0.0), 0.0);
  EXPECT_EQ(QmcSampler::FromUnit(c, 0.32), 0.0);
  EXPECT_EQ(QmcSampler::FromUnit(c, 0.34), 1.0);
  EXPECT_EQ(QmcSampler::FromUnit(c, 0.99), 2.0);
}

TEST(QmcSamplerTest, FromUnitStaysInTheDistribution) {
  const std::vector<Distribution> ds = {
      FloatDistribution{-1, 3},
      FloatDistribution{1e-5, 1e-1, true},
      FloatDistribution{0, 1, false, 0.1},
      IntDistribution{-3, 7},
      IntDistribution{1, 1 << 20, true},
      IntDistribution{0, 12, false, 3},
      CategoricalDistribution{{ParamValue(int64_t{1}), ParamValue("x")}}};
  for (const Distribution& d : ds) {
    for (int k = 0; k <= 1000; ++k) {
      const double u = k == 1000 ? std::nextafter(1.0, 0.0) : k / 1000.0;
      EXPECT_TRUE(Contains(d, QmcSampler::FromUnit(d, u))) << ToString(d) << " u=" << u;
    }
  }
}

// With 2^m trials, Sobol' points give each of 4 int values exactly 2^m / 4
// trials, scrambled or not (the values split [0, 1) at multiples of 1/4).
TEST(QmcSamplerTest, IntValuesAreExactlyBalancedOverPowerOfTwoTrials) {
  TrialCache cache = NewCache();
  const SearchSpace space = {{"i", Dist(IntDistribution{0, 3})},
                             {"j", Dist(IntDistribution{10, 13})}};
  for (std::optional<uint64_t> seed : {std::optional<uint64_t>(), std::optional<uint64_t>(8)}) {
    QmcSampler sampler({.scramble = seed.has_value(), .seed = seed.value_or(0)});
    std::vector<int> counts_i(4, 0), counts_j(4, 0);
    for (int k = 64; k < 128; ++k) {  // a block of 64 starting at a multiple of 64
      const InternalParams p =
          sampler.SampleRelative(cache, MakeTrial(k, TrialState::kRunning), space);
      ++counts_i[static_cast<size_t>(p.at("i"))];
      ++counts_j[static_cast<size_t>(p.at("j") - 10)];
    }
    EXPECT_EQ(counts_i, std::vector<int>(4, 16));
    EXPECT_EQ(counts_j, std::vector<int>(4, 16));
  }
}

TEST(QmcSamplerTest, ScrambledPointsDependOnTheSeed) {
  TrialCache cache = NewCache();
  const SearchSpace space = {{"a", Dist(FloatDistribution{0, 1})},
                             {"b", Dist(FloatDistribution{1e-3, 1, true})}};
  for (QmcType type : {QmcType::kSobol, QmcType::kHalton}) {
    QmcSampler s1({.qmc_type = type, .seed = 10}), s2({.qmc_type = type, .seed = 10}),
        s3({.qmc_type = type, .seed = 11});
    int differ = 0;
    for (int k = 0; k < 32; ++k) {
      const FrozenTrial t = MakeTrial(k, TrialState::kRunning);
      const InternalParams p1 = s1.SampleRelative(cache, t, space);
      EXPECT_EQ(p1, s2.SampleRelative(cache, t, space));
      if (p1 != s3.SampleRelative(cache, t, space)) ++differ;
    }
    EXPECT_EQ(differ, 32);
  }
}

TEST(QmcSamplerTest, ConcurrentCallsGiveTheSequentialPoints) {
  TrialCache cache = NewCache();
  const SearchSpace space = {{"a", Dist(FloatDistribution{0, 1})},
                             {"b", Dist(IntDistribution{0, 100})}};
  QmcSampler sequential({.seed = 4}), parallel({.seed = 4});
  std::vector<InternalParams> expected(200), got(200);
  for (int k = 0; k < 200; ++k) {
    expected[static_cast<size_t>(k)] =
        sequential.SampleRelative(cache, MakeTrial(k, TrialState::kRunning), space);
  }
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int k = w; k < 200; k += 4) {
        got[static_cast<size_t>(k)] =
            parallel.SampleRelative(cache, MakeTrial(k, TrialState::kRunning), space);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(got, expected);
}

TEST(QmcSamplerTest, SpaceBeyondMaxDimLeavesTheLastNamesToTheIndependentSampler) {
  TrialCache cache = NewCache();
  std::vector<std::pair<std::string, std::shared_ptr<const Distribution>>> params;
  const auto d = Dist(FloatDistribution{0, 1});
  for (int k = 0; k < QmcSampler::kMaxDim + 6; ++k) {
    char name[16];
    std::snprintf(name, sizeof name, "p%05d", k);
    params.emplace_back(name, d);
  }
  cache.Apply(MakeTrial(0, TrialState::kComplete, params));
  QmcSampler sampler({.seed = 1});
  const SearchSpace space = sampler.InferRelativeSearchSpace(cache, *cache.trials()[0]);
  ASSERT_EQ(space.size(), static_cast<size_t>(QmcSampler::kMaxDim));
  EXPECT_EQ(space.rbegin()->first, "p01023");
  const InternalParams p = sampler.SampleRelative(cache, MakeTrial(1, TrialState::kRunning), space);
  EXPECT_EQ(p.size(), static_cast<size_t>(QmcSampler::kMaxDim));
}

// BeforeTrial and SampleIndependent reach the independent sampler: a grid
// sampler there assigns grid points.
TEST(QmcSamplerTest, ForwardsToTheIndependentSampler) {
  TrialCache cache = NewCache();
  auto grid =
      GridSampler::Create({.search_space = {{"g", {ParamValue(int64_t{7})}}}, .seed = 1}).value();
  QmcSampler sampler({.seed = 1, .independent_sampler = grid});
  FrozenTrial t = MakeTrial(0, TrialState::kRunning);
  AttrMap attrs;
  EXPECT_TRUE(sampler.BeforeTrial(cache, t, attrs));
  EXPECT_EQ(attrs.at("grid_id"), "0");
  t.system_attrs.insert(attrs.begin(), attrs.end());
  EXPECT_EQ(sampler.SampleIndependent(cache, t, "g", IntDistribution{0, 10}), 7.0);
  AttrMap more;
  EXPECT_FALSE(sampler.BeforeTrial(cache, MakeTrial(1, TrialState::kRunning), more));
}

// ---- End to end, through Study::Optimize.

struct XY {
  double x;
  int64_t y;
  friend bool operator==(const XY&, const XY&) = default;
};

std::vector<XY> RunQmcStudy(uint64_t seed, int n_jobs, int n_trials) {
  auto study =
      CreateStudy({.sampler = std::make_shared<QmcSampler>(QmcSamplerOptions{.seed = seed})})
          .value();
  EXPECT_TRUE(study
                  ->Optimize(
                      [](Trial& t) {
                        const double x = t.SuggestFloat("x", -5, 5);
                        const int64_t y = t.SuggestInt("y", 0, 7);
                        return x * x + static_cast<double>(y);
                      },
                      {.n_trials = n_trials, .n_jobs = n_jobs})
                  .ok());
  std::vector<XY> out;
  for (const FrozenTrial& t : study->Trials().value()) {
    EXPECT_EQ(t.state, TrialState::kComplete);
    out.push_back({std::get<double>(t.param("x")), std::get<int64_t>(t.param("y"))});
  }
  return out;
}

// What trial k gets from a scrambled Sobol' sampler with `seed` on that space.
XY ExpectedPoint(uint64_t seed, int k) {
  qmc::SobolSequence s(2);
  s.Scramble(seed);
  std::vector<double> u(2);
  s.Point(static_cast<uint64_t>(k), u);
  return {QmcSampler::FromUnit(FloatDistribution{-5, 5}, u[0]),
          static_cast<int64_t>(QmcSampler::FromUnit(IntDistribution{0, 7}, u[1]))};
}

TEST(QmcSamplerStudyTest, OneWorkerIsReproducibleAndFollowsTheSequence) {
  const std::vector<XY> a = RunQmcStudy(21, 1, 32);
  ASSERT_EQ(a.size(), 32u);
  EXPECT_EQ(a, RunQmcStudy(21, 1, 32));
  EXPECT_NE(a, RunQmcStudy(22, 1, 32));
  // Trial 0 is the independent sampler's; from trial 1 on, trial k is point k.
  for (int k = 1; k < 32; ++k) EXPECT_EQ(a[static_cast<size_t>(k)], ExpectedPoint(21, k)) << k;
  // Points 1..31 plus the random trial 0: each y value 4 times among 1..31,
  // except the one whose slab holds point 0 (3 times).
  std::vector<int> per_y(8, 0);
  for (int k = 1; k < 32; ++k) ++per_y[static_cast<size_t>(a[static_cast<size_t>(k)].y)];
  EXPECT_EQ(std::count(per_y.begin(), per_y.end(), 4), 7);
  EXPECT_EQ(std::count(per_y.begin(), per_y.end(), 3), 1);
}

// With four workers the first trials (started before any completed) are
// random; every trial from number 4 on was started after one completed, so
// it is the sequence's point for its number.
TEST(QmcSamplerStudyTest, ParallelWorkersTakeThePointOfTheirTrialNumber) {
  const std::vector<XY> a = RunQmcStudy(5, 4, 40);
  ASSERT_EQ(a.size(), 40u);
  for (int k = 4; k < 40; ++k) EXPECT_EQ(a[static_cast<size_t>(k)], ExpectedPoint(5, k)) << k;
}

}  // namespace
}  // namespace hypertune
