// Heartbeats (heartbeat.h): the Study's heartbeat thread, failing stale
// trials and re-queueing them; the trials a Study object runs.
#include "hypertune/core/heartbeat.h"

#include <cctype>
#include <cmath>
#include <set>
#include <sstream>

#include "hypertune/core/json_lite.h"
#include "hypertune/core/study.h"
#include "src/core/interrupt.h"

namespace hypertune {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string Seconds(double s) {
  std::ostringstream os;
  os << s;
  return os.str();
}

// "[0, 3]", as Python's json.dumps writes Optuna's retry_history.
std::string EncodeIntList(const std::vector<int>& v) {
  std::string out = "[";
  for (size_t k = 0; k < v.size(); ++k) {
    if (k > 0) out += ", ";
    out += std::to_string(v[k]);
  }
  return out + "]";
}

// A JSON list of integers; nullopt when `json` is anything else.
std::optional<std::vector<int>> DecodeIntList(std::string_view json) {
  size_t i = 0;
  const auto skip_space = [&] {
    while (i < json.size() && std::isspace(static_cast<unsigned char>(json[i]))) ++i;
  };
  skip_space();
  if (i == json.size() || json[i] != '[') return std::nullopt;
  ++i;
  std::vector<int> out;
  skip_space();
  if (i < json.size() && json[i] == ']') return out;
  for (;;) {
    skip_space();
    size_t end = i;
    while (end < json.size() &&
           (json[end] == '-' || std::isdigit(static_cast<unsigned char>(json[end]))))
      ++end;
    Result<ParamValue> v = json_lite::DecodeScalar(json.substr(i, end - i));
    if (end == i || !v.ok() || !std::holds_alternative<int64_t>(*v)) return std::nullopt;
    out.push_back(static_cast<int>(std::get<int64_t>(*v)));
    i = end;
    skip_space();
    if (i < json.size() && json[i] == ',') {
      ++i;
      continue;
    }
    if (i < json.size() && json[i] == ']') break;
    return std::nullopt;
  }
  ++i;
  skip_space();
  if (i != json.size()) return std::nullopt;
  return out;
}

}  // namespace

Status HeartbeatOptions::Validate() const {
  const double i = interval.count();
  if (!(i > 0) || !std::isfinite(i))
    return Status::InvalidArgument(
        "HeartbeatOptions.interval must be a finite number of "
        "seconds > 0, got " +
        Seconds(i));
  if (grace) {
    const double g = grace->count();
    if (!(g >= i) || !std::isfinite(g))
      return Status::InvalidArgument(
          "HeartbeatOptions.grace must be finite and >= interval (" + Seconds(i) +
          " s): a trial would be presumed dead between two heartbeats; got " + Seconds(g) + " s");
  }
  if (max_retry < kUnlimitedRetries)
    return Status::InvalidArgument(
        "HeartbeatOptions.max_retry must be >= 0 or "
        "kUnlimitedRetries (-1), got " +
        std::to_string(max_retry));
  return Status::Ok();
}

std::optional<int> RetriedTrialNumber(const FrozenTrial& trial) {
  auto it = trial.system_attrs.find(kAttrFailedTrial);
  if (it == trial.system_attrs.end()) return std::nullopt;
  Result<ParamValue> v = json_lite::DecodeScalar(it->second);
  if (!v.ok() || !std::holds_alternative<int64_t>(*v)) return std::nullopt;
  return static_cast<int>(std::get<int64_t>(*v));
}

std::vector<int> RetryHistory(const FrozenTrial& trial) {
  auto it = trial.system_attrs.find(kAttrRetryHistory);
  if (it == trial.system_attrs.end()) return {};
  return DecodeIntList(it->second).value_or(std::vector<int>{});
}

// ---- The trials this Study object runs ----

void Study::AddRunning(int64_t trial_id, int number) {
  std::lock_guard lock(running_mu_);
  running_[trial_id] = number;
  if (heartbeat_ && !heartbeat_thread_.joinable() && !shutting_down_)
    heartbeat_thread_ = std::thread([this] { HeartbeatLoop(); });
  running_cv_.notify_all();
}

void Study::RemoveRunning(int64_t trial_id) {
  std::lock_guard lock(running_mu_);
  running_.erase(trial_id);
}

Study::~Study() {
  {
    std::lock_guard lock(running_mu_);
    shutting_down_ = true;
  }
  running_cv_.notify_all();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
}

void Study::HeartbeatLoop() {
  const auto interval = std::chrono::duration_cast<SteadyClock::duration>(heartbeat_->interval);
  std::unique_lock lock(running_mu_);
  SteadyClock::time_point next = SteadyClock::now() + interval;
  while (!shutting_down_) {
    if (running_.empty()) {
      running_cv_.wait(lock, [&] { return shutting_down_ || !running_.empty(); });
      // Ask has just recorded the new trial's first heartbeat.
      next = SteadyClock::now() + interval;
      continue;
    }
    if (running_cv_.wait_until(lock, next, [&] { return shutting_down_; })) break;
    // After a round slower than the interval, go on from now, without a burst.
    next = std::max(next + interval, SteadyClock::now());
    std::vector<int64_t> ids;
    ids.reserve(running_.size());
    for (const auto& [id, number] : running_) ids.push_back(id);
    lock.unlock();
    std::vector<int64_t> finished;
    for (int64_t id : ids) {
      // A failed write is retried at the next round; the grace covers it.
      const Status s = storage_->RecordHeartbeat(id);
      if (s.code() == StatusCode::kFailedPrecondition || s.code() == StatusCode::kNotFound)
        finished.push_back(id);  // finished elsewhere (failed as stale, say)
    }
    lock.lock();
    for (int64_t id : finished) running_.erase(id);
  }
}

