// The journal file: lines appended under the inter-process lock, each with one
// write call, and read from a byte offset on.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "hypertune/core/status.h"
#include "src/core/storages/journal/file_lock.h"

namespace hypertune::journal_internal {

class LogFile {
 public:
  // Opens `path` for reading and appending, creating it if missing. IoError
  // when it cannot be opened or created (missing directory, no permission).
  static Result<std::unique_ptr<LogFile>> Open(std::string path, FileLockOptions lock, bool fsync);
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  const std::string& path() const { return path_; }
  FileLock& lock() { return lock_; }

  // Appends `line` and '\n' as Optuna's append_logs does: take the lock,
  // write, flush to disk (fsync), release. Returns the byte offset where the
  // line starts. All or nothing: after a failed or short write the file is
  // cut back to its former size.
  //
  // A last line without '\n' was left by a writer that died mid-append (we
  // hold the lock, so nobody else is writing): if it is a complete JSON
  // object only its '\n' is missing (Optuna 3.1's reader has already applied
  // it) and the '\n' is added; otherwise it is cut off, so that it cannot
  // garble the line appended after it.
  Result<int64_t> Append(std::string_view line);

  // The file's size now.
  Result<int64_t> Size();
  // Appends to `out` up to `max_bytes` bytes from `offset`; returns how many
  // (0 at the end of the file).
  Result<size_t> Read(int64_t offset, size_t max_bytes, std::string& out);

 private:
  LogFile(std::string path, int fd, FileLockOptions lock, bool fsync);
  // Under the lock: where the next line goes, after repairing a torn tail.
  // `prefix` is set to "\n" when the tail only lacks its newline.
  Result<int64_t> PrepareTail(std::string& prefix);

  std::string path_;
  int fd_;
  FileLock lock_;
  bool fsync_;
};

}  // namespace hypertune::journal_internal
