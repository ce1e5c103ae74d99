#!/usr/bin/python3
"""Writes scikit-learn's values for the ml tests, as JSON.

    /usr/bin/python3 tests/ml/make_ml_fixtures.py metrics OUT.json [--data-dir DIR]
    /usr/bin/python3 tests/ml/make_ml_fixtures.py kmeans OUT.json [--data-dir DIR]

Run by the tests themselves (tests/ml/sklearn_fixtures.h), which cache the
output in the build directory; nothing it writes is committed. Needs Debian's
python3-sklearn 1.2.1 (the python3 on PATH may lack it: use /usr/bin/python3).

metrics: classification, regression and clustering cases (seeded random
inputs of several sizes, ties, imbalance, k = 2..10, edge cases, and the
predictions of models fitted on real data) with the inputs and
scikit-learn's value of every metric, or the error it raises.
kmeans: scikit-learn's KMeans on real data: the best inertia of n_init runs
for several seeds, and single runs from given initial centroids (labels, inertia, n_iter).
"""
import argparse
import json
import math
import os
import sys
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn import metrics as M
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore")  # zero-division and convergence warnings


def value(f):
    """scikit-learn's result, or the error it raises."""
    try:
        v = f()
    except ValueError as e:
        return {"error": str(e)}
    if isinstance(v, np.ndarray):
        return [int(x) for x in v.ravel()]
    v = float(v)
    if not math.isfinite(v):
        return {"error": f"non-finite value {v}"}
    return v


def ints(a):
    return [int(x) for x in np.asarray(a).ravel()]


def floats(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


# ---- classification -----------------------------------------------------------------


def classification_case(name, k, y_true, y_pred, proba=None, scores=None):
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    e = {
        "accuracy": value(lambda: M.accuracy_score(y_true, y_pred)),
        "balanced_accuracy": value(lambda: M.balanced_accuracy_score(y_true, y_pred)),
        "confusion_matrix": value(lambda: M.confusion_matrix(y_true, y_pred, labels=range(k))),
    }
    for metric, f in [("precision", M.precision_score), ("recall", M.recall_score),
                      ("f1", M.f1_score)]:
        for avg in ["binary", "micro", "macro", "weighted"]:
            e[f"{metric}_{avg}"] = value(lambda: f(y_true, y_pred, average=avg))
        e[f"{metric}_binary_pos0"] = value(lambda: f(y_true, y_pred, average="binary", pos_label=0))
    case = {"name": name, "n_classes": k, "y_true": ints(y_true), "y_pred": ints(y_pred)}
    if scores is not None:
        case["scores"] = floats(scores)
        e["roc_auc"] = value(lambda: M.roc_auc_score(y_true, scores))
    if proba is not None:
        proba = np.asarray(proba, dtype=np.float64)
        case["proba"] = floats(proba)
        e["log_loss"] = value(lambda: M.log_loss(y_true, proba, labels=list(range(k))))
        if k == 2:
            e["roc_auc_proba"] = value(lambda: M.roc_auc_score(y_true, proba[:, 1]))
        else:
            for avg in ["macro", "weighted"]:
                e[f"roc_auc_ovr_{avg}"] = value(
                    lambda: M.roc_auc_score(y_true, proba, multi_class="ovr", average=avg))
    case["expected"] = e
    return case


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def random_classification(rng, n, k, accuracy=0.6, skew=1.0, ties=False):
    weights = rng.dirichlet(np.full(k, skew))
    y_true = rng.choice(k, size=n, p=weights)
    right = rng.random(n) < accuracy
    y_pred = np.where(right, y_true, rng.integers(0, k, n))
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y_true] += 1.5
    if ties:
        logits = np.round(logits)  # many equal scores across rows
    return y_true, y_pred, softmax(logits)


