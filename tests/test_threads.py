"""Concurrency: several Python threads, joblib and dask threads, numba layers.

Every scenario runs in a child interpreter (this file run as a script with
the scenario's name) under a timeout, so that a segfault, a SIGABRT from
numba's ``workqueue`` layer or a deadlock fails one test instead of killing
or hanging pytest. The child prints one JSON line; the test checks it.

The transformers run ``n_jobs`` chunks of cases on Python threads, each
calling a serial kernel that releases the GIL (``_numba.run_in_chunks``):
they never start numba's threading layer, so user threads, joblib and dask
may call them at once. The layer still matters for InceptionTime's
parallel layer kernels: numba's default ``workqueue`` layer aborts the
process when two threads are inside parallel kernels at once, so
``rocketconv._numba`` selects numba's 'threadsafe' layer (TBB or OpenMP)
when one of them can be loaded; the ``nogil`` probe below shows what that
protects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

TIMEOUT = 300  # seconds, per child; a deadlock fails the test, not the run
N_THREADS = 4


# --------------------------------------------------------------------------
# child side
# --------------------------------------------------------------------------
def _data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(24, 2, 60))
    y = np.arange(24) % 2
    X[y == 1] += np.sin(np.linspace(0, 12, 60))
    unequal = [case[:, : 60 - (i % 5) * 7] for i, case in enumerate(X)]
    return X, unequal, y


def _transformers(n_jobs=2):
    from rocketconv import Hydra, MiniRocket, MultiRocket, Rocket

    return {
        "MiniRocket": MiniRocket(n_features=168, n_jobs=n_jobs, random_state=0),
        "Rocket": Rocket(n_kernels=100, n_jobs=n_jobs, random_state=0),
        "MultiRocket": MultiRocket(n_features=672, n_jobs=n_jobs, random_state=0),
        "Hydra": Hydra(n_kernels=4, n_groups=8, n_jobs=n_jobs, random_state=0),
    }


def child_threads():
    """One fitted transformer, ``transform`` from 4 threads at once."""
    from concurrent.futures import ThreadPoolExecutor

    X, unequal, _ = _data()
    mismatches = []
    for name, transformer in _transformers().items():
        transformer.fit(X)
        serial = transformer.transform(X)
        serial_unequal = transformer.transform(unequal)
        jobs = [X, unequal] * (2 * N_THREADS)
        with ThreadPoolExecutor(N_THREADS) as pool:
            outputs = list(pool.map(transformer.transform, jobs))
        for job, output in zip(jobs, outputs, strict=True):
            expected = serial if job is X else serial_unequal
            if not np.array_equal(output, expected):
                mismatches.append(name)
    return {"mismatches": mismatches}


def child_joblib():
    """Parallel(threads) over cross_val_score(n_jobs=2) of n_jobs=2 models."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import cross_val_score

    from rocketconv import MiniRocket, RocketClassifier

    X, _, y = _data()

    def model(seed, n_jobs):
        return RocketClassifier(
            MiniRocket(n_features=168), n_jobs=n_jobs, random_state=seed
        )

    seeds = range(4)
    threaded = Parallel(n_jobs=2, prefer="threads")(
        delayed(cross_val_score)(model(seed, 2), X, y, cv=3, n_jobs=2) for seed in seeds
    )
    serial = [cross_val_score(model(seed, 1), X, y, cv=3) for seed in seeds]
    return {
        "equal": all(
            np.array_equal(a, b) for a, b in zip(threaded, serial, strict=True)
        ),
        "mean_accuracy": float(np.mean(serial)),
    }


def child_dask():
    """dask's threaded scheduler transforming chunks of one fitted model."""
    import dask

    X, _, _ = _data()
    results = {}
    for name, transformer in _transformers().items():
        transformer.fit(X)
        chunks = [X[i : i + 4] for i in range(0, len(X), 4)]
        tasks = [dask.delayed(transformer.transform)(chunk) for chunk in chunks]
        parts = dask.compute(*tasks, scheduler="threads", num_workers=N_THREADS)
        results[name] = bool(np.array_equal(np.vstack(parts), transformer.transform(X)))
    return {"equal": results}


