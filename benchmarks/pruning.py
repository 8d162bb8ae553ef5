"""Pruning (``RocketClassifier(keep_features=...)``) vs the full model.

Problems: the ``--limit`` (30) smallest UCR problems by n_train x length
among those with a published MiniRocket value
(``reference-results/minirocket/accuracy_ucr109_resamples.csv``), default
train/test split, the rule of ``minirocket_accuracy.py``. For each problem
the full model and one pruned model per ``keep_features`` value (0.5, 0.1,
0.05, 0.01) are fitted with the same seed, and on the test set we record

* accuracy (differences vs the full model: mean, wins/ties/losses, and the
  Wilcoxon signed-rank test, ``scipy.stats.wilcoxon``, two-sided, zero
  differences dropped);
* predict time (``clf.predict(X_test)``: transform + head, steady state:
  one warm-up call compiles, then the best of 5 timed repeats, each long
  enough for ``timeit``'s autorange) and transform-only time; ratios are
  full / pruned;
* fit time, and the detachment's own time and ridge refits
  (``clf.pruning_``): the fit-time overhead.

Times are taken on a shared machine while other jobs run (columns suffixed
``_unquiet_machine``): ratios are indicative, not a benchmark. Goal (issue
18): at keep_features=0.1, mean accuracy at most 0.005 below the full
model's and predict at least 5x faster.

    python benchmarks/pruning.py [--shared DIR] [--limit 30]
        [--transformer minirocket] [--seed 0] [--name pruning_minirocket]
"""

from __future__ import annotations

import argparse
import sys
import time
import timeit
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import add_shared_argument, shared_dir, write_results  # noqa: E402
from minirocket_accuracy import PUBLISHED, problems  # noqa: E402

from rocketconv import RocketClassifier  # noqa: E402
from rocketconv.datasets import load_ucr  # noqa: E402

KEEP = (0.5, 0.1, 0.05, 0.01)
GOAL_KEEP, GOAL_ACCURACY, GOAL_SPEEDUP = 0.1, -0.005, 5.0


def best_seconds(call) -> float:
    """Steady-state seconds per call: warm up once, best of 5 autoranged."""
    call()
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=5, number=number)) / number


def measure(clf: RocketClassifier, X_train, y_train, X_test, y_test) -> dict:
    """Fit, accuracy and timings of one classifier on one problem."""
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    summary = getattr(clf, "pruning_", None)
    transformer = clf.transformer_
    return {
        "accuracy": float(np.mean(clf.predict(X_test) == y_test)),
        "n_features": int(transformer._n_features_out),
        "n_units_kept": None if summary is None else summary.n_units_kept,
        "n_units": None if summary is None else summary.n_units,
        "n_ridge_fits": 0 if summary is None else summary.n_ridge_fits,
        "fit_s_unquiet_machine": fit_seconds,
        "detachment_s_unquiet_machine": 0.0 if summary is None else summary.seconds,
        "predict_s_unquiet_machine": best_seconds(lambda: clf.predict(X_test)),
        "transform_s_unquiet_machine": best_seconds(
            lambda: transformer.transform(X_test)
        ),
    }


def run_one(name: str, shared: Path, args) -> list[dict]:
    home = shared / "datasets"
    X_train, y_train = load_ucr(name, split="train", data_home=home)
    X_test, y_test = load_ucr(name, split="test", data_home=home)
    facts = {
        "dataset": name,
        "n_train": len(X_train),
        "n_test": len(X_test),
        "length": X_train.shape[-1],
        "n_classes": len(np.unique(y_train)),
    }
    rows = []
    for keep in (None, *args.keep):
        clf = RocketClassifier(
            args.transformer, random_state=args.seed, keep_features=keep
        )
        row = {**facts, "keep_features": 1.0 if keep is None else keep}
        row.update(measure(clf, X_train, y_train, X_test, y_test))
        rows.append(row)
    full = rows[0]
    for row in rows:
        row["accuracy_difference"] = row["accuracy"] - full["accuracy"]
        for what in ("predict", "transform"):
            column = f"{what}_s_unquiet_machine"
            row[f"{what}_speedup_unquiet_machine"] = full[column] / row[column]
        row["fit_overhead_s_unquiet_machine"] = (
            row["fit_s_unquiet_machine"] - full["fit_s_unquiet_machine"]
        )
    print(
        f"{name:28s} full {full['accuracy']:.4f} "
        + " ".join(
            f"{r['keep_features']}: {r['accuracy']:.4f} "
            f"x{r['predict_speedup_unquiet_machine']:.1f}"
            for r in rows[1:]
        ),
        flush=True,
    )
    return rows


