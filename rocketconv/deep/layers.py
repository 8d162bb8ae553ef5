"""Neural-network layers with hand-written forward and backward passes.

Everything here works on channels-last arrays ``(n_cases, n_timepoints,
n_channels)``, the layout of the Keras reference code, because it makes the
receptive field of one output time point a *contiguous* block of memory: the
im2col matrix of a convolution is then a row-wise copy of overlapping slices,
and every convolution is one BLAS matrix product.

A layer keeps its trainable arrays in ``params`` and their gradients in
``grads`` (dicts of equally shaped arrays); non-trainable state (BatchNorm
running statistics) lives in ``state``. The network in ``inceptiontime.py``
rebinds all of these to views of one flat buffer each, so that Adam updates
all parameters in a few vectorised operations and "keep the best weights" is a
single copy. Layers therefore always write into ``params``/``grads`` in place
(``out=`` or ``[...] =``) and never rebind them.

``forward(x, training)`` caches what ``backward`` needs when ``training`` is
true; ``backward(dout)`` writes parameter gradients into ``grads`` and returns
the gradient with respect to the input. Each layer computes in the dtype of
its parameters: float32 to train, float64 for the finite-difference tests.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "Layer",
    "Conv1D",
    "MultiKernelConv1D",
    "BatchNorm",
    "MaxPool1D",
    "ReLU",
    "GlobalAvgPool",
    "Dense",
    "SoftmaxCrossEntropy",
    "glorot_uniform",
    "same_padding",
]


def same_padding(size: int) -> tuple[int, int]:
    """Keras/TensorFlow 'same' padding for a window of ``size``, stride 1.

    The total ``size - 1`` is split with the smaller half on the left, so an
    even kernel of 40 sees 19 points before and 20 after the output point.
    """
    left = (size - 1) // 2
    return left, size - 1 - left


def glorot_uniform(shape, fan_in: int, fan_out: int, rng, dtype) -> np.ndarray:
    """Keras' default initialiser: U(-a, a), a = sqrt(6 / (fan_in + fan_out))."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


# --------------------------------------------------------------------------
# numba kernels: the only loops over time points. Each works on one case; a
# serial and a parallel (one thread per case) driver call it. Waking numba's
# thread pool costs microseconds on an idle machine but milliseconds on a
# loaded one, so small arrays take the serial driver (see ``_parallel``).
# --------------------------------------------------------------------------

# Elements above which a kernel runs on numba's threads.
PARALLEL_THRESHOLD = 1 << 18


def _parallel(size: int) -> bool:
    return size >= PARALLEL_THRESHOLD


@njit(cache=True)
def _im2col_case(x, width, left, col):
    """``col[t, j*C:(j+1)*C] = x[t + j - left, :]`` (zero outside the series).

    In channels-last memory the window of output ``t`` is one contiguous run
    of ``width * C`` values, so each row is a slice copy plus zero edges.
    """
    length, n_channels = x.shape
    flat = x.ravel()
    for t in range(length):
        first = t - left
        lo = max(first, 0)
        hi = min(first + width, length)
        row = col[t]
        if lo > first:
            row[: (lo - first) * n_channels] = 0.0
        row[(lo - first) * n_channels : (hi - first) * n_channels] = flat[
            lo * n_channels : hi * n_channels
        ]
        if hi < first + width:
            row[(hi - first) * n_channels :] = 0.0


@njit(cache=True)
def _col2im_case(dcol, width, left, dx):
    """Adjoint of ``_im2col_case``: scatter-add each window onto the series."""
    length, n_channels = dx.shape
    flat = dx.ravel()
    flat[:] = 0.0
    for t in range(length):
        first = t - left
        lo = max(first, 0)
        hi = min(first + width, length)
        row = dcol[t]
        offset = (lo - first) * n_channels
        start = lo * n_channels
        for q in range((hi - lo) * n_channels):
            flat[start + q] += row[offset + q]


