// The CSV reader on kddcup99_10pct.csv.gz (494,021 rows x 42 columns,
// gzip): shapes, types, per-column sums and ranges, and value counts, checked
// against pandas 1.5 read_csv run at test time, and the README's counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "hypertune/ml/csv.h"
#include "tests/ml/data/data_test_util.h"

namespace hypertune::ml {
namespace {

using testing::DataPath;
using testing::Json;

TEST(CsvKddcupSlowTest, SameAsPandas) {
  const std::string path = DataPath("kddcup99_10pct.csv.gz");
  Result<Table> t = ReadCsv(path);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->num_rows(), 494021u);
  ASSERT_EQ(t->num_columns(), 42u);
  // README: protocol_type, service, flag are the categorical features.
  std::vector<std::string> categorical;
  for (const Column& c : t->columns()) {
    EXPECT_EQ(c.CountMissing(), 0u) << c.name;
    if (c.type == ColumnType::kCategorical) categorical.push_back(c.name);
  }
  EXPECT_EQ(categorical, (std::vector<std::string>{"protocol_type", "service", "flag", "label"}));
  const Column& label = *t->Find("label");
  std::map<std::string, size_t> counts;
  for (int32_t c : label.codes) ++counts[label.categories[static_cast<size_t>(c)]];
  EXPECT_EQ(counts.size(), 23u);
  EXPECT_EQ(counts["smurf"], 280790u);
  EXPECT_EQ(counts["neptune"], 107201u);
  EXPECT_EQ(counts["normal"], 97278u);
  EXPECT_EQ(counts["spy"], 2u);
  const Column& outbound = *t->Find("num_outbound_cmds");
  EXPECT_TRUE(std::all_of(outbound.numeric.begin(), outbound.numeric.end(),
                          [](double x) { return x == 0.0; }));

  if (!testing::HavePythonModules("pandas")) GTEST_SKIP() << "no pandas for /usr/bin/python3";
  const Json ref = testing::RunPythonJson("pandas_reference.py", "csv '" + path + "'");
  ASSERT_TRUE(ref.is_object());
  ASSERT_EQ(ref["rows"].get<size_t>(), t->num_rows());
  for (size_t c = 0; c < t->num_columns(); ++c) {
    const Column& col = t->column(c);
    const Json& rc = ref["columns"][c];
    ASSERT_EQ(col.name, rc["name"].get<std::string>());
    EXPECT_EQ(std::string(ToString(col.type)), rc["kind"].get<std::string>()) << col.name;
    if (col.type == ColumnType::kNumeric) {
      double sum = 0, lo = INFINITY, hi = -INFINITY;
      for (double x : col.numeric) {
        sum += x;
        lo = std::min(lo, x);
        hi = std::max(hi, x);
      }
      const double ref_sum = rc["sum"].get<double>();
      EXPECT_NEAR(sum, ref_sum, 1e-9 * std::max(1.0, std::abs(ref_sum))) << col.name;
      EXPECT_EQ(lo, rc["min"].get<double>()) << col.name;
      EXPECT_EQ(hi, rc["max"].get<double>()) << col.name;
    } else {
      std::map<std::string, size_t> ours;
      for (int32_t code : col.codes) ++ours[col.categories[static_cast<size_t>(code)]];
      EXPECT_EQ(ours, (rc["counts"].get<std::map<std::string, size_t>>())) << col.name;
    }
  }
}

}  // namespace
}  // namespace hypertune::ml
