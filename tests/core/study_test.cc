#include "hypertune/core/study.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <thread>

#include "hypertune/core/in_memory_storage.h"
#include "hypertune/core/random_sampler.h"

namespace hypertune {
namespace {

using ::testing::HasSubstr;

std::shared_ptr<Study> NewStudy(StudyOptions o = {}) {
  if (!o.sampler) o.sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = 1});
  Result<std::shared_ptr<Study>> s = CreateStudy(std::move(o));
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

double Quadratic(Trial& t) {
  const double x = t.SuggestFloat("x", -10, 10);
  const int64_t y = t.SuggestInt("y", -5, 5);
  return (x - 2) * (x - 2) + static_cast<double>(y * y);
}

TEST(StudyTest, OptimizeRunsTheBudgetAndFindsTheBest) {
  auto study = NewStudy();
  ASSERT_TRUE(study->Optimize(Quadratic, {.n_trials = 50}).ok());
  auto trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 50u);
  double best = INFINITY;
  for (size_t k = 0; k < trials.size(); ++k) {
    EXPECT_EQ(trials[k].number, static_cast<int>(k));
    EXPECT_EQ(trials[k].state, TrialState::kComplete);
    best = std::min(best, trials[k].value());
  }
  EXPECT_EQ(study->BestValue().value(), best);
  auto params = study->BestParams().value();
  const double x = std::get<double>(params.at("x"));
  const auto y = std::get<int64_t>(params.at("y"));
  EXPECT_DOUBLE_EQ((x - 2) * (x - 2) + static_cast<double>(y * y), best);
  // A second call adds to the study.
  ASSERT_TRUE(study->Optimize(Quadratic, {.n_trials = 5}).ok());
  EXPECT_EQ(study->Trials().value().size(), 55u);
}

TEST(StudyTest, MaximizeTakesTheLargest) {
  auto study = NewStudy({.directions = {StudyDirection::kMaximize}});
  ASSERT_TRUE(study->Optimize([](Trial& t) { return t.SuggestFloat("x", 0, 1); },
                              {.n_trials = 20})
                  .ok());
  double best = -INFINITY;
  for (const auto& t : study->Trials().value()) best = std::max(best, t.value());
  EXPECT_EQ(study->BestValue().value(), best);
}

TEST(StudyTest, ThrowingAndNanObjectivesFailTheirTrialAndTheStudyGoesOn) {
  auto study = NewStudy();
  Status s = study->Optimize(
      [](Trial& t) -> double {
        if (t.number() == 1) throw std::runtime_error("disk full");
        if (t.number() == 2) return std::nan("");
        if (t.number() == 3) throw 42;
        return t.SuggestFloat("x", 0, 1);
      },
      {.n_trials = 6});
  ASSERT_TRUE(s.ok()) << s;
  auto trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 6u);
  EXPECT_EQ(trials[1].state, TrialState::kFail);
  EXPECT_THAT(trials[1].FailReason(), HasSubstr("disk full"));
  EXPECT_EQ(trials[2].state, TrialState::kFail);
  EXPECT_THAT(trials[2].FailReason(), HasSubstr("NaN"));
  EXPECT_EQ(trials[3].state, TrialState::kFail);
  EXPECT_THAT(trials[3].FailReason(), HasSubstr("not a std::exception"));
  for (int k : {0, 4, 5}) EXPECT_EQ(trials[static_cast<size_t>(k)].state, TrialState::kComplete);
}

TEST(StudyTest, CatchExceptionCanStopTheStudy) {
  auto study = NewStudy();
  Status s = study->Optimize(
      [](Trial& t) -> double {
        if (t.number() == 2) throw std::logic_error("bug in objective");
        return 1.0;
      },
      {.n_trials = 10, .catch_exception = [](const std::exception& e) {
         return dynamic_cast<const std::logic_error*>(&e) == nullptr;
       }});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("trial 2"));
  EXPECT_THAT(s.message(), HasSubstr("bug in objective"));
  auto trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 3u);
  EXPECT_EQ(trials[2].state, TrialState::kFail);
}

TEST(StudyTest, PrunedTrialKeepsItsLastIntermediateValue) {
  auto study = NewStudy();
  ASSERT_TRUE(study
                  ->Optimize(
                      [](Trial& t) -> double {
                        t.Report(5.0, 0);
                        t.Report(4.0, 1);
                        t.Report(9.0, 1);  // a second report of a step is ignored
                        throw TrialPruned();
                      },
                      {.n_trials = 1})
                  .ok());
  FrozenTrial t = study->Trials().value().at(0);
  EXPECT_EQ(t.state, TrialState::kPruned);
  EXPECT_EQ(t.values, std::vector<double>{4.0});
  EXPECT_EQ(t.intermediate_values, (std::vector<std::pair<int64_t, double>>{{0, 5.0}, {1, 4.0}}));
  EXPECT_EQ(study->BestTrial().status().code(), StatusCode::kFailedPrecondition);
}

