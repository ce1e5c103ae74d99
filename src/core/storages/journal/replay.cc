#include "src/core/storages/journal/replay.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "src/core/storages/journal/codec.h"

namespace hypertune::journal_internal {
namespace {

Status Bad(const std::string& what) { return Status::Corruption(what); }

Result<const JsonValue*> Field(const JsonValue& log, std::string_view key) {
  const JsonValue* v = log.Find(key);
  if (v == nullptr) return Bad("field '" + std::string(key) + "' is missing");
  return v;
}

Result<int64_t> AsInt(const JsonValue& v, std::string_view what) {
  if (v.kind == JsonValue::Kind::kInt) return v.i;
  // Python writes ints without a fraction; an integral float is read as
  // Optuna would use it.
  if (v.kind == JsonValue::Kind::kDouble && std::isfinite(v.d) && v.d == std::floor(v.d) &&
      std::fabs(v.d) < 9.0e15)
    return static_cast<int64_t>(v.d);
  return Bad("'" + std::string(what) + "' is " + std::string(v.KindName()) + ", not an integer");
}

Result<int64_t> IntField(const JsonValue& log, std::string_view key) {
  HT_ASSIGN_OR_RETURN(const JsonValue* v, Field(log, key));
  return AsInt(*v, key);
}

Result<double> AsNumber(const JsonValue& v, std::string_view what) {
  if (!v.is_number())
    return Bad("'" + std::string(what) + "' is " + std::string(v.KindName()) + ", not a number");
  return v.number();
}

Result<std::string> StringField(const JsonValue& log, std::string_view key) {
  HT_ASSIGN_OR_RETURN(const JsonValue* v, Field(log, key));
  if (!v->is_string())
    return Bad("'" + std::string(key) + "' is " + std::string(v->KindName()) + ", not a string");
  return v->s;
}

Result<const JsonValue*> ObjectField(const JsonValue& log, std::string_view key) {
  HT_ASSIGN_OR_RETURN(const JsonValue* v, Field(log, key));
  if (!v->is_object())
    return Bad("'" + std::string(key) + "' is " + std::string(v->KindName()) + ", not an object");
  return v;
}

Result<TrialState> AsState(const JsonValue& v) {
  HT_ASSIGN_OR_RETURN(int64_t s, AsInt(v, "state"));
  if (s < 0 || s > 4) return Bad("'state' " + std::to_string(s) + " is not a TrialState (0-4)");
  return static_cast<TrialState>(s);
}

Result<FrozenTrial::Clock::time_point> AsDatetime(const JsonValue& v, std::string_view key) {
  if (!v.is_string())
    return Bad("'" + std::string(key) + "' is " + std::string(v.KindName()) +
               ", not an ISO datetime");
  Result<FrozenTrial::Clock::time_point> t = ParseIsoDatetime(v.s);
  if (!t.ok()) return Bad("'" + std::string(key) + "': " + t.status().message());
  return t;
}

// null or a list of numbers.
Result<std::optional<std::vector<double>>> AsValues(const JsonValue& v, std::string_view key) {
  if (v.is_null()) return std::optional<std::vector<double>>();
  if (!v.is_array())
    return Bad("'" + std::string(key) + "' is " + std::string(v.KindName()) +
               ", not a list of numbers");
  std::vector<double> out;
  for (const JsonValue& x : v.items) {
    HT_ASSIGN_OR_RETURN(double d, AsNumber(x, key));
    out.push_back(d);
  }
  return std::optional<std::vector<double>>(std::move(out));
}

void Applied(OpOutcome* own) {
  if (own != nullptr) own->applied = true;
}

Status Refuse(OpOutcome* own, Status why) {
  if (own != nullptr) own->status = std::move(why);
  return Status::Ok();
}

std::string TrialName(const FrozenTrial& t) {
  return "trial " + std::to_string(t.number) + " (id " + std::to_string(t.trial_id) + ")";
}

// Member values kept as their JSON text.
void UpdateAttrs(std::map<std::string, std::string, std::less<>>& attrs, const JsonValue& obj) {
  for (const auto& [key, value] : obj.members) attrs[key] = std::string(value.raw);
}

}  // namespace

std::string_view ToString(JournalOp op) {
  switch (op) {
    case JournalOp::kCreateStudy:
      return "CREATE_STUDY";
    case JournalOp::kDeleteStudy:
      return "DELETE_STUDY";
    case JournalOp::kSetStudyUserAttr:
      return "SET_STUDY_USER_ATTR";
    case JournalOp::kSetStudySystemAttr:
      return "SET_STUDY_SYSTEM_ATTR";
    case JournalOp::kCreateTrial:
      return "CREATE_TRIAL";
    case JournalOp::kSetTrialParam:
      return "SET_TRIAL_PARAM";
    case JournalOp::kSetTrialStateValues:
      return "SET_TRIAL_STATE_VALUES";
    case JournalOp::kSetTrialIntermediateValue:
      return "SET_TRIAL_INTERMEDIATE_VALUE";
    case JournalOp::kSetTrialUserAttr:
      return "SET_TRIAL_USER_ATTR";
    case JournalOp::kSetTrialSystemAttr:
      return "SET_TRIAL_SYSTEM_ATTR";
  }
  return "?";
}

const Replay::Study* Replay::FindStudy(int64_t study_id) const {
  if (study_id < 0 || static_cast<size_t>(study_id) >= studies_.size()) return nullptr;
  const Study& s = studies_[static_cast<size_t>(study_id)];
  return s.deleted ? nullptr : &s;
}

Replay::Study* Replay::MutableStudy(int64_t study_id) {
  return const_cast<Study*>(std::as_const(*this).FindStudy(study_id));
}

const Replay::Study* Replay::FindStudy(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &studies_[static_cast<size_t>(it->second)];
}

const Replay::Trial* Replay::FindTrial(int64_t trial_id) const {
  if (trial_id < 0 || static_cast<size_t>(trial_id) >= trials_.size()) return nullptr;
  return &trials_[static_cast<size_t>(trial_id)];
}

Result<std::shared_ptr<const Distribution>> Replay::InternDistribution(std::string_view json) {
  auto it = distributions_.find(std::string(json));
  if (it != distributions_.end()) return it->second;
  HT_ASSIGN_OR_RETURN(Distribution d, DistributionFromJson(json));
  auto shared = std::make_shared<const Distribution>(std::move(d));
  distributions_.emplace(std::string(json), shared);
  return shared;
}

std::string Replay::IncompatibleWith(const Study& study, std::string_view name,
                                     const Distribution& distribution) const {
  auto it = study.first_holder.find(name);
  if (it == study.first_holder.end()) return "";
  const FrozenTrial& holder =
      trials_[static_cast<size_t>(study.trial_ids[static_cast<size_t>(it->second)])].trial;
  const TrialParam* p = holder.FindParam(name);
  if (p == nullptr || CompatibleDistributions(*p->distribution, distribution)) return "";
  return ToString(*p->distribution) + " of trial " + std::to_string(holder.number);
}

void Replay::Touch(Study& study, int number, uint64_t line_no) {
  study.changes.emplace_back(line_no, number);
  // Keep the list linear in the number of trials: readers need only the
  // latest change of each.
  if (study.changes.size() > 2 * study.trial_ids.size() + 64) {
    std::vector<uint64_t> last(study.trial_ids.size(), 0);
    for (const auto& [v, n] : study.changes) last[static_cast<size_t>(n)] = v;
    std::erase_if(study.changes,
                  [&](const auto& e) { return last[static_cast<size_t>(e.second)] != e.first; });
  }
}

void Replay::SetParam(Study& study, FrozenTrial& trial, const std::string& name, double internal,
                      std::shared_ptr<const Distribution> distribution) {
  bool found = false;
  for (TrialParam& p : trial.params) {
    if (p.name != name) continue;
    p.internal = internal;
    p.distribution = distribution;
    found = true;
    break;
  }
  if (!found) trial.params.push_back({name, std::move(distribution), internal});
  auto [it, inserted] = study.first_holder.try_emplace(name, trial.number);
  if (!inserted && trial.number < it->second) it->second = trial.number;
}

Replay::Trial* Replay::UpdatableTrial(int64_t trial_id, OpOutcome* own) {
  if (trial_id < 0 || static_cast<size_t>(trial_id) >= trials_.size()) {
    (void)Refuse(own, Status::NotFound("no trial with id " + std::to_string(trial_id)));
    return nullptr;
  }
  Trial& t = trials_[static_cast<size_t>(trial_id)];
  if (IsFinished(t.trial.state)) {
    (void)Refuse(own, Status::FailedPrecondition(TrialName(t.trial) + " is already " +
                                                 std::string(ToString(t.trial.state)) +
                                                 " and cannot change"));
    return nullptr;
  }
  return &t;
}

Status Replay::Apply(const JsonValue& log, OpOutcome* own) {
  const uint64_t line_no = lines_ + 1;
  if (!log.is_object())
    return Bad("a log line is " + std::string(log.KindName()) + ", not an object");
  HT_ASSIGN_OR_RETURN(int64_t op, IntField(log, "op_code"));
  HT_RETURN_IF_ERROR(StringField(log, "worker_id"));
  if (own != nullptr) own->seen = true;
  Status s;
  switch (op) {
    case 0:
      s = ApplyCreateStudy(log, own);
      break;
    case 1:
      s = ApplyDeleteStudy(log, own);
      break;
    case 2:
      s = ApplySetStudyAttr(log, true, own);
      break;
    case 3:
      s = ApplySetStudyAttr(log, false, own);
      break;
    case 4:
      s = ApplyCreateTrial(log, line_no, own);
      break;
    case 5:
      s = ApplySetTrialParam(log, line_no, own);
      break;
    case 6:
      s = ApplySetTrialStateValues(log, line_no, own);
      break;
    case 7:
      s = ApplySetTrialIntermediateValue(log, line_no, own);
      break;
    case 8:
      s = ApplySetTrialAttr(log, true, line_no, own);
      break;
    case 9:
      s = ApplySetTrialAttr(log, false, line_no, own);
      break;
    default:
      if (own != nullptr) own->seen = false;
      return Bad("unknown op_code " + std::to_string(op) +
                 " (hypertune reads the op codes 0-9 of Optuna 3.1's journal; was this log "
                 "written by a newer Optuna?)");
  }
  if (!s.ok()) {
    if (own != nullptr) own->seen = false;
    return s.WithContext(std::string(ToString(static_cast<JournalOp>(op))));
  }
  ++lines_;
  return Status::Ok();
}

Status Replay::ApplyCreateStudy(const JsonValue& log, OpOutcome* own) {
  HT_ASSIGN_OR_RETURN(std::string name, StringField(log, "study_name"));
  HT_ASSIGN_OR_RETURN(const JsonValue* dirs, Field(log, "directions"));
  if (!dirs->is_array()) return Bad("'directions' is not a list");
  std::vector<StudyDirection> directions;
  for (const JsonValue& d : dirs->items) {
    HT_ASSIGN_OR_RETURN(int64_t v, AsInt(d, "directions"));
    if (v != 1 && v != 2)
      return Bad("direction " + std::to_string(v) +
                 " is not MINIMIZE (1) or MAXIMIZE (2); hypertune has no NOT_SET (0)");
    directions.push_back(static_cast<StudyDirection>(v));
  }
  if (by_name_.count(name))
    return Refuse(own, Status::AlreadyExists("a study named '" + name + "' already exists"));
  const auto id = static_cast<int64_t>(studies_.size());
  Study study;
  study.summary.study_id = id;
  study.summary.name = name;
  study.summary.directions = std::move(directions);
  studies_.push_back(std::move(study));
  by_name_.emplace(std::move(name), id);
  if (own != nullptr) {
    own->study_id = id;
    own->applied = true;
  }
  return Status::Ok();
}

Status Replay::ApplyDeleteStudy(const JsonValue& log, OpOutcome* own) {
  HT_ASSIGN_OR_RETURN(int64_t id, IntField(log, "study_id"));
  Study* s = MutableStudy(id);
  if (s == nullptr) return Refuse(own, Status::NotFound("no study with id " + std::to_string(id)));
  s->deleted = true;
  by_name_.erase(s->summary.name);
  Applied(own);
  return Status::Ok();
}

Status Replay::ApplySetStudyAttr(const JsonValue& log, bool user, OpOutcome* own) {
  HT_ASSIGN_OR_RETURN(int64_t id, IntField(log, "study_id"));
  HT_ASSIGN_OR_RETURN(const JsonValue* attr, ObjectField(log, user ? "user_attr" : "system_attr"));
  Study* s = MutableStudy(id);
  if (s == nullptr) return Refuse(own, Status::NotFound("no study with id " + std::to_string(id)));
  UpdateAttrs(user ? s->summary.user_attrs : s->summary.system_attrs, *attr);
  Applied(own);
  return Status::Ok();
}

Status Replay::ApplyCreateTrial(const JsonValue& log, uint64_t line_no, OpOutcome* own) {
  HT_ASSIGN_OR_RETURN(int64_t study_id, IntField(log, "study_id"));
  // Decode everything first: a bad line changes nothing.
  FrozenTrial t;
  if (const JsonValue* v = log.Find("state")) {
    HT_ASSIGN_OR_RETURN(t.state, AsState(*v));
  }
  HT_ASSIGN_OR_RETURN(const JsonValue* start, Field(log, "datetime_start"));
  if (!start->is_null()) {
    HT_ASSIGN_OR_RETURN(t.datetime_start, AsDatetime(*start, "datetime_start"));
  }
  if (const JsonValue* v = log.Find("datetime_complete"); v != nullptr && !v->is_null()) {
    HT_ASSIGN_OR_RETURN(t.datetime_complete, AsDatetime(*v, "datetime_complete"));
  }
  std::optional<double> value;
  if (const JsonValue* v = log.Find("value"); v != nullptr && !v->is_null()) {
    HT_ASSIGN_OR_RETURN(value, AsNumber(*v, "value"));
  }
  std::optional<std::vector<double>> values;
  if (const JsonValue* v = log.Find("values")) {
    HT_ASSIGN_OR_RETURN(values, AsValues(*v, "values"));
  }
  if (value && values) return Bad("both 'value' and 'values' are set");
  if (value) t.values = {*value};
  if (values) t.values = std::move(*values);

  std::map<std::string, std::shared_ptr<const Distribution>, std::less<>> dists;
  if (const JsonValue* v = log.Find("distributions")) {
    if (!v->is_object()) return Bad("'distributions' is not an object");
    for (const auto& [name, json] : v->members) {
      if (!json.is_string()) return Bad("distribution of '" + name + "' is not a string");
      Result<std::shared_ptr<const Distribution>> d = InternDistribution(json.s);
      if (!d.ok()) return Bad("distribution of '" + name + "': " + d.status().message());
      dists[name] = std::move(*d);
    }
  }
  if (const JsonValue* v = log.Find("params")) {
    if (!v->is_object()) return Bad("'params' is not an object");
    for (const auto& [name, internal] : v->members) {
      auto it = dists.find(name);
      if (it == dists.end()) return Bad("parameter '" + name + "' has no distribution");
      HT_ASSIGN_OR_RETURN(double x, AsNumber(internal, "params"));
      if (std::holds_alternative<CategoricalDistribution>(*it->second) && !Contains(*it->second, x))
        return Bad("parameter '" + name + "': " + std::to_string(x) + " is not a choice index of " +
                   ToString(*it->second));
      bool dup = false;
      for (TrialParam& p : t.params) {
        if (p.name == name) {
          p.internal = x;
          dup = true;
        }
      }
      if (!dup) t.params.push_back({name, it->second, x});
    }
  }
  if (const JsonValue* v = log.Find("user_attrs")) {
    if (!v->is_object()) return Bad("'user_attrs' is not an object");
    UpdateAttrs(t.user_attrs, *v);
  }
  if (const JsonValue* v = log.Find("system_attrs")) {
    if (!v->is_object()) return Bad("'system_attrs' is not an object");
    UpdateAttrs(t.system_attrs, *v);
  }
  if (const JsonValue* v = log.Find("intermediate_values")) {
    if (!v->is_object()) return Bad("'intermediate_values' is not an object");
    for (const auto& [key, x] : v->members) {
      int64_t step = 0;
      const char* first = key.data() + (!key.empty() && key[0] == '+' ? 1 : 0);
      auto [p, ec] = std::from_chars(first, key.data() + key.size(), step);
      if (ec != std::errc() || p != key.data() + key.size() || key.empty())
        return Bad("intermediate value step '" + key + "' is not an integer");
      HT_ASSIGN_OR_RETURN(double d, AsNumber(x, "intermediate_values"));
      auto& iv = t.intermediate_values;
      auto at = std::lower_bound(iv.begin(), iv.end(), step,
                                 [](const auto& e, int64_t s) { return e.first < s; });
      if (at != iv.end() && at->first == step) {
        at->second = d;
      } else {
        iv.insert(at, {step, d});
      }
    }
  }

  Study* s = MutableStudy(study_id);
  if (s == nullptr)
    return Refuse(own, Status::NotFound("no study with id " + std::to_string(study_id)));
  t.trial_id = static_cast<int64_t>(trials_.size());
  t.number = static_cast<int>(s->trial_ids.size());
  s->trial_ids.push_back(t.trial_id);
  if (t.state == TrialState::kWaiting) s->waiting.insert(t.number);
  for (const TrialParam& p : t.params) s->first_holder.try_emplace(p.name, t.number);
  Touch(*s, t.number, line_no);
  if (own != nullptr) {
    own->trial_id = t.trial_id;
    own->applied = true;
  }
  trials_.push_back({study_id, std::move(t)});
  return Status::Ok();
}

Status Replay::ApplySetTrialParam(const JsonValue& log, uint64_t line_no, OpOutcome* own) {
  HT_ASSIGN_OR_RETURN(int64_t trial_id, IntField(log, "trial_id"));
  HT_ASSIGN_OR_RETURN(std::string name, StringField(log, "param_name"));
  HT_ASSIGN_OR_RETURN(const JsonValue* internal, Field(log, "param_value_internal"));
  HT_ASSIGN_OR_RETURN(double x, AsNumber(*internal, "param_value_internal"));
  HT_ASSIGN_OR_RETURN(std::string json, StringField(log, "distribution"));
  Result<std::shared_ptr<const Distribution>> dist = InternDistribution(json);
  if (!dist.ok()) return Bad("'distribution': " + dist.status().message());
  if (std::holds_alternative<CategoricalDistribution>(**dist) && !Contains(**dist, x))
    return Bad(std::to_string(x) + " is not a choice index of " + ToString(**dist));
  Trial* t = UpdatableTrial(trial_id, own);
  if (t == nullptr) return Status::Ok();
  Study& s = studies_[static_cast<size_t>(t->study_id)];
  if (std::string other = IncompatibleWith(s, name, **dist); !other.empty())
    return Refuse(own, Status::InvalidArgument(TrialName(t->trial) + ", parameter '" + name +
                                               "': " + ToString(**dist) +
                                               " is not compatible with " + other));
  SetParam(s, t->trial, name, x, std::move(*dist));
  Touch(s, t->trial.number, line_no);
  Applied(own);
  return Status::Ok();
}

Status Replay::ApplySetTrialStateValues(const JsonValue& log, uint64_t line_no, OpOutcome* own) {
  HT_ASSIGN_OR_RETURN(int64_t trial_id, IntField(log, "trial_id"));
  HT_ASSIGN_OR_RETURN(const JsonValue* state_json, Field(log, "state"));
  HT_ASSIGN_OR_RETURN(TrialState state, AsState(*state_json));
  HT_ASSIGN_OR_RETURN(const JsonValue* values_json, Field(log, "values"));
  HT_ASSIGN_OR_RETURN(std::optional<std::vector<double>> values, AsValues(*values_json, "values"));
  std::optional<FrozenTrial::Clock::time_point> when;
  if (state == TrialState::kRunning || IsFinished(state)) {
    const char* key = state == TrialState::kRunning ? "datetime_start" : "datetime_complete";
    HT_ASSIGN_OR_RETURN(const JsonValue* v, Field(log, key));
    HT_ASSIGN_OR_RETURN(when, AsDatetime(*v, key));
  }
  Trial* t = UpdatableTrial(trial_id, own);
  if (t == nullptr) return Status::Ok();
  FrozenTrial& trial = t->trial;
  // Another worker started it first: a no-op, which is how the writer of
  // this op learns that the WAITING trial it wanted is taken.
  if (state == TrialState::kRunning && trial.state == TrialState::kRunning) return Status::Ok();
  Study& s = studies_[static_cast<size_t>(t->study_id)];
  if (trial.state == TrialState::kWaiting) s.waiting.erase(trial.number);
  if (state == TrialState::kWaiting) s.waiting.insert(trial.number);
  if (state == TrialState::kRunning) trial.datetime_start = when;
  if (IsFinished(state)) trial.datetime_complete = when;
  trial.state = state;
  if (values) trial.values = std::move(*values);
  Touch(s, trial.number, line_no);
  if (own != nullptr) {
    own->trial_id = trial_id;
    own->applied = true;
  }
  return Status::Ok();
}

Status Replay::ApplySetTrialIntermediateValue(const JsonValue& log, uint64_t line_no,
                                              OpOutcome* own) {
  HT_ASSIGN_OR_RETURN(int64_t trial_id, IntField(log, "trial_id"));
  HT_ASSIGN_OR_RETURN(int64_t step, IntField(log, "step"));
  HT_ASSIGN_OR_RETURN(const JsonValue* v, Field(log, "intermediate_value"));
  HT_ASSIGN_OR_RETURN(double value, AsNumber(*v, "intermediate_value"));
  Trial* t = UpdatableTrial(trial_id, own);
  if (t == nullptr) return Status::Ok();
  auto& iv = t->trial.intermediate_values;
  auto at = std::lower_bound(iv.begin(), iv.end(), step,
                             [](const auto& e, int64_t s) { return e.first < s; });
  if (at != iv.end() && at->first == step) {
    at->second = value;
  } else {
    iv.insert(at, {step, value});
  }
  Touch(studies_[static_cast<size_t>(t->study_id)], t->trial.number, line_no);
  Applied(own);
  return Status::Ok();
}

Status Replay::ApplySetTrialAttr(const JsonValue& log, bool user, uint64_t line_no,
                                 OpOutcome* own) {
  HT_ASSIGN_OR_RETURN(int64_t trial_id, IntField(log, "trial_id"));
  HT_ASSIGN_OR_RETURN(const JsonValue* attr, ObjectField(log, user ? "user_attr" : "system_attr"));
  Trial* t = UpdatableTrial(trial_id, own);
  if (t == nullptr) return Status::Ok();
  UpdateAttrs(user ? t->trial.user_attrs : t->trial.system_attrs, *attr);
  Touch(studies_[static_cast<size_t>(t->study_id)], t->trial.number, line_no);
  Applied(own);
  return Status::Ok();
}

}  // namespace hypertune::journal_internal
