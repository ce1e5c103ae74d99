// StudyView: the narrow, read-only window on a study that samplers and pruners
// get. They never see the Study itself (see CONVENTIONS: algorithms get an
// immutable FrozenTrial and a read-only view).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hypertune/core/frozen_trial.h"

namespace hypertune {

class StudyView {
 public:
  virtual ~StudyView() = default;

  virtual int64_t study_id() const = 0;
  virtual const std::string& study_name() const = 0;
  virtual const std::vector<StudyDirection>& directions() const = 0;
  bool multi_objective() const { return directions().size() > 1; }

  // Every trial of the study known to this process, indexed by number
  // (trials()[k]->number == k). Pointers stay valid while the view lives.
  virtual std::span<const FrozenTrial* const> trials() const = 0;

  // A counter that grows whenever a trial is added or changes. Algorithms
  // that keep state between calls remember it and ask for what changed.
  virtual uint64_t revision() const = 0;
  // Appends to `numbers` the numbers of the trials added or changed after
  // revision `since`, each once, ascending.
  virtual void ChangedSince(uint64_t since, std::vector<int>& numbers) const = 0;
};

// A StudyView over trials held in memory: what Study uses to cache its
// storage, and what tests and benchmarks use to hand algorithms a history.
// Not thread-safe: the owner serializes Apply against readers.
class TrialCache final : public StudyView {
 public:
  TrialCache(int64_t study_id, std::string study_name,
             std::vector<StudyDirection> directions);

  // Adds or replaces trials (matched by number). Numbers may arrive in any
  // order; gaps are allowed until filled.
  void Apply(std::vector<FrozenTrial>&& updates);
  void Apply(FrozenTrial trial);

  int64_t study_id() const override { return study_id_; }
  const std::string& study_name() const override { return study_name_; }
  const std::vector<StudyDirection>& directions() const override { return directions_; }
  std::span<const FrozenTrial* const> trials() const override;
  uint64_t revision() const override { return revision_; }
  void ChangedSince(uint64_t since, std::vector<int>& numbers) const override;
  // How many trials held are WAITING (queued), gaps included.
  size_t n_waiting() const { return n_waiting_; }

 private:
  void CompactLog();

  int64_t study_id_;
  std::string study_name_;
  std::vector<StudyDirection> directions_;
  std::vector<std::unique_ptr<const FrozenTrial>> owned_;  // by number
  std::vector<const FrozenTrial*> ptrs_;                   // by number
  size_t n_contiguous_ = 0;  // trials()[0, n) has no gap
  uint64_t revision_ = 0;
  size_t n_waiting_ = 0;
  std::vector<std::pair<uint64_t, int>> log_;  // (revision, number), ascending
};

}  // namespace hypertune
