#include "hypertune/core/distributions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace hypertune {
namespace {

using ::testing::HasSubstr;

struct ValidateCase {
  const char* label;
  Distribution d;
  const char* error;  // nullptr: valid
};

TEST(DistributionsTest, ValidateAcceptsGoodAndRejectsBadRanges) {
  const std::vector<ValidateCase> cases = {
      {"float", FloatDistribution{0, 1}, nullptr},
      {"float single", FloatDistribution{1, 1}, nullptr},
      {"float log", FloatDistribution{1e-5, 1, true}, nullptr},
      {"float step", FloatDistribution{0, 1, false, 0.25}, nullptr},
      {"float step float rounding", FloatDistribution{0.1, 0.7, false, 0.2}, nullptr},
      {"float low>high", FloatDistribution{2, 1}, "low (2) > high (1)"},
      {"float log low 0", FloatDistribution{0, 1, true}, "log scale needs low > 0"},
      {"float log low<0", FloatDistribution{-1, 1, true}, "log scale needs low > 0"},
      {"float log step", FloatDistribution{1, 2, true, 0.5}, "cannot be used together"},
      {"float step 0", FloatDistribution{0, 1, false, 0.0}, "step must be > 0"},
      {"float step no divide", FloatDistribution{0, 1, false, 0.3}, "does not divide"},
      {"float nan", FloatDistribution{std::nan(""), 1}, "finite"},
      {"int", IntDistribution{0, 10}, nullptr},
      {"int step", IntDistribution{0, 10, false, 5}, nullptr},
      {"int log", IntDistribution{1, 1024, true}, nullptr},
      {"int low>high", IntDistribution{3, 2}, "low (3) > high (2)"},
      {"int log low 0", IntDistribution{0, 8, true}, "low >= 1"},
      {"int log step", IntDistribution{1, 9, true, 2}, "step != 1"},
      {"int step no divide", IntDistribution{0, 10, false, 3}, "does not divide"},
      {"int step 0", IntDistribution{0, 10, false, 0}, "step must be > 0"},
      {"cat", CategoricalDistribution{{"a", int64_t{1}, 2.5, true, std::monostate{}}}, nullptr},
      {"cat empty", CategoricalDistribution{}, "must not be empty"},
      {"cat dup", CategoricalDistribution{{"a", "b", "a"}}, "appears twice"},
  };
  for (const auto& c : cases) {
    Status s = Validate(c.d);
    if (c.error == nullptr) {
      EXPECT_TRUE(s.ok()) << c.label << ": " << s;
    } else {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.label;
      EXPECT_THAT(s.message(), HasSubstr(c.error)) << c.label;
    }
  }
}

TEST(DistributionsTest, InternalExternalRoundTrip) {
  const Distribution f = FloatDistribution{0, 1};
  const Distribution i = IntDistribution{-5, 5, false, 5};
  const Distribution c = CategoricalDistribution{{"adam", int64_t{3}, 0.5, false}};
  EXPECT_EQ(ToInternal(f, 0.25).value(), 0.25);
  EXPECT_EQ(std::get<double>(ToExternal(f, 0.25)), 0.25);
  EXPECT_EQ(ToInternal(i, int64_t{5}).value(), 5.0);
  EXPECT_EQ(std::get<int64_t>(ToExternal(i, 5.0)), 5);
  EXPECT_EQ(ToInternal(c, std::string("adam")).value(), 0.0);
  EXPECT_EQ(ToInternal(c, 3.0).value(), 1.0);  // 3.0 equals the choice 3
  EXPECT_EQ(ToInternal(c, false).value(), 3.0);
  EXPECT_EQ(std::get<double>(ToExternal(c, 2.0)), 0.5);
  EXPECT_THAT(ToInternal(f, 2.0).status().message(), HasSubstr("'2' is not in"));
  EXPECT_THAT(ToInternal(i, int64_t{3}).status().message(), HasSubstr("is not in"));
  EXPECT_THAT(ToInternal(f, std::string("x")).status().message(), HasSubstr("not a number"));
  EXPECT_THAT(ToInternal(c, std::string("sgd")).status().message(), HasSubstr("'sgd' is not in"));
}

TEST(DistributionsTest, ContainsAndSnapRespectTheGrid) {
  const Distribution f = FloatDistribution{0, 1, false, 0.25};
  EXPECT_TRUE(Contains(f, 0.75));
  EXPECT_FALSE(Contains(f, 0.7));
  EXPECT_FALSE(Contains(f, 1.25));
  EXPECT_FALSE(Contains(f, std::nan("")));
  EXPECT_EQ(Snap(f, 0.7), 0.75);
  EXPECT_EQ(Snap(f, 1.4), 1.0);
  const Distribution i = IntDistribution{1, 9, false, 2};
  EXPECT_TRUE(Contains(i, 3));
  EXPECT_FALSE(Contains(i, 4));
  EXPECT_FALSE(Contains(i, 3.5));
  EXPECT_EQ(Snap(i, 4.2), 5.0);
  EXPECT_EQ(Snap(i, -7), 1.0);
  const Distribution c = CategoricalDistribution{{"a", "b"}};
  EXPECT_TRUE(Contains(c, 1));
  EXPECT_FALSE(Contains(c, 2));
  EXPECT_FALSE(Contains(c, 0.5));
  EXPECT_EQ(Snap(c, 1.7), 1.0);
}

TEST(DistributionsTest, IsSingle) {
  EXPECT_TRUE(IsSingle(FloatDistribution{1, 1}));
  EXPECT_FALSE(IsSingle(FloatDistribution{1, 2}));
  EXPECT_TRUE(IsSingle(IntDistribution{0, 4, false, 5}.low == 0 ? Distribution(IntDistribution{3, 3})
                                                                  : Distribution()));
  EXPECT_TRUE(IsSingle(CategoricalDistribution{{"only"}}));
  EXPECT_FALSE(IsSingle(CategoricalDistribution{{"a", "b"}}));
}

TEST(DistributionsTest, ToStringIsReadable) {
  EXPECT_EQ(ToString(Distribution(FloatDistribution{1e-05, 0.1, true})),
            "FloatDistribution(low=1e-05, high=0.1, log=true)");
  EXPECT_EQ(ToString(Distribution(IntDistribution{0, 10, false, 2})),
            "IntDistribution(low=0, high=10, step=2)");
  EXPECT_EQ(ToString(Distribution(CategoricalDistribution{{"a", int64_t{1}, std::monostate{}}})),
            "CategoricalDistribution(choices=[a, 1, None])");
}

}  // namespace
}  // namespace hypertune
