// hypertune side of the K-Means benchmark (bench/kmeans_bench.sh): fits
// FitKMeans to a matrix written by kmeans_sklearn.py prep, for each k and
// algorithm, and prints one JSON line per configuration with the wall time and
// inertia of each repetition (the fit only, not the loading). Repetition r
// uses seed + r, as the scikit-learn side uses random_state = seed + r.
//
//   kmeans_bench --data skin.bin --name skin --k 3,8,16 --algorithms hamerly,lloyd
//                --threads 1 --n-init 3 --max-iter 300 --tol 1e-4 --seed 1 --repeat 3
//
// The matrix file: int64 rows, int64 columns, then rows x columns float64,
// row-major, little-endian.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "hypertune/ml/kmeans.h"

namespace {

using hypertune::ml::KMeansAlgorithm;
using hypertune::ml::KMeansOptions;
using hypertune::ml::RowMajorMatrixXd;

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "kmeans_bench: " << message << "\n";
  std::exit(2);
}

RowMajorMatrixXd ReadMatrix(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot open " + path);
  int64_t shape[2];
  in.read(reinterpret_cast<char*>(shape), sizeof shape);
  if (!in || shape[0] <= 0 || shape[1] <= 0) Die(path + ": bad header");
  RowMajorMatrixXd x(shape[0], shape[1]);
  in.read(reinterpret_cast<char*>(x.data()),
          static_cast<std::streamsize>(sizeof(double) * x.size()));
  if (!in) Die(path + ": truncated");
  return x;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data, name = "data", ks = "3,8,16", algorithms = "hamerly,lloyd";
  KMeansOptions base{.n_init = 3, .max_iter = 300, .tol = 1e-4, .seed = 1, .n_threads = 1};
  int repeat = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) Die("missing value after " + arg);
    const std::string v = argv[++i];
    if (arg == "--data")
      data = v;
    else if (arg == "--name")
      name = v;
    else if (arg == "--k")
      ks = v;
    else if (arg == "--algorithms")
      algorithms = v;
    else if (arg == "--threads")
      base.n_threads = std::stoi(v);
    else if (arg == "--n-init")
      base.n_init = std::stoi(v);
    else if (arg == "--max-iter")
      base.max_iter = std::stoi(v);
    else if (arg == "--tol")
      base.tol = std::stod(v);
    else if (arg == "--seed")
      base.seed = std::stoull(v);
    else if (arg == "--repeat")
      repeat = std::stoi(v);
    else
      Die("unknown option " + arg);
  }
  if (data.empty()) Die("--data is required");
  const RowMajorMatrixXd x = ReadMatrix(data);
  for (const std::string& k : Split(ks)) {
    for (const std::string& algorithm : Split(algorithms)) {
      KMeansOptions o = base;
      o.n_clusters = std::stoi(k);
      if (algorithm == "hamerly")
        o.algorithm = KMeansAlgorithm::kHamerly;
      else if (algorithm == "lloyd")
        o.algorithm = KMeansAlgorithm::kLloyd;
      else
        Die("unknown algorithm " + algorithm);
      std::vector<double> times, inertias;
      std::vector<int> n_iters;
      for (int rep = 0; rep < repeat; ++rep) {
        o.seed = base.seed + static_cast<uint64_t>(rep);
        const auto t0 = std::chrono::steady_clock::now();
        auto fit = hypertune::ml::FitKMeans(x, o);
        const auto t1 = std::chrono::steady_clock::now();
        if (!fit.ok()) Die(fit.status().ToString());
        times.push_back(std::chrono::duration<double>(t1 - t0).count());
        inertias.push_back(fit->inertia);
        n_iters.push_back(fit->n_iter);
      }
      auto list = [](const auto& v) {
        std::string s;
        char buf[64];
        for (const auto& e : v) {
          std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(e));
          s += (s.empty() ? "" : ", ") + std::string(buf);
        }
        return "[" + s + "]";
      };
      std::cout << "{\"side\": \"hypertune\", \"dataset\": \"" << name
                << "\", \"rows\": " << x.rows() << ", \"cols\": " << x.cols()
                << ", \"k\": " << o.n_clusters << ", \"algorithm\": \"" << algorithm
                << "\", \"threads\": " << o.n_threads << ", \"n_init\": " << o.n_init
                << ", \"times_s\": " << list(times) << ", \"inertias\": " << list(inertias)
                << ", \"n_iters\": " << list(n_iters) << "}" << std::endl;
    }
  }
  return 0;
}
