// Metrics for scoring models: classification, regression and clustering, with
// scikit-learn 1.2's definitions and edge cases (the tests compare every
// function with scikit-learn's value to 1e-12, relative). They take plain
// inputs, so that any model or data source can use them:
//   - class codes: int32 in 0..k-1 (as a label encoder gives them);
//   - probabilities: a row-major n x k matrix as a span of n * k doubles;
//   - features: a dense row-major matrix (Eigen; a Map over existing memory
//     binds without a copy).
//
//   std::vector<int32_t> y = {0, 1, 1, 0}, pred = {0, 1, 0, 0};
//   double f1 = F1Score(y, pred, Average::kBinary).value();        // 0.666...
//   std::vector<double> proba = {0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.7, 0.3};
//   double ll = LogLoss(y, proba, /*n_classes=*/2).value();
//
// Errors (InvalidArgument, never a crash): inputs of different lengths, empty
// inputs, NaN or infinite values, negative class codes, a metric that is
// undefined for the input (ROC AUC when y_true holds one class, R² with fewer
// than 2 samples, a silhouette with fewer than 2 or more than n - 1 clusters).
// The message names the argument and the index.
//
// Probabilities (ROC AUC one-vs-rest, log loss): every entry must lie in
// [0, 1] and every row must sum to 1 within scikit-learn's np.allclose
// tolerance (|sum - 1| <= 1e-8 + 1e-5 |sum|), which float32 model outputs
// meet; a row outside it is an error naming the row. scikit-learn 1.2's
// log_loss renormalizes such rows silently and 1.5 rejects them; we reject
// them always, and within the tolerance we renormalize exactly as 1.2 does,
// so the values agree with it.
//
// Zero division (precision, recall, F1): a ratio whose denominator is 0
// (no predicted / no true sample of a class) is 0, scikit-learn's default
// (zero_division="warn", which warns and returns 0); F1 is then computed from
// those values, 0 when precision + recall is 0.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

#include "hypertune/core/status.h"

