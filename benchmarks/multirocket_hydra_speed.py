"""MultiRocket and Hydra speed against aeon's MultiRocket and HydraTransformer.

Each implementation runs in its own subprocess (aeon's with the interpreter
given by ``--aeon-python``, default ``/work/venv-aeon/bin/python``; aeon's
Hydra needs torch there) with ``n_jobs=1`` (numba and torch on one thread) at
equal feature counts (MultiRocket 49,728: aeon ``n_kernels=6_250``; Hydra
``k=8, g=64``). Per shape and implementation:

* ``compile_s`` (first shape only): ``first_s - fit_s - transform_s``, where
  ``first_s`` is the first fit + transform in a fresh process with an empty
  numba cache (torch has nothing to compile);
* ``fit_s``, ``transform_s``: best of ``--repeats`` (3) steady-state runs
  (fit on the data, then transform it).

The machine is shared, so timings are best of 3 and ratios are taken within
one run. Before timing, the features are checked against aeon's on the same
parameters (MultiRocket: aeon's ``_transform_uni`` with our dilations and
biases; Hydra: aeon's ``_HydraInternal`` with our weights): they must agree.

Usage::

    python benchmarks/multirocket_hydra_speed.py [--repeats 3]

Writes ``benchmarks/results/multirocket_hydra_speed.csv``.
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

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "multirocket_hydra_speed.csv"
SHAPES = [(200, 150), (100, 500), (50, 1500)]  # (n_cases, length), univariate

WORKER = r"""
import json, sys, time
import numpy as np
impl, method, n_cases, length, repeats = sys.argv[1:6]
n_cases, length, repeats = int(n_cases), int(length), int(repeats)
X = np.random.default_rng(0).normal(size=(n_cases, 1, length)).cumsum(axis=-1)

def make():
    if impl == "rocketconv":
        from rocketconv.transformers.hydra import Hydra
        from rocketconv.transformers.multirocket import MultiRocket
        if method == "multirocket":
            return MultiRocket(random_state=0, n_jobs=1)
        return Hydra(random_state=0, n_jobs=1)
    from aeon.transformations.collection.convolution_based import (
        HydraTransformer, MultiRocket)
    if method == "multirocket":
        return MultiRocket(n_kernels=6_250, random_state=0, n_jobs=1)
    import torch
    torch.set_num_threads(1)
    return HydraTransformer(random_state=0, n_jobs=1, output_type="numpy")

start = time.perf_counter()
transformer = make().fit(X)
features = np.asarray(transformer.transform(X))
first = time.perf_counter() - start
fits, transforms = [], []
for _ in range(repeats):
    start = time.perf_counter()
    transformer = make().fit(X)
    fits.append(time.perf_counter() - start)
    start = time.perf_counter()
    transformer.transform(X)
    transforms.append(time.perf_counter() - start)
print(json.dumps({"first_s": first, "fit_s": min(fits), "transform_s": min(transforms),
                  "n_features": features.shape[1]}))
"""

CHECK_OURS = r"""
import sys, numpy as np
from rocketconv.transformers.hydra import Hydra
from rocketconv.transformers.multirocket import MultiRocket
X = np.random.default_rng(1).normal(size=(20, 1, 120)).cumsum(axis=-1)
mr = MultiRocket(random_state=0).fit(X)
hy = Hydra(random_state=0).fit(X)
np.savez(sys.argv[1], X=X, mr=mr.transform(X), d=mr.dilations_,
         n=mr.n_features_per_dilation_, b=mr.biases_, d1=mr.dilations_diff_,
         n1=mr.n_features_per_dilation_diff_, b1=mr.biases_diff_,
         hy=hy.transform(X), W=hy.weights_)
"""

CHECK_AEON = r"""
import sys, numpy as np
from aeon.transformations.collection.convolution_based._multirocket import (
    MultiRocket, _transform_uni)
z = np.load(sys.argv[1])
X = z["X"][:, 0].astype(np.float32)
theirs = _transform_uni(X, np.diff(X, 1), (z["d"], z["n"], z["b"]),
                        (z["d1"], z["n1"], z["b1"]), 4, MultiRocket._indices, None)
print("multirocket max |difference|:", float(np.abs(theirs - z["mr"]).max()))
import torch
from aeon.transformations.collection.convolution_based._hydra import _HydraInternal
W = z["W"]
nd, nr, h, k, _ = W.shape
model = _HydraInternal(X.shape[1], 1)
model.W = torch.tensor(W.reshape(nd, nr, h * k, 1, 9))
theirs = model(torch.tensor(z["X"]).float()).numpy()
print("hydra max relative |difference|:",
      float((np.abs(theirs - z["hy"]) / (1 + np.abs(theirs))).max()))
"""


def run(python: str, code: str, *args, cache: str | None = None) -> str:
    env = dict(os.environ)
    env["NUMBA_NUM_THREADS"] = env.get("NUMBA_NUM_THREADS", "2")
    env["OMP_NUM_THREADS"] = "1"
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = cache
    result = subprocess.run(
        [python, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(HERE.parent),
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return result.stdout.strip().splitlines()[-1] if code is WORKER else result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--aeon-python", default="/work/venv-aeon/bin/python")
    args = parser.parse_args()
    ours_python = sys.executable

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "check.npz"
        run(ours_python, CHECK_OURS, path)
        print(run(args.aeon_python, CHECK_AEON, path))

    rows = []
    # one numba cache folder per implementation, empty at its first shape: that
    # first call compiles, later shapes load the compiled code from the cache
    caches = {impl: tempfile.TemporaryDirectory() for impl in ("rocketconv", "aeon")}
    for method in ("multirocket", "hydra"):
        for shape_index, (n_cases, length) in enumerate(SHAPES):
            for impl, python in (
                ("rocketconv", ours_python),
                ("aeon", args.aeon_python),
            ):
                started = time.perf_counter()
                result = json.loads(
                    run(
                        python,
                        WORKER,
                        impl,
                        method,
                        n_cases,
                        length,
                        args.repeats,
                        cache=caches[impl].name,
                    )
                )
                result.update(
                    method=method,
                    impl=impl,
                    n_cases=n_cases,
                    length=length,
                    process_s=time.perf_counter() - started,
                )
                result["compile_s"] = (
                    result["first_s"] - result["fit_s"] - result["transform_s"]
                    if shape_index == 0
                    else np.nan
                )
                rows.append(result)
                print(result, flush=True)
    for cache in caches.values():
        cache.cleanup()
    table = pd.DataFrame(rows)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(OUT, index=False)
    wide = table.pivot_table(
        index=["method", "n_cases", "length"],
        columns="impl",
        values=["fit_s", "transform_s", "compile_s", "n_features"],
    )
    summary = pd.DataFrame(
        {
            "features": wide[("n_features", "rocketconv")].astype(int),
            "features_aeon": wide[("n_features", "aeon")].astype(int),
            "transform_s": wide[("transform_s", "rocketconv")],
            "transform_s_aeon": wide[("transform_s", "aeon")],
            "transform_speedup": wide[("transform_s", "aeon")]
            / wide[("transform_s", "rocketconv")],
            "fit_speedup": wide[("fit_s", "aeon")] / wide[("fit_s", "rocketconv")],
            "compile_s": wide[("compile_s", "rocketconv")],
            "compile_s_aeon": wide[("compile_s", "aeon")],
        }
    )
    pd.set_option("display.width", 200)
    print()
    print(summary.round(3).to_string())


if __name__ == "__main__":
    main()
