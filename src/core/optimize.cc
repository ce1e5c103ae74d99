// Study::Optimize: the loop that runs trials, on one thread or several.
#include <chrono>
#include <cmath>
#include <thread>

#include "hypertune/core/study.h"
#include "src/core/interrupt.h"

namespace hypertune {
namespace {

using SteadyClock = std::chrono::steady_clock;

}  // namespace

struct Study::RunState {
  std::atomic<int> started{0};
  std::optional<SteadyClock::time_point> deadline;
  std::mutex error_mu;
  Status first_error;
  std::atomic<bool> failed{false};
  // Trials stored FAIL because a signal interrupted them.
  std::atomic<int> interrupted{0};

  void Fail(Status s) {
    std::lock_guard lock(error_mu);
    if (first_error.ok()) first_error = std::move(s);
    failed = true;
  }
};

Status Study::Optimize(const Objective& objective, const OptimizeOptions& options) {
  return Optimize(MultiObjective([&objective](Trial& t) { return std::vector<double>{objective(t)}; }),
                  options);
}

Status Study::Optimize(const MultiObjective& objective, const OptimizeOptions& options) {
  HT_RETURN_IF_ERROR(options.Validate());
  stop_requested_ = false;
  RunState run;
  if (options.timeout)
    run.deadline = SteadyClock::now() +
                   std::chrono::duration_cast<SteadyClock::duration>(*options.timeout);
  // Handlers installed and this study's trials interruptible for the call's
  // duration, also when a callback throws.
  struct SignalGuard {
    std::atomic<int>& scopes;
    std::optional<internal::InterruptScope> scope;
    ~SignalGuard() {
      if (scope) --scopes;
    }
  } signals{signal_scopes_, std::nullopt};
  if (options.handle_signals) {
    // On a second signal, the watcher thread fails this study's running
    // trials, then ends the process.
    signals.scope.emplace([this](const std::string& reason) { FailRunningTrials(reason); });
    ++signal_scopes_;
  }

  auto worker = [&]() {
    while (!run.failed && !stop_requested_ && InterruptSignal() == 0) {
      if (run.deadline && SteadyClock::now() >= *run.deadline) break;
      if (options.n_trials && run.started.fetch_add(1) >= *options.n_trials) break;
      bool stop = false;
      Status s = RunOneTrial(objective, options, run, &stop);
      if (!s.ok()) {
        run.Fail(std::move(s));
        break;
      }
      if (stop) break;
    }
  };

  int n_jobs = options.n_jobs;
  if (n_jobs == -1) n_jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (n_jobs == 1) {
    worker();
  } else {
    std::vector<std::thread> threads;
    threads.reserve(static_cast<size_t>(n_jobs));
    for (int k = 0; k < n_jobs; ++k) threads.emplace_back(worker);
    for (std::thread& t : threads) t.join();
  }
  const int signo = InterruptSignal();
  if (signo == 0) return run.first_error;
  std::string msg = "study '" + name_ + "': interrupted by " + internal::SignalName(signo) +
                    ": " + std::to_string(run.interrupted.load()) +
                    " running trial(s) marked FAIL, no new trial started; finished trials "
                    "are kept";
  if (!run.first_error.ok()) msg += " (before that: " + run.first_error.ToString() + ")";
  return Status::Cancelled(std::move(msg));
}

Status Study::RunOneTrial(const MultiObjective& objective, const OptimizeOptions& options,
                          RunState& run, bool* stop) {
  Result<Trial> asked = Ask();
  if (!asked.ok()) {
    if (asked.status().code() == StatusCode::kFailedPrecondition && stop_requested_) {
      *stop = true;  // the sampler is exhausted: a normal end
      return Status::Ok();
    }
    return asked.status();
  }
  Trial& trial = *asked;
  TrialState state = TrialState::kComplete;
  std::vector<double> values;
  std::string reason;
  bool refused = false;
  bool interrupted = false;
  try {
    if (const int signo = InterruptSignal(); signo != 0) {
      // The signal came during Ask: the objective does not start.
      throw TrialInterrupted("interrupted by " + internal::SignalName(signo));
    }
    values = objective(trial);
  } catch (const TrialPruned&) {
    state = TrialState::kPruned;
  } catch (const TrialInterrupted& e) {
    state = TrialState::kFail;
    reason = e.what();
    interrupted = true;
  } catch (const std::exception& e) {
    state = TrialState::kFail;
    reason = std::string("the objective threw: ") + e.what();
    refused = options.catch_exception && !options.catch_exception(e);
  } catch (...) {
    state = TrialState::kFail;
    reason = "the objective threw an exception that is not a std::exception";
  }
  Status told = FinishTrial(trial.trial_id(), trial.number(), state, std::move(values), reason,
                            /*skip_if_finished=*/true);
  // A NaN or a wrong number of values fails the trial; the study goes on.
  if (!told.ok() && told.code() != StatusCode::kInvalidArgument) return told;
  if (interrupted) ++run.interrupted;
  if (!options.callbacks.empty()) {
    // FinishTrial synced the finished trial into the cache.
    FrozenTrial finished;
    {
      std::shared_lock lock(cache_mu_);
      finished = *cache_->trials()[static_cast<size_t>(trial.number())];
    }
    for (const Callback& cb : options.callbacks) cb(*this, finished);
  }
  if (refused) {
    return Status::Internal("study '" + name_ + "', trial " + std::to_string(trial.number()) +
                            ": " + reason + " (stopped: catch_exception refused it)");
  }
  // An exhausted sampler is noticed by the next Ask, which stops the study.
  return Status::Ok();
}

}  // namespace hypertune
