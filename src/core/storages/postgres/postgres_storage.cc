#include "hypertune/core/postgres_storage.h"

#include <pqxx/pqxx>

#include "src/core/storages/optuna_rdb/optuna_codec.h"
#include "src/core/storages/postgres/pg_pool.h"
#include "src/core/storages/postgres/pg_schema.h"
#include "src/core/storages/postgres/pg_trials.h"

namespace hypertune {

using pg_internal::Access;
using pg_internal::P;
using pg_internal::Pool;
using pg_internal::Scope;
using pg_internal::Tx;

namespace {

// Rows of LoadStudies' statement: kind, study id, an integer (objective,
// trial count, attribute id) and two texts.
enum StudyRow : int64_t { kName = 0, kDirection = 1, kCount = 2, kUserAttr = 3, kSystemAttr = 4 };

std::string StudiesSql(const std::string& filter) {
  const std::string where = " WHERE " + filter;
  return "SELECT 0::bigint AS kind, study_id::bigint AS id, 0::bigint AS i, study_name::text AS a, "
         "NULL::text AS b FROM studies" +
         where +
         " UNION ALL SELECT 1, study_id, objective, direction::text, NULL FROM study_directions" +
         where + " UNION ALL SELECT 2, study_id, count(*), NULL, NULL FROM trials" + where +
         " GROUP BY study_id"
         " UNION ALL SELECT 3, study_id, study_user_attribute_id, key::text, value_json FROM "
         "study_user_attributes" +
         where +
         " UNION ALL SELECT 4, study_id, study_system_attribute_id, key::text, value_json FROM "
         "study_system_attributes" +
         where + " ORDER BY 2, 1, 3";
}

}  // namespace

Status PostgresStorageOptions::Validate() const {
  if (!optuna_rdb::IsSupportedRevision(schema_revision))
    return Status::InvalidArgument("PostgresStorageOptions.schema_revision '" + schema_revision +
                                   "' is not supported; use " + std::string(kOptunaSchemaV320a) +
                                   " or " + std::string(kOptunaSchemaV300d));
  if (connect_timeout_s < 0)
    return Status::InvalidArgument("PostgresStorageOptions.connect_timeout_s must be >= 0, got " +
                                   std::to_string(connect_timeout_s));
  if (max_retries < 0)
    return Status::InvalidArgument("PostgresStorageOptions.max_retries must be >= 0, got " +
                                   std::to_string(max_retries));
  if (max_connections < 1)
    return Status::InvalidArgument("PostgresStorageOptions.max_connections must be >= 1, got " +
                                   std::to_string(max_connections));
  return Status::Ok();
}

Result<std::shared_ptr<PostgresStorage>> PostgresStorage::Open(std::string_view url,
                                                               PostgresStorageOptions options) {
  HT_RETURN_IF_ERROR(options.Validate());
  HT_ASSIGN_OR_RETURN(pg_internal::PgTarget target,
                      pg_internal::ParsePostgresUrl(url, options.connect_timeout_s));
  HT_ASSIGN_OR_RETURN(std::unique_ptr<Pool> pool,
                      Pool::Open(std::move(target), {.max_connections = options.max_connections,
                                                     .max_retries = options.max_retries,
                                                     .read_only = options.read_only}));
  // Read first, so that a database that is not ours is left untouched.
  std::string revision;
  if (Status run_status = pool->Run(Access::kRead, Scope::kStatement, "reading the schema revision",
                                    [&](Tx& tx) -> Status {
                                      Result<std::string> r = pg_internal::ReadRevision(tx);
                                      if (!r.ok()) return r.status().WithContext(pool->where());
                                      revision = *r;
                                      return Status::Ok();
                                    });
      !run_status.ok()) {
    return run_status;
  }
  const auto unsupported = [&] {
    return Status::FailedPrecondition(pool->where() + " has Optuna schema revision '" + revision +
                                      "', which hypertune does not support (it supports " +
                                      std::string(kOptunaSchemaV300d) + " and " +
                                      std::string(kOptunaSchemaV320a) + "); nothing was written");
  };
  if (!revision.empty() && !optuna_rdb::IsSupportedRevision(revision)) return unsupported();
  if (revision.empty()) {
    if (options.read_only)
      return Status::FailedPrecondition(pool->where() +
                                        " holds no Optuna storage and was opened read-only");
    if (Status run_status = pool->Run(Access::kWrite, Scope::kTransaction, "creating the schema",
                                      [&](Tx& tx) -> Status {
                                        Result<std::string> r = pg_internal::CreateSchemaIfMissing(
                                            tx, options.schema_revision);
                                        if (!r.ok()) return r.status().WithContext(pool->where());
                                        revision = *r;
                                        return Status::Ok();
                                      });
        !run_status.ok()) {
      return run_status;
    }
    if (!optuna_rdb::IsSupportedRevision(revision)) return unsupported();
  }
  return std::shared_ptr<PostgresStorage>(
      new PostgresStorage(std::move(revision), std::move(pool)));
}

PostgresStorage::PostgresStorage(std::string revision, std::unique_ptr<Pool> pool)
    : revision_(std::move(revision)),
      pool_(std::move(pool)),
      decoder_(std::make_unique<pg_internal::TrialDecoder>()) {}

PostgresStorage::~PostgresStorage() = default;

const std::string& PostgresStorage::where() const { return pool_->where(); }

Result<int64_t> PostgresStorage::CreateStudy(std::string_view name,
                                             const std::vector<StudyDirection>& directions) {
  if (name.empty()) return Status::InvalidArgument("a study name must not be empty");
  HT_RETURN_IF_ERROR(pg_internal::CheckText("study name", name));
  if (directions.empty())
    return Status::InvalidArgument("study '" + std::string(name) + "' needs a direction");
  std::vector<pg_internal::Param> dirs;
  for (StudyDirection d : directions) dirs.push_back(P(ToString(d)));
  static const std::string kSql =
      "WITH s AS (INSERT INTO studies (study_name) VALUES ($1::varchar) "
      "ON CONFLICT (study_name) DO NOTHING RETURNING study_id), "
      "d AS (INSERT INTO study_directions (direction, study_id, objective) "
      "SELECT x.dir, s.study_id, x.ord - 1 FROM s, "
      "unnest($2::studydirection[]) WITH ORDINALITY AS x(dir, ord)) "
      "SELECT study_id FROM s";
  int64_t id = -1;
  if (Status run_status = pool_->Run(
          Access::kWrite, Scope::kStatement, "creating a study",
          [&](Tx& tx) -> Status {
            const pqxx::result r = tx.Exec(kSql, {P(name), P(pg_internal::ArrayLiteral(dirs))});
            if (r.empty())
              return Status::AlreadyExists("a study named '" + std::string(name) +
                                           "' already exists in " + pool_->where());
            HT_ASSIGN_OR_RETURN(id, pg_internal::Int(r[0][0]));
            return Status::Ok();
          });
      !run_status.ok()) {
    return run_status;
  }
  return id;
}

Status PostgresStorage::DeleteStudy(int64_t study_id) {
  static constexpr const char* kDeletes[] = {
      "DELETE FROM trial_params WHERE trial_id IN "
      "(SELECT trial_id FROM trials WHERE study_id = $1::int)",
      "DELETE FROM trial_values WHERE trial_id IN "
      "(SELECT trial_id FROM trials WHERE study_id = $1::int)",
      "DELETE FROM trial_intermediate_values WHERE trial_id IN "
      "(SELECT trial_id FROM trials WHERE study_id = $1::int)",
      "DELETE FROM trial_user_attributes WHERE trial_id IN "
      "(SELECT trial_id FROM trials WHERE study_id = $1::int)",
      "DELETE FROM trial_system_attributes WHERE trial_id IN "
      "(SELECT trial_id FROM trials WHERE study_id = $1::int)",
      "DELETE FROM trial_heartbeats WHERE trial_id IN "
      "(SELECT trial_id FROM trials WHERE study_id = $1::int)",
      "DELETE FROM trials WHERE study_id = $1::int",
      "DELETE FROM study_directions WHERE study_id = $1::int",
      "DELETE FROM study_user_attributes WHERE study_id = $1::int",
      "DELETE FROM study_system_attributes WHERE study_id = $1::int",
      "DELETE FROM studies WHERE study_id = $1::int",
  };
  return pool_->Run(Access::kWrite, Scope::kTransaction, "deleting a study", [&](Tx& tx) -> Status {
    // The lock makes trial creation in the study wait, then find no study.
    if (tx.Exec("SELECT 1 FROM studies WHERE study_id = $1::int FOR UPDATE", {P(study_id)}).empty())
      return Status::NotFound("no study with id " + std::to_string(study_id) + " in " +
                              pool_->where());
    for (const char* sql : kDeletes) tx.Exec(sql, {P(study_id)});
    return Status::Ok();
  });
}

Result<int64_t> PostgresStorage::GetStudyId(std::string_view name) {
  HT_RETURN_IF_ERROR(pg_internal::CheckText("study name", name));
  int64_t id = -1;
  if (Status run_status = pool_->Run(
          Access::kRead, Scope::kStatement, "finding a study",
          [&](Tx& tx) -> Status {
            const pqxx::result r =
                tx.Exec("SELECT study_id FROM studies WHERE study_name = $1::varchar", {P(name)});
            if (r.empty())
              return Status::NotFound("no study named '" + std::string(name) + "' in " +
                                      pool_->where());
            HT_ASSIGN_OR_RETURN(id, pg_internal::Int(r[0][0]));
            return Status::Ok();
          });
      !run_status.ok()) {
    return run_status;
  }
  return id;
}

Result<std::vector<StudySummary>> PostgresStorage::LoadStudies(bool one, int64_t study_id) {
  static const std::string kOne = StudiesSql("study_id = $1::int");
  static const std::string kAll = StudiesSql("TRUE");
  std::vector<StudySummary> out;
  if (Status run_status = pool_->Run(
          Access::kRead, Scope::kStatement, "reading studies",
          [&](Tx& tx) -> Status {
            out.clear();
            const pqxx::result r = one ? tx.Exec(kOne, {P(study_id)}) : tx.Exec(kAll, {});
            for (const auto& row : r) {
              HT_ASSIGN_OR_RETURN(int64_t kind, pg_internal::Int(row[0]));
              HT_ASSIGN_OR_RETURN(int64_t id, pg_internal::Int(row[1]));
              if (kind == kName) {
                StudySummary s;
                s.study_id = id;
                s.name = pg_internal::Text(row[3]);
                out.push_back(std::move(s));
                continue;
              }
              if (out.empty() || out.back().study_id != id)
                return Status::Corruption("rows of study id " + std::to_string(id) +
                                          ", which does not exist, in " + pool_->where());
              StudySummary& s = out.back();
              switch (kind) {
                case kDirection: {
                  Result<StudyDirection> d = StudyDirectionFromString(pg_internal::Text(row[3]));
                  if (!d.ok())
                    return d.status().WithContext(pool_->where() + ", study id " +
                                                  std::to_string(id));
                  s.directions.push_back(*d);
                  break;
                }
                case kCount: {
                  HT_ASSIGN_OR_RETURN(int64_t n, pg_internal::Int(row[2]));
                  s.n_trials = static_cast<int>(n);
                  break;
                }
                case kUserAttr:
                  s.user_attrs[pg_internal::Text(row[3])] = pg_internal::Text(row[4]);
                  break;
                case kSystemAttr:
                  s.system_attrs[pg_internal::Text(row[3])] = pg_internal::Text(row[4]);
                  break;
                default:
                  return Status::Internal("unknown study row kind " + std::to_string(kind));
              }
            }
            return Status::Ok();
          });
      !run_status.ok()) {
    return run_status;
  }
  return out;
}

Result<StudySummary> PostgresStorage::GetStudy(int64_t study_id) {
  HT_ASSIGN_OR_RETURN(std::vector<StudySummary> s, LoadStudies(true, study_id));
  if (s.empty())
    return Status::NotFound("no study with id " + std::to_string(study_id) + " in " +
                            pool_->where());
  return std::move(s.front());
}

Result<std::vector<StudySummary>> PostgresStorage::ListStudies() { return LoadStudies(false, 0); }

Status PostgresStorage::SetStudyAttr(bool user, int64_t study_id, std::string_view key,
                                     std::string_view json) {
  HT_RETURN_IF_ERROR(pg_internal::CheckText("attribute key", key));
  HT_RETURN_IF_ERROR(pg_internal::CheckText("attribute value", json));
  static const std::string kUser =
      "INSERT INTO study_user_attributes (study_id, key, value_json) "
      "SELECT study_id, $2::varchar, $3::text FROM studies WHERE study_id = $1::int "
      "ON CONFLICT (study_id, key) DO UPDATE SET value_json = excluded.value_json RETURNING 1";
  static const std::string kSystem =
      "INSERT INTO study_system_attributes (study_id, key, value_json) "
      "SELECT study_id, $2::varchar, $3::text FROM studies WHERE study_id = $1::int "
      "ON CONFLICT (study_id, key) DO UPDATE SET value_json = excluded.value_json RETURNING 1";
  return pool_->Run(Access::kIdempotentWrite, Scope::kStatement, "setting a study attribute",
                    [&](Tx& tx) -> Status {
                      if (tx.Exec(user ? kUser : kSystem, {P(study_id), P(key), P(json)}).empty())
                        return Status::NotFound("no study with id " + std::to_string(study_id) +
                                                " in " + pool_->where());
                      return Status::Ok();
                    });
}

Status PostgresStorage::SetStudyUserAttr(int64_t study_id, std::string_view key,
                                         std::string_view json) {
  return SetStudyAttr(true, study_id, key, json);
}

Status PostgresStorage::SetStudySystemAttr(int64_t study_id, std::string_view key,
                                           std::string_view json) {
  return SetStudyAttr(false, study_id, key, json);
}

}  // namespace hypertune
