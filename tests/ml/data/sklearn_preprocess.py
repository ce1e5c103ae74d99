"""scikit-learn 1.2's version of a hypertune Preprocessor, for the tests.

usage: sklearn_preprocess.py FIT_CSV TARGET OPTIONS_JSON [--rows ROWS_FILE]
                             [--transform CSV] [--every N]

Reads FIT_CSV as hypertune does (same missing-value tokens), drops TARGET,
fits on the rows listed in ROWS_FILE (one index per line; default all), and
transforms the rows of --transform (default FIT_CSV), keeping every N-th row
(default 1). Per column, in file order: numeric -> SimpleImputer + scaler,
categorical -> SimpleImputer + OneHotEncoder(handle_unknown="ignore") or
OrdinalEncoder(unknown_value=-1). Prints {"names": [...], "rows": [...],
"matrix": [[...]], "column_sums": [...]}; NaN as null.
"""
import json
import math
import sys

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler

NA = ["", "NA", "N/A", "?", "NaN", "nan", "null"]


def read(path):
    return pd.read_csv(path, keep_default_na=False, na_values=NA, float_precision="round_trip")


def main():
    fit_path, target, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    args = sys.argv[4:]
    opt = lambda name, default: args[args.index(name) + 1] if name in args else default
    df = read(fit_path).drop(columns=[target])
    rows_file = opt("--rows", None)
    train = df
    if rows_file:
        with open(rows_file) as f:
            train = df.iloc[[int(line) for line in f if line.strip()]]
    transform_path = opt("--transform", None)
    test = read(transform_path).drop(columns=[target]) if transform_path else df
    every = int(opt("--every", "1"))

    steps = []
    for name in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[name])
        if numeric:
            imp = options["numeric_imputation"]
            parts = []
            if imp != "none":
                parts.append(SimpleImputer(strategy=imp, fill_value=options.get("numeric_fill_value", 0)))
            scaling = options["scaling"]
            if scaling == "standardize":
                parts.append(StandardScaler())
            elif scaling == "min_max":
                parts.append(MinMaxScaler())
            if not parts:
                parts.append("passthrough")
        else:
            imp = options["categorical_imputation"]
            parts = []
            if imp != "none":
                parts.append(SimpleImputer(strategy=imp, missing_values=np.nan,
                                           fill_value=options.get("categorical_fill_value", "missing")))
            if options["encoding"] == "one_hot":
                parts.append(OneHotEncoder(handle_unknown="ignore", sparse_output=False))
            else:
                parts.append(OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1))
        steps.append((name, parts[0] if parts == ["passthrough"] else make_pipeline(*parts), [name]))
    ct = ColumnTransformer(steps, verbose_feature_names_out=False)
    # Categorical columns as object arrays with NaN for missing.
    ct.fit(train)
    out = ct.transform(test)
    keep = list(range(0, out.shape[0], every))
    clean = lambda x: None if math.isnan(x) else float(x)
    print(json.dumps({
        "names": [str(n) for n in ct.get_feature_names_out()],
        "rows": keep,
        "matrix": [[clean(x) for x in out[i]] for i in keep],
        "column_sums": [clean(x) for x in np.nansum(out, axis=0)],
    }))


if __name__ == "__main__":
    main()
