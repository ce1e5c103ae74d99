// Helpers for the fault-tolerance tests: heartbeats aged in the SQLite file
// itself, child processes, waiting with a deadline.
#pragma once

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"

namespace hypertune::testing {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Polls `done` every 20 ms until it holds or `timeout` passes.
inline bool WaitUntil(const std::function<bool()>& done, std::chrono::duration<double> timeout) {
  const auto deadline =
      SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(timeout);
  while (!done()) {
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

inline double SecondsSince(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// Runs one statement on the file through a connection of its own (as
// another process would), e.g. to age a heartbeat. Returns SQLite's error
// message, or "" on success.
inline std::string ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string err;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    err = sqlite3_errmsg(db);
  } else {
    sqlite3_busy_timeout(db, 10000);
    char* msg = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK)
      err = msg != nullptr ? msg : "error";
    sqlite3_free(msg);
  }
  sqlite3_close(db);
  return err;
}

// Makes the trial's last heartbeat `seconds` old: its worker died then.
inline std::string AgeHeartbeat(const std::string& path, int64_t trial_id, int seconds = 3600) {
  return ExecSql(path, "UPDATE trial_heartbeats SET heartbeat = datetime('now', '-" +
                           std::to_string(seconds) +
                           " seconds') WHERE trial_id = " + std::to_string(trial_id));
}

// The objective every worker (C++ and Optuna) of these tests evaluates.
inline double Evaluate(double x, int64_t n) { return x * x + static_cast<double>(n); }

struct Point {
  double x = NAN;
  int64_t n = -1;
  bool operator==(const Point&) const = default;
};

inline Point PointOf(const FrozenTrial& t) {
  Point p;
  if (t.FindParam("x") != nullptr) p.x = std::get<double>(t.param("x"));
  if (t.FindParam("n") != nullptr) p.n = std::get<int64_t>(t.param("n"));
  return p;
}

inline Point Suggest(Trial& t) { return {t.SuggestFloat("x", -1.0, 1.0), t.SuggestInt("n", 0, 9)}; }

// Writes `text` to `path` atomically (readers never see half of it).
inline void WriteFileAtomically(const std::string& path, const std::string& text) {
  std::ofstream(path + ".tmp") << text;
  std::filesystem::rename(path + ".tmp", path);
}

inline std::string ReadFile(const std::string& path) {
  std::stringstream s;
  s << std::ifstream(path).rdbuf();
  return s.str();
}

// Forks; the child runs `body` and exits with its return value.
inline pid_t ForkChild(const std::function<int()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  return pid;
}

// fork + execv, so that the pid is the program's own (kill -9 hits it).
inline pid_t Spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// The child's wait status, or nullopt if it is still running after `timeout`
// (then it is killed and reaped).
inline std::optional<int> WaitChild(pid_t pid, std::chrono::duration<double> timeout) {
  int status = 0;
  pid_t done = 0;
  WaitUntil([&] { return (done = ::waitpid(pid, &status, WNOHANG)) != 0; }, timeout);
  if (done == pid) return status;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return std::nullopt;
}

// Without reaping the child (WaitChild still gets its status).
inline bool StillRunning(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == 0;
}

inline void KillNine(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

}  // namespace hypertune::testing
