// Regression metrics, computed as scikit-learn 1.2 does (numpy's summation
// order included), so that the values agree to the last bits.
#include <algorithm>
#include <cmath>

#include "hypertune/ml/metrics.h"
#include "src/ml/metrics/metrics_internal.h"

namespace hypertune::ml {
namespace {

using internal::NumpySum;

Status CheckValues(std::span<const double> y_true, std::span<const double> y_pred) {
  HT_RETURN_IF_ERROR(internal::CheckPair("y_true", y_true, "y_pred", y_pred));
  HT_RETURN_IF_ERROR(internal::CheckFinite("y_true", y_true));
  return internal::CheckFinite("y_pred", y_pred);
}

double SumSquaredErrors(std::span<const double> y_true, std::span<const double> y_pred) {
  return NumpySum(y_true.size(), [&](size_t i) {
    const double d = y_true[i] - y_pred[i];
    return d * d;
  });
}

}  // namespace

Result<double> MeanSquaredError(std::span<const double> y_true, std::span<const double> y_pred) {
  HT_RETURN_IF_ERROR(CheckValues(y_true, y_pred));
  return SumSquaredErrors(y_true, y_pred) / static_cast<double>(y_true.size());
}

Result<double> RootMeanSquaredError(std::span<const double> y_true,
                                    std::span<const double> y_pred) {
  HT_ASSIGN_OR_RETURN(double mse, MeanSquaredError(y_true, y_pred));
  return std::sqrt(mse);
}

Result<double> MeanAbsoluteError(std::span<const double> y_true, std::span<const double> y_pred) {
  HT_RETURN_IF_ERROR(CheckValues(y_true, y_pred));
  return NumpySum(y_true.size(), [&](size_t i) { return std::fabs(y_pred[i] - y_true[i]); }) /
         static_cast<double>(y_true.size());
}

Result<double> R2Score(std::span<const double> y_true, std::span<const double> y_pred) {
  HT_RETURN_IF_ERROR(CheckValues(y_true, y_pred));
  const size_t n = y_true.size();
  if (n < 2) {
    return Status::InvalidArgument("R² is undefined with fewer than 2 samples (got " +
                                   std::to_string(n) + ")");
  }
  const double numerator = SumSquaredErrors(y_true, y_pred);
  const bool constant =
      std::all_of(y_true.begin(), y_true.end(), [&](double y) { return y == y_true[0]; });
  if (constant) return numerator == 0.0 ? 1.0 : 0.0;
  const double mean = NumpySum(y_true) / static_cast<double>(n);
  const double denominator = NumpySum(n, [&](size_t i) {
    const double d = y_true[i] - mean;
    return d * d;
  });
  if (numerator == 0.0) return 1.0;
  if (denominator == 0.0) return 0.0;  // differences that underflow when squared
  return 1.0 - numerator / denominator;
}

}  // namespace hypertune::ml
