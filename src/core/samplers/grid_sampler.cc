#include "hypertune/core/grid_sampler.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>
#include <utility>

#include "hypertune/core/json_lite.h"
#include "hypertune/core/trial.h"

namespace hypertune {
namespace {

// Grid ids must survive any JSON reader, doubles included.
constexpr int64_t kMaxGridSize = int64_t{1} << 53;

// Equality of grid values: same type and value, and ints equal to doubles of
// the same value (3 == 3.0, as in Python), since both convert to the same
// internal value. NaN equals NaN (Optuna compares grids that way).
bool SameValue(const ParamValue& a, const ParamValue& b) {
  const auto* ai = std::get_if<int64_t>(&a);
  const auto* ad = std::get_if<double>(&a);
  const auto* bi = std::get_if<int64_t>(&b);
  const auto* bd = std::get_if<double>(&b);
  if (ad && bd) return *ad == *bd || (std::isnan(*ad) && std::isnan(*bd));
  if (ai && bd) return static_cast<double>(*ai) == *bd && std::trunc(*bd) == *bd;
  if (ad && bi) return SameValue(b, a);
  return a == b;
}

// A key under which SameValue values collide: integral doubles become ints.
ParamValue CanonicalKey(const ParamValue& v) {
  if (const auto* d = std::get_if<double>(&v)) {
    if (std::trunc(*d) == *d && std::abs(*d) < 0x1p63) return static_cast<int64_t>(*d);
  }
  return v;
}

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Fnv1a(std::string_view s, uint64_t h = 0xcbf29ce484222325ULL) {
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

// A keyed pseudo-random permutation of [0, n): rounds of add-key, xorshift
// and multiply-by-odd, each a bijection of b-bit integers (2^b >= n), then
// cycle-walking back into [0, n). Equal keys give equal permutations in every
// process, which is what lets processes share a grid without talking.
int64_t PermuteIndex(uint64_t key, int64_t x, int64_t n) {
  if (n <= 1) return 0;
  int bits = 1;
  while ((int64_t{1} << bits) < n) ++bits;
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  const int shift = std::max(1, bits / 2);
  uint64_t round_keys[8];
  uint64_t state = key;
  for (uint64_t& k : round_keys) k = SplitMix64(state);
  auto mix = [&](uint64_t v) {
    for (int r = 0; r < 4; ++r) {
      v = (v + round_keys[2 * r]) & mask;
      v ^= v >> shift;
      v = (v * (round_keys[2 * r + 1] | 1)) & mask;
      v ^= v >> shift;
    }
    return v;
  };
  auto v = static_cast<uint64_t>(x);
  do {
    v = mix(v);
  } while (v >= static_cast<uint64_t>(n));
  return static_cast<int64_t>(v);
}

HypertuneError GridError(const std::string& message) {
  return HypertuneError(Status::InvalidArgument("GridSampler: " + message));
}

// Parses the "search_space" attribute: {"name": [scalar, ...], ...}.
// Returns nullopt for anything else. Scalars are read by json_lite.
std::optional<std::map<std::string, std::vector<ParamValue>>> ParseSearchSpace(std::string_view s) {
  size_t pos = 0;
  auto skip = [&] {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\n' || s[pos] == '\t' || s[pos] == '\r'))
      ++pos;
  };
  auto consume = [&](char c) {
    skip();
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  };
  // One scalar token: a quoted string (escapes honored) or a bare literal.
  auto scalar = [&]() -> std::optional<ParamValue> {
    skip();
    const size_t start = pos;
    if (pos < s.size() && s[pos] == '"') {
      for (++pos; pos < s.size() && s[pos] != '"'; ++pos) {
        if (s[pos] == '\\') ++pos;
      }
      if (pos >= s.size()) return std::nullopt;
      ++pos;
    } else {
      while (pos < s.size() && s[pos] != ',' && s[pos] != ']' && s[pos] != '}' && s[pos] != ':' &&
             s[pos] != ' ')
        ++pos;
    }
    Result<ParamValue> v = json_lite::DecodeScalar(s.substr(start, pos - start));
    if (!v.ok()) return std::nullopt;
    return std::move(v).value();
  };
  std::map<std::string, std::vector<ParamValue>> out;
  if (!consume('{')) return std::nullopt;
  if (consume('}')) return out;
  do {
    std::optional<ParamValue> key = scalar();
    if (!key || !std::holds_alternative<std::string>(*key) || !consume(':') || !consume('['))
      return std::nullopt;
    std::vector<ParamValue>& values = out[std::get<std::string>(*key)];
    if (!consume(']')) {
      do {
        std::optional<ParamValue> v = scalar();
        if (!v) return std::nullopt;
        values.push_back(std::move(*v));
      } while (consume(','));
      if (!consume(']')) return std::nullopt;
    }
  } while (consume(','));
  if (!consume('}')) return std::nullopt;
  skip();
  if (pos != s.size()) return std::nullopt;
  return out;
}

}  // namespace

// The grid ids no trial holds: a sparse Fisher-Yates pool. Positions
// [0, size) hold the free ids; a position absent from the maps holds the id
// equal to it, so memory grows with the ids taken, not with the grid.
class GridSampler::Pool {
 public:
  explicit Pool(int64_t n) : size_(n) {}
  int64_t size() const { return size_; }
  bool Contains(int64_t id) const { return PositionOf(id) < size_; }
  // Removes `id` if free.
  void Remove(int64_t id) {
    const int64_t p = PositionOf(id);
    if (p >= size_) return;
    const int64_t last = size_ - 1;
    Place(p, IdAt(last));
    Place(last, id);
    --size_;
  }
  // Puts back `id`, taken by Remove or TakeRandom: it was last among the
  // taken, at position size(), unless taken out of order.
  void Add(int64_t id) {
    const int64_t p = PositionOf(id);
    if (p < size_) return;  // already free
    Place(p, IdAt(size_));
    Place(size_, id);
    ++size_;
  }
  // Removes and returns a uniformly drawn free id. Preconditions: size() > 0.
  int64_t TakeRandom(Rng& rng) {
    const int64_t id = IdAt(static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(size_))));
    Remove(id);
    return id;
  }

