// The main job until the `hypertune` command exists: tunes a k-nearest-
// neighbours classifier on a numeric CSV (default: wine.csv) by stratified
// 5-fold cross-validation, printing each trial and the best result.
//
//   tune_knn ../shared/data/wine.csv [--trials 60] [--seed 42] [--jobs 1]
//            [--storage sqlite:///hypertune.db]
//
// The study lives in the storage (SQLite by default, in Optuna's schema):
// running the command again continues the same study.
//
// The model is written here in plain C++ (the ml layer with real model
// libraries comes later); the tuning is hypertune's.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "hypertune/core/random.h"
#include "hypertune/core/sqlite_storage.h"
#include "hypertune/core/tpe_sampler.h"
#include "hypertune/core/study.h"

namespace {

struct Dataset {
  std::vector<std::string> feature_names;
  std::vector<std::vector<double>> x;  // rows
  std::vector<int> y;                  // class index
  std::vector<std::string> classes;
};

// Reads a header + numeric features + class label in the last column.
hypertune::Result<Dataset> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) return hypertune::Status::NotFound("cannot open '" + path + "'");
  Dataset d;
  std::string line;
  if (!std::getline(in, line)) return hypertune::Status::InvalidArgument(path + ": empty file");
  std::stringstream header(line);
  for (std::string cell; std::getline(header, cell, ',');) d.feature_names.push_back(cell);
  if (d.feature_names.size() < 2)
    return hypertune::Status::InvalidArgument(path + ":1: need at least one feature and a target");
  d.feature_names.pop_back();
  std::map<std::string, int> class_index;
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (cells.size() != d.feature_names.size() + 1)
      return hypertune::Status::InvalidArgument(
          path + ":" + std::to_string(line_no) + ": " + std::to_string(cells.size()) +
          " fields, expected " + std::to_string(d.feature_names.size() + 1));
    std::vector<double> xs;
    for (size_t c = 0; c + 1 < cells.size(); ++c) {
      char* end = nullptr;
      const double v = std::strtod(cells[c].c_str(), &end);
      if (cells[c].empty() || *end != '\0' || !std::isfinite(v))
        return hypertune::Status::InvalidArgument(
            path + ":" + std::to_string(line_no) + ":" + std::to_string(c + 1) + ": '" +
            cells[c] + "' in column '" + d.feature_names[c] + "' is not a number");
      xs.push_back(v);
    }
    auto [it, inserted] = class_index.emplace(cells.back(), static_cast<int>(d.classes.size()));
    if (inserted) d.classes.push_back(cells.back());
    d.x.push_back(std::move(xs));
    d.y.push_back(it->second);
  }
  if (d.x.size() < 10) return hypertune::Status::InvalidArgument(path + ": fewer than 10 rows");
  if (d.classes.size() < 2) return hypertune::Status::InvalidArgument(path + ": a single class");
  return d;
}

// Stratified k-fold assignment: fold[i] for each row, seeded.
std::vector<int> StratifiedFolds(const std::vector<int>& y, int k, uint64_t seed) {
  hypertune::Rng rng(seed);
  std::vector<int> fold(y.size());
  std::map<int, std::vector<size_t>> by_class;
  for (size_t i = 0; i < y.size(); ++i) by_class[y[i]].push_back(i);
  int next = 0;
  for (auto& [cls, rows] : by_class) {
    for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng.UniformInt(i)]);
    for (size_t r : rows) fold[r] = next++ % k;
  }
  return fold;
}

struct KnnParams {
  int64_t k;
  bool distance_weighted;
  double p;  // Minkowski exponent
  std::string scaler;
};

