// JournalStorage: a Storage kept as an append-only log of JSON lines in the
// format of Optuna's JournalFileStorage, for clusters that share a file system
// but have no database server.
//
//   auto storage = JournalStorage::Open("journal:///runs/svm.log").value();
//   auto study = CreateStudy({.name = "svm", .storage = storage}).value();
//
// and, in Python, on the same file at the same time:
//
//   storage = optuna.storages.JournalStorage(
//       optuna.storages.JournalFileStorage("runs/svm.log"))
//   optuna.load_study(study_name="svm", storage=storage).optimize(objective)
//
// How it works, as Optuna's: every write appends one line {"op_code": ...,
// "worker_id": ..., ...} while holding the lock file `<log>.lock`, with one
// write call, then fsync. Every read first replays the lines appended since
// the last read (from a byte offset: the cost of a read does not grow with the
// log), so all processes see the same history in the same order. An op that
// would fail (finishing a finished trial, starting a WAITING trial that
// another worker started first, a taken study name) is ignored by every
// reader; its writer replays up to its own line and returns the error. So
// finishing a trial and PopWaitingTrial are exactly-once across processes.
// Threads of one process serialize on one mutex per JournalStorage.
//
// Compatibility:
//  - The log format is the one of Optuna 3.1 (op codes 0-9, lines as Python's
//    json.dumps writes them, with NaN/Infinity, naive local ISO datetimes,
//    distributions as distribution_to_json strings), tested against Debian's
//    Optuna 3.1.0. The op codes and fields are unchanged in Optuna 4.x's
//    optuna.storages.journal.JournalFileBackend (read from its source, not
//    tested); its compact separators (',' and ':') read the same.
//  - Locks: JournalFileSymlinkLock (default) and JournalFileOpenLock, the same
//    file and protocol (create `<log>.lock` atomically; release by renaming it
//    to a unique name and unlinking that). A lock unchanged for
//    lock_grace_period_s is broken as left by a dead process, as Optuna >= 4.3
//    does (grace_period, 30 s); Optuna 3.1 never breaks one and waits forever.
//  - A torn last line (a writer killed mid-append) is not read until it ends
//    with a newline; the next hypertune writer, holding the lock, cuts it off,
//    or adds its newline if it is a complete JSON object (Optuna 3.1 reads
//    such a line). Optuna 3.1's writers append after a torn line, garbling the
//    next one: a corrupt line that neither Optuna nor hypertune reads past.
//  - Heartbeats: none (Optuna's journal keeps none); SupportsHeartbeat() is
//    false.
//  - Attributes of a finished trial cannot change (FailedPrecondition), as in
//    Optuna's journal replay, unlike what storage.h allows other back-ends.
//  - worker_id is "<uuid4 per JournalStorage>-<thread id>", as Optuna's. A
//    writer recognizes its own line by its byte offset, so a storage object
//    shared by forked processes stays correct.
//
// Errors: a malformed line (not JSON, missing field, unknown op code) is
// Corruption naming the file and line; replay stops there. A missing
// directory, a path that is not a file, no permission: IoError.
//
// TrialCursor.version is the number of log lines replayed: a cursor means the
// same in every process that reads the same file.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/storage.h"

namespace hypertune {

namespace journal_internal {
class LogFile;
class Replay;
struct OpOutcome;
}  // namespace journal_internal

enum class JournalLockKind {
  kSymlink,  // Optuna's JournalFileSymlinkLock (default): NFSv2 and later
  kOpen,     // Optuna's JournalFileOpenLock: O_EXCL; NFSv3+, no symlinks needed
};

struct JournalStorageOptions {
  // Both kinds create `<log>.lock`, so they exclude each other: processes on
  // one file may use either.
  JournalLockKind lock_kind = JournalLockKind::kSymlink;
  // How long a write waits for the lock before failing with Unavailable;
  // <= 0: forever (Optuna 3.1).
  double lock_timeout_s = 600.0;
  // A lock that stays unchanged this long is taken for one left by a dead
  // process and broken; <= 0: never (Optuna 3.1). Must exceed the longest
  // append (an fsync on a slow NFS server).
  double lock_grace_period_s = 30.0;
  // fsync after each append, as Optuna. Off: faster, but a crash of the
  // machine may lose the last lines.
  bool fsync = true;

