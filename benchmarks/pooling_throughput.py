"""How fast MultiRocket's pooling runs on this core, alone.

Times ``rocketconv.transformers.multirocket._pool`` (PPV, LSPV, MPV and MIPV
of every bias of one kernel output), compiled by numba as in the
transform, over one output of ``--spans`` points again and again (the
output stays in L1), for ``--biases`` biases. ``cycles_per_point_and_bias``
= time x clock / (span x biases), with the clock measured by
``roofline.measured_clock_ghz`` (a dependent integer chain, so turbo is
included).

A MultiRocket (dilation, kernel) pair pools its biases over one output;
this loop's rate per bias count says what the pooling costs per pair. The
notes record how the biases spread over pairs at each length (fewer per
pair at long lengths). To compare two versions of the
code, run the script once per version (for example with an older checkout
first on ``PYTHONPATH``) and say which in ``--code``.

    python benchmarks/pooling_throughput.py --spans 150 500 5000 --code HEAD

Writes ``benchmarks/results/<--name>.csv`` (default ``pooling_throughput``)
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

from rocketconv.transformers.multirocket import _pool  # noqa: E402


@numba.njit
def _repeat_pool(output, span, biases, row, repeats):
    """``repeats`` poolings of ``output[:span]``; the first bias moves a
    little each time so no call can be hoisted out of the loop."""
    total = 0.0
    for r in range(repeats):
        biases[0] = np.float32(r % 7) * np.float32(1e-3)
        _pool(output, 0, span, biases, row, 0, len(biases))
        total += row[0]
    return total


def seconds_per_point_and_bias(
    span: int, n_biases: int, min_work: float = 5e7
) -> float:
    """Best of three timed runs of at least ``min_work`` (point, bias) pairs."""
    rng = np.random.default_rng(span)
    output = rng.normal(size=span).astype(np.float32)
    biases = np.sort(rng.normal(scale=0.5, size=n_biases)).astype(np.float32)
    row = np.empty(4 * n_biases, dtype=np.float32)
    repeats = max(1, int(min_work // (span * n_biases)))
    _repeat_pool(output, span, biases, row, 2)
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        _repeat_pool(output, span, biases, row, repeats)
        best = min(best, time.perf_counter() - start)
    return best / (span * n_biases * repeats)


def biases_per_pair(span: int) -> dict:
    """How MultiRocket (default settings, fitted on 20 random series of
    length ``span``) spreads its biases over (dilation, kernel) pairs."""
    from rocketconv import MultiRocket

    X = np.random.default_rng(0).normal(size=(20, 1, span)).astype(np.float32)
    info = MultiRocket(random_state=0).fit(X).feature_info()
    sizes = (
        info[info.pooling == "ppv"]
        .groupby(["representation", "dilation", "kernel"])
        .size()
    )
    return {
        "median_biases_per_pair": float(sizes.median()),
        "share_of_biases_in_pairs_of_more_than_4": float(
            sizes[sizes > 4].sum() / sizes.sum()
        ),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spans", type=int, nargs="+", default=[150, 500, 5000])
    parser.add_argument("--biases", type=int, nargs="+", default=[1, 2, 3, 4, 5, 8, 12])
    parser.add_argument(
        "--code", default="HEAD", help="which rocketconv code ran (a commit)"
    )
    parser.add_argument("--name", default="pooling_throughput", help="results stem")
    args = parser.parse_args(argv)
    clock = measured_clock_ghz()
    table = pd.MultiIndex.from_product(
        [args.spans, args.biases], names=["span", "n_biases"]
    ).to_frame(index=False)
    seconds = np.array(
        [seconds_per_point_and_bias(*pair) for pair in table.itertuples(index=False)]
    )
    table["ns_per_point_and_bias"] = seconds * 1e9
    table["cycles_per_point_and_bias"] = seconds * clock * 1e9
    notes = {
        "code": args.code,
        "biases_per_pair_by_length": {
            span: biases_per_pair(span) for span in args.spans
        },
        "clock_ghz_measured": clock,
        "method": "one _pool call per repeat over the same float32 output (L1); "
        "best of 3 runs of >= 5e7 (point, bias) pairs; clock from a dependent "
        "integer chain",
    }
    write_results(table, args.name, notes=notes)
    print(f"clock {clock:.2f} GHz")
    print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
