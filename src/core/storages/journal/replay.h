// The state a journal describes, rebuilt line by line with the rules of
// Optuna 3.1's JournalStorageReplayResult, so that every reader of one log,
// hypertune or Optuna, sees the same studies and trials.
//
// An op that Optuna's replay refuses (a trial that is finished or missing, a
// study name that is taken, a parameter distribution incompatible with the
// study's) changes nothing, for every reader. The writer of the op learns the
// refusal from its OpOutcome: that is what makes finishing a trial and taking
// a WAITING trial exactly-once across processes (the first op in the log wins).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/storage.h"
#include "src/core/storages/journal/json.h"

namespace hypertune::journal_internal {

// Optuna 3.1's JournalOperation.
enum class JournalOp {
  kCreateStudy = 0,
  kDeleteStudy = 1,
  kSetStudyUserAttr = 2,
  kSetStudySystemAttr = 3,
  kCreateTrial = 4,
  kSetTrialParam = 5,
  kSetTrialStateValues = 6,
  kSetTrialIntermediateValue = 7,
  kSetTrialUserAttr = 8,
  kSetTrialSystemAttr = 9,
};
std::string_view ToString(JournalOp op);

// What became of one op, for the process that wrote it.
struct OpOutcome {
  bool seen = false;      // the op has been replayed
  bool applied = false;   // it changed the state; false when refused or a no-op
  Status status;          // why it was refused
  int64_t study_id = -1;  // CREATE_STUDY: the new study
  int64_t trial_id = -1;  // CREATE_TRIAL: the new trial
};

class Replay {
 public:
  struct Study {
    StudySummary summary;            // n_trials unset; see trial_ids
    std::vector<int64_t> trial_ids;  // by number
    std::set<int> waiting;           // numbers of the WAITING trials
    // (version, number) of each change to a trial, in version order; only
    // the latest change of each trial is kept once the list grows.
    std::vector<std::pair<uint64_t, int>> changes;
    // Per parameter name, the lowest number of a trial that has it: the
    // trial whose distribution Optuna checks a new one against.
    std::map<std::string, int, std::less<>> first_holder;
    bool deleted = false;
  };
  struct Trial {
    int64_t study_id = -1;
    FrozenTrial trial;
  };

  // Applies the next line, decoded; its number (lines() + 1) becomes the
  // version of what it changes. Corruption when the line is not an op of
  // Optuna 3.1's journal (unknown op code, missing or mistyped field); the
  // state is then unchanged. `own`, if not null, receives the outcome.
  Status Apply(const JsonValue& log, OpOutcome* own);

  // Lines applied so far.
  uint64_t lines() const { return lines_; }

  // A study that exists and is not deleted, or nullptr.
  const Study* FindStudy(int64_t study_id) const;
  const Study* FindStudy(std::string_view name) const;
  // Any trial ever created (also of a deleted study, as Optuna), or nullptr.
  const Trial* FindTrial(int64_t trial_id) const;
  const std::vector<Study>& studies() const { return studies_; }

  // Whether `distribution` may be used for parameter `name` in the study, by
  // Optuna's check_distribution_compatibility against the first trial that
  // has the name. Returns the conflicting distribution's description, or "".
  std::string IncompatibleWith(const Study& study, std::string_view name,
                               const Distribution& distribution) const;

  // The distribution that `json` (Optuna's distribution_to_json) encodes, one
  // shared object per distinct text.
  Result<std::shared_ptr<const Distribution>> InternDistribution(std::string_view json);

 private:
  Study* MutableStudy(int64_t study_id);
  void Touch(Study& study, int number, uint64_t line_no);
  void SetParam(Study& study, FrozenTrial& trial, const std::string& name, double internal,
                std::shared_ptr<const Distribution> distribution);

  Status ApplyCreateStudy(const JsonValue& log, OpOutcome* own);
  Status ApplyDeleteStudy(const JsonValue& log, OpOutcome* own);
  Status ApplySetStudyAttr(const JsonValue& log, bool user, OpOutcome* own);
  Status ApplyCreateTrial(const JsonValue& log, uint64_t line_no, OpOutcome* own);
  Status ApplySetTrialParam(const JsonValue& log, uint64_t line_no, OpOutcome* own);
  Status ApplySetTrialStateValues(const JsonValue& log, uint64_t line_no, OpOutcome* own);
  Status ApplySetTrialIntermediateValue(const JsonValue& log, uint64_t line_no, OpOutcome* own);
  Status ApplySetTrialAttr(const JsonValue& log, bool user, uint64_t line_no, OpOutcome* own);
  // The trial an op names if Optuna would update it; else records why not in
  // `own` and returns nullptr.
  Trial* UpdatableTrial(int64_t trial_id, OpOutcome* own);

  std::vector<Study> studies_;                           // by study id; ids are never reused
  std::map<std::string, int64_t, std::less<>> by_name_;  // studies not deleted
  std::vector<Trial> trials_;                            // by trial id
  std::unordered_map<std::string, std::shared_ptr<const Distribution>> distributions_;
  uint64_t lines_ = 0;
};

}  // namespace hypertune::journal_internal
