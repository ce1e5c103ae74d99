// Fault tolerance across processes: workers killed with SIGKILL mid-trial,
// Ctrl-C (SIGINT once, and twice), and Optuna 3.1 workers (optuna_worker.py,
// run with /usr/bin/python3) sharing heartbeats and retried trials with
// hypertune workers on one SQLite file. Each test waits for real heartbeats to
// go stale: seconds, not milliseconds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "hypertune/core/pruner.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/sqlite_storage.h"
#include "hypertune/core/study.h"
#include "tests/core/storages/fault_tolerance_util.h"
#include "tests/core/storages/sqlite_test_util.h"

namespace hypertune::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kPython = "/usr/bin/python3";

std::string Script() {
  return (std::filesystem::path(__FILE__).parent_path() / "optuna_worker.py").string();
}

bool HaveOptuna() {
  return std::system((kPython + " -c 'import optuna' >/dev/null 2>&1").c_str()) == 0;
}

HeartbeatOptions Heartbeat(double interval_s, int max_retry) {
  return {.interval = std::chrono::duration<double>(interval_s), .max_retry = max_retry};
}

// What a worker wrote when it reached the trial it blocks on.
struct Marker {
  int number = -1;
  int retried = -1;  // RetriedTrialNumber, or -1
  Point point;
};

Marker ReadMarker(const std::string& path) {
  Marker m;
  std::istringstream in(ReadFile(path));
  in >> m.number >> m.retried >> m.point.x >> m.point.n;
  return m;
}

struct WorkerArgs {
  std::string url;
  std::optional<HeartbeatOptions> heartbeat;
  uint64_t seed = 1;
  int n_trials = 10;
  // The (block_after + 1)-th trial of this worker writes `marker`, then
  // sleeps until the process is killed. -1: never.
  int block_after = -1;
  std::string marker;
  // Wait for a trial of another worker before starting.
  bool wait_for_a_trial = false;
  double sleep_s = 0;
};

// A hypertune worker; runs in a child process. Returns its exit code.
int RunWorker(const WorkerArgs& a) {
  auto storage = SqliteStorage::Open(a.url);
  if (!storage.ok()) return 10;
  if (a.wait_for_a_trial) {
    const int64_t id = (*storage)->GetStudyId("s").value();
    if (!WaitUntil([&] { return !GetAllTrials(**storage, id).value().empty(); }, 60s)) return 11;
  }
  auto study =
      LoadStudy({.name = "s",
                 .storage = *storage,
                 .sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = a.seed}),
                 .pruner = std::make_shared<NopPruner>(),
                 .heartbeat = a.heartbeat});
  if (!study.ok()) return 12;
  int calls = 0;
  const Status s = (*study)->Optimize(
      [&](Trial& t) {
        const Point p = Suggest(t);
        t.SetUserAttr("worker", "hypertune");
        if (calls++ == a.block_after) {
          char text[128];
          std::snprintf(text, sizeof(text), "%d %d %.17g %lld", t.number(),
                        RetriedTrialNumber(t.Snapshot()).value_or(-1), p.x,
                        static_cast<long long>(p.n));
          WriteFileAtomically(a.marker, text);
          for (;;) std::this_thread::sleep_for(1s);
        }
        if (a.sleep_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(a.sleep_s));
        return Evaluate(p.x, p.n);
      },
      {.n_trials = a.n_trials});
  if (!s.ok()) {
    std::fprintf(stderr, "worker: %s\n", s.ToString().c_str());
    return 13;
  }
  return 0;
}

void CreateStudyFile(const std::string& url, std::string_view revision = kOptunaSchemaV320a) {
  SqliteStorageOptions o;
  o.schema_revision = std::string(revision);
  auto storage = SqliteStorage::Open(url, o).value();
  ASSERT_TRUE(storage->CreateStudy("s", {StudyDirection::kMinimize}).ok());
}

FrozenTrial TrialNumbered(Storage& storage, int64_t study_id, int number) {
  for (FrozenTrial& t : GetAllTrials(storage, study_id).value()) {
    if (t.number == number) return t;
  }
  ADD_FAILURE() << "no trial " << number;
  return {};
}

