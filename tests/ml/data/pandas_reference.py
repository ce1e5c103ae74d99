"""Reference values for the ml data tests, computed by pandas 1.5.

usage: pandas_reference.py csv PATH [--full]
  One JSON object: rows, and per column its name, kind ("numeric" when pandas
  gives a numeric dtype, else "categorical"), the count of missing values,
  and either every value (--full; null for missing) or a summary: sum, min,
  max for numeric columns, the count of each value for categorical ones.
  Missing values are the tokens hypertune's CSV reader uses by default, so
  both sides agree on what is missing.
"""
import json
import math
import sys

import pandas as pd

NA = ["", "NA", "N/A", "?", "NaN", "nan", "null"]


def clean(x):
    if isinstance(x, float) and math.isnan(x):
        return None
    if hasattr(x, "item"):
        return x.item()
    return x


def csv_reference(path, full):
    df = pd.read_csv(path, keep_default_na=False, na_values=NA, float_precision="round_trip")
    out = {"rows": int(df.shape[0]), "columns": []}
    for name in df.columns:
        s = df[name]
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        col = {"name": name, "kind": "numeric" if numeric else "categorical",
               "missing": int(s.isna().sum())}
        if full:
            col["values"] = [clean(v) for v in (s.astype(float) if numeric else s).tolist()]
        elif numeric:
            v = s.astype(float)
            col.update(sum=float(v.sum()), min=clean(float(v.min())), max=clean(float(v.max())))
        else:
            col["counts"] = {str(k): int(c) for k, c in s.value_counts(dropna=True).items()}
        out["columns"].append(col)
    return out


if __name__ == "__main__":
    if sys.argv[1] == "csv":
        print(json.dumps(csv_reference(sys.argv[2], "--full" in sys.argv[3:])))
    else:
        sys.exit("unknown command " + sys.argv[1])
