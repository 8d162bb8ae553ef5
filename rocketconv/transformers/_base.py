"""What every rocketconv convolution transformer shares: sklearn plumbing,
input checking, short-series padding, chunked transform, numba threads, and
the packed :class:`SeriesBatch` the kernels read.

A subclass sets ``_min_length`` and implements four hooks; it never sees raw
user input, only validated, padded float32 :class:`SeriesBatch` es:

* ``_check_params()``: raise on bad constructor parameters;
* ``_fit(batch, rng)``: draw or fit the kernel parameters;
* ``_n_output_features()``: the feature count of the fitted transformer;
* ``_transform_into(batch, out)``: write the features of ``batch`` into
  ``out``, a C-contiguous float32 ``(len(batch), n_output_features)`` block
  of rows that :meth:`BaseConvolutionTransformer.transform` allocates.

and two more for ``rocketconv.pruning`` (see ``_restriction``):

* ``_feature_units()``: the unit (kernel, group, ...) of each full feature;
* ``_restriction(full)``: the private attributes with which a copy computes
  only the columns ``full`` of the full output.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted

from .. import _numba
from .._validation import (
    Cases,
    check_fitted_shape,
    check_n_jobs,
    check_output_size,
    check_random_state,
    check_size_parameters,
    check_X,
    interpolate_missing,
    pad_short_series,
    series_lengths,
)
from ._restriction import prefix_names, restricted_copy

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHUNK_SIZE",
    "SeriesBatch",
    "BaseConvolutionTransformer",
    "case_view",
    "difference",
]

# Cases transformed per chunk: bounds the float32 copy of the input and the
# per-chunk scratch memory whatever n_cases is (n_jobs chunks at a time).
CHUNK_SIZE = 4096

# the class of the transformer a method of the base class is called on
_Transformer = TypeVar("_Transformer", bound="BaseConvolutionTransformer")


# inlined like the other per-case helpers of the MiniRocket kernels
@_numba.jit(inline="always")
def case_view(values, starts, lengths, n_channels, case):
    """Case ``case`` of a packed SeriesBatch as a (n_channels, length) view."""
    length = lengths[case]
    start = starts[case]
    return values[start : start + n_channels * length].reshape((n_channels, length))


def first_difference(series: np.ndarray) -> np.ndarray:
    """The first difference along the last axis, ``x[..., 1:] - x[..., :-1]``.

    :meth:`SeriesBatch.difference` calls it at fit time; the MultiRocket and
    Hydra kernels call :func:`difference`, its compiled twin for one case.
    Each value is one float32 subtraction in both, so they agree bit for
    bit (``tests/transformers/test_multirocket.py``).

    Examples
    --------
    >>> import numpy as np
    >>> first_difference(np.array([[1.0, 4.0, 9.0]], dtype=np.float32))
    array([[3., 5.]], dtype=float32)
    """
    return series[..., 1:] - series[..., :-1]


@_numba.jit
def difference(series):
    """:func:`first_difference` of one float32 case, (n_channels, length).

    A loop: numba compiles the array expression ``x[..., 1:] - x[..., :-1]``
    with its broadcasting machinery, about 0.6 s of a first MultiRocket or
    Hydra call.
    """
    n_channels, length = series.shape
    out = np.empty((n_channels, max(length - 1, 0)), dtype=np.float32)
    for c in range(n_channels):
        for t in range(length - 1):
            out[c, t] = series[c, t + 1] - series[c, t]
    return out


@dataclass(frozen=True)
class SeriesBatch:
    """Series of any lengths packed into one flat float32 buffer.

    Case ``i`` occupies ``values[starts[i] : starts[i] + n_channels * lengths[i]]``
    as a row-major ``(n_channels, lengths[i])`` block, so equal-length 3-D
    arrays need no copy beyond the float32 cast, and the numba kernels handle
    equal and unequal length with one code path.

    Examples
    --------
    >>> import numpy as np
    >>> batch = SeriesBatch.from_cases([np.ones((2, 3)), np.zeros((2, 5))])
    >>> len(batch), batch.lengths.tolist(), batch.starts.tolist()
    (2, [3, 5], [0, 6])
    >>> batch.difference().lengths.tolist()
    [2, 4]
    """

    values: np.ndarray  # float32, 1-D
    starts: np.ndarray  # int64, (n_cases,)
    lengths: np.ndarray  # int64, (n_cases,)
    n_channels: int

    @classmethod
    def from_cases(cls, X: np.ndarray | list[np.ndarray]) -> SeriesBatch:
        """Pack a 3-D array or a list of ``(n_channels, length_i)`` arrays."""
        lengths = series_lengths(X)
        if isinstance(X, np.ndarray):
            n_channels = X.shape[1]
            values = np.ascontiguousarray(X, dtype=np.float32).ravel()
        else:
            n_channels = X[0].shape[0]
            values = np.concatenate([np.asarray(c, np.float32).ravel() for c in X])
        sizes = lengths * n_channels
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        return cls(values, starts, lengths, int(n_channels))

    def __len__(self) -> int:
        return len(self.starts)

    def case(self, i: int) -> np.ndarray:
        """Case ``i`` as a ``(n_channels, lengths[i])`` view of ``values``."""
        start, length = self.starts[i], self.lengths[i]
        block = self.values[start : start + self.n_channels * length]
        return block.reshape(self.n_channels, length)

    def difference(self) -> SeriesBatch:
        """The batch of first differences (each case one point shorter)."""
        if np.all(self.lengths == self.lengths[0]):
            cube = self.values.reshape(len(self), self.n_channels, -1)
            return SeriesBatch.from_cases(first_difference(cube))
        return SeriesBatch.from_cases(
            [first_difference(self.case(i)) for i in range(len(self))]
        )


class BaseConvolutionTransformer(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator, ABC
):
    """Base class of the convolution transformers; not for direct use."""

    _min_length: int = 9

    # -- the hooks of the module docstring ---------------------------------------
    @abstractmethod
    def _check_params(self) -> None:
        """Raise ``TypeError``/``ValueError`` on bad constructor parameters."""

    @abstractmethod
    def _fit(self, batch: SeriesBatch, rng: np.random.RandomState) -> None:
        """Fit the kernel parameters to the validated, padded ``batch``."""

    @abstractmethod
    def _n_output_features(self) -> int:
        """Number of features of the fitted transformer."""

    @abstractmethod
    def _transform_into(self, batch: SeriesBatch, out: np.ndarray) -> None:
        """Write the features of ``batch`` into ``out`` (float32, C-contiguous,
        ``(len(batch), self._n_output_features())``); ``transform`` calls it
        for chunks of cases from ``n_jobs`` threads at once (see
        :func:`~rocketconv._numba.run_in_chunks`)."""

    # -- the hooks of rocketconv.pruning -----------------------------------------
    @abstractmethod
    def _feature_units(self) -> np.ndarray:
        """Unit of each feature of the full output (int): features of one
        unit are computed together, and dropped together."""

    @abstractmethod
    def _restriction(self, full: np.ndarray) -> dict[str, Any]:
        """The private attributes (name: value) with which a copy computes
        only the columns ``full`` (sorted, of the full output), in that
        order, and only the units they need."""

    def _restrict(self: _Transformer, kept: np.ndarray) -> _Transformer:
        """A copy that computes only the output columns ``kept`` (sorted, in
        that order) and only the units they need (``rocketconv.pruning``)."""
        restricted, full = restricted_copy(self, kept)
        for name, value in self._restriction(full).items():
            setattr(restricted, name, value)
        return restricted

    # -- the sklearn API ---------------------------------------------------------
    def fit(self: _Transformer, X: Any, y: Any = None) -> _Transformer:
        """Fit the random (or quasi-random) kernel parameters to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints)
            Also 2-D (one channel), a list of ``(n_channels, n_timepoints_i)``
            arrays (unequal length) or an sktime nested DataFrame.
        y : ignored
            Present for pipeline compatibility.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X, rng = self._start_fit(X)
        self._fit(SeriesBatch.from_cases(X), rng)
        self._n_features_out = self._n_output_features()
        return self

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit to ``X``, then transform it: X is validated and padded once.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints)
            As in :meth:`fit`.
        y : ignored

        Returns
        -------
        features : ndarray of shape (n_cases, n_features_out), float32
        """
        return self._fit_transform(X, checked=False)

    def _fit_transform_checked(self, X: Cases) -> np.ndarray:
        """``fit_transform`` of input that ``check_X`` has already validated."""
        return self._fit_transform(X, checked=True)

    def _fit_transform(self, X: Any, checked: bool) -> np.ndarray:
        X, rng = self._start_fit(X, checked=checked)
        self._fit(SeriesBatch.from_cases(X), rng)
        self._n_features_out = self._n_output_features()
        return self._transform_padded(X)

    def transform(self, X: Any) -> np.ndarray:
        """Transform ``X`` into convolution features.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints)
            As in :meth:`fit`; the channel count must match fit, and so must
            the length when fit saw equal-length series.

        Returns
        -------
        features : ndarray of shape (n_cases, n_features_out), float32
        """
        check_is_fitted(self, "_n_features_out")
        X = pad_short_series(self._validate(X, fitted=True), self._min_length, self)
        return self._transform_padded(X)

    def _transform_checked(self, X: Cases) -> np.ndarray:
        """``transform`` of input that ``check_X`` has already validated (the
        classifiers validate once, with their own name in the messages)."""
        check_is_fitted(self, "_n_features_out")
        X = self._validate(X, fitted=True, checked=True)
        return self._transform_padded(pad_short_series(X, self._min_length, self))

    def _transform_padded(self, X: Cases) -> np.ndarray:
        """Features of validated, padded X, chunk by chunk, the chunks on
        ``n_jobs`` threads (the kernels release the GIL). Each case's row
        is computed alone, so the chunking never changes the features."""
        n_cases = len(X)
        check_output_size(n_cases, self._n_features_out, 4, self)
        out = np.empty((n_cases, self._n_features_out), dtype=np.float32)

        def transform_chunk(start: int, stop: int) -> None:
            batch = SeriesBatch.from_cases(X[start:stop])
            self._transform_into(batch, out[start:stop])

        n_threads = check_n_jobs(self.n_jobs, self)
        _numba.run_in_chunks(transform_chunk, n_cases, n_threads, CHUNK_SIZE)
        return out

    def get_feature_names_out(
        self, input_features: ArrayLike | None = None
    ) -> np.ndarray:
        """``<class name in lower case><i>`` (``rocket0``, ``hydra17``, ...)
        for each output column ``i`` of the full transformer (of the kept
        columns, for a restricted one).

        Parameters
        ----------
        input_features : ignored
            Present for scikit-learn compatibility.

        Returns
        -------
        names : ndarray of str objects, shape (n_features_out,)
        """
        return prefix_names(self)

    def feature_info(self) -> pd.DataFrame:
        """Where each output column comes from: one row per feature.

        Returns
        -------
        info : pandas.DataFrame
            Columns ``feature`` (as :meth:`get_feature_names_out`),
            ``transformer``, ``representation``, ``kernel``, ``group``,
            ``weights``, ``dilation``, ``padding``, ``left_shift``, ``bias``,
            ``channels``, ``pooling``; see :func:`rocketconv.explain.feature_info`.
        """
        from ..explain import feature_info

        return feature_info(self)

    # -- helpers -----------------------------------------------------------------
    def _store_parameters(self, parameters: dict[str, Any]) -> None:
        """Store each ``__init__`` parameter, unchanged, as the attribute of
        its name (scikit-learn's convention); ``parameters`` is the
        ``locals()`` of ``__init__``."""
        for name, value in parameters.items():
            if name != "self":
                setattr(self, name, value)

    def _start_fit(
        self, X: Any, checked: bool = False
    ) -> tuple[Cases, np.random.RandomState]:
        """Parameters first, then X once: (padded X, random state)."""
        self._check_params()
        check_size_parameters(self)
        check_n_jobs(self.n_jobs, self)
        rng = check_random_state(self.random_state, self)
        X = self._validate(X, checked=checked)
        self.n_channels_ = X.shape[1] if isinstance(X, np.ndarray) else X[0].shape[0]
        self.equal_length_ = isinstance(X, np.ndarray)
        self.n_timepoints_ = X.shape[2] if self.equal_length_ else None
        if self.equal_length_:
            self.n_features_in_ = self.n_timepoints_ * self.n_channels_
        return pad_short_series(X, self._min_length, self), rng

    def _validate(self, X: Any, fitted: bool = False, checked: bool = False) -> Cases:
        """Validate and impute (if asked); at transform, compare with fit."""
        strategy = getattr(self, "missing_values", None)
        if strategy not in (None, "error", "interpolate"):
            raise ValueError(
                f"{type(self).__name__}: missing_values must be None/'error' or "
                f"'interpolate', got {strategy!r}."
            )
        # a list may always hold series of another length than fit's, even
        # when its series happen to share one length (check_X stacks them)
        given_as_list = isinstance(X, list | tuple)
        if not checked:
            X = check_X(X, self, allow_nan=strategy == "interpolate")
        if strategy == "interpolate":
            X = interpolate_missing(X, self)
        if fitted:
            n_timepoints = self.n_timepoints_ if self.equal_length_ else None
            if given_as_list or not isinstance(X, np.ndarray):
                n_timepoints = None  # a list is always allowed to vary
            if isinstance(X, np.ndarray) and n_timepoints is not None:
                self._check_length(X)
            check_fitted_shape(X, self.n_channels_, None, self)
        return X

    def _check_length(self, X: np.ndarray) -> None:
        channels, length = X.shape[1], X.shape[2]
        if channels != self.n_channels_:
            return  # reported by check_fitted_shape with the channel message
        if length != self.n_timepoints_:
            raise ValueError(
                f"X has {channels * length} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input: series of "
                f"length {length} where fit saw length {self.n_timepoints_}. Pass "
                "a list of arrays to transform series of other lengths."
            )

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = getattr(self, "missing_values", None) == (
            "interpolate"
        )
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
