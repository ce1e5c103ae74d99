"""Optuna's side of the SQLite interoperability tests (run by
sqlite_optuna_interop_test.cc with /usr/bin/python3).

  optuna_interop.py dump  DB STUDY OUT.json  # what optuna.load_study sees
  optuna_interop.py write DB STUDY           # a study written by Optuna
  optuna_interop.py extend DB STUDY N        # Optuna runs N more trials

Non-finite floats are written as the strings "inf", "-inf", "nan" so that any
JSON parser reads the output.
"""
import json
import math
import sys

import optuna


def num(v):
    if v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def dump(db, study_name, out):
    study = optuna.load_study(study_name=study_name, storage="sqlite:///" + db)
    trials = []
    for t in study.get_trials(deepcopy=False):
        trials.append({
            "number": t.number,
            "state": t.state.name,
            "values": [num(v) for v in (t.values or [])],
            "params": {k: num(v) for k, v in t.params.items()},
            "distributions": {
                k: json.loads(optuna.distributions.distribution_to_json(d))
                for k, d in t.distributions.items()
            },
            "intermediate_values": {str(k): num(v) for k, v in t.intermediate_values.items()},
            "user_attrs": t.user_attrs,
            "has_start": t.datetime_start is not None,
            "has_complete": t.datetime_complete is not None,
        })
    result = {
        "directions": [d.name for d in study.directions],
        "trials": trials,
    }
    with open(out, "w") as f:
        json.dump(result, f)


def write(db, study_name):
    study = optuna.create_study(study_name=study_name, storage="sqlite:///" + db,
                                sampler=optuna.samplers.RandomSampler(seed=3),
                                direction="maximize")

    def objective(trial):
        x = trial.suggest_float("x", -1.0, 1.0)
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        n = trial.suggest_int("n", 1, 9, step=2)
        opt = trial.suggest_categorical("opt", ["adam", "sgd", None])
        trial.report(x, 0)
        trial.report(float("inf"), 1)
        trial.set_user_attr("tag", "optuna")
        if trial.number == 2:
            raise RuntimeError("boom")
        return x + math.log10(lr) + n + (opt is None)

    study.optimize(objective, n_trials=5, catch=(RuntimeError,))
    study.enqueue_trial({"x": 0.5, "n": 3})


def extend(db, study_name, n_trials):
    study = optuna.load_study(study_name=study_name, storage="sqlite:///" + db,
                              sampler=optuna.samplers.RandomSampler(seed=9))

    def objective(trial):
        x = trial.suggest_float("x", -2.0, 2.0)
        n = trial.suggest_int("n", 1, 8)
        return x * x + n

    study.optimize(objective, n_trials=n_trials)


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    if sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "extend":
        extend(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit("unknown command " + sys.argv[1])
