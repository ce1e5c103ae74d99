// Fault tolerance within one process: heartbeat options, failing and
// re-queueing stale trials (their workers' deaths simulated by aging the
// heartbeat in the SQLite file), the heartbeat thread, and the first-signal
// path of Optimize(handle_signals). Killed processes, the forced second
// signal and Optuna workers: fault_tolerance_slow_test.cc.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <csignal>
#include <map>
#include <set>

#include "hypertune/core/grid_sampler.h"
#include "hypertune/core/in_memory_storage.h"
#include "hypertune/core/pruner.h"
#include "hypertune/core/random_sampler.h"
#include "hypertune/core/sqlite_storage.h"
#include "hypertune/core/study.h"
#include "tests/core/storages/fault_tolerance_util.h"
#include "tests/core/storages/sqlite_test_util.h"

namespace hypertune::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

HeartbeatOptions Heartbeat(double interval_s, int max_retry = 0) {
  return {.interval = std::chrono::duration<double>(interval_s), .max_retry = max_retry};
}

StudyOptions Options(std::shared_ptr<Storage> storage, std::optional<HeartbeatOptions> hb,
                     uint64_t seed = 1) {
  return {.name = "s",
          .storage = std::move(storage),
          .sampler = std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = seed}),
          .pruner = std::make_shared<NopPruner>(),
          .heartbeat = hb};
}

// A study in a fresh SQLite file, and more workers on it, each with its own
// connection as another process would have.
class FaultToleranceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = SqliteStorage::Open(dir_.Url("ft.db")).value();
    ASSERT_TRUE(storage_->CreateStudy("s", {StudyDirection::kMinimize}).ok());
    study_id_ = storage_->GetStudyId("s").value();
  }
  std::shared_ptr<Study> Worker(std::optional<HeartbeatOptions> hb, uint64_t seed = 1) {
    auto storage = SqliteStorage::Open(dir_.Url("ft.db")).value();
    Result<std::shared_ptr<Study>> s = LoadStudy(Options(storage, hb, seed));
    EXPECT_TRUE(s.ok()) << s.status();
    return s.value_or(nullptr);
  }
  // A worker that starts a trial, suggests its point, reports, and dies.
  // Returns the trial as its worker left it.
  FrozenTrial DyingWorker(HeartbeatOptions hb, uint64_t seed) {
    auto worker = Worker(hb, seed);
    Trial t = worker->Ask().value();
    Suggest(t);
    t.Report(0.25, 0);
    t.SetUserAttr("tag", "died");
    return t.Snapshot();
  }
  std::string Path() const { return dir_.File("ft.db"); }
  std::vector<FrozenTrial> Trials() { return GetAllTrials(*storage_, study_id_).value(); }

  TempDir dir_;
  std::shared_ptr<SqliteStorage> storage_;
  int64_t study_id_ = -1;
};

// ---- Options ----

TEST(HeartbeatOptionsTest, InvalidOptionsAreRefusedByCreateAndLoad) {
  TempDir dir;
  auto storage = SqliteStorage::Open(dir.Url("o.db")).value();
  struct Case {
    HeartbeatOptions hb;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{.interval = std::chrono::duration<double>(0.0)}, "interval must be"},
      {{.interval = std::chrono::duration<double>(-1.0)}, "interval must be"},
      {{.interval = std::chrono::duration<double>(NAN)}, "interval must be"},
      {{.interval = std::chrono::duration<double>(INFINITY)}, "interval must be"},
      {{.interval = std::chrono::duration<double>(2.0),
        .grace = std::chrono::duration<double>(1.0)},
       "grace must be finite and >= interval"},
      {{.interval = std::chrono::duration<double>(1.0), .max_retry = -2}, "max_retry must be"},
  };
  for (const Case& c : cases) {
    Result<std::shared_ptr<Study>> created = CreateStudy(Options(storage, c.hb));
    EXPECT_EQ(created.status().code(), StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(created.status().message(), HasSubstr(c.message));
    Result<std::shared_ptr<Study>> loaded = LoadStudy(Options(storage, c.hb));
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument) << c.message;
  }
  HeartbeatOptions ok = Heartbeat(1.5);
  EXPECT_EQ(ok.GraceSeconds(), 3.0);  // 2 x interval, as Optuna
  ok.grace = std::chrono::duration<double>(1.5);
  EXPECT_TRUE(ok.Validate().ok());
  ok.max_retry = kUnlimitedRetries;
  EXPECT_TRUE(ok.Validate().ok());
}