namespace hypertune::ml {

using RowMajorMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// ---- Classification: codes 0..k-1 -------------------------------------------

// Fraction of y_pred equal to y_true.
Result<double> AccuracyScore(std::span<const int32_t> y_true, std::span<const int32_t> y_pred);

// Mean recall over the classes present in y_true (scikit-learn's default,
// adjusted=false); classes that only y_pred holds are ignored, as there.
Result<double> BalancedAccuracyScore(std::span<const int32_t> y_true,
                                     std::span<const int32_t> y_pred);

// How per-class precision, recall and F1 are combined, as scikit-learn's
// `average`. The classes are those present in y_true or y_pred.
enum class Average {
  kBinary,    // the class `pos_label` only; an error if more than 2 classes occur
  kMicro,     // from the total counts (equals accuracy for single-label data)
  kMacro,     // unweighted mean over classes
  kWeighted,  // mean weighted by each class's count in y_true
};

struct PrecisionRecallF1 {
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
};

// All three at once. kBinary: an error when y_true and y_pred hold more than 2
// distinct codes, or 2 that do not include pos_label (as scikit-learn).
Result<PrecisionRecallF1> PrecisionRecallF1Score(std::span<const int32_t> y_true,
                                                 std::span<const int32_t> y_pred,
                                                 Average average = Average::kBinary,
                                                 int32_t pos_label = 1);
Result<double> PrecisionScore(std::span<const int32_t> y_true, std::span<const int32_t> y_pred,
                              Average average = Average::kBinary, int32_t pos_label = 1);
Result<double> RecallScore(std::span<const int32_t> y_true, std::span<const int32_t> y_pred,
                           Average average = Average::kBinary, int32_t pos_label = 1);
Result<double> F1Score(std::span<const int32_t> y_true, std::span<const int32_t> y_pred,
                       Average average = Average::kBinary, int32_t pos_label = 1);

// counts[t * n_classes + p]: samples of true class t predicted as p.
struct ConfusionMatrix {
  int n_classes = 0;
  std::vector<int64_t> counts;
  int64_t operator()(int true_class, int predicted_class) const {
    return counts[static_cast<size_t>(true_class) * n_classes + predicted_class];
  }
};

// n_classes = 0: the largest code + 1. At most 4096 classes.
Result<ConfusionMatrix> ComputeConfusionMatrix(std::span<const int32_t> y_true,
                                               std::span<const int32_t> y_pred, int n_classes = 0);

// Binary ROC AUC from scores (any monotone score: a probability of class 1,
// a decision value). y_true holds 0 and 1, both. Ties in the scores count
// one half, so the value is the exact Mann-Whitney statistic, which
// scikit-learn's trapezoids equal up to rounding.
Result<double> RocAucScore(std::span<const int32_t> y_true, std::span<const double> scores);

// One-vs-rest ROC AUC from an n x n_classes probability matrix (scikit-learn's
// multi_class="ovr"): the AUC of each class against the others, averaged with
// kMacro (unweighted) or kWeighted (by the class's count in y_true). Every
// class 0..n_classes-1 must occur in y_true, as scikit-learn requires.
Result<double> RocAucOvrScore(std::span<const int32_t> y_true,
                              std::span<const double> probabilities, int n_classes,
                              Average average = Average::kMacro);

// Mean negative log-likelihood of y_true under the probabilities (n x
// n_classes, n_classes >= 2; classes need not all occur in y_true). Entries
// are clipped to [eps, 1 - eps] with eps = 2^-52 (scikit-learn 1.2's "auto"
// eps for float64) and rows renormalized, as scikit-learn 1.2 does.
Result<double> LogLoss(std::span<const int32_t> y_true, std::span<const double> probabilities,
                       int n_classes);

// ---- Regression -------------------------------------------------------------

Result<double> MeanSquaredError(std::span<const double> y_true, std::span<const double> y_pred);
Result<double> RootMeanSquaredError(std::span<const double> y_true, std::span<const double> y_pred);
Result<double> MeanAbsoluteError(std::span<const double> y_true, std::span<const double> y_pred);

// Coefficient of determination, 1 - SS_res / SS_tot. A constant y_true
// (SS_tot = 0) gives 1 for a perfect prediction and 0 otherwise
// (scikit-learn's force_finite=True). "Constant" means all values equal;
// scikit-learn decides it from a rounded mean, so for y_true = {0.1, 0.1, 0.1}
// it finds SS_tot = 1e-34 and returns -5e29 where we return 0. Fewer than 2
// samples: an error (scikit-learn returns NaN with a warning).
Result<double> R2Score(std::span<const double> y_true, std::span<const double> y_pred);

// ---- Clustering ---------------------------------------------------------------
// Cluster labels may be any int32 values (-1 included); they are only compared
// for equality.

// Sum of squared euclidean distances from each row of x to its centroid,
// centroids.row(labels[i]); labels must be in 0..centroids.rows()-1.
Result<double> Inertia(const Eigen::Ref<const RowMajorMatrixXd>& x,
                       const Eigen::Ref<const RowMajorMatrixXd>& centroids,
                       std::span<const int32_t> labels);
// The same with each cluster's centroid the mean of its rows (the
// within-cluster sum of squares of a labelling).
Result<double> Inertia(const Eigen::Ref<const RowMajorMatrixXd>& x,
                       std::span<const int32_t> labels);

// Mean silhouette coefficient with euclidean distances, as scikit-learn's
// silhouette_score: s_i = (b_i - a_i) / max(a_i, b_i), 0 for a sample alone in
// its cluster. Needs 2 <= number of clusters <= n - 1. O(n^2 d) time, O(n)
// memory: distances are computed exactly (differences, not scikit-learn's
// |x|^2 - 2 x.y + |y|^2, which loses digits for close points) in tiles.
Result<double> SilhouetteScore(const Eigen::Ref<const RowMajorMatrixXd>& x,
                               std::span<const int32_t> labels);
// The silhouette of a random subset of sample_size rows (without
// replacement), for large n (scikit-learn's sample_size / random_state).
// sample_size >= n: the full score. The same seed picks the same rows.
Result<double> SilhouetteScoreSampled(const Eigen::Ref<const RowMajorMatrixXd>& x,
                                      std::span<const int32_t> labels, int64_t sample_size,
                                      uint64_t seed);

// Adjusted Rand index between two labellings of the same samples: 1 for the
// same partition, about 0 for independent ones. Exact integer pair counts.
Result<double> AdjustedRandScore(std::span<const int32_t> labels_true,
                                 std::span<const int32_t> labels_pred);

}  // namespace hypertune::ml
