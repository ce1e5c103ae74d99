// SqliteStorage's trial methods (studies are in sqlite_storage.cc).
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "hypertune/core/sqlite_storage.h"
#include "src/core/storages/sqlite/connection.h"
#include "src/core/storages/optuna_rdb/optuna_codec.h"
#include "src/core/storages/sqlite/trial_rows.h"

namespace hypertune {

using sqlite_internal::Stmt;
using sqlite_internal::TrialRow;

namespace {

std::string Now() { return optuna_rdb::FormatDatetime(FrozenTrial::Clock::now()); }

std::optional<std::string> Format(const std::optional<FrozenTrial::Clock::time_point>& t) {
  if (!t) return std::nullopt;
  return optuna_rdb::FormatDatetime(*t);
}

std::string Name(const TrialRow& r) {
  return "trial " + std::to_string(r.number) + " (id " + std::to_string(r.trial_id) + ")";
}

}  // namespace

Result<FrozenTrial> SqliteStorage::CreateTrial(int64_t study_id, const FrozenTrial* templ) {
  FrozenTrial t = NewTrialFromTemplate(templ);
  FrozenTrial stored;
  if (Status tx = db_->Transaction(true, [&]() -> Status {
    HT_RETURN_IF_ERROR(CheckStudy(study_id));
    if (t.state == TrialState::kComplete) {
      HT_ASSIGN_OR_RETURN(std::vector<StudyDirection> dirs, Directions(study_id));
      if (t.values.size() != dirs.size())
        return Status::InvalidArgument("study id " + std::to_string(study_id) +
                                       ": a COMPLETE trial needs " + std::to_string(dirs.size()) +
                                       " value(s), got " + std::to_string(t.values.size()));
    }
    // Numbers are dense and grow with trial ids (here and in Optuna), so the
    // study's newest trial holds the highest number. With v3.2.0.a's index
    // this is one index lookup; without it, a backward scan that stops at the
    // study's newest trial.
    HT_ASSIGN_OR_RETURN(Stmt last, db_->Prepare("SELECT number FROM trials WHERE study_id = ? "
                                                "ORDER BY trial_id DESC LIMIT 1"));
    last.Bind(1, study_id);
    HT_ASSIGN_OR_RETURN(bool row, last.Step());
    const int64_t number = row ? last.Int(0) + 1 : 0;
    HT_ASSIGN_OR_RETURN(Stmt ins, db_->Prepare("INSERT INTO trials (number, study_id, state, "
                                               "datetime_start, datetime_complete) "
                                               "VALUES (?, ?, ?, ?, ?)"));
    const std::optional<std::string> start = Format(t.datetime_start);
    const std::optional<std::string> complete = Format(t.datetime_complete);
    ins.Bind(1, number).Bind(2, study_id).Bind(3, ToString(t.state));
    if (start) ins.Bind(4, *start); else ins.BindNull(4);
    if (complete) ins.Bind(5, *complete); else ins.BindNull(5);
    HT_RETURN_IF_ERROR(ins.Run());
    const int64_t trial_id = db_->LastInsertId();
    HT_RETURN_IF_ERROR(rows_->InsertContents(trial_id, t));
    HT_ASSIGN_OR_RETURN(stored, rows_->Load(trial_id));
    return Status::Ok();
  }); !tx.ok()) {
    return tx;
  }
  return stored;
}

Result<FrozenTrial> SqliteStorage::PopWaitingTrial(int64_t study_id) {
  FrozenTrial popped;
  if (Status tx = db_->Transaction(true, [&]() -> Status {
    HT_RETURN_IF_ERROR(CheckStudy(study_id));
    HT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT trial_id FROM trials WHERE study_id = ? "
                                             "AND state = 'WAITING' ORDER BY trial_id LIMIT 1"));
    s.Bind(1, study_id);
    HT_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return Status::Ok();
    const int64_t trial_id = s.Int(0);
    HT_ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE trials SET state = 'RUNNING', "
                                             "datetime_start = ? WHERE trial_id = ?"));
    HT_RETURN_IF_ERROR(u.Bind(1, Now()).Bind(2, trial_id).Run());
    HT_ASSIGN_OR_RETURN(popped, rows_->Load(trial_id));
    return Status::Ok();
  }); !tx.ok()) {
    return tx;
  }
  return popped;
}

