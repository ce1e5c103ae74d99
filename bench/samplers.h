// The samplers the benchmarks can run, by the names the scripts use. Adding a
// sampler is one line in BenchSamplers().
//
// Samplers that live on other branches are compiled in only when their header
// exists (__has_include), so the benchmarks build on main before and after
// they land; `--list` says which ones this build has.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hypertune/core/random_sampler.h"
#include "hypertune/core/sampler.h"

#if __has_include("hypertune/core/tpe_sampler.h")
#include "hypertune/core/tpe_sampler.h"
#define HT_BENCH_HAVE_TPE 1
#endif
#if __has_include("hypertune/core/qmc_sampler.h")
#include "hypertune/core/qmc_sampler.h"
#define HT_BENCH_HAVE_QMC 1
#endif

namespace hypertune::bench {

struct BenchSampler {
  // The name on the command line; the Optuna scripts use the same names for
  // their peer (overhead_optuna.py, quality_optuna.py).
  std::string name;
  std::function<std::shared_ptr<Sampler>(uint64_t seed)> make;
};

inline const std::vector<BenchSampler>& BenchSamplers() {
  static const std::vector<BenchSampler> kSamplers = {
      {"random",
       [](uint64_t s) { return std::make_shared<RandomSampler>(RandomSamplerOptions{.seed = s}); }},
#ifdef HT_BENCH_HAVE_QMC
      {"qmc",
       [](uint64_t s) {
         return std::make_shared<QmcSampler>(
             QmcSamplerOptions{.qmc_type = QmcType::kSobol, .seed = s});
       }},
#endif
#ifdef HT_BENCH_HAVE_TPE
      // Our defaults, whatever they are.
      {"tpe",
       [](uint64_t s) { return std::make_shared<TpeSampler>(TpeSamplerOptions{.seed = s}); }},
      {"tpe-univariate",
       [](uint64_t s) {
         return std::make_shared<TpeSampler>(TpeSamplerOptions{.seed = s, .multivariate = false});
       }},
      {"tpe-multivariate",
       [](uint64_t s) {
         return std::make_shared<TpeSampler>(TpeSamplerOptions{.seed = s, .multivariate = true});
       }},
#endif
  };
  return kSamplers;
}

// nullptr when this build has no sampler of that name.
inline const BenchSampler* FindBenchSampler(const std::string& name) {
  for (const BenchSampler& s : BenchSamplers()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace hypertune::bench