TEST(HeartbeatOptionsTest, AStorageWithoutHeartbeatsIsRefusedByName) {
  auto memory = std::make_shared<InMemoryStorage>();
  Result<std::shared_ptr<Study>> created = CreateStudy(Options(memory, Heartbeat(1.0)));
  ASSERT_EQ(created.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(created.status().message(), HasSubstr("InMemoryStorage"));
  EXPECT_THAT(created.status().message(), HasSubstr("keeps no heartbeats"));
  EXPECT_TRUE(memory->ListStudies().value().empty()) << "nothing created";
  ASSERT_TRUE(CreateStudy(Options(memory, std::nullopt)).ok());
  EXPECT_EQ(LoadStudy(Options(memory, Heartbeat(1.0))).status().code(),
            StatusCode::kInvalidArgument);
  // Without heartbeats there is nothing to find.
  auto study = LoadStudy(Options(memory, std::nullopt)).value();
  EXPECT_EQ(study->FailStaleTrials().status().code(), StatusCode::kFailedPrecondition);
}

// ---- Stale trials ----

TEST_F(FaultToleranceTest, AStaleTrialIsFailedAndRequeuedWithItsPointAndAttributes) {
  const HeartbeatOptions hb = Heartbeat(0.2, 1);
  const FrozenTrial died = DyingWorker(hb, 7);
  ASSERT_EQ(died.state, TrialState::kRunning);
  auto study = Worker(hb);
  EXPECT_TRUE(study->FailStaleTrials().value().empty()) << "its heartbeat is fresh";

  ASSERT_EQ(AgeHeartbeat(Path(), died.trial_id), "");
  EXPECT_THAT(study->FailStaleTrials().value(), ElementsAre(0));
  std::vector<FrozenTrial> trials = Trials();
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].state, TrialState::kFail);
  EXPECT_EQ(trials[0].FailReason(),
            "stale: no heartbeat for more than 0.4 s (worker presumed dead)");
  EXPECT_EQ(PointOf(trials[0]), PointOf(died)) << "the failed trial keeps what it had";
  const FrozenTrial& retry = trials[1];
  EXPECT_EQ(retry.state, TrialState::kWaiting);
  EXPECT_EQ(PointOf(retry), PointOf(died));
  EXPECT_EQ(*retry.params[0].distribution, *died.params[0].distribution);
  EXPECT_EQ(retry.user_attrs.at("tag"), "\"died\"");
  EXPECT_EQ(retry.system_attrs.at("failed_trial"), "0");
  EXPECT_EQ(retry.system_attrs.at("retry_history"), "[0]");
  EXPECT_EQ(RetriedTrialNumber(retry), 0);
  EXPECT_EQ(RetryHistory(retry), std::vector<int>{0});
  EXPECT_EQ(retry.FailReason(), "") << "the reason stays with the failed attempt";
  EXPECT_TRUE(retry.intermediate_values.empty()) << "not inherited by default";
  EXPECT_FALSE(retry.datetime_start.has_value());

  // The next trial run is the retry, on the same point.
  std::vector<Point> seen;
  ASSERT_TRUE(study
                  ->Optimize(
                      [&](Trial& t) {
                        seen.push_back(Suggest(t));
                        return Evaluate(seen.back().x, seen.back().n);
                      },
                      {.n_trials = 1})
                  .ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], PointOf(died));
  trials = Trials();
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[1].state, TrialState::kComplete);
  EXPECT_EQ(trials[1].value(), Evaluate(seen[0].x, seen[0].n));
  // A second check finds nothing: failed once, re-queued once.
  EXPECT_TRUE(study->FailStaleTrials().value().empty());
  EXPECT_EQ(Trials().size(), 2u);
}

