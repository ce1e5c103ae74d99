// The sampler and pruner a study gets when its options name none.
#pragma once

#include <memory>

#include "hypertune/core/pruner.h"
#include "hypertune/core/sampler.h"

namespace hypertune::internal {

std::shared_ptr<Sampler> DefaultSampler(bool multi_objective);
std::shared_ptr<Pruner> DefaultPruner();

}  // namespace hypertune::internal
