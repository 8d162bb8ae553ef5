"""One InceptionTime network: its modules, shortcuts and the flat buffers.

The architecture of the reference Keras code (hfawaz/InceptionTime,
``classifiers/inception.py``): ``depth`` Inception modules with a residual
shortcut after every third, global average pooling and a dense softmax layer.
Forward and backward passes chain the layers of ``conv.py`` and ``layers.py``; training
(epochs, mini-batches, Adam) is in ``training.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .conv import Conv1D, MultiKernelConv1D
from .layers import (
    BatchNorm,
    Dense,
    GlobalAvgPool,
    Layer,
    MaxPool1D,
    ReLU,
    SoftmaxCrossEntropy,
    softmax,
)

__all__ = ["InceptionModule", "ShortcutLayer", "InceptionNetwork"]

# Rows (cases x time points) per inference chunk: bounds prediction memory
# (the im2col matrix of a chunk is rows x 40 x 32 floats, ~80 MB here).
_PREDICT_ROWS = 16_384


class InceptionModule:
    """Bottleneck, three parallel convolutions, max-pool branch, BN, ReLU.

    The bottleneck (1x1 convolution to ``bottleneck_size`` channels) is used
    only when the module's input has more than one channel, as the reference;
    the max-pool branch pools the module *input* (not the bottleneck output)
    and projects it with a 1x1 convolution to ``n_filters`` channels.

    Examples
    --------
    >>> import numpy as np
    >>> module = InceptionModule(3, 2, (6, 3), 4, np.random.default_rng(0), np.float64)
    >>> module.bottleneck is not None, module.out_channels
    (True, 6)
    >>> module.forward(np.ones((2, 10, 3))).shape
    (2, 10, 6)
    """

    def __init__(
        self,
        in_channels: int,
        n_filters: int,
        kernel_sizes: tuple[int, ...],
        bottleneck_size: int,
        rng: np.random.Generator,
        dtype: type,
    ) -> None:
        self.bottleneck = (
            Conv1D(in_channels, bottleneck_size, 1, rng, dtype)
            if bottleneck_size and in_channels > 1
            else None
        )
        conv_in = bottleneck_size if self.bottleneck is not None else in_channels
        self.convs = MultiKernelConv1D(conv_in, n_filters, kernel_sizes, rng, dtype)
        self.pool = MaxPool1D(3)
        self.pool_conv = Conv1D(in_channels, n_filters, 1, rng, dtype)
        self.out_channels = self.convs.out_channels + n_filters
        self.bn = BatchNorm(self.out_channels, dtype=dtype)
        self.relu = ReLU(inplace=True)

    @property
    def layers(self) -> list[Layer]:
        """The module's layers, in the order of their parameters."""
        layers = [self.convs, self.pool, self.pool_conv, self.bn, self.relu]
        return ([self.bottleneck] if self.bottleneck is not None else []) + layers

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """``(n, L, C) -> (n, L, out_channels)``."""
        inner = self.bottleneck.forward(x, training) if self.bottleneck else x
        branches = self.convs.forward(inner, training)
        pooled = self.pool_conv.forward(self.pool.forward(x, training), training)
        out = np.concatenate([branches, pooled], axis=2)
        return self.relu.forward(self.bn.forward(out, training), training)

    def backward(
        self, dout: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """Fill the layers' gradients; the input gradient unless not needed."""
        dout = self.bn.backward(self.relu.backward(dout))
        split = self.convs.out_channels
        need_inner = need_input_grad or self.bottleneck is not None
        dinner = self.convs.backward(dout[:, :, :split], need_inner)
        if self.bottleneck is not None:
            dinner = self.bottleneck.backward(dinner, need_input_grad)
        dpooled = self.pool_conv.backward(dout[:, :, split:], need_input_grad)
        if not need_input_grad:
            return None
        dx = self.pool.backward(dpooled)
        dx += dinner
        return dx


class ShortcutLayer:
    """Residual connection: ReLU(BN(1x1 conv(block input)) + block output).

    Examples
    --------
    >>> import numpy as np
    >>> shortcut = ShortcutLayer(1, 4, np.random.default_rng(0), np.float64)
    >>> shortcut.forward(np.ones((2, 5, 1)), np.zeros((2, 5, 4))).shape
    (2, 5, 4)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        rng: np.random.Generator,
        dtype: type,
    ) -> None:
        self.conv = Conv1D(in_channels, out_channels, 1, rng, dtype)
        self.bn = BatchNorm(out_channels, dtype=dtype)
        self.relu = ReLU(inplace=True)

    @property
    def layers(self) -> list[Layer]:
        """The shortcut's layers, in the order of their parameters."""
        return [self.conv, self.bn, self.relu]

    def forward(
        self, residual: np.ndarray, out: np.ndarray, training: bool = False
    ) -> np.ndarray:
        """ReLU of the projected block input plus the block output ``out``."""
        summed = self.bn.forward(self.conv.forward(residual, training), training)
        summed += out
        return self.relu.forward(summed, training)

    def backward(
        self, dout: np.ndarray, need_input_grad: bool = True
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """Return (gradient for the block input, gradient for the block output)."""
        dsum = self.relu.backward(dout)
        dres = self.conv.backward(self.bn.backward(dsum), need_input_grad)
        return dres, dsum


class InceptionNetwork:
    """One Inception network: ``depth`` modules, shortcuts every 3, GAP, dense.

    All trainable parameters are views of ``self.params`` (gradients of
    ``self.grads``) and all BatchNorm running statistics views of
    ``self.state`` (the conventions of ``layers.py``).

    Parameters
    ----------
    n_channels, n_classes : int
    depth : int, default=6
        Inception modules; a shortcut follows every third.
    n_filters : int, default=32
        Filters per convolution of a module.
    kernel_sizes : tuple of int, default=(40, 20, 10)
    bottleneck_size : int, default=32
        0 disables the bottleneck.
    use_residual : bool, default=True
    rng : seed or numpy.random.Generator, optional
        Draws the initial weights (``numpy.random.default_rng(rng)``).
    dtype : numpy dtype, default=np.float32

    Examples
    --------
    >>> import numpy as np
    >>> net = InceptionNetwork(1, 2, rng=np.random.default_rng(0))
    >>> net.n_parameters, net.state.size
    (420450, 2048)
    """

    def __init__(
        self,
        n_channels: int,
        n_classes: int,
        depth: int = 6,
        n_filters: int = 32,
        kernel_sizes: tuple[int, ...] = (40, 20, 10),
        bottleneck_size: int = 32,
        use_residual: bool = True,
        rng: Any = None,
        dtype: type = np.float32,
    ) -> None:
        rng = np.random.default_rng(rng)
        self.dtype = np.dtype(dtype)
        self.use_residual = use_residual
        self.modules: list[InceptionModule] = []
        self.shortcuts: dict[int, ShortcutLayer] = {}
        channels = residual_channels = n_channels
        for d in range(depth):
            module = InceptionModule(
                channels, n_filters, kernel_sizes, bottleneck_size, rng, dtype
            )
            self.modules.append(module)
            channels = module.out_channels
            if use_residual and d % 3 == 2:
                self.shortcuts[d] = ShortcutLayer(
                    residual_channels, channels, rng, dtype
                )
                residual_channels = channels
        self.gap = GlobalAvgPool()
        self.dense = Dense(channels, n_classes, rng, dtype)
        self.loss = SoftmaxCrossEntropy()
        self._flatten()

    @property
    def layers(self) -> list[Layer]:
        """Every layer with parameters or state, in the order of the buffers."""
        layers = []
        for d, module in enumerate(self.modules):
            layers += module.layers
            if d in self.shortcuts:
                layers += self.shortcuts[d].layers
        return layers + [self.gap, self.dense]

    def _flatten(self) -> None:
        """Move every parameter, gradient and running statistic into one buffer."""
        layers = self.layers
        for kind in ("params", "grads", "state"):
            arrays = [a for layer in layers for a in getattr(layer, kind).values()]
            flat = np.empty(sum(a.size for a in arrays), dtype=self.dtype)
            offset = 0
            for layer in layers:
                table = getattr(layer, kind)
                for name, array in table.items():
                    view = flat[offset : offset + array.size].reshape(array.shape)
                    view[...] = array
                    table[name] = view
                    offset += array.size
            setattr(self, kind, flat)

    @property
    def n_parameters(self) -> int:
        """Number of trainable parameters."""
        return int(self.params.size)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Logits for channels-last input ``(n, L, C)``."""
        residual = x
        for d, module in enumerate(self.modules):
            x = module.forward(x, training)
            if d in self.shortcuts:
                x = self.shortcuts[d].forward(residual, x, training)
                residual = x
        return self.dense.forward(self.gap.forward(x, training), training)

    def backward(
        self, dlogits: np.ndarray, need_input_grad: bool = False
    ) -> np.ndarray | None:
        """Fill ``self.grads``; return the input gradient if asked."""
        dx = self.gap.backward(self.dense.backward(dlogits))
        pending = None  # gradient reaching the current block input via a shortcut
        for d in range(len(self.modules) - 1, -1, -1):
            if d in self.shortcuts:
                if pending is not None:
                    dx = dx + pending
                first_block = d == 2
                pending, dx = self.shortcuts[d].backward(
                    dx, need_input_grad or not first_block
                )
            dx = self.modules[d].backward(dx, need_input_grad or d > 0)
        if need_input_grad and pending is not None:
            dx = dx + pending
        return dx

    def train_step(self, x: np.ndarray, y: np.ndarray) -> float:
        """Forward and backward on one batch (gradients in ``self.grads``)."""
        logits = self.forward(x, training=True)
        loss = self.loss.forward(logits, y, training=True)
        self.backward(self.loss.backward())
        return loss

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Softmax outputs in inference mode, in chunks of bounded memory."""
        rows = max(1, _PREDICT_ROWS // max(x.shape[1], 1))
        out = [
            softmax(self.forward(x[i : i + rows]).astype(np.float64))
            for i in range(0, len(x), rows)
        ]
        return np.concatenate(out)

    def clear_cache(self) -> None:
        """Drop every layer's training cache (before pickling, after fit)."""
        for layer in self.layers + [self.loss]:
            layer.clear_cache()
