#include "hypertune/core/in_memory_storage.h"

#include <algorithm>
#include <cmath>

namespace hypertune {
namespace {

Status Finished(const FrozenTrial& t) {
  return Status::FailedPrecondition("trial " + std::to_string(t.number) + " (id " +
                                    std::to_string(t.trial_id) + ") is already " +
                                    std::string(ToString(t.state)) + " and cannot change");
}

}  // namespace

Result<InMemoryStorage::StudyRecord*> InMemoryStorage::FindStudy(int64_t study_id) {
  if (study_id < 0 || static_cast<size_t>(study_id) >= studies_.size() ||
      studies_[static_cast<size_t>(study_id)].deleted)
    return Status::NotFound("no study with id " + std::to_string(study_id));
  return &studies_[static_cast<size_t>(study_id)];
}

Result<InMemoryStorage::TrialRecord*> InMemoryStorage::FindTrial(int64_t trial_id) {
  if (trial_id < 0 || static_cast<size_t>(trial_id) >= trials_.size() ||
      studies_[static_cast<size_t>(trials_[static_cast<size_t>(trial_id)].study_id)].deleted)
    return Status::NotFound("no trial with id " + std::to_string(trial_id));
  return &trials_[static_cast<size_t>(trial_id)];
}

Result<InMemoryStorage::TrialRecord*> InMemoryStorage::FindUnfinishedTrial(int64_t trial_id) {
  HT_ASSIGN_OR_RETURN(TrialRecord * t, FindTrial(trial_id));
  if (IsFinished(t->trial.state)) return Finished(t->trial);
  return t;
}

void InMemoryStorage::Touch(const TrialRecord& t) {
  StudyRecord& s = studies_[static_cast<size_t>(t.study_id)];
  s.log.emplace_back(++s.version, t.trial.number);
  // Keep the log linear in the number of trials: only the latest change of
  // each trial matters to readers.
  if (s.log.size() > 2 * s.trial_ids.size() + 64) {
    std::vector<uint64_t> last(s.trial_ids.size(), 0);
    for (const auto& [v, n] : s.log) last[static_cast<size_t>(n)] = v;
    std::erase_if(s.log, [&](const auto& e) { return last[static_cast<size_t>(e.second)] != e.first; });
  }
}

Result<int64_t> InMemoryStorage::CreateStudy(std::string_view name,
                                             const std::vector<StudyDirection>& directions) {
  if (name.empty()) return Status::InvalidArgument("a study name must not be empty");
  if (directions.empty())
    return Status::InvalidArgument("study '" + std::string(name) + "' needs a direction");
  std::lock_guard lock(mu_);
  if (by_name_.count(name))
    return Status::AlreadyExists("a study named '" + std::string(name) + "' already exists");
  const auto id = static_cast<int64_t>(studies_.size());
  StudyRecord rec;
  rec.summary.study_id = id;
  rec.summary.name = std::string(name);
  rec.summary.directions = directions;
  studies_.push_back(std::move(rec));
  by_name_.emplace(std::string(name), id);
  return id;
}

Status InMemoryStorage::DeleteStudy(int64_t study_id) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(StudyRecord * s, FindStudy(study_id));
  by_name_.erase(s->summary.name);
  s->deleted = true;
  // Trials stay in trials_ (ids are never reused) but become unreachable.
  return Status::Ok();
}

Result<int64_t> InMemoryStorage::GetStudyId(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return Status::NotFound("no study named '" + std::string(name) + "'");
  return it->second;
}

Result<StudySummary> InMemoryStorage::GetStudy(int64_t study_id) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(StudyRecord * s, FindStudy(study_id));
  StudySummary out = s->summary;
  out.n_trials = static_cast<int>(s->trial_ids.size());
  return out;
}

Result<std::vector<StudySummary>> InMemoryStorage::ListStudies() {
  std::lock_guard lock(mu_);
  std::vector<StudySummary> out;
  for (const StudyRecord& s : studies_) {
    if (s.deleted) continue;
    out.push_back(s.summary);
    out.back().n_trials = static_cast<int>(s.trial_ids.size());
  }
  return out;
}

Status InMemoryStorage::SetStudyUserAttr(int64_t study_id, std::string_view key,
                                         std::string_view json) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(StudyRecord * s, FindStudy(study_id));
  s->summary.user_attrs[std::string(key)] = std::string(json);
  return Status::Ok();
}

Status InMemoryStorage::SetStudySystemAttr(int64_t study_id, std::string_view key,
                                           std::string_view json) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(StudyRecord * s, FindStudy(study_id));
  s->summary.system_attrs[std::string(key)] = std::string(json);
  return Status::Ok();
}

Result<FrozenTrial> InMemoryStorage::CreateTrial(int64_t study_id, const FrozenTrial* templ) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(StudyRecord * s, FindStudy(study_id));
  FrozenTrial t = NewTrialFromTemplate(templ);
  if (t.state == TrialState::kComplete && t.values.size() != s->summary.directions.size())
    return Status::InvalidArgument(
        "a COMPLETE trial needs " + std::to_string(s->summary.directions.size()) +
        " value(s), got " + std::to_string(t.values.size()));
  t.trial_id = static_cast<int64_t>(trials_.size());
  t.number = static_cast<int>(s->trial_ids.size());
  s->trial_ids.push_back(t.trial_id);
  if (t.state == TrialState::kWaiting) s->waiting.push_back(t.trial_id);
  trials_.push_back({study_id, t});
  Touch(trials_.back());
  return t;
}

