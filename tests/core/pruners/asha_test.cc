// The rung reconstruction that stands in for Optuna's "completed_rung_<r>"
// trial attributes.
#include "src/core/pruners/asha.h"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <vector>

#include "core/pruners/pruner_test_util.h"

namespace hypertune::pruners_internal {
namespace {

using testing::MakeTrial;
using testing::Reports;
using testing::Steps;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(AshaParamsTest, PromotionSteps) {
  const AshaParams p{.min_resource = 3, .reduction_factor = 2, .min_early_stopping_rate = 1};
  EXPECT_EQ(p.PromotionStep(0), 6);
  EXPECT_EQ(p.PromotionStep(1), 12);
  EXPECT_EQ(p.PromotionStep(3), 48);
  const AshaParams huge{.min_resource = int64_t{1} << 61, .reduction_factor = 4};
  EXPECT_EQ(huge.PromotionStep(0), int64_t{1} << 61);
  EXPECT_EQ(huge.PromotionStep(1), std::nullopt);  // 2^63 does not fit
}

TEST(RungValueTest, Reconstruction) {
  // min_resource 1, factor 2: rungs complete at steps 1, 2, 4, 8.
  const AshaParams p{.min_resource = 1, .reduction_factor = 2};
  struct Case {
    TrialState state;
    Reports reports;
    int64_t unevaluated_through;
    std::vector<std::optional<double>> rungs;  // expected values of rungs 0..
  };
  const auto kNone = std::nullopt;
  const std::vector<Case> cases = {
      // Each rung's value is the report at its promotion step.
      {TrialState::kComplete, Steps({10, 8, 6, 4, 2}), -1, {8, 6, 2, kNone}},
      // A report that skips promotion steps completes several rungs at once.
      {TrialState::kRunning, {{0, 10}, {4, 3}}, -1, {3, 3, 3, kNone}},
      {TrialState::kComplete, {{0, 10}, {4, 3}}, -1, {3, 3, 3, kNone}},
      // PRUNED there: it failed the first of them; the others never ran.
      {TrialState::kPruned, {{0, 10}, {4, 3}}, -1, {3, kNone, kNone}},
      // PRUNED after passing earlier rungs at earlier reports.
      {TrialState::kPruned, Steps({10, 8, 6}), -1, {8, 6, kNone}},
      // NaN: Optuna records nothing and prunes; a later report is used if the
      // trial went on anyway.
      {TrialState::kRunning, Steps({10, kNaN, 6}), -1, {6, 6, kNone}},
      {TrialState::kPruned, Steps({10, kNaN}), -1, {kNone, kNone}},
      // Steps seen before the pruner could decide are not evaluated.
      {TrialState::kComplete, Steps({10, 8, 6, 4, 2}), 2, {4, 4, 2, kNone}},
      {TrialState::kComplete, Steps({10, 8, 6, 4, 2}), 4, {kNone, kNone, kNone}},
      {TrialState::kPruned, Steps({10, 8, 6, 4}), 2, {4, kNone, kNone}},
      // No reports.
      {TrialState::kWaiting, {}, -1, {kNone}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const FrozenTrial t = MakeTrial(0, cases[i].state, cases[i].reports);
    for (size_t r = 0; r < cases[i].rungs.size(); ++r) {
      EXPECT_EQ(RungValue(t, p, static_cast<int>(r), cases[i].unevaluated_through),
                cases[i].rungs[r])
          << "row " << i << ", rung " << r;
    }
  }
}

TEST(RungValueTest, PruneLogTellsWhichRungAMultiRungReportFailed) {
  // Rungs at steps 1, 2, 4: the report at step 4 completes all three.
  const AshaParams p{.min_resource = 1, .reduction_factor = 2};
  const FrozenTrial t = MakeTrial(7, TrialState::kPruned, {{0, 10}, {4, 3}});
  PruneLog log;
  EXPECT_EQ(log.FailedRung(7, 4), std::nullopt);
  log.Record(7, 4, 1);  // passed rung 0, failed rung 1
  EXPECT_EQ(log.FailedRung(7, 4), 1);
  EXPECT_EQ(RungValue(t, p, 0, -1, &log), 3.0);
  EXPECT_EQ(RungValue(t, p, 1, -1, &log), 3.0);
  EXPECT_EQ(RungValue(t, p, 2, -1, &log), std::nullopt);
  // A log entry for another step is not about this report.
  PruneLog other;
  other.Record(7, 3, 2);
  EXPECT_EQ(other.FailedRung(7, 4), std::nullopt);
  EXPECT_EQ(RungValue(t, p, 1, -1, &other), std::nullopt);
}

}  // namespace
}  // namespace hypertune::pruners_internal
