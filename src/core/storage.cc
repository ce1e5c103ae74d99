#include "hypertune/core/storage.h"

namespace hypertune {

Result<std::vector<FrozenTrial>> GetAllTrials(Storage& storage, int64_t study_id) {
  TrialCursor cursor;
  std::vector<FrozenTrial> out;
  HT_RETURN_IF_ERROR(storage.ReadTrialUpdates(study_id, cursor, out));
  return out;
}

}  // namespace hypertune