def wilcoxon_p(differences: np.ndarray) -> float | None:
    """Two-sided Wilcoxon signed-rank p-value; None when all are zero."""
    if not np.any(differences != 0):
        return None
    return float(wilcoxon(differences, zero_method="wilcox").pvalue)


def summarise(table: pd.DataFrame) -> dict:
    summary = {}
    full = table[table.keep_features == 1.0]
    for keep, part in table[table.keep_features < 1.0].groupby("keep_features"):
        difference = part.accuracy_difference.to_numpy()
        speedup = part.predict_speedup_unquiet_machine
        summary[f"keep_{keep}"] = {
            "mean_accuracy": round(float(part.accuracy.mean()), 4),
            "mean_accuracy_full": round(float(full.accuracy.mean()), 4),
            "mean_difference": round(float(difference.mean()), 4),
            "wins_ties_losses": [
                int((difference > 0).sum()),
                int((difference == 0).sum()),
                int((difference < 0).sum()),
            ],
            "wilcoxon_p": wilcoxon_p(difference),
            "predict_speedup_geomean_unquiet_machine": round(
                float(np.exp(np.log(speedup).mean())), 2
            ),
            "predict_speedup_median_unquiet_machine": round(float(speedup.median()), 2),
            "transform_speedup_geomean_unquiet_machine": round(
                float(np.exp(np.log(part.transform_speedup_unquiet_machine).mean())), 2
            ),
            "units_kept_fraction_mean": round(
                float((part.n_units_kept / part.n_units).mean()), 4
            ),
            "ridge_refits_mean": round(float(part.n_ridge_fits.mean()), 1),
            "detachment_s_total_unquiet_machine": round(
                float(part.detachment_s_unquiet_machine.sum()), 2
            ),
            "fit_s_total_unquiet_machine": round(
                float(part.fit_s_unquiet_machine.sum()), 2
            ),
        }
    summary["fit_s_total_full_unquiet_machine"] = round(
        float(full.fit_s_unquiet_machine.sum()), 2
    )
    goal = summary.get(f"keep_{GOAL_KEEP}")
    if goal is not None:
        summary["goal_met"] = {
            "accuracy": goal["mean_difference"] >= GOAL_ACCURACY,
            "speedup": (
                goal["predict_speedup_geomean_unquiet_machine"] >= GOAL_SPEEDUP
            ),
        }
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_shared_argument(parser)
    parser.add_argument("--limit", type=int, default=30, help="smallest N problems")
    parser.add_argument("--transformer", default="minirocket")
    parser.add_argument("--keep", type=float, nargs="+", default=list(KEEP))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default=None, help="results stem")
    args = parser.parse_args(argv)
    shared = shared_dir(args.shared)
    published = pd.read_csv(shared / PUBLISHED, index_col=0)
    rows = [
        row
        for name in problems(shared, published, args.limit)
        for row in run_one(name, shared, args)
    ]
    table = pd.DataFrame(rows)
    summary = summarise(table)
    notes = {
        "selection": f"the {args.limit} smallest UCR problems (n_train x length) "
        f"with a value in {PUBLISHED}, default train/test split",
        "classifier": f"RocketClassifier({args.transformer!r}, "
        f"random_state={args.seed}, keep_features=k), n_jobs=1",
        "timing": "predict = clf.predict(X_test) (transform + head); steady "
        "state (warm-up call first, best of 5 autoranged repeats); speedup = "
        "full / pruned; measured on a shared 2-core machine while other jobs "
        "ran: indicative only",
        "summary": summary,
    }
    name = args.name or f"pruning_{args.transformer.replace('+', '_')}"
    path = write_results(table, name, shared=shared, notes=notes)
    print(pd.Series(summary).to_string())
    print(f"written: {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
