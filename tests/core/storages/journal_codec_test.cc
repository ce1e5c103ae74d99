// The journal's JSON dialect (Python's json: NaN, Infinity), its ISO
// datetimes and Optuna's distribution compatibility rule.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "src/core/storages/journal/codec.h"
#include "src/core/storages/journal/json.h"

namespace hypertune::journal_internal {
namespace {

TEST(JournalJsonTest, ReadsPythonsNonFiniteFloatsAndKeepsMemberOrder) {
  Result<JsonValue> v = ParseJson(R"({"b": NaN, "a": [Infinity, -Infinity, -0.5, 3, 2.0]})");
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->members.size(), 2u);
  EXPECT_EQ(v->members[0].first, "b");
  EXPECT_TRUE(std::isnan(v->members[0].second.d));
  const JsonValue& a = *v->Find("a");
  ASSERT_EQ(a.items.size(), 5u);
  EXPECT_EQ(a.items[0].d, std::numeric_limits<double>::infinity());
  EXPECT_EQ(a.items[1].d, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(a.items[2].d, -0.5);
  EXPECT_EQ(a.items[3].kind, JsonValue::Kind::kInt);
  EXPECT_EQ(a.items[3].i, 3);
  EXPECT_EQ(a.items[4].kind, JsonValue::Kind::kDouble);
}

TEST(JournalJsonTest, KeepsTheRawTextOfEachValue) {
  const std::string text = R"({"user_attr": {"k": {"x": [1, 2.5, null], "s": "a\"b"}}})";
  Result<JsonValue> v = ParseJson(text);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->Find("user_attr")->Find("k")->raw, R"({"x": [1, 2.5, null], "s": "a\"b"})");
  EXPECT_EQ(v->Find("user_attr")->Find("k")->Find("s")->s, "a\"b");
}

TEST(JournalJsonTest, DecodesEscapesAndSurrogatePairs) {
  Result<JsonValue> v = ParseJson(R"("a\n\t\\\/\u00e9\ud83d\ude00")");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->s, "a\n\t\\/\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(JournalJsonTest, RejectsMalformedTextNamingTheColumn) {
  for (const char* bad :
       {"{\"a\": }", "{\"a\" 1}", "[1, 2", "\"abc", "01", "nan", "{} x", "\"a\nb\"", ""}) {
    Result<JsonValue> v = ParseJson(bad);
    EXPECT_FALSE(v.ok()) << bad;
    EXPECT_NE(v.status().message().find("column"), std::string::npos) << v.status();
  }
  std::string deep(1000, '[');
  EXPECT_FALSE(ParseJson(deep).ok());
}

TEST(JournalJsonTest, WritesFloatsAsPythonReadsThemBack) {
  const auto text = [](double d) {
    std::string out;
    AppendJsonDouble(out, d);
    return out;
  };
  EXPECT_EQ(text(3.0), "3.0");
  EXPECT_EQ(text(-0.0), "-0.0");
  EXPECT_EQ(text(0.1), "0.1");
  EXPECT_EQ(text(1e-05), "1e-05");
  EXPECT_EQ(text(std::nan("")), "NaN");
  EXPECT_EQ(text(-INFINITY), "-Infinity");
  for (double d : {0.1, 1.0 / 3.0, 1e300, 5e-324, 123456789.123456789, -2.5e-8}) {
    Result<JsonValue> v = ParseJson(text(d));
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->d, d);
  }
}

TEST(JournalJsonTest, WritesStringsWithEscapes) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\nd\x01");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001\"");
  EXPECT_EQ(ParseJson(out)->s, "a\"b\\c\nd\x01");
}

TEST(JournalCodecTest, IsoDatetimesRoundTripToTheMicrosecond) {
  const auto t = FrozenTrial::Clock::time_point(std::chrono::microseconds(1700000000123456));
  const std::string text = FormatIsoDatetime(t);
  EXPECT_EQ(text.size(), 26u);
  EXPECT_EQ(text[10], 'T');
  EXPECT_EQ(ParseIsoDatetime(text).value(), t);
  // With an offset, the time is absolute.
  EXPECT_EQ(ParseIsoDatetime("2023-11-14T22:13:20.123456+00:00").value(), t);
  EXPECT_EQ(ParseIsoDatetime("2023-11-14T23:13:20.123456+01:00").value(), t);
  EXPECT_EQ(ParseIsoDatetime("2023-11-14 22:13:20.123456Z").value(), t);
  EXPECT_FALSE(ParseIsoDatetime("2023-11-14X22:13").ok());
  EXPECT_FALSE(ParseIsoDatetime("yesterday").ok());
  EXPECT_FALSE(ParseIsoDatetime("2023-13-01T00:00:00").ok());
}

TEST(JournalCodecTest, CompatibilityFollowsOptuna) {
  const Distribution f01 = FloatDistribution{0, 1};
  const Distribution f02 = FloatDistribution{0, 2, false, 0.5};
  const Distribution flog = FloatDistribution{0.1, 1, true};
  const Distribution i = IntDistribution{0, 3};
  const Distribution c = CategoricalDistribution{{ParamValue("a"), ParamValue("b")}};
  const Distribution c2 = CategoricalDistribution{{ParamValue("a")}};
  EXPECT_TRUE(CompatibleDistributions(f01, f02));  // ranges and steps may change
  EXPECT_FALSE(CompatibleDistributions(f01, flog));
  EXPECT_FALSE(CompatibleDistributions(f01, i));
  EXPECT_TRUE(CompatibleDistributions(c, c));
  EXPECT_FALSE(CompatibleDistributions(c, c2));
}

}  // namespace
}  // namespace hypertune::journal_internal
