"""Statistics of a datasets x classifiers table of one metric.

* mean and average rank (rank 1 = best; ties share the mean rank);
* wins / ties / losses and the mean difference for each pair, values compared
  at the 6 significant digits of the shipped tables;
* the two-sided Wilcoxon signed-rank p-value (``scipy.stats.wilcoxon``,
  ``zero_method="wilcox"``: zero differences dropped; p = 1 when all are 0);
* the Friedman test (``scipy.stats.friedmanchisquare``) and the cliques of
  the critical-difference diagram: either Wilcoxon-Holm (pairwise Wilcoxon
  p-values, Holm's step-down correction over all k(k-1)/2 pairs, as in
  Ismail Fawaz et al. 2019 and the ROCKET/MiniRocket/InceptionTime papers)
  or Nemenyi (critical difference ``q_alpha * sqrt(k(k+1)/(6N))`` with
  ``scipy.stats.studentized_range``, Demšar 2006). When the Friedman test
  does not reject, all classifiers form one clique.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from rocketconv.evaluation.published import round_significant
from rocketconv.evaluation.tsml_io import LOWER_IS_BETTER

__all__ = [
    "better_sign",
    "average_ranks",
    "wins_ties_losses",
    "wilcoxon_p",
    "friedman_p",
    "holm_cliques",
    "nemenyi_cd",
    "nemenyi_cliques",
    "pairwise_table",
]


def better_sign(metric: str) -> int:
    """+1 when larger values of ``metric`` are better, -1 when smaller are.

    Examples
    --------
    >>> better_sign("accuracy"), better_sign("logloss")
    (1, -1)
    """
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
    values = round_significant(table.to_numpy()) * better_sign(metric)
    ranks = stats.rankdata(-values, axis=1)
    return pd.Series(ranks.mean(axis=0), index=table.columns)


def wins_ties_losses(
    a: ArrayLike, b: ArrayLike, metric: str = "accuracy"
) -> tuple[int, int, int]:
    """How often ``a`` is better than, equal to, worse than ``b``
    (at 6 significant digits).

    Examples
    --------
    >>> wins_ties_losses([0.9, 0.8, 0.5], [0.8, 0.8, 0.6])
    (1, 1, 1)
    """
    diff = (round_significant(a) - round_significant(b)) * better_sign(metric)
    return int((diff > 0).sum()), int((diff == 0).sum()), int((diff < 0).sum())


def wilcoxon_p(a: ArrayLike, b: ArrayLike) -> float:
    """Two-sided Wilcoxon signed-rank p-value of paired samples (zero
    differences dropped); 1.0 when every difference is zero.

    Examples
    --------
    >>> round(wilcoxon_p([1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0]), 6)
    0.03125
    """
    diff = round_significant(a) - round_significant(b)
    if np.all(diff == 0):
        return 1.0
    return float(stats.wilcoxon(diff, zero_method="wilcox").pvalue)


def friedman_p(table: pd.DataFrame) -> float:
    """Friedman test p-value over the columns (NaN with < 3 columns).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [0.9, 0.8, 0.7], "b": [0.9, 0.8, 0.7],
    ...                   "c": [0.9, 0.8, 0.7]})
    >>> friedman_p(t)
    1.0
    """
    if table.shape[1] < 3 or table.shape[0] < 2:
        return float("nan")
    values = round_significant(table.to_numpy())
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


def _cliques(
    table: pd.DataFrame, order: list[str], same: np.ndarray, alpha: float
) -> list[list[str]]:
    """One clique of all when the Friedman test does not reject."""
    if friedman_p(table) >= alpha:
        return [order] if len(order) > 1 else []
    return _cliques_from_matrix(order, same)


def _holm(p_values: list[float], alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Holm's step-down rejections and the threshold each p-value met (NaN
    after the first non-rejection)."""
    m = len(p_values)
    significant = np.zeros(m, dtype=bool)
    thresholds = np.full(m, np.nan)
    for step, idx in enumerate(np.argsort(p_values, kind="stable")):
        thresholds[idx] = alpha / (m - step)
        if p_values[idx] > thresholds[idx]:
            break
        significant[idx] = True
    return significant, thresholds


def holm_cliques(
    table: pd.DataFrame, metric: str = "accuracy", alpha: float = 0.05
) -> tuple[list[list[str]], pd.DataFrame]:
    """Wilcoxon-Holm cliques and the pairwise p-values behind them.

    Returns the cliques (lists of column names, best first) and a frame of
    (a, b, p, holm_threshold, significant) per pair.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [0.9, 0.8, 0.7, 0.6], "b": [0.8, 0.7, 0.6, 0.5]})
    >>> cliques, detail = holm_cliques(t)
    >>> detail[["a", "b", "p", "significant"]]
       a  b     p  significant
    0  a  b  0.125        False
    """
    order = list(average_ranks(table, metric).sort_values().index)
    pairs = list(itertools.combinations(order, 2))
    p_values = [wilcoxon_p(table[a].to_numpy(), table[b].to_numpy()) for a, b in pairs]
    significant, thresholds = _holm(p_values, alpha)
    same = np.ones((len(order), len(order)), dtype=bool)
    for (a, b), sig in zip(pairs, significant, strict=True):
        i, j = order.index(a), order.index(b)
        same[i, j] = same[j, i] = not sig
    detail = pd.DataFrame(
        {
            "a": [a for a, _ in pairs],
            "b": [b for _, b in pairs],
            "p": p_values,
            "holm_threshold": thresholds,
            "significant": significant,
        }
    )
    return _cliques(table, order, same, alpha), detail


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
    Nemenyi critical difference, and that difference.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [0.9, 0.8], "b": [0.8, 0.7], "c": [0.7, 0.9]})
    >>> cliques, cd = nemenyi_cliques(t)
    >>> cliques, round(cd, 2)
    ([['a', 'c', 'b']], 2.34)
    """
    ranks = average_ranks(table, metric).sort_values()
    order = list(ranks.index)
    cd = nemenyi_cd(len(order), len(table), alpha)
    r = ranks.to_numpy()
    same = np.abs(r[:, None] - r[None, :]) < cd
    return _cliques(table, order, same, alpha), cd


def pairwise_table(
    table: pd.DataFrame, first: list[str], metric: str = "accuracy"
) -> pd.DataFrame:
    """Wins, ties, losses, mean difference and Wilcoxon p of each column of
    ``first`` against every other column (each pair within ``first`` once).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"new": [0.9, 0.8, 0.7], "old": [0.8, 0.8, 0.75]})
    >>> pairwise_table(t, ["new"])[["a", "b", "wins", "ties", "losses"]]
         a    b  wins  ties  losses
    0  new  old     1     1       1
    """
    names = list(table.columns)
    rows = []
    for a in (name for name in names if name in first):
        for b in names:
            if b == a or (b in first and names.index(b) < names.index(a)):
                continue
            x, y = table[a].to_numpy(), table[b].to_numpy()
            w, t, lo = wins_ties_losses(x, y, metric)
            rows.append(
                {
                    "a": a,
                    "b": b,
                    "wins": w,
                    "ties": t,
                    "losses": lo,
                    "mean_diff": float((table[a] - table[b]).mean()),
                    "wilcoxon_p": wilcoxon_p(x, y) if len(table) > 1 else math.nan,
                }
            )
    return pd.DataFrame(rows)
