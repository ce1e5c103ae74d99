// InMemoryStorage: a thread-safe Storage in this process's memory. The
// library's default; gone when the process ends (use SQLite or PostgreSQL to
// keep studies).
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "hypertune/core/storage.h"

namespace hypertune {

class InMemoryStorage final : public Storage {
 public:
  InMemoryStorage() = default;

  Result<int64_t> CreateStudy(std::string_view name,
                              const std::vector<StudyDirection>& directions) override;
  Status DeleteStudy(int64_t study_id) override;
  Result<int64_t> GetStudyId(std::string_view name) override;
  Result<StudySummary> GetStudy(int64_t study_id) override;
  Result<std::vector<StudySummary>> ListStudies() override;
  Status SetStudyUserAttr(int64_t study_id, std::string_view key,
                          std::string_view json) override;
  Status SetStudySystemAttr(int64_t study_id, std::string_view key,
                            std::string_view json) override;

  Result<FrozenTrial> CreateTrial(int64_t study_id,
                                  const FrozenTrial* templ = nullptr) override;
  Result<FrozenTrial> PopWaitingTrial(int64_t study_id) override;
  Status SetTrialParam(int64_t trial_id, std::string_view name, double internal,
                       std::shared_ptr<const Distribution> distribution) override;
  Status SetTrialIntermediateValue(int64_t trial_id, int64_t step, double value) override;
  Status SetTrialUserAttr(int64_t trial_id, std::string_view key,
                          std::string_view json) override;
  Status SetTrialSystemAttr(int64_t trial_id, std::string_view key,
                            std::string_view json) override;
  Status SetTrialStateValues(int64_t trial_id, TrialState state,
                             const std::vector<double>& values) override;
  Result<FrozenTrial> GetTrial(int64_t trial_id) override;
  Status ReadTrialUpdates(int64_t study_id, TrialCursor& cursor,
                          std::vector<FrozenTrial>& out) override;

 private:
  struct StudyRecord {
    StudySummary summary;
    std::vector<int64_t> trial_ids;  // by number
    std::deque<int64_t> waiting;     // trial ids, oldest first
    uint64_t version = 0;
    std::vector<std::pair<uint64_t, int>> log;  // (version, number) of changes
    bool deleted = false;
  };
  struct TrialRecord {
    int64_t study_id;
    FrozenTrial trial;
  };

  // Preconditions: mu_ held.
  Result<StudyRecord*> FindStudy(int64_t study_id);
  Result<TrialRecord*> FindTrial(int64_t trial_id);
  Result<TrialRecord*> FindUnfinishedTrial(int64_t trial_id);
  void Touch(const TrialRecord& t);

  std::mutex mu_;
  std::vector<StudyRecord> studies_;  // by study id
  std::map<std::string, int64_t, std::less<>> by_name_;
  std::vector<TrialRecord> trials_;  // by trial id
};

}  // namespace hypertune
