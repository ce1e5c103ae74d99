// Study creation, loading, queries. Running trials: optimize.cc; trials'
// services (suggest, report, prune): trial.cc.
#include "hypertune/core/study.h"

#include <cxxabi.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <typeinfo>

#include "hypertune/core/in_memory_storage.h"
#include "hypertune/core/json_lite.h"
#include "hypertune/core/random.h"
#include "src/core/default_components.h"

namespace hypertune {
namespace {

std::string GeneratedName() {
  Rng rng(Rng::RandomSeed());
  std::ostringstream os;
  os << "no-name-" << std::hex << rng.Next() << rng.Next();
  return os.str();
}

// True when a is at least as good as b in every objective and better in one.
bool Dominates(const std::vector<double>& a, const std::vector<double>& b,
               const std::vector<StudyDirection>& dirs) {
  bool better = false;
  for (size_t k = 0; k < dirs.size(); ++k) {
    const double x = dirs[k] == StudyDirection::kMinimize ? a[k] : -a[k];
    const double y = dirs[k] == StudyDirection::kMinimize ? b[k] : -b[k];
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

// The storage's class, for messages ("hypertune::InMemoryStorage").
std::string StorageName(const Storage& storage) {
  const char* mangled = typeid(storage).name();
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string out = status == 0 && demangled != nullptr ? demangled : mangled;
  std::free(demangled);
  return out;
}

// Heartbeats need a storage that keeps them.
Status CheckHeartbeatStorage(const StudyOptions& options) {
  if (!options.heartbeat || options.storage->SupportsHeartbeat()) return Status::Ok();
  return Status::InvalidArgument(
      "study '" + options.name + "': StudyOptions.heartbeat is set, but the storage (" +
      StorageName(*options.storage) +
      ") keeps no heartbeats; use one that does (SqliteStorage) or leave heartbeat unset");
}

}  // namespace

Status StudyOptions::Validate() const {
  if (directions.empty()) return Status::InvalidArgument("a study needs at least one direction");
  if (heartbeat) HT_RETURN_IF_ERROR(heartbeat->Validate());
  return Status::Ok();
}

Status OptimizeOptions::Validate() const {
  if (n_trials && *n_trials < 0)
    return Status::InvalidArgument("n_trials must be >= 0, got " + std::to_string(*n_trials));
  if (timeout && !(timeout->count() >= 0))
    return Status::InvalidArgument("timeout must be >= 0 seconds");
  if (n_jobs == 0 || n_jobs < -1)
    return Status::InvalidArgument("n_jobs must be >= 1 or -1 (all cores), got " +
                                   std::to_string(n_jobs));
  return Status::Ok();
}

Study::Study(std::string name, int64_t study_id, std::vector<StudyDirection> directions,
             StudyOptions options)
    : name_(std::move(name)),
      study_id_(study_id),
      directions_(std::move(directions)),
      storage_(std::move(options.storage)),
      sampler_(std::move(options.sampler)),
      pruner_(std::move(options.pruner)),
      cache_(std::make_unique<TrialCache>(study_id_, name_, directions_)),
      heartbeat_(options.heartbeat) {
  if (!sampler_) sampler_ = internal::DefaultSampler(directions_.size() > 1);
  if (!pruner_) pruner_ = internal::DefaultPruner();
}

Result<std::shared_ptr<Study>> CreateStudy(StudyOptions options) {
  HT_RETURN_IF_ERROR(options.Validate());
  if (!options.storage) options.storage = std::make_shared<InMemoryStorage>();
  if (options.name.empty()) options.name = GeneratedName();
  HT_RETURN_IF_ERROR(CheckHeartbeatStorage(options));
  auto id = options.storage->CreateStudy(options.name, options.directions);
  if (!id.ok()) {
    if (id.status().code() == StatusCode::kAlreadyExists && options.load_if_exists)
      return LoadStudy(std::move(options));
    return id.status();
  }
  std::string name = options.name;
  std::vector<StudyDirection> dirs = options.directions;
  std::shared_ptr<Study> study(new Study(std::move(name), *id, std::move(dirs), std::move(options)));
  HT_RETURN_IF_ERROR(study->Sync());
  return study;
}

Result<std::shared_ptr<Study>> LoadStudy(StudyOptions options) {
  if (!options.storage)
    return Status::InvalidArgument("LoadStudy needs the storage that holds study '" +
                                   options.name + "'");
  if (options.heartbeat) HT_RETURN_IF_ERROR(options.heartbeat->Validate());
  HT_RETURN_IF_ERROR(CheckHeartbeatStorage(options));
  HT_ASSIGN_OR_RETURN(int64_t id, options.storage->GetStudyId(options.name));
  HT_ASSIGN_OR_RETURN(StudySummary summary, options.storage->GetStudy(id));
  std::string name = options.name;
  std::shared_ptr<Study> study(
      new Study(std::move(name), id, summary.directions, std::move(options)));
  HT_RETURN_IF_ERROR(study->Sync());
  return study;
}

Status DeleteStudy(std::string_view name, Storage& storage) {
  HT_ASSIGN_OR_RETURN(int64_t id, storage.GetStudyId(name));
  return storage.DeleteStudy(id);
}

Status Study::Sync() {
  std::lock_guard sync_lock(sync_mu_);
  std::vector<FrozenTrial> updates;
  HT_RETURN_IF_ERROR(storage_->ReadTrialUpdates(study_id_, cursor_, updates)
                         .WithContext("study '" + name_ + "'"));
  if (updates.empty()) return Status::Ok();
  {
    // Share one distribution object per parameter name.
    std::lock_guard dist_lock(dist_mu_);
    for (FrozenTrial& t : updates) {
      for (TrialParam& p : t.params) {
        auto it = distributions_.find(p.name);
        if (it == distributions_.end()) {
          distributions_.emplace(p.name, p.distribution);
        } else if (it->second != p.distribution && *it->second == *p.distribution) {
          p.distribution = it->second;
        }
      }
    }
  }
  std::unique_lock lock(cache_mu_);
  cache_->Apply(std::move(updates));
  return Status::Ok();
}

std::shared_ptr<const Distribution> Study::Intern(std::string_view name, const Distribution& d,
                                                  Status* error) {
  std::lock_guard lock(dist_mu_);
  auto it = distributions_.find(name);
  if (it == distributions_.end()) {
    auto shared = std::make_shared<const Distribution>(d);
    distributions_.emplace(std::string(name), shared);
    return shared;
  }
  if (*it->second != d) {
    *error = Status::InvalidArgument(
        "parameter '" + std::string(name) + "' was " + ToString(*it->second) +
        " in earlier trials of study '" + name_ + "', now " + ToString(d) +
        "; a study keeps one distribution per parameter (use another name or a new study)");
    return nullptr;
  }
  return it->second;
}

Result<std::vector<FrozenTrial>> Study::Trials(std::vector<TrialState> states) {
  HT_RETURN_IF_ERROR(Sync());
  std::shared_lock lock(cache_mu_);
  std::vector<FrozenTrial> out;
  for (const FrozenTrial* t : cache_->trials()) {
    if (states.empty() || std::find(states.begin(), states.end(), t->state) != states.end())
      out.push_back(*t);
  }
  return out;
}

Result<FrozenTrial> Study::BestTrial() {
  if (directions_.size() != 1)
    return Status::FailedPrecondition("study '" + name_ +
                                      "' is multi-objective: use BestTrials() for its Pareto front");
  HT_RETURN_IF_ERROR(Sync());
  std::shared_lock lock(cache_mu_);
  const FrozenTrial* best = nullptr;
  const bool minimize = directions_[0] == StudyDirection::kMinimize;
  for (const FrozenTrial* t : cache_->trials()) {
    if (t->state != TrialState::kComplete) continue;
    if (best == nullptr || (minimize ? t->values[0] < best->values[0]
                                     : t->values[0] > best->values[0]))
      best = t;
  }
  if (best == nullptr)
    return Status::FailedPrecondition("study '" + name_ + "' has no COMPLETE trial yet");
  return *best;
}

Result<double> Study::BestValue() {
  HT_ASSIGN_OR_RETURN(FrozenTrial best, BestTrial());
  return best.values[0];
}

Result<std::map<std::string, ParamValue, std::less<>>> Study::BestParams() {
  HT_ASSIGN_OR_RETURN(FrozenTrial best, BestTrial());
  std::map<std::string, ParamValue, std::less<>> out;
  for (const TrialParam& p : best.params) out.emplace(p.name, p.value());
  return out;
}

Result<std::vector<FrozenTrial>> Study::BestTrials() {
  HT_RETURN_IF_ERROR(Sync());
  std::shared_lock lock(cache_mu_);
  std::vector<const FrozenTrial*> complete;
  for (const FrozenTrial* t : cache_->trials()) {
    if (t->state == TrialState::kComplete) complete.push_back(t);
  }
  // Sorted lexicographically (in minimization terms), a trial can only be
  // dominated by one before it, and then by one on the front (dominance is
  // transitive), so each trial is checked against the front alone.
  auto key = [&](const FrozenTrial* t, size_t k) {
    return directions_[k] == StudyDirection::kMinimize ? t->values[k] : -t->values[k];
  };
  std::stable_sort(complete.begin(), complete.end(), [&](const FrozenTrial* a, const FrozenTrial* b) {
    for (size_t k = 0; k < directions_.size(); ++k) {
      if (key(a, k) != key(b, k)) return key(a, k) < key(b, k);
    }
    return false;
  });
  std::vector<const FrozenTrial*> front;
  for (const FrozenTrial* t : complete) {
    bool dominated = false;
    for (const FrozenTrial* f : front) {
      if (Dominates(f->values, t->values, directions_)) {
        dominated = true;
        break;
      }
    }
    if (!dominated) front.push_back(t);
  }
  std::sort(front.begin(), front.end(),
            [](const FrozenTrial* a, const FrozenTrial* b) { return a->number < b->number; });
  std::vector<FrozenTrial> out;
  out.reserve(front.size());
  for (const FrozenTrial* t : front) out.push_back(*t);
  return out;
}

Status Study::EnqueueTrial(const std::map<std::string, ParamValue, std::less<>>& params,
                           bool skip_if_exists) {
  if (skip_if_exists) {
    HT_RETURN_IF_ERROR(Sync());
    std::shared_lock lock(cache_mu_);
    for (const FrozenTrial* t : cache_->trials()) {
      std::map<std::string, ParamValue, std::less<>> existing;
      auto it = t->system_attrs.find(kAttrFixedParams);
      if (it != t->system_attrs.end()) {
        auto decoded = json_lite::DecodeObject(it->second);
        if (decoded.ok()) existing = std::move(*decoded);
      } else {
        for (const TrialParam& p : t->params) existing.emplace(p.name, p.value());
      }
      if (existing == params) return Status::Ok();
    }
  }
  FrozenTrial templ;
  templ.state = TrialState::kWaiting;
  templ.system_attrs.emplace(std::string(kAttrFixedParams), json_lite::Encode(params));
  return storage_->CreateTrial(study_id_, &templ).status();
}

Status Study::AddTrial(const FrozenTrial& trial) {
  if (!IsFinished(trial.state))
    return Status::InvalidArgument("AddTrial takes a finished trial, got state " +
                                   std::string(ToString(trial.state)));
  if (trial.state == TrialState::kComplete) {
    if (trial.values.size() != directions_.size())
      return Status::InvalidArgument("a COMPLETE trial needs " +
                                     std::to_string(directions_.size()) + " value(s), got " +
                                     std::to_string(trial.values.size()));
    for (double v : trial.values) {
      if (std::isnan(v)) return Status::InvalidArgument("a COMPLETE trial cannot have a NaN value");
    }
  }
  FrozenTrial templ = trial;
  for (TrialParam& p : templ.params) {
    if (!p.distribution) return Status::InvalidArgument("parameter '" + p.name + "' has no distribution");
    HT_RETURN_IF_ERROR(Validate(*p.distribution).WithContext("parameter '" + p.name + "'"));
    if (!Contains(*p.distribution, p.internal))
      return Status::InvalidArgument("parameter '" + p.name + "': " + std::to_string(p.internal) +
                                     " is not in " + ToString(*p.distribution));
    Status err;
    p.distribution = Intern(p.name, *p.distribution, &err);
    HT_RETURN_IF_ERROR(err);
  }
  return storage_->CreateTrial(study_id_, &templ).status();
}

Status Study::SetUserAttr(std::string_view key, std::string_view json) {
  return storage_->SetStudyUserAttr(study_id_, key, json);
}

Result<StudySummary> Study::Summary() { return storage_->GetStudy(study_id_); }

}  // namespace hypertune
