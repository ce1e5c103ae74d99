// Classification metrics. Each follows scikit-learn 1.2's computation step by
// step (the same divisions, numpy's summation order) so that the values agree
// to the last bits, not only to the tolerance the tests allow.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "hypertune/ml/metrics.h"
#include "src/ml/metrics/metrics_internal.h"

namespace hypertune::ml {
namespace {

using internal::CheckClassCodes;
using internal::CheckPair;
using internal::NumpySum;

// Per-class counts need an array indexed by code; this bounds its size.
constexpr int64_t kMaxClassCode = int64_t{1} << 20;
constexpr int kMaxConfusionClasses = 4096;

__extension__ using Int128 = __int128;

Status CheckLabels(std::span<const int32_t> y_true, std::span<const int32_t> y_pred) {
  HT_RETURN_IF_ERROR(CheckPair("y_true", y_true, "y_pred", y_pred));
  HT_RETURN_IF_ERROR(CheckClassCodes("y_true", y_true, kMaxClassCode));
  return CheckClassCodes("y_pred", y_pred, kMaxClassCode);
}

// True positives, predicted and true counts per class code.
struct ClassCounts {
  std::vector<int64_t> tp, predicted, actual;
  size_t size() const { return tp.size(); }
  bool present(size_t c) const { return predicted[c] > 0 || actual[c] > 0; }
};

ClassCounts CountClasses(std::span<const int32_t> y_true, std::span<const int32_t> y_pred) {
  int32_t max_code = 0;
  for (size_t i = 0; i < y_true.size(); ++i) {
    max_code = std::max({max_code, y_true[i], y_pred[i]});
  }
  const size_t k = static_cast<size_t>(max_code) + 1;
  ClassCounts c{std::vector<int64_t>(k), std::vector<int64_t>(k), std::vector<int64_t>(k)};
  for (size_t i = 0; i < y_true.size(); ++i) {
    ++c.actual[y_true[i]];
    ++c.predicted[y_pred[i]];
    if (y_true[i] == y_pred[i]) ++c.tp[y_true[i]];
  }
  return c;
}

std::string JoinCodes(const std::vector<size_t>& codes) {
  std::string s;
  for (size_t c : codes) s += (s.empty() ? "" : ", ") + std::to_string(c);
  return s;
}

// scikit-learn's _prf_divide with zero_division="warn": 0 where the
// denominator is 0.
double Divide(int64_t num, int64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

// F-beta with beta = 1, from precision and recall, as scikit-learn computes it.
double F1From(double precision, double recall) {
  double denom = precision + recall;
  if (denom == 0.0) denom = 1.0;
  return 2.0 * precision * recall / denom;
}

}  // namespace

Result<double> AccuracyScore(std::span<const int32_t> y_true, std::span<const int32_t> y_pred) {
  HT_RETURN_IF_ERROR(CheckPair("y_true", y_true, "y_pred", y_pred));
  int64_t same = 0;
  for (size_t i = 0; i < y_true.size(); ++i) same += y_true[i] == y_pred[i];
  return static_cast<double>(same) / static_cast<double>(y_true.size());
}

Result<double> BalancedAccuracyScore(std::span<const int32_t> y_true,
                                     std::span<const int32_t> y_pred) {
  HT_RETURN_IF_ERROR(CheckLabels(y_true, y_pred));
  const ClassCounts c = CountClasses(y_true, y_pred);
  std::vector<double> recalls;
  for (size_t k = 0; k < c.size(); ++k) {
    if (c.actual[k] > 0) recalls.push_back(Divide(c.tp[k], c.actual[k]));
  }
  return NumpySum(recalls) / static_cast<double>(recalls.size());
}

Result<PrecisionRecallF1> PrecisionRecallF1Score(std::span<const int32_t> y_true,
                                                 std::span<const int32_t> y_pred, Average average,
                                                 int32_t pos_label) {
  HT_RETURN_IF_ERROR(CheckLabels(y_true, y_pred));
  const ClassCounts c = CountClasses(y_true, y_pred);
  std::vector<size_t> present;
  for (size_t k = 0; k < c.size(); ++k) {
    if (c.present(k)) present.push_back(k);
  }

  PrecisionRecallF1 r;
  if (average == Average::kBinary || average == Average::kMicro) {
    int64_t tp = 0, predicted = 0, actual = 0;
    if (average == Average::kBinary) {
      if (present.size() > 2) {
        return Status::InvalidArgument(
            "average=binary needs at most 2 classes, but y_true and y_pred hold " +
            std::to_string(present.size()) + " (" + JoinCodes(present) +
            "); use micro, macro or weighted");
      }
      const bool pos_present = pos_label >= 0 && static_cast<size_t>(pos_label) < c.size() &&
                               c.present(static_cast<size_t>(pos_label));
      if (!pos_present && present.size() == 2) {
        return Status::InvalidArgument("pos_label " + std::to_string(pos_label) +
                                       " is not one of the classes (" + JoinCodes(present) + ")");
      }
      if (pos_present) {
        tp = c.tp[pos_label];
        predicted = c.predicted[pos_label];
        actual = c.actual[pos_label];
      }
    } else {
      for (size_t k : present) {
        tp += c.tp[k];
        predicted += c.predicted[k];
        actual += c.actual[k];
      }
    }
    r.precision = Divide(tp, predicted);
    r.recall = Divide(tp, actual);
    r.f1 = F1From(r.precision, r.recall);
    return r;
  }

  const size_t n = present.size();
  std::vector<double> p(n), rc(n), f(n), w(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t k = present[i];
    p[i] = Divide(c.tp[k], c.predicted[k]);
    rc[i] = Divide(c.tp[k], c.actual[k]);
    f[i] = F1From(p[i], rc[i]);
    w[i] = static_cast<double>(c.actual[k]);
  }
  if (average == Average::kMacro) {
    const double dn = static_cast<double>(n);
    r.precision = NumpySum(p) / dn;
    r.recall = NumpySum(rc) / dn;
    r.f1 = NumpySum(f) / dn;
    return r;
  }
  // np.average(values, weights=support): sum(values * weights) / sum(weights).
  const double scale = NumpySum(w);
  auto weighted = [&](const std::vector<double>& v) {
    return NumpySum(n, [&](size_t i) { return v[i] * w[i]; }) / scale;
  };
  r.precision = weighted(p);
  r.recall = weighted(rc);
  r.f1 = weighted(f);
  return r;
}

Result<double> PrecisionScore(std::span<const int32_t> y_true, std::span<const int32_t> y_pred,
                              Average average, int32_t pos_label) {
  HT_ASSIGN_OR_RETURN(PrecisionRecallF1 r,
                      PrecisionRecallF1Score(y_true, y_pred, average, pos_label));
  return r.precision;
}

Result<double> RecallScore(std::span<const int32_t> y_true, std::span<const int32_t> y_pred,
                           Average average, int32_t pos_label) {
  HT_ASSIGN_OR_RETURN(PrecisionRecallF1 r,
                      PrecisionRecallF1Score(y_true, y_pred, average, pos_label));
  return r.recall;
}

Result<double> F1Score(std::span<const int32_t> y_true, std::span<const int32_t> y_pred,
                       Average average, int32_t pos_label) {
  HT_ASSIGN_OR_RETURN(PrecisionRecallF1 r,
                      PrecisionRecallF1Score(y_true, y_pred, average, pos_label));
  return r.f1;
}

Result<ConfusionMatrix> ComputeConfusionMatrix(std::span<const int32_t> y_true,
                                               std::span<const int32_t> y_pred, int n_classes) {
  HT_RETURN_IF_ERROR(CheckPair("y_true", y_true, "y_pred", y_pred));
  if (n_classes < 0 || n_classes > kMaxConfusionClasses) {
    return Status::InvalidArgument("n_classes is " + std::to_string(n_classes) +
                                   "; it must be in 0.." + std::to_string(kMaxConfusionClasses) +
                                   " (0: from the codes)");
  }
  int64_t limit = n_classes > 0 ? n_classes : kMaxConfusionClasses;
  HT_RETURN_IF_ERROR(CheckClassCodes("y_true", y_true, limit));
  HT_RETURN_IF_ERROR(CheckClassCodes("y_pred", y_pred, limit));
  if (n_classes == 0) {
    n_classes = 1 + std::max(*std::max_element(y_true.begin(), y_true.end()),
                             *std::max_element(y_pred.begin(), y_pred.end()));
  }
  ConfusionMatrix m{n_classes, std::vector<int64_t>(static_cast<size_t>(n_classes) * n_classes)};
  for (size_t i = 0; i < y_true.size(); ++i) {
    ++m.counts[static_cast<size_t>(y_true[i]) * n_classes + y_pred[i]];
  }
  return m;
}

namespace {

// Exact AUC of `scores` with the positives marked: the Mann-Whitney U
// statistic over P * N, ties counting one half. With average ranks r (1-based,
// ties sharing their mean), U = sum of the positives' ranks - P (P + 1) / 2;
// twice the ranks are integers, so U is computed exactly in integers and the
// result is rounded once (twice, by the conversions) instead of once per
// trapezoid as in scikit-learn.
double ExactAuc(std::span<const double> scores, const std::vector<uint8_t>& positive,
                int64_t n_positive) {
  const size_t n = scores.size();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return scores[a] < scores[b]; });
  Int128 twice_rank_sum = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    // Ranks i+1..j share (i + 1 + j) / 2.
    int64_t pos_in_group = 0;
    for (size_t t = i; t < j; ++t) pos_in_group += positive[order[t]];
    twice_rank_sum += static_cast<Int128>(pos_in_group) * static_cast<Int128>(i + 1 + j);
    i = j;
  }
  const Int128 p = n_positive;
  const Int128 q = static_cast<Int128>(n) - p;
  const Int128 twice_u = twice_rank_sum - p * (p + 1);
  return static_cast<double>(twice_u) / static_cast<double>(2 * p * q);
}

}  // namespace

