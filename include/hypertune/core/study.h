// Study: a named optimization task kept in a storage; the entry point of the
// library, in the spirit of Optuna's.
//
//   auto study = hypertune::CreateStudy({.name = "svm",
//                                        .sampler = std::make_shared<TpeSampler>(
//                                            TpeSamplerOptions{.seed = 7})}).value();
//   HT_CHECK(study->Optimize(Objective, {.n_trials = 100}).ok());
//   std::cout << study->BestValue().value();
//
// Fault tolerance: StudyOptions::heartbeat finds, fails and re-queues the
// trials of workers that died (heartbeat.h); OptimizeOptions::handle_signals
// makes Ctrl-C stop the study without leaving trials RUNNING.
//
// Thread safety: every method may be called from several threads at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/heartbeat.h"
#include "hypertune/core/pruner.h"
#include "hypertune/core/sampler.h"
#include "hypertune/core/status.h"
#include "hypertune/core/storage.h"
#include "hypertune/core/trial.h"

namespace hypertune {

struct StudyOptions {
  // Empty: a unique name is generated ("no-name-<uuid>", as Optuna).
  std::string name;
  // One per objective. Default: one objective, minimized.
  std::vector<StudyDirection> directions = {StudyDirection::kMinimize};
  // Default: a new InMemoryStorage.
  std::shared_ptr<Storage> storage;
  // Default: TpeSampler with default options (unseeded).
  std::shared_ptr<Sampler> sampler;
  // Default: MedianPruner with default options.
  std::shared_ptr<Pruner> pruner;
  // CreateStudy on an existing name loads it instead of failing.
  bool load_if_exists = false;
  // Unset: no heartbeat. Set: see heartbeat.h; the storage must keep
  // heartbeats (Storage::SupportsHeartbeat), else CreateStudy and LoadStudy
  // return InvalidArgument.
  std::optional<HeartbeatOptions> heartbeat;

  Status Validate() const;
};

using Objective = std::function<double(Trial&)>;
using MultiObjective = std::function<std::vector<double>(Trial&)>;
class Study;
using Callback = std::function<void(Study&, const FrozenTrial&)>;

struct OptimizeOptions {
  // Trials this call runs; unset: no limit (until timeout or Stop()).
  std::optional<int> n_trials;
  // Wall-clock budget of this call; running trials finish, no new one starts.
  std::optional<std::chrono::duration<double>> timeout;
  // Threads running trials at once; -1 uses every hardware thread.
  int n_jobs = 1;
  // Decides, for an exception thrown by the objective, whether the study goes
  // on. The trial is FAIL with the message stored either way. Unset: every
  // exception is caught and the study goes on. Return false to stop the
  // study: Optimize then returns an error naming the trial.
  std::function<bool(const std::exception&)> catch_exception;
  // Called after each finished trial, from the thread that ran it.
  std::vector<Callback> callbacks;
  // Ctrl-C handling, for command-line programs (a library should leave the
  // process's signals alone, hence the default). When true, Optimize installs
  // SIGINT and SIGTERM handlers for its duration and restores the previous
  // ones when it returns. The handler itself only records the signal.
  //  - First signal: no new trial starts. A running trial's next
  //    Trial::Report or Trial::ShouldPrune throws TrialInterrupted, and the
  //    trial is stored FAIL with fail_reason "interrupted by SIGINT" (or
  //    SIGTERM); trials whose objective returns are stored as usual, so
  //    nothing finished is lost. Optimize then returns Cancelled("interrupted
  //    by SIGINT: N running trial(s) marked FAIL ...").
  //  - Second signal (an impatient user; an objective that never reports):
  //    a watcher thread marks every trial that the interrupted Optimize calls
  //    are running FAIL with fail_reason "interrupted by SIGINT (forced)",
  //    then ends the process with _exit(128 + signal), 130 for SIGINT,
  //    without running destructors or atexit handlers.
  // Several Optimize calls may handle signals at once (one signal stops
  // them all).
  bool handle_signals = false;

  Status Validate() const;
};

class Study : public std::enable_shared_from_this<Study> {
 public:
  ~Study();
  const std::string& name() const { return name_; }
  int64_t study_id() const { return study_id_; }
  const std::vector<StudyDirection>& directions() const { return directions_; }
  Storage& storage() const { return *storage_; }
  Sampler& sampler() const { return *sampler_; }
  Pruner& pruner() const { return *pruner_; }

  // Runs trials until n_trials, timeout, Stop() or an exhausted sampler.
  // Objectives that throw or return NaN make their trial FAIL, with the
  // reason stored in system attribute "fail_reason". Returns an error only
  // for a storage failure or an exception that catch_exception refuses.
  Status Optimize(const Objective& objective, const OptimizeOptions& options = {});
  Status Optimize(const MultiObjective& objective, const OptimizeOptions& options = {});
  // Asks the running Optimize calls to start no new trial.
  void Stop() { stop_requested_ = true; }

  // Starts a trial (a WAITING one first, if any). FailedPrecondition when the
  // sampler is exhausted. With heartbeats, first fails the stale trials of
  // dead workers (at most every interval / 2) and records the new trial's
  // first heartbeat.
  Result<Trial> Ask();
  // Finishes a trial. With values: COMPLETE (NaN or a wrong count: FAIL with
  // the reason, and the error is returned). With state PRUNED or FAIL, no
  // values needed. A trial already finished is an error, unless
  // skip_if_finished.
  Status Tell(const Trial& trial, const std::vector<double>& values);
  Status Tell(const Trial& trial, TrialState state,
              const std::vector<double>& values = {}, bool skip_if_finished = false,
              std::string_view fail_reason = "");
  Status Tell(int trial_number, TrialState state, const std::vector<double>& values = {},
              bool skip_if_finished = false, std::string_view fail_reason = "");

