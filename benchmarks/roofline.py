"""Roofline per kernel: how far each transform is from the core's peak.

For each transformer and univariate shape of a ``compare_peers.py`` results
file (rocketconv rows, ``n_jobs=1``), this script counts the float32 vector
operations one series needs -- from the fitted transformer's
``feature_info()``, so the count follows the model actually timed -- and
compares the measured transform time per series with the time a core needs
for those operations at its peak issue rate:

* ``fp_mul`` -- FMAs, multiplies, compares and max (Zen 4: pipes FP0/FP1);
* ``fp_add`` -- float additions (Zen 4: pipes FP2/FP3);
* ``serial`` -- steps of a loop-carried chain that does not vectorise
  (MultiRocket's longest stretch, Hydra's scatter of winners), one per cycle;
* ``vec_int`` -- vector integer additions: a PPV count adds its compare's
  mask (``vpsubd``), one per compare. On Zen they issue to any of the four
  FP pipes, on Intel to the ports of the float additions, so they take
  issue slots from both classes.

Pipe model (float32 lanes per cycle and core), chosen by ``--model`` or from
``/proc/cpuinfo``: ``zen`` (AMD Zen 2-4: two 256-bit FMA/compare pipes and two
256-bit add pipes; AVX-512 is split into 256-bit halves, so 16 + 16 lanes),
``intel-avx512`` (two 512-bit FMA units on ports 0 and 5, shared by every
class: 32 lanes), ``intel-avx2`` (two 256-bit FMA ports shared: 16 lanes),
``intel-ymm`` (what numba's LLVM emits on Intel cores whose tuning prefers
256-bit vectors, AVX-512 or not: compares, multiplies and FMAs on ports 0
and 1, 16 lanes; additions on ports 0, 1 and 5, 24 lanes shared with them).
Each model gives the lanes a cycle for ``fp_mul``, for ``fp_add`` and for
both together (the ports they share); the bound is ``max(fp_mul /
mul_lanes, fp_add / add_lanes, (fp_mul + fp_add) / total_lanes) + serial``
cycles (``zen``: separate pipes, total 32; the Intel models: one set of
ports, total = their widest class), at the nominal clock
(``--clock-ghz``, default the ``cpu MHz`` of ``/proc/cpuinfo``) or, with
``--measure-clock``, at the clock a chain of dependent one-cycle integer
operations runs at here (turbo included: a virtual machine's ``cpu MHz``
is often the base clock). It
ignores loads and stores (each kernel reuses a loaded value for several
biases or taps), so it is a lower bound on time: ``fraction_of_peak`` =
bound / measured. ``bound_with_int`` also counts ``vec_int`` among the
operations that share all the vector pipes (``(fp_mul + fp_add + vec_int)
/ total_lanes``), the bound of the instruction mix the kernels issue;
``fraction_of_peak_with_int`` = that bound / measured.

    python benchmarks/roofline.py benchmarks/results/compare_peers_j1.csv

Writes ``benchmarks/results/<--name>.csv`` (default ``roofline``) and its
``.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_results  # noqa: E402

MODELS = {
    # name: (lanes per cycle for fp_mul, for fp_add, for both together)
    "zen": (16, 16, 32),
    "intel-avx512": (32, 32, 32),
    "intel-avx2": (16, 16, 16),
    "intel-ymm": (16, 24, 24),
}
MINIROCKET_TAPS = 9


def cpu_model_and_clock() -> tuple[str, float]:
    """The pipe model and nominal clock (GHz) of this machine."""
    text = Path("/proc/cpuinfo").read_text()
    mhz = [float(line.split(":")[1]) for line in text.splitlines() if "MHz" in line]
    if "AuthenticAMD" in text:
        model = "zen"
    elif " avx512f" in text:
        model = "intel-avx512"
    else:
        model = "intel-avx2"
    return model, (max(mhz) / 1000 if mhz else 3.0)


def measured_clock_ghz(steps: int = 200_000_000) -> float:
    """The core's clock while busy, from a chain of dependent one-cycle
    integer operations (xorshift64: a shift and an xor per step, three
    steps per iteration), best of three runs."""
    import time

    import numba

    @numba.njit
    def chain(n, x):
        for _ in range(n):
            x ^= x << np.uint64(13)
            x ^= x >> np.uint64(7)
            x ^= x << np.uint64(17)
        return x

    chain(10, np.uint64(1))
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        chain(steps, np.uint64(88172645463325252))
        best = min(best, time.perf_counter() - start)
    return 6 * steps / best / 1e9


def valid_span(length: int, info: pd.DataFrame) -> np.ndarray:
    """Outputs a feature pools over: all ``length`` with padding, else the
    part where the kernel does not overhang the series."""
    overhang = (info.kernel_length - 1) * info.dilation
    valid = np.maximum(length - overhang, 1)
    return np.where(info.padding > 0, length, valid)


def minirocket_style(info: pd.DataFrame, length: int, pooled: dict) -> dict:
    """MiniRocket/MultiRocket: per dilation the 9-tap sum (9 adds per output),
    per (dilation, kernel) 3 adds per output, per feature its pooling ops."""
    info = info.assign(kernel_length=MINIROCKET_TAPS)
    dilations = info.groupby("representation").dilation.nunique().sum()
    pairs = len(info.drop_duplicates(["representation", "dilation", "kernel"]))
    spans = valid_span(length, info)
    counts = {"fp_mul": 0.0, "fp_add": (9 * dilations + 3 * pairs) * length}
    counts["serial"] = counts["vec_int"] = 0.0
    for op, (mul, add, serial, vec_int) in pooled.items():
        span = spans[info.pooling.to_numpy() == op].sum()
        counts["fp_mul"] += mul * span
        counts["fp_add"] += add * span
        counts["serial"] += serial * span
        counts["vec_int"] += vec_int * span
    return counts


def rocket_counts(info: pd.DataFrame, length: int) -> dict:
    """ROCKET: k FMAs per output of each kernel, one compare (PPV) and one max,
    and the count's integer addition."""
    kernels = info.drop_duplicates("kernel").copy()
    kernels["kernel_length"] = [np.asarray(w).shape[-1] for w in kernels.weights]
    overhang = (kernels.kernel_length - 1) * kernels.dilation
    outputs = np.maximum(length + 2 * kernels.padding - overhang, 1)
    fma = (kernels.kernel_length * outputs).sum()
    return {
        "fp_mul": fma + 2 * outputs.sum(),
        "fp_add": 0.0,
        "serial": 0.0,
        "vec_int": float(outputs.sum()),
    }