  Status Validate() const;
};

class JournalStorage final : public Storage {
 public:
  // `url`: "journal:///relative/path.log" or "journal:////absolute/path.log".
  // Creates the file if missing and replays it.
  static Result<std::shared_ptr<JournalStorage>> Open(std::string_view url,
                                                      JournalStorageOptions options = {});
  ~JournalStorage() override;
  JournalStorage(const JournalStorage&) = delete;
  JournalStorage& operator=(const JournalStorage&) = delete;

  const std::string& path() const;
  // The prefix of this storage's worker ids ("<uuid4>-").
  const std::string& worker_id_prefix() const { return worker_prefix_; }

  Result<int64_t> CreateStudy(std::string_view name,
                              const std::vector<StudyDirection>& directions) override;
  Status DeleteStudy(int64_t study_id) override;
  Result<int64_t> GetStudyId(std::string_view name) override;
  Result<StudySummary> GetStudy(int64_t study_id) override;
  Result<std::vector<StudySummary>> ListStudies() override;
  Status SetStudyUserAttr(int64_t study_id, std::string_view key, std::string_view json) override;
  Status SetStudySystemAttr(int64_t study_id, std::string_view key, std::string_view json) override;

  Result<FrozenTrial> CreateTrial(int64_t study_id, const FrozenTrial* templ = nullptr) override;
  Result<FrozenTrial> PopWaitingTrial(int64_t study_id) override;
  Status SetTrialParam(int64_t trial_id, std::string_view name, double internal,
                       std::shared_ptr<const Distribution> distribution) override;
  Status SetTrialIntermediateValue(int64_t trial_id, int64_t step, double value) override;
  Status SetTrialUserAttr(int64_t trial_id, std::string_view key, std::string_view json) override;
  Status SetTrialSystemAttr(int64_t trial_id, std::string_view key, std::string_view json) override;
  Status SetTrialStateValues(int64_t trial_id, TrialState state,
                             const std::vector<double>& values) override;
  Result<FrozenTrial> GetTrial(int64_t trial_id) override;
  Status ReadTrialUpdates(int64_t study_id, TrialCursor& cursor,
                          std::vector<FrozenTrial>& out) override;

 private:
  JournalStorage(std::unique_ptr<journal_internal::LogFile> log);

  // Preconditions for all below: mu_ held.
  // Replays the complete lines appended since the last call.
  Status Sync();
  // Appends `line` (an op without its leading op_code and worker_id: see
  // BeginLine) and replays up to it; returns what became of it.
  Result<journal_internal::OpOutcome> Commit(const std::string& line);
  // The start of a line: '{"op_code": N, "worker_id": "...", '.
  std::string BeginLine(int op) const;
  Status SetStudyAttr(bool user, int64_t study_id, std::string_view key, std::string_view json);
  Status SetTrialAttr(bool user, int64_t trial_id, std::string_view key, std::string_view json);
  // The trial, if it exists and its study is not deleted; NotFound otherwise.
  Result<const FrozenTrial*> FindTrial(int64_t trial_id);
  // As FindTrial, and FailedPrecondition if the trial is finished.
  Result<const FrozenTrial*> FindUnfinishedTrial(int64_t trial_id);

  std::mutex mu_;
  std::unique_ptr<journal_internal::LogFile> log_;
  std::unique_ptr<journal_internal::Replay> replay_;
  std::string worker_prefix_;
  int64_t offset_ = 0;           // byte offset of the first line not replayed
  int64_t pending_offset_ = -1;  // where the line Commit waits for starts
  std::unique_ptr<journal_internal::OpOutcome> pending_;
};

}  // namespace hypertune
