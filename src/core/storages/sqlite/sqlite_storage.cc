#include "hypertune/core/sqlite_storage.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "src/core/storages/sqlite/connection.h"
#include "src/core/storages/optuna_rdb/optuna_codec.h"
#include "src/core/storages/sqlite/optuna_schema.h"
#include "src/core/storages/sqlite/trial_rows.h"

namespace hypertune {

using sqlite_internal::Connection;
using sqlite_internal::Stmt;
using sqlite_internal::TrialRows;

namespace {

constexpr std::string_view kUrlPrefix = "sqlite:///";


}  // namespace

Status SqliteStorageOptions::Validate() const {
  if (busy_timeout_ms < 0)
    return Status::InvalidArgument("SqliteStorageOptions.busy_timeout_ms must be >= 0, got " +
                                   std::to_string(busy_timeout_ms));
  if (max_retries < 0)
    return Status::InvalidArgument("SqliteStorageOptions.max_retries must be >= 0, got " +
                                   std::to_string(max_retries));
  if (!sqlite_internal::IsSupportedRevision(schema_revision))
    return Status::InvalidArgument("SqliteStorageOptions.schema_revision '" + schema_revision +
                                   "' is not supported; use " +
                                   std::string(kOptunaSchemaV320a) + " or " +
                                   std::string(kOptunaSchemaV300d));
  return Status::Ok();
}

Result<std::shared_ptr<SqliteStorage>> SqliteStorage::Open(std::string_view url,
                                                           SqliteStorageOptions options) {
  HT_RETURN_IF_ERROR(options.Validate());
  if (url.substr(0, kUrlPrefix.size()) != kUrlPrefix)
    return Status::InvalidArgument("storage URL '" + std::string(url) +
                                   "' is not sqlite:///<path>");
  std::string path(url.substr(kUrlPrefix.size()));
  if (path.empty())
    return Status::InvalidArgument("storage URL '" + std::string(url) + "' names no file");
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode))
    return Status::InvalidArgument("sqlite storage path '" + path + "' is not a regular file");
  if (!exists && options.read_only)
    return Status::NotFound("sqlite file '" + path + "' does not exist (opened read-only)");
  HT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> db,
                      Connection::Open(path, options.read_only, options.busy_timeout_ms,
                                       options.max_retries));
  // Read first, so that a file that is not ours is left untouched.
  std::string revision;
  if (Status tx = db->Transaction(false, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(revision, sqlite_internal::ReadRevision(*db));
    return Status::Ok();
  }); !tx.ok()) {
    return tx;
  }
  if (revision.empty() && options.read_only)
    return Status::FailedPrecondition("sqlite file '" + path +
                                      "' holds no Optuna storage and was opened read-only");
  if (!revision.empty() && !sqlite_internal::IsSupportedRevision(revision))
    return Status::FailedPrecondition("sqlite file '" + path + "' has schema revision '" +
                                      revision + "', which hypertune does not support (it "
                                      "supports " + std::string(kOptunaSchemaV300d) + " and " +
                                      std::string(kOptunaSchemaV320a) + ")");
  if (!options.read_only) {
    Status wal = Status::Unavailable("");
    for (int k = 0; k <= options.max_retries && wal.code() == StatusCode::kUnavailable; ++k) {
      if (k > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      wal = db->Exec("PRAGMA journal_mode=WAL");
    }
    HT_RETURN_IF_ERROR(wal);
    HT_RETURN_IF_ERROR(db->Exec(options.sync_every_commit ? "PRAGMA synchronous=FULL"
                                                          : "PRAGMA synchronous=NORMAL"));
  }
  if (revision.empty()) {
    if (Status tx = db->Transaction(true, [&]() -> Status {
      // Another process may have created it since the read.
      HT_ASSIGN_OR_RETURN(revision, sqlite_internal::ReadRevision(*db));
      if (!revision.empty()) return Status::Ok();
      revision = options.schema_revision;
      return sqlite_internal::CreateSchema(*db, revision);
    }); !tx.ok()) {
      return tx;
    }
    if (!sqlite_internal::IsSupportedRevision(revision))
      return Status::FailedPrecondition("sqlite file '" + path + "' has schema revision '" +
                                        revision + "', which hypertune does not support");
  }
  return std::shared_ptr<SqliteStorage>(
      new SqliteStorage(std::move(path), std::move(revision), std::move(db)));
}