Result<FrozenTrial> InMemoryStorage::PopWaitingTrial(int64_t study_id) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(StudyRecord * s, FindStudy(study_id));
  while (!s->waiting.empty()) {
    TrialRecord& t = trials_[static_cast<size_t>(s->waiting.front())];
    s->waiting.pop_front();
    if (t.trial.state != TrialState::kWaiting) continue;
    t.trial.state = TrialState::kRunning;
    t.trial.datetime_start = FrozenTrial::Clock::now();
    Touch(t);
    return t.trial;
  }
  return FrozenTrial{};
}

Status InMemoryStorage::SetTrialParam(int64_t trial_id, std::string_view name, double internal,
                                      std::shared_ptr<const Distribution> distribution) {
  HT_CHECK(distribution != nullptr) << "null distribution";
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(TrialRecord * t, FindUnfinishedTrial(trial_id));
  if (!Contains(*distribution, internal))
    return Status::InvalidArgument("trial " + std::to_string(t->trial.number) + ", parameter '" +
                                   std::string(name) + "': " + std::to_string(internal) +
                                   " is not in " + ToString(*distribution));
  for (TrialParam& p : t->trial.params) {
    if (p.name != name) continue;
    if (*p.distribution != *distribution)
      return Status::InvalidArgument("trial " + std::to_string(t->trial.number) +
                                     ", parameter '" + std::string(name) + "': already set with " +
                                     ToString(*p.distribution) + ", now " +
                                     ToString(*distribution));
    p.internal = internal;
    Touch(*t);
    return Status::Ok();
  }
  t->trial.params.push_back({std::string(name), std::move(distribution), internal});
  Touch(*t);
  return Status::Ok();
}

Status InMemoryStorage::SetTrialIntermediateValue(int64_t trial_id, int64_t step, double value) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(TrialRecord * t, FindUnfinishedTrial(trial_id));
  auto& iv = t->trial.intermediate_values;
  auto it = std::lower_bound(iv.begin(), iv.end(), step,
                             [](const auto& e, int64_t s) { return e.first < s; });
  if (it != iv.end() && it->first == step) {
    it->second = value;
  } else {
    iv.insert(it, {step, value});
  }
  Touch(*t);
  return Status::Ok();
}

Status InMemoryStorage::SetTrialUserAttr(int64_t trial_id, std::string_view key,
                                         std::string_view json) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(TrialRecord * t, FindTrial(trial_id));
  t->trial.user_attrs[std::string(key)] = std::string(json);
  Touch(*t);
  return Status::Ok();
}

Status InMemoryStorage::SetTrialSystemAttr(int64_t trial_id, std::string_view key,
                                           std::string_view json) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(TrialRecord * t, FindTrial(trial_id));
  t->trial.system_attrs[std::string(key)] = std::string(json);
  Touch(*t);
  return Status::Ok();
}

Status InMemoryStorage::SetTrialStateValues(int64_t trial_id, TrialState state,
                                            const std::vector<double>& values) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(TrialRecord * t, FindUnfinishedTrial(trial_id));
  const auto& directions = studies_[static_cast<size_t>(t->study_id)].summary.directions;
  if (state == TrialState::kComplete && values.size() != directions.size())
    return Status::InvalidArgument("trial " + std::to_string(t->trial.number) + ": " +
                                   std::to_string(values.size()) + " value(s) for " +
                                   std::to_string(directions.size()) + " direction(s)");
  if (state == TrialState::kWaiting)
    return Status::InvalidArgument("a trial cannot go back to WAITING");
  if (state == TrialState::kRunning) {
    if (t->trial.state != TrialState::kWaiting)
      return Status::FailedPrecondition("trial " + std::to_string(t->trial.number) +
                                        " is already RUNNING");
    t->trial.datetime_start = FrozenTrial::Clock::now();
  }
  t->trial.state = state;
  t->trial.values = values;
  if (IsFinished(state)) t->trial.datetime_complete = FrozenTrial::Clock::now();
  Touch(*t);
  return Status::Ok();
}

Result<FrozenTrial> InMemoryStorage::GetTrial(int64_t trial_id) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(TrialRecord * t, FindTrial(trial_id));
  return t->trial;
}

Status InMemoryStorage::ReadTrialUpdates(int64_t study_id, TrialCursor& cursor,
                                         std::vector<FrozenTrial>& out) {
  std::lock_guard lock(mu_);
  HT_ASSIGN_OR_RETURN(StudyRecord * s, FindStudy(study_id));
  auto it = std::upper_bound(s->log.begin(), s->log.end(), cursor.version,
                             [](uint64_t v, const auto& e) { return v < e.first; });
  std::vector<int> numbers;
  for (; it != s->log.end(); ++it) numbers.push_back(it->second);
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  for (int n : numbers) out.push_back(trials_[static_cast<size_t>(s->trial_ids[static_cast<size_t>(n)])].trial);
  cursor.version = s->version;
  return Status::Ok();
}

}  // namespace hypertune
