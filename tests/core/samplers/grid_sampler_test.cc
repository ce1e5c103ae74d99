// Tests of GridSampler against a hand-built study history (TrialCache).
#include "hypertune/core/grid_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "hypertune/core/json_lite.h"
#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"

namespace hypertune {
namespace {

using Params = std::map<std::string, ParamValue, std::less<>>;

ParamValue I(int64_t v) { return ParamValue(v); }
ParamValue D(double v) { return ParamValue(v); }
ParamValue S(const char* v) { return ParamValue(std::string(v)); }

// {"a": [1, 2], "b": ["x", "y", "z"]}: 6 points.
GridSamplerOptions SmallGrid(uint64_t seed = 1) {
  return {.search_space = {{"a", {I(1), I(2)}}, {"b", {S("x"), S("y"), S("z")}}}, .seed = seed};
}

FrozenTrial MakeTrial(int number, TrialState state, AttrMap system_attrs = {}) {
  FrozenTrial t;
  t.trial_id = number;
  t.number = number;
  t.state = state;
  t.system_attrs = std::move(system_attrs);
  return t;
}

AttrMap GridAttrs(const GridSampler& g, int64_t id) {
  return {{"grid_id", JsonAttr(id)}, {"search_space", g.search_space_json()}};
}

int64_t GridId(const AttrMap& attrs) {
  return std::get<int64_t>(json_lite::DecodeScalar(attrs.at("grid_id")).value());
}

// Runs trials the way a study does: start (BeforeTrial), store the attributes,
// complete. Returns the grid ids in order, until BeforeTrial refuses.
std::vector<int64_t> RunAll(GridSampler& g, TrialCache& cache) {
  std::vector<int64_t> ids;
  for (;;) {
    const int number = static_cast<int>(cache.trials().size());
    FrozenTrial t = MakeTrial(number, TrialState::kRunning);
    cache.Apply(t);
    AttrMap attrs;
    if (!g.BeforeTrial(cache, t, attrs)) break;
    ids.push_back(GridId(attrs));
    t.system_attrs = attrs;
    t.state = TrialState::kComplete;
    t.values = {0.0};
    cache.Apply(t);
  }
  return ids;
}

TrialCache NewCache(int64_t study_id = 0) {
  return TrialCache(study_id, "s", {StudyDirection::kMinimize});
}

TEST(GridSamplerTest, OptionsValidate) {
  EXPECT_TRUE(SmallGrid().Validate().ok());
  auto code = [](GridSamplerOptions o) {
    return GridSampler::Create(std::move(o)).status().code();
  };
  EXPECT_EQ(code({}), StatusCode::kInvalidArgument);  // empty grid
  EXPECT_EQ(code({.search_space = {{"a", {}}}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({.search_space = {{"a", {S("x"), S("x")}}}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({.search_space = {{"a", {I(3), D(3.0)}}}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({.search_space = {{"a", {D(std::nan(""))}}}}), StatusCode::kInvalidArgument);
  const Status dup =
      GridSamplerOptions{.search_space = {{"lr", {D(0.1), D(0.2), D(0.1)}}}}.Validate();
  EXPECT_NE(dup.message().find("'lr'"), std::string::npos) << dup;
  EXPECT_NE(dup.message().find("twice"), std::string::npos) << dup;
  // 3 and true, 1 and "1" are different values.
  EXPECT_TRUE((GridSamplerOptions{.search_space = {{"a", {I(1), ParamValue(true), S("1")}}}})
                  .Validate()
                  .ok());
  GridSamplerOptions huge;
  for (int k = 0; k < 54; ++k) huge.search_space["p" + std::to_string(k)] = {I(0), I(1)};
  EXPECT_EQ(huge.Validate().code(), StatusCode::kInvalidArgument);  // 2^54 points
  huge.search_space.erase("p0");
  EXPECT_TRUE(huge.Validate().ok());  // 2^53
}

// Points are numbered like Optuna's itertools.product over sorted names.
TEST(GridSamplerTest, PointsInOptunaOrder) {
  GridSampler g(SmallGrid());
  EXPECT_EQ(g.size(), 6);
  EXPECT_EQ(g.Point(0), (Params{{"a", I(1)}, {"b", S("x")}}));
  EXPECT_EQ(g.Point(1), (Params{{"a", I(1)}, {"b", S("y")}}));
  EXPECT_EQ(g.Point(3), (Params{{"a", I(2)}, {"b", S("x")}}));
  EXPECT_EQ(g.Point(5), (Params{{"a", I(2)}, {"b", S("z")}}));
  EXPECT_EQ(g.search_space_json(), R"({"a": [1, 2], "b": ["x", "y", "z"]})");
}

TEST(GridSamplerTest, VisitsEveryPointOnceThenStops) {
  GridSampler g(SmallGrid(3));
  TrialCache cache = NewCache();
  EXPECT_FALSE(g.Exhausted(cache));
  std::vector<int64_t> ids = RunAll(g, cache);
  EXPECT_TRUE(g.Exhausted(cache));
  ASSERT_EQ(ids.size(), 6u);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  AttrMap attrs;
  EXPECT_FALSE(g.BeforeTrial(cache, MakeTrial(99, TrialState::kRunning), attrs));
  EXPECT_TRUE(attrs.empty());
}

TEST(GridSamplerTest, OrderIsSeededAndRandom) {
  GridSamplerOptions big{.search_space = {{"a", {I(0), I(1), I(2), I(3)}},
                                          {"b", {I(0), I(1), I(2), I(3), I(4), I(5)}}}};
  auto order = [&](uint64_t seed) {
    big.seed = seed;
    GridSampler g(big);
    TrialCache cache = NewCache();
    return RunAll(g, cache);
  };
  EXPECT_EQ(order(5), order(5));
  EXPECT_NE(order(5), order(6));
  // The first point is uniform over the 24: over 2400 seeds each point comes
  // first 100 times on average (sd 9.8); allow 5 sd.
  std::vector<int> first(24, 0);
  for (uint64_t seed = 0; seed < 2400; ++seed) {
    big.seed = seed;
    GridSampler g(big);
    TrialCache cache = NewCache();
    AttrMap attrs;
    ASSERT_TRUE(g.BeforeTrial(cache, MakeTrial(0, TrialState::kRunning), attrs));
    ++first[static_cast<size_t>(GridId(attrs))];
  }
  for (int c : first) {
    EXPECT_GT(c, 50);
    EXPECT_LT(c, 150);
  }
}

// Threads starting trials at once never get the same point.
TEST(GridSamplerTest, ConcurrentTrialsGetDistinctPoints) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    GridSamplerOptions o{.search_space = {{"a", {}}, {"b", {}}}, .seed = seed};
    for (int k = 0; k < 20; ++k) o.search_space["a"].push_back(I(k));
    for (int k = 0; k < 10; ++k) o.search_space["b"].push_back(I(k));
    GridSampler g(o);
    const TrialCache cache = NewCache();
    std::mutex mu;
    std::vector<int64_t> ids;
    int refused = 0;
    std::vector<std::thread> threads;
    for (int w = 0; w < 4; ++w) {
      threads.emplace_back([&, w] {
        for (int k = 0; k < 60; ++k) {
          AttrMap attrs;
          const bool ok = g.BeforeTrial(cache, MakeTrial(w * 60 + k, TrialState::kRunning), attrs);
          std::lock_guard lock(mu);
          if (ok) {
            ids.push_back(GridId(attrs));
          } else {
            ++refused;
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(ids.size(), 200u);
    EXPECT_EQ(refused, 40);
    EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), 200u);
    EXPECT_TRUE(g.Exhausted(cache));
  }
}

// Points held by trials written elsewhere (another process): RUNNING, COMPLETE,
// PRUNED and FAIL hold theirs; WAITING does not; another grid's do not.
TEST(GridSamplerTest, PointsHeldByTrialsInTheStudyAreSkipped) {
  GridSampler g(SmallGrid(4));
  TrialCache cache = NewCache();
  cache.Apply(MakeTrial(0, TrialState::kComplete, GridAttrs(g, 0)));
  cache.Apply(MakeTrial(1, TrialState::kFail, GridAttrs(g, 1)));
  cache.Apply(MakeTrial(2, TrialState::kPruned, GridAttrs(g, 2)));
  cache.Apply(MakeTrial(3, TrialState::kRunning, GridAttrs(g, 3)));
  cache.Apply(MakeTrial(4, TrialState::kWaiting, GridAttrs(g, 4)));
  // Another grid's trial, and Optuna's spelling of ours (1.0 for 1, no spaces).
  cache.Apply(MakeTrial(5, TrialState::kComplete,
                        {{"grid_id", "5"}, {"search_space", R"({"a": [1, 2]})"}}));
  cache.Apply(
      MakeTrial(6, TrialState::kComplete,
                {{"grid_id", "4"}, {"search_space", R"({"b":["x","y","z"],"a":[1.0,2.0]})"}}));
  std::vector<int64_t> ids = RunAll(g, cache);
  EXPECT_EQ(ids, (std::vector<int64_t>{5}));
}

TEST(GridSamplerTest, SeesTrialsAddedLaterAndNewViews) {
  GridSampler g(SmallGrid(2));
  TrialCache cache = NewCache();
  EXPECT_FALSE(g.Exhausted(cache));
  for (int k = 0; k < 6; ++k) cache.Apply(MakeTrial(k, TrialState::kRunning, GridAttrs(g, k)));
  EXPECT_TRUE(g.Exhausted(cache));
  // Another study (id 1) starts with its own grid.
  TrialCache other = NewCache(1);
  EXPECT_FALSE(g.Exhausted(other));
  other.Apply(MakeTrial(0, TrialState::kComplete, GridAttrs(g, 2)));
  AttrMap attrs;
  ASSERT_TRUE(g.BeforeTrial(other, MakeTrial(1, TrialState::kRunning), attrs));
  EXPECT_NE(GridId(attrs), 2);
}

TEST(GridSamplerTest, ValuesConvertToTheRequestedDistribution) {
  GridSampler g({.search_space = {{"f", {I(2)}},
                                  {"i", {D(3.0)}},
                                  {"c", {S("adam")}},
                                  {"n", {ParamValue(std::monostate{})}}},
                 .seed = 1});
  const TrialCache cache = NewCache();
  const FrozenTrial t = MakeTrial(0, TrialState::kRunning, GridAttrs(g, 0));
  EXPECT_EQ(g.SampleIndependent(cache, t, "f", FloatDistribution{0, 5}), 2.0);
  EXPECT_EQ(g.SampleIndependent(cache, t, "i", IntDistribution{0, 5}), 3.0);
  EXPECT_EQ(g.SampleIndependent(cache, t, "c", CategoricalDistribution{{S("sgd"), S("adam")}}),
            1.0);
  EXPECT_EQ(g.SampleIndependent(cache, t, "n",
                                CategoricalDistribution{{S("x"), ParamValue(std::monostate{})}}),
            1.0);
}

// The message a user sees for `suggest` on a grid that does not fit.
std::string ErrorOf(GridSampler& g, const FrozenTrial& t, std::string_view name,
                    const Distribution& d) {
  try {
    g.SampleIndependent(NewCache(), t, name, d);
  } catch (const HypertuneError& e) {
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    return e.status().message();
  }
  ADD_FAILURE() << "no error for " << name;
  return "";
}

TEST(GridSamplerTest, MisfitsAreErrorsNamingTheParameter) {
  GridSampler g({.search_space = {{"x", {D(0.5), D(7.0)}}, {"s", {I(2)}}}, .seed = 1});
  const FrozenTrial t0 = MakeTrial(0, TrialState::kRunning, GridAttrs(g, 1));  // x = 7
  std::string m = ErrorOf(g, t0, "x", FloatDistribution{0, 1});
  EXPECT_NE(m.find("'x'"), std::string::npos) << m;
  EXPECT_NE(m.find("7"), std::string::npos) << m;
  m = ErrorOf(g, t0, "y", FloatDistribution{0, 1});
  EXPECT_NE(m.find("'y' is not in the grid"), std::string::npos) << m;
  ErrorOf(g, t0, "s", FloatDistribution{0, 6, false, 3.0});  // 2 is off the step
  ErrorOf(g, t0, "s", CategoricalDistribution{{S("2")}});    // "2" is not 2
  m = ErrorOf(g, MakeTrial(1, TrialState::kRunning), "x", FloatDistribution{0, 10});
  EXPECT_NE(m.find("no point"), std::string::npos) << m;
}

TEST(GridSamplerTest, EnqueuedTrialsTakeAPointAgreeingWithTheirFixedValues) {
  GridSampler g(SmallGrid(9));
  TrialCache cache = NewCache();
  auto enqueued = [&](int number, const Params& fixed) {
    return MakeTrial(number, TrialState::kRunning,
                     {{std::string(kAttrFixedParams), json_lite::Encode(fixed)}});
  };
  // Fully fixed: that very point (b = "y", a = 2 -> id 4).
  AttrMap attrs;
  ASSERT_TRUE(g.BeforeTrial(cache, enqueued(0, {{"a", I(2)}, {"b", S("y")}}), attrs));
  EXPECT_EQ(GridId(attrs), 4);
  // Partly fixed (a = 2): a free point with a = 2, i.e. 3 or 5, then the other.
  std::set<int64_t> got;
  for (int k = 1; k <= 2; ++k) {
    AttrMap a;
    ASSERT_TRUE(g.BeforeTrial(cache, enqueued(k, {{"a", D(2.0)}}), a));
    got.insert(GridId(a));
  }
  EXPECT_EQ(got, (std::set<int64_t>{3, 5}));
  // All points with a = 2 are held: a held one is run again, as asked.
  AttrMap again;
  ASSERT_TRUE(g.BeforeTrial(cache, enqueued(3, {{"a", I(2)}}), again));
  EXPECT_GE(GridId(again), 3);
  // Off the grid: the trial runs without a point.
  AttrMap none;
  EXPECT_TRUE(g.BeforeTrial(cache, enqueued(4, {{"a", I(5)}}), none));
  EXPECT_TRUE(none.empty());
  // Plain trials get the three points left, then stop.
  std::vector<int64_t> rest = RunAll(g, cache);
  std::sort(rest.begin(), rest.end());
  EXPECT_EQ(rest, (std::vector<int64_t>{0, 1, 2}));
}

TEST(GridSamplerTest, RetriedTrialKeepsItsPoint) {
  GridSampler g(SmallGrid(1));
  TrialCache cache = NewCache();
  AttrMap attrs;
  ASSERT_TRUE(g.BeforeTrial(cache, MakeTrial(0, TrialState::kRunning, GridAttrs(g, 2)), attrs));
  EXPECT_TRUE(attrs.empty());  // nothing new to store
  std::vector<int64_t> rest = RunAll(g, cache);
  std::sort(rest.begin(), rest.end());
  EXPECT_EQ(rest, (std::vector<int64_t>{0, 1, 3, 4, 5}));
}

// A grid of 2^40 points is never materialized: drawing points costs memory for
// the points drawn only.
TEST(GridSamplerTest, HugeGridDrawsDistinctPoints) {
  GridSamplerOptions o{.seed = 1};
  for (int k = 0; k < 40; ++k) o.search_space["p" + std::to_string(k)] = {I(0), I(1)};
  GridSampler g(o);
  EXPECT_EQ(g.size(), int64_t{1} << 40);
  const TrialCache cache = NewCache();
  std::set<int64_t> ids;
  for (int k = 0; k < 20000; ++k) {
    AttrMap attrs;
    ASSERT_TRUE(g.BeforeTrial(cache, MakeTrial(k, TrialState::kRunning), attrs));
    ids.insert(GridId(attrs));
  }
  EXPECT_EQ(ids.size(), 20000u);
  EXPECT_FALSE(g.Exhausted(cache));
}

// ---- End to end, through Study::Optimize.

// {"x": [1, 2, 3], "y": ["a", "b", "c", "d"]}: 12 points; x given as ints,
// asked as a float.
std::shared_ptr<Study> GridStudy(uint64_t seed) {
  auto grid = GridSampler::Create(
      {.search_space = {{"x", {I(1), I(2), I(3)}}, {"y", {S("a"), S("b"), S("c"), S("d")}}},
       .seed = seed});
  EXPECT_TRUE(grid.ok()) << grid.status();
  auto study = CreateStudy({.sampler = *grid});
  EXPECT_TRUE(study.ok()) << study.status();
  return *study;
}

double GridObjective(Trial& t) {
  const double x = t.SuggestFloat("x", 0, 10);
  const std::string y = t.SuggestCategorical("y", {"a", "b", "c", "d"});
  return x + static_cast<double>(y[0] - 'a');
}

// The (x, y) of every COMPLETE trial, as "1/a"...; checks the others are the
// trials refused for lack of points and returns how many there were.
std::multiset<std::string> CompletePoints(Study& study, int* refused) {
  std::multiset<std::string> points;
  *refused = 0;
  for (const FrozenTrial& t : study.Trials().value()) {
    if (t.state == TrialState::kComplete) {
      points.insert(ToString(t.param("x")) + "/" + ToString(t.param("y")));
    } else {
      EXPECT_EQ(t.state, TrialState::kFail);
      EXPECT_NE(t.FailReason().find("nothing left"), std::string::npos) << t.FailReason();
      ++*refused;
    }
  }
  return points;
}

const std::multiset<std::string> kAllPoints = {"1/a", "1/b", "1/c", "1/d", "2/a", "2/b",
                                               "2/c", "2/d", "3/a", "3/b", "3/c", "3/d"};

TEST(GridSamplerStudyTest, RunsEachPointOnceAndStops) {
  auto study = GridStudy(1);
  ASSERT_TRUE(study->Optimize(GridObjective).ok());  // no budget: the grid ends it
  EXPECT_EQ(study->Trials().value().size(), 12u);
  int refused = 0;
  EXPECT_EQ(CompletePoints(*study, &refused), kAllPoints);
  EXPECT_EQ(refused, 0);
  EXPECT_EQ(study->BestValue().value(), 1.0);
  // Optimizing a finished grid runs no objective.
  int calls = 0;
  ASSERT_TRUE(study
                  ->Optimize([&](Trial& t) {
                    ++calls;
                    return GridObjective(t);
                  })
                  .ok());
  EXPECT_EQ(calls, 0);
}

// With four threads every point still runs once. A thread that asks for a
// trial just as another takes the last point gets a trial that fails at once
// ("nothing left to propose"): at most n_jobs - 1 of those.
TEST(GridSamplerStudyTest, ParallelWorkersRunEachPointOnce) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    auto study = GridStudy(seed);
    ASSERT_TRUE(study->Optimize(GridObjective, {.n_jobs = 4}).ok());
    int refused = 0;
    EXPECT_EQ(CompletePoints(*study, &refused), kAllPoints) << seed;
    EXPECT_LE(refused, 3) << seed;
  }
}

// A parameter missing from the grid fails each trial with a clear message;
// the failed points count as run, so the study still ends.
TEST(GridSamplerStudyTest, ParameterOutsideTheGridFailsTrialsAndTheStudyEnds) {
  auto study = GridStudy(2);
  ASSERT_TRUE(
      study->Optimize([](Trial& t) { return GridObjective(t) + t.SuggestFloat("z", 0, 1); }).ok());
  const auto trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 12u);
  for (const FrozenTrial& t : trials) {
    EXPECT_EQ(t.state, TrialState::kFail);
    EXPECT_NE(t.FailReason().find("'z' is not in the grid"), std::string::npos) << t.FailReason();
  }
}

TEST(GridSamplerStudyTest, EnqueuedPointCountsAsRun) {
  auto study = GridStudy(3);
  ASSERT_TRUE(study->EnqueueTrial({{"x", D(2.0)}, {"y", S("c")}}).ok());
  ASSERT_TRUE(study->Optimize(GridObjective).ok());
  const auto trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 12u);
  EXPECT_EQ(ToString(trials[0].param("y")), "c");
  int refused = 0;
  EXPECT_EQ(CompletePoints(*study, &refused), kAllPoints);
}

}  // namespace
}  // namespace hypertune
