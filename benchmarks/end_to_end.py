"""End to end: ``rocketconv benchmark`` with MiniRocket over the UCR problems
of the shared data folder x R resamples on a local Dask cluster.

1. Runs the command line tool, timed from outside (wall clock of the whole
   command: cluster start, data loading, warm-up, every task, results files):

   * the univariate UCR problems with published resample indices
     (``multirocket/indices109``), on exactly those indices;
   * the other univariate UCR problems of the folder (unequal length or
     missing values; no published indices), on rocketconv's own stratified
     resamples (resample 0 = the default split), with
     ``missing_values="interpolate"``.

2. Compares accuracy with the published MiniRocket resamples
   (``minirocket/accuracy_ucr109_resamples.csv``): per problem the mean over
   resamples, then wins/ties/losses and Wilcoxon's signed-rank test.

3. Times aeon's ``MiniRocketClassifier`` and rocketconv's ``RocketClassifier``
   on a seeded sample of the same tasks, one after the other, both
   ``n_jobs=1`` (fit + predict_proba, compile excluded), and reports the
   ratio of the summed times.

    python benchmarks/end_to_end.py --resamples 30 --workers 2 \\
        --peer-python PEER_VENV/bin/python

``--before PATH`` (a folder holding an older rocketconv package) first runs
that package on the problems with published indices, in the same run, and
records its wall and task times (``before_*``; its results go to
``<--out>_before``).

Writes ``benchmarks/results/<--name>.csv`` (per problem: mean accuracy over
resamples, published mean), ``<--name>_aeon.csv`` (the sampled tasks'
times) and their ``.json`` (machine facts, wall times, summary).
"""

from __future__ import annotations

import argparse
import gc
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
    add_shared_argument,
    before_environment,
    evaluation,
    peer_python,
    shared_dir,
    write_results,
)
from minirocket_resamples import (  # noqa: E402
    INDICES,
    PUBLISHED,
    AeonWorker,
    datasets_to_run,
)


def univariate_ucr(shared: Path) -> list[str]:
    """Every univariate UCR problem of the shared folder's manifest."""
    manifest = pd.read_csv(shared / "datasets" / "MANIFEST.csv")
    ucr = manifest[(manifest.group == "UCR-univariate") & (manifest.n_channels == 1)]
    return sorted(ucr.dataset.unique())


def run_cli(datasets, shared: Path, args, out: str, indices: bool, env=None) -> float:
    """Wall seconds of one ``rocketconv benchmark`` command (``env``: e.g.
    the PYTHONPATH of ``--before``'s package, which its workers inherit)."""
    listing = Path(out) / ("with_indices.txt" if indices else "without_indices.txt")
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text("\n".join(datasets) + "\n")
    command = [
        str(Path(sys.executable).parent / "rocketconv"), "benchmark",
        "--classifiers", "minirocket", "--datasets", str(listing),
        "--data-dir", str(shared / "datasets"), "--resamples", str(args.resamples),
        "--dask-local", str(args.workers), "--out", out, "--no-progress",
    ]  # fmt: skip
    if indices:
        command += ["--resample-indices", str(shared / INDICES)]
    else:  # some of these problems have gaps (NaN)
        command += ["--params", "missing_values=interpolate"]
    start = time.perf_counter()
    done = subprocess.run(command, check=False, env=env)
    if done.returncode != 0:
        print(f"rocketconv benchmark exited {done.returncode}", flush=True)
    return time.perf_counter() - start


def accuracy_table(out: str, shared: Path, datasets: list[str]) -> pd.DataFrame:
    """Per problem: our mean accuracy over resamples and the published one."""
    results = evaluation("load_results")(out)
    results = results[results.dataset.isin(datasets)]
    resamples = sorted(results["resample"].unique())
    published = pd.read_csv(shared / PUBLISHED, index_col=0)
    ours = results.groupby("dataset").accuracy.mean()
    table = pd.DataFrame(
        {
            "dataset": ours.index,
            "accuracy": ours.to_numpy(),
            "published_accuracy": [
                published.loc[name, [str(r) for r in resamples]].mean()
                for name in ours.index
            ],
            "n_resamples": results.groupby("dataset")["resample"].nunique().to_numpy(),
        }
    )
    table["difference"] = table.accuracy - table.published_accuracy
    return table


def summary(table: pd.DataFrame) -> dict:
    ours, pub = table.accuracy, table.published_accuracy
    return {
        "problems": len(table),
        "mean_accuracy": round(float(ours.mean()), 4),
        "mean_published": round(float(pub.mean()), 4),
        "mean_difference": round(float((ours - pub).mean()), 4),
        "wins_ties_losses_vs_published": "/".join(
            map(str, evaluation("wins_ties_losses")(ours, pub))
        ),
        "wilcoxon_p_vs_published": round(evaluation("wilcoxon_p")(ours, pub), 4),
    }


