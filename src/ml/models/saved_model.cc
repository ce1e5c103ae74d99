#include "hypertune/ml/saved_model.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#ifndef HYPERTUNE_VERSION
#define HYPERTUNE_VERSION "unknown"
#endif

namespace hypertune::ml {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kFormat = "hypertune-model";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(in[k])); };
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kBase64[(v >> s) & 63]);
  }
  if (const size_t rest = in.size() - i; rest > 0) {
    const uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out.push_back(kBase64[(v >> 18) & 63]);
    out.push_back(kBase64[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// Strict: the canonical encoding only (length a multiple of 4, padding only
// at the end).
Result<std::string> Base64Decode(std::string_view in) {
  static const auto table = [] {
    std::array<int8_t, 256> t;
    t.fill(-1);
    for (int k = 0; k < 64; ++k) t[static_cast<unsigned char>(kBase64[k])] = static_cast<int8_t>(k);
    return t;
  }();
  if (in.size() % 4 != 0) {
    return Status::Corruption("the base64 text has " + std::to_string(in.size()) +
                              " characters, not a multiple of 4");
  }
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    uint32_t v = 0;
    int pad = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = in[i + k];
      if (c == '=' && last && k >= 2 && (k == 3 || in[i + 3] == '=')) {
        ++pad;
        v <<= 6;
        continue;
      }
      const int8_t d = table[static_cast<unsigned char>(c)];
      if (d < 0 || pad > 0) {
        return Status::Corruption("invalid base64 character at offset " + std::to_string(i + k));
      }
      v = v << 6 | static_cast<uint32_t>(d);
    }
    out.push_back(static_cast<char>(v >> 16));
    if (pad < 2) out.push_back(static_cast<char>((v >> 8) & 255));
    if (pad < 1) out.push_back(static_cast<char>(v & 255));
  }
  return out;
}

uint32_t Crc32(std::string_view bytes) {
  uLong crc = crc32_z(0L, Z_NULL, 0);
  crc = crc32_z(crc, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size());
  return static_cast<uint32_t>(crc);
}

std::string NowUtc() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Status IoError(const std::string& what, const std::string& path, int err) {
  return Status::IoError(what + " " + path + ": " + std::strerror(err));
}

// Writes `contents` to a temporary file in the same directory, syncs it and
// renames it over `path`.
Status WriteAtomically(const std::string& path, std::string_view contents) {
  static std::atomic<uint64_t> counter{0};
  const std::string tmp =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create", tmp, errno);
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return IoError("cannot write", tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return IoError("cannot sync", tmp, err);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return IoError("cannot close", tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return IoError("cannot rename " + tmp + " to", path, err);
  }
  return Status::Ok();
}

Result<TaskType> ParseTask(const std::string& s) {
  if (s == ToString(TaskType::kClassification)) return TaskType::kClassification;
  if (s == ToString(TaskType::kRegression)) return TaskType::kRegression;
  return Status::Corruption("unknown task '" + s + "'");
}

// Typed field access for Load: Corruption naming the field.
template <class T>
Result<T> Field(const Json& obj, const std::string& name, const std::string& where) {
  const auto it = obj.find(name);
  if (it == obj.end()) return Status::Corruption(where + ": no field '" + name + "'");
  try {
    return it->template get<T>();
  } catch (const Json::exception&) {
    return Status::Corruption(where + ": field '" + name + "' has the wrong type (" +
                              std::string(it->type_name()) + ")");
  }
}

Json CardToJson(const ModelCard& c) {
  Json j = Json::object();
  j["hypertune_version"] = c.hypertune_version;
  j["created_at"] = c.created_at;
  j["model_kind"] = c.model_kind;
  j["task"] = std::string(ToString(c.task));
  j["params"] = ParamsToJson(c.params);
  j["class_names"] = c.class_names;
  j["target_name"] = c.target_name;
  j["input_columns"] = c.input_columns;
  j["feature_names"] = c.feature_names;
  j["scores"] = c.scores;
  j["fit_summary"] = c.fit_summary;
  j["metadata"] = c.metadata;
  return j;
}

Result<ModelCard> CardFromJson(const Json& j) {
  const std::string where = "card";
  if (!j.is_object()) return Status::Corruption("card: not a JSON object");
  ModelCard c;
  HT_ASSIGN_OR_RETURN(c.hypertune_version, Field<std::string>(j, "hypertune_version", where));
  HT_ASSIGN_OR_RETURN(c.created_at, Field<std::string>(j, "created_at", where));
  HT_ASSIGN_OR_RETURN(c.model_kind, Field<std::string>(j, "model_kind", where));
  HT_ASSIGN_OR_RETURN(const std::string task, Field<std::string>(j, "task", where));
  HT_ASSIGN_OR_RETURN(c.task, ParseTask(task));
  HT_ASSIGN_OR_RETURN(const Json params, Field<Json>(j, "params", where));
  Result<Params> p = ParamsFromJson(params);
  if (!p.ok()) return Status::Corruption("card: " + p.status().message());
  c.params = std::move(p).value();
  HT_ASSIGN_OR_RETURN(c.class_names, Field<std::vector<std::string>>(j, "class_names", where));
  HT_ASSIGN_OR_RETURN(c.target_name, Field<std::string>(j, "target_name", where));
  HT_ASSIGN_OR_RETURN(c.input_columns, Field<std::vector<std::string>>(j, "input_columns", where));
  HT_ASSIGN_OR_RETURN(c.feature_names, Field<std::vector<std::string>>(j, "feature_names", where));
  using Scores = std::map<std::string, double>;
  HT_ASSIGN_OR_RETURN(c.scores, Field<Scores>(j, "scores", where));
  HT_ASSIGN_OR_RETURN(c.fit_summary, Field<Json>(j, "fit_summary", where));
  HT_ASSIGN_OR_RETURN(c.metadata, Field<Json>(j, "metadata", where));
  return c;
}

}  // namespace

ModelCard CardFor(const Dataset& dataset) {
  ModelCard card;
  card.target_name = dataset.target_name();
  card.class_names = dataset.class_names();
  return card;
}

Result<SavedModel> SavedModel::Create(std::unique_ptr<Model> model, Preprocessor preprocessor,
                                      ModelCard card) {
  if (!model) return Status::InvalidArgument("saved model: no model");
  card.model_kind = std::string(model->kind());
  card.task = model->task();
  card.params = model->params();
  card.input_columns = preprocessor.input_names();
  card.feature_names = preprocessor.output_names();
  card.fit_summary = model->FitSummary();
  card.hypertune_version = HYPERTUNE_VERSION;
  card.created_at = NowUtc();
  if (card.task == TaskType::kClassification && card.class_names.size() < 2) {
    return Status::InvalidArgument("saved model: classification needs the class names (got " +
                                   std::to_string(card.class_names.size()) + ")");
  }
  if (card.task == TaskType::kRegression) card.class_names.clear();
  for (const auto& [name, v] : card.scores) {
    if (!std::isfinite(v)) {
      return Status::InvalidArgument("saved model: score '" + name + "' is not finite");
    }
  }
  if (!card.metadata.is_object()) {
    return Status::InvalidArgument("saved model: metadata must be a JSON object, not " +
                                   std::string(card.metadata.type_name()));
  }
  // The model must be fitted, on as many features as the preprocessor gives.
  Result<MatrixD> probe =
      model->Predict(MatrixF(0, static_cast<Eigen::Index>(preprocessor.num_outputs())));
  if (!probe.ok()) {
    return probe.status().WithContext("saved model: the model does not take the preprocessor's " +
                                      std::to_string(preprocessor.num_outputs()) + " outputs");
  }
  return SavedModel(std::move(model), std::move(preprocessor), std::move(card));
}

Result<std::string> SavedModel::ToBytes() const {
  HT_ASSIGN_OR_RETURN(const std::string native, model_->SaveNative());
  Json preprocessor = Json::parse(preprocessor_.ToJson(), nullptr, /*allow_exceptions=*/false);
  if (preprocessor.is_discarded()) return Status::Internal("saved model: preprocessor JSON");
  Json doc = Json::object();
  doc["format"] = kFormat;
  doc["format_version"] = kSavedModelFormatVersion;
  doc["card"] = CardToJson(card_);
  doc["preprocessor"] = std::move(preprocessor);
  doc["native"] = {{"encoding", "base64"},
                   {"size", native.size()},
                   {"crc32", Crc32(native)},
                   {"data", Base64Encode(native)}};
  return doc.dump(1) + "\n";
}

Status SavedModel::Save(const std::string& path) const {
  HT_ASSIGN_OR_RETURN(const std::string bytes, ToBytes());
  return WriteAtomically(path, bytes);
}

Result<SavedModel> SavedModel::FromBytes(std::string_view contents) {
  Json doc = Json::parse(contents, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::Corruption("not a saved model: the file is not a JSON object");
  }
  if (doc.value("format", Json()) != kFormat) {
    return Status::Corruption("not a saved model: no \"format\": \"hypertune-model\"");
  }
  const Json version = doc.value("format_version", Json());
  if (!version.is_number_integer() || version.get<int64_t>() < 1) {
    return Status::Corruption("saved model: invalid format_version " + version.dump());
  }
  if (version.get<int64_t>() > kSavedModelFormatVersion) {
    return Status::Unimplemented("saved model: format version " + version.dump() +
                                 " is newer than this build reads (" +
                                 std::to_string(kSavedModelFormatVersion) + ")");
  }
  HT_ASSIGN_OR_RETURN(const Json card_json, Field<Json>(doc, "card", "saved model"));
  HT_ASSIGN_OR_RETURN(ModelCard card, CardFromJson(card_json));
  HT_ASSIGN_OR_RETURN(const Json pre_json, Field<Json>(doc, "preprocessor", "saved model"));
  Result<Preprocessor> pre = Preprocessor::FromJson(pre_json.dump());
  if (!pre.ok()) return Status::Corruption("saved model: preprocessor: " + pre.status().message());
  if (pre->output_names() != card.feature_names) {
    return Status::Corruption("saved model: the preprocessor's outputs are not the card's " +
                              std::to_string(card.feature_names.size()) + " features");
  }
  if (card.task == TaskType::kClassification && card.class_names.size() < 2) {
    return Status::Corruption("saved model: a classifier without class names");
  }

  HT_ASSIGN_OR_RETURN(const Json native, Field<Json>(doc, "native", "saved model"));
  if (!native.is_object()) return Status::Corruption("saved model: native: not an object");
  HT_ASSIGN_OR_RETURN(const std::string encoding, Field<std::string>(native, "encoding", "native"));
  if (encoding != "base64") {
    return Status::Corruption("saved model: native: unknown encoding '" + encoding + "'");
  }
  HT_ASSIGN_OR_RETURN(const std::string data, Field<std::string>(native, "data", "native"));
  HT_ASSIGN_OR_RETURN(const uint64_t size, Field<uint64_t>(native, "size", "native"));
  HT_ASSIGN_OR_RETURN(const uint32_t crc, Field<uint32_t>(native, "crc32", "native"));
  Result<std::string> bytes = Base64Decode(data);
  if (!bytes.ok()) return bytes.status().WithContext("saved model: native");
  if (bytes->size() != size || Crc32(*bytes) != crc) {
    return Status::Corruption("saved model: native: the model bytes are damaged (" +
                              std::to_string(bytes->size()) + " bytes, expected " +
                              std::to_string(size) + "; checksum " +
                              (Crc32(*bytes) == crc ? "matches" : "differs") + ")");
  }

  Result<const ModelInfo*> info = FindModel(card.model_kind);
  if (!info.ok()) {
    return Status::Unimplemented("saved model: this build has no model kind '" + card.model_kind +
                                 "': " + info.status().message());
  }
  Result<std::unique_ptr<Model>> model =
      (*info)->create(card.params, card.task, card.class_names.size());
  if (!model.ok()) return model.status().WithContext("saved model: " + card.model_kind);
  HT_RETURN_IF_ERROR((*model)->LoadNative(*bytes).WithContext("saved model: " + card.model_kind));
  Result<MatrixD> probe =
      (*model)->Predict(MatrixF(0, static_cast<Eigen::Index>(pre->num_outputs())));
  if (!probe.ok()) {
    return Status::Corruption("saved model: the model does not take the preprocessor's outputs: " +
                              probe.status().message());
  }
  return SavedModel(std::move(model).value(), std::move(pre).value(), std::move(card));
}

Result<SavedModel> SavedModel::Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound("no file " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot open", path, errno);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IoError("cannot read", path, errno);
  Result<SavedModel> m = FromBytes(ss.str());
  if (!m.ok()) return m.status().WithContext(path);
  return m;
}

Result<SavedModel::Prediction> SavedModel::Predict(const Table& table) const {
  HT_ASSIGN_OR_RETURN(const MatrixF x, preprocessor_.TransformFloat(table));
  Prediction out;
  HT_ASSIGN_OR_RETURN(out.values, model_->Predict(x));
  if (card_.task != TaskType::kClassification) return out;
  if (static_cast<size_t>(out.values.cols()) != card_.class_names.size()) {
    return Status::Internal("saved model: the model gives " + std::to_string(out.values.cols()) +
                            " columns for " + std::to_string(card_.class_names.size()) +
                            " classes");
  }
  out.codes.reserve(static_cast<size_t>(out.values.rows()));
  out.labels.reserve(static_cast<size_t>(out.values.rows()));
  for (Eigen::Index i = 0; i < out.values.rows(); ++i) {
    Eigen::Index best = 0;
    out.values.row(i).maxCoeff(&best);
    out.codes.push_back(static_cast<int32_t>(best));
    out.labels.push_back(card_.class_names[static_cast<size_t>(best)]);
  }
  return out;
}

}  // namespace hypertune::ml
