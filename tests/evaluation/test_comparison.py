"""compare() end to end on constructed results; report and written files."""

from __future__ import annotations

import pytest

from rocketconv.evaluation.comparison import compare
from rocketconv.evaluation.published import load_published
from rocketconv.evaluation.report import report, write_outputs


def test_compare_lines_up_with_published(tmp_path, write_results):
    root = tmp_path / "results"
    good = [0.9, 0.92, 0.94, 0.96, 0.98, 0.9, 0.92, 0.94]
    write_results(root, "Good", good)
    write_results(root, "Bad", [a - 0.1 for a in good])
    comparison = compare(root, ["minirocket", "hc2"])
    acc = comparison.metrics["accuracy"]
    published = load_published().query(
        "classifier == 'minirocket' and metric == 'accuracy'"
    )
    for dataset in acc.table.index:
        # mean over the resamples the user ran (0 and 1), not all 30
        expect = published[
            (published.dataset == dataset) & published["resample"].isin([0, 1])
        ]["value"].mean()
        assert acc.table.loc[dataset, "MiniRocket (published)"] == pytest.approx(expect)
    assert acc.table["Good"].tolist() == pytest.approx(good)
    pair = acc.pairwise.set_index(["a", "b"]).loc[("Bad", "Good")]
    assert (pair.wins, pair.ties, pair.losses) == (0, 0, 8)
    assert pair.mean_diff == pytest.approx(-0.1)
    assert pair.wilcoxon_p == pytest.approx(2 / 2**8)
    assert (
        acc.summary.loc["Bad", "average_rank"]
        >= acc.summary.loc["Good", "average_rank"] + 1
    )
    # HC2 publishes accuracy only: absent from the log-loss comparison
    assert "HC2 (published)" not in comparison.metrics["logloss"].table
    assert comparison.times.loc["Good", "fit_s"] == pytest.approx(16.0)

    written = write_outputs(comparison, tmp_path / "report", metrics=["accuracy"])
    for name in (
        "cd_accuracy.png",
        "cd_accuracy.svg",
        "scatter_accuracy.png",
        "accuracy_pairwise.csv",
    ):
        path = tmp_path / "report" / name
        assert path in written and path.stat().st_size > 100
    text = report(comparison, markdown=True)
    assert "| Good |" in text and "### accuracy" in text
