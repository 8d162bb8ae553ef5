"""MiniRocket on the published resamples, against the published table and aeon.

Runs rocketconv's MiniRocket (``RocketClassifier(transformer="minirocket")``,
via ``rocketconv.benchmark.run``) on every problem of a data folder that the
published MiniRocket table (``minirocket/accuracy_ucr109_resamples.csv``)
covers, on resamples 0..R-1 taken from the published indices
(``multirocket/indices109``), and aeon's ``MiniRocketClassifier`` on the very
same splits in a persistent subprocess of the aeon interpreter, dataset by
dataset, so both see the same machine load. Both write tsml results files
(``MiniRocket/`` and ``aeon-MiniRocket/`` under ``--out``); then
``rocketconv.benchmark.compare`` lines them up with the published figures.

Timing: both sides are timed as fit, then predict of labels *and*
probabilities (two test-set transforms on both sides); numba compilation is
done beforehand on tiny data on both sides. n_jobs=1 on both sides.

Usage::

    python benchmarks/minirocket_resamples.py --resamples 5 \\
        --out /tmp/minirocket_resamples --cd-png docs/img/minirocket_cd_accuracy.png
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from rocketconv.benchmark import _tsml
from rocketconv.benchmark.compare import compare, plot_critical_difference, report
from rocketconv.benchmark.published import load_published
from rocketconv.benchmark.run import RunConfig, Task, load_split, run_task, warm_up

SHARED = Path("/work/shared")
AEON_PYTHON = "/work/venv-aeon/bin/python"

# The aeon side: a loop reading one JSON request per line from stdin.
AEON_SERVER = r"""
import json, sys, time, warnings
import numpy as np
warnings.filterwarnings("ignore")
from aeon.classification.convolution_based import MiniRocketClassifier

def run(req):
    data = np.load(req["npz"], allow_pickle=False)
    clf = MiniRocketClassifier(random_state=req["seed"], n_jobs=1)
    start = time.perf_counter()
    clf.fit(data["X_train"], data["y_train"])
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    pred = clf.predict(data["X_test"])
    proba = clf.predict_proba(data["X_test"])
    predict_s = time.perf_counter() - start
    return {"fit_s": fit_s, "predict_s": predict_s, "pred": [str(p) for p in pred],
            "proba": proba.tolist(), "classes": [str(c) for c in clf.classes_]}

# compile aeon's numba code before any timing
rng = np.random.RandomState(0)
for channels in (1, 2):
    X = rng.normal(size=(12, channels, 40)); y = np.array(["a", "b"] * 6)
    MiniRocketClassifier(random_state=0).fit(X, y).predict_proba(X)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    try:
        out = run(json.loads(line))
    except Exception as error:
        out = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(out), flush=True)
