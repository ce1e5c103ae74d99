"""scikit-learn 1.2's fits of the matrices hypertune's svm, logistic,
linear_svc and linear models were given, for the tests.

usage: sklearn_svm_linear.py SPEC_JSON

SPEC_JSON: {"x_train": FILE, "y_train": FILE, "x_test": FILE, "cols": N,
            "jobs": [{"estimator": "SVC", "params": {...}}, ...]}
FILEs hold little-endian float64 values, row-major (the test writes the
exact doubles its model read). Prints one JSON object per job, in a list:
what the estimator learned (raw libsvm arrays for SVC/SVR: support_,
_n_support, _dual_coef_, _intercept_) and its predictions on x_test.
"""
import json
import sys

import numpy as np
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.svm import SVC, SVR, LinearSVC

ESTIMATORS = {
    "SVC": SVC, "SVR": SVR, "LogisticRegression": LogisticRegression, "LinearSVC": LinearSVC,
    "LinearRegression": LinearRegression, "Ridge": Ridge, "Lasso": Lasso,
    "ElasticNet": ElasticNet,
}


def load(path, cols):
    return np.fromfile(path, dtype="<f8").reshape(-1, cols) if cols else np.fromfile(path, dtype="<f8")


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    cols = spec["cols"]
    x, y, x_test = load(spec["x_train"], cols), load(spec["y_train"], 0), load(spec["x_test"], cols)
    out = []
    for job in spec["jobs"]:
        name = job["estimator"]
        est = ESTIMATORS[name](**job["params"])
        classifier = name in ("SVC", "LogisticRegression", "LinearSVC")
        est.fit(x, y.astype(np.int64) if classifier else y)
        r = {"predict": est.predict(x_test).tolist()}
        if name in ("SVC", "SVR"):
            r.update(support=est.support_.tolist(), dual_coef=est._dual_coef_.tolist(),
                     intercept=est._intercept_.tolist(), gamma=float(est._gamma))
            if name == "SVC":
                r["n_support"] = est._n_support.tolist()
                r["classes"] = est.classes_.tolist()
        else:
            r.update(coef=np.atleast_2d(est.coef_).tolist(),
                     intercept=np.atleast_1d(est.intercept_).tolist())
        if name == "LogisticRegression":
            r["predict_proba"] = est.predict_proba(x_test).tolist()
        if hasattr(est, "n_iter_"):
            r["n_iter"] = np.atleast_1d(est.n_iter_).tolist()
        out.append(r)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
