"""Optuna's side of the storage interoperability tests (run by
sqlite_optuna_interop_test.cc and postgres_optuna_interop_test.cc with
/usr/bin/python3). DB is a SQLite file path or a storage URL
(postgresql://...).

  optuna_interop.py dump  DB STUDY OUT.json  # what optuna.load_study sees
  optuna_interop.py write DB STUDY           # a study written by Optuna
  optuna_interop.py extend DB STUDY N        # Optuna runs N more trials
  optuna_interop.py load  DB STUDY OUT.json  # {"ok": ..., "error": ...} of load_study
  optuna_interop.py beat  DB TRIAL_ID        # RDBStorage.record_heartbeat
  optuna_interop.py stale DB STUDY GRACE OUT.json  # RDBStorage's stale trial ids
  optuna_interop.py ages  DB OUT.json        # heartbeat ages, as RDBStorage computes them

Non-finite floats are written as the strings "inf", "-inf", "nan" so that any
JSON parser reads the output.
"""
import json
import math
import sys

import optuna


def storage_url(db):
    return db if "://" in db else "sqlite:///" + db


def num(v):
    if v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    return v


def dump(db, study_name, out):
    study = optuna.load_study(study_name=study_name, storage=storage_url(db))
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
    study = optuna.create_study(study_name=study_name, storage=storage_url(db),
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
    study = optuna.load_study(study_name=study_name, storage=storage_url(db),
                              sampler=optuna.samplers.RandomSampler(seed=9))

    def objective(trial):
        x = trial.suggest_float("x", -2.0, 2.0)
        n = trial.suggest_int("n", 1, 8)
        return x * x + n

    study.optimize(objective, n_trials=n_trials)


def load(db, study_name, out):
    try:
        study = optuna.load_study(study_name=study_name, storage=storage_url(db))
        result = {"ok": True, "error": "", "n_trials": len(study.trials)}
    except Exception as e:  # what Optuna says is what the test checks
        result = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
    with open(out, "w") as f:
        json.dump(result, f)


def beat(db, trial_id):
    storage = optuna.storages.RDBStorage(storage_url(db), heartbeat_interval=1)
    storage.record_heartbeat(trial_id)


def stale(db, study_name, grace, out):
    storage = optuna.storages.RDBStorage(storage_url(db), heartbeat_interval=1,
                                         grace_period=grace)
    study_id = storage.get_study_id_from_name(study_name)
    with open(out, "w") as f:
        json.dump(sorted(storage._get_stale_trial_ids(study_id)), f)


def ages(db, out):
    # As RDBStorage._get_stale_trial_ids: the server's now() against the
    # stored heartbeats.
    import sqlalchemy
    from optuna.storages._rdb import models
    from optuna.storages._rdb.storage import _create_scoped_session

    storage = optuna.storages.RDBStorage(storage_url(db), heartbeat_interval=1)
    with _create_scoped_session(storage.scoped_session) as session:
        now = session.execute(sqlalchemy.func.now()).scalar().replace(tzinfo=None)
        result = {str(h.trial_id): (now - h.heartbeat).total_seconds()
                  for h in session.query(models.TrialHeartbeatModel).all()}
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    if sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "extend":
        extend(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "load":
        load(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "beat":
        beat(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "ages":
        ages(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "stale":
        stale(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit("unknown command " + sys.argv[1])
