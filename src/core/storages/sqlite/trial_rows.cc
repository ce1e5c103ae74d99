#include "src/core/storages/sqlite/trial_rows.h"

#include "src/core/storages/optuna_rdb/optuna_codec.h"

namespace hypertune::sqlite_internal {

using optuna_rdb::DecodeValue;
using optuna_rdb::DistributionFromJson;
using optuna_rdb::DistributionToJson;
using optuna_rdb::EncodeValue;
using optuna_rdb::ParseDatetime;
using optuna_rdb::StoredValue;

namespace {

std::string Where(int64_t trial_id) { return "trial id " + std::to_string(trial_id); }

}  // namespace

Result<TrialRow> TrialRows::FindRow(int64_t trial_id) {
  HT_ASSIGN_OR_RETURN(Stmt s, db_.Prepare("SELECT study_id, number, state FROM trials "
                                          "WHERE trial_id = ?"));
  s.Bind(1, trial_id);
  HT_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row)
    return Status::NotFound("no trial with id " + std::to_string(trial_id) + " in '" +
                            db_.path() + "'");
  TrialRow r;
  r.trial_id = trial_id;
  r.study_id = s.Int(0);
  r.number = static_cast<int>(s.Int(1));
  Result<TrialState> state = TrialStateFromString(s.Text(2));
  if (!state.ok()) return state.status().WithContext(db_.path() + ", " + Where(trial_id));
  r.state = *state;
  return r;
}

Result<TrialRow> TrialRows::FindUnfinishedRow(int64_t trial_id) {
  HT_ASSIGN_OR_RETURN(TrialRow r, FindRow(trial_id));
  if (IsFinished(r.state))
    return Status::FailedPrecondition("trial " + std::to_string(r.number) + " (id " +
                                      std::to_string(trial_id) + ") of study id " +
                                      std::to_string(r.study_id) + " is already " +
                                      std::string(ToString(r.state)) + " and cannot change");
  return r;
}

Result<std::shared_ptr<const Distribution>> TrialRows::Intern(const std::string& json) {
  auto it = distributions_.find(json);
  if (it != distributions_.end()) return it->second;
  HT_ASSIGN_OR_RETURN(Distribution d, DistributionFromJson(json));
  auto shared = std::make_shared<const Distribution>(std::move(d));
  distributions_.emplace(json, shared);
  return shared;
}

Result<FrozenTrial> TrialRows::Load(int64_t trial_id) {
  const auto ctx = [&](const Status& s) {
    return s.WithContext("'" + db_.path() + "', " + Where(trial_id));
  };
  FrozenTrial t;
  {
    HT_ASSIGN_OR_RETURN(Stmt s, db_.Prepare("SELECT number, state, datetime_start, "
                                            "datetime_complete FROM trials WHERE trial_id = ?"));
    s.Bind(1, trial_id);
    HT_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::NotFound("no trial with id " + std::to_string(trial_id));
    t.trial_id = trial_id;
    t.number = static_cast<int>(s.Int(0));
    Result<TrialState> state = TrialStateFromString(s.Text(1));
    if (!state.ok()) return ctx(state.status());
    t.state = *state;
    for (int c = 2; c <= 3; ++c) {
      if (s.IsNull(c)) continue;
      Result<FrozenTrial::Clock::time_point> when = ParseDatetime(s.Text(c));
      if (!when.ok()) return ctx(when.status());
      (c == 2 ? t.datetime_start : t.datetime_complete) = *when;
    }
  }
  {
    HT_ASSIGN_OR_RETURN(Stmt s, db_.Prepare("SELECT param_name, param_value, distribution_json "
                                            "FROM trial_params WHERE trial_id = ? "
                                            "ORDER BY param_id"));
    s.Bind(1, trial_id);
    for (;;) {
      HT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      Result<std::shared_ptr<const Distribution>> d = Intern(s.Text(2));
      if (!d.ok()) return ctx(d.status().WithContext("parameter '" + s.Text(0) + "'"));
      t.params.push_back({s.Text(0), *d, s.Double(1)});
    }
  }
  {
    HT_ASSIGN_OR_RETURN(Stmt s, db_.Prepare("SELECT value, value_type FROM trial_values "
                                            "WHERE trial_id = ? ORDER BY objective"));
    s.Bind(1, trial_id);
    for (;;) {
      HT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      Result<double> v = DecodeValue(s.IsNull(0) ? std::nullopt : std::optional(s.Double(0)),
                                     s.Text(1), /*allow_nan=*/false);
      if (!v.ok()) return ctx(v.status());
      t.values.push_back(*v);
    }
  }
  {
    HT_ASSIGN_OR_RETURN(Stmt s, db_.Prepare("SELECT step, intermediate_value, "
                                            "intermediate_value_type FROM "
                                            "trial_intermediate_values WHERE trial_id = ? "
                                            "ORDER BY step"));
    s.Bind(1, trial_id);
    for (;;) {
      HT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      Result<double> v = DecodeValue(s.IsNull(1) ? std::nullopt : std::optional(s.Double(1)),
                                     s.Text(2), /*allow_nan=*/true);
      if (!v.ok()) return ctx(v.status());
      t.intermediate_values.emplace_back(s.Int(0), *v);
    }
  }
  for (bool user : {true, false}) {
    HT_ASSIGN_OR_RETURN(Stmt s, db_.Prepare(user ? "SELECT \"key\", value_json FROM "
                                                   "trial_user_attributes WHERE trial_id = ?"
                                                 : "SELECT \"key\", value_json FROM "
                                                   "trial_system_attributes WHERE trial_id = ?"));
    s.Bind(1, trial_id);
    for (;;) {
      HT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      (user ? t.user_attrs : t.system_attrs)[s.Text(0)] = s.Text(1);
    }
  }
  return t;
}

