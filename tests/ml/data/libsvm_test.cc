// LIBSVM reader: format details, errors with line numbers, gzip, and a file
// written by scikit-learn's dump_svmlight_file from iris read back to the
// CSV's values.
#include "hypertune/ml/libsvm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "hypertune/ml/csv.h"
#include "hypertune/ml/dataset.h"
#include "tests/ml/data/data_test_util.h"

namespace hypertune::ml {
namespace {

using ::testing::HasSubstr;

TEST(LibsvmTest, ParsesRowsCommentsAndQid) {
  Result<LibsvmData> d = ParseLibsvm(
      "1 1:0.5 3:2\r\n"
      "-1 2:1 # a comment\n"
      "# a comment line\n"
      "\n"
      "+1 qid:3 1:1  4:-2e-1\n");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->labels, (std::vector<double>{1, -1, 1}));
  const CsrMatrix& m = d->features;
  EXPECT_EQ(m.rows, 3u);
  EXPECT_EQ(m.cols, 4u);
  EXPECT_EQ(m.indptr, (std::vector<size_t>{0, 2, 3, 5}));
  EXPECT_EQ(m.indices, (std::vector<uint32_t>{0, 2, 1, 0, 3}));
  EXPECT_EQ(m.values, (std::vector<double>{0.5, 2, 1, 1, -0.2}));
  Result<Table> t = LibsvmToTable(*d);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->names(), (std::vector<std::string>{"f1", "f2", "f3", "f4", "label"}));
  EXPECT_EQ(t->Find("f1")->numeric, (std::vector<double>{0.5, 0, 1}));
  EXPECT_EQ(t->Find("f4")->numeric, (std::vector<double>{0, 0, -0.2}));
  // Wider on request, so that a test file matches its training file.
  Result<LibsvmData> wide = ParseLibsvm("0 2:1\n", {.num_features = 10});
  EXPECT_EQ(wide->features.cols, 10u);
  EXPECT_EQ(LibsvmToTable(*wide, "y", 5).status().message(),
            "a dense table of 1 x 10 exceeds max_cells = 5; use the CSR matrix");
}

TEST(LibsvmTest, ErrorsNameTheLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1 1:1\n1 3:1 2:1\n", "t.svm:2: index 2 after 3 (indices must ascend)"},
      {"1 0:1\n", "t.svm:1: index '0' is not an integer in 1..4294967295"},
      {"1 a:1\n", "t.svm:1: index 'a' is not an integer in 1..4294967295"},
      {"1 2:x\n", "t.svm:1: value 'x' of index 2 is not a number"},
      {"\n\n1 2\n", "t.svm:3: '2' is not index:value"},
      {"1,2 1:1\n", "t.svm:1: multi-label row ('1,2') is not supported"},
      {"yes 1:1\n", "t.svm:1: label 'yes' is not a number"},
  };
  for (const auto& [text, message] : cases) {
    Result<LibsvmData> d = ParseLibsvm(text, {}, "t.svm");
    ASSERT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.status().message(), message);
  }
  EXPECT_EQ(ParseLibsvm("1 5:1\n", {.num_features = 4}, "t.svm").status().message(),
            "t.svm:1: index 5 is beyond num_features = 4");
  EXPECT_EQ(ReadLibsvm("/nonexistent.svm").status().code(), StatusCode::kNotFound);
}

TEST(LibsvmTest, IrisWrittenBySklearn) {
  if (!testing::HavePythonModules("sklearn, pandas")) GTEST_SKIP() << "no scikit-learn";
  const std::string csv = testing::DataPath("iris.csv");
  const std::string out = testing::WriteTempFile("iris.svm", "");
  const std::string cmd =
      testing::kPython +
      " -c \"import pandas as pd; from sklearn.datasets import "
      "dump_svmlight_file; d = pd.read_csv('" +
      csv +
      "'); "
      "dump_svmlight_file(d.iloc[:, :4].values, d.species.astype('category').cat.codes.values, '" +
      out + "', zero_based=False)\" && gzip -kf '" + out + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  Result<Table> iris = ReadCsv(csv);
  ASSERT_TRUE(iris.ok());
  for (const std::string& path : {out, out + ".gz"}) {
    Result<LibsvmData> d = ReadLibsvm(path);
    ASSERT_TRUE(d.ok()) << d.status();
    ASSERT_EQ(d->features.rows, 150u);
    ASSERT_EQ(d->features.cols, 4u);
    const MatrixD dense = d->features.ToDense();
    for (size_t c = 0; c < 4; ++c) {
      for (size_t r = 0; r < 150; ++r) {
        ASSERT_EQ(dense(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)),
                  iris->column(c).numeric[r])
            << path << " row " << r << " column " << c;
      }
    }
    Result<Dataset> ds = Dataset::Create(LibsvmToTable(*d).value(), {.target = "label"});
    ASSERT_TRUE(ds.ok()) << ds.status();
    EXPECT_EQ(ds->class_names(), (std::vector<std::string>{"0", "1", "2"}));
    EXPECT_EQ(ds->ClassCounts(), (std::vector<size_t>{50, 50, 50}));
  }
}

}  // namespace
}  // namespace hypertune::ml
