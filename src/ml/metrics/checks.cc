#include <cmath>
#include <string>

#include "src/ml/metrics/metrics_internal.h"

namespace hypertune::ml::internal {

Status CheckFinite(std::string_view name, std::span<const double> values) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return Status::InvalidArgument(std::string(name) + "[" + std::to_string(i) + "] is " +
                                     (std::isnan(values[i]) ? "NaN" : "infinite"));
    }
  }
  return Status::Ok();
}

Status CheckClassCodes(std::string_view name, std::span<const int32_t> codes, int64_t limit) {
  for (size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] < 0 || codes[i] >= limit) {
      return Status::InvalidArgument(std::string(name) + "[" + std::to_string(i) +
                                     "] = " + std::to_string(codes[i]) +
                                     ": class codes must be in 0.." + std::to_string(limit - 1));
    }
  }
  return Status::Ok();
}

Status CheckProbabilities(std::span<const double> probabilities, size_t n, int n_classes) {
  if (n_classes < 1) {
    return Status::InvalidArgument("n_classes is " + std::to_string(n_classes) +
                                   "; it must be at least 1");
  }
  const size_t k = static_cast<size_t>(n_classes);
  if (probabilities.size() != n * k) {
    return Status::InvalidArgument("probabilities has " + std::to_string(probabilities.size()) +
                                   " values; expected n x n_classes = " + std::to_string(n) +
                                   " x " + std::to_string(k) + " = " + std::to_string(n * k));
  }
  HT_RETURN_IF_ERROR(CheckFinite("probabilities", probabilities));
  // np.allclose's default tolerance, which scikit-learn's roc_auc_score
  // applies to the row sums.
  constexpr double kAtol = 1e-8;
  constexpr double kRtol = 1e-5;
  for (size_t i = 0; i < n; ++i) {
    const std::span<const double> row = probabilities.subspan(i * k, k);
    for (size_t j = 0; j < k; ++j) {
      if (row[j] < -kAtol || row[j] > 1.0 + kAtol) {
        return Status::InvalidArgument("probabilities[" + std::to_string(i) + ", " +
                                       std::to_string(j) + "] = " + std::to_string(row[j]) +
                                       " is not a probability (outside [0, 1])");
      }
    }
    const double sum = NumpySum(row);
    if (!(std::fabs(1.0 - sum) <= kAtol + kRtol * std::fabs(sum))) {
      return Status::InvalidArgument(
          "row " + std::to_string(i) + " of probabilities sums to " + std::to_string(sum) +
          ", not 1 (tolerance 1e-8 + 1e-5 * sum); pass class probabilities");
    }
  }
  return Status::Ok();
}

}  // namespace hypertune::ml::internal
