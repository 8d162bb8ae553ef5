"""explain checks its input as predict does, and needs a fitted model."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from conftest import random_walks
from rocketconv import RocketClassifier
from rocketconv.transformers.minirocket import MiniRocket


@pytest.fixture(scope="module")
def fitted() -> RocketClassifier:
    X = random_walks(20, 2, 30, seed=0)
    return RocketClassifier(MiniRocket(n_features=168), random_state=0).fit(
        X, np.arange(20) % 2
    )


def test_unfitted_raises_not_fitted():
    clf = RocketClassifier()
    with pytest.raises(NotFittedError):
        clf.explain(np.zeros((2, 1, 20)))
    with pytest.raises(NotFittedError):
        clf.attribution_baseline_  # noqa: B018
    assert not hasattr(clf, "attribution_baseline_")


def nan_case() -> np.ndarray:
    X = np.ones((2, 2, 30))
    X[0, 1, 3] = np.nan
    return X


BAD = {
    "nan": nan_case(),
    "channels": np.ones((2, 3, 30)),
    "length": np.ones((2, 2, 25)),
    "four_d": np.ones((2, 2, 30, 1)),
    "empty": np.ones((0, 2, 30)),
    "text": [["a", "b"]],
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_fails_as_predict_does(fitted, name):
    with pytest.raises(Exception) as from_predict:
        fitted.predict(BAD[name])
    kind = type(from_predict.value)
    with pytest.raises(kind, match=re.escape(str(from_predict.value))):
        fitted.explain(BAD[name])


def test_import_does_not_load_matplotlib():
    code = "import sys, rocketconv.explain; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
