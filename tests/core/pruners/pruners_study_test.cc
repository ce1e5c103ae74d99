// Pruners driven through the public Study / Trial API: Ask, Report,
// ShouldPrune, Tell, and Optimize with several threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "hypertune/core/hyperband_pruner.h"
#include "hypertune/core/median_pruner.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/study.h"
#include "hypertune/core/successive_halving_pruner.h"

namespace hypertune {
namespace {

std::shared_ptr<Study> NewStudy(std::shared_ptr<Pruner> pruner,
                                StudyDirection direction = StudyDirection::kMinimize) {
  Result<std::shared_ptr<Study>> s = CreateStudy(
      {.directions = {direction},
       .sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = 3}),
       .pruner = std::move(pruner)});
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

// Runs one trial by ask-and-tell: reports `values` at steps 0, 1, ... and
// asks ShouldPrune after each. Returns the decisions; the trial is told
// PRUNED at the first "yes", COMPLETE otherwise.
std::vector<bool> AskAndReport(Study& study, const std::vector<double>& values) {
  Result<Trial> trial = study.Ask();
  EXPECT_TRUE(trial.ok()) << trial.status();
  std::vector<bool> decisions;
  for (size_t step = 0; step < values.size(); ++step) {
    trial->Report(values[step], static_cast<int64_t>(step));
    decisions.push_back(trial->ShouldPrune());
    if (decisions.back()) {
      EXPECT_TRUE(study.Tell(*trial, TrialState::kPruned).ok());
      return decisions;
    }
  }
  EXPECT_TRUE(study.Tell(*trial, {values.back()}).ok());
  return decisions;
}

TEST(PrunersStudyTest, MedianPrunerThroughAskReportShouldPrune) {
  auto study = NewStudy(
      std::make_shared<MedianPruner>(MedianPrunerOptions{.n_startup_trials = 2,
                                                         .n_warmup_steps = 1}));
  using D = std::vector<bool>;
  // Fewer than 2 COMPLETE trials: never pruned.
  EXPECT_EQ(AskAndReport(*study, {4, 3, 2, 1}), D({false, false, false, false}));
  EXPECT_EQ(AskAndReport(*study, {6, 5, 4, 3}), D({false, false, false, false}));
  // Medians of the 2 COMPLETE trials: step 1: 4, step 2: 3, step 3: 2.
  // Step 0 is warm-up. Best 4.5 > 4 at step 1: pruned there.
  EXPECT_EQ(AskAndReport(*study, {5, 4.5, 1, 1}), D({false, true}));
  // Best so far 3.5, 2.5, 2.0: never worse than the median.
  EXPECT_EQ(AskAndReport(*study, {5, 3.5, 2.5, 2.0}), D({false, false, false, false}));
  // Now 3 COMPLETE trials: step 3 values 1, 3, 2 -> median 2. Best 2.25.
  EXPECT_EQ(AskAndReport(*study, {5, 3.5, 2.5, 2.25}), D({false, false, false, true}));
  // A good step-0 value counts as the best: 0.5 is never worse.
  EXPECT_EQ(AskAndReport(*study, {0.5, 9, 9, 9}), D({false, false, false, false}));

  const std::vector<FrozenTrial> trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 6u);
  const std::vector<TrialState> states = {TrialState::kComplete, TrialState::kComplete,
                                          TrialState::kPruned,   TrialState::kComplete,
                                          TrialState::kPruned,   TrialState::kComplete};
  for (size_t k = 0; k < states.size(); ++k) EXPECT_EQ(trials[k].state, states[k]) << k;
}

