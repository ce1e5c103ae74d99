// Optuna 3.1 reads studies written by SqliteStorage, and SqliteStorage reads
// and continues studies written by Optuna. Optuna's side is
// optuna_interop.py, run with /usr/bin/python3.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "hypertune/core/pruner.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/sqlite_storage.h"
#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"
#include "tests/core/storages/optuna_interop_util.h"
#include "tests/core/storages/sqlite_test_util.h"

namespace hypertune::testing {
namespace {

TEST(SqliteOptunaInteropTest, OptunaReadsAStudyWrittenByHypertune) {
  if (!HaveOptuna()) GTEST_SKIP() << "python3-optuna is not installed";
  TempDir dir;
  const std::string db = dir.File("ht.db");
  SqliteStorageOptions opts;
  opts.schema_revision = std::string(kOptunaSchemaV300d);
  auto storage = SqliteStorage::Open("sqlite:///" + db, opts).value();
  auto study = CreateStudy({.name = "from-hypertune",
                            .storage = storage,
                            .sampler = std::make_shared<RandomSampler>(
                                RandomSamplerOptions{.seed = 11}),
                            .pruner = std::make_shared<NopPruner>()})
                   .value();
  auto objective = [](Trial& trial) -> double {
    const double x = trial.SuggestFloat("x", -2.0, 2.0);
    const double lr = trial.SuggestFloat("lr", 1e-5, 1e-1, {.log = true});
    const int64_t n = trial.SuggestInt("n", 1, 8);
    const ParamValue c =
        trial.SuggestCategorical("c", {ParamValue("adam"), ParamValue(int64_t{3}),
                                       ParamValue(std::monostate{})});
    trial.Report(x * x, 0);
    trial.Report(trial.number() % 2 == 0 ? INFINITY : -1.5, 1);
    trial.SetUserAttr("tag", "hypertune");
    if (trial.number() % 5 == 4) throw TrialPruned();
    if (trial.number() % 7 == 6) throw std::runtime_error("boom");
    return x * x + std::log10(lr) + static_cast<double>(n) +
           (std::holds_alternative<std::string>(c) ? 1.0 : 0.0);
  };
  ASSERT_TRUE(study->Optimize(objective, {.n_trials = 12}).ok());
  ASSERT_TRUE(study->EnqueueTrial({{"x", 0.5}}).ok());
  const std::vector<FrozenTrial> ours = study->Trials().value();
  ASSERT_EQ(ours.size(), 13u);

  const std::string out = dir.File("dump.json");
  ASSERT_EQ(RunScript("dump '" + db + "' from-hypertune '" + out + "'"), 0);
  const Json seen = ReadJson(out);
  EXPECT_EQ(seen["directions"], Json::array({"MINIMIZE"}));
  ASSERT_EQ(seen["trials"].size(), ours.size());
  int pruned = 0, failed = 0, waiting = 0;
  for (size_t k = 0; k < ours.size(); ++k) {
    ExpectSameTrial(seen["trials"][k], ours[k]);
    pruned += ours[k].state == TrialState::kPruned;
    failed += ours[k].state == TrialState::kFail;
    waiting += ours[k].state == TrialState::kWaiting;
  }
  EXPECT_EQ(pruned, 2);
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(waiting, 1);
  // Distributions as Optuna decodes them.
  const Json& d = seen["trials"][0]["distributions"];
  EXPECT_EQ(d["lr"]["name"], "FloatDistribution");
  EXPECT_EQ(d["lr"]["attributes"]["log"], true);
  EXPECT_EQ(d["n"]["name"], "IntDistribution");
  EXPECT_EQ(d["c"]["attributes"]["choices"], Json::parse(R"(["adam", 3, null])"));

  // Optuna continues the study: it runs our enqueued trial with its fixed x,
  // then numbers new trials after ours; we read them back.
  ASSERT_EQ(RunScript("extend '" + db + "' from-hypertune 2"), 0);
  const std::vector<FrozenTrial> all = study->Trials().value();
  ASSERT_EQ(all.size(), 14u);
  for (size_t k = 0; k < all.size(); ++k) EXPECT_EQ(all[k].number, static_cast<int>(k));
  EXPECT_EQ(all[12].state, TrialState::kComplete);
  EXPECT_EQ(std::get<double>(all[12].param("x")), 0.5);
  EXPECT_EQ(all[13].state, TrialState::kComplete);
  EXPECT_EQ(all[13].params.size(), 2u);
}

TEST(SqliteOptunaInteropTest, HypertuneReadsAndContinuesAStudyWrittenByOptuna) {
  if (!HaveOptuna()) GTEST_SKIP() << "python3-optuna is not installed";
  TempDir dir;
  const std::string db = dir.File("optuna.db");
  ASSERT_EQ(RunScript("write '" + db + "' from-optuna"), 0);
  const std::string before = dir.File("before.json");
  ASSERT_EQ(RunScript("dump '" + db + "' from-optuna '" + before + "'"), 0);
  const Json seen = ReadJson(before);

  auto storage = SqliteStorage::Open("sqlite:///" + db).value();
  EXPECT_EQ(storage->schema_revision(), "v3.0.0.d");
  auto study = LoadStudy({.name = "from-optuna",
                          .storage = storage,
                          .sampler = std::make_shared<RandomSampler>(
                              RandomSamplerOptions{.seed = 5}),
                          .pruner = std::make_shared<NopPruner>()})
                   .value();
  EXPECT_EQ(study->directions(), std::vector<StudyDirection>{StudyDirection::kMaximize});
  const std::vector<FrozenTrial> theirs = study->Trials().value();
  ASSERT_EQ(theirs.size(), 6u);
  ASSERT_EQ(seen["trials"].size(), 6u);
  for (size_t k = 0; k < theirs.size(); ++k) ExpectSameTrial(seen["trials"][k], theirs[k]);
  EXPECT_EQ(theirs[2].state, TrialState::kFail);
  EXPECT_EQ(theirs[5].state, TrialState::kWaiting);
  EXPECT_EQ(*theirs[0].FindParam("n")->distribution,
            (Distribution{IntDistribution{1, 9, false, 2}}));
  EXPECT_EQ(theirs[0].user_attrs.at("tag"), "\"optuna\"");

  // Continue: the enqueued trial runs first with its fixed x, then new ones.
  auto objective = [](Trial& trial) -> double {
    const double x = trial.SuggestFloat("x", -1.0, 1.0);
    const int64_t n = trial.SuggestInt("n", 1, 9, {.step = 2});
    const ParamValue opt = trial.SuggestCategorical(
        "opt", {ParamValue("adam"), ParamValue("sgd"), ParamValue(std::monostate{})});
    (void)opt;
    return x + static_cast<double>(n);
  };
  ASSERT_TRUE(study->Optimize(objective, {.n_trials = 3}).ok());
  const std::vector<FrozenTrial> all = study->Trials().value();
  ASSERT_EQ(all.size(), 8u);
  EXPECT_EQ(all[5].state, TrialState::kComplete);
  EXPECT_EQ(std::get<double>(all[5].param("x")), 0.5);
  EXPECT_EQ(std::get<int64_t>(all[5].param("n")), 3);
  for (int k = 0; k < 8; ++k) EXPECT_EQ(all[static_cast<size_t>(k)].number, k);

  // And Optuna still reads it all.
  const std::string after = dir.File("after.json");
  ASSERT_EQ(RunScript("dump '" + db + "' from-optuna '" + after + "'"), 0);
  const Json again = ReadJson(after);
  ASSERT_EQ(again["trials"].size(), 8u);
  for (size_t k = 0; k < all.size(); ++k) ExpectSameTrial(again["trials"][k], all[k]);
}

}  // namespace
}  // namespace hypertune::testing
