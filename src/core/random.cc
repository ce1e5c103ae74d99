#include "hypertune/core/random.h"

namespace hypertune {

uint64_t Rng::RandomSeed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace hypertune
