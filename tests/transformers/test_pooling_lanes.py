"""MultiRocket's pooling of 4 or 8 biases in vector lanes
(``rocketconv.transformers._pooling_lanes``, through ``multirocket._pool``)
against the reference ``transform`` loop, written out here bias by bias."""

import numpy as np
import pytest
from numba.core.errors import TypingError

from rocketconv.transformers.multirocket import _pool


def reference_pooling(segment, bias):
    """PPV, LSPV, MPV, MIPV of one bias as the reference loop computes them
    (a branch per point; MPV sums float32 ``C + b`` in a float64, in order)."""
    n = len(segment)
    count = index_sum = last_below = longest = 0
    total = 0.0
    for j in range(n):
        if segment[j] > bias:
            count += 1
            index_sum += j
            total += float(np.float32(segment[j] + bias))
        elif segment[j] < bias:
            longest = max(longest, j - last_below)
            last_below = j
    longest = max(longest, n - 1 - last_below)
    if count == 0:
        return count / n, longest, 0.0, -1.0
    return count / n, longest, total / count, index_sum / count


def pooled(segment_with_margin, start, stop, biases):
    """``_pool``'s four blocks of features, as float32 rows (n_biases, 4)."""
    block = len(biases)
    row = np.full(4 * block + 3, np.nan, np.float32)
    _pool(segment_with_margin, start, stop, biases, row, 3, block)
    assert np.isnan(row[:3]).all()  # nothing written before ``first``
    return row[3:].reshape(4, block).T


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 64, 151, 500])
@pytest.mark.parametrize("n_biases", [1, 3, 4, 5, 8, 9, 13, 17])
def test_every_lane_is_the_reference_loop(n, n_biases):
    rng = np.random.default_rng(n * 100 + n_biases)
    for _ in range(10):
        output = (rng.normal(size=n + 9) * 10).astype(np.float32)
        output[rng.random(n + 9) < 0.2] = 0.5  # ties with a bias
        start = int(rng.integers(0, 9))
        values = [-15.0, -1.5, -0.2, 0.0, 0.5, 0.9, 3.0, 40.0]
        biases = rng.choice(values, n_biases).astype(np.float32)
        got = pooled(output, start, start + n, biases)
        segment = output[start : start + n]
        expected = [reference_pooling(segment, b) for b in biases]
        # bit for bit: exact counts, and MPV's float64 sums in the same order
        np.testing.assert_array_equal(got, np.float32(expected))


def test_lanes_do_not_mix():
    # one run of 5 values >= 1, one of 9 values >= 0 around it
    output = np.full(20, -1.0, np.float32)
    output[3:12] = 0.0
    output[5:10] = 1.0
    biases = np.float32([2.0, 1.0, 0.0, -2.0, 2.0, 1.0, 0.0, -2.0, 0.5])
    got = pooled(output, 0, 20, biases)
    np.testing.assert_array_equal(got[:, 1], [1, 6, 10, 19, 1, 6, 10, 19, 6])
    # C > b is strict: the values equal to 1 count for bias 0 but not for 1
    ppv = np.float32([0, 0, 5, 20, 0, 0, 5, 20, 5]) / np.float32(20)
    np.testing.assert_array_equal(got[:, 0], ppv)
    np.testing.assert_array_equal(got[:4, 3], [-1, -1, 7, 9.5])


def test_only_contiguous_float32_is_accepted():
    biases = np.zeros(4, np.float32)
    row = np.zeros(16, np.float32)
    with pytest.raises(TypingError):
        _pool(np.zeros(20, np.float32)[::2], 0, 10, biases, row, 0, 4)
    with pytest.raises(TypingError):
        _pool(np.zeros(20), 0, 10, biases, row, 0, 4)
