#!/usr/bin/env bash
# Overhead benchmark: hypertune and Optuna side by side.
#
#   bench/run_overhead.sh [--quick] [--full]
#
# For each sampler (random, QMC, TPE univariate, TPE multivariate), runs one
# study with a trivial 5-parameter objective in hypertune (overhead_bench)
# and in Optuna (overhead_optuna.py), one process per study, and prints the
# mean time per trial over trial windows 0-100, 900-1,000, 9,900-10,000 (and
# 0-1,000), their ratio, and memory.
#
# Trials per study:          hypertune   Optuna random/QMC   Optuna TPE
#   default                  10,000      10,000              1,000
#   --full                   10,000      10,000              10,000 (takes hours)
#   --quick (smoke test)     1,000       1,000               200
# Each study is run REPEAT times (default 3; 1 with --quick) and the tables
# show medians, since the machine may be shared.
# Optuna's TPE is slow at large n, so its 9,900-10,000 window is only
# measured with --full.
#
# Environment: BUILD_DIR (default build-release/, must be Release), PY (default
# /usr/bin/python3), SEED (default 1), REPEAT, SAMPLERS (default: all four).
# Raw JSON results and the report go to $BUILD_DIR/bench-results/.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

ours_trials=10000 optuna_trials=10000 optuna_tpe_trials=1000 repeat=3
for arg in "$@"; do
  case "$arg" in
    --quick) ours_trials=1000 optuna_trials=1000 optuna_tpe_trials=200 repeat=1 ;;
    --full) optuna_tpe_trials=10000 ;;
    *) echo "usage: $0 [--quick] [--full]" >&2; exit 2 ;;
  esac
done
# Not 0: Optuna 3.1's QMCSampler treats seed 0 as no seed (`seed or random`).
SEED=${SEED:-1}
REPEAT=${REPEAT:-$repeat}
SAMPLERS=${SAMPLERS:-random qmc tpe-univariate tpe-multivariate}

build_targets overhead_bench
bin="$BUILD_DIR/bench/overhead_bench"
out="$BUILD_DIR/bench-results/overhead-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
touch "$out/hypertune.jsonl" "$out/optuna.jsonl"

{
  echo "== Overhead benchmark: hypertune vs Optuna (seed $SEED)"
  "$PY" bench/compare.py env --build-dir "$BUILD_DIR"
  echo "trials per study: hypertune $ours_trials, Optuna random/QMC $optuna_trials," \
       "Optuna TPE $optuna_tpe_trials; $REPEAT run(s) each"
  for s in $SAMPLERS; do
    if ! has_sampler "$bin" "$s"; then
      echo "note: this build of hypertune has no sampler '$s' (not on this branch yet)"
    fi
    n=$optuna_trials
    [[ "$s" == tpe* ]] && n=$optuna_tpe_trials
    for ((r = 0; r < REPEAT; ++r)); do
      if has_sampler "$bin" "$s"; then
        "$bin" --sampler "$s" --trials "$ours_trials" --seed "$SEED" >>"$out/hypertune.jsonl"
      fi
      "$PY" bench/overhead_optuna.py --sampler "$s" --trials "$n" --seed "$SEED" \
        >>"$out/optuna.jsonl"
    done
  done
  samplers_csv=$(echo $SAMPLERS | tr ' ' ',')
  "$PY" bench/compare.py overhead --samplers "$samplers_csv" \
    "$out/hypertune.jsonl" "$out/optuna.jsonl"
} 2>&1 | tee "$out/report.txt"
echo "(raw results and this report: $out)"
