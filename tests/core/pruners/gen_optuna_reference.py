#!/usr/bin/python3
"""Generates optuna_reference_data.inc: pruning decisions of Optuna 3.1.0 on
sequential studies, replayed by optuna_reference_test.cc.

Each scenario runs trials one after the other, as an objective does: report
a value, ask should_prune(), stop when told to. The file stores, per trial,
its reports and the index of the report at which Optuna pruned it (-1: it
completed). Run with the Python that has optuna 3.1.0:
    /usr/bin/python3 gen_optuna_reference.py > optuna_reference_data.inc
With --sparse it prints instead 60 larger scenarios with irregular steps
(where one report may complete several rungs), for a one-off check that is
too big to commit: paste them over the .inc and run the test.
"""
import math
import random
import sys
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")


def make_pruner(spec):
    kind, *fields = spec.split()
    kw = {}
    for f in fields:
        k, v = f.split("=")
        kw[k] = v
    if kind == "median":
        return optuna.pruners.MedianPruner(
            n_startup_trials=int(kw["n_startup_trials"]),
            n_warmup_steps=int(kw["n_warmup_steps"]),
            interval_steps=int(kw["interval_steps"]),
            n_min_trials=int(kw["n_min_trials"]))
    if kind == "percentile":
        return optuna.pruners.PercentilePruner(
            float(kw["percentile"]),
            n_startup_trials=int(kw["n_startup_trials"]),
            n_warmup_steps=int(kw["n_warmup_steps"]),
            interval_steps=int(kw["interval_steps"]),
            n_min_trials=int(kw["n_min_trials"]))
    if kind == "sha":
        mr = int(kw["min_resource"])
        return optuna.pruners.SuccessiveHalvingPruner(
            min_resource="auto" if mr == 0 else mr,
            reduction_factor=int(kw["reduction_factor"]),
            min_early_stopping_rate=int(kw["min_early_stopping_rate"]),
            bootstrap_count=int(kw["bootstrap_count"]))
    if kind == "hyperband":
        mx = int(kw["max_resource"])
        return optuna.pruners.HyperbandPruner(
            min_resource=int(kw["min_resource"]),
            max_resource="auto" if mx == 0 else mx,
            reduction_factor=int(kw["reduction_factor"]),
            bootstrap_count=int(kw["bootstrap_count"]))
    if kind == "threshold":
        return optuna.pruners.ThresholdPruner(
            lower=float(kw["lower"]), upper=float(kw["upper"]),
            n_warmup_steps=int(kw["n_warmup_steps"]),
            interval_steps=int(kw["interval_steps"]))
    if kind == "patient_median":
        return optuna.pruners.PatientPruner(
            optuna.pruners.MedianPruner(n_startup_trials=int(kw["n_startup_trials"])),
            patience=int(kw["patience"]), min_delta=float(kw["min_delta"]))
    if kind == "patient":
        return optuna.pruners.PatientPruner(
            None, patience=int(kw["patience"]), min_delta=float(kw["min_delta"]))
    raise ValueError(kind)


def make_trials(rng, n_trials, steps, nan_rate, decimals, noise=0.05, crossing=False):
    """Learning curves a + b / (step + 1) + noise, falling. With crossing, a
    and b are independent, so that early leaders may end behind; crossing =
    "up" makes the curves rise instead (for maximized studies)."""
    trials = []
    for _ in range(n_trials):
        a = rng.random()
        b = 2.0 * rng.random() if crossing else 2.0 * a
        if crossing == "up":
            b = -b
        reports = []
        for s in steps():
            v = a + b / (s + 1.0) + rng.gauss(0.0, noise)
            v = round(v, decimals)
            if rng.random() < nan_rate:
                v = math.nan
            reports.append((s, v))
        trials.append(reports)
    return trials


def run(spec, direction, name, trials):
    study = optuna.create_study(study_name=name, direction=direction,
                                pruner=make_pruner(spec))
    out = []
    for reports in trials:
        t = study.ask()
        pruned_at = -1
        for i, (s, v) in enumerate(reports):
            t.report(v, s)
            if t.should_prune():
                pruned_at = i
                break
        if pruned_at >= 0:
            study.tell(t, state=optuna.trial.TrialState.PRUNED)
        else:
            finite = [v for _, v in reports if not math.isnan(v)]
            study.tell(t, finite[-1] if finite else 0.0)
        out.append((reports, pruned_at))
    return out


def consecutive(n):
    return lambda: range(n)


