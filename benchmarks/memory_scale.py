"""Peak memory at scale: MiniRocket transform and RocketClassifier fit.

Each measurement runs in a fresh process and reads its peak resident set
size (``resource.getrusage(...).ru_maxrss``), so numba's and numpy's own
allocations are all counted. Reported per run:

* ``baseline_gib``: RSS after importing, compiling (on 10 cases) and
  creating the float64 input;
* ``peak_gib``: peak RSS of the whole run;
* ``output_gib``: size of the float32 feature matrix;
* ``overhead_gib = peak - baseline - output``: what the transform (or fit)
  needs beyond its input and its output.

    python benchmarks/memory_scale.py                      # both, full size
    python benchmarks/memory_scale.py --transform-cases 20000 --classifier-cases 0

Writes ``benchmarks/results/<--name>.csv`` (default ``memory_scale``) and
its companion ``.json`` (machine facts).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_results  # noqa: E402

GIB = 2**30


def _rss_gib() -> float:
    """Current RSS from /proc (Linux), else the peak so far."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / GIB
    except OSError:
        return _peak_gib()


def _peak_gib() -> float:
    import resource

    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib * (1 if sys.platform != "darwin" else 1 / 1024) / 2**20


def worker(mode: str, n_cases: int, length: int, n_jobs: int) -> None:
    import numpy as np

    from rocketconv import MiniRocket, RocketClassifier

    rng = np.random.default_rng(0)
    X = rng.standard_normal((n_cases, 1, length))  # float64, as users pass it
    if mode == "transform":
        model = MiniRocket(n_features=10_000, n_jobs=n_jobs, random_state=0)
        model.fit(X[:1000]).transform(X[:10])  # compile outside the peak
        baseline = _rss_gib()
        start = time.perf_counter()
        features = model.transform(X)
        extra = {}
    else:
        y = (X[:, 0, :50].mean(axis=1) > 0).astype(int)
        # compile the transform on a small problem outside the peak
        MiniRocket(random_state=0, n_jobs=n_jobs).fit_transform(X[:10])
        baseline = _rss_gib()
        start = time.perf_counter()
        model = RocketClassifier(estimator="auto", n_jobs=n_jobs, random_state=0)
        model.fit(X, y)
        features = np.empty((n_cases, model.transformer_._n_features_out), np.float32)
        extra = {"head": model.head_kind_}
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "mode": mode,
                "n_cases": n_cases,
                "length": length,
                "n_jobs": n_jobs,
                "seconds": seconds,
                "baseline_gib": baseline,
                "peak_gib": _peak_gib(),
                "output_gib": features.nbytes / GIB,
                **extra,
            }
        )
    )


def measure(mode: str, n_cases: int, length: int, n_jobs: int) -> dict:
    """One worker process; its JSON line, or the error."""
    command = [
        sys.executable, __file__, "--worker", mode, str(n_cases), str(length),
        str(n_jobs),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return {"mode": mode, "n_cases": n_cases, "error": result.stderr[-300:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--transform-cases", type=int, default=100_000)
    parser.add_argument("--classifier-cases", type=int, default=60_000)
    parser.add_argument("--length", type=int, default=500)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--name", default="memory_scale", help="results stem")
    args = parser.parse_args(argv)
    if args.worker:
        mode, n_cases, length, n_jobs = args.worker
        worker(mode, int(n_cases), int(length), int(n_jobs))
        return
    rows = []
    for mode, n_cases in (
        ("transform", args.transform_cases),
        ("classifier", args.classifier_cases),
    ):
        if n_cases > 0:
            rows.append(measure(mode, n_cases, args.length, args.n_jobs))
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    if "peak_gib" in table:
        table["overhead_gib"] = table.peak_gib - table.baseline_gib - table.output_gib
    notes = {
        "inputs": f"standard normal float64 series, length {args.length}, "
        "numpy seed 0; MiniRocket(n_features=10_000) transform and "
        "RocketClassifier(estimator='auto') fit, each in a fresh process",
    }
    write_results(table, args.name, notes=notes)
    with pd.option_context("display.width", 200):
        print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
