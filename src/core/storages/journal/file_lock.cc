#include "src/core/storages/journal/file_lock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

namespace hypertune::journal_internal {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string Errno(int err) { return std::strerror(err); }

double SecondsSince(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// What a waiter watches to tell a stuck lock from a busy one.
struct LockStamp {
  ino_t inode = 0;
  int64_t mtime_ns = 0;
  friend bool operator==(const LockStamp&, const LockStamp&) = default;
};

// False if the lock is gone.
bool ReadStamp(const std::string& lock_path, LockStamp& out) {
  struct stat own {};
  if (::lstat(lock_path.c_str(), &own) != 0) return false;
  out.inode = own.st_ino;
  // stat follows a symlink lock to the log, as Optuna's os.stat does; a
  // dangling link falls back to the link itself.
  struct stat followed {};
  const struct stat& st = ::stat(lock_path.c_str(), &followed) == 0 ? followed : own;
  out.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

}  // namespace

std::string RandomUuid() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), static_cast<unsigned>(::getpid())};
    return std::mt19937_64(seq);
  }());
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 1
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

FileLock::FileLock(std::string log_path, FileLockOptions options)
    : lock_path_(log_path + ".lock"), options_(options) {
  std::error_code ec;
  const std::filesystem::path abs = std::filesystem::absolute(log_path, ec);
  target_ = ec ? log_path : abs.string();
}

bool FileLock::RemoveLock() {
  const std::string renamed = lock_path_ + RandomUuid() + ".rename";
  if (::rename(lock_path_.c_str(), renamed.c_str()) != 0) return false;
  ::unlink(renamed.c_str());
  return true;
}

Status FileLock::Acquire() {
  const SteadyClock::time_point start = SteadyClock::now();
  SteadyClock::time_point unchanged_since = start;
  LockStamp seen;
  bool have_seen = false;
  double sleep_s = 0.001;
  while (true) {
    int rc;
    if (options_.kind == LockKind::kSymlink) {
      rc = ::symlink(target_.c_str(), lock_path_.c_str());
    } else {
      rc = ::open(lock_path_.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
      if (rc >= 0) rc = ::close(rc);
    }
    if (rc == 0) return Status::Ok();
    const int err = errno;
    if (err == EINTR) continue;
    if (err != EEXIST)
      return Status::IoError("cannot create the journal lock '" + lock_path_ + "': " + Errno(err) +
                             (options_.kind == LockKind::kSymlink && err == EPERM
                                  ? " (use the open lock where symlinks are not supported)"
                                  : ""));
    if (options_.grace_period_s > 0) {
      LockStamp now;
      if (!ReadStamp(lock_path_, now)) continue;  // released meanwhile: retry at once
      if (!have_seen || !(now == seen)) {
        seen = now;
        have_seen = true;
        unchanged_since = SteadyClock::now();
      } else if (SecondsSince(unchanged_since) > options_.grace_period_s) {
        // Its holder is presumed dead. Of several waiters that decide so at
        // once, the rename lets only one break it.
        if (RemoveLock()) ++broken_locks_;
        have_seen = false;
        sleep_s = 0.001;
        continue;
      }
    }
    if (options_.timeout_s > 0 && SecondsSince(start) > options_.timeout_s)
      return Status::Unavailable("timed out after " + std::to_string(options_.timeout_s) +
                                 " s waiting for the journal lock '" + lock_path_ +
                                 "'; if no process is writing the journal, remove it");
    std::this_thread::sleep_for(std::chrono::duration<double>(sleep_s));
    sleep_s = std::min(sleep_s * 2, options_.max_sleep_s);
  }
}

Status FileLock::Release() {
  if (!RemoveLock())
    return Status::IoError("the journal lock '" + lock_path_ +
                           "' was gone when released (another process broke it as stale)");
  return Status::Ok();
}

}  // namespace hypertune::journal_internal