Status TrialRows::InsertParam(int64_t trial_id, std::string_view name, double internal,
                              const Distribution& d) {
  HT_ASSIGN_OR_RETURN(Stmt s, db_.Prepare("INSERT INTO trial_params (trial_id, param_name, "
                                          "param_value, distribution_json) VALUES (?, ?, ?, ?)"));
  return s.Bind(1, trial_id).Bind(2, name).Bind(3, internal).Bind(4, DistributionToJson(d)).Run();
}

Result<std::optional<std::shared_ptr<const Distribution>>> TrialRows::FindParamDistribution(
    int64_t trial_id, std::string_view name) {
  HT_ASSIGN_OR_RETURN(Stmt s, db_.Prepare("SELECT distribution_json FROM trial_params "
                                          "WHERE trial_id = ? AND param_name = ?"));
  s.Bind(1, trial_id).Bind(2, name);
  HT_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::shared_ptr<const Distribution>>();
  HT_ASSIGN_OR_RETURN(std::shared_ptr<const Distribution> d, Intern(s.Text(0)));
  return std::optional(std::move(d));
}

Status TrialRows::UpdateParamValue(int64_t trial_id, std::string_view name, double internal) {
  HT_ASSIGN_OR_RETURN(Stmt s, db_.Prepare("UPDATE trial_params SET param_value = ? "
                                          "WHERE trial_id = ? AND param_name = ?"));
  return s.Bind(1, internal).Bind(2, trial_id).Bind(3, name).Run();
}

Status TrialRows::WriteValues(int64_t trial_id, const std::vector<double>& values) {
  HT_ASSIGN_OR_RETURN(Stmt d, db_.Prepare("DELETE FROM trial_values WHERE trial_id = ?"));
  HT_RETURN_IF_ERROR(d.Bind(1, trial_id).Run());
  for (size_t k = 0; k < values.size(); ++k) {
    const StoredValue v = EncodeValue(values[k]);
    HT_ASSIGN_OR_RETURN(Stmt s, db_.Prepare("INSERT INTO trial_values (trial_id, objective, "
                                            "value, value_type) VALUES (?, ?, ?, ?)"));
    HT_RETURN_IF_ERROR(s.Bind(1, trial_id)
                           .Bind(2, static_cast<int64_t>(k))
                           .Bind(3, v.value)
                           .Bind(4, std::string_view(v.type))
                           .Run());
  }
  return Status::Ok();
}

Status TrialRows::UpsertIntermediate(int64_t trial_id, int64_t step, double value) {
  const StoredValue v = EncodeValue(value);
  HT_ASSIGN_OR_RETURN(
      Stmt s, db_.Prepare("INSERT INTO trial_intermediate_values (trial_id, step, "
                          "intermediate_value, intermediate_value_type) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT (trial_id, step) DO UPDATE SET "
                          "intermediate_value = excluded.intermediate_value, "
                          "intermediate_value_type = excluded.intermediate_value_type"));
  return s.Bind(1, trial_id).Bind(2, step).Bind(3, v.value).Bind(4, std::string_view(v.type)).Run();
}

Status TrialRows::UpsertAttr(bool user, int64_t trial_id, std::string_view key,
                             std::string_view json) {
  HT_ASSIGN_OR_RETURN(
      Stmt s, db_.Prepare(user ? "INSERT INTO trial_user_attributes (trial_id, \"key\", "
                                 "value_json) VALUES (?, ?, ?) ON CONFLICT (trial_id, \"key\") "
                                 "DO UPDATE SET value_json = excluded.value_json"
                               : "INSERT INTO trial_system_attributes (trial_id, \"key\", "
                                 "value_json) VALUES (?, ?, ?) ON CONFLICT (trial_id, \"key\") "
                                 "DO UPDATE SET value_json = excluded.value_json"));
  return s.Bind(1, trial_id).Bind(2, key).Bind(3, json).Run();
}

Status TrialRows::InsertContents(int64_t trial_id, const FrozenTrial& t) {
  for (const TrialParam& p : t.params)
    HT_RETURN_IF_ERROR(InsertParam(trial_id, p.name, p.internal, *p.distribution));
  HT_RETURN_IF_ERROR(WriteValues(trial_id, t.values));
  for (const auto& [step, v] : t.intermediate_values)
    HT_RETURN_IF_ERROR(UpsertIntermediate(trial_id, step, v));
  for (const auto& [k, v] : t.user_attrs) HT_RETURN_IF_ERROR(UpsertAttr(true, trial_id, k, v));
  for (const auto& [k, v] : t.system_attrs) HT_RETURN_IF_ERROR(UpsertAttr(false, trial_id, k, v));
  return Status::Ok();
}

}  // namespace hypertune::sqlite_internal
