"""Times python3-xgboost training on the same data and parameters as MlBench (training only, data loading excluded).

Usage: /usr/bin/python3 train_reference.py DATA.bin ROWS COLS ROUNDS  (DATA.bin: float32 features row-major, then float32 labels)
Prints the training seconds.
"""
import sys
import time

import numpy as np
import xgboost as xgb

path, rows, cols, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
raw = np.fromfile(path, dtype=np.float32)
X = raw[: rows * cols].reshape(rows, cols)
y = raw[rows * cols:]
params = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": 6, "eta": 0.1, "seed": 0, "nthread": 1}
start = time.perf_counter()
dtrain = xgb.DMatrix(X, label=y, missing=np.nan)
xgb.train(params, dtrain, rounds)
print(time.perf_counter() - start)
