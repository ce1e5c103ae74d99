// JournalStorage: the conformance suite, the log format, replay across
// storage objects, and robustness (torn and corrupt lines, stale locks, I/O
// errors).
#include "hypertune/core/journal_storage.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "hypertune/testing/storage_conformance.h"
#include "src/core/storages/journal/file_lock.h"
#include "tests/core/storages/journal_test_util.h"

namespace hypertune::testing {
namespace {

// One directory for the whole program: storages made by the conformance
// factory outlive any test-local object.
TempDir& SharedDir() {
  static TempDir dir;
  return dir;
}

std::shared_ptr<Storage> NewJournal(JournalLockKind kind) {
  static int counter = 0;
  JournalStorageOptions options;
  options.lock_kind = kind;
  return JournalStorage::Open(
             JournalUrl(SharedDir().File("conformance" + std::to_string(counter++) + ".log")),
             options)
      .value();
}

INSTANTIATE_TEST_SUITE_P(
    Journal, StorageConformanceTest,
    ::testing::Values(StorageFactory{"journal_symlink_lock",
                                     [] { return NewJournal(JournalLockKind::kSymlink); }},
                      StorageFactory{"journal_open_lock",
                                     [] { return NewJournal(JournalLockKind::kOpen); }}),
    [](const auto& p) { return p.param.name; });

std::shared_ptr<const Distribution> Float01() {
  return std::make_shared<const Distribution>(FloatDistribution{0.0, 1.0});
}

class JournalStorageTest : public ::testing::Test {
 protected:
  std::shared_ptr<JournalStorage> OpenLog(JournalStorageOptions options = {}) {
    Result<std::shared_ptr<JournalStorage>> s = JournalStorage::Open(JournalUrl(path_), options);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : nullptr;
  }
  TempDir dir_;
  std::string path_ = dir_.File("study.log");
};

TEST_F(JournalStorageTest, UrlsAndPathsAreChecked) {
  EXPECT_EQ(JournalStorage::Open("sqlite:///x.db").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(JournalStorage::Open("journal:///").status().code(), StatusCode::kInvalidArgument);
  Result<std::shared_ptr<JournalStorage>> missing =
      JournalStorage::Open(JournalUrl(dir_.File("no/such/dir/x.log")));
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  EXPECT_NE(missing.status().message().find("no/such/dir/x.log"), std::string::npos)
      << missing.status();
  EXPECT_EQ(JournalStorage::Open(JournalUrl(dir_.File(""))).status().code(),
            StatusCode::kIoError);  // a directory
  // A relative path is relative to the working directory.
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_.File(""));
  Result<std::shared_ptr<JournalStorage>> rel = JournalStorage::Open("journal:///rel.log");
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(rel.ok()) << rel.status();
  EXPECT_TRUE(std::filesystem::exists(dir_.File("rel.log")));
  JournalStorageOptions bad;
  bad.lock_timeout_s = NAN;
  EXPECT_EQ(JournalStorage::Open(JournalUrl(path_), bad).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(JournalStorageTest, AnUnwritableFileIsAnIoError) {
  WriteRaw(path_, "");
  ASSERT_EQ(::chmod(path_.c_str(), 0444), 0);
  // In a child, as a user that the file's mode applies to (root's is not).
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(2);
    Result<std::shared_ptr<JournalStorage>> s = JournalStorage::Open(JournalUrl(path_));
    const bool ok = s.status().code() == StatusCode::kIoError &&
                    s.status().message().find(path_) != std::string::npos &&
                    s.status().message().find("ermission denied") != std::string::npos;
    if (!ok) std::cerr << s.status() << "\n";
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: could not drop root; 1: wrong status";
}

TEST_F(JournalStorageTest, LinesAreOptunasFormat) {
  auto s = OpenLog();
  const int64_t study = s->CreateStudy("s", {StudyDirection::kMaximize}).value();
  const int64_t trial = s->CreateTrial(study).value().trial_id;
  ASSERT_TRUE(
      s->SetTrialParam(trial, "n", 3.0,
                       std::make_shared<const Distribution>(IntDistribution{1, 9, false, 2}))
          .ok());
  ASSERT_TRUE(s->SetTrialIntermediateValue(trial, 0, NAN).ok());
  ASSERT_TRUE(s->SetTrialUserAttr(trial, "k", "{\n  \"a\": [1, 2]\n}").ok());
  ASSERT_TRUE(s->SetTrialStateValues(trial, TrialState::kComplete, {INFINITY}).ok());
  const std::vector<std::string> lines = Lines(ReadFile(path_));
  ASSERT_EQ(lines.size(), 6u);
  const std::string worker = "\"worker_id\": \"" + s->worker_id_prefix();
  for (const std::string& line : lines) EXPECT_NE(line.find(worker), std::string::npos) << line;
  EXPECT_EQ(lines[0].substr(0, 28), "{\"op_code\": 0, \"worker_id\": ");
  EXPECT_NE(lines[0].find("\"study_name\": \"s\", \"directions\": [2]}"), std::string::npos);
  EXPECT_NE(lines[1].find("\"study_id\": 0, \"datetime_start\": \"20"), std::string::npos);
  EXPECT_NE(lines[2].find("\"param_name\": \"n\", \"param_value_internal\": 3.0, "
                          "\"distribution\": \"{\\\"name\\\":\\\"IntDistribution\\\""),
            std::string::npos)
      << lines[2];
  EXPECT_NE(lines[3].find("\"step\": 0, \"intermediate_value\": NaN}"), std::string::npos);
  EXPECT_NE(lines[4].find("\"user_attr\": {\"k\": {   \"a\": [1, 2] }}}"), std::string::npos)
      << lines[4];
  EXPECT_NE(lines[5].find("\"state\": 1, \"values\": [Infinity], \"datetime_complete\": \"20"),
            std::string::npos)
      << lines[5];
  // No lock or rename file is left behind.
  for (const auto& e : std::filesystem::directory_iterator(dir_.File("")))
    EXPECT_EQ(e.path().filename(), "study.log");
}

TEST_F(JournalStorageTest, AnotherStorageObjectReplaysEverything) {
  auto a = OpenLog();
  const int64_t study = a->CreateStudy("s", {StudyDirection::kMinimize}).value();
  ASSERT_TRUE(a->SetStudyUserAttr(study, "owner", "\"ana\"").ok());
  FrozenTrial templ;
  templ.state = TrialState::kComplete;
  templ.values = {0.5};
  templ.params.push_back({"x", Float01(), 0.25});
  templ.intermediate_values = {{0, 1.5}, {3, NAN}};
  templ.user_attrs["u"] = "[1, \"two\"]";
  templ.system_attrs["s"] = "null";
  templ.datetime_start =
      FrozenTrial::Clock::time_point(std::chrono::microseconds(1600000000000001));
  const FrozenTrial added = a->CreateTrial(study, &templ).value();
  const int64_t running = a->CreateTrial(study).value().trial_id;
  ASSERT_TRUE(a->SetTrialParam(running, "x", 0.75, Float01()).ok());

  auto b = OpenLog();
  EXPECT_EQ(b->GetStudyId("s").value(), study);
  const StudySummary sum = b->GetStudy(study).value();
  EXPECT_EQ(sum.n_trials, 2);
  EXPECT_EQ(sum.user_attrs.at("owner"), "\"ana\"");
  const FrozenTrial t = b->GetTrial(added.trial_id).value();
  EXPECT_EQ(t.state, TrialState::kComplete);
  EXPECT_EQ(t.values, std::vector<double>{0.5});
  ASSERT_EQ(t.params.size(), 1u);
  EXPECT_EQ(t.params[0].internal, 0.25);
  EXPECT_EQ(*t.params[0].distribution, *Float01());
  ASSERT_EQ(t.intermediate_values.size(), 2u);
  EXPECT_EQ(t.intermediate_values[0], (std::pair<int64_t, double>{0, 1.5}));
  EXPECT_TRUE(std::isnan(t.intermediate_values[1].second));
  EXPECT_EQ(t.user_attrs.at("u"), "[1, \"two\"]");
  EXPECT_EQ(t.system_attrs.at("s"), "null");
  EXPECT_EQ(t.datetime_start, templ.datetime_start);
  EXPECT_EQ(t.datetime_complete, added.datetime_complete);
  EXPECT_TRUE(t.datetime_complete.has_value());

  // b's writes reach a; a cursor means the same in both.
  TrialCursor cursor;
  std::vector<FrozenTrial> out;
  ASSERT_TRUE(a->ReadTrialUpdates(study, cursor, out).ok());
  EXPECT_EQ(out.size(), 2u);
  ASSERT_TRUE(b->SetTrialStateValues(running, TrialState::kComplete, {2.0}).ok());
  out.clear();
  ASSERT_TRUE(b->ReadTrialUpdates(study, cursor, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].trial_id, running);
  EXPECT_EQ(out[0].state, TrialState::kComplete);
  out.clear();
  ASSERT_TRUE(a->ReadTrialUpdates(study, cursor, out).ok());
  EXPECT_TRUE(out.empty());
  // a sees b's finish and refuses a second one.
  EXPECT_EQ(a->SetTrialStateValues(running, TrialState::kFail, {}).code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(JournalStorageTest, OpsOtherWorkersWroteThatFailAreIgnored) {
  // Two workers finished trial 0; the second finish, a param on a finished
  // trial, a duplicate study and an incompatible distribution are no-ops.
  const std::string dist = R"("{\"name\": \"FloatDistribution\", \"attributes\": )"
                           R"({\"step\": null, \"low\": 0.0, \"high\": 1.0, \"log\": false}}")";
  const std::string int_dist = R"("{\"name\": \"IntDistribution\", \"attributes\": )"
                               R"({\"log\": false, \"step\": 1, \"low\": 0, \"high\": 5}}")";
  const std::vector<std::string> lines = {
      R"({"op_code": 0, "worker_id": "w1", "study_name": "s", "directions": [1]})",
      R"({"op_code": 0, "worker_id": "w2", "study_name": "s", "directions": [2]})",
      R"({"op_code": 4, "worker_id": "w1", "study_id": 0, )"
      R"("datetime_start": "2024-01-02T03:04:05.000006"})",
      R"({"op_code": 4, "worker_id": "w2", "study_id": 0, )"
      R"("datetime_start": "2024-01-02T03:04:05.000007"})",
      R"({"op_code": 5, "worker_id": "w1", "trial_id": 0, "param_name": "x", )"
      R"("param_value_internal": 0.5, "distribution": )" +
          dist + "}",
      R"({"op_code": 5, "worker_id": "w2", "trial_id": 1, "param_name": "x", )"
      R"("param_value_internal": 2, "distribution": )" +
          int_dist + "}",
      R"({"op_code": 6, "worker_id": "w1", "trial_id": 0, "state": 1, "values": [1.0], )"
      R"("datetime_complete": "2024-01-02T03:04:06.000000"})",
      R"({"op_code": 6, "worker_id": "w2", "trial_id": 0, "state": 3, "values": null, )"
      R"("datetime_complete": "2024-01-02T03:04:07.000000"})",
      R"({"op_code": 5, "worker_id": "w2", "trial_id": 0, "param_name": "y", )"
      R"("param_value_internal": 0.5, "distribution": )" +
          dist + "}",
      R"({"op_code": 7, "worker_id": "w2", "trial_id": 99, "step": 0, "intermediate_value": 1.0})",
      R"({"op_code": 2, "worker_id": "w2", "study_id": 7, "user_attr": {"a": 1}})",
  };
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  WriteRaw(path_, text);
  auto s = OpenLog();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->ListStudies().value().size(), 1u);
  EXPECT_EQ(s->GetStudy(0).value().directions,
            std::vector<StudyDirection>{StudyDirection::kMinimize});
  const FrozenTrial t0 = s->GetTrial(0).value();
  EXPECT_EQ(t0.state, TrialState::kComplete);
  EXPECT_EQ(t0.values, std::vector<double>{1.0});
  EXPECT_EQ(t0.params.size(), 1u);
  EXPECT_TRUE(s->GetTrial(1).value().params.empty());
  // Ours is refused before it is written.
  const auto size = std::filesystem::file_size(path_);
  EXPECT_EQ(
      s->SetTrialParam(1, "x", 2.0, std::make_shared<const Distribution>(IntDistribution{0, 5}))
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(std::filesystem::file_size(path_), size);
}

TEST_F(JournalStorageTest, ATornLastLineIsReadOnceComplete) {
  auto writer = OpenLog();
  const int64_t study = writer->CreateStudy("s", {StudyDirection::kMinimize}).value();
  ASSERT_TRUE(writer->CreateTrial(study).ok());
  // Another process writes half a line, as if caught mid-write.
  const std::string line = R"({"op_code": 4, "worker_id": "other", "study_id": 0, )"
                           R"("datetime_start": "2024-01-02T03:04:05.000006"})";
  AppendRaw(path_, line.substr(0, 40));
  auto reader = OpenLog();
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->GetStudy(study).value().n_trials, 1);
  AppendRaw(path_, line.substr(40));  // complete, but no newline yet
  EXPECT_EQ(reader->GetStudy(study).value().n_trials, 1);
  AppendRaw(path_, "\n");
  EXPECT_EQ(reader->GetStudy(study).value().n_trials, 2);
  EXPECT_EQ(writer->GetStudy(study).value().n_trials, 2);
}

TEST_F(JournalStorageTest, TheNextWriterRepairsALineTornByADeadWriter) {
  auto s = OpenLog();
  const int64_t study = s->CreateStudy("s", {StudyDirection::kMinimize}).value();
  const std::string line = R"({"op_code": 4, "worker_id": "dead", "study_id": 0, )"
                           R"("datetime_start": "2024-01-02T03:04:05.000006"})";
  // Garbage that will never be completed: cut off.
  AppendRaw(path_, line.substr(0, 30));
  ASSERT_TRUE(s->CreateTrial(study).ok());
  EXPECT_EQ(s->GetStudy(study).value().n_trials, 1);
  // A complete line lacking only its newline (Optuna 3.1 reads it): kept.
  AppendRaw(path_, line);
  ASSERT_TRUE(s->CreateTrial(study).ok());
  EXPECT_EQ(s->GetStudy(study).value().n_trials, 3);
  const std::vector<std::string> lines = Lines(ReadFile(path_));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2], line);
  EXPECT_EQ(OpenLog()->GetStudy(study).value().n_trials, 3);
}

TEST_F(JournalStorageTest, ACorruptLineIsAnErrorNamingFileAndLine) {
  {
    auto s = OpenLog();
    const int64_t study = s->CreateStudy("s", {StudyDirection::kMinimize}).value();
    ASSERT_TRUE(s->CreateTrial(study).ok());
  }
  std::vector<std::string> lines = Lines(ReadFile(path_));
  WriteRaw(path_, lines[0] + "\n{\"op_code\": 4, garbage\n" + lines[1] + "\n");
  Result<std::shared_ptr<JournalStorage>> s = JournalStorage::Open(JournalUrl(path_));
  ASSERT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find(path_), std::string::npos) << s.status();
  EXPECT_NE(s.status().message().find("line 2"), std::string::npos) << s.status();

  WriteRaw(path_, lines[0] + "\n\n" + lines[1] + "\n");  // an empty line
  EXPECT_EQ(JournalStorage::Open(JournalUrl(path_)).status().code(), StatusCode::kCorruption);

  WriteRaw(path_, lines[0] + "\n{\"op_code\": 42, \"worker_id\": \"w\"}\n");
  s = JournalStorage::Open(JournalUrl(path_));
  ASSERT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find("unknown op_code 42"), std::string::npos) << s.status();

