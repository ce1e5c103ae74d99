// TpeSampler end to end through CreateStudy / Optimize.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hypertune/core/random_sampler.h"
#include "hypertune/core/study.h"
#include "hypertune/core/tpe_sampler.h"
#include "hypertune/core/trial.h"

namespace hypertune {
namespace {

double Mixed(Trial& t) {
  const std::string kind = t.SuggestCategorical("kind", {"a", "b", "c"});
  const double x = t.SuggestFloat("x", -5, 5);
  const double lr = t.SuggestFloat("lr", 1e-5, 1, {.log = true});
  const int64_t n = t.SuggestInt("n", 1, 16);
  const double bias = kind == "b" ? 0.0 : kind == "a" ? 0.6 : 0.3;
  return bias + (x + 2.5) * (x + 2.5) + std::pow(std::log10(lr) + 1, 2) +
         0.05 * (n - 12) * (n - 12);
}

std::shared_ptr<Study> RunStudy(std::shared_ptr<Sampler> sampler, int trials, int jobs = 1,
                                const Objective& objective = Mixed) {
  auto study = CreateStudy({.sampler = std::move(sampler)});
  EXPECT_TRUE(study.ok()) << study.status();
  EXPECT_TRUE((*study)->Optimize(objective, {.n_trials = trials, .n_jobs = jobs}).ok());
  return *study;
}

std::vector<std::map<std::string, ParamValue, std::less<>>> Params(Study& s) {
  std::vector<std::map<std::string, ParamValue, std::less<>>> out;
  for (const FrozenTrial& t : s.Trials().value()) {
    std::map<std::string, ParamValue, std::less<>> p;
    for (const TrialParam& q : t.params) p.emplace(q.name, q.value());
    out.push_back(p);
  }
  return out;
}

TEST(TpeStudyTest, SameSeedSameStudyWithOneJob) {
  for (bool mv : {false, true}) {
    auto make = [mv] {
      return std::make_shared<TpeSampler>(TpeSamplerOptions{.seed = 11, .multivariate = mv});
    };
    auto a = RunStudy(make(), 60);
    auto b = RunStudy(make(), 60);
    EXPECT_EQ(Params(*a), Params(*b)) << "multivariate=" << mv;
    EXPECT_EQ(a->BestValue().value(), b->BestValue().value());
    auto c = RunStudy(
        std::make_shared<TpeSampler>(TpeSamplerOptions{.seed = 12, .multivariate = mv}), 60);
    EXPECT_NE(Params(*a), Params(*c));
  }
}

TEST(TpeStudyTest, BeatsRandomSearchThroughStudy) {
  std::vector<double> tpe, random;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    tpe.push_back(RunStudy(std::make_shared<TpeSampler>(TpeSamplerOptions{.seed = seed}), 80)
                      ->BestValue()
                      .value());
    random.push_back(
        RunStudy(std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = seed}), 80)
            ->BestValue()
            .value());
  }
  std::sort(tpe.begin(), tpe.end());
  std::sort(random.begin(), random.end());
  EXPECT_LT(tpe[2], 0.5 * random[2]);
}

TEST(TpeStudyTest, ParallelJobsWithConstantLiarAndPruning) {
  // Four threads, pruned trials (the default MedianPruner) and the constant
  // liar: every trial finishes, every value is valid, and TPE still finds a
  // good point.
  auto sampler = std::make_shared<TpeSampler>(TpeSamplerOptions{.seed = 3, .constant_liar = true});
  auto objective = [](Trial& t) {
    const double x = t.SuggestFloat("x", -5, 5);
    const double y = t.SuggestFloat("y", -5, 5);
    const double v = (x - 1) * (x - 1) + (y + 2) * (y + 2);
    for (int step = 0; step < 3; ++step) {
      t.Report(v * (3 - step), step);
      if (t.ShouldPrune()) throw TrialPruned();
    }
    return v;
  };
  auto study = RunStudy(sampler, 120, 4, objective);
  const auto trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 120u);
  int pruned = 0;
  for (const FrozenTrial& t : trials) {
    ASSERT_TRUE(t.state == TrialState::kComplete || t.state == TrialState::kPruned) << t.number;
    pruned += t.state == TrialState::kPruned;
    for (const TrialParam& p : t.params) EXPECT_TRUE(Contains(*p.distribution, p.internal));
  }
  EXPECT_GT(pruned, 0);
  EXPECT_LT(study->BestValue().value(), 0.5);
}

TEST(TpeStudyTest, ConditionalSpaceWithGroups) {
  auto objective = [](Trial& t) {
    if (t.SuggestCategorical("model", {"linear", "tree"}) == "linear") {
      const double c = t.SuggestFloat("c", 1e-3, 1e3, {.log = true});
      return std::pow(std::log10(c) - 1, 2);
    }
    return 1.0 + 0.01 * std::pow(static_cast<double>(t.SuggestInt("depth", 1, 12)) - 5, 2);
  };
  auto study = RunStudy(std::make_shared<TpeSampler>(TpeSamplerOptions{.seed = 5, .group = true}),
                        60, 1, objective);
  EXPECT_LT(study->BestValue().value(), 0.01);
  EXPECT_EQ(std::get<std::string>(study->BestParams().value().at("model")), "linear");
}

TEST(TpeStudyTest, MultiObjectiveStudy) {
  auto run = [](uint64_t seed) {
    auto study =
        CreateStudy({.directions = {StudyDirection::kMinimize, StudyDirection::kMaximize},
                     .sampler = std::make_shared<TpeSampler>(TpeSamplerOptions{.seed = seed})})
            .value();
    const MultiObjective objective = [](Trial& t) {
      const double x = t.SuggestFloat("x", -5, 5);
      const int64_t k = t.SuggestInt("k", 0, 10);
      return std::vector<double>{x * x + 0.1 * k, -(x - 2) * (x - 2) + 0.1 * k};
    };
    EXPECT_TRUE(study->Optimize(objective, {.n_trials = 50}).ok());
    return study;
  };
  auto a = run(9);
  auto b = run(9);
  EXPECT_EQ(Params(*a), Params(*b));
  const auto front = a->BestTrials().value();
  ASSERT_FALSE(front.empty());
  int inside = 0;
  for (const FrozenTrial& t : front) {
    const double x = std::get<double>(t.param("x"));
    inside += x >= -0.1 && x <= 2.1;
  }
  EXPECT_GE(inside * 2, static_cast<int>(front.size()));
}

}  // namespace
}  // namespace hypertune
