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

Writes ``benchmarks/results/<--name>.csv`` (default ``ppv_throughput``)
and its ``.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numba
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_results  # noqa: E402
from roofline import measured_clock_ghz  # noqa: E402

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


def loop_rate(span: int, n_biases: int, min_compares: float = 2e8) -> float:
    """Compares per second of the PPV loop: best of three timed runs."""
    rng = np.random.default_rng(span)
    segment = rng.normal(size=span).astype(np.float32)
    biases = np.sort(rng.normal(size=n_biases)).astype(np.float32)
    out = np.empty(n_biases, dtype=np.float32)
    repeats = max(1, int(min_compares // (span * n_biases)))
    _repeat_ppv(segment, biases, out, 2)
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        _repeat_ppv(segment, biases, out, repeats)
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
        for n_biases in args.biases:
            rate = loop_rate(span, n_biases)
            rows.append(
                {
                    "span": span,
                    "n_biases": n_biases,
                    "compares_per_ns": rate / 1e9,
                    "compares_per_cycle": rate / (clock * 1e9),
                }
            )
    table = pd.DataFrame(rows)
    notes = {
        "clock_ghz_measured": clock,
        "method": "one PPV call per repeat over the same float32 output (L1); "
        "best of 3 runs of >= 2e8 compares; clock from a dependent integer chain",
    }
    write_results(table, args.name, notes=notes)
    print(f"clock {clock:.2f} GHz")
    print(table.round(2).to_string(index=False))


if __name__ == "__main__":
    main()
