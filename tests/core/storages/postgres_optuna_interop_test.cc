// Optuna 3.1 (with SQLAlchemy and psycopg2) and PostgresStorage on one
// PostgreSQL database: the schema is the one Optuna creates, Optuna reads
// studies written by hypertune and hypertune continues Optuna's, both kinds
// of workers share a study at the same time, and heartbeats are understood
// both ways. Optuna's side is optuna_interop.py, run with /usr/bin/python3.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "hypertune/core/postgres_storage.h"
#include "hypertune/core/pruner.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"
#include "tests/core/storages/optuna_interop_util.h"
#include "tests/core/storages/postgres_test_util.h"

namespace hypertune::testing {
namespace {

namespace fs = std::filesystem;

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "hypertune_pg_interop_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

class PostgresOptunaInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.ok());
    ASSERT_TRUE(HaveOptuna()) << "these tests need /usr/bin/python3 with optuna 3.1 "
                                 "(Debian: python3-optuna python3-psycopg2)";
  }
  // Runs optuna_interop.py on this test's database.
  int Py(const std::string& command, const std::string& rest) {
    return RunScript(command + " '" + db_.url() + "' " + rest);
  }
  std::shared_ptr<PostgresStorage> OpenV300d() {
    PostgresStorageOptions opts;
    opts.schema_revision = std::string(kOptunaSchemaV300d);
    Result<std::shared_ptr<PostgresStorage>> s = PostgresStorage::Open(db_.url(), opts);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : nullptr;
  }
  TempDatabase db_;
  ScratchDir dir_;
};

