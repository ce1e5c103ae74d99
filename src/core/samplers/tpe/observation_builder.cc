#include "core/samplers/tpe/observation_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "hypertune/core/search_space.h"
#include "hypertune/core/trial.h"

namespace hypertune::tpe {

const std::vector<double>& WeightFunction::operator()(int n) {
  out_.clear();
  if (n <= 0) return out_;
  if (!user_) {
    // Optuna's default_weights: linspace(1/n, 1, n - 25) then 25 ones.
    out_.assign(static_cast<size_t>(n), 1.0);
    const int ramp = n - 25;
    const double start = 1.0 / n;
    for (int i = 0; i < ramp; ++i) {
      out_[static_cast<size_t>(i)] =
          ramp == 1 ? start : (i == ramp - 1 ? 1.0 : start + i * ((1.0 - start) / (ramp - 1)));
    }
    return out_;
  }
  std::vector<double> w = user_(n);
  auto fail = [n](const std::string& why) {
    throw HypertuneError(Status::InvalidArgument("TpeSamplerOptions::weights(" +
                                                 std::to_string(n) + ") " + why));
  };
  if (w.size() < static_cast<size_t>(n)) {
    fail("returned " + std::to_string(w.size()) + " weights, fewer than asked");
  }
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = w[static_cast<size_t>(i)];
    if (!std::isfinite(x)) fail("returned a non-finite weight");
    if (x < 0.0) fail("returned a negative weight");
    sum += x;
  }
  if (!(sum > 0.0)) fail("returned only zero weights");
  out_.assign(w.begin(), w.begin() + n);
  return out_;
}

ValueMapper::ValueMapper(const std::shared_ptr<const Distribution>& target, const ParamSpec& spec)
    : target_(target), spec_(spec) {}

ValueMapper::Mode ValueMapper::ModeFor(const Distribution& d) const {
  if (&d == target_.get() || d == *target_) return Mode::kSame;
  const bool cat_from = std::holds_alternative<CategoricalDistribution>(d);
  const bool cat_to = spec_.kind == ParamSpec::Kind::kCategorical;
  if (cat_from != cat_to) return Mode::kNone;
  return cat_to ? Mode::kCategorical : Mode::kRange;
}

double ValueMapper::Choice(const Distribution& from, double index) const {
  const Result<double> r = ToInternal(*target_, ToExternal(from, index));
  return r.ok() ? *r : -1.0;
}

void ValueMapper::Prepare(const ObservationStore::Column& column) {
  modes_.clear();
  identity_ = true;
  for (const auto& d : column.dists) {
    modes_.push_back(ModeFor(*d));
    identity_ &= modes_.back() == Mode::kSame;
  }
}

bool ValueMapper::Map(const ObservationStore::Column& column, int number, double* y) const {
  if (!column.Has(number)) return false;
  const size_t k = static_cast<size_t>(number);
  const double v = column.value[k];
  switch (modes_[column.dist[k]]) {
    case Mode::kNone: return false;
    case Mode::kRange:
      if (v < spec_.first || v > spec_.last) return false;
      [[fallthrough]];
    case Mode::kSame: *y = spec_.log ? column.log_value[k] : v; return true;
    case Mode::kCategorical: {
      const double c = Choice(*column.dists[column.dist[k]], v);
      *y = c;
      return c >= 0.0;
    }
  }
  return false;
}

bool ValueMapper::Map(const TrialParam& param, double* y) const {
  const double v = param.internal;
  switch (ModeFor(*param.distribution)) {
    case Mode::kNone: return false;
    case Mode::kRange:
      if (v < spec_.first || v > spec_.last) return false;
      [[fallthrough]];
    case Mode::kSame: *y = spec_.Transform(v); return true;
    case Mode::kCategorical: *y = Choice(*param.distribution, v); return *y >= 0.0;
  }
  return false;
}

void SplitObservations::Reset(size_t dims) {
  below.assign(dims, {});
  above.assign(dims, {});
  below_w.clear();
  above_w.clear();
}