void Study::FailRunningTrials(const std::string& reason) {
  std::vector<int64_t> ids;
  {
    std::lock_guard lock(running_mu_);
    for (const auto& [id, number] : running_) ids.push_back(id);
  }
  for (int64_t id : ids) (void)FailStaleTrial(id, reason);
}

// ---- Stale trials ----

Result<bool> Study::FailStaleTrial(int64_t trial_id, const std::string& reason) {
  // The reason first, so that a FAIL is never seen without it, as FinishTrial
  // does.
  HT_RETURN_IF_ERROR(storage_->SetTrialSystemAttr(trial_id, kAttrFailReason, JsonAttr(reason)));
  const Status s = storage_->SetTrialStateValues(trial_id, TrialState::kFail, {});
  if (s.ok()) return true;
  if (s.code() != StatusCode::kFailedPrecondition) return s;
  // Finished first by someone else. If that was not a FAIL (its worker was
  // alive after all), the trial has no failure to explain.
  HT_ASSIGN_OR_RETURN(FrozenTrial now, storage_->GetTrial(trial_id));
  if (now.state != TrialState::kFail)
    HT_RETURN_IF_ERROR(storage_->SetTrialSystemAttr(trial_id, kAttrFailReason, JsonAttr("")));
  return false;
}

Status Study::Requeue(const FrozenTrial& failed) {
  // As Optuna's RetryFailedTrialCallback: the chain's first trial, and every
  // failed attempt.
  const int first = RetriedTrialNumber(failed).value_or(failed.number);
  std::vector<int> history = RetryHistory(failed);
  history.push_back(failed.number);
  if (heartbeat_->max_retry != kUnlimitedRetries &&
      history.size() > static_cast<size_t>(heartbeat_->max_retry))
    return Status::Ok();
  FrozenTrial templ;
  templ.state = TrialState::kWaiting;
  // Suggest returns stored parameters as they are: the retry evaluates the
  // same point. Sampler attributes (a grid point, enqueued values) go along.
  templ.params = failed.params;
  templ.user_attrs = failed.user_attrs;
  templ.system_attrs = failed.system_attrs;
  templ.system_attrs.erase(std::string(kAttrFailReason));
  templ.system_attrs[std::string(kAttrFailedTrial)] = JsonAttr(static_cast<int64_t>(first));
  templ.system_attrs[std::string(kAttrRetryHistory)] = EncodeIntList(history);
  if (heartbeat_->inherit_intermediate_values)
    templ.intermediate_values = failed.intermediate_values;
  return storage_->CreateTrial(study_id_, &templ)
      .status()
      .WithContext("study '" + name_ + "', re-queueing stale trial " +
                   std::to_string(failed.number));
}

Result<std::vector<int>> Study::FailStaleTrials() {
  if (!heartbeat_)
    return Status::FailedPrecondition("study '" + name_ +
                                      "' has no heartbeat (StudyOptions::heartbeat)");
  std::lock_guard lock(stale_mu_);
  return FailStaleTrialsLocked();
}

Status Study::MaybeFailStaleTrials() {
  std::unique_lock lock(stale_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::Ok();  // another thread is at it
  const auto half_interval =
      std::chrono::duration_cast<SteadyClock::duration>(heartbeat_->interval / 2);
  if (last_stale_check_ && SteadyClock::now() - *last_stale_check_ < half_interval)
    return Status::Ok();
  return FailStaleTrialsLocked().status();
}

Result<std::vector<int>> Study::FailStaleTrialsLocked() {
  last_stale_check_ = SteadyClock::now();
  const double grace = heartbeat_->GraceSeconds();
  HT_ASSIGN_OR_RETURN(std::vector<int64_t> stale, storage_->GetStaleTrialIds(study_id_, grace));
  std::vector<int> failed;
  if (stale.empty()) return failed;
  std::set<int64_t> own;
  {
    // This object's trials are alive, whatever their heartbeats say.
    std::lock_guard lock(running_mu_);
    for (const auto& [id, number] : running_) own.insert(id);
  }
  const std::string reason =
      "stale: no heartbeat for more than " + Seconds(grace) + " s (worker presumed dead)";
  for (int64_t id : stale) {
    if (own.count(id) != 0) continue;
    HT_ASSIGN_OR_RETURN(bool won, FailStaleTrial(id, reason));
    if (!won) continue;  // another worker failed it, and re-queues it
    HT_ASSIGN_OR_RETURN(FrozenTrial t, storage_->GetTrial(id));
    failed.push_back(t.number);
    HT_RETURN_IF_ERROR(Requeue(t));
  }
  if (!failed.empty()) HT_RETURN_IF_ERROR(Sync());
  return failed;
}

int Study::InterruptSignal() const {
  return signal_scopes_.load() > 0 ? internal::InterruptSignal() : 0;
}

}  // namespace hypertune
