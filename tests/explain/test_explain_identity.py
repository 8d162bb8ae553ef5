"""attributions.sum(channels, timepoints) + baseline == decision_function,
for every transformer and head, checked against decision_function (which
runs the transformers' numba kernels), not against rocketconv.explain's own
recomputation."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from conftest import random_walks
from rocketconv import RocketClassifier
from rocketconv._validation import ShortSeriesWarning
from rocketconv.transformers.hydra import Hydra
from rocketconv.transformers.minirocket import MiniRocket
from rocketconv.transformers.multirocket import MultiRocket
from rocketconv.transformers.multirocket_hydra import MultiRocketHydra
from rocketconv.transformers.rocket import Rocket


def small(name: str):
    """Each transformer, small enough for many fits."""
    return {
        "minirocket": MiniRocket(n_features=840),
        "rocket": Rocket(n_kernels=150),
        "multirocket": MultiRocket(n_features=1344),
        "hydra": Hydra(n_groups=8),
        "multirocket+hydra": MultiRocketHydra(n_groups=8, n_features=1344),
    }[name]


TRANSFORMERS = ["minirocket", "rocket", "multirocket", "hydra", "multirocket+hydra"]
HEADS = {
    # the published scaler of each transformer: L2, L2, standard, sparse,
    # sparse + standard by block
    "ridge": {"estimator": "ridge"},
    "logistic": {"estimator": "logistic"},
    "minibatch": {"estimator": "logistic", "minibatch_threshold": 10},
}


def assert_identity(clf: RocketClassifier, X, attributions) -> None:
    decision = clf.decision_function(X).reshape(len(X), -1)
    if isinstance(attributions, list):
        totals = np.stack([a.sum(axis=(1, 2)) for a in attributions])
    else:
        totals = attributions.sum(axis=(2, 3))
    totals = totals + clf.attribution_baseline_
    scale = np.abs(decision).max()
    np.testing.assert_allclose(totals, decision, rtol=1e-4, atol=1e-4 * scale)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("head", list(HEADS))
@pytest.mark.parametrize("name", TRANSFORMERS)
def test_sum_is_the_decision_function(name, head, n_classes):
    X = random_walks(30, 1, 45, seed=1)
    y = np.arange(30) % n_classes
    X[y == 1, 0, 20:26] += 2.0
    clf = RocketClassifier(small(name), random_state=0, **HEADS[head]).fit(X, y)
    expected_kind = "minibatch" if head == "minibatch" else head
    assert clf.head_kind_ == expected_kind
    test = random_walks(7, 1, 45, seed=2)
    attributions = clf.explain(test)
    n_outputs = 1 if n_classes == 2 else n_classes
    assert attributions.shape == (7, n_outputs, 1, 45)
    assert clf.attribution_baseline_.shape == (n_outputs,)
    assert_identity(clf, test, attributions)


@pytest.mark.parametrize("name", TRANSFORMERS)
def test_sum_is_the_decision_function_multivariate(name):
    X = random_walks(24, 3, 40, seed=4)
    y = np.arange(24) % 3
    X[y == 2, 1, 10:15] += 2.0
    clf = RocketClassifier(small(name), random_state=1).fit(X, y)
    attributions = clf.explain(X[:5])
    assert attributions.shape == (5, 3, 3, 40)
    assert_identity(clf, X[:5], attributions)
    # every channel receives shares (kernels are spread over channels)
    assert (np.abs(attributions).sum(axis=(0, 1, 3)) > 0).all()


@pytest.mark.parametrize("name", TRANSFORMERS)
def test_unequal_length_and_short_series(name):
    rng = np.random.default_rng(5)
    lengths = [30, 18, 30, 7, 25, 18] * 3  # 7 is zero-padded by every transformer
    X = [rng.normal(size=(2, n)).cumsum(axis=-1) for n in lengths]
    y = np.arange(len(X)) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortSeriesWarning)
        clf = RocketClassifier(small(name), random_state=0).fit(X, y)
        attributions = clf.explain(X)
        assert isinstance(attributions, list)
        assert [a.shape for a in attributions] == [(1, 2, n) for n in lengths]
        assert_identity(clf, X, attributions)


def test_pruned_classifier():
    """A restricted transformer (keep_features) is explained on its kept
    features: the identity holds and dropped features get nothing."""
    X = random_walks(30, 1, 45, seed=6)
    y = np.arange(30) % 2
    X[y == 1, 0, 20:26] += 2.0
    clf = RocketClassifier(MiniRocket(n_features=840), keep_features=0.1)
    clf.set_params(random_state=0).fit(X, y)
    attributions = clf.explain(X[:6])
    assert_identity(clf, X[:6], attributions)
    assert len(clf.transformer_.feature_info()) == clf.transformer_._n_features_out


def test_chunks_do_not_change_the_result(monkeypatch):
    """Explaining in chunks of 2 cases gives the attributions of one chunk."""
    from rocketconv.explain import _attribution

    X = random_walks(7, 1, 40, seed=7)
    y = np.arange(7) % 2
    clf = RocketClassifier(small("multirocket"), random_state=0).fit(X, y)
    whole = clf.explain(X)
    monkeypatch.setattr(_attribution, "EXPLAIN_CHUNK", 2)
    np.testing.assert_array_equal(clf.explain(X), whole)


# the streaming ridge cannot fit MultiRocket-Hydra's block scaler chunk by chunk
@pytest.mark.parametrize("name", TRANSFORMERS[:4])
def test_sum_is_the_decision_function_streaming_ridge(name):
    X = random_walks(30, 1, 45, seed=1)
    y = np.arange(30) % 3
    clf = RocketClassifier(small(name), estimator="streaming_ridge", random_state=0)
    clf.fit(X, y)
    assert clf.head_kind_ == "streaming_ridge"
    assert_identity(clf, X[:6], clf.explain(X[:6]))