void CollectOne(ObservationStore& store, std::string_view name, ValueMapper& mapper,
                const RunningTrials& running, bool sorted, WeightFunction& weights,
                SplitObservations& out) {
  out.Reset(1);
  std::vector<double>& below = out.below[0];
  std::vector<double>& above = out.above[0];
  // Running trials (constant liar), by number.
  std::vector<std::pair<int, double>> run;
  for (int number : running.numbers) {
    const TrialParam* p = running.view->trials()[static_cast<size_t>(number)]->FindParam(name);
    double y;
    if (p != nullptr && mapper.Map(*p, &y)) run.emplace_back(number, y);
  }
  const ObservationStore::Column* c = store.FindColumn(name);
  if (c != nullptr) mapper.Prepare(*c);
  double y;
  if (c != nullptr) {
    for (int b : store.below()) {
      if (mapper.Map(*c, b, &y)) below.push_back(y);
    }
  }
  out.below_w = weights(static_cast<int>(below.size()));

  // The above trials in trial order: finished ones merged with running ones.
  static const std::vector<int> kNone;
  const std::vector<int>& chrono = c != nullptr ? c->chrono : kNone;
  thread_local std::vector<int> rank;  // by trial number, valid for the above trials
  int count = 0;
  size_t j = 0;
  for (size_t i = 0; i <= chrono.size(); ++i) {
    const int number = i < chrono.size() ? chrono[i] : std::numeric_limits<int>::max();
    for (; j < run.size() && run[j].first < number; ++j) {
      if (sorted) {
        if (rank.size() <= static_cast<size_t>(run[j].first)) {
          rank.resize(static_cast<size_t>(run[j].first) + 1);
        }
        rank[static_cast<size_t>(run[j].first)] = count;
      } else {
        above.push_back(run[j].second);
      }
      ++count;
    }
    if (i == chrono.size()) break;
    if (store.IsBelow(number)) continue;
    if (!mapper.identity() && !mapper.Map(*c, number, &y)) continue;
    if (sorted) {
      if (rank.size() <= static_cast<size_t>(number)) rank.resize(static_cast<size_t>(number) + 1);
      rank[static_cast<size_t>(number)] = count;
    } else {
      if (mapper.identity()) mapper.Map(*c, number, &y);
      above.push_back(y);
    }
    ++count;
  }
  const std::vector<double>& w = weights(count);
  if (!sorted) {
    out.above_w = w;
    return;
  }
  // The same trials by value: the store's sorted list merged with the
  // running ones.
  std::sort(run.begin(), run.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  out.above_w.reserve(static_cast<size_t>(count));
  above.reserve(static_cast<size_t>(count));
  static const std::vector<ObservationStore::SortedEntry> kNoEntries;
  const auto& entries = c != nullptr ? store.SortedEntries(name) : kNoEntries;
  const bool log = mapper.log();
  j = 0;
  for (const ObservationStore::SortedEntry& e : entries) {
    const double ey = log ? e.log_value : e.value;
    for (; j < run.size() && run[j].second < ey; ++j) {
      above.push_back(run[j].second);
      out.above_w.push_back(w[static_cast<size_t>(rank[static_cast<size_t>(run[j].first)])]);
    }
    if (store.IsBelow(e.number)) continue;
    if (mapper.identity()) {
      y = ey;
    } else if (!mapper.Map(*c, e.number, &y)) {
      continue;
    }
    above.push_back(y);
    out.above_w.push_back(w[static_cast<size_t>(rank[static_cast<size_t>(e.number)])]);
  }
  for (; j < run.size(); ++j) {
    above.push_back(run[j].second);
    out.above_w.push_back(w[static_cast<size_t>(rank[static_cast<size_t>(run[j].first)])]);
  }
}

void CollectJoint(ObservationStore& store, std::span<const std::string> names,
                  std::span<ValueMapper> mappers, const RunningTrials& running,
                  WeightFunction& weights, SplitObservations& out) {
  const size_t dims = names.size();
  out.Reset(dims);
  std::vector<const ObservationStore::Column*> cols(dims);
  bool all = true;
  for (size_t d = 0; d < dims; ++d) {
    cols[d] = store.FindColumn(names[d]);
    if (cols[d] != nullptr) {
      mappers[d].Prepare(*cols[d]);
    } else {
      all = false;  // no finished trial has this parameter
    }
  }
  std::vector<double> row(dims);
  auto finished_row = [&](int number) {
    if (!all) return false;
    for (size_t d = 0; d < dims; ++d) {
      if (!mappers[d].Map(*cols[d], number, &row[d])) return false;
    }
    return true;
  };
  auto running_row = [&](int number) {
    const FrozenTrial& t = *running.view->trials()[static_cast<size_t>(number)];
    for (size_t d = 0; d < dims; ++d) {
      const TrialParam* p = t.FindParam(names[d]);
      if (p == nullptr || !mappers[d].Map(*p, &row[d])) return false;
    }
    return true;
  };
  auto push = [&](std::vector<std::vector<double>>& to) {
    for (size_t d = 0; d < dims; ++d) to[d].push_back(row[d]);
  };
  for (int b : store.below()) {
    if (finished_row(b)) push(out.below);
  }
  out.below_w = weights(static_cast<int>(out.below[0].size()));
  static const std::vector<int> kNone;
  const std::vector<int>& chrono = all ? cols[0]->chrono : kNone;
  size_t j = 0;
  for (size_t i = 0; i <= chrono.size(); ++i) {
    const int number = i < chrono.size() ? chrono[i] : std::numeric_limits<int>::max();
    for (; j < running.numbers.size() && running.numbers[j] < number; ++j) {
      if (running_row(running.numbers[j])) push(out.above);
    }
    if (i == chrono.size()) break;
    if (!store.IsBelow(number) && finished_row(number)) push(out.above);
  }
  out.above_w = weights(static_cast<int>(out.above[0].size()));
}

}  // namespace hypertune::tpe
