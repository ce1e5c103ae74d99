// Matrices that the ml layer hands to models: dense row-major Eigen matrices
// (what XGBoost, liblinear, libtorch and our Eigen models read without a
// copy: row i is contiguous) and a CSR sparse matrix (what libsvm's
// svm_node lists and XGBoost's CSR constructor are built from).
//
//   MatrixF x = preprocessor.TransformFloat(test.features()).value();
//   MatrixF fold = GatherRows(x, folds[0].train);   // rows in that order
//   CsrMatrix sparse = ToCsr(x);                    // zeros left out
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace hypertune::ml {

template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixF = RowMatrix<float>;
using MatrixD = RowMatrix<double>;

// Compressed sparse rows. Row r holds the entries indptr[r] .. indptr[r+1]-1:
// column indices[k] (0-based, ascending within a row) has value values[k].
// NaN entries are kept (they mean "missing", not zero).
struct CsrMatrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<size_t> indptr{0};  // rows + 1 entries
  std::vector<uint32_t> indices;
  std::vector<double> values;

  size_t nnz() const { return values.size(); }
  // The dense form, zeros where no entry is stored.
  MatrixD ToDense() const;
};

// The rows of `m` listed in `rows` (any order, repeats allowed).
// Preconditions: every index < m.rows().
template <class T>
RowMatrix<T> GatherRows(const RowMatrix<T>& m, std::span<const size_t> rows) {
  RowMatrix<T> out(static_cast<Eigen::Index>(rows.size()), m.cols());
  for (size_t i = 0; i < rows.size(); ++i) {
    out.row(static_cast<Eigen::Index>(i)) = m.row(static_cast<Eigen::Index>(rows[i]));
  }
  return out;
}

// The entries of `m` (or of its rows listed in `rows`) that are not exactly
// zero.
CsrMatrix ToCsr(const MatrixD& m);
CsrMatrix ToCsr(const MatrixF& m);
CsrMatrix ToCsr(const MatrixD& m, std::span<const size_t> rows);
CsrMatrix ToCsr(const MatrixF& m, std::span<const size_t> rows);

}  // namespace hypertune::ml
