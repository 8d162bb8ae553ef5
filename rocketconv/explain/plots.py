"""Plot a series with its attributions (matplotlib, the ``plots`` extra).

matplotlib is imported when :func:`plot_attributions` is called, so
``rocketconv.explain`` works without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def _as_channels(
    series: Any, attributions: Any, output: int
) -> tuple[np.ndarray, np.ndarray]:
    """Both as ``(n_channels, n_timepoints)``; ``output`` picks a row of 3-D
    attributions."""
    values = np.atleast_2d(np.asarray(series, dtype=np.float64))
    shares = np.asarray(attributions, dtype=np.float64)
    if shares.ndim == 3:
        shares = shares[output]
    shares = np.atleast_2d(shares)
    if values.shape != shares.shape:
        raise ValueError(
            f"plot_attributions: series of shape {values.shape} and attributions "
            f"of shape {shares.shape} (after choosing output {output}) differ."
        )
    return values, shares


def plot_attributions(
    series: Any,
    attributions: Any,
    *,
    output: int = 0,
    channel_names: Sequence[str] | None = None,
    title: str | None = None,
    cmap: str = "coolwarm",
    figsize: tuple[float, float] | None = None,
) -> Any:
    """Draw a series coloured by its timepoint attributions, and the
    attributions themselves beneath it, one row per channel.

    Parameters
    ----------
    series : array-like of shape (n_timepoints,) or (n_channels, n_timepoints)
        One case.
    attributions : array-like
        That case's attributions: ``(n_channels, n_timepoints)``, or
        ``(n_outputs, n_channels, n_timepoints)`` as one item of
        ``RocketClassifier.explain``, with ``output`` choosing the row.
    output : int, default=0
        The decision-function column to show (0 for two classes).
    channel_names : sequence of str, optional
    title : str, optional
    cmap : str, default="coolwarm"
        A diverging colormap: red pushes the decision up, blue down; the
        colour scale is symmetric about 0.
    figsize : (float, float), optional

    Returns
    -------
    figure : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from rocketconv.explain import plot_attributions
    >>> t = np.linspace(0, 1, 50)
    >>> figure = plot_attributions(np.sin(6 * t), np.cos(6 * t) / 50)
    >>> len(figure.axes)  # series, attributions and the colour bar
    3
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.colors import Normalize

    values, shares = _as_channels(series, attributions, output)
    n_channels, n_timepoints = values.shape
    limit = float(np.abs(shares).max()) or 1.0
    norm = Normalize(-limit, limit)
    size = figsize or (8.0, 1.0 + 2.2 * n_channels)
    figure, axes = plt.subplots(
        2 * n_channels, 1, sharex=True, figsize=size, squeeze=False,
        gridspec_kw={"height_ratios": [3, 1] * n_channels},
    )  # fmt: skip
    t = np.arange(n_timepoints)
    for c in range(n_channels):
        top, bottom = axes[2 * c, 0], axes[2 * c + 1, 0]
        points = np.column_stack([t, values[c]])
        segments = np.stack([points[:-1], points[1:]], axis=1)
        # a segment takes the mean attribution of its two ends
        line = LineCollection(list(segments), cmap=cmap, norm=norm, linewidth=2.5)
        line.set_array(0.5 * (shares[c, :-1] + shares[c, 1:]))
        top.add_collection(line)
        top.autoscale_view()
        name = channel_names[c] if channel_names is not None else f"channel {c}"
        top.set_ylabel(name if n_channels > 1 else "value")
        bottom.bar(t, shares[c], width=1.0, color=plt.get_cmap(cmap)(norm(shares[c])))
        bottom.axhline(0.0, color="0.5", linewidth=0.5)
        bottom.set_ylabel("attribution", fontsize="small")
    axes[-1, 0].set_xlabel("timepoint")
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    figure.colorbar(mappable, ax=axes[:, 0].tolist(), label="attribution", shrink=0.8)
    if title:
        figure.suptitle(title)
    return figure
