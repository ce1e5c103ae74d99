#include "hypertune/ml/model.h"

#include <cmath>
#include <sstream>

#include "hypertune/core/trial.h"
#include "src/ml/models/registry.h"

namespace hypertune::ml {

using hypertune::ToString;  // ParamValue and Distribution, beside ml::ToString
namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// The value converted to the kind of `range`, or nullopt if it cannot be.
std::optional<ParamValue> ConvertTo(const Distribution& range, const ParamValue& v) {
  if (std::holds_alternative<FloatDistribution>(range)) {
    if (const auto* d = std::get_if<double>(&v)) return *d;
    if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
    return std::nullopt;
  }
  if (std::holds_alternative<IntDistribution>(range)) {
    if (const auto* i = std::get_if<int64_t>(&v)) return *i;
    if (const auto* d = std::get_if<double>(&v); d && std::trunc(*d) == *d && std::isfinite(*d))
      return static_cast<int64_t>(*d);
    return std::nullopt;
  }
  const auto& choices = std::get<CategoricalDistribution>(range).choices;
  for (const ParamValue& c : choices) {
    if (c == v) return c;
    // 3 and 3.0 name one choice, as in Python.
    const auto* ci = std::get_if<int64_t>(&c);
    const auto* vd = std::get_if<double>(&v);
    if (ci && vd && static_cast<double>(*ci) == *vd) return c;
    const auto* cd = std::get_if<double>(&c);
    const auto* vi = std::get_if<int64_t>(&v);
    if (cd && vi && *cd == static_cast<double>(*vi)) return c;
  }
  return std::nullopt;
}

std::string KindName(const Distribution& d) {
  if (std::holds_alternative<FloatDistribution>(d)) return "float";
  if (std::holds_alternative<IntDistribution>(d)) return "int";
  return "categorical";
}

}  // namespace

nlohmann::json ParamsToJson(const Params& params) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, v] : params) {
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            out[name] = nullptr;
          } else {
            out[name] = x;
          }
        },
        v);
  }
  return out;
}

Result<Params> ParamsFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Status::InvalidArgument("params: expected a JSON object");
  Params out;
  for (const auto& [name, v] : json.items()) {
    if (v.is_null()) {
      out[name] = std::monostate{};
    } else if (v.is_boolean()) {
      out[name] = v.get<bool>();
    } else if (v.is_number_integer()) {
      out[name] = v.get<int64_t>();
    } else if (v.is_number()) {
      out[name] = v.get<double>();
    } else if (v.is_string()) {
      out[name] = v.get<std::string>();
    } else {
      return Status::InvalidArgument("params: '" + name + "' is not a scalar");
    }
  }
  return out;
}

Result<SearchSpace> SearchSpace::Create(std::vector<Hyperparameter> hyperparameters) {
  SearchSpace space;
  for (Hyperparameter& hp : hyperparameters) {
    const std::string where = "hyperparameter " + Quote(hp.name);
    if (hp.name.empty()) return Status::InvalidArgument("a hyperparameter has no name");
    if (space.Find(hp.name)) return Status::InvalidArgument(where + " is declared twice");
    HT_RETURN_IF_ERROR(Validate(hp.range).WithContext(where));
    std::optional<ParamValue> def = ConvertTo(hp.range, hp.default_value);
    if (!def) {
      return Status::InvalidArgument(where + ": default " + ToString(hp.default_value) +
                                     " is not a " + KindName(hp.range) + " value");
    }
    hp.default_value = *def;
    if (!hp.parent.empty() && !space.Find(hp.parent)) {
      return Status::InvalidArgument(where + ": its parent " + Quote(hp.parent) +
                                     " must be declared before it");
    }
    space.hps_.push_back(std::move(hp));
  }
  return space;
}

const Hyperparameter* SearchSpace::Find(std::string_view name) const {
  for (const Hyperparameter& hp : hps_) {
    if (hp.name == name) return &hp;
  }
  return nullptr;
}

