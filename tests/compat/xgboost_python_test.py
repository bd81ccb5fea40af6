#!/usr/bin/python3
"""cairn's model files read by code nobody here wrote: Debian's python3-xgboost.

`cairn ml train` logs an MLflow model directory. mlflow.xgboost.load_model reads its MLmodel
file, takes the xgboost flavor's `data` file and, for model_class xgboost.core.Booster, does
`xgb.Booster(); booster.load_model(path)`. MLflow itself is not installable here (no PyPI),
so this test does those steps with PyYAML and the real XGBoost Python package, then checks
that XGBoost's predictions equal `cairn ml predict`'s, row by row, for the logged model
directory and for the model file `--model-output` wrote (XGBoost's binary format).

Run by ctest (tests/CMakeLists.txt) with CAIRN_BIN set; exits 77 (skipped) when
python3-xgboost or python3-yaml is missing.
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import unittest

try:
    import numpy as np
    import xgboost as xgb
    import yaml
except ImportError as e:  # pragma: no cover - a machine without the test packages
    print(f"skipping: {e} (scripts/deps.sh test installs python3-xgboost, python3-yaml)")
    sys.exit(77)

CAIRN = os.environ.get("CAIRN_BIN", "cairn")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "examples", "spam-filter", "data", "spambase.csv")


def cairn(*args, cwd, env=None):
    run = subprocess.run([CAIRN, *args], cwd=cwd, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise AssertionError(f"cairn {' '.join(args)} failed:\n{run.stdout}{run.stderr}")
    return run.stdout


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    label = header.index("label")
    names = [h for i, h in enumerate(header) if i != label]
    x = np.array([[float(v) for i, v in enumerate(r) if i != label] for r in body], dtype=np.float32)
    return names, x


class XgboostReadsCairnModels(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="cairn-xgb-py-")
        d = cls.dir = cls.tmp.name
        env = dict(os.environ, MLFLOW_TRACKING_URI=f"sqlite:///{d}/mlflow.db", CI="true",
                   GITHUB_ENV=os.path.join(d, "github_env"))
        for var in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "GITHUB_OUTPUT"):
            env.pop(var, None)
        cls.env = env
        with open(os.path.join(d, "params.yaml"), "w") as f:
            f.write("train:\n  n_estimators: 30\n  max_depth: 4\n  learning_rate: 0.3\n")
        cairn("ml", "split", "--input", DATA, "--train", "train.csv", "--test", "test.csv", cwd=d)
        cairn("ml", "train", "--data-path", "train.csv", "--model-output", "models/model.xgb",
              "--experiment-name", "compat", cwd=d, env=env)
        with open(env["GITHUB_ENV"]) as f:
            cls.run_id = f.read().strip().removeprefix("RUN_ID=")
        run = json.loads(cairn("track", "runs", "get", cls.run_id, "--json", cwd=d, env=env))
        cls.model_dir = os.path.join(run["run"]["info"]["artifact_uri"], "model")
        cairn("ml", "predict", "--model-uri", f"runs:/{cls.run_id}/model", "--data", "test.csv",
              "--output", "preds.csv", cwd=d, env=env)
        with open(os.path.join(d, "preds.csv"), newline="") as f:
            cls.cairn_p = np.array([float(r["probability"]) for r in csv.DictReader(f)])
        cls.names, cls.x = read_csv(os.path.join(d, "test.csv"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def mlmodel(self):
        with open(os.path.join(self.model_dir, "MLmodel")) as f:
            return yaml.safe_load(f)

    def test_mlmodel_has_the_flavors_mlflow_xgboost_reads(self):
        m = self.mlmodel()
        flavor = m["flavors"]["xgboost"]
        self.assertEqual(flavor["model_class"], "xgboost.core.Booster")
        self.assertEqual(flavor["xgb_version"], xgb.__version__)
        self.assertTrue(os.path.isfile(os.path.join(self.model_dir, flavor["data"])))
        pyfunc = m["flavors"]["python_function"]
        self.assertEqual(pyfunc["loader_module"], "mlflow.xgboost")
        self.assertEqual(pyfunc["data"], flavor["data"])
        self.assertEqual(m["run_id"], self.run_id)
        self.assertEqual(m["artifact_path"], "model")
        inputs = json.loads(m["signature"]["inputs"])
        self.assertEqual([i["name"] for i in inputs], self.names)

    def predict(self, path):
        booster = xgb.Booster()
        booster.load_model(path)
        return booster, booster.predict(xgb.DMatrix(self.x, feature_names=self.names))

    def test_xgboost_loads_the_logged_model_and_predicts_as_cairn_does(self):
        data = self.mlmodel()["flavors"]["xgboost"]["data"]
        booster, p = self.predict(os.path.join(self.model_dir, data))
        self.assertEqual(booster.feature_names, self.names)
        self.assertEqual(booster.num_boosted_rounds(), 30)
        self.assertEqual(len(p), len(self.cairn_p))
        # cairn's CSV prints the float32 probability in its shortest form: equal as float32.
        np.testing.assert_array_equal(p.astype(np.float32), self.cairn_p.astype(np.float32))

    def test_xgboost_loads_the_model_output_file(self):
        _, p = self.predict(os.path.join(self.dir, "models", "model.xgb"))
        np.testing.assert_array_equal(p.astype(np.float32), self.cairn_p.astype(np.float32))


if __name__ == "__main__":
    unittest.main(verbosity=2)
