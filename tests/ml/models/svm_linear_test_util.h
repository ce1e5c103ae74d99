// Helpers shared by the svm, logistic and linear model tests: a shared
// dataset read, split and preprocessed into ModelData, and scikit-learn 1.2
// (sklearn_svm_linear.py) fitted on the exact doubles our models read.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hypertune/core/study.h"
#include "hypertune/core/tpe_sampler.h"
#include "hypertune/core/trial.h"
#include "hypertune/ml/csv.h"
#include "hypertune/ml/dataset.h"
#include "hypertune/ml/model.h"
#include "hypertune/ml/preprocess.h"
#include "hypertune/ml/split.h"
#include "tests/ml/data/data_test_util.h"

namespace hypertune::ml::testing {

// A shared dataset split into train / validation / test and preprocessed
// (fitted on the training rows) with the model's preprocessing.
struct Prepared {
  std::unique_ptr<Dataset> dataset;
  ModelData train;
  ModelData valid;
  ModelData test;
};

inline Prepared Prepare(const std::string& file, const std::string& target, TaskType task,
                        uint64_t seed = 7, const PreprocessOptions& pre_options = {},
                        SplitRatios ratios = {.validation = 0.2, .test = 0.2}) {
  Prepared out;
  Table table = ReadCsv(DataPath(file)).value();
  out.dataset = std::make_unique<Dataset>(
      Dataset::Create(std::move(table), {.target = target, .task = task}).value());
  const TrainValTest split = Split(out.dataset->AllRows(), ratios, seed).value();
  const DatasetView train = out.dataset->View(split.train).value();
  const Preprocessor pre = Preprocessor::Fit(train, pre_options).value();
  out.train = MakeModelData(pre, train).value();
  out.valid = MakeModelData(pre, out.dataset->View(split.validation).value()).value();
  if (!split.test.empty())
    out.test = MakeModelData(pre, out.dataset->View(split.test).value()).value();
  return out;
}

inline std::string WriteDoubles(const std::string& name, const std::vector<double>& v) {
  std::string bytes(v.size() * sizeof(double), '\0');
  std::memcpy(bytes.data(), v.data(), bytes.size());
  return WriteTempFile(name, bytes);
}

// Row-major, each float as the double our models read.
inline std::string WriteMatrix(const std::string& name, const MatrixF& m) {
  std::vector<double> v;
  v.reserve(static_cast<size_t>(m.size()));
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    for (Eigen::Index c = 0; c < m.cols(); ++c) v.push_back(m(r, c));
  }
  return WriteDoubles(name, v);
}

// Fits every job ({"estimator": "SVC", "params": {...}}) on `train` and
// predicts `test`; one result object per job (see sklearn_svm_linear.py).
inline Json RunSklearn(const std::string& tag, const ModelData& train, const ModelData& test,
                       const Json& jobs) {
  const std::vector<double> y(train.y.begin(), train.y.end());
  Json spec = {{"x_train", WriteMatrix(tag + "_x_train.f64", train.x)},
               {"y_train", WriteDoubles(tag + "_y_train.f64", y)},
               {"x_test", WriteMatrix(tag + "_x_test.f64", test.x)},
               {"cols", train.cols()},
               {"jobs", jobs}};
  const std::string spec_path = WriteTempFile(tag + "_spec.json", spec.dump());
  const std::string script =
      (std::filesystem::path(__FILE__).parent_path() / "sklearn_svm_linear.py").string();
  const std::string cmd = kPython + " '" + script + "' '" + spec_path + "'";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << cmd;
    return nullptr;
  }
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  if (pclose(pipe) != 0) {
    ADD_FAILURE() << cmd << " failed";
    return nullptr;
  }
  Json j = Json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array() || j.size() != jobs.size()) {
    ADD_FAILURE() << cmd << " printed: " << out.substr(0, 500);
    return nullptr;
  }
  return j;
}

// For RecordProperty: "1.23e-09".
inline std::string Sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3g", v);
  return buf;
}

// Index of the largest entry of each row.
inline std::vector<int> ArgMax(const MatrixD& m) {
  std::vector<int> out;
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    Eigen::Index best = 0;
    m.row(r).maxCoeff(&best);
    out.push_back(static_cast<int>(best));
  }
  return out;
}

inline double Accuracy(const MatrixD& pred, const ModelData& data) {
  const std::vector<int> cls = ArgMax(pred);
  size_t right = 0;
  for (size_t i = 0; i < cls.size(); ++i) right += cls[i] == static_cast<int>(data.y[i]);
  return static_cast<double>(right) / static_cast<double>(cls.size());
}

inline double R2(const MatrixD& pred, const ModelData& data) {
  double mean = 0;
  for (float v : data.y) mean += v;
  mean /= static_cast<double>(data.y.size());
  double ss_res = 0, ss_tot = 0;
  for (size_t i = 0; i < data.y.size(); ++i) {
    ss_res += std::pow(data.y[i] - pred(static_cast<Eigen::Index>(i), 0), 2);
    ss_tot += std::pow(data.y[i] - mean, 2);
  }
  return 1.0 - ss_res / ss_tot;
}

// Fits `model` on `train` with `params` and scores it on `valid` (accuracy or
// R^2: larger is better).
inline double FitAndScore(const ModelInfo& info, const Params& params, const ModelData& train,
                          const ModelData& valid) {
  auto model = info.create(params, train.task, train.num_classes);
  EXPECT_TRUE(model.ok()) << model.status();
  if (!model.ok()) return -1e9;
  const Status fit = (*model)->Fit(train, {});
  EXPECT_TRUE(fit.ok()) << fit;
  if (!fit.ok()) return -1e9;
  const MatrixD pred = (*model)->Predict(valid.x).value();
  return train.task == TaskType::kClassification ? Accuracy(pred, valid) : R2(pred, valid);
}

// A TPE study of `trials` trials over the model's default space (with
// `fixed` fixed) maximizing the validation score; returns the best value.
inline double TuneWithTpe(const ModelInfo& info, const ModelData& train, const ModelData& valid,
                          int trials, const Params& fixed = {}) {
  SearchSpace space = info.default_space(train.task);
  for (const auto& [name, value] : fixed) EXPECT_TRUE(space.Fix(name, value).ok()) << name;
  auto study = CreateStudy({.directions = {StudyDirection::kMaximize},
                            .sampler = std::make_shared<TpeSampler>(
                                TpeSamplerOptions{.seed = 11, .n_startup_trials = 8})})
                   .value();
  const Status st = study->Optimize(
      [&](Trial& trial) {
        const Params params = space.Suggest(trial);
        return FitAndScore(info, params, train, valid);
      },
      {.n_trials = trials});
  EXPECT_TRUE(st.ok()) << st;
  return study->BestValue().value();
}

}  // namespace hypertune::ml::testing
