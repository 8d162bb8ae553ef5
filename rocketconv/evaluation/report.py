"""What the command line prints and writes: summaries, reports, files.

* :func:`summary_table` and :func:`benchmark_report`: the table and lines
  ``rocketconv benchmark`` prints;
* :func:`report`: the text (or markdown) ``rocketconv compare`` prints;
* :func:`write_outputs`: the CSV tables, CD diagrams and scatter plots of
  ``rocketconv compare --out``;
* :func:`to_markdown`, :func:`format_value`, :func:`environment`.
"""

from __future__ import annotations

import math
import os
import platform
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from rocketconv.evaluation.comparison import Comparison, MetricComparison
from rocketconv.evaluation.plots import plot_critical_difference, plot_scatter
from rocketconv.evaluation.tsml_io import METRIC_NAMES

__all__ = [
    "environment",
    "format_value",
    "to_markdown",
    "summary_table",
    "benchmark_report",
    "report",
    "write_outputs",
]

SUMMARY_TABLE_COLUMNS = [
    "dataset",
    "classifier",
    "resamples",
    "accuracy",
    "published",
    "fit_s",
    "predict_s",
]


def environment() -> str:
    """One line describing the machine, for logs."""
    python = platform.python_version()
    return f"{platform.platform()}, Python {python}, {os.cpu_count()} CPUs"


def format_value(value: object, digits: int = 4) -> str:
    """A table cell: floats with ``digits`` decimals (tiny ones in
    scientific notation), blank for None and NaN.

    Examples
    --------
    >>> format_value(0.5), format_value(1.5e-7), format_value(float("nan"))
    ('0.5000', '1.50e-07', '')
    """
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
    """A GitHub markdown table (pandas' own needs the ``tabulate`` package,
    which rocketconv does not depend on).

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
        cells = [format_value(v, digits) for v in row.tolist()]
        lines.append("| " + " | ".join(([str(idx)] if index else []) + cells) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# rocketconv benchmark
# --------------------------------------------------------------------------


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Per (dataset, classifier): mean accuracy over resamples, the published
    accuracy averaged over the same resamples (NaN when a resample is not
    published), fit and predict seconds (means).

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"dataset": "D", "classifier": "C",
    ...     "status": "ok", "resample": [0, 1], "accuracy": [0.8, 0.9],
    ...     "published_accuracy": [0.85, None], "fit_s": 1.0, "predict_s": 0.5})
    >>> summary_table(summary).iloc[0].to_dict()
    {'dataset': 'D', 'classifier': 'C', 'resamples': 2, 'accuracy': 0.85,
     'published': nan, 'fit_s': 1.0, 'predict_s': 0.5}
    """
    ok = summary[summary["status"] == "ok"]
    if ok.empty:
        return pd.DataFrame(columns=SUMMARY_TABLE_COLUMNS)
    grouped = ok.groupby(["dataset", "classifier"], sort=True)
    return grouped.agg(
        resamples=("resample", "size"),
        accuracy=("accuracy", "mean"),
        published=("published_accuracy", lambda v: v.astype(float).mean(skipna=False)),
        fit_s=("fit_s", "mean"),
        predict_s=("predict_s", "mean"),
    ).reset_index()


def benchmark_report(summary: pd.DataFrame, out: str | None = None) -> str:
    """The table and totals ``rocketconv benchmark`` prints on stdout."""
    table = summary_table(summary)
    shown = table.copy()
    for column, digits in (
        ("accuracy", 4),
        ("published", 4),
        ("fit_s", 3),
        ("predict_s", 3),
    ):
        shown[column] = ["" if pd.isna(v) else f"{v:.{digits}f}" for v in table[column]]
    with pd.option_context("display.width", 200, "display.max_rows", None):
        text = shown.to_string(index=False)
    n_errors = int((summary["status"] == "error").sum())
    ok = summary[summary["status"] == "ok"]
    return (
        f"{text}\n{len(ok)} tasks with results, {n_errors} failed; total fit "
        f"{ok['fit_s'].sum():.1f} s, predict {ok['predict_s'].sum():.1f} s."
        + (f" Results in {out}" if out else "")
    )


# --------------------------------------------------------------------------
# rocketconv compare
# --------------------------------------------------------------------------


def _pairwise_text(pairwise: pd.DataFrame) -> pd.DataFrame:
    if pairwise.empty:
        return pairwise
    out = pairwise.copy()
    wtl = zip(out.wins, out.ties, out.losses, strict=True)
    out.insert(2, "W/T/L", [f"{w}/{t}/{lo}" for w, t, lo in wtl])
    return out.drop(columns=["wins", "ties", "losses"]).set_index(["a", "b"])


def _frame_text(frame: pd.DataFrame, markdown: bool, digits: int = 4) -> str:
    if markdown:
        return to_markdown(frame, digits)
    return frame.to_string(float_format=lambda v: f"{v:.{digits}f}")


