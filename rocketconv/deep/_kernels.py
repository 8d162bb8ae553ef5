"""The numba kernels of ``rocketconv.deep``: its only loops over time points.

Each batch kernel is one body over cases (``prange``) compiled twice by
:func:`rocketconv._numba.serial_and_parallel`; a per-case helper does the work.
BatchNorm's kernels split the rows into fixed blocks of ``BLOCK_ROWS``
instead of cases (its statistics are over all rows). The drivers
(``im2col``, ``col2im``, ``maxpool_forward``, ``maxpool_backward``,
``batchnorm_forward``, ``batchnorm_backward``) take numba's threads only
for large arrays and only when more than one thread is set
(:func:`rocketconv._numba.pick`): waking the thread pool costs
microseconds on an idle machine but milliseconds on a loaded one. Cases
and blocks are independent, so both variants give identical results.

Arrays are channels-last ``(n_cases, n_timepoints, n_channels)``. Nothing here
changes numba's configuration or thread count: the kernels run on the thread
count of the caller (numba's default, or ``numba.set_num_threads``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numba import prange

from .._numba import jit, pick, serial_and_parallel

__all__ = [
    "PARALLEL_THRESHOLD",
    "adam_step",
    "batchnorm_backward",
    "batchnorm_forward",
    "col2im",
    "im2col",
    "maxpool_backward",
    "maxpool_forward",
]

# Elements above which a kernel may run on numba's threads.
PARALLEL_THRESHOLD = 1 << 18
# Rows per block of BatchNorm's per-channel sums: a fixed split, so that the
# serial and parallel variants add the same numbers in the same order.
BLOCK_ROWS = 2048


@jit
def _im2col_case(x, runs, left, col):
    """``col[t]`` holds the taps of window ``t``, ``x[t + j - left]`` for tap
    ``j`` (zero outside the series), run after run of ``runs``.

    Run ``(a, b)`` is taps ``a .. b - 1``. In channels-last memory a run of
    consecutive taps is one contiguous block of ``x``, so each run of a row
    is one slice copy plus zero edges.
    """
    length, n_channels = x.shape
    flat = x.ravel()
    for t in range(length):
        row = col[t]
        base = 0
        for r in range(runs.shape[0]):
            first = t - left + runs[r, 0]
            stop = t - left + runs[r, 1]
            # the run's points inside the series, [lo, hi) (empty: lo == hi)
            lo = min(max(first, 0), stop)
            hi = max(min(stop, length), lo)
            row[base : base + (lo - first) * n_channels] = 0.0
            row[base + (lo - first) * n_channels : base + (hi - first) * n_channels] = (
                flat[lo * n_channels : hi * n_channels]
            )
            row[
                base + (hi - first) * n_channels : base + (stop - first) * n_channels
            ] = 0.0
            base += (stop - first) * n_channels


@jit
def _col2im_case(dcol, runs, left, dx):
    """Adjoint of ``_im2col_case``: ``dx[s]`` sums tap ``j`` of window row
    ``t = s - j + left`` over the taps whose row lies in the series.

    Each output row is summed once, in registers, instead of being added to
    once per window; the rows it reads stay in cache for the next outputs.
    Within a run the taps go down and the rows up, so the reads advance by
    one stride (which the prefetcher follows). The indices are unsigned so
    that numba skips its negative-index check, which would keep the channel
    loop from being vectorised.
    """
    length, n_channels = dx.shape
    channels = np.uint64(n_channels)
    for s in range(length):
        row = np.uint64(s)
        for c in range(channels):
            dx[row, c] = 0.0
        slot = 0
        for r in range(runs.shape[0]):
            a, b = runs[r, 0], runs[r, 1]
            # the run's taps whose window row t = s - j + left is a point
            first_tap = max(a, s + left - (length - 1))
            last_tap = min(b - 1, s + left)
            for j in range(last_tap, first_tap - 1, -1):
                t = np.uint64(s - j + left)
                base = np.uint64(slot + j - a) * channels
                for c in range(channels):
                    dx[row, c] += dcol[t, base + c]
            slot += b - a


@jit
def _maxpool_forward_case(x, size, left, out, argmax):
    """Max over the 'same'-padded window; padding never wins (as in TF)."""
    length, n_channels = x.shape
    for t in range(length):
        lo = max(t - left, 0)
        hi = min(t - left + size, length)
        best, where = out[t], argmax[t]
        best[:] = x[lo]
        where[:] = lo
        # channels innermost, a select instead of a branch: one vector loop
        # per window point; the first maximum wins ties, as before
        for s in range(lo + 1, hi):
            row = x[s]
            for c in range(n_channels):
                larger = row[c] > best[c]
                best[c] = row[c] if larger else best[c]
                where[c] = s if larger else where[c]


@jit
def _maxpool_backward_case(dout, argmax, dx):
    """Route each output gradient to the input point that won the max."""
    length, n_channels = dout.shape
    dx[:] = 0.0
    for t in range(length):
        for c in range(n_channels):
            dx[argmax[t, c], c] += dout[t, c]


@jit
def _n_blocks(n_rows):
    """Blocks of ``BLOCK_ROWS`` rows (the last one partial)."""
    return (n_rows + BLOCK_ROWS - 1) // BLOCK_ROWS


@jit
def _block_rows(block, n_rows):
    """``range`` of the rows of ``block``."""
    return range(block * BLOCK_ROWS, min((block + 1) * BLOCK_ROWS, n_rows))


@jit
def _channel_sums_block(x, shift, y, y_shift, rows, sums, products):
    """Over ``rows``, per channel: ``sums += x - shift`` and
    ``products += (x - shift) * (y - y_shift)``, in float64."""
    for r in rows:
        for c in range(x.shape[1]):
            value = np.float64(x[r, c] - shift[c])
            sums[c] += value
            products[c] += value * np.float64(y[r, c] - y_shift[c])


def _channel_sums_blocks(x, shift, y, y_shift, sums, products):
    for block in prange(sums.shape[0]):
        rows = _block_rows(block, x.shape[0])
        _channel_sums_block(x, shift, y, y_shift, rows, sums[block], products[block])


def _normalize_blocks(x, mean, inv_std, gamma, beta, xhat, out):
    for block in prange(_n_blocks(x.shape[0])):
        for r in _block_rows(block, x.shape[0]):
            for c in range(x.shape[1]):
                xhat[r, c] = (x[r, c] - mean[c]) * inv_std[c]
                out[r, c] = xhat[r, c] * gamma[c] + beta[c]


def _batchnorm_input_grad_blocks(dout, xhat, mean_dout, mean_product, scale, dx):
    for block in prange(_n_blocks(dout.shape[0])):
        for r in _block_rows(block, dout.shape[0]):
            for c in range(dout.shape[1]):
                centred = dout[r, c] - mean_dout[c] - xhat[r, c] * mean_product[c]
                dx[r, c] = centred * scale[c]


def _im2col_cases(x, runs, left, col):
    for n in prange(x.shape[0]):
        _im2col_case(x[n], runs, left, col[n])


def _col2im_cases(dcol, runs, left, dx):
    for n in prange(dx.shape[0]):
        _col2im_case(dcol[n], runs, left, dx[n])


def _maxpool_forward_cases(x, size, left, out, argmax):
    for n in prange(x.shape[0]):
        _maxpool_forward_case(x[n], size, left, out[n], argmax[n])


def _maxpool_backward_cases(dout, argmax, dx):
    for n in prange(dx.shape[0]):
        _maxpool_backward_case(dout[n], argmax[n], dx[n])


_IM2COL = serial_and_parallel(_im2col_cases)
_COL2IM = serial_and_parallel(_col2im_cases)
_MAXPOOL_FORWARD = serial_and_parallel(_maxpool_forward_cases)
_MAXPOOL_BACKWARD = serial_and_parallel(_maxpool_backward_cases)
_CHANNEL_SUMS = serial_and_parallel(_channel_sums_blocks)
_NORMALIZE = serial_and_parallel(_normalize_blocks)
_BATCHNORM_INPUT_GRAD = serial_and_parallel(_batchnorm_input_grad_blocks)


def _variant(kernels: tuple[Callable, Callable], size: int) -> Callable:
    """The serial kernel for small work, else :func:`pick`'s choice."""
    serial, parallel = kernels
    return pick(serial, parallel) if size >= PARALLEL_THRESHOLD else serial


