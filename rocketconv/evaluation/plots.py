"""Critical-difference diagrams and pairwise scatter plots (matplotlib).

Neither function chooses or switches matplotlib's backend: switching it
(e.g. to Agg) would silently stop inline figures in Jupyter. ``pyplot=True``
gives a pyplot figure, shown as the current backend shows figures (inline in
a notebook, a window after ``plt.show()``); ``pyplot=False`` a bare
``Figure`` that pyplot does not track, needs no backend or display and can
only be saved, which is all files need.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rocketconv.evaluation.stats import wins_ties_losses
from rocketconv.evaluation.tsml_io import LOWER_IS_BETTER, METRIC_NAMES

if TYPE_CHECKING:  # matplotlib is the optional plots extra
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["new_figure", "save_figure", "plot_critical_difference", "plot_scatter"]


def new_figure(pyplot: bool, figsize: tuple[float, float]) -> Figure:
    """A new figure, without ever choosing or switching matplotlib's backend:
    a pyplot figure, or (``pyplot=False``) a bare ``Figure`` for files."""
    require_matplotlib()
    if pyplot:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize)
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def require_matplotlib() -> None:
    """matplotlib is the optional ``plots`` extra: say so when it is missing."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise ImportError(
            "plots need matplotlib, an optional dependency: "
            "pip install 'rocketconv[plots]'"
        )


def save_figure(
    fig: Figure,
    path_stem: str | os.PathLike | None,
    formats: Sequence[str],
    **kwargs: Any,
) -> None:
    """``<path_stem>.<fmt>`` for each format (nothing when ``path_stem`` is
    None), at 150 dpi."""
    if path_stem is None:
        return
    for fmt in formats:
        fig.savefig(f"{path_stem}.{fmt}", dpi=150, **kwargs)


# --------------------------------------------------------------------------
# Critical-difference diagram
# --------------------------------------------------------------------------


@dataclass
class _CDLayout:
    """Where things go in a CD diagram, in axes units (x in 0..1)."""

    low: int
    high: int
    n_cliques: int
    n_rows: int
    has_cd: bool
    left: float = 0.28  # axis span, as fractions of the width
    right: float = 0.72
    top: float = 0.0
    clique_y0: float = -0.18
    clique_step: float = 0.09
    row_step: float = 0.16

    def x(self, rank: float) -> float:
        span = max(self.high - self.low, 1)
        return self.left + (self.high - rank) / span * (self.right - self.left)

    @property
    def label_y0(self) -> float:
        return self.clique_y0 - self.clique_step * self.n_cliques - 0.08

    @property
    def bottom(self) -> float:
        return self.label_y0 - self.row_step * (self.n_rows - 1) - 0.1

    @property
    def ceiling(self) -> float:
        return 0.45 if self.has_cd else 0.3


def _draw_rank_axis(ax: Axes, lay: _CDLayout) -> None:
    """The rank axis: a tick and number per integer rank, half ticks."""
    ax.plot([lay.x(lay.high), lay.x(lay.low)], [lay.top, lay.top], color="k", lw=1.2)
    for tick in range(lay.low, lay.high + 1):
        ax.plot([lay.x(tick)] * 2, [lay.top, lay.top + 0.05], color="k", lw=1.2)
        ax.text(
            lay.x(tick),
            lay.top + 0.08,
            str(tick),
            ha="center",
            va="bottom",
            fontsize=10,
        )
    for half in np.arange(lay.low + 0.5, lay.high, 1.0):
        ax.plot([lay.x(half)] * 2, [lay.top, lay.top + 0.025], color="k", lw=0.8)


def _draw_cd_bar(ax: Axes, lay: _CDLayout, cd: float) -> None:
    """The Nemenyi critical difference, drawn above the axis."""
    y = lay.top + 0.32
    ax.plot([lay.x(lay.high), lay.x(lay.high - cd)], [y, y], color="k", lw=2)
    for end in (lay.high, lay.high - cd):
        ax.plot([lay.x(end)] * 2, [y - 0.03, y + 0.03], color="k", lw=1)
    ax.text(
        lay.x(lay.high - cd / 2),
        y + 0.04,
        f"CD = {cd:.2f}",
        ha="center",
        va="bottom",
        fontsize=9,
    )


def _draw_labels(ax: Axes, lay: _CDLayout, ranks: pd.Series) -> None:
    """Each classifier hangs from its rank: the better half labelled on the
    right, the rest on the left."""
    k = len(ranks)
    half = math.ceil(k / 2)
    for i, (name, rank) in enumerate(ranks.items()):
        x = lay.x(rank)
        on_right = i < half
        y = lay.label_y0 - lay.row_step * (i if on_right else k - 1 - i)
        end = lay.right + 0.03 if on_right else lay.left - 0.03
        ax.plot([x, x, end], [lay.top, y, y], color="k", lw=0.9)
        if on_right:
            ax.text(
                end + 0.01,
                y,
                f"{rank:.2f}  {name}",
                ha="left",
                va="center",
                fontsize=10,
            )
        else:
            ax.text(
                end - 0.01,
                y,
                f"{name}  {rank:.2f}",
                ha="right",
                va="center",
                fontsize=10,
            )


