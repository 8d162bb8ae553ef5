"""How fast MiniRocket's PPV counting loop runs on this core, alone.

The roofline (``roofline.py``) divides operation counts by a pipe model's
peak; this script measures the peak the counting loop itself reaches: the
loop of ``rocketconv.transformers.minirocket._ppv`` (four biases per pass,
then one), compiled by numba as in the transform, run over one output of
``--spans`` points again and again (the output stays in L1), for one to
eight biases. ``compares_per_cycle`` = biases x span / time / clock, with
the clock measured by ``roofline.measured_clock_ghz`` (a dependent integer
chain, so turbo is included).

The MiniRocket transform pools ~120 biases per kernel over ~84 x 23
outputs (length 500): if its time per series divided by its compares
equals this loop's rate, PPV runs at the loop's own limit and only a
different loop (wider vectors, fewer passes) can be faster.

    python benchmarks/ppv_throughput.py --spans 150 500 5000

Two loops, each a ``loop`` row of the table: ``ppv``, the multichannel
kernel's (above, over the stored output ``C``), and ``lanes``, the
one-channel kernel's (``_minirocket_univariate._count_above``: ``C = pair
+ gamma`` added on the fly, counted in eight-point vectors with a masked
last block by ``_counting_lanes.count_above``), over the same values.

Writes ``benchmarks/results/<--name>.csv`` (default ``ppv_throughput``)
and its ``.json``.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import sys
import time
from pathlib import Path

import numba
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_results  # noqa: E402
from roofline import measured_clock_ghz  # noqa: E402

from rocketconv.transformers._counting_lanes import SLACK  # noqa: E402
from rocketconv.transformers._minirocket_univariate import (  # noqa: E402
    _count_above,
)
from rocketconv.transformers.minirocket import _ppv  # noqa: E402


@numba.njit
def _repeat_ppv(segment, biases, out, repeats):
    """``repeats`` PPV passes over ``segment``; biases move a little each
    time so no pass can be hoisted out of the loop."""
    total = 0.0
    for r in range(repeats):
        biases[0] = np.float32(r % 7) * np.float32(1e-3)
        _ppv(segment, biases, out)
        total += out[0]
    return total


@numba.njit
def _repeat_lanes(pair, gamma, span, biases, counts, repeats):
    """``repeats`` passes of the one-channel counting over ``pair + gamma``."""
    total = 0
    for r in range(repeats):
        biases[0] = np.float32(r % 7) * np.float32(1e-3)
        counts[:] = 0
        _count_above(pair, 0, gamma, 0, span, biases, counts)
        total += counts[0]
    return total


def loop_rate(loop: str, span: int, n_biases: int, min_compares: float = 2e8) -> float:
    """Compares per second of one loop (``ppv`` or ``lanes``): best of
    three timed runs."""
    rng = np.random.default_rng(span)
    pair = rng.normal(size=span + SLACK).astype(np.float32)
    gamma = rng.normal(size=span + SLACK).astype(np.float32)
    segment = pair[:span] + gamma[:span]
    biases = np.sort(rng.normal(size=n_biases)).astype(np.float32)
    repeats = max(1, int(min_compares // (span * n_biases)))
    if loop == "ppv":
        out = np.empty(n_biases, dtype=np.float32)
        run = functools.partial(_repeat_ppv, segment, biases, out)
    else:
        counts = np.empty(n_biases, dtype=np.int32)
        run = functools.partial(_repeat_lanes, pair, gamma, span, biases, counts)
    run(2)
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        run(repeats)
        best = min(best, time.perf_counter() - start)
    return span * n_biases * repeats / best


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spans", type=int, nargs="+", default=[150, 500, 5000])
    parser.add_argument("--biases", type=int, nargs="+", default=[1, 3, 4, 8])
    parser.add_argument("--name", default="ppv_throughput", help="results stem")
    args = parser.parse_args(argv)
    clock = measured_clock_ghz()
    rows = []
    for span in args.spans:
        for n_biases, loop in itertools.product(args.biases, ("ppv", "lanes")):
            rate = loop_rate(loop, span, n_biases)
            rows.append(
                {
                    "loop": loop,
                    "span": span,
                    "n_biases": n_biases,
                    "compares_per_ns": rate / 1e9,
                    "compares_per_cycle": rate / (clock * 1e9),
                }
            )
    table = pd.DataFrame(rows)
    notes = {
        "clock_ghz_measured": clock,
        "method": "one call per repeat over the same float32 values (L1): "
        "ppv = minirocket._ppv over C, lanes = _minirocket_univariate._count_above "
        "over pair + gamma; "
        "best of 3 runs of >= 2e8 compares; clock from a dependent integer chain",
    }
    write_results(table, args.name, notes=notes)
    print(f"clock {clock:.2f} GHz")
    print(table.round(2).to_string(index=False))


if __name__ == "__main__":
    main()
