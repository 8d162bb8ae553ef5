"""Out-of-core fit and predict: time, peak memory and accuracy.

A synthetic task (four classes: a Gaussian-windowed sine burst whose
frequency names the class, at a random place and phase, in unit Gaussian
noise; amplitude 0.5, so not trivially separable) is written once to
float32 ``.npy`` files (``--data-dir``, default a folder under the system's
temporary folder) and read back as ``numpy.memmap``. Case ``i`` depends on
the seed and ``i`` only, so the first N cases are the same for every size.
Each measurement runs in a fresh process and reports its peak resident
memory (``VmHWM`` of ``/proc/self/status``; the input pages it touches
included).

Modes (``--modes``, comma-separated; ``--sizes`` the training sizes):

* ``memmap``: ``RocketClassifier(estimator=--estimator)`` (MiniRocket) fit
  and predict on the memmaps; above ``ridge_max_cases`` "auto" is the exact
  streaming ridge;
* ``memory``: the same cases loaded into a numpy array, the in-memory ridge
  (``estimator="ridge"``): accuracy and agreement with ``memmap`` at the
  same size;
* ``softmax``: ``estimator="logistic"`` on the memmaps (the mini-batch
  softmax head streaming from the source; an epoch is a transform pass,
  and training stops early on a held-out validation set: ``sgd_steps``);
* ``dask``: ``memmap`` inside ``joblib.parallel_backend("dask")`` with a
  LocalCluster of ``--workers`` single-threaded worker processes (or
  ``--scheduler ADDRESS``, a running cluster whose workers see
  ``--data-dir``); peak memory of the client and of the largest worker;
* ``aeon``: aeon's MiniRocketClassifier on the cases loaded into memory,
  run by ``--peer-python`` (or $ROCKETCONV_PEER_PYTHON).

Examples::

    python benchmarks/out_of_core.py --sizes 20000 --modes memmap,memory
    python benchmarks/out_of_core.py --sizes 100000 --modes memmap,dask
    python benchmarks/out_of_core.py --sizes 1000000 --modes memmap,softmax \\
        --name out_of_core_1m
    python benchmarks/out_of_core.py --sizes 20000 --modes aeon \\
        --peer-python /path/to/peer-venv/bin/python

Writes ``benchmarks/results/<--name>.csv`` and ``.json``. Times are
suffixed ``_unquiet_machine`` with ``--unquiet`` (other work running).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PEER_ENV, write_results  # noqa: E402

GIB = 2**30
N_CLASSES = 4
GENERATE_BLOCK = 10_000
TEST_CASES = 10_000


def peak_gib() -> float:
    """Peak resident memory of this process (VmHWM), GiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / GIB
    raise RuntimeError("no VmHWM in /proc/self/status")


def synthetic_block(first: int, n_cases: int, length: int, seed: int):
    """Cases ``first : first + n_cases`` of the task, and their labels."""
    X = np.empty((n_cases, 1, length), dtype=np.float32)
    y = np.empty(n_cases, dtype=np.int64)
    t = np.arange(length)
    for i in range(n_cases):
        rng = np.random.default_rng([seed, first + i])
        label = int(rng.integers(N_CLASSES))
        centre, width = rng.uniform(0.2, 0.8) * length, length / 10
        period = length / (8 + 3 * label)
        burst = np.exp(-0.5 * ((t - centre) / width) ** 2) * np.sin(
            2 * np.pi * t / period + rng.uniform(0, 2 * np.pi)
        )
        X[i, 0] = 0.5 * burst + rng.standard_normal(length)
        y[i] = label
    return X, y


def make_data(folder: Path, split: str, n_cases: int, length: int) -> None:
    """``<split>_X.npy`` (float32 memmap) and ``<split>_y.npy``, once."""
    x_path, y_path = folder / f"{split}_X.npy", folder / f"{split}_y.npy"
    if y_path.exists() and np.load(x_path, mmap_mode="r").shape == (
        n_cases,
        1,
        length,
    ):
        return
    folder.mkdir(parents=True, exist_ok=True)
    seed = 0 if split == "train" else 1
    X = np.lib.format.open_memmap(
        x_path, mode="w+", dtype=np.float32, shape=(n_cases, 1, length)
    )
    y = np.empty(n_cases, dtype=np.int64)
    for first in range(0, n_cases, GENERATE_BLOCK):
        size = min(GENERATE_BLOCK, n_cases - first)
        X[first : first + size], y[first : first + size] = synthetic_block(
            first, size, length, seed
        )
    X.flush()
    del X
    np.save(y_path, y)


def _load(folder: Path, n_cases: int):
    X = np.load(folder / "train_X.npy", mmap_mode="r")[:n_cases]
    y = np.load(folder / "train_y.npy")[:n_cases]
    X_test = np.load(folder / "test_X.npy", mmap_mode="r")
    y_test = np.load(folder / "test_y.npy")
    return X, y, X_test, y_test


def _fit_predict(model, X, y, X_test, y_test) -> dict:
    start = time.perf_counter()
    model.fit(X, y)
    fit_seconds = time.perf_counter() - start
    fit_peak = peak_gib()
    start = time.perf_counter()
    predicted = model.predict(X_test)
    return {
        "fit_seconds": fit_seconds,
        "predict_seconds": time.perf_counter() - start,
        "fit_peak_gib": fit_peak,
        "peak_gib": peak_gib(),
        "accuracy": float((predicted == y_test).mean()),
        "head": getattr(model, "head_kind_", ""),
        "predicted": predicted,
    }