// Waits until the trial is stale by `grace`; returns the seconds waited.
double WaitStale(Storage& storage, int64_t study_id, int64_t trial_id, double grace) {
  const auto start = SteadyClock::now();
  const bool stale = WaitUntil(
      [&] {
        const std::vector<int64_t> ids = storage.GetStaleTrialIds(study_id, grace).value();
        return std::find(ids.begin(), ids.end(), trial_id) != ids.end();
      },
      30s);
  EXPECT_TRUE(stale) << "trial id " << trial_id << " never went stale";
  return SecondsSince(start);
}

bool ExitedWith(const std::optional<int>& status, int code) {
  return status && WIFEXITED(*status) && WEXITSTATUS(*status) == code;
}

// ---- Killed workers ----

TEST(FaultToleranceSlowTest, AWorkerKilledMidTrialLosesNothingAndItsTrialRunsAgainOnItsPoint) {
  TempDir dir;
  const std::string url = dir.Url("kill.db");
  CreateStudyFile(url);
  const HeartbeatOptions hb = Heartbeat(0.2, 3);
  const pid_t pid = ForkChild([&] {
    return RunWorker({.url = url,
                      .heartbeat = hb,
                      .seed = 5,
                      .n_trials = 10,
                      .block_after = 3,
                      .marker = dir.File("marker")});
  });
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(dir.File("marker")); }, 60s));
  const Marker m = ReadMarker(dir.File("marker"));
  ASSERT_EQ(m.number, 3);
  auto storage = SqliteStorage::Open(url).value();
  const int64_t study_id = storage->GetStudyId("s").value();
  const std::vector<FrozenTrial> before = GetAllTrials(*storage, study_id).value();
  ASSERT_EQ(before.size(), 4u);
  const auto killed = SteadyClock::now();
  KillNine(pid);
  const double waited = WaitStale(*storage, study_id, before[3].trial_id, hb.GraceSeconds());
  std::printf(
      "[ figures  ] killed worker's trial stale %.2f s after SIGKILL (interval 0.2 s, "
      "grace 0.4 s, whole-second heartbeats)\n",
      waited);
  EXPECT_LE(SecondsSince(killed), 3.0) << "grace 0.4 s + at most 1 s of whole-second rounding";

  // A second worker finishes the study: 10 COMPLETE trials.
  auto study =
      LoadStudy({.name = "s",
                 .storage = storage,
                 .sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = 6}),
                 .pruner = std::make_shared<NopPruner>(),
                 .heartbeat = hb})
          .value();
  std::map<int, Point> seen;
  ASSERT_TRUE(study
                  ->Optimize(
                      [&](Trial& t) {
                        const Point p = Suggest(t);
                        seen[t.number()] = p;
                        return Evaluate(p.x, p.n);
                      },
                      {.n_trials = 7})
                  .ok());

  const std::vector<FrozenTrial> after = GetAllTrials(*storage, study_id).value();
  ASSERT_EQ(after.size(), 11u);
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(after[k].state, TrialState::kComplete) << "trial " << k << " lost";
    EXPECT_EQ(after[k].values, before[k].values) << "trial " << k;
    EXPECT_EQ(after[k].params.size(), 2u);
  }
  EXPECT_EQ(after[3].state, TrialState::kFail);
  EXPECT_EQ(after[3].FailReason(),
            "stale: no heartbeat for more than 0.4 s (worker presumed dead)");
  const FrozenTrial& retry = after[4];
  EXPECT_EQ(RetriedTrialNumber(retry), 3);
  EXPECT_EQ(RetryHistory(retry), std::vector<int>{3});
  EXPECT_EQ(retry.state, TrialState::kComplete);
  EXPECT_EQ(PointOf(retry), m.point);
  EXPECT_EQ(seen.at(4), m.point) << "the retry evaluated the dead trial's point";
  EXPECT_EQ(retry.value(), Evaluate(m.point.x, m.point.n));
  int complete = 0;
  for (const FrozenTrial& t : after) {
    complete += t.state == TrialState::kComplete;
    EXPECT_TRUE(IsFinished(t.state)) << "trial " << t.number;
  }
  EXPECT_EQ(complete, 10);
}

