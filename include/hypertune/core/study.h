// Study: a named optimization task kept in a storage; the entry point of the
// library, in the spirit of Optuna's.
//
//   auto study = hypertune::CreateStudy({.name = "svm",
//                                        .sampler = std::make_shared<TpeSampler>(
//                                            TpeSamplerOptions{.seed = 7})}).value();
//   HT_CHECK(study->Optimize(Objective, {.n_trials = 100}).ok());
//   std::cout << study->BestValue().value();
//
// Thread safety: every method may be called from several threads at once.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "hypertune/core/frozen_trial.h"
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
  // sampler is exhausted.
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
  Status RunOneTrial(const MultiObjective& objective, const OptimizeOptions& options,
                     bool* stop);
  Status FinishTrial(int64_t trial_id, int number, TrialState state,
                     std::vector<double> values, std::string_view fail_reason,
                     bool skip_if_finished);
  // Trial's services.
  double SampleFor(Trial& trial, std::string_view name,
                   const std::shared_ptr<const Distribution>& distribution);
  bool ShouldPrune(const Trial& trial);
  std::shared_ptr<const Distribution> Intern(std::string_view name,
                                             const Distribution& d, Status* error);

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
};

// Creates a study (or loads it, with load_if_exists).
Result<std::shared_ptr<Study>> CreateStudy(StudyOptions options = {});
// Loads an existing study by options.name from options.storage; directions
// come from the storage.
Result<std::shared_ptr<Study>> LoadStudy(StudyOptions options);
Status DeleteStudy(std::string_view name, Storage& storage);

}  // namespace hypertune
