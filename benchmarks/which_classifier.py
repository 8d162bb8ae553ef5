"""Which classifier should I use: accuracy and training time on the same problems.

MiniRocket, MultiRocket, Hydra, MultiRocket+Hydra and ROCKET (each
``RocketClassifier(transformer=..., estimator="ridge")``, the published
ridge head) and ``InceptionTimeClassifier`` are fitted on the default
train/test split of the same UCR problems, with one seed (0) and one thread
each (``n_jobs=1``, BLAS limited to one thread), so the times compare
algorithms rather than core counts.

Problems (the rule, applied to the shared data folder): univariate,
equal-length UCR problems without missing values that have a published
InceptionTime result (``reference-results/inceptiontime/
results-InceptionTime-128.csv``), the ``--n-problems`` (default 10) smallest
by ``n_train * length``.

InceptionTime: the published settings (5 networks x 1,500 epochs) are 15
times the default here, about 10 hours for the ten problems on one core
(``--inception-estimators 5 --inception-epochs 1500`` runs them); the
default is reduced to one network x 500 epochs, and each row shows beside
it the published accuracy of the ensemble and the mean over 5 runs of one
published network. InceptionTime
runs last, after every convolution classifier, so a stopped run keeps the
others.

Times: ``fit`` wall-clock seconds (the transform plus the head, or the
network training), numba compilation excluded (each convolution classifier
is fitted once on the first problem before timing). They are measured on a
machine that other jobs share and are marked ``_unquiet_machine``.

Writes ``benchmarks/results/which_classifier.csv`` and ``.json`` after every
fit (a stopped run keeps what finished), then the plot
``docs/img/which_classifier.png`` (``--part plot`` redraws it from the CSV).

Usage::

    python benchmarks/which_classifier.py [--n-problems 10] \\
        [--inception-estimators 1 --inception-epochs 500]
    python benchmarks/which_classifier.py --part plot
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    CHECKOUT,
    RESULTS,
    add_shared_argument,
    shared_dir,
    write_results,
)

NAME = "which_classifier"
PLOT = CHECKOUT / "docs" / "img" / f"{NAME}.png"
IT_ENSEMBLE = "inceptiontime/results-InceptionTime-128.csv"
IT_SINGLE = "inceptiontime/results-inception-128.csv"
# RocketClassifier transformer keys, in the order they run, and their labels
CONVOLUTION = {
    "minirocket": "MiniRocket",
    "multirocket": "MultiRocket",
    "hydra": "Hydra",
    "multirocket+hydra": "MultiRocket+Hydra",
    "rocket": "ROCKET",
}
SEED = 0
TIME = "fit_seconds_unquiet_machine"


def choose_problems(shared: Path, n_problems: int) -> pd.DataFrame:
    """The ``n_problems`` smallest (n_train x length) univariate, equal-length
    UCR problems without missing values that have a published InceptionTime
    result, with their sizes and the published InceptionTime accuracies."""
    manifest = pd.read_csv(shared / "datasets" / "MANIFEST.csv")
    manifest = manifest[
        (manifest["group"] == "UCR-univariate")
        & (manifest["format"] == "tsv")
        & (manifest["missing_values"] == 0)
        & manifest["series_length"].astype(str).str.isdigit()
    ]
    train = manifest[manifest["split"] == "TRAIN"].set_index("dataset")
    test = manifest[manifest["split"] == "TEST"].set_index("dataset")
    ensemble = pd.read_csv(shared / "reference-results" / IT_ENSEMBLE)
    single = pd.read_csv(shared / "reference-results" / IT_SINGLE)
    problems = pd.DataFrame(
        {
            "n_train": train["n_cases"],
            "n_test": test["n_cases"],
            "length": train["series_length"].astype(int),
            "n_classes": train["n_classes"],
        }
    ).dropna()
    problems = problems.join(
        ensemble.set_index("dataset_name")["accuracy"].rename(
            "published_inceptiontime_accuracy"
        ),
        how="inner",
    )
    problems = problems.join(
        single.groupby("dataset_name")["accuracy"]
        .mean()
        .rename("published_single_inception_mean_accuracy")
    )
    problems["size"] = problems["n_train"] * problems["length"]
    problems = problems.sort_values(["size", "n_train"]).head(n_problems)
    return problems.rename_axis("dataset").reset_index()


def load(shared: Path, name: str) -> tuple[np.ndarray, ...]:
    """The default split of one problem: X_train, y_train, X_test, y_test."""
    from rocketconv.datasets import load_ucr

    data = load_ucr(name, data_home=shared / "datasets", return_X_y=False)
    return data.X_train, data.y_train, data.X_test, data.y_test


def convolution_classifier(key: str) -> BaseEstimator:
    from rocketconv import RocketClassifier

    return RocketClassifier(
        transformer=key, estimator="ridge", n_jobs=1, random_state=SEED
    )


def inception_classifier(n_estimators: int, n_epochs: int) -> BaseEstimator:
    from rocketconv import InceptionTimeClassifier

    return InceptionTimeClassifier(
        n_estimators=n_estimators, n_epochs=n_epochs, random_state=SEED
    )


def score(model: BaseEstimator, data: tuple[np.ndarray, ...]) -> tuple[float, float]:
    """Fit on the train split; (test accuracy, fit seconds)."""
    X_train, y_train, X_test, y_test = data
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return float(np.mean(model.predict(X_test) == y_test)), seconds


class Results:
    """The rows so far, rewritten to the results files after every fit."""

    def __init__(self, shared: Path, notes: dict) -> None:
        self.rows: list[dict] = []
        self.shared = shared
        self.notes = notes

    def add(
        self,
        problem: pd.Series,
        classifier: str,
        settings: str,
        model: BaseEstimator,
        data: tuple[np.ndarray, ...],
    ) -> None:
        accuracy, seconds = score(model, data)
        row = {
            **problem.to_dict(),
            "classifier": classifier,
            "settings": settings,
            "accuracy": accuracy,
            TIME: seconds,
        }
        self.rows.append(row)
        print(
            f"{problem['dataset']:<24} {classifier:<18} acc {accuracy:.4f} "
            f"fit {seconds:8.2f} s",
            flush=True,
        )
        write_results(
            pd.DataFrame(self.rows), NAME, shared=self.shared, notes=self.notes
        )


def run(args: argparse.Namespace) -> None:
    shared = shared_dir(args.shared)
    problems = choose_problems(shared, args.n_problems)
    inception = f"{args.inception_estimators} x {args.inception_epochs} epochs"
    notes = {
        "problems_rule": (
            "univariate equal-length UCR problems without missing values with "
            f"a published InceptionTime result, the {args.n_problems} smallest "
            "by n_train * length; default train/test split"
        ),
        "seed": SEED,
        "threads": "1 (n_jobs=1, BLAS threadpool limited to 1)",
        "convolution_head": "RocketClassifier(estimator='ridge'), the published",
        "inceptiontime_settings": inception,
        "inceptiontime_published_settings": "5 networks x 1500 epochs",
        "timing": "fit wall-clock; numba compilation excluded (warm-up fit); "
        "machine shared with other jobs (unquiet)",
    }
    results = Results(shared, notes)
    data = {name: load(shared, name) for name in problems["dataset"]}
    with threadpool_limits(limits=1):
        warm_up = data[problems["dataset"].iloc[0]]
        for key in CONVOLUTION:  # compile (or load numba's cache), untimed
            convolution_classifier(key).fit(warm_up[0], warm_up[1])
        for key, label in CONVOLUTION.items():
            for _, problem in problems.iterrows():
                model = convolution_classifier(key)
                results.add(problem, label, "published", model, data[problem.dataset])
        for _, problem in problems.iterrows():
            model = inception_classifier(
                args.inception_estimators, args.inception_epochs
            )
            results.add(
                problem, "InceptionTime", inception, model, data[problem.dataset]
            )
    plot(pd.DataFrame(results.rows), PLOT)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per classifier: mean accuracy, mean rank, total and median fit time,
    over the problems every classifier finished."""
    complete = frame.groupby("dataset")["classifier"].transform("nunique")
    frame = frame[complete == frame["classifier"].nunique()]
    ranks = frame.pivot(index="dataset", columns="classifier", values="accuracy")
    ranks = ranks.rank(axis=1, ascending=False).mean()
    table = frame.groupby("classifier").agg(
        settings=("settings", "first"),
        problems=("dataset", "nunique"),
        mean_accuracy=("accuracy", "mean"),
        total_fit_seconds_unquiet_machine=(TIME, "sum"),
        median_fit_seconds_unquiet_machine=(TIME, "median"),
    )
    table["mean_rank"] = ranks
    return table.sort_values("total_fit_seconds_unquiet_machine")


