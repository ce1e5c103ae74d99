// SavedModel: a trained model in one file, with what it takes to use it on
// new data (the fitted preprocessor, the input columns, the class names) and
// a card saying what it is and where it came from (model kind, task,
// hyperparameters, scores, free-form metadata such as the study and trial).
// Any model of the registry can be saved: the file holds the library's own
// bytes (Model::SaveNative), and Load recreates the model by its kind
// (FindModel(kind)->create, then LoadNative).
//
//   ModelCard card = CardFor(dataset);            // target and class names
//   card.scores = {{"validation_accuracy", 0.87}};
//   card.metadata = {{"study", "adult"}, {"trial", 12}};
//   SavedModel saved = SavedModel::Create(std::move(model), pre, card).value();
//   HT_CHECK(saved.Save("adult.htmodel").ok());
//
//   SavedModel back = SavedModel::Load("adult.htmodel").value();
//   Table rows = ReadCsv("new_people.csv").value();   // columns found by name
//   SavedModel::Prediction p = back.Predict(rows).value();
//   p.labels[0];                                      // ">50K"
//
// File format, version 1: one JSON document (UTF-8), readable with any JSON
// tool:
//   {"format": "hypertune-model", "format_version": 1,
//    "card": {"hypertune_version", "created_at", "model_kind", "task",
//             "params", "class_names", "target_name", "input_columns",
//             "feature_names", "scores", "fit_summary", "metadata"},
//    "preprocessor": <Preprocessor::ToJson()>,
//    "native": {"encoding": "base64", "size": <bytes>, "crc32": <of the bytes>,
//               "data": "<the model library's bytes, base64>"}}
// Save writes a temporary file beside `path`, syncs it and renames it over
// `path`, so a reader sees the old file or the new one, never a partial one.
// Load checks the checksum, so a damaged file is a Corruption error, not a
// wrong model.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hypertune/core/status.h"
#include "hypertune/ml/dataset.h"
#include "hypertune/ml/matrix.h"
#include "hypertune/ml/model.h"
#include "hypertune/ml/preprocess.h"
#include "hypertune/ml/table.h"

namespace hypertune::ml {

inline constexpr int kSavedModelFormatVersion = 1;

struct ModelCard {
  // Given by the caller (CardFor fills the first two from a Dataset).
  std::string target_name;
  std::vector<std::string> class_names;  // classification: class code -> name
  // Validation / test scores by name ("validation_accuracy"); finite.
  std::map<std::string, double> scores;
  // Anything else: study name, trial number, dataset path... A JSON object.
  nlohmann::json metadata = nlohmann::json::object();

  // Filled by SavedModel::Create from the model and the preprocessor.
  std::string model_kind;
  TaskType task = TaskType::kClassification;
  Params params;
  std::vector<std::string> input_columns;  // the table columns read
  std::vector<std::string> feature_names;  // the model's inputs, after preprocessing
  nlohmann::json fit_summary = nlohmann::json::object();
  std::string hypertune_version;
  std::string created_at;  // UTC, ISO 8601
};

// A card with the dataset's target name and class names.
ModelCard CardFor(const Dataset& dataset);

class SavedModel {
 public:
  // A fitted model with the preprocessor fitted for it. InvalidArgument for
  // classification without at least 2 class names, a preprocessor whose
  // outputs the model was not fitted on, non-finite scores, metadata that is
  // not an object. FailedPrecondition for a model that is not fitted.
  static Result<SavedModel> Create(std::unique_ptr<Model> model, Preprocessor preprocessor,
                                   ModelCard card);

  // IoError naming the path when it cannot be written.
  Status Save(const std::string& path) const;
  // NotFound / IoError for a file that cannot be read; Corruption for a file
  // that is not a saved model or is damaged (naming what is wrong);
  // Unimplemented for a newer format version or a model kind this build
  // does not have.
  static Result<SavedModel> Load(const std::string& path);
  // The same from the file's contents.
  static Result<SavedModel> FromBytes(std::string_view contents);
  Result<std::string> ToBytes() const;

  struct Prediction {
    // Model::Predict's output: class probabilities (rows x classes) or
    // values (rows x 1).
    MatrixD values;
    // Classification: the most probable class (ties: the lower code), as a
    // code and by name. Empty for regression.
    std::vector<int32_t> codes;
    std::vector<std::string> labels;
  };
  // The rows of `table` (columns found by name; others ignored) through the
  // preprocessor and the model.
  Result<Prediction> Predict(const Table& table) const;

  const ModelCard& card() const { return card_; }
  const Model& model() const { return *model_; }
  const Preprocessor& preprocessor() const { return preprocessor_; }

 private:
  SavedModel(std::unique_ptr<Model> model, Preprocessor preprocessor, ModelCard card)
      : model_(std::move(model)), preprocessor_(std::move(preprocessor)), card_(std::move(card)) {}

  std::unique_ptr<Model> model_;
  Preprocessor preprocessor_;
  ModelCard card_;
};

}  // namespace hypertune::ml