TEST(PrunersStudyTest, MaximizedStudyWithSuccessiveHalving) {
  // min_resource 1, factor 2: rungs at steps 1, 2. Values at step 1 of the
  // trials before: 5, then 3 (pruned at rung 0, the worse of {5, 3}).
  auto study = NewStudy(std::make_shared<SuccessiveHalvingPruner>(
                            SuccessiveHalvingPrunerOptions{.min_resource = 1,
                                                           .reduction_factor = 2}),
                        StudyDirection::kMaximize);
  using D = std::vector<bool>;
  EXPECT_EQ(AskAndReport(*study, {1, 5, 6}), D({false, false, false}));
  EXPECT_EQ(AskAndReport(*study, {1, 3, 9}), D({false, true}));
  // Rung 0 {5, 3, 4}: 3 / 2 = 1 promoted, 4 is not the best.
  EXPECT_EQ(AskAndReport(*study, {1, 4, 9}), D({false, true}));
  // Rung 0 {5, 3, 4, 4.5}: the best 2, 4.5 in. Rung 1 {6, 7}: 7 is best.
  EXPECT_EQ(AskAndReport(*study, {1, 4.5, 7}), D({false, false, false}));
}

// An objective whose learning curve ends at x^2: reports (x^2) * (1 + 4 /
// (step + 1)) at steps 0..15 and stops when pruned.
double Curve(Trial& trial) {
  const double x = trial.SuggestFloat("x", -1, 1);
  double v = 0;
  for (int64_t step = 0; step < 16; ++step) {
    v = x * x * (1.0 + 4.0 / static_cast<double>(step + 1));
    trial.Report(v, step);
    if (trial.ShouldPrune()) throw TrialPruned();
  }
  return v;
}

// Runs Curve on 4 threads and checks what holds whatever the interleaving:
// some trials were pruned, each at a step where its pruner decides (for
// ASHA, a rung's promotion step).
void CheckParallelPruning(std::shared_ptr<Pruner> pruner, const std::vector<int64_t>& steps) {
  auto study = NewStudy(std::move(pruner));
  ASSERT_TRUE(study->Optimize(Curve, {.n_trials = 80, .n_jobs = 4}).ok());
  int n_pruned = 0;
  for (const FrozenTrial& t : study->Trials().value()) {
    ASSERT_TRUE(t.state == TrialState::kComplete || t.state == TrialState::kPruned)
        << "trial " << t.number;
    if (t.state != TrialState::kPruned) continue;
    ++n_pruned;
    ASSERT_TRUE(t.LastStep().has_value());
    EXPECT_NE(std::find(steps.begin(), steps.end(), *t.LastStep()), steps.end())
        << "trial " << t.number << " pruned at step " << *t.LastStep();
  }
  EXPECT_GT(n_pruned, 10);
}

TEST(PrunersStudyTest, ParallelSuccessiveHalving) {
  CheckParallelPruning(std::make_shared<SuccessiveHalvingPruner>(
                           SuccessiveHalvingPrunerOptions{.min_resource = 1,
                                                          .reduction_factor = 2}),
                       {1, 2, 4, 8});
}

TEST(PrunersStudyTest, ParallelHyperband) {
  // max_resource 16, factor 2: 5 brackets with rungs at 2^k, k >= bracket.
  CheckParallelPruning(
      std::make_shared<HyperbandPruner>(HyperbandPrunerOptions{
          .min_resource = 1, .max_resource = 16, .reduction_factor = 2}),
      {1, 2, 4, 8});
}

TEST(PrunersStudyTest, ParallelMedian) {
  // Warm-up 3, interval 4: pruning steps 3, 7, 11, 15.
  CheckParallelPruning(std::make_shared<MedianPruner>(MedianPrunerOptions{
                           .n_startup_trials = 3, .n_warmup_steps = 3, .interval_steps = 4}),
                       {3, 7, 11, 15});
}

TEST(PrunersStudyTest, MultiObjectiveStudiesRejectShouldPrune) {
  Result<std::shared_ptr<Study>> study = CreateStudy(
      {.directions = {StudyDirection::kMinimize, StudyDirection::kMinimize},
       .pruner = std::make_shared<MedianPruner>()});
  ASSERT_TRUE(study.ok());
  Result<Trial> trial = (*study)->Ask();
  ASSERT_TRUE(trial.ok());
  EXPECT_THROW(trial->ShouldPrune(), HypertuneError);
}

}  // namespace
}  // namespace hypertune
