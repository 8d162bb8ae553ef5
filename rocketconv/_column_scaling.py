"""Kernels of :class:`rocketconv.scalers.L2ColumnScaler`: column means, the
sums of squares of the centred columns, and the scaled float64 features.

Each is one pass over the (float32 or float64) features, reading them in
their own type: centring happens as each value is read, so no centred
float64 copy is made and then read again. numpy's version made five passes
over float64 data (a copy, the mean, the centring, the squares, the
division); these make three, two of them reading four-byte values. Every
sum runs down the rows in order, one column per accumulator, in float64 (the
order of numpy's ``X.mean(axis=0, dtype=float64)``), so ``fit``,
``fit_transform`` and ``transform`` agree bit for bit. No ``fastmath``:
reassociating the sums would change them.

The arrays must be C-contiguous and 2-D (the scaler makes them so).
"""

from __future__ import annotations

import numpy as np

from ._numba import jit

__all__ = ["column_means", "centred_sum_squares", "scale_into"]


@jit(nogil=True)
def column_means(X):
    """Each column's mean, summed down the rows in float64."""
    n_rows, n_columns = X.shape
    totals = np.zeros(n_columns)
    for row in range(n_rows):
        for column in range(n_columns):
            totals[column] += X[row, column]
    return totals / n_rows


@jit(nogil=True)
def centred_sum_squares(X, means):
    """Each column's sum of squared deviations from ``means``."""
    n_rows, n_columns = X.shape
    totals = np.zeros(n_columns)
    for row in range(n_rows):
        for column in range(n_columns):
            centred = np.float64(X[row, column]) - means[column]
            totals[column] += centred * centred
    return totals


# numpy's error model: numba's default checks every division for a zero
# divisor (to raise ZeroDivisionError), and the check keeps LLVM from
# vectorising the loop (twice the time); scales are never 0 (the scaler
# sets 1 for a constant column)
@jit(nogil=True, error_model="numpy")
def scale_into(out, X, means, scales):
    """``out[:] = (X - means) / scales``; ``out`` is float64, allocated by
    numpy, which asks the system for huge pages on large arrays (numba's
    allocator does not: page faults tripled the time at 1,000 x 9,996)."""
    n_rows, n_columns = X.shape
    for row in range(n_rows):
        for column in range(n_columns):
            centred = np.float64(X[row, column]) - means[column]
            out[row, column] = centred / scales[column]
