"""MiniRocket on the published resamples, against the published table and aeon.

Runs rocketconv's MiniRocket (``RocketClassifier(transformer="minirocket")``,
via ``rocketconv.evaluation``'s task runner) on every problem of the shared
data folder that the published MiniRocket table
(``minirocket/accuracy_ucr109_resamples.csv``) covers and that has published
resample indices (``multirocket/indices109``), on resamples 0..R-1 taken from
those indices; optionally aeon's ``MiniRocketClassifier`` on the very same
splits, in a persistent subprocess of a peer interpreter. Both write tsml
results files (``MiniRocket/`` and ``aeon-MiniRocket/`` under ``--out``); then
``rocketconv.evaluation``'s ``compare`` lines them up with the published
figures.

Writes ``benchmarks/results/minirocket_resamples.csv`` (one row per problem
and resample: accuracy, log-loss, published accuracy of that resample, aeon's
accuracy and log-loss when run) and ``minirocket_resamples.json`` (machine
facts, summary, Wilcoxon p-values).

Options and environment:

* ``--shared DIR`` / ``$ROCKETCONV_SHARED`` / ``<checkout>/../shared``: data;
* ``--peer-python PATH`` / ``$ROCKETCONV_PEER_PYTHON``: a Python with aeon;
  without either (or with ``--no-aeon``) only rocketconv runs;
* ``--out DIR``: the tsml results files (default: a folder in the system's
  temporary directory).

Times are recorded in the tsml files but are not a benchmark unless the
machine is quiet (n_jobs=1 on both sides).

Usage::

    python benchmarks/minirocket_resamples.py --resamples 5 \\
        [--peer-python VENV/bin/python] [--cd-png docs/img/minirocket_cd_accuracy.png]
"""

from __future__ import annotations

import argparse
import gc
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    add_peer_argument,
    add_shared_argument,
    evaluation,
    peer_python,
    shared_dir,
    write_results,
)

PUBLISHED = "reference-results/minirocket/accuracy_ucr109_resamples.csv"
INDICES = "reference-results/multirocket/indices109"
AEON = "aeon-MiniRocket"
OURS = "MiniRocket"

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
import aeon
import gc
gc.collect()  # the compiler's garbage, before timing (a full pass takes ~0.2 s)
print(json.dumps({"ready": True, "aeon": aeon.__version__}), flush=True)
for line in sys.stdin:
    try:
        out = run(json.loads(line))
    except Exception as error:
        out = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(out), flush=True)
