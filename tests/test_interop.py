"""sktime interop: nested DataFrames as input, and sktime's own checks on the
adapter (sktime is installed by the test extra)."""

import numpy as np
import pandas as pd
import pytest

from rocketconv import MiniRocket, RocketClassifier

sktime = pytest.importorskip("sktime", reason="the test extra installs sktime")


def nested_frame(X):
    """sktime's nested format: a row a case, a column a channel, Series cells."""
    return pd.DataFrame(
        {
            f"dim_{c}": [pd.Series(X[i, c]) for i in range(X.shape[0])]
            for c in range(X.shape[1])
        }
    )


def test_nested_dataframe_gives_the_same_features_as_numpy():
    X = np.random.default_rng(0).normal(size=(6, 3, 40))
    model = MiniRocket(n_features=168, random_state=0)
    np.testing.assert_array_equal(
        model.fit_transform(nested_frame(X)), model.fit_transform(X)
    )


def test_nested_dataframe_from_sktime_converter():
    from sktime.datatypes import convert_to

    X = np.random.default_rng(1).normal(size=(5, 2, 30))
    frame = convert_to(X, to_type="nested_univ")
    model = MiniRocket(n_features=168, random_state=0)
    np.testing.assert_array_equal(model.fit_transform(frame), model.fit_transform(X))


def test_adapter_passes_sktime_check_estimator():
    from sktime.utils.estimator_checks import check_estimator

    from rocketconv.interop import SktimeRocketClassifier

    results = check_estimator(
        SktimeRocketClassifier, raise_exceptions=False, verbose=False
    )
    failures = {name: error for name, error in results.items() if error != "PASSED"}
    assert not failures, failures


def test_adapter_handles_unequal_length():
    from rocketconv.datasets import load_ucr
    from rocketconv.interop import SktimeRocketClassifier

    X, y = load_ucr("JapaneseVowels", split="train")
    X, y = X[:60], y[:60]
    assert isinstance(X, list)
    frames = [pd.DataFrame(case.T) for case in X]  # sktime's df-list mtype
    clf = SktimeRocketClassifier(random_state=0).fit(frames, y)
    ours = RocketClassifier(random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.predict(frames), ours.predict(X))
