"""MultiRocket (Tan, Dempster, Bergmeir & Webb, DMKD 2022): the estimator and
its numba transform kernel.

MultiRocket is MiniRocket twice (on ``X`` and on its first difference), with
four pooling operators instead of one. Kernels, dilations, biases and channel
subsets come from ``_dilations`` and are shared with MiniRocket.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from ._base import BaseConvolutionTransformer, SeriesBatch, serial_and_parallel
from ._dilations import (
    KERNEL_LENGTH,
    N_KERNELS,
    case_view,
    check_kernel_params,
    dilation_alpha,
    draw_channels,
    first_difference,
    fit_biases,
    fit_dilations,
    kernel_output,
    padded_series,
    pooling_range,
    quantiles,
    reference_length,
    tap_starts,
)

# Pooling operators per (dilation, kernel, bias), in the reference's order.
N_POOLING = 4
POOLING_NAMES = ("ppv", "lspv", "mpv", "mipv")


@njit(cache=True, fastmath={"reassoc"})
def _positive_sums(segment, bias):
    """Count, index sum and ``sum(C + b)`` over ``C > b`` in one SIMD pass.

    ``segment`` is the contiguous pooled range (indexing it from 0 lets LLVM
    use vector loads). The count is an int32 (compare, subtract the mask);
    the index sum is a float64 sum of int32 indices (int32 -> float64
    converts 4 at a time on AVX2, int64 does not), exact for segments
    shorter than 2**31 points since every partial sum is an integer below
    2**53. ``reassoc`` only lets LLVM vectorise the float64 sums; for the
    sum of ``C + b`` it changes the float64 total in its last bits, far
    below the float32 precision of the output.
    """
    count = np.int32(0)
    index_sum = 0.0
    total = 0.0
    for j in range(len(segment)):
        value = segment[j]
        above = value > bias
        count = np.int32(count + above)
        index_sum += np.float64(np.int32(j)) if above else 0.0
        total += np.float64(value + bias) if above else 0.0
    return count, index_sum, total


@njit(cache=True)
def _longest_stretches(output, start, stop, b0, b1, b2, b3):
    """LSPV for four biases at once (four independent dependency chains).

    With S = {0, n - 1} and the positions where ``C < b``, the reference's
    LSPV is the largest gap between consecutive members of S, i.e. one more
    than the longest run of positions ``1..n-2`` with ``C >= b`` (0 when
    n = 1).
    """
    r0 = r1 = r2 = r3 = 0
    m0 = m1 = m2 = m3 = 0
    for t in range(start + 1, stop - 1):
        value = output[t]
        r0 = r0 + 1 if value >= b0 else 0
        r1 = r1 + 1 if value >= b1 else 0
        r2 = r2 + 1 if value >= b2 else 0
        r3 = r3 + 1 if value >= b3 else 0
        m0 = max(m0, r0)
        m1 = max(m1, r1)
        m2 = max(m2, r2)
        m3 = max(m3, r3)
    if stop - start < 2:
        return 0, 0, 0, 0
    return m0 + 1, m1 + 1, m2 + 1, m3 + 1


@njit(cache=True)
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
    PPV/MPV/MIPV come from a vectorised pass and LSPV from a branch-free
    run-length scan over four biases at a time.
    """
    span = stop - start
    n_biases = len(biases)
    segment = output[start:stop]
    for b in range(n_biases):
        count, index_sum, total = _positive_sums(segment, biases[b])
        f = first + b
        row[f] = count / span
        if count > 0:
            row[f + 2 * block] = total / count
            row[f + 3 * block] = index_sum / count
        else:
            row[f + 2 * block] = 0.0
            row[f + 3 * block] = -1.0
    for b in range(0, n_biases, 4):
        # missing biases of the last quadruple repeat the last one (discarded)
        b1 = min(b + 1, n_biases - 1)
        b2 = min(b + 2, n_biases - 1)
        b3 = min(b + 3, n_biases - 1)
        stretches = _longest_stretches(
            output, start, stop, biases[b], biases[b1], biases[b2], biases[b3]
        )
        for i in range(min(4, n_biases - b)):
            row[first + b + i + block] = stretches[i]


@njit(cache=True)
def _representation(
    series,
    left_offset,
    dilations,
    n_features_per_dilation,
    biases,
    channels,
    channel_offsets,
    row,
    first,
    pad,
):
    """All ``4 * len(biases)`` features of one case in one representation."""
    n_channels, length = series.shape
    block = len(biases)
    xp, gp = padded_series(series, pad)
    alpha = np.empty((n_channels, length), dtype=np.float32)
    pair = np.empty((n_channels, length), dtype=np.float32)
    pair_key = np.empty(n_channels, dtype=np.int64)
    output = np.empty(length, dtype=np.float32)
    feature = 0
    combination = 0
    for d in range(len(dilations)):
        taps = tap_starts(pad, dilations[d], left_offset)
        dilation_alpha(xp, taps, length, alpha)
        pair_key[:] = -1
        n_this = n_features_per_dilation[d]
        for kernel in range(N_KERNELS):
            subset = channels[
                channel_offsets[combination] : channel_offsets[combination + 1]
            ]
            kernel_output(alpha, gp, taps, kernel, subset, pair, pair_key, output)
            start, stop = pooling_range(length, dilations[d], d, kernel)
            _pool(
                output,
                start,
                stop,
                biases[feature : feature + n_this],
                row,
                first + feature,
                block,
            )
            feature += n_this
            combination += 1


