"""Kernels, dilations, biases and the convolution itself, shared by MiniRocket
and MultiRocket (Dempster, Schmidt & Webb 2021; Tan et al. 2022).

The 84 kernels have length 9 and weights -1 everywhere except 2 at three of
the nine positions. With ``X_j`` the series shifted by ``(j - 4) * dilation``
(zeros shifted in), the output of kernel ``k`` is

    C = -sum_{j=0..8} X_j + 3 * sum_{j in positions(k)} X_j

so the first sum (``alpha``) and the nine ``3 * X_j`` (``gamma``) are computed
once per (case, dilation) and each kernel costs only three additions a point.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from numba import njit

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
    subsets = [rng.choice(n_channels, size, replace=False) for size in sizes]
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    return np.concatenate(subsets).astype(np.int32), offsets


@njit(cache=True)
def shifted_sums(series, dilation, alpha, gamma):
    """Fill ``alpha = -sum_j X_j`` and ``gamma[j] = 3 X_j`` for one dilation.

    ``series`` is (n_channels, length); ``alpha`` (n_channels, length) and
    ``gamma`` (9, n_channels, length) are preallocated scratch arrays.
    """
    shifted_sums_offset(series, dilation, 0, alpha, gamma)


@njit(cache=True)
def shifted_sums_offset(series, dilation, left_offset, alpha, gamma):
    """:func:`shifted_sums` with the four left taps moved by ``left_offset``.

    Tap ``j < 4`` reads ``X[t + (j - 4) * dilation + left_offset]``; taps
    ``j >= 4`` are unchanged. ``left_offset=0`` is the MiniRocket kernel;
    MultiRocket's reference transform of the first difference uses
    ``left_offset=1`` (see ``multirocket.py``). ``alpha``/``gamma`` may be
    longer than the series: only the first ``length`` points are written.
    """
    n_channels, length = series.shape
    for c in range(n_channels):
        for t in range(length):
            alpha[c, t] = -series[c, t]
            gamma[4, c, t] = 3.0 * series[c, t]
        for j in range(KERNEL_LENGTH):
            if j == 4:
                continue
            shift = (j - 4) * dilation
            if j < 4:
                shift += left_offset
            for t in range(length):
                source = t + shift
                if 0 <= source < length:
                    alpha[c, t] -= series[c, source]
                    gamma[j, c, t] = 3.0 * series[c, source]
                else:
                    gamma[j, c, t] = 0.0


@njit(cache=True)
def kernel_output(alpha, gamma, kernel, channels, out):
    """C for one kernel over a channel subset, summed channel by channel."""
    i0 = KERNEL_INDICES[kernel, 0]
    i1 = KERNEL_INDICES[kernel, 1]
    i2 = KERNEL_INDICES[kernel, 2]
    length = out.shape[0]
    for t in range(length):
        out[t] = 0.0
    for c in channels:
        for t in range(length):
            out[t] += alpha[c, t] + gamma[i0, c, t] + gamma[i1, c, t] + gamma[i2, c, t]


@njit(cache=True)
def case_view(values, starts, lengths, n_channels, case):
    """Case ``case`` of a packed SeriesBatch as a (n_channels, length) view."""
    length = lengths[case]
    start = starts[case]
    return values[start : start + n_channels * length].reshape((n_channels, length))


@njit(cache=True)
def _example_outputs(
    values, starts, lengths, n_channels, dilation, channels, channel_offsets,
    example_indices, outputs, output_starts,
):  # fmt: skip
    """Full-length ('same') output of each kernel at one dilation on its own
    example, kernel ``k`` into ``outputs[output_starts[k]:output_starts[k+1]]``."""
    for kernel in range(N_KERNELS):
        series = case_view(values, starts, lengths, n_channels, example_indices[kernel])
        length = series.shape[1]
        alpha = np.empty((n_channels, length), dtype=np.float32)
        gamma = np.empty((KERNEL_LENGTH, n_channels, length), dtype=np.float32)
        shifted_sums(series, dilation, alpha, gamma)
        subset = channels[channel_offsets[kernel] : channel_offsets[kernel + 1]]
        start = output_starts[kernel]
        kernel_output(alpha, gamma, kernel, subset, outputs[start : start + length])


def fit_biases(
    values, starts, lengths, n_channels, dilations, n_features_per_dilation,
    quantile_values, channels, channel_offsets, example_indices,
) -> np.ndarray:  # fmt: skip
    """Biases: quantiles of one training example's full ('same') kernel output.

    For combination ``(dilation, kernel)`` number ``m``, the example is
    ``example_indices[m]`` and the quantiles are those at the positions of
    that combination's features in the output, as in the reference code.
    The convolutions run in numba; the quantiles are numpy's own (numba's
    np.quantile takes about a minute to compile).
    """
    biases = np.empty(N_KERNELS * int(n_features_per_dilation.sum()), np.float32)
    feature = 0
    for d, dilation in enumerate(dilations):
        combinations = slice(d * N_KERNELS, (d + 1) * N_KERNELS)
        examples = np.ascontiguousarray(example_indices[combinations])
        output_starts = np.concatenate(([0], np.cumsum(lengths[examples])))
        outputs = np.empty(output_starts[-1], dtype=np.float32)
        _example_outputs(
            values, starts, lengths, n_channels, dilation, channels,
            channel_offsets[d * N_KERNELS : (d + 1) * N_KERNELS + 1],
            examples, outputs, output_starts,
        )  # fmt: skip
        n_this = int(n_features_per_dilation[d])
        for kernel in range(N_KERNELS):
            output = outputs[output_starts[kernel] : output_starts[kernel + 1]]
            biases[feature : feature + n_this] = np.quantile(
                output, quantile_values[feature : feature + n_this]
            )
            feature += n_this
    return biases


@njit(cache=True)
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


@njit(cache=True)
def first_difference(values, starts, lengths, n_channels):
    """The packed SeriesBatch of ``diff(X)`` (length ``L - 1`` per case).

    Returns ``(values, starts, lengths)`` of the differenced batch; values
    are float32 differences of the float32 series.
    """
    n_cases = len(starts)
    new_lengths = lengths - 1
    new_starts = np.empty(n_cases, dtype=np.int64)
    total = 0
    for case in range(n_cases):
        new_starts[case] = total
        total += n_channels * new_lengths[case]
    new_values = np.empty(total, dtype=np.float32)
    for case in range(n_cases):
        series = case_view(values, starts, lengths, n_channels, case)
        out = case_view(new_values, new_starts, new_lengths, n_channels, case)
        for c in range(n_channels):
            for t in range(new_lengths[case]):
                out[c, t] = series[c, t + 1] - series[c, t]
    return new_values, new_starts, new_lengths
