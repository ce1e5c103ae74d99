// The XGBoost adapter's internals that tests look into: the DMatrix shared by
// every trial on one ModelData.
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>

#include "hypertune/core/status.h"
#include "hypertune/ml/model.h"

namespace hypertune::ml::xgboost_internal {

// The LibraryCache key of a ModelData's DMatrix.
inline constexpr std::string_view kDMatrixKey = "xgboost.dmatrix";

// One XGBoost DMatrix (features with NaN as missing, and the labels), built
// once per ModelData and shared read-only by every booster trained or
// evaluated on it.
//
// XGBoost (1.7) builds some derived forms of a DMatrix lazily and without a
// lock: the histogram index ("hist"; "approx" rebuilds it with hessian
// weights every round, after which the next "hist" round rebuilds it again)
// and the sorted column pages ("exact"). A booster therefore holds
// `lazy_forms` exclusively for the rounds that may build or rebuild them
// (its first round, every "approx" round, a "hist" round after an "approx"
// one) and shared for the others, which only read them. All boosters use the
// same max_bin (256), so "hist" boosters never rebuild each other's index.
struct SharedDMatrix {
  SharedDMatrix() = default;
  SharedDMatrix(const SharedDMatrix&) = delete;
  SharedDMatrix& operator=(const SharedDMatrix&) = delete;
  ~SharedDMatrix();

  void* handle = nullptr;  // DMatrixHandle
  size_t rows = 0;
  size_t cols = 0;
  std::shared_mutex lazy_forms;
  // Whether the histogram index is the "hist" one (not "approx"'s);
  // written under `lazy_forms` held exclusively.
  bool hist_index = false;
};

// The DMatrix of `data`, built on first use (with `threads` threads) and
// then taken from data.cache. InvalidArgument for data without rows or
// columns, labels of the wrong count or not finite.
Result<std::shared_ptr<SharedDMatrix>> GetDMatrix(const ModelData& data, int threads = 1);

// DMatrices built so far by this process (tests check that trials reuse
// them).
int64_t DMatricesBuilt();

}  // namespace hypertune::ml::xgboost_internal
