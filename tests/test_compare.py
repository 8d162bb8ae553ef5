"""rocketconv compare: result format, statistics, published tables, plots."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from rocketconv.benchmark import _tsml
from rocketconv.benchmark.cli import main
from rocketconv.benchmark.compare import (
    average_ranks,
    compare,
    holm_cliques,
    nemenyi_cd,
    plot_critical_difference,
    plot_scatter,
    report,
    wilcoxon_p,
    wins_ties_losses,
    write_outputs,
)
from rocketconv.benchmark.published import (
    PUBLISHED_DIR,
    load_published,
    published_accuracy,
    published_metric,
    ucr112,
)

# --------------------------------------------------------------------------
# tsml results format
# --------------------------------------------------------------------------


def _file_text(n_correct=7, n=10, proba=None, classes=("x", "y")):
    true = [classes[i % 2] for i in range(n)]
    predicted = [
        t if i < n_correct else classes[1 - classes.index(t)]
        for i, t in enumerate(true)
    ]
    if proba is None:
        proba = np.array(
            [[0.8, 0.2] if p == classes[0] else [0.3, 0.7] for p in predicted]
        )
    return _tsml.format_classification_results(
        dataset="Toy",
        classifier="Clf",
        resample=3,
        classes=classes,
        true=true,
        predicted=predicted,
        probabilities=proba,
        fit_time_ms=12,
        predict_time_ms=5,
        parameters="{'a': 1,\n 'b': 2}",
    )


def test_results_file_round_trip(tmp_path):
    path = tmp_path / "testResample3.csv"
    path.write_text(_file_text())
    lines = path.read_text().splitlines()
    assert lines[0].startswith("Toy,Clf,TEST,3,MILLISECONDS,PREDICTIONS,")
    assert lines[1] == "{'a': 1,  'b': 2}"  # one line
    assert len(lines[2].split(",")) == 9  # tsml-eval's classification third line
    assert lines[3] == "0,0,,0.8,0.2"
    res = _tsml.read_classification_results(path)
    assert res.accuracy == 0.7 and res.fit_time == 12 and res.predict_time == 5
    assert res.n_classes == 2 and res.classes == ["x", "y"]
    assert list(res.true) == [0, 1] * 5
    assert res.resample == 3 and res.time_unit == "milliseconds"
    metrics = _tsml.classification_metrics(res.true, res.predicted, res.probabilities)
    assert metrics["accuracy"] == 0.7 and metrics["balacc"] == 0.7
    assert math.isclose(
        metrics["logloss"], -np.mean(np.log(res.probabilities[np.arange(10), res.true]))
    )


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda lines: lines[:2] + ["0.7,12,5,-1,-1,2,N/A,-1"] + lines[3:], "9 fields"),
        (lambda lines: lines[:2] + ["0.8" + lines[2][3:]] + lines[3:], "accuracy"),
        (lambda lines: lines[:3] + ["0,0,,0.8,0.3"] + lines[4:], "sum to"),
        (lambda lines: lines[:3] + ["0,0,0.8,0.2"] + lines[4:], "expected"),
        (lambda lines: lines[:3] + ["0,5,,0.8,0.2"] + lines[4:], "outside"),
    ],
)
def test_results_reader_is_strict(tmp_path, edit, message):
    path = tmp_path / "r.csv"
    path.write_text("\n".join(edit(_file_text().splitlines())) + "\n")
    with pytest.raises(ValueError, match=message):
        _tsml.read_classification_results(path)


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "a" / "b.csv"

    class Boom:
        def __str__(self):
            raise RuntimeError

    with pytest.raises(TypeError):
        _tsml.atomic_write_text(target, Boom())  # fails while writing
    assert not target.exists() and not list(target.parent.iterdir())


# --------------------------------------------------------------------------
# Statistics on constructed cases
# --------------------------------------------------------------------------


def test_ranks_wins_and_wilcoxon_by_hand():
    table = pd.DataFrame(
        {"A": [0.9, 0.8, 0.7], "B": [0.8, 0.8, 0.9], "C": [0.7, 0.6, 0.5]}
    )
    # ranks per row: (1, 2, 3), (1.5, 1.5, 3), (2, 1, 3)
    assert average_ranks(table).to_dict() == {"A": 1.5, "B": 1.5, "C": 3.0}
    # log-loss: smaller is better, so ranks reverse
    assert average_ranks(table, "logloss")["C"] == 1.0
    assert wins_ties_losses(table["A"], table["B"]) == (1, 1, 1)
    assert wins_ties_losses(table["A"], table["B"], "logloss") == (1, 1, 1)[::-1]
    # all 8 differences positive: exact two-sided p = 2 / 2**8
    a = np.linspace(0.5, 0.9, 8)
    assert wilcoxon_p(a + np.arange(1, 9) / 100, a) == pytest.approx(2 / 2**8)
    assert wilcoxon_p(a, a) == 1.0


def test_holm_cliques():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.5, 0.8, size=12)
    noise = rng.normal(0, 0.01, size=12)
    table = pd.DataFrame({"B": base, "C": base + noise, "A": base + 0.1})
    cliques, detail = holm_cliques(table)
    assert cliques == [sorted(["B", "C"], key=lambda n: average_ranks(table)[n])]
    by_pair = {
        frozenset((a, b)): row
        for a, b, row in zip(detail.a, detail.b, detail.itertuples(), strict=True)
    }
    assert by_pair[frozenset("AB")].p == pytest.approx(2 / 2**12)
    assert (
        by_pair[frozenset("AB")].significant
        and not by_pair[frozenset("BC")].significant
    )
    # Holm thresholds: alpha/3 for the smallest p, then alpha/2
    assert sorted(detail.holm_threshold.dropna())[:2] == pytest.approx(
        [0.05 / 3, 0.05 / 2]
    )


def test_nemenyi_cd_matches_demsar_table():
    # Demšar (2006), Table 5(a): q_0.05 = 2.343 for k=3, 2.728 for k=5
    assert nemenyi_cd(3, 20) == pytest.approx(2.343 * math.sqrt(3 * 4 / 120), rel=1e-3)
    assert nemenyi_cd(5, 50) == pytest.approx(2.728 * math.sqrt(5 * 6 / 300), rel=1e-3)


# --------------------------------------------------------------------------
# Published tables
# --------------------------------------------------------------------------


def test_published_tables():
    size = sum(p.stat().st_size for p in PUBLISHED_DIR.iterdir())
    assert size < 5 * 2**20
    assert (PUBLISHED_DIR / "SOURCES.md").read_text().count("reference-results") >= 1
    table = load_published()
    assert set(table["classifier"]) == {
        "rocket", "minirocket", "multirocket", "hydra", "multirocket+hydra",
        "inceptiontime", "hc2",
    }  # fmt: skip
    assert set(table["resample"]) == set(range(30))
    assert len(ucr112()) == 112
    gp = table[(table.classifier == "minirocket") & (table.dataset == "GunPoint")]
    assert len(gp) == 4 * 30
    row = gp[(gp.metric == "logloss") & (gp["resample"] == 2)]["value"].item()
    assert published_metric("MiniRocket", "GunPoint", "logloss", 2) == row
    authors = load_published("authors")
    value = authors[
        (authors.classifier == "minirocket")
        & (authors.dataset == "Beef")
        & (authors["resample"] == 0)
    ]["value"].item()
    assert published_accuracy("minirocket", "Beef") == value  # authors' table first
    assert published_accuracy("hc2", "Beef") == published_metric("HIVE-COTE2", "Beef")
    assert published_accuracy("minirocket", "BasicMotions") is None
    with pytest.raises(ValueError, match="available"):
        published_accuracy("nope", "Beef")


# --------------------------------------------------------------------------
# compare end to end on constructed results
# --------------------------------------------------------------------------

DATASETS = ["Beef", "Coffee", "ECG200", "GunPoint", "Ham", "Meat", "Trace", "Wine"]


def _write_results(root, classifier, accuracies, resamples=(0, 1), n=50):
    """Results files whose accuracy is exactly the given one per dataset."""
    for dataset, accuracy in zip(DATASETS, accuracies, strict=True):
        for resample in resamples:
            n_correct = round(accuracy * n)
            true = ["p" if i % 2 else "q" for i in range(n)]
            predicted = [
                t if i < n_correct else ("q" if t == "p" else "p")
                for i, t in enumerate(true)
            ]
            proba = np.array(
                [[0.1, 0.9] if p == "q" else [0.9, 0.1] for p in predicted]
            )
            text = _tsml.format_classification_results(
                dataset=dataset,
                classifier=classifier,
                resample=resample,
                classes=["p", "q"],
                true=true,
                predicted=predicted,
                probabilities=proba,
                fit_time_ms=1000,
                predict_time_ms=500,
            )
            _tsml.atomic_write_text(
                _tsml.results_path(root, classifier, dataset, resample), text
            )


def test_compare_lines_up_with_published(tmp_path):
    root = tmp_path / "results"
    good = [0.9, 0.92, 0.94, 0.96, 0.98, 0.9, 0.92, 0.94]
    _write_results(root, "Good", good)
    _write_results(root, "Bad", [a - 0.1 for a in good])
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


def test_compare_cli(tmp_path, capsys):
    root = tmp_path / "results"
    _write_results(root, "Mine", [0.9] * 8, resamples=(0,))
    rc = main(["compare", str(root), "--reference", "minirocket,rocket", "--markdown",
               "--metrics", "accuracy", "--out", str(tmp_path / "rep")])  # fmt: skip
    assert rc == 0
    out = capsys.readouterr().out
    assert "MiniRocket (published)" in out and "| Mine |" in out
    assert (tmp_path / "rep" / "cd_accuracy.png").exists()
    assert main(["compare", str(root), "--reference", "nope"]) == 2
    assert "available" in capsys.readouterr().err
    assert main(["compare", str(tmp_path / "missing")]) == 2
