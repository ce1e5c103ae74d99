// Dataset: target selection, label encoding and decoding, regression
// targets, the errors for bad targets, dropped rows, and row views. Counts
// are from ../shared/data/README.md and pandas 1.5 (value_counts; cited
// where used).
#include "hypertune/ml/dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hypertune/ml/csv.h"
#include "tests/ml/data/data_test_util.h"

namespace hypertune::ml {
namespace {

using testing::DataPath;
using ::testing::HasSubstr;

Table ReadData(const std::string& name) {
  Result<Table> t = ReadCsv(DataPath(name));
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? std::move(t).value() : Table();
}

Table Small(std::string_view text) {
  Result<Table> t = ParseCsv(text);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? std::move(t).value() : Table();
}

TEST(DatasetTest, IrisClassification) {
  Result<Dataset> ds = Dataset::Create(ReadData("iris.csv"), {.target = "species"});
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->num_rows(), 150u);
  EXPECT_EQ(ds->num_features(), 4u);
  EXPECT_EQ(ds->task(), TaskType::kClassification);
  EXPECT_EQ(ds->target_name(), "species");
  EXPECT_EQ(ds->feature_names(), (std::vector<std::string>{"sepal_length_cm", "sepal_width_cm",
                                                           "petal_length_cm", "petal_width_cm"}));
  EXPECT_EQ(ds->class_names(), (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(ds->ClassCounts(), (std::vector<size_t>{50, 50, 50}));
  // The file lists 50 setosa, then 50 versicolor, then 50 virginica.
  EXPECT_EQ(ds->labels()[0], 0);
  EXPECT_EQ(ds->labels()[75], 1);
  EXPECT_EQ(ds->labels()[149], 2);
  EXPECT_EQ(ds->target()[149], 2.0);
  EXPECT_EQ(ds->DecodeLabel(1).value(), "versicolor");
  EXPECT_EQ(ds->EncodeLabel("virginica").value(), 2);
  EXPECT_EQ(ds->DecodeLabel(3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ds->EncodeLabel("rose").status().message(),
            "no class 'rose' (classes: setosa, versicolor, virginica)");
}

TEST(DatasetTest, NumericClassesSortNumerically) {
  // wine: cultivar 0/1/2 with 59/71/48 rows (pandas value_counts).
  Result<Dataset> wine = Dataset::Create(ReadData("wine.csv"), {.target = "cultivar"});
  ASSERT_TRUE(wine.ok()) << wine.status();
  EXPECT_EQ(wine->class_names(), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(wine->ClassCounts(), (std::vector<size_t>{59, 71, 48}));
  // Numeric order, not text order: 2 < 10.
  Result<Dataset> d = Dataset::Create(Small("x,y\n1,10\n2,2\n3,10\n4,2.5\n"), {.target = "y"});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->class_names(), (std::vector<std::string>{"2", "2.5", "10"}));
  EXPECT_EQ(d->labels(), (std::vector<int32_t>{2, 0, 2, 1}));
  // Text classes sort by bytes, as LabelEncoder sorts Python strings.
  Result<Dataset> adult = Dataset::Create(ReadData("adult_train.csv"), {.target = "income"});
  ASSERT_TRUE(adult.ok()) << adult.status();
  EXPECT_EQ(adult->class_names(), (std::vector<std::string>{"<=50K", ">50K"}));
  EXPECT_EQ(adult->ClassCounts(), (std::vector<size_t>{24720, 7841}));  // README
}

TEST(DatasetTest, TestFileEncodedWithTheTrainingClasses) {
  Result<Dataset> train = Dataset::Create(ReadData("adult_train.csv"), {.target = "income"});
  ASSERT_TRUE(train.ok());
  // A test subset with only ">50K" rows keeps code 1 for it.
  Result<Dataset> test = Dataset::Create(Small("age,income\n30,>50K\n40,>50K\n"),
                                         {.target = "income", .classes = train->class_names()});
  ASSERT_TRUE(test.ok()) << test.status();
  EXPECT_EQ(test->labels(), (std::vector<int32_t>{1, 1}));
  EXPECT_EQ(test->class_names(), train->class_names());
  // Numeric targets match by their text.
  Result<Dataset> wine = Dataset::Create(Small("x,cultivar\n1,2\n2,0\n"),
                                         {.target = "cultivar", .classes = {"0", "1", "2"}});
  ASSERT_TRUE(wine.ok()) << wine.status();
  EXPECT_EQ(wine->labels(), (std::vector<int32_t>{2, 0}));
  Result<Dataset> unknown =
      Dataset::Create(Small("x,y\n1,a\n2,c\n"), {.target = "y", .classes = {"a", "b"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "target 'y', row 1: class 'c' is not one of the given classes (a, b)");
}

TEST(DatasetTest, Regression) {
  Result<Dataset> ds = Dataset::Create(ReadData("diabetes.csv"),
                                       {.target = "progression", .task = TaskType::kRegression});
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->num_rows(), 442u);
  EXPECT_EQ(ds->num_features(), 10u);
  EXPECT_TRUE(ds->labels().empty());
  EXPECT_EQ(ds->num_classes(), 0u);
  double sum = 0;
  for (double y : ds->target()) sum += y;
  EXPECT_EQ(sum, 67243.0);  // pandas: progression.sum()
}

TEST(DatasetTest, TargetErrors) {
  Result<Dataset> missing = Dataset::Create(ReadData("iris.csv"), {.target = "label"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "target column 'label' not found (columns: sepal_length_cm, sepal_width_cm, "
            "petal_length_cm, petal_width_cm, species)");

  Result<Dataset> text_regression =
      Dataset::Create(ReadData("iris.csv"), {.target = "species", .task = TaskType::kRegression});
  ASSERT_FALSE(text_regression.ok());
  EXPECT_EQ(text_regression.status().message(),
            "target 'species' is categorical (values such as 'setosa'); regression needs a "
            "numeric target");

  Result<Dataset> single = Dataset::Create(
      Small("x,y\n1,a\n2,a\n3,\n"), {.target = "y", .missing_target = MissingTarget::kDropRows});
  ASSERT_FALSE(single.ok());
  EXPECT_EQ(single.status().message(),
            "target 'y' has a single class ('a') in 2 rows; classification needs at least 2 "
            "classes");

  Result<Dataset> only_target = Dataset::Create(Small("y\n1\n2\n"), {.target = "y"});
  ASSERT_FALSE(only_target.ok());
  EXPECT_THAT(only_target.status().message(), HasSubstr("no feature column left"));

  Result<Dataset> no_rows = Dataset::Create(Small("x,y\n"), {.target = "y"});
  ASSERT_FALSE(no_rows.ok());
  EXPECT_EQ(no_rows.status().message(), "target 'y': no rows");

  Result<Dataset> bad_drop =
      Dataset::Create(Small("x,y\n1,2\n"), {.target = "y", .drop_columns = {"z"}});
  ASSERT_FALSE(bad_drop.ok());
  EXPECT_EQ(bad_drop.status().message(),
            "drop_columns names 'z', which is not a column (columns: x, y)");
}

TEST(DatasetTest, MissingTargetValues) {
  // penguins: sex is missing in 11 rows (README).
  Result<Dataset> strict = Dataset::Create(ReadData("penguins.csv"), {.target = "sex"});
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().message(),
            "target 'sex' has 11 missing values (the first in row 3, counting data rows from "
            "0); set missing_target = kDropRows to drop those rows");

  const Table raw = ReadData("penguins.csv");
  Result<Dataset> ds = Dataset::Create(
      ReadData("penguins.csv"), {.target = "sex", .missing_target = MissingTarget::kDropRows});
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->num_rows(), 333u);
  EXPECT_EQ(ds->dropped_rows().size(), 11u);
  EXPECT_EQ(ds->dropped_rows()[0], 3u);
  EXPECT_EQ(ds->class_names(), (std::vector<std::string>{"female", "male"}));
  EXPECT_EQ(ds->ClassCounts(), (std::vector<size_t>{165, 168}));  // pandas value_counts
  // Feature rows stay aligned with their targets: row 3 of the dataset is
  // row 4 of the file.
  const Column& mass = *ds->features().Find("body_mass_g");
  EXPECT_EQ(mass.size(), 333u);
  EXPECT_EQ(mass.numeric[3], raw.Find("body_mass_g")->numeric[4]);
  EXPECT_EQ(ds->DecodeLabel(ds->labels()[3]).value(), raw.Find("sex")->ValueString(4));
  // Species counts after the drop, as pandas gives them:
  // dropna(subset=['sex']).species.value_counts().
  const Column& species = *ds->features().Find("species");
  std::map<std::string, size_t> counts;
  for (size_t r = 0; r < species.size(); ++r) ++counts[species.ValueString(r)];
  EXPECT_EQ(counts,
            (std::map<std::string, size_t>{{"Adelie", 146}, {"Chinstrap", 68}, {"Gentoo", 119}}));
}

TEST(DatasetTest, DropAndCategoricalColumns) {
  Result<Dataset> ds = Dataset::Create(ReadData("diabetes.csv"), {.target = "progression",
                                                                  .task = TaskType::kRegression,
                                                                  .drop_columns = {"s4_tch"},
                                                                  .categorical_columns = {"sex"}});
  ASSERT_TRUE(ds.ok()) << ds.status();
  EXPECT_EQ(ds->num_features(), 9u);
  EXPECT_EQ(ds->features().Find("s4_tch"), nullptr);
  const Column& sex = *ds->features().Find("sex");
  EXPECT_EQ(sex.type, ColumnType::kCategorical);
  EXPECT_EQ(sex.categories, (std::vector<std::string>{"1", "2"}));
  size_t ones = 0;
  for (int32_t c : sex.codes) ones += c == 0;
  EXPECT_EQ(ones, 235u);  // pandas: sex.value_counts()[1]
}

TEST(DatasetTest, Views) {
  Result<Dataset> ds = Dataset::Create(ReadData("iris.csv"), {.target = "species"});
  ASSERT_TRUE(ds.ok());
  const DatasetView all = ds->AllRows();
  EXPECT_EQ(all.size(), 150u);
  Result<DatasetView> v = ds->View({0, 60, 120, 121});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Labels(), (std::vector<int32_t>{0, 1, 2, 2}));
  EXPECT_EQ(v->Targets(), (std::vector<double>{0, 1, 2, 2}));
  EXPECT_EQ(v->ClassCounts(), (std::vector<size_t>{1, 1, 2}));
  EXPECT_EQ(v->label(1), 1);
  const size_t positions[] = {3, 0};
  Result<DatasetView> sub = v->Subset(positions);
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->rows(), (std::vector<size_t>{121, 0}));
  const size_t out_of_range[] = {4};
  EXPECT_EQ(v->Subset(out_of_range).status().message(), "position 4 is out of range (4 rows)");
  EXPECT_EQ(ds->View({150}).status().message(), "row 150 is out of range (150 rows)");
}

}  // namespace
}  // namespace hypertune::ml