TEST_F(FaultToleranceTest, InheritIntermediateValuesCopiesTheReports) {
  HeartbeatOptions hb = Heartbeat(0.2, 1);
  hb.inherit_intermediate_values = true;
  const FrozenTrial died = DyingWorker(hb, 3);
  ASSERT_EQ(AgeHeartbeat(Path(), died.trial_id), "");
  auto study = Worker(hb);
  ASSERT_THAT(study->FailStaleTrials().value(), ElementsAre(0));
  const std::vector<FrozenTrial> trials = Trials();
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[1].intermediate_values, (std::vector<std::pair<int64_t, double>>{{0, 0.25}}));
}

// A trial whose retries keep dying is re-queued exactly max_retry times.
TEST_F(FaultToleranceTest, RetriesStopAfterMaxRetry) {
  for (int max_retry : {0, 2, kUnlimitedRetries}) {
    SCOPED_TRACE("max_retry " + std::to_string(max_retry));
    ASSERT_TRUE(storage_->DeleteStudy(study_id_).ok());
    study_id_ = storage_->CreateStudy("s", {StudyDirection::kMinimize}).value();
    const HeartbeatOptions hb = Heartbeat(0.2, max_retry);
    auto judge = Worker(hb);
    const FrozenTrial first = DyingWorker(hb, 11);
    FrozenTrial last = first;
    int retries = 0;
    for (int round = 0; round < 4; ++round) {
      ASSERT_EQ(AgeHeartbeat(Path(), last.trial_id), "");
      ASSERT_THAT(judge->FailStaleTrials().value(), ElementsAre(last.number));
      const FrozenTrial next = DyingWorker(hb, 100 + static_cast<uint64_t>(round));
      if (!RetriedTrialNumber(next)) {
        EXPECT_NE(PointOf(next), PointOf(first)) << "a new trial, a new point";
        break;
      }
      ++retries;
      EXPECT_EQ(RetriedTrialNumber(next), first.number);
      EXPECT_EQ(PointOf(next), PointOf(first));
      std::vector<int> expected_history;
      for (int k = 0; k <= round; ++k) expected_history.push_back(first.number + k);
      EXPECT_EQ(RetryHistory(next), expected_history);
      last = next;
    }
    EXPECT_EQ(retries, max_retry == kUnlimitedRetries ? 4 : max_retry);
  }
}

// Several workers find the same stale trials at once: each is failed once and
// re-queued once.
TEST_F(FaultToleranceTest, WorkersRacingForStaleTrialsFailAndRequeueEachOnce) {
  constexpr int kStale = 20;
  constexpr int kWorkers = 4;
  auto dist = std::make_shared<const Distribution>(FloatDistribution{-1.0, 1.0});
  for (int k = 0; k < kStale; ++k) {
    const FrozenTrial t = storage_->CreateTrial(study_id_).value();
    ASSERT_TRUE(storage_->SetTrialParam(t.trial_id, "x", k / 100.0, dist).ok());
    ASSERT_TRUE(storage_->RecordHeartbeat(t.trial_id).ok());
  }
  ASSERT_EQ(ExecSql(Path(),
                    "UPDATE trial_heartbeats SET heartbeat = datetime('now', '-3600 "
                    "seconds')"),
            "");
  std::vector<std::shared_ptr<Study>> workers;
  for (int w = 0; w < kWorkers; ++w) workers.push_back(Worker(Heartbeat(0.2, 3)));
  std::vector<std::vector<int>> won(kWorkers);
  std::barrier start(kWorkers);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      start.arrive_and_wait();
      Result<std::vector<int>> r = workers[static_cast<size_t>(w)]->FailStaleTrials();
      EXPECT_TRUE(r.ok()) << r.status();
      won[static_cast<size_t>(w)] = r.value_or(std::vector<int>{});
    });
  }
  for (std::thread& t : threads) t.join();
  std::multiset<int> all;
  for (const auto& v : won) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kStale)) << "each failed by exactly one worker";
  EXPECT_EQ(std::set<int>(all.begin(), all.end()).size(), static_cast<size_t>(kStale));
  const std::vector<FrozenTrial> trials = Trials();
  ASSERT_EQ(trials.size(), static_cast<size_t>(2 * kStale)) << "each re-queued exactly once";
  std::set<int> retried;
  for (const FrozenTrial& t : trials) {
    if (t.number < kStale) {
      EXPECT_EQ(t.state, TrialState::kFail);
      EXPECT_THAT(t.FailReason(), HasSubstr("stale"));
    } else {
      EXPECT_EQ(t.state, TrialState::kWaiting);
      const int from = RetriedTrialNumber(t).value_or(-1);
      retried.insert(from);
      EXPECT_EQ(std::get<double>(t.param("x")), from / 100.0) << "trial " << t.number;
    }
  }
  EXPECT_EQ(retried.size(), static_cast<size_t>(kStale));
}