def _metric_text(mc: MetricComparison, markdown: bool, per_dataset: bool) -> list:
    head = f"{METRIC_NAMES[mc.metric]} ({len(mc.table)} datasets"
    if mc.dropped:
        missing = ", ".join(mc.dropped)
        head += f"; {len(mc.dropped)} dropped for missing values: {missing}"
    parts = [f"\n### {head})\n" if markdown else f"\n=== {head}) ==="]
    if mc.table.empty:
        return parts + ["(nothing to compare)"]
    if per_dataset:
        parts += [_frame_text(mc.table, markdown), ""]
    parts.append(
        _frame_text(mc.summary.rename(columns={"average_rank": "avg rank"}), markdown)
    )
    pw = _pairwise_text(mc.pairwise)
    if not pw.empty:
        text = to_markdown(pw) if markdown else pw.to_string(float_format=format_value)
        parts += ["", text]
    if not math.isnan(mc.friedman_p):
        parts.append(f"\nFriedman p = {format_value(mc.friedman_p)}")
    if mc.cliques:
        cliques = "; ".join("{" + ", ".join(c) + "}" for c in mc.cliques)
        how = f"Nemenyi CD = {mc.cd:.3f}" if mc.cd else "Wilcoxon-Holm"
        parts.append(f"Not significantly different ({how}, alpha 0.05): {cliques}")
    return parts


def _times_text(times: pd.DataFrame, markdown: bool) -> list[str]:
    times = times.rename(
        columns={"fit_s": "fit seconds", "predict_s": "predict seconds"}
    )
    times["total seconds"] = times.sum(axis=1)
    return [
        "\nTotal time of the compared tasks (this machine):",
        _frame_text(times, markdown, digits=1),
    ]


def report(
    comparison: Comparison, markdown: bool = False, per_dataset: bool = True
) -> str:
    """The text ``rocketconv compare`` prints: per metric the per-dataset
    table, means and average ranks, pairwise W/T/L and Wilcoxon p-values,
    the Friedman p-value and the cliques; then the total times."""
    n_resamples = sorted({len(v) for v in comparison.resamples.values()})
    parts = [
        f"User classifiers: {', '.join(comparison.user)}; references: "
        f"{', '.join(comparison.references) or 'none'}; resamples per dataset: "
        f"{', '.join(map(str, n_resamples))}."
    ]
    parts += [f"Note: {note}" for note in comparison.notes]
    for mc in comparison.metrics.values():
        parts += _metric_text(mc, markdown, per_dataset)
    if comparison.times is not None and not comparison.times.empty:
        parts += _times_text(comparison.times, markdown)
    return "\n".join(parts)


def _write_plots(comparison: Comparison, mc: MetricComparison, out: Path) -> list:
    # pyplot=False: saving needs no backend, and a notebook or GUI session
    # calling this gets no stray figures.
    stem = out / f"cd_{mc.metric}"
    plot_critical_difference(
        mc.summary["average_rank"],
        mc.cliques,
        stem,
        title=f"{METRIC_NAMES[mc.metric]}, {len(mc.table)} datasets",
        cd=mc.cd,
        pyplot=False,
    )
    written = [Path(f"{stem}.png"), Path(f"{stem}.svg")]
    pairs = [
        (a, b)
        for a in comparison.user
        for b in mc.table.columns
        if b != a and a in mc.table
    ]
    if pairs:
        stem = out / f"scatter_{mc.metric}"
        plot_scatter(mc.table, pairs[:9], mc.metric, stem, pyplot=False)
        written += [Path(f"{stem}.png"), Path(f"{stem}.svg")]
    return written


def write_outputs(
    comparison: Comparison,
    out: str | os.PathLike,
    metrics: Sequence[str] | None = None,
) -> list[Path]:
    """CSV tables, CD diagrams and scatter plots (PNG and SVG) under ``out``,
    for every metric of the comparison or those in ``metrics``; returns the
    paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for metric, mc in comparison.metrics.items():
        if mc.table.empty or (metrics is not None and metric not in metrics):
            continue
        for name, frame, index in (
            (f"{metric}_per_dataset.csv", mc.table, True),
            (f"{metric}_summary.csv", mc.summary, True),
            (f"{metric}_pairwise.csv", mc.pairwise, False),
        ):
            frame.to_csv(out / name, index=index)
            written.append(out / name)
        if mc.table.shape[1] >= 2 and _plots_available():
            written += _write_plots(comparison, mc, out)
    return written


def _plots_available() -> bool:
    """matplotlib is optional (the ``plots`` extra): without it the tables
    are still written, and a warning says how to get the diagrams."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is not None:
        return True
    warnings.warn(
        "matplotlib is not installed: CD diagrams and scatter plots skipped "
        "(pip install 'rocketconv[plots]').",
        stacklevel=3,
    )
    return False
