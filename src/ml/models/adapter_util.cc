#include "src/ml/models/adapter_util.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace hypertune::ml::models_internal {

namespace {
std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string Number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

Status BadValue(std::string_view model, std::string_view name, double value,
                std::string_view what) {
  return Status::InvalidArgument(std::string(model) + ": hyperparameter " + Quote(name) + " is " +
                                 Number(value) + "; it must be " + std::string(what));
}
}  // namespace

Status CheckTrainingData(std::string_view model, TaskType task, size_t num_classes,
                         const ModelData& data) {
  const std::string m(model);
  if (data.task != task) {
    return Status::InvalidArgument(m + ": the model was created for " +
                                   std::string(ToString(task)) + " but the data is for " +
                                   std::string(ToString(data.task)));
  }
  if (data.rows() == 0) return Status::InvalidArgument(m + ": the training data has no rows");
  if (data.cols() == 0) return Status::InvalidArgument(m + ": the training data has no columns");
  if (data.y.size() != data.rows()) {
    return Status::InvalidArgument(m + ": the training data has " + std::to_string(data.rows()) +
                                   " rows but " + std::to_string(data.y.size()) + " targets");
  }
  for (size_t i = 0; i < data.y.size(); ++i) {
    const float v = data.y[i];
    if (task == TaskType::kRegression) {
      if (!std::isfinite(v)) {
        return Status::InvalidArgument(m + ": the target of training row " + std::to_string(i) +
                                       " is " + Number(v) + "; targets must be finite");
      }
    } else if (!(v >= 0) || std::trunc(v) != v || static_cast<double>(v) >= num_classes) {
      return Status::InvalidArgument(m + ": the target of training row " + std::to_string(i) +
                                     " is " + Number(v) + ", not a class code in [0, " +
                                     std::to_string(num_classes) + ")");
    }
  }
  return Status::Ok();
}

Status CheckPredictInput(std::string_view model, bool fitted, size_t num_features,
                         const MatrixF& x) {
  if (!fitted) {
    return Status::FailedPrecondition(std::string(model) + ": Predict before Fit or LoadNative");
  }
  if (static_cast<size_t>(x.cols()) != num_features) {
    return Status::InvalidArgument(std::string(model) + ": the model takes " +
                                   std::to_string(num_features) + " columns but the rows have " +
                                   std::to_string(x.cols()));
  }
  return Status::Ok();
}

std::string DescribeColumn(const ModelData& data, size_t col) {
  if (col < data.feature_names.size()) {
    return Quote(data.feature_names[col]) + " (column " + std::to_string(col) + ")";
  }
  return "column " + std::to_string(col);
}

ClassSummary SummarizeClasses(const std::vector<float>& y) {
  std::map<int, std::pair<size_t, size_t>> seen;  // code -> (count, first row)
  for (size_t i = 0; i < y.size(); ++i) {
    auto [it, inserted] = seen.try_emplace(static_cast<int>(y[i]), 0, i);
    ++it->second.first;
  }
  ClassSummary out;
  for (const auto& [code, v] : seen) {
    out.codes.push_back(code);
    out.counts.push_back(v.first);
    out.first_row.push_back(v.second);
  }
  return out;
}

Status CheckTwoClasses(std::string_view model, const ClassSummary& classes) {
  if (classes.codes.size() >= 2) return Status::Ok();
  std::string which = classes.codes.empty()
                          ? std::string("no class")
                          : "a single class (code " + std::to_string(classes.codes[0]) + ")";
  return Status::InvalidArgument(std::string(model) + ": the training data has " + which +
                                 "; a classifier needs at least two");
}

std::vector<double> BalancedClassWeights(const ClassSummary& classes) {
  size_t n = 0;
  for (size_t c : classes.counts) n += c;
  std::vector<double> out;
  for (size_t c : classes.counts) {
    out.push_back(static_cast<double>(n) /
                  (static_cast<double>(classes.codes.size()) * static_cast<double>(c)));
  }
  return out;
}

Status CheckPositive(std::string_view model, std::string_view name, double value) {
  if (std::isfinite(value) && value > 0) return Status::Ok();
  return BadValue(model, name, value, "a finite number > 0");
}

Status CheckNonNegative(std::string_view model, std::string_view name, double value) {
  if (std::isfinite(value) && value >= 0) return Status::Ok();
  return BadValue(model, name, value, "a finite number >= 0");
}

Status CheckInRange(std::string_view model, std::string_view name, double value, double low,
                    double high) {
  if (value >= low && value <= high) return Status::Ok();
  return BadValue(model, name, value, "in [" + Number(low) + ", " + Number(high) + "]");
}

Result<size_t> CheckChoice(std::string_view model, std::string_view name, const std::string& value,
                           const std::vector<std::string>& choices) {
  std::string list;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] == value) return i;
    list += (i ? ", " : "") + choices[i];
  }
  return Status::InvalidArgument(std::string(model) + ": hyperparameter " + Quote(name) + " is " +
                                 Quote(value) + "; it must be one of " + list);
}

Result<TempFile> TempFile::Create(std::string_view prefix) {
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) return Status::IoError("no temporary directory: " + ec.message());
  std::string pattern = (dir / (std::string(prefix) + "-XXXXXX")).string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) return Status::IoError("cannot create a temporary file " + pattern);
  ::close(fd);
  return TempFile(std::move(pattern));
}

TempFile::~TempFile() {
  if (!path_.empty()) std::remove(path_.c_str());
}

Result<std::string> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path);
  std::ostringstream os;
  os << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read " + path);
  return os.str();
}

Status WriteFileBytes(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

std::string ExactDouble(double v) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, end);
}

std::mutex& CRandMutex() {
  static std::mutex mu;
  return mu;
}

std::mutex& ModelFileMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace hypertune::ml::models_internal
