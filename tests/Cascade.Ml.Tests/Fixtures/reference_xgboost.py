"""Reference results from Debian's python3-xgboost and scikit-learn, for Cascade's parity tests.

Usage: /usr/bin/python3 reference_xgboost.py OUT_DIR
For each data set writes OUT_DIR/<name>/{train.csv,test.csv,params.txt,expected.txt,metrics.txt}:
  expected.txt  - python-xgboost's predictions on test.csv as float32 bit patterns (hex), one row per line
  metrics.txt   - scikit-learn's metrics of those predictions on test.csv's labels, name=value
"""
import os
import sys

import numpy as np
import xgboost as xgb
from sklearn import datasets, metrics

out = sys.argv[1]
rng = np.random.default_rng(11)


def synthetic():
    # Never seen by any other test: random features with 8% missing and an interaction in the label.
    n = 4000
    X = rng.normal(size=(n, 7)).astype(np.float32)
    X[rng.random(X.shape) < 0.08] = np.nan
    z = np.nan_to_num(X)
    y = ((z[:, 0] + 0.7 * z[:, 1] * z[:, 2] - 0.4 * z[:, 3] + rng.normal(scale=0.6, size=n)) > 0).astype(np.float32)
    return X, y


SETS = {
    "synthetic": (synthetic, {"objective": "binary:logistic", "max_depth": 5, "eta": 0.2}, 50),
    "breast_cancer": (lambda: datasets.load_breast_cancer(return_X_y=True), {"objective": "binary:logistic", "max_depth": 4, "eta": 0.3, "base_score": 0.3}, 40),
    "diabetes": (lambda: datasets.load_diabetes(return_X_y=True), {"objective": "reg:squarederror", "max_depth": 3, "eta": 0.1, "subsample": 0.8}, 60),
    "digits": (lambda: datasets.load_digits(return_X_y=True), {"objective": "multi:softprob", "num_class": 10, "max_depth": 4, "eta": 0.3}, 20),
}


def write_csv(path, X, y):
    with open(path, "w") as f:
        f.write(",".join(f"f{i}" for i in range(X.shape[1])) + ",label\n")
        for row, label in zip(X, y):
            f.write(",".join("" if np.isnan(v) else repr(float(v)) for v in row) + f",{repr(float(label))}\n")


for name, (load, params, rounds) in SETS.items():
    X, y = load()
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    order = rng.permutation(len(y))
    cut = int(len(y) * 0.75)
    train, test = order[:cut], order[cut:]
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    write_csv(os.path.join(folder, "train.csv"), X[train], y[train])
    write_csv(os.path.join(folder, "test.csv"), X[test], y[test])
    full = dict(params, tree_method="hist", seed=0, nthread=1)
    booster = xgb.train(full, xgb.DMatrix(X[train], label=y[train], missing=np.nan), rounds)
    predictions = booster.predict(xgb.DMatrix(X[test], missing=np.nan)).astype(np.float32)
    with open(os.path.join(folder, "params.txt"), "w") as f:
        f.write(f"rounds={rounds}\n")
        for key, value in params.items():
            f.write(f"{key}={value}\n")
    with open(os.path.join(folder, "expected.txt"), "w") as f:
        for row in predictions.reshape(len(test), -1):
            f.write(" ".join(f"{v:08x}" for v in row.view(np.uint32)) + "\n")
    yt = y[test]
    with open(os.path.join(folder, "metrics.txt"), "w") as f:
        objective = params["objective"]
        if objective == "binary:logistic":
            f.write(f"auc={metrics.roc_auc_score(yt, predictions)!r}\n")
            f.write(f"logloss={metrics.log_loss(yt, predictions.astype(np.float64), eps=1e-15)!r}\n")
            f.write(f"accuracy={metrics.accuracy_score(yt, predictions > 0.5)!r}\n")
        elif objective == "multi:softprob":
            p = predictions.reshape(len(test), -1).astype(np.float64)
            f.write(f"mlogloss={metrics.log_loss(yt, p, eps=1e-15, labels=list(range(p.shape[1])))!r}\n")
            f.write(f"accuracy={metrics.accuracy_score(yt, p.argmax(axis=1))!r}\n")
        else:
            f.write(f"rmse={np.sqrt(metrics.mean_squared_error(yt, predictions.astype(np.float64)))!r}\n")
            f.write(f"mae={metrics.mean_absolute_error(yt, predictions.astype(np.float64))!r}\n")
print("ok")