"""


class AeonWorker:
    def __init__(self, python: str):
        self.proc = subprocess.Popen(
            [python, "-c", AEON_SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert json.loads(self.proc.stdout.readline())["ready"]

    def run(self, npz: str, seed: int) -> dict:
        self.proc.stdin.write(json.dumps({"npz": npz, "seed": seed}) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def datasets_to_run(data_dir: Path, indices: Path, limit: int | None) -> list[str]:
    published = pd.read_csv(
        SHARED / "reference-results/minirocket/accuracy_ucr109_resamples.csv"
    )
    names = [
        name
        for name in published["dataset"]
        if (data_dir / name).is_dir()
        and (indices / f"{name}_INDICES_TRAIN.txt").is_file()
    ]
    names = sorted(names)
    return names[:limit] if limit else names


def run_aeon(worker, task, config, out, tmp) -> dict:
    name = "aeon-MiniRocket"
    path = _tsml.results_path(out, name, task.dataset, task.resample)
    row = {"classifier": name, "dataset": task.dataset, "resample": task.resample}
    if path.exists():
        res = _tsml.read_classification_results(path)
        return {
            **row,
            "status": "ok",
            "fit_s": res.fit_time / 1000,
            "predict_s": res.predict_time / 1000,
        }
    X_train, y_train, X_test, y_test = load_split(
        task.dataset, task.resample, config.data_home, config.resample_indices
    )
    if isinstance(X_train, list) or isinstance(X_test, list):
        return {**row, "status": "error", "error": "unequal length"}
    npz = os.path.join(tmp, "split.npz")
    np.savez(
        npz,
        X_train=X_train,
        y_train=y_train.astype(str),
        X_test=X_test,
        y_test=y_test.astype(str),
    )
    seed = config.seed + task.resample
    got = worker.run(npz, seed)
    if "error" in got:
        return {**row, "status": "error", "error": got["error"]}
    classes = np.unique(np.concatenate([y_train, y_test]).astype(str))
    full = np.zeros((len(y_test), len(classes)))
    full[:, np.searchsorted(classes, got["classes"])] = np.asarray(got["proba"])
    text = _tsml.format_classification_results(
        dataset=task.dataset,
        classifier=name,
        resample=task.resample,
        classes=classes,
        true=y_test.astype(str),
        predicted=got["pred"],
        probabilities=full,
        fit_time_ms=round(got["fit_s"] * 1000),
        predict_time_ms=round(got["predict_s"] * 1000),
        parameters=f"aeon MiniRocketClassifier(random_state={seed}, n_jobs=1)",
        comment="Generated by benchmarks/minirocket_resamples.py. "
        "Resample: published indices.",
    )
    _tsml.atomic_write_text(path, text)
    return {
        **row,
        "status": "ok",
        "fit_s": round(got["fit_s"] * 1000) / 1000,
        "predict_s": round(got["predict_s"] * 1000) / 1000,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(SHARED / "datasets"))
    parser.add_argument(
        "--indices", default=str(SHARED / "reference-results/multirocket/indices109")
    )
    parser.add_argument("--resamples", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None, help="first N problems only")
    parser.add_argument(
        "--datasets", default=None, help="comma separated subset (default: all covered)"
    )
    parser.add_argument("--out", default="/tmp/rocketconv_minirocket_resamples")
    parser.add_argument("--no-aeon", action="store_true")
    parser.add_argument(
        "--cd-png", default=None, help="also save the accuracy CD diagram here"
    )
    args = parser.parse_args(argv)

    datasets = datasets_to_run(Path(args.data_dir), Path(args.indices), args.limit)
    if args.datasets:
        wanted = set(args.datasets.split(","))
        datasets = [d for d in datasets if d in wanted]
    config = RunConfig(
        out=args.out,
        data_home=args.data_dir,
        resample_indices=args.indices,
        n_jobs=1,
        seed=0,
    )
    print(
        f"{len(datasets)} problems x {args.resamples} resamples, out={args.out}",
        flush=True,
    )
    print(f"rocketconv warm-up: {warm_up(['minirocket'], config):.1f} s", flush=True)
    worker = (
        None
        if args.no_aeon or not os.path.exists(AEON_PYTHON)
        else AeonWorker(AEON_PYTHON)
    )
    rows = []
    tmp = tempfile.mkdtemp()
    start = time.perf_counter()
    try:
        for i, dataset in enumerate(datasets):
            for resample in range(args.resamples):
                task = Task("minirocket", dataset, resample)
                ours = run_task(task, config)
                rows.append(
                    {
                        k: ours.get(k)
                        for k in (
                            "classifier",
                            "dataset",
                            "resample",
                            "status",
                            "fit_s",
                            "predict_s",
                            "error",
                        )
                    }
                )
                if worker is not None:
                    rows.append(run_aeon(worker, task, config, args.out, tmp))
            done = pd.DataFrame(rows)
            last = (
                done[done["dataset"] == dataset]
                .groupby("classifier")[["fit_s", "predict_s"]]
                .sum()
            )
            print(
                f"[{i + 1}/{len(datasets)}] {dataset}: "
                + ", ".join(
                    f"{c} {r.fit_s + r.predict_s:.2f}s" for c, r in last.iterrows()
                )
                + f"  (elapsed {time.perf_counter() - start:.0f}s)",
                flush=True,
            )
    finally:
        if worker is not None:
            worker.close()
        shutil.rmtree(tmp, ignore_errors=True)
    runs = pd.DataFrame(rows)
    runs.to_csv(Path(args.out) / "runs.csv", index=False)
    errors = runs[runs["status"] == "error"]
    if len(errors):
        print("errors:\n" + errors.to_string(), flush=True)

    # ---- compare with the published tables
    refs = ["minirocket", "rocket", "multirocket", "inceptiontime", "hc2"]
    comparison = compare(
        args.out, refs, metrics=["accuracy", "balacc", "auroc", "logloss"]
    )
    print(report(comparison, markdown=True, per_dataset=False))
    authors = compare(args.out, ["minirocket"], metrics=["accuracy"], source="authors")
    print("\nAgainst the authors' own table (accuracy_ucr109_resamples.csv):")
    print(report(authors, markdown=True, per_dataset=False))
    table = authors.metrics["accuracy"].table
    ours, pub = table["MiniRocket"], table["MiniRocket (published)"]
    diff = ours - pub
    times = (
        runs[runs.status == "ok"].groupby("classifier")[["fit_s", "predict_s"]].sum()
    )
    times["total_s"] = times.sum(axis=1)
    print("\n## Headline")
    print(f"problems: {len(table)}, resamples: {args.resamples} (published indices)")
    print(
        f"mean accuracy: rocketconv {ours.mean():.4f}, published {pub.mean():.4f}, "
        f"difference {diff.mean():+.4f}"
    )
    if "aeon-MiniRocket" in table:
        print(f"mean accuracy aeon: {table['aeon-MiniRocket'].mean():.4f}")
    pw = authors.metrics["accuracy"].pairwise.set_index(["a", "b"])
    print(pw.to_string())
    print("\ntotal time on this machine (s):")
    print(times.to_string(float_format=lambda v: f"{v:.1f}"))
    if "aeon-MiniRocket" in times.index and "MiniRocket" in times.index:
        ratio = (
            times.loc["aeon-MiniRocket", "total_s"] / times.loc["MiniRocket", "total_s"]
        )
        print(f"aeon / rocketconv total time: {ratio:.2f}")
    per = diff.describe()
    print(
        "\nper-problem difference (ours - published): "
        f"min {per['min']:+.4f}, max {per['max']:+.4f}"
    )
    if args.cd_png:
        mc = comparison.metrics["accuracy"]
        stem = str(Path(args.cd_png).with_suffix(""))
        Path(stem).parent.mkdir(parents=True, exist_ok=True)
        plot_critical_difference(
            mc.summary["average_rank"],
            mc.cliques,
            stem,
            title=f"accuracy, {len(mc.table)} UCR problems x {args.resamples} "
            "resamples",
            formats=("png",),
        )
        print(f"CD diagram: {args.cd_png}")
    _ = load_published  # the shipped tables are what compare uses
    return 0


if __name__ == "__main__":
    sys.exit(main())
