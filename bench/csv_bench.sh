#!/usr/bin/env bash
# CSV reading benchmark: hypertune's ReadCsv (csv_read_bench) and
# pandas.read_csv (csv_pandas.py) on the same files in the same run, best of
# REPEAT (default 5) each, side by side.
#
#   bench/csv_bench.sh
#
# Files: ../shared/data/kddcup99_10pct.csv.gz (494,021 x 42, gzip), an
# uncompressed copy of it made in $BUILD_DIR/bench-data/, and
# ../shared/data/adult_train.csv (32,561 x 15). Both sides read with default
# options (types inferred, the gzip detected). Environment: BUILD_DIR
# (default build-release/, must be Release), PY (default /usr/bin/python3),
# REPEAT. The raw JSON and the report go to $BUILD_DIR/bench-results/.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/common.sh
REPEAT=${REPEAT:-5}
DATA=${DATA:-../shared/data}

build_targets csv_read_bench
bin="$BUILD_DIR/bench/csv_read_bench"
mkdir -p "$BUILD_DIR/bench-data"
plain="$BUILD_DIR/bench-data/kddcup99_10pct.csv"
if [[ ! -s "$plain" ]]; then
  gzip -dc "$DATA/kddcup99_10pct.csv.gz" >"$plain.tmp" && mv "$plain.tmp" "$plain"
fi
files=("$DATA/kddcup99_10pct.csv.gz" "$plain" "$DATA/adult_train.csv")
out="$BUILD_DIR/bench-results/csv-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

{
  echo "== CSV reading: hypertune ReadCsv vs pandas.read_csv (best of $REPEAT)"
  "$PY" bench/csv_pandas.py env --build-dir "$BUILD_DIR"
  "$bin" --repeat "$REPEAT" "${files[@]}" >"$out/hypertune.jsonl"
  "$PY" bench/csv_pandas.py read --repeat "$REPEAT" "${files[@]}" >"$out/pandas.jsonl"
  "$PY" bench/csv_pandas.py report "$out/hypertune.jsonl" "$out/pandas.jsonl"
} 2>&1 | tee "$out/report.txt"
echo "(raw results and this report: $out)"
