#include "src/core/default_components.h"

#include "hypertune/core/median_pruner.h"
#include "hypertune/core/tpe_sampler.h"

namespace hypertune::internal {

std::shared_ptr<Sampler> DefaultSampler(bool multi_objective) {
  // TPE handles several objectives too (MOTPE-style splitting).
  (void)multi_objective;
  return std::make_shared<TpeSampler>();
}

std::shared_ptr<Pruner> DefaultPruner() { return std::make_shared<MedianPruner>(); }

}  // namespace hypertune::internal
