#!/usr/bin/env bash
# K-Means benchmark: hypertune's FitKMeans and scikit-learn's KMeans side by
# side, on the same matrices, in the same run.
#
#   bench/kmeans_bench.sh [--quick]
#
# Datasets (written by kmeans_sklearn.py prep into a temporary folder under
# $BUILD_DIR, removed at the end): skin_segmentation (245,057 x 3, raw) and
# kddcup99 10% (494,021 x 36 numeric columns, standardized). For k in
# {3, 8, 16}, with the same n_init, max_iter and tol on both sides, each
# configuration runs REPEAT times with seeds SEED..SEED+REPEAT-1 (random_state
# on the scikit-learn side): ours with Hamerly's and Lloyd's algorithms,
# scikit-learn's with algorithm="elkan" and "lloyd"; first on 1 thread each
# (OMP_NUM_THREADS=1 / n_threads=1), then on 2. The table shows the median
# time of the fit (loading excluded), the mean inertia, and the ratios.
#
# Environment: BUILD_DIR (default build-release/, must be Release), PY (default
# /usr/bin/python3), SEED (default 1), REPEAT (default 3; 1 with --quick),
# N_INIT (default 3), THREADS (default "1 2"), K (default 3,8,16), DATASETS
# (default "skin kddcup99"; --quick: skin only).
# The raw JSON lines and the report go to $BUILD_DIR/bench-results/.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

repeat=3 datasets="skin kddcup99"
for arg in "$@"; do
  case "$arg" in
    --quick) repeat=1 datasets="skin" ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
  esac
done
SEED=${SEED:-1}
REPEAT=${REPEAT:-$repeat}
N_INIT=${N_INIT:-3}
THREADS=${THREADS:-1 2}
K=${K:-3,8,16}
DATASETS=${DATASETS:-$datasets}

build_targets kmeans_bench
bin="$BUILD_DIR/bench/kmeans_bench"
out="$BUILD_DIR/bench-results/kmeans-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
data=$(mktemp -d "$BUILD_DIR/kmeans-data.XXXXXX")
trap 'rm -rf "$data"' EXIT
"$PY" bench/kmeans_sklearn.py prep "$data"

common=(--k "$K" --n-init "$N_INIT" --max-iter 300 --tol 1e-4 --seed "$SEED" --repeat "$REPEAT")
{
  echo "== K-Means benchmark: hypertune vs scikit-learn (n_init $N_INIT, max_iter 300," \
       "tol 1e-4, $REPEAT seed(s) from $SEED)"
  "$PY" bench/kmeans_sklearn.py env --build-dir "$BUILD_DIR"
  for threads in $THREADS; do
    for d in $DATASETS; do
      "$bin" --data "$data/$d.bin" --name "$d" --algorithms hamerly,lloyd \
        --threads "$threads" "${common[@]}" >>"$out/hypertune.jsonl"
      OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=1 "$PY" bench/kmeans_sklearn.py run \
        --data "$data/$d.bin" --name "$d" --algorithms elkan,lloyd --threads "$threads" \
        "${common[@]}" >>"$out/sklearn.jsonl"
    done
  done
  "$PY" bench/kmeans_sklearn.py compare "$out/hypertune.jsonl" "$out/sklearn.jsonl"
} 2>&1 | tee "$out/report.txt"
echo "(raw results and this report: $out)"
