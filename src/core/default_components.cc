#include "src/core/default_components.h"

#include "hypertune/core/median_pruner.h"
#include "hypertune/core/random_sampler.h"

namespace hypertune::internal {

std::shared_ptr<Sampler> DefaultSampler(bool multi_objective) {
  (void)multi_objective;
  return std::make_shared<RandomSampler>();
}

std::shared_ptr<Pruner> DefaultPruner() { return std::make_shared<MedianPruner>(); }

}  // namespace hypertune::internal
