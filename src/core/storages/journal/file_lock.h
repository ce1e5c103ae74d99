// The inter-process lock of Optuna's JournalFileStorage: `<log>.lock` created
// atomically, as a symbolic link to the log (JournalFileSymlinkLock, the
// default; works on NFSv2) or as an empty file opened with O_EXCL
// (JournalFileOpenLock; NFSv3 and later, file systems without symlinks).
// Released by renaming it to a unique name and unlinking that, so that of two
// processes that release one lock only one succeeds.
//
// A lock left by a dead process would stop every writer forever (Optuna 3.1
// waits forever). As the grace_period that Optuna added in 4.3 (PR #5971,
// default 30 s), a waiter that sees the lock unchanged for `grace_period_s`
// breaks it. "Unchanged": the same lock file
// (inode) with the same modification time of what it points to; a symlink lock
// points to the log, so a live holder that appends keeps it fresh.
#pragma once

#include <string>

#include "hypertune/core/status.h"

namespace hypertune::journal_internal {

enum class LockKind { kSymlink, kOpen };

struct FileLockOptions {
  LockKind kind = LockKind::kSymlink;
  // Give up waiting (Unavailable) after this long; <= 0: wait forever.
  double timeout_s = 600.0;
  // Break a lock unchanged for this long; <= 0: never (Optuna 3.1).
  double grace_period_s = 30.0;
  // The longest pause between two attempts (the pause starts at 1 ms and
  // doubles, as Optuna's; Optuna caps it at 1 s).
  double max_sleep_s = 0.05;
};

class FileLock {
 public:
  // `log_path`: the journal file; the lock is `log_path + ".lock"`.
  FileLock(std::string log_path, FileLockOptions options);

  // Blocks until this process holds the lock. Unavailable after timeout_s;
  // IoError if the lock cannot be created at all (a missing directory, no
  // permission, symlinks not supported).
  Status Acquire();
  // IoError if the lock is not there to release (another process broke it).
  Status Release();

  const std::string& lock_path() const { return lock_path_; }
  // How many stale locks Acquire has broken, for logs and tests.
  int broken_locks() const { return broken_locks_; }

 private:
  // Renames and unlinks the lock; false if it was not there.
  bool RemoveLock();

  std::string target_;  // the symlink's content: the log's absolute path
  std::string lock_path_;
  FileLockOptions options_;
  int broken_locks_ = 0;
};

// A random UUID (version 4) in its usual text form.
std::string RandomUuid();

}  // namespace hypertune::journal_internal