 private:
  int64_t IdAt(int64_t p) const {
    const auto it = id_at_.find(p);
    return it == id_at_.end() ? p : it->second;
  }
  int64_t PositionOf(int64_t id) const {
    const auto it = position_of_.find(id);
    return it == position_of_.end() ? id : it->second;
  }
  void Place(int64_t p, int64_t id) {
    id_at_[p] = id;
    position_of_[id] = p;
  }

  int64_t size_;
  std::unordered_map<int64_t, int64_t> id_at_;
  std::unordered_map<int64_t, int64_t> position_of_;
};

struct GridSampler::StudyState {
  explicit StudyState(int64_t n) : free(n) {}
  Pool free;
  // RUNNING trials that have no point yet: each is about to take the point
  // its number picks, so no other trial may take that one.
  std::set<int> pending;
  const StudyView* view = nullptr;  // the view last read, and its revision
  uint64_t revision = 0;
};

Status GridSamplerOptions::Validate() const {
  auto bad = [](const std::string& why) {
    return Status::InvalidArgument("GridSamplerOptions: " + why);
  };
  if (search_space.empty()) return bad("search_space is empty");
  int64_t size = 1;
  for (const auto& [name, values] : search_space) {
    if (values.empty()) return bad("parameter '" + name + "' has no value");
    std::map<ParamValue, size_t> seen;
    for (size_t k = 0; k < values.size(); ++k) {
      if (const auto* d = std::get_if<double>(&values[k]); d && std::isnan(*d))
        return bad("parameter '" + name + "': value " + std::to_string(k) + " is NaN");
      const auto [it, inserted] = seen.emplace(CanonicalKey(values[k]), k);
      if (!inserted)
        return bad("parameter '" + name + "': value '" + ToString(values[k]) +
                   "' appears twice (at " + std::to_string(it->second) + " and " +
                   std::to_string(k) + ")");
    }
    if (static_cast<int64_t>(values.size()) > kMaxGridSize / size)
      return bad("the grid has more than 2^53 points");
    size *= static_cast<int64_t>(values.size());
  }
  return Status::Ok();
}

