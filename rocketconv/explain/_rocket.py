"""Timepoint shares of ROCKET's features.

Each case is z-normalised as the transform does it (float64 mean and
variance accumulated point by point, the result stored in float32), and a
kernel's output is recomputed as ``bias + w_0 x_0 + w_1 x_1 + ...`` channel
by channel in float32, the transform's order, so outputs equal the
transform's bit for bit. Output ``i`` of a kernel with padding ``p``, length
``m`` and dilation ``d`` reads ``x[i - p + j d]``; its centre is the point
``i - p + (m - 1) d / 2``. Shares: PPV ``1 / n_out`` at each output
``> 0``; max its whole value at the (first) arg-max.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._head import LinearHead
from ._timepoints import TimepointAccumulator

# the transform's epsilon (rocketconv.transformers.rocket.NORMALISE_EPSILON)
NORMALISE_EPSILON = 1e-8


def normalised(x: np.ndarray) -> np.ndarray:
    """Per case and channel ``(x - mean) / (std + 1e-8)`` as the transform:
    sequential float64 sums (``cumsum``, not numpy's pairwise ``sum``)."""
    length = x.shape[-1]
    wide = x.astype(np.float64)
    mean = np.cumsum(wide, axis=-1)[..., -1:] / length
    variance = np.cumsum((wide - mean) ** 2, axis=-1)[..., -1:]
    scale = 1.0 / (np.sqrt(variance / length) + NORMALISE_EPSILON)
    return ((wide - mean) * scale).astype(np.float32)


def kernel_geometry(
    length: int, kernel_length: int, dilation: int, padding: int
) -> tuple[int, int]:
    """(padding, n_out): 'same' padding for a case shorter than the span."""
    span = (kernel_length - 1) * dilation
    if padding == 0 and length <= span:
        padding = span // 2
    return padding, length + 2 * padding - span


def kernel_output(
    padded: np.ndarray, margin: int, transformer: Any, k: int, length: int
) -> tuple[np.ndarray, int]:
    """Output ``(n_cases, n_out)`` of kernel ``k`` and its first centre."""
    kernel_length = int(transformer.lengths_[k])
    dilation = int(transformer.dilations_[k])
    padding, n_out = kernel_geometry(
        length, kernel_length, dilation, int(transformer.paddings_[k])
    )
    base = margin - padding
    weights = transformer.weights_
    w_start = int(transformer.weight_offsets_[k])
    out = np.full((padded.shape[0], n_out), transformer.biases_[k], dtype=np.float32)
    channels = transformer.channels_
    for i in range(
        transformer.channel_offsets_[k], transformer.channel_offsets_[k + 1]
    ):
        row = padded[:, channels[i]]
        for j in range(kernel_length):
            start = base + j * dilation
            out = out + weights[w_start + j] * row[:, start : start + n_out]
        w_start += kernel_length
    first_centre = (kernel_length - 1) * dilation // 2 - padding
    return out, first_centre


def explain_rocket(
    transformer: Any,
    x: np.ndarray,
    head: LinearHead,
    accumulator: TimepointAccumulator,
    first_column: int = 0,
) -> None:
    """ROCKET: PPV (column ``2k``) and max (``2k + 1``) of each kernel."""
    length = x.shape[-1]
    series = normalised(x) if transformer.normalise else x
    margin = int((((transformer.lengths_ - 1) * transformer.dilations_) // 2).max())
    padded = np.zeros(series.shape[:2] + (length + 2 * margin,), dtype=np.float32)
    padded[..., margin : margin + length] = series
    cases = np.arange(len(x))
    used = head.used
    for k in range(len(transformer.lengths_)):
        columns = first_column + 2 * k + np.arange(2)
        if not used[columns].any():  # pruned away, or zero weight
            continue
        out, first_centre = kernel_output(padded, margin, transformer, k, length)
        n_out = out.shape[-1]
        positive = out > 0
        arg_max = out.argmax(axis=-1)
        at_max = np.zeros_like(positive)
        at_max[cases, arg_max] = True
        maximum = out[cases, arg_max].astype(np.float64)
        shares = np.stack([positive / n_out, at_max * maximum[:, None]], axis=1)
        support = np.stack([positive, at_max], axis=1)
        timed, spread = head.distribute(columns, shares, support)
        subset = transformer.channels_[
            transformer.channel_offsets_[k] : transformer.channel_offsets_[k + 1]
        ]
        accumulator.add(timed, first_centre, subset, spread=spread)