struct BadSuggestCase {
  const char* label;
  std::function<void(Trial&)> suggest;
  const char* message;
};

TEST(StudyTest, InvalidSuggestionsFailTheTrialWithAClearMessage) {
  const std::vector<BadSuggestCase> cases = {
      {"low > high", [](Trial& t) { t.SuggestFloat("x", 1, 0); }, "low (1) > high (0)"},
      {"log low <= 0", [](Trial& t) { t.SuggestFloat("x", 0, 1, {.log = true}); }, "low > 0"},
      {"log with step", [](Trial& t) { t.SuggestFloat("x", 1, 2, {.log = true, .step = 0.5}); },
       "cannot be used together"},
      {"step not dividing", [](Trial& t) { t.SuggestFloat("x", 0, 1, {.step = 0.3}); },
       "does not divide"},
      {"int step not dividing", [](Trial& t) { t.SuggestInt("n", 0, 10, {.step = 3}); },
       "does not divide"},
      {"int log low 0", [](Trial& t) { t.SuggestInt("n", 0, 10, {.log = true}); }, "low >= 1"},
      {"empty choices", [](Trial& t) { t.SuggestCategorical("c", std::vector<ParamValue>{}); },
       "must not be empty"},
      {"duplicate choices", [](Trial& t) { t.SuggestCategorical("c", {"a", "a"}); }, "twice"},
      {"same name, two distributions in a trial",
       [](Trial& t) {
         t.SuggestFloat("x", 0, 1);
         t.SuggestInt("x", 0, 1);
       },
       "asked before with FloatDistribution"},
  };
  for (const auto& c : cases) {
    auto study = NewStudy();
    ASSERT_TRUE(study->Optimize([&](Trial& t) { c.suggest(t); return 0.0; }, {.n_trials = 1}).ok());
    FrozenTrial t = study->Trials().value().at(0);
    EXPECT_EQ(t.state, TrialState::kFail) << c.label;
    EXPECT_THAT(t.FailReason(), HasSubstr(c.message)) << c.label;
    EXPECT_THAT(t.FailReason(), HasSubstr("trial 0")) << c.label;
  }
}

TEST(StudyTest, OneDistributionPerParameterAcrossTheStudy) {
  auto study = NewStudy();
  ASSERT_TRUE(study
                  ->Optimize(
                      [](Trial& t) {
                        return t.number() == 0 ? t.SuggestFloat("lr", 0.1, 1.0)
                                               : t.SuggestFloat("lr", 0.1, 2.0);
                      },
                      {.n_trials = 2})
                  .ok());
  auto trials = study->Trials().value();
  EXPECT_EQ(trials[0].state, TrialState::kComplete);
  EXPECT_EQ(trials[1].state, TrialState::kFail);
  EXPECT_THAT(trials[1].FailReason(), HasSubstr("parameter 'lr' was FloatDistribution(low=0.1, high=1)"));
  EXPECT_THAT(trials[1].FailReason(), HasSubstr("now FloatDistribution(low=0.1, high=2)"));
}

TEST(StudyTest, RepeatedSuggestReturnsTheSameValueAndConditionalParamsWork) {
  auto study = NewStudy();
  ASSERT_TRUE(study
                  ->Optimize(
                      [](Trial& t) {
                        const double a = t.SuggestFloat("a", 0, 1);
                        EXPECT_EQ(t.SuggestFloat("a", 0, 1), a);
                        const std::string kind = t.SuggestCategorical("kind", {"svm", "tree"});
                        if (kind == "svm") return t.SuggestFloat("C", 1e-3, 1e3, {.log = true});
                        return static_cast<double>(t.SuggestInt("depth", 1, 8));
                      },
                      {.n_trials = 30})
                  .ok());
  int svm = 0, tree = 0;
  for (const auto& t : study->Trials().value()) {
    ASSERT_EQ(t.state, TrialState::kComplete);
    const bool is_svm = std::get<std::string>(t.param("kind")) == "svm";
    EXPECT_EQ(t.FindParam("C") != nullptr, is_svm);
    EXPECT_EQ(t.FindParam("depth") != nullptr, !is_svm);
    (is_svm ? svm : tree)++;
  }
  EXPECT_GT(svm, 0);
  EXPECT_GT(tree, 0);
}

