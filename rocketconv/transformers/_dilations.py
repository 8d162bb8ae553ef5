"""Kernels, dilations, biases and the convolution itself, shared by MiniRocket
and MultiRocket (Dempster, Schmidt & Webb 2021; Tan et al. 2022).

The 84 kernels have length 9 and weights -1 everywhere except 2 at three of
the nine positions. With ``X_j`` the series shifted by ``(j - 4) * dilation``
(zeros shifted in), the output of kernel ``k`` is

    C = -sum_{j=0..8} X_j + 3 * sum_{j in positions(k)} X_j

so the first sum (``alpha``) is computed once per (case, dilation), the nine
``3 * X_j`` (``gamma``) are slices of one zero-padded copy of ``3 X`` per case,
and since the kernels are the triples i0 < i1 < i2 in lexicographic order,
``alpha + gamma[i0] + gamma[i1]`` is shared by consecutive kernels: a kernel
costs about one addition a point (see :func:`kernel_output`). Fitting the
biases runs the same arithmetic in numpy (:func:`example_outputs`), so that
a first call only compiles the transform.

A fitted representation (the series, or MultiRocket's first difference) is
one :class:`FittedRepresentation`, made by :func:`fit_representation` and
passed as one argument to the numba kernels.

The per-case helpers below are compiled with ``inline="always"`` (about 25%
faster MiniRocket transforms than calls).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, NamedTuple

import numpy as np

from .. import _numba
from .._validation import check_positive_int
from ._base import SeriesBatch

N_KERNELS = 84
KERNEL_LENGTH = 9
# All C(9, 3) placements of the weight 2, in lexicographic order as published.
KERNEL_INDICES = np.array(list(combinations(range(KERNEL_LENGTH), 3)), dtype=np.int32)
GOLDEN_RATIO = (np.sqrt(5.0) + 1.0) / 2.0


def kernel_weights() -> np.ndarray:
    """The 84 kernels as explicit weight vectors, shape (84, 9) (for reading/tests)."""
    weights = np.full((N_KERNELS, KERNEL_LENGTH), -1.0, dtype=np.float32)
    for kernel, positions in enumerate(KERNEL_INDICES):
        weights[kernel, positions] = 2.0
    return weights


def fit_dilations(
    length: int, n_features: int, max_dilations_per_kernel: int
) -> tuple[np.ndarray, np.ndarray]:
    """Dilations and features per dilation, as in the reference ``fit_dilations``.

    ``n_features // 84`` features per kernel are spread over at most
    ``max_dilations_per_kernel`` exponentially spaced dilations up to
    ``(length - 1) / 8``; repeated integer dilations merge and their counts are
    scaled up; the remainder goes one by one from the smallest dilation.
    """
    n_features_per_kernel = n_features // N_KERNELS
    if n_features_per_kernel < 1:
        raise ValueError(
            f"n_features must be at least {N_KERNELS} (one per kernel), got "
            f"{n_features}."
        )
    true_max_dilations = min(n_features_per_kernel, max_dilations_per_kernel)
    multiplier = n_features_per_kernel / true_max_dilations
    max_exponent = np.log2((length - 1) / (KERNEL_LENGTH - 1))
    dilations, counts = np.unique(
        np.logspace(0, max_exponent, true_max_dilations, base=2).astype(np.int32),
        return_counts=True,
    )
    n_features_per_dilation = (counts * multiplier).astype(np.int32)
    remainder = n_features_per_kernel - n_features_per_dilation.sum()
    i = 0
    while remainder > 0:
        n_features_per_dilation[i] += 1
        remainder -= 1
        i = (i + 1) % len(n_features_per_dilation)
    return dilations.astype(np.int32), n_features_per_dilation


def quantiles(n: int) -> np.ndarray:
    """The low-discrepancy sequence ``frac(i * golden_ratio)``, i = 1..n."""
    return ((np.arange(1, n + 1) * GOLDEN_RATIO) % 1).astype(np.float32)


def draw_channels(
    n_combinations: int, n_channels: int, rng: np.random.RandomState
) -> tuple[np.ndarray, np.ndarray]:
    """Random channel subsets, one per (dilation, kernel) combination.

    Size ``int(2 ** U(0, log2(min(n_channels, 9) + 1)))``, drawn without
    replacement, as in the reference multivariate code (always 1 channel for
    univariate input). Returns the flat channel list and the start of each
    combination's subset in it (length ``n_combinations + 1``).
    """
    max_channels = min(n_channels, KERNEL_LENGTH)
    sizes = (2 ** rng.uniform(0, np.log2(max_channels + 1), n_combinations)).astype(
        np.int32
    )
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    if n_channels == 1:
        # choice(1, 1, replace=False) is [0] and draws nothing from rng
        return np.zeros(n_combinations, dtype=np.int32), offsets
    # what rng.choice(n, size, replace=False) does, without its argument checks
    subsets = [rng.permutation(n_channels)[:size] for size in sizes]
    return np.concatenate(subsets).astype(np.int32), offsets


@_numba.jit(inline="always")
def series_padding(dilations):
    """``4 * max(dilations)`` (0 for none): the zeros :func:`padded_series`
    puts each side, enough for every tap of every dilation.

    A loop, not ``dilations.max()``: numba would compile ndarray.max with
    the overloads it calls, about a fifth of a first call's compile time.
    """
    largest = 0
    for dilation in dilations:
        if dilation > largest:
            largest = dilation
    return 4 * largest


@_numba.jit(inline="always")
def padded_series(series, pad):
    """``series`` and ``3 * series`` with ``pad`` zeros each side (+1 spare).

    Returns ``(xp, gp)``, both (n_channels, length + 2 pad + 1) float32. With
    the series at a fixed offset inside zeros, every tap of every dilation
    up to ``pad / 4`` is a plain contiguous slice: no branch at the borders
    and no per-dilation copy of ``3 X``.
    """
    n_channels, length = series.shape
    width = length + 2 * pad + 1
    # np.empty and explicit zeros: np.zeros would compile one more overload
    xp = np.empty((n_channels, width), dtype=np.float32)
    gp = np.empty((n_channels, width), dtype=np.float32)
    three = np.float32(3.0)
    for c in range(n_channels):
        for t in range(width):
            xp[c, t] = 0.0
            gp[c, t] = 0.0
        for t in range(length):
            xp[c, pad + t] = series[c, t]
            gp[c, pad + t] = three * series[c, t]
    return xp, gp


@_numba.jit(inline="always")
def tap_starts(pad, dilation, left_offset):
    """Where tap ``j`` starts in a padded row: ``pad + (j - 4) d``.

    Taps ``j < 4`` are moved by ``left_offset``: 0 is the MiniRocket kernel;
    MultiRocket's reference transform of the first difference uses 1 (see
    ``multirocket.py``).
    """
    taps = np.empty(KERNEL_LENGTH, dtype=np.int64)
    for j in range(KERNEL_LENGTH):
        taps[j] = pad + (j - 4) * dilation + (left_offset if j < 4 else 0)
    return taps


@_numba.jit(inline="always")
def dilation_alpha(xp, taps, length, alpha):
    """``alpha[c, t] = -sum_j X_j[c, t]`` over the first ``length`` points.

    Subtracted tap by tap in the order j = 4, 0, 1, 2, 3, 5, 6, 7, 8, so the
    float32 result equals the branchy border-skipping sum bit for bit
    (subtracting a padding zero changes nothing, not even a zero's sign).
    """
    for c in range(xp.shape[0]):
        a = alpha[c, :length]
        centre = xp[c, taps[4] : taps[4] + length]
        for t in range(length):
            a[t] = -centre[t]
        for j in range(KERNEL_LENGTH):
            if j == 4:
                continue
            source = xp[c, taps[j] : taps[j] + length]
            for t in range(length):
                a[t] -= source[t]


@_numba.jit(inline="always")
def kernel_output(alpha, gp, taps, kernel, channels, pair, pair_key, out):
    """C = alpha + gamma[i0] + gamma[i1] + gamma[i2] for one kernel, into ``out``.

    ``gamma[j] = 3 X_j`` is read straight from the padded ``gp``. The 84
    kernels are the triples i0 < i1 < i2 in lexicographic order, so
    consecutive kernels share ``pair[c] = (alpha + gamma[i0]) + gamma[i1]``:
    it is tagged ``pair_key[c] = 9 i0 + i1`` and only recomputed when the
    tag differs (callers reset ``pair_key`` to -1 when alpha/gamma change).
    The additions happen in the same order either way, so the output does
    not depend on the sharing. Multivariate outputs are summed over
    ``channels`` in order.

    Each slice is taken right beside the loop that reads it: numba then
    drops the reference counting of the views, which otherwise cost more
    than the additions (up to 2.1x slower MiniRocket transforms;
    docs/results/speed.md).
    """
    length = out.shape[0]
    i0 = KERNEL_INDICES[kernel, 0]
    i1 = KERNEL_INDICES[kernel, 1]
    s2 = taps[KERNEL_INDICES[kernel, 2]]
    key = i0 * KERNEL_LENGTH + i1
    for n in range(len(channels)):
        c = channels[n]
        if pair_key[c] != key:
            p = pair[c, :length]
            a = alpha[c, :length]
            g0 = gp[c, taps[i0] : taps[i0] + length]
            g1 = gp[c, taps[i1] : taps[i1] + length]
            for t in range(length):
                p[t] = (a[t] + g0[t]) + g1[t]
            pair_key[c] = key
        p = pair[c, :length]
        g2 = gp[c, s2 : s2 + length]
        if n == 0:
            # out = 0 + C_c would only turn a -0.0 into +0.0
            for t in range(length):
                out[t] = p[t] + g2[t]
        else:
            for t in range(length):
                out[t] += p[t] + g2[t]


def example_outputs(
    values: np.ndarray, starts: np.ndarray, lengths: np.ndarray, n_channels: int,
    dilation: int, channels: np.ndarray, channel_offsets: np.ndarray,
    examples: np.ndarray, length: int,
) -> np.ndarray:  # fmt: skip
    """Full-length ('same') outputs of kernels ``0..83`` at one dilation, each
    on its own example, for the kernels whose example has length ``length``.

    ``examples[k]`` is kernel k's example (-1: not this length). Returns
    (n_selected, length) float32 rows for those kernels in order. Plain
    numpy (fit touches one example per kernel, so numba would only add
    compile time); the float32 additions happen in the same order as in the
    transform (:func:`dilation_alpha`, :func:`kernel_output`), so a training
    case's output here equals its output there bit for bit.
    """
    kernels = np.flatnonzero(examples >= 0)
    pad = 4 * dilation
    taps = pad + (np.arange(KERNEL_LENGTH) - 4) * dilation
    t = np.arange(length)
    sizes = np.diff(channel_offsets)[kernels]
    out = np.zeros((len(kernels), length), dtype=np.float32)
    # channel by channel of each subset, as kernel_output sums them
    for position in range(int(sizes.max())):
        rows = np.flatnonzero(sizes > position)
        chosen = channels[channel_offsets[kernels[rows]] + position]
        first = starts[examples[kernels[rows]]] + chosen * length
        xp = np.zeros((len(rows), length + 2 * pad + 1), dtype=np.float32)
        xp[:, pad : pad + length] = values[first[:, None] + t]
        alpha = -xp[:, pad : pad + length]
        for j in (0, 1, 2, 3, 5, 6, 7, 8):
            alpha -= xp[:, taps[j] : taps[j] + length]
        gp = np.float32(3.0) * xp
        # taps[j] = j * dilation: tap j of row r is window j of a strided
        # (rows, 9, length) view of gp, copied out row by row (no index arrays)
        windows = np.lib.stride_tricks.as_strided(
            gp,
            shape=(len(rows), KERNEL_LENGTH, length),
            strides=(gp.strides[0], dilation * gp.strides[1], gp.strides[1]),
            writeable=False,
        )
        i0, i1, i2 = KERNEL_INDICES[kernels[rows]].T
        r = np.arange(len(rows))
        alpha += windows[r, i0]  # in place: ((alpha + g0) + g1) + g2
        alpha += windows[r, i1]
        alpha += windows[r, i2]
        out[rows] += alpha
    return out


def linear_quantiles(sorted_rows: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``np.quantile(row, q_row)`` ('linear') for each row of presorted data.

    ``sorted_rows`` (m, n) is sorted along axis 1, ``q`` is (m, k) float32.
    The arithmetic is numpy's own, step by step and in the same dtypes
    (virtual index ``(n - 1) q``, the two neighbours, ``a + (b - a) g`` or,
    for ``g >= 0.5``, ``b - (b - a)(1 - g)``), so the result equals
    ``np.quantile`` bit for bit while sorting each row once for all its
    quantiles instead of once per call.
    """
    n = sorted_rows.shape[1]
    virtual = (n - 1) * q
    previous = np.floor(virtual)
    above = virtual >= n - 1
    previous_index = previous.astype(np.intp)
    next_index = previous_index + 1
    previous_index[above] = n - 1
    next_index[above] = n - 1
    # numpy subtracts the (clipped to -1) integer index; that only differs
    # from ``virtual - previous`` where both neighbours are the last value
    gamma = np.asarray(virtual - np.where(above, -1, previous_index), q.dtype)
    a = np.take_along_axis(sorted_rows, previous_index, axis=1)
    b = np.take_along_axis(sorted_rows, next_index, axis=1)
    difference = b - a
    result = a + difference * gamma
    np.subtract(b, difference * (1 - gamma), out=result, where=gamma >= 0.5)
    return result


def fit_biases(
    values: np.ndarray, starts: np.ndarray, lengths: np.ndarray, n_channels: int,
    dilations: np.ndarray, n_features_per_dilation: np.ndarray,
    quantile_values: np.ndarray, channels: np.ndarray, channel_offsets: np.ndarray,
    example_indices: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Biases: quantiles of one training example's full ('same') kernel output.

    For combination ``(dilation, kernel)`` number ``m``, the example is
    ``example_indices[m]`` and the quantiles are those at the positions of
    that combination's features in the output, as in the reference code.
    The convolutions run in numba; the quantiles equal ``np.quantile``'s,
    computed for all kernels of a dilation whose examples share a length at
    once (one sort per output, see :func:`linear_quantiles`).
    """
    biases = np.empty(N_KERNELS * int(n_features_per_dilation.sum()), np.float32)
    feature = 0
    for d, dilation in enumerate(dilations):
        examples = example_indices[d * N_KERNELS : (d + 1) * N_KERNELS]
        offsets = channel_offsets[d * N_KERNELS : (d + 1) * N_KERNELS + 1]
        example_lengths = lengths[examples]
        n_this = int(n_features_per_dilation[d])
        q = quantile_values[feature : feature + N_KERNELS * n_this]
        q = q.reshape(N_KERNELS, n_this)
        these = biases[feature : feature + N_KERNELS * n_this].reshape(N_KERNELS, -1)
        for length in np.unique(example_lengths):
            selected = np.where(example_lengths == length, examples, -1)
            rows = example_outputs(
                values, starts, lengths, n_channels, int(dilation), channels,
                offsets, selected, int(length),
            )  # fmt: skip
            rows.sort(axis=1)
            kernels = np.flatnonzero(selected >= 0)
            these[kernels] = linear_quantiles(rows, q[kernels])
        feature += N_KERNELS * n_this
    return biases


@_numba.jit(inline="always")
def four_biases(biases, b):
    """Biases ``b .. b + 3`` for one pass of a PPV counting loop.

    Past the end the last bias is repeated: a last pass with fewer than
    four biases left fills its spare lanes (the caller keeps only the
    counts it needs), so every pass is the same four-lane loop.
    """
    last = len(biases) - 1
    return (
        biases[b],
        biases[min(b + 1, last)],
        biases[min(b + 2, last)],
        biases[min(b + 3, last)],
    )


@_numba.jit(inline="always")
def pooling_range(length, dilation, dilation_index, kernel):
    """Where PPV is taken: all of C, or only its unpadded ('valid') part.

    Padding alternates: (dilation_index + kernel) even uses padding, odd does
    not. A series too short to have a valid part for this dilation falls back
    to the padded output rather than to an empty mean.
    """
    if (dilation_index + kernel) % 2 == 0:
        return 0, length
    padding = ((KERNEL_LENGTH - 1) * dilation) // 2
    if length - 2 * padding <= 0:
        return 0, length
    return padding, length - padding


def check_kernel_params(estimator: Any, min_features: int, why: str = "") -> None:
    """Check the parameters MiniRocket and MultiRocket share.

    ``n_features`` (at least ``min_features``; ``why`` explains the minimum),
    ``max_dilations_per_kernel`` and ``reference_length`` ('max', 'median',
    'min' or an int of at least the estimator's ``_min_length``).
    """
    name = type(estimator).__name__
    n_features = check_positive_int(estimator.n_features, "n_features", estimator)
    if n_features < min_features:
        raise ValueError(
            f"{name}: n_features must be at least {min_features}{why}, "
            f"got {n_features}."
        )
    check_positive_int(
        estimator.max_dilations_per_kernel, "max_dilations_per_kernel", estimator
    )
    setting, minimum = estimator.reference_length, estimator._min_length
    if not (
        setting in ("max", "median", "min")
        or isinstance(setting, int | np.integer)
        and setting >= minimum
    ):
        raise ValueError(
            f"{name}: reference_length must be 'max', 'median', 'min' or an int "
            f">= {minimum}, got {setting!r}."
        )


def reference_length(setting: str | int, lengths: np.ndarray) -> int:
    """The series length the dilations are fitted for: a statistic of the
    training lengths ('max', 'median', 'min') or a given int."""
    if isinstance(setting, str):
        return int(getattr(np, setting)(lengths))
    return int(setting)


class FittedRepresentation(NamedTuple):
    """The fitted MiniRocket parameters of one representation.

    MiniRocket has one (the series); MultiRocket two (the series and its
    first difference). A NamedTuple, so numba takes it as one kernel
    argument and the kernels read its fields by name.

    Attributes
    ----------
    dilations : ndarray of int32, shape (n_dilations,)
    n_features_per_dilation : ndarray of int32, shape (n_dilations,)
        Biases (features) per kernel at each dilation.
    biases : ndarray of float32, shape (84 * n_features_per_dilation.sum(),)
        In (dilation, kernel, bias) order.
    channels : ndarray of int32
        The channel subsets of the ``n_dilations * 84`` (dilation, kernel)
        combinations, flat.
    channel_offsets : ndarray of int64, shape (n_dilations * 84 + 1,)
        Combination ``m`` sums channels
        ``channels[channel_offsets[m]:channel_offsets[m + 1]]``.

    Examples
    --------
    >>> import numpy as np
    >>> batch = SeriesBatch.from_cases(np.random.default_rng(0).normal(size=(4, 1, 30)))
    >>> fitted = fit_representation(batch, 30, 168, 32, np.random.RandomState(0))
    >>> fitted.dilations.tolist(), fitted.n_features_per_dilation.tolist()
    ([1, 3], [1, 1])
    >>> fitted.n_features  # 84 kernels x 2 biases
    168
    """

    dilations: np.ndarray
    n_features_per_dilation: np.ndarray
    biases: np.ndarray
    channels: np.ndarray
    channel_offsets: np.ndarray

    @property
    def n_features(self) -> int:
        """Number of (dilation, kernel, bias) triples."""
        return len(self.biases)


def fit_representation(
    batch: SeriesBatch,
    length: int,
    n_features: int,
    max_dilations_per_kernel: int,
    rng: np.random.RandomState,
) -> FittedRepresentation:
    """Fit MiniRocket to ``batch`` as the reference ``fit``.

    Dilations for series of length ``length`` (see :func:`fit_dilations`),
    then, from ``rng`` in this order, the channel subsets
    (:func:`draw_channels`) and one training example per (dilation, kernel),
    whose output's quantiles are the biases (:func:`fit_biases`).
    """
    dilations, n_features_per_dilation = fit_dilations(
        length, n_features, max_dilations_per_kernel
    )
    n_combinations = len(dilations) * N_KERNELS
    channels, channel_offsets = draw_channels(n_combinations, batch.n_channels, rng)
    example_indices = rng.randint(len(batch), size=n_combinations)
    biases = fit_biases(
        batch.values,
        batch.starts,
        batch.lengths,
        batch.n_channels,
        dilations,
        n_features_per_dilation,
        quantiles(N_KERNELS * int(n_features_per_dilation.sum())),
        channels,
        channel_offsets,
        example_indices,
    )
    return FittedRepresentation(
        dilations, n_features_per_dilation, biases, channels, channel_offsets
    )


def representation_attribute(representation: str, field: str) -> property:
    """A read-only estimator attribute: ``field`` of the FittedRepresentation
    stored in the estimator's attribute ``representation``."""

    def get(estimator):
        return getattr(getattr(estimator, representation), field)

    return property(get, doc=f"``{representation}.{field}``, see FittedRepresentation.")
