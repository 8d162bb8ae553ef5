"""Timepoint shares of Hydra's features.

Each group's kernel outputs are recomputed in numpy from the fitted weights
with the transform's float32 additions (``0 + w_0 x_0 + ... + w_8 x_8`` on
the 'same'-padded group input, the sum of its drawn channels), so the
winners equal the transform's. At each timepoint the arg-max kernel's "max"
feature gets the winning response and the arg-min kernel's "min" feature
gets 1 (ties to the lowest kernel index, as the transform).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..transformers._dilations import KERNEL_LENGTH
from ._head import LinearHead
from ._minirocket import shifted
from ._timepoints import TimepointAccumulator


def group_input(source: np.ndarray, channels: np.ndarray) -> np.ndarray:
    """Sum of the drawn channels ``(n_cases, length)``, in draw order."""
    out = np.zeros(source.shape[::2], dtype=np.float32)
    for c in channels:
        out = out + source[:, c]
    return out


def group_outputs(taps: list[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """Outputs ``(n_cases, n_kernels, length)`` of one group's kernels."""
    out = np.zeros((taps[0].shape[0], weights.shape[0], taps[0].shape[-1]), np.float32)
    for j in range(KERNEL_LENGTH):
        out += weights[None, :, j, None] * taps[j][:, None, :]
    return out


def winner_shares(outputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shares and support of the max features then the min features, each
    ``(n_cases, n_kernels, length)``, stacked along axis 1."""
    n_kernels = outputs.shape[1]
    kernels = np.arange(n_kernels)[None, :, None]
    best = outputs.argmax(axis=1)[:, None, :] == kernels
    worst = outputs.argmin(axis=1)[:, None, :] == kernels
    best_value = outputs.max(axis=1)[:, None, :].astype(np.float64)
    shares = np.concatenate([best * best_value, worst.astype(np.float64)], axis=1)
    return shares, np.concatenate([best, worst], axis=1)


def _taps(series: np.ndarray, dilation: int) -> list[np.ndarray]:
    """The nine shifted copies ``x[t + (j - 4) d]`` ('same' padding)."""
    return [shifted(series, (j - 4) * dilation) for j in range(KERNEL_LENGTH)]


def explain_hydra(
    transformer: Any,
    x: np.ndarray,
    head: LinearHead,
    accumulator: TimepointAccumulator,
    first_column: int = 0,
) -> None:
    """Hydra: per dilation, ``X`` then ``diff(X)``: max features, min features."""
    n_dilations, n_repr, n_groups, n_kernels, _ = transformer.weights_.shape
    block = n_groups * n_kernels
    n_channels = x.shape[1]
    used = head.used
    sources = (x, x[..., 1:] - x[..., :-1])
    for d, dilation in enumerate(transformer.dilations_):
        for r in range(n_repr):
            source = sources[r]
            first = first_column + (d * n_repr + r) * 2 * block
            # one channel: every group sees the same input (and taps)
            channels = np.zeros(1, dtype=np.int64)
            taps = _taps(source[:, 0], int(dilation))
            for g in range(n_groups):
                kernels = np.arange(n_kernels) + g * n_kernels
                columns = np.concatenate([first + kernels, first + block + kernels])
                if not used[columns].any():  # pruned away, or zero weight
                    continue
                if n_channels > 1:
                    channels = transformer.channels_[d, r, g]
                    taps = _taps(group_input(source, channels), int(dilation))
                outputs = group_outputs(taps, transformer.weights_[d, r, g])
                shares, support = winner_shares(outputs)
                timed, spread = head.distribute(columns, shares, support)
                accumulator.add(timed, 0, channels, diff=r == 1, spread=spread)
