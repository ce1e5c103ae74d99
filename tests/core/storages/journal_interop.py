"""Optuna's side of the journal interoperability tests (run by
journal_optuna_interop_test.cc with /usr/bin/python3, Optuna 3.1).

  journal_interop.py dump   LOG STUDY OUT.json  # what optuna.load_study sees
  journal_interop.py write  LOG STUDY           # studies STUDY and STUDY-mo by Optuna
  journal_interop.py extend LOG STUDY N         # Optuna runs N more trials
  journal_interop.py worker LOG STUDY N READY GO
      # creates READY once loaded, waits for GO, then runs N trials of a
      # trivial objective, tagging each with user attribute by=optuna

Non-finite floats are written as the strings "inf", "-inf", "nan" so that any
JSON parser reads the output; datetimes as isoformat(timespec="microseconds").
"""
import json
import math
import os
import sys
import time

import optuna


def storage(log):
    return optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(log))


def num(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def when(d):
    return None if d is None else d.isoformat(timespec="microseconds")


def dump(log, study_name, out):
    study = optuna.load_study(study_name=study_name, storage=storage(log))
    trials = []
    for t in study.get_trials(deepcopy=False):
        trials.append({
            "number": t.number,
            "trial_id": t._trial_id,
            "state": t.state.name,
            "values": [num(v) for v in (t.values or [])],
            "params": {k: num(v) for k, v in t.params.items()},
            "param_order": list(t.params.keys()),
            "distributions": {
                k: json.loads(optuna.distributions.distribution_to_json(d))
                for k, d in t.distributions.items()
            },
            "intermediate_values": {str(k): num(v) for k, v in t.intermediate_values.items()},
            "user_attrs": t.user_attrs,
            "system_attrs": t.system_attrs,
            "datetime_start": when(t.datetime_start),
            "datetime_complete": when(t.datetime_complete),
        })
    result = {
        "directions": [d.name for d in study.directions],
        "user_attrs": study.user_attrs,
        "system_attrs": study.system_attrs,
        "trials": trials,
    }
    with open(out, "w") as f:
        json.dump(result, f)


def write(log, study_name):
    s = storage(log)
    study = optuna.create_study(study_name=study_name, storage=s,
                                sampler=optuna.samplers.RandomSampler(seed=3),
                                direction="maximize")
    study.set_user_attr("owner", "optuna")

    def objective(trial):
        x = trial.suggest_float("x", -1.0, 1.0)
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        n = trial.suggest_int("n", 1, 9, step=2)
        opt = trial.suggest_categorical("opt", ["adam", "sgd", None])
        trial.report(x, 0)
        trial.report(float("inf"), 1)
        trial.report(float("nan"), 2)
        trial.set_user_attr("tag", "optuna")
        trial.set_user_attr("nested", {"a": [1, 2.5, None], "b": "x"})
        if trial.number == 2:
            raise RuntimeError("boom")
        if trial.number == 3:
            raise optuna.TrialPruned()
        return x + math.log10(lr) + n + (opt is None)

    study.optimize(objective, n_trials=5, catch=(RuntimeError,))
    study.enqueue_trial({"x": 0.5, "n": 3})

    mo = optuna.create_study(study_name=study_name + "-mo", storage=s,
                             sampler=optuna.samplers.RandomSampler(seed=4),
                             directions=["minimize", "maximize"])
    mo.optimize(lambda t: (t.suggest_float("a", 0, 1), t.suggest_int("b", 0, 5)), n_trials=3)


def extend(log, study_name, n_trials):
    study = optuna.load_study(study_name=study_name, storage=storage(log),
                              sampler=optuna.samplers.RandomSampler(seed=9))

    def objective(trial):
        x = trial.suggest_float("x", -2.0, 2.0)
        n = trial.suggest_int("n", 1, 8)
        return x * x + n

    study.optimize(objective, n_trials=n_trials)


def worker(log, study_name, n_trials, ready, go):
    study = optuna.load_study(study_name=study_name, storage=storage(log),
                              sampler=optuna.samplers.RandomSampler(seed=1))
    open(ready, "w").close()
    deadline = time.time() + 60
    while not os.path.exists(go):
        if time.time() > deadline:
            sys.exit("no go file")
        time.sleep(0.001)

    def objective(trial):
        x = trial.suggest_float("x", -1.0, 1.0)
        trial.set_user_attr("by", "optuna")
        time.sleep(0.005)
        return x * x

    study.optimize(objective, n_trials=n_trials)


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    import warnings
    warnings.simplefilter("ignore")  # ExperimentalWarning for JournalStorage
    cmd = sys.argv[1]
    if cmd == "dump":
        dump(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "write":
        write(sys.argv[2], sys.argv[3])
    elif cmd == "extend":
        extend(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "worker":
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6])
    else:
        sys.exit("unknown command " + cmd)
