#include "hypertune/ml/matrix.h"

namespace hypertune::ml {
namespace {

template <class T>
CsrMatrix ToCsrImpl(const RowMatrix<T>& m, const size_t* rows, size_t n) {
  CsrMatrix out;
  out.rows = n;
  out.cols = static_cast<size_t>(m.cols());
  out.indptr.reserve(n + 1);
  for (size_t i = 0; i < n; ++i) {
    const T* row = m.data() + (rows != nullptr ? rows[i] : i) * out.cols;
    for (size_t j = 0; j < out.cols; ++j) {
      // NaN != 0, so missing values are kept as entries.
      if (row[j] != T(0)) {
        out.indices.push_back(static_cast<uint32_t>(j));
        out.values.push_back(static_cast<double>(row[j]));
      }
    }
    out.indptr.push_back(out.values.size());
  }
  return out;
}

}  // namespace

MatrixD CsrMatrix::ToDense() const {
  MatrixD m = MatrixD::Zero(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  for (size_t r = 0; r < rows; ++r) {
    for (size_t k = indptr[r]; k < indptr[r + 1]; ++k) {
      m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(indices[k])) = values[k];
    }
  }
  return m;
}

CsrMatrix ToCsr(const MatrixD& m) { return ToCsrImpl(m, nullptr, static_cast<size_t>(m.rows())); }
CsrMatrix ToCsr(const MatrixF& m) { return ToCsrImpl(m, nullptr, static_cast<size_t>(m.rows())); }
CsrMatrix ToCsr(const MatrixD& m, std::span<const size_t> rows) {
  return ToCsrImpl(m, rows.data(), rows.size());
}
CsrMatrix ToCsr(const MatrixF& m, std::span<const size_t> rows) {
  return ToCsrImpl(m, rows.data(), rows.size());
}

}  // namespace hypertune::ml
