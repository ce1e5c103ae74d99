// Preprocessor: the same output as scikit-learn 1.2's SimpleImputer +
// StandardScaler / MinMaxScaler + OneHotEncoder / OrdinalEncoder (run at test
// time by sklearn_preprocess.py), fitted on training rows only, unseen
// categories, all-missing columns, type changes between fit and transform,
// and an exact JSON round trip.
#include "hypertune/ml/preprocess.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "hypertune/ml/csv.h"
#include "hypertune/ml/split.h"
#include "tests/ml/data/data_test_util.h"

namespace hypertune::ml {
namespace {

using testing::DataPath;
using ::testing::HasSubstr;
using testing::Json;

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

std::vector<size_t> AllRows(size_t n) {
  std::vector<size_t> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = i;
  return rows;
}

std::string OptionsJson(const PreprocessOptions& o) {
  // The preprocessor's own JSON names the options as the script expects.
  Preprocessor p = Preprocessor::Fit(Small("a\n1\n"), AllRows(1), o).value();
  return Json::parse(p.ToJson())["options"].dump();
}

// Runs the sklearn side and compares names, the sampled rows, and column
// sums.
void ExpectSameAsSklearn(const Preprocessor& pre, const MatrixD& ours, const std::string& fit_csv,
                         const std::string& target, const std::string& extra_args) {
  const Json ref = testing::RunPythonJson(
      "sklearn_preprocess.py",
      "'" + fit_csv + "' '" + target + "' '" + OptionsJson(pre.options()) + "' " + extra_args);
  ASSERT_TRUE(ref.is_object());
  ASSERT_EQ(pre.output_names(), ref["names"].get<std::vector<std::string>>());
  ASSERT_EQ(static_cast<size_t>(ours.cols()), pre.num_outputs());
  const Json& rows = ref["rows"];
  for (size_t k = 0; k < rows.size(); ++k) {
    const auto r = rows[k].get<Eigen::Index>();
    for (Eigen::Index c = 0; c < ours.cols(); ++c) {
      const Json& v = ref["matrix"][k][static_cast<size_t>(c)];
      if (v.is_null()) {
        EXPECT_TRUE(std::isnan(ours(r, c)))
            << "row " << r << " " << pre.output_names()[static_cast<size_t>(c)];
      } else {
        EXPECT_NEAR(ours(r, c), v.get<double>(), 1e-9)
            << "row " << r << " " << pre.output_names()[static_cast<size_t>(c)];
      }
    }
  }
  for (Eigen::Index c = 0; c < ours.cols(); ++c) {
    double sum = 0;
    for (Eigen::Index r = 0; r < ours.rows(); ++r) {
      if (!std::isnan(ours(r, c))) sum += ours(r, c);
    }
    EXPECT_NEAR(sum, ref["column_sums"][static_cast<size_t>(c)].get<double>(), 1e-7)
        << pre.output_names()[static_cast<size_t>(c)];
  }
}

class PreprocessSklearnTest : public ::testing::TestWithParam<PreprocessOptions> {};

// Penguins (missing values in 5 columns), fitted on a stratified 70 % of the
// rows, transformed on all rows.
TEST_P(PreprocessSklearnTest, PenguinsTrainRows) {
  if (!testing::HavePythonModules("sklearn, pandas")) GTEST_SKIP() << "no scikit-learn";
  Result<Dataset> ds = Dataset::Create(ReadData("penguins.csv"), {.target = "species"});
  ASSERT_TRUE(ds.ok());
  Result<TrainValTest> split = Split(ds->AllRows(), {.test = 0.3}, 5);
  ASSERT_TRUE(split.ok());
  Result<Preprocessor> pre = Preprocessor::Fit(*ds->View(split->train), GetParam());
  ASSERT_TRUE(pre.ok()) << pre.status();
  Result<MatrixD> x = pre->Transform(ds->features());
  ASSERT_TRUE(x.ok()) << x.status();
  ASSERT_EQ(x->rows(), 344);
  std::string rows_file = testing::WriteTempFile("penguin_rows.txt", "");
  {
    std::ofstream out(rows_file);
    for (size_t r : split->train) out << r << "\n";
  }
  ExpectSameAsSklearn(*pre, *x, DataPath("penguins.csv"), "species", "--rows '" + rows_file + "'");
}

INSTANTIATE_TEST_SUITE_P(
    Options, PreprocessSklearnTest,
    ::testing::Values(PreprocessOptions{},
                      PreprocessOptions{.scaling = Scaling::kMinMax,
                                        .numeric_imputation = NumericImputation::kMedian},
                      PreprocessOptions{.scaling = Scaling::kNone,
                                        .encoding = CategoricalEncoding::kOrdinal,
                                        .numeric_imputation = NumericImputation::kMostFrequent},
                      PreprocessOptions{.numeric_imputation = NumericImputation::kConstant,
                                        .numeric_fill_value = -7.5,
                                        .categorical_imputation = CategoricalImputation::kConstant},
                      PreprocessOptions{.encoding = CategoricalEncoding::kOrdinal,
                                        .categorical_imputation = CategoricalImputation::kConstant,
                                        .categorical_fill_value = "zz_missing"}));

// Fitted on adult_train, applied to adult_test read separately (its own
// category codes, found by name).
TEST(PreprocessTest, AdultTrainToTestAsSklearn) {
  if (!testing::HavePythonModules("sklearn, pandas")) GTEST_SKIP() << "no scikit-learn";
  Result<Dataset> train = Dataset::Create(ReadData("adult_train.csv"), {.target = "income"});
  ASSERT_TRUE(train.ok());
  Result<Preprocessor> pre = Preprocessor::Fit(train->AllRows());
  ASSERT_TRUE(pre.ok()) << pre.status();
  EXPECT_EQ(pre->num_outputs(), 6u + 8 + 16 + 7 + 14 + 6 + 5 + 2 + 41);
  const Table test = ReadData("adult_test.csv");  // still has "income": ignored
  Result<MatrixD> x = pre->Transform(test);
  ASSERT_TRUE(x.ok()) << x.status();
  ASSERT_EQ(x->rows(), 16281);
  ExpectSameAsSklearn(*pre, *x, DataPath("adult_train.csv"), "income",
                      "--transform '" + DataPath("adult_test.csv") + "' --every 37");
}

TEST(PreprocessTest, FittedOnTrainingRowsOnly) {
  const std::string a = "x,c\n1,a\n2,b\n3,a\n100,z\n";
  const std::string b = "x,c\n1,a\n2,b\n3,a\n-5000,y\n";  // only the last, held-out row differs
  const std::vector<size_t> train = {0, 1, 2};
  Result<Preprocessor> pa = Preprocessor::Fit(Small(a), train);
  Result<Preprocessor> pb = Preprocessor::Fit(Small(b), train);
  ASSERT_TRUE(pa.ok() && pb.ok());
  EXPECT_EQ(pa->ToJson(), pb->ToJson());
  const auto& x = pa->columns()[0];
  EXPECT_EQ(x.center, 2.0);                  // mean of 1, 2, 3
  EXPECT_EQ(x.scale, std::sqrt(2.0 / 3.0));  // population std
  EXPECT_EQ(pa->columns()[1].categories, (std::vector<std::string>{"a", "b"}));
  // The held-out row is transformed with the training statistics; its
  // category was not seen: all zeros.
  MatrixD m = pa->Transform(Small(a)).value();
  EXPECT_DOUBLE_EQ(m(3, 0), (100.0 - 2.0) / std::sqrt(2.0 / 3.0));
  EXPECT_EQ(m(3, 1), 0.0);
  EXPECT_EQ(m(3, 2), 0.0);
  EXPECT_EQ(m(0, 1), 1.0);
}

TEST(PreprocessTest, UnseenAndMissingCategories) {
  const Table train = Small("c,n\nred,1\nblue,2\nred,3\n,4\n");
  const Table later = Small("c,n\ngreen,1\n,2\nblue,3\n");
  Result<Preprocessor> onehot = Preprocessor::Fit(train, AllRows(4));
  ASSERT_TRUE(onehot.ok());
  EXPECT_EQ(onehot->output_names(), (std::vector<std::string>{"c_blue", "c_red", "n"}));
  MatrixD m = onehot->Transform(later).value();
  EXPECT_EQ(m(0, 0) + m(0, 1), 0.0);  // unseen "green": all zero
  EXPECT_EQ(m(1, 1), 1.0);            // missing -> most frequent, "red"
  EXPECT_EQ(m(2, 0), 1.0);

  PreprocessOptions ordinal{.encoding = CategoricalEncoding::kOrdinal};
  MatrixD o = Preprocessor::Fit(train, AllRows(4), ordinal)->Transform(later).value();
  EXPECT_EQ(o(0, 0), -1.0);  // unseen: ordinal_unknown_value
  EXPECT_EQ(o(1, 0), 1.0);   // "red"
  EXPECT_EQ(o(2, 0), 0.0);   // "blue"
  ordinal.ordinal_unknown_value = NAN;
  ordinal.categorical_imputation = CategoricalImputation::kNone;
  MatrixD o2 = Preprocessor::Fit(train, AllRows(4), ordinal)->Transform(later).value();
  EXPECT_TRUE(std::isnan(o2(0, 0)));
  EXPECT_TRUE(std::isnan(o2(1, 0)));  // missing stays missing

  PreprocessOptions none{.categorical_imputation = CategoricalImputation::kNone};
  MatrixD z = Preprocessor::Fit(train, AllRows(4), none)->Transform(later).value();
  EXPECT_EQ(z(1, 0) + z(1, 1), 0.0);

  // Constant fill: "missing" is a category because training had a gap.
  PreprocessOptions constant{.categorical_imputation = CategoricalImputation::kConstant};
  Result<Preprocessor> pc = Preprocessor::Fit(train, AllRows(4), constant);
  EXPECT_EQ(pc->output_names(), (std::vector<std::string>{"c_blue", "c_missing", "c_red", "n"}));
  EXPECT_EQ(pc->Transform(later).value()(1, 1), 1.0);
}

TEST(PreprocessTest, NoImputationKeepsNaN) {
  const Table t = Small("x,y\n1,5\n,5\n3,5\n");
  PreprocessOptions o{.numeric_imputation = NumericImputation::kNone};
  MatrixD m = Preprocessor::Fit(t, AllRows(3), o)->Transform(t).value();
  EXPECT_EQ(m(0, 0), -1.0);  // mean 2, std 1 over 1 and 3
  EXPECT_TRUE(std::isnan(m(1, 0)));
  EXPECT_EQ(m(2, 0), 1.0);
  // A constant column is 0, not 0/0.
  EXPECT_EQ(m(0, 1), 0.0);
  EXPECT_EQ(m(2, 1), 0.0);
}

TEST(PreprocessTest, AllMissingColumn) {
  const Table t = Small("x,empty,c\n1,,a\n2,,b\n3,NA,\n");
  Result<Preprocessor> dropped = Preprocessor::Fit(t, AllRows(3));
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->output_names(), (std::vector<std::string>{"x", "c_a", "c_b"}));
  EXPECT_EQ(
      dropped->warnings(),
      (std::vector<std::string>{"column 'empty' has no value in the 3 training rows; dropped"}));
  // Missing only in the training rows counts too.
  Result<Preprocessor> partial = Preprocessor::Fit(t, std::vector<size_t>{2});
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->output_names(), (std::vector<std::string>{"x"}));

