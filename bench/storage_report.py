#!/usr/bin/python3
"""Prints the storage benchmark's side-by-side tables from the JSON lines of
storage_bench and storage_optuna.py (see bench/run_storage.sh).

Usage: storage_report.py latency RESULTS.jsonl
       storage_report.py throughput RESULTS.jsonl
"""

import json
import sys


def read(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def fmt_ms(v):
    return "-" if v is None else (f"{v:.3f}" if v < 10 else f"{v:.1f}")


def latency(recs):
    # One row per (impl, storage) run; columns: the windows.
    windows = []
    for r in recs:
        for w in r["windows"]:
            key = (w["begin"], w["end"])
            if key not in windows:
                windows.append(key)
    windows.sort(key=lambda k: (k[1] - k[0] > 100, k))
    names = [f"{b}-{e}" for b, e in windows]
    print("ms per trial (ask + sample + trivial objective + tell, all storage I/O), "
          "by window of trial numbers")
    print(f"{'run':42} {'trials':>7} " + " ".join(f"{n:>10}" for n in names))
    by_key = {}
    for r in recs:
        label = f"{r['impl']} {r['storage']} {r['sampler']}"
        ms = {(w["begin"], w["end"]): w["ms_per_trial"] for w in r["windows"]}
        by_key[(r["impl"], r["storage"])] = ms
        print(f"{label:42} {r['trials']:>7} " +
              " ".join(f"{fmt_ms(ms.get(k)):>10}" for k in windows))
    # Ratios Optuna / hypertune per storage, over the windows both ran.
    for (impl, storage), ms in by_key.items():
        if impl != "optuna":
            continue
        ours = by_key.get(("hypertune", storage))
        if ours is None:
            continue
        ratios = [f"{ms[k] / ours[k]:.0f}x" if k in ms and k in ours else "-" for k in windows]
        print(f"{'ratio optuna/hypertune ' + storage:42} {'':>7} " +
              " ".join(f"{r:>10}" for r in ratios))


def throughput(recs):
    # Records carry "procs" and "wall_s" added by run_storage.sh.
    print("trials per second with a 50 ms objective, several processes on one study")
    print(f"{'run':28} {'procs':>5} {'trials':>7} {'wall s':>8} {'trials/s':>9} {'speed-up':>9}")
    base = {}
    for r in recs:
        rate = r["trials"] / r["wall_s"]
        key = (r["impl"], r["storage"])
        if r["procs"] == 1:
            base[key] = rate
        speedup = f"{rate / base[key]:.2f}x" if key in base else "-"
        print(f"{r['impl'] + ' ' + r['storage']:28} {r['procs']:>5} {r['trials']:>7} "
              f"{r['wall_s']:>8.2f} {rate:>9.1f} {speedup:>9}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("latency", "throughput"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    {"latency": latency, "throughput": throughput}[sys.argv[1]](read(sys.argv[2]))
