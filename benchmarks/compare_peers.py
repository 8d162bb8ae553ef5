"""Speed of rocketconv's transformers against aeon's and sktime's, in one run.

Each (library, transformer, n_jobs, data shape) is timed in a fresh
subprocess with an empty numba cache, so that

* ``first_call_s`` = import + compile + the first fit_transform on 10 cases,
* ``fit_s`` / ``transform_s`` = best of ``--repeats`` fit and transform calls,
  ``steady_s = fit_s + transform_s`` (fit + transform at steady state),

are measured separately. Peers live in another environment (``--peer-python
PATH`` or ``$ROCKETCONV_PEER_PYTHON``, e.g. a venv with ``pip install aeon
sktime``; without either only rocketconv is timed); when a peer would take too long
it is timed on ``--peer-max-cases`` cases and its transform time is scaled
linearly in n_cases (fit draws one example per kernel, so its time does not
grow with n_cases and is not scaled; the table says ``scaled``). Ours can be
subsampled the same way with ``--ours-max-cases``. ``--before PATH
--before-label COMMIT`` times an older rocketconv package (``git archive
COMMIT rocketconv`` unpacked in PATH) first, in the same run, as one more
library (``rocketconv COMMIT``).

    python benchmarks/compare_peers.py --transformers minirocket,multirocket \\
        --shapes 1000x1x500,10000x1x150,200x1x5000,1000x6x500 --n-jobs 1,2 \\
        [--plot speed.png]

Writes ``benchmarks/results/<--name>.csv`` (default ``compare_peers``) and
its companion ``.json`` (machine facts, load average, peer versions).
``--report a.csv b.csv ...`` merges earlier result files (e.g. one run per
``--n-jobs``) and prints the ratio table as markdown, plus ``--plot``.

Speed figures are only meaningful on a quiet machine: check the load
average recorded in the ``.json``.
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
from _common import (  # noqa: E402
    add_before_argument,
    add_peer_argument,
    before_library,
    evaluation,
    peer_python,
    write_results,
)

# library -> transformer -> (module, class, keyword arguments)
CONSTRUCTORS = {
    "rocketconv": {
        "rocket": ("rocketconv", "Rocket", {"n_kernels": 10_000}),
        "minirocket": ("rocketconv", "MiniRocket", {"n_features": 10_000}),
        "multirocket": ("rocketconv", "MultiRocket", {"n_features": 50_000}),
        "hydra": ("rocketconv", "Hydra", {"n_kernels": 8, "n_groups": 64}),
    },
    "aeon": {
        "rocket": (
            "aeon.transformations.collection.convolution_based",
            "Rocket",
            {"n_kernels": 10_000},
        ),
        "minirocket": (
            "aeon.transformations.collection.convolution_based",
            "MiniRocket",
            {"n_kernels": 10_000},
        ),
        "multirocket": (
            "aeon.transformations.collection.convolution_based",
            "MultiRocket",
            # aeon counts 4 pooling operators per kernel *and* both
            # representations: 6,250 kernels -> 49,728 features like ours
            {"n_kernels": 6_250},
        ),
        "hydra": (
            "aeon.transformations.collection.convolution_based",
            "HydraTransformer",
            {"n_kernels": 8, "n_groups": 64},
        ),
    },
    "sktime": {
        "rocket": ("sktime.transformations.panel.rocket", "Rocket", {}),
        "minirocket": ("sktime.transformations.panel.rocket", "MiniRocket", {}),
        "multirocket": ("sktime.transformations.panel.rocket", "MultiRocket", {}),
    },
}
MULTIVARIATE_SKTIME = {
    "minirocket": "MiniRocketMultivariate",
    "multirocket": "MultiRocketMultivariate",
}


def worker(library: str, transformer: str, n_jobs: int, data: str, repeats: int):
    """Runs inside the subprocess; prints one JSON line."""
    import importlib

    X = np.load(data)
    start = time.perf_counter()
    module, name, kwargs = CONSTRUCTORS[library][transformer]
    if library == "sktime" and X.shape[1] > 1:
        name = MULTIVARIATE_SKTIME.get(transformer, name)
    cls = getattr(importlib.import_module(module), name)

    def make():
        return cls(random_state=0, n_jobs=n_jobs, **kwargs)

    make().fit_transform(X[:10])
    first_call = time.perf_counter() - start
    fit_times, transform_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        model = make().fit(X)
        fit_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        features = model.transform(X)
        transform_times.append(time.perf_counter() - start)
    version = getattr(importlib.import_module(library), "__version__", "unknown")
    print(
        json.dumps(
            {
                "first_call_s": first_call,
                "fit_s": min(fit_times),
                "transform_s": min(transform_times),
                "n_features": int(np.asarray(features).shape[1]),
                "version": version,
            }
        )
    )


def run_worker(
    python, library, transformer, n_jobs, data, repeats, timeout, cache, extra_env
):
    """One fresh process; ``cache`` (a folder) shares numba's cache between
    runs, None gives each run an empty one (compile time in first_call_s);
    ``extra_env`` is added to the environment (``--before``'s package)."""
    env = {**os.environ, **extra_env}
    with tempfile.TemporaryDirectory() as empty:
        env["NUMBA_CACHE_DIR"] = cache or empty
        env["NUMBA_NUM_THREADS"] = str(max(2, n_jobs))
        env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = str(n_jobs)
        command = [
            python, __file__, "--worker", library, transformer, str(n_jobs), data,
            str(repeats),
        ]  # fmt: skip
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, env=env, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return {"error": f"timeout after {timeout} s"}
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1][:120]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--transformers", default="minirocket")
    parser.add_argument(
        "--shapes",
        default="1000x1x500,10000x1x150,200x1x5000,1000x6x500,10000x6x150,200x6x5000",
    )
    parser.add_argument("--n-jobs", default="1,2")
    parser.add_argument("--libraries", default="rocketconv,aeon,sktime")
    add_peer_argument(parser)
    add_before_argument(parser)
    parser.add_argument("--peer-max-cases", type=int, default=1000)
    parser.add_argument("--ours-max-cases", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--cache",
        choices=["cold", "shared"],
        default="cold",
        help="cold: empty numba cache per run; shared: one cache per library "
        "(faster; first_call_s is then only kept for each library's first run)",
    )
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--name", default="compare_peers", help="results stem")
    parser.add_argument("--plot", default=None, help="PNG of the ratios")
    parser.add_argument(
        "--report", nargs="+", default=None, help="result CSVs to merge and print"
    )
    return parser.parse_args(argv)


