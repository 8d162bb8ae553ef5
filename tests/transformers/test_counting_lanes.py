"""The eight-point counting intrinsic of the one-channel MiniRocket kernel."""

import numba
import numpy as np
import pytest

from rocketconv.transformers._counting_lanes import SLACK, count_above


@numba.njit
def _count(pair, pair_first, gamma, gamma_first, n, biases):
    return count_above(pair, pair_first, gamma, gamma_first, n, biases)


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 15, 16, 17, 31, 150])
def test_counts_equal_numpy_and_ignore_what_lies_past_the_range(n):
    """Counts of ``pair + gamma > b`` over ``n`` points at odd offsets, for
    every remainder of ``n`` modulo the eight lanes. The points past the
    range (the last vector reads them) sum to values above every bias (and
    a NaN at the very end): a lane mask that let one through would count
    it."""
    rng = np.random.default_rng(n)
    pair_first, gamma_first = 3, 5
    pair = rng.normal(size=pair_first + n + SLACK).astype(np.float32)
    gamma = rng.normal(size=gamma_first + n + SLACK).astype(np.float32)
    pair[pair_first + n :] = 1e30
    gamma[gamma_first + n :] = 1.0
    gamma[-1] = np.nan
    pair[:pair_first] = gamma[:gamma_first] = 1e30  # before the range too
    biases = tuple(np.float32(b) for b in (-0.5, 0.0, 0.25, 1.5))
    values = pair[pair_first : pair_first + n] + gamma[gamma_first : gamma_first + n]
    expected = [int((values > b).sum()) for b in biases]
    counts = _count(pair, pair_first, gamma, gamma_first, n, biases)
    assert list(counts) == expected


def test_ties_are_not_counted():
    """``C > b`` is strict: a point equal to a bias is not above it."""
    pair = np.zeros(16 + SLACK, dtype=np.float32)
    gamma = np.ones(16 + SLACK, dtype=np.float32)
    biases = (np.float32(1.0), np.float32(0.5), np.float32(1.0), np.float32(2.0))
    assert _count(pair, 0, gamma, 0, 16, biases) == (0, 16, 0, 0)
