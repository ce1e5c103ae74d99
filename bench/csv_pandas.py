"""The pandas side of bench/csv_bench.sh, and its report.

  csv_pandas.py read [--repeat N] FILE...      pandas.read_csv, one JSON line per file
  csv_pandas.py report HYPERTUNE.jsonl PANDAS.jsonl
  csv_pandas.py env --build-dir DIR            machine and versions header
"""
import datetime
import json
import os
import platform
import subprocess
import sys
import time


def read(args):
    import pandas as pd
    repeat = 5
    if args and args[0] == "--repeat":
        repeat, args = max(1, int(args[1])), args[2:]
    for path in args:
        times, cpu_times = [], []
        for _ in range(repeat):
            cpu_start = time.process_time()
            start = time.perf_counter()
            df = pd.read_csv(path)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
        categorical = sum(1 for t in df.dtypes if t == object)
        print(json.dumps({"file": path, "rows": int(df.shape[0]), "cols": int(df.shape[1]),
                          "categorical": categorical, "best_s": min(times),
                          "best_cpu_s": min(cpu_times), "times_s": times}))
        sys.stdout.flush()


def report(ours_path, theirs_path):
    load = lambda p: {r["file"]: r for r in map(json.loads, open(p)) if r}
    ours, theirs = load(ours_path), load(theirs_path)
    print("%-26s %14s %10s %10s %7s %10s %10s %7s"
          % ("file", "rows x cols", "hypertune", "pandas", "ratio", "ht cpu", "pd cpu", "ratio"))
    print("-" * 102)
    for path, o in ours.items():
        t = theirs.get(path)
        shape = "%d x %d" % (o["rows"], o["cols"])
        name = os.path.basename(path)
        if t is None:
            print("%-26s %14s %9.3fs" % (name, shape, o["best_s"]))
            continue
        if (t["rows"], t["cols"]) != (o["rows"], o["cols"]):
            shape += " (pandas %d x %d)" % (t["rows"], t["cols"])
        print("%-26s %14s %9.3fs %9.3fs %6.2fx %9.3fs %9.3fs %6.2fx"
              % (name, shape, o["best_s"], t["best_s"], t["best_s"] / o["best_s"],
                 o["best_cpu_s"], t["best_cpu_s"], t["best_cpu_s"] / o["best_cpu_s"]))
    print("(best of %d runs each, in seconds: wall time, then process CPU time (every thread);"
          "\n ratio = pandas / hypertune, above 1 when hypertune is faster)"
          % len(next(iter(ours.values()))["times_s"]))


def run_text(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def env(build_dir):
    import pandas as pd
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cache = {}
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                if ":" in line and "=" in line:
                    k, v = line.split("=", 1)
                    cache[k.split(":")[0]] = v.strip()
    except OSError:
        pass
    commit = run_text(["git", "rev-parse", "--short=12", "HEAD"])
    if run_text(["git", "status", "--porcelain", "--untracked-files=no"]) not in ("", "unknown"):
        commit += " (with uncommitted changes)"
    compiler = run_text([cache.get("CMAKE_CXX_COMPILER", "c++"), "--version"]).splitlines()[0]
    print("date:      %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))
    print("machine:   %s, nproc %d, load average %s"
          % (model, os.cpu_count(), " ".join("%.2f" % v for v in os.getloadavg())))
    print("hypertune: git %s, %s build, %s" % (commit, cache.get("CMAKE_BUILD_TYPE", "?"), compiler))
    print("pandas:    %s on Python %s (%s)" % (pd.__version__, platform.python_version(),
                                                sys.executable))


if __name__ == "__main__":
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "read":
        read(rest)
    elif cmd == "report":
        report(*rest)
    elif cmd == "env":
        env(rest[rest.index("--build-dir") + 1] if "--build-dir" in rest else "build-release")
    else:
        sys.exit(__doc__)
