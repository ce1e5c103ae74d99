// Optuna 3.1 (/usr/bin/python3) and JournalStorage on one journal file: each
// reads and continues what the other wrote, and both append at the same time.
// Optuna's side is journal_interop.py.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>

#include "hypertune/core/journal_storage.h"
#include "hypertune/core/pruner.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"
#include "src/core/storages/journal/codec.h"
#include "tests/core/storages/journal_test_util.h"

namespace hypertune::testing {
namespace {

using Json = nlohmann::json;

const std::string kPython = "/usr/bin/python3";

std::string Script() {
  return (std::filesystem::path(__FILE__).parent_path() / "journal_interop.py").string();
}

bool HaveOptuna() {
  return std::system((kPython + " -c 'import optuna' >/dev/null 2>&1").c_str()) == 0;
}

int RunScript(const std::string& args) {
  return std::system((kPython + " '" + Script() + "' " + args).c_str());
}

Json ReadJson(const std::string& path) { return Json::parse(ReadFile(path)); }

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

void ExpectSameAttrs(const Json& theirs,
                     const std::map<std::string, std::string, std::less<>>& ours,
                     const std::string& where) {
  ASSERT_EQ(theirs.size(), ours.size()) << where << ": " << theirs.dump();
  for (const auto& [key, text] : ours) {
    ASSERT_TRUE(theirs.contains(key)) << where << " " << key;
    EXPECT_EQ(theirs[key], Json::parse(text)) << where << " " << key;
  }
}

std::string When(const std::optional<FrozenTrial::Clock::time_point>& t) {
  return t ? journal_internal::FormatIsoDatetime(*t) : "";
}

// One trial as Optuna sees it (JSON from the script) against ours.
void ExpectSameTrial(const Json& o, const FrozenTrial& t) {
  const std::string where = "trial " + std::to_string(t.number);
  EXPECT_EQ(o["number"].get<int>(), t.number) << where;
  EXPECT_EQ(o["trial_id"].get<int64_t>(), t.trial_id) << where;
  EXPECT_EQ(o["state"].get<std::string>(), ToString(t.state)) << where;
  EXPECT_EQ(o["datetime_start"].is_null() ? "" : o["datetime_start"].get<std::string>(),
            When(t.datetime_start))
      << where;
  EXPECT_EQ(o["datetime_complete"].is_null() ? "" : o["datetime_complete"].get<std::string>(),
            When(t.datetime_complete))
      << where;
  ASSERT_EQ(o["values"].size(), t.values.size()) << where;
  for (size_t k = 0; k < t.values.size(); ++k)
    ExpectSameDouble(Num(o["values"][k]), t.values[k], where + " value");
  ASSERT_EQ(o["params"].size(), t.params.size()) << where;
  for (size_t k = 0; k < t.params.size(); ++k) {
    const TrialParam& p = t.params[k];
    EXPECT_EQ(o["param_order"][k], p.name) << where;
    ASSERT_TRUE(o["params"].contains(p.name)) << where << " " << p.name;
    const Json& v = o["params"][p.name];
    const ParamValue ours = p.value();
    if (v.is_null()) {
      EXPECT_TRUE(std::holds_alternative<std::monostate>(ours)) << where << " " << p.name;
    } else if (v.is_boolean()) {
      ASSERT_TRUE(std::holds_alternative<bool>(ours)) << where << " " << p.name;
      EXPECT_EQ(v.get<bool>(), std::get<bool>(ours)) << where << " " << p.name;
    } else if (v.is_string()) {
      ASSERT_TRUE(std::holds_alternative<std::string>(ours)) << where << " " << p.name;
      EXPECT_EQ(v.get<std::string>(), std::get<std::string>(ours)) << where << " " << p.name;
    } else if (v.is_number_integer()) {
      ASSERT_TRUE(std::holds_alternative<int64_t>(ours)) << where << " " << p.name;
      EXPECT_EQ(v.get<int64_t>(), std::get<int64_t>(ours)) << where << " " << p.name;
    } else {
      ASSERT_TRUE(std::holds_alternative<double>(ours)) << where << " " << p.name;
      EXPECT_EQ(v.get<double>(), std::get<double>(ours)) << where << " " << p.name;
    }
    EXPECT_EQ(o["distributions"][p.name],
              Json::parse(journal_internal::DistributionToJson(*p.distribution)))
        << where << " " << p.name;
  }
  ASSERT_EQ(o["intermediate_values"].size(), t.intermediate_values.size()) << where;
  for (const auto& [step, value] : t.intermediate_values) {
    const std::string key = std::to_string(step);
    ASSERT_TRUE(o["intermediate_values"].contains(key)) << where << " step " << key;
    ExpectSameDouble(Num(o["intermediate_values"][key]), value, where + " step " + key);
  }
  ExpectSameAttrs(o["user_attrs"], t.user_attrs, where + " user_attrs");
  ExpectSameAttrs(o["system_attrs"], t.system_attrs, where + " system_attrs");
}

std::shared_ptr<Study> Load(std::shared_ptr<JournalStorage> storage, const std::string& name,
                            uint64_t seed) {
  return LoadStudy({.name = name,
                    .storage = std::move(storage),
                    .sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = seed}),
                    .pruner = std::make_shared<NopPruner>()})
      .value();
}

