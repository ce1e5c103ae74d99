#include "src/core/samplers/tpe/observation_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "hypertune/core/search_space.h"
#include "hypertune/core/trial.h"

namespace hypertune::tpe {

void WeightFunction::Prepare(int n) {
  n_ = std::max(n, 0);
  if (!user_) {
    // Optuna's default_weights: linspace(1/n, 1, n - 25) then 25 ones.
    const int ramp = n - 25;
    start_ = n > 0 ? 1.0 / n : 1.0;
    step_ = ramp > 1 ? (1.0 - start_) / (ramp - 1) : 0.0;
    ramp_end_ = ramp > 1 ? ramp - 1 : std::max(ramp, 0);  // the last ramp value is exactly 1
    return;
  }
  table_.clear();
  if (n <= 0) return;
  std::vector<double> w = user_(n);
  auto fail = [n](const std::string& why) {
    throw HypertuneError(
        Status::InvalidArgument("TpeSamplerOptions::weights(" + std::to_string(n) + ") " + why));
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
  table_.assign(w.begin(), w.begin() + n);
  table_sum_ = sum;
}

double WeightFunction::Sum() const {
  if (user_) return n_ > 0 ? table_sum_ : 0.0;
  const double r = ramp_end_;
  return r * start_ + step_ * r * (r - 1.0) / 2.0 + (n_ - r);
}

const std::vector<double>& WeightFunction::operator()(int n) {
  Prepare(n);
  out_.resize(static_cast<size_t>(std::max(n, 0)));
  for (int r = 0; r < n; ++r) out_[static_cast<size_t>(r)] = Get(r);
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
    case Mode::kNone:
      return false;
    case Mode::kRange:
      if (v < spec_.first || v > spec_.last) return false;
      [[fallthrough]];
    case Mode::kSame:
      *y = spec_.log ? column.log_value[k] : v;
      return true;
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
    case Mode::kNone:
      return false;
    case Mode::kRange:
      if (v < spec_.first || v > spec_.last) return false;
      [[fallthrough]];
    case Mode::kSame:
      *y = spec_.Transform(v);
      return true;
    case Mode::kCategorical:
      *y = Choice(*param.distribution, v);
      return *y >= 0.0;
  }
  return false;
}

void SplitObservations::Reset(size_t dims) {
  below_w_sum = above_w_sum = 0.0;
  below.resize(dims);
  above.resize(dims);
  for (auto& v : below) v.clear();
  for (auto& v : above) v.clear();
  below_w.clear();
  above_w.clear();
  above_sorted = false;
}

namespace {

// Weights of the below observations: by age (the weight function), or, in a
// multi-objective study, by hypervolume contribution (already in below_w).
void SetBelowWeights(const ObservationStore& store, WeightFunction& weights,
                     SplitObservations& out) {
  if (store.multi_objective()) {
    out.below_w_sum = 0.0;
    for (double w : out.below_w) out.below_w_sum += w;
    return;
  }
  out.below_w = weights(static_cast<int>(out.below[0].size()));
  out.below_w_sum = weights.Sum();
}

}  // namespace

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
      if (!mapper.Map(*c, b, &y)) continue;
      below.push_back(y);
      if (store.multi_objective()) out.below_w.push_back(store.BelowWeight(b));
    }
  }
  SetBelowWeights(store, weights, out);

  // The above trials in trial order (finished ones merged with running ones):
  // their weights depend on that order.
  static const std::vector<int> kNone;
  const std::vector<int>& chrono = c != nullptr ? c->chrono : kNone;
  const uint8_t* is_below = store.below_flags();
  const bool identity = c != nullptr && mapper.identity();
  thread_local std::vector<int> rank_buf;  // by trial number
  if (sorted) {
    size_t top = chrono.empty() ? 0 : static_cast<size_t>(chrono.back()) + 1;
    if (!run.empty()) top = std::max(top, static_cast<size_t>(run.back().first) + 1);
    if (rank_buf.size() < top) rank_buf.resize(top);
  }
  int* rank = rank_buf.data();
  above.resize(chrono.size() + run.size());
  double* ay = above.data();
  int count = 0;
  if (identity && run.empty()) {
    // The common case, branch-free: every finished trial with the parameter
    // that is not below.
    if (sorted) {
      for (int number : chrono) {
        rank[number] = count;
        count += is_below[number] == 0;
      }
    } else {
      const double* src = mapper.log() ? c->log_value.data() : c->value.data();
      for (int number : chrono) {
        ay[count] = src[number];
        count += is_below[number] == 0;
      }
    }
  } else {
    size_t j = 0;
    for (size_t i = 0; i <= chrono.size(); ++i) {
      const int number = i < chrono.size() ? chrono[i] : std::numeric_limits<int>::max();
      for (; j < run.size() && run[j].first < number; ++j) {
        if (sorted) {
          rank[run[j].first] = count;
        } else {
          ay[count] = run[j].second;
        }
        ++count;
      }
      if (i == chrono.size()) break;
      if (is_below[number]) continue;
      if (sorted) {
        if (!identity && !mapper.Map(*c, number, &y)) continue;
        rank[number] = count;
      } else {
        if (!mapper.Map(*c, number, &y)) continue;
        ay[count] = y;
      }
      ++count;
    }
  }
  above.resize(static_cast<size_t>(count));
  if (!sorted) {
    out.above_w = weights(count);
    out.above_w_sum = weights.Sum();
    return;
  }
  weights.Prepare(count);
  out.above_w_sum = weights.Sum();
  // One spare slot: the branch-free loop below writes before it skips.
  above.resize(static_cast<size_t>(count) + 1);
  ay = above.data();
  out.above_w.resize(static_cast<size_t>(count) + 1);
  double* aw = out.above_w.data();
  static const std::vector<ObservationStore::SortedEntry> kNoEntries;
  const auto& entries = c != nullptr ? store.SortedEntries(name) : kNoEntries;
  int k = 0;
  if (identity && run.empty() && mapper.log() == c->log_keys) {
    // Branch-free: below entries are written, then overwritten (their rank
    // may be `count`, one past the last weight: clamp it).
    const int last = std::max(count - 1, 0);
    if (count > 0) {
      for (const ObservationStore::SortedEntry& e : entries) {
        ay[k] = e.key;
        aw[k] = weights.Get(std::min(rank[e.number], last));
        k += is_below[e.number] == 0;
      }
    }
    out.above_sorted = true;
  } else {
    // The same trials by value: the store's sorted list merged with the
    // running ones.
    std::sort(run.begin(), run.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    size_t j = 0;
    auto put_running = [&](double upto) {
      for (; j < run.size() && run[j].second < upto; ++j, ++k) {
        ay[k] = run[j].second;
        aw[k] = weights.Get(rank[run[j].first]);
      }
    };
    for (const ObservationStore::SortedEntry& e : entries) {
      if (is_below[e.number] || !mapper.Map(*c, e.number, &y)) continue;
      put_running(y);
      ay[k] = y;
      aw[k] = weights.Get(rank[e.number]);
      ++k;
    }
    put_running(std::numeric_limits<double>::infinity());
    // Keys and mapped values sort alike unless a column mixes log and linear
    // scales; let the estimator check.
    out.above_sorted = identity && mapper.log() == c->log_keys;
  }
  HT_CHECK(k == count) << "sorted pass saw " << k << " observations, trial-order pass " << count;
  above.resize(static_cast<size_t>(count));
  out.above_w.resize(static_cast<size_t>(count));
}

