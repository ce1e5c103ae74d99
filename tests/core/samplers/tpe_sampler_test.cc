// TpeSampler through a minimal define-by-run driver over a TrialCache.
#include "hypertune/core/tpe_sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "core/samplers/tpe_test_util.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/trial.h"

namespace hypertune {
namespace {

using testing_util::Dist;
using testing_util::Median;
using testing_util::MiniStudy;
using testing_util::MiniTrial;

const auto kX = Dist(FloatDistribution{-5, 5});
const auto kY = Dist(FloatDistribution{-5, 5});
const auto kCat = Dist(CategoricalDistribution{{"a", "b", "c"}});
const auto kN = Dist(IntDistribution{0, 20});
const auto kLr = Dist(FloatDistribution{1e-4, 1, true});

double Quadratic(MiniTrial& t) {
  const double x = t.Suggest("x", kX);
  const double y = t.Suggest("y", kY);
  return (x - 1.5) * (x - 1.5) + (y + 2) * (y + 2);
}

// Categorical + float + int + log float.
double Mixed(MiniTrial& t) {
  static const double kOffset[] = {2.0, 0.0, 5.0};
  const double c = t.Suggest("c", kCat);
  const double x = t.Suggest("x", kX);
  const double n = t.Suggest("n", kN);
  const double lr = std::log10(t.Suggest("lr", kLr));
  return kOffset[static_cast<int>(c)] + (x - 1) * (x - 1) + 0.05 * (n - 13) * (n - 13) +
         0.3 * (lr + 2.5) * (lr + 2.5);
}

std::vector<std::vector<double>> ParamsOf(MiniStudy& s) {
  std::vector<std::vector<double>> out;
  for (const FrozenTrial* t : s.cache().trials()) {
    std::vector<double> row;
    for (const TrialParam& p : t->params) row.push_back(p.internal);
    out.push_back(row);
  }
  return out;
}

TEST(TpeSamplerOptionsTest, ValidateRejectsBadOptions) {
  EXPECT_TRUE(TpeSamplerOptions{}.Validate().ok());
  const std::vector<TpeSamplerOptions> bad = {
      {.n_startup_trials = -1},
      {.n_ei_candidates = 0},
      {.prior_weight = 0.0},
      {.prior_weight = -1.0},
      {.prior_weight = std::nan("")},
      {.multivariate = false, .group = true},
      {.multivariate_bandwidth_factor = 0.0},
      {.multivariate_bandwidth_factor = std::numeric_limits<double>::infinity()},
  };
  for (const TpeSamplerOptions& o : bad) {
    EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(TpeSampler::Create(o).status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(TpeSampler::Create({.group = true}).ok());
}

TEST(TpeSamplerTest, SameSeedSameSequenceOtherSeedOtherSequence) {
  for (bool mv : {false, true}) {
    auto run = [mv](uint64_t seed) {
      TpeSampler sampler({.seed = seed, .multivariate = mv});
      MiniStudy s(sampler);
      for (int k = 0; k < 40; ++k) s.Run(Mixed);
      return ParamsOf(s);
    };
    const auto a = run(3);
    EXPECT_EQ(a, run(3)) << "multivariate=" << mv;
    EXPECT_NE(a, run(4)) << "multivariate=" << mv;
  }
}

TEST(TpeSamplerTest, StartupTrialsAreRandomDraws) {
  for (bool mv : {false, true}) {
    TpeSampler sampler({.seed = 5, .multivariate = mv, .n_startup_trials = 7});
    MiniStudy s(sampler);
    for (int k = 0; k < 8; ++k) s.Run(Mixed);
    // The first 7 trials are exactly the draws of a generator seeded alike.
    Rng rng(5);
    const auto params = ParamsOf(s);
    for (int k = 0; k < 7; ++k) {
      const std::vector<double> want = {
          RandomSampler::Draw(*kCat, rng), RandomSampler::Draw(*kX, rng),
          RandomSampler::Draw(*kN, rng), RandomSampler::Draw(*kLr, rng)};
      EXPECT_EQ(params[static_cast<size_t>(k)], want) << "trial " << k << " multivariate=" << mv;
    }
    // The 8th is TPE's.
    const std::vector<double> next = {RandomSampler::Draw(*kCat, rng),
                                      RandomSampler::Draw(*kX, rng), RandomSampler::Draw(*kN, rng),
                                      RandomSampler::Draw(*kLr, rng)};
    EXPECT_NE(params[7], next);
  }
}

TEST(TpeSamplerTest, BeatsRandomSearch) {
  struct Case {
    const char* name;
    double (*objective)(MiniTrial&);
    int trials;
  };
  for (const Case& c : {Case{"quadratic", Quadratic, 60}, Case{"mixed", Mixed, 80}}) {
    std::vector<double> random_best, uni_best, multi_best;
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      RandomSampler random({.seed = seed});
      TpeSampler uni({.seed = seed, .multivariate = false});
      TpeSampler multi({.seed = seed});
      MiniStudy rs(random), us(uni), ms(multi);
      for (int k = 0; k < c.trials; ++k) {
        rs.Run(c.objective);
        us.Run(c.objective);
        ms.Run(c.objective);
      }
      random_best.push_back(rs.BestValue());
      uni_best.push_back(us.BestValue());
      multi_best.push_back(ms.BestValue());
    }
    const double r = Median(random_best);
    EXPECT_LT(Median(uni_best), 0.5 * r) << c.name << " univariate vs random " << r;
    EXPECT_LT(Median(multi_best), 0.5 * r) << c.name << " multivariate vs random " << r;
  }
}

TEST(TpeSamplerTest, UsesPrunedTrials) {
  // Every trial is pruned after reporting (x - 0.7)^2 at one step: TPE ranks
  // them by that report, exactly as it would rank complete trials by value,
  // so it proposes what it proposes in the study where they completed.
  const auto x_dist = Dist(FloatDistribution{0, 1});
  enum class Mode { kPruned, kComplete, kRandom };
  auto run = [&](uint64_t seed, Mode mode, std::vector<double>* xs) {
    TpeSampler tpe({.seed = seed, .multivariate = false});
    RandomSampler random({.seed = seed});
    MiniStudy s(mode == Mode::kRandom ? static_cast<Sampler&>(random) : tpe);
    double err = 0;
    for (int k = 0; k < 40; ++k) {
      MiniTrial t = s.Start();
      const double x = t.Suggest("x", x_dist);
      xs->push_back(x);
      const double v = (x - 0.7) * (x - 0.7);
      if (mode == Mode::kPruned) {
        t.frozen().intermediate_values = {{3, v}};
        s.Finish(t, TrialState::kPruned);
      } else {
        s.Finish(t, TrialState::kComplete, {v});
      }
      if (k >= 20) err += std::abs(x - 0.7) / 20;
    }
    return err;
  };
  std::vector<double> tpe_err, random_err;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    std::vector<double> pruned_xs, complete_xs, random_xs;
    tpe_err.push_back(run(seed, Mode::kPruned, &pruned_xs));
    run(seed, Mode::kComplete, &complete_xs);
    random_err.push_back(run(seed, Mode::kRandom, &random_xs));
    EXPECT_EQ(pruned_xs, complete_xs);
  }
  EXPECT_LT(Median(tpe_err), 0.15);
  EXPECT_GT(Median(random_err), 0.2);
}

TEST(TpeSamplerTest, ConstantLiarPushesAwayFromRunningTrials) {
  const auto x_dist = Dist(FloatDistribution{0, 1});
  // A history of 30 complete trials, optimum at 0.5; 6 running trials sit at 0.5.
  auto history = [&](TrialCache& cache, bool with_running) {
    for (int k = 0; k < 30; ++k) {
      FrozenTrial t;
      t.number = k;
      t.state = TrialState::kComplete;
      const double x = (k + 0.5) / 30;
      t.params.push_back({"x", x_dist, x});
      t.values = {(x - 0.5) * (x - 0.5)};
      cache.Apply(t);
    }
    for (int k = 30; k < 36 && with_running; ++k) {
      FrozenTrial t;
      t.number = k;
      t.state = TrialState::kRunning;
      t.params.push_back({"x", x_dist, 0.5});
      cache.Apply(t);
    }
  };
  FrozenTrial current;
  current.number = 99;
  double plain_err = 0, liar_err = 0;
  int differ = 0;
  for (uint64_t seed = 1; seed <= 30; ++seed) {
    for (bool mv : {false, true}) {
      TrialCache none(0, "s", {StudyDirection::kMinimize}),
          busy(0, "s", {StudyDirection::kMinimize});
      history(none, false);
      history(busy, true);
      TpeSampler a({.seed = seed, .multivariate = mv}), b({.seed = seed, .multivariate = mv});
      TpeSampler liar({.seed = seed, .multivariate = mv, .constant_liar = true});
      const double xa = a.SampleIndependent(none, current, "x", *x_dist);
      const double xb = b.SampleIndependent(busy, current, "x", *x_dist);
      const double xl = liar.SampleIndependent(busy, current, "x", *x_dist);
      EXPECT_EQ(xa, xb) << "without the liar, running trials change nothing";
      differ += xl != xb;
      plain_err += std::abs(xb - 0.5);
      liar_err += std::abs(xl - 0.5);
    }
  }
  EXPECT_GE(differ, 55);
  EXPECT_GT(liar_err, 1.5 * plain_err);
}

TEST(TpeSamplerTest, GroupSamplesConditionalParametersJointly) {
  const auto c_dist = Dist(FloatDistribution{0, 1});
  const auto depth_dist = Dist(IntDistribution{1, 10});
  const auto clf_dist = Dist(CategoricalDistribution{{"svm", "rf"}});
  auto objective = [&](MiniTrial& t) {
    if (t.Suggest("clf", clf_dist) == 0) {
      const double c = t.Suggest("c", c_dist);
      return (c - 0.3) * (c - 0.3);
    }
    const double d = t.Suggest("depth", depth_dist);
    return 0.5 + 0.01 * (d - 7) * (d - 7);
  };
  std::vector<double> best, svm_share, c_err;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    TpeSampler sampler({.seed = seed, .group = true});
    MiniStudy s(sampler);
    int svm = 0;
    double err = 0;
    for (int k = 0; k < 50; ++k) {
      MiniTrial t = s.Start();
      const double v = objective(t);
      if (k >= 30) {
        const bool is_svm = t.frozen().params[0].internal == 0;
        svm += is_svm;
        if (is_svm) err += std::abs(t.frozen().params[1].internal - 0.3);
      }
      s.Finish(t, TrialState::kComplete, {v});
    }
    // Both branches were seen: the relative space holds all three.
    FrozenTrial probe;
    probe.number = 50;
    const SearchSpace space = sampler.InferRelativeSearchSpace(s.cache(), probe);
    std::set<std::string> names;
    for (const auto& [name, d] : space) names.insert(name);
    EXPECT_EQ(names, (std::set<std::string>{"c", "clf", "depth"}));
    EXPECT_EQ(sampler.SampleRelative(s.cache(), probe, space).size(), 3u);
    best.push_back(s.BestValue());
    svm_share.push_back(svm / 20.0);
    c_err.push_back(svm > 0 ? err / svm : 1.0);
  }
  EXPECT_LT(Median(best), 0.003);
  EXPECT_GT(Median(svm_share), 0.7);
  EXPECT_LT(Median(c_err), 0.15);  // uniform draws: 0.29
}

TEST(TpeSamplerTest, MultiObjectiveProposesOnTheParetoSet) {
  // f1 = x^2, f2 = (x - 2)^2: the Pareto set is [0, 2], a fifth of the range.
  // After the start-up trials, MOTPE proposes there far more often.
  for (bool mv : {false, true}) {
    std::vector<double> inside;
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      TpeSampler sampler({.seed = seed, .multivariate = mv});
      MiniStudy s(sampler, {StudyDirection::kMinimize, StudyDirection::kMinimize});
      int in = 0;
      for (int k = 0; k < 60; ++k) {
        MiniTrial t = s.Start();
        const double x = t.Suggest("x", kX);
        const double y = t.Suggest("y", kY);  // irrelevant
        (void)y;
        if (k >= 20) in += x >= 0 && x <= 2;
        s.Finish(t, TrialState::kComplete, {x * x, (x - 2) * (x - 2)});
      }
      inside.push_back(in / 40.0);
    }
    EXPECT_GT(Median(inside), 0.4) << "multivariate=" << mv;  // uniform draws: 0.2
  }
}

