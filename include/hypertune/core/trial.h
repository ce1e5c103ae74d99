// Trial: the define-by-run handle an objective receives.
//
//   double Objective(hypertune::Trial& trial) {
//     double lr = trial.SuggestFloat("lr", 1e-5, 1e-1, {.log = true});
//     int64_t layers = trial.SuggestInt("layers", 1, 4);
//     std::string opt = trial.SuggestCategorical("optimizer", {"adam", "sgd"});
//     for (int epoch = 0; epoch < 10; ++epoch) {
//       double loss = TrainOneEpoch(lr, layers, opt);
//       trial.Report(loss, epoch);
//       if (trial.ShouldPrune()) throw hypertune::TrialPruned();
//     }
//     return loss;
//   }
//
// Errors inside an objective are exceptions, so that objectives stay plain
// code: an invalid range or a parameter asked for with two distributions
// throws HypertuneError (the trial then FAILs with that message), and
// TrialPruned marks the trial PRUNED.
//
// Thread safety: a Trial belongs to the thread running its objective.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/distributions.h"
#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/sampler.h"
#include "hypertune/core/status.h"

namespace hypertune {

class Study;

// Thrown by Trial methods on bad input; carries the Status.
class HypertuneError : public std::runtime_error {
 public:
  explicit HypertuneError(Status status)
      : std::runtime_error(status.ToString()), status_(std::move(status)) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};

// Throw from an objective to mark the trial PRUNED.
class TrialPruned : public std::exception {
 public:
  TrialPruned() = default;
  explicit TrialPruned(std::string why) : why_(std::move(why)) {}
  const char* what() const noexcept override {
    return why_.empty() ? "trial pruned" : why_.c_str();
  }

 private:
  std::string why_;
};

// Thrown by Trial::Report and Trial::ShouldPrune once Optimize, run with
// OptimizeOptions::handle_signals, got SIGINT or SIGTERM: the objective stops
// at its next report and the trial is stored FAIL with what() as its
// fail_reason. Let it propagate (catching std::exception in an objective
// catches it too, and delays the stop to the objective's end).
class TrialInterrupted : public std::exception {
 public:
  explicit TrialInterrupted(std::string why) : why_(std::move(why)) {}
  const char* what() const noexcept override { return why_.c_str(); }

 private:
  std::string why_;
};

struct FloatOptions {
  bool log = false;               // sample on a log scale (low > 0)
  std::optional<double> step;     // values low + k * step
};
struct IntOptions {
  bool log = false;  // sample on a log scale (low >= 1, step 1)
  int64_t step = 1;  // values low + k * step
};

class Trial {
 public:
  int number() const { return number_; }
  int64_t trial_id() const { return trial_id_; }

  double SuggestFloat(std::string_view name, double low, double high,
                      FloatOptions options = {});
  int64_t SuggestInt(std::string_view name, int64_t low, int64_t high,
                     IntOptions options = {});
  ParamValue SuggestCategorical(std::string_view name,
                                const std::vector<ParamValue>& choices);
  std::string SuggestCategorical(std::string_view name,
                                 std::initializer_list<const char*> choices);
  // T is std::string, int64_t, double or bool.
  template <class T>
  T SuggestCategoricalAs(std::string_view name, const std::vector<T>& choices) {
    std::vector<ParamValue> c(choices.begin(), choices.end());
    return std::get<T>(SuggestCategorical(name, c));
  }
  // The general form: any distribution. Returns the external value.
  ParamValue Suggest(std::string_view name, const Distribution& distribution);

  // Reports an intermediate objective value at `step` (>= 0). A second report
  // at the same step is ignored, as in Optuna. Throws HypertuneError for a
  // multi-objective study, TrialInterrupted (after storing the value) once
  // the study's Optimize was interrupted by a signal.
  void Report(double value, int64_t step);
  // True when the study's pruner says this trial should stop. The objective
  // then throws TrialPruned. Throws TrialInterrupted once the study's
  // Optimize was interrupted by a signal.
  bool ShouldPrune();

  void SetUserAttr(std::string_view key, double v);
  void SetUserAttr(std::string_view key, int64_t v);
  void SetUserAttr(std::string_view key, bool v);
  void SetUserAttr(std::string_view key, std::string_view v);
  void SetUserAttr(std::string_view key, const char* v) {
    SetUserAttr(key, std::string_view(v));
  }

  // The parameters suggested so far, external values.
  std::map<std::string, ParamValue, std::less<>> params() const;
  // This trial as stored now.
  FrozenTrial Snapshot() const;

 private:
  friend class Study;
  Trial(std::shared_ptr<Study> study, FrozenTrial started, InternalParams relative,
        SearchSpace relative_space, std::map<std::string, ParamValue, std::less<>> fixed);
  void SetUserAttrJson(std::string_view key, std::string json);
  // Throws TrialInterrupted once the study's Optimize got a signal.
  void ThrowIfInterrupted() const;

  std::shared_ptr<Study> study_;
  int64_t trial_id_;
  int number_;
  FrozenTrial local_;  // this trial's own params and reports, kept locally
  InternalParams relative_;
  SearchSpace relative_space_;
  std::map<std::string, ParamValue, std::less<>> fixed_;
};

}  // namespace hypertune
