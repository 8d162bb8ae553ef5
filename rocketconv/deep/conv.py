"""The convolutions of InceptionTime: 'same' padding, stride 1, no bias.

A convolution is one im2col copy of the input's windows (a numba kernel,
``_kernels.im2col``) followed by one BLAS matrix product; the backward pass is
two products and the adjoint scatter (``_kernels.col2im``). Arrays are
channels-last ``(n_cases, n_timepoints, n_channels)``, and the layers follow
the conventions of ``layers.py`` (``params``/``grads`` written in place).
"""

from __future__ import annotations

import numpy as np

from ._kernels import col2im, im2col
from .layers import Layer, glorot_uniform, same_padding

__all__ = ["MultiKernelConv1D", "Conv1D"]


class MultiKernelConv1D(Layer):
    """Parallel 'same' convolutions of one input with several kernel sizes.

    The Inception module's three convolutions (kernel sizes 40, 20 and 10)
    read the same input, and each smaller window lies inside the largest one
    (Keras pads ``(k-1)//2`` on the left for every k). So one im2col matrix of
    the largest window serves all three, and one matrix product with the
    kernels packed side by side (each in its own rows of the window, zeros
    elsewhere) gives all their outputs. No bias (as the reference).

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
        self.slices = []
        for i, k in enumerate(self.kernel_sizes):
            # first tap of kernel k inside the widest window
            start = self.left - same_padding(k)[0]
            self.slices.append(
                slice(start * self.in_channels, (start + k) * self.in_channels)
            )
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

    def _packed_weights(self) -> np.ndarray:
        """All kernels as one ``(width * C, out_channels)`` matrix: kernel
        ``i``'s weights in its rows of the widest window, zeros elsewhere.

        One product with it replaces one product per kernel size. It does
        more multiplications (by the zeros: 1.7x for kernels 40, 20, 10),
        yet it is faster, BLAS being more efficient with one product of 96
        columns than with three of 32, and the input gradient needs no
        temporary products added into column slices. The speed-up of an
        epoch is in ``docs/results/speed.md`` (InceptionTime).
        """
        packed = self._cache_packed
        if packed is None:
            dtype = self.params["W0"].dtype
            packed = np.zeros((self.width * self.in_channels, self.out_channels), dtype)
            self._cache_packed = packed
        for i in range(len(self.kernel_sizes)):
            block = slice(i * self.filters, (i + 1) * self.filters)
            packed[self.slices[i], block] = self.params[f"W{i}"]
        return packed

    def _columns(self, x, training):
        n_cases, length, n_channels = x.shape
        if self.width == 1:
            return x.reshape(n_cases * length, n_channels)
        shape = (n_cases, length, self.width * n_channels)
        size = n_cases * length * self.width * n_channels
        if not training:
            col = np.empty(shape, dtype=x.dtype)
        else:
            # a fresh array of tens of MB costs a page fault per 4 KiB: the
            # training buffer is reused batch after batch, and kept at its
            # largest size through a smaller last batch
            buffer = self._cache_buffer
            if buffer is None or buffer.size < size or buffer.dtype != x.dtype:
                buffer = self._cache_buffer = np.empty(size, dtype=x.dtype)
            col = buffer[:size].reshape(shape)
        im2col(x, self.width, self.left, col)
        return col.reshape(n_cases * length, -1)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """``(n, L, C) -> (n, L, out_channels)``: one product of the window
        matrix with the packed weights of every kernel size."""
        n_cases, length, _ = x.shape
        col = self._columns(np.ascontiguousarray(x), training)
        out = col @ self._packed_weights()
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
        for i in range(len(self.kernel_sizes)):
            grad_out = dout[:, i * self.filters : (i + 1) * self.filters]
            np.matmul(col[:, self.slices[i]].T, grad_out, out=self.grads[f"W{i}"])
        self._cache_col = None
        if not need_input_grad:
            return None
        packed = self._cache_packed
        if self.width == 1:
            # col is a view of the input: the gradient needs its own array
            return (dout @ packed.T).reshape(n_cases, length, n_channels)
        dcol = np.matmul(dout, packed.T, out=col)
        dx = np.empty((n_cases, length, n_channels), dtype=dcol.dtype)
        col2im(dcol.reshape(n_cases, length, -1), self.width, self.left, dx)
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