def worker(mode: str, n_cases: int, args: argparse.Namespace) -> dict:
    """One measurement (in its own process)."""
    import joblib

    from rocketconv import MiniRocket, RocketClassifier

    folder = Path(args.data_dir)
    X, y, X_test, y_test = _load(folder, n_cases)
    # compile (or load numba's cache) outside the measurement
    MiniRocket(random_state=0, n_jobs=args.n_jobs).fit_transform(
        np.asarray(X_test[:20])
    )
    estimator = {"memory": "ridge", "softmax": "logistic"}.get(mode, args.estimator)
    model = RocketClassifier(estimator=estimator, n_jobs=args.n_jobs, random_state=0)
    if mode == "memory":
        X = np.array(X)
    if mode != "dask":
        result = _fit_predict(model, X, y, X_test, y_test)
    else:
        from distributed import Client, LocalCluster

        cluster = args.scheduler or LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        with Client(cluster) as client, joblib.parallel_backend("dask"):
            result = _fit_predict(model, X, y, X_test, y_test)
            peaks = client.run(peak_gib)
            result["worker_peak_gib"] = max(peaks.values())
            result["n_workers"] = len(peaks)
    head = model.head_[-1] if hasattr(model.head_, "steps") else None
    result["alpha"] = getattr(head, "alpha_", np.nan)
    # the mini-batch softmax: SGD steps taken before early stopping
    result["sgd_steps"] = getattr(model.head_, "n_updates_", np.nan)
    np.save(folder / f"predicted_{mode}_{n_cases}.npy", result.pop("predicted"))
    return result


def measure_aeon(n_cases: int, args: argparse.Namespace) -> dict:
    """aeon's MiniRocketClassifier in the peer interpreter (fresh process)."""
    peer = args.peer_python or os.environ.get(PEER_ENV)
    if not peer:
        return {"error": "no --peer-python"}
    folder = Path(args.data_dir)
    script = f"""
import json, time, numpy as np
from aeon.classification.convolution_based import MiniRocketClassifier
X = np.load({str(folder / "train_X.npy")!r}, mmap_mode="r")
X = np.array(X[:{n_cases}])
y = np.load({str(folder / "train_y.npy")!r})[:{n_cases}]
Xt = np.array(np.load({str(folder / "test_X.npy")!r}, mmap_mode="r"))
yt = np.load({str(folder / "test_y.npy")!r})
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
m = MiniRocketClassifier(random_state=0, n_jobs={args.n_jobs})
s = time.perf_counter(); m.fit(X, y); f = time.perf_counter() - s; fp = peak()
s = time.perf_counter(); p = m.predict(Xt); t = time.perf_counter() - s
print(json.dumps(dict(fit_seconds=f, predict_seconds=t, fit_peak_gib=fp,
    peak_gib=peak(), accuracy=float((p == yt).mean()), head="aeon")))
"""
    result = subprocess.run([peer, "-c", script], capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": f"exit {result.returncode}: {result.stderr[-300:]}"}
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(mode: str, n_cases: int, args: argparse.Namespace, argv: list) -> dict:
    if mode == "aeon":
        row = measure_aeon(n_cases, args)
    else:
        command = [sys.executable, __file__, *argv, "--worker", mode, str(n_cases)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            row = {"error": f"exit {done.returncode}: {done.stderr[-300:]}"}
        else:
            row = json.loads(done.stdout.strip().splitlines()[-1])
    return {"mode": mode, "n_cases": n_cases, **row}


def _agreement(table: pd.DataFrame, folder: Path) -> list:
    """Share of test predictions each mode shares with ``memmap`` at its size."""
    shared = []
    for row in table.itertuples():
        reference = folder / f"predicted_memmap_{row.n_cases}.npy"
        own = folder / f"predicted_{row.mode}_{row.n_cases}.npy"
        if row.mode != "aeon" and reference.exists() and own.exists():
            shared.append(float((np.load(reference) == np.load(own)).mean()))
        else:
            shared.append(np.nan)
    return shared


def main(argv: list | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--modes", default="memmap,memory")
    parser.add_argument("--length", type=int, default=500)
    parser.add_argument("--estimator", default="auto")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", default=None, help="dask scheduler address")
    parser.add_argument("--peer-python", default=None)
    parser.add_argument(
        "--data-dir",
        default=str(Path(tempfile.gettempdir()) / "rocketconv-out-of-core"),
    )
    parser.add_argument("--unquiet", action="store_true")
    parser.add_argument("--name", default="out_of_core", help="results stem")
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker[0], int(args.worker[1]), args)))
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    folder = Path(args.data_dir)
    make_data(folder, "train", max(sizes), args.length)
    make_data(folder, "test", TEST_CASES, args.length)
    rows = []
    for n_cases in sizes:
        for mode in args.modes.split(","):
            rows.append(measure(mode, n_cases, args, argv))
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    table["agreement_with_memmap"] = _agreement(table, folder)
    if args.unquiet:
        table = table.rename(
            columns={c: f"{c}_unquiet_machine" for c in table if "seconds" in c}
        )
    notes = {
        "task": "4-class synthetic: windowed sine burst (period L/(8+3k)) at a "
        "random place and phase, amplitude 0.5, in unit Gaussian noise; "
        f"length {args.length}, float32 .npy memmaps; {TEST_CASES} test cases",
        "model": f"RocketClassifier(MiniRocket, n_jobs={args.n_jobs}, "
        "random_state=0); peak memory: VmHWM of a fresh process",
        "unquiet": bool(args.unquiet),
    }
    write_results(table, args.name, notes=notes)
    with pd.option_context("display.width", 200):
        print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