TEST(JournalOptunaInteropTest, OptunaReadsAStudyWrittenByHypertune) {
  if (!HaveOptuna()) GTEST_SKIP() << "python3-optuna is not installed";
  TempDir dir;
  const std::string log = dir.File("ht.log");
  auto storage = JournalStorage::Open(JournalUrl(log)).value();
  auto study =
      CreateStudy({.name = "from-hypertune",
                   .storage = storage,
                   .sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = 11}),
                   .pruner = std::make_shared<NopPruner>()})
          .value();
  ASSERT_TRUE(study->SetUserAttr("owner", "{\"name\": \"ana\", \"ids\": [1, 2]}").ok());
  auto objective = [](Trial& trial) -> double {
    const double x = trial.SuggestFloat("x", -2.0, 2.0);
    const double lr = trial.SuggestFloat("lr", 1e-5, 1e-1, {.log = true});
    const int64_t n = trial.SuggestInt("n", 1, 8);
    const double q = trial.SuggestFloat("q", 0.0, 1.0, {.step = 0.25});
    const ParamValue c =
        trial.SuggestCategorical("c", {ParamValue("adam"), ParamValue(int64_t{3}), ParamValue(2.5),
                                       ParamValue(true), ParamValue(std::monostate{})});
    trial.Report(x * x, 0);
    trial.Report(trial.number() % 2 == 0 ? INFINITY : -1.5, 1);
    if (trial.number() == 3) trial.Report(NAN, 2);
    trial.SetUserAttr("tag", "hypertune \"quoted\" \xc3\xa9");
    trial.SetUserAttr("n", int64_t{trial.number()});
    if (trial.number() % 5 == 4) throw TrialPruned();
    if (trial.number() % 7 == 6) throw std::runtime_error("boom");
    return x * x + std::log10(lr) + static_cast<double>(n) + q +
           (std::holds_alternative<std::string>(c) ? 1.0 : 0.0);
  };
  ASSERT_TRUE(study->Optimize(objective, {.n_trials = 12}).ok());
  ASSERT_TRUE(study->EnqueueTrial({{"x", 0.5}}).ok());
  const std::vector<FrozenTrial> ours = study->Trials().value();
  ASSERT_EQ(ours.size(), 13u);

  const std::string out = dir.File("dump.json");
  ASSERT_EQ(RunScript("dump '" + log + "' from-hypertune '" + out + "'"), 0);
  const Json seen = ReadJson(out);
  EXPECT_EQ(seen["directions"], Json::array({"MINIMIZE"}));
  EXPECT_EQ(seen["user_attrs"]["owner"], Json::parse(R"({"name": "ana", "ids": [1, 2]})"));
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
  EXPECT_EQ(seen["trials"][6]["system_attrs"]["fail_reason"].get<std::string>().find("boom") !=
                std::string::npos,
            true);
  EXPECT_EQ(seen["trials"][12]["system_attrs"]["fixed_params"], Json::parse(R"({"x": 0.5})"));
  const Json& d = seen["trials"][0]["distributions"];
  EXPECT_EQ(d["c"]["attributes"]["choices"], Json::parse(R"(["adam", 3, 2.5, true, null])"));
  EXPECT_EQ(d["q"]["attributes"]["step"], 0.25);

  // Optuna continues: our enqueued trial first, with its fixed x.
  ASSERT_EQ(RunScript("extend '" + log + "' from-hypertune 2"), 0);
  const std::vector<FrozenTrial> all = study->Trials().value();
  ASSERT_EQ(all.size(), 14u);
  for (size_t k = 0; k < all.size(); ++k) EXPECT_EQ(all[k].number, static_cast<int>(k));
  EXPECT_EQ(all[12].state, TrialState::kComplete);
  EXPECT_EQ(std::get<double>(all[12].param("x")), 0.5);
  EXPECT_EQ(all[13].state, TrialState::kComplete);
  EXPECT_EQ(all[13].params.size(), 2u);
}

