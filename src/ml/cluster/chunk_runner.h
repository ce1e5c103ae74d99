// A fork-join pool for loops over fixed chunks: Run(n, fn) calls fn(c) for
// every c in [0, n) on n_threads threads (the caller's included) and returns
// when all are done. Callers that write per-chunk results and combine them in
// chunk order get results that do not depend on the thread count.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hypertune::ml::internal {

class ChunkRunner {
 public:
  explicit ChunkRunner(int n_threads) {
    for (int t = 1; t < n_threads; ++t) workers_.emplace_back([this] { WorkerLoop(); });
  }
  ~ChunkRunner() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& w : workers_) w.join();
  }
  ChunkRunner(const ChunkRunner&) = delete;
  ChunkRunner& operator=(const ChunkRunner&) = delete;

  int n_threads() const { return static_cast<int>(workers_.size()) + 1; }

  void Run(int64_t n_chunks, const std::function<void(int64_t)>& fn) {
    if (workers_.empty() || n_chunks <= 1) {
      for (int64_t c = 0; c < n_chunks; ++c) fn(c);
      return;
    }
    {
      std::lock_guard lock(mu_);
      fn_ = &fn;
      n_chunks_ = n_chunks;
      next_.store(0);
      busy_ = static_cast<int>(workers_.size());
      ++generation_;
    }
    wake_.notify_all();
    Work();
    std::unique_lock lock(mu_);
    done_.wait(lock, [this] { return busy_ == 0; });
    fn_ = nullptr;
  }

 private:
  void Work() {
    for (int64_t c = next_.fetch_add(1); c < n_chunks_; c = next_.fetch_add(1)) (*fn_)(c);
  }

  void WorkerLoop() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      Work();
      std::lock_guard lock(mu_);
      if (--busy_ == 0) done_.notify_one();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t n_chunks_ = 0;
  std::atomic<int64_t> next_{0};
  int busy_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

}  // namespace hypertune::ml::internal
