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
#include "tests/core/storages/sqlite_test_util.h"

namespace hypertune::testing {
namespace {

using Json = nlohmann::json;

const std::string kPython = "/usr/bin/python3";

std::string Script() {
  return (std::filesystem::path(__FILE__).parent_path() / "optuna_interop.py").string();
}

bool HaveOptuna() {
  return std::system((kPython + " -c 'import optuna' >/dev/null 2>&1").c_str()) == 0;
}

// Runs the helper script; returns its exit status.
int RunScript(const std::string& args) {
  return std::system((kPython + " '" + Script() + "' " + args).c_str());
}

Json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return Json::parse(in);
}

// The script's encoding of a double (non-finite values as strings).
double Num(const Json& j) {
  if (j.is_string()) {
    const std::string s = j.get<std::string>();
    if (s == "nan") return std::nan("");
    return s == "inf" ? INFINITY : -INFINITY;
  }
  return j.get<double>();
}

void ExpectSameDouble(double a, double b, const std::string& what) {
  if (std::isnan(a) || std::isnan(b)) {
    EXPECT_TRUE(std::isnan(a) && std::isnan(b)) << what << ": " << a << " vs " << b;
  } else {
    EXPECT_EQ(a, b) << what;
  }
}

// Compares one trial as Optuna sees it (JSON from the script) with ours.
void ExpectSameTrial(const Json& o, const FrozenTrial& t) {
  const std::string where = "trial " + std::to_string(t.number);
  EXPECT_EQ(o["number"].get<int>(), t.number) << where;
  EXPECT_EQ(o["state"].get<std::string>(), ToString(t.state)) << where;
  EXPECT_EQ(o["has_start"].get<bool>(), t.datetime_start.has_value()) << where;
  EXPECT_EQ(o["has_complete"].get<bool>(), t.datetime_complete.has_value()) << where;
  ASSERT_EQ(o["values"].size(), t.values.size()) << where;
  for (size_t k = 0; k < t.values.size(); ++k)
    ExpectSameDouble(Num(o["values"][k]), t.values[k], where + " value");
  ASSERT_EQ(o["params"].size(), t.params.size()) << where;
  for (const TrialParam& p : t.params) {
    ASSERT_TRUE(o["params"].contains(p.name)) << where << " " << p.name;
    const Json& v = o["params"][p.name];
    const ParamValue ours = p.value();
    if (v.is_null()) {
      EXPECT_TRUE(std::holds_alternative<std::monostate>(ours)) << where << " " << p.name;
    } else if (v.is_string()) {
      EXPECT_EQ(v.get<std::string>(), std::get<std::string>(ours)) << where << " " << p.name;
    } else if (v.is_number_integer()) {
      EXPECT_EQ(v.get<int64_t>(), std::get<int64_t>(ours)) << where << " " << p.name;
    } else {
      EXPECT_EQ(v.get<double>(), std::get<double>(ours)) << where << " " << p.name;
    }
  }
  ASSERT_EQ(o["intermediate_values"].size(), t.intermediate_values.size()) << where;
  for (const auto& [step, value] : t.intermediate_values) {
    const std::string key = std::to_string(step);
    ASSERT_TRUE(o["intermediate_values"].contains(key)) << where << " step " << key;
    ExpectSameDouble(Num(o["intermediate_values"][key]), value, where + " step " + key);
  }
}

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