TEST_F(FaultToleranceTest, AWorkerDoesNotFailTheTrialsItRunsItself) {
  // A long interval: its own heartbeat thread does not undo the aging.
  auto study = Worker(Heartbeat(30.0, 1));
  Trial mine = study->Ask().value();
  ASSERT_EQ(AgeHeartbeat(Path(), mine.trial_id()), "");
  EXPECT_TRUE(study->FailStaleTrials().value().empty());
  EXPECT_EQ(storage_->GetTrial(mine.trial_id()).value().state, TrialState::kRunning);
  // Another worker cannot know it is alive.
  EXPECT_THAT(Worker(Heartbeat(30.0, 1))->FailStaleTrials().value(), ElementsAre(0));
  // Its own Tell then finds it finished.
  EXPECT_EQ(study->Tell(mine, {1.0}).code(), StatusCode::kFailedPrecondition);
}

TEST_F(FaultToleranceTest, AskChecksForStaleTrialsAtMostEveryHalfInterval) {
  const HeartbeatOptions hb = Heartbeat(10.0, 1);
  auto study = Worker(hb);
  Trial first = study->Ask().value();  // checks (nothing stale yet)
  ASSERT_TRUE(study->Tell(first, {1.0}).ok());
  const FrozenTrial died = DyingWorker(hb, 5);
  ASSERT_EQ(AgeHeartbeat(Path(), died.trial_id), "");
  Trial second = study->Ask().value();  // within 5 s of the last check
  EXPECT_EQ(storage_->GetTrial(died.trial_id).value().state, TrialState::kRunning);
  EXPECT_FALSE(RetriedTrialNumber(second.Snapshot()).has_value());
  EXPECT_THAT(study->FailStaleTrials().value(), ElementsAre(died.number));
  // A fresh worker checks at once, and runs the retry.
  Trial third = Worker(hb)->Ask().value();
  EXPECT_EQ(RetriedTrialNumber(third.Snapshot()), died.number);
}

// A grid point whose trial died is run again even when every point is held.
TEST_F(FaultToleranceTest, ARetryKeepsItsGridPointInAnExhaustedGrid) {
  const HeartbeatOptions hb = Heartbeat(0.2, 1);
  auto grid = [] { return GridSampler::Create({.search_space = {{"x", {0.5, -0.5}}}}).value(); };
  auto worker = [&] {
    StudyOptions o = Options(SqliteStorage::Open(dir_.Url("ft.db")).value(), hb);
    o.sampler = grid();
    return LoadStudy(o).value();
  };
  auto study = worker();
  Trial first = study->Ask().value();
  const double x0 = first.SuggestFloat("x", -1.0, 1.0);
  ASSERT_TRUE(study->Tell(first, {x0}).ok());
  double died_x = 0;
  int64_t died_id = -1;
  {
    auto dying = worker();
    Trial t = dying->Ask().value();
    died_x = t.SuggestFloat("x", -1.0, 1.0);
    died_id = t.trial_id();
  }
  EXPECT_NE(died_x, x0);
  ASSERT_EQ(AgeHeartbeat(Path(), died_id), "");
  std::vector<double> seen;
  // A fresh worker: its first Ask looks for stale trials at once.
  ASSERT_TRUE(worker()
                  ->Optimize(
                      [&](Trial& t) {
                        seen.push_back(t.SuggestFloat("x", -1.0, 1.0));
                        return seen.back();
                      },
                      {.n_trials = 5})
                  .ok());
  EXPECT_EQ(seen, std::vector<double>{died_x}) << "the retry, then the grid is done";
  const std::vector<FrozenTrial> trials = Trials();
  ASSERT_EQ(trials.size(), 3u);
  EXPECT_EQ(trials[1].state, TrialState::kFail);
  EXPECT_EQ(trials[2].state, TrialState::kComplete);
  EXPECT_EQ(trials[2].system_attrs.at("grid_id"), trials[1].system_attrs.at("grid_id"));
}