TEST(FaultToleranceSlowTest, ATrialWhoseRetriesKeepDyingIsRetriedExactlyMaxRetryTimes) {
  TempDir dir;
  const std::string url = dir.Url("retry.db");
  CreateStudyFile(url);
  const HeartbeatOptions hb = Heartbeat(0.2, 2);
  auto storage = SqliteStorage::Open(url).value();
  const int64_t study_id = storage->GetStudyId("s").value();
  std::vector<Marker> markers;
  // Each worker blocks on its first trial and is killed; the next one fails
  // that trial and runs its retry, if max_retry allows one.
  for (int round = 0; round < 4; ++round) {
    const std::string marker = dir.File("marker" + std::to_string(round));
    const pid_t pid = ForkChild([&] {
      return RunWorker({.url = url,
                        .heartbeat = hb,
                        .seed = 20 + static_cast<uint64_t>(round),
                        .n_trials = 1,
                        .block_after = 0,
                        .marker = marker});
    });
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(marker); }, 60s));
    markers.push_back(ReadMarker(marker));
    KillNine(pid);
    WaitStale(*storage, study_id, TrialNumbered(*storage, study_id, markers.back().number).trial_id,
              hb.GraceSeconds());
  }
  auto judge = LoadStudy({.name = "s", .storage = storage, .heartbeat = hb}).value();
  EXPECT_EQ(judge->FailStaleTrials().value(), std::vector<int>{3});

  ASSERT_EQ(markers.size(), 4u);
  EXPECT_EQ(markers[0].number, 0);
  EXPECT_EQ(markers[0].retried, -1);
  for (int k : {1, 2}) {
    EXPECT_EQ(markers[k].number, k);
    EXPECT_EQ(markers[k].retried, 0) << "retry " << k << " of trial 0";
    EXPECT_EQ(markers[k].point, markers[0].point);
  }
  EXPECT_EQ(markers[3].number, 3);
  EXPECT_EQ(markers[3].retried, -1) << "max_retry 2: a new trial, no third retry";
  EXPECT_NE(markers[3].point, markers[0].point);
  const std::vector<FrozenTrial> trials = GetAllTrials(*storage, study_id).value();
  ASSERT_EQ(trials.size(), 5u);
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(trials[k].state, TrialState::kFail);
    EXPECT_THAT(trials[k].FailReason(), HasSubstr("stale"));
  }
  EXPECT_EQ(RetryHistory(trials[2]), (std::vector<int>{0, 1}));
  EXPECT_EQ(trials[4].state, TrialState::kWaiting);
  EXPECT_EQ(RetriedTrialNumber(trials[4]), 3);
}

// ---- Ctrl-C ----

TEST(FaultToleranceSlowTest, SigintStopsAtTheNextReportAndOptimizeReturnsCancelled) {
  TempDir dir;
  const std::string url = dir.Url("sigint.db");
  CreateStudyFile(url);
  const pid_t pid = ForkChild([&] {
    auto storage = SqliteStorage::Open(url).value();
    auto study = LoadStudy({.name = "s", .storage = storage}).value();
    const Status s = study->Optimize(
        [&](Trial& t) {
          const Point p = Suggest(t);
          t.Report(1.0, 0);
          if (t.number() < 3) return Evaluate(p.x, p.n);
          WriteFileAtomically(dir.File("marker"), "running");
          for (int step = 1; step < 3000; ++step) {  // 30 s unless interrupted
            std::this_thread::sleep_for(10ms);
            t.Report(static_cast<double>(step), step);
          }
          return Evaluate(p.x, p.n);
        },
        {.n_trials = 100, .handle_signals = true});
    WriteFileAtomically(dir.File("status"), s.ToString());
    return s.code() == StatusCode::kCancelled ? 0 : 1;
  });
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(dir.File("marker")); }, 60s));
  std::this_thread::sleep_for(100ms);
  const auto sent = SteadyClock::now();
  ::kill(pid, SIGINT);
  const std::optional<int> status = WaitChild(pid, 20s);
  const double latency = SecondsSince(sent);
  std::printf("[ figures  ] SIGINT to Optimize returning Cancelled: %.3f s\n", latency);
  ASSERT_TRUE(ExitedWith(status, 0)) << ReadFile(dir.File("status"));
  EXPECT_LT(latency, 2.0);
  EXPECT_THAT(ReadFile(dir.File("status")),
              HasSubstr("interrupted by SIGINT: 1 running trial(s) marked FAIL"));

  auto storage = SqliteStorage::Open(url).value();
  const std::vector<FrozenTrial> trials =
      GetAllTrials(*storage, storage->GetStudyId("s").value()).value();
  ASSERT_EQ(trials.size(), 4u) << "no trial started after the signal";
  for (int k = 0; k < 3; ++k) EXPECT_EQ(trials[k].state, TrialState::kComplete);
  EXPECT_EQ(trials[3].state, TrialState::kFail);
  EXPECT_EQ(trials[3].FailReason(), "interrupted by SIGINT");
  EXPECT_GE(trials[3].intermediate_values.size(), 2u) << "its reports are kept";
}

