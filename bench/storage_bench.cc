// Storage benchmark, hypertune side: the twin of bench/storage_optuna.py.
//
//   storage_bench --storage URL --trials N [--study NAME] [--sampler NAME]
//                 [--seed S] [--sleep-ms MS] [--sqlite-sync-every-commit]
//
// Runs Optimize (n_jobs = 1) on a study in a persistent storage (created, or
// joined if it exists: several processes may run this on one study) with the
// trivial 5-parameter objective of the overhead benchmark, optionally
// sleeping MS milliseconds in the objective, and prints one JSON line: the
// mean wall time per trial over fixed windows of this process's trials, the
// trials per second of the whole run, and the time spent in each window that
// is not the objective's sleep.
//
// The time of trial k is the wall time between the completion of trial k-1
// (or the start of Optimize for k = 0) and the completion of trial k: ask,
// sampling, every storage read and write, the objective and tell.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "hypertune/core/open_storage.h"
#include "hypertune/core/pruner.h"
#include "hypertune/core/sqlite_storage.h"
#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"
#include "samplers.h"

namespace hypertune::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Same windows as storage_optuna.py.
constexpr std::pair<int, int> kWindows[] = {{0, 100},      {900, 1000}, {1900, 2000},
                                            {4900, 5000},  {9900, 10000}, {0, 1000}};

// The objective of overhead_bench.cc.
double TrivialObjective(Trial& trial) {
  const double x = trial.SuggestFloat("x", -10.0, 10.0);
  const double y = trial.SuggestFloat("y", 0.0, 1.0);
  const double lr = trial.SuggestFloat("lr", 1e-5, 1e-1, {.log = true});
  const int64_t n = trial.SuggestInt("n", 1, 100);
  const std::string opt = trial.SuggestCategorical("opt", {"adam", "sgd", "rmsprop"});
  return x * x + y + std::log10(lr) + 0.01 * static_cast<double>(n) + (opt == "adam" ? 0.0 : 1.0);
}

Result<std::shared_ptr<Storage>> OpenBenchStorage(const std::string& url, bool sync_full) {
  if (url.rfind("sqlite:", 0) == 0) {
    HT_ASSIGN_OR_RETURN(std::shared_ptr<SqliteStorage> s,
                        SqliteStorage::Open(url, {.sync_every_commit = sync_full}));
    return std::shared_ptr<Storage>(std::move(s));
  }
  return OpenStorage(url);
}

int Usage() {
  std::cerr << "usage: storage_bench --storage URL --trials N [--study NAME] [--sampler NAME]\n"
               "                     [--seed S] [--sleep-ms MS] [--sqlite-sync-every-commit]\n";
  return 2;
}

int Main(int argc, char** argv) {
  std::string url, study_name = "storage-bench", sampler_name = "tpe";
  int trials = 0;
  uint64_t seed = 1;
  double sleep_ms = 0;
  bool sync_full = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--sqlite-sync-every-commit") {
      sync_full = true;
      continue;
    }
    if (i + 1 >= argc) return Usage();
    const std::string value = argv[++i];
    if (arg == "--storage") {
      url = value;
    } else if (arg == "--trials") {
      trials = std::atoi(value.c_str());
    } else if (arg == "--study") {
      study_name = value;
    } else if (arg == "--sampler") {
      sampler_name = value;
    } else if (arg == "--seed") {
      seed = std::strtoull(value.c_str(), nullptr, 10);
    } else if (arg == "--sleep-ms") {
      sleep_ms = std::atof(value.c_str());
    } else {
      return Usage();
    }
  }
  const BenchSampler* sampler = FindBenchSampler(sampler_name);
  if (url.empty() || trials <= 0 || sampler == nullptr) return Usage();

  auto fail = [](const Status& s) {
    std::cerr << "storage_bench: " << s.ToString() << "\n";
    return 1;
  };
  Result<std::shared_ptr<Storage>> storage = OpenBenchStorage(url, sync_full);
  if (!storage.ok()) return fail(storage.status());
  Result<std::shared_ptr<Study>> study =
      CreateStudy({.name = study_name,
                   .storage = *storage,
                   .sampler = sampler->make(seed),
                   .pruner = std::make_shared<NopPruner>(),
                   .load_if_exists = true});
  if (!study.ok()) return fail(study.status());

  std::vector<Clock::time_point> stamps;
  stamps.reserve(static_cast<size_t>(trials));
  OptimizeOptions options{.n_trials = trials};
  options.callbacks.push_back(
      [&](Study&, const FrozenTrial&) { stamps.push_back(Clock::now()); });
  const auto sleep = std::chrono::duration<double, std::milli>(sleep_ms);
  const Clock::time_point t0 = Clock::now();
  const Status status = (*study)->Optimize(
      [&](Trial& t) {
        if (sleep_ms > 0) std::this_thread::sleep_for(sleep);
        return TrivialObjective(t);
      },
      options);
  const double total_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!status.ok()) return fail(status);

  std::ostringstream out;
  out.precision(9);
  out << "{\"impl\": \"hypertune\", \"storage\": \"" << url.substr(0, url.find(':'))
      << (sync_full ? "-sync-every-commit" : "")
      << "\", \"sampler\": \"" << sampler_name << "\", \"trials\": " << stamps.size()
      << ", \"sleep_ms\": " << sleep_ms << ", \"total_s\": " << total_s
      << ", \"trials_per_s\": " << static_cast<double>(stamps.size()) / total_s
      << ", \"windows\": [";
  bool first = true;
  for (const auto& [begin, end] : kWindows) {
    if (end > static_cast<int>(stamps.size())) continue;
    const Clock::time_point start = begin == 0 ? t0 : stamps[static_cast<size_t>(begin) - 1];
    const double ms =
        std::chrono::duration<double, std::milli>(stamps[static_cast<size_t>(end) - 1] - start)
            .count() /
        (end - begin);
    out << (first ? "" : ", ") << "{\"begin\": " << begin << ", \"end\": " << end
        << ", \"ms_per_trial\": " << ms << "}";
    first = false;
  }
  out << "]}";
  std::cout << out.str() << std::endl;
  return 0;
}

}  // namespace
}  // namespace hypertune::bench

int main(int argc, char** argv) { return hypertune::bench::Main(argc, argv); }
