"""MiniRocket's transform of one-channel series: each kernel output is
counted against its biases as it is computed, never stored.

The multichannel kernel (``minirocket._transform``) writes every output
``C = pair + gamma[i2]`` to memory and reads it back once per four biases.
With one channel the output is one addition away from ``pair``, so the
counting loop adds it on the fly: one load more per point and bias group,
and no store and reload of ``C``.

Long series are cut into tiles of at most ``TILE`` points, each computed
through all kernels of a dilation before the next, so that ``alpha``,
``pair`` and the windows of the series a tile reads stay in the L1 cache.
The counts are integers added tile by tile, so tiling does not change them,
and each output value is the same float32 sum, in the same order, as the
multichannel kernel's: the features are that kernel's bit for bit.

The arrays the kernel writes between cases (the padded series, a tile's
``alpha`` and ``pair``, the counts) come from the caller's
:func:`workspace`, allocated once per batch: a kernel that allocates them
itself compiles one ``np.empty`` per array type, about half a second of a
first call (``docs/results/speed.md``, First call).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import _numba
from ._base import case_view
from ._counting_lanes import SLACK, count_above
from ._dilations import (
    KERNEL_INDICES,
    KERNEL_LENGTH,
    dilation_alpha,
    four_biases,
    pad_series_into,
    pooling_range,
    series_padding,
    tap_starts_into,
)

# points per tile: alpha, pair and the nine windows of the series a tile of
# a large dilation reads (~11 x 4 bytes a point) fit a 32 KiB L1 cache
TILE = 512
# integers up to 2**24 are exact float32 (PPV's counts and spans)
EXACT_FLOAT32 = 2**24


@_numba.jit(inline="always")
def _count_above(pair, pair_first, gamma, gamma_first, n, biases, counts):
    """``counts[b] += #{t < n : pair[pair_first + t] + gamma[gamma_first + t]
    > biases[b]}`` for each bias.

    Four biases per pass, in the vector lanes of
    :func:`~._counting_lanes.count_above` (eight, with sixteen vector
    registers, spilled the counts and was slower). A last
    pass with fewer than four biases left repeats the last one in the spare
    lanes and keeps only the counts it needs.
    """
    last = len(biases) - 1
    for b in range(0, last + 1, 4):
        c0, c1, c2, c3 = count_above(  # type: ignore[call-arg, var-annotated]
            pair, pair_first, gamma, gamma_first, n, four_biases(biases, b)
        )
        counts[b] += c0
        if b + 1 <= last:
            counts[b + 1] += c1
        if b + 2 <= last:
            counts[b + 2] += c2
        if b + 3 <= last:
            counts[b + 3] += c3


@_numba.jit(inline="always")
def _count_tile(gp, taps, tile_start, alpha, pair, plan, d, length, counts):
    """Add one tile's counts for every combination of dilation ``d``.

    The tile is the series' points ``tile_start .. tile_start + len(alpha)``;
    ``taps`` are where its nine windows start in the padded row ``gp``,
    ``pair`` is a workspace row (its first ``len(alpha)`` points are the
    tile's), and ``counts`` holds the dilation's features from its first one
    on.
    """
    size = len(alpha)
    bounds = plan.feature_offsets
    first = bounds[plan.combination_offsets[d]]
    pair_key = -1
    for m in range(plan.combination_offsets[d], plan.combination_offsets[d + 1]):
        kernel = plan.kernels[m]
        start, stop = pooling_range(
            length, plan.dilations[d], plan.dilation_indices[d], kernel
        )
        # the part of the pooled range [start, stop) inside this tile
        lo = max(start, tile_start) - tile_start
        hi = min(stop, tile_start + size) - tile_start
        if lo >= hi:
            continue
        # consecutive kernels share pair = (alpha + gamma[i0]) + gamma[i1]
        i0 = KERNEL_INDICES[kernel, 0]
        i1 = KERNEL_INDICES[kernel, 1]
        key = i0 * KERNEL_LENGTH + i1
        if key != pair_key:
            p = pair[:size]
            g0 = gp[taps[i0] : taps[i0] + size]
            g1 = gp[taps[i1] : taps[i1] + size]
            for t in range(size):
                p[t] = (alpha[t] + g0[t]) + g1[t]
            pair_key = key
        s2 = taps[KERNEL_INDICES[kernel, 2]]
        _count_above(
            pair,
            lo,
            gp,
            s2 + lo,
            hi - lo,
            plan.biases[bounds[m] : bounds[m + 1]],
            counts[bounds[m] - first : bounds[m + 1] - first],
        )


@_numba.jit(inline="always")
def _features_of_counts(plan, d, length, counts, valid, row):
    """PPV = count / span of the pooled range, for dilation ``d``'s features.

    A feature's span is the padded one (``length``) or the valid one; which,
    ``valid`` says feature by feature (:func:`_flag_valid_pooling`), so the
    dilation's features are one loop that LLVM vectorises rather than a
    short loop per kernel (that was ~15 % of a transform at length 150).

    Divided in float32 below ``EXACT_FLOAT32`` points: counts and spans are
    then exact float32, and their float32 quotient is the float64 quotient
    rounded to float32 (rounding twice, through float64, cannot differ for
    a division: 53 >= 2 * 24 + 2 bits). The features are the multichannel
    kernel's bit for bit either way.
    """
    dilation = plan.dilations[d]
    full = pooling_range(length, dilation, 0, 0)
    part = pooling_range(length, dilation, 0, 1)
    first = plan.feature_offsets[plan.combination_offsets[d]]
    stop = plan.feature_offsets[plan.combination_offsets[d + 1]]
    out = row[first:stop]
    is_valid = valid[first:stop]
    if length < EXACT_FLOAT32:
        full_span = np.float32(full[1] - full[0])
        valid_span = np.float32(part[1] - part[0])
        for f in range(len(out)):
            out[f] = np.float32(counts[f]) / (valid_span if is_valid[f] else full_span)
    else:
        for f in range(len(out)):
            span = part[1] - part[0] if is_valid[f] else full[1] - full[0]
            out[f] = counts[f] / span


@_numba.jit(inline="always")
def _flag_valid_pooling(plan, valid):
    """``valid[f]``: whether feature ``f`` is pooled over the valid part of
    its output, ``(dilation index + kernel) % 2 == 1`` (``pooling_range``)."""
    bounds = plan.feature_offsets
    for d in range(len(plan.dilations)):
        for m in range(plan.combination_offsets[d], plan.combination_offsets[d + 1]):
            odd = (plan.dilation_indices[d] + plan.kernels[m]) % 2 == 1
            for f in range(bounds[m], bounds[m + 1]):
                valid[f] = odd


@_numba.case_kernel
def transform(values, starts, lengths, plan, features, work):
    """MiniRocket features of a packed one-channel batch, into ``features``.

    ``plan`` is the :class:`~._restriction.ComputePlan` of the fitted
    representation, as in ``minirocket._transform``; ``work`` is the
    :class:`Workspace` of :func:`workspace` for this batch.
    """
    dilations = plan.dilations
    pad = series_padding(dilations)
    counts, taps, valid = work.counts, work.taps, work.valid
    _flag_valid_pooling(plan, valid)
    for case in range(len(starts)):
        series = case_view(values, starts, lengths, 1, case)
        length = series.shape[1]
        n_tiles = (length + TILE - 1) // TILE
        tile = (length + n_tiles - 1) // n_tiles
        xp, gp = work.padded[0:1], work.padded[1:2]
        pad_series_into(series, pad, xp, gp)
        # whole rows: the counting reads past a range's end (see workspace)
        gamma, pair = work.padded[1], work.tiles[1]
        alpha = work.tiles[0:1]
        for d in range(len(dilations)):
            combinations = plan.combination_offsets[d : d + 2]
            n_features = plan.feature_offsets[combinations[1]]
            n_features -= plan.feature_offsets[combinations[0]]
            for f in range(n_features):
                counts[f] = 0
            for tile_start in range(0, length, tile):
                size = min(tile, length - tile_start)
                tap_starts_into(pad + tile_start, dilations[d], 0, taps)
                dilation_alpha(xp, taps, size, alpha)
                _count_tile(
                    gamma, taps, tile_start, alpha[0, :size], pair,
                    plan, d, length, counts,
                )  # fmt: skip
            _features_of_counts(plan, d, length, counts, valid, features[case])


class Workspace(NamedTuple):
    """The arrays :func:`transform` writes between cases, allocated once per
    batch by the caller: numba then compiles no ``np.empty`` of its own
    (each array type is one more overload, ~0.1 s of a first call each)."""

    # rows SLACK points longer than needed: count_above reads whole vectors
    padded: np.ndarray  # (2, length + 2 pad + 1 + SLACK) float32: xp and gp
    tiles: np.ndarray  # (2, TILE + SLACK) float32: alpha and pair
    counts: np.ndarray  # (n_features,) int32: a dilation's, from 0
    taps: np.ndarray  # (9,) int64
    valid: np.ndarray  # (n_features,) bool: pooled over the valid part


def workspace(plan: Any, max_length: int) -> Workspace:
    """The :class:`Workspace` for series of up to ``max_length`` points.

    Nothing here is derived from the plan but the sizes: the kernel fills
    what it needs (``valid``) itself, in numba, rather than numpy spending
    ~40 us per call (a sixth of a one-case transform) on it.
    """
    pad = 4 * int(plan.dilations.max(initial=0))
    n_features = int(plan.feature_offsets[-1])
    return Workspace(
        padded=np.empty((2, max_length + 2 * pad + 1 + SLACK), dtype=np.float32),
        tiles=np.empty((2, min(TILE, max_length) + SLACK), dtype=np.float32),
        # int32, not int64: int64 transforms were ~3% slower at length 150
        counts=np.empty(n_features, dtype=np.int32),
        taps=np.empty(KERNEL_LENGTH, dtype=np.int64),
        valid=np.empty(n_features, dtype=np.bool_),
    )