// The database's schema as lines: enum types and labels, columns with
// types, nullability and defaults, constraints, indexes, sequences, and the
// version rows.
std::vector<std::string> SchemaListing(const std::string& url) {
  static const char* kQueries[] = {
      "SELECT 'type', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) "
      "FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON "
      "n.oid = t.typnamespace WHERE n.nspname = 'public' GROUP BY t.typname",
      "SELECT 'column', table_name, column_name, ordinal_position, data_type, udt_name, "
      "character_maximum_length, numeric_precision, is_nullable, column_default "
      "FROM information_schema.columns WHERE table_schema = 'public'",
      "SELECT 'constraint', conrelid::regclass::text, conname, contype, "
      "pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = "
      "'public'::regnamespace",
      "SELECT 'index', tablename, indexname, indexdef FROM pg_indexes "
      "WHERE schemaname = 'public'",
      "SELECT 'sequence', sequence_name, data_type, start_value, minimum_value, "
      "maximum_value, increment, cycle_option FROM information_schema.sequences "
      "WHERE sequence_schema = 'public'",
      "SELECT 'owned', s.relname, t.relname, a.attname FROM pg_depend d JOIN pg_class s ON "
      "s.oid = d.objid AND s.relkind = 'S' JOIN pg_class t ON t.oid = d.refobjid JOIN "
      "pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid",
      "SELECT 'alembic', version_num FROM alembic_version",
      "SELECT 'version_info', version_info_id, schema_version, library_version "
      "FROM version_info",
  };
  std::vector<std::string> lines;
  for (const char* q : kQueries) {
    for (const auto& row : RawSql(url, q)) {
      std::string line;
      for (const auto& f : row) line += (f.is_null() ? "NULL" : f.as<std::string>()) + " | ";
      lines.push_back(line);
    }
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

// Lines only in `ours` and lines only in `optunas`, so that a failure shows
// the difference rather than two listings of ~130 lines.
std::string SchemaDifference(const std::vector<std::string>& ours,
                             const std::vector<std::string>& optunas) {
  std::vector<std::string> extra, missing;
  std::set_difference(ours.begin(), ours.end(), optunas.begin(), optunas.end(),
                      std::back_inserter(extra));
  std::set_difference(optunas.begin(), optunas.end(), ours.begin(), ours.end(),
                      std::back_inserter(missing));
  std::string out;
  for (const std::string& l : extra) out += "\n  only hypertune's: " + l;
  for (const std::string& l : missing) out += "\n  only Optuna's:    " + l;
  return out;
}

TEST_F(PostgresOptunaInteropTest, TheSchemaIsTheOneOptunaCreates) {
  // Optuna creates the schema in one database (by creating a study) ...
  ASSERT_EQ(Py("write", "from-optuna"), 0);
  const std::vector<std::string> optuna = SchemaListing(db_.url());
  ASSERT_GT(optuna.size(), 60u);
  // ... hypertune in others, at both revisions.
  TempDatabase v300d, v320a;
  ASSERT_TRUE(v300d.ok() && v320a.ok());
  PostgresStorageOptions old;
  old.schema_revision = std::string(kOptunaSchemaV300d);
  ASSERT_TRUE(PostgresStorage::Open(v300d.url(), old).ok());
  ASSERT_TRUE(PostgresStorage::Open(v320a.url()).ok());
  EXPECT_EQ(SchemaDifference(SchemaListing(v300d.url()), optuna), "");
  // v3.2.0.a: the same plus one index, and its own version rows.
  std::vector<std::string> expected = optuna;
  for (std::string& line : expected) {
    if (line == "alembic | v3.0.0.d | ") line = "alembic | v3.2.0.a | ";
    if (line == "version_info | 1 | 12 | 3.1.0 | ") line = "version_info | 1 | 12 | 3.2.0 | ";
  }
  expected.push_back(
      "index | trials | trials_study_id_key | CREATE INDEX trials_study_id_key ON "
      "public.trials USING btree (study_id) | ");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(SchemaDifference(SchemaListing(v320a.url()), expected), "");
}

TEST_F(PostgresOptunaInteropTest, OptunaReadsAStudyWrittenByHypertune) {
  auto storage = OpenV300d();
  ASSERT_NE(storage, nullptr);
  auto study =
      CreateStudy({.name = "from-hypertune",
                   .storage = storage,
                   .sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = 11}),
                   .pruner = std::make_shared<NopPruner>()})
          .value();
  auto objective = [](Trial& trial) -> double {
    const double x = trial.SuggestFloat("x", -2.0, 2.0);
    const double lr = trial.SuggestFloat("lr", 1e-5, 1e-1, {.log = true});
    const int64_t n = trial.SuggestInt("n", 1, 8);
    const ParamValue c = trial.SuggestCategorical(
        "c", {ParamValue("adam"), ParamValue(int64_t{3}), ParamValue(std::monostate{})});
    trial.Report(x * x, 0);
    trial.Report(trial.number() % 2 == 0 ? INFINITY : -1.5, 1);
    trial.Report(trial.number() % 3 == 0 ? NAN : 0.5, 2);
    trial.SetUserAttr("tag", "hypertune");
    if (trial.number() % 5 == 4) throw TrialPruned();
    if (trial.number() % 7 == 6) throw std::runtime_error("boom");
    return x * x + std::log10(lr) + static_cast<double>(n) +
           (std::holds_alternative<std::string>(c) ? 1.0 : 0.0);
  };
  ASSERT_TRUE(study->Optimize(objective, {.n_trials = 12}).ok());
  ASSERT_TRUE(study->EnqueueTrial({{"x", 0.5}}).ok());
  ASSERT_TRUE(study->SetUserAttr("owner", JsonAttr("ana")).ok());
  const std::vector<FrozenTrial> ours = study->Trials().value();
  ASSERT_EQ(ours.size(), 13u);

  const std::string out = dir_.File("dump.json");
  ASSERT_EQ(Py("dump", "from-hypertune '" + out + "'"), 0);
  const Json seen = ReadJson(out);
  EXPECT_EQ(seen["directions"], Json::array({"MINIMIZE"}));
  ASSERT_EQ(seen["trials"].size(), ours.size());
  int pruned = 0, failed = 0, waiting = 0;
  for (size_t k = 0; k < ours.size(); ++k) {
    ExpectSameTrial(seen["trials"][k], ours[k]);
    EXPECT_EQ(seen["trials"][k]["user_attrs"], ours[k].state == TrialState::kWaiting
                                                   ? Json::object()
                                                   : Json({{"tag", "hypertune"}}));
    pruned += ours[k].state == TrialState::kPruned;
    failed += ours[k].state == TrialState::kFail;
    waiting += ours[k].state == TrialState::kWaiting;
  }
  EXPECT_EQ(pruned, 2);
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(waiting, 1);
  const Json& d = seen["trials"][0]["distributions"];
  EXPECT_EQ(d["lr"]["name"], "FloatDistribution");
  EXPECT_EQ(d["lr"]["attributes"]["log"], true);
  EXPECT_EQ(d["n"]["name"], "IntDistribution");
  EXPECT_EQ(d["c"]["attributes"]["choices"], Json::parse(R"(["adam", 3, null])"));

  // Optuna continues: it runs our enqueued trial with its fixed x, then
  // numbers new trials after ours; we read them back.
  ASSERT_EQ(Py("extend", "from-hypertune 2"), 0);
  const std::vector<FrozenTrial> all = study->Trials().value();
  ASSERT_EQ(all.size(), 14u);
  for (size_t k = 0; k < all.size(); ++k) EXPECT_EQ(all[k].number, static_cast<int>(k));
  EXPECT_EQ(all[12].state, TrialState::kComplete);
  EXPECT_EQ(std::get<double>(all[12].param("x")), 0.5);
  EXPECT_EQ(all[13].state, TrialState::kComplete);
  EXPECT_EQ(all[13].params.size(), 2u);
}