def save_inputs(X, shape: str, folder: str, args) -> tuple[dict, dict]:
    """The full input for ours and the (possibly subsampled) one for peers."""
    files, used = {}, {}
    for who, limit in (("peer", args.peer_max_cases), ("ours", args.ours_max_cases)):
        used[who] = min(len(X), limit or len(X))
        files[who] = os.path.join(folder, f"{shape}-{who}.npy")
        np.save(files[who], X[: used[who]])
    return files, used


def library_runs(args) -> list[tuple[str, str, dict]]:
    """(label, library, extra environment) of each library to time: those of
    ``--libraries``, and first the older rocketconv of ``--before``."""
    runs = [(name, name, {}) for name in args.libraries.split(",")]
    if args.before:
        label, env = before_library(args)
        runs.insert(0, (label, "rocketconv", env))
    return runs


def time_one(run, transformer, n_jobs, shape, inputs, folder, compiled, args):
    """One library (a :func:`library_runs` entry) on one shape: a row, or
    None when it has no interpreter."""
    label, library, extra_env = run
    files, used = inputs
    ours = library == "rocketconv"
    python = sys.executable if ours else peer_python(args.peer_python)
    if python is None:
        return None
    who = "ours" if ours else "peer"
    cache = None
    if args.cache == "shared":
        cache = os.path.join(folder, "cache-" + label.replace(" ", "-"))
    result = run_worker(
        python, library, transformer, n_jobs, files[who], args.repeats,
        args.timeout, cache, extra_env,
    )  # fmt: skip
    key = (label, transformer, n_jobs > 1)
    if cache is not None and key in compiled:
        result["first_call_s"] = np.nan  # cache was warm
    compiled.add(key)
    n_cases = int(shape.split("x")[0])
    scale = n_cases / used[who]
    if "transform_s" in result:
        result["transform_s"] *= scale
        result["steady_s"] = result["fit_s"] + result["transform_s"]
    row = {
        "transformer": transformer,
        "shape": shape,
        "n_jobs": n_jobs,
        "library": label,
        "scaled": scale != 1.0,
        **result,
    }
    print(row, flush=True)
    return row


