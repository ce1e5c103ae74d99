// Sixteen processes work on one study in one PostgreSQL database, each with
// its own PostgresStorage: no trial is lost, no number is duplicated, each
// WAITING trial is popped once, and of the workers finishing one trial
// exactly one wins.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "hypertune/core/postgres_storage.h"
#include "hypertune/core/pruner.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"
#include "tests/core/storages/postgres_test_util.h"

namespace hypertune::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kWorkers = 16;

class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "hypertune_pg_mp_XXXXXX").string();
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

// Forks `n` children that wait at a barrier (a pipe the parent closes once
// all are forked, so that they start together), run `body(w)` and exit with
// its code; returns their pids.
std::vector<pid_t> ForkWorkers(int n, const std::function<int(int)>& body) {
  int barrier[2];
  HT_CHECK(::pipe(barrier) == 0) << "pipe";
  std::vector<pid_t> pids;
  for (int w = 0; w < n; ++w) {
    const pid_t pid = ::fork();
    HT_CHECK(pid >= 0) << "fork failed";
    if (pid == 0) {
      ::close(barrier[1]);
      char c;
      while (::read(barrier[0], &c, 1) > 0) {
      }
      ::_exit(body(w));
    }
    pids.push_back(pid);
  }
  ::close(barrier[0]);
  ::close(barrier[1]);
  return pids;
}

void ExpectAllExitCleanly(const std::vector<pid_t>& pids, const ScratchDir& dir) {
  for (size_t w = 0; w < pids.size(); ++w) {
    int status = 0;
    ASSERT_EQ(::waitpid(pids[w], &status, 0), pids[w]);
    std::stringstream error;
    error << std::ifstream(dir.File("error" + std::to_string(w))).rdbuf();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "worker " << w << ": " << error.str();
  }
}

TEST(PostgresMultiProcessTest, WorkersPopEachWaitingTrialOnceAndOneFinisherWins) {
  TempDatabase db;
  ASSERT_TRUE(db.ok());
  ScratchDir dir;
  constexpr int kWaiting = 48, kContested = 12, kNewPerWorker = 8;
  std::vector<int64_t> contested;
  std::set<int64_t> waiting;
  {
    auto s = PostgresStorage::Open(db.url()).value();
    const int64_t study = s->CreateStudy("shared", {StudyDirection::kMinimize}).value();
    FrozenTrial w;
    w.state = TrialState::kWaiting;
    for (int k = 0; k < kWaiting; ++k) {
      w.system_attrs["fixed_params"] = "{\"k\": " + std::to_string(k) + "}";
      waiting.insert(s->CreateTrial(study, &w).value().trial_id);
    }
    for (int k = 0; k < kContested; ++k)
      contested.push_back(s->CreateTrial(study).value().trial_id);
  }  // no connection of the parent's survives into the children

  const auto worker = [&](int w) -> int {
    std::ofstream log(dir.File("log" + std::to_string(w)));
    const auto fail = [&](const Status& s) {
      std::ofstream(dir.File("error" + std::to_string(w))) << s.ToString();
      return 1;
    };
    Result<std::shared_ptr<PostgresStorage>> opened = PostgresStorage::Open(db.url());
    if (!opened.ok()) return fail(opened.status());
    PostgresStorage& s = **opened;
    Result<int64_t> study = s.GetStudyId("shared");
    if (!study.ok()) return fail(study.status());
    auto x = std::make_shared<const Distribution>(FloatDistribution{0.0, 1.0});
    for (int round = 0; round < kContested + kWaiting; ++round) {
      if (round < kContested) {
        // Every worker tries to finish every contested trial.
        const int64_t id = contested[static_cast<size_t>((round + w) % kContested)];
        Status st = s.SetTrialStateValues(id, TrialState::kComplete, {static_cast<double>(w)});
        if (st.ok()) {
          log << "win " << id << "\n";
        } else if (st.code() != StatusCode::kFailedPrecondition) {
          return fail(st);
        }
      }
      Result<FrozenTrial> popped = s.PopWaitingTrial(*study);
      if (!popped.ok()) return fail(popped.status());
      if (popped->trial_id >= 0) {
        log << "pop " << popped->trial_id << "\n";
        if (popped->system_attrs.count("fixed_params") != 1)
          return fail(Status::Internal("popped trial lost its attributes"));
        Status st = s.SetTrialStateValues(popped->trial_id, TrialState::kComplete, {1.0});
        if (!st.ok()) return fail(st);
      }
      if (round < kNewPerWorker) {
        Result<FrozenTrial> t = s.CreateTrial(*study);
        if (!t.ok()) return fail(t.status());
        log << "new " << t->number << "\n";
        Status st = s.SetTrialParam(t->trial_id, "x", 0.5, x);
        if (st.ok()) st = s.SetTrialIntermediateValue(t->trial_id, 0, 0.25);
        if (st.ok()) st = s.SetTrialStateValues(t->trial_id, TrialState::kComplete, {0.5});
        if (!st.ok()) return fail(st);
      }
    }
    return 0;
  };
  ExpectAllExitCleanly(ForkWorkers(kWorkers, worker), dir);

  std::map<int64_t, int> pops, wins;
  std::map<int64_t, int> winner;
  std::multiset<int> new_numbers;
  for (int w = 0; w < kWorkers; ++w) {
    std::ifstream in(dir.File("log" + std::to_string(w)));
    std::string what;
    int64_t v = 0;
    while (in >> what >> v) {
      if (what == "pop") ++pops[v];
      if (what == "win") {
        ++wins[v];
        winner[v] = w;
      }
      if (what == "new") new_numbers.insert(static_cast<int>(v));
    }
  }
  // Each WAITING trial went to exactly one worker.
  EXPECT_EQ(pops.size(), waiting.size());
  for (const auto& [id, n] : pops) {
    EXPECT_EQ(n, 1) << "trial id " << id << " popped " << n << " times";
    EXPECT_EQ(waiting.count(id), 1u) << "popped trial id " << id << " was not WAITING";
  }
  // Of 16 finishers of one trial, exactly one won, and its value is stored.
  auto s = PostgresStorage::Open(db.url()).value();
  for (int64_t id : contested) {
    EXPECT_EQ(wins[id], 1) << "trial id " << id;
    FrozenTrial t = s->GetTrial(id).value();
    EXPECT_EQ(t.values, std::vector<double>{static_cast<double>(winner[id])});
  }
  // No trial lost, no number twice.
  const std::vector<FrozenTrial> all = GetAllTrials(*s, s->GetStudyId("shared").value()).value();
  const size_t n = kWaiting + kContested + kWorkers * kNewPerWorker;
  ASSERT_EQ(all.size(), n);
  EXPECT_EQ(new_numbers.size(), static_cast<size_t>(kWorkers * kNewPerWorker));
  std::set<int> numbers;
  for (const FrozenTrial& t : all) {
    numbers.insert(t.number);
    EXPECT_EQ(t.state, TrialState::kComplete) << "trial " << t.number;
  }
  EXPECT_EQ(numbers.size(), n);
  EXPECT_EQ(*numbers.begin(), 0);
  EXPECT_EQ(*numbers.rbegin(), static_cast<int>(n) - 1);
  for (int k : new_numbers) EXPECT_EQ(new_numbers.count(k), 1u) << "number " << k;
}

