"""Neural-network layers with hand-written forward and backward passes.

Everything here works on channels-last arrays ``(n_cases, n_timepoints,
n_channels)``, the layout of the Keras reference code, because it makes the
receptive field of one output time point a *contiguous* block of memory: the
im2col matrix of a convolution is then a row-wise copy of overlapping slices,
and every convolution is BLAS matrix products (the convolutions are in
``conv.py``; this module has the base class and every other layer).

A layer keeps its trainable arrays in ``params`` and their gradients in
``grads`` (dicts of equally shaped arrays); non-trainable state (BatchNorm
running statistics) lives in ``state``. The network in ``network.py``
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

from ._kernels import (
    batchnorm_backward,
    batchnorm_forward,
    maxpool_backward,
    maxpool_forward,
)

__all__ = [
    "Layer",
    "BatchNorm",
    "MaxPool1D",
    "ReLU",
    "GlobalAvgPool",
    "Dense",
    "SoftmaxCrossEntropy",
    "glorot_uniform",
    "reused_buffer",
    "same_padding",
    "softmax",
]


def same_padding(size: int) -> tuple[int, int]:
    """Keras/TensorFlow 'same' padding for a window of ``size``, stride 1.

    The total ``size - 1`` is split with the smaller half on the left, so an
    even kernel of 40 sees 19 points before and 20 after the output point.

    Examples
    --------
    >>> same_padding(40), same_padding(3)
    ((19, 20), (1, 1))
    """
    left = (size - 1) // 2
    return left, size - 1 - left


def reused_buffer(
    buffer: np.ndarray | None, shape: tuple[int, ...], dtype: np.dtype
) -> tuple[np.ndarray, np.ndarray]:
    """``(buffer, view)``: a ``shape`` view at the front of ``buffer``, a new
    buffer only when it is missing, too small or of another dtype.

    A fresh array of tens of MB costs a page fault per 4 KiB, so training
    layers keep their largest per-batch arrays, batch after batch and at
    their largest size through a smaller last batch.

    Examples
    --------
    >>> import numpy as np
    >>> buffer, view = reused_buffer(None, (2, 3), np.float32)
    >>> again, small = reused_buffer(buffer, (1, 3), np.float32)
    >>> again is buffer, small.shape
    (True, (1, 3))
    """
    size = int(np.prod(shape))
    if buffer is None or buffer.size < size or buffer.dtype != dtype:
        buffer = np.empty(size, dtype=dtype)
    return buffer, buffer[:size].reshape(shape)


def glorot_uniform(
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator,
    dtype: type,
) -> np.ndarray:
    """Keras' default initialiser: U(-a, a), a = sqrt(6 / (fan_in + fan_out)).

    Examples
    --------
    >>> import numpy as np
    >>> W = glorot_uniform((3, 5), 3, 5, np.random.default_rng(0), np.float32)
    >>> W.dtype, bool(np.abs(W).max() <= np.sqrt(6 / 8))
    (dtype('float32'), True)
    """
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


class Layer:
    """Base class of the layers: empty ``params``, ``grads`` and ``state``.

    Subclasses implement ``forward(x, training)`` and ``backward(dout)``.

    Examples
    --------
    >>> layer = ReLU()
    >>> isinstance(layer, Layer), layer.params, layer.state
    (True, {}, {})
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The layer's output; with ``training``, cache what backward needs."""
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Write parameter gradients into ``grads``; return the input's."""
        raise NotImplementedError

    def clear_cache(self) -> None:
        """Drop what forward kept for backward (before pickling, after fit)."""
        for name in [key for key in vars(self) if key.startswith("_cache")]:
            setattr(self, name, None)

    def _new_param(self, name: str, value: np.ndarray) -> None:
        self.params[name] = value
        self.grads[name] = np.zeros_like(value)


