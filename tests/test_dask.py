"""Dask: chunk transforms as joblib tasks on a dask.distributed cluster, and
dask arrays transformed with map_blocks on the workers; the results equal
the serial run. One small LocalCluster (2 worker processes) for the module."""

from __future__ import annotations

import gc
import time
import weakref

import joblib
import numpy as np
import pytest

from rocketconv import MiniRocket, RocketClassifier, _sources

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


def problem(n_cases=400, length=30):
    rng = np.random.default_rng(5)
    y = rng.integers(3, size=n_cases)
    X = rng.normal(size=(n_cases, 1, length)).astype(np.float32)
    X[:, 0] += 0.7 * np.sin(2 * np.pi * np.arange(length) / (5 + 2 * y[:, None]))
    return X, y


def model():
    return RocketClassifier(
        MiniRocket(n_features=168), estimator="streaming_ridge", random_state=0
    )


def tasks(stream, prefix):
    """(key, worker) of the recorded tasks whose key starts with prefix."""
    found = []
    for task in stream.data:
        key = task["key"]
        name = key[0] if isinstance(key, tuple) else key
        if str(name).startswith(prefix):
            found.append((key, task["worker"]))
    return found


def test_joblib_dask_backend_runs_chunk_transforms_on_workers(
    client, monkeypatch, tmp_path
):
    monkeypatch.setattr(_sources, "CHUNK_CASES", 100)  # 4 chunks per pass
    X, y = problem()
    path = tmp_path / "X.npy"
    np.save(path, X)
    X_map = np.load(path, mmap_mode="r")
    serial = model().fit(X_map, y)
    workers = set(client.scheduler_info()["workers"])
    with joblib.parallel_backend("dask"):
        with distributed.get_task_stream(client) as stream:
            on_cluster = model().fit(X_map, y)
            predicted = on_cluster.predict(X_map)
        features = _sources.FeatureStream(
            _sources.ChunkSource(X_map, on_cluster), on_cluster.transformer_
        ).collect()
    ran = tasks(stream, "batch_of__boxed_transform")
    # two fit passes and one predict pass, 4 chunk tasks each, all on workers
    assert len(ran) == 12
    assert {worker for _, worker in ran} <= workers
    np.testing.assert_array_equal(features, serial.transformer_.transform(X))
    # same chunks in the same order: the same sums, bit for bit
    np.testing.assert_array_equal(on_cluster.head_[-1].coef_, serial.head_[-1].coef_)
    np.testing.assert_array_equal(predicted, serial.predict(X_map))


def test_joblib_backend_holds_a_bounded_number_of_chunks(client, monkeypatch):
    """A head that consumes slower than the workers transform: joblib alone
    would dispatch every chunk and keep all their features in the client."""
    monkeypatch.setattr(_sources, "CHUNK_CASES", 20)  # 20 chunks
    X, y = problem()
    fitted = model().fit(X, y)
    stream = _sources.FeatureStream(
        _sources.ChunkSource(X, fitted), fitted.transformer_
    )
    read, consumed, ahead = [], [], []
    reader = stream._read
    monkeypatch.setattr(stream, "_read", lambda a, b: read.append(a) or reader(a, b))
    with joblib.parallel_backend("dask"):
        n_workers = joblib.effective_n_jobs(-1)
        for start, _ in stream:
            ahead.append(len(read) - len(consumed))
            time.sleep(0.05)  # the head's work on this chunk
            consumed.append(start)
    assert n_workers == 2
    assert consumed == sorted(read) == list(range(0, len(X), 20))
    # one window of two chunks per worker
    assert max(ahead) <= 2 * n_workers
    np.testing.assert_array_equal(
        np.concatenate([f for _, f in stream.chunks()]),
        fitted.transformer_.transform(X),
    )


def test_consumed_chunks_are_freed_without_the_cycle_collector(client, monkeypatch):
    """joblib's dask backend keeps each batch's result in a future that
    sits in a reference cycle: features the head has consumed must not stay
    alive until Python's cycle collector happens to run."""
    monkeypatch.setattr(_sources, "CHUNK_CASES", 20)
    X, y = problem(n_cases=200)
    fitted = model().fit(X, y)
    stream = _sources.FeatureStream(
        _sources.ChunkSource(X, fitted), fitted.transformer_
    )
    alive = []
    gc.collect()
    gc.disable()
    try:
        with joblib.parallel_backend("dask"):
            for _, features in stream:
                alive.append(weakref.ref(features))
            del features
        held = sum(ref() is not None for ref in alive)
    finally:
        gc.enable()
    assert len(alive) == 10
    assert held == 0


def test_numpy_input_inside_the_backend_is_transformed_on_workers(client):
    X, y = problem(n_cases=150)
    serial = RocketClassifier(MiniRocket(n_features=168), random_state=0).fit(X, y)
    with joblib.parallel_backend("dask"):
        with distributed.get_task_stream(client) as stream:
            on_cluster = RocketClassifier(MiniRocket(n_features=168), random_state=0)
            proba = on_cluster.fit(X, y).predict_proba(X)
    assert len(tasks(stream, "batch_of__boxed_transform")) == 2  # fit, predict
    assert on_cluster.head_kind_ == serial.head_kind_ == "ridge"
    np.testing.assert_allclose(proba, serial.predict_proba(X), rtol=1e-12)


def test_dask_array_is_transformed_with_map_blocks_on_workers(client):
    X, y = problem()
    blocks = da.from_array(X, chunks=(50, 1, 30)).persist()  # on the workers
    serial = model().fit(X, y)
    workers = set(client.scheduler_info()["workers"])
    with distributed.get_task_stream(client) as stream:
        on_cluster = model().fit(blocks, y)
        predicted = on_cluster.predict(blocks)
        proba = on_cluster.predict_proba(blocks)
    ran = tasks(stream, "rocketconv-transform")
    # 8 blocks: two fit passes and two prediction passes
    assert len(ran) == 4 * 8
    assert {worker for _, worker in ran} <= workers
    # 50-case blocks where the serial run summed 4096-case chunks: equal up
    # to the order of float64 summation
    ridge, streamed = serial.head_[-1], on_cluster.head_[-1]
    assert streamed.alpha_ == ridge.alpha_
    np.testing.assert_allclose(streamed.coef_, ridge.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(predicted, serial.predict(X))
    np.testing.assert_allclose(proba, serial.predict_proba(X), atol=1e-9)


def test_bad_values_in_a_dask_block_raise_the_numpy_error(client):
    X, y = problem(n_cases=100)
    X[70, 0, 3] = np.nan
    blocks = da.from_array(X, chunks=(50, 1, 30))
    with pytest.raises(ValueError, match="X contains NaN"):
        model().fit(blocks, y)
    fitted = model().fit(np.nan_to_num(X), y)
    with pytest.raises(ValueError, match=r"cases 50 to 99\): X contains NaN"):
        fitted.predict(blocks)
