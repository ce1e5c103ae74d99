// Splits: train / validation / test by ratios, and k-fold cross-validation,
// as index vectors. Each is a cheap, deterministic function of its inputs
// and seed (O(rows)), so a trial can draw its own split, with the ratio
// itself a tuned hyperparameter:
//
//   double v = trial.SuggestFloat("val_ratio", 0.1, 0.3).value();
//   TrainValTest s = Split(ds.AllRows(), {.validation = v}, /*seed=*/7).value();
//   for (const Fold& f : KFold(ds.View(s.train).value(), 5, /*seed=*/7).value()) {
//     MatrixF x = GatherRows(x_all, f.train);  ...
//   }
//
// Sizes: part p gets floor(n * ratio_p) rows; the rows left over (round(n *
// sum of ratios) minus those floors) go one each to the parts with the
// largest fractional parts, ties to train, then validation, then test. The
// train ratio defaults to 1 - validation - test. Ratios must lie in [0, 1)
// (validation and test: 0 means no such part; train in (0, 1]) and sum to at
// most 1; a part with a positive ratio that would get no row is an error.
//
// Stratified: every class gets floor or ceil of its proportional share in
// every part (within 1 row), and the parts keep the sizes above exactly.
// K-fold: the first n % k folds have one row more; stratified k-fold keeps
// each class's count per fold within 1 and needs k <= the smallest class.
// Rows are shuffled (seeded, the same on every platform) unless shuffle is
// false; every returned index vector is sorted ascending.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hypertune/core/status.h"
#include "hypertune/ml/dataset.h"

namespace hypertune::ml {

struct SplitRatios {
  double train = -1.0;  // < 0: 1 - validation - test
  double validation = 0.0;
  double test = 0.0;
};

struct TrainValTest {
  std::vector<size_t> train;
  std::vector<size_t> validation;
  std::vector<size_t> test;
};

struct Fold {
  std::vector<size_t> train;
  std::vector<size_t> validation;
};

struct PartSizes {
  size_t train = 0;
  size_t validation = 0;
  size_t test = 0;
};
// The part sizes for `num_rows` rows (see the rule above).
Result<PartSizes> SplitSizes(size_t num_rows, const SplitRatios& ratios);

// On positions 0..num_rows-1.
Result<TrainValTest> SplitIndices(size_t num_rows, const SplitRatios& ratios, uint64_t seed);
// labels[i] >= 0 is the class of position i. `class_names`, when given,
// name classes in errors.
Result<TrainValTest> StratifiedSplitIndices(std::span<const int32_t> labels,
                                            const SplitRatios& ratios, uint64_t seed);
Result<std::vector<Fold>> KFoldIndices(size_t num_rows, int k, uint64_t seed, bool shuffle = true);
Result<std::vector<Fold>> StratifiedKFoldIndices(std::span<const int32_t> labels, int k,
                                                 uint64_t seed, bool shuffle = true,
                                                 std::span<const std::string> class_names = {});

// On a view: the results are Dataset row numbers. Stratified when the task
// is classification and `stratify` is true.
Result<TrainValTest> Split(const DatasetView& view, const SplitRatios& ratios, uint64_t seed,
                           bool stratify = true);
Result<std::vector<Fold>> KFold(const DatasetView& view, int k, uint64_t seed, bool shuffle = true,
                                bool stratify = true);

}  // namespace hypertune::ml
