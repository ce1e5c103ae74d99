#include "hypertune/core/distributions.h"

#include <algorithm>
#include <cmath>
#include <charconv>

namespace hypertune {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

// The shortest text that reads back as the same double: 0.1, not 0.10000000000000001.
std::string Num(double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// True when (high - low) / step is an integer, up to rounding.
bool StepDivides(double low, double high, double step) {
  const double n = (high - low) / step;
  return std::abs(n - std::round(n)) <= 1e-8 * std::max(1.0, std::abs(n));
}

Status ValidateFloat(const FloatDistribution& d) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(ToString(Distribution(d)) + ": " + why);
  };
  if (!std::isfinite(d.low) || !std::isfinite(d.high)) return bad("low and high must be finite");
  if (d.low > d.high) return bad("low (" + Num(d.low) + ") > high (" + Num(d.high) + ")");
  if (d.log && d.low <= 0.0) return bad("log scale needs low > 0, got low = " + Num(d.low));
  if (d.step) {
    if (d.log) return bad("log scale and step cannot be used together");
    if (!(*d.step > 0.0) || !std::isfinite(*d.step))
      return bad("step must be > 0, got " + Num(*d.step));
    if (!StepDivides(d.low, d.high, *d.step))
      return bad("step " + Num(*d.step) + " does not divide the range [" + Num(d.low) + ", " +
                 Num(d.high) + "]");
  }
  return Status::Ok();
}

Status ValidateInt(const IntDistribution& d) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(ToString(Distribution(d)) + ": " + why);
  };
  if (d.low > d.high)
    return bad("low (" + std::to_string(d.low) + ") > high (" + std::to_string(d.high) + ")");
  if (d.step <= 0) return bad("step must be > 0, got " + std::to_string(d.step));
  if (d.log && d.low < 1) return bad("log scale needs low >= 1, got low = " + std::to_string(d.low));
  if (d.log && d.step != 1) return bad("log scale and step != 1 cannot be used together");
  if ((d.high - d.low) % d.step != 0)
    return bad("step " + std::to_string(d.step) + " does not divide the range [" +
               std::to_string(d.low) + ", " + std::to_string(d.high) + "]");
  return Status::Ok();
}

Status ValidateCategorical(const CategoricalDistribution& d) {
  if (d.choices.empty())
    return Status::InvalidArgument("CategoricalDistribution: choices must not be empty");
  for (size_t i = 0; i < d.choices.size(); ++i) {
    if (const double* x = std::get_if<double>(&d.choices[i]); x && std::isnan(*x))
      return Status::InvalidArgument("CategoricalDistribution: choice " + std::to_string(i) +
                                     " is NaN");
    for (size_t j = 0; j < i; ++j) {
      if (d.choices[i] == d.choices[j])
        return Status::InvalidArgument("CategoricalDistribution: choice '" +
                                       ToString(d.choices[i]) + "' appears twice (at " +
                                       std::to_string(j) + " and " + std::to_string(i) + ")");
    }
  }
  return Status::Ok();
}

bool OnGrid(double x, double low, double step) {
  const double k = (x - low) / step;
  return std::abs(k - std::round(k)) <= 1e-8 * std::max(1.0, std::abs(k));
}

}  // namespace

std::string ToString(const ParamValue& v) {
  return std::visit(Overloaded{[](std::monostate) { return std::string("None"); },
                               [](bool b) { return std::string(b ? "true" : "false"); },
                               [](int64_t i) { return std::to_string(i); },
                               [](double d) { return Num(d); },
                               [](const std::string& s) { return s; }},
                    v);
}

Status Validate(const Distribution& d) {
  return std::visit(Overloaded{[](const FloatDistribution& f) { return ValidateFloat(f); },
                               [](const IntDistribution& i) { return ValidateInt(i); },
                               [](const CategoricalDistribution& c) {
                                 return ValidateCategorical(c);
                               }},
                    d);
}

