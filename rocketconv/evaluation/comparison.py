"""Lining benchmark results up with each other and with published ones.

The user's figures are computed from the tsml prediction files (accuracy,
balanced accuracy, AUROC, log-loss, as tsml-eval computes them); published
figures come from the shipped bake-off tables. Both are averaged, per
dataset, over the same resample ids (those the user ran; the published
resamples 0..29 are the same splits as ``--resample-indices`` gives), then
only datasets where every classifier has a value are kept, as in the papers.
The statistics of each metric's table are those of
:mod:`rocketconv.evaluation.stats`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rocketconv.evaluation.published import (
    load_published,
    published_key,
    published_label,
)
from rocketconv.evaluation.stats import (
    average_ranks,
    friedman_p,
    holm_cliques,
    nemenyi_cliques,
    pairwise_table,
)
from rocketconv.evaluation.tsml_io import METRICS, load_results

__all__ = ["Comparison", "MetricComparison", "compare"]

STRATIFIED_NOTE = (
    "Some results use stratified resamples (seeded with i), which are "
    "other splits than the published resample i; only the averages "
    "over many resamples are comparable. Use --resample-indices for "
    "the published splits."
)


@dataclass
class MetricComparison:
    """The comparison of one metric."""

    metric: str
    table: pd.DataFrame  # datasets x classifiers (complete rows only)
    dropped: list[str]  # datasets lacking a value for some classifier
    summary: pd.DataFrame  # mean, average rank per classifier
    pairwise: pd.DataFrame  # a, b, wins, ties, losses, mean_diff, wilcoxon_p
    friedman_p: float
    cliques: list[list[str]]
    cd: float | None  # Nemenyi critical difference, when used


@dataclass
class Comparison:
    """Everything ``rocketconv compare`` prints and writes."""

    user: list[str]
    references: list[str]
    metrics: dict[str, MetricComparison] = field(default_factory=dict)
    resamples: dict[str, list[int]] = field(default_factory=dict)
    times: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


def _common_resamples(results: pd.DataFrame, user: list[str]) -> dict[str, list[int]]:
    """Per dataset that every user classifier ran: the resamples all ran."""
    sets = results.groupby(["dataset", "classifier"])["resample"].apply(frozenset)
    resamples = {}
    for dataset, group in sets.groupby(level=0):
        if len(group) == len(user):
            resamples[dataset] = sorted(frozenset.intersection(*group.to_list()))
    return resamples


def _published_column(
    pub_index: pd.Series, key: str, metric: str, resamples: dict[str, list[int]]
) -> pd.Series:
    """Published ``metric`` of ``key`` per dataset, averaged over the same
    resamples as the user's (NaN when one is missing)."""
    values = {}
    for dataset, ids in resamples.items():
        got = [pub_index.get((key, metric, dataset, r), np.nan) for r in ids]
        values[dataset] = float(np.mean(got)) if ids else np.nan
    return pd.Series(values, dtype=float)


def _metric_table(
    aligned: pd.DataFrame,
    user: list[str],
    refs: list[str],
    pub_index: pd.Series,
    metric: str,
    resamples: dict[str, list[int]],
) -> pd.DataFrame:
    """Datasets x classifiers of one metric (user columns, then published)."""
    columns = {
        name: aligned[aligned["classifier"] == name].groupby("dataset")[metric].mean()
        for name in user
    }
    for key in refs:
        series = _published_column(pub_index, key, metric, resamples)
        if series.notna().any():
            columns[published_label(key)] = series
    wide = pd.DataFrame(columns).sort_index()
    wide.index.name = "dataset"
    return wide


def _analyse(
    metric: str,
    table: pd.DataFrame,
    dropped: list[str],
    user: list[str],
    test: str,
    alpha: float,
) -> MetricComparison:
    names = list(table.columns)
    if len(table) == 0 or len(names) == 0:
        empty = pd.DataFrame(columns=["mean", "average_rank"])
        return MetricComparison(
            metric, table, dropped, empty, pd.DataFrame(), math.nan, [], None
        )
    summary = pd.DataFrame(
        {"mean": table.mean(), "average_rank": average_ranks(table, metric)}
    ).sort_values("average_rank")
    pairwise = pairwise_table(table, user, metric)
    cd = None
    if len(names) < 2 or len(table) < 2:
        cliques: list[list[str]] = []
    elif test == "holm":
        cliques, _ = holm_cliques(table, metric, alpha)
    else:
        cliques, cd = nemenyi_cliques(table, metric, alpha)
    return MetricComparison(
        metric, table, dropped, summary, pairwise, friedman_p(table), cliques, cd
    )