TEST(StudyTest, SeededStudiesAreReproducible) {
  auto run = [] {
    auto study = NewStudy({.sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = 7})});
    EXPECT_TRUE(study->Optimize(Quadratic, {.n_trials = 20}).ok());
    std::vector<double> xs;
    for (const auto& t : study->Trials().value()) xs.push_back(std::get<double>(t.param("x")));
    return xs;
  };
  EXPECT_EQ(run(), run());
}

TEST(StudyTest, ParallelJobsRunExactlyTheBudgetWithDistinctNumbers) {
  auto study = NewStudy();
  std::atomic<int> running{0}, max_running{0};
  ASSERT_TRUE(study
                  ->Optimize(
                      [&](Trial& t) {
                        const int r = ++running;
                        int m = max_running.load();
                        while (r > m && !max_running.compare_exchange_weak(m, r)) {
                        }
                        std::this_thread::sleep_for(std::chrono::milliseconds(2));
                        --running;
                        return Quadratic(t);
                      },
                      {.n_trials = 40, .n_jobs = 4})
                  .ok());
  auto trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 40u);
  std::set<int> numbers;
  for (const auto& t : trials) {
    numbers.insert(t.number);
    EXPECT_EQ(t.state, TrialState::kComplete);
  }
  EXPECT_EQ(numbers.size(), 40u);
  EXPECT_GT(max_running.load(), 1);
}

TEST(StudyTest, TimeoutStopsStartingTrials) {
  auto study = NewStudy();
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(study
                  ->Optimize(
                      [](Trial&) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(20));
                        return 1.0;
                      },
                      {.timeout = std::chrono::milliseconds(100)})
                  .ok());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const size_t n = study->Trials().value().size();
  EXPECT_GE(n, 2u);
  EXPECT_LE(n, 7u);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(StudyTest, CallbacksSeeFinishedTrialsAndCanStopTheStudy) {
  auto study = NewStudy();
  std::vector<TrialState> seen;
  Callback cb = [&](Study& s, const FrozenTrial& t) {
    seen.push_back(t.state);
    if (t.number == 4) s.Stop();
  };
  ASSERT_TRUE(study->Optimize(Quadratic, {.n_trials = 100, .callbacks = {cb}}).ok());
  EXPECT_EQ(seen, std::vector<TrialState>(5, TrialState::kComplete));
  EXPECT_EQ(study->Trials().value().size(), 5u);
}

TEST(StudyTest, EnqueuedTrialsRunFirstWithTheirFixedParams) {
  auto study = NewStudy();
  ASSERT_TRUE(study->EnqueueTrial({{"x", 2.0}, {"y", int64_t{0}}}).ok());
  ASSERT_TRUE(study->EnqueueTrial({{"x", 2.0}, {"y", int64_t{0}}}, /*skip_if_exists=*/true).ok());
  ASSERT_TRUE(study->EnqueueTrial({{"x", 50.0}}).ok());  // out of range
  ASSERT_TRUE(study->Optimize(Quadratic, {.n_trials = 3}).ok());
  auto trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 3u);
  EXPECT_EQ(trials[0].value(), 0.0);
  EXPECT_EQ(std::get<double>(trials[0].param("x")), 2.0);
  EXPECT_EQ(trials[1].state, TrialState::kFail);
  EXPECT_THAT(trials[1].FailReason(), HasSubstr("'50' is not in FloatDistribution"));
  EXPECT_EQ(trials[2].state, TrialState::kComplete);
  EXPECT_EQ(study->BestValue().value(), 0.0);
}

