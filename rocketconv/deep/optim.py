"""Adam and the reduce-on-plateau learning-rate schedule, as in Keras 2.

Adam works on one flat parameter vector (see ``network.py``): the network keeps
all its weights in a single contiguous array, so an Adam step is a handful of
vectorised operations whatever the number of layers.
"""

from __future__ import annotations

import math

import numpy as np

from ._kernels import adam_step

__all__ = ["Adam", "ReduceLROnPlateau"]


class Adam:
    """Adam with Keras' defaults and update rule.

    Keras applies the bias correction to the step size,
    ``lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)``, and adds ``epsilon``
    (1e-7, ``K.epsilon()``) to ``sqrt(v)`` of the *uncorrected* second
    moment, which differs slightly from the paper's formula.

    Parameters
    ----------
    learning_rate : float, default=1e-3
    beta1, beta2, epsilon : float
        Keras defaults 0.9, 0.999, 1e-7.

    Examples
    --------
    >>> import numpy as np
    >>> params = np.array([1.0, -1.0], dtype=np.float32)
    >>> Adam(0.1).step(params, np.array([1.0, -1.0], dtype=np.float32))
    >>> np.round(params, 4)
    array([ 0.9, -0.9], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-7,
    ) -> None:
        self.learning_rate = float(learning_rate)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.iterations = 0
        self._m = None
        self._v = None

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Update the flat vector ``params`` in place from ``grads``."""
        if self._m is None:
            self._m = np.zeros_like(params)
            self._v = np.zeros_like(params)
        self.iterations += 1
        t = self.iterations
        lr_t = (
            self.learning_rate * math.sqrt(1.0 - self.beta2**t) / (1.0 - self.beta1**t)
        )
        dtype = params.dtype.type
        adam_step(
            params,
            grads,
            self._m,
            self._v,
            dtype(lr_t),
            dtype(self.beta1),
            dtype(self.beta2),
            dtype(self.epsilon),
        )


class ReduceLROnPlateau:
    """Halve the learning rate when the monitored loss stops improving.

    Keras' rule (mode 'min', cooldown 0): an epoch improves when
    ``loss < best - min_delta``; after ``patience`` epochs without
    improvement the rate becomes ``max(lr * factor, min_lr)`` (if it is still
    above ``min_lr``) and the count restarts.

    Examples
    --------
    >>> schedule = ReduceLROnPlateau(factor=0.5, patience=2, min_lr=0.1)
    >>> [schedule.step(1.0, lr=1.0) for _ in range(3)]
    [1.0, 1.0, 0.5]
    """

    def __init__(
        self,
        factor: float = 0.5,
        patience: int = 50,
        min_lr: float = 1e-4,
        min_delta: float = 1e-4,
    ) -> None:
        self.factor = factor
        self.patience = patience
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.best = np.inf
        self.wait = 0

    def step(self, loss: float, lr: float) -> float:
        """Record one epoch's loss; return the learning rate for the next."""
        if loss < self.best - self.min_delta:
            self.best = loss
            self.wait = 0
            return lr
        self.wait += 1
        if self.wait >= self.patience:
            self.wait = 0
            if lr > self.min_lr:
                return max(lr * self.factor, self.min_lr)
        return lr
