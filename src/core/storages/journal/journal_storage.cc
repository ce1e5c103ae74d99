#include "hypertune/core/journal_storage.h"

#include <pthread.h>

#include <algorithm>
#include <cmath>

#include "src/core/storages/journal/codec.h"
#include "src/core/storages/journal/file_lock.h"
#include "src/core/storages/journal/json.h"
#include "src/core/storages/journal/log_file.h"
#include "src/core/storages/journal/replay.h"

namespace hypertune {

using journal_internal::AppendJsonDouble;
using journal_internal::AppendJsonString;
using journal_internal::JournalOp;
using journal_internal::JsonObjectWriter;
using journal_internal::JsonValue;
using journal_internal::LogFile;
using journal_internal::OpOutcome;
using journal_internal::Replay;

namespace {

constexpr std::string_view kUrlPrefix = "journal:///";
// Bytes read per call while replaying.
constexpr int64_t kReadChunk = int64_t{1} << 20;

int Code(JournalOp op) { return static_cast<int>(op); }

// An attribute's JSON text as it goes into a line: valid JSON (else
// InvalidArgument) on one line. JSON strings cannot hold raw newlines, so
// any newline is whitespace between tokens and becomes a space.
Result<std::string> AttrText(std::string_view json, std::string_view what) {
  Result<JsonValue> parsed = journal_internal::ParseJson(json);
  if (!parsed.ok())
    return Status::InvalidArgument(std::string(what) + ": '" + std::string(json) +
                                   "' is not JSON: " + parsed.status().message());
  std::string text(json);
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  return text;
}

void AppendValues(std::string& out, const std::vector<double>& values) {
  out += '[';
  for (size_t k = 0; k < values.size(); ++k) {
    if (k > 0) out += ", ";
    AppendJsonDouble(out, values[k]);
  }
  out += ']';
}

std::string Now() { return journal_internal::FormatIsoDatetime(FrozenTrial::Clock::now()); }

std::string TrialName(const FrozenTrial& t) {
  return "trial " + std::to_string(t.number) + " (id " + std::to_string(t.trial_id) + ")";
}

}  // namespace

Status JournalStorageOptions::Validate() const {
  if (!std::isfinite(lock_timeout_s))
    return Status::InvalidArgument("JournalStorageOptions.lock_timeout_s must be finite");
  if (!std::isfinite(lock_grace_period_s))
    return Status::InvalidArgument("JournalStorageOptions.lock_grace_period_s must be finite");
  return Status::Ok();
}

Result<std::shared_ptr<JournalStorage>> JournalStorage::Open(std::string_view url,
                                                             JournalStorageOptions options) {
  HT_RETURN_IF_ERROR(options.Validate());
  if (url.substr(0, kUrlPrefix.size()) != kUrlPrefix)
    return Status::InvalidArgument("storage URL '" + std::string(url) +
                                   "' is not journal:///<path>");
  std::string path(url.substr(kUrlPrefix.size()));
  if (path.empty())
    return Status::InvalidArgument("storage URL '" + std::string(url) + "' names no file");
  journal_internal::FileLockOptions lock;
  lock.kind = options.lock_kind == JournalLockKind::kOpen ? journal_internal::LockKind::kOpen
                                                          : journal_internal::LockKind::kSymlink;
  lock.timeout_s = options.lock_timeout_s;
  lock.grace_period_s = options.lock_grace_period_s;
  HT_ASSIGN_OR_RETURN(std::unique_ptr<LogFile> log,
                      LogFile::Open(std::move(path), lock, options.fsync));
  std::shared_ptr<JournalStorage> storage(new JournalStorage(std::move(log)));
  {
    std::lock_guard guard(storage->mu_);
    HT_RETURN_IF_ERROR(storage->Sync());
  }
  return storage;
}

JournalStorage::JournalStorage(std::unique_ptr<LogFile> log)
    : log_(std::move(log)),
      replay_(std::make_unique<Replay>()),
      worker_prefix_(journal_internal::RandomUuid() + "-"),
      pending_(std::make_unique<OpOutcome>()) {}

JournalStorage::~JournalStorage() = default;

const std::string& JournalStorage::path() const { return log_->path(); }

Status JournalStorage::Sync() {
  // Up to the size seen now: a line appended meanwhile waits for the next
  // call. An unchanged file costs one fstat.
  HT_ASSIGN_OR_RETURN(const int64_t size, log_->Size());
  if (size < offset_)
    return Status::Corruption("journal file '" + log_->path() + "' is " + std::to_string(size) +
                              " bytes long, shorter than the " + std::to_string(offset_) +
                              " bytes already read: it was truncated or replaced");
  std::string buf;  // the bytes from offset_ on
  while (offset_ + static_cast<int64_t>(buf.size()) < size) {
    const int64_t from = offset_ + static_cast<int64_t>(buf.size());
    HT_ASSIGN_OR_RETURN(
        size_t n,
        log_->Read(from, static_cast<size_t>(std::min<int64_t>(size - from, kReadChunk)), buf));
    if (n == 0) break;  // truncated since the fstat: read the rest next time
    const int64_t base = offset_;
    size_t pos = 0;
    for (size_t nl; (nl = buf.find('\n', pos)) != std::string::npos; pos = nl + 1) {
      const std::string_view line(buf.data() + pos, nl - pos);
      const int64_t line_offset = base + static_cast<int64_t>(pos);
      const auto where = [&] {
        return "journal file '" + log_->path() + "', line " + std::to_string(replay_->lines() + 1);
      };
      Result<JsonValue> json = journal_internal::ParseJson(line);
      if (!json.ok())
        return Status::Corruption(where() + " is not JSON: " + json.status().message());
      OpOutcome* own = line_offset == pending_offset_ ? pending_.get() : nullptr;
      if (Status s = replay_->Apply(*json, own); !s.ok())
        return Status::Corruption(where() + ": " + s.message());
      // Per line, so that an error further on does not replay this one twice.
      offset_ = base + static_cast<int64_t>(nl + 1);
    }
    buf.erase(0, pos);
  }
  // What is left in buf is a line still being written (or torn by a dead
  // writer): it is read again, whole, once it ends with a newline.
  return Status::Ok();
}

std::string JournalStorage::BeginLine(int op) const {
  std::string line = "{\"op_code\": " + std::to_string(op) + ", \"worker_id\": ";
  // Optuna's worker id: a prefix per storage object and the thread's
  // identity (threading.get_ident() is pthread_self() on Linux).
  AppendJsonString(line,
                   worker_prefix_ + std::to_string(static_cast<unsigned long>(pthread_self())));
  return line;
}

Result<OpOutcome> JournalStorage::Commit(const std::string& line) {
  HT_ASSIGN_OR_RETURN(int64_t at, log_->Append(line));
  *pending_ = OpOutcome{};
  pending_offset_ = at;
  Status synced = Sync();
  pending_offset_ = -1;
  if (!pending_->seen) {
    if (!synced.ok()) return synced;
    return Status::Internal("journal file '" + log_->path() + "': the line written at byte " +
                            std::to_string(at) + " was not read back");
  }
  // An error in a line after ours does not undo ours; the next call reports it.
  return *pending_;
}

Result<const FrozenTrial*> JournalStorage::FindTrial(int64_t trial_id) {
  const Replay::Trial* t = replay_->FindTrial(trial_id);
  if (t == nullptr || replay_->FindStudy(t->study_id) == nullptr)
    return Status::NotFound("no trial with id " + std::to_string(trial_id) + " in journal '" +
                            log_->path() + "'");
  return &t->trial;
}

Result<const FrozenTrial*> JournalStorage::FindUnfinishedTrial(int64_t trial_id) {
  HT_ASSIGN_OR_RETURN(const FrozenTrial* t, FindTrial(trial_id));
  if (IsFinished(t->state))
    return Status::FailedPrecondition(TrialName(*t) + " is already " +
                                      std::string(ToString(t->state)) + " and cannot change");
  return t;
}

// ---- Studies ----

Result<int64_t> JournalStorage::CreateStudy(std::string_view name,
                                            const std::vector<StudyDirection>& directions) {
  if (name.empty()) return Status::InvalidArgument("a study name must not be empty");
  if (directions.empty())
    return Status::InvalidArgument("study '" + std::string(name) + "' needs a direction");
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  if (replay_->FindStudy(name) != nullptr)
    return Status::AlreadyExists("a study named '" + std::string(name) + "' already exists");
  std::string line = BeginLine(Code(JournalOp::kCreateStudy));
  line += ", \"study_name\": ";
  AppendJsonString(line, name);
  line += ", \"directions\": [";
  for (size_t k = 0; k < directions.size(); ++k) {
    if (k > 0) line += ", ";
    line += std::to_string(static_cast<int>(directions[k]));
  }
  line += "]}";
  HT_ASSIGN_OR_RETURN(OpOutcome out, Commit(line));
  HT_RETURN_IF_ERROR(out.status);
  return out.study_id;
}

Status JournalStorage::DeleteStudy(int64_t study_id) {
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  if (replay_->FindStudy(study_id) == nullptr)
    return Status::NotFound("no study with id " + std::to_string(study_id));
  std::string line = BeginLine(Code(JournalOp::kDeleteStudy));
  line += ", \"study_id\": " + std::to_string(study_id) + "}";
  HT_ASSIGN_OR_RETURN(OpOutcome out, Commit(line));
  return out.status;
}

Result<int64_t> JournalStorage::GetStudyId(std::string_view name) {
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  const Replay::Study* s = replay_->FindStudy(name);
  if (s == nullptr) return Status::NotFound("no study named '" + std::string(name) + "'");
  return s->summary.study_id;
}

Result<StudySummary> JournalStorage::GetStudy(int64_t study_id) {
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  const Replay::Study* s = replay_->FindStudy(study_id);
  if (s == nullptr) return Status::NotFound("no study with id " + std::to_string(study_id));
  StudySummary out = s->summary;
  out.n_trials = static_cast<int>(s->trial_ids.size());
  return out;
}

Result<std::vector<StudySummary>> JournalStorage::ListStudies() {
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  std::vector<StudySummary> out;
  for (const Replay::Study& s : replay_->studies()) {
    if (s.deleted) continue;
    out.push_back(s.summary);
    out.back().n_trials = static_cast<int>(s.trial_ids.size());
  }
  return out;
}

Status JournalStorage::SetStudyAttr(bool user, int64_t study_id, std::string_view key,
                                    std::string_view json) {
  HT_ASSIGN_OR_RETURN(std::string text,
                      AttrText(json, "study attribute '" + std::string(key) + "'"));
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  if (replay_->FindStudy(study_id) == nullptr)
    return Status::NotFound("no study with id " + std::to_string(study_id));
  std::string line =
      BeginLine(Code(user ? JournalOp::kSetStudyUserAttr : JournalOp::kSetStudySystemAttr));
  line += ", \"study_id\": " + std::to_string(study_id);
  line += user ? ", \"user_attr\": {" : ", \"system_attr\": {";
  AppendJsonString(line, key);
  line += ": " + text + "}}";
  HT_ASSIGN_OR_RETURN(OpOutcome out, Commit(line));
  return out.status;
}

Status JournalStorage::SetStudyUserAttr(int64_t study_id, std::string_view key,
                                        std::string_view json) {
  return SetStudyAttr(true, study_id, key, json);
}

Status JournalStorage::SetStudySystemAttr(int64_t study_id, std::string_view key,
                                          std::string_view json) {
  return SetStudyAttr(false, study_id, key, json);
}

// ---- Trials ----

Result<FrozenTrial> JournalStorage::CreateTrial(int64_t study_id, const FrozenTrial* templ) {
  std::string fields = ", \"study_id\": " + std::to_string(study_id);
  if (templ == nullptr) {
    fields += ", \"datetime_start\": ";
    AppendJsonString(fields, Now());
  } else {
    // The fields and their order of Optuna's create_new_trial.
    const FrozenTrial t = NewTrialFromTemplate(templ);
    fields += ", \"datetime_start\": ";
    if (t.datetime_start) {
      AppendJsonString(fields, journal_internal::FormatIsoDatetime(*t.datetime_start));
    } else {
      fields += "null";
    }
    fields += ", \"state\": " + std::to_string(static_cast<int>(t.state));
    if (t.values.size() > 1) {
      fields += ", \"value\": null, \"values\": ";
      AppendValues(fields, t.values);
    } else {
      fields += ", \"value\": ";
      if (t.values.empty()) {
        fields += "null";
      } else {
        AppendJsonDouble(fields, t.values[0]);
      }
      fields += ", \"values\": null";
    }
    // Optuna reads a present datetime_complete as a datetime: no null.
    if (t.datetime_complete) {
      fields += ", \"datetime_complete\": ";
      AppendJsonString(fields, journal_internal::FormatIsoDatetime(*t.datetime_complete));
    }
    std::string dists, params;
    JsonObjectWriter dw(dists), pw(params);
    for (size_t k = 0; k < t.params.size(); ++k) {
      const TrialParam& p = t.params[k];
      if (p.distribution == nullptr)
        return Status::InvalidArgument("trial template: parameter '" + p.name +
                                       "' has no distribution");
      for (size_t j = 0; j < k; ++j) {
        if (t.params[j].name == p.name)
          return Status::InvalidArgument("trial template: parameter '" + p.name +
                                         "' appears twice");
      }
      if (!Contains(*p.distribution, p.internal))
        return Status::InvalidArgument("trial template: parameter '" + p.name +
                                       "': " + std::to_string(p.internal) + " is not in " +
                                       ToString(*p.distribution));
      AppendJsonString(dw.Key(p.name), journal_internal::DistributionToJson(*p.distribution));
      AppendJsonDouble(pw.Key(p.name), p.internal);
    }
    dw.Close();
    pw.Close();
    fields += ", \"distributions\": " + dists + ", \"params\": " + params;
    for (int user = 1; user >= 0; --user) {
      std::string attrs;
      JsonObjectWriter aw(attrs);
      for (const auto& [key, json] : user ? t.user_attrs : t.system_attrs) {
        HT_ASSIGN_OR_RETURN(std::string text,
                            AttrText(json, "trial template: attribute '" + key + "'"));
        aw.Key(key) += text;
      }
      aw.Close();
      fields += user ? ", \"user_attrs\": " : ", \"system_attrs\": ";
      fields += attrs;
    }
    std::string iv;
    JsonObjectWriter iw(iv);
    for (const auto& [step, value] : t.intermediate_values)
      AppendJsonDouble(iw.Key(std::to_string(step)), value);
    iw.Close();
    fields += ", \"intermediate_values\": " + iv;
  }
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  const Replay::Study* s = replay_->FindStudy(study_id);
  if (s == nullptr) return Status::NotFound("no study with id " + std::to_string(study_id));
  if (templ != nullptr && templ->state == TrialState::kComplete &&
      templ->values.size() != s->summary.directions.size())
    return Status::InvalidArgument("a COMPLETE trial needs " +
                                   std::to_string(s->summary.directions.size()) +
                                   " value(s), got " + std::to_string(templ->values.size()));
  if (templ != nullptr) {
    for (const TrialParam& p : templ->params) {
      if (std::string other = replay_->IncompatibleWith(*s, p.name, *p.distribution);
          !other.empty())
        return Status::InvalidArgument("trial template: parameter '" + p.name +
                                       "': " + ToString(*p.distribution) +
                                       " is not compatible with " + other);
    }
  }
  HT_ASSIGN_OR_RETURN(OpOutcome out,
                      Commit(BeginLine(Code(JournalOp::kCreateTrial)) + fields + "}"));
  HT_RETURN_IF_ERROR(out.status);
  return replay_->FindTrial(out.trial_id)->trial;
}

Result<FrozenTrial> JournalStorage::PopWaitingTrial(int64_t study_id) {
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  while (true) {
    const Replay::Study* s = replay_->FindStudy(study_id);
    if (s == nullptr) return Status::NotFound("no study with id " + std::to_string(study_id));
    if (s->waiting.empty()) return FrozenTrial{};
    // As Optuna: ask to move the oldest WAITING trial to RUNNING. If another
    // worker's op got into the log first, ours is a no-op: try the next one.
    // Each round takes one trial out of the waiting set, so this ends.
    const int64_t trial_id = s->trial_ids[static_cast<size_t>(*s->waiting.begin())];
    std::string line = BeginLine(Code(JournalOp::kSetTrialStateValues));
    line += ", \"trial_id\": " + std::to_string(trial_id) +
            ", \"state\": 0, \"values\": null, \"datetime_start\": ";
    AppendJsonString(line, Now());
    line += '}';
    HT_ASSIGN_OR_RETURN(OpOutcome out, Commit(line));
    if (out.applied) return replay_->FindTrial(trial_id)->trial;
    if (!out.status.ok() && out.status.code() != StatusCode::kFailedPrecondition) return out.status;
  }
}

Status JournalStorage::SetTrialParam(int64_t trial_id, std::string_view name, double internal,
                                     std::shared_ptr<const Distribution> distribution) {
  HT_CHECK(distribution != nullptr) << "null distribution";
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  HT_ASSIGN_OR_RETURN(const FrozenTrial* t, FindUnfinishedTrial(trial_id));
  const std::string where = TrialName(*t) + ", parameter '" + std::string(name) + "'";
  if (!Contains(*distribution, internal))
    return Status::InvalidArgument(where + ": " + std::to_string(internal) + " is not in " +
                                   ToString(*distribution));
  if (const TrialParam* p = t->FindParam(name); p != nullptr && *p->distribution != *distribution)
    return Status::InvalidArgument(where + ": already set with " + ToString(*p->distribution) +
                                   ", now " + ToString(*distribution));
  const Replay::Study& s =
      replay_->studies()[static_cast<size_t>(replay_->FindTrial(trial_id)->study_id)];
  if (std::string other = replay_->IncompatibleWith(s, name, *distribution); !other.empty())
    return Status::InvalidArgument(where + ": " + ToString(*distribution) +
                                   " is not compatible with " + other);
  std::string line = BeginLine(Code(JournalOp::kSetTrialParam));
  line += ", \"trial_id\": " + std::to_string(trial_id) + ", \"param_name\": ";
  AppendJsonString(line, name);
  line += ", \"param_value_internal\": ";
  AppendJsonDouble(line, internal);
  line += ", \"distribution\": ";
  AppendJsonString(line, journal_internal::DistributionToJson(*distribution));
  line += '}';
  HT_ASSIGN_OR_RETURN(OpOutcome out, Commit(line));
  return out.status;
}

Status JournalStorage::SetTrialIntermediateValue(int64_t trial_id, int64_t step, double value) {
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  HT_RETURN_IF_ERROR(FindUnfinishedTrial(trial_id));
  std::string line = BeginLine(Code(JournalOp::kSetTrialIntermediateValue));
  line += ", \"trial_id\": " + std::to_string(trial_id) + ", \"step\": " + std::to_string(step) +
          ", \"intermediate_value\": ";
  AppendJsonDouble(line, value);
  line += '}';
  HT_ASSIGN_OR_RETURN(OpOutcome out, Commit(line));
  return out.status;
}

Status JournalStorage::SetTrialAttr(bool user, int64_t trial_id, std::string_view key,
                                    std::string_view json) {
  HT_ASSIGN_OR_RETURN(std::string text,
                      AttrText(json, "trial attribute '" + std::string(key) + "'"));
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  HT_RETURN_IF_ERROR(FindUnfinishedTrial(trial_id));
  std::string line =
      BeginLine(Code(user ? JournalOp::kSetTrialUserAttr : JournalOp::kSetTrialSystemAttr));
  line += ", \"trial_id\": " + std::to_string(trial_id);
  line += user ? ", \"user_attr\": {" : ", \"system_attr\": {";
  AppendJsonString(line, key);
  line += ": " + text + "}}";
  HT_ASSIGN_OR_RETURN(OpOutcome out, Commit(line));
  return out.status;
}

Status JournalStorage::SetTrialUserAttr(int64_t trial_id, std::string_view key,
                                        std::string_view json) {
  return SetTrialAttr(true, trial_id, key, json);
}

Status JournalStorage::SetTrialSystemAttr(int64_t trial_id, std::string_view key,
                                          std::string_view json) {
  return SetTrialAttr(false, trial_id, key, json);
}

Status JournalStorage::SetTrialStateValues(int64_t trial_id, TrialState state,
                                           const std::vector<double>& values) {
  if (state == TrialState::kWaiting)
    return Status::InvalidArgument("a trial cannot go back to WAITING");
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  HT_ASSIGN_OR_RETURN(const FrozenTrial* t, FindUnfinishedTrial(trial_id));
  const auto& directions =
      replay_->studies()[static_cast<size_t>(replay_->FindTrial(trial_id)->study_id)]
          .summary.directions;
  if (state == TrialState::kComplete && values.size() != directions.size())
    return Status::InvalidArgument(TrialName(*t) + ": " + std::to_string(values.size()) +
                                   " value(s) for " + std::to_string(directions.size()) +
                                   " direction(s)");
  if (state == TrialState::kRunning && t->state != TrialState::kWaiting)
    return Status::FailedPrecondition(TrialName(*t) + " is already RUNNING");
  std::string line = BeginLine(Code(JournalOp::kSetTrialStateValues));
  line += ", \"trial_id\": " + std::to_string(trial_id) +
          ", \"state\": " + std::to_string(static_cast<int>(state)) + ", \"values\": ";
  if (values.empty()) {
    line += "null";
  } else {
    AppendValues(line, values);
  }
  line += state == TrialState::kRunning ? ", \"datetime_start\": " : ", \"datetime_complete\": ";
  AppendJsonString(line, Now());
  line += '}';
  HT_ASSIGN_OR_RETURN(OpOutcome out, Commit(line));
  HT_RETURN_IF_ERROR(out.status);
  // A RUNNING op that another worker's preceded is a no-op.
  if (!out.applied)
    return Status::FailedPrecondition(TrialName(replay_->FindTrial(trial_id)->trial) +
                                      " was started by another worker first");
  return Status::Ok();
}

Result<FrozenTrial> JournalStorage::GetTrial(int64_t trial_id) {
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  HT_ASSIGN_OR_RETURN(const FrozenTrial* t, FindTrial(trial_id));
  return *t;
}

Status JournalStorage::ReadTrialUpdates(int64_t study_id, TrialCursor& cursor,
                                        std::vector<FrozenTrial>& out) {
  std::lock_guard lock(mu_);
  HT_RETURN_IF_ERROR(Sync());
  const Replay::Study* s = replay_->FindStudy(study_id);
  if (s == nullptr) return Status::NotFound("no study with id " + std::to_string(study_id));
  auto it = std::upper_bound(s->changes.begin(), s->changes.end(), cursor.version,
                             [](uint64_t v, const auto& e) { return v < e.first; });
  std::vector<int> numbers;
  for (; it != s->changes.end(); ++it) numbers.push_back(it->second);
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  for (int n : numbers)
    out.push_back(replay_->FindTrial(s->trial_ids[static_cast<size_t>(n)])->trial);
  cursor.version = replay_->lines();
  return Status::Ok();
}

}  // namespace hypertune
