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
biases (``_fitting``) runs the same arithmetic.

A fitted representation (the series, or MultiRocket's first difference) is
one :class:`FittedRepresentation`, made by ``_fitting.fit_representation``
and passed as one argument to the numba kernels.

The per-case helpers below are compiled with ``inline="always"`` (about 25%
faster MiniRocket transforms than calls).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, NamedTuple

import numpy as np

from .. import _numba
from .._validation import check_positive_int

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
    xp = np.empty((n_channels, width), dtype=np.float32)
    gp = np.empty((n_channels, width), dtype=np.float32)
    pad_series_into(series, pad, xp, gp)
    return xp, gp


@_numba.jit(inline="always")
def pad_series_into(series, pad, xp, gp):
    """:func:`padded_series` written into the first ``length + 2 pad + 1``
    points of the rows of ``xp`` and ``gp`` (a caller's workspace)."""
    n_channels, length = series.shape
    width = length + 2 * pad + 1
    three = np.float32(3.0)
    # explicit zeros: np.zeros would compile one more overload
    for c in range(n_channels):
        for t in range(width):
            xp[c, t] = 0.0
            gp[c, t] = 0.0
        for t in range(length):
            xp[c, pad + t] = series[c, t]
            gp[c, pad + t] = three * series[c, t]


@_numba.jit(inline="always")
def tap_starts(pad, dilation, left_offset):
    """Where tap ``j`` starts in a padded row: ``pad + (j - 4) d``.

    Taps ``j < 4`` are moved by ``left_offset``: 0 is the MiniRocket kernel;
    MultiRocket's reference transform of the first difference uses 1 (see
    ``multirocket.py``).
    """
    taps = np.empty(KERNEL_LENGTH, dtype=np.int64)
    tap_starts_into(pad, dilation, left_offset, taps)
    return taps


@_numba.jit(inline="always")
def tap_starts_into(pad, dilation, left_offset, taps):
    """:func:`tap_starts` written into a caller's array of nine int64."""
    for j in range(KERNEL_LENGTH):
        taps[j] = pad + (j - 4) * dilation + (left_offset if j < 4 else 0)


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


def representation_attribute(representation: str, field: str) -> property:
    """A read-only estimator attribute: ``field`` of the FittedRepresentation
    stored in the estimator's attribute ``representation``."""

    def get(estimator):
        return getattr(getattr(estimator, representation), field)

    return property(get, doc=f"``{representation}.{field}``, see FittedRepresentation.")
