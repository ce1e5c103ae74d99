// GridSampler: exhaustive search over the cartesian product of given values,
// in the spirit of Optuna's GridSampler.
//
//   auto sampler = hypertune::GridSampler::Create(
//       {.search_space = {{"lr", {0.1, 0.01}}, {"layers", {int64_t{1}, int64_t{2}}}}})
//       .value();
//   study->Optimize(Objective);  // 4 trials, then the study stops
//
// Grid points are numbered as Optuna numbers them: the cartesian product of
// the value lists in parameter-name order, the last name varying fastest.
// When a trial starts (BeforeTrial) it gets a point, stored as system
// attributes "grid_id" (the point's number) and "search_space" (the grid, as
// JSON, so that trials of a different grid in the same study are told apart,
// as Optuna does). The point is a pseudo-random permutation of the trial's
// number, keyed by the seed (or, unseeded, by the study's name) and the grid.
// Trial numbers are unique across processes, so processes sharing a study
// never pick the same point, with no locking between them, as long as they
// use the same grid and the same seed (or none). Optuna has a race there.
// When a trial's point is already held (an enqueued or retried trial holds
// it), the trial gets a point drawn at random among the free ones, under a
// lock: threads of one process never get the same point, but two processes
// may in this fallback.
//
// A trial holds its point from the moment it has a grid_id, whatever its
// state: RUNNING, COMPLETE, PRUNED, and FAIL too (as Optuna 3.1 counts
// finished trials, FAIL included). A failed point is not re-run: an objective
// that fails on a point usually fails on it again, and re-running it would
// never end a study whose objective always fails. Enqueue the point to re-run
// it.
//
// Once every point is held, BeforeTrial returns false and Exhausted() returns
// true: the study stops.
//
// Enqueued trials (EnqueueTrial): the fixed values choose the point. The
// sampler picks, at random, a point that agrees with every fixed grid
// parameter, preferring points no trial holds yet; the parameters that are not
// fixed take that point's values. If no point agrees, the trial gets no point
// and suggesting a grid parameter that is not fixed fails the trial.
//
// Values: SampleIndependent returns the grid value converted to the
// distribution the objective asks for (ints of the grid become floats for a
// float parameter, etc.). Unlike Optuna, which only warns, a value that the
// distribution does not contain (out of range, off the step, not a choice) is
// an error: suggest throws HypertuneError (InvalidArgument) and the trial
// fails with the message. So is a parameter that is not in the grid.
//
// Thread safety: all methods may be called from several threads at once.
// Determinism: same seed (or, unseeded, same study name) and same call
// sequence => same points in the same order.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hypertune/core/random.h"
#include "hypertune/core/sampler.h"
#include "hypertune/core/status.h"

namespace hypertune {

// System attribute keys the grid sampler writes (Optuna's names).
inline constexpr std::string_view kAttrGridId = "grid_id";
inline constexpr std::string_view kAttrGridSearchSpace = "search_space";

struct GridSamplerOptions {
  // Parameter name -> the values to try, in order. Required: at least one
  // parameter, each with at least one value, no value twice (3 and 3.0 count
  // as the same value), no NaN, and at most 2^53 points in all.
  std::map<std::string, std::vector<ParamValue>> search_space;
  // Seed of the order in which points are visited. Unset: an order derived
  // from the study's name. Change it to visit the grid in another order; the
  // set of points run is the same. Processes sharing a study must use the
  // same seed (or all none) to never run a point twice.
  std::optional<uint64_t> seed;

  Status Validate() const;
};

class GridSampler final : public Sampler {
 public:
  // Validates the options.
  static Result<std::shared_ptr<GridSampler>> Create(GridSamplerOptions options);
  // Preconditions: options.Validate() is OK (aborts otherwise; use Create to
  // get the error as a Status).
  explicit GridSampler(GridSamplerOptions options);
  ~GridSampler() override;

  // Assigns the trial its grid point (see above). Returns false when every
  // point is held.
  bool BeforeTrial(const StudyView& study, const FrozenTrial& trial,
                   AttrMap& system_attrs) override;
  // The trial's grid value for `name`, as an internal value of
  // `distribution`. Throws HypertuneError(InvalidArgument) when the trial has
  // no grid point, `name` is not in the grid, or the value is not in
  // `distribution`.
  double SampleIndependent(const StudyView& study, const FrozenTrial& trial, std::string_view name,
                           const Distribution& distribution) override;
  // True once every grid point is held by a trial of `study`.
  bool Exhausted(const StudyView& study) const override;

  // The number of grid points.
  int64_t size() const { return size_; }
  // The values of grid point `grid_id`, by parameter name.
  // Preconditions: 0 <= grid_id < size().
  std::map<std::string, ParamValue, std::less<>> Point(int64_t grid_id) const;
  // The "search_space" attribute this sampler writes.
  const std::string& search_space_json() const { return search_space_json_; }

 private:
  class Pool;
  struct StudyState;

  // Brings the study's state up to date with the view. Requires mu_.
  StudyState& Sync(const StudyView& study) const;
  // The grid id stored on `trial`, if it has one of this grid.
  std::optional<int64_t> GridIdOf(const FrozenTrial& trial) const;
  // The value index of parameter `param` (position in names_) at `grid_id`.
  size_t ValueIndex(int64_t grid_id, size_t param) const;

  // Parameter names, sorted, and their values.
  std::vector<std::string> names_;
  std::vector<std::vector<ParamValue>> values_;
  // strides_[k]: how far apart grid ids are whose parameter k values differ
  // by one position.
  std::vector<int64_t> strides_;
  int64_t size_ = 0;
  std::string search_space_json_;
  uint64_t grid_hash_ = 0;  // of search_space_json_
  std::optional<uint64_t> seed_;

  mutable std::mutex mu_;
  mutable Rng rng_;
  // By study (id, name): the points no trial holds yet.
  mutable std::map<std::pair<int64_t, std::string>, std::unique_ptr<StudyState>> studies_;
};

}  // namespace hypertune
