"""MultiRocket (Tan, Dempster, Bergmeir & Webb, DMKD 2022): the estimator and
its numba transform kernel.

MultiRocket is MiniRocket twice (on ``X`` and on its first difference), with
four pooling operators instead of one. Kernels, dilations, biases and channel
subsets come from ``_dilations`` and are shared with MiniRocket.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.utils.validation import check_is_fitted

from .. import _numba
from .._params import check_n_jobs
from ._base import BaseConvolutionTransformer, SeriesBatch, case_view, difference
from ._dilations import (
    KERNEL_LENGTH,
    N_KERNELS,
    check_kernel_params,
    dilation_alpha,
    kernel_output,
    padded_series,
    pooling_range,
    reference_length,
    representation_attribute,
    series_padding,
    tap_starts,
)
from ._fitting import fit_representation
from ._pooling_lanes import pool_lanes
from ._restriction import (
    ComputePlan,
    combination_of_features,
    empty_plan,
    full_plan,
    kept_feature_names,
    restricted_plan,
    select_columns,
)
from .minirocket import RepresentationAttributes

# Pooling operators per (dilation, kernel, bias), in the reference's order.
N_POOLING = 4
POOLING_NAMES = ("ppv", "lspv", "mpv", "mipv")


@_numba.jit(inline="always")
def _bias_lanes(biases, b, lanes):
    """``biases[b : b + lanes]`` as a tuple of 4 or 8 float32, the missing
    ones at the end repeating the last bias (their lanes are discarded)."""
    last = len(biases) - 1
    quad = (
        biases[min(b, last)],
        biases[min(b + 1, last)],
        biases[min(b + 2, last)],
        biases[min(b + 3, last)],
    )
    if lanes == 4:
        return quad
    return quad + (
        biases[min(b + 4, last)],
        biases[min(b + 5, last)],
        biases[min(b + 6, last)],
        biases[min(b + 7, last)],
    )


@_numba.jit(inline="always")
def _store(sums, span, n_lanes, row, f, block):
    """The four features of the first ``n_lanes`` lanes of a
    :func:`~._pooling_lanes.pool_lanes` result, from ``row[f]`` on."""
    counts, index_sums, totals, runs = sums
    for i in range(n_lanes):
        count = counts[i]
        row[f + i] = count / span
        row[f + i + block] = runs[i] + 1
        if count > 0:
            row[f + i + 2 * block] = totals[i] / count
            row[f + i + 3 * block] = index_sums[i] / count
        else:
            row[f + i + 2 * block] = 0.0
            row[f + i + 3 * block] = -1.0


@_numba.jit
def _pool_one_point(value, biases, row, first, block):
    """The four features of a pooled range of one point (LSPV is 0)."""
    for b in range(len(biases)):
        above = value > biases[b]
        row[first + b] = 1.0 if above else 0.0
        row[first + b + block] = 0.0
        row[first + b + 2 * block] = np.float64(value + biases[b]) if above else 0.0
        row[first + b + 3 * block] = 0.0 if above else -1.0


@_numba.jit
def _pool(output, start, stop, biases, row, first, block):
    """The four MultiRocket features of ``output[start:stop]`` for each bias.

    Feature ``f = first + b`` gets PPV at ``row[f]``, LSPV at
    ``row[f + block]``, MPV at ``row[f + 2 block]`` and MIPV at
    ``row[f + 3 block]``, with the reference ``transform`` loop's values:

    * PPV  = #(C > b) / n;
    * LSPV = longest gap between consecutive indices with C < b, counting
      the virtual indices 0 and n - 1 as such points (values equal to the
      bias end no stretch and start none);
    * MPV  = mean of (C + b) over C > b (0 when none);
    * MIPV = mean index (0-based, within the pooled range) of C > b (-1 when
      none).

    The reference computes all four in one branchy loop per bias; the
    comparisons are close to random, so branch mispredictions dominate. Here
    one vector loop computes them for 8 biases at a time (4 for a last group
    of at most 4; ``_pooling_lanes``).
    """
    span = stop - start
    n_biases = len(biases)
    if span < 2:  # pooling_range's spans have at least one point
        _pool_one_point(output[start], biases, row, first, block)
        return
    b = 0
    while n_biases - b > 4:
        sums = pool_lanes(output, start, stop, _bias_lanes(biases, b, 8))  # type: ignore[call-arg, var-annotated]
        _store(sums, span, min(8, n_biases - b), row, first + b, block)
        b += 8
    if b < n_biases:
        sums = pool_lanes(output, start, stop, _bias_lanes(biases, b, 4))  # type: ignore[call-arg]
        _store(sums, span, n_biases - b, row, first + b, block)


@_numba.jit
def _representation(series, left_offset, plan, row, first):
    """All ``4 * len(plan.biases)`` features of one case in one representation
    (``plan``, the ComputePlan of its FittedRepresentation, see
    ``_restriction``), from ``row[first]`` on."""
    n_channels, length = series.shape
    dilations = plan.dilations
    biases = plan.biases
    channels = plan.channels
    offsets = plan.channel_offsets
    bounds = plan.feature_offsets
    block = len(biases)
    pad = series_padding(dilations)
    xp, gp = padded_series(series, pad)
    alpha = np.empty((n_channels, length), dtype=np.float32)
    pair = np.empty((n_channels, length), dtype=np.float32)
    pair_key = np.empty(n_channels, dtype=np.int64)
    output = np.empty(length, dtype=np.float32)
    for d in range(len(dilations)):
        taps = tap_starts(pad, dilations[d], left_offset)
        dilation_alpha(xp, taps, length, alpha)
        pair_key[:] = -1
        index = plan.dilation_indices[d]
        for m in range(plan.combination_offsets[d], plan.combination_offsets[d + 1]):
            kernel = plan.kernels[m]
            subset = channels[offsets[m] : offsets[m + 1]]
            kernel_output(alpha, gp, taps, kernel, subset, pair, pair_key, output)
            start, stop = pooling_range(length, dilations[d], index, kernel)
            _pool(
                output,
                start,
                stop,
                biases[bounds[m] : bounds[m + 1]],
                row,
                first + bounds[m],
                block,
            )


@_numba.case_kernel
def _transform(values, starts, lengths, n_channels, base, diff, features):
    """MultiRocket features of a packed batch, written into ``features``:
    ``base`` (a ComputePlan) on each case, ``diff`` on its first difference.
    A restricted plan may leave a representation without combinations."""
    first_diff = N_POOLING * len(base.biases)
    # int64 values, not the literals 0 and 1: numba compiles a function once
    # per argument type, and a literal is a type of its own, so the two calls
    # below compiled _representation twice (~3 s more on a first call)
    zero, one = np.int64(0), np.int64(1)
    for case in range(len(starts)):
        series = case_view(values, starts, lengths, n_channels, case)
        row = features[case]
        if len(base.kernels) > 0:
            _representation(series, zero, base, row, zero)
        if len(diff.kernels) > 0:
            _representation(difference(series), one, diff, row, first_diff)


class MultiRocket(RepresentationAttributes, BaseConvolutionTransformer):
    """MultiRocket: MiniRocket kernels on X and diff(X), four pooling operators.

    The published MultiRocket (Tan, Dempster, Bergmeir & Webb, 2022), matching
    the reference code (``ChangWeiTan/MultiRocket``, ``multirocket.py``)
    detail for detail, in float32 with Numba:

    * two representations, the series ``X`` and its first difference
      ``diff(X)`` (length ``L - 1``), each with its own MiniRocket
      parameters: dilations fitted on ``L`` and ``L - 1``, biases from
      quantiles of one randomly drawn training case's output (as
      :class:`~rocketconv.MiniRocket`), channel subsets;
    * ``n_features // 2 // 4`` is the MiniRocket ``n_features`` of each
      representation (6,250 by default), so ``(6,250 // 84) * 84 = 6,216``
      (dilation, kernel, bias) triples per representation;
    * four pooling operators per triple, on the padded or the valid part of
      the output exactly as MiniRocket's PPV (padding alternates with
      ``(dilation index + kernel) % 2``), with the reference's definitions,
      which differ in detail from the paper's words:

      - PPV: ``mean(C > b)``;
      - LSPV: the longest gap between consecutive positions where
        ``C < b`` (strictly), positions 0 and ``n - 1`` counting as such
        positions whatever their value; so it measures stretches *between
        points below the bias*, and a value equal to the bias neither
        extends nor ends one;
      - MPV: the mean of ``C + b`` (not ``C`` or ``C - b``) over ``C > b``,
        0 when no value exceeds the bias;
      - MIPV: the mean 0-based index (within the pooled part) of the values
        ``C > b``, -1 when there are none;

    * feature layout as the reference: ``[X: PPV | LSPV | MPV | MIPV,
      diff(X): PPV | LSPV | MPV | MIPV]``, each block 6,216 features in
      MiniRocket order (dilation, kernel, bias): 49,728 features in all.

    One more reference detail is reproduced because the published results
    depend on it: the reference transform of ``diff(X)`` (length ``L - 1``)
    aligns its four left taps as if the series had length ``L``, so for
    ``diff(X)`` the kernel reads ``X[t + (j - 4) d + 1]`` for taps
    ``j < 4`` and ``X[t + (j - 4) d]`` for ``j >= 4``. Biases are fitted, as
    in the reference, with the unshifted kernel.

    Why aeon reports 79,968 features: aeon's ``MultiRocketClassifier``
    defaults to ``n_kernels=10_000`` and hands it to the transformer as the
    per-representation MiniRocket ``n_features``, so ``10,000 // 84 * 84 =
    9,996`` triples x 4 operators x 2 representations = 79,968. The
    reference (and aeon's ``MultiRocket`` transformer default,
    ``n_kernels=6_250``) use 50,000 / 2 / 4 = 6,250, giving 49,728.

    Multivariate: each (dilation, kernel) of each representation sums its
    output over a random channel subset of size
    ``int(2 ** U(0, log2(min(C, 9) + 1)))``, as MiniRocket. Here the subsets
    drawn for ``diff(X)`` are used both to fit its biases and to transform;
    the reference multivariate transform instead reuses the subsets of ``X``
    for ``diff(X)`` while its biases were fitted on other subsets, which
    leaves biases on the wrong scale; we do not reproduce that.

    Unequal length (a list): dilations come from ``reference_length`` (the
    longest training series by default) and ``reference_length - 1``; each
    case is convolved on its own length; a case too short to have a valid
    part for a dilation pools over the padded output instead. Series
    shorter than 10 (so that ``diff(X)`` has the kernel length 9) are
    zero-padded to 10 with a :class:`~rocketconv._validation.ShortSeriesWarning`.

    The reference head is ``StandardScaler`` followed by
    ``RidgeClassifierCV(alphas=logspace(-3, 3, 10))``
    (``rocketconv._registry.published_scaler``).

    Parameters
    ----------
    n_features : int, default=50_000
        Requested features; ``n_features // 8`` is rounded down to a
        multiple of 84, giving ``8 * 84 * (n_features // 8 // 84)`` features
        (49,728). At least 672.
    max_dilations_per_kernel : int, default=32
        Upper bound on distinct dilations per kernel and representation.
    reference_length : {"max", "median", "min"} or int, default="max"
        Length used to fit the dilations when training series differ in length.
    missing_values : {None, "interpolate"}, default=None
        None raises on NaN; "interpolate" fills NaN by linear interpolation.
    n_jobs : int, default=1
        Numba threads over cases; -1 uses all cores. Output does not depend
        on it.
    random_state : int, RandomState instance or None, default=None
        Determines the example each bias is fitted on and the channel subsets.

    Attributes
    ----------
    representation_, diff_representation_ : FittedRepresentation
        The MiniRocket parameters of ``X`` and of ``diff(X)``, each passed as
        one argument to the numba kernel; the arrays below are their fields
        (read-only).
    dilations_, n_features_per_dilation_, biases_ : ndarray
        MiniRocket parameters of the ``X`` representation.
    channels_, channel_offsets_ : ndarray
        Channel subsets of the ``X`` representation.
    dilations_diff_, n_features_per_dilation_diff_, biases_diff_ : ndarray
        The same for ``diff(X)``.
    channels_diff_, channel_offsets_diff_ : ndarray
    n_channels_ : int
    n_timepoints_ : int or None
        Training length (None when fitted on unequal-length series).

    See Also
    --------
    rocketconv.MiniRocket : the same kernels, PPV features only, on the series alone.
    rocketconv.MultiRocketHydra : MultiRocket and Hydra features side by side.
    rocketconv.RocketClassifier : a transformer and its published linear head.

    References
    ----------
    Tan, C. W., Dempster, A., Bergmeir, C. and Webb, G. I. (2022). MultiRocket:
    multiple pooling operators and transformations for fast and effective time
    series classification. *Data Mining and Knowledge Discovery* 36, 1623-1646.
    https://doi.org/10.1007/s10618-022-00844-1

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv import MultiRocket
    >>> X = np.random.default_rng(0).normal(size=(10, 1, 50))
    >>> features = MultiRocket(random_state=0).fit_transform(X)
    >>> features.shape
    (10, 49728)
    >>> bool(((features[:, :6216] >= 0) & (features[:, :6216] <= 1)).all())
    True
    """

    _min_length = KERNEL_LENGTH + 1

    def __init__(
        self,
        n_features: int = 50_000,
        max_dilations_per_kernel: int = 32,
        reference_length: str | int = "max",
        missing_values: str | None = None,
        n_jobs: int | None = 1,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self._store_parameters(locals())

    def _check_params(self) -> None:
        check_kernel_params(
            self,
            2 * N_POOLING * N_KERNELS,
            " (84 kernels x 4 pooling operators x 2 representations)",
        )

    def _fit(self, batch: SeriesBatch, rng: np.random.RandomState) -> None:
        length = reference_length(self.reference_length, batch.lengths)
        n_features = self.n_features // 2 // N_POOLING
        limit = self.max_dilations_per_kernel
        threads = check_n_jobs(self.n_jobs, self)
        self.representation_ = fit_representation(
            batch, length, n_features, limit, rng, threads
        )
        self.diff_representation_ = fit_representation(
            batch.difference(), length - 1, n_features, limit, rng, threads
        )
        # built once here, not per transform chunk (see MiniRocket)
        self._full_plans = (
            full_plan(self.representation_),
            full_plan(self.diff_representation_),
        )

    def _n_output_features(self) -> int:
        kept = getattr(self, "kept_features_", None)
        if kept is not None:
            return len(kept)
        return 2 * N_POOLING * self.representation_.n_features

    def _transform_into(self, batch: SeriesBatch, out: np.ndarray) -> None:
        arguments = (batch.values, batch.starts, batch.lengths, batch.n_channels)
        plans = getattr(self, "_plans", None)
        if plans is None:
            _transform(*arguments, *self._full_plans, out)
            return
        # a restricted plan computes all four operators of each kept
        # (dilation, kernel, bias) triple: the kept columns are picked after
        width = N_POOLING * (len(plans[0].biases) + len(plans[1].biases))
        out[:] = select_columns(
            lambda block: _transform(*arguments, *plans, block),
            len(batch),
            width,
            self._columns,
        )

    def _feature_units(self) -> np.ndarray:
        """Unit of each feature of the full output: its (representation,
        dilation, kernel) combination, ``X``'s combinations first."""
        base = combination_of_features(self.representation_)
        diff = combination_of_features(self.diff_representation_)
        n_base = N_KERNELS * len(self.representation_.dilations)
        return np.concatenate(
            [np.tile(base, N_POOLING), np.tile(diff + n_base, N_POOLING)]
        )

    def _restriction(self, full: np.ndarray) -> dict[str, Any]:
        """Compute, per representation, only the (dilation, kernel, bias)
        triples that the columns ``full`` need, each with its four operators."""
        block = self.representation_.n_features
        width = N_POOLING * block  # one representation's columns
        plans: list[ComputePlan] = []
        columns: list[np.ndarray] = []
        first = 0
        for r, fitted in enumerate((self.representation_, self.diff_representation_)):
            local = full[(full >= r * width) & (full < (r + 1) * width)] - r * width
            operator, triple = np.divmod(local, block)
            triples = np.unique(triple)
            n = len(triples)
            plans.append(restricted_plan(fitted, triples) if n else empty_plan())
            columns.append(first + operator * n + np.searchsorted(triples, triple))
            first += N_POOLING * n
        return {"_plans": tuple(plans), "_columns": np.concatenate(columns)}

    def get_feature_names_out(
        self, input_features: ArrayLike | None = None
    ) -> np.ndarray:
        """Names ``<representation>_<operator>_<index>``, e.g. ``diff_mpv_17``.

        ``index`` runs over the (dilation, kernel, bias) triples of that
        representation, in MiniRocket order (a restricted transformer names
        its kept columns of the full output).
        """
        check_is_fitted(self, "_n_features_out")
        block = len(self.biases_)
        names = [
            f"{representation}_{operator}_{i}"
            for representation in ("base", "diff")
            for operator in POOLING_NAMES
            for i in range(block)
        ]
        return kept_feature_names(self, names)

    dilations_diff_ = representation_attribute("diff_representation_", "dilations")
    n_features_per_dilation_diff_ = representation_attribute(
        "diff_representation_", "n_features_per_dilation"
    )
    biases_diff_ = representation_attribute("diff_representation_", "biases")
    channels_diff_ = representation_attribute("diff_representation_", "channels")
    channel_offsets_diff_ = representation_attribute(
        "diff_representation_", "channel_offsets"
    )