  Result<Preprocessor> error =
      Preprocessor::Fit(t, AllRows(3), {.all_missing = AllMissingColumn::kError});
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.status().message(),
            "preprocessor: column 'empty' has no value in the 3 training rows");

  Result<Preprocessor> kept = Preprocessor::Fit(t, AllRows(3),
                                                {.scaling = Scaling::kNone,
                                                 .numeric_fill_value = 4.0,
                                                 .all_missing = AllMissingColumn::kConstant});
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->output_names(), (std::vector<std::string>{"x", "empty", "c_a", "c_b"}));
  MatrixD m = kept->Transform(t).value();
  EXPECT_EQ(m(0, 1), 4.0);
  EXPECT_EQ(m(2, 1), 4.0);

  const Table only_empty = Small("e,f\n,\n,\n");
  Result<Preprocessor> nothing = Preprocessor::Fit(only_empty, AllRows(2));
  ASSERT_FALSE(nothing.ok());
  EXPECT_THAT(nothing.status().message(), HasSubstr("no output column"));
}

TEST(PreprocessTest, ColumnsByNameAndTypeChanges) {
  const Table train = Small("n,c\n1,1\n2,2\n3,x\n");
  Result<Preprocessor> pre = Preprocessor::Fit(train, AllRows(3), {.scaling = Scaling::kNone});
  ASSERT_TRUE(pre.ok());
  // Columns reordered and an extra one: found by name.
  MatrixD m = pre->Transform(Small("extra,c,n\n9,2,5\n")).value();
  EXPECT_EQ(m(0, 0), 5.0);
  EXPECT_EQ(pre->output_names(), (std::vector<std::string>{"n", "c_1", "c_2", "c_x"}));
  EXPECT_EQ(m(0, 2), 1.0);  // "2" arrived as a number, matched by its text
  // A numeric column arriving as text that holds numbers is fine; as words
  // it is an error naming the column and row.
  CsvOptions forced;
  forced.column_types["n"] = ColumnType::kCategorical;
  Result<Table> text_numbers = ParseCsv("n,c\n7,x\n", forced);
  EXPECT_EQ(pre->Transform(*text_numbers).value()(0, 0), 7.0);
  Result<MatrixD> words = pre->Transform(Small("n,c\n1,x\nlots,x\n"));
  ASSERT_FALSE(words.ok());
  EXPECT_EQ(words.status().message(),
            "preprocessor: column 'n' was numeric at fit time, but row 1 holds 'lots'");
  Result<MatrixD> missing_col = pre->Transform(Small("n\n1\n"));
  ASSERT_FALSE(missing_col.ok());
  EXPECT_EQ(missing_col.status().message(), "preprocessor: input has no column 'c' (columns: n)");
  EXPECT_FALSE(pre->Transform(train, std::vector<size_t>{3}).ok());
  EXPECT_FALSE(Preprocessor::Fit(train, std::vector<size_t>{}).ok());
}

