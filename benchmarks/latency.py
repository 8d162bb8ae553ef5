"""Latency of small calls: ``transform`` of 1 and 10 cases by a fitted
transformer, and ``predict`` of one case by a fitted ``RocketClassifier``,
the time an application waits for each new series.

Each library runs in its own fresh process, fits on 100 random series of
length 500 (``--length``), warms up, then times ``--calls`` calls of each
kind; the table gives the median and the fastest call. Compile time is
outside (warm-up). ``--before PATH`` runs an older rocketconv package (say
``git archive COMMIT rocketconv | tar -x -C PATH``) in turn with this
checkout's; ``--peer-python PATH`` adds aeon's transformer of the same name
(transform only). Processes alternate ``--repeats`` times, best median kept.

    python benchmarks/latency.py [--before PATH --before-label COMMIT]
        [--peer-python PATH] [--repeats 3] [--name latency]

Writes ``benchmarks/results/<--name>.csv`` and its companion ``.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    add_before_argument,
    add_peer_argument,
    libraries_to_run,
    write_results,
)

TRANSFORMERS = ("MiniRocket", "MultiRocket")


def timed(call, n_calls: int) -> tuple[float, float]:
    """Median and fastest wall time of ``n_calls`` calls, in milliseconds."""
    times = []
    for _ in range(n_calls):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times)), 1e3 * float(np.min(times))


def worker(library: str, length: int, n_calls: int) -> None:
    """Fit, warm up and time; prints one JSON row per (transformer, call)."""
    X = np.random.default_rng(0).normal(size=(100, 1, length))
    y = np.arange(100) % 2
    rows = []
    for name in TRANSFORMERS:
        if library == "aeon":
            from aeon.transformations.collection import convolution_based

            model = getattr(convolution_based, name)(random_state=0).fit(X)
            calls = {}
        else:
            import rocketconv

            model = getattr(rocketconv, name)(random_state=0).fit(X)
            clf = rocketconv.RocketClassifier(name.lower(), random_state=0).fit(X, y)
            calls = {"predict 1 case": lambda clf=clf: clf.predict(X[:1])}
        calls["transform 1 case"] = lambda model=model: model.transform(X[:1])
        calls["transform 10 cases"] = lambda model=model: model.transform(X[:10])
        for call in calls.values():
            call()  # compile / warm up
        for what, call in calls.items():
            median, fastest = timed(call, n_calls)
            rows.append(
                {"transformer": name, "call": what, "median_ms": median,
                 "fastest_ms": fastest}
            )  # fmt: skip
    print(json.dumps(rows))


def run(python: str, library: str, env: dict, length: int, n_calls: int) -> list:
    """One fresh worker process; its rows."""
    command = [python, __file__, "--worker", library, "--length", str(length)]
    command += ["--calls", str(n_calls)]
    done = subprocess.run(
        command, capture_output=True, text=True, check=True, env={**os.environ, **env}
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    add_peer_argument(parser)
    parser.add_argument("--length", type=int, default=500)
    parser.add_argument("--calls", type=int, default=300, help="timed calls each")
    parser.add_argument("--repeats", type=int, default=3, help="processes each")
    parser.add_argument("--name", default="latency", help="results stem")
    add_before_argument(parser)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.length, args.calls)
        return
    libraries = libraries_to_run(args)
    rows = []
    for _ in range(args.repeats):
        for label, library, python, env in libraries:
            for row in run(python, library, env, args.length, args.calls):
                rows.append({"library": label, **row})
                print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    keys = ["transformer", "call", "library"]
    table = table.groupby(keys, sort=False).min().reset_index()
    notes = {
        "method": f"fresh process per library, fit on 100 x 1 x {args.length} "
        f"random series, warm-up call, then {args.calls} timed calls of each "
        f"kind, n_jobs=1; median and fastest call; best median of "
        f"{args.repeats} alternating processes",
    }
    write_results(table, args.name, notes=notes)
    with pd.option_context("display.width", 200):
        print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
