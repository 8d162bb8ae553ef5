"""ROCKET accuracy on the default UCR splits against the published results.

``RocketClassifier(transformer="rocket", estimator="ridge")`` (10,000
kernels, the published ridge head with L2 column scaling) on every
univariate, equal-length problem without missing values in
/work/shared/datasets that appears in the published ROCKET table
(angus924/rocket ``results_ucr.csv``: mean and std of 10 runs on the default
split), smallest first, up to ``--max-problems``. Each problem is run
``--runs`` times with seeds 0, 1, ...; the table compares our mean with the
published mean and flags problems below it by more than
max(0.03, 3 * published std). Optionally (``--aeon N``) also runs aeon's own
RocketClassifier (StandardScaler head) with the same seeds on the N smallest
problems, in /work/venv-aeon through a subprocess.

Usage::

    python benchmarks/rocket_accuracy.py [--runs 3] [--max-problems 80] [--aeon 8]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(os.environ.get("UCR_DATA", "/work/shared/datasets"))
PUBLISHED = Path("/work/shared/reference-results/rocket/results_ucr.csv")
PEER_PYTHON = os.environ.get("PEER_PYTHON", "/work/venv-aeon/bin/python")
RESULTS = Path(__file__).parent / "results"

AEON_SCRIPT = r"""
import json, sys, warnings
import numpy as np
warnings.filterwarnings("ignore")
from aeon.classification.convolution_based import RocketClassifier
path, runs = sys.argv[1], int(sys.argv[2])
def read(split):
    data = np.loadtxt(path.replace("SPLIT", split), delimiter="\t")
    return data[:, None, 1:], data[:, 0]
(X_train, y_train), (X_test, y_test) = read("TRAIN"), read("TEST")
scores = []
for seed in range(runs):
    clf = RocketClassifier(n_kernels=10_000, random_state=seed, n_jobs=2)
    scores.append(float(np.mean(clf.fit(X_train, y_train).predict(X_test) == y_test)))
print(json.dumps(scores))
"""


def candidate_problems() -> pd.DataFrame:
    """Univariate, equal-length, complete problems in the published table."""
    manifest = pd.read_csv(DATA / "MANIFEST.csv")
    manifest = manifest[manifest["format"] == "tsv"]
    published = pd.read_csv(PUBLISHED).set_index("dataset")
    rows = []
    for name, files in manifest.groupby("dataset"):
        if name not in published.index or set(files["split"]) != {"TRAIN", "TEST"}:
            continue
        lengths = pd.to_numeric(files["series_length"], errors="coerce")
        if lengths.isna().any() or lengths.nunique() != 1:
            continue  # unequal length
        if (files["missing_values"].astype(float) > 0).any():
            continue
        rows.append(
            {
                "dataset": name,
                "n_train": int(files.loc[files.split == "TRAIN", "n_cases"].iloc[0]),
                "n_test": int(files.loc[files.split == "TEST", "n_cases"].iloc[0]),
                "length": int(lengths.iloc[0]),
                "published_mean": published.loc[name, "accuracy_mean"],
                "published_std": published.loc[name, "accuracy_standard_deviation"],
            }
        )
    table = pd.DataFrame(rows)
    table["cost"] = (table.n_train + table.n_test) * table.length
    return table.sort_values("cost").reset_index(drop=True)


def load(name: str, split: str):
    data = np.loadtxt(DATA / name / f"{name}_{split}.tsv", delimiter="\t")
    return data[:, np.newaxis, 1:], data[:, 0]


def run_rocketconv(name: str, runs: int, n_jobs: int) -> tuple[list[float], float]:
    from rocketconv import RocketClassifier

    X_train, y_train = load(name, "TRAIN")
    X_test, y_test = load(name, "TEST")
    scores = []
    start = time.perf_counter()
    for seed in range(runs):
        clf = RocketClassifier(
            transformer="rocket", estimator="ridge", random_state=seed, n_jobs=n_jobs
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(X_train, y_train)
        scores.append(float(np.mean(clf.predict(X_test) == y_test)))
    return scores, (time.perf_counter() - start) / runs


def run_aeon(name: str, runs: int) -> list[float]:
    path = str(DATA / name / f"{name}_SPLIT.tsv")
    result = subprocess.run(
        [PEER_PYTHON, "-c", AEON_SCRIPT, path, str(runs)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-problems", type=int, default=80)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--aeon", type=int, default=0, help="problems for aeon")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)

    problems = candidate_problems().head(args.max_problems)
    print(f"{len(problems)} problems; Herring present: {(DATA / 'Herring').exists()}")
    rows = []
    for i, problem in problems.iterrows():
        scores, seconds = run_rocketconv(problem.dataset, args.runs, args.n_jobs)
        row = problem.drop("cost").to_dict()
        row["rocketconv_mean"] = float(np.mean(scores))
        row["rocketconv_std"] = float(np.std(scores))
        row["seconds_per_run"] = seconds
        if i < args.aeon:
            row["aeon_mean"] = float(np.mean(run_aeon(problem.dataset, args.runs)))
        rows.append(row)
        print(
            f"{problem.dataset:32s} ours {row['rocketconv_mean']:.4f} published "
            f"{problem.published_mean:.4f} ({seconds:.1f} s/run)",
            flush=True,
        )
    table = pd.DataFrame(rows)
    table["difference"] = table.rocketconv_mean - table.published_mean
    table["tolerance"] = np.maximum(0.03, 3 * table.published_std)
    table["below"] = table.difference < -table.tolerance
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "rocket_accuracy.csv", index=False)

    print(table.round(4).to_string(index=False))
    print(
        f"\n{len(table)} problems, {args.runs} runs each: mean difference "
        f"{table.difference.mean():+.4f} (median {table.difference.median():+.4f}); "
        f"wins/ties/losses vs published mean: {(table.difference > 0).sum()}/"
        f"{(table.difference == 0).sum()}/{(table.difference < 0).sum()}"
    )
    below = table[table.below]
    print(f"below published by more than max(0.03, 3 std): {len(below)}")
    if len(below):
        print(below[["dataset", "rocketconv_mean", "published_mean"]].to_string())
    if "aeon_mean" in table:
        both = table.dropna(subset=["aeon_mean"])
        print("\nrocketconv vs aeon RocketClassifier (same seeds):")
        print(
            both[["dataset", "rocketconv_mean", "aeon_mean", "published_mean"]]
            .round(4)
            .to_string(index=False)
        )
        print(
            f"mean: rocketconv {both.rocketconv_mean.mean():.4f}, aeon "
            f"{both.aeon_mean.mean():.4f}, published {both.published_mean.mean():.4f}"
        )


if __name__ == "__main__":
    main()
