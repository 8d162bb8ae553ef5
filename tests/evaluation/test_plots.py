"""CD diagrams and scatter plots keep matplotlib's backend."""

from __future__ import annotations

import pandas as pd
import pytest

from rocketconv.evaluation.plots import plot_critical_difference, plot_scatter
from rocketconv.evaluation.stats import average_ranks


@pytest.fixture
def interactive_backend():
    """Jupyter's inline backend (or, without it, matplotlib's 'template'
    backend): any backend but Agg/SVG/PDF, so forcing Agg would show."""
    import importlib.util

    import matplotlib
    import matplotlib.pyplot as plt

    before = matplotlib.get_backend()
    name = (
        "module://matplotlib_inline.backend_inline"
        if importlib.util.find_spec("matplotlib_inline") is not None
        else "template"
    )
    matplotlib.use(name)
    current = matplotlib.get_backend()
    assert current.lower() not in ("agg", "svg", "pdf")
    yield current
    plt.close("all")
    matplotlib.use(before)


def test_plots_keep_the_current_backend(interactive_backend, tmp_path):
    import matplotlib
    import matplotlib.pyplot as plt

    table = pd.DataFrame({"A": [0.9, 0.8, 0.7], "B": [0.8, 0.8, 0.75]})
    ranks = average_ranks(table)
    fig = plot_critical_difference(ranks, [["A", "B"]], title="t")
    assert matplotlib.get_backend() == interactive_backend
    # a pyplot figure, so a notebook's inline backend shows it
    assert plt.fignum_exists(fig.number)
    fig = plot_scatter(table, [("A", "B")])
    assert matplotlib.get_backend() == interactive_backend
    assert plt.fignum_exists(fig.number)
    plt.close("all")

    # the file-only path (write_outputs, the CLI): saved without pyplot
    stem = tmp_path / "cd"
    plot_critical_difference(ranks, [["A", "B"]], stem, pyplot=False)
    plot_scatter(table, [("A", "B")], path_stem=tmp_path / "sc", pyplot=False)
    assert matplotlib.get_backend() == interactive_backend
    assert plt.get_fignums() == []
    for path in ("cd.png", "cd.svg", "sc.png", "sc.svg"):
        assert (tmp_path / path).stat().st_size > 100