  // Queues a trial whose parameters are fixed (others are sampled). Values
  // are validated when the objective asks for them.
  Status EnqueueTrial(const std::map<std::string, ParamValue, std::less<>>& params,
                      bool skip_if_exists = false);
  // Adds a finished trial made elsewhere (e.g. from an earlier experiment).
  Status AddTrial(const FrozenTrial& trial);

  // Single-objective: the best COMPLETE trial. FailedPrecondition for a
  // multi-objective study or when no trial is complete.
  Result<FrozenTrial> BestTrial();
  Result<double> BestValue();
  Result<std::map<std::string, ParamValue, std::less<>>> BestParams();
  // The Pareto front of COMPLETE trials (all best trials for one objective).
  Result<std::vector<FrozenTrial>> BestTrials();
  // Every trial, or those in `states`, in number order.
  Result<std::vector<FrozenTrial>> Trials(std::vector<TrialState> states = {});

  Status SetUserAttr(std::string_view key, std::string_view json);
  Result<StudySummary> Summary();

  // Fails the study's stale trials now and re-queues them (heartbeat.h);
  // Ask does it too. Returns the numbers of the trials this call failed (not
  // those another worker failed first). FailedPrecondition without
  // StudyOptions::heartbeat.
  Result<std::vector<int>> FailStaleTrials();

  // Runs `fn` with a view of the up-to-date trial cache (read lock held).
  template <class F>
  auto WithView(F&& fn) {
    HT_RETURN_IF_ERROR(Sync());
    std::shared_lock lock(cache_mu_);
    return fn(static_cast<const StudyView&>(*cache_));
  }

 private:
  friend class Trial;
  friend Result<std::shared_ptr<Study>> CreateStudy(StudyOptions options);
  friend Result<std::shared_ptr<Study>> LoadStudy(StudyOptions options);
  Study(std::string name, int64_t study_id, std::vector<StudyDirection> directions,
        StudyOptions options);

  // Pulls the changes from storage into the cache.
  Status Sync();
  struct RunState;
  Status RunOneTrial(const MultiObjective& objective, const OptimizeOptions& options,
                     RunState& run, bool* stop);
  Result<Trial> StartTrial(FrozenTrial started);
  Status FinishTrial(int64_t trial_id, int number, TrialState state,
                     std::vector<double> values, std::string_view fail_reason,
                     bool skip_if_finished);
  // Trial's services.
  double SampleFor(Trial& trial, std::string_view name,
                   const std::shared_ptr<const Distribution>& distribution);
  bool ShouldPrune(const Trial& trial);
  std::shared_ptr<const Distribution> Intern(std::string_view name,
                                             const Distribution& d, Status* error);

  // Trials this Study object runs (Ask until their Tell), for heartbeats and
  // for the forced end of a Ctrl-C.
  void AddRunning(int64_t trial_id, int number);
  void RemoveRunning(int64_t trial_id);
  void HeartbeatLoop();
  // Marks FAIL, with `reason`, every trial this object runs.
  void FailRunningTrials(const std::string& reason);
  // FailStaleTrials, at most every interval / 2 and by one thread at a time.
  Status MaybeFailStaleTrials();
  Result<std::vector<int>> FailStaleTrialsLocked();
  // Fails one stale trial; true when this call did (not another worker).
  Result<bool> FailStaleTrial(int64_t trial_id, const std::string& reason);
  // Queues a WAITING copy of `failed` unless max_retry forbids it.
  Status Requeue(const FrozenTrial& failed);
  // The signal that interrupts this study's trials, or 0 (handle_signals).
  int InterruptSignal() const;

  std::string name_;
  int64_t study_id_;
  std::vector<StudyDirection> directions_;
  std::shared_ptr<Storage> storage_;
  std::shared_ptr<Sampler> sampler_;
  std::shared_ptr<Pruner> pruner_;

  std::mutex sync_mu_;  // one Sync at a time
  mutable std::shared_mutex cache_mu_;
  std::unique_ptr<TrialCache> cache_;
  TrialCursor cursor_;
  // Parameter name -> its distribution in this study (one per name).
  std::mutex dist_mu_;
  std::map<std::string, std::shared_ptr<const Distribution>, std::less<>> distributions_;
  std::atomic<bool> stop_requested_{false};

  std::optional<HeartbeatOptions> heartbeat_;
  std::mutex running_mu_;
  std::condition_variable running_cv_;  // running_ changed or shutting down
  std::map<int64_t, int> running_;      // trial id -> number
  bool shutting_down_ = false;
  std::thread heartbeat_thread_;        // started with the first trial
  std::mutex stale_mu_;                 // one stale check at a time
  std::optional<std::chrono::steady_clock::time_point> last_stale_check_;
  std::atomic<int> signal_scopes_{0};   // Optimize calls handling signals
};

// Creates a study (or loads it, with load_if_exists).
Result<std::shared_ptr<Study>> CreateStudy(StudyOptions options = {});
// Loads an existing study by options.name from options.storage; directions
// come from the storage.
Result<std::shared_ptr<Study>> LoadStudy(StudyOptions options);
Status DeleteStudy(std::string_view name, Storage& storage);

}  // namespace hypertune