// ---- The heartbeat thread ----

// Forwards to another storage, counting heartbeats.
class CountingStorage : public Storage {
 public:
  explicit CountingStorage(std::shared_ptr<Storage> inner) : inner_(std::move(inner)) {}
  std::atomic<int> heartbeats{0};

  Result<int64_t> CreateStudy(std::string_view name,
                              const std::vector<StudyDirection>& directions) override {
    return inner_->CreateStudy(name, directions);
  }
  Status DeleteStudy(int64_t id) override { return inner_->DeleteStudy(id); }
  Result<int64_t> GetStudyId(std::string_view name) override { return inner_->GetStudyId(name); }
  Result<StudySummary> GetStudy(int64_t id) override { return inner_->GetStudy(id); }
  Result<std::vector<StudySummary>> ListStudies() override { return inner_->ListStudies(); }
  Status SetStudyUserAttr(int64_t id, std::string_view k, std::string_view j) override {
    return inner_->SetStudyUserAttr(id, k, j);
  }
  Status SetStudySystemAttr(int64_t id, std::string_view k, std::string_view j) override {
    return inner_->SetStudySystemAttr(id, k, j);
  }
  Result<FrozenTrial> CreateTrial(int64_t id, const FrozenTrial* templ) override {
    return inner_->CreateTrial(id, templ);
  }
  Result<FrozenTrial> PopWaitingTrial(int64_t id) override { return inner_->PopWaitingTrial(id); }
  Status SetTrialParam(int64_t id, std::string_view name, double internal,
                       std::shared_ptr<const Distribution> d) override {
    return inner_->SetTrialParam(id, name, internal, std::move(d));
  }
  Status SetTrialIntermediateValue(int64_t id, int64_t step, double v) override {
    return inner_->SetTrialIntermediateValue(id, step, v);
  }
  Status SetTrialUserAttr(int64_t id, std::string_view k, std::string_view j) override {
    return inner_->SetTrialUserAttr(id, k, j);
  }
  Status SetTrialSystemAttr(int64_t id, std::string_view k, std::string_view j) override {
    return inner_->SetTrialSystemAttr(id, k, j);
  }
  Status SetTrialStateValues(int64_t id, TrialState s, const std::vector<double>& v) override {
    return inner_->SetTrialStateValues(id, s, v);
  }
  Result<FrozenTrial> GetTrial(int64_t id) override { return inner_->GetTrial(id); }
  Status ReadTrialUpdates(int64_t id, TrialCursor& c, std::vector<FrozenTrial>& out) override {
    return inner_->ReadTrialUpdates(id, c, out);
  }
  bool SupportsHeartbeat() const override { return inner_->SupportsHeartbeat(); }
  Status RecordHeartbeat(int64_t id) override {
    ++heartbeats;
    return inner_->RecordHeartbeat(id);
  }
  Result<std::vector<int64_t>> GetStaleTrialIds(int64_t id, double grace) override {
    return inner_->GetStaleTrialIds(id, grace);
  }

 private:
  std::shared_ptr<Storage> inner_;
};

int ThreadCount() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}

