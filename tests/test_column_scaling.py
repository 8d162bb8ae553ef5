"""L2ColumnScaler's numba kernels against exact sums (``math.fsum``).

The kernels centre while reading and sum down the rows in float64; the
oracle sums each column exactly, so a wrong centring, a float32
accumulator or a lost row shows as an error far above float64 rounding.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rocketconv.scalers import L2ColumnScaler

RNG = np.random.default_rng(7)


def exact_mean_and_norm(column: np.ndarray) -> tuple[float, float]:
    values = [float(v) for v in column]
    mean = math.fsum(values) / len(values)
    norm = math.sqrt(math.fsum((v - mean) ** 2 for v in values))
    return mean, norm


def features(n_cases: int, dtype: type) -> np.ndarray:
    """Columns of very different offsets and spreads, one constant."""
    offsets = np.array([0.0, 1e4, -3.0, 50.0, 7.0])
    spreads = np.array([1.0, 1e-2, 1e3, 0.5, 0.0])
    return (offsets + spreads * RNG.normal(size=(n_cases, 5))).astype(dtype)


@pytest.mark.parametrize("n_cases", [1, 3, 2500])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_means_and_scales_are_the_exact_ones(n_cases, dtype):
    X = features(n_cases, dtype)
    scaler = L2ColumnScaler().fit(X)
    for j in range(X.shape[1]):
        mean, norm = exact_mean_and_norm(X[:, j])
        assert scaler.mean_[j] == pytest.approx(mean, rel=1e-12, abs=1e-12)
        if norm < 1e-9 * max(1.0, abs(mean)):  # a constant column: scale 1
            assert scaler.scale_[j] == 1.0
        else:
            assert scaler.scale_[j] == pytest.approx(norm, rel=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transform_is_centre_then_divide(dtype):
    """Each value is (float64(x) - mean) / scale, the two IEEE operations."""
    X = features(200, dtype)
    scaler = L2ColumnScaler().fit(X)
    other = features(30, dtype)
    scaled = scaler.transform(other)
    assert scaled.dtype == np.float64
    expected = (other.astype(np.float64) - scaler.mean_) / scaler.scale_
    np.testing.assert_array_equal(scaled, expected)


@pytest.mark.parametrize("layout", ["fortran", "strided"])
def test_non_contiguous_input_gives_the_same_values(layout):
    X = features(300, np.float32)
    if layout == "fortran":
        other = np.asfortranarray(X)
    else:
        other = np.repeat(X, 2, axis=1)[:, ::2]
    assert not other.flags.c_contiguous
    reference = L2ColumnScaler()
    scaler = L2ColumnScaler()
    np.testing.assert_array_equal(
        scaler.fit_transform(other), reference.fit_transform(X)
    )
    np.testing.assert_array_equal(scaler.scale_, reference.scale_)


def test_importing_the_scalers_does_not_load_numba():
    import subprocess
    import sys

    code = "import sys, rocketconv.scalers; print('numba' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
