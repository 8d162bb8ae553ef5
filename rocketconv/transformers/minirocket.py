"""MiniRocket (Dempster, Schmidt & Webb, KDD 2021): the estimator and its
numba transform kernel. Kernels, dilations and biases live in ``_dilations``
because MultiRocket uses them too."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _numba
from .._params import check_n_jobs
from . import _minirocket_univariate as univariate
from ._base import BaseConvolutionTransformer, SeriesBatch, case_view
from ._dilations import (
    KERNEL_LENGTH,
    N_KERNELS,
    check_kernel_params,
    dilation_alpha,
    four_biases,
    kernel_output,
    padded_series,
    pooling_range,
    reference_length,
    representation_attribute,
    series_padding,
    tap_starts,
)
from ._fitting import fit_representation
from ._restriction import combination_of_features, full_plan, restricted_plan


@_numba.jit(inline="always")
def _ppv(segment, biases, out):
    """Proportion of ``segment > bias`` for each bias, into ``out``.

    Four biases per pass over the (contiguous) segment, each counted in an
    int32: LLVM turns ``count + (value > bias)`` into a vector compare and
    an integer subtract of its all-ones mask, two instructions per 8 points
    and bias, and one load serves four biases. A last pass with fewer than
    four biases left repeats the last one in the spare lanes and keeps only
    the counts it needs (one pass instead of up to three). The counts are
    exact, so the result does not depend on how the loop is vectorised.
    """
    span = len(segment)
    last = len(biases) - 1
    for b in range(0, last + 1, 4):
        b0, b1, b2, b3 = four_biases(biases, b)
        c0 = c1 = c2 = c3 = np.int32(0)
        for t in range(span):
            value = segment[t]
            c0 = np.int32(c0 + (value > b0))
            c1 = np.int32(c1 + (value > b1))
            c2 = np.int32(c2 + (value > b2))
            c3 = np.int32(c3 + (value > b3))
        out[b] = c0 / span
        if b + 1 <= last:
            out[b + 1] = c1 / span
        if b + 2 <= last:
            out[b + 2] = c2 / span
        if b + 3 <= last:
            out[b + 3] = c3 / span


@_numba.case_kernel
def _transform(values, starts, lengths, n_channels, plan, features):
    """MiniRocket features of a packed batch, written into ``features``.

    The kernel for several channels; one-channel batches go to the faster
    ``_minirocket_univariate`` kernel, whose features equal this one's.

    ``plan`` is the :class:`~._restriction.ComputePlan` of the fitted
    representation: every (dilation, kernel) combination, or only those a
    restricted transformer keeps (``rocketconv.pruning``).
    """
    dilations = plan.dilations
    biases = plan.biases
    channels = plan.channels
    offsets = plan.channel_offsets
    bounds = plan.feature_offsets
    pad = series_padding(dilations)
    for case in range(len(starts)):
        series = case_view(values, starts, lengths, n_channels, case)
        length = series.shape[1]
        xp, gp = padded_series(series, pad)
        alpha = np.empty((n_channels, length), dtype=np.float32)
        pair = np.empty((n_channels, length), dtype=np.float32)
        pair_key = np.empty(n_channels, dtype=np.int64)
        output = np.empty(length, dtype=np.float32)
        row = features[case]
        for d in range(len(dilations)):
            taps = tap_starts(pad, dilations[d], 0)
            dilation_alpha(xp, taps, length, alpha)
            for c in range(n_channels):
                pair_key[c] = -1
            index = plan.dilation_indices[d]
            combinations = plan.combination_offsets
            for m in range(combinations[d], combinations[d + 1]):
                kernel = plan.kernels[m]
                subset = channels[offsets[m] : offsets[m + 1]]
                kernel_output(alpha, gp, taps, kernel, subset, pair, pair_key, output)
                start, stop = pooling_range(length, dilations[d], index, kernel)
                _ppv(
                    output[start:stop],
                    biases[bounds[m] : bounds[m + 1]],
                    row[bounds[m] : bounds[m + 1]],
                )


class RepresentationAttributes:
    """The fields of ``representation_`` (a FittedRepresentation) as read-only
    attributes of MiniRocket and MultiRocket (for MultiRocket, of ``X``)."""

    dilations_ = representation_attribute("representation_", "dilations")
    n_features_per_dilation_ = representation_attribute(
        "representation_", "n_features_per_dilation"
    )
    biases_ = representation_attribute("representation_", "biases")
    channels_ = representation_attribute("representation_", "channels")
    channel_offsets_ = representation_attribute("representation_", "channel_offsets")


class MiniRocket(RepresentationAttributes, BaseConvolutionTransformer):
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
    :class:`~rocketconv._validation.ShortSeriesWarning`
    (user guide, "Input and data").

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
    representation_ : FittedRepresentation
        The fitted parameters, passed as one argument to the numba kernel;
        the attributes below are its fields (read-only).
    dilations_ : ndarray of int32
    n_features_per_dilation_ : ndarray of int32
    biases_ : ndarray of float32, shape (n_features_out,)
    channels_, channel_offsets_ : ndarray
        Flat channel subsets and their starts, one subset per (dilation, kernel).
    n_channels_ : int
    n_timepoints_ : int or None
        Training length (None when fitted on unequal-length series).

    See Also
    --------
    rocketconv.Rocket : the original: 10,000 random kernels, PPV and max features.
    rocketconv.MultiRocket : MiniRocket's kernels on the series and its first
        difference, four pooling operators.
    rocketconv.MultiRocketHydra : MultiRocket and Hydra features side by side.
    rocketconv.RocketClassifier : a transformer and its published linear head.

    References
    ----------
    Dempster, A., Schmidt, D. F. and Webb, G. I. (2021). MiniRocket: a very fast
    (almost) deterministic transform for time series classification.
    *Proceedings of the 27th ACM SIGKDD Conference on Knowledge Discovery and
    Data Mining (KDD '21)*. https://doi.org/10.1145/3447548.3467231

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
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self._store_parameters(locals())

    def _check_params(self) -> None:
        check_kernel_params(self, N_KERNELS)

    def _fit(self, batch: SeriesBatch, rng: np.random.RandomState) -> None:
        self.representation_ = fit_representation(
            batch,
            reference_length(self.reference_length, batch.lengths),
            self.n_features,
            self.max_dilations_per_kernel,
            rng,
            check_n_jobs(self.n_jobs, self),
        )
        # built once here, not per transform chunk: for a single case it
        # took about as long as the kernel itself
        self._full_plan = full_plan(self.representation_)

    def _n_output_features(self) -> int:
        kept = getattr(self, "kept_features_", None)
        return self.representation_.n_features if kept is None else len(kept)

    def _transform_into(self, batch: SeriesBatch, out: np.ndarray) -> None:
        plan = getattr(self, "_plan", None)  # set on a restricted copy
        if plan is None:
            plan = self._full_plan
        if batch.n_channels == 1:
            work = univariate.workspace(plan, int(batch.lengths.max(initial=0)))
            univariate.transform(
                batch.values, batch.starts, batch.lengths, plan, out, work
            )
            return
        _transform(
            batch.values, batch.starts, batch.lengths, batch.n_channels, plan, out
        )

    def _feature_units(self) -> np.ndarray:
        """Unit of each feature of the full output: its (dilation, kernel)
        combination ``dilation index * 84 + kernel`` (``rocketconv.pruning``)."""
        return combination_of_features(self.representation_)

    def _restriction(self, full: np.ndarray) -> dict[str, Any]:
        """Compute only the (dilation, kernel) pairs that the columns ``full``
        need."""
        return {"_plan": restricted_plan(self.representation_, full)}