SCENARIOS = [
    # (spec, direction, study name, seed, n_trials, steps, nan_rate, decimals[, noise])
    ("median n_startup_trials=5 n_warmup_steps=0 interval_steps=1 n_min_trials=1",
     "minimize", "ref-median", 1, 30, consecutive(12), 0.0, 3, 0.05, True),
    ("median n_startup_trials=3 n_warmup_steps=3 interval_steps=2 n_min_trials=3",
     "maximize", "ref-median-warmup", 2, 30, consecutive(12), 0.03, 2, 0.05, "up"),
    ("percentile percentile=25 n_startup_trials=4 n_warmup_steps=1 interval_steps=1 n_min_trials=1",
     "minimize", "ref-percentile-25", 3, 30, consecutive(10), 0.03, 2, 0.05, True),
    ("percentile percentile=75 n_startup_trials=2 n_warmup_steps=0 interval_steps=3 n_min_trials=2",
     "maximize", "ref-percentile-75", 4, 30, consecutive(10), 0.0, 2, 0.05, "up"),
    ("sha min_resource=1 reduction_factor=2 min_early_stopping_rate=0 bootstrap_count=0",
     "minimize", "ref-sha-2", 5, 40, consecutive(17), 0.02, 2),
    ("sha min_resource=0 reduction_factor=4 min_early_stopping_rate=0 bootstrap_count=0",
     "minimize", "ref-sha-auto", 6, 40, consecutive(20), 0.0, 3),
    ("sha min_resource=1 reduction_factor=3 min_early_stopping_rate=1 bootstrap_count=0",
     "maximize", "ref-sha-3-rate-1", 7, 40, consecutive(28), 0.0, 2),
    ("sha min_resource=1 reduction_factor=2 min_early_stopping_rate=0 bootstrap_count=1",
     "minimize", "ref-sha-bootstrap", 8, 30, consecutive(9), 0.0, 2),
    ("hyperband min_resource=1 max_resource=0 reduction_factor=3 bootstrap_count=0",
     "minimize", "ref-hyperband-auto", 9, 60, consecutive(27), 0.0, 2),
    ("hyperband min_resource=1 max_resource=9 reduction_factor=3 bootstrap_count=0",
     "maximize", "ref-hyperband-9", 10, 60, consecutive(9), 0.02, 2),
    ("hyperband min_resource=2 max_resource=16 reduction_factor=2 bootstrap_count=1",
     "minimize", "ref-hyperband-bootstrap", 11, 50, consecutive(16), 0.0, 2),
    # Irregular steps: one report may complete several rungs.
    ("sha min_resource=1 reduction_factor=2 min_early_stopping_rate=0 bootstrap_count=0",
     "minimize", "ref-sha-sparse", 15, 40, "sparse", 0.0, 2),
    ("sha min_resource=0 reduction_factor=3 min_early_stopping_rate=0 bootstrap_count=0",
     "maximize", "ref-sha-auto-sparse", 16, 40, "sparse", 0.02, 2, 0.05, "up"),
    ("hyperband min_resource=1 max_resource=60 reduction_factor=3 bootstrap_count=0",
     "minimize", "ref-hyperband-sparse", 17, 60, "sparse", 0.0, 2),
    ("threshold lower=0.2 upper=1.5 n_warmup_steps=2 interval_steps=2",
     "minimize", "ref-threshold", 12, 20, consecutive(8), 0.05, 2),
    ("patient_median patience=2 min_delta=0.01 n_startup_trials=3",
     "minimize", "ref-patient-median", 13, 30, consecutive(12), 0.0, 2, 0.3),
    ("patient patience=1 min_delta=0 n_startup_trials=0",
     "minimize", "ref-patient", 14, 20, consecutive(10), 0.0, 2, 0.3),
]


def sparse(rng):
    def steps():
        s, out = 0, []
        while s < 60:
            out.append(s)
            s += rng.choice([1, 2, 3, 5, 7])
        return out
    return steps


SPARSE_SPECS = [
    "sha min_resource=1 reduction_factor=2 min_early_stopping_rate=0 bootstrap_count=0",
    "sha min_resource=0 reduction_factor=3 min_early_stopping_rate=0 bootstrap_count=0",
    "hyperband min_resource=1 max_resource=60 reduction_factor=3 bootstrap_count=0",
]


def cpp_double(v):
    if math.isnan(v):
        return "kNaN"
    return repr(float(v))


def emit(scenarios):
    for spec, direction, name, seed, n, steps, nan_rate, decimals, *curve in scenarios:
        rng = random.Random(seed)
        if steps == "sparse":
            steps = sparse(rng)
        trials = make_trials(rng, n, steps, nan_rate, decimals, *curve)
        res = run(spec, direction, name, trials)
        d = "kMinimize" if direction == "minimize" else "kMaximize"
        print(f'{{"{spec}", StudyDirection::{d}, "{name}", {{')
        for reports, pruned_at in res:
            rs = ", ".join(f"{{{s}, {cpp_double(v)}}}" for s, v in reports)
            print(f"  {{{{{rs}}}, {pruned_at}}},")
        print("}},")


def main():
    print("// Generated by gen_optuna_reference.py with Optuna", optuna.__version__,
          "- do not edit.")
    print("// {pruner spec, direction, study name, {{reports, pruned at}, ...}}")
    if "--sparse" in sys.argv:
        emit([(spec, "minimize", f"sparse-{seed}", seed, 40, "sparse", 0.0, 2)
              for seed in range(20) for spec in SPARSE_SPECS])
    else:
        emit(SCENARIOS)


if __name__ == "__main__":
    main()