TEST(JournalOptunaInteropTest, OptunaReadsAMultiObjectiveStudyWrittenByHypertune) {
  if (!HaveOptuna()) GTEST_SKIP() << "python3-optuna is not installed";
  TempDir dir;
  const std::string log = dir.File("mo.log");
  auto storage = JournalStorage::Open(JournalUrl(log)).value();
  auto study =
      CreateStudy({.name = "mo",
                   .directions = {StudyDirection::kMinimize, StudyDirection::kMaximize},
                   .storage = storage,
                   .sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = 2})})
          .value();
  MultiObjective objective = [](Trial& t) {
    const double a = t.SuggestFloat("a", 0.0, 1.0);
    return std::vector<double>{a, a == 0.0 ? INFINITY : 1.0 / a};
  };
  ASSERT_TRUE(study->Optimize(objective, {.n_trials = 4}).ok());
  // A finished multi-objective trial added whole: written with "values".
  FrozenTrial done;
  done.state = TrialState::kComplete;
  done.values = {0.25, -INFINITY};
  done.params.push_back({"a", std::make_shared<const Distribution>(FloatDistribution{0, 1}), 0.25});
  ASSERT_TRUE(study->AddTrial(done).ok());
  const std::vector<FrozenTrial> ours = study->Trials().value();
  ASSERT_EQ(ours.size(), 5u);
  const std::string out = dir.File("dump.json");
  ASSERT_EQ(RunScript("dump '" + log + "' mo '" + out + "'"), 0);
  const Json seen = ReadJson(out);
  EXPECT_EQ(seen["directions"], Json::array({"MINIMIZE", "MAXIMIZE"}));
  ASSERT_EQ(seen["trials"].size(), ours.size());
  for (size_t k = 0; k < ours.size(); ++k) ExpectSameTrial(seen["trials"][k], ours[k]);
  EXPECT_EQ(seen["trials"][4]["values"], Json::parse(R"([0.25, "-inf"])"));
}

TEST(JournalOptunaInteropTest, HypertuneReadsAndContinuesStudiesWrittenByOptuna) {
  if (!HaveOptuna()) GTEST_SKIP() << "python3-optuna is not installed";
  TempDir dir;
  const std::string log = dir.File("optuna.log");
  ASSERT_EQ(RunScript("write '" + log + "' from-optuna"), 0);
  const std::string before = dir.File("before.json");
  ASSERT_EQ(RunScript("dump '" + log + "' from-optuna '" + before + "'"), 0);
  const Json seen = ReadJson(before);

  auto storage = JournalStorage::Open(JournalUrl(log)).value();
  auto study = Load(storage, "from-optuna", 5);
  EXPECT_EQ(study->directions(), std::vector<StudyDirection>{StudyDirection::kMaximize});
  EXPECT_EQ(study->Summary().value().user_attrs.at("owner"), "\"optuna\"");
  const std::vector<FrozenTrial> theirs = study->Trials().value();
  ASSERT_EQ(theirs.size(), 6u);
  ASSERT_EQ(seen["trials"].size(), 6u);
  for (size_t k = 0; k < theirs.size(); ++k) ExpectSameTrial(seen["trials"][k], theirs[k]);
  EXPECT_EQ(theirs[2].state, TrialState::kFail);
  EXPECT_EQ(theirs[3].state, TrialState::kPruned);
  EXPECT_EQ(theirs[5].state, TrialState::kWaiting);
  EXPECT_FALSE(theirs[5].datetime_start.has_value());
  EXPECT_EQ(*theirs[0].FindParam("n")->distribution,
            (Distribution{IntDistribution{1, 9, false, 2}}));
  EXPECT_EQ(theirs[0].user_attrs.at("tag"), "\"optuna\"");
  EXPECT_EQ(theirs[0].user_attrs.at("nested"), R"({"a": [1, 2.5, null], "b": "x"})");
  EXPECT_TRUE(std::isnan(theirs[0].intermediate_values.at(2).second));

  // Continue: the enqueued trial runs first with its fixed x and n.
  auto objective = [](Trial& trial) -> double {
    const double x = trial.SuggestFloat("x", -1.0, 1.0);
    const int64_t n = trial.SuggestInt("n", 1, 9, {.step = 2});
    const ParamValue opt = trial.SuggestCategorical(
        "opt", {ParamValue("adam"), ParamValue("sgd"), ParamValue(std::monostate{})});
    (void)opt;
    trial.Report(x, 0);
    return x + static_cast<double>(n);
  };
  ASSERT_TRUE(study->Optimize(objective, {.n_trials = 3}).ok());
  const std::vector<FrozenTrial> all = study->Trials().value();
  ASSERT_EQ(all.size(), 8u);
  EXPECT_EQ(all[5].state, TrialState::kComplete);
  EXPECT_EQ(std::get<double>(all[5].param("x")), 0.5);
  EXPECT_EQ(std::get<int64_t>(all[5].param("n")), 3);
  for (int k = 0; k < 8; ++k) EXPECT_EQ(all[static_cast<size_t>(k)].number, k);

  // The multi-objective study.
  auto mo = Load(storage, "from-optuna-mo", 6);
  EXPECT_EQ(mo->directions(),
            (std::vector<StudyDirection>{StudyDirection::kMinimize, StudyDirection::kMaximize}));
  ASSERT_EQ(mo->Trials().value().size(), 3u);
  EXPECT_EQ(mo->Trials().value()[0].values.size(), 2u);
  MultiObjective two = [](Trial& t) {
    return std::vector<double>{t.SuggestFloat("a", 0.0, 1.0),
                               static_cast<double>(t.SuggestInt("b", 0, 5))};
  };
  ASSERT_TRUE(mo->Optimize(two, {.n_trials = 2}).ok());

  // Optuna reads everything back.
  const std::string after = dir.File("after.json");
  ASSERT_EQ(RunScript("dump '" + log + "' from-optuna '" + after + "'"), 0);
  const Json again = ReadJson(after);
  ASSERT_EQ(again["trials"].size(), 8u);
  for (size_t k = 0; k < all.size(); ++k) ExpectSameTrial(again["trials"][k], all[k]);
  const std::string after_mo = dir.File("after_mo.json");
  ASSERT_EQ(RunScript("dump '" + log + "' from-optuna-mo '" + after_mo + "'"), 0);
  const Json mo_seen = ReadJson(after_mo);
  const std::vector<FrozenTrial> mo_all = mo->Trials().value();
  ASSERT_EQ(mo_seen["trials"].size(), 5u);
  for (size_t k = 0; k < mo_all.size(); ++k) ExpectSameTrial(mo_seen["trials"][k], mo_all[k]);
}