def _transform(
    values,
    starts,
    lengths,
    n_channels,
    dilations,
    n_features_per_dilation,
    biases,
    channels,
    channel_offsets,
    dilations_diff,
    n_features_per_dilation_diff,
    biases_diff,
    channels_diff,
    channel_offsets_diff,
    pad,
    pad_diff,
    features,
):
    """MultiRocket features of a packed batch, written into ``features``."""
    n_cases = len(starts)
    block = len(biases)
    for case in prange(n_cases):
        series = case_view(values, starts, lengths, n_channels, case)
        length = series.shape[1]
        row = features[case]
        _representation(
            series,
            0,
            dilations,
            n_features_per_dilation,
            biases,
            channels,
            channel_offsets,
            row,
            0,
            pad,
        )
        diff = np.empty((n_channels, length - 1), dtype=np.float32)
        for c in range(n_channels):
            for t in range(length - 1):
                diff[c, t] = series[c, t + 1] - series[c, t]
        _representation(
            diff,
            1,
            dilations_diff,
            n_features_per_dilation_diff,
            biases_diff,
            channels_diff,
            channel_offsets_diff,
            row,
            N_POOLING * block,
            pad_diff,
        )


# One body, two compilations (as MiniRocket): the parallel backend's compile
# time is only paid when n_jobs > 1.
_transform_serial, _transform_parallel = serial_and_parallel(_transform)


class MultiRocket(BaseConvolutionTransformer):
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

    The reference head (``_published_scaler``) is ``StandardScaler`` followed
    by ``RidgeClassifierCV(alphas=logspace(-3, 3, 10))``.

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
        random_state=None,
    ):
        self.n_features = n_features
        self.max_dilations_per_kernel = max_dilations_per_kernel
        self.reference_length = reference_length
        self.missing_values = missing_values
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _check_params(self) -> None:
        check_kernel_params(
            self,
            2 * N_POOLING * N_KERNELS,
            " (84 kernels x 4 pooling operators x 2 representations)",
        )

    def _fit_representation(
        self, values, starts, lengths, n_channels, length, rng
    ) -> tuple[np.ndarray, ...]:
        """MiniRocket parameters for one representation, as reference ``fit``."""
        dilations, n_features_per_dilation = fit_dilations(
            length,
            self.n_features // 2 // N_POOLING,
            self.max_dilations_per_kernel,
        )
        n_combinations = len(dilations) * N_KERNELS
        channels, channel_offsets = draw_channels(n_combinations, n_channels, rng)
        example_indices = rng.randint(len(starts), size=n_combinations)
        n_features_per_kernel = int(n_features_per_dilation.sum())
        biases = fit_biases(
            values,
            starts,
            lengths,
            n_channels,
            dilations,
            n_features_per_dilation,
            quantiles(N_KERNELS * n_features_per_kernel),
            channels,
            channel_offsets,
            example_indices,
        )
        return dilations, n_features_per_dilation, biases, channels, channel_offsets

    def _fit(self, batch: SeriesBatch, rng: np.random.RandomState) -> None:
        length = reference_length(self.reference_length, batch.lengths)
        (
            self.dilations_,
            self.n_features_per_dilation_,
            self.biases_,
            self.channels_,
            self.channel_offsets_,
        ) = self._fit_representation(
            batch.values, batch.starts, batch.lengths, batch.n_channels, length, rng
        )
        diff_values, diff_starts, diff_lengths = first_difference(
            batch.values, batch.starts, batch.lengths, batch.n_channels
        )
        (
            self.dilations_diff_,
            self.n_features_per_dilation_diff_,
            self.biases_diff_,
            self.channels_diff_,
            self.channel_offsets_diff_,
        ) = self._fit_representation(
            diff_values, diff_starts, diff_lengths, batch.n_channels, length - 1, rng
        )

    def _n_output_features(self) -> int:
        return 2 * N_POOLING * len(self.biases_)

    def _transform_cases_into(self, batch: SeriesBatch, out: np.ndarray) -> None:
        # numba_threads(n_jobs) in BaseConvolutionTransformer.transform set this
        parallel = numba.get_num_threads() > 1
        transform = _transform_parallel if parallel else _transform_serial
        transform(
            batch.values,
            batch.starts,
            batch.lengths,
            batch.n_channels,
            self.dilations_,
            self.n_features_per_dilation_,
            self.biases_,
            self.channels_,
            self.channel_offsets_,
            self.dilations_diff_,
            self.n_features_per_dilation_diff_,
            self.biases_diff_,
            self.channels_diff_,
            self.channel_offsets_diff_,
            4 * int(self.dilations_.max()),
            4 * int(self.dilations_diff_.max()),
            out,
        )

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Names ``<representation>_<operator>_<index>``, e.g. ``diff_mpv_17``.

        ``index`` runs over the (dilation, kernel, bias) triples of that
        representation, in MiniRocket order.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "_n_features_out")
        block = len(self.biases_)
        names = [
            f"{representation}_{operator}_{i}"
            for representation in ("base", "diff")
            for operator in POOLING_NAMES
            for i in range(block)
        ]
        return np.asarray(names, dtype=object)

    def _published_scaler(self):
        """The reference head's scaler: StandardScaler."""
        from sklearn.preprocessing import StandardScaler

        return StandardScaler()
