"""The integer-key float32 maximum of ``rocketconv.transformers._pooling``
against numpy's maximum, on the values where a bit trick could go wrong."""

import numpy as np
import pytest
from numba import njit

from rocketconv.transformers._pooling import SMALLEST_KEY, from_max_key, max_key


@njit(cache=False)
def _key_maximum(values):
    top = SMALLEST_KEY
    for t in range(len(values)):
        top = max(top, max_key(values[t]))
    return from_max_key(top)


FLOAT32 = np.finfo(np.float32)
EDGE_CASES = [
    [-0.0, -1.0],
    [-1.0, -0.0, -2.0],
    [0.0, -0.0],
    [-FLOAT32.max, -FLOAT32.smallest_subnormal],
    [FLOAT32.max, 0.0, -FLOAT32.max],
    [-FLOAT32.smallest_subnormal, -FLOAT32.tiny],
    [FLOAT32.smallest_subnormal, 0.0],
    [-5.0],
]


@pytest.mark.parametrize("values", EDGE_CASES)
def test_key_maximum_equals_numpy_maximum_on_edge_cases(values):
    array = np.array(values, dtype=np.float32)
    result = _key_maximum(array)
    assert result == array.max()
    # bit for bit one of the values; of the two zeros +0.0 is the larger
    assert np.float32(result).tobytes() in {v.tobytes() for v in array}
    if result == 0:
        assert np.signbit(result) == bool(np.signbit(array[array == 0]).all())


def test_key_maximum_equals_numpy_maximum_on_random_values():
    rng = np.random.default_rng(0)
    for scale in (1e-40, 1.0, 1e30):
        for size in (1, 7, 64, 1001):
            array = (rng.standard_normal(size) * scale).astype(np.float32)
            assert _key_maximum(array) == array.max()


def test_key_order_is_float_order():
    rng = np.random.default_rng(1)
    values = np.sort(
        np.concatenate(
            [rng.standard_normal(500), rng.standard_normal(500) * 1e-39, [0.0, -0.0]]
        ).astype(np.float32)
    )
    keys = np.array([_key_maximum(np.array([v], np.float32)) for v in values])
    assert np.array_equal(keys, values)
