"""Models trained outside Cascade, for ModelImportTests: run with Debian's python (/usr/bin/python3).

Writes into the directory given as the only argument:
  sample.csv                     labelled rows (the holdout the promotion gate compares on)
  probe.csv                      rows to send to the served models (one has missing values)
  model.json, model.ubj          a weak XGBoost binary:logistic model, saved both ways by Booster.save_model
  model_better.ubj               a stronger one, trained on the same data
  model_gblinear.json            a gblinear model, model_dart.ubj a dart one (Cascade refuses both)
  model.onnx                     Sigmoid(MatMul(X, W) + b), built with python3-onnx
  expected_*.txt                 python3-xgboost's and numpy's outputs for probe.csv, one per line
The data set is generated here with a fixed seed, so no other test shares it.
"""
import os
import sys

import numpy as np
import xgboost as xgb

try:
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError:
    sys.exit("python3-onnx is missing: install it with `apt-get install -y python3-onnx` (test.sh installs it)")

out = sys.argv[1]
names = ["tenure", "spend", "visits", "support_calls", "discount", "region_score"]
rng = np.random.default_rng(20261206)
true_w = np.array([1.2, -0.8, 0.5, 0.0, 0.9, -1.5])


def draw(rows):
    x = rng.normal(size=(rows, len(names))).astype(np.float32)
    margin = x.astype(np.float64) @ true_w + 0.3 * np.sin(3 * x[:, 3]) + rng.normal(scale=0.7, size=rows)
    return x, (margin > 0).astype(np.float32)


train_x, train_y = draw(3000)
sample_x, sample_y = draw(500)
probe_x, _ = draw(12)
probe_x[3, 1] = np.nan
probe_x[7, [0, 4]] = np.nan


def write_csv(path, x, y=None):
    with open(path, "w") as f:
        f.write(",".join(names + (["label"] if y is not None else [])) + "\n")
        for r in range(x.shape[0]):
            cells = ["" if np.isnan(v) else repr(float(v)) for v in x[r]]
            if y is not None:
                cells.append(str(int(y[r])))
            f.write(",".join(cells) + "\n")


def write_expected(path, values):
    with open(path, "w") as f:
        for v in np.asarray(values).reshape(-1):
            f.write(repr(float(v)) + "\n")


write_csv(os.path.join(out, "sample.csv"), sample_x, sample_y)
write_csv(os.path.join(out, "probe.csv"), probe_x)

dtrain = xgb.DMatrix(train_x, label=train_y, feature_names=names, missing=np.nan)
dprobe = xgb.DMatrix(probe_x, feature_names=names, missing=np.nan)
dsample = xgb.DMatrix(sample_x, feature_names=names)
base = {"objective": "binary:logistic", "nthread": 1, "seed": 0}

weak = xgb.train({**base, "max_depth": 2, "eta": 0.3}, dtrain, num_boost_round=3)
weak.save_model(os.path.join(out, "model.json"))
weak.save_model(os.path.join(out, "model.ubj"))
write_expected(os.path.join(out, "expected_xgb.txt"), weak.predict(dprobe))

better = xgb.train({**base, "max_depth": 4, "eta": 0.1}, dtrain, num_boost_round=120)
better.save_model(os.path.join(out, "model_better.ubj"))
write_expected(os.path.join(out, "expected_xgb_better.txt"), better.predict(dprobe))

linear = xgb.train({**base, "booster": "gblinear"}, dtrain, num_boost_round=2)
linear.save_model(os.path.join(out, "model_gblinear.json"))
dart = xgb.train({**base, "booster": "dart", "max_depth": 2}, dtrain, num_boost_round=2)
dart.save_model(os.path.join(out, "model_dart.ubj"))

# Sigmoid(MatMul(X, W) + b): a logistic regression as an ONNX graph.
w = (true_w * 0.9).astype(np.float32).reshape(len(names), 1)
b = np.array([0.1], dtype=np.float32)
graph = helper.make_graph(
    [
        helper.make_node("MatMul", ["X", "W"], ["XW"]),
        helper.make_node("Add", ["XW", "B"], ["Z"]),
        helper.make_node("Sigmoid", ["Z"], ["Y"]),
    ],
    "logistic",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", len(names)])],
    [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 1])],
    [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B")],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="cascade-tests")
model.ir_version = 7
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "model.onnx"))
finite_probe = np.nan_to_num(probe_x, nan=0.0)
write_csv(os.path.join(out, "probe_onnx.csv"), finite_probe)
write_expected(os.path.join(out, "expected_onnx.txt"), 1.0 / (1.0 + np.exp(-(finite_probe.astype(np.float64) @ w.astype(np.float64) + float(b[0])))))


def auc(y, p):
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p))
    ranks[order] = np.arange(1, len(p) + 1)
    pos = y > 0.5
    return (ranks[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * (~pos).sum())


print("weak auc", auc(sample_y, weak.predict(dsample)))
print("better auc", auc(sample_y, better.predict(dsample)))
