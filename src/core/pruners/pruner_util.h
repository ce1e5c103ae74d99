// Helpers shared by the pruners (internal; not installed). They reproduce the
// numerical conventions of Optuna's pruners (numpy's nanpercentile, nanmin,
// nanmax) so that decisions agree with Optuna's on the same history.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/status.h"
#include "hypertune/core/study_view.h"

namespace hypertune::pruners_internal {

// Aborts unless `study` has exactly one objective. Trial::ShouldPrune rejects
// multi-objective studies before a pruner is called, so reaching a pruner
// with one is a bug in the caller.
void CheckSingleObjective(const StudyView& study, std::string_view pruner);

// OK, or InvalidArgument for n_warmup_steps < 0 or interval_steps < 1: the
// options of the pruning-step rule below, shared by several pruners.
Status ValidateWarmupAndInterval(int64_t n_warmup_steps, int64_t interval_steps);

// True when the trial's latest report, at `step`, is the first one in its
// pruning interval, i.e. no earlier report of this trial lies in
// [nearest lower pruning step, step). Pruning steps are
// n_warmup_steps + k * interval_steps. A check skipped because nothing was
// reported at a pruning step therefore happens at the next report.
// Preconditions: step is the trial's last step, step >= n_warmup_steps,
// interval_steps >= 1.
bool IsFirstInIntervalStep(const FrozenTrial& trial, int64_t step, int64_t n_warmup_steps,
                           int64_t interval_steps);

// numpy.nanmin / nanmax of the values: NaN when there are no non-NaN values.
double NanMin(std::span<const std::pair<int64_t, double>> values);
double NanMax(std::span<const std::pair<int64_t, double>> values);

// The best of a trial's intermediate values over all its steps for the
// direction, ignoring NaN; NaN when all are NaN (or there are none).
double BestIntermediateValue(const FrozenTrial& trial, StudyDirection direction);

// numpy.nanpercentile(values, percentile) with the default 'linear' method,
// including numpy's two-sided interpolation formula, so that results are
// bitwise equal. NaN values are ignored; NaN when none is left.
// Reorders `values`. Preconditions: 0 <= percentile <= 100.
double NanPercentile(std::vector<double>& values, double percentile);

}  // namespace hypertune::pruners_internal
