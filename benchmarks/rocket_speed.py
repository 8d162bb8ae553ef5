"""Speed of rocketconv's Rocket against aeon's and sktime's Rocket.

Times fit + transform (10,000 kernels) for (n_cases, length) in
{(1000, 500), (200, 5000)}, univariate and 6 channels, n_jobs 1 and 2, on
the same random-walk data (saved to .npy and read by the peers, which run in
/work/venv-aeon through a subprocess). rocketconv runs on all cases; aeon and
sktime, about 10x slower, run on the first ``--peer-fraction`` of the cases
and their times are scaled linearly to the full count (transform time is
linear in n_cases; fit draws kernels only). Steady state: each library is
warmed up (numba compiled) first, then the best of ``--repeats`` runs is
kept, because the 2-core machine is shared. First-call compile time is
measured separately in fresh processes with an empty NUMBA_CACHE_DIR.

Usage::

    python benchmarks/rocket_speed.py [--quick] [--repeats 3]
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

PEER_PYTHON = os.environ.get("PEER_PYTHON", "/work/venv-aeon/bin/python")
RESULTS = Path(__file__).parent / "results"

PEER_SCRIPT = r"""
import json, sys, time, warnings
import numpy as np
warnings.filterwarnings("ignore")
path, n_cases, n_jobs, repeats, libs = sys.argv[1:6]
n_cases, n_jobs, repeats = int(n_cases), int(n_jobs), int(repeats)
X = np.load(path)[:n_cases]

def make(lib):
    if lib == "aeon":
        from aeon.transformations.collection.convolution_based import Rocket
        return Rocket(n_kernels=10_000, n_jobs=n_jobs, random_state=0)
    from sktime.transformations.panel.rocket import Rocket
    return Rocket(num_kernels=10_000, n_jobs=n_jobs, random_state=0)

out = {}
for lib in libs.split(","):
    make(lib).fit(X[:4]).transform(X[:4])  # compile / load numba caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        make(lib).fit(X).transform(X)
        times.append(time.perf_counter() - start)
    out[lib] = min(times)
print(json.dumps(out))
"""

COMPILE_SCRIPT = r"""
import sys, time, warnings
import numpy as np
warnings.filterwarnings("ignore")
lib = sys.argv[1]
X = np.random.default_rng(0).normal(size=(4, 2, 50))
start = time.perf_counter()
if lib == "rocketconv":
    from rocketconv import Rocket
    Rocket(n_kernels=100, random_state=0).fit(X).transform(X)
    Rocket(n_kernels=100, random_state=0).fit(X[:, :1]).transform(X[:, :1])
elif lib == "aeon":
    from aeon.transformations.collection.convolution_based import Rocket
    Rocket(n_kernels=100, random_state=0).fit(X).transform(X)
    Rocket(n_kernels=100, random_state=0).fit(X[:, :1]).transform(X[:, :1])
else:
    from sktime.transformations.panel.rocket import Rocket
    Rocket(num_kernels=100, random_state=0).fit(X).transform(X)
    Rocket(num_kernels=100, random_state=0).fit(X[:, :1]).transform(X[:, :1])
print(time.perf_counter() - start)
"""


def random_walks(n_cases: int, n_channels: int, length: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.normal(size=(n_cases, n_channels, length)).cumsum(axis=2)


def time_rocketconv(X: np.ndarray, n_jobs: int, repeats: int) -> float:
    from rocketconv import Rocket

    Rocket(n_kernels=10_000, n_jobs=n_jobs, random_state=0).fit(X[:4]).transform(X[:4])
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        Rocket(n_kernels=10_000, n_jobs=n_jobs, random_state=0).fit(X).transform(X)
        times.append(time.perf_counter() - start)
    return min(times)


def time_peers(path: Path, n_cases: int, n_jobs: int, repeats: int) -> dict:
    result = subprocess.run(
        [PEER_PYTHON, "-c", PEER_SCRIPT, str(path), str(n_cases), str(n_jobs)]
        + [str(repeats), "aeon,sktime"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def compile_times() -> pd.DataFrame:
    rows = []
    for lib, python in (
        ("rocketconv", sys.executable),
        ("aeon", PEER_PYTHON),
        ("sktime", PEER_PYTHON),
    ):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, NUMBA_CACHE_DIR=cache)
            timings = []
            for _ in range(2):  # cold (empty cache), then cached
                start = time.perf_counter()
                result = subprocess.run(
                    [python, "-c", COMPILE_SCRIPT, lib],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                total = time.perf_counter() - start
                timings.append((float(result.stdout.strip().splitlines()[-1]), total))
        rows.append(
            {
                "library": lib,
                "first call, empty cache (s)": timings[0][0],
                "first call, cached (s)": timings[1][0],
                "process incl. imports, empty cache (s)": timings[0][1],
            }
        )
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10x fewer cases")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--peer-repeats", type=int, default=2)
    parser.add_argument("--peer-fraction", type=float, default=0.1)
    args = parser.parse_args(argv)

    shapes = [(1000, 500), (200, 5000)]
    if args.quick:
        shapes = [(n // 10, length) for n, length in shapes]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n_cases, length in shapes:
            for n_channels in (1, 6):
                X = random_walks(n_cases, n_channels, length)
                path = Path(tmp) / f"X_{n_cases}_{n_channels}_{length}.npy"
                np.save(path, X)
                n_peer = max(4, int(round(n_cases * args.peer_fraction)))
                for n_jobs in (1, 2):
                    ours = time_rocketconv(X, n_jobs, args.repeats)
                    peers = time_peers(path, n_peer, n_jobs, args.peer_repeats)
                    scale = n_cases / n_peer
                    row = {
                        "n_cases": n_cases,
                        "length": length,
                        "channels": n_channels,
                        "n_jobs": n_jobs,
                        "rocketconv (s)": ours,
                        "aeon (s)": peers["aeon"] * scale,
                        "sktime (s)": peers["sktime"] * scale,
                        "peer cases timed": n_peer,
                    }
                    row["aeon / rocketconv"] = row["aeon (s)"] / ours
                    row["sktime / rocketconv"] = row["sktime (s)"] / ours
                    rows.append(row)
                    print(pd.DataFrame([row]).to_string(index=False), flush=True)
    table = pd.DataFrame(rows)
    compiled = compile_times()
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "rocket_speed.csv", index=False)
    compiled.to_csv(RESULTS / "rocket_compile.csv", index=False)
    pd.set_option("display.width", 200)
    print("\nSteady state, fit + transform, 10,000 kernels, best of", args.repeats)
    print(
        f"(aeon/sktime timed on {args.peer_fraction:.0%} of the cases, best of "
        f"{args.peer_repeats}, scaled linearly)"
    )
    print(table.round(2).to_string(index=False))
    print("\nFirst call (100 kernels, uni + multivariate), fresh process")
    print(compiled.round(2).to_string(index=False))


if __name__ == "__main__":
    main()
