// The model registry's contents: one function per adapter, each defined in
// that adapter's .cc file, listed by AllModels() in registry.cc. Listing them
// by hand (not self-registration from static initializers) keeps them in a
// static library's link.
#pragma once

#include <vector>

#include "hypertune/ml/model.h"

namespace hypertune::ml::models_internal {

std::vector<ModelInfo> AllModels();

// xgboost_model.cc
ModelInfo XgboostModelInfo();
ModelInfo SvmModelInfo();        // svm_model.cc
ModelInfo LogisticModelInfo();   // liblinear_model.cc
ModelInfo LinearSvcModelInfo();  // liblinear_model.cc
ModelInfo LinearModelInfo();     // linear_model.cc

}  // namespace hypertune::ml::models_internal
