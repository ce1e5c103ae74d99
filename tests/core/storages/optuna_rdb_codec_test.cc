// How SqliteStorage and PostgresStorage spell values in Optuna's schema. The JSON strings below
// are what Optuna 3.1's distribution_to_json writes (the old distribution
// names included).
#include "src/core/storages/optuna_rdb/optuna_codec.h"

#include <gtest/gtest.h>
#include <time.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <limits>

namespace hypertune::optuna_rdb {
namespace {

TEST(OptunaCodecTest, ReadsOptunaDistributionsOldAndNew) {
  struct Case {
    const char* json;
    Distribution expected;
  };
  const Case cases[] = {
      {R"({"name": "UniformDistribution", "attributes": {"low": 0.0, "high": 1.0}})",
       FloatDistribution{0.0, 1.0, false, std::nullopt}},
      {R"({"name": "LogUniformDistribution", "attributes": {"low": 1e-05, "high": 1.0}})",
       FloatDistribution{1e-5, 1.0, true, std::nullopt}},
      {R"({"name": "DiscreteUniformDistribution", "attributes": {"low": 0.0, "high": 1.0, "q": 0.25}})",
       FloatDistribution{0.0, 1.0, false, 0.25}},
      {R"({"name": "IntUniformDistribution", "attributes": {"step": 2, "low": 1, "high": 9}})",
       IntDistribution{1, 9, false, 2}},
      {R"({"name": "IntLogUniformDistribution", "attributes": {"step": 1, "low": 1, "high": 100}})",
       IntDistribution{1, 100, true, 1}},
      {R"({"name": "CategoricalDistribution", "attributes": {"choices": [1.5, true, "a", null, 3]}})",
       CategoricalDistribution{{ParamValue(1.5), ParamValue(true), ParamValue("a"),
                                ParamValue(std::monostate{}), ParamValue(int64_t{3})}}},
      {R"({"name": "FloatDistribution", "attributes": {"step": 0.1, "low": 0.0, "high": 1.0, "log": false}})",
       FloatDistribution{0.0, 1.0, false, 0.1}},
      {R"({"name": "IntDistribution", "attributes": {"log": true, "step": 1, "low": 1, "high": 64}})",
       IntDistribution{1, 64, true, 1}},
  };
  for (const Case& c : cases) {
    Result<Distribution> d = DistributionFromJson(c.json);
    ASSERT_TRUE(d.ok()) << c.json << ": " << d.status();
    EXPECT_EQ(*d, c.expected) << c.json;
    // What we write reads back to the same distribution.
    Result<Distribution> again = DistributionFromJson(DistributionToJson(*d));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, c.expected) << DistributionToJson(*d);
  }
}

TEST(OptunaCodecTest, WritesOptuna3Names) {
  EXPECT_EQ(DistributionToJson(FloatDistribution{0.0, 1.0, true, std::nullopt}),
            R"({"name":"FloatDistribution","attributes":{"step":null,"low":0.0,"high":1.0,"log":true}})");
  EXPECT_EQ(DistributionToJson(IntDistribution{1, 9, false, 2}),
            R"({"name":"IntDistribution","attributes":{"log":false,"step":2,"low":1,"high":9}})");
}

TEST(OptunaCodecTest, MalformedDistributionsAreCorruption) {
  for (const char* bad : {"", "[]", "{\"name\": \"FloatDistribution\"}",
                          R"({"name": "BetaDistribution", "attributes": {}})",
                          R"({"name": "FloatDistribution", "attributes": {"low": "a", "high": 1}})",
                          R"({"name": "FloatDistribution", "attributes": {"low": 2.0, "high": 1.0}})",
                          R"({"name": "CategoricalDistribution", "attributes": {"choices": [[1]]}})"}) {
    Result<Distribution> d = DistributionFromJson(bad);
    EXPECT_EQ(d.status().code(), StatusCode::kCorruption) << bad;
  }
}

// Sets TZ for the scope, restoring the old value.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ScopedTimeZone() {
    if (old_) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::optional<std::string> old_;
};

TEST(OptunaCodecTest, DatetimesAsOptunaStoresThemInLocalTime) {
  // 2023-02-25 13:21:00.730272 UTC.
  const FrozenTrial::Clock::time_point t{std::chrono::duration_cast<FrozenTrial::Clock::duration>(
      std::chrono::microseconds(1677331260730272))};
  {
    ScopedTimeZone tokyo("Asia/Tokyo");  // UTC+9, no daylight saving
    if (std::filesystem::exists("/usr/share/zoneinfo/Asia/Tokyo")) {
      EXPECT_EQ(FormatDatetime(t), "2023-02-25 22:21:00.730272");
      EXPECT_EQ(ParseDatetime("2023-02-25 22:21:00.730272").value(), t);
    }
  }
  ScopedTimeZone utc("UTC");
  EXPECT_EQ(FormatDatetime(t), "2023-02-25 13:21:00.730272");
  EXPECT_EQ(ParseDatetime("2023-02-25 13:21:00.730272").value(), t);
  EXPECT_EQ(ParseDatetime("2023-02-25 13:21:00").value(),
            t - std::chrono::microseconds(730272));
  EXPECT_EQ(ParseDatetime("2023-02-25 13:21:00.5").value(),
            t - std::chrono::microseconds(230272));
  EXPECT_EQ(ParseDatetime("yesterday").status().code(), StatusCode::kCorruption);
}

TEST(OptunaCodecTest, NonFiniteValuesUseValueTypes) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(std::string(EncodeValue(1.5).type), "FINITE");
  EXPECT_EQ(EncodeValue(1.5).value, 1.5);
  EXPECT_EQ(std::string(EncodeValue(inf).type), "INF_POS");
  EXPECT_FALSE(EncodeValue(inf).value.has_value());
  EXPECT_EQ(std::string(EncodeValue(-inf).type), "INF_NEG");
  EXPECT_EQ(std::string(EncodeValue(std::nan("")).type), "NAN");
  EXPECT_EQ(DecodeValue(std::nullopt, "INF_NEG", false).value(), -inf);
  EXPECT_TRUE(std::isnan(DecodeValue(std::nullopt, "NAN", true).value()));
  EXPECT_EQ(DecodeValue(std::nullopt, "NAN", false).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeValue(std::nullopt, "FINITE", false).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeValue(2.0, "HUGE", true).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace hypertune::optuna_rdb
