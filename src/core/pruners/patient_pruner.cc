#include "hypertune/core/patient_pruner.h"

#include <cmath>
#include <span>
#include <string>

#include "src/core/pruners/pruner_util.h"

namespace hypertune {

Status PatientPrunerOptions::Validate() const {
  if (patience < 0) {
    return Status::InvalidArgument("patience must be >= 0, got " + std::to_string(patience));
  }
  if (!(min_delta >= 0.0)) {  // NaN fails too
    return Status::InvalidArgument("min_delta must be >= 0, got " +
                                   std::to_string(min_delta));
  }
  return Status::Ok();
}

PatientPruner::PatientPruner(PatientPrunerOptions options) : options_(std::move(options)) {
  const Status s = options_.Validate();
  HT_CHECK(s.ok()) << "PatientPruner: " << s;
}

Result<std::unique_ptr<PatientPruner>> PatientPruner::Create(PatientPrunerOptions options) {
  HT_RETURN_IF_ERROR(options.Validate().WithContext("PatientPruner"));
  return std::make_unique<PatientPruner>(std::move(options));
}

bool PatientPruner::Prune(const StudyView& study, const FrozenTrial& trial) {
  pruners_internal::CheckSingleObjective(study, "PatientPruner");
  std::span<const std::pair<int64_t, double>> values(trial.intermediate_values);
  const size_t n_after = static_cast<size_t>(options_.patience) + 1;
  if (values.size() <= n_after) return false;
  const auto before = values.first(values.size() - n_after);
  const auto after = values.last(n_after);

  bool stagnant;
  if (study.directions()[0] == StudyDirection::kMinimize) {
    stagnant = pruners_internal::NanMin(before) + options_.min_delta <
               pruners_internal::NanMin(after);
  } else {
    stagnant = pruners_internal::NanMax(before) - options_.min_delta >
               pruners_internal::NanMax(after);
  }
  if (!stagnant) return false;
  return options_.wrapped_pruner ? options_.wrapped_pruner->Prune(study, trial) : true;
}

}  // namespace hypertune
