// Reading data files, plain or gzip (by magic bytes), for the readers of the
// ml layer. BlockReader runs the reading and inflating in a thread of its own
// so that the caller parses one block while the next is being produced.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "hypertune/core/status.h"

namespace hypertune::ml::internal {

// A buffer with free room before its data, so that the caller can put the
// unparsed tail of the previous block in front of it without moving the
// block.
struct Block {
  std::vector<char> storage;
  size_t begin = 0;  // data is storage[begin, end)
  size_t end = 0;
  char* data() { return storage.data() + begin; }
  size_t size() const { return end - begin; }
};

class BlockReader {
 public:
  static constexpr size_t kBlockSize = size_t{1} << 20;
  static constexpr size_t kHeadroom = size_t{64} << 10;

  // Opens `path` and starts the reading thread. IoError / NotFound naming the
  // file when it cannot be opened.
  static Result<std::unique_ptr<BlockReader>> Open(const std::string& path);
  ~BlockReader();
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  // The next block of (decompressed) bytes, or false at the end of the data.
  // The block previously returned in *block goes back to the pool.
  Result<bool> Next(Block* block);

  bool gzip() const { return gzip_; }
  // The size of the decompressed data when known in advance (a plain file's
  // size, a gzip trailer's ISIZE), else 0. A hint: never trusted for bounds.
  size_t size_hint() const { return size_hint_; }
  const std::string& path() const { return path_; }

 private:
  BlockReader() = default;
  void Run();
  // Producer side: blocks out, errors out.
  bool Push(Block block);
  Block TakeFree();
  Status ReadPlain();
  Status ReadGzip();

  std::string path_;
  std::FILE* file_ = nullptr;
  bool gzip_ = false;
  size_t size_hint_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Block> full_;
  std::vector<Block> free_;
  bool done_ = false;    // producer finished (status_ says how)
  bool cancel_ = false;  // consumer gone
  Status status_;
  std::thread thread_;
};

// The whole (decompressed) content of a file.
Result<std::string> ReadFileContents(const std::string& path);

}  // namespace hypertune::ml::internal