TEST(PreprocessTest, JsonRoundTripIsExact) {
  Result<Dataset> ds = Dataset::Create(ReadData("penguins.csv"), {.target = "species"});
  ASSERT_TRUE(ds.ok());
  const std::vector<PreprocessOptions> all = {
      {},
      {.scaling = Scaling::kMinMax,
       .encoding = CategoricalEncoding::kOrdinal,
       .numeric_imputation = NumericImputation::kMedian,
       .ordinal_unknown_value = NAN},
      {.numeric_imputation = NumericImputation::kNone,
       .categorical_imputation = CategoricalImputation::kConstant,
       .categorical_fill_value = "\"quoted\" \\ name"}};
  for (const PreprocessOptions& o : all) {
    Result<Preprocessor> pre = Preprocessor::Fit(*ds->View({0, 5, 9, 100, 200, 300, 3}), o);
    ASSERT_TRUE(pre.ok()) << pre.status();
    const std::string json = pre->ToJson();
    Result<Preprocessor> back = Preprocessor::FromJson(json);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->ToJson(), json);
    EXPECT_EQ(back->output_names(), pre->output_names());
    const MatrixD a = pre->Transform(ds->features()).value();
    const MatrixD b = back->Transform(ds->features()).value();
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<size_t>(a.size())), 0);
    const MatrixF f = back->TransformFloat(ds->features()).value();
    for (Eigen::Index i = 0; i < a.size(); ++i) {
      const float expected = static_cast<float>(a.data()[i]);
      if (std::isnan(expected)) {
        EXPECT_TRUE(std::isnan(f.data()[i]));
      } else {
        EXPECT_EQ(f.data()[i], expected);
      }
    }
  }
}