def im2col(x: np.ndarray, runs: np.ndarray, left: int, col: np.ndarray) -> None:
    """Write the 'same'-padded windows of ``x`` into ``col``.

    Parameters
    ----------
    x : ndarray of shape (n_cases, n_timepoints, n_channels)
    runs : int64 ndarray of shape (n_runs, 2)
        The window's taps in the order of the columns: run ``(a, b)`` is
        taps ``a .. b - 1``; the runs cover ``0 .. width - 1`` once each
        (``[[0, width]]``: the taps in order).
    left : int
        Zeros before the first time point (``same_padding(width)[0]``).
    col : ndarray of shape (n_cases, n_timepoints, width * n_channels)
        Output: row ``t`` holds ``x[t - left + j]`` for the taps ``j`` of the
        runs, flattened, zeros where the window leaves the series.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(3.0).reshape(1, 3, 1)
    >>> col = np.empty((1, 3, 2))
    >>> im2col(x, np.array([[0, 2]]), 0, col)
    >>> col[0]
    array([[0., 1.],
           [1., 2.],
           [2., 0.]])
    >>> im2col(x, np.array([[1, 2], [0, 1]]), 0, col)  # tap 1 first
    >>> col[0]
    array([[1., 0.],
           [2., 1.],
           [0., 2.]])
    """
    _variant(_IM2COL, col.size)(x, runs, left, col)