def hydra_counts(info: pd.DataFrame, length: int) -> dict:
    """Hydra: per (representation, dilation, group) 8 kernels x 9 taps FMAs per
    output, 2 x 7 compares for the arg max and arg min, 2 serial scatters."""
    groups = info.drop_duplicates(["representation", "dilation", "group"])
    n_kernels = info.kernel.nunique()
    per_group = len(groups) * length
    return {
        "fp_mul": per_group * (n_kernels * 9 + 2 * (n_kernels - 1)),
        "fp_add": 0.0,
        "serial": 2.0 * per_group,
        "vec_int": 0.0,  # the winners' counts are the serial scatters
    }


# pooling operator -> (fp_mul, fp_add, serial, vec_int) operations per
# pooled output
MINIROCKET_POOLING = {"ppv": (1, 0, 0, 1)}
MULTIROCKET_POOLING = {
    "ppv": (1, 0, 0, 1),  # compare, and the count's integer addition
    "mpv": (0, 1, 0, 0),  # masked sum of the positive values
    "mipv": (0, 1, 0, 0),  # masked sum of their indices
    "lspv": (0, 0, 1, 0),  # longest stretch: a loop-carried chain
}


def operation_counts(transformer: str, length: int, seed: int = 0) -> dict:
    """Operations per series of rocketconv's ``transformer`` as compare_peers
    configures it, fitted on random series of ``length``."""
    from compare_peers import CONSTRUCTORS

    import rocketconv

    _, name, kwargs = CONSTRUCTORS["rocketconv"][transformer]
    model = getattr(rocketconv, name)(random_state=seed, **kwargs)
    X = np.random.default_rng(seed).normal(size=(20, 1, length)).astype(np.float32)
    info = model.fit(X).feature_info()
    if transformer == "rocket":
        return rocket_counts(info, length)
    if transformer == "hydra":
        return hydra_counts(info, length)
    if transformer == "multirocket":
        return minirocket_style(info, length, MULTIROCKET_POOLING)
    return minirocket_style(info, length, MINIROCKET_POOLING)


