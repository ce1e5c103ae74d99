#include "src/core/storages/journal/log_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "src/core/storages/journal/json.h"

namespace hypertune::journal_internal {
namespace {

std::string Errno(int err) { return std::strerror(err); }

}  // namespace

Result<std::unique_ptr<LogFile>> LogFile::Open(std::string path, FileLockOptions lock, bool fsync) {
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return Status::IoError("cannot open or create the journal file '" + path +
                           "': " + Errno(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IoError("the journal path '" + path + "' is not a regular file");
  }
  return std::unique_ptr<LogFile>(new LogFile(std::move(path), fd, lock, fsync));
}

LogFile::LogFile(std::string path, int fd, FileLockOptions lock, bool fsync)
    : path_(path), fd_(fd), lock_(std::move(path), lock), fsync_(fsync) {}

LogFile::~LogFile() { ::close(fd_); }

Result<size_t> LogFile::Read(int64_t offset, size_t max_bytes, std::string& out) {
  const size_t old = out.size();
  out.resize(old + max_bytes);
  while (true) {
    const ssize_t n = ::pread(fd_, out.data() + old, max_bytes, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      out.resize(old);
      return Status::IoError("cannot read the journal file '" + path_ + "': " + Errno(err));
    }
    out.resize(old + static_cast<size_t>(n));
    return static_cast<size_t>(n);
  }
}

Result<int64_t> LogFile::Size() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0)
    return Status::IoError("cannot stat the journal file '" + path_ + "': " + Errno(errno));
  return static_cast<int64_t>(st.st_size);
}

Result<int64_t> LogFile::PrepareTail(std::string& prefix) {
  HT_ASSIGN_OR_RETURN(const int64_t size, Size());
  if (size == 0) return size;
  char last = 0;
  if (::pread(fd_, &last, 1, static_cast<off_t>(size - 1)) != 1)
    return Status::IoError("cannot read the journal file '" + path_ + "': " + Errno(errno));
  if (last == '\n') return size;
  // Find where the torn line starts.
  int64_t start = size - 1;
  std::string tail;
  constexpr int64_t kChunk = 4096;
  while (start > 0) {
    const int64_t from = std::max<int64_t>(0, start - kChunk);
    std::string chunk;
    HT_ASSIGN_OR_RETURN(size_t n, Read(from, static_cast<size_t>(start - from), chunk));
    const size_t nl = chunk.rfind('\n', n);
    if (nl != std::string::npos) {
      start = from + static_cast<int64_t>(nl) + 1;
      break;
    }
    start = from;
  }
  HT_ASSIGN_OR_RETURN(size_t n, Read(start, static_cast<size_t>(size - start), tail));
  (void)n;
  Result<JsonValue> parsed = ParseJson(tail);
  if (parsed.ok() && parsed->is_object()) {
    prefix = "\n";
    return size;
  }
  if (::ftruncate(fd_, static_cast<off_t>(start)) != 0)
    return Status::IoError("cannot cut the torn last line off the journal file '" + path_ +
                           "': " + Errno(errno));
  return start;
}

Result<int64_t> LogFile::Append(std::string_view line) {
  HT_RETURN_IF_ERROR(lock_.Acquire());
  std::string prefix;
  Result<int64_t> end = PrepareTail(prefix);
  Status written = end.status();
  if (written.ok()) {
    std::string data = prefix;
    data.append(line);
    data += '\n';
    ssize_t n;
    do {
      n = ::write(fd_, data.data(), data.size());
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(data.size())) {
      const int err = n < 0 ? errno : ENOSPC;
      written = Status::IoError("cannot append to the journal file '" + path_ + "': " + Errno(err));
    } else if (fsync_ && ::fsync(fd_) != 0) {
      written =
          Status::IoError("cannot flush the journal file '" + path_ + "' to disk: " + Errno(errno));
    }
    // Nobody else writes while we hold the lock: cutting back to the former
    // size removes exactly our partial line.
    if (!written.ok() && n > 0) (void)::ftruncate(fd_, static_cast<off_t>(*end));
  }
  Status released = lock_.Release();
  HT_RETURN_IF_ERROR(written);
  // A lock broken by a waiter that took us for dead: the line is written
  // all the same (one write call), so the op stands.
  (void)released;
  return *end + static_cast<int64_t>(prefix.size());
}

}  // namespace hypertune::journal_internal