double CrossValidatedAccuracy(const Dataset& d, const std::vector<int>& folds, int n_folds,
                              const KnnParams& hp) {
  const size_t n = d.x.size(), m = d.feature_names.size();
  size_t correct = 0;
  for (int f = 0; f < n_folds; ++f) {
    // Scaling fitted on the training rows only.
    std::vector<double> shift(m, 0.0), scale(m, 1.0);
    if (hp.scaler != "none") {
      for (size_t c = 0; c < m; ++c) {
        double lo = INFINITY, hi = -INFINITY, sum = 0, sq = 0;
        size_t cnt = 0;
        for (size_t i = 0; i < n; ++i) {
          if (folds[i] == f) continue;
          const double v = d.x[i][c];
          lo = std::min(lo, v);
          hi = std::max(hi, v);
          sum += v;
          sq += v * v;
          ++cnt;
        }
        if (hp.scaler == "minmax") {
          shift[c] = lo;
          scale[c] = hi > lo ? 1.0 / (hi - lo) : 1.0;
        } else {
          const double mean = sum / static_cast<double>(cnt);
          const double var = sq / static_cast<double>(cnt) - mean * mean;
          shift[c] = mean;
          scale[c] = var > 0 ? 1.0 / std::sqrt(var) : 1.0;
        }
      }
    }
    std::vector<std::pair<double, int>> dist;
    for (size_t i = 0; i < n; ++i) {
      if (folds[i] != f) continue;
      dist.clear();
      for (size_t j = 0; j < n; ++j) {
        if (folds[j] == f) continue;
        double s = 0;
        for (size_t c = 0; c < m; ++c)
          s += std::pow(std::abs((d.x[i][c] - d.x[j][c]) * scale[c]), hp.p);
        dist.emplace_back(std::pow(s, 1.0 / hp.p), d.y[j]);
      }
      const size_t k = std::min(static_cast<size_t>(hp.k), dist.size());
      std::partial_sort(dist.begin(), dist.begin() + static_cast<std::ptrdiff_t>(k), dist.end());
      std::vector<double> votes(d.classes.size(), 0.0);
      for (size_t r = 0; r < k; ++r)
        votes[static_cast<size_t>(dist[r].second)] +=
            hp.distance_weighted ? 1.0 / std::max(dist[r].first, 1e-12) : 1.0;
      const auto pred = std::max_element(votes.begin(), votes.end()) - votes.begin();
      if (pred == d.y[i]) ++correct;
    }
  }
  return static_cast<double>(correct) / static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = "../shared/data/wine.csv";
  std::string storage_url = "sqlite:///hypertune.db";
  int trials = 60, jobs = 1;
  uint64_t seed = 42;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "tune_knn: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    try {
      if (a == "--trials") trials = std::stoi(next());
      else if (a == "--seed") seed = std::stoull(next());
      else if (a == "--jobs") jobs = std::stoi(next());
      else if (a == "--storage") storage_url = next();
      else if (a == "--help" || a == "-h") {
        std::cout << "usage: tune_knn [CSV] [--trials N] [--seed S] [--jobs J] [--storage URL]\n";
        return 0;
      } else if (!a.empty() && a[0] == '-') {
        std::cerr << "tune_knn: unknown option '" << a << "'\n";
        return 2;
      } else {
        path = a;
      }
    } catch (const std::exception&) {
      std::cerr << "tune_knn: bad value for " << a << "\n";
      return 2;
    }
  }

  hypertune::Result<Dataset> data = ReadCsv(path);
  if (!data.ok()) {
    std::cerr << "tune_knn: " << data.status() << "\n";
    return 1;
  }
  const Dataset& d = *data;
  constexpr int kFolds = 5;
  const std::vector<int> folds = StratifiedFolds(d.y, kFolds, seed);
  std::cout << "hypertune: k-NN on " << path << " (" << d.x.size() << " rows, "
            << d.feature_names.size() << " features, " << d.classes.size()
            << " classes), stratified " << kFolds << "-fold CV accuracy, " << trials
            << " trials\n";

  auto storage = hypertune::SqliteStorage::Open(storage_url);
  if (!storage.ok()) {
    std::cerr << "tune_knn: " << storage.status() << "\n";
    return 1;
  }
  const std::string name = "knn-" + path.substr(path.find_last_of('/') + 1);
  auto study = hypertune::CreateStudy({.name = name,
                                       .directions = {hypertune::StudyDirection::kMaximize},
                                       .storage = *storage,
                                       .sampler = std::make_shared<hypertune::TpeSampler>(
                                           hypertune::TpeSamplerOptions{.seed = seed}),
                                       .load_if_exists = true});
  if (!study.ok()) {
    std::cerr << "tune_knn: " << study.status() << "\n";
    return 1;
  }
  const size_t before = (*study)->Trials().value_or({}).size();
  std::cout << "study '" << name << "' in " << storage_url
            << (before ? " (resuming after " + std::to_string(before) + " trials)" : "") << "\n";
  auto objective = [&](hypertune::Trial& t) {
    KnnParams hp{t.SuggestInt("n_neighbors", 1, 50, {.log = true}),
                 t.SuggestCategorical("weights", {"uniform", "distance"}) == "distance",
                 t.SuggestFloat("p", 1.0, 4.0),
                 t.SuggestCategorical("scaler", {"none", "standard", "minmax"})};
    return CrossValidatedAccuracy(d, folds, kFolds, hp);
  };
  const auto start = std::chrono::steady_clock::now();
  auto progress = [&](hypertune::Study& s, const hypertune::FrozenTrial& t) {
    const double best = s.BestValue().value_or(NAN);
    std::printf("trial %3d  %-8s", t.number, std::string(hypertune::ToString(t.state)).c_str());
    if (t.state == hypertune::TrialState::kComplete) std::printf("  accuracy %.4f", t.value());
    std::printf("  best %.4f  |", best);
    for (const auto& p : t.params) std::printf(" %s=%s", p.name.c_str(), hypertune::ToString(p.value()).c_str());
    std::printf("\n");
    std::fflush(stdout);
  };
  hypertune::Status s = (*study)->Optimize(objective, {.n_trials = trials, .n_jobs = jobs,
                                                       .callbacks = {progress}});
  if (!s.ok()) {
    std::cerr << "tune_knn: " << s << "\n";
    return 1;
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto best = (*study)->BestTrial();
  if (!best.ok()) {
    std::cerr << "tune_knn: " << best.status() << "\n";
    return 1;
  }
  std::printf("\nbest: trial %d, CV accuracy %.4f (this run: %d trials in %.2f s)\n",
              best->number, best->value(), trials, secs);
  for (const auto& p : best->params)
    std::printf("  %-12s %s\n", p.name.c_str(), hypertune::ToString(p.value()).c_str());
  return 0;
}
