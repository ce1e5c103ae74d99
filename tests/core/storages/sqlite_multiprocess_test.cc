// Several processes run Optimize on one study in one SQLite file.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <sstream>

#include "hypertune/core/grid_sampler.h"
#include "hypertune/core/pruner.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/sqlite_storage.h"
#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"
#include "tests/core/storages/sqlite_test_util.h"

namespace hypertune::testing {
namespace {

constexpr int kWorkers = 8;
constexpr int kTrialsPerWorker = 30;

// Runs in the child: its own connection, its own Study object. Writes any
// error to `error_file` and returns the exit code.
int Worker(const std::string& url, int seed, const std::string& error_file) {
  const auto fail = [&](const Status& s) {
    std::ofstream(error_file) << s.ToString();
    return 1;
  };
  Result<std::shared_ptr<SqliteStorage>> storage = SqliteStorage::Open(url);
  if (!storage.ok()) return fail(storage.status());
  Result<std::shared_ptr<Study>> study =
      LoadStudy({.name = "shared",
                 .storage = *storage,
                 .sampler = std::make_shared<RandomSampler>(
                     RandomSamplerOptions{.seed = static_cast<uint64_t>(seed)}),
                 .pruner = std::make_shared<NopPruner>()});
  if (!study.ok()) return fail(study.status());
  Status s = (*study)->Optimize(
      [](Trial& t) {
        const double x = t.SuggestFloat("x", -1.0, 1.0);
        t.Report(x, 0);
        return x * x;
      },
      {.n_trials = kTrialsPerWorker});
  if (!s.ok()) return fail(s);
  return 0;
}

TEST(SqliteMultiProcessTest, WorkersShareOneStudyWithoutDuplicatesOrLockErrors) {
  TempDir dir;
  const std::string url = dir.Url("shared.db");
  {
    auto storage = SqliteStorage::Open(url).value();
    ASSERT_TRUE(storage->CreateStudy("shared", {StudyDirection::kMinimize}).ok());
  }
  std::vector<pid_t> pids;
  for (int w = 0; w < kWorkers; ++w) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0) << "fork failed";
    if (pid == 0) ::_exit(Worker(url, 100 + w, dir.File("error" + std::to_string(w))));
    pids.push_back(pid);
  }
  for (int w = 0; w < kWorkers; ++w) {
    int status = 0;
    ASSERT_EQ(::waitpid(pids[static_cast<size_t>(w)], &status, 0), pids[static_cast<size_t>(w)]);
    std::stringstream error;
    error << std::ifstream(dir.File("error" + std::to_string(w))).rdbuf();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "worker " << w << ": " << error.str();
    EXPECT_EQ(error.str().find("locked"), std::string::npos) << error.str();
  }

  auto storage = SqliteStorage::Open(url).value();
  const int64_t study = storage->GetStudyId("shared").value();
  TrialCursor cursor;
  std::vector<FrozenTrial> trials;
  ASSERT_TRUE(storage->ReadTrialUpdates(study, cursor, trials).ok());
  ASSERT_EQ(trials.size(), static_cast<size_t>(kWorkers * kTrialsPerWorker));
  std::set<int> numbers;
  for (const FrozenTrial& t : trials) {
    numbers.insert(t.number);
    EXPECT_EQ(t.state, TrialState::kComplete) << "trial " << t.number;
    EXPECT_EQ(t.intermediate_values.size(), 1u) << "trial " << t.number;
  }
  EXPECT_EQ(numbers.size(), trials.size());
  EXPECT_EQ(*numbers.begin(), 0);
  EXPECT_EQ(*numbers.rbegin(), kWorkers * kTrialsPerWorker - 1);
}

