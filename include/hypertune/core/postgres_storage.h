// PostgresStorage: a Storage in a PostgreSQL database, in Optuna's RDB
// schema, so that optuna.load_study(storage="postgresql://...") reads
// hypertune's studies, hypertune continues Optuna's, and Optuna and hypertune
// workers share one study at the same time.
//
//   auto storage =
//       PostgresStorage::Open("postgresql://user:password@db-host:5432/optuna").value();
//   auto study = CreateStudy({.name = "svm", .storage = storage}).value();
//
// URL: postgresql://user:password@host:port/dbname, or SQLAlchemy's
// postgresql+psycopg2://..., in libpq's URI syntax: percent-encoded user and
// password, [IPv6] hosts, and libpq parameters after '?' (sslmode,
// application_name, connect_timeout, options, ...). The database must exist;
// an empty one gets the schema. The password never appears in a message.
//
// Compatibility:
//  - Schema: alembic revisions v3.0.0.d (the head of Optuna 3.0 and 3.1, e.g.
//    Debian 12's python3-optuna with SQLAlchemy 1.4 and psycopg2) and v3.2.0.a
//    (Optuna 3.2 and 3.3: v3.0.0.d plus index trials_study_id_key on
//    trials.study_id), with exactly the types SQLAlchemy gives Optuna's models
//    on PostgreSQL: native ENUM types studydirection, trialstate,
//    trialvaluetype and trialintermediatevaluetype, SERIAL keys,
//    TIMESTAMP WITHOUT TIME ZONE, FLOAT(53). A new database gets
//    options.schema_revision; an existing one keeps its own; any other
//    revision is refused and nothing is written. Optuna 3.1 refuses v3.2.0.a:
//    ask for v3.0.0.d to share a database with it. Optuna 3.4+ (revision
//    v3.4.0.a and later) is not supported.
//  - Values are stored as Optuna stores them (the codec is SqliteStorage's):
//    distribution_json, internal parameter values (choice indices for
//    categorical parameters, ints as floats), infinities and NaN as
//    value_type, datetimes in the client's local time without offset
//    (Optuna's datetime.now()).
//  - Heartbeats are Optuna's trial_heartbeats rows, timed by the server's
//    clock in the session's time zone (now()), as RDBStorage.record_heartbeat
//    writes them, so Optuna's fail_stale_trials and ours see each other's.
//
// Concurrency (any number of threads and processes, Optuna's included):
//  - CreateTrial locks the study's row (SELECT ... FOR UPDATE, as Optuna
//    does) while it numbers the trial, so numbers are 0..n-1 without gap or
//    duplicate.
//  - PopWaitingTrial is one UPDATE of the oldest WAITING trial picked with
//    FOR UPDATE SKIP LOCKED: each WAITING trial goes to exactly one worker.
//  - Finishing a trial is a compare-and-set (UPDATE ... WHERE state is
//    unfinished): of two finishers exactly one succeeds. Writes to a trial
//    lock its row, so none lands on a finished trial.
//  - Every write is one statement or one transaction: all or nothing.
//    Serialization failures and deadlocks are retried (max_retries). A
//    connection the server has closed (restart, failover, idle timeout) is
//    noticed before use and replaced; one lost during a read, a transaction
//    before COMMIT, or an idempotent write (parameters, intermediate values,
//    attributes, heartbeats) is replaced and the call retried once. One lost
//    during COMMIT, or during a write that must not run twice (creating a
//    study, popping or finishing a trial), is reported as Unavailable: the
//    change may or may not have been stored.
//  - A storage holds up to max_connections connections, opened as threads
//    need them, with session settings and prepared statements of their own
//    (so not behind a transaction-pooling PgBouncer). Open one storage per
//    process: do not use it across fork().
//
// Round trips (what dominates on a network): one per call for GetTrial,
// ReadTrialUpdates, PopWaitingTrial, SetTrialParam, SetTrialIntermediateValue,
// attribute writes, SetTrialStateValues, heartbeats and study reads; four for
// CreateTrial (BEGIN, the study lock, one INSERT of the trial with everything
// of its template, COMMIT). Errors take one more, to say why.
//
// Cost: ReadTrialUpdates and PopWaitingTrial read the trials created since
// the caller's last call and the ones still open, through the primary key
// (the sessions run with enable_seqscan off, so that tables that autovacuum
// has not analyzed yet are not scanned whole), not the study's finished
// trials. PopWaitingTrial remembers, per study, the id below which no trial
// waits. GetStaleTrialIds and GetStudy (n_trials) read all trials of the
// study, as Optuna's own queries do; Optuna's schema has no index for them.
//
// TrialCursor: as SqliteStorage: max_trial_id is the highest trial id
// returned; `open` holds pairs (trial id, fingerprint) of the trials returned
// unfinished. A read fetches only those and the trials created since, in one
// statement, so its cost does not grow with finished trials. Attribute
// changes to a finished trial are not reported by ReadTrialUpdates (GetTrial
// sees them).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hypertune/core/optuna_schema.h"
#include "hypertune/core/storage.h"

