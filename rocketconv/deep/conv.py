"""The convolutions of InceptionTime: 'same' padding, stride 1, no bias.

A convolution is one im2col copy of the input's windows (a numba kernel,
``_kernels.im2col``) followed by BLAS matrix products; the backward pass is
products and the adjoint scatter (``_kernels.col2im``). Arrays are
channels-last ``(n_cases, n_timepoints, n_channels)``, and the layers follow
the conventions of ``layers.py`` (``params``/``grads`` written in place).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._kernels import col2im, im2col
from .layers import Layer, glorot_uniform, reused_buffer, same_padding

__all__ = ["MultiKernelConv1D", "Conv1D", "window_layout"]

# Input channels from which a multi-kernel convolution multiplies ring by
# ring (one product per ring of taps, skipping the packed matrix's zeros):
# with InceptionTime's 32 bottleneck channels the forward product takes
# ~20 % less time; with 1 to 8 channels one packed product is faster.
RING_MIN_CHANNELS = 16


def window_layout(
    kernel_sizes: tuple[int, ...],
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """The order of the widest window's taps in an im2col row.

    The smallest kernel's window comes first, then, ring by ring, the taps
    each larger window adds on its left and right. So the taps of a kernel
    of size ``k`` are the first ``k`` slots of the row, and a ring of taps
    is used by the kernels of its window's size and larger only.

    Returns
    -------
    runs : int64 ndarray of shape (n_runs, 2)
        Taps ``a .. b - 1`` per run, in column order (``_kernels.im2col``).
    taps : int64 ndarray of shape (width,)
        The tap in each slot.
    rings : list of (first slot, stop slot)
        One per distinct kernel size, smallest first.

    Examples
    --------
    >>> runs, taps, rings = window_layout((8, 4, 2))
    >>> runs.tolist(), rings
    ([[3, 5], [2, 3], [5, 6], [0, 2], [6, 8]], [(0, 2), (2, 4), (4, 8)])
    >>> taps.tolist()
    [3, 4, 2, 5, 0, 1, 6, 7]
    """
    left = same_padding(max(kernel_sizes))[0]
    runs: list[tuple[int, int]] = []
    rings: list[tuple[int, int]] = []
    inner: tuple[int, int] | None = None
    for k in sorted(set(kernel_sizes)):
        start = left - same_padding(k)[0]
        if inner is None:
            runs.append((start, start + k))
        else:  # the window holds the smaller one (Keras' padding nests them)
            sides = ((start, inner[0]), (inner[1], start + k))
            runs += [(a, b) for a, b in sides if a < b]
        rings.append((rings[-1][1] if rings else 0, k))
        inner = (start, start + k)
    taps = np.concatenate([np.arange(a, b) for a, b in runs])
    return np.array(runs, dtype=np.int64), taps, rings


class MultiKernelConv1D(Layer):
    """Parallel 'same' convolutions of one input with several kernel sizes.

    The Inception module's three convolutions (kernel sizes 40, 20 and 10)
    read the same input, and each smaller window lies inside the largest one
    (Keras pads ``(k-1)//2`` on the left for every k). So one im2col matrix of
    the largest window serves all three, its taps ordered by
    :func:`window_layout` (the smallest window's first), and the kernels are
    packed side by side, each in the rows of its taps, zeros elsewhere.
    With few input channels one product with the packed matrix gives all
    outputs; from ``RING_MIN_CHANNELS`` on, one product per ring of taps
    skips the zeros (1.7x fewer multiplications for 40, 20, 10). No bias
    (as the reference).

    Parameters
    ----------
    in_channels : int
    filters : int
        Output channels per kernel size; the output has
        ``filters * len(kernel_sizes)`` channels, concatenated in the order
        of ``kernel_sizes``.
    kernel_sizes : tuple of int
    rng : numpy.random.Generator
    dtype : numpy dtype

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> conv = MultiKernelConv1D(2, 3, (8, 4, 2), rng=rng, dtype=np.float64)
    >>> out = conv.forward(np.ones((4, 10, 2)), training=True)
    >>> out.shape, conv.backward(np.ones_like(out)).shape
    ((4, 10, 9), (4, 10, 2))
    """

    def __init__(
        self,
        in_channels: int,
        filters: int,
        kernel_sizes: tuple[int, ...],
        rng: np.random.Generator,
        dtype: type = np.float32,
    ) -> None:
        super().__init__()
        self.in_channels = int(in_channels)
        self.filters = int(filters)
        self.kernel_sizes = tuple(int(k) for k in kernel_sizes)
        self.width = max(self.kernel_sizes)
        self.left = same_padding(self.width)[0]
        self.runs, taps, rings = window_layout(self.kernel_sizes)
        # kernel k's taps, in the order of its first k slots, as its own
        # tap indices (rows of its weights)
        self._tap_order = [
            taps[:k] - (self.left - same_padding(k)[0]) for k in self.kernel_sizes
        ]
        # per ring: its columns, and the outputs of the kernels that use it
        self._rings = [
            (
                slice(a * self.in_channels, b * self.in_channels),
                _as_slice(self._outputs_of(lambda k, b=b: k >= b)),
            )
            for a, b in rings
        ]
        self._by_ring = len(rings) > 1 and self.in_channels >= RING_MIN_CHANNELS
        for i, k in enumerate(self.kernel_sizes):
            # weights ordered (tap, channel) x filters: Keras' kernel[j, c, f]
            self._new_param(
                f"W{i}",
                glorot_uniform(
                    (k * self.in_channels, self.filters),
                    fan_in=k * self.in_channels,
                    fan_out=k * self.filters,
                    rng=rng,
                    dtype=dtype,
                ),
            )
        self._cache_col = None
        self._cache_shape = None
        self._cache_packed = None
        self._cache_buffer = None

    @property
    def out_channels(self) -> int:
        """Output channels: ``filters`` per kernel size."""
        return self.filters * len(self.kernel_sizes)

    def _outputs_of(self, uses: Callable[[int], bool]) -> np.ndarray:
        """Output channels of the kernels whose size ``k`` has ``uses(k)``."""
        columns = np.arange(self.out_channels).reshape(len(self.kernel_sizes), -1)
        return columns[[uses(k) for k in self.kernel_sizes]].ravel()

    def _packed_weights(self) -> np.ndarray:
        """All kernels as one ``(width * C, out_channels)`` matrix: kernel
        ``i``'s weights in the rows of its taps (the first ``k`` slots of
        :func:`window_layout`), zeros elsewhere.

        One product with it replaces one product per kernel size: BLAS is
        more efficient with one product of 96 columns than with three of 32.
        The ring products use its non-zero blocks. The speed-ups of an epoch
        are in ``docs/results/speed.md`` (InceptionTime).
        """
        packed = self._cache_packed
        n_channels = self.in_channels
        if packed is None:
            dtype = self.params["W0"].dtype
            packed = np.zeros((self.width * n_channels, self.out_channels), dtype)
            self._cache_packed = packed
        for i, k in enumerate(self.kernel_sizes):
            block = slice(i * self.filters, (i + 1) * self.filters)
            weights = self.params[f"W{i}"].reshape(k, n_channels, self.filters)
            packed[: k * n_channels, block] = weights[self._tap_order[i]].reshape(
                k * n_channels, self.filters
            )
        return packed

    def _weight_gradients(self, col: np.ndarray, dout: np.ndarray) -> None:
        """``grads`` of every kernel: the gradient of the packed weights,
        ``col.T @ dout``, block by block (a ring's rows, the outputs of the
        kernels that use it: 1.4x faster than a product per kernel), then
        unpacked as :meth:`_packed_weights` packs."""
        packed = np.empty_like(self._cache_packed)
        for rows, outputs in self._rings:
            packed[rows, outputs] = col[:, rows].T @ dout[:, outputs]
        n_channels = self.in_channels
        for i, k in enumerate(self.kernel_sizes):
            block = packed[: k * n_channels, i * self.filters : (i + 1) * self.filters]
            grad = self.grads[f"W{i}"].reshape(k, n_channels, self.filters)
            grad[self._tap_order[i]] = block.reshape(k, n_channels, self.filters)

    def _columns(self, x, training):
        n_cases, length, n_channels = x.shape
        if self.width == 1:
            return x.reshape(n_cases * length, n_channels)
        shape = (n_cases, length, self.width * n_channels)
        if not training:
            col = np.empty(shape, dtype=x.dtype)
        else:
            self._cache_buffer, col = reused_buffer(self._cache_buffer, shape, x.dtype)
        im2col(x, self.runs, self.left, col)
        return col.reshape(n_cases * length, -1)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """``(n, L, C) -> (n, L, out_channels)``: the window matrix times the
        packed weights of every kernel size, in one product or ring by ring."""
        n_cases, length, _ = x.shape
        col = self._columns(np.ascontiguousarray(x), training)
        packed = self._packed_weights()
        if self._by_ring:
            # the innermost ring is used by every kernel: it starts the sums
            (rows, _), *outer = self._rings
            out = col[:, rows] @ packed[rows]
            for rows, outputs in outer:
                out[:, outputs] += col[:, rows] @ packed[rows, outputs]
        else:
            out = col @ packed
        if training:
            self._cache_col = col
            self._cache_shape = x.shape
        return out.reshape(n_cases, length, self.out_channels)

    def backward(
        self, dout: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """Weight gradients into ``grads``; the input's unless not needed.

        The window matrix of the forward pass is used up: the input
        gradient's window matrix is written over it (one backward per
        training forward, as the network calls them).
        """
        col = self._cache_col
        if col is None:
            raise RuntimeError("backward needs a forward with training=True first")
        n_cases, length, n_channels = self._cache_shape
        dout = dout.reshape(n_cases * length, self.out_channels)
        self._weight_gradients(col, dout)
        self._cache_col = None
        if not need_input_grad:
            return None
        packed = self._cache_packed
        if self.width == 1:
            # col is a view of the input: the gradient needs its own array
            return (dout @ packed.T).reshape(n_cases, length, n_channels)
        if self._by_ring:
            for rows, outputs in self._rings:
                np.matmul(dout[:, outputs], packed[rows, outputs].T, out=col[:, rows])
            dcol = col
        else:
            dcol = np.matmul(dout, packed.T, out=col)
        dx = np.empty((n_cases, length, n_channels), dtype=dcol.dtype)
        col2im(dcol.reshape(n_cases, length, -1), self.runs, self.left, dx)
        return dx


class Conv1D(MultiKernelConv1D):
    """One 'same' convolution, stride 1, no bias (``keras.layers.Conv1D``).

    Parameters
    ----------
    in_channels, out_channels, kernel_size : int
    rng : numpy.random.Generator
    dtype : numpy dtype

    Examples
    --------
    >>> import numpy as np
    >>> conv = Conv1D(2, 3, 5, rng=np.random.default_rng(0), dtype=np.float64)
    >>> conv.forward(np.ones((4, 10, 2))).shape
    (4, 10, 3)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        rng: np.random.Generator,
        dtype: type = np.float32,
    ) -> None:
        super().__init__(in_channels, out_channels, (kernel_size,), rng, dtype)


def _as_slice(indices: np.ndarray) -> slice | np.ndarray:
    """A slice for consecutive indices (a view, not a copy), else them."""
    if len(indices) and np.array_equal(indices, np.arange(indices[0], indices[-1] + 1)):
        return slice(int(indices[0]), int(indices[-1]) + 1)
    return indices