def time_ours(X_train, y_train, X_test, seed: int) -> float:
    from rocketconv import RocketClassifier

    start = time.perf_counter()
    model = RocketClassifier("minirocket", random_state=seed, n_jobs=1)
    model.fit(X_train, y_train).predict_proba(X_test)
    return time.perf_counter() - start


def aeon_sample(datasets, shared: Path, args, python: str) -> pd.DataFrame:
    """aeon and rocketconv on ``--aeon-tasks`` seeded (problem, resample) tasks."""
    rng = np.random.default_rng(args.seed)
    tasks = [
        (datasets[i], int(rng.integers(args.resamples)))
        for i in rng.choice(len(datasets), size=args.aeon_tasks, replace=False)
    ]
    load_split = evaluation("load_split")
    worker = AeonWorker(python)
    rows = []
    try:
        X = np.random.default_rng(0).normal(size=(12, 1, 40))
        time_ours(X, np.array(["a", "b"] * 6), X, 0)  # compile ours too
        # collect the compiler's garbage now: a full collection took ~0.2 s
        # and, left to chance, fell inside the first timed task
        gc.collect()
        for dataset, resample in sorted(tasks):
            X_train, y_train, X_test, _ = load_split(
                dataset, resample, str(shared / "datasets"), str(shared / INDICES)
            )
            got = worker.run(X_train, y_train, X_test, resample)
            ours = time_ours(X_train, y_train, X_test, resample)
            rows.append(
                {
                    "dataset": dataset,
                    "resample": resample,
                    "aeon_s": got["fit_s"] + got["predict_s"],
                    "rocketconv_s": ours,
                }
            )
    finally:
        worker.close()
    return pd.DataFrame(rows).assign(ratio=lambda t: t.aeon_s / t.rocketconv_s)


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_shared_argument(parser)
    add_peer_argument(parser)
    parser.add_argument("--resamples", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--aeon-tasks", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out",
        default=os.path.join(tempfile.gettempdir(), "rocketconv_end_to_end"),
        help="tsml results files (default: in the temporary directory; "
        "an existing folder resumes, so remove it for a timed run)",
    )
    parser.add_argument("--name", default="end_to_end", help="results stem")
    add_before_argument(parser)
    return parser.parse_args(argv)


def run_before(with_indices, shared: Path, args) -> dict:
    """``--before``'s package on the problems with published indices, run
    first, in the same run: its wall time and summed task time."""
    out = args.out.rstrip("/\\") + "_before"
    env = dict(os.environ, **before_environment(args))
    wall = run_cli(with_indices, shared, args, out, indices=True, env=env)
    tasks = evaluation("load_results")(out)
    return {
        "before": args.before_label,
        "before_wall_s_with_indices": round(wall, 1),
        "before_sum_of_task_seconds": round(
            float((tasks.fit_s + tasks.predict_s).sum()), 1
        ),
    }


def main(argv=None) -> None:
    args = parse(argv)
    shared = shared_dir(args.shared)
    with_indices = datasets_to_run(shared, None, None)
    without = [d for d in univariate_ucr(shared) if d not in set(with_indices)]
    before = run_before(with_indices, shared, args) if args.before else {}
    wall_indices = run_cli(with_indices, shared, args, args.out, indices=True)
    wall_rest = run_cli(without, shared, args, args.out, indices=False)
    table = accuracy_table(args.out, shared, with_indices)
    tasks = evaluation("load_results")(args.out)
    notes = {
        "selection": "univariate UCR problems of <shared>/datasets/MANIFEST.csv: "
        f"{len(with_indices)} with published indices ({INDICES}), run on them and "
        f"compared with {PUBLISHED}; {len(without)} others on rocketconv's "
        "stratified resamples (timed, not compared)",
        "command_run": f"rocketconv benchmark --classifiers minirocket "
        f"--resamples {args.resamples} --dask-local {args.workers}",
        "wall_s_with_indices": round(wall_indices, 1),
        "wall_s_without_indices": round(wall_rest, 1),
        "wall_s_total": round(wall_indices + wall_rest, 1),
        "tasks": len(tasks),
        "sum_of_task_seconds": round(float((tasks.fit_s + tasks.predict_s).sum()), 1),
        "problems_without_indices": without,
        "summary": summary(table),
        **before,
    }
    python = peer_python(args.peer_python)
    if python and args.aeon_tasks:
        sample = aeon_sample(with_indices, shared, args, python)
        notes["aeon_ratio_of_summed_times"] = round(
            float(sample.aeon_s.sum() / sample.rocketconv_s.sum()), 2
        )
        write_results(sample, f"{args.name}_aeon", shared=shared, notes=notes)
    write_results(table, args.name, shared=shared, notes=notes)
    print(pd.Series(notes).to_string())


if __name__ == "__main__":
    main()
