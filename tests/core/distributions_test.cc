#include "hypertune/core/distributions.h"

#include <gtest/gtest.h>

namespace hypertune {
namespace {
TEST(DistributionsTest, Placeholder) { EXPECT_TRUE(Validate(FloatDistribution{0, 1}).ok()); }
}  // namespace
}  // namespace hypertune