def child_nogil_probe():
    """A parallel kernel that releases the GIL, called from 4 threads."""
    from concurrent.futures import ThreadPoolExecutor

    import numba
    from numba import njit, prange

    import rocketconv  # noqa: F401  (selects the threading layer)

    @njit(parallel=True, nogil=True)
    def work(x):
        out = np.empty(len(x))
        for i in prange(len(x)):
            total = 0.0
            for j in range(500):
                total += np.sin(x[i] + j)
            out[i] = total
        return out

    x = np.linspace(0, 1, 5_000)
    expected = work(x)
    with ThreadPoolExecutor(N_THREADS) as pool:
        outputs = list(pool.map(lambda _: work(x), range(4 * N_THREADS)))
    return {
        "layer": numba.threading_layer(),
        "equal": all(np.array_equal(o, expected) for o in outputs),
    }


def child_no_threadsafe_layer():
    """Neither TBB nor OpenMP loadable: rocketconv must still transform, and
    leave numba's parallel code (InceptionTime's kernels) on workqueue."""
    sys.modules["numba.np.ufunc.omppool"] = None  # import now fails
    sys.modules["numba.np.ufunc.tbbpool"] = None
    import numba

    from rocketconv import MiniRocket

    X, _, _ = _data()
    features = MiniRocket(n_features=168, n_jobs=2, random_state=0).fit_transform(X)

    @numba.njit(parallel=True)
    def doubled(x):
        out = np.empty_like(x)
        for i in numba.prange(len(x)):
            out[i] = 2 * x[i]
        return out

    assert doubled(np.arange(4.0))[3] == 6.0  # starts the threading layer
    return {
        "layer": numba.threading_layer(),
        "configured": numba.config.THREADING_LAYER,
        "finite": bool(np.isfinite(features).all()),
    }


def child_cache_entries():
    """Transform with ``n_jobs`` from the environment; report numba cache hits."""
    from rocketconv.transformers import minirocket, multirocket

    n_jobs = int(os.environ["ROCKETCONV_TEST_N_JOBS"])
    X, _, _ = _data()
    hits = {}
    for name, transformer in _transformers(n_jobs).items():
        if name not in ("MiniRocket", "MultiRocket"):
            continue
        transformer.fit_transform(X)
        module = minirocket if name == "MiniRocket" else multirocket
        hits[name] = sum(module._transform.stats.cache_hits.values())
    return {"hits": hits}


def child_one_cpu_affinity():
    """``n_jobs=-1`` in a process pinned to one CPU (taskset, containers)."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    import numba

    from rocketconv._validation import check_n_jobs

    return {"resolved": check_n_jobs(-1), "numba_max": numba.config.NUMBA_NUM_THREADS}


def _threads_in_worker():
    import numba
    from threadpoolctl import threadpool_info

    from rocketconv import MiniRocket
    from rocketconv._validation import check_n_jobs

    X, _, _ = _data()
    features = MiniRocket(n_features=168, n_jobs=-1, random_state=0).fit_transform(X)
    blas = [pool["num_threads"] for pool in threadpool_info()]
    return check_n_jobs(-1), max(blas or [1]), numba.get_num_threads(), features


def child_nested():
    """n_jobs=-1 estimators inside joblib's process workers (as in
    GridSearchCV(n_jobs=2)): numba and BLAS threads per worker x workers
    must not exceed the cores."""
    from joblib import Parallel, cpu_count, delayed

    from rocketconv import MiniRocket

    X, _, _ = _data()
    outer = 2
    results = Parallel(n_jobs=outer)(delayed(_threads_in_worker)() for _ in range(4))
    serial = MiniRocket(n_features=168, n_jobs=1, random_state=0).fit_transform(X)
    return {
        "cores": cpu_count(),
        "outer": outer,
        "numba_per_worker": max(r[0] for r in results),
        "blas_per_worker": max(r[1] for r in results),
        "equal": all(np.array_equal(r[3], serial) for r in results),
    }


SCENARIOS = {
    "one_cpu_affinity": child_one_cpu_affinity,
    "nested": child_nested,
    "cache_entries": child_cache_entries,
    "threads": child_threads,
    "joblib": child_joblib,
    "dask": child_dask,
    "nogil_probe": child_nogil_probe,
    "no_threadsafe_layer": child_no_threadsafe_layer,
}


# --------------------------------------------------------------------------
# parent side
# --------------------------------------------------------------------------
def run_child(scenario: str, **env_overrides) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_overrides}
    if "NUMBA_THREADING_LAYER" not in env_overrides:
        env.pop("NUMBA_THREADING_LAYER", None)  # test rocketconv's own choice
    try:
        return subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), scenario],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=env,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"scenario {scenario!r} deadlocked: no result in {TIMEOUT} s")


def child_result(scenario: str) -> dict:
    done = run_child(scenario)
    assert done.returncode == 0, (
        f"scenario {scenario!r} died with return code {done.returncode} "
        f"(negative: killed by signal)\n{done.stderr[-3000:]}"
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_transform_from_four_threads_equals_serial():
    result = child_result("threads")
    assert result["mismatches"] == []


def test_joblib_threads_over_cross_val_score():
    result = child_result("joblib")
    assert result["equal"]
    assert result["mean_accuracy"] > 0.7  # the models really learned something


def test_dask_threaded_scheduler():
    pytest.importorskip("dask")
    result = child_result("dask")
    assert all(result["equal"].values()), result["equal"]


def test_nogil_kernels_from_threads_are_safe_with_rocketconvs_layer():
    result = child_result("nogil_probe")
    assert result["equal"]
    assert result["layer"] in ("omp", "tbb")


def test_harness_catches_a_crashing_layer():
    """Self-test of the harness and the reason for the layer choice: under
    workqueue the same nogil probe aborts the child (SIGABRT), and the test
    sees a failed child instead of pytest dying."""
    done = run_child("nogil_probe", NUMBA_THREADING_LAYER="workqueue")
    assert done.returncode != 0
    assert "workqueue" in done.stderr


def test_n_jobs_2_runs_the_kernel_that_n_jobs_1_compiled(tmp_path):
    """One compiled kernel serves every ``n_jobs``: after ``n_jobs=1`` has
    filled the cache, ``n_jobs=2`` loads it and compiles nothing (it used to
    compile numba's parallel variant of each kernel, most of a first call)."""

    def hits(n_jobs):
        done = run_child(
            "cache_entries",
            NUMBA_CACHE_DIR=str(tmp_path),
            ROCKETCONV_TEST_N_JOBS=str(n_jobs),
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])["hits"]

    assert hits(1) == {"MiniRocket": 0, "MultiRocket": 0}  # compiled, saved
    assert hits(2) == {"MiniRocket": 1, "MultiRocket": 1}  # loaded, not compiled


