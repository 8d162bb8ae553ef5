"""MiniRocket (Dempster, Schmidt & Webb, KDD 2021): the estimator and its
numba transform kernel. Kernels, dilations and biases live in ``_dilations``
because MultiRocket uses them too."""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from .._validation import check_positive_int
from ._base import BaseConvolutionTransformer, SeriesBatch
from ._dilations import (
    KERNEL_LENGTH,
    N_KERNELS,
    case_view,
    draw_channels,
    fit_biases,
    fit_dilations,
    kernel_output,
    pooling_range,
    quantiles,
    shifted_sums,
)


@njit(cache=True, fastmath={"reassoc"})
def _ppv(segment, biases, out, first):
    """Proportion of ``segment > bias`` for each bias, into ``out[first:]``.

    A branch-free counting pass per bias over a contiguous slice, which numba
    vectorises (a loop from a non-zero start it does not; sorting once costs
    more for any realistic number of biases). The count is accumulated in
    float32 so that the reduction vectorises 8-wide; ``reassoc`` is exact
    here because every partial sum is an integer below 2**24.
    """
    span = len(segment)
    one = np.float32(1.0)
    zero = np.float32(0.0)
    for b in range(len(biases)):
        bias = biases[b]
        count = zero
        for t in range(span):
            count += one if segment[t] > bias else zero
        out[first + b] = count / span


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
):
    n_cases = len(starts)
    features = np.empty((n_cases, len(biases)), dtype=np.float32)
    for case in prange(n_cases):
        series = case_view(values, starts, lengths, n_channels, case)
        length = series.shape[1]
        alpha = np.empty((n_channels, length), dtype=np.float32)
        gamma = np.empty((KERNEL_LENGTH, n_channels, length), dtype=np.float32)
        output = np.empty(length, dtype=np.float32)
        row = features[case]
        feature = 0
        combination = 0
        for d in range(len(dilations)):
            shifted_sums(series, dilations[d], alpha, gamma)
            n_this = n_features_per_dilation[d]
            for kernel in range(N_KERNELS):
                subset = channels[
                    channel_offsets[combination] : channel_offsets[combination + 1]
                ]
                kernel_output(alpha, gamma, kernel, subset, output)
                start, stop = pooling_range(length, dilations[d], d, kernel)
                pooled = output[start:stop]
                _ppv(pooled, biases[feature : feature + n_this], row, feature)
                feature += n_this
                combination += 1
    return features


# One body, two compilations: numba's parallel backend costs ~3x the compile
# time, so a single-threaded transform (the default n_jobs=1) never pays it.
_transform_serial = njit(cache=True)(_transform)
_transform_parallel = njit(cache=True, parallel=True)(_transform)


class MiniRocket(BaseConvolutionTransformer):
    """MiniRocket: 84 fixed kernels, quantile biases, PPV features.

    The published MiniRocket (Dempster, Schmidt & Webb, 2021), univariate and
    multivariate, computed in float32 with Numba:

    * 84 kernels of length 9, weights -1 with 2 at each of the C(9, 3)
      placements of three positions;
    * ``n_features // 84`` features per kernel spread over up to
      ``max_dilations_per_kernel`` exponentially spaced dilations;
    * for each (dilation, kernel), biases are the quantiles ``frac(i * phi)``
      of the full-length ('same', zero-padded) output on ONE randomly drawn
      training case;
    * padding alternates: kernel ``k`` at dilation index ``d`` pools over the
      padded output when ``(d + k)`` is even, over the valid part otherwise;
    * feature = PPV = mean(C > bias), strictly greater.

    Multivariate: each (dilation, kernel) sums its output over a random
    channel subset of size ``int(2 ** U(0, log2(min(C, 9) + 1)))``.

    Unequal length (a list of arrays): dilations come from a reference length
    (``reference_length``, the longest training series by default, as
    sktime's ``MiniRocketMultivariateVariable``); each case is convolved on
    its own length with zeros shifted in; when a case is too short to have a
    valid (unpadded) part for a dilation, that feature pools over the padded
    output instead. Series shorter than 9 are zero-padded to 9 with a
    :class:`~rocketconv._validation.ShortSeriesWarning` (SPEC.md).

    Parameters
    ----------
    n_features : int, default=10_000
        Requested features; rounded down to a multiple of 84 (9,996).
    max_dilations_per_kernel : int, default=32
        Upper bound on distinct dilations per kernel.
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
    dilations_ : ndarray of int32
    n_features_per_dilation_ : ndarray of int32
    biases_ : ndarray of float32, shape (n_features_out,)
    channels_, channel_offsets_ : ndarray
        Flat channel subsets and their starts, one subset per (dilation, kernel).
    n_channels_ : int
    n_timepoints_ : int or None
        Training length (None when fitted on unequal-length series).

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv import MiniRocket
    >>> X = np.random.default_rng(0).normal(size=(10, 1, 50))
    >>> features = MiniRocket(random_state=0).fit_transform(X)
    >>> features.shape
    (10, 9996)
    >>> bool(((features >= 0) & (features <= 1)).all())
    True
    """

    _min_length = KERNEL_LENGTH

    def __init__(
        self,
        n_features: int = 10_000,
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
        n_features = check_positive_int(self.n_features, "n_features", self)
        if n_features < N_KERNELS:
            raise ValueError(
                f"MiniRocket: n_features must be at least {N_KERNELS}, got "
                f"{n_features}."
            )
        check_positive_int(
            self.max_dilations_per_kernel, "max_dilations_per_kernel", self
        )
        if not (
            self.reference_length in ("max", "median", "min")
            or isinstance(self.reference_length, int | np.integer)
            and self.reference_length >= KERNEL_LENGTH
        ):
            raise ValueError(
                "MiniRocket: reference_length must be 'max', 'median', 'min' or an "
                f"int >= 9, got {self.reference_length!r}."
            )

    def _reference_length(self, lengths: np.ndarray) -> int:
        if isinstance(self.reference_length, str):
            return int(getattr(np, self.reference_length)(lengths))
        return int(self.reference_length)

    def _fit(self, batch: SeriesBatch, rng: np.random.RandomState) -> None:
        self.dilations_, self.n_features_per_dilation_ = fit_dilations(
            self._reference_length(batch.lengths),
            self.n_features,
            self.max_dilations_per_kernel,
        )
        n_combinations = len(self.dilations_) * N_KERNELS
        self.channels_, self.channel_offsets_ = draw_channels(
            n_combinations, batch.n_channels, rng
        )
        example_indices = rng.randint(len(batch), size=n_combinations)
        n_features_per_kernel = int(self.n_features_per_dilation_.sum())
        self.biases_ = fit_biases(
            batch.values,
            batch.starts,
            batch.lengths,
            batch.n_channels,
            self.dilations_,
            self.n_features_per_dilation_,
            quantiles(N_KERNELS * n_features_per_kernel),
            self.channels_,
            self.channel_offsets_,
            example_indices,
        )

    def _n_output_features(self) -> int:
        return len(self.biases_)

    def _transform_cases(self, batch: SeriesBatch) -> np.ndarray:
        # numba_threads(n_jobs) in BaseConvolutionTransformer.transform set this
        parallel = numba.get_num_threads() > 1
        transform = _transform_parallel if parallel else _transform_serial
        return transform(
            batch.values,
            batch.starts,
            batch.lengths,
            batch.n_channels,
            self.dilations_,
            self.n_features_per_dilation_,
            self.biases_,
            self.channels_,
            self.channel_offsets_,
        )
