// SIGINT / SIGTERM handling for Optimize(handle_signals = true); the policy is
// documented at OptimizeOptions::handle_signals in study.h.
//
// While at least one InterruptScope lives, the process's SIGINT and SIGTERM
// handlers are ours; the last scope to end restores the ones it found. The
// handler only counts the signal (lock-free atomics) and writes its number to
// a self-pipe. A watcher thread reads the pipe: on the second signal it runs
// every scope's `force` callback (which marks that study's running trials
// FAIL) and ends the process with _exit(128 + signal). The first signal is
// only counted: Optimize and Trial poll InterruptSignal().
#pragma once

#include <functional>
#include <string>

namespace hypertune::internal {

class InterruptScope {
 public:
  // `force(reason)` runs on the watcher thread on the second signal.
  explicit InterruptScope(std::function<void(const std::string& reason)> force);
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  int id_;
};

// The number of the first SIGINT / SIGTERM received since the first living
// scope began, or 0.
int InterruptSignal();
// "SIGINT", "SIGTERM".
std::string SignalName(int signo);

}  // namespace hypertune::internal
