#include "src/core/samplers/tpe/param_spec.h"

#include <algorithm>

namespace hypertune::tpe {

ParamSpec ParamSpec::From(const Distribution& d) {
  ParamSpec s;
  if (const auto* f = std::get_if<FloatDistribution>(&d)) {
    s.first = f->low;
    s.last = f->high;
    if (f->log) {
      s.log = true;
      s.low = std::log(f->low);
      s.high = std::log(f->high);
    } else if (f->step) {
      s.kind = Kind::kDiscrete;
      s.step = *f->step;
      s.low = f->low - 0.5 * s.step;
      s.high = f->high + 0.5 * s.step;
    } else {
      s.low = f->low;
      s.high = f->high;
    }
  } else if (const auto* i = std::get_if<IntDistribution>(&d)) {
    s.is_int = true;
    s.first = static_cast<double>(i->low);
    s.last = static_cast<double>(i->high);
    if (i->log) {
      s.log = true;
      s.low = std::log(s.first - 0.5);
      s.high = std::log(s.last + 0.5);
    } else {
      s.kind = Kind::kDiscrete;
      s.step = static_cast<double>(i->step);
      s.low = s.first - 0.5 * s.step;
      s.high = s.last + 0.5 * s.step;
    }
  } else {
    const auto& c = std::get<CategoricalDistribution>(d);
    s.kind = Kind::kCategorical;
    s.n_choices = static_cast<int>(c.choices.size());
    s.first = 0.0;
    s.last = s.n_choices - 1.0;
    s.low = -0.5;
    s.high = s.n_choices - 0.5;
  }
  return s;
}

double ParamSpec::ToInternal(double y) const {
  switch (kind) {
    case Kind::kCategorical:
      return std::clamp(std::round(y), first, last);
    case Kind::kDiscrete:
      return std::clamp(first + std::round((y - first) / step) * step, first, last);
    case Kind::kContinuous:
      break;
  }
  double x = log ? std::exp(y) : y;
  if (is_int) x = std::round(x);
  return std::clamp(x, first, last);
}

}  // namespace hypertune::tpe
