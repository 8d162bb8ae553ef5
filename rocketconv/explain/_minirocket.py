"""Timepoint shares of MiniRocket's and MultiRocket's features.

The kernel outputs are recomputed in numpy from the fitted parameters with
the float32 additions in the transform's order (``_dilations``'s
``dilation_alpha`` and ``kernel_output``: ``alpha = -X_4 - X_0 - ... - X_8``,
then ``((alpha + 3 X_i0) + 3 X_i1) + 3 X_i2``, summed channel by channel), so
an output equals the transform's bit for bit and a feature's shares add up
to the feature the head saw. Shares (``C`` the output on the pooled range of
``n`` points, ``b`` the bias):

* PPV: ``1 / n`` at each ``t`` with ``C_t > b``;
* MPV: the value shared equally over the ``t`` with ``C_t > b``;
* MIPV: likewise; its ``-1`` when no ``C_t > b`` belongs to no timepoint;
* LSPV: the value shared equally over the points of the longest stretch of
  ``C_t >= b`` (ties between stretches split equally); with no such
  stretch its value (1, or 0 for ``n < 2``) belongs to no timepoint.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..transformers._dilations import (
    KERNEL_INDICES,
    KERNEL_LENGTH,
    N_KERNELS,
    pooling_range,
)
from ._head import LinearHead
from ._timepoints import TimepointAccumulator

THREE = np.float32(3.0)


def shifted(x: np.ndarray, shift: int) -> np.ndarray:
    """``y[..., t] = x[..., t + shift]``, zeros shifted in."""
    length = x.shape[-1]
    y = np.zeros_like(x)
    if abs(shift) >= length:
        return y
    if shift >= 0:
        y[..., : length - shift] = x[..., shift:]
    else:
        y[..., -shift:] = x[..., : length + shift]
    return y


def dilation_taps(
    x: np.ndarray, dilation: int, left_shift: int
) -> tuple[np.ndarray, list[np.ndarray]]:
    """``alpha = -sum_j X_j`` and ``gamma_j = 3 X_j`` for one dilation.

    ``X_j[t] = x[t + (j - 4) d]`` (plus ``left_shift`` for ``j < 4``: the
    reference's alignment of MultiRocket's ``diff(X)``).
    """
    taps = [
        shifted(x, (j - 4) * dilation + (left_shift if j < 4 else 0))
        for j in range(KERNEL_LENGTH)
    ]
    alpha = -taps[4]
    for j in (0, 1, 2, 3, 5, 6, 7, 8):
        alpha -= taps[j]
    return alpha, [THREE * tap for tap in taps]


def kernel_output(
    alpha: np.ndarray, gamma: list[np.ndarray], kernel: int, channels: np.ndarray
) -> np.ndarray:
    """Output ``(n_cases, length)`` of one kernel summed over ``channels``."""
    i0, i1, i2 = KERNEL_INDICES[kernel]
    out = None
    for c in channels:
        term = ((alpha[:, c] + gamma[i0][:, c]) + gamma[i1][:, c]) + gamma[i2][:, c]
        out = term if out is None else out + term
    assert out is not None  # every subset has a channel
    return out


def ppv_shares(
    segment: np.ndarray, biases: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """PPV shares ``(n_cases, n_biases, n)`` and where ``C_t > b``."""
    above = segment[:, None, :] > biases[None, :, None]
    return above / segment.shape[-1], above


def longest_stretch_shares(
    segment: np.ndarray, biases: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LSPV shares, the points of the longest stretches, and the constant.

    LSPV is one more than the longest run of ``C_t >= b`` over the interior
    points ``1 .. n - 2`` (as the transform's ``_pooling_lanes`` loop).
    """
    n_cases, span = segment.shape
    shape = (n_cases, len(biases), span)
    shares, member = np.zeros(shape), np.zeros(shape, dtype=bool)
    if span < 2:
        return shares, member, np.zeros(shape[:2])
    inner = segment[:, None, 1 : span - 1] >= biases[None, :, None]
    index = np.arange(span - 2)
    last_break = np.maximum.accumulate(np.where(inner, -1, index), axis=-1)
    run = index - last_break
    longest = run.max(axis=-1) if span > 2 else np.zeros(shape[:2], dtype=int)
    ends = (run == longest[..., None]) & (longest[..., None] > 0)
    never = 2 * span
    next_end = np.minimum.accumulate(np.where(ends, index, never)[..., ::-1], axis=-1)
    in_longest = inner & (next_end[..., ::-1] - index < longest[..., None])
    value = longest + 1.0
    per_point = value / np.maximum(longest * ends.sum(axis=-1), 1)
    shares[..., 1 : span - 1] = in_longest * per_point[..., None]
    member[..., 1 : span - 1] = in_longest
    return shares, member, np.where(longest > 0, 0.0, value)