@njit(cache=True)
def _maxpool_forward_case(x, size, left, out, argmax):
    """Max over the 'same'-padded window; padding never wins (as in TF)."""
    length, n_channels = x.shape
    for t in range(length):
        lo = max(t - left, 0)
        hi = min(t - left + size, length)
        for c in range(n_channels):
            best = x[lo, c]
            where = lo
            for s in range(lo + 1, hi):
                if x[s, c] > best:
                    best = x[s, c]
                    where = s
            out[t, c] = best
            argmax[t, c] = where


@njit(cache=True)
def _maxpool_backward_case(dout, argmax, dx):
    length, n_channels = dout.shape
    dx[:] = 0.0
    for t in range(length):
        for c in range(n_channels):
            dx[argmax[t, c], c] += dout[t, c]


@njit(cache=True)
def _im2col_serial(x, width, left, col):
    for n in range(x.shape[0]):
        _im2col_case(x[n], width, left, col[n])


@njit(cache=True, parallel=True)
def _im2col_parallel(x, width, left, col):
    for n in prange(x.shape[0]):
        _im2col_case(x[n], width, left, col[n])


@njit(cache=True)
def _col2im_serial(dcol, width, left, dx):
    for n in range(dx.shape[0]):
        _col2im_case(dcol[n], width, left, dx[n])


@njit(cache=True, parallel=True)
def _col2im_parallel(dcol, width, left, dx):
    for n in prange(dx.shape[0]):
        _col2im_case(dcol[n], width, left, dx[n])


@njit(cache=True)
def _maxpool_forward_serial(x, size, left, out, argmax):
    for n in range(x.shape[0]):
        _maxpool_forward_case(x[n], size, left, out[n], argmax[n])


@njit(cache=True, parallel=True)
def _maxpool_forward_parallel(x, size, left, out, argmax):
    for n in prange(x.shape[0]):
        _maxpool_forward_case(x[n], size, left, out[n], argmax[n])


@njit(cache=True)
def _maxpool_backward_serial(dout, argmax, dx):
    for n in range(dx.shape[0]):
        _maxpool_backward_case(dout[n], argmax[n], dx[n])


@njit(cache=True, parallel=True)
def _maxpool_backward_parallel(dout, argmax, dx):
    for n in prange(dx.shape[0]):
        _maxpool_backward_case(dout[n], argmax[n], dx[n])


def _im2col(x, width, left, col):
    kernel = _im2col_parallel if _parallel(col.size) else _im2col_serial
    kernel(x, width, left, col)


def _col2im(dcol, width, left, dx):
    kernel = _col2im_parallel if _parallel(dcol.size) else _col2im_serial
    kernel(dcol, width, left, dx)


def _maxpool_forward(x, size, left, out, argmax):
    parallel = _parallel(x.size * size)
    kernel = _maxpool_forward_parallel if parallel else _maxpool_forward_serial
    kernel(x, size, left, out, argmax)


def _maxpool_backward(dout, argmax, dx):
    parallel = _parallel(dout.size)
    kernel = _maxpool_backward_parallel if parallel else _maxpool_backward_serial
    kernel(dout, argmax, dx)


# --------------------------------------------------------------------------
# layers
# --------------------------------------------------------------------------


