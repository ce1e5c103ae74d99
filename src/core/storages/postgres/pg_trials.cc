#include "src/core/storages/postgres/pg_trials.h"

#include <pqxx/pqxx>

#include "src/core/storages/optuna_rdb/optuna_codec.h"

namespace hypertune::pg_internal {
namespace {

// Row kinds of TrialsSql, in the order a trial's rows arrive.
enum Kind : int64_t {
  kStudy = -1,
  kTrial = 0,
  kParam = 1,
  kValue = 2,
  kIntermediate = 3,
  kUserAttr = 4,
  kSystemAttr = 5,
};

}  // namespace

std::string TrialsSql(std::string_view ctes, std::string_view ids, std::string_view trial_rows,
                      std::string_view study_marker) {
  // Columns: kind, trial id, an integer (number, param_id, objective, step,
  // attribute id), a float, and three texts.
  // The cast makes it ANY(array); ANY((SELECT ...)) would be ANY(subquery).
  const std::string in_ids = " WHERE trial_id = ANY((SELECT a FROM ids_)::int[])";
  std::string sql = "WITH ";
  if (!ctes.empty()) sql += std::string(ctes) + ", ";
  sql += "ids_ AS (SELECT (" + std::string(ids) + ")::int[] AS a) ";
  if (!study_marker.empty())
    sql +=
        "SELECT -1::bigint AS kind, 0::bigint AS id, marker_.i::bigint AS i, "
        "NULL::float8 AS d, NULL::text AS a, NULL::text AS b, NULL::text AS c FROM (" +
        std::string(study_marker) + ") AS marker_ UNION ALL ";
  const std::string rows =
      trial_rows.empty() ? "SELECT * FROM trials" + in_ids : std::string(trial_rows);
  sql +=
      "SELECT 0::bigint AS kind, trial_id::bigint AS id, number::bigint AS i, "
      "NULL::float8 AS d, state::text AS a, "
      "to_char(datetime_start, 'YYYY-MM-DD HH24:MI:SS.US') AS b, "
      "to_char(datetime_complete, 'YYYY-MM-DD HH24:MI:SS.US') AS c FROM (" +
      rows + ") AS t_" +
      " UNION ALL SELECT 1, trial_id, param_id, param_value, param_name::text, "
      "distribution_json, NULL FROM trial_params" +
      in_ids +
      " UNION ALL SELECT 2, trial_id, objective, value, value_type::text, NULL, NULL "
      "FROM trial_values" +
      in_ids +
      " UNION ALL SELECT 3, trial_id, step, intermediate_value, "
      "intermediate_value_type::text, NULL, NULL FROM trial_intermediate_values" +
      in_ids +
      " UNION ALL SELECT 4, trial_id, trial_user_attribute_id, NULL, key::text, value_json, "
      "NULL FROM trial_user_attributes" +
      in_ids +
      " UNION ALL SELECT 5, trial_id, trial_system_attribute_id, NULL, key::text, "
      "value_json, NULL FROM trial_system_attributes" +
      in_ids + " ORDER BY 2, 1, 3";
  return sql;
}

std::string NewTrialsOf(std::string_view study, std::string_view after) {
  return "trial_id > " + std::string(after) +
         " AND trial_id <= 2147483647 AND study_id + 0 = " + std::string(study);
}

const std::string& ReadTrialUpdatesSql() {
  // The trials created since the cursor (a range of the primary key) and
  // the ones it holds open (primary key lookups): finished trials cost
  // nothing.
  static const std::string sql =
      TrialsSql("",
                "ARRAY(SELECT trial_id FROM trials WHERE " + NewTrialsOf("$1::int", "$2::int") +
                    " UNION ALL SELECT trial_id FROM trials WHERE trial_id = ANY($3::int[]) AND "
                    "trial_id <= $2::int AND study_id + 0 = $1::int)",
                "", "SELECT 0 AS i FROM studies WHERE study_id = $1::int");
  return sql;
}

const std::string& PopWaitingTrialSql() {
  static const std::string sql = TrialsSql(
      "popped_ AS (UPDATE trials SET state = 'RUNNING', datetime_start = $2::timestamp "
      "WHERE trial_id = (SELECT trial_id FROM trials WHERE " +
          NewTrialsOf("$1::int", "$3::int") +
          " AND state = 'WAITING' ORDER BY trial_id LIMIT 1 FOR UPDATE SKIP LOCKED) "
          "RETURNING trial_id, number, state, datetime_start, datetime_complete)",
      "ARRAY(SELECT trial_id FROM popped_)", "SELECT * FROM popped_",
      "SELECT COALESCE((SELECT min(trial_id) - 1 FROM trials WHERE " +
          NewTrialsOf("$1::int", "$3::int") +
          " AND state = 'WAITING'), (SELECT max(trial_id) FROM trials WHERE " +
          NewTrialsOf("$1::int", "$3::int") +
          "), $3::int) AS i FROM studies WHERE study_id = $1::int");
  return sql;
}

Result<std::shared_ptr<const Distribution>> TrialDecoder::Intern(const std::string& json) {
  std::lock_guard lock(mu_);
  auto it = distributions_.find(json);
  if (it != distributions_.end()) return it->second;
  HT_ASSIGN_OR_RETURN(Distribution d, optuna_rdb::DistributionFromJson(json));
  auto shared = std::make_shared<const Distribution>(std::move(d));
  distributions_.emplace(json, shared);
  return shared;
}

Status TrialDecoder::Decode(const pqxx::result& r, std::vector<FrozenTrial>& out,
                            std::optional<int64_t>* marker) {
  const size_t first = out.size();
  for (const auto& row : r) {
    HT_ASSIGN_OR_RETURN(int64_t kind, Int(row[0]));
    if (kind == kStudy) {
      HT_ASSIGN_OR_RETURN(int64_t i, Int(row[2]));
      if (marker != nullptr) *marker = i;
      continue;
    }
    HT_ASSIGN_OR_RETURN(int64_t id, Int(row[1]));
    const auto ctx = [id](const Status& s) {
      return s.WithContext("trial id " + std::to_string(id));
    };
    if (kind == kTrial) {
      FrozenTrial t;
      t.trial_id = id;
      HT_ASSIGN_OR_RETURN(int64_t number, Int(row[2]));
      t.number = static_cast<int>(number);
      Result<TrialState> state = TrialStateFromString(Text(row[4]));
      if (!state.ok()) return ctx(state.status());
      t.state = *state;
      for (int c : {5, 6}) {
        if (row[c].is_null()) continue;
        Result<FrozenTrial::Clock::time_point> when = optuna_rdb::ParseDatetime(Text(row[c]));
        if (!when.ok()) return ctx(when.status());
        (c == 5 ? t.datetime_start : t.datetime_complete) = *when;
      }
      out.push_back(std::move(t));
      continue;
    }
    if (out.size() == first || out.back().trial_id != id)
      return ctx(Status::Corruption("rows of a trial that does not exist"));
    FrozenTrial& t = out.back();
    std::optional<double> d;
    if (!row[3].is_null()) {
      HT_ASSIGN_OR_RETURN(double x, Double(row[3]));
      d = x;
    }
    switch (kind) {
      case kParam: {
        Result<std::shared_ptr<const Distribution>> dist = Intern(Text(row[5]));
        if (!dist.ok()) return ctx(dist.status().WithContext("parameter '" + Text(row[4]) + "'"));
        if (!d) return ctx(Status::Corruption("parameter '" + Text(row[4]) + "' has a NULL value"));
        t.params.push_back({Text(row[4]), *dist, *d});
        break;
      }
      case kValue: {
        Result<double> v = optuna_rdb::DecodeValue(d, Text(row[4]), /*allow_nan=*/false);
        if (!v.ok()) return ctx(v.status());
        t.values.push_back(*v);
        break;
      }
      case kIntermediate: {
        HT_ASSIGN_OR_RETURN(int64_t step, Int(row[2]));
        Result<double> v = optuna_rdb::DecodeValue(d, Text(row[4]), /*allow_nan=*/true);
        if (!v.ok()) return ctx(v.status());
        t.intermediate_values.emplace_back(step, *v);
        break;
      }
      case kUserAttr:
        t.user_attrs[Text(row[4])] = Text(row[5]);
        break;
      case kSystemAttr:
        t.system_attrs[Text(row[4])] = Text(row[5]);
        break;
      default:
        return ctx(Status::Internal("unknown row kind " + std::to_string(kind)));
    }
  }
  return Status::Ok();
}

std::string ArrayLiteral(const std::vector<Param>& elements) {
  std::string out = "{";
  for (size_t k = 0; k < elements.size(); ++k) {
    if (k > 0) out.push_back(',');
    if (!elements[k]) {
      out += "NULL";
      continue;
    }
    out.push_back('"');
    for (char c : *elements[k]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

FrozenTrial::Clock::time_point ToMicros(FrozenTrial::Clock::time_point t) {
  return FrozenTrial::Clock::time_point(std::chrono::duration_cast<FrozenTrial::Clock::duration>(
      std::chrono::floor<std::chrono::microseconds>(t.time_since_epoch())));
}

}  // namespace hypertune::pg_internal
