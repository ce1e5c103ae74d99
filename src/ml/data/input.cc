#include "src/ml/data/input.h"

#include <sys/stat.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <system_error>

namespace hypertune::ml::internal {
namespace {

// Blocks produced ahead of the parser: enough to ride out scheduling noise,
// few enough to keep memory at a few MiB.
constexpr size_t kMaxQueued = 4;
constexpr size_t kGzipInput = size_t{256} << 10;

Status OpenError(const std::string& path, int err) {
  std::string msg = path + ": cannot open: " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(std::move(msg));
  return Status::IoError(std::move(msg));
}

// Ends the inflate stream however ReadGzip returns.
struct InflateGuard {
  z_stream* zs;
  ~InflateGuard() { inflateEnd(zs); }
};

}  // namespace

Result<std::unique_ptr<BlockReader>> BlockReader::Open(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return OpenError(path, errno);
  if (S_ISDIR(st.st_mode)) return Status::InvalidArgument(path + ": is a directory");
  std::unique_ptr<BlockReader> r(new BlockReader());
  r->path_ = path;
  r->file_ = std::fopen(path.c_str(), "rb");
  if (r->file_ == nullptr) return OpenError(path, errno);
  unsigned char head[2] = {0, 0};
  const size_t got = std::fread(head, 1, 2, r->file_);
  r->gzip_ = got == 2 && head[0] == 0x1f && head[1] == 0x8b;
  const size_t file_size = static_cast<size_t>(st.st_size);
  r->size_hint_ = file_size;
  if (r->gzip_) {
    // ISIZE, the last 4 bytes, is the uncompressed size modulo 2^32 of the
    // last member: right for the usual single-member file under 4 GiB.
    r->size_hint_ = 0;
    unsigned char tail[4];
    if (file_size >= 18 && std::fseek(r->file_, -4, SEEK_END) == 0 &&
        std::fread(tail, 1, 4, r->file_) == 4) {
      r->size_hint_ = static_cast<size_t>(tail[0]) | static_cast<size_t>(tail[1]) << 8 |
                      static_cast<size_t>(tail[2]) << 16 | static_cast<size_t>(tail[3]) << 24;
    }
    // Deflate cannot expand more than about 1032:1; beyond that the trailer
    // is not what we think it is.
    if (r->size_hint_ > 1100 * file_size) r->size_hint_ = 0;
  }
  if (std::fseek(r->file_, 0, SEEK_SET) != 0) return OpenError(path, errno);
  BlockReader* raw = r.get();
  try {
    r->thread_ = std::thread([raw] { raw->Run(); });
  } catch (const std::system_error& e) {
    return Status::IoError(path + ": cannot start the reading thread: " + e.what());
  }
  return r;
}

BlockReader::~BlockReader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancel_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (file_ != nullptr) std::fclose(file_);
}

Result<bool> BlockReader::Next(Block* block) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!block->storage.empty()) {
    free_.push_back(std::move(*block));
    *block = Block();
  }
  cv_.wait(lock, [this] { return !full_.empty() || done_; });
  if (!full_.empty()) {
    *block = std::move(full_.front());
    full_.pop_front();
    lock.unlock();
    cv_.notify_all();
    return true;
  }
  if (!status_.ok()) return status_;
  return false;
}

void BlockReader::Run() {
  Status s;
  // Nothing may escape a thread: that would terminate the process.
  try {
    s = gzip_ ? ReadGzip() : ReadPlain();
  } catch (const std::bad_alloc&) {
    s = Status::Unavailable(path_ + ": out of memory while reading");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = std::move(s);
    done_ = true;
  }
  cv_.notify_all();
}

bool BlockReader::Push(Block block) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return full_.size() < kMaxQueued || cancel_; });
  if (cancel_) return false;
  full_.push_back(std::move(block));
  lock.unlock();
  cv_.notify_all();
  return true;
}

Block BlockReader::TakeFree() {
  Block b;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      b = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (b.storage.size() != kHeadroom + kBlockSize) b.storage.resize(kHeadroom + kBlockSize);
  b.begin = b.end = kHeadroom;
  return b;
}

Status BlockReader::ReadPlain() {
  for (;;) {
    Block b = TakeFree();
    const size_t n = std::fread(b.storage.data() + kHeadroom, 1, kBlockSize, file_);
    if (n == 0) {
      if (std::ferror(file_))
        return Status::IoError(path_ + ": read error: " + std::strerror(errno));
      return Status::Ok();
    }
    b.end = kHeadroom + n;
    if (!Push(std::move(b))) return Status::Ok();
  }
}

Status BlockReader::ReadGzip() {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  // 16 + MAX_WBITS: a gzip wrapper, not zlib's.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    return Status::Internal(path_ + ": cannot initialise zlib");
  }
  InflateGuard guard{&zs};
  std::vector<unsigned char> in(kGzipInput);
  bool eof = false;
  auto refill = [&]() -> Status {
    const size_t n = std::fread(in.data(), 1, in.size(), file_);
    if (n == 0) {
      if (std::ferror(file_))
        return Status::IoError(path_ + ": read error: " + std::strerror(errno));
      eof = true;
    }
    zs.next_in = in.data();
    zs.avail_in = static_cast<uInt>(n);
    return Status::Ok();
  };
  Block b = TakeFree();
  const size_t capacity = b.storage.size();
  for (;;) {
    if (zs.avail_in == 0 && !eof) HT_RETURN_IF_ERROR(refill());
    if (b.end == capacity) {
      if (!Push(std::move(b))) return Status::Ok();
      b = TakeFree();
    }
    zs.next_out = reinterpret_cast<unsigned char*>(b.storage.data() + b.end);
    zs.avail_out = static_cast<uInt>(capacity - b.end);
    const int ret = inflate(&zs, Z_NO_FLUSH);
    b.end = capacity - zs.avail_out;
    if (ret == Z_STREAM_END) {
      // A gzip file may hold several members, one after the other.
      if (zs.avail_in == 0 && !eof) HT_RETURN_IF_ERROR(refill());
      if (zs.avail_in == 0) break;
      if (zs.next_in[0] != 0x1f) {
        return Status::Corruption(path_ + ": data after the end of the gzip stream");
      }
      inflateReset(&zs);
    } else if (ret == Z_BUF_ERROR) {
      if (zs.avail_in == 0 && eof) {
        return Status::Corruption(path_ + ": truncated gzip data (unexpected end of file)");
      }
    } else if (ret != Z_OK) {
      return Status::Corruption(path_ + ": corrupt gzip data (" +
                                (zs.msg != nullptr ? zs.msg : "zlib error " + std::to_string(ret)) +
                                ")");
    }
  }
  if (b.size() > 0) Push(std::move(b));
  return Status::Ok();
}

Result<std::string> ReadFileContents(const std::string& path) {
  HT_ASSIGN_OR_RETURN(std::unique_ptr<BlockReader> reader, BlockReader::Open(path));
  std::string out;
  try {
    if (reader->size_hint() > 0 && reader->size_hint() <= (size_t{1} << 32)) {
      out.reserve(reader->size_hint());
    }
    Block b;
    for (;;) {
      HT_ASSIGN_OR_RETURN(bool more, reader->Next(&b));
      if (!more) break;
      out.append(b.data(), b.size());
    }
  } catch (const std::bad_alloc&) {
    return Status::Unavailable(path + ": out of memory while reading");
  }
  return out;
}

}  // namespace hypertune::ml::internal
