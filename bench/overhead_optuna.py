#!/usr/bin/python3
"""Overhead benchmark, Optuna side: the twin of bench/overhead_bench.cc.

Runs one in-memory Optuna study with a trivial objective over 5 parameters
(3 floats, one of them log; 1 int; 1 categorical) and prints one JSON line:
the mean wall time per trial over fixed windows of trial numbers, and memory.

The time of trial k is the wall time between the completion of trial k-1
(or the start of optimize() for k = 0) and the completion of trial k, so it
covers ask, sampling, the objective and tell. Time spent by this script in
its own callback (reading the RSS) is excluded.

Usage: overhead_optuna.py --sampler {random,qmc,tpe,tpe-univariate,tpe-multivariate}
                          --trials N [--seed S]
"""

import argparse
import json
import math
import resource
import sys
import time
import warnings

import optuna

from optuna_samplers import make_sampler

from overhead_common import WINDOWS, CHECKPOINTS, read_rss_kb, window_means


def objective(trial):
    # The same 5 parameters, ranges and formula as overhead_bench.cc.
    x = trial.suggest_float("x", -10.0, 10.0)
    y = trial.suggest_float("y", 0.0, 1.0)
    lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
    n = trial.suggest_int("n", 1, 100)
    opt = trial.suggest_categorical("opt", ["adam", "sgd", "rmsprop"])
    return x * x + y + math.log10(lr) + 0.01 * n + (0.0 if opt == "adam" else 1.0)




def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sampler", required=True)
    parser.add_argument("--trials", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")  # ExperimentalWarning for QMC, multivariate

    rss = {"start": read_rss_kb()}
    study = optuna.create_study(sampler=make_sampler(args.sampler, args.seed))
    stamps = []
    excluded = [0.0]  # seconds spent in this callback's bookkeeping

    def callback(study_, frozen):
        now = time.perf_counter()
        stamps.append(now - excluded[0])
        n = len(stamps)
        if n in CHECKPOINTS or n == args.trials:
            rss[str(n)] = read_rss_kb()
        excluded[0] += time.perf_counter() - now

    t0 = time.perf_counter()
    study.optimize(objective, n_trials=args.trials, callbacks=[callback])
    total = time.perf_counter() - t0

    out = {
        "impl": "optuna",
        "version": optuna.__version__,
        "sampler": args.sampler,
        "trials": len(stamps),
        "seed": args.seed,
        "total_s": total,
        "windows": window_means(t0, stamps),
        "rss_kb": rss,
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "best_value": study.best_value,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