SqliteStorage::SqliteStorage(std::string path, std::string revision,
                             std::unique_ptr<Connection> db)
    : path_(std::move(path)),
      revision_(std::move(revision)),
      db_(std::move(db)),
      rows_(std::make_unique<TrialRows>(*db_)) {}

SqliteStorage::~SqliteStorage() = default;

Status SqliteStorage::CheckStudy(int64_t study_id) {
  HT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT 1 FROM studies WHERE study_id = ?"));
  s.Bind(1, study_id);
  HT_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row)
    return Status::NotFound("no study with id " + std::to_string(study_id) + " in '" + path_ +
                            "'");
  return Status::Ok();
}

Result<std::vector<StudyDirection>> SqliteStorage::Directions(int64_t study_id) {
  HT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT direction FROM study_directions "
                                           "WHERE study_id = ? ORDER BY objective"));
  s.Bind(1, study_id);
  std::vector<StudyDirection> out;
  for (;;) {
    HT_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Result<StudyDirection> d = StudyDirectionFromString(s.Text(0));
    if (!d.ok())
      return d.status().WithContext("'" + path_ + "', study id " + std::to_string(study_id));
    out.push_back(*d);
  }
  return out;
}

Result<int64_t> SqliteStorage::CreateStudy(std::string_view name,
                                           const std::vector<StudyDirection>& directions) {
  if (name.empty()) return Status::InvalidArgument("a study name must not be empty");
  if (directions.empty())
    return Status::InvalidArgument("study '" + std::string(name) + "' needs a direction");
  int64_t id = -1;
  if (Status tx = db_->Transaction(true, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(Stmt find, db_->Prepare("SELECT study_id FROM studies "
                                                "WHERE study_name = ?"));
    find.Bind(1, name);
    HT_ASSIGN_OR_RETURN(bool row, find.Step());
    if (row)
      return Status::AlreadyExists("a study named '" + std::string(name) +
                                   "' already exists in '" + path_ + "'");
    HT_ASSIGN_OR_RETURN(Stmt ins, db_->Prepare("INSERT INTO studies (study_name) VALUES (?)"));
    HT_RETURN_IF_ERROR(ins.Bind(1, name).Run());
    id = db_->LastInsertId();
    for (size_t k = 0; k < directions.size(); ++k) {
      HT_ASSIGN_OR_RETURN(Stmt d, db_->Prepare("INSERT INTO study_directions (direction, "
                                               "study_id, objective) VALUES (?, ?, ?)"));
      HT_RETURN_IF_ERROR(
          d.Bind(1, ToString(directions[k])).Bind(2, id).Bind(3, static_cast<int64_t>(k)).Run());
    }
    return Status::Ok();
  }); !tx.ok()) {
    return tx;
  }
  return id;
}

Status SqliteStorage::DeleteStudy(int64_t study_id) {
  static constexpr const char* kDeletes[] = {
      "DELETE FROM trial_params WHERE trial_id IN (SELECT trial_id FROM trials WHERE study_id = ?)",
      "DELETE FROM trial_values WHERE trial_id IN (SELECT trial_id FROM trials WHERE study_id = ?)",
      "DELETE FROM trial_intermediate_values WHERE trial_id IN "
      "(SELECT trial_id FROM trials WHERE study_id = ?)",
      "DELETE FROM trial_user_attributes WHERE trial_id IN "
      "(SELECT trial_id FROM trials WHERE study_id = ?)",
      "DELETE FROM trial_system_attributes WHERE trial_id IN "
      "(SELECT trial_id FROM trials WHERE study_id = ?)",
      "DELETE FROM trial_heartbeats WHERE trial_id IN "
      "(SELECT trial_id FROM trials WHERE study_id = ?)",
      "DELETE FROM trials WHERE study_id = ?",
      "DELETE FROM study_directions WHERE study_id = ?",
      "DELETE FROM study_user_attributes WHERE study_id = ?",
      "DELETE FROM study_system_attributes WHERE study_id = ?",
      "DELETE FROM studies WHERE study_id = ?",
  };
  return db_->Transaction(true, [&]() -> Status {
    HT_RETURN_IF_ERROR(CheckStudy(study_id));
    for (const char* sql : kDeletes) {
      HT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(sql));
      HT_RETURN_IF_ERROR(s.Bind(1, study_id).Run());
    }
    return Status::Ok();
  });
}