TEST(FaultToleranceSlowTest, ASecondSigintFailsEveryRunningTrialAndExits130) {
  TempDir dir;
  const std::string url = dir.Url("sigint2.db");
  CreateStudyFile(url);
  const pid_t pid = ForkChild([&] {
    auto storage = SqliteStorage::Open(url).value();
    auto study = LoadStudy({.name = "s", .storage = storage}).value();
    (void)study->Optimize(
        [&](Trial& t) {
          Suggest(t);
          WriteFileAtomically(dir.File("marker" + std::to_string(t.number())), "running");
          std::this_thread::sleep_for(60s);  // never reports: only a second signal ends it
          return 1.0;
        },
        {.n_trials = 2, .n_jobs = 2, .handle_signals = true});
    return 0;
  });
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(WaitUntil(
      [&] {
        return std::filesystem::exists(dir.File("marker0")) &&
               std::filesystem::exists(dir.File("marker1"));
      },
      60s));
  ::kill(pid, SIGINT);
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(StillRunning(pid)) << "the first signal waits for the running trials";
  const auto sent = SteadyClock::now();
  ::kill(pid, SIGINT);
  const std::optional<int> status = WaitChild(pid, 20s);
  std::printf("[ figures  ] second SIGINT to exit: %.3f s\n", SecondsSince(sent));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status)) << "status " << *status;
  EXPECT_EQ(WEXITSTATUS(*status), 130);

  auto storage = SqliteStorage::Open(url).value();
  const std::vector<FrozenTrial> trials =
      GetAllTrials(*storage, storage->GetStudyId("s").value()).value();
  ASSERT_EQ(trials.size(), 2u);
  for (const FrozenTrial& t : trials) {
    EXPECT_EQ(t.state, TrialState::kFail) << "trial " << t.number;
    EXPECT_EQ(t.FailReason(), "interrupted by SIGINT (forced)") << "trial " << t.number;
  }
}

// ---- With Optuna workers ----

// Optuna's RDBStorage(heartbeat_interval=1) judges a trial stale when
// (CURRENT_TIMESTAMP - heartbeat).seconds > 2; ours with grace 3 s is later.
constexpr double kOptunaSurelyStale = 3.0;

TEST(FaultToleranceSlowTest, OptunaFailsAndRetriesTheTrialOfAKilledHypertuneWorker) {
  if (!HaveOptuna()) GTEST_SKIP() << "no optuna for " << kPython;
  TempDir dir;
  const std::string url = dir.Url("o1.db");
  CreateStudyFile(url, kOptunaSchemaV300d);  // Optuna 3.1 reads v3.0.0.d
  const pid_t pid = ForkChild([&] {
    return RunWorker({.url = url,
                      .heartbeat = Heartbeat(1.0, 3),
                      .seed = 5,
                      .n_trials = 10,
                      .block_after = 2,
                      .marker = dir.File("marker")});
  });
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(dir.File("marker")); }, 60s));
  const Marker m = ReadMarker(dir.File("marker"));
  ASSERT_EQ(m.number, 2);
  KillNine(pid);
  auto storage = SqliteStorage::Open(url).value();
  const int64_t study_id = storage->GetStudyId("s").value();
  WaitStale(*storage, study_id, TrialNumbered(*storage, study_id, 2).trial_id, kOptunaSurelyStale);

  const std::string log = dir.File("optuna.log");
  ASSERT_EQ(std::system((kPython + " '" + Script() + "' run '" + dir.File("o1.db") +
                         "' s 3 --heartbeat 1 --max-retry 3 --seed 9 --log '" + log + "'")
                            .c_str()),
            0);
  const std::vector<FrozenTrial> trials = GetAllTrials(*storage, study_id).value();
  ASSERT_EQ(trials.size(), 6u);
  EXPECT_EQ(trials[0].state, TrialState::kComplete);
  EXPECT_EQ(trials[1].state, TrialState::kComplete);
  EXPECT_EQ(trials[2].state, TrialState::kFail) << "failed by Optuna's fail_stale_trials";
  const FrozenTrial& retry = trials[3];
  EXPECT_EQ(RetriedTrialNumber(retry), 2);
  EXPECT_EQ(RetryHistory(retry), std::vector<int>{2});
  EXPECT_EQ(retry.state, TrialState::kComplete);
  EXPECT_EQ(PointOf(retry), m.point);
  EXPECT_EQ(retry.value(), Evaluate(m.point.x, m.point.n));
  // Optuna's objective was called with the dead trial's point.
  const Json first = Json::parse(ReadFile(log).substr(0, ReadFile(log).find('\n')));
  EXPECT_EQ(first["number"].get<int>(), 3);
  EXPECT_EQ(first["x"].get<double>(), m.point.x);
  EXPECT_EQ(first["n"].get<int64_t>(), m.point.n);
  EXPECT_EQ(trials[4].state, TrialState::kComplete);
  EXPECT_EQ(trials[5].state, TrialState::kComplete);
}