std::string HeartbeatText(const std::string& path, int64_t trial_id) {
  sqlite3* db = nullptr;
  std::string out;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* s = nullptr;
  const std::string sql =
      "SELECT heartbeat FROM trial_heartbeats WHERE trial_id = " + std::to_string(trial_id);
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

TEST_F(FaultToleranceTest, TheHeartbeatThreadKeepsARunningTrialFreshAndIdlesAfterwards) {
  auto counting = std::make_shared<CountingStorage>(storage_);
  auto study = LoadStudy(Options(counting, Heartbeat(0.1))).value();
  auto observer = SqliteStorage::Open(dir_.Url("ft.db")).value();
  std::vector<std::string> beats;
  bool ever_stale = false;
  int64_t trial_id = -1;
  ASSERT_TRUE(study
                  ->Optimize(
                      [&](Trial& t) {
                        trial_id = t.trial_id();
                        EXPECT_GE(counting->heartbeats.load(), 1) << "Ask records the first";
                        const auto start = SteadyClock::now();
                        // 2.5 s: a heartbeat never refreshed is stale (grace 0.5 s) by 1.5 s.
                        while (SecondsSince(start) < 2.5) {
                          ever_stale |=
                              !observer->GetStaleTrialIds(study->study_id(), 0.5).value().empty();
                          if (beats.empty() || beats.back() != HeartbeatText(Path(), trial_id))
                            beats.push_back(HeartbeatText(Path(), trial_id));
                          std::this_thread::sleep_for(50ms);
                        }
                        return 1.0;
                      },
                      {.n_trials = 1})
                  .ok());
  EXPECT_FALSE(ever_stale);
  EXPECT_GE(beats.size(), 3u) << "the stored heartbeat moved on (whole seconds)";
  const int during = counting->heartbeats.load();
  EXPECT_GE(during, 10) << "about 25 expected at 0.1 s";
  EXPECT_LE(during, 40);
  // Idle: no heartbeat work once no trial runs.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(counting->heartbeats.load(), during);
  std::printf("[ figures  ] %d heartbeats in a 2.5 s trial at interval 0.1 s\n", during);
}

TEST_F(FaultToleranceTest, OneHeartbeatThreadPerStudyStoppedPromptlyOnDestruction) {
  const int baseline = ThreadCount();
  auto study = Worker(Heartbeat(30.0));
  EXPECT_EQ(ThreadCount(), baseline) << "no thread before the first trial";
  constexpr int kJobs = 3;
  std::atomic<int> running{0};
  std::atomic<int> seen_threads{0};
  ASSERT_TRUE(study
                  ->Optimize(
                      [&](Trial&) {
                        ++running;
                        WaitUntil([&] { return running.load() >= kJobs; }, 10s);
                        seen_threads = std::max(seen_threads.load(), ThreadCount());
                        std::this_thread::sleep_for(100ms);
                        return 1.0;
                      },
                      {.n_trials = kJobs, .n_jobs = kJobs})
                  .ok());
  EXPECT_EQ(seen_threads.load(), baseline + kJobs + 1) << "workers + one heartbeat thread";
  EXPECT_EQ(ThreadCount(), baseline + 1) << "the heartbeat thread waits for the next trial";
  const auto t0 = SteadyClock::now();
  study.reset();
  EXPECT_LT(SecondsSince(t0), 1.0) << "not a 30 s interval";
  EXPECT_EQ(ThreadCount(), baseline);
}

// ---- Signals (the first one; the forced second one needs a child process) ----

struct sigaction Handler(int signo) {
  struct sigaction sa {};
  ::sigaction(signo, nullptr, &sa);
  return sa;
}

TEST(InterruptTest, FirstSignalStopsARunningTrialAtItsNextReportAndKeepsFinishedOnes) {
  auto study = CreateStudy(Options(std::make_shared<InMemoryStorage>(), std::nullopt)).value();
  const Status s = study->Optimize(
      [](Trial& t) {
        const Point p = Suggest(t);
        t.Report(0.5, 0);
        if (t.number() == 2) {
          std::raise(SIGINT);  // as Ctrl-C would, while the trial runs
          t.Report(0.25, 1);   // stored, then throws TrialInterrupted
          ADD_FAILURE() << "Report did not throw";
        }
        return Evaluate(p.x, p.n);
      },
      {.n_trials = 10, .handle_signals = true});
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_THAT(s.message(), HasSubstr("interrupted by SIGINT: 1 running trial(s) marked FAIL"));
  const std::vector<FrozenTrial> trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 3u) << "no new trial after the signal";
  EXPECT_EQ(trials[0].state, TrialState::kComplete);
  EXPECT_EQ(trials[1].state, TrialState::kComplete);
  EXPECT_EQ(trials[2].state, TrialState::kFail);
  EXPECT_EQ(trials[2].FailReason(), "interrupted by SIGINT");
  EXPECT_EQ(trials[2].intermediate_values.size(), 2u);
}