class BatchNorm(Layer):
    """Batch normalisation over cases and time, per channel (Keras defaults).

    Training normalises with the batch mean and biased variance and updates
    the running statistics with ``momentum`` 0.99; the running variance uses
    the unbiased batch variance, as Keras does. Inference uses the running
    statistics. ``epsilon`` is Keras' 1e-3. ``momentum=None`` makes the
    running statistics the plain average over the batches seen since it was
    set (``_n_batches`` counts them), for recalibration after training.

    Examples
    --------
    >>> import numpy as np
    >>> bn = BatchNorm(2, dtype=np.float64)
    >>> x = np.random.default_rng(0).normal(3.0, 2.0, size=(4, 5, 2))
    >>> out = bn.forward(x, training=True)
    >>> bool(np.allclose(out.reshape(-1, 2).mean(0), 0))
    True
    >>> mean = x.reshape(-1, 2).mean(0)  # momentum 0.99: 1% of the batch mean
    >>> bool(np.allclose(bn.state["running_mean"], 0.01 * mean))
    True
    """

    def __init__(
        self,
        channels: int,
        momentum: float | None = 0.99,
        epsilon: float = 1e-3,
        dtype: type = np.float32,
    ) -> None:
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
        self._xhat_buffer: np.ndarray | None = None  # see reused_buffer

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        shape = x.shape
        x = x.reshape(-1, self.channels)
        gamma, beta = self.params["gamma"], self.params["beta"]
        if not training:
            scale = gamma / np.sqrt(self.state["running_var"] + self.epsilon)
            shift = beta - self.state["running_mean"] * scale
            return (x * scale + shift).reshape(shape)
        n_rows = x.shape[0]
        self._xhat_buffer, xhat = reused_buffer(self._xhat_buffer, x.shape, x.dtype)
        out = np.empty_like(x)
        x = np.ascontiguousarray(x)
        mean, var, inv_std = batchnorm_forward(x, gamma, beta, self.epsilon, xhat, out)
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
        return out.reshape(shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        shape = dout.shape
        dout = np.ascontiguousarray(dout.reshape(-1, self.channels))
        dx = np.empty_like(dout)
        # d x = gamma/std * (dout - mean(dout) - xhat * mean(dout * xhat))
        scale = self.params["gamma"] * self._cache_inv_std
        dbeta, dgamma = batchnorm_backward(dout, self._cache_xhat, scale, dx)
        self.grads["beta"][...] = dbeta
        self.grads["gamma"][...] = dgamma
        return dx.reshape(shape)


class MaxPool1D(Layer):
    """Max pooling, stride 1, Keras 'same' padding (padding never selected).

    Examples
    --------
    >>> import numpy as np
    >>> MaxPool1D(3).forward(np.array([1.0, 3.0, 2.0, 0.0]).reshape(1, 4, 1)).ravel()
    array([3., 3., 3., 2.])
    """

    def __init__(self, pool_size: int = 3) -> None:
        super().__init__()
        self.pool_size = int(pool_size)
        self.left = same_padding(self.pool_size)[0]
        self._cache_argmax = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        x = np.ascontiguousarray(x)
        out = np.empty_like(x)
        argmax = np.empty(x.shape, dtype=np.int32)
        maxpool_forward(x, self.pool_size, self.left, out, argmax)
        if training:
            self._cache_argmax = argmax
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = np.empty_like(dout)
        maxpool_backward(np.ascontiguousarray(dout), self._cache_argmax, dx)
        return dx


class ReLU(Layer):
    """``max(x, 0)``; ``inplace=True`` overwrites the input (saves a copy when
    the caller owns it, as the network does with BatchNorm's output).

    Examples
    --------
    >>> import numpy as np
    >>> relu = ReLU()
    >>> relu.forward(np.array([[-1.0, 2.0]]), training=True)
    array([[0., 2.]])
    >>> relu.backward(np.array([[5.0, 5.0]]))
    array([[0., 5.]])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace
        self._cache_mask = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        out = np.maximum(x, 0, out=x if self.inplace else None)
        if training:
            self._cache_mask = out > 0
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self._cache_mask


class GlobalAvgPool(Layer):
    """Mean over time: ``(n, L, C) -> (n, C)``.

    Examples
    --------
    >>> import numpy as np
    >>> GlobalAvgPool().forward(np.arange(6.0).reshape(1, 3, 2))
    array([[2., 3.]])
    """

    def __init__(self) -> None:
        super().__init__()
        self._cache_length = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if training:
            self._cache_length = x.shape[1]
        return x.mean(axis=1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        length = self._cache_length
        scaled = dout / length
        return np.broadcast_to(
            scaled[:, None, :], (dout.shape[0], length, dout.shape[1])
        )


class Dense(Layer):
    """Fully connected layer with bias, Glorot-uniform weights, zero bias.

    Examples
    --------
    >>> import numpy as np
    >>> dense = Dense(4, 3, rng=np.random.default_rng(0))
    >>> dense.forward(np.ones((2, 4), dtype=np.float32)).shape
    (2, 3)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        rng: np.random.Generator,
        dtype: type = np.float32,
    ) -> None:
        super().__init__()
        self._new_param(
            "W",
            glorot_uniform(
                (in_features, out_features), in_features, out_features, rng, dtype
            ),
        )
        self._new_param("b", np.zeros(out_features, dtype=dtype))
        self._cache_x = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if training:
            self._cache_x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        np.matmul(self._cache_x.T, dout, out=self.grads["W"])
        self.grads["b"][...] = dout.sum(axis=0)
        return dout @ self.params["W"].T


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of ``(n, n_classes)`` logits, shifted for stability.

    Examples
    --------
    >>> import numpy as np
    >>> softmax(np.array([[0.0, np.log(3.0)]]))
    array([[0.25, 0.75]])
    """
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

    Examples
    --------
    >>> import numpy as np
    >>> loss = SoftmaxCrossEntropy()
    >>> round(loss.forward(np.zeros((2, 2)), np.array([0, 1]), training=True), 4)
    0.6931
    >>> loss.backward()
    array([[-0.25,  0.25],
           [ 0.25, -0.25]])
    """

    def __init__(self) -> None:
        super().__init__()
        self._cache_proba = None
        self._cache_y = None

    def forward(
        self, logits: np.ndarray, y: np.ndarray, training: bool = False
    ) -> float:
        """Mean cross-entropy of ``logits`` against class codes ``y``."""
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=1))
        rows = np.arange(len(y))
        loss = float(np.mean(log_norm - shifted[rows, y], dtype=np.float64))
        if training:
            self._cache_proba = softmax(logits)
            self._cache_y = y
        return loss

    def backward(self, dout: np.ndarray | None = None) -> np.ndarray:
        """Gradient of the loss with respect to the logits."""
        grad = self._cache_proba.copy()
        grad[np.arange(len(self._cache_y)), self._cache_y] -= 1.0
        grad /= len(self._cache_y)
        return grad
