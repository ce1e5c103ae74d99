// QmcSampler: quasi-Monte Carlo search (scrambled Sobol' or Halton points),
// in the spirit of Optuna's QMCSampler.
//
//   auto sampler = std::make_shared<hypertune::QmcSampler>(
//       hypertune::QmcSamplerOptions{.seed = 42});
//
// How a trial gets its parameters:
//  - The relative search space is fixed once, from the lowest-numbered
//    COMPLETE trial the sampler sees when it first finds one: its parameters
//    whose distribution holds more than one value, sorted by name (floats,
//    ints and categoricals alike; Optuna 3.1 leaves categoricals to the
//    independent sampler). Until a trial has completed, every parameter comes
//    from the independent sampler.
//  - Trial number k gets point k of the sequence (k = trial.number), so
//    threads and processes sharing a study never draw the same point and need
//    no shared counter. The trials sampled before the space was known use up
//    their indexes: with one worker, trial 0 is random and the QMC points start
//    at index 1. That skips the unscrambled sequence's first point, the corner
//    (low, low, ...), which is rarely a useful configuration.
//  - Coordinate u in [0, 1) becomes a parameter value: floats low + u (high -
//    low) (on the log scale when log); ints and stepped floats over [low -
//    step/2, high + step/2] then rounded to the grid, so each value gets the
//    same share of the cube (log ints over [log(low - 0.5), log(high + 0.5)],
//    as Optuna); categoricals choice floor(u * n).
//  - Parameters outside the space (asked later, or with a distribution other
//    than the one in the space) come from the independent sampler, and so do
//    the parameters beyond the first kMaxDim of the space (by name).
//
// Sobol' points balance best for 2^m trials; Halton works for any count but
// degrades in many dimensions (tens and more).
//
// Thread safety: all methods may be called from several threads at once.
// Determinism: same options and seed, same study history => same points.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "hypertune/core/sampler.h"
#include "hypertune/core/status.h"

namespace hypertune {

namespace qmc {
class SobolSequence;
class HaltonSequence;
}  // namespace qmc

enum class QmcType {
  kSobol,   // Sobol' (Joe & Kuo direction numbers), as scipy.stats.qmc.Sobol
  kHalton,  // Halton (prime bases), as scipy.stats.qmc.Halton
};

struct QmcSamplerOptions {
  // The sequence. Default kSobol, the better one in more than a few
  // dimensions; choose kHalton when the trial budget is far from a power of
  // two and the space has few parameters.
  QmcType qmc_type = QmcType::kSobol;
  // Randomize the sequence from `seed` (Sobol': linear matrix scramble and
  // digital shift; Halton: random digit permutations). Default true: avoids
  // the unscrambled sequences' regular patterns and their corner points. Set
  // false for the textbook sequence (the seed then only seeds the default
  // independent sampler).
  bool scramble = true;
  // Seed of the scrambling and of the default independent sampler. Unset: one
  // drawn from the OS, not reproducible. Processes that share a study must
  // use the same seed, otherwise their points come from differently scrambled
  // sequences and lose their joint low discrepancy.
  std::optional<uint64_t> seed;
  // Samples what the QMC sequence does not: every parameter until a trial has
  // completed, and parameters outside the relative search space. Null (the
  // default): a RandomSampler seeded with `seed`.
  std::shared_ptr<Sampler> independent_sampler;

  // InvalidArgument for a qmc_type outside the enum.
  Status Validate() const;
};

class QmcSampler final : public Sampler {
 public:
  // The most parameters drawn from the sequence; the rest of a larger space
  // falls back to the independent sampler.
  static constexpr int kMaxDim = 1024;

  // Validates the options.
  static Result<std::shared_ptr<QmcSampler>> Create(QmcSamplerOptions options);
  // Preconditions: options.Validate() is OK (aborts otherwise; use Create to
  // get the error as a Status).
  explicit QmcSampler(QmcSamplerOptions options = {});
  ~QmcSampler() override;

  SearchSpace InferRelativeSearchSpace(const StudyView& study, const FrozenTrial& trial) override;
  InternalParams SampleRelative(const StudyView& study, const FrozenTrial& trial,
                                const SearchSpace& space) override;
  double SampleIndependent(const StudyView& study, const FrozenTrial& trial, std::string_view name,
                           const Distribution& distribution) override;
  // Both forward to the independent sampler.
  bool BeforeTrial(const StudyView& study, const FrozenTrial& trial,
                   AttrMap& system_attrs) override;
  void AfterTrial(const StudyView& study, const FrozenTrial& trial) override;

  // The seed in use (drawn from the OS when the options had none).
  uint64_t seed() const { return seed_; }

  // Maps a unit-cube coordinate u in [0, 1) to an internal value of `d`, as
  // described above. The result is contained in `d`.
  static double FromUnit(const Distribution& d, double u);

 private:
  // The sequence for `dim` dimensions, built on first use.
  void EnsureSequence(int dim);

  const QmcType qmc_type_;
  const bool scramble_;
  const uint64_t seed_;
  const std::shared_ptr<Sampler> independent_;

  std::mutex mu_;
  // Set once, when a COMPLETE trial is first seen.
  std::optional<SearchSpace> space_;
  // The study whose space this is; another study starts over.
  int64_t study_id_ = -1;
  const StudyView* view_ = nullptr;  // last view read, and its revision
  uint64_t revision_ = 0;
  // Exactly one is set once the space is known; immutable afterwards.
  std::shared_ptr<const qmc::SobolSequence> sobol_;
  std::shared_ptr<const qmc::HaltonSequence> halton_;
};

}  // namespace hypertune
