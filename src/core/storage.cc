#include "hypertune/core/storage.h"

namespace hypertune {

FrozenTrial NewTrialFromTemplate(const FrozenTrial* templ) {
  FrozenTrial t;
  if (templ == nullptr) {
    t.state = TrialState::kRunning;
    t.datetime_start = FrozenTrial::Clock::now();
    return t;
  }
  t = *templ;
  if (t.state == TrialState::kRunning && !t.datetime_start)
    t.datetime_start = FrozenTrial::Clock::now();
  if (IsFinished(t.state) && !t.datetime_complete)
    t.datetime_complete = FrozenTrial::Clock::now();
  return t;
}

Status Storage::RecordHeartbeat(int64_t /*trial_id*/) {
  return Status::Unimplemented("this storage does not keep heartbeats");
}

Result<std::vector<int64_t>> Storage::GetStaleTrialIds(int64_t /*study_id*/,
                                                       double /*grace_seconds*/) {
  return Status::Unimplemented("this storage does not keep heartbeats");
}

Result<std::vector<FrozenTrial>> GetAllTrials(Storage& storage, int64_t study_id) {
  TrialCursor cursor;
  std::vector<FrozenTrial> out;
  HT_RETURN_IF_ERROR(storage.ReadTrialUpdates(study_id, cursor, out));
  return out;
}

}  // namespace hypertune