def multirocket_shares(
    segment: np.ndarray, biases: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shares, support and constants of PPV, LSPV, MPV and MIPV, stacked in
    that order along axis 1 (4 x n_biases features)."""
    ppv, above = ppv_shares(segment, biases)
    count = above.sum(axis=-1)
    safe = np.maximum(count, 1)
    # the transform sums the float32 C + b in float64
    plus = (segment[:, None, :] + biases[None, :, None]).astype(np.float64)
    mpv = np.where(above, plus, 0.0).sum(axis=-1) / safe
    mipv = (above * np.arange(segment.shape[-1])).sum(axis=-1) / safe
    lspv, stretch, lspv_constant = longest_stretch_shares(segment, biases)
    none = np.zeros(count.shape)
    shares = np.concatenate(
        [ppv, lspv, above * (mpv / safe)[..., None], above * (mipv / safe)[..., None]],
        axis=1,
    )
    support = np.concatenate([above, stretch, above, above], axis=1)
    mipv_constant = np.where(count > 0, 0.0, -1.0)
    constant = np.concatenate([none, lspv_constant, none, mipv_constant], axis=1)
    return shares, support, constant


def explain_representation(
    representation: Any,
    x: np.ndarray,
    head: LinearHead,
    accumulator: TimepointAccumulator,
    first_column: int,
    multirocket: bool,
    diff: bool = False,
) -> None:
    """Add the shares of one fitted representation's features.

    ``representation`` is a FittedRepresentation; ``x`` its input
    ``(n_cases, n_channels, length)`` float32 (the series, or its first
    difference); MiniRocket's layout (one PPV per bias) or MultiRocket's
    (four blocks of ``len(biases)`` starting at ``first_column``).
    """
    block = len(representation.biases)
    offsets = representation.channel_offsets
    length = x.shape[-1]
    used = head.used
    column, combination = 0, 0
    for d, dilation in enumerate(representation.dilations):
        alpha, gamma = dilation_taps(x, int(dilation), 1 if diff else 0)
        n_this = int(representation.n_features_per_dilation[d])
        for kernel in range(N_KERNELS):
            subset = representation.channels[
                offsets[combination] : offsets[combination + 1]
            ]
            columns = first_column + column + np.arange(n_this)
            if multirocket:
                columns = np.concatenate([columns + i * block for i in range(4)])
            biases = representation.biases[column : column + n_this]
            column += n_this
            combination += 1
            if not used[columns].any():  # pruned away, or zero weight
                continue
            output = kernel_output(alpha, gamma, kernel, subset)
            # the transform's own (compiled) pooling rule: the same range
            start, stop = pooling_range(length, int(dilation), d, kernel)
            segment = output[:, start:stop]
            if multirocket:
                shares, support, constant = multirocket_shares(segment, biases)
                timed, spread = head.distribute(columns, shares, support, constant)
            else:
                shares, support = ppv_shares(segment, biases)
                timed, spread = head.distribute(columns, shares, support)
            accumulator.add(timed, start, subset, diff=diff, spread=spread)


def explain_minirocket(
    transformer: Any,
    x: np.ndarray,
    head: LinearHead,
    accumulator: TimepointAccumulator,
    first_column: int = 0,
) -> None:
    """MiniRocket: PPV of each (dilation, kernel, bias)."""
    explain_representation(
        transformer.representation_, x, head, accumulator, first_column, False
    )


def explain_multirocket(
    transformer: Any,
    x: np.ndarray,
    head: LinearHead,
    accumulator: TimepointAccumulator,
    first_column: int = 0,
) -> None:
    """MultiRocket: four operators on ``X`` then on ``diff(X)``."""
    base = transformer.representation_
    explain_representation(base, x, head, accumulator, first_column, True)
    diff = x[..., 1:] - x[..., :-1]  # float32, as the transform's ``difference``
    explain_representation(
        transformer.diff_representation_,
        diff,
        head,
        accumulator,
        first_column + 4 * len(base.biases),
        True,
        diff=True,
    )
