// Overhead benchmark, hypertune side: the twin of bench/overhead_optuna.py.
//
//   overhead_bench --sampler {random,qmc,tpe,tpe-univariate,tpe-multivariate}
//                  --trials N [--seed S]
//   overhead_bench --list    (the samplers this build has)
//
// Runs one in-memory study (CreateStudy + Optimize, n_jobs = 1) with a trivial
// objective over 5 parameters (3 floats, one of them log; 1 int; 1
// categorical) and prints one JSON line: the mean wall time per trial over
// fixed windows of trial numbers, and memory. One sampler per process, so
// that the peak RSS is that sampler's.
//
// The time of trial k is the wall time between the completion of trial k-1
// (or the start of Optimize for k = 0) and the completion of trial k, taken in
// an Optimize callback; it covers ask, sampling, the objective and tell. Time
// spent in the callback's own bookkeeping (reading the RSS) is excluded.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"
#include "samplers.h"

namespace hypertune::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Same windows and checkpoints as overhead_common.py.
constexpr std::pair<int, int> kWindows[] = {{0, 100}, {900, 1000}, {9900, 10000}, {0, 1000}};
const std::set<int> kCheckpoints = {100, 1000, 2000, 5000, 10000};

// Current resident set size in KiB (Linux), -1 if unknown.
long ReadRssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

long PeakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // KiB on Linux
}

// The same 5 parameters, ranges and formula as overhead_optuna.py.
double TrivialObjective(Trial& trial) {
  const double x = trial.SuggestFloat("x", -10.0, 10.0);
  const double y = trial.SuggestFloat("y", 0.0, 1.0);
  const double lr = trial.SuggestFloat("lr", 1e-5, 1e-1, {.log = true});
  const int64_t n = trial.SuggestInt("n", 1, 100);
  const std::string opt = trial.SuggestCategorical("opt", {"adam", "sgd", "rmsprop"});
  return x * x + y + std::log10(lr) + 0.01 * static_cast<double>(n) + (opt == "adam" ? 0.0 : 1.0);
}

int Usage() {
  std::cerr << "usage: overhead_bench --sampler NAME --trials N [--seed S]\n"
               "       overhead_bench --list\n";
  return 2;
}

int Main(int argc, char** argv) {
  std::string sampler_name;
  int trials = 0;
  uint64_t seed = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--list") {
      for (const BenchSampler& s : BenchSamplers()) std::cout << s.name << "\n";
      return 0;
    }
    if (i + 1 >= argc) return Usage();
    if (arg == "--sampler") {
      sampler_name = argv[++i];
    } else if (arg == "--trials") {
      trials = std::atoi(argv[++i]);
    } else if (arg == "--seed") {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      return Usage();
    }
  }
  const BenchSampler* sampler = FindBenchSampler(sampler_name);
  if (sampler == nullptr) {
    std::cerr << "overhead_bench: this build has no sampler '" << sampler_name
              << "' (see --list)\n";
    return 2;
  }
  if (trials <= 0) return Usage();

  std::map<std::string, long> rss;
  rss["start"] = ReadRssKb();
  Result<std::shared_ptr<Study>> study =
      CreateStudy({.name = "overhead", .sampler = sampler->make(seed)});
  if (!study.ok()) {
    std::cerr << "overhead_bench: " << study.status().ToString() << "\n";
    return 1;
  }

  std::vector<Clock::time_point> stamps;
  stamps.reserve(static_cast<size_t>(trials));
  Clock::duration excluded{0};
  OptimizeOptions options{.n_trials = trials};
  options.callbacks.push_back([&](Study&, const FrozenTrial&) {
    const Clock::time_point now = Clock::now();
    stamps.push_back(now - excluded);
    const int n = static_cast<int>(stamps.size());
    if (kCheckpoints.contains(n) || n == trials) rss[std::to_string(n)] = ReadRssKb();
    excluded += Clock::now() - now;
  });

  const Clock::time_point t0 = Clock::now();
  const Status status = (*study)->Optimize(TrivialObjective, options);
  const double total_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!status.ok()) {
    std::cerr << "overhead_bench: " << status.ToString() << "\n";
    return 1;
  }
  Result<double> best = (*study)->BestValue();

  std::ostringstream out;
  out.precision(9);
  out << "{\"impl\": \"hypertune\", \"sampler\": \"" << sampler_name
      << "\", \"trials\": " << stamps.size() << ", \"seed\": " << seed
      << ", \"total_s\": " << total_s << ", \"windows\": [";
  bool first = true;
  for (const auto& [begin, end] : kWindows) {
    if (end > static_cast<int>(stamps.size())) continue;
    const Clock::time_point start = begin == 0 ? t0 : stamps[begin - 1];
    const double ms =
        std::chrono::duration<double, std::milli>(stamps[end - 1] - start).count() / (end - begin);
    out << (first ? "" : ", ") << "{\"begin\": " << begin << ", \"end\": " << end
        << ", \"ms_per_trial\": " << ms << "}";
    first = false;
  }
  out << "], \"rss_kb\": {";
  first = true;
  for (const auto& [key, kb] : rss) {
    out << (first ? "" : ", ") << "\"" << key << "\": " << kb;
    first = false;
  }
  out << "}, \"peak_rss_kb\": " << PeakRssKb() << ", \"best_value\": ";
  if (best.ok()) {
    out << best.value();
  } else {
    out << "null";
  }
  out << "}";
  std::cout << out.str() << std::endl;
  return 0;
}

}  // namespace
}  // namespace hypertune::bench

int main(int argc, char** argv) { return hypertune::bench::Main(argc, argv); }