"""


class AeonWorker:
    """aeon's MiniRocketClassifier in a persistent peer process."""

    def __init__(self, python: str):
        self.proc = subprocess.Popen(
            [python, "-c", AEON_SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        hello = json.loads(self.proc.stdout.readline())
        assert hello["ready"]
        self.version = hello["aeon"]
        self.tmp = tempfile.mkdtemp()

    def run(self, X_train, y_train, X_test, seed: int) -> dict:
        npz = os.path.join(self.tmp, "split.npz")
        np.savez(npz, X_train=X_train, y_train=y_train.astype(str), X_test=X_test)
        self.proc.stdin.write(json.dumps({"npz": npz, "seed": seed}) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        shutil.rmtree(self.tmp, ignore_errors=True)


def datasets_to_run(shared: Path, limit: int | None, subset: str | None) -> list:
    published = pd.read_csv(shared / PUBLISHED)
    data, indices = shared / "datasets", shared / INDICES
    names = sorted(
        name
        for name in published["dataset"]
        if (data / name).is_dir() and (indices / f"{name}_INDICES_TRAIN.txt").is_file()
    )
    if subset:
        names = [name for name in names if name in set(subset.split(","))]
    return names[:limit] if limit else names


def _aeon_text(task, seed, got, y_test) -> str:
    classes = np.unique(np.concatenate([got["classes"], y_test.astype(str)]))
    full = np.zeros((len(y_test), len(classes)))
    full[:, np.searchsorted(classes, got["classes"])] = np.asarray(got["proba"])
    return evaluation("format_classification_results")(
        dataset=task.dataset,
        classifier=AEON,
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


def run_aeon(worker, task, config, out) -> dict:
    """aeon on one task; writes its tsml file (skipped when it exists)."""
    path = evaluation("results_path")(out, AEON, task.dataset, task.resample)
    row = {"classifier": AEON, "dataset": task.dataset, "resample": task.resample}
    if path.exists():
        return {**row, "status": "ok"}
    X_train, y_train, X_test, y_test = evaluation("load_split")(
        task.dataset, task.resample, config.data_home, config.resample_indices
    )
    if isinstance(X_train, list) or isinstance(X_test, list):
        return {**row, "status": "error", "error": "unequal length"}
    seed = config.seed + task.resample
    got = worker.run(X_train, y_train, X_test, seed)
    if "error" in got:
        return {**row, "status": "error", "error": got["error"]}
    evaluation("atomic_write_text")(path, _aeon_text(task, seed, got, y_test))
    return {**row, "status": "ok"}


def run_all(datasets, resamples: int, config, worker) -> pd.DataFrame:
    rows, start = [], time.perf_counter()
    for i, dataset in enumerate(datasets):
        for resample in range(resamples):
            task = evaluation("Task")("minirocket", dataset, resample)
            ours = evaluation("run_task")(task, config)
            keys = ("classifier", "dataset", "resample", "status", "error")
            rows.append({k: ours.get(k) for k in keys})
            if worker is not None:
                rows.append(run_aeon(worker, task, config, config.out))
        print(
            f"[{i + 1}/{len(datasets)}] {dataset} "
            f"(elapsed {time.perf_counter() - start:.0f}s)",
            flush=True,
        )
    return pd.DataFrame(rows)


def per_resample_table(out: str, shared: Path, resamples: int) -> pd.DataFrame:
    """One row per (problem, resample): ours, aeon's, the published accuracy."""
    results = evaluation("load_results")(out)
    table = results.pivot_table(
        index=["dataset", "resample"],
        columns="classifier",
        values=["accuracy", "logloss"],
        aggfunc="first",
    )
    table.columns = [f"{c}_{m}" for m, c in table.columns]
    table = table.reset_index()
    published = pd.read_csv(shared / PUBLISHED, index_col=0)
    table["published_accuracy"] = [
        float(published.loc[d, str(r)])
        for d, r in zip(table["dataset"], table["resample"], strict=True)
    ]
    return table[table["resample"] < resamples]


def summarise(table: pd.DataFrame) -> dict:
    """Means over problems of the per-problem means over resamples."""
    per_problem = table.groupby("dataset").mean(numeric_only=True)
    ours, pub = per_problem[f"{OURS}_accuracy"], per_problem["published_accuracy"]
    summary = {
        "problems": len(per_problem),
        "resamples": sorted(int(r) for r in table["resample"].unique()),
        "mean_accuracy": round(float(ours.mean()), 4),
        "mean_published": round(float(pub.mean()), 4),
        "mean_difference": round(float((ours - pub).mean()), 4),
        "min_difference": round(float((ours - pub).min()), 4),
        "max_difference": round(float((ours - pub).max()), 4),
        "wins_ties_losses_vs_published": "/".join(
            map(str, evaluation("wins_ties_losses")(ours, pub))
        ),
        "wilcoxon_p_vs_published": round(evaluation("wilcoxon_p")(ours, pub), 4),
        "mean_logloss": round(float(per_problem[f"{OURS}_logloss"].mean()), 4),
    }
    if f"{AEON}_accuracy" in per_problem:
        aeon = per_problem[f"{AEON}_accuracy"]
        summary["aeon_mean_accuracy"] = round(float(aeon.mean()), 4)
        summary["aeon_mean_logloss"] = round(
            float(per_problem[f"{AEON}_logloss"].mean()), 4
        )
        summary["wilcoxon_p_vs_aeon"] = round(evaluation("wilcoxon_p")(ours, aeon), 4)
    return summary


def print_reports(out: str, n_resamples: int, cd_png: str | None) -> pd.DataFrame:
    """The published-results comparison of ``rocketconv compare``: printed,
    and its per-metric summary (mean, average rank) returned."""
    refs = ["minirocket", "rocket", "multirocket", "inceptiontime", "hc2"]
    comparison = evaluation("compare")(
        out, refs, metrics=["accuracy", "balacc", "auroc", "logloss"]
    )
    print(evaluation("report")(comparison, markdown=True, per_dataset=False))
    if cd_png:
        mc = comparison.metrics["accuracy"]
        stem = str(Path(cd_png).with_suffix(""))
        Path(stem).parent.mkdir(parents=True, exist_ok=True)
        evaluation("plot_critical_difference")(
            mc.summary["average_rank"],
            mc.cliques,
            stem,
            title=f"accuracy, {len(mc.table)} UCR problems x {n_resamples} resamples",
            formats=("png",),
        )
        print(f"CD diagram: {cd_png}")
    frames = []
    for metric, mc in comparison.metrics.items():
        frame = mc.summary.reset_index().rename(columns={"index": "classifier"})
        frame.insert(0, "metric", metric)
        frame["n_datasets"] = len(mc.table)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_shared_argument(parser)
    add_peer_argument(parser)
    parser.add_argument("--resamples", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None, help="first N problems only")
    parser.add_argument(
        "--datasets", default=None, help="comma separated subset (default: all covered)"
    )
    parser.add_argument(
        "--out",
        default=os.path.join(tempfile.gettempdir(), "rocketconv_minirocket_resamples"),
        help="tsml results files (default: in the temporary directory)",
    )
    parser.add_argument("--no-aeon", action="store_true")
    parser.add_argument("--name", default="minirocket_resamples", help="results stem")
    parser.add_argument(
        "--cd-png", default=None, help="also save the accuracy CD diagram here"
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    shared = shared_dir(args.shared)
    datasets = datasets_to_run(shared, args.limit, args.datasets)
    config = evaluation("RunConfig")(
        out=args.out,
        data_home=str(shared / "datasets"),
        resample_indices=str(shared / INDICES),
        n_jobs=1,
        seed=0,
    )
    print(f"{len(datasets)} problems x {args.resamples} resamples", flush=True)
    evaluation("warm_up")(["minirocket"], config)
    gc.collect()  # as the aeon worker does after compiling
    peer = None if args.no_aeon else peer_python(args.peer_python)
    worker = AeonWorker(peer) if peer else None
    try:
        runs = run_all(datasets, args.resamples, config, worker)
    finally:
        if worker is not None:
            worker.close()
    errors = runs[runs["status"] == "error"]
    if len(errors):
        print("errors:\n" + errors.to_string(), flush=True)
    table = per_resample_table(args.out, shared, args.resamples)
    table = table[table.dataset.isin(datasets)]
    summary = summarise(table)
    notes = {
        "selection": f"every problem in <shared>/datasets with a row in {PUBLISHED} "
        f"and published indices in {INDICES}, resamples 0..{args.resamples - 1} "
        "(0 = default split)",
        "classifier": "RocketClassifier('minirocket', random_state=resample, n_jobs=1)",
        "peer": f"aeon {worker.version} MiniRocketClassifier" if worker else None,
        "published": PUBLISHED,
        "summary": summary,
        "errors": len(errors),
    }
    write_results(table, args.name, shared=shared, notes=notes)
    ranks = print_reports(args.out, args.resamples, args.cd_png)
    notes["references"] = (
        "published bake-off redux 2023 per-resample results shipped in "
        "rocketconv.evaluation (MiniRocket/ROCKET/MultiRocket/InceptionTime/HC2), "
        "same problems and resamples"
    )
    write_results(ranks, f"{args.name}_vs_published", shared=shared, notes=notes)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
