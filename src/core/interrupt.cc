#include "src/core/interrupt.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "hypertune/core/status.h"

namespace hypertune::internal {
namespace {

// What the signal handler touches: lock-free atomics only.
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<int> g_count{0};
std::atomic<int> g_first_signal{0};
std::atomic<int> g_last_signal{0};
std::atomic<int> g_write_fd{-1};

constexpr char kStopByte = 0;

extern "C" void OnSignal(int signo) {
  const int saved_errno = errno;
  int none = 0;
  g_first_signal.compare_exchange_strong(none, signo);
  g_last_signal.store(signo);
  g_count.fetch_add(1);
  const int fd = g_write_fd.load();
  if (fd >= 0) {
    const char byte = static_cast<char>(signo);
    // Non-blocking: a full pipe already holds enough wake-ups.
    [[maybe_unused]] const ssize_t n = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

struct State {
  // Held while scopes begin and end (installing, restoring, the watcher's
  // start and join); never taken by the watcher.
  std::mutex lifecycle_mu;
  int scopes = 0;
  struct sigaction old_int {};
  struct sigaction old_term {};
  int read_fd = -1;
  int write_fd = -1;
  std::thread watcher;
  // The living scopes' callbacks; the watcher takes this one.
  std::mutex registry_mu;
  int next_id = 0;
  std::map<int, std::function<void(const std::string&)>> forces;
};

// Never destroyed: the watcher may still use it while the process exits.
State& GetState() {
  static State* state = new State;
  return *state;
}

void Watch(int fd) {
  State& st = GetState();
  for (;;) {
    char byte = kStopByte;
    const ssize_t n = ::read(fd, &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || byte == kStopByte) return;
    if (g_count.load() < 2) continue;  // the first signal is polled, not pushed
    const int signo = g_last_signal.load();
    const std::string reason = "interrupted by " + SignalName(signo) + " (forced)";
    {
      std::lock_guard lock(st.registry_mu);
      for (auto& [id, force] : st.forces) force(reason);
    }
    ::_exit(128 + signo);
  }
}

}  // namespace

std::string SignalName(int signo) {
  switch (signo) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "signal " + std::to_string(signo);
  }
}

int InterruptSignal() { return g_first_signal.load(); }

InterruptScope::InterruptScope(std::function<void(const std::string& reason)> force) {
  State& st = GetState();
  std::lock_guard lifecycle(st.lifecycle_mu);
  if (st.scopes == 0) {
    g_count = 0;
    g_first_signal = 0;
    g_last_signal = 0;
    int fds[2];
    HT_CHECK(::pipe2(fds, O_CLOEXEC) == 0) << "pipe2: " << std::strerror(errno);
    HT_CHECK(::fcntl(fds[1], F_SETFL, O_NONBLOCK) == 0) << "fcntl: " << std::strerror(errno);
    st.read_fd = fds[0];
    st.write_fd = fds[1];
    st.watcher = std::thread(Watch, st.read_fd);
    g_write_fd = st.write_fd;
    struct sigaction sa {};
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;  // the process's other system calls go on
    HT_CHECK(::sigaction(SIGINT, &sa, &st.old_int) == 0) << std::strerror(errno);
    HT_CHECK(::sigaction(SIGTERM, &sa, &st.old_term) == 0) << std::strerror(errno);
  }
  ++st.scopes;
  std::lock_guard registry(st.registry_mu);
  id_ = st.next_id++;
  st.forces.emplace(id_, std::move(force));
}

InterruptScope::~InterruptScope() {
  State& st = GetState();
  std::lock_guard lifecycle(st.lifecycle_mu);
  {
    std::lock_guard registry(st.registry_mu);
    st.forces.erase(id_);
  }
  if (--st.scopes > 0) return;
  ::sigaction(SIGINT, &st.old_int, nullptr);
  ::sigaction(SIGTERM, &st.old_term, nullptr);
  g_write_fd = -1;
  // A signal byte already in the pipe is read first: a second signal that
  // came while the handler was ours still forces the exit.
  const char stop = kStopByte;
  while (::write(st.write_fd, &stop, 1) != 1) {
    if (errno != EINTR && errno != EAGAIN) break;
    std::this_thread::yield();
  }
  st.watcher.join();
  ::close(st.read_fd);
  ::close(st.write_fd);
  st.read_fd = st.write_fd = -1;
}

}  // namespace hypertune::internal