Result<int64_t> SqliteStorage::GetStudyId(std::string_view name) {
  int64_t id = -1;
  if (Status tx = db_->Transaction(false, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT study_id FROM studies WHERE study_name = ?"));
    s.Bind(1, name);
    HT_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row)
      return Status::NotFound("no study named '" + std::string(name) + "' in '" + path_ + "'");
    id = s.Int(0);
    return Status::Ok();
  }); !tx.ok()) {
    return tx;
  }
  return id;
}

Result<StudySummary> SqliteStorage::LoadStudy(int64_t study_id) {
  StudySummary out;
  out.study_id = study_id;
  {
    HT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT study_name FROM studies WHERE study_id = ?"));
    s.Bind(1, study_id);
    HT_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row)
      return Status::NotFound("no study with id " + std::to_string(study_id) + " in '" + path_ +
                              "'");
    out.name = s.Text(0);
  }
  HT_ASSIGN_OR_RETURN(out.directions, Directions(study_id));
  {
    HT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT COUNT(*) FROM trials WHERE study_id = ?"));
    s.Bind(1, study_id);
    HT_ASSIGN_OR_RETURN(bool row, s.Step());
    out.n_trials = row ? static_cast<int>(s.Int(0)) : 0;
  }
  for (bool user : {true, false}) {
    HT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare(user ? "SELECT \"key\", value_json FROM "
                                                    "study_user_attributes WHERE study_id = ?"
                                                  : "SELECT \"key\", value_json FROM "
                                                    "study_system_attributes WHERE study_id = ?"));
    s.Bind(1, study_id);
    for (;;) {
      HT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      (user ? out.user_attrs : out.system_attrs)[s.Text(0)] = s.Text(1);
    }
  }
  return out;
}

Result<StudySummary> SqliteStorage::GetStudy(int64_t study_id) {
  StudySummary out;
  if (Status tx = db_->Transaction(false, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(out, LoadStudy(study_id));
    return Status::Ok();
  }); !tx.ok()) {
    return tx;
  }
  return out;
}

Result<std::vector<StudySummary>> SqliteStorage::ListStudies() {
  std::vector<StudySummary> out;
  if (Status tx = db_->Transaction(false, [&]() -> Status {
    std::vector<int64_t> ids;
    {
      HT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT study_id FROM studies ORDER BY study_id"));
      for (;;) {
        HT_ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        ids.push_back(s.Int(0));
      }
    }
    for (int64_t id : ids) {
      HT_ASSIGN_OR_RETURN(StudySummary sum, LoadStudy(id));
      out.push_back(std::move(sum));
    }
    return Status::Ok();
  }); !tx.ok()) {
    return tx;
  }
  return out;
}

Status SqliteStorage::SetStudyAttr(bool user, int64_t study_id, std::string_view key,
                                   std::string_view json) {
  return db_->Transaction(true, [&]() -> Status {
    HT_RETURN_IF_ERROR(CheckStudy(study_id));
    HT_ASSIGN_OR_RETURN(
        Stmt s, db_->Prepare(user ? "INSERT INTO study_user_attributes (study_id, \"key\", "
                                    "value_json) VALUES (?, ?, ?) ON CONFLICT (study_id, "
                                    "\"key\") DO UPDATE SET value_json = excluded.value_json"
                                  : "INSERT INTO study_system_attributes (study_id, \"key\", "
                                    "value_json) VALUES (?, ?, ?) ON CONFLICT (study_id, "
                                    "\"key\") DO UPDATE SET value_json = excluded.value_json"));
    return s.Bind(1, study_id).Bind(2, key).Bind(3, json).Run();
  });
}

Status SqliteStorage::SetStudyUserAttr(int64_t study_id, std::string_view key,
                                       std::string_view json) {
  return SetStudyAttr(true, study_id, key, json);
}

Status SqliteStorage::SetStudySystemAttr(int64_t study_id, std::string_view key,
                                         std::string_view json) {
  return SetStudyAttr(false, study_id, key, json);
}

}  // namespace hypertune
