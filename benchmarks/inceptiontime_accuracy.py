"""InceptionTime accuracy on UCR problems vs the published default-split results.

Three parts (``--part``):

``single``
    One Inception network, 300 epochs, on GunPoint: test accuracy and time.
``ensemble``
    The full InceptionTime (5 networks x 1500 epochs) on each ``--datasets``
    problem. Networks are trained one at a time (each an
    ``InceptionTimeClassifier(n_estimators=1)`` with its own seed) so that a
    row per finished network is appended to the CSV at once: a run that is
    stopped early still reports the networks that finished, and the
    ensemble accuracy of the first k of them. MiniRocket
    (``RocketClassifier(transformer="minirocket")``) is fitted on the same
    split for a side-by-side row. Each network is scored twice: with
    Keras' running BatchNorm statistics (the reference) and with them
    recomputed on the training set (``recalibrate_batchnorm=True``, the
    estimator's default).
``minirocket``
    MiniRocket alone on ``--datasets`` (compiled before timing).
``report``
    Reads the CSV(s) and prints the table against
    ``reference-results/inceptiontime/results-InceptionTime-128.csv``.

Usage (each ensemble job is single-threaded so two can share 2 cores)::

    python benchmarks/inceptiontime_accuracy.py --part single
    python benchmarks/inceptiontime_accuracy.py --part ensemble \\
        --datasets ItalyPowerDemand SonyAIBORobotSurface1 --out results/it_a.csv
    python benchmarks/inceptiontime_accuracy.py --part report \\
        --csv results/it_a.csv results/it_b.csv
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import shared_dir  # noqa: E402

SHARED = shared_dir()  # ROCKETCONV_SHARED, else <checkout>/../shared
RESULTS = Path(__file__).resolve().parent / "results"
REFERENCE = SHARED / "reference-results/inceptiontime/results-InceptionTime-128.csv"
# single Inception networks, 5 runs each (iteration 0..4)
REFERENCE_SINGLE = SHARED / "reference-results/inceptiontime/results-inception-128.csv"
DEFAULT_DATASETS = [
    "ItalyPowerDemand",
    "SonyAIBORobotSurface1",
    "TwoLeadECG",
    "MoteStrain",
]


def load(name):
    """UCR .tsv default split (label first column), read with numpy."""
    out = []
    for split in ("TRAIN", "TEST"):
        data = np.loadtxt(
            SHARED / "datasets" / name / f"{name}_{split}.tsv", delimiter="\t"
        )
        out += [data[:, 1:], data[:, 0]]
    return out


def part_single(args):
    from rocketconv import InceptionTimeClassifier
    from rocketconv.deep.training import recalibrate_batchnorm

    X_train, y_train, X_test, y_test = load("GunPoint")
    clf = InceptionTimeClassifier(
        n_estimators=1,
        n_epochs=args.epochs,
        random_state=args.seed,
        verbose=args.verbose,
        recalibrate_batchnorm=False,  # the reference's; recalibrated below
    )
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    accuracy = float(np.mean(clf.predict(X_test) == y_test))
    # the same network with BatchNorm statistics recalibrated on the training set
    X_cl = np.ascontiguousarray(X_train[:, :, None], dtype=np.float32)
    recalibrate_batchnorm(clf.networks_[0], X_cl, min(64, len(X_cl)))
    recalibrated = float(np.mean(clf.predict(X_test) == y_test))
    table = pd.DataFrame(
        [
            {
                "dataset": "GunPoint",
                "networks": 1,
                "epochs": args.epochs,
                "accuracy": accuracy,
                "accuracy_recalibrated_bn": recalibrated,
                "fit_s": fit_s,
                "s_per_epoch": fit_s / args.epochs,
                "best_epoch": clf.best_epochs_[0],
                "final_train_loss": clf.loss_curves_[0][-1],
            }
        ]
    )
    print(table.to_string(index=False))
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "inceptiontime_gunpoint_single.csv", index=False)


def _fit_network(X_train, y_train, X_test, seed, args):
    """One network with the reference's BatchNorm averages; returns it, its
    fit seconds, and its test probabilities before and after recalibrating
    BatchNorm on the training set (recalibrate_batchnorm=True)."""
    from rocketconv import InceptionTimeClassifier
    from rocketconv.deep.training import recalibrate_batchnorm

    clf = InceptionTimeClassifier(
        n_estimators=1,
        n_epochs=args.epochs,
        random_state=seed,
        verbose=args.verbose,
        recalibrate_batchnorm=False,  # the reference's; recalibrated below
    )
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    proba = clf.predict_proba(X_test)
    X_cl = np.ascontiguousarray(X_train[:, :, None], dtype=np.float32)
    recalibrate_batchnorm(clf.networks_[0], X_cl, min(64, len(X_cl)))
    return clf, fit_s, proba, clf.predict_proba(X_test)


def part_ensemble(args):
    out = Path(args.out) if args.out else RESULTS / "inceptiontime_ensemble.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    for name in args.datasets:
        X_train, y_train, X_test, y_test = load(name)

        if not args.skip_minirocket:
            _append(out, minirocket_row(name, X_train, y_train, X_test, y_test, args))

        proba_sum = recal_sum = None
        for i in range(args.networks):
            clf, fit_s, proba, recal = _fit_network(
                X_train, y_train, X_test, args.seed * 1000 + i, args
            )
            classes = clf.classes_
            proba_sum = proba if proba_sum is None else proba_sum + proba
            recal_sum = recal if recal_sum is None else recal_sum + recal
            single = float(np.mean(classes[proba.argmax(1)] == y_test))
            ensemble = float(np.mean(classes[proba_sum.argmax(1)] == y_test))
            single_recal = float(np.mean(classes[recal.argmax(1)] == y_test))
            ensemble_recal = float(np.mean(classes[recal_sum.argmax(1)] == y_test))
            _append(
                out,
                {
                    "dataset": name,
                    "model": "InceptionTime",
                    "network": i,
                    "networks_done": i + 1,
                    "accuracy": ensemble,
                    "single_accuracy": single,
                    "fit_s": fit_s,
                    "s_per_epoch": fit_s / len(clf.loss_curves_[0]),
                    "best_epoch": clf.best_epochs_[0],
                    "best_train_loss": float(np.nanmin(clf.loss_curves_[0])),
                    "accuracy_recalibrated_bn": ensemble_recal,
                    "single_accuracy_recalibrated_bn": single_recal,
                },
            )
            print(
                f"{name} network {i}: single {single:.4f} ensemble {ensemble:.4f} "
                f"(recalibrated BN: {single_recal:.4f} / {ensemble_recal:.4f}) "
                f"fit {fit_s:.0f}s",
                flush=True,
            )


def minirocket_row(name, X_train, y_train, X_test, y_test, args):
    """MiniRocket on the same split; numba compilation is done before timing."""
    from rocketconv import RocketClassifier

    RocketClassifier(transformer="minirocket", random_state=0).fit(X_train, y_train)
    start = time.perf_counter()
    rocket = RocketClassifier(transformer="minirocket", random_state=args.seed)
    rocket.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    return {
        "dataset": name,
        "model": "MiniRocket",
        "network": -1,
        "networks_done": 0,
        "accuracy": float(np.mean(rocket.predict(X_test) == y_test)),
        "fit_s": fit_s,
        "s_per_epoch": np.nan,
    }


def part_minirocket(args):
    out = Path(args.out) if args.out else RESULTS / "inceptiontime_minirocket.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    for name in args.datasets:
        _append(out, minirocket_row(name, *load(name), args))


COLUMNS = [
    "dataset",
    "model",
    "network",
    "networks_done",
    "accuracy",
    "single_accuracy",
    "fit_s",
    "s_per_epoch",
    "best_epoch",
    "best_train_loss",
    "accuracy_recalibrated_bn",
    "single_accuracy_recalibrated_bn",
]


def _append(path, row):
    frame = pd.DataFrame([row]).reindex(columns=COLUMNS)
    frame.to_csv(path, mode="a", header=not path.exists(), index=False)


def _read(path):
    """A result CSV with every column of COLUMNS (missing ones are NaN)."""
    return pd.read_csv(path).reindex(columns=COLUMNS)


def part_report(args):
    frames = [_read(path) for path in args.csv if Path(path).exists()]
    if not frames:
        raise SystemExit("no result CSV found")
    results = pd.concat(frames, ignore_index=True)
    minirocket = pd.DataFrame(columns=["accuracy", "fit_s"])
    if Path(args.minirocket_csv).exists():
        minirocket = pd.read_csv(args.minirocket_csv).groupby("dataset").last()
    reference = pd.read_csv(REFERENCE)
    reference = reference.set_index("dataset_name")
    single = pd.read_csv(REFERENCE_SINGLE).groupby("dataset_name").accuracy
    rows = []
    for name, group in results.groupby("dataset", sort=False):
        it = group[group.model == "InceptionTime"].sort_values("network")
        mr = group[group.model == "MiniRocket"]
        if name in minirocket.index:  # re-measured after compilation
            mr = minirocket.loc[[name]]
        if it.empty:
            continue
        last = it.iloc[-1]
        rows.append(
            {
                "dataset": name,
                "networks": int(last.networks_done),
                "InceptionTime acc": last.accuracy,
                "published acc": reference.loc[name, "accuracy"],
                "diff": last.accuracy - reference.loc[name, "accuracy"],
                "IT acc, recalibrated BN": last.accuracy_recalibrated_bn,
                "single-net acc (mean)": it.single_accuracy.mean(),
                "published single (mean of 5)": single.mean().get(name, np.nan),
                "IT fit s (sum)": it.fit_s.sum(),
                "IT s/epoch": it.s_per_epoch.mean(),
                "published IT train s (GPU)": reference.loc[name, "train_time"],
                "MiniRocket acc": mr.accuracy.iloc[-1] if len(mr) else np.nan,
                "MiniRocket fit s": mr.fit_s.iloc[-1] if len(mr) else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        complete = table[table.networks == 5]
        if len(complete):
            print(
                f"\nmean over {len(complete)} complete problems: ours "
                f"{complete['InceptionTime acc'].mean():.4f}, published "
                f"{complete['published acc'].mean():.4f}, difference "
                f"{complete['diff'].mean():+.4f}; with recalibrated BatchNorm "
                f"statistics {complete['IT acc, recalibrated BN'].mean():.4f}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part", choices=["single", "ensemble", "minirocket", "report"], required=True
    )
    parser.add_argument("--skip-minirocket", action="store_true")
    parser.add_argument(
        "--minirocket-csv", default=str(RESULTS / "inceptiontime_minirocket.csv")
    )
    parser.add_argument("--datasets", nargs="+", default=DEFAULT_DATASETS)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--networks", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    parser.add_argument(
        "--csv", nargs="+", default=[str(RESULTS / "inceptiontime_ensemble.csv")]
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if args.part == "single":
        args.epochs = args.epochs or 300
        part_single(args)
    elif args.part == "minirocket":
        part_minirocket(args)
    elif args.part == "ensemble":
        args.epochs = args.epochs or 1500
        part_ensemble(args)
    else:
        part_report(args)


if __name__ == "__main__":
    main()