TEST(TpeSamplerTest, ChangedDistributionsReuseCompatibleValues) {
  TpeSampler sampler({.seed = 2});
  MiniStudy s(sampler);
  const auto x1 = Dist(FloatDistribution{0, 1});
  const auto x2 = Dist(FloatDistribution{0, 10});
  const auto c1 = Dist(CategoricalDistribution{{"a", "b", "c"}});
  const auto c2 = Dist(CategoricalDistribution{{"c", "d"}});
  for (int k = 0; k < 40; ++k) {
    const bool late = k >= 20;
    s.Run([&](MiniTrial& t) {
      const double x = t.Suggest("x", late ? x2 : x1);
      const double c = t.Suggest("c", late ? c2 : c1);
      EXPECT_TRUE(Contains(late ? *x2 : *x1, x));
      EXPECT_TRUE(Contains(late ? *c2 : *c1, c));
      return std::abs(x - 0.8) + c;
    });
  }
  EXPECT_LT(s.BestValue(), 0.1);
}

TEST(TpeSamplerTest, DefaultGammaDependsOnTheMode) {
  // 20 finished trials: ceil(0.15 * 20) = 3 below with multivariate,
  // ceil(0.1 * 20) = 2 without (Optuna's).
  for (bool mv : {true, false}) {
    std::vector<int> asked;
    TpeSampler sampler({.seed = 1, .multivariate = mv, .weights = [&asked](int n) {
                          asked.push_back(n);
                          return std::vector<double>(static_cast<size_t>(n), 1.0);
                        }});
    MiniStudy s(sampler);
    for (int k = 0; k < 21; ++k) s.Run(Quadratic);
    ASSERT_GE(asked.size(), 2u);
    EXPECT_EQ(asked[asked.size() - 2], mv ? 3 : 2) << "multivariate=" << mv;
    EXPECT_EQ(asked.back(), mv ? 17 : 18);
  }
}

TEST(TpeSamplerTest, UserGammaAndWeightsAreUsed) {
  std::vector<int> asked;
  TpeSampler sampler({.seed = 1,
                      .multivariate = false,
                      .n_startup_trials = 5,
                      .gamma = [](int) { return 3; },
                      .weights =
                          [&asked](int n) {
                            asked.push_back(n);
                            return std::vector<double>(static_cast<size_t>(n), 1.0);
                          }});
  MiniStudy s(sampler);
  for (int k = 0; k < 6; ++k) {
    s.Run([](MiniTrial& t) { return t.Suggest("x", kX); });
  }
  // Trial 5 saw 5 finished trials: 3 below, 2 above.
  EXPECT_EQ(asked, (std::vector<int>{3, 2}));
  TpeSampler bad({.n_startup_trials = 0, .weights = [](int n) {
                    return std::vector<double>(static_cast<size_t>(n), -1.0);
                  }});
  MiniStudy b(bad);
  b.Run([](MiniTrial& t) { return t.Suggest("x", kX); });
  EXPECT_THROW(b.Run([](MiniTrial& t) { return t.Suggest("x", kX); }), HypertuneError);
}

}  // namespace
}  // namespace hypertune
