#include "src/ml/models/registry.h"

namespace hypertune::ml::models_internal {

// Each adapter adds its ModelInfo here, in the order `hypertune models`
// lists them.
std::vector<ModelInfo> AllModels() {
  std::vector<ModelInfo> models;
  models.push_back(XgboostModelInfo());
  models.push_back(LinearModelInfo());
  models.push_back(LogisticModelInfo());
  models.push_back(LinearSvcModelInfo());
  models.push_back(SvmModelInfo());
  return models;
}

}  // namespace hypertune::ml::models_internal
