// Quality benchmark, hypertune side: the twin of bench/quality_optuna.py.
//
//   quality_bench --sampler NAME [--functions a,b,...] [--seeds 1-20]
//                 [--trials 100]
//   quality_bench --check   (function values at fixed points, for the runner
//                            to compare with test_functions.py)
//   quality_bench --list    (the samplers this build has)
//
// For each function and seed, runs one in-memory study of `trials` trials
// with the sampler seeded by the seed, and prints one JSON line with the best
// value found after each budget (10, 25, 50, 100 trials, those <= trials).
// The runner turns these into simple regrets (best - known optimum).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "hypertune/core/study.h"
#include "hypertune/core/trial.h"
#include "samplers.h"
#include "test_functions.h"

namespace hypertune::bench {
namespace {

constexpr int kBudgets[] = {10, 25, 50, 100};

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, sep)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// "0-19" or "3" or "1,4,7".
std::vector<uint64_t> ParseSeeds(const std::string& s) {
  std::vector<uint64_t> out;
  for (const std::string& part : Split(s, ',')) {
    const size_t dash = part.find('-');
    if (dash == std::string::npos) {
      out.push_back(std::strtoull(part.c_str(), nullptr, 10));
    } else {
      const uint64_t lo = std::strtoull(part.substr(0, dash).c_str(), nullptr, 10);
      const uint64_t hi = std::strtoull(part.substr(dash + 1).c_str(), nullptr, 10);
      for (uint64_t v = lo; v <= hi; ++v) out.push_back(v);
    }
  }
  return out;
}

std::string JsonArray(const std::vector<double>& v) {
  std::ostringstream out;
  out.precision(17);
  out << "[";
  for (size_t i = 0; i < v.size(); ++i) out << (i ? ", " : "") << v[i];
  out << "]";
  return out.str();
}

// Fixed points for the consistency check: the optimizer, the centre of the
// domain, and 6 points spread by a golden-ratio sequence. Floats on a log
// scale are spread on that scale, ints are rounded, categoricals take every
// index in turn.
std::vector<std::vector<double>> CheckPoints(const TestFunction& f) {
  std::vector<std::vector<double>> points = {f.optimizer};
  for (int k = 0; k < 7; ++k) {
    std::vector<double> x;
    for (size_t d = 0; d < f.params.size(); ++d) {
      const ParamSpec& p = f.params[d];
      double u = 0.5;
      if (k > 0) {
        const double t = 0.6180339887498949 * k * static_cast<double>(d + 1) + 0.1 * k;
        u = t - std::floor(t);
      }
      switch (p.kind) {
        case ParamSpec::Kind::kFloat:
          x.push_back(p.log ? std::exp(std::log(p.low) + u * (std::log(p.high) - std::log(p.low)))
                            : p.low + u * (p.high - p.low));
          break;
        case ParamSpec::Kind::kInt:
          x.push_back(std::round(p.low + u * (p.high - p.low)));
          break;
        case ParamSpec::Kind::kCategorical:
          x.push_back(static_cast<double>(k % static_cast<int>(p.choices.size())));
          break;
      }
    }
    points.push_back(std::move(x));
  }
  return points;
}

int PrintCheck() {
  std::cout.precision(17);
  for (const TestFunction& f : AllTestFunctions()) {
    for (const std::vector<double>& x : CheckPoints(f)) {
      std::cout << "{\"function\": \"" << f.name << "\", \"x\": " << JsonArray(x)
                << ", \"f\": " << f(x) << ", \"optimum\": " << f.optimum << "}\n";
    }
  }
  return 0;
}

int Usage() {
  std::cerr << "usage: quality_bench --sampler NAME [--functions a,b] [--seeds 1-20]"
               " [--trials 100]\n"
               "       quality_bench --check | --list\n";
  return 2;
}

int Main(int argc, char** argv) {
  std::string sampler_name;
  std::vector<std::string> function_names;
  std::vector<uint64_t> seeds = ParseSeeds("1-20");
  int trials = 100;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--check") return PrintCheck();
    if (arg == "--list") {
      for (const BenchSampler& s : BenchSamplers()) std::cout << s.name << "\n";
      return 0;
    }
    if (i + 1 >= argc) return Usage();
    if (arg == "--sampler") {
      sampler_name = argv[++i];
    } else if (arg == "--functions") {
      function_names = Split(argv[++i], ',');
    } else if (arg == "--seeds") {
      seeds = ParseSeeds(argv[++i]);
    } else if (arg == "--trials") {
      trials = std::atoi(argv[++i]);
    } else {
      return Usage();
    }
  }
  const BenchSampler* sampler = FindBenchSampler(sampler_name);
  if (sampler == nullptr) {
    std::cerr << "quality_bench: this build has no sampler '" << sampler_name << "' (see --list)\n";
    return 2;
  }
  if (trials <= 0) return Usage();
  std::vector<const TestFunction*> functions;
  for (const TestFunction& f : AllTestFunctions()) {
    if (function_names.empty() ||
        std::find(function_names.begin(), function_names.end(), f.name) != function_names.end()) {
      functions.push_back(&f);
    }
  }
  if (functions.size() !=
      (function_names.empty() ? AllTestFunctions().size() : function_names.size())) {
    std::cerr << "quality_bench: unknown function in --functions\n";
    return 2;
  }

  for (const TestFunction* f : functions) {
    for (uint64_t seed : seeds) {
      Result<std::shared_ptr<Study>> study =
          CreateStudy({.name = f->name, .sampler = sampler->make(seed)});
      if (!study.ok()) {
        std::cerr << "quality_bench: " << study.status().ToString() << "\n";
        return 1;
      }
      // Best-so-far after each trial, in completion order (n_jobs = 1, so
      // completion order is trial order).
      std::vector<double> best_so_far;
      double best = std::numeric_limits<double>::infinity();
      OptimizeOptions options{.n_trials = trials};
      options.callbacks.push_back([&](Study&, const FrozenTrial& t) {
        if (t.state == TrialState::kComplete) best = std::min(best, t.value());
        best_so_far.push_back(best);
      });
      const auto t0 = std::chrono::steady_clock::now();
      const Status status =
          (*study)->Optimize([f](Trial& trial) { return (*f)(SuggestAll(trial, *f)); }, options);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (!status.ok()) {
        std::cerr << "quality_bench: " << status.ToString() << "\n";
        return 1;
      }
      std::ostringstream out;
      out.precision(17);
      out << "{\"impl\": \"hypertune\", \"function\": \"" << f->name << "\", \"sampler\": \""
          << sampler_name << "\", \"seed\": " << seed << ", \"best\": {";
      bool first = true;
      for (int b : kBudgets) {
        if (b > static_cast<int>(best_so_far.size())) continue;
        out << (first ? "" : ", ") << "\"" << b << "\": ";
        if (std::isfinite(best_so_far[b - 1])) {
          out << best_so_far[b - 1];
        } else {
          out << "null";  // no trial completed
        }
        first = false;
      }
      out << "}, \"seconds\": " << seconds << "}";
      std::cout << out.str() << std::endl;
    }
  }
  return 0;
}

}  // namespace
}  // namespace hypertune::bench

int main(int argc, char** argv) { return hypertune::bench::Main(argc, argv); }