def plot(frame: pd.DataFrame, path: Path) -> Path:
    """Mean accuracy against total training time (log x), one point per
    classifier, with the published InceptionTime ensemble as a reference
    line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = summary(frame)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for classifier, row in table.iterrows():
        ax.scatter(row["total_fit_seconds_unquiet_machine"], row["mean_accuracy"])
        ax.annotate(
            f"{classifier}" + ("" if row["settings"] == "published" else
                               f"\n({row['settings']})"),
            (row["total_fit_seconds_unquiet_machine"], row["mean_accuracy"]),
            textcoords="offset points", xytext=(6, 4), fontsize=8,
        )  # fmt: skip
    problems = frame[frame["dataset"].isin(frame["dataset"].unique())]
    published = problems.drop_duplicates("dataset")[
        "published_inceptiontime_accuracy"
    ].mean()
    ax.set_xscale("log")
    ax.axhline(published, color="grey", linestyle=":", linewidth=1)
    ax.annotate(
        f"published InceptionTime (5 x 1500 epochs): {published:.4f}",
        (0.02, published), xycoords=("axes fraction", "data"),
        textcoords="offset points", xytext=(0, 3), fontsize=7, color="grey",
    )  # fmt: skip
    ax.set_xlabel("total training time over the problems, s (log; unquiet machine)")
    ax.set_ylabel("mean test accuracy")
    n = int(table["problems"].max())
    ax.set_title(f"Accuracy vs training time, {n} small UCR problems, 1 thread")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def markdown(frame: pd.DataFrame) -> str:
    """The page's two tables: the summary per classifier, and accuracy per
    problem with the published InceptionTime values beside."""
    table = summary(frame).sort_values("total_fit_seconds_unquiet_machine")
    lines = [
        "| classifier | settings | mean accuracy | mean rank "
        "| total fit s (unquiet) | median fit s (unquiet) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, row in table.iterrows():
        lines.append(
            f"| {name} | {row['settings']} | {row['mean_accuracy']:.4f} "
            f"| {row['mean_rank']:.2f} "
            f"| {row['total_fit_seconds_unquiet_machine']:.1f} "
            f"| {row['median_fit_seconds_unquiet_machine']:.2f} |"
        )
    wide = frame.pivot(index="dataset", columns="classifier", values="accuracy")
    wide = wide[list(table.index)]
    first = frame.drop_duplicates("dataset").set_index("dataset")
    columns = [*wide.columns, "published IT", "published 1 net"]
    lines += ["", "| problem | n_train x length | " + " | ".join(columns) + " |"]
    lines.append("| --- | ---: |" + " ---: |" * len(columns))
    for dataset in first.sort_values("size").index:
        if dataset not in wide.index:
            continue
        info = first.loc[dataset]
        cells = [f"{v:.4f}" for v in wide.loc[dataset]] + [
            f"{info['published_inceptiontime_accuracy']:.4f}",
            f"{info['published_single_inception_mean_accuracy']:.4f}",
        ]
        size = f"{int(info['n_train'])} x {int(info['length'])}"
        lines.append(f"| {dataset} | {size} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("run", "plot"), default="run")
    parser.add_argument("--n-problems", type=int, default=10)
    parser.add_argument("--inception-estimators", type=int, default=1)
    parser.add_argument("--inception-epochs", type=int, default=500)
    add_shared_argument(parser)
    args = parser.parse_args(argv)
    if args.part == "run":
        run(args)
    else:
        frame = pd.read_csv(RESULTS / f"{NAME}.csv")
        print(markdown(frame))
        print(plot(frame, PLOT))


if __name__ == "__main__":
    main()