def _draw_cliques(
    ax: Axes, lay: _CDLayout, ranks: pd.Series, cliques: Sequence[Sequence[str]]
) -> None:
    """A thick bar joining each clique of classifiers not significantly
    different."""
    for j, clique in enumerate(cliques):
        xs = [lay.x(ranks[n]) for n in clique]
        y = lay.clique_y0 - lay.clique_step * j
        ax.plot(
            [min(xs) - 0.006, max(xs) + 0.006],
            [y, y],
            color="k",
            lw=4,
            solid_capstyle="round",
        )


def plot_critical_difference(
    average_ranks: pd.Series,
    cliques: Sequence[Sequence[str]],
    path_stem: str | os.PathLike | None = None,
    *,
    title: str | None = None,
    cd: float | None = None,
    formats: Sequence[str] = ("png", "svg"),
    pyplot: bool = True,
) -> Figure:
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
    >>> from rocketconv.evaluation.plots import plot_critical_difference
    >>> ranks = pd.Series({"a": 1.25, "b": 2.0, "c": 2.75})
    >>> fig = plot_critical_difference(ranks, [["b", "c"]], cd=1.9, pyplot=False)
    >>> sorted(t.get_text() for t in fig.axes[0].texts if "  " in t.get_text())
    ['1.25  a', '2.00  b', 'c  2.75']
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("CD")]
    ['CD = 1.90']
    """
    ranks = average_ranks.sort_values()
    k = len(ranks)
    lay = _CDLayout(
        low=1,
        high=max(k, math.ceil(ranks.max())),
        n_cliques=len(cliques),
        n_rows=max(math.ceil(k / 2), k - math.ceil(k / 2)),
        has_cd=bool(cd),
    )
    fig = new_figure(pyplot, (8.0, 1.1 + 1.9 * (lay.ceiling - lay.bottom)))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(lay.bottom, lay.ceiling)
    ax.axis("off")
    _draw_rank_axis(ax, lay)
    if cd:
        _draw_cd_bar(ax, lay, cd)
    _draw_labels(ax, lay, ranks)
    _draw_cliques(ax, lay, ranks, cliques)
    if title:
        fig.suptitle(title, fontsize=11, y=0.995, va="top")
    save_figure(fig, path_stem, formats, bbox_inches="tight")
    return fig


# --------------------------------------------------------------------------
# Scatter plots
# --------------------------------------------------------------------------


def _scatter_panel(
    ax: Axes,
    table: pd.DataFrame,
    y_name: str,
    x_name: str,
    metric: str,
    limits: tuple[float, float],
) -> None:
    lo, hi = limits
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
    ax.set_title(f"{METRIC_NAMES[metric]}: W/T/L {w}/{t}/{losses}", fontsize=10)
    better = "below" if metric in LOWER_IS_BETTER else "above"
    ax.text(
        0.03,
        0.97,
        f"{y_name} better {better} the diagonal",
        transform=ax.transAxes,
        fontsize=8,
        va="top",
    )


def plot_scatter(
    table: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    metric: str = "accuracy",
    path_stem: str | os.PathLike | None = None,
    formats: Sequence[str] = ("png", "svg"),
    pyplot: bool = True,
) -> Figure:
    """Pairwise scatter plots, one panel per (y, x) pair: a point per dataset,
    the diagonal, and the wins/ties/losses of y against x.

    Returns the matplotlib Figure; with ``path_stem`` saves
    ``<path_stem>.png`` and ``.svg`` (or the ``formats`` given). The backend
    is left as it is; ``pyplot=False`` as in :func:`plot_critical_difference`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import pandas as pd
    >>> from rocketconv.evaluation.plots import plot_scatter
    >>> table = pd.DataFrame({"new": [0.9, 0.8, 0.7], "old": [0.8, 0.8, 0.75]})
    >>> fig = plot_scatter(table, [("new", "old")])
    >>> fig.axes[0].get_title()
    'accuracy: W/T/L 1/1/1'
    >>> plt.close(fig)
    """
    n = max(len(pairs), 1)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig = new_figure(pyplot, (4.2 * cols, 4.2 * rows))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    values = table.to_numpy(dtype=float)
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    pad = 0.02 * (hi - lo or 1.0)
    for ax, (y_name, x_name) in zip(axes, pairs, strict=False):
        _scatter_panel(ax, table, y_name, x_name, metric, (lo - pad, hi + pad))
    for ax in axes[len(pairs) :]:
        ax.axis("off")
    fig.tight_layout()
    save_figure(fig, path_stem, formats)
    return fig