// A grid of 6 x 10 points; every worker is unseeded, as separate programs
// started by hand would be.
int GridWorker(const std::string& url, const std::string& error_file) {
  const auto fail = [&](const Status& s) {
    std::ofstream(error_file) << s.ToString();
    return 1;
  };
  std::vector<ParamValue> xs, ys;
  for (int64_t k = 0; k < 6; ++k) xs.emplace_back(k);
  for (int64_t k = 0; k < 10; ++k) ys.emplace_back(0.1 * static_cast<double>(k));
  Result<std::shared_ptr<SqliteStorage>> storage = SqliteStorage::Open(url);
  if (!storage.ok()) return fail(storage.status());
  Result<std::shared_ptr<GridSampler>> grid =
      GridSampler::Create({.search_space = {{"x", xs}, {"y", ys}}});
  if (!grid.ok()) return fail(grid.status());
  Result<std::shared_ptr<Study>> study = LoadStudy(
      {.name = "grid", .storage = *storage, .sampler = *grid,
       .pruner = std::make_shared<NopPruner>()});
  if (!study.ok()) return fail(study.status());
  // No budget: the grid ends the study.
  Status s = (*study)->Optimize([](Trial& t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return static_cast<double>(t.SuggestInt("x", 0, 5)) + t.SuggestFloat("y", 0.0, 1.0);
  });
  if (!s.ok()) return fail(s);
  return 0;
}

TEST(SqliteMultiProcessTest, WorkersOnOneGridRunEveryPointExactlyOnce) {
  for (int round = 0; round < 3; ++round) {
    TempDir dir;
    const std::string url = dir.Url("grid.db");
    {
      auto storage = SqliteStorage::Open(url).value();
      ASSERT_TRUE(storage->CreateStudy("grid", {StudyDirection::kMinimize}).ok());
    }
    std::vector<pid_t> pids;
    for (int w = 0; w < kWorkers; ++w) {
      const pid_t pid = ::fork();
      ASSERT_GE(pid, 0) << "fork failed";
      if (pid == 0) ::_exit(GridWorker(url, dir.File("error" + std::to_string(w))));
      pids.push_back(pid);
    }
    for (int w = 0; w < kWorkers; ++w) {
      int status = 0;
      ASSERT_EQ(::waitpid(pids[static_cast<size_t>(w)], &status, 0),
                pids[static_cast<size_t>(w)]);
      std::stringstream error;
      error << std::ifstream(dir.File("error" + std::to_string(w))).rdbuf();
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << "worker " << w << ": " << error.str();
    }
    auto storage = SqliteStorage::Open(url).value();
    const int64_t study = storage->GetStudyId("grid").value();
    std::vector<FrozenTrial> trials = GetAllTrials(*storage, study).value();
    std::map<std::string, int> runs;  // "x/y" -> complete trials
    int refused = 0;
    for (const FrozenTrial& t : trials) {
      if (t.state == TrialState::kComplete) {
        ++runs[ToString(t.param("x")) + "/" + ToString(t.param("y"))];
      } else {
        // A worker that asked just as the last point was taken.
        EXPECT_EQ(t.state, TrialState::kFail);
        EXPECT_NE(t.FailReason().find("nothing left"), std::string::npos) << t.FailReason();
        ++refused;
      }
    }
    EXPECT_EQ(runs.size(), 60u) << "round " << round;
    for (const auto& [point, n] : runs) EXPECT_EQ(n, 1) << point << ", round " << round;
    EXPECT_LT(refused, kWorkers) << "round " << round;
  }
}

TEST(SqliteMultiProcessTest, ProcessesCreatingOneNewFileAtOnceAgreeOnTheSchema) {
  TempDir dir;
  const std::string url = dir.Url("new.db");
  std::vector<pid_t> pids;
  for (int w = 0; w < 4; ++w) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0) << "fork failed";
    if (pid == 0) {
      Result<std::shared_ptr<SqliteStorage>> s = SqliteStorage::Open(url);
      const bool ok = s.ok() && (*s)->CreateStudy("s" + std::to_string(w),
                                                  {StudyDirection::kMinimize}).ok();
      ::_exit(ok ? 0 : 1);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto storage = SqliteStorage::Open(url).value();
  EXPECT_EQ(storage->ListStudies().value().size(), 4u);
}

}  // namespace
}  // namespace hypertune::testing