TEST(FaultToleranceSlowTest, HypertuneFailsAndRetriesTheTrialOfAKilledOptunaWorker) {
  if (!HaveOptuna()) GTEST_SKIP() << "no optuna for " << kPython;
  TempDir dir;
  const std::string db = dir.File("o2.db");
  const std::string url = dir.Url("o2.db");
  CreateStudyFile(url, kOptunaSchemaV300d);
  const pid_t py = Spawn({kPython, Script(), "run", db, "s", "10", "--heartbeat", "1",
                          "--block-after", "2", "--marker", dir.File("marker")});
  ASSERT_GT(py, 0);
  ASSERT_TRUE(WaitUntil([&] { return std::filesystem::exists(dir.File("marker")); }, 60s));
  const Json m = Json::parse(ReadFile(dir.File("marker")));
  const Point point{m["x"].get<double>(), m["n"].get<int64_t>()};
  ASSERT_EQ(m["number"].get<int>(), 2);
  KillNine(py);
  auto storage = SqliteStorage::Open(url).value();
  const int64_t study_id = storage->GetStudyId("s").value();
  const HeartbeatOptions hb = Heartbeat(1.0, 3);
  WaitStale(*storage, study_id, TrialNumbered(*storage, study_id, 2).trial_id, hb.GraceSeconds());

  auto study =
      LoadStudy({.name = "s",
                 .storage = storage,
                 .sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = 4}),
                 .pruner = std::make_shared<NopPruner>(),
                 .heartbeat = hb})
          .value();
  std::map<int, Point> seen;
  ASSERT_TRUE(study
                  ->Optimize(
                      [&](Trial& t) {
                        seen[t.number()] = Suggest(t);
                        return Evaluate(seen[t.number()].x, seen[t.number()].n);
                      },
                      {.n_trials = 3})
                  .ok());
  const std::vector<FrozenTrial> trials = GetAllTrials(*storage, study_id).value();
  ASSERT_EQ(trials.size(), 6u);
  EXPECT_EQ(trials[2].state, TrialState::kFail);
  EXPECT_EQ(trials[2].FailReason(), "stale: no heartbeat for more than 2 s (worker presumed dead)");
  EXPECT_EQ(RetriedTrialNumber(trials[3]), 2);
  EXPECT_EQ(trials[3].user_attrs.at("worker"), "\"optuna\"") << "copied from the dead trial";
  EXPECT_EQ(seen.at(3), point) << "the retry evaluated the dead trial's point";

  // Optuna reads the retry as one of its own.
  const std::string out = dir.File("dump.json");
  ASSERT_EQ(
      std::system((kPython + " '" + Script() + "' dump '" + db + "' s '" + out + "'").c_str()), 0);
  const Json dump = Json::parse(ReadFile(out));
  ASSERT_EQ(dump["trials"].size(), 6u);
  const Json& t2 = dump["trials"][2];
  const Json& t3 = dump["trials"][3];
  EXPECT_EQ(t2["state"], "FAIL");
  EXPECT_EQ(t3["state"], "COMPLETE");
  EXPECT_EQ(t3["retried_trial_number"], 2);
  EXPECT_EQ(t3["retry_history"], Json::array({2}));
  EXPECT_EQ(t3["params"]["x"].get<double>(), point.x);
  EXPECT_EQ(t3["params"]["n"].get<int64_t>(), point.n);
  for (const Json& t : dump["trials"]) {
    if (t["number"] != 2) {
      EXPECT_EQ(t["state"], "COMPLETE") << t.dump();
    }
  }
}

