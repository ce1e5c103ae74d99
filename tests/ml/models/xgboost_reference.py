"""python-xgboost's predictions for the XGBoost adapter's tests.

Usage: /usr/bin/python3 xgboost_reference.py SPEC.json

SPEC: {"csv", "target", "task" ("classification" | "regression"), "train",
"valid" (or null), "test" (row numbers of the CSV), "params" (hypertune's
hyperparameter names and values), "metric" (XGBoost eval_metric), "seed"}.

The features are built as the adapter's preprocessing builds them, written
out independently here: numeric columns as they are (missing = NaN), text
columns as ordinal codes of the categories sorted, fitted on the training
rows (missing or unseen = NaN); classes are sorted (LabelEncoder). The
hyperparameters are passed under scikit-learn's names (XGBoost's aliases),
so that a name the adapter maps wrongly shows as a different model.

Prints JSON: {"predictions": rows x k (k = 1 for binary and regression),
"best_iteration", "history": the validation metric of each round}.
"""
import json
import sys

import numpy as np
import pandas as pd
import xgboost as xgb


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    df = pd.read_csv(spec["csv"], float_precision="round_trip")
    target = df[spec["target"]]
    features = df.drop(columns=[spec["target"]])
    train = np.array(spec["train"], dtype=np.int64)
    columns = []
    for name in features.columns:
        col = features[name]
        if col.dtype == object:
            categories = sorted(col.iloc[train].dropna().unique())
            code = {c: float(i) for i, c in enumerate(categories)}
            columns.append(col.map(code).astype(np.float64).to_numpy())
        else:
            columns.append(col.to_numpy(dtype=np.float64))
    x = np.column_stack(columns).astype(np.float32)

    p = spec["params"]
    params = {
        "learning_rate": p["learning_rate"],
        "max_depth": p["max_depth"],
        "min_child_weight": p["min_child_weight"],
        "subsample": p["subsample"],
        "colsample_bytree": p["colsample_bytree"],
        "gamma": p["gamma"],
        "reg_lambda": p["reg_lambda"],
        "reg_alpha": p["reg_alpha"],
        "tree_method": p["tree_method"],
        "nthread": 1,
        "seed": spec["seed"],
        "eval_metric": spec["metric"],
    }
    if spec["task"] == "classification":
        classes = np.unique(target.to_numpy())
        y = np.searchsorted(classes, target.to_numpy()).astype(np.float32)
        if len(classes) == 2:
            params["objective"] = "binary:logistic"
        else:
            params["objective"] = "multi:softprob"
            params["num_class"] = len(classes)
    else:
        y = target.to_numpy(dtype=np.float64).astype(np.float32)
        params["objective"] = "reg:squarederror"

    def dmatrix(rows):
        rows = np.array(rows, dtype=np.int64)
        return xgb.DMatrix(x[rows], label=y[rows], missing=np.nan, nthread=1)

    dtrain = dmatrix(spec["train"])
    evals = []
    if spec.get("valid") is not None:
        evals = [(dmatrix(spec["valid"]), "valid")]
    history = {}
    early = p["early_stopping_rounds"] if evals and p["early_stopping_rounds"] > 0 else None
    booster = xgb.train(params, dtrain, num_boost_round=p["n_estimators"], evals=evals,
                        early_stopping_rounds=early, evals_result=history, verbose_eval=False)
    dtest = dmatrix(spec["test"])
    best = None
    if early is not None:
        best = booster.best_iteration
        pred = booster.predict(dtest, iteration_range=(0, best + 1))
    else:
        pred = booster.predict(dtest)
    pred = np.asarray(pred, dtype=np.float64).reshape(len(spec["test"]), -1)
    out = {
        "predictions": pred.tolist(),
        "best_iteration": best,
        "history": [float(v) for v in history.get("valid", {}).get(spec["metric"], [])],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
