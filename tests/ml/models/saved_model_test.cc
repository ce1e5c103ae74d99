// Saved models: a round trip through a file keeps predictions bit for bit
// and every card field; damaged files, newer format versions and model kinds
// this build lacks are clear errors; Save replaces a file atomically.
#include "hypertune/ml/saved_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "hypertune/ml/csv.h"
#include "hypertune/ml/dataset.h"
#include "hypertune/ml/model.h"
#include "hypertune/ml/preprocess.h"
#include "hypertune/ml/split.h"
#include "tests/ml/data/data_test_util.h"

namespace hypertune::ml {
namespace {

namespace fs = std::filesystem;
using testing::DataPath;
using ::testing::HasSubstr;
using Json = nlohmann::json;

const ModelInfo& Xgb() { return *FindModel("xgboost").value(); }

fs::path TempDir() {
  const fs::path dir =
      fs::temp_directory_path() / ("hypertune_saved_model_" + std::to_string(::getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << s;
}

// Penguins: text columns (island, sex), missing values, class names.
struct Fitted {
  Table table;
  Dataset ds;
  Preprocessor pre;
  std::unique_ptr<Model> model;
};

Fitted FitPenguins() {
  Fitted f;
  f.table = ReadCsv(DataPath("penguins.csv")).value();
  f.ds = Dataset::Create(f.table, {.target = "species", .task = TaskType::kClassification}).value();
  const TrainValTest split = Split(f.ds.AllRows(), {.validation = 0.3}, 4).value();
  const DatasetView train = f.ds.View(split.train).value();
  f.pre = Preprocessor::Fit(train, Xgb().preprocessing).value();
  const ModelData data = MakeModelData(f.pre, train).value();
  f.model = Xgb()
                .create({{"n_estimators", int64_t{15}}, {"max_depth", int64_t{3}}},
                        TaskType::kClassification, f.ds.num_classes())
                .value();
  EXPECT_TRUE(f.model->Fit(data, {.seed = 5}).ok());
  return f;
}

SavedModel SavePenguins(Fitted& f) {
  ModelCard card = CardFor(f.ds);
  card.scores = {{"validation_accuracy", 0.97}, {"test_accuracy", 0.95}};
  card.metadata = {{"study", "penguins"}, {"trial", 12}, {"note", "a test"}};
  return SavedModel::Create(std::move(f.model), f.pre, card).value();
}

TEST(SavedModelTest, RoundTripKeepsPredictionsAndTheCard) {
  Fitted f = FitPenguins();
  const SavedModel saved = SavePenguins(f);
  const fs::path path = TempDir() / "penguins.htmodel";
  ASSERT_TRUE(saved.Save(path.string()).ok());

  const Result<SavedModel> loaded = SavedModel::Load(path.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const SavedModel::Prediction before = saved.Predict(f.table).value();
  const SavedModel::Prediction after = loaded->Predict(f.table).value();
  EXPECT_EQ(after.values, before.values);
  EXPECT_EQ(after.codes, before.codes);
  EXPECT_EQ(after.labels, before.labels);
  ASSERT_EQ(after.values.rows(), 344);
  ASSERT_EQ(after.values.cols(), 3);
  // Decoded labels: the penguins' own species, mostly right.
  size_t right = 0;
  const auto& species = *f.table.Find("species");
  for (size_t i = 0; i < after.labels.size(); ++i) {
    right += after.labels[i] == species.categories[static_cast<size_t>(species.codes[i])];
  }
  EXPECT_GT(right, 330u);

  const ModelCard& a = saved.card();
  const ModelCard& b = loaded->card();
  EXPECT_EQ(b.model_kind, "xgboost");
  EXPECT_EQ(b.task, TaskType::kClassification);
  EXPECT_EQ(b.params, a.params);
  EXPECT_EQ(std::get<int64_t>(b.params.at("n_estimators")), 15);
  EXPECT_EQ(b.class_names, (std::vector<std::string>{"Adelie", "Chinstrap", "Gentoo"}));
  EXPECT_EQ(b.target_name, "species");
  EXPECT_EQ(b.input_columns, a.input_columns);
  EXPECT_THAT(b.input_columns, ::testing::Contains("island"));
  EXPECT_THAT(b.input_columns, ::testing::Not(::testing::Contains("species")));
  EXPECT_EQ(b.feature_names, a.feature_names);
  EXPECT_EQ(b.scores, a.scores);
  EXPECT_EQ(b.metadata, a.metadata);
  EXPECT_EQ(b.metadata["trial"], 12);
  EXPECT_EQ(b.fit_summary, a.fit_summary);
  EXPECT_THAT(b.hypertune_version, ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
  EXPECT_EQ(b.created_at, a.created_at);
  EXPECT_EQ(b.created_at.size(), 20u);  // 2024-01-02T03:04:05Z
  // Saving what was loaded gives the same file.
  EXPECT_EQ(loaded->ToBytes().value(), ReadFile(path));
}

TEST(SavedModelTest, RegressionPredictsValuesWithoutLabels) {
  Table table = ReadCsv(DataPath("diabetes.csv")).value();
  Dataset ds =
      Dataset::Create(table, {.target = "progression", .task = TaskType::kRegression}).value();
  Preprocessor pre = Preprocessor::Fit(ds.AllRows(), Xgb().preprocessing).value();
  const ModelData data = MakeModelData(pre, ds.AllRows()).value();
  auto model = Xgb().create({{"n_estimators", int64_t{10}}}, TaskType::kRegression, 0).value();
  ASSERT_TRUE(model->Fit(data, {}).ok());
  const MatrixD direct = model->Predict(data.x).value();
  const SavedModel saved = SavedModel::Create(std::move(model), pre, CardFor(ds)).value();
  const SavedModel loaded = SavedModel::FromBytes(saved.ToBytes().value()).value();
  const SavedModel::Prediction p = loaded.Predict(table).value();
  EXPECT_EQ(p.values, direct);
  EXPECT_TRUE(p.labels.empty());
  EXPECT_TRUE(p.codes.empty());
  EXPECT_TRUE(loaded.card().class_names.empty());
  EXPECT_EQ(loaded.card().task, TaskType::kRegression);
}

class SavedModelFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Fitted f = FitPenguins();
    const SavedModel saved = SavePenguins(f);
    dir_ = TempDir();
    path_ = dir_ / "m.htmodel";
    ASSERT_TRUE(saved.Save(path_.string()).ok());
    doc_ = Json::parse(ReadFile(path_));
  }
  // Writes `doc` and loads it.
  Status LoadEdited(const Json& doc) {
    WriteFile(path_, doc.dump());
    return SavedModel::Load(path_.string()).status();
  }

  fs::path dir_, path_;
  Json doc_;
};

TEST_F(SavedModelFileTest, DamagedFilesAreCorruption) {
  const std::string text = ReadFile(path_);
  WriteFile(path_, text.substr(0, text.size() / 2));  // truncated
  Status s = SavedModel::Load(path_.string()).status();
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s;
  EXPECT_THAT(s.message(), HasSubstr(path_.string()));

  Json doc = doc_;
  std::string& data = doc["native"]["data"].get_ref<std::string&>();
  data[data.size() / 2] = data[data.size() / 2] == 'A' ? 'B' : 'A';  // one byte changed
  s = LoadEdited(doc);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s;
  EXPECT_THAT(s.message(), HasSubstr("damaged"));

  doc = doc_;
  doc["native"]["data"] = "!!!!";
  EXPECT_THAT(LoadEdited(doc).message(), HasSubstr("base64"));

  doc = doc_;
  doc["card"].erase("class_names");
  s = LoadEdited(doc);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("class_names"));

  doc = doc_;
  doc["card"]["feature_names"] = Json::array({"a"});
  EXPECT_EQ(LoadEdited(doc).code(), StatusCode::kCorruption);

  doc = doc_;
  doc["preprocessor"] = Json::object();
  EXPECT_EQ(LoadEdited(doc).code(), StatusCode::kCorruption);

  doc = doc_;
  doc["format"] = "something-else";
  EXPECT_EQ(LoadEdited(doc).code(), StatusCode::kCorruption);

  WriteFile(path_, "");
  EXPECT_EQ(SavedModel::Load(path_.string()).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(SavedModel::Load((dir_ / "absent").string()).status().code(), StatusCode::kNotFound);
}

TEST_F(SavedModelFileTest, NewerFormatsAndUnknownModelKindsAreUnimplemented) {
  Json doc = doc_;
  doc["format_version"] = 2;
  Status s = LoadEdited(doc);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s;
  EXPECT_THAT(s.message(), HasSubstr("format version 2"));

  doc = doc_;
  doc["format_version"] = "1";
  EXPECT_EQ(LoadEdited(doc).code(), StatusCode::kCorruption);

  doc = doc_;
  doc["card"]["model_kind"] = "torch_mlp";
  s = LoadEdited(doc);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented) << s;
  EXPECT_THAT(s.message(), HasSubstr("torch_mlp"));
  EXPECT_THAT(s.message(), HasSubstr("xgboost"));  // the kinds this build has

  // Params this build's model rejects.
  doc = doc_;
  doc["card"]["params"]["tree_method"] = "bogus";
  s = LoadEdited(doc);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), HasSubstr("tree_method"));
}

TEST_F(SavedModelFileTest, SaveReplacesTheFileAtomically) {
  Fitted f = FitPenguins();
  ModelCard card = CardFor(f.ds);
  card.metadata = {{"version", 2}};
  const SavedModel second = SavedModel::Create(std::move(f.model), f.pre, card).value();
  ASSERT_TRUE(second.Save(path_.string()).ok());
  EXPECT_EQ(SavedModel::Load(path_.string()).value().card().metadata["version"], 2);
  // Only the file itself is left in the directory.
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    ++files;
    EXPECT_EQ(entry.path(), path_);
  }
  EXPECT_EQ(files, 1u);
  Status s = second.Save((dir_ / "no_such_dir" / "m.htmodel").string());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_THAT(s.message(), HasSubstr("no_such_dir"));
}

