"""The 4-lane LSPV loop of ``rocketconv.transformers._stretches`` against the
published definition (largest gap between consecutive positions with
``C < b``, the ends counting as such positions), lane by lane."""

import numpy as np
import pytest
from numba.core.errors import TypingError

from rocketconv.transformers._stretches import longest_stretches


def published_lspv(segment, bias):
    """Largest gap between consecutive members of {0, n-1} and {i: C_i < b}."""
    n = len(segment)
    if n < 2:
        return 0
    below = sorted({0, n - 1} | {i for i in range(n) if segment[i] < bias})
    return max(b - a for a, b in zip(below[:-1], below[1:], strict=True))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 7, 64, 500])
def test_each_lane_is_the_published_lspv(n):
    rng = np.random.default_rng(n)
    for _ in range(50):
        output = rng.normal(size=n + 9).astype(np.float32)
        output[rng.random(n + 9) < 0.2] = 0.5  # ties with a bias
        start = int(rng.integers(0, 9))
        biases = rng.choice([-1.5, -0.2, 0.0, 0.5, 0.9, 3.0], 4).astype(np.float32)
        got = longest_stretches(output, start, start + n, *biases)
        segment = output[start : start + n]
        assert list(got) == [published_lspv(segment, b) for b in biases]


def test_lanes_do_not_mix():
    # one run of 5 values >= 1, one of 9 values >= 0 around it
    output = np.full(20, -1.0, np.float32)
    output[3:12] = 0.0
    output[5:10] = 1.0
    got = longest_stretches(output, 0, 20, *np.float32([2.0, 1.0, 0.0, -2.0]))
    assert list(got) == [1, 6, 10, 19]


def test_only_contiguous_float32_is_accepted():
    output = np.zeros(20, np.float32)
    b = np.float32(0.0)
    with pytest.raises(TypingError):
        longest_stretches(output[::2], 0, 10, b, b, b, b)
    with pytest.raises(TypingError):
        longest_stretches(output.astype(np.float64), 0, 10, b, b, b, b)
