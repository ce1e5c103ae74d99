// Several processes run Optimize on one study in one SQLite file.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

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
