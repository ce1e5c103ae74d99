#include "src/core/storages/postgres/pg_schema.h"

#include <pqxx/pqxx>

#include "hypertune/core/optuna_schema.h"
#include "src/core/storages/optuna_rdb/optuna_codec.h"

namespace hypertune::pg_internal {
namespace {

// Word for word what SQLAlchemy 1.4 emits for Optuna 3.1's models on
// PostgreSQL (metadata.create_all), then alembic's version table. Enum
// columns are native ENUM types named after the Python enums.
constexpr const char* kSchemaV300d[] = {
    "CREATE TYPE studydirection AS ENUM ('NOT_SET', 'MINIMIZE', 'MAXIMIZE')",
    "CREATE TYPE trialstate AS ENUM ('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING')",
    "CREATE TYPE trialvaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG')",
    "CREATE TYPE trialintermediatevaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG', 'NAN')",
    R"(CREATE TABLE studies (
	study_id SERIAL NOT NULL, 
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
	study_direction_id SERIAL NOT NULL, 
	direction studydirection NOT NULL, 
	study_id INTEGER NOT NULL, 
	objective INTEGER NOT NULL, 
	PRIMARY KEY (study_direction_id), 
	UNIQUE (study_id, objective), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
))",
    R"(CREATE TABLE study_system_attributes (
	study_system_attribute_id SERIAL NOT NULL, 
	study_id INTEGER, 
	key VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (study_system_attribute_id), 
	UNIQUE (study_id, key), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
))",
    R"(CREATE TABLE study_user_attributes (
	study_user_attribute_id SERIAL NOT NULL, 
	study_id INTEGER, 
	key VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (study_user_attribute_id), 
	UNIQUE (study_id, key), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
))",
    R"(CREATE TABLE trials (
	trial_id SERIAL NOT NULL, 
	number INTEGER, 
	study_id INTEGER, 
	state trialstate NOT NULL, 
	datetime_start TIMESTAMP WITHOUT TIME ZONE, 
	datetime_complete TIMESTAMP WITHOUT TIME ZONE, 
	PRIMARY KEY (trial_id), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
))",
    R"(CREATE TABLE trial_heartbeats (
	trial_heartbeat_id SERIAL NOT NULL, 
	trial_id INTEGER NOT NULL, 
	heartbeat TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
	PRIMARY KEY (trial_heartbeat_id), 
	UNIQUE (trial_id), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE trial_intermediate_values (
	trial_intermediate_value_id SERIAL NOT NULL, 
	trial_id INTEGER NOT NULL, 
	step INTEGER NOT NULL, 
	intermediate_value FLOAT(53), 
	intermediate_value_type trialintermediatevaluetype NOT NULL, 
	PRIMARY KEY (trial_intermediate_value_id), 
	UNIQUE (trial_id, step), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE trial_params (
	param_id SERIAL NOT NULL, 
	trial_id INTEGER, 
	param_name VARCHAR(512), 
	param_value FLOAT(53), 
	distribution_json TEXT, 
	PRIMARY KEY (param_id), 
	UNIQUE (trial_id, param_name), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE trial_system_attributes (
	trial_system_attribute_id SERIAL NOT NULL, 
	trial_id INTEGER, 
	key VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (trial_system_attribute_id), 
	UNIQUE (trial_id, key), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE trial_user_attributes (
	trial_user_attribute_id SERIAL NOT NULL, 
	trial_id INTEGER, 
	key VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (trial_user_attribute_id), 
	UNIQUE (trial_id, key), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE trial_values (
	trial_value_id SERIAL NOT NULL, 
	trial_id INTEGER NOT NULL, 
	objective INTEGER NOT NULL, 
	value FLOAT(53), 
	value_type trialvaluetype NOT NULL, 
	PRIMARY KEY (trial_value_id), 
	UNIQUE (trial_id, objective), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
))",
    R"(CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
))",
};

// What v3.2.0.a adds to v3.0.0.d (its alembic upgrade()).
constexpr const char* kIndexV320a = "CREATE INDEX trials_study_id_key ON trials (study_id)";

// Optuna's tables: any of them without alembic_version means a schema we do
// not know.
constexpr const char* kOptunaTables =
    "{studies,version_info,study_directions,study_user_attributes,"
    "study_system_attributes,trials,trial_user_attributes,trial_system_attributes,"
    "trial_params,trial_values,trial_intermediate_values,trial_heartbeats,alembic_version}";

// The pg_advisory_xact_lock key of schema creation (any constant; this one
// is "hypertue" in ASCII), so that processes opening one new database wait
// for each other.
constexpr int64_t kSchemaLockKey = 0x6879706572747565;

}  // namespace

Result<std::string> ReadRevision(Tx& tx) {
  // Optuna (SQLAlchemy) creates its tables in the first schema of the
  // search_path, which is where unqualified names resolve.
  const pqxx::result tables = tx.Exec(
      "SELECT tablename::text FROM pg_catalog.pg_tables WHERE schemaname = "
      "current_schema() AND tablename = ANY($1::text[]) ORDER BY 1",
      {P(kOptunaTables)});
  if (tables.empty()) return std::string();
  std::string names;
  bool has_alembic = false;
  for (const auto& row : tables) {
    const std::string name = Text(row[0]);
    has_alembic |= name == "alembic_version";
    names += (names.empty() ? "" : ", ") + name;
  }
  if (!has_alembic)
    return Status::Corruption("the database has tables named like Optuna's (" + names +
                              ") but no alembic_version table: not an Optuna storage");
  const pqxx::result v = tx.Exec("SELECT version_num::text FROM alembic_version", {});
  if (v.size() != 1)
    return Status::Corruption("alembic_version holds " + std::to_string(v.size()) +
                              " rows instead of 1");
  return Text(v[0][0]);
}

Result<std::string> CreateSchemaIfMissing(Tx& tx, std::string_view revision) {
  if (!optuna_rdb::IsSupportedRevision(revision))
    return Status::InvalidArgument("cannot create schema revision '" + std::string(revision) +
                                   "': only " + std::string(kOptunaSchemaV300d) + " and " +
                                   std::string(kOptunaSchemaV320a) + " are supported");
  tx.Exec("SELECT pg_advisory_xact_lock($1::bigint)", {P(kSchemaLockKey)});
  // Read again: another process may have created it while we waited.
  HT_ASSIGN_OR_RETURN(std::string existing, ReadRevision(tx));
  if (!existing.empty()) return existing;
  for (const char* sql : kSchemaV300d) tx.ExecDdl(sql);
  if (revision == kOptunaSchemaV320a) tx.ExecDdl(kIndexV320a);
  tx.Exec("INSERT INTO alembic_version (version_num) VALUES ($1)", {P(revision)});
  tx.Exec(
      "INSERT INTO version_info (version_info_id, schema_version, library_version) "
      "VALUES (1, $1, $2)",
      {P(optuna_rdb::kSchemaVersion), P(optuna_rdb::LibraryVersion(revision))});
  return std::string(revision);
}

}  // namespace hypertune::pg_internal