// An Optuna worker and a hypertune worker, both with heartbeats, on one study
// at the same time: neither takes the other's living trials for dead.
TEST(FaultToleranceSlowTest, OptunaAndHypertuneWorkersRunOneStudyAtOnce) {
  if (!HaveOptuna()) GTEST_SKIP() << "no optuna for " << kPython;
  constexpr int kEach = 30;
  TempDir dir;
  const std::string db = dir.File("both.db");
  const std::string url = dir.Url("both.db");
  CreateStudyFile(url, kOptunaSchemaV300d);
  const pid_t py = Spawn({kPython, Script(), "run", db, "s", std::to_string(kEach), "--heartbeat",
                          "1", "--max-retry", "3", "--sleep", "0.03", "--seed", "3"});
  ASSERT_GT(py, 0);
  const pid_t ours = ForkChild([&] {
    return RunWorker({.url = url,
                      .heartbeat = Heartbeat(1.0, 3),
                      .seed = 4,
                      .n_trials = kEach,
                      .wait_for_a_trial = true,
                      .sleep_s = 0.03});
  });
  ASSERT_GT(ours, 0);
  const std::optional<int> py_status = WaitChild(py, 180s);
  const std::optional<int> our_status = WaitChild(ours, 180s);
  EXPECT_TRUE(ExitedWith(py_status, 0)) << "optuna worker";
  EXPECT_TRUE(ExitedWith(our_status, 0)) << "hypertune worker";

  auto storage = SqliteStorage::Open(url).value();
  const std::vector<FrozenTrial> trials =
      GetAllTrials(*storage, storage->GetStudyId("s").value()).value();
  ASSERT_EQ(trials.size(), static_cast<size_t>(2 * kEach));
  std::map<std::string, std::vector<int>> by_worker;
  std::set<int> numbers;
  for (const FrozenTrial& t : trials) {
    numbers.insert(t.number);
    EXPECT_EQ(t.state, TrialState::kComplete) << "trial " << t.number << ": " << t.FailReason();
    if (t.state == TrialState::kComplete) {
      const Point p = PointOf(t);
      EXPECT_EQ(t.value(), Evaluate(p.x, p.n)) << "trial " << t.number;
    }
    by_worker[t.user_attrs.count("worker") ? t.user_attrs.at("worker") : "?"].push_back(t.number);
  }
  EXPECT_EQ(numbers.size(), static_cast<size_t>(2 * kEach));
  EXPECT_EQ(*numbers.begin(), 0);
  EXPECT_EQ(*numbers.rbegin(), 2 * kEach - 1);
  const std::vector<int>& o = by_worker["\"optuna\""];
  const std::vector<int>& h = by_worker["\"hypertune\""];
  ASSERT_EQ(o.size(), static_cast<size_t>(kEach));
  ASSERT_EQ(h.size(), static_cast<size_t>(kEach));
  EXPECT_TRUE(h.front() < o.back() && o.front() < h.back())
      << "the workers' trials interleave: they ran at the same time";

  const std::string out = dir.File("dump.json");
  ASSERT_EQ(
      std::system((kPython + " '" + Script() + "' dump '" + db + "' s '" + out + "'").c_str()), 0);
  const Json dump = Json::parse(ReadFile(out));
  ASSERT_EQ(dump["trials"].size(), static_cast<size_t>(2 * kEach));
  for (size_t k = 0; k < dump["trials"].size(); ++k) {
    EXPECT_EQ(dump["trials"][k]["number"].get<size_t>(), k);
    EXPECT_EQ(dump["trials"][k]["state"], "COMPLETE");
  }
}

}  // namespace
}  // namespace hypertune::testing