Result<std::shared_ptr<GridSampler>> GridSampler::Create(GridSamplerOptions options) {
  HT_RETURN_IF_ERROR(options.Validate());
  return std::make_shared<GridSampler>(std::move(options));
}

GridSampler::GridSampler(GridSamplerOptions options)
    : rng_(options.seed.value_or(Rng::RandomSeed())) {
  const Status s = options.Validate();
  HT_CHECK(s.ok()) << s.ToString();
  search_space_json_ = "{";
  for (auto& [name, values] : options.search_space) {  // sorted by name
    if (!names_.empty()) search_space_json_ += ", ";
    search_space_json_ += json_lite::Encode(ParamValue(name)) + ": [";
    for (size_t k = 0; k < values.size(); ++k) {
      if (k) search_space_json_ += ", ";
      search_space_json_ += json_lite::Encode(values[k]);
    }
    search_space_json_ += "]";
    names_.push_back(name);
    values_.push_back(std::move(values));
  }
  search_space_json_ += "}";
  grid_hash_ = Fnv1a(search_space_json_);
  seed_ = options.seed;
  // The last name varies fastest (itertools.product order).
  strides_.assign(names_.size(), 1);
  size_ = 1;
  for (size_t k = names_.size(); k-- > 0;) {
    strides_[k] = size_;
    size_ *= static_cast<int64_t>(values_[k].size());
  }
}

GridSampler::~GridSampler() = default;

size_t GridSampler::ValueIndex(int64_t grid_id, size_t param) const {
  return static_cast<size_t>((grid_id / strides_[param]) %
                             static_cast<int64_t>(values_[param].size()));
}

std::map<std::string, ParamValue, std::less<>> GridSampler::Point(int64_t grid_id) const {
  HT_CHECK(grid_id >= 0 && grid_id < size_) << "grid id " << grid_id << " of " << size_;
  std::map<std::string, ParamValue, std::less<>> point;
  for (size_t k = 0; k < names_.size(); ++k)
    point.emplace(names_[k], values_[k][ValueIndex(grid_id, k)]);
  return point;
}

std::optional<int64_t> GridSampler::GridIdOf(const FrozenTrial& trial) const {
  const auto id_it = trial.system_attrs.find(kAttrGridId);
  if (id_it == trial.system_attrs.end()) return std::nullopt;
  const auto space_it = trial.system_attrs.find(kAttrGridSearchSpace);
  if (space_it != trial.system_attrs.end() && space_it->second != search_space_json_) {
    // Written by another program, or for another grid: compare as values.
    const auto space = ParseSearchSpace(space_it->second);
    if (!space || space->size() != names_.size()) return std::nullopt;
    size_t k = 0;
    for (const auto& [name, values] : *space) {
      if (name != names_[k] || values.size() != values_[k].size()) return std::nullopt;
      for (size_t i = 0; i < values.size(); ++i) {
        if (!SameValue(values[i], values_[k][i])) return std::nullopt;
      }
      ++k;
    }
  }
  Result<ParamValue> id = json_lite::DecodeScalar(id_it->second);
  if (!id.ok()) return std::nullopt;
  int64_t grid_id = -1;
  if (const auto* i = std::get_if<int64_t>(&*id)) {
    grid_id = *i;
  } else if (const auto* d = std::get_if<double>(&*id);
             d && std::trunc(*d) == *d && *d >= 0 && *d < static_cast<double>(size_)) {
    grid_id = static_cast<int64_t>(*d);
  }
  if (grid_id < 0 || grid_id >= size_) return std::nullopt;
  return grid_id;
}