TEST_F(PostgresOptunaInteropTest, HypertuneReadsAndContinuesAStudyWrittenByOptuna) {
  ASSERT_EQ(Py("write", "from-optuna"), 0);
  const std::string before = dir_.File("before.json");
  ASSERT_EQ(Py("dump", "from-optuna '" + before + "'"), 0);
  const Json seen = ReadJson(before);

  auto storage = PostgresStorage::Open(db_.url()).value();
  EXPECT_EQ(storage->schema_revision(), "v3.0.0.d");
  auto study =
      LoadStudy({.name = "from-optuna",
                 .storage = storage,
                 .sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = 5}),
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
  EXPECT_TRUE(std::isinf(theirs[0].intermediate_values.at(1).second));

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

  const std::string after = dir_.File("after.json");
  ASSERT_EQ(Py("dump", "from-optuna '" + after + "'"), 0);
  const Json again = ReadJson(after);
  ASSERT_EQ(again["trials"].size(), 8u);
  for (size_t k = 0; k < all.size(); ++k) ExpectSameTrial(again["trials"][k], all[k]);
}

TEST_F(PostgresOptunaInteropTest, Optuna31RefusesV320aAndReadsV300d) {
  {
    auto s = PostgresStorage::Open(db_.url()).value();  // v3.2.0.a
    ASSERT_TRUE(s->CreateStudy("new", {StudyDirection::kMinimize}).ok());
  }
  const std::string out = dir_.File("load.json");
  ASSERT_EQ(Py("load", "new '" + out + "'"), 0);
  Json r = ReadJson(out);
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_NE(r["error"].get<std::string>().find("no longer compatible"), std::string::npos)
      << r["error"];

  TempDatabase old_db;
  ASSERT_TRUE(old_db.ok());
  PostgresStorageOptions old;
  old.schema_revision = std::string(kOptunaSchemaV300d);
  {
    auto s = PostgresStorage::Open(old_db.url(), old).value();
    const int64_t study = s->CreateStudy("old", {StudyDirection::kMinimize}).value();
    ASSERT_TRUE(s->CreateTrial(study).ok());
  }
  ASSERT_EQ(RunScript("load '" + old_db.url() + "' old '" + out + "'"), 0);
  r = ReadJson(out);
  EXPECT_TRUE(r["ok"].get<bool>()) << r["error"];
  EXPECT_EQ(r["n_trials"], 1);
}

TEST_F(PostgresOptunaInteropTest, HeartbeatsAreUnderstoodBothWays) {
  auto s = OpenV300d();
  ASSERT_NE(s, nullptr);
  const int64_t study = s->CreateStudy("beats", {StudyDirection::kMinimize}).value();
  const int64_t ours = s->CreateTrial(study).value().trial_id;
  const int64_t theirs = s->CreateTrial(study).value().trial_id;
  ASSERT_TRUE(s->CreateTrial(study).ok());  // never beats: never stale
  ASSERT_TRUE(s->RecordHeartbeat(ours).ok());
  ASSERT_EQ(Py("beat", std::to_string(theirs)), 0);
  EXPECT_TRUE(s->GetStaleTrialIds(study, 30.0).value().empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(s->GetStaleTrialIds(study, 1.0).value(), (std::vector<int64_t>{ours, theirs}));
  const std::string out = dir_.File("stale.json");
  ASSERT_EQ(Py("stale", "beats 1 '" + out + "'"), 0);
  EXPECT_EQ(ReadJson(out), Json::array({ours, theirs}));
  // A fresh beat of Optuna's makes the trial alive for us. The grace period
  // covers the seconds Python takes to start, and is still shorter than the
  // age of the other trial's heartbeat.
  const auto since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  const auto before_beat = std::chrono::steady_clock::now();
  ASSERT_EQ(Py("beat", std::to_string(ours)), 0);
  EXPECT_EQ(s->GetStaleTrialIds(study, since(before_beat) + 0.5).value(),
            std::vector<int64_t>{theirs});
  // And one of ours is fresh for Optuna: the age it computes (its now()
  // against our heartbeat) is at most the time that has passed. (Starting
  // Python takes seconds, too long for a 1-second grace period.)
  const auto beat = std::chrono::steady_clock::now();
  ASSERT_TRUE(s->RecordHeartbeat(theirs).ok());
  EXPECT_TRUE(s->GetStaleTrialIds(study, since(before_beat) + 0.5).value().empty());
  ASSERT_EQ(Py("ages", "'" + out + "'"), 0);
  const double passed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - beat).count();
  const Json ages = ReadJson(out);
  ASSERT_TRUE(ages.contains(std::to_string(theirs))) << ages;
  const double age = ages[std::to_string(theirs)].get<double>();
  EXPECT_GE(age, 0.0) << ages;
  EXPECT_LE(age, passed + 0.5) << ages;
  EXPECT_GE(ages[std::to_string(ours)].get<double>(), 0.0) << ages;
}