TEST(SavedModelTest, CreateRejectsWhatCannotBeUsed) {
  Fitted f = FitPenguins();
  auto unfitted = Xgb().create({}, TaskType::kClassification, 3).value();
  EXPECT_EQ(SavedModel::Create(std::move(unfitted), f.pre, CardFor(f.ds)).status().code(),
            StatusCode::kFailedPrecondition);

  ModelCard no_classes = CardFor(f.ds);
  no_classes.class_names.clear();
  auto m = Xgb().create({}, TaskType::kClassification, 3).value();
  EXPECT_EQ(SavedModel::Create(std::move(m), f.pre, no_classes).status().code(),
            StatusCode::kInvalidArgument);

  // A preprocessor with other outputs than the model was fitted on.
  Preprocessor one_hot =
      Preprocessor::Fit(f.ds.AllRows(), PreprocessOptions{}).value();  // one-hot: more columns
  ASSERT_NE(one_hot.num_outputs(), f.pre.num_outputs());
  Fitted g = FitPenguins();
  Status s = SavedModel::Create(std::move(g.model), one_hot, CardFor(g.ds)).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("columns"));

  Fitted h = FitPenguins();
  ModelCard nan_score = CardFor(h.ds);
  nan_score.scores["x"] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(SavedModel::Create(std::move(h.model), h.pre, nan_score).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hypertune::ml
