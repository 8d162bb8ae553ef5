"""Shared data and oracles of the explain tests.

The oracles here are plain numpy written from the feature_info table and
the papers' definitions, one tap at a time in float64: they share no code
(and no summation order) with rocketconv's kernels or rocketconv.explain.
"""

from __future__ import annotations

import numpy as np
import pytest

from rocketconv.explain._head import LinearHead


def random_walks(n_cases: int, n_channels: int, length: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_cases, n_channels, length)).cumsum(axis=-1) * 0.3


def dilated_output(x: np.ndarray, row, centred_offset: int = 4) -> np.ndarray:
    """``C[t] = sum_c sum_j w_cj x_c[t + (j - 4) d (+ left shift)]`` for every
    t of the series (zeros outside), float64, one tap at a time."""
    weights = np.atleast_2d(np.asarray(row.weights, dtype=np.float64))
    length = x.shape[-1]
    out = np.zeros(length)
    for position, channel in enumerate(row.channels):
        w = weights[position if len(weights) > 1 else 0]
        for j in range(w.shape[0]):
            shift = (j - centred_offset) * row.dilation
            if j < centred_offset:
                shift += row.left_shift
            for t in range(length):
                if 0 <= t + shift < length:
                    out[t] += w[j] * x[channel, t + shift]
    return out


def pooled_range(length: int, row) -> tuple[int, int]:
    """Outputs pooled: all ('same' padding) or those of the valid part."""
    reach = 4 * row.dilation
    if row.padding == 0 and length - 2 * reach > 0:
        return reach, length - reach
    return 0, length


def one_feature_head(
    n_features: int,
    column: int,
    sparse: bool = False,
    mean: float = 0.0,
    scale: float = 1.0,
) -> LinearHead:
    """A head whose decision is feature ``column`` itself (scaled as given)."""
    coef = np.zeros((1, n_features))
    coef[0, column] = 1.0
    return LinearHead(
        coef=coef,
        mean=np.full(n_features, mean),
        scale=np.full(n_features, scale),
        sparse=np.full(n_features, sparse),
        mask=True,
        intercept=np.zeros(1),
    )


@pytest.fixture(scope="module")
def walks() -> np.ndarray:
    return random_walks(6, 1, 60, seed=3)
