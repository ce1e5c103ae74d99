// Turns the ObservationStore into the inputs of a pair of Parzen estimators:
// the observations of the good ("below") and the other ("above") trials for
// one parameter or a group of parameters, in kernel space, with their
// weights.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "hypertune/core/sampler.h"
#include "hypertune/core/study_view.h"
#include "src/core/samplers/tpe/observation_store.h"
#include "src/core/samplers/tpe/param_spec.h"

namespace hypertune::tpe {

// Optuna's default_weights: 1 for the 25 most recent observations, a linear
// ramp from 1/n up to 1 for the older ones. Or the user's function, checked
// (throws HypertuneError on negative, non-finite, all-zero or too few
// weights).
class WeightFunction {
 public:
  explicit WeightFunction(std::function<std::vector<double>(int)> user) : user_(std::move(user)) {}
  // Prepares the weights of n observations; then Get(r) is the weight of the
  // r-th oldest, r < n.
  void Prepare(int n);
  double Get(int r) const {
    if (user_) return table_[static_cast<size_t>(r)];
    return r < ramp_end_ ? start_ + r * step_ : 1.0;
  }
  // Prepare(n) and the n weights, oldest first.
  const std::vector<double>& operator()(int n);
  // The sum of the weights Prepare() made.
  double Sum() const;

 private:
  std::function<std::vector<double>(int)> user_;
  int n_ = 0;
  std::vector<double> table_;  // user weights
  double table_sum_ = 0.0;
  int ramp_end_ = 0;  // default weights: start + r * step below this rank
  double start_ = 0.0, step_ = 0.0;
  std::vector<double> out_;
};

// Which stored values of a parameter can feed the estimator of a
// distribution: those of the same distribution; for another numeric range,
// values inside the new range; for other categorical choices, the choices
// that still exist (by value).
class ValueMapper {
 public:
  ValueMapper(const std::shared_ptr<const Distribution>& target, const ParamSpec& spec);
  // Must be called before Map() with the column Map() will read.
  void Prepare(const ObservationStore::Column& column);
  // Trial `number`'s value in kernel space, if it has a compatible one.
  bool Map(const ObservationStore::Column& column, int number, double* y) const;
  bool Map(const TrialParam& param, double* y) const;
  // True when every value of the column maps unchanged (one distribution).
  bool identity() const { return identity_; }
  // True when kernel space is the log of the value.
  bool log() const { return spec_.log; }

 private:
  enum class Mode : uint8_t { kSame, kRange, kCategorical, kNone };
  Mode ModeFor(const Distribution& d) const;
  double Choice(const Distribution& from, double index) const;  // -1 when gone

  std::shared_ptr<const Distribution> target_;
  ParamSpec spec_;
  std::vector<Mode> modes_;  // per column distribution
  bool identity_ = false;
};

// Observations for one estimator pair; columns are per dimension.
struct SplitObservations {
  std::vector<std::vector<double>> below, above;
  std::vector<double> below_w, above_w;
  double below_w_sum = 0.0, above_w_sum = 0.0;
  bool above_sorted = false;  // the above observations are sorted by value
  void Reset(size_t dims);
};

// Running trials the constant liar counts as bad observations.
struct RunningTrials {
  const StudyView* view = nullptr;
  std::span<const int> numbers;  // ascending, the trial being sampled excluded
};

// One parameter. With `sorted`, the above observations come out sorted by
// value (what a univariate estimator wants); otherwise in trial order.
void CollectOne(ObservationStore& store, std::string_view name, ValueMapper& mapper,
                const RunningTrials& running, bool sorted, WeightFunction& weights,
                SplitObservations& out);

// Several parameters jointly: the trials that have all of them.
void CollectJoint(ObservationStore& store, std::span<const std::string> names,
                  std::span<ValueMapper> mappers, const RunningTrials& running,
                  WeightFunction& weights, SplitObservations& out);

}  // namespace hypertune::tpe
