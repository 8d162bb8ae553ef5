"""First-call latency: a fresh Python process that imports the library and
runs ``MiniRocket(random_state=0).fit_transform`` on 50 series of length 300
(``--transformer`` picks MultiRocket, Rocket or Hydra instead, ``--n-jobs``
the threads, ``--length`` another length).

Runs, each in a new process:

* ``cold``: empty numba cache (``NUMBA_CACHE_DIR`` = a new folder), so every
  kernel is compiled;
* ``warm``: the same folder again, so kernels load from the cache;

and prints wall and CPU seconds for the import, the first ``fit_transform``
and a second one, plus (cold run) numba's compile time per function
(inclusive of the functions it inlines or calls). CPU seconds are what to
compare on a loaded machine; wall seconds are what a user waits.

    python benchmarks/first_call.py [--peer-python PATH] [--transformer NAME]
        [--n-jobs N] [--before PATH --before-label COMMIT]

The aeon side runs only with ``--peer-python PATH`` or
``$ROCKETCONV_PEER_PYTHON`` (a Python with aeon). ``--before PATH`` runs an
older rocketconv package (say ``git archive COMMIT rocketconv | tar -x -C
PATH``) in turn with this checkout's, so that both see the same machine.
Writes ``benchmarks/results/<--name>.csv`` (default ``first_call``) and its
companion ``.json`` (machine facts, load average, cold compile time per
jitted function of each rocketconv).
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

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    add_before_argument,
    add_peer_argument,
    libraries_to_run,
    write_results,
)


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# rocketconv's class name -> aeon's (in aeon.transformations.collection.
# convolution_based)
AEON_NAMES = {
    "MiniRocket": "MiniRocket",
    "MultiRocket": "MultiRocket",
    "Rocket": "Rocket",
    "Hydra": "HydraTransformer",
}


def worker(library: str, transformer: str, n_jobs: int, length: int) -> None:
    wall0, cpu0 = time.perf_counter(), _cpu()
    import importlib

    import numpy as np

    if library == "aeon":
        module = "aeon.transformations.collection.convolution_based"
        name = AEON_NAMES[transformer]
    else:
        from numba.core import event

        module, name = "rocketconv", transformer
    Transformer = getattr(importlib.import_module(module), name)
    X = np.random.default_rng(0).normal(size=(50, 1, length))
    wall1, cpu1 = time.perf_counter(), _cpu()

    compiles = []
    if library != "aeon":

        class Recorder(event.Listener):
            def on_start(self, ev):
                ev.data["dispatcher"]._rc_start = _cpu()

            def on_end(self, ev):
                function = ev.data["dispatcher"].py_func
                module = function.__module__.rsplit(".", 1)[-1]
                compiles.append(
                    (
                        f"{module}.{function.__qualname__}",
                        _cpu() - ev.data["dispatcher"]._rc_start,
                    )
                )

        with event.install_listener("numba:compile", Recorder()):
            Transformer(random_state=0, n_jobs=n_jobs).fit_transform(X)
    else:
        Transformer(random_state=0, n_jobs=n_jobs).fit_transform(X)
    wall2, cpu2 = time.perf_counter(), _cpu()
    Transformer(random_state=0, n_jobs=n_jobs).fit_transform(X)
    wall3, cpu3 = time.perf_counter(), _cpu()
    print(
        json.dumps(
            {
                "import_wall": wall1 - wall0,
                "first_wall": wall2 - wall1,
                "second_wall": wall3 - wall2,
                "total_wall": wall2 - wall0,
                "import_cpu": cpu1 - cpu0,
                "first_cpu": cpu2 - cpu1,
                "second_cpu": cpu3 - cpu2,
                "total_cpu": cpu2 - cpu0,
                # own (top-level) compiles only: rocketconv's kernels, not
                # numba's internal overloads, which they include
                "compiles": [c for c in compiles if "<locals>" not in c[0]],
            }
        )
    )


def run(
    python: str, library: str, cache: str, transformer: str, n_jobs: int,
    length: int, env: dict,
) -> dict:  # fmt: skip
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, **env)
    command = [python, __file__, "--worker", library, "--transformer", transformer]
    command += ["--n-jobs", str(n_jobs), "--length", str(length)]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_all(
    libraries, repeats: int, transformer: str, n_jobs: int, length: int
) -> tuple[pd.DataFrame, dict]:
    """Cold then warm for each library, the libraries in turn in each repeat
    (so a slow spell of the machine hits them alike); best of the repeats
    per state. ``libraries`` holds (label, library, python, extra env)."""
    rows, compiles = [], {}
    for _ in range(repeats):
        for label, library, python, env in libraries:
            with tempfile.TemporaryDirectory() as cache:
                for state in ("cold", "warm"):
                    result = run(
                        python, library, cache, transformer, n_jobs, length, env
                    )
                    if library == "rocketconv" and state == "cold":
                        compiles[label] = result["compiles"]  # a kernel may repeat
                    result.pop("compiles")
                    rows.append({"library": label, "cache": state, **result})
                    print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    table = table.groupby(["library", "cache"], sort=False).min().reset_index()
    return table, compiles


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    add_peer_argument(parser)
    parser.add_argument("--repeats", type=int, default=1, help="cold/warm pairs")
    parser.add_argument("--name", default="first_call", help="results stem")
    parser.add_argument("--transformer", default="MiniRocket", choices=AEON_NAMES)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--length", type=int, default=300, help="series length")
    add_before_argument(parser)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.transformer, args.n_jobs, args.length)
        return
    libraries = libraries_to_run(args)
    load_before = os.getloadavg()[0]
    table, compiles = run_all(
        libraries, args.repeats, args.transformer, args.n_jobs, args.length
    )
    notes = {
        "method": f"fresh process: import, {args.transformer}(random_state=0, "
        f"n_jobs={args.n_jobs}).fit_transform of 50 x 1 x {args.length} (aeon: "
        f"{AEON_NAMES[args.transformer]}), then a second one; best of "
        f"{args.repeats}; cold = empty NUMBA_CACHE_DIR, warm = the same folder "
        "again",
        "load_average_before_after": [load_before, os.getloadavg()[0]],
        "cold_compile_cpu_s": compiles,
    }
    write_results(table, args.name, notes=notes)
    with pd.option_context("display.width", 200):
        print(table.round(2).to_string(index=False))
    for label, functions in compiles.items():
        print(f"\n{label} cold compile, CPU s per jitted function (inclusive):")
        for name, seconds in functions:
            print(f"  {name:40s} {seconds:6.2f}")


if __name__ == "__main__":
    main()
