"""Out-of-core fit and predict: the exact streaming ridge against
scikit-learn's in-memory RidgeClassifierCV, bounded feature memory on a
numpy.memmap, the streaming softmax, and bad input read chunk by chunk."""

from __future__ import annotations

import tracemalloc
import weakref

import numpy as np
import pytest
from sklearn.base import clone

from rocketconv import (
    Hydra,
    MiniRocket,
    RocketClassifier,
    _heads,
    _sources,
    _streaming_ridge,
)

RNG = np.random.default_rng(3)


def problem(n_cases, n_classes, length=30, seed=0):
    """Noisy classes that differ by a sine's frequency (not separable)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(n_classes, size=n_cases)
    t = np.arange(length)
    X = rng.normal(size=(n_cases, 1, length))
    X[:, 0] += 0.6 * np.sin(2 * np.pi * t[None, :] / (6 + 2 * y[:, None]))
    return X.astype(np.float32), np.array(["a", "b", "c", "d"])[y]


def as_memmap(X, tmp_path, name="X.npy"):
    path = tmp_path / name
    written = np.lib.format.open_memmap(path, "w+", np.float32, X.shape)
    written[:] = X
    written.flush()
    return np.load(path, mmap_mode="r")


class SliceableArray:
    """The least an out-of-core source needs: a shape and slicing."""

    def __init__(self, array):
        self.array = array
        self.shape = array.shape

    def __getitem__(self, index):
        return self.array[index]


# (transformer, n_cases, n_classes, weighted, tolerance): n > p and n < p.
# Hydra's SparseScaler computes its statistics and output in float32 on
# float32 features in memory (the streaming pass in float64): agreement to
# float32 rounding of ill-conditioned statistics, not float64's.
CASES = [
    (lambda: MiniRocket(n_features=84), 300, 2, False, 1e-9),
    (lambda: MiniRocket(n_features=84), 300, 3, True, 1e-9),
    (lambda: MiniRocket(n_features=840), 200, 2, True, 1e-9),
    (lambda: MiniRocket(n_features=840), 200, 4, False, 1e-9),
    (lambda: Hydra(n_kernels=2, n_groups=4), 250, 3, True, 1e-4),
]


@pytest.mark.parametrize("make, n_cases, n_classes, weighted, tolerance", CASES)
def test_streaming_ridge_equals_in_memory_ridge(
    make, n_cases, n_classes, weighted, tolerance, monkeypatch, tmp_path
):
    X, y = problem(n_cases, n_classes)
    fit_args = {}
    params = dict(random_state=0)
    if weighted:
        fit_args["sample_weight"] = RNG.uniform(0.2, 3.0, size=n_cases)
        params["class_weight"] = "balanced"
    in_memory = RocketClassifier(make(), estimator="ridge", **params)
    in_memory.fit(X, y, **fit_args)
    monkeypatch.setattr(_sources, "CHUNK_CASES", 64)  # several chunks
    monkeypatch.setattr(_streaming_ridge, "HEAD_BLOCK", 24)
    for data in (X, as_memmap(X, tmp_path), SliceableArray(X)):
        streamed = RocketClassifier(make(), estimator="streaming_ridge", **params)
        streamed.fit(data, y, **fit_args)
        assert streamed.head_kind_ == "streaming_ridge"
        ridge, model = in_memory.head_[-1], streamed.head_[-1]
        assert model.alpha_ == ridge.alpha_
        scale = np.abs(ridge.coef_).max()
        np.testing.assert_allclose(model.coef_, ridge.coef_, atol=tolerance * scale)
        np.testing.assert_allclose(model.intercept_, ridge.intercept_, atol=tolerance)
        np.testing.assert_allclose(
            streamed.decision_function(data), in_memory.decision_function(X),
            atol=tolerance,
        )  # fmt: skip
        np.testing.assert_allclose(
            streamed.predict_proba(data),
            in_memory.predict_proba(X),
            atol=max(tolerance, 1e-7),  # the temperature: a bounded 1-D search
        )
        np.testing.assert_array_equal(streamed.predict(data), in_memory.predict(X))


def test_auto_picks_streaming_ridge_by_size_only(monkeypatch):
    limit = _streaming_ridge.STREAMING_RIDGE_MAX_FEATURES
    assert _heads.choose_head("auto", 10_000, 9_996, 10_000, 50_000) == "ridge"
    assert (
        _heads.choose_head("auto", 10_001, 9_996, 10_000, 50_000) == "streaming_ridge"
    )
    assert _heads.choose_head("auto", 10**6, limit, 10_000, 50_000) == "streaming_ridge"
    # wider than its limit (MultiRocket's 49,728): the softmax heads
    assert _heads.choose_head("auto", 20_000, 49_728, 10_000, 50_000) == "logistic"
    assert _heads.choose_head("auto", 10**6, limit + 1, 10_000, 50_000) == "minibatch"
    monkeypatch.setattr(_heads, "_physical_memory_bytes", lambda: 2**30)
    with pytest.raises(MemoryError, match=r"streaming_ridge head .*logistic"):
        _heads.choose_head("streaming_ridge", 10**6, 20_000, 10_000, 50_000)


class FeatureChunkWatch:
    """Counts feature chunks alive at once: each array the transformer
    returns is tracked by a weak reference until it is freed."""

    def __init__(self, monkeypatch):
        self.alive: set[int] = set()
        self.most_alive = 0
        self.rows = 0
        original = MiniRocket._transform_checked

        def watched(transformer, X):
            features = original(transformer, X)
            key = id(features)
            self.alive.add(key)
            weakref.finalize(features, self.alive.discard, key)
            self.most_alive = max(self.most_alive, len(self.alive))
            self.rows += len(features)
            return features

        monkeypatch.setattr(MiniRocket, "_transform_checked", watched)


@pytest.mark.parametrize("params", [dict(estimator="auto"), dict(estimator="logistic")])
def test_memmap_never_holds_all_features(params, monkeypatch, tmp_path):
    """fit, predict and predict_proba on a memmap: never more than two
    feature chunks alive, and traced memory far below the feature matrix."""
    n_cases, chunk, n_features = 12_000, 200, 840
    X, y = problem(n_cases, 2, length=16)
    X_map = as_memmap(X, tmp_path)
    monkeypatch.setattr(_sources, "CHUNK_CASES", chunk)
    model = RocketClassifier(
        MiniRocket(n_features=n_features),
        ridge_max_cases=1000,
        minibatch_threshold=1000,
        random_state=0,
        **params,
    )
    # the float32 feature matrix; the head's own p x p matrices are 11 MB
    feature_bytes = n_cases * n_features * 4
    clone(model).fit(X_map[:1500], y[:1500])  # compile and import first
    watch = FeatureChunkWatch(monkeypatch)
    tracemalloc.start()
    try:  # growth of traced (numpy and Python) memory above its start
        start, _ = tracemalloc.get_traced_memory()
        model.fit(X_map, y)
        before, fit_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        predicted = model.predict(X_map)
        proba = model.predict_proba(X_map)
        _, predict_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    fit_peak, predict_peak = fit_peak - start, predict_peak - before
    assert model.head_kind_ == {"auto": "streaming_ridge"}.get(
        params["estimator"], "minibatch"
    )
    assert watch.most_alive <= 2
    assert watch.rows >= 3 * n_cases  # two fit passes (or epochs) and predict
    assert fit_peak < 0.75 * feature_bytes, (fit_peak, feature_bytes)
    assert predict_peak < 0.25 * feature_bytes, (predict_peak, feature_bytes)
    assert (predicted == y).mean() > 0.75
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], predicted)


def test_streaming_softmax_is_reproducible(tmp_path, monkeypatch):
    monkeypatch.setattr(_sources, "CHUNK_CASES", 150)
    X, y = problem(600, 3)
    X_map = as_memmap(X, tmp_path)
    fits = [
        RocketClassifier(
            MiniRocket(n_features=84),
            estimator="logistic",
            minibatch_threshold=100,
            random_state=0,
        ).fit(X_map, y)
        for _ in range(2)
    ]
    assert fits[0].head_kind_ == "minibatch"
    np.testing.assert_array_equal(
        fits[0].decision_function(X_map), fits[1].decision_function(X_map)
    )


@pytest.mark.parametrize(
    "value, message",
    [(np.nan, "X contains NaN"), (np.inf, "X contains infinity"),
     (1e30, "X holds values up to 1e[+]30 in magnitude")],
)  # fmt: skip
def test_bad_values_in_a_chunk_name_the_problem(value, message, tmp_path, monkeypatch):
    monkeypatch.setattr(_sources, "CHUNK_CASES", 50)
    X, y = problem(200, 2)
    X[130, 0, 7] = value
    clf = RocketClassifier(MiniRocket(n_features=84), estimator="streaming_ridge")
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)  # numpy input: the same problem named
    with pytest.raises(ValueError, match=rf"cases 100 to 149\): {message}"):
        clf.fit(as_memmap(X, tmp_path), y)
    good = RocketClassifier(MiniRocket(n_features=84), random_state=0)
    good.fit(np.nan_to_num(X, posinf=0.0, nan=0.0, copy=True).clip(-9, 9), y)
    with pytest.raises(ValueError, match=message):
        good.predict(SliceableArray(X))


def test_array_likes_without_shape_or_slicing_are_refused(tmp_path):
    X, y = problem(40, 2)
    clf = RocketClassifier(MiniRocket(n_features=84))

    class ShapeOnly:
        shape = (40, 1, 30)

    with pytest.raises(TypeError, match=r"ShapeOnly has no slicing"):
        clf.fit(ShapeOnly(), y)
    four_d = as_memmap(X.reshape(40, 1, 1, 30), tmp_path)
    with pytest.raises(ValueError, match=r"must be 2-D .* got a 4-D"):
        clf.fit(four_d, y)
    with pytest.raises(ValueError, match="X and y disagree"):
        clf.fit(as_memmap(X, tmp_path, "X2.npy"), y[:-1])


def test_two_d_source_means_one_channel(tmp_path):
    X, y = problem(120, 2)
    flat = as_memmap(X[:, 0, :], tmp_path)
    a = RocketClassifier(MiniRocket(n_features=84), random_state=0).fit(X, y)
    b = RocketClassifier(MiniRocket(n_features=84), random_state=0).fit(flat, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(flat))
