"""Fitting one MiniRocket representation: dilations, channel subsets, and
the biases, quantiles of one training example's output per (dilation,
kernel) combination (Dempster, Schmidt & Webb 2021).

Each example output is computed in the transform's float32 order, so a
training case's output here equals its output in the transform, and its
quantiles equal ``np.quantile``'s, in one of two ways that give the same
biases (``tests/transformers/test_fitting.py``):

* series shorter than ``COMPILED_FIT_LENGTH``: plain numpy, all kernels of
  a dilation at once, whatever their examples' lengths
  (:func:`example_outputs`), each output then sorted (numpy's vectorised
  sort);
* longer series: the compiled ``_bias_kernel.ranked_outputs``, which finds
  only the ranks the quantiles need (:func:`compiled_quantiles`).
"""

from __future__ import annotations

import numpy as np

from .. import _numba
from ._base import SeriesBatch
from ._bias_kernel import ranked_outputs
from ._dilations import (
    KERNEL_INDICES,
    KERNEL_LENGTH,
    N_KERNELS,
    FittedRepresentation,
    draw_channels,
    fit_dilations,
    quantiles,
)

# series length from which the biases come from the compiled kernel: a first
# call on shorter series then compiles only the transform
COMPILED_FIT_LENGTH = 1000


def fit_representation(
    batch: SeriesBatch,
    length: int,
    n_features: int,
    max_dilations_per_kernel: int,
    rng: np.random.RandomState,
    n_threads: int = 1,
) -> FittedRepresentation:
    """Fit MiniRocket to ``batch`` as the reference ``fit``.

    Dilations for series of length ``length`` (see
    :func:`~._dilations.fit_dilations`), then, from ``rng`` in this order, the
    channel subsets (:func:`~._dilations.draw_channels`) and one training
    example per (dilation, kernel), whose output's quantiles are the biases
    (:func:`fit_biases`, on up to ``n_threads`` threads; the biases do not
    depend on them).

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
    dilations, n_features_per_dilation = fit_dilations(
        length, n_features, max_dilations_per_kernel
    )
    n_combinations = len(dilations) * N_KERNELS
    channels, channel_offsets = draw_channels(n_combinations, batch.n_channels, rng)
    example_indices = rng.randint(len(batch), size=n_combinations)
    biases = fit_biases(
        batch.values, batch.starts, batch.lengths, batch.n_channels,
        dilations, n_features_per_dilation,
        quantiles(N_KERNELS * int(n_features_per_dilation.sum())),
        channels, channel_offsets, example_indices, n_threads,
    )  # fmt: skip
    return FittedRepresentation(
        dilations, n_features_per_dilation, biases, channels, channel_offsets
    )


def fit_biases(
    values: np.ndarray, starts: np.ndarray, lengths: np.ndarray, n_channels: int,
    dilations: np.ndarray, n_features_per_dilation: np.ndarray,
    quantile_values: np.ndarray, channels: np.ndarray, channel_offsets: np.ndarray,
    example_indices: np.ndarray, n_threads: int = 1,
) -> np.ndarray:  # fmt: skip
    """Biases: quantiles of one training example's full ('same') kernel output.

    For combination ``(dilation, kernel)`` number ``m``, the example is
    ``example_indices[m]`` and the quantiles are those at the positions of
    that combination's features in the output, as in the reference code.
    They equal ``np.quantile``'s (see :func:`linear_quantiles`), computed
    for all kernels of a dilation whose examples share a length at once.
    When the compiled kernel fits them (long series; it releases the GIL),
    the dilations run on ``n_threads`` threads; numpy's path stays on one
    (its many small operations hold the GIL between them).
    """
    biases = np.empty(N_KERNELS * int(n_features_per_dilation.sum()), np.float32)
    per_dilation = N_KERNELS * n_features_per_dilation
    first_feature = np.concatenate(([0], np.cumsum(per_dilation)))

    def fit_dilation(d: int) -> None:
        n_this = int(n_features_per_dilation[d])
        start, stop = first_feature[d], first_feature[d + 1]
        these = biases[start:stop].reshape(N_KERNELS, n_this)
        q = quantile_values[start:stop].reshape(N_KERNELS, n_this)
        examples = example_indices[d * N_KERNELS : (d + 1) * N_KERNELS]
        offsets = channel_offsets[d * N_KERNELS : (d + 1) * N_KERNELS + 1]
        example_lengths = lengths[examples]
        arguments = (values, starts, lengths, n_channels, int(dilations[d]))
        short = example_lengths < COMPILED_FIT_LENGTH
        for length in np.unique(example_lengths[~short]):
            kernels = np.flatnonzero(example_lengths == length)
            these[kernels] = compiled_quantiles(
                *arguments, channels, offsets, examples, kernels, int(length),
                q[kernels],
            )  # fmt: skip
        if short.any():
            # all short examples at once, whatever their lengths: one numpy
            # pass per dilation, not one per distinct length
            kernels = np.flatnonzero(short)
            selected = np.where(short, examples, -1)
            rows = example_outputs(*arguments, channels, offsets, selected)
            row_lengths = example_lengths[kernels]
            these[kernels] = linear_quantiles(
                sort_within(rows, row_lengths), q[kernels], row_lengths
            )

    def fit_dilations_in(first: int, stop: int) -> None:
        for d in range(first, stop):
            fit_dilation(d)

    compiled = int(lengths[example_indices].max()) >= COMPILED_FIT_LENGTH
    threads = n_threads if compiled else 1
    _numba.run_in_chunks(fit_dilations_in, len(dilations), threads, 1)
    return biases


def compiled_quantiles(
    values: np.ndarray, starts: np.ndarray, lengths: np.ndarray, n_channels: int,
    dilation: int, channels: np.ndarray, channel_offsets: np.ndarray,
    examples: np.ndarray, kernels: np.ndarray, length: int, q: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """:func:`linear_quantiles` of the outputs of ``kernels`` (of 0..83) at
    ``dilation``, each on its example of length ``length``, from
    ``_bias_kernel.ranked_outputs``, which finds the two neighbours of each
    quantile without sorting the output (a row it cannot settle is sorted
    here)."""
    previous_index, next_index, gamma = quantile_ranks(length, q)
    wanted = np.concatenate((previous_index, next_index), axis=1)
    # the kernel wants each row's ranks ascending; the values go back after
    order = np.argsort(wanted, axis=1, kind="stable")
    ranks = np.take_along_axis(wanted, order, axis=1).astype(np.int64)
    outputs = np.empty((len(kernels), length), dtype=np.float32)
    found = np.empty(ranks.shape, dtype=np.float32)
    unresolved = np.zeros(len(kernels), dtype=np.bool_)
    ranked_outputs(
        values, starts, lengths, n_channels, dilation,
        kernels.astype(np.int64), examples[kernels].astype(np.int64),
        channels, channel_offsets[kernels], channel_offsets[kernels + 1],
        ranks, outputs, found, unresolved,
    )  # fmt: skip
    if unresolved.any():
        rows = np.sort(outputs[unresolved], axis=1)
        found[unresolved] = np.take_along_axis(rows, ranks[unresolved], axis=1)
    neighbours = np.empty_like(found)
    np.put_along_axis(neighbours, order, found, axis=1)
    n_quantiles = q.shape[1]
    return interpolate(neighbours[:, :n_quantiles], neighbours[:, n_quantiles:], gamma)


def quantile_ranks(
    n: int | np.ndarray, q: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """numpy's 'linear' quantiles ``q`` of ``n`` sorted values: the ranks of
    the two neighbours of each and the weight ``gamma`` of the upper one.
    ``n`` is one count, or one per row of ``q`` (shape (m, 1)).

    The arithmetic is numpy's own, step by step and in the same dtypes
    (virtual index ``(n - 1) q``, clipped at the last value): ``n - 1`` is
    exact in q's dtype, as numpy takes a Python int.
    """
    last = np.asarray(n, dtype=np.intp) - 1
    virtual = last.astype(q.dtype) * q
    previous = np.floor(virtual)
    above = virtual >= last
    previous_index = previous.astype(np.intp)
    next_index = previous_index + 1
    previous_index = np.where(above, last, previous_index)
    next_index = np.where(above, last, next_index)
    # numpy subtracts the (clipped to -1) integer index; that only differs
    # from ``virtual - previous`` where both neighbours are the last value
    gamma = np.asarray(virtual - np.where(above, -1, previous_index), q.dtype)
    return previous_index, next_index, gamma


def interpolate(a: np.ndarray, b: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """numpy's 'linear' interpolation between neighbours ``a <= b``:
    ``a + (b - a) g``, or ``b - (b - a)(1 - g)`` where ``g >= 0.5``."""
    difference = b - a
    result = a + difference * gamma
    np.subtract(b, difference * (1 - gamma), out=result, where=gamma >= 0.5)
    return result


def linear_quantiles(
    sorted_rows: np.ndarray, q: np.ndarray, row_lengths: np.ndarray | None = None
) -> np.ndarray:
    """``np.quantile(row, q_row)`` ('linear') for each row of presorted data.

    ``sorted_rows`` (m, n) is sorted along axis 1, ``q`` is (m, k) float32;
    with ``row_lengths``, only the first ``row_lengths[i]`` values of row i
    are its data. Equal to ``np.quantile`` bit for bit
    (:func:`quantile_ranks`, :func:`interpolate`) while sorting each row
    once for all its quantiles instead of once per call.
    """
    n = sorted_rows.shape[1] if row_lengths is None else row_lengths[:, None]
    previous_index, next_index, gamma = quantile_ranks(n, q)
    a = np.take_along_axis(sorted_rows, previous_index, axis=1)
    b = np.take_along_axis(sorted_rows, next_index, axis=1)
    return interpolate(a, b, gamma)


def sort_within(rows: np.ndarray, row_lengths: np.ndarray) -> np.ndarray:
    """Each row's first ``row_lengths[i]`` values sorted, in place; the rest
    of the row (beyond its example's end) set to +inf, after them."""
    rows[np.arange(rows.shape[1]) >= row_lengths[:, None]] = np.inf
    rows.sort(axis=1)
    return rows


def example_outputs(
    values: np.ndarray, starts: np.ndarray, lengths: np.ndarray, n_channels: int,
    dilation: int, channels: np.ndarray, channel_offsets: np.ndarray,
    examples: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Full-length ('same') outputs of kernels ``0..83`` at one dilation, each
    on its own example, for the kernels with an example.

    ``examples[k]`` is kernel k's example (-1: none). Returns (n_selected,
    longest example) float32 rows for those kernels in order; row i holds
    its output in the first ``lengths[example]`` values. A shorter example
    is computed as if padded with zeros to the longest, which leaves its
    own output unchanged: the 'same' output pads with zeros beyond the
    end. Plain numpy; the float32 additions happen in the same order as in
    the transform (:func:`~._dilations.dilation_alpha`,
    :func:`~._dilations.kernel_output`), so a training case's output here
    equals its output there bit for bit.
    """
    kernels = np.flatnonzero(examples >= 0)
    row_lengths = lengths[examples[kernels]]
    length = int(row_lengths.max())
    equal = bool((row_lengths == length).all())
    pad = 4 * dilation
    taps = pad + (np.arange(KERNEL_LENGTH) - 4) * dilation
    t = np.arange(length)
    sizes = np.diff(channel_offsets)[kernels]
    out = np.zeros((len(kernels), length), dtype=np.float32)
    # channel by channel of each subset, as kernel_output sums them
    for position in range(int(sizes.max())):
        rows = np.flatnonzero(sizes > position)
        chosen = channels[channel_offsets[kernels[rows]] + position]
        first = starts[examples[kernels[rows]]] + chosen * row_lengths[rows]
        xp = np.zeros((len(rows), length + 2 * pad + 1), dtype=np.float32)
        if equal:  # the masks below took 7x as long (84 x 500 points)
            # rows of a view of every window of `length` values: one copy
            # per row, ~10x faster than gathering 84 x 500 single values
            by_start = np.lib.stride_tricks.sliding_window_view(values, length)
            xp[:, pad : pad + length] = by_start[first]
        else:
            inside = t < row_lengths[rows, None]  # beyond the end: zero padding
            xp[:, pad : pad + length] = np.where(
                inside, values[np.where(inside, first[:, None] + t, 0)], 0
            )
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
        if len(rows) == len(out):  # every kernel: no gather and scatter
            out += alpha
        else:
            out[rows] += alpha
    return out
