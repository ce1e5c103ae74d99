#include "hypertune/core/median_pruner.h"

namespace hypertune {
namespace {

PercentilePrunerOptions AsPercentile(const MedianPrunerOptions& o) {
  return {.percentile = 50.0,
          .n_startup_trials = o.n_startup_trials,
          .n_warmup_steps = o.n_warmup_steps,
          .interval_steps = o.interval_steps,
          .n_min_trials = o.n_min_trials};
}

}  // namespace

Status MedianPrunerOptions::Validate() const { return AsPercentile(*this).Validate(); }

MedianPruner::MedianPruner(MedianPrunerOptions options)
    : options_(options), percentile_(AsPercentile(options)) {}

Result<std::unique_ptr<MedianPruner>> MedianPruner::Create(MedianPrunerOptions options) {
  HT_RETURN_IF_ERROR(options.Validate().WithContext("MedianPruner"));
  return std::make_unique<MedianPruner>(options);
}

}  // namespace hypertune