Status SqliteStorage::SetTrialParam(int64_t trial_id, std::string_view name, double internal,
                                    std::shared_ptr<const Distribution> distribution) {
  HT_CHECK(distribution != nullptr) << "null distribution";
  return db_->Transaction(true, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(TrialRow r, rows_->FindUnfinishedRow(trial_id));
    if (!Contains(*distribution, internal))
      return Status::InvalidArgument(Name(r) + ", parameter '" + std::string(name) +
                                     "': " + std::to_string(internal) + " is not in " +
                                     ToString(*distribution));
    HT_ASSIGN_OR_RETURN(auto existing, rows_->FindParamDistribution(trial_id, name));
    if (!existing) return rows_->InsertParam(trial_id, name, internal, *distribution);
    if (**existing != *distribution)
      return Status::InvalidArgument(Name(r) + ", parameter '" + std::string(name) +
                                     "': already set with " + ToString(**existing) + ", now " +
                                     ToString(*distribution));
    return rows_->UpdateParamValue(trial_id, name, internal);
  });
}

Status SqliteStorage::SetTrialIntermediateValue(int64_t trial_id, int64_t step, double value) {
  return db_->Transaction(true, [&]() -> Status {
    HT_RETURN_IF_ERROR(rows_->FindUnfinishedRow(trial_id));
    return rows_->UpsertIntermediate(trial_id, step, value);
  });
}

Status SqliteStorage::SetTrialUserAttr(int64_t trial_id, std::string_view key,
                                       std::string_view json) {
  return db_->Transaction(true, [&]() -> Status {
    HT_RETURN_IF_ERROR(rows_->FindRow(trial_id));
    return rows_->UpsertAttr(true, trial_id, key, json);
  });
}

Status SqliteStorage::SetTrialSystemAttr(int64_t trial_id, std::string_view key,
                                         std::string_view json) {
  return db_->Transaction(true, [&]() -> Status {
    HT_RETURN_IF_ERROR(rows_->FindRow(trial_id));
    return rows_->UpsertAttr(false, trial_id, key, json);
  });
}

Status SqliteStorage::SetTrialStateValues(int64_t trial_id, TrialState state,
                                          const std::vector<double>& values) {
  if (state == TrialState::kWaiting)
    return Status::InvalidArgument("trial id " + std::to_string(trial_id) +
                                   ": a trial cannot go back to WAITING");
  return db_->Transaction(true, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(TrialRow r, rows_->FindUnfinishedRow(trial_id));
    if (state == TrialState::kComplete) {
      HT_ASSIGN_OR_RETURN(std::vector<StudyDirection> dirs, Directions(r.study_id));
      if (values.size() != dirs.size())
        return Status::InvalidArgument(Name(r) + ": " + std::to_string(values.size()) +
                                       " value(s) for " + std::to_string(dirs.size()) +
                                       " direction(s)");
    }
    if (state == TrialState::kRunning) {
      if (r.state != TrialState::kWaiting)
        return Status::FailedPrecondition(Name(r) + " is already RUNNING");
      HT_ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE trials SET state = 'RUNNING', "
                                               "datetime_start = ? WHERE trial_id = ?"));
      HT_RETURN_IF_ERROR(u.Bind(1, Now()).Bind(2, trial_id).Run());
    } else {
      HT_ASSIGN_OR_RETURN(Stmt u, db_->Prepare("UPDATE trials SET state = ?, "
                                               "datetime_complete = ? WHERE trial_id = ?"));
      HT_RETURN_IF_ERROR(u.Bind(1, ToString(state)).Bind(2, Now()).Bind(3, trial_id).Run());
    }
    return rows_->WriteValues(trial_id, values);
  });
}

Result<FrozenTrial> SqliteStorage::GetTrial(int64_t trial_id) {
  FrozenTrial t;
  if (Status tx = db_->Transaction(false, [&]() -> Status {
    HT_ASSIGN_OR_RETURN(t, rows_->Load(trial_id));
    return Status::Ok();
  }); !tx.ok()) {
    return tx;
  }
  return t;
}