TEST(PreprocessTest, JsonKeepsBytesThatAreNotUtf8) {
  // "caf\xe9" is Latin-1; JSON text cannot hold it as a string.
  const Table t = Small("ville,n\ncaf\xe9,1\nbar,2\n\xff\xfe,3\n");
  Result<Preprocessor> pre = Preprocessor::Fit(t, AllRows(3));
  ASSERT_TRUE(pre.ok()) << pre.status();
  const std::string json = pre->ToJson();
  EXPECT_THAT(json, HasSubstr("{\"hex\":\"636166e9\"}"));
  Result<Preprocessor> back = Preprocessor::FromJson(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->columns()[0].categories, pre->columns()[0].categories);
  EXPECT_EQ(back->Transform(t).value(), pre->Transform(t).value());
  EXPECT_EQ(back->ToJson(), json);
}

TEST(PreprocessTest, BadJsonIsCorruptionNotACrash) {
  const Preprocessor good = Preprocessor::Fit(Small("a,b\n1,x\n2,y\n"), AllRows(2)).value();
  const std::string json = good.ToJson();
  std::vector<std::string> bad = {"", "{", "[]", "{}", "null", json.substr(0, json.size() / 2)};
  Json j = Json::parse(json);
  j["version"] = 99;
  bad.push_back(j.dump());
  j = Json::parse(json);
  j["options"]["scaling"] = "cubic";
  bad.push_back(j.dump());
  j = Json::parse(json);
  j["columns"][0]["scale"] = "x";
  bad.push_back(j.dump());
  j = Json::parse(json);
  j["columns"][0]["scale"] = 0;
  bad.push_back(j.dump());
  j = Json::parse(json);
  j["columns"][1]["fill_code"] = 5;
  bad.push_back(j.dump());
  j = Json::parse(json);
  j["columns"][1]["categories"] = {"y", "x"};
  bad.push_back(j.dump());
  j = Json::parse(json);
  j["columns"][1].erase("categories");
  bad.push_back(j.dump());
  j = Json::parse(json);
  j["columns"][1]["categories"] = "x";
  bad.push_back(j.dump());
  j = Json::parse(json);
  j["columns"][0]["name"] = {{"hex", "zz"}};
  bad.push_back(j.dump());
  for (const std::string& text : bad) {
    Result<Preprocessor> p = Preprocessor::FromJson(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.status().code(), StatusCode::kCorruption) << text;
    EXPECT_THAT(p.status().message(), HasSubstr("preprocessor JSON")) << text;
  }
}

TEST(PreprocessTest, MatrixHelpers) {
  const Table t = Small("a,b\n0,1\n2,0\n0,0\n");
  Preprocessor pre = Preprocessor::Fit(t, AllRows(3), {.scaling = Scaling::kNone}).value();
  const MatrixD m = pre.Transform(t).value();
  const std::vector<size_t> rows = {2, 0};
  const MatrixD g = GatherRows(m, rows);
  EXPECT_EQ(g(0, 0), 0.0);
  EXPECT_EQ(g(1, 1), 1.0);
  const CsrMatrix csr = ToCsr(m);
  EXPECT_EQ(csr.nnz(), 2u);
  EXPECT_EQ(csr.indptr, (std::vector<size_t>{0, 1, 2, 2}));
  EXPECT_EQ(csr.indices, (std::vector<uint32_t>{1, 0}));
  EXPECT_EQ(csr.ToDense(), m);
  const CsrMatrix sub = ToCsr(m, rows);
  EXPECT_EQ(sub.ToDense(), g);
}

}  // namespace
}  // namespace hypertune::ml
