"""An Optuna 3.1 worker for the fault-tolerance tests (fault_tolerance_slow_test.cc,
run with /usr/bin/python3): heartbeats and retried trials shared with hypertune
workers on one SQLite file.

  optuna_worker.py run DB STUDY N [options]   # Optuna runs N trials
      --heartbeat S    RDBStorage(heartbeat_interval=S) with
      --max-retry R    failed_trial_callback=RetryFailedTrialCallback(max_retry=R)
                       (R < 0: None, unlimited)
      --block-after M  the (M+1)-th trial this worker runs writes --marker and
                       then sleeps until the process is killed
      --marker FILE
      --sleep S        each objective call sleeps S seconds
      --log FILE       one JSON line per objective call: number, x, n
      --seed S         RandomSampler seed
  optuna_worker.py dump DB STUDY OUT.json    # what optuna.load_study sees

The objective is the one the C++ side uses: x = suggest_float("x", -1, 1),
n = suggest_int("n", 0, 9), value x * x + n.
"""
import argparse
import json
import os
import sqlite3
import time
import warnings

import optuna
from optuna.storages import RetryFailedTrialCallback


def run(args):
    storage_kwargs = {}
    if args.heartbeat is not None:
        storage_kwargs["heartbeat_interval"] = args.heartbeat
        storage_kwargs["failed_trial_callback"] = RetryFailedTrialCallback(
            max_retry=None if args.max_retry < 0 else args.max_retry)
    storage = optuna.storages.RDBStorage("sqlite:///" + args.db, **storage_kwargs)
    study = optuna.load_study(study_name=args.study, storage=storage,
                              sampler=optuna.samplers.RandomSampler(seed=args.seed))
    calls = [0]

    def objective(trial):
        x = trial.suggest_float("x", -1.0, 1.0)
        n = trial.suggest_int("n", 0, 9)
        if args.log:
            with open(args.log, "a") as f:
                f.write(json.dumps({"number": trial.number, "x": x, "n": n}) + "\n")
        trial.set_user_attr("worker", "optuna")
        if args.block_after is not None and calls[0] == args.block_after:
            if args.heartbeat is not None:
                # Optuna records a trial's first heartbeat from a thread that
                # may not have run yet: a worker killed before it leaves a
                # trial that no one can tell from a living one. Be killed
                # after it.
                db = sqlite3.connect(args.db, timeout=30)
                while db.execute("SELECT 1 FROM trial_heartbeats WHERE trial_id = ?",
                                 (trial._trial_id,)).fetchone() is None:
                    time.sleep(0.05)
                db.close()
            tmp = args.marker + ".tmp"
            with open(tmp, "w") as f:
                json.dump({"number": trial.number, "x": x, "n": n}, f)
            os.rename(tmp, args.marker)
            while True:
                time.sleep(1)
        calls[0] += 1
        if args.sleep:
            time.sleep(args.sleep)
        return x * x + n

    study.optimize(objective, n_trials=args.n)


def dump(args):
    study = optuna.load_study(study_name=args.study, storage="sqlite:///" + args.db)
    trials = []
    for t in study.get_trials(deepcopy=False):
        trials.append({
            "number": t.number,
            "state": t.state.name,
            "values": list(t.values or []),
            "params": t.params,
            "user_attrs": t.user_attrs,
            "system_attrs": t.system_attrs,
            "retried_trial_number": RetryFailedTrialCallback.retried_trial_number(t),
            "retry_history": RetryFailedTrialCallback.retry_history(t),
        })
    with open(args.out, "w") as f:
        json.dump({"trials": trials}, f)


if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")  # experimental-feature and heartbeat warnings
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("db")
    r.add_argument("study")
    r.add_argument("n", type=int)
    r.add_argument("--heartbeat", type=int)
    r.add_argument("--max-retry", type=int, default=-1)
    r.add_argument("--block-after", type=int)
    r.add_argument("--marker")
    r.add_argument("--sleep", type=float, default=0.0)
    r.add_argument("--log")
    r.add_argument("--seed", type=int, default=1)
    d = sub.add_parser("dump")
    d.add_argument("db")
    d.add_argument("study")
    d.add_argument("out")
    args = parser.parse_args()
    run(args) if args.command == "run" else dump(args)
