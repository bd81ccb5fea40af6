"""scikit-learn's side of bench/ml_train_vs_sklearn.sh: HistGradientBoostingClassifier fit and
scored on the same train/test CSV files cairn uses, on one thread (the script sets
OMP_NUM_THREADS=1).

  /usr/bin/python3 bench/ml_train_vs_sklearn.py TRAIN.csv TEST.csv RUNS N_ESTIMATORS LR DEPTH
  /usr/bin/python3 bench/ml_train_vs_sklearn.py --leaves MODEL.json

Prints one line per run: "<seconds of fit + predict> <test accuracy> <leaves per tree>". The
CSV files are read once, before the clock starts (numpy.loadtxt; the last column is the label).
With --leaves, prints the mean leaves per tree of an XGBoost JSON model (cairn's model.json).

Settings against XGBoost's (cairn ml train): max_iter = n_estimators, the same learning rate,
max_depth = max_depth, l2_regularization = 1.0 (XGBoost's lambda: the same L2 term on leaf
values), no early stopping, random_state = 42; the rest scikit-learn's defaults: max_bins 255
(XGBoost's max_bin 256), max_leaf_nodes 31 and min_samples_leaf 20 (XGBoost bounds leaves by
depth and min_child_weight = 1, a hessian sum). On Spambase these give trees of about 18
leaves against XGBoost's 15 to 16, the closest in size of the settings tried (max_leaf_nodes
None with min_samples_leaf 1 gives 29 and takes twice as long).
"""
import json
import sys
import time

import numpy as np


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1].astype(int)


def xgboost_leaves(path):
    with open(path) as f:
        trees = json.load(f)["learner"]["gradient_booster"]["model"]["trees"]
    return np.mean([sum(1 for c in t["left_children"] if c == -1) for t in trees])


def main():
    if sys.argv[1] == "--leaves":
        print(f"{xgboost_leaves(sys.argv[2]):.1f}")
        return
    from sklearn.ensemble import HistGradientBoostingClassifier

    train_path, test_path, runs, n_estimators, lr, depth = sys.argv[1:7]
    x_train, y_train = load(train_path)
    x_test, y_test = load(test_path)
    for _ in range(int(runs)):
        t0 = time.perf_counter()
        model = HistGradientBoostingClassifier(
            max_iter=int(n_estimators), learning_rate=float(lr), max_depth=int(depth),
            l2_regularization=1.0, early_stopping=False, random_state=42)
        model.fit(x_train, y_train)
        accuracy = float((model.predict(x_test) == y_test).mean())
        seconds = time.perf_counter() - t0
        leaves = np.mean([p[0].get_n_leaf_nodes() for p in model._predictors])
        print(f"{seconds:.4f} {accuracy!r} {leaves:.1f}", flush=True)


if __name__ == "__main__":
    main()
