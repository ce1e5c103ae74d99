// Input checks and summation shared by the metrics.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "hypertune/core/status.h"

namespace hypertune::ml::internal {

// numpy's float64 sum (np.sum, np.mean, np.average): blocks of 8192 terms
// added in order, each block summed pairwise with 8 accumulators (numpy's
// pairwise_sum). Summing in the same order gives scikit-learn's values to the
// last bit where the terms are the same, and the error grows only as log n.
// term(i) gives the i-th term.
template <class Term>
double PairwiseSum(size_t begin, size_t n, const Term& term) {
  if (n < 8) {
    double r = 0.0;
    for (size_t i = 0; i < n; ++i) r += term(begin + i);
    return r;
  }
  if (n <= 128) {
    double r[8];
    for (size_t j = 0; j < 8; ++j) r[j] = term(begin + j);
    size_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (size_t j = 0; j < 8; ++j) r[j] += term(begin + i + j);
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += term(begin + i);
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return PairwiseSum(begin, n2, term) + PairwiseSum(begin + n2, n - n2, term);
}

template <class Term>
double NumpySum(size_t n, const Term& term) {
  constexpr size_t kBlock = 8192;  // numpy's default buffer size
  double r = 0.0;
  for (size_t b = 0; b < n; b += kBlock) r += PairwiseSum(b, std::min(kBlock, n - b), term);
  return r;
}

inline double NumpySum(std::span<const double> v) {
  return NumpySum(v.size(), [&](size_t i) { return v[i]; });
}

inline std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

template <class A, class B>
Status CheckSameLength(std::string_view name_a, std::span<A> a, std::string_view name_b,
                       std::span<B> b) {
  if (a.size() != b.size()) {
    return Status::InvalidArgument(std::string(name_a) + " has " + std::to_string(a.size()) +
                                   " values but " + std::string(name_b) + " has " +
                                   std::to_string(b.size()));
  }
  return Status::Ok();
}

template <class T>
Status CheckNotEmpty(std::string_view name, std::span<T> a) {
  if (a.empty()) return Status::InvalidArgument(std::string(name) + " is empty");
  return Status::Ok();
}

// Every value finite; the error names the first offender.
Status CheckFinite(std::string_view name, std::span<const double> values);

// Every code in [0, limit).
Status CheckClassCodes(std::string_view name, std::span<const int32_t> codes, int64_t limit);

// Probabilities: n x n_classes, entries in [0, 1], rows summing to 1 within
// np.allclose's tolerance (see metrics.h).
Status CheckProbabilities(std::span<const double> probabilities, size_t n, int n_classes);

// Same length, not empty (the usual pair of checks).
template <class A, class B>
Status CheckPair(std::string_view name_a, std::span<A> a, std::string_view name_b, std::span<B> b) {
  HT_RETURN_IF_ERROR(CheckSameLength(name_a, a, name_b, b));
  return CheckNotEmpty(name_a, a);
}

}  // namespace hypertune::ml::internal