  WriteRaw(path_, lines[0] + "\n{\"op_code\": 4, \"worker_id\": \"w\"}\n");
  s = JournalStorage::Open(JournalUrl(path_));
  ASSERT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find("CREATE_TRIAL"), std::string::npos) << s.status();
  EXPECT_NE(s.status().message().find("'study_id'"), std::string::npos) << s.status();

  // A storage that was fine sees the corruption appended later at its next read.
  WriteRaw(path_, lines[0] + "\n");
  auto ok = OpenLog();
  ASSERT_NE(ok, nullptr);
  AppendRaw(path_, "not json\n");
  EXPECT_EQ(ok->GetStudyId("s").status().code(), StatusCode::kCorruption);
}

TEST_F(JournalStorageTest, AttributesMustBeJsonAndFreezeWithTheTrial) {
  auto s = OpenLog();
  const int64_t study = s->CreateStudy("s", {StudyDirection::kMinimize}).value();
  const int64_t id = s->CreateTrial(study).value().trial_id;
  EXPECT_EQ(s->SetTrialUserAttr(id, "k", "{oops").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s->SetStudyUserAttr(study, "k", "").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(s->SetTrialSystemAttr(id, "k", "1e999").ok());  // Python reads inf
  ASSERT_TRUE(s->SetTrialStateValues(id, TrialState::kComplete, {1.0}).ok());
  // As Optuna's journal: a finished trial's attributes are final.
  EXPECT_EQ(s->SetTrialUserAttr(id, "late", "1").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s->GetTrial(id).value().system_attrs.at("k"), "1e999");
}

TEST_F(JournalStorageTest, ADeletedStudysNameCanBeReused) {
  auto s = OpenLog();
  const int64_t a = s->CreateStudy("s", {StudyDirection::kMinimize}).value();
  const int64_t trial = s->CreateTrial(a).value().trial_id;
  ASSERT_TRUE(s->DeleteStudy(a).ok());
  EXPECT_EQ(s->GetTrial(trial).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s->DeleteStudy(a).code(), StatusCode::kNotFound);
  const int64_t b = s->CreateStudy("s", {StudyDirection::kMaximize}).value();
  EXPECT_NE(a, b);
  // Trial ids go on from the deleted study's, as in Optuna.
  EXPECT_EQ(s->CreateTrial(b).value().trial_id, trial + 1);
  EXPECT_EQ(OpenLog()->GetStudyId("s").value(), b);
}

// Takes the lock in a child process that is then killed.
void LeaveAStaleLock(const std::string& path, JournalLockKind kind) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    journal_internal::FileLockOptions o;
    o.kind = kind == JournalLockKind::kOpen ? journal_internal::LockKind::kOpen
                                            : journal_internal::LockKind::kSymlink;
    journal_internal::FileLock lock(path, o);
    if (!lock.Acquire().ok()) ::_exit(1);
    ::raise(SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
}

TEST_F(JournalStorageTest, AStaleLockIsBrokenAfterTheGracePeriod) {
  for (JournalLockKind kind : {JournalLockKind::kSymlink, JournalLockKind::kOpen}) {
    SCOPED_TRACE(kind == JournalLockKind::kOpen ? "open lock" : "symlink lock");
    std::filesystem::remove(path_);
    JournalStorageOptions options;
    options.lock_kind = kind;
    options.lock_grace_period_s = 0;
    options.lock_timeout_s = 0.3;
    auto s = OpenLog(options);
    LeaveAStaleLock(path_, kind);
    struct stat st {};
    ASSERT_EQ(::lstat((path_ + ".lock").c_str(), &st), 0);
    EXPECT_EQ(S_ISLNK(st.st_mode), kind == JournalLockKind::kSymlink);
    // Without a grace period, as Optuna 3.1: stuck until the timeout.
    Status stuck = s->CreateStudy("s", {StudyDirection::kMinimize}).status();
    EXPECT_EQ(stuck.code(), StatusCode::kUnavailable) << stuck;
    EXPECT_NE(stuck.message().find(".lock"), std::string::npos) << stuck;

    options.lock_grace_period_s = 1.0;
    options.lock_timeout_s = 30;
    auto patient = OpenLog(options);
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(patient->CreateStudy("s", {StudyDirection::kMinimize}).ok());
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_GE(waited, 1.0);
    EXPECT_LT(waited, 10.0);
    EXPECT_FALSE(std::filesystem::exists(path_ + ".lock"));
    EXPECT_EQ(s->GetStudyId("s").value(), 0);
  }
}

TEST_F(JournalStorageTest, TheTwoLockKindsExcludeEachOther) {
  // Both create <log>.lock: a symlink lock holder blocks an open lock writer
  // and the other way round, so processes may mix them.
  for (auto [held_kind, writer_kind] :
       {std::pair{journal_internal::LockKind::kSymlink, JournalLockKind::kOpen},
        std::pair{journal_internal::LockKind::kOpen, JournalLockKind::kSymlink}}) {
    journal_internal::FileLockOptions held_options;
    held_options.kind = held_kind;
    journal_internal::FileLock held(path_, held_options);
    JournalStorageOptions options;
    options.lock_kind = writer_kind;
    options.lock_grace_period_s = 0;
    options.lock_timeout_s = 0.2;
    auto s = OpenLog(options);
    ASSERT_TRUE(held.Acquire().ok());
    EXPECT_EQ(s->CreateStudy("s", {StudyDirection::kMinimize}).status().code(),
              StatusCode::kUnavailable);
    ASSERT_TRUE(held.Release().ok());
    EXPECT_TRUE(s->CreateStudy("s", {StudyDirection::kMinimize}).ok());
    ASSERT_TRUE(s->DeleteStudy(s->GetStudyId("s").value()).ok());
  }
}

TEST_F(JournalStorageTest, ABusyLockIsNotBroken) {
  // A live holder that keeps appending is not taken for dead: the symlink
  // lock points to the log, whose time changes with each append.
  JournalStorageOptions options;
  options.lock_grace_period_s = 0.5;
  auto s = OpenLog(options);
  ASSERT_TRUE(s->CreateStudy("s", {StudyDirection::kMinimize}).ok());
  journal_internal::FileLock held(path_, {});
  ASSERT_TRUE(held.Acquire().ok());
  std::atomic<bool> done{false};
  std::thread holder([&] {
    // Holds the lock for 2 s, appending (a no-op attribute line) every 0.1 s.
    for (int k = 0; k < 20; ++k) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      AppendRaw(path_, R"({"op_code": 2, "worker_id": "w", "study_id": 9, "user_attr": {"a": 1}})"
                       "\n");
    }
    done = true;
    ASSERT_TRUE(held.Release().ok());
  });
  ASSERT_TRUE(s->CreateStudy("t", {StudyDirection::kMinimize}).ok());
  EXPECT_TRUE(done.load());  // we waited for the live holder
  holder.join();
}

}  // namespace
}  // namespace hypertune::testing