def _check_options(metrics: Sequence[str], test: str) -> None:
    if test not in ("holm", "nemenyi"):
        raise ValueError(f"test must be 'holm' or 'nemenyi', got {test!r}.")
    for metric in metrics:
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {metric!r}.")


def compare(
    results: pd.DataFrame | str | os.PathLike,
    references: Sequence[str] = (),
    *,
    datasets: Sequence[str] | None = None,
    metrics: Sequence[str] = METRICS,
    test: str = "holm",
    alpha: float = 0.05,
    published: pd.DataFrame | None = None,
    source: str = "bakeoff_redux_2023",
) -> Comparison:
    """Line the user's results up with each other and published ones.

    Parameters
    ----------
    results : DataFrame or path
        A table from :func:`rocketconv.evaluation.tsml_io.load_results`, or a
        results directory.
    references : sequence of str
        Published classifier keys, e.g. ``["minirocket", "hc2"]``.
    datasets : sequence of str, optional
        Restrict to these datasets.
    metrics : sequence of str
        Any of "accuracy", "balacc", "auroc", "logloss". A metric the
        references do not publish (HC2 has accuracy only) is compared
        without them.
    test : {"holm", "nemenyi"}
        How the critical-difference cliques are formed.
    alpha : float
    published : DataFrame, optional
        A long table (classifier, dataset, resample, metric, value) to use
        instead of the shipped ones.
    source : {"bakeoff_redux_2023", "authors"}
        Which shipped table: the bake-off (all four metrics) or the authors'
        repositories (accuracy only).

    Examples
    --------
    >>> import pandas as pd
    >>> from rocketconv.evaluation.comparison import compare
    >>> mine = pd.DataFrame({"classifier": "Mine", "resample": 0,
    ...                      "dataset": ["Beef", "Coffee", "GunPoint"],
    ...                      "accuracy": [0.8, 1.0, 1.0],
    ...                      "fit_s": 1.0, "predict_s": 0.1})
    >>> mc = compare(mine, ["minirocket"], metrics=["accuracy"]).metrics["accuracy"]
    >>> mc.table  # published: MiniRocket's resample 0 in the bake-off
              Mine  MiniRocket (published)
    dataset
    Beef       0.8                0.833333
    Coffee     1.0                1.000000
    GunPoint   1.0                0.993333
    >>> mc.pairwise[["a", "b", "wins", "ties", "losses"]]
          a                       b  wins  ties  losses
    0  Mine  MiniRocket (published)     1     1       1
    """
    _check_options(metrics, test)
    if not isinstance(results, pd.DataFrame):
        results = load_results(results, datasets)
    if datasets is not None:
        results = results[results["dataset"].isin(list(datasets))]
    refs = [published_key(r) for r in references]
    published = load_published(source) if published is None else published
    user = sorted(results["classifier"].unique())
    resamples = _common_resamples(results, user)
    comparison = Comparison(
        user=user, references=[published_label(r) for r in refs], resamples=resamples
    )
    if refs and "stratified" in results and results["stratified"].any():
        comparison.notes.append(STRATIFIED_NOTE)
    keep = [
        r in resamples.get(d, ())
        for d, r in zip(results["dataset"], results["resample"], strict=True)
    ]
    aligned = results[keep]
    comparison.times = aligned.groupby("classifier")[["fit_s", "predict_s"]].sum()
    pub_index = published.set_index(["classifier", "metric", "dataset", "resample"])
    pub_index = pub_index["value"][~pub_index.index.duplicated()]
    for metric in metrics:
        wide = _metric_table(aligned, user, refs, pub_index, metric, resamples)
        complete = wide.dropna()
        dropped = sorted(set(wide.index) - set(complete.index))
        comparison.metrics[metric] = _analyse(
            metric, complete, dropped, user, test, alpha
        )
    return comparison
