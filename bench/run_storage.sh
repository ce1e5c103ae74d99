#!/usr/bin/env bash
# Storage benchmark: hypertune and Optuna side by side on the same storage.
#
#   bench/run_storage.sh [--quick]
#
# 1. Latency: one process, TPE (default sampler), trivial 5-parameter
#    objective; ms per trial over windows of trial numbers. hypertune runs
#    10,000 trials; Optuna (RDBStorage) runs OPTUNA_TRIALS (default 1,000: a
#    few minutes) and the windows both ran are compared. SQLite: a new file
#    each; hypertune also with --sqlite-sync-every-commit (an fsync per
#    commit, as Optuna's SQLite default does). PostgreSQL: when PG_URL is set
#    (postgresql://user:password@host:port/db; each run gets its own study)
#    and PG_URL_OPTUNA names another database on the same server for Optuna
#    (Debian's Optuna 3.1 refuses the v3.2.0.a schema hypertune creates).
# 2. Throughput: a 50 ms objective, 1 process vs 8 processes on one study
#    (SQLite; and PostgreSQL with PG_URL): trials per second of the whole run.
#
# Environment: BUILD_DIR (default build-release/, must be Release), PY
# (default /usr/bin/python3), OPTUNA_TRIALS, PG_URL, PG_URL_OPTUNA. Results go to
# $BUILD_DIR/bench-results/storage-<date>/.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh

if [[ -n "${PG_URL:-}" && -z "${PG_URL_OPTUNA:-}" ]]; then
  echo "error: set PG_URL_OPTUNA to another database of the server (see above)" >&2; exit 2
fi
ours_trials=10000 optuna_trials=${OPTUNA_TRIALS:-1000} tp_trials=100 optuna_tp_trials=40
ours_full_trials=1000
if [[ "${1:-}" == "--quick" ]]; then
  ours_trials=1000 optuna_trials=${OPTUNA_TRIALS:-100} tp_trials=20 optuna_tp_trials=10
  ours_full_trials=200
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--quick]" >&2; exit 2
fi

build_targets storage_bench
bin="$BUILD_DIR/bench/storage_bench"
out="$BUILD_DIR/bench-results/storage-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
db="$out/db"
mkdir -p "$db"
stamp=$(date +%s)

# throughput IMPL STORAGE URL PROCS TRIALS_EACH: runs PROCS processes at once
# on one study and appends a record with the wall time of the whole run.
throughput() {
  local impl=$1 storage=$2 url=$3 procs=$4 n=$5
  local study="tp-$impl-$procs-$stamp"
  local cmd=("$bin")
  [[ $impl == optuna ]] && cmd=("$PY" bench/storage_optuna.py)
  # Create the study first, so that the workers only join it.
  "${cmd[@]}" --storage "$url" --study "$study" --trials 1 >/dev/null
  local t0 t1 pids=()
  t0=$(date +%s.%N)
  for ((p = 0; p < procs; ++p)); do
    "${cmd[@]}" --storage "$url" --study "$study" --trials "$n" --sleep-ms 50 \
      --seed $((p + 1)) >"$out/tp-$impl-$storage-$procs-$p.json" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  t1=$(date +%s.%N)
  "$PY" - "$impl" "$storage" "$procs" "$n" "$t0" "$t1" >>"$out/throughput.jsonl" <<'PYEOF'
import json, sys
impl, storage, procs, n, t0, t1 = sys.argv[1:]
print(json.dumps({"impl": impl, "storage": storage, "procs": int(procs),
                  "trials": int(procs) * int(n), "wall_s": float(t1) - float(t0)}))
PYEOF
}

{
  echo "== Storage benchmark: hypertune vs Optuna $("$PY" -c 'import optuna; print(optuna.__version__)')"
  "$PY" bench/compare.py env --build-dir "$BUILD_DIR"
  echo "-- latency (one process, TPE, seed 1)"
  "$bin" --storage "sqlite:///$db/ours.db" --trials "$ours_trials" >>"$out/latency.jsonl"
  "$bin" --storage "sqlite:///$db/ours-full.db" --trials "$ours_full_trials" \
    --sqlite-sync-every-commit >>"$out/latency.jsonl"
  "$PY" bench/storage_optuna.py --storage "sqlite:///$db/optuna.db" --trials "$optuna_trials" \
    >>"$out/latency.jsonl"
  if [[ -n "${PG_URL:-}" ]]; then
    "$bin" --storage "$PG_URL" --study "lat-ours-$stamp" --trials "$ours_trials" \
      >>"$out/latency.jsonl"
    "$PY" bench/storage_optuna.py --storage "$PG_URL_OPTUNA" --study "lat-optuna-$stamp" \
      --trials "$optuna_trials" >>"$out/latency.jsonl"
  fi
  "$PY" bench/storage_report.py latency "$out/latency.jsonl"
  echo
  echo "-- throughput (50 ms objective)"
  throughput hypertune sqlite "sqlite:///$db/tp-ours.db" 1 "$tp_trials"
  throughput hypertune sqlite "sqlite:///$db/tp-ours.db" 8 "$tp_trials"
  throughput optuna sqlite "sqlite:///$db/tp-optuna.db" 1 "$optuna_tp_trials"
  throughput optuna sqlite "sqlite:///$db/tp-optuna.db" 8 "$optuna_tp_trials"
  if [[ -n "${PG_URL:-}" ]]; then
    throughput hypertune postgresql "$PG_URL" 1 "$tp_trials"
    throughput hypertune postgresql "$PG_URL" 8 "$tp_trials"
    throughput optuna postgresql "$PG_URL_OPTUNA" 1 "$optuna_tp_trials"
    throughput optuna postgresql "$PG_URL_OPTUNA" 8 "$optuna_tp_trials"
  fi
  "$PY" bench/storage_report.py throughput "$out/throughput.jsonl"
} 2>&1 | tee "$out/report.txt"
rm -rf "$db"
echo "(raw results and this report: $out)"
