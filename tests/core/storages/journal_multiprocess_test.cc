// Eight processes on one journal: every trial number once, every WAITING
// trial started by exactly one of them.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include "hypertune/core/journal_storage.h"
#include "hypertune/core/pruner.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"
#include "tests/core/storages/journal_test_util.h"

namespace hypertune::testing {
namespace {

constexpr int kWorkers = 8;
constexpr int kTrialsPerWorker = 20;
constexpr int kEnqueued = 40;

// Runs in the child: its own storage object and Study. Writes the numbers of
// the trials it ran to `numbers_file` and any error to `error_file`.
int Worker(const std::string& url, int seed, const std::string& numbers_file,
           const std::string& error_file) {
  const auto fail = [&](const Status& s) {
    std::ofstream(error_file) << s.ToString();
    return 1;
  };
  Result<std::shared_ptr<JournalStorage>> storage = JournalStorage::Open(url);
  if (!storage.ok()) return fail(storage.status());
  Result<std::shared_ptr<Study>> study =
      LoadStudy({.name = "shared",
                 .storage = *storage,
                 .sampler = std::make_shared<RandomSampler>(
                     RandomSamplerOptions{.seed = static_cast<uint64_t>(seed)}),
                 .pruner = std::make_shared<NopPruner>()});
  if (!study.ok()) return fail(study.status());
  std::ofstream numbers(numbers_file);
  Status s = (*study)->Optimize(
      [&](Trial& t) {
        const double x = t.SuggestFloat("x", -1.0, 1.0);
        t.Report(x, 0);
        t.SetUserAttr("worker", int64_t{seed});
        numbers << t.number() << "\n" << std::flush;
        return x * x;
      },
      {.n_trials = kTrialsPerWorker});
  if (!s.ok()) return fail(s);
  return 0;
}

TEST(JournalMultiProcessTest, EightProcessesShareOneStudyWithoutLossOrDuplicates) {
  TempDir dir;
  const std::string url = JournalUrl(dir.File("shared.log"));
  {
    auto storage = JournalStorage::Open(url).value();
    auto study = CreateStudy({.name = "shared", .storage = storage}).value();
    for (int k = 0; k < kEnqueued; ++k)
      ASSERT_TRUE(study->EnqueueTrial({{"x", -1.0 + 0.05 * k}}).ok());
  }
  std::vector<pid_t> pids;
  for (int w = 0; w < kWorkers; ++w) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0) << "fork failed";
    if (pid == 0)
      ::_exit(Worker(url, w, dir.File("numbers" + std::to_string(w)),
                     dir.File("error" + std::to_string(w))));
    pids.push_back(pid);
  }
  for (int w = 0; w < kWorkers; ++w) {
    int status = 0;
    ASSERT_EQ(::waitpid(pids[static_cast<size_t>(w)], &status, 0), pids[static_cast<size_t>(w)]);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "worker " << w << ": " << ReadFile(dir.File("error" + std::to_string(w)));
  }

  // Which worker ran which trial, from the workers' own records.
  std::map<int, int> ran_by;
  int runs = 0;
  for (int w = 0; w < kWorkers; ++w) {
    for (const std::string& line : Lines(ReadFile(dir.File("numbers" + std::to_string(w))))) {
      const int number = std::stoi(line);
      ++runs;
      EXPECT_TRUE(ran_by.emplace(number, w).second)
          << "trial " << number << " ran in workers " << ran_by[number] << " and " << w;
    }
  }
  EXPECT_EQ(runs, kWorkers * kTrialsPerWorker);

  auto storage = JournalStorage::Open(url).value();
  const int64_t study = storage->GetStudyId("shared").value();
  const std::vector<FrozenTrial> trials = GetAllTrials(*storage, study).value();
  // The enqueued trials were all started, none twice; the rest are new.
  ASSERT_EQ(trials.size(), static_cast<size_t>(kWorkers * kTrialsPerWorker));
  std::set<int> numbers;
  for (const FrozenTrial& t : trials) {
    numbers.insert(t.number);
    EXPECT_EQ(t.state, TrialState::kComplete) << "trial " << t.number;
    EXPECT_EQ(t.intermediate_values.size(), 1u) << "trial " << t.number;
    ASSERT_TRUE(ran_by.count(t.number)) << "trial " << t.number << " ran nowhere";
    EXPECT_EQ(t.user_attrs.at("worker"), std::to_string(ran_by[t.number]));
    if (t.number < kEnqueued) {
      EXPECT_EQ(std::get<double>(t.param("x")), -1.0 + 0.05 * t.number) << "trial " << t.number;
      EXPECT_TRUE(t.system_attrs.count("fixed_params")) << "trial " << t.number;
    }
  }
  EXPECT_EQ(numbers.size(), trials.size());
  EXPECT_EQ(*numbers.begin(), 0);
  EXPECT_EQ(*numbers.rbegin(), kWorkers * kTrialsPerWorker - 1);
  // Every append released its lock.
  EXPECT_FALSE(std::filesystem::exists(dir.File("shared.log.lock")));
}

}  // namespace
}  // namespace hypertune::testing