TEST(StudyTest, AskAndTell) {
  auto study = NewStudy();
  Trial a = study->Ask().value();
  Trial b = study->Ask().value();
  EXPECT_EQ(a.number(), 0);
  EXPECT_EQ(b.number(), 1);
  const double x = a.SuggestFloat("x", 0, 1);
  a.SetUserAttr("note", "first");
  ASSERT_TRUE(study->Tell(a, {x}).ok());
  EXPECT_EQ(study->Tell(a, {x}).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(study->Tell(a, TrialState::kComplete, {x}, /*skip_if_finished=*/true).ok());
  Status nan = study->Tell(b, {std::nan("")});
  EXPECT_EQ(nan.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(nan.message(), HasSubstr("NaN"));
  Trial c = study->Ask().value();
  EXPECT_EQ(study->Tell(c, {1.0, 2.0}).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(study->Tell(study->Ask().value().number(), TrialState::kPruned).ok());
  EXPECT_EQ(study->Tell(99, TrialState::kFail).code(), StatusCode::kNotFound);

  auto trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 4u);
  EXPECT_EQ(trials[0].state, TrialState::kComplete);
  EXPECT_EQ(trials[0].user_attrs.at("note"), "\"first\"");
  EXPECT_EQ(trials[1].state, TrialState::kFail);
  EXPECT_EQ(trials[2].state, TrialState::kFail);
  EXPECT_THAT(trials[2].FailReason(), HasSubstr("returned 2 value(s)"));
  EXPECT_EQ(trials[3].state, TrialState::kPruned);
  EXPECT_EQ(study->BestValue().value(), x);
  EXPECT_EQ(study->Trials({TrialState::kFail}).value().size(), 2u);
}

TEST(StudyTest, MultiObjectiveBestTrialsIsTheParetoFront) {
  auto study = NewStudy({.directions = {StudyDirection::kMinimize, StudyDirection::kMaximize}});
  // (f1 min, f2 max): front = {(1,1), (2,3), (4,5), (2,3) again}; (3,2)
  // is dominated by (2,3); (4,4) by (4,5); (5,5) by (4,5).
  const std::vector<std::vector<double>> values = {{1, 1}, {3, 2}, {2, 3}, {4, 4},
                                                   {4, 5}, {5, 5}, {2, 3}};
  for (const auto& v : values) {
    Trial t = study->Ask().value();
    ASSERT_TRUE(study->Tell(t, v).ok());
  }
  std::vector<int> front;
  for (const auto& t : study->BestTrials().value()) front.push_back(t.number);
  EXPECT_EQ(front, (std::vector<int>{0, 2, 4, 6}));
  EXPECT_EQ(study->BestTrial().status().code(), StatusCode::kFailedPrecondition);
  Trial t = study->Ask().value();
  EXPECT_THROW(t.Report(1.0, 0), HypertuneError);
  EXPECT_THROW(t.ShouldPrune(), HypertuneError);
  ASSERT_TRUE(study->Optimize(MultiObjective([](Trial& tr) {
                                return std::vector<double>{tr.SuggestFloat("x", 0, 1), 1.0};
                              }),
                              {.n_trials = 3})
                  .ok());
}

TEST(StudyTest, LoadStudyResumesWithTheSameNumbering) {
  auto storage = std::make_shared<InMemoryStorage>();
  auto first = NewStudy({.name = "resume", .storage = storage});
  ASSERT_TRUE(first->Optimize(Quadratic, {.n_trials = 4}).ok());
  EXPECT_EQ(CreateStudy({.name = "resume", .storage = storage}).status().code(),
            StatusCode::kAlreadyExists);
  auto again = CreateStudy({.name = "resume", .storage = storage, .load_if_exists = true});
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->Optimize(Quadratic, {.n_trials = 3}).ok());
  auto trials = (*again)->Trials().value();
  ASSERT_EQ(trials.size(), 7u);
  EXPECT_EQ(trials.back().number, 6);
  EXPECT_EQ(LoadStudy({.name = "missing", .storage = storage}).status().code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(DeleteStudy("resume", *storage).ok());
  EXPECT_EQ(LoadStudy({.name = "resume", .storage = storage}).status().code(),
            StatusCode::kNotFound);
}

TEST(StudyTest, AddTrialValidatesAndStores) {
  auto study = NewStudy();
  FrozenTrial t;
  t.state = TrialState::kComplete;
  t.values = {0.5};
  t.params.push_back({"x", std::make_shared<const Distribution>(FloatDistribution{0, 1}), 0.25});
  ASSERT_TRUE(study->AddTrial(t).ok());
  t.params[0].internal = 3.0;
  EXPECT_EQ(study->AddTrial(t).code(), StatusCode::kInvalidArgument);
  t.params[0].internal = 0.5;
  t.values = {std::nan("")};
  EXPECT_EQ(study->AddTrial(t).code(), StatusCode::kInvalidArgument);
  t.state = TrialState::kRunning;
  EXPECT_EQ(study->AddTrial(t).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(study->Trials().value().size(), 1u);
  EXPECT_EQ(std::get<double>(study->BestParams().value().at("x")), 0.25);
}

TEST(StudyTest, OptionsAreValidated) {
  auto study = NewStudy();
  EXPECT_EQ(study->Optimize(Quadratic, {.n_trials = -1}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(study->Optimize(Quadratic, {.n_jobs = 0}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateStudy({.directions = {}}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hypertune