bool WaitForFile(const std::string& path, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!std::filesystem::exists(path)) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

TEST(JournalOptunaInteropTest, OptunaAndHypertuneAppendToOneLogAtTheSameTime) {
  if (!HaveOptuna()) GTEST_SKIP() << "python3-optuna is not installed";
  constexpr int kTrials = 40;
  TempDir dir;
  const std::string log = dir.File("shared.log");
  auto storage = JournalStorage::Open(JournalUrl(log)).value();
  ASSERT_TRUE(storage->CreateStudy("shared", {StudyDirection::kMinimize}).ok());
  const std::string ready = dir.File("ready"), go = dir.File("go");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string script = Script(), n = std::to_string(kTrials);
    ::execl(kPython.c_str(), kPython.c_str(), script.c_str(), "worker", log.c_str(), "shared",
            n.c_str(), ready.c_str(), go.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const bool is_ready = WaitForFile(ready, 120);
  WriteRaw(go, "");
  Status ran = Status::Ok();
  if (is_ready) {
    auto study = Load(storage, "shared", 7);
    ran = study->Optimize(
        [](Trial& t) {
          const double x = t.SuggestFloat("x", -1.0, 1.0);
          t.SetUserAttr("by", "hypertune");
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          return x * x;
        },
        {.n_trials = kTrials});
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(is_ready) << "the Optuna worker did not start";
  ASSERT_TRUE(ran.ok()) << ran;
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "Optuna worker failed";

  const std::vector<FrozenTrial> trials = GetAllTrials(*storage, 0).value();
  ASSERT_EQ(trials.size(), 2u * kTrials);
  std::set<int> numbers, by_optuna;
  for (const FrozenTrial& t : trials) {
    numbers.insert(t.number);
    EXPECT_EQ(t.state, TrialState::kComplete) << "trial " << t.number;
    if (t.user_attrs.at("by") == "\"optuna\"") by_optuna.insert(t.number);
  }
  EXPECT_EQ(numbers.size(), trials.size());
  EXPECT_EQ(*numbers.rbegin(), 2 * kTrials - 1);
  EXPECT_EQ(by_optuna.size(), static_cast<size_t>(kTrials));
  // They did run at the same time: Optuna's trials are not one block.
  EXPECT_GT(*by_optuna.rbegin() - *by_optuna.begin() + 1, kTrials)
      << "the two workers did not overlap";

  const std::string out = dir.File("dump.json");
  ASSERT_EQ(RunScript("dump '" + log + "' shared '" + out + "'"), 0);
  const Json seen = ReadJson(out);
  ASSERT_EQ(seen["trials"].size(), trials.size());
  for (size_t k = 0; k < trials.size(); ++k) ExpectSameTrial(seen["trials"][k], trials[k]);
  // Reopened from scratch, the log reads the same.
  const std::vector<FrozenTrial> fresh =
      GetAllTrials(*JournalStorage::Open(JournalUrl(log)).value(), 0).value();
  ASSERT_EQ(fresh.size(), trials.size());
  for (size_t k = 0; k < trials.size(); ++k) EXPECT_EQ(fresh[k].values, trials[k].values);
}

}  // namespace
}  // namespace hypertune::testing