class Layer:
    """Base class: no parameters, identity state."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def clear_cache(self) -> None:
        """Drop what forward kept for backward (before pickling, after fit)."""
        for name in [key for key in vars(self) if key.startswith("_cache")]:
            setattr(self, name, None)

    def _new_param(self, name: str, value: np.ndarray) -> None:
        self.params[name] = value
        self.grads[name] = np.zeros_like(value)


class MultiKernelConv1D(Layer):
    """Parallel 'same' convolutions of one input with several kernel sizes.

    The Inception module's three convolutions (kernel sizes 40, 20 and 10)
    read the same input, and each smaller window lies inside the largest one
    (Keras pads ``(k-1)//2`` on the left for every k). So one im2col matrix of
    the largest window serves all three: each kernel multiplies its own
    column slice, as a strided view, with no copy. No bias (as the reference).

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
    """

    def __init__(self, in_channels, filters, kernel_sizes, rng, dtype=np.float32):
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

    @property
    def out_channels(self) -> int:
        return self.filters * len(self.kernel_sizes)

    def _columns(self, x):
        n_cases, length, n_channels = x.shape
        if self.width == 1:
            return x.reshape(n_cases * length, n_channels)
        col = np.empty((n_cases, length, self.width * n_channels), dtype=x.dtype)
        _im2col(x, self.width, self.left, col)
        return col.reshape(n_cases * length, -1)

    def forward(self, x, training=False):
        n_cases, length, _ = x.shape
        col = self._columns(np.ascontiguousarray(x))
        outputs = [
            col[:, self.slices[i]] @ self.params[f"W{i}"]
            for i in range(len(self.kernel_sizes))
        ]
        out = outputs[0] if len(outputs) == 1 else np.concatenate(outputs, axis=1)
        if training:
            self._cache_col = col
            self._cache_shape = x.shape
        return out.reshape(n_cases, length, self.out_channels)

    def backward(self, dout, need_input_grad=True):
        col = self._cache_col
        n_cases, length, n_channels = self._cache_shape
        dout = dout.reshape(n_cases * length, self.out_channels)
        dcol = None
        # the widest kernel first: its product covers every column of dcol
        order = np.argsort([-k for k in self.kernel_sizes], kind="stable")
        for i in order:
            weights = self.params[f"W{i}"]
            grad_out = dout[:, i * self.filters : (i + 1) * self.filters]
            np.matmul(col[:, self.slices[i]].T, grad_out, out=self.grads[f"W{i}"])
            if not need_input_grad:
                continue
            if dcol is None:
                dcol = grad_out @ weights.T
            else:
                dcol[:, self.slices[i]] += grad_out @ weights.T
        if not need_input_grad:
            return None
        if self.width == 1:
            return dcol.reshape(n_cases, length, n_channels)
        dx = np.empty((n_cases, length, n_channels), dtype=dcol.dtype)
        _col2im(dcol.reshape(n_cases, length, -1), self.width, self.left, dx)
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

    def __init__(self, in_channels, out_channels, kernel_size, rng, dtype=np.float32):
        super().__init__(in_channels, out_channels, (kernel_size,), rng, dtype)


class BatchNorm(Layer):
    """Batch normalisation over cases and time, per channel (Keras defaults).

    Training normalises with the batch mean and biased variance and updates
    the running statistics with ``momentum`` 0.99; the running variance uses
    the unbiased batch variance, as Keras does. Inference uses the running
    statistics. ``epsilon`` is Keras' 1e-3. ``momentum=None`` makes the
    running statistics the plain average over the batches seen since it was
    set (``_n_batches`` counts them), for recalibration after training.
    """

    def __init__(self, channels, momentum=0.99, epsilon=1e-3, dtype=np.float32):
        super().__init__()
        self.channels = int(channels)
        self.momentum = momentum
        self.epsilon = epsilon
        self._new_param("gamma", np.ones(channels, dtype=dtype))
        self._new_param("beta", np.zeros(channels, dtype=dtype))
        self.state["running_mean"] = np.zeros(channels, dtype=dtype)
        self.state["running_var"] = np.ones(channels, dtype=dtype)
        self._n_batches = 0
        self._cache_xhat = None
        self._cache_inv_std = None

    def forward(self, x, training=False):
        shape = x.shape
        x = x.reshape(-1, self.channels)
        gamma, beta = self.params["gamma"], self.params["beta"]
        if not training:
            scale = gamma / np.sqrt(self.state["running_var"] + self.epsilon)
            shift = beta - self.state["running_mean"] * scale
            return (x * scale + shift).reshape(shape)
        n_rows = x.shape[0]
        mean = x.mean(axis=0)
        xhat = x - mean
        var = np.einsum("ij,ij->j", xhat, xhat) / n_rows
        inv_std = 1.0 / np.sqrt(var + self.epsilon)
        xhat *= inv_std
        momentum = self.momentum
        if momentum is None:  # plain average over batches (recalibration)
            self._n_batches += 1
            momentum = 1.0 - 1.0 / self._n_batches
        running_mean, running_var = (
            self.state["running_mean"],
            self.state["running_var"],
        )
        running_mean *= momentum
        running_mean += (1 - momentum) * mean
        unbiased = var * (n_rows / max(n_rows - 1, 1))
        running_var *= momentum
        running_var += (1 - momentum) * unbiased
        self._cache_xhat = xhat
        self._cache_inv_std = inv_std
        return (xhat * gamma + beta).reshape(shape)

    def backward(self, dout):
        shape = dout.shape
        dout = dout.reshape(-1, self.channels)
        xhat, inv_std = self._cache_xhat, self._cache_inv_std
        n_rows = dout.shape[0]
        dbeta = dout.sum(axis=0)
        dgamma = np.einsum("ij,ij->j", dout, xhat)
        self.grads["beta"][...] = dbeta
        self.grads["gamma"][...] = dgamma
        # d x = gamma/std * (dout - mean(dout) - xhat * mean(dout * xhat))
        dx = dout - dbeta / n_rows
        dx -= xhat * (dgamma / n_rows)
        dx *= self.params["gamma"] * inv_std
        return dx.reshape(shape)


class MaxPool1D(Layer):
    """Max pooling, stride 1, Keras 'same' padding (padding never selected)."""

    def __init__(self, pool_size=3):
        super().__init__()
        self.pool_size = int(pool_size)
        self.left = same_padding(self.pool_size)[0]
        self._cache_argmax = None

    def forward(self, x, training=False):
        x = np.ascontiguousarray(x)
        out = np.empty_like(x)
        argmax = np.empty(x.shape, dtype=np.int32)
        _maxpool_forward(x, self.pool_size, self.left, out, argmax)
        if training:
            self._cache_argmax = argmax
        return out

    def backward(self, dout):
        dx = np.empty_like(dout)
        _maxpool_backward(np.ascontiguousarray(dout), self._cache_argmax, dx)
        return dx


class ReLU(Layer):
    """``max(x, 0)``; ``inplace=True`` overwrites the input (saves a copy when
    the caller owns it, as the network does with BatchNorm's output)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace
        self._cache_mask = None

    def forward(self, x, training=False):
        out = np.maximum(x, 0, out=x if self.inplace else None)
        if training:
            self._cache_mask = out > 0
        return out

    def backward(self, dout):
        return dout * self._cache_mask


class GlobalAvgPool(Layer):
    """Mean over time: ``(n, L, C) -> (n, C)``."""

    def __init__(self):
        super().__init__()
        self._cache_length = None

    def forward(self, x, training=False):
        if training:
            self._cache_length = x.shape[1]
        return x.mean(axis=1)

    def backward(self, dout):
        length = self._cache_length
        scaled = dout / length
        return np.broadcast_to(
            scaled[:, None, :], (dout.shape[0], length, dout.shape[1])
        )


class Dense(Layer):
    """Fully connected layer with bias, Glorot-uniform weights, zero bias."""

    def __init__(self, in_features, out_features, rng, dtype=np.float32):
        super().__init__()
        self._new_param(
            "W",
            glorot_uniform(
                (in_features, out_features), in_features, out_features, rng, dtype
            ),
        )
        self._new_param("b", np.zeros(out_features, dtype=dtype))
        self._cache_x = None

    def forward(self, x, training=False):
        if training:
            self._cache_x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout):
        np.matmul(self._cache_x.T, dout, out=self.grads["W"])
        self.grads["b"][...] = dout.sum(axis=0)
        return dout @ self.params["W"].T


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


class SoftmaxCrossEntropy(Layer):
    """Softmax + mean categorical cross-entropy over the batch.

    ``forward(logits, y)`` returns the loss; ``backward()`` returns
    ``(softmax - onehot) / n``. The loss uses a stable log-softmax, where
    Keras clips probabilities to [1e-7, 1 - 1e-7]; the two differ only for
    cases already classified with probability above 1 - 1e-7.
    """

    def __init__(self):
        super().__init__()
        self._cache_proba = None
        self._cache_y = None

    def forward(self, logits, y, training=False):
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=1))
        rows = np.arange(len(y))
        loss = float(np.mean(log_norm - shifted[rows, y], dtype=np.float64))
        if training:
            self._cache_proba = softmax(logits)
            self._cache_y = y
        return loss

    def backward(self, dout=None):
        grad = self._cache_proba.copy()
        grad[np.arange(len(self._cache_y)), self._cache_y] -= 1.0
        grad /= len(self._cache_y)
        return grad
