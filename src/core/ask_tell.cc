// Study::Ask and Study::Tell: starting and finishing trials.
#include <cmath>

#include "hypertune/core/json_lite.h"
#include "hypertune/core/study.h"

namespace hypertune {

Result<Trial> Study::Ask() {
  if (heartbeat_) HT_RETURN_IF_ERROR(MaybeFailStaleTrials());
  bool any_waiting = false;
  {
    // Create no trial that the sampler could only fail (a fully assigned
    // grid), unless one waits: a queued trial (a retry, say) may bring its
    // own point. BeforeTrial below still guards the race between workers.
    HT_RETURN_IF_ERROR(Sync());
    std::shared_lock lock(cache_mu_);
    any_waiting = cache_->n_waiting() > 0;
    if (sampler_->Exhausted(*cache_) && !any_waiting) {
      Stop();
      return Status::FailedPrecondition("study '" + name_ +
                                        "': the sampler has nothing left to propose");
    }
  }
  // Looking for a queued trial costs a storage query that grows with the
  // study (Optuna's schema has no index on state): skip it when the view,
  // just synced, holds none. One queued since is popped at the next Ask.
  FrozenTrial started;
  if (any_waiting) {
    HT_ASSIGN_OR_RETURN(started, storage_->PopWaitingTrial(study_id_));
  }
  if (started.trial_id < 0) {
    HT_ASSIGN_OR_RETURN(started, storage_->CreateTrial(study_id_));
  }
  const int64_t trial_id = started.trial_id;
  const int number = started.number;
  AddRunning(trial_id, number);
  Result<Trial> trial = StartTrial(std::move(started));
  if (!trial.ok()) {
    // Leave no RUNNING trial behind (a no-op when StartTrial finished it).
    (void)FinishTrial(trial_id, number, TrialState::kFail, {}, trial.status().ToString(), true);
  }
  return trial;
}

Result<Trial> Study::StartTrial(FrozenTrial started) {
  if (heartbeat_) {
    // The first heartbeat: a worker killed from now on leaves a stale trial.
    HT_RETURN_IF_ERROR(storage_->RecordHeartbeat(started.trial_id)
                           .WithContext("study '" + name_ + "', trial " +
                                        std::to_string(started.number)));
  }
  std::map<std::string, ParamValue, std::less<>> fixed;
  if (auto it = started.system_attrs.find(kAttrFixedParams); it != started.system_attrs.end()) {
    auto decoded = json_lite::DecodeObject(it->second);
    if (!decoded.ok()) {
      Status s = decoded.status().WithContext("trial " + std::to_string(started.number) +
                                              ": fixed parameters");
      (void)FinishTrial(started.trial_id, started.number, TrialState::kFail, {}, s.ToString(), true);
      return s;
    }
    fixed = std::move(*decoded);
  }
  HT_RETURN_IF_ERROR(Sync());

  AttrMap attrs;
  bool go_on = false;
  SearchSpace space;
  InternalParams relative;
  // A sampler that throws (a bad grid, say) fails this trial, not the process.
  auto sampler_failed = [&](const std::exception& e) {
    Status s = Status::InvalidArgument("study '" + name_ + "', trial " +
                                       std::to_string(started.number) + ": the sampler failed: " +
                                       e.what());
    Status f = FinishTrial(started.trial_id, started.number, TrialState::kFail, {}, s.message(), true);
    return f.ok() ? s : f;
  };
  try {
    std::shared_lock lock(cache_mu_);
    go_on = sampler_->BeforeTrial(*cache_, started, attrs);
  } catch (const std::exception& e) {
    return sampler_failed(e);
  }
  for (const auto& [key, json] : attrs) {
    HT_RETURN_IF_ERROR(storage_->SetTrialSystemAttr(started.trial_id, key, json));
    started.system_attrs[key] = json;
  }
  if (!go_on) {
    HT_RETURN_IF_ERROR(FinishTrial(started.trial_id, started.number, TrialState::kFail, {},
                                   "the sampler has nothing left to propose", true));
    Stop();
    return Status::FailedPrecondition("study '" + name_ +
                                      "': the sampler has nothing left to propose");
  }
  try {
    std::shared_lock lock(cache_mu_);
    space = sampler_->InferRelativeSearchSpace(*cache_, started);
    if (!space.empty()) relative = sampler_->SampleRelative(*cache_, started, space);
  } catch (const std::exception& e) {
    return sampler_failed(e);
  }
  return Trial(shared_from_this(), std::move(started), std::move(relative), std::move(space),
               std::move(fixed));
}

Status Study::Tell(const Trial& trial, const std::vector<double>& values) {
  return Tell(trial, TrialState::kComplete, values);
}

Status Study::Tell(const Trial& trial, TrialState state, const std::vector<double>& values,
                   bool skip_if_finished, std::string_view fail_reason) {
  return FinishTrial(trial.trial_id(), trial.number(), state, values, fail_reason,
                     skip_if_finished);
}

Status Study::Tell(int trial_number, TrialState state, const std::vector<double>& values,
                   bool skip_if_finished, std::string_view fail_reason) {
  HT_RETURN_IF_ERROR(Sync());
  int64_t trial_id;
  {
    std::shared_lock lock(cache_mu_);
    auto trials = cache_->trials();
    if (trial_number < 0 || static_cast<size_t>(trial_number) >= trials.size())
      return Status::NotFound("study '" + name_ + "' has no trial number " +
                              std::to_string(trial_number));
    trial_id = trials[static_cast<size_t>(trial_number)]->trial_id;
  }
  return FinishTrial(trial_id, trial_number, state, values, fail_reason, skip_if_finished);
}

Status Study::FinishTrial(int64_t trial_id, int number, TrialState state,
                          std::vector<double> values, std::string_view fail_reason,
                          bool skip_if_finished) {
  const std::string where = "study '" + name_ + "', trial " + std::to_string(number);
  if (!IsFinished(state))
    return Status::InvalidArgument(where + ": Tell takes COMPLETE, PRUNED or FAIL, got " +
                                   std::string(ToString(state)));
  // The caller is done with the trial: no more heartbeats for it.
  RemoveRunning(trial_id);
  HT_ASSIGN_OR_RETURN(FrozenTrial current, storage_->GetTrial(trial_id));
  if (IsFinished(current.state)) {
    if (skip_if_finished) return Status::Ok();
    return Status::FailedPrecondition(where + " is already " +
                                      std::string(ToString(current.state)));
  }
  std::string reason(fail_reason);
  Status returned;  // what the caller learns besides storage errors
  if (state == TrialState::kComplete) {
    if (values.size() != directions_.size()) {
      reason = "the objective returned " + std::to_string(values.size()) + " value(s); study '" +
               name_ + "' has " + std::to_string(directions_.size()) + " direction(s)";
    } else {
      for (size_t k = 0; k < values.size(); ++k) {
        if (std::isnan(values[k])) reason = "the objective returned NaN (value " + std::to_string(k) + ")";
      }
    }
    if (!reason.empty()) {
      state = TrialState::kFail;
      values.clear();
      returned = Status::InvalidArgument(where + ": " + reason);
    }
  } else if (state == TrialState::kPruned) {
    // As Optuna: a pruned trial's value is its last intermediate value.
    values.clear();
    if (!current.intermediate_values.empty() && directions_.size() == 1 &&
        !std::isnan(current.intermediate_values.back().second))
      values.push_back(current.intermediate_values.back().second);
  } else {
    values.clear();
    if (reason.empty()) reason = "failed (no reason given)";
  }
  if (state == TrialState::kFail)
    HT_RETURN_IF_ERROR(storage_->SetTrialSystemAttr(trial_id, kAttrFailReason, JsonAttr(reason)));
  Status s = storage_->SetTrialStateValues(trial_id, state, values);
  if (!s.ok()) {
    if (skip_if_finished && s.code() == StatusCode::kFailedPrecondition) return Status::Ok();
    return s.WithContext(where);
  }
  HT_RETURN_IF_ERROR(Sync());
  {
    std::shared_lock lock(cache_mu_);
    auto trials = cache_->trials();
    if (static_cast<size_t>(number) < trials.size())
      sampler_->AfterTrial(*cache_, *trials[static_cast<size_t>(number)]);
  }
  return returned;
}

}  // namespace hypertune