def bound_seconds(
    counts: dict, model: str, clock_ghz: float, with_int: bool = False
) -> float:
    """Seconds the counted operations take at the model's peak issue rate;
    ``with_int``: the vector integer additions share every pipe too."""
    mul_lanes, add_lanes, total_lanes = MODELS[model]
    shared = counts["fp_mul"] + counts["fp_add"]
    if with_int:
        shared += counts["vec_int"]
    cycles = max(
        counts["fp_mul"] / mul_lanes,
        counts["fp_add"] / add_lanes,
        shared / total_lanes,
    )
    return (cycles + counts["serial"]) / (clock_ghz * 1e9)


def roofline(speed: pd.DataFrame, model: str, clock_ghz: float) -> pd.DataFrame:
    ours = speed[(speed.library == "rocketconv") & (speed.n_jobs == 1)]
    rows = []
    for row in ours.itertuples():
        n_cases, n_channels, length = map(int, row.shape.split("x"))
        if n_channels != 1 or not np.isfinite(getattr(row, "transform_s", np.nan)):
            continue
        counts = operation_counts(row.transformer, length)
        measured = row.transform_s / n_cases
        bound = bound_seconds(counts, model, clock_ghz)
        bound_with_int = bound_seconds(counts, model, clock_ghz, with_int=True)
        rows.append(
            {
                "transformer": row.transformer,
                "shape": row.shape,
                **{f"{k}_per_series": v for k, v in counts.items()},
                "measured_ms_per_series": 1e3 * measured,
                "bound_ms_per_series": 1e3 * bound,
                "fraction_of_peak": bound / measured,
                "bound_with_int_ms_per_series": 1e3 * bound_with_int,
                "fraction_of_peak_with_int": bound_with_int / measured,
                "achieved_gops": (counts["fp_mul"] + counts["fp_add"]) / measured / 1e9,
            }
        )
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("speed", nargs="+", help="compare_peers result CSVs")
    detected, clock = cpu_model_and_clock()
    parser.add_argument("--model", choices=sorted(MODELS), default=detected)
    parser.add_argument("--clock-ghz", type=float, default=clock)
    parser.add_argument(
        "--measure-clock",
        action="store_true",
        help="use the clock measured by a dependent integer chain instead",
    )
    parser.add_argument("--name", default="roofline", help="results stem")
    args = parser.parse_args(argv)
    if args.measure_clock:
        args.clock_ghz = measured_clock_ghz()
    speed = pd.concat([pd.read_csv(path) for path in args.speed])
    table = roofline(speed, args.model, args.clock_ghz)
    notes = {
        "pipe_model": args.model,
        "lanes_per_cycle_mul_add_total": MODELS[args.model],
        "clock_ghz": args.clock_ghz,
        "clock": "measured (dependent integer chain)"
        if args.measure_clock
        else "given or /proc/cpuinfo cpu MHz",
        "speed_files": [Path(p).name for p in args.speed],
        "method": "bound = operation counts / peak issue rate (see the script's "
        "docstring); measured = transform_s / n_cases of the speed file",
    }
    write_results(table, args.name, notes=notes)
    print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
