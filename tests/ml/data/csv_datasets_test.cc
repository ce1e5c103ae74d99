// The CSV reader on the real datasets of ../shared/data, checked against
// pandas 1.5 read_csv run at test time (pandas_reference.py) and against the
// counts stated in ../shared/data/README.md.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "hypertune/ml/csv.h"
#include "tests/ml/data/data_test_util.h"

namespace hypertune::ml {
namespace {

using testing::DataPath;
using testing::Json;

Table Read(const std::string& name) {
  Result<Table> t = ReadCsv(DataPath(name));
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? std::move(t).value() : Table();
}

std::map<std::string, size_t> ValueCounts(const Column& c) {
  std::map<std::string, size_t> out;
  for (size_t r = 0; r < c.size(); ++r) {
    if (!c.IsMissing(r)) ++out[c.ValueString(r)];
  }
  return out;
}

// Compares every column with pandas: kind, missing count, and every value
// (full) or sum/min/max and value counts.
void ExpectSameAsPandas(const std::string& name, bool full) {
  if (!testing::HavePythonModules("pandas")) GTEST_SKIP() << "no pandas for /usr/bin/python3";
  const Table t = Read(name);
  const Json ref = testing::RunPythonJson("pandas_reference.py",
                                          "csv '" + DataPath(name) + "'" + (full ? " --full" : ""));
  ASSERT_TRUE(ref.is_object());
  ASSERT_EQ(t.num_rows(), ref["rows"].get<size_t>()) << name;
  ASSERT_EQ(t.num_columns(), ref["columns"].size()) << name;
  for (size_t c = 0; c < t.num_columns(); ++c) {
    const Column& col = t.column(c);
    const Json& rc = ref["columns"][c];
    const std::string where = name + " column '" + col.name + "'";
    EXPECT_EQ(col.name, rc["name"].get<std::string>()) << where;
    EXPECT_EQ(std::string(ToString(col.type)), rc["kind"].get<std::string>()) << where;
    EXPECT_EQ(col.CountMissing(), rc["missing"].get<size_t>()) << where;
    if (full) {
      const Json& values = rc["values"];
      ASSERT_EQ(values.size(), col.size()) << where;
      for (size_t r = 0; r < col.size(); ++r) {
        if (values[r].is_null()) {
          EXPECT_TRUE(col.IsMissing(r)) << where << " row " << r;
        } else if (col.type == ColumnType::kNumeric) {
          // Both sides read numbers correctly rounded: bit-equal.
          EXPECT_EQ(col.numeric[r], values[r].get<double>()) << where << " row " << r;
        } else {
          EXPECT_EQ(col.ValueString(r), values[r].get<std::string>()) << where << " row " << r;
        }
      }
    } else if (col.type == ColumnType::kNumeric) {
      double sum = 0, lo = INFINITY, hi = -INFINITY;
      for (double x : col.numeric) {
        if (std::isnan(x)) continue;
        sum += x;
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
      const double ref_sum = rc["sum"].get<double>();
      EXPECT_NEAR(sum, ref_sum, 1e-9 * std::max(1.0, std::abs(ref_sum))) << where;
      EXPECT_EQ(lo, rc["min"].get<double>()) << where;
      EXPECT_EQ(hi, rc["max"].get<double>()) << where;
    } else {
      EXPECT_EQ(ValueCounts(col), (rc["counts"].get<std::map<std::string, size_t>>())) << where;
    }
  }
}

TEST(CsvDatasetsTest, IrisEveryValueAsPandas) { ExpectSameAsPandas("iris.csv", true); }
TEST(CsvDatasetsTest, WineEveryValueAsPandas) { ExpectSameAsPandas("wine.csv", true); }
TEST(CsvDatasetsTest, PenguinsEveryValueAsPandas) { ExpectSameAsPandas("penguins.csv", true); }
TEST(CsvDatasetsTest, DigitsAsPandas) { ExpectSameAsPandas("digits.csv", false); }
TEST(CsvDatasetsTest, AdultTrainEveryValueAsPandas) { ExpectSameAsPandas("adult_train.csv", true); }
TEST(CsvDatasetsTest, AdultTestAsPandas) { ExpectSameAsPandas("adult_test.csv", false); }
TEST(CsvDatasetsTest, CaliforniaHousingAsPandas) {
  ExpectSameAsPandas("california_housing.csv", false);
}
TEST(CsvDatasetsTest, BankMarketingAsPandas) { ExpectSameAsPandas("bank_marketing.csv", false); }

// The README's figures, independently of pandas.
TEST(CsvDatasetsTest, ShapesAndCountsFromTheReadme) {
  const Table iris = Read("iris.csv");
  EXPECT_EQ(iris.num_rows(), 150u);
  EXPECT_EQ(iris.num_columns(), 5u);
  EXPECT_EQ(ValueCounts(*iris.Find("species")),
            (std::map<std::string, size_t>{{"setosa", 50}, {"versicolor", 50}, {"virginica", 50}}));

  const Table wine = Read("wine.csv");
  EXPECT_EQ(wine.num_rows(), 178u);
  EXPECT_EQ(wine.num_columns(), 14u);
  EXPECT_EQ(wine.Find("cultivar")->type, ColumnType::kNumeric);

  const Table digits = Read("digits.csv");
  EXPECT_EQ(digits.num_rows(), 1797u);
  EXPECT_EQ(digits.num_columns(), 65u);
  for (const Column& c : digits.columns()) EXPECT_EQ(c.type, ColumnType::kNumeric) << c.name;

  const Table adult = Read("adult_train.csv");
  EXPECT_EQ(adult.num_rows(), 32561u);
  EXPECT_EQ(adult.num_columns(), 15u);
  EXPECT_EQ(adult.Find("workclass")->CountMissing(), 1836u);
  EXPECT_EQ(adult.Find("occupation")->CountMissing(), 1843u);
  EXPECT_EQ(adult.Find("native_country")->CountMissing(), 583u);
  EXPECT_EQ(ValueCounts(*adult.Find("income")),
            (std::map<std::string, size_t>{{"<=50K", 24720}, {">50K", 7841}}));
  size_t categorical = 0;
  for (const Column& c : adult.columns()) categorical += c.type == ColumnType::kCategorical;
  EXPECT_EQ(categorical, 9u);  // 8 categorical features + the target

  const Table adult_test = Read("adult_test.csv");
  EXPECT_EQ(adult_test.num_rows(), 16281u);
  EXPECT_EQ(adult_test.Find("workclass")->CountMissing(), 963u);
  EXPECT_EQ(adult_test.Find("occupation")->CountMissing(), 966u);
  EXPECT_EQ(adult_test.Find("native_country")->CountMissing(), 274u);
  EXPECT_EQ(ValueCounts(*adult_test.Find("income")),
            (std::map<std::string, size_t>{{"<=50K", 12435}, {">50K", 3846}}));

  const Table penguins = Read("penguins.csv");
  EXPECT_EQ(penguins.num_rows(), 344u);
  EXPECT_EQ(penguins.num_columns(), 8u);
  EXPECT_EQ(penguins.column(0).name, "species");
  for (const char* m : {"bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"}) {
    EXPECT_EQ(penguins.Find(m)->type, ColumnType::kNumeric) << m;
    EXPECT_EQ(penguins.Find(m)->CountMissing(), 2u) << m;
  }
  EXPECT_EQ(penguins.Find("sex")->CountMissing(), 11u);
  EXPECT_EQ(penguins.Find("year")->type, ColumnType::kNumeric);
  EXPECT_EQ(ValueCounts(*penguins.Find("species")),
            (std::map<std::string, size_t>{{"Adelie", 152}, {"Chinstrap", 68}, {"Gentoo", 124}}));

  const Table housing = Read("california_housing.csv");
  EXPECT_EQ(housing.num_rows(), 20640u);
  EXPECT_EQ(housing.Find("total_bedrooms")->CountMissing(), 207u);
  EXPECT_EQ(housing.Find("ocean_proximity")->categories.size(), 5u);
}

}  // namespace
}  // namespace hypertune::ml
