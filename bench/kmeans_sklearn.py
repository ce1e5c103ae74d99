#!/usr/bin/python3
"""scikit-learn side of the K-Means benchmark (bench/kmeans_bench.sh).

  kmeans_sklearn.py prep OUTDIR               write the benchmark matrices
  kmeans_sklearn.py run --data F --name N ... one JSON line per configuration
  kmeans_sklearn.py env --build-dir DIR       machine and versions header
  kmeans_sklearn.py compare RESULTS.jsonl...  the side-by-side table

prep writes, as int64 rows, int64 columns, then float64 row-major values:
  skin.bin      skin_segmentation.csv B,G,R (245,057 x 3), as they are;
  kddcup99.bin  kddcup99_10pct.csv.gz numeric columns (the 3 text columns
                and the label dropped, then the constant ones), standardized
                (494,021 x 36).
Both sides read the same file, so they cluster the same numbers.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data")


def write_matrix(path, x):
    x = np.ascontiguousarray(x, dtype="<f8")
    with open(path, "wb") as f:
        np.array(x.shape, dtype="<i8").tofile(f)
        x.tofile(f)


def read_matrix(path):
    with open(path, "rb") as f:
        rows, cols = np.fromfile(f, dtype="<i8", count=2)
        return np.fromfile(f, dtype="<f8", count=rows * cols).reshape(rows, cols)


def prep(out):
    import pandas as pd
    os.makedirs(out, exist_ok=True)
    skin = pd.read_csv(os.path.join(DATA, "skin_segmentation.csv"))
    write_matrix(os.path.join(out, "skin.bin"), skin[["B", "G", "R"]].to_numpy(np.float64))
    kdd = pd.read_csv(os.path.join(DATA, "kddcup99_10pct.csv.gz"))
    x = kdd.drop(columns=["label"]).select_dtypes(include=[np.number]).to_numpy(np.float64)
    x = x[:, x.std(axis=0) > 0]
    write_matrix(os.path.join(out, "kddcup99.bin"), (x - x.mean(axis=0)) / x.std(axis=0))


def run(args):
    from sklearn.cluster import KMeans
    x = read_matrix(args.data)
    for k in [int(v) for v in args.k.split(",")]:
        for algorithm in args.algorithms.split(","):
            times, inertias, n_iters = [], [], []
            for rep in range(args.repeat):
                km = KMeans(k, n_init=args.n_init, max_iter=args.max_iter, tol=args.tol,
                            algorithm=algorithm, random_state=args.seed + rep)
                t0 = time.perf_counter()
                km.fit(x)
                times.append(time.perf_counter() - t0)
                inertias.append(float(km.inertia_))
                n_iters.append(int(km.n_iter_))
            print(json.dumps({"side": "sklearn", "dataset": args.name, "rows": x.shape[0],
                              "cols": x.shape[1], "k": k, "algorithm": algorithm,
                              "threads": args.threads, "n_init": args.n_init,
                              "times_s": times, "inertias": inertias, "n_iters": n_iters}),
                  flush=True)


def env(build_dir):
    import platform
    import sklearn
    import threadpoolctl
    sys.path.insert(0, HERE)
    from compare import cmake_cache, cpu_model, run_text
    commit = run_text(["git", "rev-parse", "--short=12", "HEAD"])
    if run_text(["git", "status", "--porcelain", "--untracked-files=no"]) not in ("", "unknown"):
        commit += " (with uncommitted changes)"
    compiler = cmake_cache(build_dir, "CMAKE_CXX_COMPILER")
    compiler_version = run_text([compiler, "--version"]).splitlines()[0] \
        if compiler != "unknown" else "unknown"
    print("date:      %s" % time.strftime("%Y-%m-%d %H:%M"))
    print("machine:   %s, nproc %d, load average %s"
          % (cpu_model(), os.cpu_count(), " ".join("%.2f" % v for v in os.getloadavg())))
    print("hypertune: git %s (branch %s), %s build, %s"
          % (commit, run_text(["git", "rev-parse", "--abbrev-ref", "HEAD"]),
             cmake_cache(build_dir, "CMAKE_BUILD_TYPE"), compiler_version))
    blas = [f"{i['internal_api']} {i.get('version')}" for i in threadpoolctl.threadpool_info()]
    print("sklearn:   %s, numpy %s on Python %s (%s); %s"
          % (sklearn.__version__, np.__version__, platform.python_version(), sys.executable,
             ", ".join(blas)))


def compare(paths):
    records = []
    for path in paths:
        with open(path) as f:
            records += [json.loads(line) for line in f if line.startswith("{")]
    by_key = {(r["side"], r["dataset"], r["k"], r["algorithm"], r["threads"]): r
              for r in records}
    # Our default (Hamerly) is set against scikit-learn's fast algorithm
    # (Elkan), and Lloyd's against Lloyd's.
    pairs = [("hamerly", "elkan"), ("lloyd", "lloyd"), ("hamerly", "lloyd")]
    header = ("%-9s %3s %2s  %-15s %9s %9s %7s  %14s %14s %9s"
              % ("dataset", "k", "th", "ours vs sklearn", "ours s", "sklearn s", "speedup",
                 "ours inertia", "sk inertia", "ratio"))
    print(header)
    print("-" * len(header))
    worst_speed, worst_inertia = None, None
    keys = sorted({(r["dataset"], r["k"], r["threads"]) for r in records},
                  key=lambda t: (t[0] != "skin", t[0], t[2], t[1]))
    for dataset, k, threads in keys:
        for ours_alg, sk_alg in pairs:
            ours = by_key.get(("hypertune", dataset, k, ours_alg, threads))
            sk = by_key.get(("sklearn", dataset, k, sk_alg, threads))
            if ours is None or sk is None:
                continue
            t_ours, t_sk = np.median(ours["times_s"]), np.median(sk["times_s"])
            i_ours, i_sk = np.mean(ours["inertias"]), np.mean(sk["inertias"])
            print("%-9s %3d %2d  %-15s %9.3f %9.3f %6.1fx  %14.6g %14.6g %9.5f"
                  % (dataset, k, threads, f"{ours_alg} / {sk_alg}", t_ours, t_sk, t_sk / t_ours,
                     i_ours, i_sk, i_ours / i_sk))
            if (ours_alg, sk_alg) != ("hamerly", "lloyd"):
                worst_speed = min(worst_speed or np.inf, t_sk / t_ours)
                worst_inertia = max(worst_inertia or 0, i_ours / i_sk)
    repeats = sorted({len(r["times_s"]) for r in records})
    print("(seconds: median over %s runs, seeds seed..seed+%d; inertia: their mean; "
          "speedup = sklearn / ours; ratio = ours / sklearn)" % (
              "/".join(map(str, repeats)), repeats[-1] - 1))
    if worst_speed is not None:
        print("target (at least as fast as scikit-learn, like for like, at equal or better "
              "inertia): slowest speedup %.2fx, worst inertia ratio %.5f: %s"
              % (worst_speed, worst_inertia,
                 "met" if worst_speed >= 1.0 and worst_inertia <= 1.001 else "NOT met"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prep")
    p.add_argument("out")
    p = sub.add_parser("run")
    p.add_argument("--data", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--k", default="3,8,16")
    p.add_argument("--algorithms", default="elkan,lloyd")
    p.add_argument("--threads", type=int, default=1, help="recorded; set OMP_NUM_THREADS")
    p.add_argument("--n-init", type=int, default=3)
    p.add_argument("--max-iter", type=int, default=300)
    p.add_argument("--tol", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=3)
    p = sub.add_parser("env")
    p.add_argument("--build-dir", default="build-release")
    p = sub.add_parser("compare")
    p.add_argument("paths", nargs="+")
    args = parser.parse_args()
    if args.command == "prep":
        prep(args.out)
    elif args.command == "run":
        run(args)
    elif args.command == "env":
        env(args.build_dir)
    else:
        compare(args.paths)


if __name__ == "__main__":
    sys.exit(main())