Result<double> RocAucScore(std::span<const int32_t> y_true, std::span<const double> scores) {
  HT_RETURN_IF_ERROR(CheckPair("y_true", y_true, "scores", scores));
  HT_RETURN_IF_ERROR(CheckClassCodes("y_true", y_true, 2));
  HT_RETURN_IF_ERROR(internal::CheckFinite("scores", scores));
  if (y_true.size() > UINT32_MAX) return Status::InvalidArgument("more than 2^32 samples");
  std::vector<uint8_t> positive(y_true.size());
  int64_t n_positive = 0;
  for (size_t i = 0; i < y_true.size(); ++i) {
    positive[i] = static_cast<uint8_t>(y_true[i]);
    n_positive += y_true[i];
  }
  if (n_positive == 0 || n_positive == static_cast<int64_t>(y_true.size())) {
    return Status::InvalidArgument("ROC AUC is undefined when y_true holds only one class (all " +
                                   std::to_string(y_true[0]) + ")");
  }
  return ExactAuc(scores, positive, n_positive);
}

Result<double> RocAucOvrScore(std::span<const int32_t> y_true,
                              std::span<const double> probabilities, int n_classes,
                              Average average) {
  HT_RETURN_IF_ERROR(internal::CheckNotEmpty("y_true", y_true));
  if (average != Average::kMacro && average != Average::kWeighted) {
    return Status::InvalidArgument("one-vs-rest ROC AUC averages with macro or weighted only");
  }
  if (n_classes < 2) {
    return Status::InvalidArgument("one-vs-rest ROC AUC needs n_classes >= 2, got " +
                                   std::to_string(n_classes));
  }
  HT_RETURN_IF_ERROR(CheckClassCodes("y_true", y_true, n_classes));
  HT_RETURN_IF_ERROR(internal::CheckProbabilities(probabilities, y_true.size(), n_classes));
  if (y_true.size() > UINT32_MAX) return Status::InvalidArgument("more than 2^32 samples");
  const size_t n = y_true.size();
  const size_t k = static_cast<size_t>(n_classes);
  std::vector<int64_t> support(k);
  for (int32_t y : y_true) ++support[y];
  for (size_t c = 0; c < k; ++c) {
    if (support[c] == 0) {
      return Status::InvalidArgument("one-vs-rest ROC AUC needs every class in y_true, but class " +
                                     std::to_string(c) + " of " + std::to_string(k) +
                                     " does not occur");
    }
    if (support[c] == static_cast<int64_t>(n)) {
      return Status::InvalidArgument("ROC AUC is undefined when y_true holds only one class (all " +
                                     std::to_string(c) + ")");
    }
  }
  std::vector<double> auc(k), weight(k), column(n);
  std::vector<uint8_t> positive(n);
  for (size_t c = 0; c < k; ++c) {
    for (size_t i = 0; i < n; ++i) {
      column[i] = probabilities[i * k + c];
      positive[i] = y_true[i] == static_cast<int32_t>(c);
    }
    auc[c] = ExactAuc(column, positive, support[c]);
    weight[c] = static_cast<double>(support[c]);
  }
  if (average == Average::kMacro) return NumpySum(auc) / static_cast<double>(k);
  return NumpySum(k, [&](size_t c) { return auc[c] * weight[c]; }) / NumpySum(weight);
}

