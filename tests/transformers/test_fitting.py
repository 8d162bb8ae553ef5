"""The two ways of fitting MiniRocket's biases give the same biases: numpy
(example outputs, then a sort) and the compiled kernel for long series
(example outputs, then a histogram that finds only the wanted ranks)."""

from __future__ import annotations

import numpy as np
import pytest

from rocketconv import MiniRocket, MultiRocket
from rocketconv.transformers import _fitting
from rocketconv.transformers._bias_kernel import (
    MAX_GROUP,
    N_BINS,
    N_HISTOGRAMS,
    select,
)

RNG = np.random.default_rng(3)


def _fitted_biases(cls, X, monkeypatch, compiled_from, n_jobs=1):
    monkeypatch.setattr(_fitting, "COMPILED_FIT_LENGTH", compiled_from)
    model = cls(n_features=cls().n_features // 4, random_state=0, n_jobs=n_jobs)
    model.fit(X)
    names = ("representation_", "diff_representation_")
    return [getattr(model, name).biases for name in names if hasattr(model, name)]


SERIES = {
    "one channel": RNG.normal(size=(12, 1, 120)),
    "four channels": RNG.normal(size=(12, 4, 90)),
    "ties": np.round(RNG.normal(size=(12, 2, 70))),
    "steps": np.repeat(RNG.normal(size=(12, 1, 6)), 20, axis=2),  # flat runs
    # one huge value crowds the rest of its outputs into one bin: sorted
    "outlier": np.where(np.arange(600) == 300, 1e12, RNG.normal(size=(6, 1, 600))),
    "constant": np.ones((5, 1, 60)),
    "unequal": [RNG.normal(size=(2, n)) for n in (30, 45, 30, 80, 12, 9)],
}


@pytest.mark.parametrize("cls", [MiniRocket, MultiRocket])
@pytest.mark.parametrize("name", list(SERIES))
def test_compiled_fit_equals_numpy_fit(cls, name, monkeypatch):
    X = SERIES[name]
    by_numpy = _fitted_biases(cls, X, monkeypatch, compiled_from=10**9)
    compiled = _fitted_biases(cls, X, monkeypatch, compiled_from=0)
    threads = _fitted_biases(cls, X, monkeypatch, compiled_from=0, n_jobs=2)
    for expected, got, on_threads in zip(by_numpy, compiled, threads, strict=True):
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(on_threads, expected)


@pytest.mark.parametrize("cls", [MiniRocket, MultiRocket])
def test_examples_on_both_sides_of_the_threshold(cls, monkeypatch):
    """Within a dilation, examples of 45 and 80 points take the compiled fit
    and shorter ones the numpy fit of all lengths at once: the biases stay
    those of the numpy fit alone."""
    X = SERIES["unequal"]
    by_numpy = _fitted_biases(cls, X, monkeypatch, compiled_from=10**9)
    split = _fitted_biases(cls, X, monkeypatch, compiled_from=40)
    for expected, got in zip(by_numpy, split, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_long_series_take_the_compiled_fit(monkeypatch):
    """From COMPILED_FIT_LENGTH points on, and only then."""
    rows = []
    kernel = _fitting.ranked_outputs

    def spy(*arguments):
        kernel(*arguments)
        rows.append(arguments[-3].shape)

    monkeypatch.setattr(_fitting, "ranked_outputs", spy)
    MiniRocket(n_features=840, random_state=0).fit(RNG.normal(size=(4, 1, 999)))
    assert rows == []
    MiniRocket(n_features=840, random_state=0).fit(RNG.normal(size=(4, 1, 1000)))
    assert rows and all(shape[1] == 1000 for shape in rows)


def test_only_the_compiled_fit_runs_on_n_jobs_threads(monkeypatch):
    from rocketconv._params import check_n_jobs

    threads = []
    run_in_chunks = _fitting._numba.run_in_chunks

    def spy(work, n_items, n_threads, max_chunk):
        threads.append(n_threads)
        run_in_chunks(work, n_items, n_threads, max_chunk)

    monkeypatch.setattr(_fitting._numba, "run_in_chunks", spy)
    for length in (999, 1000):
        X = RNG.normal(size=(4, 1, length))
        MiniRocket(n_features=840, random_state=0, n_jobs=2).fit(X)
    assert threads == [1, check_n_jobs(2)]


def test_rows_the_histogram_cannot_settle_are_sorted(monkeypatch):
    """The "outlier" series above does reach the sort of unresolved rows."""
    unresolved = []
    kernel = _fitting.ranked_outputs

    def spy(*arguments):
        kernel(*arguments)
        unresolved.append(int(arguments[-1].sum()))

    monkeypatch.setattr(_fitting, "ranked_outputs", spy)
    _fitted_biases(MiniRocket, SERIES["outlier"], monkeypatch, compiled_from=0)
    assert sum(unresolved) > 0


def _select(row):
    """``select`` on ``row`` for a few random ranks: (settled, found, the
    values np.sort puts at those ranks)."""
    row = np.asarray(row, dtype=np.float32)
    ranks = np.sort(RNG.integers(0, len(row), size=7)).astype(np.int64)
    found = np.zeros(len(ranks), dtype=np.float32)
    group_start = np.full(N_BINS, -1, dtype=np.int64)
    scratch = (
        np.empty(len(row), np.int32),
        np.empty((N_HISTOGRAMS, N_BINS), np.int32),
        group_start,
        np.empty(len(ranks), np.int64),
        np.empty(len(ranks), np.int64),
        np.empty(MAX_GROUP * len(ranks), np.float32),
    )
    settled = select(row.copy(), ranks, found, *scratch)
    assert (group_start == -1).all()  # left as found, for the next row
    return settled, found, np.sort(row)[ranks]


@pytest.mark.parametrize(
    "row",
    [
        RNG.normal(size=5000),
        RNG.normal(size=5001),  # a length the interleaved counts do not divide
        np.cumsum(RNG.normal(size=3000)),  # a random walk
        np.round(RNG.normal(size=2000) * 3),  # many ties, few distinct values
        np.full(50, -2.5),
        np.r_[RNG.normal(size=999), 1e6],  # one value stretches the range
        -np.abs(RNG.standard_cauchy(size=4000)),
        np.r_[np.zeros(10), np.full(10, np.float32(1e-38))],  # a tiny range
    ],
    ids=["normal", "odd length", "walk", "ties", "constant", "outlier", "tail", "tiny"],
)
def test_select_finds_the_sorted_values_or_gives_up(row):
    settled, found, expected = _select(row)
    if settled:
        np.testing.assert_array_equal(found, expected)


@pytest.mark.parametrize("n", [1000, 5000, 20_000])
def test_select_settles_ordinary_rows(n):
    """The histogram answers smooth and noisy rows (else the fast path
    would never run)."""
    assert _select(RNG.normal(size=n))[0]
    assert _select(np.sin(np.linspace(0, 40, 5000)))[0]


def test_select_leaves_crowded_bins_to_the_sort():
    """One outlier puts every other value into the lowest bin."""
    row = np.r_[RNG.normal(size=2 * MAX_GROUP), 1e9]
    assert not _select(row)[0]
