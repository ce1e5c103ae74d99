#include <gtest/gtest.h>

#include "hypertune/core/random_sampler.h"
#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"
#include "hypertune/ml/model.h"

namespace hypertune::ml {
namespace {

SearchSpace SvmLike() {
  return SearchSpace::Create(
             {{.name = "C", .range = FloatDistribution{1e-3, 1e3, true}, .default_value = 1.0},
              {.name = "kernel",
               .range = CategoricalDistribution{{std::string("rbf"), std::string("poly")}},
               .default_value = std::string("rbf")},
              {.name = "degree",
               .range = IntDistribution{2, 5},
               .default_value = int64_t{3},
               .parent = "kernel",
               .parent_values = {std::string("poly")}}})
      .value();
}

TEST(SearchSpaceTest, CreateRejectsBadDeclarations) {
  EXPECT_EQ(SearchSpace::Create({{.name = "a", .range = FloatDistribution{1, 0}, .default_value = 0.5}})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SearchSpace::Create({{.name = "a", .range = IntDistribution{0, 3}, .default_value = "x"}})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(SearchSpace::Create({{.name = "a", .range = IntDistribution{0, 3}, .default_value = int64_t{1}},
                                 {.name = "a", .range = IntDistribution{0, 3}, .default_value = int64_t{1}}})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  Result<SearchSpace> orphan = SearchSpace::Create(
      {{.name = "d", .range = IntDistribution{0, 3}, .default_value = int64_t{1}, .parent = "k"}});
  EXPECT_EQ(orphan.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(orphan.status().message().find("'k'"), std::string::npos);
}

TEST(SearchSpaceTest, DefaultsFollowConditions) {
  SearchSpace s = SvmLike();
  Params d = s.Defaults();
  EXPECT_EQ(d.size(), 2u);  // degree is inactive for rbf
  EXPECT_EQ(std::get<double>(d.at("C")), 1.0);
  ASSERT_TRUE(s.Fix("kernel", std::string("poly")).ok());
  d = s.Defaults();
  EXPECT_EQ(std::get<int64_t>(d.at("degree")), 3);
}

TEST(SearchSpaceTest, FixNarrowAndFreezeChangeWhatIsTuned) {
  SearchSpace s = SvmLike();
  Status unknown = s.Fix("gamma", 1.0);
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.message().find("C, kernel, degree"), std::string::npos) << unknown;
  EXPECT_EQ(s.Fix("C", std::string("big")).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(s.Fix("C", int64_t{10}).ok());  // an int for a float range
  EXPECT_EQ(std::get<double>(s.Defaults().at("C")), 10.0);
  EXPECT_EQ(s.Narrow("degree", FloatDistribution{0, 1}).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(s.Narrow("degree", IntDistribution{4, 5}).ok());
  EXPECT_EQ(std::get<int64_t>(s.Find("degree")->default_value), 4);  // 3 left the range
  ASSERT_TRUE(s.Freeze("kernel").ok());
  EXPECT_TRUE(s.IsFixed("kernel"));

  auto study = CreateStudy({.sampler = std::make_shared<RandomSampler>(
                                RandomSamplerOptions{.seed = 3})})
                   .value();
  for (int k = 0; k < 20; ++k) {
    Trial trial = study->Ask().value();
    Params p = s.Suggest(trial);
    EXPECT_EQ(std::get<double>(p.at("C")), 10.0);
    EXPECT_EQ(std::get<std::string>(p.at("kernel")), "rbf");
    EXPECT_FALSE(p.contains("degree"));
    // Fixed values are not trial params.
    EXPECT_TRUE(trial.params().empty());
    ASSERT_TRUE(study->Tell(trial, {0.0}).ok());
  }
}

TEST(SearchSpaceTest, SuggestTunesActiveHyperparametersOnly) {
  SearchSpace s = SvmLike();
  auto study = CreateStudy({.sampler = std::make_shared<RandomSampler>(
                                RandomSamplerOptions{.seed = 5})})
                   .value();
  int poly = 0;
  for (int k = 0; k < 200; ++k) {
    Trial trial = study->Ask().value();
    Params p = s.Suggest(trial);
    const double c = std::get<double>(p.at("C"));
    EXPECT_GE(c, 1e-3);
    EXPECT_LE(c, 1e3);
    const bool is_poly = std::get<std::string>(p.at("kernel")) == "poly";
    EXPECT_EQ(p.contains("degree"), is_poly);
    poly += is_poly;
    ASSERT_TRUE(study->Tell(trial, {c}).ok());
  }
  EXPECT_GT(poly, 70);  // Binomial(200, 0.5): 100 +- 7 sd
  EXPECT_LT(poly, 130);
}

TEST(SearchSpaceTest, CompleteFillsDefaultsAndRejectsUnknownNames) {
  SearchSpace s = SvmLike();
  Params p = s.Complete({{"kernel", std::string("poly")}}).value();
  EXPECT_EQ(std::get<int64_t>(p.at("degree")), 3);
  EXPECT_EQ(s.Complete({{"nope", 1.0}}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.Complete({{"degree", 2.5}, {"kernel", std::string("poly")}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SearchSpaceTest, ParamsRoundTripThroughJson) {
  Params p{{"a", 1.5}, {"b", int64_t{3}}, {"c", std::string("x")}, {"d", true},
           {"e", std::monostate{}}};
  EXPECT_EQ(ParamsFromJson(ParamsToJson(p)).value(), p);
}

TEST(ModelRegistryTest, UnknownModelListsTheValidNames) {
  Result<const ModelInfo*> m = FindModel("no-such-model");
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_NE(m.status().message().find("models:"), std::string::npos);
}

}  // namespace
}  // namespace hypertune::ml