namespace hypertune {

namespace pg_internal {
class Pool;
class TrialDecoder;
}  // namespace pg_internal

struct PostgresStorageOptions {
  // The alembic revision a new database is created with: kOptunaSchemaV320a
  // or kOptunaSchemaV300d (for Optuna 3.0 and 3.1). Ignored for a database
  // that has the schema already.
  std::string schema_revision = std::string(kOptunaSchemaV320a);
  // libpq's connect_timeout (seconds; 0 waits forever), unless the URL sets
  // connect_timeout.
  int connect_timeout_s = 10;
  // How many times an operation that hit a serialization failure or a
  // deadlock is retried.
  int max_retries = 20;
  // Connections opened at most, by threads that call at once.
  int max_connections = 4;
  // Every write fails with FailedPrecondition (and the sessions are
  // default_transaction_read_only); a database without the schema is an
  // error.
  bool read_only = false;

  Status Validate() const;
};

class PostgresStorage final : public Storage {
 public:
  // Connects, checks the schema revision, and creates the schema in a
  // database that has none of Optuna's tables. Errors: InvalidArgument for a
  // malformed URL or rejected credentials, NotFound for a missing database,
  // Unavailable (naming host:port) for a server that cannot be reached,
  // FailedPrecondition for an unsupported revision, Corruption for a
  // database with some of Optuna's tables but no alembic_version.
  static Result<std::shared_ptr<PostgresStorage>> Open(std::string_view url,
                                                       PostgresStorageOptions options = {});
  ~PostgresStorage() override;
  PostgresStorage(const PostgresStorage&) = delete;
  PostgresStorage& operator=(const PostgresStorage&) = delete;

  // The alembic revision of the database.
  const std::string& schema_revision() const { return revision_; }
  // "PostgreSQL database 'optuna' at host:5432" (no password).
  const std::string& where() const;

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

  bool SupportsHeartbeat() const override { return true; }
  Status RecordHeartbeat(int64_t trial_id) override;
  Result<std::vector<int64_t>> GetStaleTrialIds(int64_t study_id, double grace_seconds) override;

 private:
  PostgresStorage(std::string revision, std::unique_ptr<pg_internal::Pool> pool);

  Result<std::vector<StudySummary>> LoadStudies(bool one, int64_t study_id);
  Status SetStudyAttr(bool user, int64_t study_id, std::string_view key, std::string_view json);
  Status SetTrialAttr(bool user, int64_t trial_id, std::string_view key, std::string_view json);
  // Why a guarded write to a trial changed nothing: NotFound or
  // FailedPrecondition (finished), from the trial's row as read now.
  Status WhyNotWritten(int64_t trial_id, const char* what);

  std::string revision_;
  std::unique_ptr<pg_internal::Pool> pool_;
  std::unique_ptr<pg_internal::TrialDecoder> decoder_;
  // Per study: a trial id below which no trial of the study is WAITING, so
  // that PopWaitingTrial scans only newer trials. Sound because a trial is
  // WAITING only from its creation, and trials of a study are created under
  // the study's row lock (by Optuna too), so they commit in id order.
  std::mutex hints_mu_;
  std::unordered_map<int64_t, int64_t> waiting_hint_;
};

}  // namespace hypertune