def test_transformer_kernels_release_the_gil():
    """run_in_chunks' threads only run at once if the kernels drop the GIL."""
    from rocketconv.transformers import (
        _minirocket_univariate,
        hydra,
        minirocket,
        multirocket,
        rocket,
    )

    kernels = [_minirocket_univariate.transform] + [
        module._transform for module in (hydra, minirocket, multirocket, rocket)
    ]
    assert all(kernel.targetoptions.get("nogil") for kernel in kernels)


@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("n_items", [1, 5, 17, 100])
def test_run_in_chunks_covers_every_item_once(n_threads, n_items):
    from rocketconv._numba import run_in_chunks

    seen = np.zeros(n_items, dtype=int)
    chunks = []

    def work(start, stop):
        chunks.append((start, stop))
        seen[start:stop] += 1

    run_in_chunks(work, n_items, n_threads, max_chunk=7)
    assert (seen == 1).all()
    assert all(0 < stop - start <= 7 for start, stop in chunks)


def test_run_in_chunks_raises_a_chunks_error_after_all_stop():
    from rocketconv._numba import run_in_chunks

    done = []

    def work(start, stop):
        if start == 0:
            raise ValueError("bad chunk")
        done.append(start)

    with pytest.raises(ValueError, match="bad chunk"):
        run_in_chunks(work, 40, 2, max_chunk=5)
    assert len(done) == 7  # the other chunks ran to the end


@pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux-only"
)
def test_all_cores_means_the_cores_this_process_may_use():
    result = child_result("one_cpu_affinity")
    assert result["resolved"] == 1  # numba alone would count every core
    assert result["numba_max"] >= 1


def test_n_jobs_minus_one_inside_joblib_workers_does_not_oversubscribe():
    result = child_result("nested")
    cores = result["cores"]
    assert result["equal"]  # same features whatever the thread count
    # each of the `outer` workers gets its share of the cores (at least one)
    assert result["numba_per_worker"] == max(1, cores // result["outer"])
    assert result["blas_per_worker"] <= max(1, cores // result["outer"])


def test_without_tbb_or_openmp_rocketconv_falls_back_and_works():
    result = child_result("no_threadsafe_layer")
    assert result["finite"]
    assert result["layer"] == "workqueue"
    assert result["configured"] != "threadsafe"


if __name__ == "__main__":
    print(json.dumps(SCENARIOS[sys.argv[1]]()))