GridSampler::StudyState& GridSampler::Sync(const StudyView& study) const {
  std::unique_ptr<StudyState>& slot = studies_[{study.study_id(), study.study_name()}];
  if (!slot) slot = std::make_unique<StudyState>(size_);
  StudyState& state = *slot;
  std::vector<int> numbers;
  const std::span<const FrozenTrial* const> trials = study.trials();
  if (&study != state.view || study.revision() < state.revision) {
    // A view not seen before: read it all (removing a held id twice is a
    // no-op, so re-reading is harmless).
    for (const FrozenTrial* t : trials) numbers.push_back(t->number);
  } else {
    study.ChangedSince(state.revision, numbers);
  }
  state.view = &study;
  state.revision = study.revision();
  for (int n : numbers) {
    if (n < 0 || static_cast<size_t>(n) >= trials.size()) continue;
    const FrozenTrial& t = *trials[static_cast<size_t>(n)];
    if (t.state == TrialState::kWaiting) continue;  // queued: holds nothing yet
    if (const auto id = GridIdOf(t)) {
      state.free.Remove(*id);
      state.pending.erase(n);
    } else if (t.state == TrialState::kRunning && !t.system_attrs.contains(kAttrFixedParams)) {
      state.pending.insert(n);
    } else {
      state.pending.erase(n);
    }
  }
  return state;
}

