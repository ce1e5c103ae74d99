#!/usr/bin/python3
"""Quality benchmark, Optuna side: the twin of bench/quality_bench.cc.

For each function and seed, runs one in-memory Optuna study of `--trials`
trials with the sampler seeded by the seed, and prints one JSON line with the
best value found after each budget (10, 25, 50, 100 trials, those <= trials).

Usage: quality_optuna.py --sampler {random,qmc,tpe,tpe-univariate,tpe-multivariate}
                         [--functions a,b] [--seeds 1-20] [--trials 100]
                         [--jobs 2]

--jobs runs studies in that many processes; this benchmark measures no time,
so parallel processes change no result.
"""

import argparse
import json
import multiprocessing
import sys
import time
import warnings

import optuna

from optuna_samplers import make_sampler

import test_functions

BUDGETS = [10, 25, 50, 100]




def run_one(task):
    sampler_name, function_name, seed, trials = task
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore")  # ExperimentalWarning
    func = test_functions.BY_NAME[function_name]
    study = optuna.create_study(sampler=make_sampler(sampler_name, seed))
    t0 = time.perf_counter()
    study.optimize(lambda trial: func(test_functions.suggest_all(trial, func)),
                   n_trials=trials)
    seconds = time.perf_counter() - t0
    best = {}
    current = float("inf")
    for t in study.trials:  # in number order; n_jobs = 1
        if t.state == optuna.trial.TrialState.COMPLETE:
            current = min(current, t.value)
        if t.number + 1 in BUDGETS:
            best[str(t.number + 1)] = current
    return json.dumps({"impl": "optuna", "function": function_name,
                       "sampler": sampler_name, "seed": seed, "best": best,
                       "seconds": seconds})


def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            seeds.extend(range(int(lo), int(hi) + 1))
        elif part:
            seeds.append(int(part))
    return seeds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sampler", required=True)
    parser.add_argument("--functions", default="")
    parser.add_argument("--seeds", default="1-20")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()

    names = [n for n in args.functions.split(",") if n] or \
        [f.name for f in test_functions.FUNCTIONS]
    for n in names:
        if n not in test_functions.BY_NAME:
            raise SystemExit("unknown function %r" % n)
    warnings.simplefilter("ignore")  # ExperimentalWarning
    make_sampler(args.sampler, 0)  # fail early on a bad name
    tasks = [(args.sampler, n, s, args.trials) for n in names
             for s in parse_seeds(args.seeds)]
    if args.jobs > 1:
        with multiprocessing.Pool(args.jobs) as pool:
            for line in pool.imap(run_one, tasks):
                print(line, flush=True)
    else:
        for task in tasks:
            print(run_one(task), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
