#include "hypertune/core/json_lite.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hypertune::json_lite {
namespace {

TEST(JsonLiteTest, ScalarsRoundTrip) {
  const std::vector<ParamValue> values = {std::monostate{}, true, false, int64_t{-42},
                                          0.1, 1.0, 1e-300, std::string("a \"q\" \\ \n\t é")};
  for (const ParamValue& v : values) {
    const std::string text = Encode(v);
    Result<ParamValue> back = DecodeScalar(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status();
    EXPECT_EQ(*back, v) << text;
  }
  EXPECT_EQ(Encode(ParamValue(1.0)), "1.0");
  EXPECT_EQ(Encode(ParamValue(std::string("x"))), "\"x\"");
  EXPECT_TRUE(std::isnan(std::get<double>(DecodeScalar("NaN").value())));
  EXPECT_EQ(std::get<double>(DecodeScalar("-Infinity").value()), -HUGE_VAL);
  EXPECT_EQ(std::get<std::string>(DecodeScalar("\"\\u00e9\\ud83d\\ude00\"").value()),
            "\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(JsonLiteTest, ObjectsRoundTripAndErrorsSayWhere) {
  std::map<std::string, ParamValue, std::less<>> obj = {
      {"lr", 0.01}, {"layers", int64_t{3}}, {"opt", std::string("adam")}, {"bn", true}};
  auto back = DecodeObject(Encode(obj));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, obj);
  EXPECT_TRUE(DecodeObject("{}").value().empty());
  for (const char* bad : {"", "{", "{\"a\" 1}", "{\"a\": }", "{\"a\": 1,}", "[1]", "{\"a\": 1} x",
                          "\"unterminated"}) {
    auto r = DecodeObject(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << bad;
    EXPECT_NE(r.status().message().find("offset"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace hypertune::json_lite
