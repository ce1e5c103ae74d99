// Time per TPE suggestion on a long history.
//
//   tpe_kernel_bench [n_history=10000] [n_timed=100] [synthetic|run|both] [uni|multi|both]
//
// Five parameters (3 floats, one on a log scale; 1 int; 1 categorical) and a
// trivial objective. Two histories:
//  - "synthetic": n_history completed trials built directly in a TrialCache
//    (60% near the optimum, as a converged TPE run leaves them, 40% uniform);
//    then n_timed more trials, each timed from its first sampler call to its
//    last (relative + independent sampling, history sync included).
//  - "run": TPE itself runs n_history trials; the last n_timed are timed.
// Reports ms/trial for univariate and multivariate TPE, and the peak RSS.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "hypertune/core/random.h"
#include "hypertune/core/study_view.h"
#include "hypertune/core/tpe_sampler.h"

namespace {

using hypertune::Distribution;
using hypertune::FrozenTrial;
using hypertune::TrialCache;
using hypertune::TrialState;
using Clock = std::chrono::steady_clock;

struct Param {
  std::string name;
  std::shared_ptr<const Distribution> dist;
};

const std::vector<Param>& Params() {
  static const std::vector<Param> kParams = {
      {"x", std::make_shared<const Distribution>(hypertune::FloatDistribution{-5, 5})},
      {"y", std::make_shared<const Distribution>(hypertune::FloatDistribution{-5, 5})},
      {"lr", std::make_shared<const Distribution>(hypertune::FloatDistribution{1e-5, 1, true})},
      {"layers", std::make_shared<const Distribution>(hypertune::IntDistribution{1, 100})},
      {"opt", std::make_shared<const Distribution>(
                  hypertune::CategoricalDistribution{{"adam", "sgd", "rmsprop", "adagrad"}})},
  };
  return kParams;
}

double Objective(const std::vector<double>& v) {
  return (v[0] - 1) * (v[0] - 1) + (v[1] + 2) * (v[1] + 2) +
         0.1 * std::pow(std::log10(v[2]) + 3, 2) + 0.001 * (v[3] - 30) * (v[3] - 30) +
         (v[4] == 0 ? 0.0 : 0.5);
}

// One trial through the sampler, as Study drives it. Returns seconds spent
// in the sampler.
double RunTrial(hypertune::Sampler& sampler, TrialCache& cache) {
  FrozenTrial t;
  t.number = static_cast<int>(cache.trials().size());
  t.trial_id = t.number;
  t.state = TrialState::kRunning;
  cache.Apply(t);
  const auto start = Clock::now();
  const hypertune::SearchSpace space = sampler.InferRelativeSearchSpace(cache, t);
  const hypertune::InternalParams rel = sampler.SampleRelative(cache, t, space);
  std::vector<double> values;
  for (const Param& p : Params()) {
    auto it = rel.find(p.name);
    const double v =
        it != rel.end() ? it->second : sampler.SampleIndependent(cache, t, p.name, *p.dist);
    values.push_back(v);
    t.params.push_back({p.name, p.dist, v});
  }
  const double spent = std::chrono::duration<double>(Clock::now() - start).count();
  t.state = TrialState::kComplete;
  t.values = {Objective(values)};
  cache.Apply(t);
  return spent;
}

void Synthetic(TrialCache& cache, int n, uint64_t seed) {
  hypertune::Rng rng(seed);
  for (int k = 0; k < n; ++k) {
    const bool near = rng.Uniform() < 0.6;
    auto pick = [&](double center, double spread, double lo, double hi) {
      return near ? std::clamp(center + spread * rng.Normal(), lo, hi) : rng.Uniform(lo, hi);
    };
    std::vector<double> v = {pick(1, 0.2, -5, 5), pick(-2, 0.2, -5, 5),
                             std::exp(pick(std::log(1e-3), 0.3, std::log(1e-5), 0.0)),
                             std::round(pick(30, 3, 1, 100)),
                             near ? 0.0 : static_cast<double>(rng.UniformInt(4))};
    FrozenTrial t;
    t.number = k;
    t.trial_id = k;
    t.state = TrialState::kComplete;
    for (size_t p = 0; p < v.size(); ++p)
      t.params.push_back({Params()[p].name, Params()[p].dist, v[p]});
    t.values = {Objective(v)};
    cache.Apply(std::move(t));
  }
}

long PeakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  const int n_history = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int n_timed = argc > 2 ? std::atoi(argv[2]) : 100;
  const std::string which = argc > 3 ? argv[3] : "both";
  const std::string modes = argc > 4 ? argv[4] : "both";
  std::printf("TPE, 5 params (3 float incl. 1 log, 1 int, 1 categorical), history %d, timing %d\n",
              n_history, n_timed);
  for (const char* history : {"synthetic", "run"}) {
    if (which != "both" && which != history) continue;
    for (bool mv : {false, true}) {
      if (modes != "both" && modes != (mv ? "multi" : "uni")) continue;
      hypertune::TpeSampler sampler({.seed = 1, .multivariate = mv});
      TrialCache cache(0, "bench", {hypertune::StudyDirection::kMinimize});
      const auto t0 = Clock::now();
      if (std::string(history) == "synthetic") {
        Synthetic(cache, n_history, 1);
      } else {
        for (int k = 0; k < n_history; ++k) RunTrial(sampler, cache);
      }
      const double build_s = std::chrono::duration<double>(Clock::now() - t0).count();
      std::vector<double> times;
      for (int k = 0; k < n_timed; ++k) times.push_back(RunTrial(sampler, cache));
      std::sort(times.begin(), times.end());
      double mean = 0;
      for (double s : times) mean += s / n_timed;
      std::printf("%-9s %-12s mean %.3f ms/trial  median %.3f  p90 %.3f  (history: %.1f s)\n",
                  history, mv ? "multivariate" : "univariate", mean * 1e3,
                  times[times.size() / 2] * 1e3, times[times.size() * 9 / 10] * 1e3, build_s);
    }
  }
  std::printf("peak RSS %.1f MB\n", PeakRssKb() / 1024.0);
  return 0;
}