def classification_cases(rng, data_dir):
    cases = []
    for n in [7, 60, 500, 5000]:
        for k in [2, 3, 5, 10]:
            if k > n:
                continue
            for ties in [False, True]:
                y, p, proba = random_classification(rng, n, k, ties=ties)
                scores = None
                if k == 2:
                    scores = rng.normal(size=n) + y
                    if ties:
                        scores = np.round(scores, 1)
                cases.append(classification_case(
                    f"random n={n} k={k}{' ties' if ties else ''}", k, y, p, proba, scores))
    # Imbalanced: 1% positives, and a 3-class set with a rare class.
    y, p, proba = random_classification(rng, 4000, 2, accuracy=0.9, skew=1.0)
    y = (rng.random(4000) < 0.01).astype(int)
    scores = rng.normal(size=4000) + 2.0 * y
    cases.append(classification_case("imbalanced binary 1%", 2, y, (scores > 1.0).astype(int),
                                     softmax(np.stack([-scores, scores], 1)), scores))
    y = rng.choice(3, size=3000, p=[0.7, 0.28, 0.02])
    _, p, proba = random_classification(rng, 3000, 3)
    cases.append(classification_case("imbalanced 3 classes 2%", 3, y, p, proba))
    # A class that only y_pred holds (macro averages over it; OvR AUC fails).
    y = rng.integers(0, 3, 200)
    p = rng.integers(0, 4, 200)
    cases.append(classification_case("class 3 only predicted", 4, y, p,
                                     softmax(rng.normal(size=(200, 4)))))
    # Constant predictions: zero division for the classes never predicted.
    y = rng.integers(0, 3, 100)
    cases.append(classification_case("constant prediction", 3, y, np.zeros(100, int),
                                     softmax(rng.normal(size=(100, 3)))))
    y = rng.integers(0, 2, 50)
    cases.append(classification_case("binary, never predicts 1", 2, y, np.zeros(50, int),
                                     softmax(rng.normal(size=(50, 2))), rng.normal(size=50)))
    # Perfect predictions, one-hot probabilities (clipped by eps).
    y = rng.integers(0, 4, 40)
    cases.append(classification_case("perfect", 4, y, y, np.eye(4)[y]))
    y = np.array([0, 1, 1, 0, 1])
    cases.append(classification_case("perfect binary", 2, y, y, np.eye(2)[y],
                                     y.astype(float)))
    # y_true with one class: ROC AUC is undefined.
    y = np.ones(20, int)
    cases.append(classification_case("y_true all 1", 2, y, rng.integers(0, 2, 20),
                                     softmax(rng.normal(size=(20, 2))), rng.normal(size=20)))
    # All scores equal: AUC 0.5.
    y = rng.integers(0, 2, 30)
    cases.append(classification_case("equal scores", 2, y, y, np.full((30, 2), 0.5),
                                     np.zeros(30)))
    # Probabilities that sum to 1 within np.allclose but not exactly.
    y, p, proba = random_classification(rng, 300, 4)
    proba = proba * (1.0 + rng.uniform(-4e-6, 4e-6, size=(300, 1)))
    cases.append(classification_case("rows summing to 1 +- 4e-6", 4, y, p, proba))

    # Real data: logistic regressions, predictions on a held-out split.
    def fit(frame, target, classes, name, max_iter=2000):
        x = frame.drop(columns=[target]).to_numpy(np.float64)
        y = frame[target].map({c: i for i, c in enumerate(classes)}).to_numpy()
        xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
        scaler = StandardScaler().fit(xtr)
        model = LogisticRegression(max_iter=max_iter).fit(scaler.transform(xtr), ytr)
        xs = scaler.transform(xte)
        scores = model.decision_function(xs) if len(classes) == 2 else None
        return classification_case(name, len(classes), yte, model.predict(xs),
                                   model.predict_proba(xs), scores)

    cancer = pd.read_csv(os.path.join(data_dir, "breast_cancer_wdbc.csv"))
    cases.append(fit(cancer, "diagnosis", ["B", "M"], "breast_cancer_wdbc logistic regression"))
    wine = pd.read_csv(os.path.join(data_dir, "wine.csv"))
    cases.append(fit(wine, "cultivar", sorted(wine["cultivar"].unique()),
                     "wine logistic regression"))
    digits = pd.read_csv(os.path.join(data_dir, "digits.csv"))
    cases.append(fit(digits, "digit", sorted(digits["digit"].unique()),
                     "digits logistic regression (k=10)"))
    return cases


# ---- regression ---------------------------------------------------------------------


