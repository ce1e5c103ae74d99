// Storage: where studies and their trials live.
//
// Guarantees every implementation gives (checked by the conformance suite in
// include/hypertune/testing/storage_conformance.h):
//  - All methods are safe to call from several threads at once.
//  - Trial numbers are 0, 1, 2... within a study, with no gap and no
//    duplicate, also when several processes share one storage.
//  - A WAITING trial is handed to exactly one caller of PopWaitingTrial.
//  - A finished trial (COMPLETE, PRUNED, FAIL) never changes again, except
//    for its user and system attributes. Writes to it return
//    FailedPrecondition and change nothing.
//  - Every write is all-or-nothing: after an error, storage holds what it held
//    before the call.
//  - ReadTrialUpdates returns what changed since the caller's cursor, so that
//    the cost of keeping a copy of a study up to date does not grow with the
//    number of trials it already has.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hypertune/core/distributions.h"
#include "hypertune/core/frozen_trial.h"
#include "hypertune/core/status.h"

namespace hypertune {

struct StudySummary {
  int64_t study_id = -1;
  std::string name;
  std::vector<StudyDirection> directions;
  int n_trials = 0;
  std::map<std::string, std::string, std::less<>> user_attrs;    // JSON text
  std::map<std::string, std::string, std::less<>> system_attrs;  // JSON text
};

// Where a reader stands in a study's history. Opaque to callers: start from a
// default-constructed cursor and pass it back unchanged. Each back-end uses the
// fields it needs.
struct TrialCursor {
  uint64_t version = 0;        // in-memory and journal: last change seen
  int64_t max_trial_id = -1;   // SQL: highest trial id seen
  std::vector<int64_t> open;   // SQL: ids of trials seen unfinished
};

class Storage {
 public:
  virtual ~Storage() = default;

  // ---- Studies ----
  // AlreadyExists if the name is taken; InvalidArgument for an empty name or
  // no direction.
  virtual Result<int64_t> CreateStudy(std::string_view name,
                                      const std::vector<StudyDirection>& directions) = 0;
  virtual Status DeleteStudy(int64_t study_id) = 0;
  // NotFound if no study has that name.
  virtual Result<int64_t> GetStudyId(std::string_view name) = 0;
  virtual Result<StudySummary> GetStudy(int64_t study_id) = 0;
  virtual Result<std::vector<StudySummary>> ListStudies() = 0;
  virtual Status SetStudyUserAttr(int64_t study_id, std::string_view key,
                                  std::string_view json) = 0;
  virtual Status SetStudySystemAttr(int64_t study_id, std::string_view key,
                                    std::string_view json) = 0;

  // ---- Trials ----
  // Creates a trial with the next number. Without a template it is RUNNING,
  // started now, and empty. With one, the new trial copies the template's
  // state, values, params, intermediate values, attributes and times (used by
  // enqueue_trial, which passes a WAITING template, and to add finished
  // trials). Returns the new trial as stored.
  virtual Result<FrozenTrial> CreateTrial(int64_t study_id,
                                          const FrozenTrial* templ = nullptr) = 0;
  // Atomically moves the oldest WAITING trial to RUNNING (start time now) and
  // returns it, or returns a trial with trial_id == -1 if none waits.
  virtual Result<FrozenTrial> PopWaitingTrial(int64_t study_id) = 0;
  // Records a suggested parameter. InvalidArgument if the trial already has
  // the name with another distribution or if the value is not contained.
  virtual Status SetTrialParam(int64_t trial_id, std::string_view name,
                               double internal,
                               std::shared_ptr<const Distribution> distribution) = 0;
  virtual Status SetTrialIntermediateValue(int64_t trial_id, int64_t step,
                                           double value) = 0;
  virtual Status SetTrialUserAttr(int64_t trial_id, std::string_view key,
                                  std::string_view json) = 0;
  virtual Status SetTrialSystemAttr(int64_t trial_id, std::string_view key,
                                    std::string_view json) = 0;
  // Moves a trial to `state`, with `values` for COMPLETE (one per direction;
  // required) or PRUNED (optional: its last intermediate value, as Optuna).
  // FailedPrecondition if the trial is already finished: of two workers that
  // finish one trial, exactly one succeeds.
  virtual Status SetTrialStateValues(int64_t trial_id, TrialState state,
                                     const std::vector<double>& values) = 0;
  virtual Result<FrozenTrial> GetTrial(int64_t trial_id) = 0;
  // Appends to `out` every trial of the study created or changed since
  // `cursor`, each in its latest form, in number order, and advances the
  // cursor. A first call with a fresh cursor returns all trials.
  virtual Status ReadTrialUpdates(int64_t study_id, TrialCursor& cursor,
                                  std::vector<FrozenTrial>& out) = 0;

  // ---- Heartbeats (optional) ----
  // A worker records a heartbeat for each trial it runs; another worker finds
  // the RUNNING trials whose worker stopped beating and fails them (see
  // HeartbeatOptions in study.h). Times come from the storage's own clock (the
  // database server's), so workers' clocks need not agree. Back-ends that keep
  // heartbeats in Optuna's format (trial_heartbeats) interoperate with Optuna's
  // RDBStorage(heartbeat_interval=...).
  //
  // Whether this back-end keeps heartbeats. When false, RecordHeartbeat and
  // GetStaleTrialIds return Unimplemented.
  virtual bool SupportsHeartbeat() const { return false; }
  // Records "the worker of this trial is alive now". FailedPrecondition if
  // the trial is finished; NotFound if it does not exist.
  virtual Status RecordHeartbeat(int64_t trial_id);
  // The RUNNING trials of the study whose last heartbeat is more than
  // `grace_seconds` old, in id order. A trial that never had a heartbeat is
  // not stale (its worker may not use heartbeats), as in Optuna.
  virtual Result<std::vector<int64_t>> GetStaleTrialIds(int64_t study_id,
                                                        double grace_seconds);
};

// For Storage implementations: the trial CreateTrial is to store, before its
// id and number are assigned. Without a template, RUNNING and started now;
// with one, a copy whose missing start (RUNNING) or completion (finished)
// time is now.
FrozenTrial NewTrialFromTemplate(const FrozenTrial* templ);

// Reads every trial of a study (a convenience over ReadTrialUpdates).
Result<std::vector<FrozenTrial>> GetAllTrials(Storage& storage, int64_t study_id);

}  // namespace hypertune
