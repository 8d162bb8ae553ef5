"""MultiRocket, Hydra and MultiRocket+Hydra accuracy on the default UCR split
against the published per-resample results.

References (column 0 = default train/test split, 1-29 = resamples):

* MultiRocket: ``multirocket/resamples/MULTIROCKET_50K_TESTFOLDS.csv``
  (the reference code, 49,728 features);
* Hydra, MR-Hydra: ``bakeoff_redux_2023/convolution/{Hydra,MR-Hydra}_accuracy.csv``
  (aeon's HydraClassifier / MultiRocketHydraClassifier in the bake-off redux).

Each problem is transformed once per transformer (``random_state=0``) and
the published heads are fitted on the features: ``_published_scaler()`` of
the transformer (StandardScaler, SparseScaler, or both by block) followed by
``RidgeClassifierCV(alphas=logspace(-3, 3, 10))``, which is what
``RocketClassifier(estimator="ridge")`` fits.

Criteria per method: |mean(ours) - mean(column 0)| <= 0.01 over the problems,
and no problem below its column 0 by more than ``max(0.03, 3 * std of its
resamples 1-29)``.

Usage::

    python benchmarks/multirocket_hydra_accuracy.py [--n-problems 50] [--n-jobs 2]

Problems: the equal-length, complete UCR ``.tsv`` problems of
``shared/datasets`` that have all three references, cheapest
``(n_train + n_test) * length`` first. Writes
``benchmarks/results/multirocket_hydra_accuracy.csv`` (one row per problem,
appended as it goes) and prints the table and the verdicts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeClassifierCV
from sklearn.pipeline import make_pipeline

from rocketconv.transformers.hydra import Hydra
from rocketconv.transformers.multirocket import MultiRocket
from rocketconv.transformers.multirocket_hydra import MultiRocketHydra

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
DATA = SHARED / "datasets"
REFERENCE = SHARED / "reference-results"
OUT = HERE / "results" / "multirocket_hydra_accuracy.csv"
METHODS = ("multirocket", "hydra", "mr-hydra")


def load_references() -> dict[str, pd.DataFrame]:
    """Per-resample accuracy tables indexed by dataset, columns 0..29."""
    mr = pd.read_csv(REFERENCE / "multirocket/resamples/MULTIROCKET_50K_TESTFOLDS.csv")
    mr = mr.drop(columns=mr.columns[0]).set_index(mr.columns[1])
    tables = {"multirocket": mr}
    for method, name in (("hydra", "Hydra"), ("mr-hydra", "MR-Hydra")):
        table = pd.read_csv(
            REFERENCE / f"bakeoff_redux_2023/convolution/{name}_accuracy.csv"
        )
        tables[method] = table.set_index(table.columns[0])
    for method, table in tables.items():
        table.columns = [int(c) for c in table.columns]
        tables[method] = table.astype(float)
    return tables


def choose_problems(n_problems: int, tables) -> list[str]:
    manifest = pd.read_csv(DATA / "MANIFEST.csv")
    manifest = manifest[manifest["format"] == "tsv"].copy()
    for column in ("series_length", "n_cases", "missing_values"):
        manifest[column] = pd.to_numeric(manifest[column], errors="coerce")
    sizes = manifest.pivot_table(
        index="dataset", columns="split", values="n_cases", aggfunc="first"
    )
    info = manifest.groupby("dataset").agg(
        length=("series_length", "first"), missing=("missing_values", "max")
    )
    info = info.join(sizes)
    info = info[(info["missing"] == 0) & info["length"].notna()]
    for table in tables.values():
        info = info[info.index.isin(table.index)]
    info["cost"] = (info["TRAIN"] + info["TEST"]) * info["length"]
    return list(info.sort_values("cost").index[:n_problems])


def load_split(name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    data = np.loadtxt(DATA / name / f"{name}_{split}.tsv", delimiter="\t")
    return data[:, 1:], data[:, 0]


def ridge_accuracy(scaler, train, y_train, test, y_test) -> float:
    head = make_pipeline(scaler, RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)))
    head.fit(train, y_train)
    return float(np.mean(head.predict(test) == y_test))


def run_problem(name: str, n_jobs: int) -> dict:
    X_train, y_train = load_split(name, "TRAIN")
    X_test, y_test = load_split(name, "TEST")
    row = {
        "dataset": name,
        "n_train": len(X_train),
        "n_test": len(X_test),
        "length": X_train.shape[1],
    }
    features = {}
    for method, transformer in (
        ("multirocket", MultiRocket(random_state=0, n_jobs=n_jobs)),
        ("hydra", Hydra(random_state=0, n_jobs=n_jobs)),
    ):
        start = time.perf_counter()
        transformer.fit(X_train)
        train, test = transformer.transform(X_train), transformer.transform(X_test)
        row[f"{method}_transform_s"] = time.perf_counter() - start
        features[method] = (transformer, train, test)
        row[method] = ridge_accuracy(
            transformer._published_scaler(), train, y_train, test, y_test
        )
    # MR-Hydra: the two blocks above side by side, [Hydra | MultiRocket], with
    # MultiRocketHydra's block scaler (features of a MultiRocketHydra fitted
    # with one random_state would differ only in their random draws).
    hydra, hydra_train, hydra_test = features["hydra"]
    _, mr_train, mr_test = features["multirocket"]
    combined = MultiRocketHydra()
    combined.n_hydra_features_ = hydra_train.shape[1]
    combined._n_features_out = hydra_train.shape[1] + mr_train.shape[1]
    row["mr-hydra"] = ridge_accuracy(
        combined._published_scaler(),
        np.hstack((hydra_train, mr_train)),
        y_train,
        np.hstack((hydra_test, mr_test)),
        y_test,
    )
    return row


def verdicts(results: pd.DataFrame, tables) -> pd.DataFrame:
    rows = []
    for method in METHODS:
        table = tables[method].loc[results["dataset"]]
        published = table[0].to_numpy()
        spread = table[list(range(1, 30))].std(axis=1, ddof=1).to_numpy()
        ours = results[method].to_numpy()
        tolerance = np.maximum(0.03, 3 * spread)
        worst = np.argmin(ours - published + tolerance)
        rows.append(
            {
                "method": method,
                "n_problems": len(ours),
                "mean_ours": ours.mean(),
                "mean_published_0": published.mean(),
                "mean_difference": ours.mean() - published.mean(),
                "mean_ok": abs(ours.mean() - published.mean()) <= 0.01,
                "n_below_tolerance": int((ours < published - tolerance).sum()),
                "closest_to_limit": results["dataset"].iloc[worst],
                "wins/draws/losses": (
                    f"{(ours > published).sum()}/{(ours == published).sum()}/"
                    f"{(ours < published).sum()}"
                ),
            }
        )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-problems", type=int, default=50)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument(
        "--resume", action="store_true", help="skip problems in the CSV"
    )
    args = parser.parse_args()
    tables = load_references()
    problems = choose_problems(args.n_problems, tables)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if args.resume and OUT.exists():
        done = set(pd.read_csv(OUT)["dataset"])
    elif OUT.exists():
        OUT.unlink()
    started = time.perf_counter()
    for name in problems:
        if name in done:
            continue
        row = run_problem(name, args.n_jobs)
        for method in METHODS:
            row[f"{method}_published_0"] = tables[method].loc[name, 0]
        pd.DataFrame([row]).to_csv(OUT, mode="a", header=not OUT.exists(), index=False)
        print(
            f"{name:32s} "
            + " ".join(
                f"{m}={row[m]:.3f}({row[m + '_published_0']:.3f})" for m in METHODS
            ),
            flush=True,
        )
    results = pd.read_csv(OUT)
    print(f"\nwall time {time.perf_counter() - started:.0f} s\n")
    pd.set_option("display.width", 200)
    print(
        results[["dataset", *[c for m in METHODS for c in (m, f"{m}_published_0")]]]
        .round(3)
        .to_string(index=False)
    )
    print()
    print(verdicts(results, tables).round(4).to_string(index=False))


if __name__ == "__main__":
    main()