def col2im(dcol: np.ndarray, runs: np.ndarray, left: int, dx: np.ndarray) -> None:
    """Adjoint of :func:`im2col` with the same ``runs``: sum each window's
    gradient into ``dx``.

    Examples
    --------
    >>> import numpy as np
    >>> dx = np.empty((1, 3, 1))
    >>> col2im(np.ones((1, 3, 2)), np.array([[0, 2]]), 0, dx)
    >>> dx.ravel()
    array([1., 2., 2.])
    """
    _variant(_COL2IM, dcol.size)(dcol, runs, left, dx)


def maxpool_forward(
    x: np.ndarray, size: int, left: int, out: np.ndarray, argmax: np.ndarray
) -> None:
    """Max pooling, stride 1, 'same' padding that never wins the max.

    ``out`` receives the maxima and ``argmax`` (int32) the winning time points.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([3.0, -1.0, 2.0]).reshape(1, 3, 1)
    >>> out, argmax = np.empty_like(x), np.empty(x.shape, dtype=np.int32)
    >>> maxpool_forward(x, 3, 1, out, argmax)
    >>> out.ravel(), argmax.ravel()
    (array([3., 3., 2.]), array([0, 0, 2], dtype=int32))
    """
    _variant(_MAXPOOL_FORWARD, x.size * size)(x, size, left, out, argmax)


def maxpool_backward(dout: np.ndarray, argmax: np.ndarray, dx: np.ndarray) -> None:
    """Gradient of :func:`maxpool_forward`: ``dout`` added at the argmax points.

    Examples
    --------
    >>> import numpy as np
    >>> argmax = np.array([0, 0, 2], dtype=np.int32).reshape(1, 3, 1)
    >>> dx = np.empty((1, 3, 1))
    >>> maxpool_backward(np.ones((1, 3, 1)), argmax, dx)
    >>> dx.ravel()
    array([2., 0., 1.])
    """
    _variant(_MAXPOOL_BACKWARD, dout.size)(dout, argmax, dx)


def _channel_sums(x, shift, y, y_shift):
    """Per-channel ``sum(x - shift)`` and ``sum((x - shift) * (y - y_shift))``
    over the rows of 2-D ``x`` and ``y``, added in float64 block by block."""
    sums = np.zeros((_n_blocks(x.shape[0]), x.shape[1]))
    products = np.zeros_like(sums)
    _variant(_CHANNEL_SUMS, x.size)(x, shift, y, y_shift, sums, products)
    return sums.sum(axis=0), products.sum(axis=0)