bool GridSampler::BeforeTrial(const StudyView& study, const FrozenTrial& trial,
                              AttrMap& system_attrs) {
  std::lock_guard lock(mu_);
  StudyState& state = Sync(study);
  // A trial that already has a point (a retried trial) keeps it.
  if (const auto id = GridIdOf(trial)) {
    state.free.Remove(*id);
    return true;
  }
  auto assign = [&](int64_t id) {
    state.free.Remove(id);
    system_attrs[std::string(kAttrGridId)] = JsonAttr(id);
    system_attrs[std::string(kAttrGridSearchSpace)] = search_space_json_;
  };

  const auto fixed_it = trial.system_attrs.find(kAttrFixedParams);
  if (fixed_it != trial.system_attrs.end()) {
    Result<std::map<std::string, ParamValue, std::less<>>> fixed =
        json_lite::DecodeObject(fixed_it->second);
    if (fixed.ok()) {
      // The sub-grid that agrees with the fixed values: fixed parameters
      // pinned to their value's index, the others free.
      int64_t base = 0;
      std::vector<size_t> free_params;
      int64_t n_consistent = 1;
      for (size_t k = 0; k < names_.size(); ++k) {
        const auto f = fixed->find(names_[k]);
        if (f == fixed->end()) {
          free_params.push_back(k);
          n_consistent *= static_cast<int64_t>(values_[k].size());
          continue;
        }
        size_t i = 0;
        while (i < values_[k].size() && !SameValue(values_[k][i], f->second)) ++i;
        if (i == values_[k].size()) return true;  // off the grid: no point
        base += static_cast<int64_t>(i) * strides_[k];
      }
      // The m-th point of the sub-grid, m in [0, n_consistent).
      auto nth = [&](int64_t m) {
        int64_t id = base;
        for (size_t j = free_params.size(); j-- > 0;) {
          const size_t k = free_params[j];
          const auto n = static_cast<int64_t>(values_[k].size());
          id += (m % n) * strides_[k];
          m /= n;
        }
        return id;
      };
      // Prefer a free point: enumerate small sub-grids, probe large ones.
      std::vector<int64_t> candidates;
      if (n_consistent <= (int64_t{1} << 16)) {
        for (int64_t m = 0; m < n_consistent; ++m) {
          if (state.free.Contains(nth(m))) candidates.push_back(nth(m));
        }
      } else {
        for (int tries = 0; tries < 64 && candidates.empty(); ++tries) {
          const int64_t id =
              nth(static_cast<int64_t>(rng_.UniformInt(static_cast<uint64_t>(n_consistent))));
          if (state.free.Contains(id)) candidates.push_back(id);
        }
      }
      if (!candidates.empty()) {
        assign(candidates[rng_.UniformInt(candidates.size())]);
      } else {  // every agreeing point is held: run it again, as asked
        assign(nth(static_cast<int64_t>(rng_.UniformInt(static_cast<uint64_t>(n_consistent)))));
      }
      return true;
    }
  }

  if (state.free.size() == 0) return false;
  // The trial's number picks its point: numbers are unique across processes
  // (the storage assigns them), so processes sharing the study under the same
  // key never pick the same point.
  uint64_t key_state = seed_ ? *seed_ ^ grid_hash_ : Fnv1a(study.study_name(), grid_hash_);
  const uint64_t key = SplitMix64(key_state);
  if (trial.number >= 0 && trial.number < size_) {
    const int64_t id = PermuteIndex(key, trial.number, size_);
    if (state.free.Contains(id)) {
      assign(id);
      return true;
    }
  }
  // The point is held (by an enqueued or retried trial), or the number is past
  // the grid (trials that took no point, or workers that asked as the grid
  // ran out): a free point at random, skipping those that RUNNING trials with
  // no point yet are about to take. The view holds every trial numbered
  // below this one (Ask syncs after creating it), so those are all known.
  std::set<int64_t> reserved;
  for (const int n : state.pending) {
    if (n != trial.number && n < size_) reserved.insert(PermuteIndex(key, n, size_));
  }
  if (reserved.empty()) {
    assign(state.free.TakeRandom(rng_));
    return true;
  }
  std::vector<int64_t> open;
  for (int tries = 0; tries < 64; ++tries) {
    const int64_t id = state.free.TakeRandom(rng_);
    if (!reserved.contains(id)) {
      for (const int64_t back : open) state.free.Add(back);
      assign(id);
      return true;
    }
    open.push_back(id);
  }
  // Mostly reserved: look at every free point.
  while (state.free.size() > 0) {
    const int64_t id = state.free.TakeRandom(rng_);
    if (!reserved.contains(id)) {
      for (const int64_t back : open) state.free.Add(back);
      assign(id);
      return true;
    }
    open.push_back(id);
  }
  for (const int64_t back : open) state.free.Add(back);
  return false;  // every free point is about to be taken
}

bool GridSampler::Exhausted(const StudyView& study) const {
  std::lock_guard lock(mu_);
  return Sync(study).free.size() == 0;
}

double GridSampler::SampleIndependent(const StudyView&, const FrozenTrial& trial,
                                      std::string_view name, const Distribution& distribution) {
  const auto it = std::lower_bound(names_.begin(), names_.end(), name);
  const auto k = static_cast<size_t>(it - names_.begin());
  if (it == names_.end() || *it != name) {
    std::string known;
    for (const std::string& n : names_) known += (known.empty() ? "" : ", ") + n;
    throw GridError("parameter '" + std::string(name) +
                    "' is not in the grid (grid parameters: " + known + ")");
  }
  const std::optional<int64_t> grid_id = GridIdOf(trial);
  if (!grid_id) {
    throw GridError("trial " + std::to_string(trial.number) +
                    " has no point of this grid, so parameter '" + std::string(name) +
                    "' has no value (an enqueued trial whose fixed values match no grid "
                    "point must fix every grid parameter)");
  }
  const ParamValue& value = values_[k][ValueIndex(*grid_id, k)];
  Result<double> internal = ToInternal(distribution, value);
  if (!internal.ok()) {
    throw HypertuneError(internal.status().WithContext("GridSampler: grid value of parameter '" +
                                                       std::string(name) + "'"));
  }
  return *internal;
}

}  // namespace hypertune
