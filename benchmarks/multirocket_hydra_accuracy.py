"""MultiRocket, Hydra and MultiRocket+Hydra accuracy on the default UCR split
against the published per-resample results.

References (column 0 = default train/test split, 1-29 = resamples):

* MultiRocket: ``multirocket/resamples/MULTIROCKET_50K_TESTFOLDS.csv``
  (the reference code, 49,728 features);
* Hydra, MR-Hydra: ``bakeoff_redux_2023/convolution/{Hydra,MR-Hydra}_accuracy.csv``
  (aeon's HydraClassifier / MultiRocketHydraClassifier in the bake-off redux).

Each problem is transformed once per transformer (``random_state=0``) and
the published heads are fitted on the features:
``rocketconv._registry.published_scaler()`` of
the transformer (StandardScaler, SparseScaler, or both by block) followed by
``RidgeClassifierCV(alphas=logspace(-3, 3, 10))``, which is what
``RocketClassifier(estimator="ridge")`` fits.

Criteria per method: |mean(ours) - mean(column 0)| <= 0.01 over the problems,
and no problem below its column 0 by more than ``max(0.03, 3 * std of its
resamples 1-29)``.

Usage::

    python benchmarks/multirocket_hydra_accuracy.py [--n-problems 50] [--n-jobs 1]

Problems: the equal-length, complete UCR ``.tsv`` problems of the shared
data folder (``--shared``, else ``$ROCKETCONV_SHARED``, else
``<checkout>/../shared``; ``benchmarks/_common.py``) that have all three
references, cheapest ``(n_train + n_test) * length`` first. Writes
``benchmarks/results/multirocket_hydra_accuracy.csv`` (one row per problem,
appended as it goes; ``--resume`` continues), then its companion ``.json``
(machine facts and the verdicts) and
``multirocket_hydra_accuracy_verdicts.csv``, and prints the table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeClassifierCV
from sklearn.pipeline import make_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, add_shared_argument, shared_dir, write_results  # noqa: E402

from rocketconv._registry import published_scaler  # noqa: E402
from rocketconv.transformers.hydra import Hydra  # noqa: E402
from rocketconv.transformers.multirocket import MultiRocket  # noqa: E402
from rocketconv.transformers.multirocket_hydra import MultiRocketHydra  # noqa: E402

OUT = RESULTS / "multirocket_hydra_accuracy.csv"
METHODS = ("multirocket", "hydra", "mr-hydra")


def load_references(shared: Path) -> dict[str, pd.DataFrame]:
    """Per-resample accuracy tables indexed by dataset, columns 0..29."""
    reference = shared / "reference-results"
    mr = pd.read_csv(reference / "multirocket/resamples/MULTIROCKET_50K_TESTFOLDS.csv")
    mr = mr.drop(columns=mr.columns[0]).set_index(mr.columns[1])
    tables = {"multirocket": mr}
    for method, name in (("hydra", "Hydra"), ("mr-hydra", "MR-Hydra")):
        table = pd.read_csv(
            reference / f"bakeoff_redux_2023/convolution/{name}_accuracy.csv"
        )
        tables[method] = table.set_index(table.columns[0])
    for method, table in tables.items():
        table.columns = [int(c) for c in table.columns]
        tables[method] = table.astype(float)
    return tables


def choose_problems(data: Path, n_problems: int, tables) -> list[str]:
    manifest = pd.read_csv(data / "MANIFEST.csv")
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


def load_split(data: Path, name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    data = np.loadtxt(data / name / f"{name}_{split}.tsv", delimiter="\t")
    return data[:, 1:], data[:, 0]


def ridge_accuracy(scaler, train, y_train, test, y_test) -> float:
    head = make_pipeline(scaler, RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)))
    head.fit(train, y_train)
    return float(np.mean(head.predict(test) == y_test))


def run_problem(data: Path, name: str, n_jobs: int) -> dict:
    X_train, y_train = load_split(data, name, "TRAIN")
    X_test, y_test = load_split(data, name, "TEST")
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
        row[f"{method}_transform_s_unquiet_machine"] = time.perf_counter() - start
        features[method] = (transformer, train, test)
        row[method] = ridge_accuracy(
            published_scaler(transformer), train, y_train, test, y_test
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
        published_scaler(combined),
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


def run_missing(problems, done, data: Path, tables, n_jobs: int) -> None:
    """Run the problems not in ``done``, appending each row to OUT."""
    for name in problems:
        if name in done:
            continue
        row = run_problem(data, name, n_jobs)
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_shared_argument(parser)
    parser.add_argument("--n-problems", type=int, default=50)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument(
        "--resume", action="store_true", help="skip problems in the CSV"
    )
    args = parser.parse_args(argv)
    shared = shared_dir(args.shared)
    tables = load_references(shared)
    problems = choose_problems(shared / "datasets", args.n_problems, tables)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    done = set()
    if args.resume and OUT.exists():
        done = set(pd.read_csv(OUT)["dataset"])
    elif OUT.exists():
        OUT.unlink()
    run_missing(problems, done, shared / "datasets", tables, args.n_jobs)
    results = pd.read_csv(OUT)
    results = results[results["dataset"].isin(problems)]
    table = verdicts(results, tables)
    notes = {
        "selection": "equal-length, complete UCR .tsv problems of <shared>/datasets "
        "with all three references, cheapest (n_train + n_test) x length first, "
        f"first {args.n_problems}; default train/test split",
        "transformers": f"MultiRocket, Hydra (random_state=0, n_jobs={args.n_jobs}) "
        "+ published scaler + RidgeClassifierCV(logspace(-3, 3, 10))",
        "published": "multirocket/resamples/MULTIROCKET_50K_TESTFOLDS.csv, "
        "bakeoff_redux_2023/convolution/{Hydra,MR-Hydra}_accuracy.csv (column 0)",
        "verdicts": table.round(4).to_dict(orient="records"),
    }
    write_results(results, OUT.stem, shared=shared, notes=notes)
    table.to_csv(RESULTS / f"{OUT.stem}_verdicts.csv", index=False)
    pd.set_option("display.width", 200)
    print(
        results[["dataset", *[c for m in METHODS for c in (m, f"{m}_published_0")]]]
        .round(3)
        .to_string(index=False)
    )
    print()
    print(table.round(4).to_string(index=False))


if __name__ == "__main__":
    main()