std::string ToString(const Distribution& d) {
  return std::visit(
      Overloaded{
          [](const FloatDistribution& f) {
            std::string s = "FloatDistribution(low=" + Num(f.low) + ", high=" + Num(f.high);
            if (f.log) s += ", log=true";
            if (f.step) s += ", step=" + Num(*f.step);
            return s + ")";
          },
          [](const IntDistribution& i) {
            std::string s = "IntDistribution(low=" + std::to_string(i.low) +
                            ", high=" + std::to_string(i.high);
            if (i.log) s += ", log=true";
            if (i.step != 1) s += ", step=" + std::to_string(i.step);
            return s + ")";
          },
          [](const CategoricalDistribution& c) {
            std::string s = "CategoricalDistribution(choices=[";
            for (size_t k = 0; k < c.choices.size(); ++k) {
              if (k) s += ", ";
              s += ToString(c.choices[k]);
            }
            return s + "])";
          }},
      d);
}

bool IsSingle(const Distribution& d) {
  return std::visit(
      Overloaded{[](const FloatDistribution& f) {
                   if (f.low == f.high) return true;
                   return f.step.has_value() && f.low + *f.step > f.high;
                 },
                 [](const IntDistribution& i) { return i.low == i.high || i.low + i.step > i.high; },
                 [](const CategoricalDistribution& c) { return c.choices.size() == 1; }},
      d);
}

bool Contains(const Distribution& d, double x) {
  if (std::isnan(x)) return false;
  return std::visit(
      Overloaded{[x](const FloatDistribution& f) {
                   if (x < f.low || x > f.high) return false;
                   return !f.step || OnGrid(x, f.low, *f.step);
                 },
                 [x](const IntDistribution& i) {
                   if (x < static_cast<double>(i.low) || x > static_cast<double>(i.high))
                     return false;
                   if (x != std::round(x)) return false;
                   return (static_cast<int64_t>(x) - i.low) % i.step == 0;
                 },
                 [x](const CategoricalDistribution& c) {
                   return x >= 0 && x < static_cast<double>(c.choices.size()) &&
                          x == std::round(x);
                 }},
      d);
}

Result<double> ToInternal(const Distribution& d, const ParamValue& v) {
  auto not_in = [&]() {
    return Status::InvalidArgument("value '" + ToString(v) + "' is not in " + ToString(d));
  };
  if (const auto* c = std::get_if<CategoricalDistribution>(&d)) {
    for (size_t k = 0; k < c->choices.size(); ++k) {
      if (c->choices[k] == v) return static_cast<double>(k);
      // 3 and 3.0 are the same choice, as in Python.
      const auto* ci = std::get_if<int64_t>(&c->choices[k]);
      const auto* cd = std::get_if<double>(&c->choices[k]);
      const auto* vi = std::get_if<int64_t>(&v);
      const auto* vd = std::get_if<double>(&v);
      if ((ci && vd && static_cast<double>(*ci) == *vd) ||
          (cd && vi && *cd == static_cast<double>(*vi)))
        return static_cast<double>(k);
    }
    return not_in();
  }
  double x;
  if (const auto* i = std::get_if<int64_t>(&v)) {
    x = static_cast<double>(*i);
  } else if (const auto* f = std::get_if<double>(&v)) {
    x = *f;
  } else {
    return Status::InvalidArgument("value '" + ToString(v) + "' is not a number, as " +
                                   ToString(d) + " needs");
  }
  if (!Contains(d, x)) return not_in();
  return x;
}

ParamValue ToExternal(const Distribution& d, double x) {
  return std::visit(
      Overloaded{[x](const FloatDistribution&) -> ParamValue { return x; },
                 [x](const IntDistribution&) -> ParamValue {
                   return static_cast<int64_t>(std::llround(x));
                 },
                 [x](const CategoricalDistribution& c) -> ParamValue {
                   const auto k = static_cast<size_t>(std::llround(x));
                   return c.choices.at(std::min(k, c.choices.size() - 1));
                 }},
      d);
}

double Snap(const Distribution& d, double x) {
  return std::visit(
      Overloaded{[x](const FloatDistribution& f) {
                   double y = x;
                   if (f.step) y = f.low + std::round((y - f.low) / *f.step) * *f.step;
                   return std::clamp(y, f.low, f.high);
                 },
                 [x](const IntDistribution& i) {
                   const double lo = static_cast<double>(i.low);
                   const double y = lo + std::round((x - lo) / static_cast<double>(i.step)) *
                                             static_cast<double>(i.step);
                   return std::clamp(y, lo, static_cast<double>(i.high));
                 },
                 [x](const CategoricalDistribution& c) {
                   return std::clamp(std::round(x), 0.0,
                                     static_cast<double>(c.choices.size() - 1));
                 }},
      d);
}

}  // namespace hypertune
