"""MiniRocket accuracy on the default split vs the published results.

Published: ``reference-results/minirocket/accuracy_ucr109_resamples.csv``
(column 0 = default split, columns 1-29 = resamples). Problems: every UCR
problem of the shared data folder that this table covers, smallest
(n_cases x length) first. Passes when the mean difference is >= -0.01 and no
problem is below its column-0 accuracy by more than max(0.03, 3 x std of its
published resamples).

Writes ``benchmarks/results/minirocket_accuracy.csv`` (one row per problem)
and ``minirocket_accuracy.json`` (machine facts and the summary).

    python benchmarks/minirocket_accuracy.py [--shared DIR] [--limit N]

The data folder is ``--shared``, else ``$ROCKETCONV_SHARED``, else
``<checkout>/../shared`` (see ``benchmarks/_common.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import add_shared_argument, shared_dir, write_results  # noqa: E402

from rocketconv import RocketClassifier  # noqa: E402
from rocketconv.datasets import load_ucr  # noqa: E402

PUBLISHED = "reference-results/minirocket/accuracy_ucr109_resamples.csv"
SELECTION = (
    "every UCR problem in <shared>/datasets with a value in "
    f"{PUBLISHED}, default train/test split"
)


def problems(shared: Path, published: pd.DataFrame, limit: int | None) -> list:
    """Covered problems, smallest (n_cases x longest length) first."""
    manifest = pd.read_csv(shared / "datasets/MANIFEST.csv")
    train = manifest[manifest.split == "TRAIN"].drop_duplicates("dataset")
    train = train[train.dataset.isin(published.index)]
    longest = train.series_length.astype(str).str.split("-").str[-1].astype(int)
    size = train.n_cases * longest
    return list(train.assign(size=size).sort_values("size").dataset)[:limit]


def run_one(name: str, shared: Path, published: pd.DataFrame, args) -> dict:
    home = shared / "datasets"
    X_train, y_train = load_ucr(name, split="train", data_home=home)
    X_test, y_test = load_ucr(name, split="test", data_home=home)
    start = time.perf_counter()
    clf = RocketClassifier("minirocket", n_jobs=args.n_jobs, random_state=args.seed)
    clf.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    accuracy = float(np.mean(clf.predict(X_test) == y_test))
    resamples = published.loc[name].to_numpy(dtype=float)
    print(f"{name:32s} {accuracy:.4f} (published {resamples[0]:.4f})", flush=True)
    return {
        "dataset": name,
        "accuracy": accuracy,
        "published": resamples[0],
        "published_std": resamples[1:].std(ddof=1),
        "fit_s_unquiet_machine": fit_seconds,
    }


def summarise(table: pd.DataFrame) -> dict:
    table["difference"] = table.accuracy - table.published
    table["allowed"] = -np.maximum(0.03, 3 * table.published_std)
    table["ok"] = table.difference >= table.allowed
    mean_difference = float(table.difference.mean())
    return {
        "problems": len(table),
        "mean_accuracy": round(float(table.accuracy.mean()), 4),
        "mean_published": round(float(table.published.mean()), 4),
        "mean_difference": round(mean_difference, 4),
        "below_bound": int((~table.ok).sum()),
        "passed": bool(mean_difference >= -0.01 and table.ok.all()),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_shared_argument(parser)
    parser.add_argument("--limit", type=int, default=None, help="first N problems")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default="minirocket_accuracy", help="results stem")
    args = parser.parse_args(argv)
    shared = shared_dir(args.shared)
    published = pd.read_csv(shared / PUBLISHED, index_col=0)
    rows = [
        run_one(name, shared, published, args)
        for name in problems(shared, published, args.limit)
    ]
    table = pd.DataFrame(rows)
    summary = summarise(table)
    notes = {
        "selection": SELECTION + (f", first {args.limit}" if args.limit else ""),
        "classifier": f"RocketClassifier('minirocket', random_state={args.seed}, "
        f"n_jobs={args.n_jobs})",
        "published": PUBLISHED + " (column 0 = default split)",
        "summary": summary,
        "timing_note": "fit seconds on a shared, loaded machine; not a benchmark",
    }
    path = write_results(table, args.name, shared=shared, notes=notes)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(table.round(4).to_string(index=False))
    print(summary, f"\nwritten: {path.name}")
    print("PASS" if summary["passed"] else "FAIL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
