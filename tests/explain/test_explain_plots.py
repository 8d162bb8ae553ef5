"""plot_attributions draws one series row and one attribution row per channel."""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from rocketconv.explain import plot_attributions  # noqa: E402


def test_univariate_and_multivariate_layout():
    t = np.linspace(0, 1, 40)
    figure = plot_attributions(np.sin(6 * t), np.cos(6 * t))
    assert len(figure.axes) == 3  # series, attributions, colour bar
    series = np.stack([np.sin(6 * t), np.cos(6 * t), t])
    shares = np.zeros((2, 3, 40))
    shares[1, 2, 10] = 1.0
    figure = plot_attributions(series, shares, output=1, channel_names=["a", "b", "c"])
    assert len(figure.axes) == 7
    bars = figure.axes[5].patches  # channel c's attribution bars
    heights = np.array([bar.get_height() for bar in bars])
    assert heights[10] == 1.0 and np.count_nonzero(heights) == 1
    assert figure.axes[4].get_ylabel() == "c"


def test_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match="differ"):
        plot_attributions(np.zeros(40), np.zeros((2, 30)))
