// Heartbeats: finding the trials of workers that died, failing them and
// running them again, as Optuna's RDBStorage(heartbeat_interval=...) with
// RetryFailedTrialCallback does.
//
//   auto storage = SqliteStorage::Open("sqlite:///study.db").value();
//   auto study = CreateStudy({.name = "svm", .storage = storage,
//                             .load_if_exists = true,
//                             .heartbeat = HeartbeatOptions{
//                                 .interval = std::chrono::seconds(10),
//                                 .max_retry = 3}}).value();
//   study->Optimize(Objective, {.n_trials = 100});
//
// While a Study runs trials (Optimize, or Ask until Tell), one background
// thread per Study records a heartbeat for each of them every `interval`; the
// first is recorded by Ask itself, so that a worker killed right after Ask is
// found too. The thread sleeps on a condition variable while no trial runs and
// stops when the Study is destroyed.
//
// Before each Ask (at most every interval / 2), the study fails the RUNNING
// trials whose last heartbeat is more than `grace` old and that this Study
// object is not running itself: state FAIL, system attribute "fail_reason" =
// "stale: no heartbeat for more than G s (worker presumed dead)". Of several
// workers that find one stale trial, exactly one fails it (the storage's
// SetTrialStateValues decides), and only that one re-queues it: a WAITING copy
// with the same parameters, distributions, user attributes and system
// attributes (so a grid point or enqueued values stay with it), and, with
// inherit_intermediate_values, its reports, made in one CreateTrial. The copy
// carries Optuna's system attributes "failed_trial" (the number of the first
// trial of the chain) and "retry_history" (the numbers of every failed
// attempt, oldest first), so Optuna's RetryFailedTrialCallback.retry_history
// reads it and either side continues the other's chain. The next Ask of any
// worker runs it; parameters already stored are returned by Suggest as they
// are, so the retry evaluates the same point.
//
// A trial that never had a heartbeat is never stale (its worker may not use
// heartbeats). Workers sharing a study should use the same interval and grace,
// or at least a grace longer than every worker's interval.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/status.h"

namespace hypertune {

// HeartbeatOptions::max_retry: re-queue a stale trial however often it died.
inline constexpr int kUnlimitedRetries = -1;

// System attributes of a re-queued trial, as Optuna names them.
inline constexpr std::string_view kAttrFailedTrial = "failed_trial";
inline constexpr std::string_view kAttrRetryHistory = "retry_history";

struct HeartbeatOptions {
  // How often each running trial's heartbeat is recorded. > 0.
  std::chrono::duration<double> interval{60.0};
  // How long a trial may go without heartbeat before it is presumed dead.
  // Unset: 2 x interval (as Optuna). >= interval.
  std::optional<std::chrono::duration<double>> grace;
  // How many times a stale trial is re-queued (counting the failed attempts of
  // its chain): 0 never, kUnlimitedRetries always.
  int max_retry = 0;
  // The re-queued copy keeps the intermediate values of the failed attempt.
  bool inherit_intermediate_values = false;

  Status Validate() const;
  double GraceSeconds() const { return grace ? grace->count() : 2.0 * interval.count(); }
};

// The number of the first failed trial that `trial` retries, if it is a retry
// (Optuna's RetryFailedTrialCallback.retried_trial_number).
std::optional<int> RetriedTrialNumber(const FrozenTrial& trial);
// The numbers of the failed attempts that `trial` retries, oldest first;
// empty if it is no retry (Optuna's RetryFailedTrialCallback.retry_history).
std::vector<int> RetryHistory(const FrozenTrial& trial);

}  // namespace hypertune
