"""The shipped published tables and their look-ups."""

from __future__ import annotations

import pytest

from rocketconv.evaluation.published import (
    PUBLISHED_DIR,
    load_published,
    published_accuracy,
    published_metric,
    ucr112,
)


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


def test_published_names_labels_and_stems_come_from_the_registry():
    from rocketconv._registry import ALGORITHMS
    from rocketconv.evaluation.published import (
        published_key,
        published_label,
        published_names,
    )

    assert published_names() == list(ALGORITHMS)
    assert set(load_published()["classifier"]) == set(ALGORITHMS)
    for key, algorithm in ALGORITHMS.items():
        assert published_label(key) == f"{algorithm.display_name} (published)"
        for alias in algorithm.aliases:
            assert published_key(alias.upper()) == key
        # the bake-off's own spelling ("MiniROCKET", "MR-Hydra") is understood
        assert published_key(algorithm.bakeoff_stem) == key


def test_build_published_tables_reproduces_the_shipped_ones(tmp_path):
    """The shared reference-results folder: ROCKETCONV_SHARED, else the
    ``shared/`` folder beside the checkout (as in CI); skipped only where
    neither exists (e.g. a checkout without the shared data)."""
    import os
    from pathlib import Path

    import pandas as pd

    from rocketconv.evaluation.published import build_published_tables

    beside = Path(__file__).resolve().parents[3] / "shared"
    shared = Path(os.environ.get("ROCKETCONV_SHARED", beside))
    reference = shared / "reference-results"
    if not (reference / "bakeoff_redux_2023").is_dir():
        pytest.skip(f"no reference-results folder at {reference}")
    written = build_published_tables(reference, tmp_path)
    for name, path in written.items():
        rebuilt = pd.read_csv(path)
        shipped = pd.read_csv(PUBLISHED_DIR / f"{name}.csv")
        pd.testing.assert_frame_equal(rebuilt, shipped)
