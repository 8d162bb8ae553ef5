"""Ranks, wins/ties/losses, Wilcoxon, Holm and Nemenyi on constructed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from rocketconv.evaluation.stats import (
    average_ranks,
    holm_cliques,
    nemenyi_cd,
    wilcoxon_p,
    wins_ties_losses,
)


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
