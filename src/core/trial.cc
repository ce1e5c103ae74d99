#include "hypertune/core/trial.h"

#include <cmath>

#include "hypertune/core/study.h"
#include "src/core/interrupt.h"

namespace hypertune {
namespace {

[[noreturn]] void Throw(Status s) { throw HypertuneError(std::move(s)); }

}  // namespace

void Trial::ThrowIfInterrupted() const {
  if (const int signo = study_->InterruptSignal(); signo != 0)
    throw TrialInterrupted("interrupted by " + internal::SignalName(signo));
}

Trial::Trial(std::shared_ptr<Study> study, FrozenTrial started, InternalParams relative,
             SearchSpace relative_space, std::map<std::string, ParamValue, std::less<>> fixed)
    : study_(std::move(study)),
      trial_id_(started.trial_id),
      number_(started.number),
      local_(std::move(started)),
      relative_(std::move(relative)),
      relative_space_(std::move(relative_space)),
      fixed_(std::move(fixed)) {}

ParamValue Trial::Suggest(std::string_view name, const Distribution& distribution) {
  const std::string where = "study '" + study_->name() + "', trial " + std::to_string(number_) +
                            ", parameter '" + std::string(name) + "'";
  if (name.empty()) Throw(Status::InvalidArgument(where + ": a parameter name must not be empty"));
  if (Status s = Validate(distribution); !s.ok()) Throw(s.WithContext(where));
  if (const TrialParam* p = local_.FindParam(name)) {
    if (*p->distribution != distribution)
      Throw(Status::InvalidArgument(where + ": asked before with " + ToString(*p->distribution) +
                                    ", now with " + ToString(distribution)));
    return p->value();
  }
  Status err;
  std::shared_ptr<const Distribution> shared = study_->Intern(name, distribution, &err);
  if (!err.ok()) Throw(err.WithContext("trial " + std::to_string(number_)));

  double internal;
  if (auto f = fixed_.find(name); f != fixed_.end()) {
    Result<double> r = ToInternal(distribution, f->second);
    if (!r.ok()) Throw(r.status().WithContext(where + " (enqueued value)"));
    internal = *r;
  } else if (auto r = relative_.find(name);
             r != relative_.end() && relative_space_.count(name) &&
             *relative_space_.find(name)->second == distribution) {
    internal = r->second;
  } else {
    internal = study_->SampleFor(*this, name, shared);
  }
  if (!Contains(distribution, internal))
    Throw(Status::Internal(where + ": the sampler returned " + std::to_string(internal) +
                           ", which is not in " + ToString(distribution)));
  if (Status s = study_->storage().SetTrialParam(trial_id_, name, internal, shared); !s.ok())
    Throw(s.WithContext(where));
  local_.params.push_back({std::string(name), shared, internal});
  return local_.params.back().value();
}

double Trial::SuggestFloat(std::string_view name, double low, double high, FloatOptions options) {
  return std::get<double>(Suggest(name, FloatDistribution{low, high, options.log, options.step}));
}

int64_t Trial::SuggestInt(std::string_view name, int64_t low, int64_t high, IntOptions options) {
  return std::get<int64_t>(Suggest(name, IntDistribution{low, high, options.log, options.step}));
}

ParamValue Trial::SuggestCategorical(std::string_view name, const std::vector<ParamValue>& choices) {
  return Suggest(name, CategoricalDistribution{choices});
}

std::string Trial::SuggestCategorical(std::string_view name,
                                      std::initializer_list<const char*> choices) {
  std::vector<ParamValue> c;
  c.reserve(choices.size());
  for (const char* s : choices) c.emplace_back(std::string(s));
  return std::get<std::string>(SuggestCategorical(name, c));
}

void Trial::Report(double value, int64_t step) {
  const std::string where = "study '" + study_->name() + "', trial " + std::to_string(number_);
  if (study_->directions().size() > 1)
    Throw(Status::FailedPrecondition(where + ": Report is for single-objective studies"));
  if (step < 0) Throw(Status::InvalidArgument(where + ": step must be >= 0, got " + std::to_string(step)));
  // As Optuna: the first report of a step stands.
  if (!local_.IntermediateValue(step)) {
    if (Status s = study_->storage().SetTrialIntermediateValue(trial_id_, step, value); !s.ok())
      Throw(s.WithContext(where));
    auto& iv = local_.intermediate_values;
    iv.insert(std::upper_bound(iv.begin(), iv.end(), std::make_pair(step, value),
                               [](const auto& a, const auto& b) { return a.first < b.first; }),
              {step, value});
  }
  // After storing: the value reported is kept with the interrupted trial.
  ThrowIfInterrupted();
}

bool Trial::ShouldPrune() {
  if (study_->directions().size() > 1)
    Throw(Status::FailedPrecondition("study '" + study_->name() + "', trial " +
                                     std::to_string(number_) +
                                     ": pruning is for single-objective studies"));
  ThrowIfInterrupted();
  return study_->ShouldPrune(*this);
}

void Trial::SetUserAttrJson(std::string_view key, std::string json) {
  if (Status s = study_->storage().SetTrialUserAttr(trial_id_, key, json); !s.ok()) Throw(s);
  local_.user_attrs[std::string(key)] = std::move(json);
}
void Trial::SetUserAttr(std::string_view key, double v) { SetUserAttrJson(key, JsonAttr(v)); }
void Trial::SetUserAttr(std::string_view key, int64_t v) { SetUserAttrJson(key, JsonAttr(v)); }
void Trial::SetUserAttr(std::string_view key, bool v) { SetUserAttrJson(key, JsonAttr(v)); }
void Trial::SetUserAttr(std::string_view key, std::string_view v) {
  SetUserAttrJson(key, JsonAttr(v));
}

std::map<std::string, ParamValue, std::less<>> Trial::params() const {
  std::map<std::string, ParamValue, std::less<>> out;
  for (const TrialParam& p : local_.params) out.emplace(p.name, p.value());
  return out;
}

FrozenTrial Trial::Snapshot() const {
  Result<FrozenTrial> t = study_->storage().GetTrial(trial_id_);
  if (!t.ok()) Throw(t.status());
  return *t;
}

// ---- Study's services to trials ----

double Study::SampleFor(Trial& trial, std::string_view name,
                        const std::shared_ptr<const Distribution>& distribution) {
  std::shared_lock lock(cache_mu_);
  return sampler_->SampleIndependent(*cache_, trial.local_, name, *distribution);
}

bool Study::ShouldPrune(const Trial& trial) {
  if (Status s = Sync(); !s.ok()) throw HypertuneError(s);
  std::shared_lock lock(cache_mu_);
  auto trials = cache_->trials();
  HT_CHECK(static_cast<size_t>(trial.number()) < trials.size())
      << "trial " << trial.number() << " missing from the cache of study '" << name_ << "'";
  return pruner_->Prune(*cache_, *trials[static_cast<size_t>(trial.number())]);
}

}  // namespace hypertune
