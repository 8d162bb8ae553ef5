"""Where the time of a MiniRocket benchmark task goes.

Runs the tasks of ``end_to_end.py`` -- ``RocketClassifier("minirocket")``
fit, then labels and probabilities of the test set, on the published
resample indices of the 59 univariate UCR problems that have them -- for
``--resamples`` resamples, one task after another in this process (BLAS on
one thread, as in a ``--dask-local`` worker), under ``cProfile``, and
splits the profiled time into parts:

* ``transform``: MiniRocket's one-channel transform kernel (train and test);
* ``minirocket fit``: the biases (``MiniRocket._fit``);
* ``scaler``: the head's L2ColumnScaler, fit on train and applied to test;
* ``eigh``: the eigendecomposition of the ridge head's Gram matrix;
* ``ridge head, other``: the rest of the head's fit (Gram matrix,
  leave-one-out values of every alpha, coefficients, temperature);
* ``loading``: reading a problem's files (once per problem: a worker keeps
  the last few in memory) and taking each resample's rows;
* ``metrics``: accuracy, balanced accuracy, AUROC, log-loss of a task
  (``rocketconv.evaluation.tasks.summary_row``);
* ``results file``: writing the tsml text and reading it back;
* ``other``: the rest (validation, prediction products, Python).

An older package runs the
same way with ``PYTHONPATH=<its folder>`` (and ``ROCKETCONV_SOURCE_COMMIT``
to record its commit).

    python benchmarks/task_profile.py --resamples 1 --name task_profile

Writes ``benchmarks/results/<--name>.csv`` (part, seconds, share of the
time without loading) and its ``.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as a --dask-local worker

import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import add_shared_argument, evaluation, shared_dir, write_results  # noqa: E402
from minirocket_resamples import INDICES, datasets_to_run  # noqa: E402

# (part, file the function is in, function name, "cumulative" or "own") in
# the order they are taken out: each part's time is removed from "other"
PARTS = [
    ("transform", "_minirocket_univariate.py", "transform", "own"),
    ("minirocket fit", "minirocket.py", "_fit", "cumulative"),
    ("scaler", "scalers.py", "fit_transform", "cumulative"),
    ("scaler", "scalers.py", "transform", "cumulative"),
    ("eigh", "_linalg.py", "eigh", "cumulative"),
    ("ridge head", "_heads.py", "fit_ridge_head", "cumulative"),
    ("loading", "resampling.py", "load_split", "cumulative"),
    ("metrics", "tasks.py", "summary_row", "cumulative"),
    ("results file", "tasks.py", "_results_text", "cumulative"),
]


def profiled_seconds(stats: pstats.Stats, file: str, name: str, kind: str) -> float:
    """Seconds of the functions ``name`` defined in a file ending in ``file``."""
    total = 0.0
    for (path, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        if function == name and path.endswith(file):
            total += row[3] if kind == "cumulative" else row[2]
    return total


def split(stats: pstats.Stats, wall: float) -> pd.DataFrame:
    """The parts of PARTS, the ridge head net of its scaler and eigh; each
    part's share of the time without loading."""
    seconds = {part: 0.0 for part, *_ in PARTS}
    for part, file, name, kind in PARTS:
        seconds[part] += profiled_seconds(stats, file, name, kind)
    fit_transform = profiled_seconds(stats, "scalers.py", "fit_transform", "cumulative")
    seconds["ridge head, other"] = (
        seconds.pop("ridge head") - fit_transform - seconds["eigh"]
    )
    seconds["other"] = wall - sum(seconds.values())
    table = pd.DataFrame({"part": list(seconds), "seconds": list(seconds.values())})
    # loading is once per problem, whatever the number of resamples: the
    # shares are of the rest, what each resample costs
    per_resample = wall - seconds["loading"]
    share = table.seconds / per_resample
    share[table.part == "loading"] = float("nan")
    return table.assign(share=share).round(4)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_shared_argument(parser)
    parser.add_argument("--resamples", type=int, default=1)
    parser.add_argument("--name", default="task_profile", help="results stem")
    args = parser.parse_args(argv)
    shared = shared_dir(args.shared)
    Task, RunConfig = evaluation("Task"), evaluation("RunConfig")
    config = RunConfig(
        data_home=str(shared / "datasets"), resample_indices=str(shared / INDICES)
    )
    problems = datasets_to_run(shared, None, None)
    tasks = [Task("minirocket", p, r) for p in problems for r in range(args.resamples)]
    run_task = evaluation("run_task")
    evaluation("warm_up")(["minirocket"], config)
    profile = cProfile.Profile()
    start = time.perf_counter()
    profile.enable()
    rows = [run_task(task, config) for task in tasks]
    profile.disable()
    wall = time.perf_counter() - start
    failed = [row for row in rows if row["status"] != "ok"]
    if failed:
        raise SystemExit(f"{len(failed)} tasks failed: {failed[0]}")
    table = split(pstats.Stats(profile), wall)
    notes = {
        "tasks": len(tasks),
        "problems": len(problems),
        "resamples": args.resamples,
        "profiled_wall_s": round(wall, 2),
        "task_fit_predict_s": round(sum(r["fit_s"] + r["predict_s"] for r in rows), 2),
        "method": "cProfile of run_task over the tasks, one after another; "
        "parts as in the script's docstring (profiling adds its own overhead "
        "to the Python-heavy parts)",
    }
    write_results(table, args.name, shared=shared, notes=notes)
    print(table.to_string(index=False))
    print(pd.Series(notes).to_string())


if __name__ == "__main__":
    main()