namespace {
Status UnknownHyperparameter(std::string_view name, const std::vector<Hyperparameter>& hps) {
  std::string known;
  for (const Hyperparameter& hp : hps) known += (known.empty() ? "" : ", ") + hp.name;
  return Status::NotFound("no hyperparameter " + Quote(name) + " (this model has: " + known +
                          ")");
}
}  // namespace

Status SearchSpace::Fix(std::string_view name, const ParamValue& value) {
  const Hyperparameter* hp = Find(name);
  if (!hp) return UnknownHyperparameter(name, hps_);
  std::optional<ParamValue> v = ConvertTo(hp->range, value);
  if (!v && std::holds_alternative<CategoricalDistribution>(hp->range)) {
    // A categorical may be fixed to a value outside its default choices
    // only if it has the type of the choices.
    const auto& choices = std::get<CategoricalDistribution>(hp->range).choices;
    if (!choices.empty() && choices.front().index() == value.index()) v = value;
  }
  if (!v) {
    return Status::InvalidArgument("hyperparameter " + Quote(name) + ": " + ToString(value) +
                                   " is not a " + KindName(hp->range) + " value");
  }
  fixed_[std::string(name)] = *v;
  return Status::Ok();
}

Status SearchSpace::Narrow(std::string_view name, const Distribution& range) {
  for (Hyperparameter& hp : hps_) {
    if (hp.name != name) continue;
    if (hp.range.index() != range.index()) {
      return Status::InvalidArgument("hyperparameter " + Quote(name) + " is " +
                                     KindName(hp.range) + ", not " + KindName(range));
    }
    HT_RETURN_IF_ERROR(Validate(range).WithContext("hyperparameter " + Quote(name)));
    hp.range = range;
    // Keep the default if the new range holds it; else the range's low end
    // (first choice).
    const std::optional<ParamValue> def = ConvertTo(range, hp.default_value);
    const Result<double> internal =
        def ? ToInternal(range, *def) : Result<double>(Status::NotFound("no default"));
    if (!internal.ok() || !Contains(range, *internal)) {
      if (const auto* f = std::get_if<FloatDistribution>(&range)) {
        hp.default_value = f->low;
      } else if (const auto* i = std::get_if<IntDistribution>(&range)) {
        hp.default_value = i->low;
      } else {
        hp.default_value = std::get<CategoricalDistribution>(range).choices.front();
      }
    }
    fixed_.erase(hp.name);
    return Status::Ok();
  }
  return UnknownHyperparameter(name, hps_);
}

Status SearchSpace::Freeze(std::string_view name) {
  const Hyperparameter* hp = Find(name);
  if (!hp) return UnknownHyperparameter(name, hps_);
  fixed_[std::string(name)] = hp->default_value;
  return Status::Ok();
}

bool SearchSpace::IsFixed(std::string_view name) const { return fixed_.contains(name); }

bool SearchSpace::Active(const Hyperparameter& hp, const Params& so_far) const {
  if (hp.parent.empty()) return true;
  const auto it = so_far.find(hp.parent);
  if (it == so_far.end()) return false;  // the parent is itself inactive
  for (const ParamValue& v : hp.parent_values) {
    if (v == it->second) return true;
  }
  return false;
}

Params SearchSpace::Suggest(Trial& trial) const {
  Params out;
  for (const Hyperparameter& hp : hps_) {
    if (!Active(hp, out)) continue;
    if (const auto f = fixed_.find(hp.name); f != fixed_.end()) {
      out[hp.name] = f->second;
    } else {
      out[hp.name] = trial.Suggest(hp.name, hp.range);
    }
  }
  return out;
}

Params SearchSpace::Defaults() const {
  Params out;
  for (const Hyperparameter& hp : hps_) {
    if (!Active(hp, out)) continue;
    const auto f = fixed_.find(hp.name);
    out[hp.name] = f != fixed_.end() ? f->second : hp.default_value;
  }
  return out;
}