void CollectJoint(ObservationStore& store, std::span<const std::string> names,
                  std::span<ValueMapper> mappers, const RunningTrials& running,
                  WeightFunction& weights, SplitObservations& out) {
  thread_local std::vector<int> row_buf;  // reused between calls
  const size_t dims = names.size();
  out.Reset(dims);
  std::vector<const ObservationStore::Column*> cols(dims);
  // Identity dimensions read the stored values (or their logs) directly.
  std::vector<const double*> direct(dims, nullptr);
  std::vector<size_t> direct_size(dims, 0);
  bool all = true;
  for (size_t d = 0; d < dims; ++d) {
    cols[d] = store.FindColumn(names[d]);
    if (cols[d] == nullptr) {
      all = false;  // no finished trial has this parameter
      continue;
    }
    mappers[d].Prepare(*cols[d]);
    if (mappers[d].identity()) {
      direct[d] = mappers[d].log() ? cols[d]->log_value.data() : cols[d]->value.data();
      direct_size[d] = cols[d]->value.size();
    }
  }
  std::vector<double> row(dims);
  auto finished_row = [&](int number) {
    if (!all) return false;
    const size_t k = static_cast<size_t>(number);
    for (size_t d = 0; d < dims; ++d) {
      if (direct[d] != nullptr) {
        if (k >= direct_size[d] || std::isnan(direct[d][k])) return false;
        row[d] = direct[d][k];
      } else if (!mappers[d].Map(*cols[d], number, &row[d])) {
        return false;
      }
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
  for (int b : store.below()) {
    if (!finished_row(b)) continue;
    for (size_t d = 0; d < dims; ++d) out.below[d].push_back(row[d]);
    if (store.multi_objective()) out.below_w.push_back(store.BelowWeight(b));
  }
  SetBelowWeights(store, weights, out);
  static const std::vector<int> kNone;
  const std::vector<int>& chrono = all ? cols[0]->chrono : kNone;
  const uint8_t* is_below = store.below_flags();
  const size_t cap = chrono.size() + running.numbers.size();
  std::vector<double*> to(dims);
  for (size_t d = 0; d < dims; ++d) {
    out.above[d].resize(cap);
    to[d] = out.above[d].data();
  }
  size_t count = 0;
  auto put = [&]() {
    for (size_t d = 0; d < dims; ++d) to[d][count] = row[d];
    ++count;
  };
  bool all_direct = all;
  for (size_t d = 0; d < dims; ++d) all_direct &= direct[d] != nullptr;
  if (all_direct && running.numbers.empty()) {
    // The common case, column by column: the trials of the first column that
    // are not below, then each column's values, dropping rows with a gap.
    std::vector<int>& rows = row_buf;
    rows.clear();
    for (int number : chrono) {
      if (!is_below[number]) rows.push_back(number);
    }
    std::vector<uint8_t> gap(rows.size(), 0);
    bool any_gap = false;
    for (size_t d = 0; d < dims; ++d) {
      const double* src = direct[d];
      double* dst = to[d];
      const size_t size = direct_size[d];
      for (size_t i = 0; i < rows.size(); ++i) {
        const size_t k = static_cast<size_t>(rows[i]);
        const double v = k < size ? src[k] : std::numeric_limits<double>::quiet_NaN();
        dst[i] = v;
        if (v != v) {
          gap[i] = 1;
          any_gap = true;
        }
      }
    }
    count = rows.size();
    if (any_gap) {
      count = 0;
      for (size_t i = 0; i < rows.size(); ++i) {
        if (gap[i]) continue;
        for (size_t d = 0; d < dims; ++d) to[d][count] = to[d][i];
        ++count;
      }
    }
  }
  size_t j = 0;
  for (size_t i = 0; !(all_direct && running.numbers.empty()) && i <= chrono.size(); ++i) {
    const int number = i < chrono.size() ? chrono[i] : std::numeric_limits<int>::max();
    for (; j < running.numbers.size() && running.numbers[j] < number; ++j) {
      if (running_row(running.numbers[j])) put();
    }
    if (i == chrono.size()) break;
    if (!is_below[number] && finished_row(number)) put();
  }
  for (auto& v : out.above) v.resize(count);
  out.above_w = weights(static_cast<int>(count));
  out.above_w_sum = weights.Sum();
}

}  // namespace hypertune::tpe
