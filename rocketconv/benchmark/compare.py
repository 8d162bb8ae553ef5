"""Comparing benchmark results with each other and with published ones.

The user's figures are computed from the tsml prediction files (accuracy,
balanced accuracy, AUROC, log-loss, as tsml-eval computes them); published
figures come from the shipped bake-off tables. Both are averaged, per
dataset, over the same resample ids (those the user ran; the published
resamples 0..29 are the same splits as ``--resample-indices`` gives), then
only datasets where every classifier has a value are kept, as in the papers.

Statistics, per metric:

* mean and average rank (rank 1 = best; ties share the mean rank);
* wins / ties / losses and the mean difference for each pair, values compared
  at the 6 significant digits of the shipped tables;
* the two-sided Wilcoxon signed-rank p-value (``scipy.stats.wilcoxon``,
  ``zero_method="wilcox"``: zero differences dropped; p = 1 when all are 0);
* the Friedman test and the cliques of the critical-difference diagram:
  either Wilcoxon-Holm (pairwise Wilcoxon p-values, Holm's step-down
  correction over all k(k-1)/2 pairs, as in Ismail Fawaz et al. 2019 and the
  ROCKET/MiniRocket/InceptionTime papers) or Nemenyi (critical difference
  ``q_alpha * sqrt(k(k+1)/(6N))``, Demšar 2006). When the Friedman test does
  not reject, all classifiers form one clique.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from rocketconv.benchmark import _tsml
from rocketconv.benchmark.published import (
    LABELS,
    LOWER_IS_BETTER,
    METRICS,
    _key,
    _round_array,
    load_published,
)

__all__ = [
    "load_results",
    "compare",
    "Comparison",
    "average_ranks",
    "wins_ties_losses",
    "wilcoxon_p",
    "holm_cliques",
    "nemenyi_cliques",
    "plot_critical_difference",
    "plot_scatter",
    "to_markdown",
]

METRIC_NAMES = {
    "accuracy": "accuracy",
    "balacc": "balanced accuracy",
    "auroc": "AUROC",
    "logloss": "log-loss",
}


def load_results(
    results_dir: str | os.PathLike, datasets: Sequence[str] | None = None
) -> pd.DataFrame:
    """The metrics of every ``<Classifier>/Predictions/<Dataset>/
    testResample<i>.csv`` under ``results_dir``.

    Returns
    -------
    DataFrame with columns classifier, dataset, resample, accuracy, balacc,
    auroc, logloss, fit_s, predict_s.
    """
    root = Path(results_dir)
    if not root.is_dir():
        raise ValueError(f"results directory {root} does not exist.")
    wanted = None if datasets is None else set(datasets)
    rows = []
    for path in sorted(root.glob("*/Predictions/*/testResample*.csv")):
        classifier, dataset = path.parts[-4], path.parts[-2]
        if wanted is not None and dataset not in wanted:
            continue
        res = _tsml.read_classification_results(path)
        rows.append(
            {
                "classifier": classifier,
                "dataset": dataset,
                "resample": int(path.stem.removeprefix("testResample")),
                **_tsml.classification_metrics(
                    res.true, res.predicted, res.probabilities
                ),
                "fit_s": res.fit_time / 1000.0,
                "predict_s": res.predict_time / 1000.0,
                "stratified": "Resample: stratified" in res.comment,
            }
        )
    if not rows:
        raise ValueError(
            f"no results files <Classifier>/Predictions/<Dataset>/testResample<i>.csv "
            f"under {root}."
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------


def _better_sign(metric: str) -> int:
    return -1 if metric in LOWER_IS_BETTER else 1


def average_ranks(table: pd.DataFrame, metric: str = "accuracy") -> pd.Series:
    """Mean over rows of each column's rank (1 = best; ties averaged).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [0.9, 0.8], "b": [0.7, 0.8]})
    >>> average_ranks(t).to_dict()
    {'a': 1.25, 'b': 1.75}
    """
    values = _round_array(table.to_numpy()) * _better_sign(metric)
    ranks = np.apply_along_axis(lambda row: stats.rankdata(-row), 1, values)
    return pd.Series(ranks.mean(axis=0), index=table.columns)


def wins_ties_losses(a, b, metric: str = "accuracy") -> tuple[int, int, int]:
    """How often ``a`` is better than, equal to, worse than ``b``
    (at 6 significant digits).

    Examples
    --------
    >>> wins_ties_losses([0.9, 0.8, 0.5], [0.8, 0.8, 0.6])
    (1, 1, 1)
    """
    diff = (_round_array(a) - _round_array(b)) * _better_sign(metric)
    return int((diff > 0).sum()), int((diff == 0).sum()), int((diff < 0).sum())


def wilcoxon_p(a, b) -> float:
    """Two-sided Wilcoxon signed-rank p-value of paired samples (zero
    differences dropped); 1.0 when every difference is zero.

    Examples
    --------
    >>> round(wilcoxon_p([1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0]), 6)
    0.03125
    """
    diff = _round_array(a) - _round_array(b)
    if np.all(diff == 0):
        return 1.0
    return float(stats.wilcoxon(diff, zero_method="wilcox").pvalue)


def friedman_p(table: pd.DataFrame) -> float:
    """Friedman test p-value over the columns (NaN with < 3 columns)."""
    if table.shape[1] < 3 or table.shape[0] < 2:
        return float("nan")
    values = _round_array(table.to_numpy())
    if np.all(values == values[:, :1]):
        return 1.0
    return float(stats.friedmanchisquare(*values.T).pvalue)


def _cliques_from_matrix(order: list[str], same: np.ndarray) -> list[list[str]]:
    """Maximal runs of rank-ordered classifiers that are pairwise not
    significantly different."""
    k = len(order)
    runs = []
    for i in range(k):
        j = i
        while j + 1 < k and all(same[a, j + 1] for a in range(i, j + 1)):
            j += 1
        if j > i:
            runs.append((i, j))
    maximal = [
        (i, j)
        for i, j in runs
        if not any(a <= i and j <= b and (a, b) != (i, j) for a, b in runs)
    ]
    return [order[i : j + 1] for i, j in maximal]


def holm_cliques(
    table: pd.DataFrame, metric: str = "accuracy", alpha: float = 0.05
) -> tuple[list[list[str]], pd.DataFrame]:
    """Wilcoxon-Holm cliques and the pairwise p-values behind them.

    Returns the cliques (lists of column names, best first) and a frame of
    (a, b, p, holm_threshold, significant) per pair.
    """
    ranks = average_ranks(table, metric).sort_values()
    order = list(ranks.index)
    pairs = list(itertools.combinations(order, 2))
    p_values = [wilcoxon_p(table[a].to_numpy(), table[b].to_numpy()) for a, b in pairs]
    m = len(pairs)
    sorted_idx = np.argsort(p_values, kind="stable")
    significant = np.zeros(m, dtype=bool)
    thresholds = np.full(m, np.nan)
    for step, idx in enumerate(sorted_idx):
        thresholds[idx] = alpha / (m - step)
        if p_values[idx] <= thresholds[idx]:
            significant[idx] = True
        else:
            break  # Holm: stop at the first non-rejection
    same = np.ones((len(order), len(order)), dtype=bool)
    for (a, b), sig in zip(pairs, significant, strict=True):
        i, j = order.index(a), order.index(b)
        same[i, j] = same[j, i] = not sig
    if friedman_p(table) >= alpha:
        cliques = [order] if len(order) > 1 else []
    else:
        cliques = _cliques_from_matrix(order, same)
    detail = pd.DataFrame(
        {
            "a": [a for a, _ in pairs],
            "b": [b for _, b in pairs],
            "p": p_values,
            "holm_threshold": thresholds,
            "significant": significant,
        }
    )
    return cliques, detail


def nemenyi_cd(k: int, n: int, alpha: float = 0.05) -> float:
    """The Nemenyi critical difference of average ranks.

    Examples
    --------
    >>> round(nemenyi_cd(5, 100), 3)  # Demšar's q_0.05 for k=5 is 2.728
    0.61
    """
    q = stats.studentized_range.ppf(1 - alpha, k, np.inf) / math.sqrt(2)
    return float(q * math.sqrt(k * (k + 1) / (6.0 * n)))


def nemenyi_cliques(
    table: pd.DataFrame, metric: str = "accuracy", alpha: float = 0.05
) -> tuple[list[list[str]], float]:
    """Cliques of classifiers whose average ranks differ by less than the
    Nemenyi critical difference, and that difference."""
    ranks = average_ranks(table, metric).sort_values()
    order = list(ranks.index)
    cd = nemenyi_cd(len(order), len(table), alpha)
    r = ranks.to_numpy()
    same = np.abs(r[:, None] - r[None, :]) < cd
    if friedman_p(table) >= alpha:
        return ([order] if len(order) > 1 else []), cd
    return _cliques_from_matrix(order, same), cd


# --------------------------------------------------------------------------
# Lining results up
# --------------------------------------------------------------------------


@dataclass
class MetricComparison:
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


def _reference_label(key: str) -> str:
    return f"{LABELS[key]} (published)"


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
    results : DataFrame from :func:`load_results`, or a results directory
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
    >>> from rocketconv.benchmark.compare import compare
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
    if not isinstance(results, pd.DataFrame):
        results = load_results(results, datasets)
    if datasets is not None:
        results = results[results["dataset"].isin(list(datasets))]
    if test not in ("holm", "nemenyi"):
        raise ValueError(f"test must be 'holm' or 'nemenyi', got {test!r}.")
    refs = [_key(r) for r in references]
    published = load_published(source) if published is None else published
    user = sorted(results["classifier"].unique())
    # per dataset: the resamples every user classifier ran
    sets = results.groupby(["dataset", "classifier"])["resample"].apply(frozenset)
    resamples: dict[str, list[int]] = {}
    for dataset, group in sets.groupby(level=0):
        if len(group) == len(user):
            resamples[dataset] = sorted(frozenset.intersection(*group.to_list()))
    comparison = Comparison(user=user, references=[_reference_label(r) for r in refs])
    comparison.resamples = resamples
    if refs and "stratified" in results and results["stratified"].any():
        comparison.notes.append(
            "Some results use stratified resamples (seeded with i), which are "
            "other splits than the published resample i; only the averages "
            "over many resamples are comparable. Use --resample-indices for "
            "the published splits."
        )
    aligned = results[
        [
            r in resamples.get(d, ())
            for d, r in zip(results["dataset"], results["resample"], strict=True)
        ]
    ]
    comparison.times = aligned.groupby("classifier")[["fit_s", "predict_s"]].sum()
    pub_index = published.set_index(["classifier", "metric", "dataset", "resample"])[
        "value"
    ]
    pub_index = pub_index[~pub_index.index.duplicated()]
    for metric in metrics:
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {metric!r}.")
        columns = {
            name: aligned[aligned["classifier"] == name]
            .groupby("dataset")[metric]
            .mean()
            for name in user
        }
        for key in refs:
            values = {}
            for dataset, ids in resamples.items():
                got = [pub_index.get((key, metric, dataset, r), np.nan) for r in ids]
                values[dataset] = float(np.mean(got)) if ids else np.nan
            series = pd.Series(values, dtype=float)
            if series.notna().any():
                columns[_reference_label(key)] = series
        wide = pd.DataFrame(columns).sort_index()
        wide.index.name = "dataset"
        complete = wide.dropna()
        dropped = sorted(set(wide.index) - set(complete.index))
        comparison.metrics[metric] = _analyse(
            metric, complete, dropped, user, test, alpha
        )
    return comparison


def _analyse(metric, table, dropped, user, test, alpha) -> MetricComparison:
    names = list(table.columns)
    if len(table) == 0 or len(names) == 0:
        empty = pd.DataFrame(columns=["mean", "average_rank"])
        return MetricComparison(
            metric, table, dropped, empty, pd.DataFrame(), float("nan"), [], None
        )
    ranks = average_ranks(table, metric)
    summary = pd.DataFrame({"mean": table.mean(), "average_rank": ranks})
    summary = summary.sort_values("average_rank")
    rows = []
    for a in names:
        if a not in user:
            continue
        for b in names:
            if b == a or (b in user and names.index(b) < names.index(a)):
                continue
            w, t, lo = wins_ties_losses(
                table[a].to_numpy(), table[b].to_numpy(), metric
            )
            rows.append(
                {
                    "a": a,
                    "b": b,
                    "wins": w,
                    "ties": t,
                    "losses": lo,
                    "mean_diff": float((table[a] - table[b]).mean()),
                    "wilcoxon_p": wilcoxon_p(table[a].to_numpy(), table[b].to_numpy())
                    if len(table) > 1
                    else float("nan"),
                }
            )
    pairwise = pd.DataFrame(rows)
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


# --------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------


def _new_figure(pyplot: bool, figsize: tuple[float, float]):
    """A new figure, without ever choosing or switching matplotlib's backend.

    Switching it (e.g. to Agg) would silently stop inline figures in Jupyter.
    ``pyplot=True``: a pyplot figure, shown as the current backend shows
    figures (inline in a notebook, a window after ``plt.show()``).
    ``pyplot=False``: a bare Figure that pyplot does not track; it needs no
    backend or display and can only be saved, which is all files need.
    """
    if pyplot:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize)
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def plot_critical_difference(
    average_ranks: pd.Series,
    cliques: Sequence[Sequence[str]],
    path_stem: str | os.PathLike | None = None,
    *,
    title: str | None = None,
    cd: float | None = None,
    formats: Sequence[str] = ("png", "svg"),
    pyplot: bool = True,
):
    """Draw a critical-difference diagram; rank 1 (best) on the right.

    Classifiers hang from their average rank on the axis, the better half
    labelled on the right, the rest on the left; a thick bar joins each
    clique of classifiers not significantly different. With ``cd`` (Nemenyi)
    the critical difference is drawn above the axis.

    Returns the matplotlib Figure; with ``path_stem`` saves
    ``<path_stem>.png`` and ``.svg`` (or the ``formats`` given). The
    backend is left as it is, so in Jupyter the figure shows inline. With
    ``pyplot=False`` the Figure is not registered with pyplot (no backend or
    display needed, nothing to close): for saving files only.

    Examples
    --------
    >>> import pandas as pd
    >>> from rocketconv.benchmark.compare import plot_critical_difference
    >>> ranks = pd.Series({"a": 1.25, "b": 2.0, "c": 2.75})
    >>> fig = plot_critical_difference(ranks, [["b", "c"]], cd=1.9, pyplot=False)
    >>> sorted(t.get_text() for t in fig.axes[0].texts if "  " in t.get_text())
    ['1.25  a', '2.00  b', 'c  2.75']
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("CD")]
    ['CD = 1.90']
    """
    ranks = average_ranks.sort_values()
    names = list(ranks.index)
    k = len(names)
    low, high = 1, max(k, math.ceil(ranks.max()))
    half = math.ceil(k / 2)
    n_rows = max(half, k - half)
    n_cliques = len(cliques)
    left, right = 0.28, 0.72  # axis span, as fractions of the width

    def x_of(rank: float) -> float:
        span = max(high - low, 1)
        return left + (high - rank) / span * (right - left)

    top = 0.0
    clique_y0 = -0.18
    clique_step = 0.09
    label_y0 = clique_y0 - clique_step * n_cliques - 0.08
    row_step = 0.16
    bottom = label_y0 - row_step * (n_rows - 1) - 0.1
    height_units = (0.45 if cd else 0.3) - bottom
    fig = _new_figure(pyplot, (8.0, 1.1 + 1.9 * height_units))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom, 0.45 if cd else 0.3)
    ax.axis("off")

    ax.plot([x_of(high), x_of(low)], [top, top], color="k", lw=1.2)
    for tick in range(low, high + 1):
        ax.plot([x_of(tick)] * 2, [top, top + 0.05], color="k", lw=1.2)
        ax.text(
            x_of(tick), top + 0.08, str(tick), ha="center", va="bottom", fontsize=10
        )
    for tick in np.arange(low + 0.5, high, 1.0):
        ax.plot([x_of(tick)] * 2, [top, top + 0.025], color="k", lw=0.8)
    if cd:
        ax.plot([x_of(high), x_of(high - cd)], [top + 0.32] * 2, color="k", lw=2)
        for end in (high, high - cd):
            ax.plot([x_of(end)] * 2, [top + 0.29, top + 0.35], color="k", lw=1)
        ax.text(
            x_of(high - cd / 2),
            top + 0.36,
            f"CD = {cd:.2f}",
            ha="center",
            va="bottom",
            fontsize=9,
        )

    for i, name in enumerate(names):
        x = x_of(ranks[name])
        if i < half:  # better half: right side
            row = i
            y = label_y0 - row_step * row
            end = right + 0.03
            ax.plot([x, x, end], [top, y, y], color="k", lw=0.9)
            ax.text(
                end + 0.01,
                y,
                f"{ranks[name]:.2f}  {name}",
                ha="left",
                va="center",
                fontsize=10,
            )
        else:
            row = k - 1 - i
            y = label_y0 - row_step * row
            end = left - 0.03
            ax.plot([x, x, end], [top, y, y], color="k", lw=0.9)
            ax.text(
                end - 0.01,
                y,
                f"{name}  {ranks[name]:.2f}",
                ha="right",
                va="center",
                fontsize=10,
            )

    for j, clique in enumerate(cliques):
        xs = [x_of(ranks[n]) for n in clique]
        y = clique_y0 - clique_step * j
        ax.plot(
            [min(xs) - 0.006, max(xs) + 0.006],
            [y, y],
            color="k",
            lw=4,
            solid_capstyle="round",
        )
    if title:
        fig.suptitle(title, fontsize=11, y=0.995, va="top")
    if path_stem is not None:
        for fmt in formats:
            fig.savefig(f"{path_stem}.{fmt}", bbox_inches="tight", dpi=150)
    return fig


def plot_scatter(
    table: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    metric: str = "accuracy",
    path_stem: str | os.PathLike | None = None,
    formats: Sequence[str] = ("png", "svg"),
    pyplot: bool = True,
):
    """Pairwise scatter plots, one panel per (y, x) pair: a point per dataset,
    the diagonal, and the wins/ties/losses of y against x.

    Returns the matplotlib Figure; with ``path_stem`` saves
    ``<path_stem>.png`` and ``.svg`` (or the ``formats`` given). The backend
    is left as it is; ``pyplot=False`` as in :func:`plot_critical_difference`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from rocketconv.benchmark.compare import plot_scatter
    >>> table = pd.DataFrame({"new": [0.9, 0.8, 0.7], "old": [0.8, 0.8, 0.75]})
    >>> fig = plot_scatter(table, [("new", "old")])
    >>> fig.axes[0].get_title()
    'accuracy: W/T/L 1/1/1'
    >>> plt.close(fig)
    """
    n = max(len(pairs), 1)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig = _new_figure(pyplot, (4.2 * cols, 4.2 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    values = table.to_numpy(dtype=float)
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    pad = 0.02 * (hi - lo or 1.0)
    lo, hi = lo - pad, hi + pad
    for ax, (y_name, x_name) in zip(axes.ravel(), pairs, strict=False):
        ax.scatter(table[x_name], table[y_name], s=14, alpha=0.75, edgecolors="none")
        ax.plot([lo, hi], [lo, hi], color="0.4", lw=1, ls="--")
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_aspect("equal")
        ax.set_xlabel(x_name)
        ax.set_ylabel(y_name)
        w, t, losses = wins_ties_losses(
            table[y_name].to_numpy(), table[x_name].to_numpy(), metric
        )
        better = "below" if metric in LOWER_IS_BETTER else "above"
        ax.set_title(f"{METRIC_NAMES[metric]}: W/T/L {w}/{t}/{losses}", fontsize=10)
        ax.text(
            0.03,
            0.97,
            f"{y_name} better {better} the diagonal",
            transform=ax.transAxes,
            fontsize=8,
            va="top",
        )
    for ax in axes.ravel()[len(pairs) :]:
        ax.axis("off")
    fig.tight_layout()
    if path_stem is not None:
        for fmt in formats:
            fig.savefig(f"{path_stem}.{fmt}", dpi=150)
    return fig


# --------------------------------------------------------------------------
# Text output
# --------------------------------------------------------------------------


def _fmt(value, digits: int = 4) -> str:
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        if value != 0 and abs(value) < 10 ** (-digits):
            return f"{value:.2e}"
        return f"{value:.{digits}f}"
    return str(value)


def to_markdown(frame: pd.DataFrame, digits: int = 4, index: bool = True) -> str:
    """A GitHub markdown table (no extra dependency).

    Examples
    --------
    >>> import pandas as pd
    >>> print(to_markdown(pd.DataFrame({"acc": [0.5]}, index=["x"])))
    |  | acc |
    |---|---|
    | x | 0.5000 |
    """
    headers = ([frame.index.name or ""] if index else []) + [
        str(c) for c in frame.columns
    ]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for idx, row in frame.iterrows():
        cells = ([str(idx)] if index else []) + [_fmt(v, digits) for v in row.tolist()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _pairwise_text(pairwise: pd.DataFrame) -> pd.DataFrame:
    if pairwise.empty:
        return pairwise
    out = pairwise.copy()
    out.insert(
        2,
        "W/T/L",
        [
            f"{w}/{t}/{lo}"
            for w, t, lo in zip(out.wins, out.ties, out.losses, strict=True)
        ],
    )
    return out.drop(columns=["wins", "ties", "losses"]).set_index(["a", "b"])


def report(
    comparison: Comparison, markdown: bool = False, per_dataset: bool = True
) -> str:
    """The text ``rocketconv compare`` prints."""
    parts = []
    n_resamples = sorted({len(v) for v in comparison.resamples.values()})
    parts.append(
        f"User classifiers: {', '.join(comparison.user)}; references: "
        f"{', '.join(comparison.references) or 'none'}; resamples per dataset: "
        f"{', '.join(map(str, n_resamples))}."
    )
    parts += [f"Note: {note}" for note in comparison.notes]
    for metric, mc in comparison.metrics.items():
        name = METRIC_NAMES[metric]
        head = f"{name} ({len(mc.table)} datasets"
        if mc.dropped:
            missing = ", ".join(mc.dropped)
            head += f"; {len(mc.dropped)} dropped for missing values: {missing}"
        head += ")"
        if markdown:
            parts.append(f"\n### {head}\n")
        else:
            parts.append(f"\n=== {head} ===")
        if mc.table.empty:
            parts.append("(nothing to compare)")
            continue
        if per_dataset:
            parts.append(
                to_markdown(mc.table)
                if markdown
                else mc.table.to_string(float_format=lambda v: f"{v:.4f}")
            )
            parts.append("")
        summary = mc.summary.rename(columns={"average_rank": "avg rank"})
        parts.append(
            to_markdown(summary)
            if markdown
            else summary.to_string(float_format=lambda v: f"{v:.4f}")
        )
        pw = _pairwise_text(mc.pairwise)
        if not pw.empty:
            parts.append("")
            parts.append(
                to_markdown(pw)
                if markdown
                else pw.to_string(float_format=lambda v: _fmt(v))
            )
        if not math.isnan(mc.friedman_p):
            parts.append(f"\nFriedman p = {_fmt(mc.friedman_p)}")
        if mc.cliques:
            cliques = "; ".join("{" + ", ".join(c) + "}" for c in mc.cliques)
            how = f"Nemenyi CD = {mc.cd:.3f}" if mc.cd else "Wilcoxon-Holm"
            parts.append(f"Not significantly different ({how}, alpha 0.05): {cliques}")
    if comparison.times is not None and not comparison.times.empty:
        times = comparison.times.rename(
            columns={"fit_s": "fit seconds", "predict_s": "predict seconds"}
        )
        times["total seconds"] = times.sum(axis=1)
        parts.append("\nTotal time of the compared tasks (this machine):")
        parts.append(
            to_markdown(times, 1)
            if markdown
            else times.to_string(float_format=lambda v: f"{v:.1f}")
        )
    return "\n".join(parts)


def write_outputs(
    comparison: Comparison,
    out: str | os.PathLike,
    metrics: Sequence[str] | None = None,
) -> list[Path]:
    """CSV tables, CD diagrams and scatter plots (PNG and SVG) under ``out``,
    for every metric of the comparison or those in ``metrics``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for metric, mc in comparison.metrics.items():
        if mc.table.empty or (metrics is not None and metric not in metrics):
            continue
        for name, frame in (
            (f"{metric}_per_dataset.csv", mc.table),
            (f"{metric}_summary.csv", mc.summary),
            (f"{metric}_pairwise.csv", mc.pairwise),
        ):
            frame.to_csv(out / name, index=name != f"{metric}_pairwise.csv")
            written.append(out / name)
        if mc.table.shape[1] >= 2:
            stem = out / f"cd_{metric}"
            # pyplot=False: saving needs no backend, and a notebook or GUI
            # session calling this gets no stray figures.
            plot_critical_difference(
                mc.summary["average_rank"],
                mc.cliques,
                stem,
                title=f"{METRIC_NAMES[metric]}, {len(mc.table)} datasets",
                cd=mc.cd,
                pyplot=False,
            )
            written += [Path(f"{stem}.png"), Path(f"{stem}.svg")]
            pairs = [
                (a, b)
                for a in comparison.user
                for b in mc.table.columns
                if b != a and a in mc.table
            ]
            if pairs:
                stem = out / f"scatter_{metric}"
                plot_scatter(mc.table, pairs[:9], metric, stem, pyplot=False)
                written += [Path(f"{stem}.png"), Path(f"{stem}.svg")]
    return written