Result<Params> SearchSpace::Complete(const Params& given) const {
  for (const auto& [name, v] : given) {
    if (!Find(name)) return UnknownHyperparameter(name, hps_);
  }
  Params out;
  for (const Hyperparameter& hp : hps_) {
    if (!Active(hp, out)) continue;
    if (const auto g = given.find(hp.name); g != given.end()) {
      std::optional<ParamValue> v = ConvertTo(hp.range, g->second);
      if (!v && std::holds_alternative<CategoricalDistribution>(hp.range) &&
          g->second.index() == hp.default_value.index())
        v = g->second;
      if (!v) {
        return Status::InvalidArgument("hyperparameter " + Quote(hp.name) + ": " +
                                       ToString(g->second) + " is not a " + KindName(hp.range) +
                                       " value");
      }
      out[hp.name] = *v;
    } else if (const auto f = fixed_.find(hp.name); f != fixed_.end()) {
      out[hp.name] = f->second;
    } else {
      out[hp.name] = hp.default_value;
    }
  }
  return out;
}

std::string SearchSpace::Describe() const {
  std::ostringstream os;
  for (const Hyperparameter& hp : hps_) {
    os << "  " << hp.name << ": ";
    if (const auto f = fixed_.find(hp.name); f != fixed_.end()) {
      os << "fixed " << ToString(f->second);
    } else {
      os << ToString(hp.range) << ", default " << ToString(hp.default_value);
    }
    if (!hp.parent.empty()) {
      os << " (when " << hp.parent << " in";
      for (const ParamValue& v : hp.parent_values) os << " " << ToString(v);
      os << ")";
    }
    if (!hp.help.empty()) os << " -- " << hp.help;
    os << "\n";
  }
  return os.str();
}

namespace {
template <class T>
Result<T> Get(const Params& p, std::string_view name, const char* what) {
  const auto it = p.find(name);
  if (it == p.end()) return Status::InvalidArgument("hyperparameter " + Quote(name) + " is missing");
  if (const auto* v = std::get_if<T>(&it->second)) return *v;
  if constexpr (std::is_same_v<T, double>) {
    if (const auto* i = std::get_if<int64_t>(&it->second)) return static_cast<double>(*i);
  }
  return Status::InvalidArgument("hyperparameter " + Quote(name) + " is " +
                                 ToString(it->second) + ", expected " + what);
}
}  // namespace

Result<double> GetDouble(const Params& p, std::string_view name) {
  return Get<double>(p, name, "a number");
}
Result<int64_t> GetInt(const Params& p, std::string_view name) {
  return Get<int64_t>(p, name, "an integer");
}
Result<std::string> GetString(const Params& p, std::string_view name) {
  return Get<std::string>(p, name, "a string");
}
Result<bool> GetBool(const Params& p, std::string_view name) {
  return Get<bool>(p, name, "true or false");
}

Result<ModelData> MakeModelData(const Preprocessor& pre, const DatasetView& view) {
  ModelData data;
  HT_ASSIGN_OR_RETURN(data.x, pre.TransformFloat(view));
  const Dataset& ds = view.dataset();
  data.task = ds.task();
  data.num_classes = ds.num_classes();
  data.feature_names = pre.output_names();
  data.y.reserve(view.size());
  for (size_t i = 0; i < view.size(); ++i) data.y.push_back(static_cast<float>(view.target(i)));
  return data;
}

const std::vector<ModelInfo>& Models() {
  static const std::vector<ModelInfo> models = models_internal::AllModels();
  return models;
}

Result<const ModelInfo*> FindModel(std::string_view name) {
  std::string known;
  for (const ModelInfo& m : Models()) {
    if (m.name == name) return &m;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  return Status::NotFound("no model " + Quote(name) + " (models: " + known + ")");
}

void ReportStep(const FitOptions& options, int64_t step, double value) {
  if (options.trial == nullptr) return;
  options.trial->Report(value, step);
  if (options.trial->ShouldPrune()) throw TrialPruned();
}

}  // namespace hypertune::ml
