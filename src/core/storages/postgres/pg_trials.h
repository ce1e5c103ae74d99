// Reading whole trials in one statement, and the text encodings of arrays
// that let one statement write many rows.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/frozen_trial.h"
#include "src/core/storages/postgres/pg_pool.h"

namespace hypertune::pg_internal {

// The SQL of a statement that returns whole trials, one row per trials,
// trial_params, trial_values, trial_intermediate_values and
// trial_*_attributes row (a UNION ALL), ordered so that TrialDecoder reads
// them in one pass: a round trip for any number of trials.
//  - `ctes`: CTE definitions the other parts use ("x AS (...)", no WITH),
//    or "".
//  - `ids`: an int[] expression, evaluated once: the ids of the trials.
//    Every table is read with `trial_id = ANY(ids)`, which PostgreSQL
//    answers with index lookups whatever its (often absent) statistics say.
//  - `trial_rows`: "" to read the trials rows of `ids` from the table, or a
//    SELECT of rows with trials' columns (the RETURNING of an UPDATE).
//  - `study_marker`: a SELECT of one row, with one bigint column `i`, when
//    the study exists; or "".
std::string TrialsSql(std::string_view ctes, std::string_view ids, std::string_view trial_rows = "",
                      std::string_view study_marker = "");

// A condition on trials that PostgreSQL evaluates with a range scan of the
// primary key, for "trials of study $study created after trial id $after":
// two bounds, so that the planner's guess for unknown values is a narrow
// range (not a third of the table), and study_id + 0, so that it does not
// prefer v3.2.0.a's index on study_id, which would read every trial of the
// study.
std::string NewTrialsOf(std::string_view study, std::string_view after);

// PostgresStorage::ReadTrialUpdates: $1 study id, $2 the cursor's
// max_trial_id, $3 the ids it holds open (int[]). Returns the trials created
// since and the open ones, and a marker row if the study exists.
const std::string& ReadTrialUpdatesSql();

// PostgresStorage::PopWaitingTrial: $1 study id, $2 start time, $3 the id
// below which no trial of the study is WAITING. Moves the oldest WAITING
// trial not locked by another popper (FOR UPDATE SKIP LOCKED) to RUNNING and
// returns it (its trials columns from RETURNING); the marker row, present if
// the study exists, carries the next such id: below the oldest WAITING
// trial, or the newest trial when none waits.
const std::string& PopWaitingTrialSql();

class TrialDecoder {
 public:
  // Appends the trials of `r` (a TrialsSql result) to `out` in trial id
  // order; sets *marker to the marker row's `i` when there is one.
  Status Decode(const pqxx::result& r, std::vector<FrozenTrial>& out,
                std::optional<int64_t>* marker = nullptr);

 private:
  Result<std::shared_ptr<const Distribution>> Intern(const std::string& json);

  std::mutex mu_;
  // One Distribution per distribution_json, shared by every trial using it.
  std::map<std::string, std::shared_ptr<const Distribution>, std::less<>> distributions_;
};

// PostgreSQL array literals: {1,2,NULL}, {"a\"b",NULL}.
std::string ArrayLiteral(const std::vector<Param>& elements);

// The time a trial is stored with: microseconds, as PostgreSQL's timestamp.
FrozenTrial::Clock::time_point ToMicros(FrozenTrial::Clock::time_point t);

}  // namespace hypertune::pg_internal