TEST_F(PostgresOptunaInteropTest, OptunaAndHypertuneWorkersShareAStudyAtTheSameTime) {
  constexpr int kHypertuneWorkers = 4, kOptunaWorkers = 2, kOptunaTrials = 25, kEnqueued = 12;
  {
    auto storage = OpenV300d();
    ASSERT_NE(storage, nullptr);
    auto study = CreateStudy({.name = "shared", .storage = storage}).value();
    for (int k = 0; k < kEnqueued; ++k)
      ASSERT_TRUE(study->EnqueueTrial({{"x", 0.1 * k - 0.6}}).ok());
  }
  const std::string stop = dir_.File("stop");
  std::vector<pid_t> ours;
  for (int w = 0; w < kHypertuneWorkers; ++w) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Trials until the Optuna workers are done (at least 5, at most 400).
      const auto fail = [&](const Status& st) {
        std::ofstream(dir_.File("error" + std::to_string(w))) << st.ToString();
        ::_exit(1);
      };
      Result<std::shared_ptr<PostgresStorage>> storage = PostgresStorage::Open(db_.url());
      if (!storage.ok()) fail(storage.status());
      Result<std::shared_ptr<Study>> study =
          LoadStudy({.name = "shared",
                     .storage = *storage,
                     .sampler = std::make_shared<RandomSampler>(
                         RandomSamplerOptions{.seed = static_cast<uint64_t>(w + 1)}),
                     .pruner = std::make_shared<NopPruner>()});
      if (!study.ok()) fail(study.status());
      for (int k = 0; k < 400 && (k < 5 || !fs::exists(stop)); ++k) {
        Status st = (*study)->Optimize(
            [](Trial& t) {
              const double x = t.SuggestFloat("x", -2.0, 2.0);
              const int64_t n = t.SuggestInt("n", 1, 8);
              return x * x + static_cast<double>(n);
            },
            {.n_trials = 1});
        if (!st.ok()) fail(st);
      }
      ::_exit(0);
    }
    ours.push_back(pid);
  }
  std::vector<pid_t> theirs;
  for (int w = 0; w < kOptunaWorkers; ++w) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      const std::string script = Script();
      const std::string url = db_.url();
      const std::string n = std::to_string(kOptunaTrials);
      ::execl(kPython.c_str(), kPython.c_str(), script.c_str(), "extend", url.c_str(), "shared",
              n.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    theirs.push_back(pid);
  }
  for (pid_t pid : theirs) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "Optuna worker failed";
  }
  std::ofstream(stop) << "done";
  for (size_t w = 0; w < ours.size(); ++w) {
    int status = 0;
    ASSERT_EQ(::waitpid(ours[w], &status, 0), ours[w]);
    std::stringstream error;
    error << std::ifstream(dir_.File("error" + std::to_string(w))).rdbuf();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << error.str();
  }

  auto storage = PostgresStorage::Open(db_.url()).value();
  const std::vector<FrozenTrial> trials =
      GetAllTrials(*storage, storage->GetStudyId("shared").value()).value();
  ASSERT_GE(trials.size(),
            static_cast<size_t>(kOptunaWorkers * kOptunaTrials + kHypertuneWorkers * 5));
  std::set<int> numbers;
  std::multiset<std::string> fixed;
  for (const FrozenTrial& t : trials) {
    numbers.insert(t.number);
    EXPECT_EQ(t.state, TrialState::kComplete) << "trial " << t.number;
    EXPECT_EQ(t.params.size(), 2u) << "trial " << t.number;
    auto it = t.system_attrs.find("fixed_params");
    if (it != t.system_attrs.end()) fixed.insert(it->second);
  }
  EXPECT_EQ(numbers.size(), trials.size());
  EXPECT_EQ(*numbers.begin(), 0);
  EXPECT_EQ(*numbers.rbegin(), static_cast<int>(trials.size()) - 1);
  // Every enqueued trial ran once, by whichever worker popped it.
  EXPECT_EQ(fixed.size(), static_cast<size_t>(kEnqueued));
  for (const std::string& f : fixed) EXPECT_EQ(fixed.count(f), 1u) << f;
  // And Optuna reads the result.
  const std::string out = dir_.File("dump.json");
  ASSERT_EQ(Py("dump", "shared '" + out + "'"), 0);
  const Json seen = ReadJson(out);
  ASSERT_EQ(seen["trials"].size(), trials.size());
  for (size_t k = 0; k < trials.size(); ++k) ExpectSameTrial(seen["trials"][k], trials[k]);
}

}  // namespace
}  // namespace hypertune::testing
