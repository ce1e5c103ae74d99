#!/usr/bin/python3
"""Turns the JSON lines of the benchmarks (hypertune and Optuna) into the
side-by-side tables the runner scripts print.

  compare.py env [--build-dir DIR]    machine and versions header
  compare.py check CHECK.jsonl        compare C++ and Python test functions
  compare.py overhead RESULTS.jsonl   overhead table
  compare.py quality RESULTS.jsonl    regret tables
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

import numpy as np
import scipy.stats

import test_functions
from overhead_common import WINDOWS

BUDGETS = [10, 25, 50, 100]


def read_jsonl(paths):
    out = []
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    out.append(json.loads(line))
    return out


# ---------------------------------------------------------------- env header

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run_text(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def cmake_cache(build_dir, key):
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def print_env(build_dir):
    import optuna  # only here: the other commands do not need it
    commit = run_text(["git", "rev-parse", "--short=12", "HEAD"])
    if run_text(["git", "status", "--porcelain", "--untracked-files=no"]) not in ("", "unknown"):
        commit += " (with uncommitted changes)"
    compiler = cmake_cache(build_dir, "CMAKE_CXX_COMPILER")
    compiler_version = run_text([compiler, "--version"]).splitlines()[0] \
        if compiler != "unknown" else "unknown"
    print("date:      %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))
    print("machine:   %s, nproc %d, load average %s"
          % (cpu_model(), os.cpu_count(), " ".join("%.2f" % v for v in os.getloadavg())))
    print("hypertune: git %s (branch %s), %s build, %s"
          % (commit, run_text(["git", "rev-parse", "--abbrev-ref", "HEAD"]),
             cmake_cache(build_dir, "CMAKE_BUILD_TYPE"), compiler_version))
    print("optuna:    %s on Python %s (%s)"
          % (optuna.__version__, platform.python_version(), sys.executable))


# ------------------------------------------------------------- consistency

def check(paths):
    records = read_jsonl(paths)
    problems = test_functions.check_against(records)
    if problems:
        print("test functions differ between C++ and Python:")
        for p in problems:
            print("  " + p)
        return 1
    print("test functions: C++ and Python agree at %d points (%d functions)"
          % (len(records), len(test_functions.FUNCTIONS)))
    return 0


# ---------------------------------------------------------------- overhead

def fmt_ms(v):
    if v is None:
        return "-"
    return "%.4f" % v if v < 1 else "%.2f" % v


def fmt_mib(kb):
    return "-" if kb is None else "%.1f" % (kb / 1024.0)


def median_record(recs):
    """One record whose windows, RSS figures and total are the medians of
    those of `recs` (runs of the same study)."""
    if len(recs) == 1:
        return recs[0]
    out = dict(recs[0])
    out["runs"] = len(recs)
    out["total_s"] = float(np.median([r["total_s"] for r in recs]))
    out["peak_rss_kb"] = float(np.median([r["peak_rss_kb"] for r in recs]))
    out["windows"] = []
    for w in recs[0]["windows"]:
        values = [x["ms_per_trial"] for r in recs for x in r["windows"]
                  if (x["begin"], x["end"]) == (w["begin"], w["end"])]
        out["windows"].append(dict(w, ms_per_trial=float(np.median(values))))
    out["rss_kb"] = {k: float(np.median([r["rss_kb"][k] for r in recs if k in r["rss_kb"]]))
                     for k in recs[0]["rss_kb"]}
    return out


def overhead(paths, samplers):
    grouped = {}  # (impl, sampler) -> [record per run]
    for r in read_jsonl(paths):
        grouped.setdefault((r["impl"], r["sampler"]), []).append(r)
    runs = {key: median_record(recs) for key, recs in grouped.items()}
    repeats = sorted({len(recs) for recs in grouped.values()})
    if samplers is None:
        samplers = []
        for _, s in runs:
            if s not in samplers:
                samplers.append(s)

    def window(rec, begin, end):
        if rec is None:
            return None
        for w in rec["windows"]:
            if w["begin"] == begin and w["end"] == end:
                return w["ms_per_trial"]
        return None

    print()
    print("Time per trial (ms, mean over the window of trial numbers; "
          "ask + sample + objective + tell)")
    print("Each figure is the median over %s run(s) of one study; one process "
          "per study." % "/".join(str(r) for r in repeats))
    header = "%-17s %-11s %12s %12s %10s" % ("sampler", "trials", "hypertune", "optuna",
                                             "ratio")
    print(header)
    print("-" * len(header))
    for s in samplers:
        ours = runs.get(("hypertune", s))
        peer = runs.get(("optuna", s))
        for begin, end in WINDOWS:
            a = window(ours, begin, end)
            b = window(peer, begin, end)
            if a is None and b is None:
                continue
            ratio = "%.1fx" % (b / a) if a and b else "-"
            print("%-17s %-11s %12s %12s %10s"
                  % (s, "%d-%d" % (begin, end), fmt_ms(a), fmt_ms(b), ratio))
    print("ratio = optuna / hypertune (higher: hypertune faster). "
          "'-': not measured (not in this build, or too few trials).")

    print()
    print("Memory (MiB): peak RSS of the process; RSS growth from before the "
          "study to the last trial")
    header = "%-17s %8s %10s %10s %8s %10s %10s" % (
        "sampler", "trials", "ht peak", "ht growth", "trials", "opt peak", "opt growth")
    print(header)
    print("-" * len(header))
    for s in samplers:
        cells = []
        for impl in ("hypertune", "optuna"):
            rec = runs.get((impl, s))
            if rec is None:
                cells += ["-", "-", "-"]
                continue
            rss = rec["rss_kb"]
            last = rss.get(str(rec["trials"]))
            growth = None if last is None else last - rss["start"]
            cells += [str(rec["trials"]), fmt_mib(rec["peak_rss_kb"]), fmt_mib(growth)]
        print("%-17s %8s %10s %10s %8s %10s %10s" % tuple([s] + cells))

    print()
    print("RSS growth (MiB) from before the study to after n trials, and its "
          "slope (bytes per trial) between the last two checkpoints")
    for s in samplers:
        for impl in ("hypertune", "optuna"):
            rec = runs.get((impl, s))
            if rec is None:
                continue
            rss = rec["rss_kb"]
            points = sorted((int(k), v) for k, v in rss.items() if k != "start")
            text = "  ".join("%d: %s" % (n, fmt_mib(v - rss["start"])) for n, v in points)
            slope = ""
            if len(points) >= 2:
                (n0, v0), (n1, v1) = points[-2], points[-1]
                slope = "   slope %.0f B/trial" % (1024.0 * (v1 - v0) / (n1 - n0))
            print("  %-17s %-9s %s%s" % (s, impl, text, slope))

    # The targets.
    print()

    def growth_and_slope(rec):
        rss = rec["rss_kb"]
        points = sorted((int(k), v) for k, v in rss.items() if k != "start")
        (n0, v0), (n1, v1) = points[-2], points[-1]
        return n1, (points[-1][1] - rss["start"]) / 1024.0, 1024.0 * (v1 - v0) / (n1 - n0)

    for s in ("tpe-univariate", "tpe-multivariate"):
        ours = runs.get(("hypertune", s))
        peer = runs.get(("optuna", s))
        late = window(ours, 9900, 10000)
        if late is None:
            print("target %s: <= 1 ms/trial at 9,900-10,000: not measured" % s)
        else:
            print("target %s: <= 1 ms/trial at 9,900-10,000: %s ms -> %s"
                  % (s, fmt_ms(late), "HOLDS" if late <= 1.0 else "FAILS"))
        a = window(ours, 0, 1000)
        b = window(peer, 0, 1000)
        if a is None or b is None:
            print("target %s: >= 100x faster than Optuna over trials 0-1,000: "
                  "not measured" % s)
        else:
            print("target %s: >= 100x faster than Optuna over trials 0-1,000: "
                  "%.1fx -> %s" % (s, b / a, "HOLDS" if b / a >= 100 else "FAILS"))
        if ours is not None and len(ours["rss_kb"]) >= 3:
            n, growth, slope = growth_and_slope(ours)
            text = ("memory %s: hypertune RSS grows %.1f MiB over %d trials, %.0f B/trial "
                    "at the end" % (s, growth, n, slope))
            if peer is not None and len(peer["rss_kb"]) >= 3:
                n, growth, slope = growth_and_slope(peer)
                text += "; Optuna %.1f MiB over %d trials, %.0f B/trial" % (growth, n, slope)
            print(text)
    return 0


# ----------------------------------------------------------------- quality

def fmt_regret(v):
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 0.01:
        return "%.3g" % v
    return "%.1e" % v


def quality(paths, samplers):
    # (function, impl, sampler) -> {budget: [regret per seed]}
    table = {}
    seeds = {}
    for r in read_jsonl(paths):
        func = test_functions.BY_NAME[r["function"]]
        key = (r["function"], r["impl"], r["sampler"])
        cell = table.setdefault(key, {})
        seeds.setdefault(key, set()).add(r["seed"])
        for b, best in r["best"].items():
            cell.setdefault(int(b), []).append(best - func.optimum)
    if samplers is None:
        samplers = sorted({k[2] for k in table})

    def median(values):
        return float(np.median(values))

    def stats(values):
        q25, q50, q75 = np.percentile(values, [25, 50, 75])
        return "%s [%s, %s]" % (fmt_regret(q50), fmt_regret(q25), fmt_regret(q75))

    print()
    print("Simple regret (best value found - known optimum) after n trials: "
          "median [25th, 75th percentile] over seeds")
    verdicts = []
    for func in test_functions.FUNCTIONS:
        keys = [k for k in table if k[0] == func.name]
        if not keys:
            continue
        budgets = sorted({b for k in keys for b in table[k]})
        print()
        print("%s (%d parameters), f* = %.10g"
              % (func.name, len(func.params), func.optimum))
        header = "%-17s %-9s %5s " % ("sampler", "impl", "seeds") + "".join(
            "%26s" % ("n=%d" % b) for b in budgets)
        print(header)
        print("-" * len(header))
        for s in samplers:
            for impl in ("hypertune", "optuna"):
                key = (func.name, impl, s)
                if key not in table:
                    continue
                print("%-17s %-9s %5d " % (s, impl, len(seeds[key])) + "".join(
                    "%26s" % (stats(table[key][b]) if b in table[key] else "-")
                    for b in budgets))
        # The target: our TPE (default options) against Optuna's TPE
        # (default options), median regret at the largest budget.
        ours = table.get((func.name, "hypertune", "tpe"))
        peer = table.get((func.name, "optuna", "tpe"))
        last = budgets[-1]
        if ours and peer and last in ours and last in peer:
            a, b = median(ours[last]), median(peer[last])
            verdict = "better" if a < b else ("equal" if a == b else "WORSE")
            verdicts.append(verdict)
            p = scipy.stats.mannwhitneyu(ours[last], peer[last],
                                         alternative="two-sided").pvalue
            print("target at n=%d: hypertune tpe median %s vs optuna tpe %s -> %s"
                  "   (Mann-Whitney U two-sided p = %.2g)"
                  % (last, fmt_regret(a), fmt_regret(b),
                     "HOLDS (%s)" % verdict if a <= b else "FAILS", p))
        else:
            print("target: not measured (tpe missing on one side)")
        # Like for like (the defaults differ: ours is multivariate, Optuna's
        # univariate).
        pairs = [("tpe-univariate", "tpe"), ("tpe-multivariate", "tpe-multivariate")]
        parts = []
        for mine, theirs in pairs:
            ours = table.get((func.name, "hypertune", mine), {}).get(last)
            peer = table.get((func.name, "optuna", theirs), {}).get(last)
            if ours and peer:
                parts.append("%s %s vs %s" % (mine.replace("tpe-", ""),
                                              fmt_regret(median(ours)),
                                              fmt_regret(median(peer))))
        if parts:
            print("  like for like at n=%d (hypertune vs optuna medians): %s"
                  % (last, "; ".join(parts)))
    # One compact table: median regret at the largest budget.
    budget = max((b for cell in table.values() for b in cell), default=None)
    columns = [(impl, smp) for smp in samplers for impl in ("hypertune", "optuna")
               if any(k[1:] == (impl, smp) for k in table)]
    if budget is not None and columns:
        print()
        print("Median simple regret at n=%d (ht = hypertune, opt = Optuna)" % budget)
        labels = ["%s %s" % ("ht" if impl == "hypertune" else "opt",
                             smp.replace("tpe-multivariate", "tpe-mv")
                             .replace("tpe-univariate", "tpe-uv"))
                  for impl, smp in columns]
        width = max(10, max(len(l) for l in labels) + 1)
        header = "%-17s" % "function" + "".join("%*s" % (width, l) for l in labels)
        print(header)
        print("-" * len(header))
        for func in test_functions.FUNCTIONS:
            row = "%-17s" % func.name
            for impl, smp in columns:
                cell = table.get((func.name, impl, smp), {}).get(budget)
                row += "%*s" % (width, fmt_regret(median(cell)) if cell else "-")
            print(row)
    if verdicts:
        print()
        print("summary: hypertune tpe better on %d, equal on %d, worse on %d of %d "
              "functions (median regret at the largest budget)"
              % (verdicts.count("better"), verdicts.count("equal"),
                 verdicts.count("WORSE"), len(verdicts)))
    return 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("env")
    p.add_argument("--build-dir", default="build")
    p = sub.add_parser("check")
    p.add_argument("files", nargs="+")
    for name in ("overhead", "quality"):
        p = sub.add_parser(name)
        p.add_argument("--samplers", help="comma-separated, in display order")
        p.add_argument("files", nargs="+")
    args = parser.parse_args()
    if args.cmd == "env":
        print_env(args.build_dir)
        return 0
    if args.cmd == "check":
        return check(args.files)
    samplers = args.samplers.split(",") if args.samplers else None
    if args.cmd == "overhead":
        return overhead(args.files, samplers)
    return quality(args.files, samplers)


if __name__ == "__main__":
    sys.exit(main())
