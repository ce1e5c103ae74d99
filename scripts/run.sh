#!/usr/bin/env bash
# Installs the dependencies, builds hypertune, and runs the main job: tuning
# a k-nearest-neighbours classifier on the wine dataset (../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)" --target tune_knn
./build/examples/tune_knn "${1:-../shared/data/wine.csv}" "${@:2}"