Status SqliteStorage::ReadTrialUpdates(int64_t study_id, TrialCursor& cursor,
                                       std::vector<FrozenTrial>& out) {
  // cursor.open holds (trial id, fingerprint) pairs; see the header.
  if (cursor.open.size() % 2 != 0)
    return Status::InvalidArgument("study id " + std::to_string(study_id) +
                                   ": a TrialCursor not made by SqliteStorage");
  std::vector<FrozenTrial> changed;
  TrialCursor next;
  if (Status tx = db_->Transaction(false, [&]() -> Status {
    changed.clear();
    next = TrialCursor{};
    next.max_trial_id = cursor.max_trial_id;
    HT_RETURN_IF_ERROR(CheckStudy(study_id));
    const auto keep = [&](FrozenTrial t, int64_t previous_fingerprint) {
      const int64_t fp = optuna_rdb::Fingerprint(t);
      if (!IsFinished(t.state)) {
        next.open.push_back(t.trial_id);
        next.open.push_back(fp);
      }
      if (fp != previous_fingerprint || previous_fingerprint == 0) changed.push_back(std::move(t));
    };
    for (size_t k = 0; k < cursor.open.size(); k += 2) {
      HT_ASSIGN_OR_RETURN(FrozenTrial t, rows_->Load(cursor.open[k]));
      keep(std::move(t), cursor.open[k + 1]);
    }
    std::vector<int64_t> fresh;
    {
      HT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("SELECT trial_id FROM trials WHERE trial_id > ? "
                                               "AND study_id = ? ORDER BY trial_id"));
      s.Bind(1, cursor.max_trial_id).Bind(2, study_id);
      for (;;) {
        HT_ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        fresh.push_back(s.Int(0));
      }
    }
    for (int64_t id : fresh) {
      HT_ASSIGN_OR_RETURN(FrozenTrial t, rows_->Load(id));
      keep(std::move(t), 0);
      next.max_trial_id = std::max(next.max_trial_id, id);
    }
    return Status::Ok();
  }); !tx.ok()) {
    return tx;
  }
  std::sort(changed.begin(), changed.end(),
            [](const FrozenTrial& a, const FrozenTrial& b) { return a.number < b.number; });
  for (FrozenTrial& t : changed) out.push_back(std::move(t));
  next.version = cursor.version;
  cursor = std::move(next);
  return Status::Ok();
}

// ---- Heartbeats (see the header for the clock and the format) ----

Status SqliteStorage::RecordHeartbeat(int64_t trial_id) {
  return db_->Transaction(true, [&]() -> Status {
    HT_RETURN_IF_ERROR(rows_->FindUnfinishedRow(trial_id));
    HT_ASSIGN_OR_RETURN(Stmt s, db_->Prepare("INSERT INTO trial_heartbeats (trial_id, heartbeat) "
                                             "VALUES (?, CURRENT_TIMESTAMP) ON CONFLICT "
                                             "(trial_id) DO UPDATE SET heartbeat = "
                                             "excluded.heartbeat"));
    return s.Bind(1, trial_id).Run();
  });
}

Result<std::vector<int64_t>> SqliteStorage::GetStaleTrialIds(int64_t study_id,
                                                             double grace_seconds) {
  if (!(grace_seconds >= 0) || !std::isfinite(grace_seconds))
    return Status::InvalidArgument("study id " + std::to_string(study_id) +
                                   ": the heartbeat grace period must be a finite number of "
                                   "seconds >= 0, got " + std::to_string(grace_seconds));
  std::vector<int64_t> out;
  if (Status tx = db_->Transaction(false, [&]() -> Status {
    out.clear();
    HT_RETURN_IF_ERROR(CheckStudy(study_id));
    // A stored heartbeat is whole seconds, rounded down: + 1 s makes the beat
    // count as late as it may have been, so that no living trial is judged
    // stale.
    HT_ASSIGN_OR_RETURN(
        Stmt s, db_->Prepare("SELECT t.trial_id FROM trials t JOIN trial_heartbeats h "
                             "ON h.trial_id = t.trial_id WHERE t.study_id = ? AND "
                             "t.state = 'RUNNING' AND (julianday('now') - "
                             "julianday(h.heartbeat)) * 86400.0 > ? + 1.0 "
                             "ORDER BY t.trial_id"));
    s.Bind(1, study_id).Bind(2, grace_seconds);
    for (;;) {
      HT_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(s.Int(0));
    }
    return Status::Ok();
  }); !tx.ok()) {
    return tx;
  }
  return out;
}

}  // namespace hypertune
