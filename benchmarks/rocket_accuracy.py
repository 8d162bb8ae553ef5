"""ROCKET accuracy on the default UCR splits against the published results.

``RocketClassifier(transformer="rocket", estimator="ridge")`` (10,000
kernels, the published ridge head with L2 column scaling) on every
univariate, equal-length problem without missing values in the shared
data folder's ``datasets/`` that appears in the published ROCKET table
(angus924/rocket ``results_ucr.csv``: mean and std of 10 runs on the default
split), smallest first, up to ``--max-problems``. Each problem is run
``--runs`` times with seeds 0, 1, ...; the table compares our mean with the
published mean and flags problems below it by more than
max(0.03, 3 * published std). Optionally (``--aeon N``) also runs aeon's own
RocketClassifier (StandardScaler head) with the same seeds on the N smallest
problems, in the peer interpreter (``--peer-python`` or
``$ROCKETCONV_PEER_PYTHON``, a venv with aeon) through a subprocess.

The data folder is ``--shared``, else ``$ROCKETCONV_SHARED``, else
``<checkout>/../shared`` (``benchmarks/_common.py``). Writes
``benchmarks/results/rocket_accuracy.csv`` and ``.json`` (machine facts and
summary).

Usage::

    python benchmarks/rocket_accuracy.py [--runs 3] [--max-problems 80] [--aeon 8]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    add_peer_argument,
    add_shared_argument,
    peer_python,
    shared_dir,
    write_results,
)

PUBLISHED = "reference-results/rocket/results_ucr.csv"

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


def candidate_problems(shared: Path) -> pd.DataFrame:
    """Univariate, equal-length, complete problems in the published table."""
    manifest = pd.read_csv(shared / "datasets" / "MANIFEST.csv")
    manifest = manifest[manifest["format"] == "tsv"]
    published = pd.read_csv(shared / PUBLISHED).set_index("dataset")
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


def load(data: Path, name: str, split: str):
    data = np.loadtxt(data / name / f"{name}_{split}.tsv", delimiter="\t")
    return data[:, np.newaxis, 1:], data[:, 0]


def run_rocketconv(
    data: Path, name: str, runs: int, n_jobs: int
) -> tuple[list[float], float]:
    from rocketconv import RocketClassifier

    X_train, y_train = load(data, name, "TRAIN")
    X_test, y_test = load(data, name, "TEST")
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


def run_aeon(python: str, data: Path, name: str, runs: int) -> list[float]:
    path = str(data / name / f"{name}_SPLIT.tsv")
    result = subprocess.run(
        [python, "-c", AEON_SCRIPT, path, str(runs)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_all(problems: pd.DataFrame, args, data: Path, peer) -> pd.DataFrame:
    rows = []
    for i, problem in problems.iterrows():
        scores, seconds = run_rocketconv(data, problem.dataset, args.runs, args.n_jobs)
        row = problem.drop("cost").to_dict()
        row["rocketconv_mean"] = float(np.mean(scores))
        row["rocketconv_std"] = float(np.std(scores))
        row["seconds_per_run_unquiet_machine"] = seconds
        if peer and i < args.aeon:
            aeon = run_aeon(peer, data, problem.dataset, args.runs)
            row["aeon_mean"] = float(np.mean(aeon))
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
    return table


def summarise(table: pd.DataFrame, runs: int) -> dict:
    diff = table.difference
    summary = {
        "problems": len(table),
        "runs_per_problem": runs,
        "mean_rocketconv": round(float(table.rocketconv_mean.mean()), 4),
        "mean_published": round(float(table.published_mean.mean()), 4),
        "mean_difference": round(float(diff.mean()), 4),
        "median_difference": round(float(diff.median()), 4),
        "wins_ties_losses": f"{(diff > 0).sum()}/{(diff == 0).sum()}/"
        f"{(diff < 0).sum()}",
        "below_bound": int(table.below.sum()),
    }
    if "aeon_mean" in table:
        both = table.dropna(subset=["aeon_mean"])
        summary["aeon_problems"] = len(both)
        summary["aeon_mean"] = round(float(both.aeon_mean.mean()), 4)
        summary["rocketconv_mean_same_problems"] = round(
            float(both.rocketconv_mean.mean()), 4
        )
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_shared_argument(parser)
    add_peer_argument(parser)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-problems", type=int, default=80)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--aeon", type=int, default=0, help="problems for aeon")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)
    shared = shared_dir(args.shared)
    peer = peer_python(args.peer_python) if args.aeon else None
    problems = candidate_problems(shared).head(args.max_problems)
    print(f"{len(problems)} problems", flush=True)
    table = run_all(problems, args, shared / "datasets", peer)
    summary = summarise(table, args.runs)
    notes = {
        "selection": "univariate, equal-length problems without missing values "
        f"in <shared>/datasets that appear in {PUBLISHED}, smallest "
        f"(n_train + n_test) x length first, at most {args.max_problems}; "
        "default train/test split",
        "classifier": "RocketClassifier('rocket', estimator='ridge'), seeds "
        f"0..{args.runs - 1}, n_jobs={args.n_jobs}",
        "published": PUBLISHED + " (mean and std of 10 runs, default split)",
        "summary": summary,
    }
    write_results(table, "rocket_accuracy", shared=shared, notes=notes)
    print(table.round(4).to_string(index=False))
    print(summary)


if __name__ == "__main__":
    main()
