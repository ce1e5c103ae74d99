#include "src/core/storages/optuna_rdb/optuna_codec.h"

#include <bit>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>

#include "hypertune/core/optuna_schema.h"

namespace hypertune::optuna_rdb {
namespace {

using Json = nlohmann::ordered_json;

Json ChoiceToJson(const ParamValue& v) {
  return std::visit(
      [](const auto& x) -> Json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else {
          return x;
        }
      },
      v);
}

Result<ParamValue> ChoiceFromJson(const Json& j) {
  if (j.is_null()) return ParamValue(std::monostate{});
  if (j.is_boolean()) return ParamValue(j.get<bool>());
  if (j.is_number_integer()) return ParamValue(j.get<int64_t>());
  if (j.is_number()) return ParamValue(j.get<double>());
  if (j.is_string()) return ParamValue(j.get<std::string>());
  return Status::Corruption("categorical choice " + j.dump() + " is not a scalar");
}

double Num(const Json& attrs, const char* key) { return attrs.at(key).get<double>(); }

}  // namespace

std::string DistributionToJson(const Distribution& d) {
  Json out;
  Json attrs;
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    out["name"] = "FloatDistribution";
    attrs["step"] = f->step ? Json(*f->step) : Json(nullptr);
    attrs["low"] = f->low;
    attrs["high"] = f->high;
    attrs["log"] = f->log;
  } else if (const auto* i = std::get_if<IntDistribution>(&d)) {
    out["name"] = "IntDistribution";
    attrs["log"] = i->log;
    attrs["step"] = i->step;
    attrs["low"] = i->low;
    attrs["high"] = i->high;
  } else {
    const auto& c = std::get<CategoricalDistribution>(d);
    out["name"] = "CategoricalDistribution";
    Json choices = Json::array();
    for (const ParamValue& v : c.choices) choices.push_back(ChoiceToJson(v));
    attrs["choices"] = std::move(choices);
  }
  out["attributes"] = std::move(attrs);
  return out.dump();
}

Result<Distribution> DistributionFromJson(std::string_view json) {
  const auto bad = [&](const std::string& why) {
    return Status::Corruption("distribution_json '" + std::string(json) + "': " + why);
  };
  Json j = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("name") || !j.contains("attributes") ||
      !j["name"].is_string() || !j["attributes"].is_object())
    return bad("not {\"name\": ..., \"attributes\": {...}}");
  const std::string name = j["name"].get<std::string>();
  const Json& a = j["attributes"];
  Distribution d;
  try {
    if (name == "FloatDistribution") {
      FloatDistribution f{Num(a, "low"), Num(a, "high"), a.value("log", false), std::nullopt};
      if (a.contains("step") && !a["step"].is_null()) f.step = a["step"].get<double>();
      d = f;
    } else if (name == "UniformDistribution") {
      d = FloatDistribution{Num(a, "low"), Num(a, "high"), false, std::nullopt};
    } else if (name == "LogUniformDistribution") {
      d = FloatDistribution{Num(a, "low"), Num(a, "high"), true, std::nullopt};
    } else if (name == "DiscreteUniformDistribution") {
      d = FloatDistribution{Num(a, "low"), Num(a, "high"), false, Num(a, "q")};
    } else if (name == "IntDistribution" || name == "IntUniformDistribution" ||
               name == "IntLogUniformDistribution") {
      IntDistribution i{a.at("low").get<int64_t>(), a.at("high").get<int64_t>(),
                        name == "IntLogUniformDistribution" || a.value("log", false),
                        a.value("step", int64_t{1})};
      d = i;
    } else if (name == "CategoricalDistribution") {
      CategoricalDistribution c;
      if (!a.at("choices").is_array()) return bad("choices is not an array");
      for (const Json& v : a.at("choices")) {
        HT_ASSIGN_OR_RETURN(ParamValue pv, ChoiceFromJson(v));
        c.choices.push_back(std::move(pv));
      }
      d = std::move(c);
    } else {
      return bad("unknown distribution '" + name + "'");
    }
  } catch (const Json::exception& e) {
    return bad(e.what());
  }
  Status valid = Validate(d);
  if (!valid.ok()) return bad(valid.message());
  return d;
}

std::string FormatDatetime(FrozenTrial::Clock::time_point t, char separator) {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  const auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
  auto secs = static_cast<std::time_t>(us / 1000000);
  auto frac = us % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d%c%02d:%02d:%02d.%06lld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, separator, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  return buf;
}

Result<FrozenTrial::Clock::time_point> ParseDatetime(std::string_view text) {
  std::tm tm{};
  int consumed = 0;
  const std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6)
    return Status::Corruption("datetime '" + s + "' is not 'YYYY-MM-DD HH:MM:SS[.ffffff]'");
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;  // let mktime decide, as for any local time
  int64_t micros = 0;
  if (static_cast<size_t>(consumed) < s.size() && s[static_cast<size_t>(consumed)] == '.') {
    int digits = 0;
    for (size_t k = static_cast<size_t>(consumed) + 1; k < s.size() && digits < 6; ++k, ++digits) {
      if (s[k] < '0' || s[k] > '9') break;
      micros = micros * 10 + (s[k] - '0');
    }
    for (; digits < 6; ++digits) micros *= 10;
  }
  const std::time_t secs = std::mktime(&tm);
  return FrozenTrial::Clock::time_point(std::chrono::duration_cast<FrozenTrial::Clock::duration>(
      std::chrono::microseconds(static_cast<int64_t>(secs) * 1000000 + micros)));
}

StoredValue EncodeValue(double v) {
  if (std::isnan(v)) return {std::nullopt, "NAN"};
  if (std::isinf(v)) return {std::nullopt, v > 0 ? "INF_POS" : "INF_NEG"};
  return {v, "FINITE"};
}

Result<double> DecodeValue(std::optional<double> value, std::string_view type, bool allow_nan) {
  if (type == "FINITE") {
    if (!value) return Status::Corruption("a FINITE value is NULL");
    return *value;
  }
  if (type == "INF_POS") return std::numeric_limits<double>::infinity();
  if (type == "INF_NEG") return -std::numeric_limits<double>::infinity();
  if (type == "NAN" && allow_nan) return std::numeric_limits<double>::quiet_NaN();
  return Status::Corruption("unknown value_type '" + std::string(type) + "'");
}

bool IsSupportedRevision(std::string_view revision) {
  return revision == kOptunaSchemaV300d || revision == kOptunaSchemaV320a;
}

std::string_view LibraryVersion(std::string_view revision) {
  return revision == kOptunaSchemaV320a ? "3.2.0" : "3.1.0";
}

int64_t Fingerprint(const FrozenTrial& t) {
  std::string s;
  const auto add = [&s](std::string_view x) {
    s.append(x);
    s.push_back('\x1f');
  };
  const auto num = [&add](double d) { add(std::to_string(std::bit_cast<uint64_t>(d))); };
  add(ToString(t.state));
  for (double v : t.values) num(v);
  add("|");
  for (const TrialParam& p : t.params) {
    add(p.name);
    num(p.internal);
  }
  add("|");
  for (const auto& [step, v] : t.intermediate_values) {
    add(std::to_string(step));
    num(v);
  }
  for (const auto* m : {&t.user_attrs, &t.system_attrs}) {
    add("|");
    for (const auto& [k, v] : *m) {
      add(k);
      add(v);
    }
  }
  for (const auto& when : {t.datetime_start, t.datetime_complete})
    add(when ? std::to_string(when->time_since_epoch().count()) : "-");
  return static_cast<int64_t>(std::hash<std::string>{}(s));
}

}  // namespace hypertune::optuna_rdb
