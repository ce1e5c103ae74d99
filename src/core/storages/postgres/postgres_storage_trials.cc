// PostgresStorage's trial and heartbeat methods (studies are in
// postgres_storage.cc). Most are one statement, so one round trip: guarded
// writes lock the trial's row in a CTE (FOR NO KEY UPDATE, which waits for a
// concurrent finisher and then sees its state) and write only if the trial
// is unfinished; when nothing was written, a second read says why.
#include <algorithm>
#include <cmath>
#include <pqxx/pqxx>

#include "hypertune/core/postgres_storage.h"
#include "src/core/storages/optuna_rdb/optuna_codec.h"
#include "src/core/storages/postgres/pg_pool.h"
#include "src/core/storages/postgres/pg_trials.h"

namespace hypertune {

using pg_internal::Access;
using pg_internal::ArrayLiteral;
using pg_internal::Int;
using pg_internal::P;
using pg_internal::Param;
using pg_internal::Scope;
using pg_internal::Text;
using pg_internal::Tx;

namespace {

std::string Now() { return optuna_rdb::FormatDatetime(FrozenTrial::Clock::now()); }

Param Format(const std::optional<FrozenTrial::Clock::time_point>& t) {
  if (!t) return std::nullopt;
  return optuna_rdb::FormatDatetime(*t);
}

std::string Name(int number, int64_t trial_id) {
  return "trial " + std::to_string(number) + " (id " + std::to_string(trial_id) + ")";
}

Status Finished(int number, int64_t trial_id, int64_t study_id, std::string_view state) {
  return Status::FailedPrecondition(Name(number, trial_id) + " of study id " +
                                    std::to_string(study_id) + " is already " + std::string(state) +
                                    " and cannot change");
}

bool IsFinishedText(std::string_view state) {
  return state == "COMPLETE" || state == "PRUNED" || state == "FAIL";
}

Status CheckObjectiveValues(int64_t trial_id, const std::vector<double>& values) {
  for (double v : values)
    if (std::isnan(v))
      return Status::InvalidArgument("trial id " + std::to_string(trial_id) +
                                     ": an objective value is NaN (Optuna's schema stores no "
                                     "NaN objective value; fail the trial instead)");
  return Status::Ok();
}

}  // namespace

Status PostgresStorage::WhyNotWritten(int64_t trial_id, const char* what) {
  return pool_->Run(Access::kRead, Scope::kStatement, what, [&](Tx& tx) -> Status {
    const pqxx::result r = tx.Exec(
        "SELECT study_id, number, state::text FROM trials WHERE trial_id = $1::int", {P(trial_id)});
    if (r.empty())
      return Status::NotFound("no trial with id " + std::to_string(trial_id) + " in " +
                              pool_->where());
    HT_ASSIGN_OR_RETURN(int64_t study_id, Int(r[0][0]));
    HT_ASSIGN_OR_RETURN(int64_t number, Int(r[0][1]));
    const std::string state = Text(r[0][2]);
    if (IsFinishedText(state)) return Finished(static_cast<int>(number), trial_id, study_id, state);
    return Status::FailedPrecondition(Name(static_cast<int>(number), trial_id) + " of study id " +
                                      std::to_string(study_id) + " is " + state +
                                      ": it changed while being written; try again");
  });
}

Result<FrozenTrial> PostgresStorage::CreateTrial(int64_t study_id, const FrozenTrial* templ) {
  FrozenTrial t = NewTrialFromTemplate(templ);
  if (t.datetime_start) t.datetime_start = pg_internal::ToMicros(*t.datetime_start);
  if (t.datetime_complete) t.datetime_complete = pg_internal::ToMicros(*t.datetime_complete);
  HT_RETURN_IF_ERROR(CheckObjectiveValues(-1, t.values)
                         .WithContext("study id " + std::to_string(study_id) + ", new trial"));
  std::vector<Param> names, values, dists, obj_values, obj_types, steps, iv_values, iv_types,
      user_keys, user_json, sys_keys, sys_json;
  for (const TrialParam& p : t.params) {
    HT_RETURN_IF_ERROR(pg_internal::CheckText("parameter name", p.name));
    names.push_back(P(p.name));
    values.push_back(P(p.internal));
    dists.push_back(P(optuna_rdb::DistributionToJson(*p.distribution)));
  }
  for (double v : t.values) {
    const optuna_rdb::StoredValue s = optuna_rdb::EncodeValue(v);
    obj_values.push_back(P(s.value));
    obj_types.push_back(P(s.type));
  }
  for (const auto& [step, v] : t.intermediate_values) {
    const optuna_rdb::StoredValue s = optuna_rdb::EncodeValue(v);
    steps.push_back(P(step));
    iv_values.push_back(P(s.value));
    iv_types.push_back(P(s.type));
  }
  for (const auto& [k, v] : t.user_attrs) {
    HT_RETURN_IF_ERROR(pg_internal::CheckText("attribute key", k));
    HT_RETURN_IF_ERROR(pg_internal::CheckText("attribute value", v));
    user_keys.push_back(P(k));
    user_json.push_back(P(v));
  }
  for (const auto& [k, v] : t.system_attrs) {
    HT_RETURN_IF_ERROR(pg_internal::CheckText("attribute key", k));
    HT_RETURN_IF_ERROR(pg_internal::CheckText("attribute value", v));
    sys_keys.push_back(P(k));
    sys_json.push_back(P(v));
  }
  // The study's row lock (Optuna takes it too) serializes numbering: the
  // INSERT, a later statement, sees every trial committed before the lock
  // was granted. Numbers are dense and grow with trial ids, so the newest
  // trial holds the highest number.
  static const std::string kLock =
      "SELECT (SELECT count(*) FROM study_directions d WHERE d.study_id = s.study_id) "
      "FROM studies s WHERE s.study_id = $1::int FOR UPDATE OF s";
  static const std::string kInsert =
      "WITH t AS (INSERT INTO trials (number, study_id, state, datetime_start, "
      "datetime_complete) VALUES (COALESCE((SELECT number FROM trials WHERE study_id = $1::int "
      "ORDER BY trial_id DESC LIMIT 1) + 1, 0), $1::int, $2::trialstate, $3::timestamp, "
      "$4::timestamp) RETURNING trial_id, number), "
      "p AS (INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) "
      "SELECT t.trial_id, x.n, x.v, x.d FROM t, unnest($5::text[], $6::float8[], $7::text[]) "
      "WITH ORDINALITY AS x(n, v, d, o) ORDER BY x.o), "
      "v AS (INSERT INTO trial_values (trial_id, objective, value, value_type) "
      "SELECT t.trial_id, x.o - 1, x.v, x.ty FROM t, unnest($8::float8[], "
      "$9::trialvaluetype[]) WITH ORDINALITY AS x(v, ty, o)), "
      "iv AS (INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, "
      "intermediate_value_type) SELECT t.trial_id, x.s, x.v, x.ty FROM t, unnest($10::int[], "
      "$11::float8[], $12::trialintermediatevaluetype[]) AS x(s, v, ty)), "
      "ua AS (INSERT INTO trial_user_attributes (trial_id, key, value_json) "
      "SELECT t.trial_id, x.k, x.j FROM t, unnest($13::text[], $14::text[]) AS x(k, j)), "
      "sa AS (INSERT INTO trial_system_attributes (trial_id, key, value_json) "
      "SELECT t.trial_id, x.k, x.j FROM t, unnest($15::text[], $16::text[]) AS x(k, j)) "
      "SELECT trial_id, number FROM t";
  const std::vector<Param> params = {P(study_id),
                                     P(ToString(t.state)),
                                     Format(t.datetime_start),
                                     Format(t.datetime_complete),
                                     P(ArrayLiteral(names)),
                                     P(ArrayLiteral(values)),
                                     P(ArrayLiteral(dists)),
                                     P(ArrayLiteral(obj_values)),
                                     P(ArrayLiteral(obj_types)),
                                     P(ArrayLiteral(steps)),
                                     P(ArrayLiteral(iv_values)),
                                     P(ArrayLiteral(iv_types)),
                                     P(ArrayLiteral(user_keys)),
                                     P(ArrayLiteral(user_json)),
                                     P(ArrayLiteral(sys_keys)),
                                     P(ArrayLiteral(sys_json))};
  if (Status run_status = pool_->Run(
          Access::kWrite, Scope::kTransaction, "creating a trial",
          [&](Tx& tx) -> Status {
            const pqxx::result lock = tx.Exec(kLock, {P(study_id)});
            if (lock.empty())
              return Status::NotFound("no study with id " + std::to_string(study_id) + " in " +
                                      pool_->where());
            if (t.state == TrialState::kComplete) {
              HT_ASSIGN_OR_RETURN(int64_t n_dirs, Int(lock[0][0]));
              if (static_cast<int64_t>(t.values.size()) != n_dirs)
                return Status::InvalidArgument(
                    "study id " + std::to_string(study_id) + ": a COMPLETE trial needs " +
                    std::to_string(n_dirs) + " value(s), got " + std::to_string(t.values.size()));
            }
            const pqxx::result r = tx.Exec(kInsert, params);
            HT_ASSIGN_OR_RETURN(t.trial_id, Int(r.at(0)[0]));
            HT_ASSIGN_OR_RETURN(int64_t number, Int(r.at(0)[1]));
            t.number = static_cast<int>(number);
            return Status::Ok();
          });
      !run_status.ok()) {
    return run_status;
  }
  return t;
}

Result<FrozenTrial> PostgresStorage::PopWaitingTrial(int64_t study_id) {
  // One statement: pick the oldest WAITING trial that no other worker is
  // popping (SKIP LOCKED), make it RUNNING, and return it whole (its trials
  // columns from RETURNING, the rest from the child tables). The marker row
  // carries the new hint: below the oldest WAITING trial, or the newest
  // trial when none waits.
  const std::string& kSql = pg_internal::PopWaitingTrialSql();
  int64_t hint = -1;
  {
    std::lock_guard lock(hints_mu_);
    auto it = waiting_hint_.find(study_id);
    if (it != waiting_hint_.end()) hint = it->second;
  }
  std::vector<FrozenTrial> popped;
  std::optional<int64_t> next_hint;
  if (Status run_status = pool_->Run(
          Access::kWrite, Scope::kStatement, "popping a waiting trial",
          [&](Tx& tx) -> Status {
            popped.clear();
            next_hint.reset();
            const pqxx::result r = tx.Exec(kSql, {P(study_id), P(Now()), P(hint)});
            HT_RETURN_IF_ERROR(decoder_->Decode(r, popped, &next_hint).WithContext(pool_->where()));
            if (!next_hint)
              return Status::NotFound("no study with id " + std::to_string(study_id) + " in " +
                                      pool_->where());
            return Status::Ok();
          });
      !run_status.ok()) {
    return run_status;
  }
  {
    std::lock_guard lock(hints_mu_);
    int64_t& h = waiting_hint_.try_emplace(study_id, -1).first->second;
    h = std::max(h, *next_hint);
  }
  if (popped.empty()) return FrozenTrial{};
  return std::move(popped.front());
}

Status PostgresStorage::SetTrialParam(int64_t trial_id, std::string_view name, double internal,
                                      std::shared_ptr<const Distribution> distribution) {
  HT_CHECK(distribution != nullptr) << "null distribution";
  HT_RETURN_IF_ERROR(pg_internal::CheckText("parameter name", name));
  if (!Contains(*distribution, internal))
    return Status::InvalidArgument("trial id " + std::to_string(trial_id) + ", parameter '" +
                                   std::string(name) + "': " + std::to_string(internal) +
                                   " is not in " + ToString(*distribution));
  const std::string json = optuna_rdb::DistributionToJson(*distribution);
  // Writes a new parameter, or the value of one with the same
  // distribution_json, to an unfinished trial.
  static const std::string kSql =
      "WITH t AS (SELECT trial_id, study_id, number, state FROM trials "
      "WHERE trial_id = $1::int FOR NO KEY UPDATE), "
      "w AS (INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) "
      "SELECT trial_id, $2::varchar, $3::float8, $4::text FROM t "
      "WHERE state IN ('RUNNING', 'WAITING') "
      "ON CONFLICT (trial_id, param_name) DO UPDATE SET param_value = excluded.param_value "
      "WHERE trial_params.distribution_json = excluded.distribution_json RETURNING 1) "
      "SELECT study_id, number, state::text, (SELECT count(*) FROM w) FROM t";
  bool written = false;
  int64_t study_id = -1, number = -1;
  const auto where = [&] {
    return Name(static_cast<int>(number), trial_id) + ", parameter '" + std::string(name) + "'";
  };
  if (Status run_status = pool_->Run(
          Access::kIdempotentWrite, Scope::kStatement, "setting a parameter",
          [&](Tx& tx) -> Status {
            const pqxx::result r = tx.Exec(kSql, {P(trial_id), P(name), P(internal), P(json)});
            if (r.empty())
              return Status::NotFound("no trial with id " + std::to_string(trial_id) + " in " +
                                      pool_->where());
            HT_ASSIGN_OR_RETURN(study_id, Int(r[0][0]));
            HT_ASSIGN_OR_RETURN(number, Int(r[0][1]));
            const std::string state = Text(r[0][2]);
            if (IsFinishedText(state))
              return Finished(static_cast<int>(number), trial_id, study_id, state);
            HT_ASSIGN_OR_RETURN(int64_t n, Int(r[0][3]));
            written = n == 1;
            return Status::Ok();
          });
      !run_status.ok()) {
    return run_status;
  }
  if (written) return Status::Ok();
  // The trial has the parameter with another distribution_json: the same
  // distribution spelled otherwise (Optuna's json.dumps puts spaces), or
  // another one.
  return pool_->Run(
      Access::kWrite, Scope::kTransaction, "setting a parameter", [&](Tx& tx) -> Status {
        const pqxx::result r = tx.Exec(
            "SELECT t.state::text, p.distribution_json FROM trials t LEFT JOIN trial_params p "
            "ON p.trial_id = t.trial_id AND p.param_name = $2::varchar "
            "WHERE t.trial_id = $1::int FOR NO KEY UPDATE OF t",
            {P(trial_id), P(name)});
        if (r.empty())
          return Status::NotFound("no trial with id " + std::to_string(trial_id) + " in " +
                                  pool_->where());
        const std::string state = Text(r[0][0]);
        if (IsFinishedText(state))
          return Finished(static_cast<int>(number), trial_id, study_id, state);
        if (r[0][1].is_null()) {
          tx.Exec(
              "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) "
              "VALUES ($1::int, $2::varchar, $3::float8, $4::text)",
              {P(trial_id), P(name), P(internal), P(json)});
          return Status::Ok();
        }
        Result<Distribution> existing = optuna_rdb::DistributionFromJson(Text(r[0][1]));
        if (!existing.ok()) return existing.status().WithContext(where());
        if (*existing != *distribution)
          return Status::InvalidArgument(where() + ": already set with " + ToString(*existing) +
                                         ", now " + ToString(*distribution));
        tx.Exec(
            "UPDATE trial_params SET param_value = $3::float8 "
            "WHERE trial_id = $1::int AND param_name = $2::varchar",
            {P(trial_id), P(name), P(internal)});
        return Status::Ok();
      });
}

Status PostgresStorage::SetTrialIntermediateValue(int64_t trial_id, int64_t step, double value) {
  static const std::string kSql =
      "WITH t AS (SELECT trial_id, state FROM trials WHERE trial_id = $1::int "
      "FOR NO KEY UPDATE), "
      "w AS (INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, "
      "intermediate_value_type) SELECT trial_id, $2::int, $3::float8, "
      "$4::trialintermediatevaluetype FROM t WHERE state IN ('RUNNING', 'WAITING') "
      "ON CONFLICT (trial_id, step) DO UPDATE SET intermediate_value = "
      "excluded.intermediate_value, intermediate_value_type = excluded.intermediate_value_type "
      "RETURNING 1) "
      "SELECT count(*) FROM w";
  const optuna_rdb::StoredValue v = optuna_rdb::EncodeValue(value);
  bool written = false;
  if (Status run_status = pool_->Run(
          Access::kIdempotentWrite, Scope::kStatement, "setting an intermediate value",
          [&](Tx& tx) -> Status {
            const pqxx::result r = tx.Exec(kSql, {P(trial_id), P(step), P(v.value), P(v.type)});
            HT_ASSIGN_OR_RETURN(int64_t n, Int(r.at(0)[0]));
            written = n == 1;
            return Status::Ok();
          });
      !run_status.ok()) {
    return run_status;
  }
  if (written) return Status::Ok();
  return WhyNotWritten(trial_id, "setting an intermediate value");
}

Status PostgresStorage::SetTrialAttr(bool user, int64_t trial_id, std::string_view key,
                                     std::string_view json) {
  HT_RETURN_IF_ERROR(pg_internal::CheckText("attribute key", key));
  HT_RETURN_IF_ERROR(pg_internal::CheckText("attribute value", json));
  // Attributes may change after a trial finished.
  static const std::string kUser =
      "INSERT INTO trial_user_attributes (trial_id, key, value_json) "
      "SELECT trial_id, $2::varchar, $3::text FROM trials WHERE trial_id = $1::int "
      "ON CONFLICT (trial_id, key) DO UPDATE SET value_json = excluded.value_json RETURNING 1";
  static const std::string kSystem =
      "INSERT INTO trial_system_attributes (trial_id, key, value_json) "
      "SELECT trial_id, $2::varchar, $3::text FROM trials WHERE trial_id = $1::int "
      "ON CONFLICT (trial_id, key) DO UPDATE SET value_json = excluded.value_json RETURNING 1";
  return pool_->Run(Access::kIdempotentWrite, Scope::kStatement, "setting a trial attribute",
                    [&](Tx& tx) -> Status {
                      if (tx.Exec(user ? kUser : kSystem, {P(trial_id), P(key), P(json)}).empty())
                        return Status::NotFound("no trial with id " + std::to_string(trial_id) +
                                                " in " + pool_->where());
                      return Status::Ok();
                    });
}

Status PostgresStorage::SetTrialUserAttr(int64_t trial_id, std::string_view key,
                                         std::string_view json) {
  return SetTrialAttr(true, trial_id, key, json);
}

Status PostgresStorage::SetTrialSystemAttr(int64_t trial_id, std::string_view key,
                                           std::string_view json) {
  return SetTrialAttr(false, trial_id, key, json);
}

Status PostgresStorage::SetTrialStateValues(int64_t trial_id, TrialState state,
                                            const std::vector<double>& values) {
  if (state == TrialState::kWaiting)
    return Status::InvalidArgument("trial id " + std::to_string(trial_id) +
                                   ": a trial cannot go back to WAITING");
  HT_RETURN_IF_ERROR(CheckObjectiveValues(trial_id, values));
  // A compare-and-set: the UPDATE's condition on the current state is
  // checked again on the newest row version after waiting for a concurrent
  // writer, so of two finishers exactly one updates the row.
  static const std::string kSql =
      "WITH u AS (UPDATE trials SET state = $2::trialstate, "
      "datetime_start = CASE WHEN $2::trialstate = 'RUNNING' THEN $3::timestamp "
      "ELSE datetime_start END, "
      "datetime_complete = CASE WHEN $2::trialstate = 'RUNNING' THEN datetime_complete "
      "ELSE $3::timestamp END "
      "WHERE trial_id = $1::int AND (state = 'WAITING' OR (state = 'RUNNING' AND "
      "$2::trialstate <> 'RUNNING')) AND ($2::trialstate <> 'COMPLETE' OR (SELECT count(*) "
      "FROM study_directions d WHERE d.study_id = trials.study_id) = $4::int) "
      "RETURNING trial_id), "
      "dv AS (DELETE FROM trial_values WHERE trial_id IN (SELECT trial_id FROM u) "
      "AND objective >= $4::int), "
      "iv AS (INSERT INTO trial_values (trial_id, objective, value, value_type) "
      "SELECT u.trial_id, x.o - 1, x.v, x.ty FROM u, unnest($5::float8[], "
      "$6::trialvaluetype[]) WITH ORDINALITY AS x(v, ty, o) "
      "ON CONFLICT (trial_id, objective) DO UPDATE SET value = excluded.value, "
      "value_type = excluded.value_type) "
      "SELECT count(*) FROM u";
  std::vector<Param> obj_values, obj_types;
  for (double v : values) {
    const optuna_rdb::StoredValue s = optuna_rdb::EncodeValue(v);
    obj_values.push_back(P(s.value));
    obj_types.push_back(P(s.type));
  }
  bool written = false;
  if (Status run_status =
          pool_->Run(Access::kWrite, Scope::kStatement, "finishing a trial",
                     [&](Tx& tx) -> Status {
                       const pqxx::result r =
                           tx.Exec(kSql, {P(trial_id), P(ToString(state)), P(Now()),
                                          P(static_cast<int64_t>(values.size())),
                                          P(ArrayLiteral(obj_values)), P(ArrayLiteral(obj_types))});
                       HT_ASSIGN_OR_RETURN(int64_t n, Int(r.at(0)[0]));
                       written = n == 1;
                       return Status::Ok();
                     });
      !run_status.ok()) {
    return run_status;
  }
  if (written) return Status::Ok();
  return pool_->Run(Access::kRead, Scope::kStatement, "finishing a trial", [&](Tx& tx) -> Status {
    const pqxx::result r = tx.Exec(
        "SELECT study_id, number, state::text, (SELECT count(*) FROM study_directions d "
        "WHERE d.study_id = t.study_id) FROM trials t WHERE trial_id = $1::int",
        {P(trial_id)});
    if (r.empty())
      return Status::NotFound("no trial with id " + std::to_string(trial_id) + " in " +
                              pool_->where());
    HT_ASSIGN_OR_RETURN(int64_t study_id, Int(r[0][0]));
    HT_ASSIGN_OR_RETURN(int64_t number, Int(r[0][1]));
    const std::string current = Text(r[0][2]);
    HT_ASSIGN_OR_RETURN(int64_t n_dirs, Int(r[0][3]));
    const std::string who = Name(static_cast<int>(number), trial_id);
    if (IsFinishedText(current))
      return Finished(static_cast<int>(number), trial_id, study_id, current);
    if (state == TrialState::kRunning && current == "RUNNING")
      return Status::FailedPrecondition(who + " is already RUNNING");
    if (state == TrialState::kComplete && static_cast<int64_t>(values.size()) != n_dirs)
      return Status::InvalidArgument(who + ": " + std::to_string(values.size()) + " value(s) for " +
                                     std::to_string(n_dirs) + " direction(s)");
    return Status::FailedPrecondition(who + " is " + current +
                                      ": it changed while being finished; try again");
  });
}

Result<FrozenTrial> PostgresStorage::GetTrial(int64_t trial_id) {
  static const std::string kSql = pg_internal::TrialsSql("", "ARRAY[$1::int]");
  std::vector<FrozenTrial> out;
  if (Status run_status = pool_->Run(
          Access::kRead, Scope::kStatement, "reading a trial",
          [&](Tx& tx) -> Status {
            out.clear();
            return decoder_->Decode(tx.Exec(kSql, {P(trial_id)}), out).WithContext(pool_->where());
          });
      !run_status.ok()) {
    return run_status;
  }
  if (out.empty())
    return Status::NotFound("no trial with id " + std::to_string(trial_id) + " in " +
                            pool_->where());
  return std::move(out.front());
}

Status PostgresStorage::ReadTrialUpdates(int64_t study_id, TrialCursor& cursor,
                                         std::vector<FrozenTrial>& out) {
  // cursor.open holds (trial id, fingerprint) pairs; see the header.
  if (cursor.open.size() % 2 != 0)
    return Status::InvalidArgument("study id " + std::to_string(study_id) +
                                   ": a TrialCursor not made by PostgresStorage");
  const std::string& kSql = pg_internal::ReadTrialUpdatesSql();
  std::vector<Param> open_ids;
  std::unordered_map<int64_t, int64_t> previous;  // trial id -> fingerprint
  for (size_t k = 0; k < cursor.open.size(); k += 2) {
    open_ids.push_back(P(cursor.open[k]));
    previous.emplace(cursor.open[k], cursor.open[k + 1]);
  }
  std::vector<FrozenTrial> trials;
  if (Status run_status = pool_->Run(
          Access::kRead, Scope::kStatement, "reading trials",
          [&](Tx& tx) -> Status {
            trials.clear();
            std::optional<int64_t> marker;
            const pqxx::result r =
                tx.Exec(kSql, {P(study_id), P(cursor.max_trial_id), P(ArrayLiteral(open_ids))});
            HT_RETURN_IF_ERROR(decoder_->Decode(r, trials, &marker).WithContext(pool_->where()));
            if (!marker)
              return Status::NotFound("no study with id " + std::to_string(study_id) + " in " +
                                      pool_->where());
            return Status::Ok();
          });
      !run_status.ok()) {
    return run_status;
  }
  TrialCursor next;
  next.version = cursor.version;
  next.max_trial_id = cursor.max_trial_id;
  std::vector<FrozenTrial> changed;
  for (FrozenTrial& t : trials) {
    const int64_t fp = optuna_rdb::Fingerprint(t);
    if (!IsFinished(t.state)) {
      next.open.push_back(t.trial_id);
      next.open.push_back(fp);
    }
    next.max_trial_id = std::max(next.max_trial_id, t.trial_id);
    auto it = previous.find(t.trial_id);
    if (it == previous.end() || it->second != fp) changed.push_back(std::move(t));
  }
  std::sort(changed.begin(), changed.end(),
            [](const FrozenTrial& a, const FrozenTrial& b) { return a.number < b.number; });
  for (FrozenTrial& t : changed) out.push_back(std::move(t));
  cursor = std::move(next);
  return Status::Ok();
}

Status PostgresStorage::RecordHeartbeat(int64_t trial_id) {
  // As Optuna's RDBStorage.record_heartbeat: now() in the server's clock,
  // as a timestamp in the session's time zone.
  static const std::string kSql =
      "INSERT INTO trial_heartbeats (trial_id, heartbeat) "
      "SELECT trial_id, LOCALTIMESTAMP FROM trials WHERE trial_id = $1::int "
      "AND state IN ('RUNNING', 'WAITING') "
      "ON CONFLICT (trial_id) DO UPDATE SET heartbeat = excluded.heartbeat RETURNING 1";
  bool written = false;
  if (Status run_status =
          pool_->Run(Access::kIdempotentWrite, Scope::kStatement, "recording a heartbeat",
                     [&](Tx& tx) -> Status {
                       written = !tx.Exec(kSql, {P(trial_id)}).empty();
                       return Status::Ok();
                     });
      !run_status.ok()) {
    return run_status;
  }
  if (written) return Status::Ok();
  return WhyNotWritten(trial_id, "recording a heartbeat");
}

Result<std::vector<int64_t>> PostgresStorage::GetStaleTrialIds(int64_t study_id,
                                                               double grace_seconds) {
  if (!(grace_seconds >= 0))
    return Status::InvalidArgument("grace period must be >= 0 seconds, got " +
                                   std::to_string(grace_seconds));
  // One row with a NULL trial id when the study has no stale trial, none
  // when there is no such study.
  static const std::string kSql =
      "SELECT s.study_id, x.trial_id FROM studies s LEFT JOIN ("
      "SELECT t.study_id, t.trial_id FROM trials t JOIN trial_heartbeats h "
      "ON h.trial_id = t.trial_id WHERE t.study_id = $1::int AND t.state = 'RUNNING' "
      "AND h.heartbeat < LOCALTIMESTAMP - make_interval(secs => $2::float8)) AS x "
      "ON x.study_id = s.study_id WHERE s.study_id = $1::int ORDER BY x.trial_id";
  std::vector<int64_t> ids;
  if (Status run_status =
          pool_->Run(Access::kRead, Scope::kStatement, "finding stale trials",
                     [&](Tx& tx) -> Status {
                       ids.clear();
                       const pqxx::result r = tx.Exec(kSql, {P(study_id), P(grace_seconds)});
                       if (r.empty())
                         return Status::NotFound("no study with id " + std::to_string(study_id) +
                                                 " in " + pool_->where());
                       for (const auto& row : r) {
                         if (row[1].is_null()) continue;
                         HT_ASSIGN_OR_RETURN(int64_t id, Int(row[1]));
                         ids.push_back(id);
                       }
                       return Status::Ok();
                     });
      !run_status.ok()) {
    return run_status;
  }
  return ids;
}

}  // namespace hypertune
