#!/usr/bin/python3
"""Storage benchmark, Optuna side: the twin of bench/storage_bench.cc.

Runs optimize() (n_jobs=1) on a study in Optuna's RDB storage (created, or
joined if it exists) with the trivial 5-parameter objective of the overhead
benchmark and Optuna's default TPE sampler (seeded), optionally sleeping in
the objective, and prints one JSON line with the same fields as
storage_bench: mean wall time per trial over windows, trials per second.

Usage: storage_optuna.py --storage URL --trials N [--study NAME]
                         [--sampler NAME] [--seed S] [--sleep-ms MS]
"""

import argparse
import json
import math
import time
import warnings

import optuna

from optuna_samplers import make_sampler

WINDOWS = [(0, 100), (900, 1000), (1900, 2000), (4900, 5000), (9900, 10000), (0, 1000)]


def objective(trial, sleep_s):
    if sleep_s > 0:
        time.sleep(sleep_s)
    x = trial.suggest_float("x", -10.0, 10.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    n = trial.suggest_int("n", 1, 100)
    opt = trial.suggest_categorical("opt", ["adam", "sgd", "rmsprop"])
    return x * x + y + math.log10(lr) + 0.01 * n + (0.0 if opt == "adam" else 1.0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--storage", required=True)
    parser.add_argument("--trials", type=int, required=True)
    parser.add_argument("--study", default="storage-bench")
    parser.add_argument("--sampler", default="tpe")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sleep-ms", type=float, default=0.0)
    args = parser.parse_args()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")
    study = optuna.create_study(study_name=args.study, storage=args.storage,
                                sampler=make_sampler(args.sampler, args.seed),
                                pruner=optuna.pruners.NopPruner(), load_if_exists=True)
    stamps = []
    t0 = time.perf_counter()
    study.optimize(lambda t: objective(t, args.sleep_ms / 1000.0), n_trials=args.trials,
                   callbacks=[lambda s, t: stamps.append(time.perf_counter())])
    total = time.perf_counter() - t0
    windows = []
    for begin, end in WINDOWS:
        if end > len(stamps):
            continue
        start = t0 if begin == 0 else stamps[begin - 1]
        windows.append({"begin": begin, "end": end,
                        "ms_per_trial": 1000.0 * (stamps[end - 1] - start) / (end - begin)})
    print(json.dumps({"impl": "optuna", "storage": args.storage.split(":")[0],
                      "sampler": args.sampler, "trials": len(stamps),
                      "sleep_ms": args.sleep_ms, "total_s": total,
                      "trials_per_s": len(stamps) / total, "windows": windows}), flush=True)


if __name__ == "__main__":
    main()
