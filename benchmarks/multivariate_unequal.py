"""Multivariate and unequal-length problems, side by side with aeon and sktime.

No published UEA table is in ../shared, so the comparison is with the peers'
own classifiers on the same default split, run in another environment
(``--peer-python``, a venv with aeon and sktime) in the same session.

    python benchmarks/multivariate_unequal.py [--problems BasicMotions,NATOPS,...]
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
PROBLEMS = "BasicMotions,NATOPS,JapaneseVowels,PLAID"
TRANSFORMERS = ["minirocket", "rocket", "multirocket"]


def peer_worker(path: str) -> None:
    """Runs inside the peer environment; prints a JSON line of results."""
    import warnings

    warnings.filterwarnings("ignore")
    with open(path, "rb") as file:
        X_train, y_train, X_test, y_test = pickle.load(file)
    unequal = isinstance(X_train, list)
    results = {}

    def run(label, make):
        try:
            start = time.perf_counter()
            clf = make().fit(X_train, y_train)
            accuracy = float(np.mean(clf.predict(X_test) == y_test))
            results[label] = (accuracy, time.perf_counter() - start)
        except Exception as error:  # a peer that cannot run the problem
            results[label] = (None, repr(error)[:80])

    from aeon.classification.convolution_based import (
        MiniRocketClassifier,
        MultiRocketClassifier,
        RocketClassifier,
    )

    run("aeon minirocket", lambda: MiniRocketClassifier(random_state=0))
    run("aeon rocket", lambda: RocketClassifier(random_state=0))
    run("aeon multirocket", lambda: MultiRocketClassifier(random_state=0))
    if unequal:
        from sktime.transformations.panel.rocket import MiniRocketMultivariateVariable

        def sktime_variable():
            from sklearn.linear_model import RidgeClassifierCV
            from sklearn.pipeline import make_pipeline
            from sklearn.preprocessing import StandardScaler

            transformer = MiniRocketMultivariateVariable(random_state=0)
            head = RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))
            return _SktimeNested(make_pipeline(transformer, StandardScaler(), head))

        run("sktime minirocket", sktime_variable)
    else:
        from sktime.classification.kernel_based import RocketClassifier as SkRocket

        run("sktime minirocket", lambda: SkRocket(rocket_transform="minirocket"))
        run("sktime rocket", lambda: SkRocket(rocket_transform="rocket"))
    print(json.dumps(results))


class _SktimeNested:
    """Feed unequal-length lists to sktime as its nested DataFrame."""

    def __init__(self, pipeline):
        self.pipeline = pipeline

    @staticmethod
    def _nested(X):
        return pd.DataFrame(
            {
                f"dim_{c}": [pd.Series(case[c]) for case in X]
                for c in range(X[0].shape[0])
            }
        )

    def fit(self, X, y):
        self.pipeline.fit(self._nested(X), y)
        return self

    def predict(self, X):
        return self.pipeline.predict(self._nested(X))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--peer-worker", help=argparse.SUPPRESS)
    parser.add_argument("--problems", default=PROBLEMS)
    parser.add_argument("--shared", default=str(HERE.parent.parent / "shared"))
    default_peer = Path("/work/venv-aeon/bin/python")
    parser.add_argument(
        "--peer-python", default=str(default_peer) if default_peer.exists() else None
    )
    args = parser.parse_args()
    if args.peer_worker:
        peer_worker(args.peer_worker)
        return

    from rocketconv import RocketClassifier
    from rocketconv.datasets import load_ucr

    rows = []
    for name in args.problems.split(","):
        home = Path(args.shared) / "datasets"
        X_train, y_train = load_ucr(name, split="train", data_home=home)
        X_test, y_test = load_ucr(name, split="test", data_home=home)
        lengths = [c.shape[1] for c in X_train] if isinstance(X_train, list) else None
        shape = f"{len(X_train)} x {X_train[0].shape[0]} ch x " + (
            f"{min(lengths)}-{max(lengths)}" if lengths else f"{X_train.shape[2]}"
        )
        for transformer in TRANSFORMERS:
            start = time.perf_counter()
            clf = RocketClassifier(transformer, random_state=0).fit(X_train, y_train)
            accuracy = float(np.mean(clf.predict(X_test) == y_test))
            rows.append(
                {
                    "problem": name,
                    "shape": shape,
                    "classifier": f"rocketconv {transformer}",
                    "accuracy": accuracy,
                    "seconds": time.perf_counter() - start,
                }
            )
            print(rows[-1], flush=True)
        if args.peer_python:
            with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as file:
                pickle.dump((X_train, y_train, X_test, y_test), file)
            result = subprocess.run(
                [args.peer_python, __file__, "--peer-worker", file.name],
                capture_output=True,
                text=True,
            )
            Path(file.name).unlink()
            lines = result.stdout.strip().splitlines()
            if result.returncode != 0 or not lines:
                print("peer failed:", result.stderr.strip()[-300:], file=sys.stderr)
                continue
            for label, (accuracy, seconds) in json.loads(lines[-1]).items():
                rows.append(
                    {
                        "problem": name,
                        "shape": shape,
                        "classifier": label,
                        "accuracy": accuracy,
                        "seconds": seconds,
                    }
                )
                print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    table.to_csv(out / "multivariate_unequal.csv", index=False)
    pivot = table.pivot_table(
        index="classifier", columns="problem", values="accuracy", aggfunc="first"
    )
    print(pivot.round(4).to_string())


if __name__ == "__main__":
    main()