TEST(InterruptTest, ATrialThatFinishesAfterTheSignalIsKeptAndShouldPruneThrows) {
  auto study = CreateStudy(Options(std::make_shared<InMemoryStorage>(), std::nullopt)).value();
  Status s = study->Optimize(
      [](Trial&) {
        std::raise(SIGTERM);
        return 1.0;  // no report: the trial ends normally
      },
      {.n_trials = 10, .handle_signals = true});
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_THAT(s.message(), HasSubstr("interrupted by SIGTERM: 0 running trial(s) marked FAIL"));
  ASSERT_EQ(study->Trials().value().size(), 1u);
  EXPECT_EQ(study->Trials().value()[0].state, TrialState::kComplete);

  // The next Optimize starts afresh; ShouldPrune throws too.
  bool threw = false;
  s = study->Optimize(
      [&](Trial& t) {
        if (t.number() == 2) {
          std::raise(SIGINT);
          try {
            (void)t.ShouldPrune();
          } catch (const TrialInterrupted& e) {
            threw = true;
            EXPECT_STREQ(e.what(), "interrupted by SIGINT");
            throw;
          }
        }
        return 1.0;
      },
      {.n_trials = 10, .handle_signals = true});
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_TRUE(threw);
  const std::vector<FrozenTrial> trials = study->Trials().value();
  ASSERT_EQ(trials.size(), 3u);
  EXPECT_EQ(trials[1].state, TrialState::kComplete);
  EXPECT_EQ(trials[2].FailReason(), "interrupted by SIGINT");
}

TEST(InterruptTest, HandlersAreOursOnlyDuringOptimizeAndRestoredAfter) {
  static std::atomic<int> custom_calls{0};
  struct sigaction custom {};
  custom.sa_handler = [](int) { ++custom_calls; };
  sigemptyset(&custom.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  ASSERT_EQ(::sigaction(SIGINT, &custom, &old_int), 0);
  ASSERT_EQ(::sigaction(SIGTERM, &custom, &old_term), 0);
  auto study = CreateStudy(Options(std::make_shared<InMemoryStorage>(), std::nullopt)).value();
  bool ours_during = false;
  bool custom_without = false;
  ASSERT_TRUE(study
                  ->Optimize(
                      [&](Trial&) {
                        ours_during = Handler(SIGINT).sa_handler != custom.sa_handler &&
                                      Handler(SIGTERM).sa_handler != custom.sa_handler;
                        return 1.0;
                      },
                      {.n_trials = 2, .handle_signals = true})
                  .ok());
  EXPECT_TRUE(ours_during);
  EXPECT_EQ(Handler(SIGINT).sa_handler, custom.sa_handler);
  EXPECT_EQ(Handler(SIGTERM).sa_handler, custom.sa_handler);
  ASSERT_TRUE(study
                  ->Optimize(
                      [&](Trial&) {
                        custom_without = Handler(SIGINT).sa_handler == custom.sa_handler;
                        return 1.0;
                      },
                      {.n_trials = 1})
                  .ok());
  EXPECT_TRUE(custom_without) << "handle_signals defaults to false";
  std::raise(SIGINT);
  EXPECT_EQ(custom_calls.load(), 1);
  EXPECT_EQ(study->Trials().value().size(), 3u);
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
}

}  // namespace
}  // namespace hypertune::testing
