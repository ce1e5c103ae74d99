#include "hypertune/core/hyperband_pruner.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "src/core/pruners/asha.h"
#include "src/core/pruners/crc32.h"
#include "src/core/pruners/pruner_util.h"

namespace hypertune {
namespace {

// Budgets are capped here; see BracketBudgets.
constexpr int64_t kBudgetCap = int64_t{1} << 50;

}  // namespace

struct HyperbandPruner::State {
  std::optional<int64_t> max_resource;
  int n_brackets = 0;            // valid once max_resource is set
  std::vector<int64_t> budgets;  // one per bracket
  // Written only while max_resource is unset; read-only afterwards, so a
  // caller that saw max_resource set (under mu_) may read it unlocked.
  pruners_internal::UnevaluatedSteps unevaluated;
  // Thread-safe itself; not guarded by mu_.
  pruners_internal::PruneLog prune_log;
  // Bracket by trial number (-1: not computed yet) for study `cached_study`.
  std::string cached_study;
  std::vector<int8_t> bracket_of;
};

Status HyperbandPrunerOptions::Validate() const {
  if (min_resource < 1) {
    return Status::InvalidArgument("min_resource must be >= 1, got " +
                                   std::to_string(min_resource));
  }
  if (max_resource != 0 && max_resource < min_resource) {
    return Status::InvalidArgument("max_resource (" + std::to_string(max_resource) +
                                   ") must be >= min_resource (" +
                                   std::to_string(min_resource) + "), or 0 for 'auto'");
  }
  if (reduction_factor < 2) {
    return Status::InvalidArgument("reduction_factor must be >= 2, got " +
                                   std::to_string(reduction_factor));
  }
  if (bootstrap_count < 0) {
    return Status::InvalidArgument("bootstrap_count must be >= 0, got " +
                                   std::to_string(bootstrap_count));
  }
  if (bootstrap_count > 0 && max_resource == 0) {
    return Status::InvalidArgument(
        "bootstrap_count > 0 needs an explicit max_resource (not 'auto')");
  }
  return Status::Ok();
}

HyperbandPruner::HyperbandPruner(HyperbandPrunerOptions options)
    : options_(options), state_(std::make_unique<State>()) {
  const Status s = options_.Validate();
  HT_CHECK(s.ok()) << "HyperbandPruner: " << s;
}

HyperbandPruner::~HyperbandPruner() = default;

Result<std::unique_ptr<HyperbandPruner>> HyperbandPruner::Create(
    HyperbandPrunerOptions options) {
  HT_RETURN_IF_ERROR(options.Validate().WithContext("HyperbandPruner"));
  return std::make_unique<HyperbandPruner>(options);
}

int HyperbandPruner::NumBrackets(int64_t min_resource, int64_t max_resource,
                                 int reduction_factor) {
  // Optuna: math.floor(math.log(max / min, factor)) + 1, i.e. a quotient of
  // natural logs; kept in floating point so the count equals Optuna's.
  const double ratio = static_cast<double>(max_resource) / static_cast<double>(min_resource);
  return static_cast<int>(std::floor(std::log(ratio) / std::log(reduction_factor))) + 1;
}

std::vector<int64_t> HyperbandPruner::BracketBudgets(int n_brackets, int reduction_factor) {
  HT_CHECK(n_brackets >= 1 && n_brackets <= 64) << "n_brackets " << n_brackets;
  // budget = ceil(n_brackets * factor^s / (s + 1)). A CRC32 is < 2^32, so
  // once a budget reaches 2^44 (> any hash) its exact size cannot change an
  // assignment: capping the product at 2^50 keeps results exact and the sum
  // within int64.
  std::vector<int64_t> budgets(static_cast<size_t>(n_brackets));
  for (int b = 0; b < n_brackets; ++b) {
    const int s = n_brackets - 1 - b;
    int64_t numerator = n_brackets;
    for (int e = 0; e < s && numerator < kBudgetCap; ++e) {
      numerator = numerator > kBudgetCap / reduction_factor ? kBudgetCap
                                                            : numerator * reduction_factor;
    }
    budgets[static_cast<size_t>(b)] = (numerator + s) / (s + 1);
  }
  return budgets;
}

int HyperbandPruner::BracketFor(std::string_view study_name, int trial_number,
                                std::span<const int64_t> budgets) {
  HT_CHECK(!budgets.empty()) << "no bracket";
  int64_t total = 0;
  for (int64_t b : budgets) total += b;
  std::string key(study_name);
  key += '_';
  key += std::to_string(trial_number);
  int64_t n = static_cast<int64_t>(pruners_internal::Crc32(key)) % total;
  for (size_t b = 0; b < budgets.size(); ++b) {
    n -= budgets[b];
    if (n < 0) return static_cast<int>(b);
  }
  HT_CHECK(false) << "hash " << n << " beyond the budgets";
  return -1;
}

std::optional<int64_t> HyperbandPruner::max_resource() const {
  std::lock_guard lock(mu_);
  return state_->max_resource;
}

std::optional<int> HyperbandPruner::n_brackets() const {
  std::lock_guard lock(mu_);
  if (!state_->max_resource) return std::nullopt;
  return state_->n_brackets;
}

std::optional<int> HyperbandPruner::BracketOf(const StudyView& study, int trial_number) {
  std::lock_guard lock(mu_);
  TryInitialize(study);
  if (!state_->max_resource || state_->n_brackets < 1) return std::nullopt;
  return CachedBracket(study, trial_number);
}

void HyperbandPruner::TryInitialize(const StudyView& study) {
  State& st = *state_;
  if (st.max_resource) return;
  int64_t max_resource = options_.max_resource;
  if (max_resource == 0) {
    std::optional<int64_t> longest;
    for (const FrozenTrial* t : study.trials()) {
      if (t->state != TrialState::kComplete) continue;
      if (std::optional<int64_t> s = t->LastStep()) longest = std::max(longest.value_or(*s), *s);
    }
    if (!longest) return;
    max_resource = *longest + 1;
  }
  st.max_resource = max_resource;
  st.n_brackets = NumBrackets(options_.min_resource, max_resource, options_.reduction_factor);
  if (st.n_brackets >= 1) st.budgets = BracketBudgets(st.n_brackets, options_.reduction_factor);
}

int HyperbandPruner::CachedBracket(const StudyView& study, int trial_number) {
  State& st = *state_;
  if (st.cached_study != study.study_name()) {
    st.cached_study = study.study_name();
    st.bracket_of.clear();
  }
  const auto n = static_cast<size_t>(trial_number);
  if (n >= st.bracket_of.size()) st.bracket_of.resize(n + 1, -1);
  if (st.bracket_of[n] < 0) {
    st.bracket_of[n] = static_cast<int8_t>(BracketFor(st.cached_study, trial_number, st.budgets));
  }
  return st.bracket_of[n];
}

bool HyperbandPruner::Prune(const StudyView& study, const FrozenTrial& trial) {
  pruners_internal::CheckSingleObjective(study, "HyperbandPruner");
  const std::optional<int64_t> step = trial.LastStep();
  int bracket;
  {
    std::lock_guard lock(mu_);
    TryInitialize(study);
    if (!state_->max_resource) {
      if (step) {
        int64_t& seen = state_->unevaluated.try_emplace(trial.number, *step).first->second;
        seen = std::max(seen, *step);
      }
      return false;
    }
    if (state_->n_brackets < 1 || !step) return false;
    bracket = CachedBracket(study, trial.number);
  }

  const pruners_internal::AshaParams params{.min_resource = options_.min_resource,
                                            .reduction_factor = options_.reduction_factor,
                                            .min_early_stopping_rate = bracket,
                                            .bootstrap_count = options_.bootstrap_count};
  std::vector<const FrozenTrial*> same_bracket;
  auto competitors = [&]() -> std::span<const FrozenTrial* const> {
    std::lock_guard lock(mu_);
    for (const FrozenTrial* t : study.trials()) {
      if (CachedBracket(study, t->number) == bracket) same_bracket.push_back(t);
    }
    return same_bracket;
  };
  return pruners_internal::AshaPrune(trial, study.directions()[0], params, state_->unevaluated,
                                     state_->prune_log,
                                     competitors);
}

}  // namespace hypertune