def regression_case(name, y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    e = {
        "mse": value(lambda: M.mean_squared_error(y_true, y_pred)),
        "rmse": value(lambda: M.mean_squared_error(y_true, y_pred, squared=False)),
        "mae": value(lambda: M.mean_absolute_error(y_true, y_pred)),
        "r2": value(lambda: M.r2_score(y_true, y_pred)),
    }
    return {"name": name, "y_true": floats(y_true), "y_pred": floats(y_pred), "expected": e}


def regression_cases(rng, data_dir):
    cases = []
    for n in [2, 10, 1000, 20000]:  # 20000: more than numpy's 8192-value blocks
        y = rng.normal(3.0, 2.0, n)
        cases.append(regression_case(f"random n={n}", y, y + rng.normal(0, 1.0, n)))
        cases.append(regression_case(f"random n={n}, worse than the mean", y,
                                     rng.normal(3.0, 2.0, n)))
    y = rng.lognormal(0, 3, 500)  # values over many magnitudes
    cases.append(regression_case("lognormal", y, y * rng.uniform(0.5, 1.5, 500)))
    y = np.full(6, 2.0)
    cases.append(regression_case("constant y_true, perfect", y, y))
    cases.append(regression_case("constant y_true", y, y + np.arange(6)))
    y = rng.normal(size=100)
    cases.append(regression_case("perfect", y, y))

    diabetes = pd.read_csv(os.path.join(data_dir, "diabetes.csv"))
    x = diabetes.drop(columns=["progression"]).to_numpy(np.float64)
    y = diabetes["progression"].to_numpy(np.float64)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.3, random_state=0)
    cases.append(regression_case("diabetes linear regression", yte,
                                 LinearRegression().fit(xtr, ytr).predict(xte)))
    housing = pd.read_csv(os.path.join(data_dir, "california_housing.csv")).dropna()
    x = housing.drop(columns=["median_house_value", "ocean_proximity"]).to_numpy(np.float64)
    y = housing["median_house_value"].to_numpy(np.float64)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.5, random_state=0)
    cases.append(regression_case("california_housing ridge", yte,
                                 Ridge(alpha=1.0).fit(xtr, ytr).predict(xte)))
    return cases


# ---- clustering ---------------------------------------------------------------------


def clustering_case(name, x, labels, labels_true=None, centroids=None):
    x = np.asarray(x, dtype=np.float64)
    labels = np.asarray(labels)
    case = {"name": name, "n_features": x.shape[1], "x": floats(x), "labels": ints(labels)}
    e = {"silhouette": value(lambda: M.silhouette_score(x, labels))}
    # The same on distances computed from differences, which are exact to
    # rounding where scikit-learn's |x|^2 - 2 x.y + |y|^2 is not.
    dist = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2))
    e["silhouette_exact_distances"] = value(
        lambda: M.silhouette_score(dist, labels, metric="precomputed"))
    _, codes = np.unique(labels, return_inverse=True)
    means = np.stack([x[codes == c].mean(axis=0) for c in range(codes.max() + 1)])
    e["inertia_means"] = float(((x - means[codes]) ** 2).sum())
    if centroids is not None:
        case["centroids"] = floats(centroids)
        e["inertia_centroids"] = float(((x - centroids[labels]) ** 2).sum())
    if labels_true is not None:
        case["labels_true"] = ints(labels_true)
        e["adjusted_rand"] = value(lambda: M.adjusted_rand_score(labels_true, labels))
    case["expected"] = e
    return case


def ari_case(name, a, b):
    return {"name": name, "labels_true": ints(a), "labels": ints(b),
            "expected": {"adjusted_rand": value(lambda: M.adjusted_rand_score(a, b))}}