TEST(PostgresMultiProcessTest, WorkersOptimizeOneStudyWithoutDuplicatesOrErrors) {
  TempDatabase db;
  ASSERT_TRUE(db.ok());
  ScratchDir dir;
  constexpr int kTrialsPerWorker = 12, kEnqueued = 10;
  {
    auto storage = PostgresStorage::Open(db.url()).value();
    auto study = CreateStudy({.name = "opt", .storage = storage}).value();
    for (int k = 0; k < kEnqueued; ++k) ASSERT_TRUE(study->EnqueueTrial({{"x", 0.01 * k}}).ok());
  }
  const auto worker = [&](int w) -> int {
    const auto fail = [&](const Status& s) {
      std::ofstream(dir.File("error" + std::to_string(w))) << s.ToString();
      return 1;
    };
    Result<std::shared_ptr<PostgresStorage>> storage = PostgresStorage::Open(db.url());
    if (!storage.ok()) return fail(storage.status());
    Result<std::shared_ptr<Study>> study =
        LoadStudy({.name = "opt",
                   .storage = *storage,
                   .sampler = std::make_shared<RandomSampler>(
                       RandomSamplerOptions{.seed = static_cast<uint64_t>(100 + w)}),
                   .pruner = std::make_shared<NopPruner>()});
    if (!study.ok()) return fail(study.status());
    Status s = (*study)->Optimize(
        [](Trial& t) {
          const double x = t.SuggestFloat("x", -1.0, 1.0);
          t.Report(x, 0);
          return x * x;
        },
        {.n_trials = kTrialsPerWorker});
    return s.ok() ? 0 : fail(s);
  };
  ExpectAllExitCleanly(ForkWorkers(kWorkers, worker), dir);

  auto storage = PostgresStorage::Open(db.url()).value();
  const std::vector<FrozenTrial> trials =
      GetAllTrials(*storage, storage->GetStudyId("opt").value()).value();
  // The enqueued trials were run (by someone) and counted in n_trials.
  ASSERT_EQ(trials.size(), static_cast<size_t>(kWorkers * kTrialsPerWorker));
  std::set<int> numbers;
  int fixed = 0;
  for (const FrozenTrial& t : trials) {
    numbers.insert(t.number);
    EXPECT_EQ(t.state, TrialState::kComplete) << "trial " << t.number;
    EXPECT_EQ(t.intermediate_values.size(), 1u) << "trial " << t.number;
    fixed += t.system_attrs.count("fixed_params") > 0;
  }
  EXPECT_EQ(fixed, kEnqueued);
  EXPECT_EQ(numbers.size(), trials.size());
  EXPECT_EQ(*numbers.begin(), 0);
  EXPECT_EQ(*numbers.rbegin(), kWorkers * kTrialsPerWorker - 1);
}

}  // namespace
}  // namespace hypertune::testing
