#include "src/core/storages/sqlite/optuna_schema.h"

#include "hypertune/core/sqlite_storage.h"

namespace hypertune::sqlite_internal {
namespace {

// As SQLAlchemy emits Optuna 3.1's models for SQLite.
constexpr const char* kSchemaV300d[] = {
    R"(CREATE TABLE studies (
	study_id INTEGER NOT NULL, 
	study_name VARCHAR(512) NOT NULL, 
	PRIMARY KEY (study_id)
))",
    "CREATE UNIQUE INDEX ix_studies_study_name ON studies (study_name)",
    R"(CREATE TABLE version_info (
	version_info_id INTEGER NOT NULL, 
	schema_version INTEGER, 
	library_version VARCHAR(256), 
	PRIMARY KEY (version_info_id), 
	CHECK (version_info_id=1)
))",
    R"(CREATE TABLE study_directions (
	study_direction_id INTEGER NOT NULL, 
	direction VARCHAR(8) NOT NULL, 
	study_id INTEGER NOT NULL, 
	objective INTEGER NOT NULL, 
	PRIMARY KEY (study_direction_id), 
	UNIQUE (study_id, objective), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
))",
    R"(CREATE TABLE study_user_attributes (
	study_user_attribute_id INTEGER NOT NULL, 
	study_id INTEGER, 
	"key" VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (study_user_attribute_id), 
	UNIQUE (study_id, "key"), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
))",
    R"(CREATE TABLE study_system_attributes (
	study_system_attribute_id INTEGER NOT NULL, 
	study_id INTEGER, 
	"key" VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (study_system_attribute_id), 
	UNIQUE (study_id, "key"), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
))",
    R"(CREATE TABLE trials (
	trial_id INTEGER NOT NULL, 
	number INTEGER, 
	study_id INTEGER, 
	state VARCHAR(8) NOT NULL, 
	datetime_start DATETIME, 
	datetime_complete DATETIME, 
	PRIMARY KEY (trial_id), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
))",
    R"(CREATE TABLE trial_user_attributes (
	trial_user_attribute_id INTEGER NOT NULL, 
	trial_id INTEGER, 
	"key" VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (trial_user_attribute_id), 
	UNIQUE (trial_id, "key"), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE trial_system_attributes (
	trial_system_attribute_id INTEGER NOT NULL, 
	trial_id INTEGER, 
	"key" VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (trial_system_attribute_id), 
	UNIQUE (trial_id, "key"), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE trial_params (
	param_id INTEGER NOT NULL, 
	trial_id INTEGER, 
	param_name VARCHAR(512), 
	param_value FLOAT, 
	distribution_json TEXT, 
	PRIMARY KEY (param_id), 
	UNIQUE (trial_id, param_name), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE trial_values (
	trial_value_id INTEGER NOT NULL, 
	trial_id INTEGER NOT NULL, 
	objective INTEGER NOT NULL, 
	value FLOAT, 
	value_type VARCHAR(7) NOT NULL, 
	PRIMARY KEY (trial_value_id), 
	UNIQUE (trial_id, objective), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE trial_intermediate_values (
	trial_intermediate_value_id INTEGER NOT NULL, 
	trial_id INTEGER NOT NULL, 
	step INTEGER NOT NULL, 
	intermediate_value FLOAT, 
	intermediate_value_type VARCHAR(7) NOT NULL, 
	PRIMARY KEY (trial_intermediate_value_id), 
	UNIQUE (trial_id, step), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE trial_heartbeats (
	trial_heartbeat_id INTEGER NOT NULL, 
	trial_id INTEGER NOT NULL, 
	heartbeat DATETIME NOT NULL, 
	PRIMARY KEY (trial_heartbeat_id), 
	UNIQUE (trial_id), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
))",
};

// What v3.2.0.a adds to v3.0.0.d (its alembic upgrade()).
constexpr const char* kIndexV320a = "CREATE INDEX trials_study_id_key ON trials (study_id)";

}  // namespace

Status CreateSchema(Connection& db, std::string_view revision) {
  if (!IsSupportedRevision(revision))
    return Status::InvalidArgument("cannot create schema revision '" + std::string(revision) +
                                   "' in '" + db.path() + "': only " +
                                   std::string(kOptunaSchemaV300d) + " and " +
                                   std::string(kOptunaSchemaV320a) + " are supported");
  for (const char* sql : kSchemaV300d) HT_RETURN_IF_ERROR(db.Exec(sql));
  const bool v320a = revision == kOptunaSchemaV320a;
  if (v320a) HT_RETURN_IF_ERROR(db.Exec(kIndexV320a));
  const std::string_view library_version = optuna_rdb::LibraryVersion(revision);
  HT_ASSIGN_OR_RETURN(Stmt a, db.Prepare("INSERT INTO alembic_version (version_num) VALUES (?)"));
  HT_RETURN_IF_ERROR(a.Bind(1, revision).Run());
  HT_ASSIGN_OR_RETURN(Stmt v, db.Prepare("INSERT INTO version_info (version_info_id, "
                                         "schema_version, library_version) VALUES (1, ?, ?)"));
  return v.Bind(1, optuna_rdb::kSchemaVersion).Bind(2, library_version).Run();
}

Result<std::string> ReadRevision(Connection& db) {
  HT_ASSIGN_OR_RETURN(Stmt n, db.Prepare("SELECT COUNT(*) FROM sqlite_master"));
  HT_ASSIGN_OR_RETURN(bool row, n.Step());
  if (!row || n.Int(0) == 0) return std::string();
  HT_ASSIGN_OR_RETURN(
      Stmt t, db.Prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                         "name = 'alembic_version'"));
  HT_ASSIGN_OR_RETURN(row, t.Step());
  if (!row || t.Int(0) == 0)
    return Status::Corruption("'" + db.path() +
                              "' is a SQLite file but not an Optuna storage (no "
                              "alembic_version table)");
  HT_ASSIGN_OR_RETURN(Stmt v, db.Prepare("SELECT version_num FROM alembic_version"));
  HT_ASSIGN_OR_RETURN(row, v.Step());
  if (!row)
    return Status::Corruption("'" + db.path() + "': alembic_version is empty");
  return v.Text(0);
}

}  // namespace hypertune::sqlite_internal