def clustering_cases(rng, data_dir):
    cases = []
    for n, d, k in [(12, 2, 3), (90, 2, 2), (300, 5, 4), (1200, 13, 6)]:
        centers = rng.normal(0, 4, size=(k, d))
        truth = rng.integers(0, k, n)
        x = centers[truth] + rng.normal(size=(n, d))
        km = KMeans(k, n_init=3, random_state=0).fit(x)
        cases.append(clustering_case(f"blobs n={n} d={d} k={k}", x, km.labels_, truth,
                                     km.cluster_centers_))
    x = rng.normal(size=(50, 3))
    labels = rng.integers(0, 3, 50)
    labels[7] = 3  # a cluster of one: its silhouette is 0
    cases.append(clustering_case("random labels with a singleton", x, labels,
                                 rng.integers(0, 2, 50)))
    x = np.repeat(rng.normal(size=(5, 2)), 4, axis=0)  # duplicate points
    cases.append(clustering_case("duplicates", x, np.repeat([0, 0, 1, 1, 2], 4)))
    labels = np.array([-1, 5, 5, -1, 7, 7, 7, 5])  # arbitrary label values
    cases.append(clustering_case("labels -1, 5, 7", rng.normal(size=(8, 2)), labels,
                                 np.array([0, 1, 1, 0, 2, 2, 0, 1])))
    cases.append(clustering_case("one cluster", rng.normal(size=(10, 2)), np.zeros(10, int)))
    cases.append(clustering_case("n clusters", rng.normal(size=(5, 2)), np.arange(5)))

    # Real data: the reference labels and KMeans labels.
    for file, target, standardize in [("iris.csv", "species", False),
                                      ("seeds.csv", "variety", False),
                                      ("wine.csv", "cultivar", True)]:
        frame = pd.read_csv(os.path.join(data_dir, file))
        x = frame.drop(columns=[target]).to_numpy(np.float64)
        if standardize:
            x = StandardScaler().fit_transform(x)
        _, truth = np.unique(frame[target], return_inverse=True)
        km = KMeans(3, n_init=10, random_state=0).fit(x)
        cases.append(clustering_case(f"{file} KMeans", x, km.labels_, truth,
                                     km.cluster_centers_))
        cases.append(clustering_case(f"{file} true classes", x, truth))

    # Adjusted Rand index alone, on larger labellings.
    a = rng.integers(0, 50, 30000)
    cases.append(ari_case("independent, n=30000, 50 clusters", a, rng.integers(0, 40, 30000)))
    b = a.copy()
    flip = rng.random(30000) < 0.3
    b[flip] = rng.integers(0, 50, flip.sum())
    cases.append(ari_case("30% relabelled, n=30000", a, b))
    perm = rng.permutation(50)
    cases.append(ari_case("same partition, other names", a, perm[a] + 1000))
    cases.append(ari_case("all in one vs singletons", np.zeros(30, int), np.arange(30)))
    cases.append(ari_case("both one cluster", np.zeros(30, int), np.full(30, 4)))
    cases.append(ari_case("two samples", [0, 1], [0, 0]))
    return cases


# ---- k-means --------------------------------------------------------------------------


def kmeans_fixtures(data_dir):
    datasets = {
        "iris": ("iris.csv", 4),
        "seeds": ("seeds.csv", 7),
        "skin_segmentation": ("skin_segmentation.csv", 3),
    }
    runs = []
    for name, k, n_init, n_seeds in [("iris", 3, 10, 10), ("iris", 5, 10, 10),
                                     ("seeds", 3, 10, 10), ("seeds", 6, 10, 10),
                                     ("skin_segmentation", 3, 10, 5),
                                     ("skin_segmentation", 8, 10, 5)]:
        file, d = datasets[name]
        x = pd.read_csv(os.path.join(data_dir, file)).iloc[:, :d].to_numpy(np.float64)
        # Which local optimum the best of n_init runs reaches depends on the
        # seed; the mean over seeds is a stable reference.
        inertias = [float(KMeans(k, n_init=n_init, random_state=seed).fit(x).inertia_)
                    for seed in range(n_seeds)]
        runs.append({"dataset": name, "file": file, "n_features": d, "k": k,
                     "n_init": n_init, "inertia_by_seed": inertias,
                     "mean_inertia": float(np.mean(inertias))})
    from_init = []
    for name, k in [("iris", 3), ("iris", 7), ("seeds", 4), ("skin_segmentation", 8)]:
        file, d = datasets[name]
        x = pd.read_csv(os.path.join(data_dir, file)).iloc[:, :d].to_numpy(np.float64)
        init, _ = kmeans_plusplus(x, k, random_state=0)
        km = KMeans(k, init=init, n_init=1, algorithm="lloyd").fit(x)
        from_init.append({"dataset": name, "file": file, "n_features": d, "k": k,
                          "init": floats(init), "labels": ints(km.labels_),
                          "centroids": floats(km.cluster_centers_),
                          "inertia": float(km.inertia_), "n_iter": int(km.n_iter_)})
    return {"best_of_n_init": runs, "from_init": from_init}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["metrics", "kmeans"])
    parser.add_argument("out")
    parser.add_argument("--data-dir", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data"))
    args = parser.parse_args()
    rng = np.random.default_rng(20240601)
    out = {"sklearn_version": sklearn.__version__}
    if args.what == "metrics":
        out["classification"] = classification_cases(rng, args.data_dir)
        out["regression"] = regression_cases(rng, args.data_dir)
        out["clustering"] = clustering_cases(rng, args.data_dir)
    else:
        out.update(kmeans_fixtures(args.data_dir))
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(out, f)
    os.replace(tmp, args.out)


if __name__ == "__main__":
    sys.exit(main())
