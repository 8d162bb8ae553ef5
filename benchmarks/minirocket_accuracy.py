"""MiniRocket accuracy on the default split vs the published results.

Published: ``reference-results/minirocket/accuracy_ucr109_resamples.csv``
(column 0 = default split, columns 1-29 = resamples). Passes when the mean
difference is >= -0.01 and no problem is below its column-0 accuracy by more
than max(0.03, 3 x std of its published resamples).

    python benchmarks/minirocket_accuracy.py [--shared ../shared] [--limit N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from rocketconv import RocketClassifier
from rocketconv.datasets import load_ucr

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(HERE.parent.parent / "shared"))
    parser.add_argument("--limit", type=int, default=None, help="first N problems")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    shared = Path(args.shared)
    published = pd.read_csv(
        shared / "reference-results/minirocket/accuracy_ucr109_resamples.csv",
        index_col=0,
    )
    manifest = pd.read_csv(shared / "datasets/MANIFEST.csv")
    train = manifest[manifest.split == "TRAIN"].drop_duplicates("dataset")
    train = train[train.dataset.isin(published.index)]
    # smallest first, so --limit keeps the cheap ones
    longest = train.series_length.astype(str).str.split("-").str[-1].astype(int)
    size = train.n_cases * longest
    names = list(train.assign(size=size).sort_values("size").dataset)[: args.limit]

    rows = []
    for name in names:
        X_train, y_train = load_ucr(name, split="train", data_home=shared / "datasets")
        X_test, y_test = load_ucr(name, split="test", data_home=shared / "datasets")
        start = time.perf_counter()
        clf = RocketClassifier("minirocket", n_jobs=args.n_jobs, random_state=args.seed)
        clf.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        accuracy = float(np.mean(clf.predict(X_test) == y_test))
        predict_seconds = time.perf_counter() - start
        resamples = published.loc[name].to_numpy(dtype=float)
        rows.append(
            {
                "dataset": name,
                "accuracy": accuracy,
                "published": resamples[0],
                "published_std": resamples[1:].std(ddof=1),
                "fit_s": fit_seconds,
                "predict_s": predict_seconds,
            }
        )
        print(f"{name:32s} {accuracy:.4f} (published {resamples[0]:.4f})", flush=True)

    table = pd.DataFrame(rows)
    table["difference"] = table.accuracy - table.published
    table["allowed"] = -np.maximum(0.03, 3 * table.published_std)
    table["ok"] = table.difference >= table.allowed
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    table.to_csv(out / "minirocket_accuracy.csv", index=False)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(table.round(4).to_string(index=False))
    mean_difference = table.difference.mean()
    print(
        f"\n{len(table)} problems: mean accuracy {table.accuracy.mean():.4f} vs "
        f"published {table.published.mean():.4f} (difference {mean_difference:+.4f}); "
        f"{(~table.ok).sum()} below the per-problem bound; total fit "
        f"{table.fit_s.sum():.1f} s, predict {table.predict_s.sum():.1f} s"
    )
    passed = mean_difference >= -0.01 and table.ok.all()
    print("PASS" if passed else "FAIL")


if __name__ == "__main__":
    main()
