"""Hydra (Dempster, Schmidt & Webb, DMKD 2023), with the transform in
numpy/Numba (the reference code is PyTorch)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _numba
from .._validation import check_positive_int
from ._base import BaseConvolutionTransformer, SeriesBatch, case_view, difference
from ._dilations import KERNEL_LENGTH
from ._restriction import select_columns

# Timepoints convolved per tile: n_kernels rows of this many float32 stay in
# L1 cache while the arg-max/arg-min pass reads them back.
_TILE = 512


def hydra_dilations(length: int) -> np.ndarray:
    """``2 ** arange(int(log2((length - 1) / 8)) + 1)``, as the reference."""
    max_exponent = np.log2((length - 1) / (KERNEL_LENGTH - 1))
    return (2 ** np.arange(int(max_exponent) + 1)).astype(np.int64)


@_numba.jit
def _group_input(series, channels, out):
    """Sum of the (possibly repeated) channels ``channels`` of ``series``."""
    length = out.shape[0]
    for t in range(length):
        out[t] = 0.0
    for c in channels:
        for t in range(length):
            out[t] += series[c, t]


@_numba.jit(inline="always")
def _convolve_tile(padded, t0, n, dilation, weights, tile):
    """``tile[k, :n]`` = output of kernel k at timepoints ``t0 .. t0 + n``."""
    for k in range(weights.shape[0]):
        out = tile[k, :n]
        for t in range(n):
            out[t] = 0.0
        for j in range(KERNEL_LENGTH):
            w = weights[k, j]
            source = padded[t0 + j * dilation : t0 + j * dilation + n]
            for t in range(n):
                out[t] += w * source[t]


@_numba.jit(inline="always")
def _tile_winners(tile, n, n_kernels, best, best_k, worst, worst_k):
    """Largest and smallest output per timepoint and their kernels, the first
    (lowest) kernel on ties.

    Kernel by kernel over all timepoints, with selects instead of branches:
    the loop vectorises, and no branch mispredicts on which kernel wins
    (1.9-3.4x faster Hydra transforms than a loop over kernels per
    timepoint; docs/results/speed.md).
    """
    b, bk, w, wk = best[:n], best_k[:n], worst[:n], worst_k[:n]
    first = tile[0, :n]
    for t in range(n):
        b[t] = first[t]
        w[t] = first[t]
        bk[t] = 0
        wk[t] = 0
    for k in range(1, n_kernels):
        values = tile[k, :n]
        kernel = np.int32(k)
        for t in range(n):
            value = values[t]
            greater = value > b[t]
            less = value < w[t]
            bk[t] = kernel if greater else bk[t]
            b[t] = value if greater else b[t]
            wk[t] = kernel if less else wk[t]
            w[t] = value if less else w[t]


@_numba.jit
def _count_group(
    padded, length, dilation, weights, row, first_max, first_min, tile, winners
):
    """Convolve one group of kernels with one series and count the winners.

    ``padded`` is the series with ``4 * dilation`` zeros on each side ('same'
    padding), ``weights`` (n_kernels, 9), ``tile`` scratch of shape
    (n_kernels + 2, _TILE) and ``winners`` int32 scratch of shape
    (2, _TILE). At every timepoint the kernel with the largest output adds
    that output to ``row[first_max + kernel]`` and the kernel with the
    smallest output adds 1 to ``row[first_min + kernel]``; ties go to the
    lowest kernel index, as ``torch.max``/``torch.min``. The sums run in
    timepoint order.
    """
    n_kernels = weights.shape[0]
    best, worst = tile[n_kernels], tile[n_kernels + 1]
    best_k, worst_k = winners[0], winners[1]
    for t0 in range(0, length, _TILE):
        n = min(_TILE, length - t0)
        _convolve_tile(padded, t0, n, dilation, weights, tile)
        _tile_winners(tile, n, n_kernels, best, best_k, worst, worst_k)
        for t in range(n):
            row[first_max + best_k[t]] += best[t]
            row[first_min + worst_k[t]] += 1.0


@_numba.jit(inline="always")
def _any(flags):
    """``flags.any()`` as a loop (ndarray.any costs ~0.3 s more compile time)."""
    for flag in flags:
        if flag:
            return True
    return False


@_numba.case_kernel
def _transform(
    values, starts, lengths, n_channels, dilations, weights, channels, computed, out
):
    """Hydra features of a packed batch, written into ``out``.

    ``weights``: (n_dilations, n_representations, n_groups, n_kernels, 9);
    ``channels``: (n_dilations, n_representations, n_groups, n_per_group),
    ignored when ``n_channels == 1``; ``computed``: (n_dilations,
    n_representations, n_groups) bool, the groups to compute (all of them
    but for a restricted transformer; the features of the others stay 0).
    """
    n_dilations, n_repr, n_groups, n_kernels, _ = weights.shape
    block = n_groups * n_kernels
    max_padding = (KERNEL_LENGTH - 1) * dilations[-1] // 2
    for case in range(len(starts)):
        series = case_view(values, starts, lengths, n_channels, case)
        length = series.shape[1]
        diff = difference(series)
        # no np.zeros: each use zeroes the part it needs (view[:] = 0.0)
        padded = np.empty(length + 2 * max_padding, dtype=np.float32)
        tile = np.empty((n_kernels + 2, _TILE), dtype=np.float32)
        winners = np.empty((2, _TILE), dtype=np.int32)
        row = out[case]
        row[:] = 0.0
        for d in range(n_dilations):
            dilation = dilations[d]
            padding = (KERNEL_LENGTH - 1) * dilation // 2
            for r in range(n_repr):
                if not _any(computed[d, r]):
                    continue
                source = series if r == 0 else diff
                n = length if r == 0 else length - 1
                first = (d * n_repr + r) * 2 * block
                view = padded[: n + 2 * padding]
                view[:] = 0.0
                # univariate: every group sees the same input, filled once
                # (a loop: an array-to-array slice assignment made numba
                # compile its shape-mismatch error message, ~3 s)
                if n_channels == 1:
                    for t in range(n):
                        view[padding + t] = source[0, t]
                for g in range(n_groups):
                    if not computed[d, r, g]:
                        continue
                    if n_channels > 1:
                        _group_input(
                            source, channels[d, r, g], view[padding : padding + n]
                        )
                    _count_group(
                        view,
                        n,
                        dilation,
                        weights[d, r, g],
                        row,
                        first + g * n_kernels,
                        first + block + g * n_kernels,
                        tile,
                        winners,
                    )


class Hydra(BaseConvolutionTransformer):
    """Hydra: competing random kernels, counted per group (dictionary-like).

    The Hydra transform of Dempster, Schmidt & Webb (2023), following the
    reference PyTorch code (``angus924/hydra``, ``code/hydra.py`` and, for
    more than one channel, ``code/hydra_multivariate.py``, as aeon's
    ``HydraTransformer``), in float32 with Numba:

    * dilations ``2 ** arange(int(log2((L - 1) / 8)) + 1)`` for the fit
      length ``L``; 'same' zero padding ``4 * dilation``;
    * ``n_groups`` groups of ``n_kernels`` kernels of length 9 per dilation;
      weights N(0, 1), then mean-centred and divided by their L1 norm
      (``sum |w|``), per kernel;
    * when ``n_groups > 1`` half the groups (``n_groups // 2``, so an odd
      ``n_groups`` loses one) see ``X`` and the other half ``diff(X)``
      (length ``L - 1``); with ``n_groups == 1`` the one group sees ``X``;
    * at every timepoint of a group's outputs, the kernel with the largest
      output adds that output to its "max" count (soft counting, the
      reference's ``scatter_add`` of ``max_values``), and the kernel with the
      smallest output adds 1 to its "min" count (hard counting, ``scatter_add``
      of ones); ties go to the lowest kernel index;
    * layout as the reference: for each dilation, for ``X`` then
      ``diff(X)``: the max counts (group-major, ``n_groups/2 x n_kernels``)
      then the min counts. Features:
      ``n_dilations * 2 * n_groups * n_kernels`` (``1,024 * n_dilations`` by
      default: 5,120 for L = 150, 6,144 for L = 500).

    Multivariate (more than one channel): each (dilation, representation,
    group) convolves the sum of ``clip(C // 2, 2, 8)`` channels drawn *with*
    replacement (so a channel may count twice), as the reference.

    Unequal length (a list): dilations come from the longest training series;
    each case is convolved on its own length. Series shorter than 9 (the
    kernel length; it also guarantees at least one dilation) are zero-padded
    to 9 with a :class:`~rocketconv._validation.ShortSeriesWarning`; the
    reference accepts 5 <= L < 9 unpadded (with one dilation).

    The published head (``rocketconv._registry.published_scaler``) is
    :class:`~rocketconv.scalers.SparseScaler` then
    ``RidgeClassifierCV(alphas=logspace(-3, 3, 10))``, as aeon's
    ``HydraClassifier`` that produced the bake-off results (the Hydra README
    example used ``RidgeClassifierCV(normalize=True)`` instead).

    Parameters
    ----------
    n_kernels : int, default=8
        Kernels per group (``k``).
    n_groups : int, default=64
        Groups per dilation (``g``), split between ``X`` and ``diff(X)``.
    missing_values : {None, "interpolate"}, default=None
        None raises on NaN; "interpolate" fills NaN by linear interpolation.
    n_jobs : int, default=1
        Numba threads over cases; -1 uses all cores. Output does not depend
        on it.
    random_state : int, RandomState instance or None, default=None
        Determines the weights and the channel draws.

    Attributes
    ----------
    dilations_ : ndarray of int64
    weights_ : ndarray of float32
        Shape ``(n_dilations, n_representations, n_groups // n_representations,
        n_kernels, 9)``; ``n_representations = min(2, n_groups)``.
    channels_ : ndarray of int64
        Shape ``(n_dilations, n_representations, n_groups // n_representations,
        n_per_group)``: the channel draws (unused for one channel).

    See Also
    --------
    rocketconv.MultiRocketHydra : Hydra and MultiRocket features side by side.
    rocketconv.SparseScaler : the scaler of Hydra's published head.
    rocketconv.RocketClassifier : a transformer and its published linear head.

    References
    ----------
    Dempster, A., Schmidt, D. F. and Webb, G. I. (2023). Hydra: competing
    convolutional kernels for fast and accurate time series classification.
    *Data Mining and Knowledge Discovery*.
    https://doi.org/10.1007/s10618-023-00939-3

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv import Hydra
    >>> X = np.random.default_rng(0).normal(size=(10, 1, 50))
    >>> features = Hydra(random_state=0).fit_transform(X)
    >>> features.shape  # int(log2(49 / 8)) + 1 = 3 dilations
    (10, 3072)
    >>> # first dilation, X: each of the 32 groups has one "min" winner per timepoint
    >>> bool((features[:, 256:512].sum(axis=1) == 32 * 50).all())
    True
    """

    _min_length = KERNEL_LENGTH

    def __init__(
        self,
        n_kernels: int = 8,
        n_groups: int = 64,
        missing_values: str | None = None,
        n_jobs: int | None = 1,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self._store_parameters(locals())

    def _check_params(self) -> None:
        check_positive_int(self.n_kernels, "n_kernels", self)
        check_positive_int(self.n_groups, "n_groups", self)

    def _fit(self, batch: SeriesBatch, rng: np.random.RandomState) -> None:
        self.dilations_ = hydra_dilations(int(batch.lengths.max()))
        n_repr = min(2, self.n_groups)
        n_groups = self.n_groups // n_repr
        weights = rng.standard_normal(
            (len(self.dilations_), n_repr, n_groups, self.n_kernels, KERNEL_LENGTH)
        )
        weights -= weights.mean(axis=-1, keepdims=True)
        weights /= np.abs(weights).sum(axis=-1, keepdims=True)
        self.weights_ = weights.astype(np.float32)
        n_per_group = int(np.clip(batch.n_channels // 2, 2, 8))
        self.channels_ = rng.randint(
            0, batch.n_channels, (len(self.dilations_), n_repr, n_groups, n_per_group)
        ).astype(np.int64)

    def _n_output_features(self) -> int:
        kept = getattr(self, "kept_features_", None)
        if kept is not None:
            return len(kept)
        n_dilations, n_repr, n_groups, n_kernels, _ = self.weights_.shape
        return n_dilations * n_repr * 2 * n_groups * n_kernels

    def _transform_into(self, batch: SeriesBatch, out: np.ndarray) -> None:
        computed = getattr(self, "_computed_groups", None)
        if computed is None:
            computed = np.ones(self.weights_.shape[:3], dtype=np.bool_)
        arguments = (
            batch.values,
            batch.starts,
            batch.lengths,
            batch.n_channels,
            self.dilations_,
            self.weights_,
            self.channels_,
            computed,
        )
        kept = getattr(self, "kept_features_", None)
        if kept is None:
            _transform(*arguments, out)
            return
        # the kept groups write into the full layout, the kept columns are
        # picked after
        out[:] = select_columns(
            lambda block: _transform(*arguments, block),
            len(batch),
            self._n_full_features,
            kept,
        )

    def _feature_units(self) -> np.ndarray:
        """Unit of each feature of the full output: its (dilation,
        representation, group), numbered in that order (``rocketconv.pruning``)."""
        n_dilations, n_repr, n_groups, n_kernels, _ = self.weights_.shape
        # per (dilation, representation): max counts then min counts, each
        # group-major with n_kernels features per group
        group = np.repeat(np.arange(n_groups), n_kernels)
        block = np.concatenate([group, group])
        pairs = np.arange(n_dilations * n_repr) * n_groups
        return (pairs[:, None] + block[None, :]).ravel()

    def _restriction(self, full: np.ndarray) -> dict[str, Any]:
        """Compute only the groups of kernels that the columns ``full`` need."""
        groups = self.weights_.shape[:3]  # (dilation, representation, group)
        computed = np.zeros(int(np.prod(groups)), dtype=np.bool_)
        computed[np.unique(self._feature_units()[full])] = True
        return {"_computed_groups": computed.reshape(groups)}