Result<double> LogLoss(std::span<const int32_t> y_true, std::span<const double> probabilities,
                       int n_classes) {
  HT_RETURN_IF_ERROR(internal::CheckNotEmpty("y_true", y_true));
  if (n_classes < 2) {
    return Status::InvalidArgument("log loss needs n_classes >= 2, got " +
                                   std::to_string(n_classes));
  }
  HT_RETURN_IF_ERROR(CheckClassCodes("y_true", y_true, n_classes));
  HT_RETURN_IF_ERROR(internal::CheckProbabilities(probabilities, y_true.size(), n_classes));
  const size_t k = static_cast<size_t>(n_classes);
  static constexpr double kEps = 0x1.0p-52;  // np.finfo(np.float64).eps
  auto clip = [](double p) { return std::min(std::max(p, kEps), 1.0 - kEps); };
  std::vector<double> loss(y_true.size());
  for (size_t i = 0; i < y_true.size(); ++i) {
    const double* row = probabilities.data() + i * k;
    const double sum = internal::PairwiseSum(0, k, [&](size_t j) { return clip(row[j]); });
    loss[i] = -std::log(clip(row[y_true[i]]) / sum);
  }
  return NumpySum(loss) / static_cast<double>(loss.size());
}

}  // namespace hypertune::ml