def batchnorm_forward(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    epsilon: float,
    xhat: np.ndarray,
    out: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training-mode BatchNorm of 2-D ``x`` (rows x channels), in three passes.

    Writes ``xhat = (x - mean) * inv_std`` and ``out = xhat * gamma +
    beta``; returns the batch's ``(mean, biased var, inv_std)`` in float64,
    ``inv_std = 1 / sqrt(var + epsilon)``.
    The variance is from a second pass over the deviations from the
    (rounded) mean, not ``E[x^2] - mean^2``, which loses digits when the
    mean is large.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, 10.0], [3.0, 10.0]])
    >>> xhat, out = np.empty_like(x), np.empty_like(x)
    >>> mean, var, _ = batchnorm_forward(x, np.ones(2), np.zeros(2), 0.0, xhat, out)
    >>> mean.tolist(), var.tolist(), out[:, 0].tolist()
    ([2.0, 10.0], [1.0, 0.0], [-1.0, 1.0])
    """
    n_rows = x.shape[0]
    zero = np.zeros(x.shape[1], dtype=x.dtype)
    mean = _channel_sums(x, zero, x, zero)[0] / n_rows
    shift = mean.astype(x.dtype)
    deviations, squares = _channel_sums(x, shift, x, shift)
    # the variance about the rounded mean, corrected to the exact mean
    var = squares / n_rows - (deviations / n_rows) ** 2
    inv_std = 1.0 / np.sqrt(var + epsilon)
    kernel = _variant(_NORMALIZE, x.size)
    kernel(x, shift, inv_std.astype(x.dtype), gamma, beta, xhat, out)
    return mean, var, inv_std


def batchnorm_backward(
    dout: np.ndarray, xhat: np.ndarray, scale: np.ndarray, dx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Training-mode BatchNorm's gradients, 2-D ``dout`` (rows x channels).

    Writes ``dx = scale * (dout - mean(dout) - xhat * mean(dout * xhat))``
    (``scale = gamma / std``) and returns ``(dbeta, dgamma) = (sum(dout),
    sum(dout * xhat))`` in float64.

    Examples
    --------
    >>> import numpy as np
    >>> dout, xhat = np.array([[1.0], [3.0]]), np.array([[-1.0], [1.0]])
    >>> dx = np.empty_like(dout)
    >>> dbeta, dgamma = batchnorm_backward(dout, xhat, np.ones(1), dx)
    >>> dbeta.tolist(), dgamma.tolist(), dx.ravel().tolist()
    ([4.0], [2.0], [0.0, 0.0])
    """
    n_rows = dout.shape[0]
    zero = np.zeros(dout.shape[1], dtype=dout.dtype)
    dbeta, dgamma = _channel_sums(dout, zero, xhat, zero)
    mean_dout = (dbeta / n_rows).astype(dout.dtype)
    mean_product = (dgamma / n_rows).astype(dout.dtype)
    kernel = _variant(_BATCHNORM_INPUT_GRAD, dout.size)
    kernel(dout, xhat, mean_dout, mean_product, scale.astype(dout.dtype), dx)
    return dbeta, dgamma


@jit
def adam_step(
    params: np.ndarray,
    grads: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    lr_t: float,
    beta1: float,
    beta2: float,
    epsilon: float,
) -> None:
    """One Adam update of the flat vector ``params``, in place (Keras' rule).

    One fused pass instead of ~8 numpy temporaries over the whole vector; the
    scalars must have the dtype of the arrays.

    Examples
    --------
    >>> import numpy as np
    >>> params, m, v = np.ones(2), np.zeros(2), np.zeros(2)
    >>> adam_step(params, np.ones(2), m, v, 0.1, 0.9, 0.999, 1e-7)
    >>> np.round(params, 4)
    array([0.6838, 0.6838])
    """
    for i in range(params.shape[0]):
        g = grads[i]
        m[i] = beta1 * m[i] + (1.0 - beta1) * g
        v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
        params[i] -= lr_t * m[i] / (math.sqrt(v[i]) + epsilon)
