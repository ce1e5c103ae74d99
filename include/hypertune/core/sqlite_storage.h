// SqliteStorage: a Storage in one SQLite file, in Optuna's RDB schema, so that
// optuna.load_study(storage="sqlite:///path.db") reads hypertune's studies and
// hypertune continues Optuna's.
//
//   auto storage = SqliteStorage::Open("sqlite:///study.db").value();
//   auto study = CreateStudy({.name = "svm", .storage = storage}).value();
//
// Several threads and several processes may share one file: writes that must
// be atomic (trial numbers, PopWaitingTrial, finishing a trial) run in
// BEGIN IMMEDIATE transactions, the file is in WAL mode, and a busy file is
// waited for (busy_timeout_ms) and retried (max_retries).
//
// Schema: Optuna's alembic revisions v3.0.0.d (the head of Optuna 3.0 and
// 3.1, Debian's python3-optuna) and v3.2.0.a (Optuna 3.2-3.3: v3.0.0.d plus
// index trials_study_id_key on trials.study_id). A new file gets
// options.schema_revision; an existing file keeps its own; a file of any
// other revision is refused with a clear error. Optuna 3.1 refuses v3.2.0.a
// files: ask for v3.0.0.d to share a file with it.
//
// Datetimes are stored in local time without an offset, as Optuna stores
// datetime.now(). Every write is one transaction: all or nothing.
//
// TrialCursor: max_trial_id is the highest trial id returned; `open` holds
// pairs (trial id, fingerprint of what was returned) of the trials returned
// unfinished. A read re-reads only those and the trials created since, so its
// cost does not grow with finished trials. Consequence: attribute changes to a
// trial after it finished are not reported by ReadTrialUpdates (GetTrial sees
// them).
//
// Heartbeats: in Optuna's trial_heartbeats table, one row per trial, written
// as SQLite's CURRENT_TIMESTAMP (UTC, whole seconds), exactly what Optuna's
// RDBStorage writes. Not finer: Optuna 3.1 judges staleness with
// (CURRENT_TIMESTAMP - heartbeat).seconds > grace, and a heartbeat with a
// fraction of a second is, within its own second, in that clock's future: the
// negative difference's .seconds is 86399 and Optuna would fail every trial
// that just beat. GetStaleTrialIds compares in SQL against the sub-second
// clock and counts a stored heartbeat as having happened at the end of its
// second: a trial is reported stale once no beat came for more than grace
// seconds, and at most grace + 1 s after its last beat. One clock (the
// machine's, through SQLite) judges for Optuna and hypertune workers alike.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "hypertune/core/optuna_schema.h"
#include "hypertune/core/storage.h"

namespace hypertune {

namespace sqlite_internal {
class Connection;
class TrialRows;
}  // namespace sqlite_internal

struct SqliteStorageOptions {
  // How long one statement waits for another connection's lock (ms).
  int busy_timeout_ms = 10000;
  // How many times a transaction that still found the file busy is retried.
  int max_retries = 20;
  // The alembic revision a new file is created with: kOptunaSchemaV320a or
  // kOptunaSchemaV300d (for Optuna 3.0 and 3.1). Ignored for an existing file.
  std::string schema_revision = std::string(kOptunaSchemaV320a);
  // Open with SQLITE_OPEN_READONLY: every write fails, a missing or empty
  // file is an error.
  bool read_only = false;
  // When a commit waits for the disk. false (PRAGMA synchronous=NORMAL, the
  // usual setting in WAL mode): a commit is durable against a crash or kill
  // of any process, and the file never corrupts, but a power loss or an OS
  // crash may take back the last commits. true (synchronous=FULL): every
  // commit is flushed to the disk before it returns, at the cost of an fsync
  // per write (tens of milliseconds per trial on a disk).
  bool sync_every_commit = false;

  Status Validate() const;
};

class SqliteStorage final : public Storage {
 public:
  // `url`: "sqlite:///relative/path.db" or "sqlite:////absolute/path.db".
  // Creates the file and the schema when the file is missing or empty.
  static Result<std::shared_ptr<SqliteStorage>> Open(std::string_view url,
                                                     SqliteStorageOptions options = {});
  ~SqliteStorage() override;
  SqliteStorage(const SqliteStorage&) = delete;
  SqliteStorage& operator=(const SqliteStorage&) = delete;

  const std::string& path() const { return path_; }
  // The alembic revision of the file.
  const std::string& schema_revision() const { return revision_; }

  Result<int64_t> CreateStudy(std::string_view name,
                              const std::vector<StudyDirection>& directions) override;
  Status DeleteStudy(int64_t study_id) override;
  Result<int64_t> GetStudyId(std::string_view name) override;
  Result<StudySummary> GetStudy(int64_t study_id) override;
  Result<std::vector<StudySummary>> ListStudies() override;
  Status SetStudyUserAttr(int64_t study_id, std::string_view key,
                          std::string_view json) override;
  Status SetStudySystemAttr(int64_t study_id, std::string_view key,
                            std::string_view json) override;

  Result<FrozenTrial> CreateTrial(int64_t study_id,
                                  const FrozenTrial* templ = nullptr) override;
  Result<FrozenTrial> PopWaitingTrial(int64_t study_id) override;
  Status SetTrialParam(int64_t trial_id, std::string_view name, double internal,
                       std::shared_ptr<const Distribution> distribution) override;
  Status SetTrialIntermediateValue(int64_t trial_id, int64_t step, double value) override;
  Status SetTrialUserAttr(int64_t trial_id, std::string_view key,
                          std::string_view json) override;
  Status SetTrialSystemAttr(int64_t trial_id, std::string_view key,
                            std::string_view json) override;
  Status SetTrialStateValues(int64_t trial_id, TrialState state,
                             const std::vector<double>& values) override;
  Result<FrozenTrial> GetTrial(int64_t trial_id) override;
  Status ReadTrialUpdates(int64_t study_id, TrialCursor& cursor,
                          std::vector<FrozenTrial>& out) override;

  bool SupportsHeartbeat() const override { return true; }
  Status RecordHeartbeat(int64_t trial_id) override;
  Result<std::vector<int64_t>> GetStaleTrialIds(int64_t study_id,
                                                double grace_seconds) override;

 private:
  SqliteStorage(std::string path, std::string revision,
                std::unique_ptr<sqlite_internal::Connection> db);

  // Preconditions: inside a transaction of db_.
  Status CheckStudy(int64_t study_id);
  Result<std::vector<StudyDirection>> Directions(int64_t study_id);
  Result<StudySummary> LoadStudy(int64_t study_id);
  Status SetStudyAttr(bool user, int64_t study_id, std::string_view key,
                      std::string_view json);

  std::string path_;
  std::string revision_;
  std::unique_ptr<sqlite_internal::Connection> db_;
  // Used only inside db_'s transactions, which hold its mutex.
  std::unique_ptr<sqlite_internal::TrialRows> rows_;
};

}  // namespace hypertune
