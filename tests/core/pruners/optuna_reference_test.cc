// Replays sequential studies run with Optuna 3.1.0 (see
// gen_optuna_reference.py) and checks that every pruner makes the same
// decision at every report: each trial must be pruned at the same report as
// in Optuna, or complete as it did.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/pruners/pruner_test_util.h"
#include "hypertune/core/hyperband_pruner.h"
#include "hypertune/core/median_pruner.h"
#include "hypertune/core/patient_pruner.h"
#include "hypertune/core/percentile_pruner.h"
#include "hypertune/core/successive_halving_pruner.h"
#include "hypertune/core/threshold_pruner.h"

namespace hypertune {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct ReferenceTrial {
  testing::Reports reports;
  int pruned_at;  // index of the report at which Optuna pruned; -1: completed
};

struct ReferenceScenario {
  const char* spec;  // "<pruner> key=value ...", as in the generator
  StudyDirection direction;
  const char* study_name;
  std::vector<ReferenceTrial> trials;
};

const std::vector<ReferenceScenario>& Scenarios() {
  static const auto* scenarios = new std::vector<ReferenceScenario>{
#include "core/pruners/optuna_reference_data.inc"
  };
  return *scenarios;
}

// Builds the pruner a spec names, with the options it lists.
std::unique_ptr<Pruner> MakePruner(const std::string& spec) {
  std::istringstream in(spec);
  std::string kind, field;
  in >> kind;
  std::map<std::string, double> kw;
  while (in >> field) {
    const size_t eq = field.find('=');
    kw[field.substr(0, eq)] = std::stod(field.substr(eq + 1));
  }
  auto i = [&kw](const char* k) { return static_cast<int>(kw.at(k)); };
  if (kind == "median") {
    return std::make_unique<MedianPruner>(MedianPrunerOptions{
        .n_startup_trials = i("n_startup_trials"),
        .n_warmup_steps = i("n_warmup_steps"),
        .interval_steps = i("interval_steps"),
        .n_min_trials = i("n_min_trials")});
  }
  if (kind == "percentile") {
    return std::make_unique<PercentilePruner>(PercentilePrunerOptions{
        .percentile = kw.at("percentile"),
        .n_startup_trials = i("n_startup_trials"),
        .n_warmup_steps = i("n_warmup_steps"),
        .interval_steps = i("interval_steps"),
        .n_min_trials = i("n_min_trials")});
  }
  if (kind == "sha") {
    return std::make_unique<SuccessiveHalvingPruner>(SuccessiveHalvingPrunerOptions{
        .min_resource = i("min_resource"),
        .reduction_factor = i("reduction_factor"),
        .min_early_stopping_rate = i("min_early_stopping_rate"),
        .bootstrap_count = i("bootstrap_count")});
  }
  if (kind == "hyperband") {
    return std::make_unique<HyperbandPruner>(
        HyperbandPrunerOptions{.min_resource = i("min_resource"),
                               .max_resource = i("max_resource"),
                               .reduction_factor = i("reduction_factor"),
                               .bootstrap_count = i("bootstrap_count")});
  }
  if (kind == "threshold") {
    return std::make_unique<ThresholdPruner>(
        ThresholdPrunerOptions{.lower = kw.at("lower"),
                               .upper = kw.at("upper"),
                               .n_warmup_steps = i("n_warmup_steps"),
                               .interval_steps = i("interval_steps")});
  }
  if (kind == "patient_median" || kind == "patient") {
    std::shared_ptr<Pruner> wrapped;
    if (kind == "patient_median") {
      wrapped = std::make_shared<MedianPruner>(
          MedianPrunerOptions{.n_startup_trials = i("n_startup_trials")});
    }
    return std::make_unique<PatientPruner>(PatientPrunerOptions{
        .wrapped_pruner = wrapped, .patience = i("patience"), .min_delta = kw.at("min_delta")});
  }
  ADD_FAILURE() << "unknown pruner in spec '" << spec << "'";
  return nullptr;
}

TEST(OptunaReferenceTest, SameDecisionsAsOptuna) {
  ASSERT_GE(Scenarios().size(), 10u);
  for (const ReferenceScenario& sc : Scenarios()) {
    std::unique_ptr<Pruner> pruner = MakePruner(sc.spec);
    ASSERT_NE(pruner, nullptr);
    testing::History h(sc.direction, sc.study_name);
    int n_pruned = 0;
    for (size_t k = 0; k < sc.trials.size(); ++k) {
      const ReferenceTrial& t = sc.trials[k];
      const int got = h.Run(*pruner, t.reports);
      EXPECT_EQ(got, t.pruned_at) << sc.spec << " (study '" << sc.study_name << "'), trial "
                                  << k;
      n_pruned += got >= 0;
    }
    // Every scenario is expected to exercise pruning.
    EXPECT_GT(n_pruned, 0) << sc.spec;
  }
}

}  // namespace
}  // namespace hypertune