def run_all(args) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows, compiled = [], set()
    with tempfile.TemporaryDirectory() as folder:
        for shape in args.shapes.split(","):
            n_cases, n_channels, length = map(int, shape.split("x"))
            X = rng.normal(size=(n_cases, n_channels, length)).astype(np.float64)
            inputs = save_inputs(X, shape, folder, args)
            for transformer in args.transformers.split(","):
                for n_jobs in map(int, args.n_jobs.split(",")):
                    for run in library_runs(args):
                        if transformer not in CONSTRUCTORS[run[1]]:
                            continue
                        row = time_one(
                            run, transformer, n_jobs, shape, inputs, folder,
                            compiled, args,
                        )  # fmt: skip
                        if row is not None:
                            rows.append(row)
    return add_speedups(pd.DataFrame(rows))


def add_speedups(table: pd.DataFrame) -> pd.DataFrame:
    """speedup_vs_peer = peer steady time / ours, same (transformer, shape, n_jobs)."""
    ours = table[table.library == "rocketconv"].set_index(
        ["transformer", "shape", "n_jobs"]
    )
    table["speedup_vs_peer"] = [
        ours.steady_s.get((row.transformer, row.shape, row.n_jobs), np.nan)
        and row.steady_s / ours.steady_s.get((row.transformer, row.shape, row.n_jobs))
        for row in table.itertuples()
    ]
    return table


def main(argv=None) -> None:
    args = parse(argv)
    if args.worker:
        library, transformer, n_jobs, data, repeats = args.worker
        worker(library, transformer, int(n_jobs), data, int(repeats))
        return
    if args.report:
        table = pd.concat([pd.read_csv(path) for path in args.report])
        print(markdown(ratio_table(table)))
        if args.plot:
            plot(table, args.plot)
        return
    load_before = os.getloadavg()[0]
    table = run_all(args)
    versions = (
        table.groupby("library")["version"].first().to_dict()
        if "version" in table
        else {}
    )
    notes = {
        "inputs": "standard normal random series of the shapes given "
        "(n_cases x channels x length), numpy seed 0",
        "method": f"fit/transform = best of {args.repeats}; speedup = peer steady "
        "(fit + transform) / ours, same n_jobs; peers on at most "
        f"{args.peer_max_cases} cases, transform time scaled linearly",
        "load_average_before_after": [load_before, os.getloadavg()[0]],
        "library_versions": versions,
    }
    write_results(table, args.name, notes=notes)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(table.round(3).to_string(index=False))
    print(markdown(ratio_table(table)))
    if args.plot:
        plot(table, args.plot)


def markdown(frame: pd.DataFrame) -> str:
    # imported here: peer workers run this file where rocketconv is absent
    return evaluation("to_markdown")(frame, digits=3, index=False)


def ratio_table(table: pd.DataFrame) -> pd.DataFrame:
    """Speed-up of rocketconv per (transformer, n_cases x channels x length,
    n_jobs) and peer; ``*`` marks peers timed on fewer cases and scaled."""
    peers = table[table.library != "rocketconv"].copy()
    peers["cell"] = [
        f"{r.speedup_vs_peer:.1f}x" + ("*" if r.scaled else "")
        if np.isfinite(r.speedup_vs_peer)
        else "failed"
        for r in peers.itertuples()
    ]
    ours = table[table.library == "rocketconv"].set_index(
        ["transformer", "shape", "n_jobs"]
    )
    wide = peers.pivot_table(
        index=["transformer", "shape", "n_jobs"],
        columns="library",
        values="cell",
        aggfunc="first",
    )
    wide.columns = [f"vs {c}" for c in wide.columns]
    wide.insert(0, "rocketconv steady s", ours.steady_s.round(3))
    return wide.reset_index()


def plot(table: pd.DataFrame, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    peers = table[(table.library != "rocketconv") & table.speedup_vs_peer.notna()]
    labels = [
        f"{r.transformer} {r.shape} j{r.n_jobs} vs {r.library}"
        for r in peers.itertuples()
    ]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(peers) + 1))
    ax.barh(labels, peers.speedup_vs_peer)
    ax.axvline(1.0, color="k", lw=1)
    ax.set_xlabel("speed-up of rocketconv (peer steady time / ours)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
