"""Multivariate and unequal-length problems, side by side with aeon and sktime.

No published UEA table is in the shared data folder, so the comparison is
with the peers' own classifiers on the same default split, run in another
environment (a venv with aeon and sktime: ``--peer-python PATH`` or
``$ROCKETCONV_PEER_PYTHON``; without either only rocketconv runs) in the
same session. Problems: BasicMotions and NATOPS (equal length), and the two
unequal-length problems of the shared folder, JapaneseVowels (7-29 points)
and PLAID (100-1344 points).

Peers, all with ``random_state=0``:

* aeon ``MiniRocketClassifier``, ``RocketClassifier``,
  ``MultiRocketClassifier``;
* sktime ``RocketClassifier(rocket_transform="minirocket" | "rocket")`` on
  equal-length problems; on unequal-length ones sktime's
  ``MiniRocketMultivariateVariable`` transform followed by
  ``StandardScaler`` + ``RidgeClassifierCV(logspace(-3, 3, 10))`` fitted on
  its features (sklearn's ``make_pipeline`` rejects the sktime transformer,
  so the transform is applied first). Its default
  ``pad_value_short_series=None`` refuses series shorter than 9 points, so
  when that fails it is run again with ``pad_value_short_series=0``.

A peer that raises is recorded with its error message.

Writes ``benchmarks/results/multivariate_unequal.csv`` and ``.json``.

    python benchmarks/multivariate_unequal.py [--problems BasicMotions,NATOPS,...]
        [--shared DIR] [--peer-python PATH]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    add_peer_argument,
    add_shared_argument,
    peer_python,
    shared_dir,
    write_results,
)

PROBLEMS = "BasicMotions,NATOPS,JapaneseVowels,PLAID"
TRANSFORMERS = ["minirocket", "rocket", "multirocket"]


def _timed(results: dict, label: str, make, X_train, y_train, X_test, y_test):
    try:
        start = time.perf_counter()
        clf = make().fit(X_train, y_train)
        accuracy = float(np.mean(clf.predict(X_test) == y_test))
        results[label] = {"accuracy": accuracy, "seconds": time.perf_counter() - start}
    except Exception as error:  # a peer that cannot run the problem
        results[label] = {"accuracy": None, "error": repr(error)[:200]}


class _SktimeVariable:
    """sktime's MiniRocketMultivariateVariable, then a sklearn ridge head."""

    def __init__(self, **params):
        self.params = params

    @staticmethod
    def _nested(X):
        return pd.DataFrame(
            {
                f"dim_{c}": [pd.Series(case[c]) for case in X]
                for c in range(X[0].shape[0])
            }
        )

    def fit(self, X, y):
        from sklearn.linear_model import RidgeClassifierCV
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sktime.transformations.panel.rocket import MiniRocketMultivariateVariable

        self.transformer = MiniRocketMultivariateVariable(random_state=0, **self.params)
        features = self.transformer.fit_transform(self._nested(X))
        self.head = make_pipeline(
            StandardScaler(), RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))
        ).fit(np.asarray(features), y)
        return self

    def predict(self, X):
        features = self.transformer.transform(self._nested(X))
        return self.head.predict(np.asarray(features))


def _sktime_runs(run, unequal: bool) -> None:
    if unequal:
        run("sktime minirocket", lambda: _SktimeVariable())
        if run.results["sktime minirocket"]["accuracy"] is None:
            run(
                "sktime minirocket (pad_value_short_series=0)",
                lambda: _SktimeVariable(pad_value_short_series=0),
            )
        return
    from sktime.classification.kernel_based import RocketClassifier as SkRocket

    run(
        "sktime minirocket",
        lambda: SkRocket(rocket_transform="minirocket", random_state=0),
    )
    run("sktime rocket", lambda: SkRocket(rocket_transform="rocket", random_state=0))


def peer_worker(path: str) -> None:
    """Runs inside the peer environment; prints a JSON line of results."""
    import warnings

    import aeon
    import sktime
    from aeon.classification.convolution_based import (
        MiniRocketClassifier,
        MultiRocketClassifier,
        RocketClassifier,
    )

    warnings.filterwarnings("ignore")
    with open(path, "rb") as file:
        split = pickle.load(file)
    results: dict = {}

    def run(label, make):
        _timed(results, label, make, *split)

    run.results = results
    run("aeon minirocket", lambda: MiniRocketClassifier(random_state=0))
    run("aeon rocket", lambda: RocketClassifier(random_state=0))
    run("aeon multirocket", lambda: MultiRocketClassifier(random_state=0))
    _sktime_runs(run, isinstance(split[0], list))
    versions = {"aeon": aeon.__version__, "sktime": sktime.__version__}
    print(json.dumps({"versions": versions, "results": results}))


def run_peers(python: str, split) -> dict:
    """The peer worker on one split, in the peer interpreter."""
    with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as file:
        pickle.dump(split, file)
    try:
        result = subprocess.run(
            [python, __file__, "--peer-worker", file.name],
            capture_output=True,
            text=True,
        )
    finally:
        Path(file.name).unlink()
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        print("peer failed:", result.stderr.strip()[-300:], file=sys.stderr)
        return {"versions": {}, "results": {}}
    return json.loads(lines[-1])


def describe(X) -> str:
    if isinstance(X, list):
        lengths = [case.shape[1] for case in X]
        return f"{len(X)} x {X[0].shape[0]} ch x {min(lengths)}-{max(lengths)}"
    return f"{len(X)} x {X.shape[1]} ch x {X.shape[2]}"


def run_rocketconv(split) -> dict:
    from rocketconv import RocketClassifier

    results: dict = {}
    for transformer in TRANSFORMERS:
        _timed(
            results,
            f"rocketconv {transformer}",
            lambda t=transformer: RocketClassifier(t, random_state=0),
            *split,
        )
    return results


def run_problem(name: str, shared: Path, peer: str | None, versions: dict) -> list:
    from rocketconv.datasets import load_ucr

    home = shared / "datasets"
    X_train, y_train = load_ucr(name, split="train", data_home=home)
    X_test, y_test = load_ucr(name, split="test", data_home=home)
    split = (X_train, y_train, X_test, y_test)
    results = run_rocketconv(split)
    if peer:
        got = run_peers(peer, split)
        versions.update(got["versions"])
        results.update(got["results"])
    rows = [
        {"problem": name, "shape": describe(X_train), "classifier": label, **value}
        for label, value in results.items()
    ]
    for row in rows:
        print(row, flush=True)
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-worker", help=argparse.SUPPRESS)
    parser.add_argument("--problems", default=PROBLEMS)
    add_shared_argument(parser)
    add_peer_argument(parser)
    args = parser.parse_args(argv)
    if args.peer_worker:
        peer_worker(args.peer_worker)
        return
    shared, peer = shared_dir(args.shared), peer_python(args.peer_python)
    rows, versions = [], {}
    for name in args.problems.split(","):
        rows.extend(run_problem(name, shared, peer, versions))
    table = pd.DataFrame(rows)
    notes = {
        "selection": "BasicMotions, NATOPS (UEA, equal length), JapaneseVowels, "
        "PLAID (unequal length): default train/test split",
        "peer_versions": versions or None,
        "timing_note": "seconds on a shared, loaded machine; not a benchmark",
    }
    write_results(table, "multivariate_unequal", shared=shared, notes=notes)
    pivot = table.pivot_table(
        index="classifier", columns="problem", values="accuracy", aggfunc="first"
    )
    print(pivot.round(4).to_string())


if __name__ == "__main__":
    main()
