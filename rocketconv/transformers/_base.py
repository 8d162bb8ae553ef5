"""What every rocketconv convolution transformer shares: sklearn plumbing,
input checking, short-series padding, chunked transform and numba threads.

A subclass sets ``_min_length`` and implements ``_fit(cases, rng)``,
``_n_output_features()`` and ``_transform_cases(cases) -> ndarray``; it never
sees raw user input, only validated, padded float32 :class:`SeriesBatch`.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_is_fitted

from .._validation import (
    check_fitted_shape,
    check_n_jobs,
    check_output_size,
    check_random_state,
    check_size_parameters,
    check_X,
    interpolate_missing,
    numba_threads,
    pad_short_series,
    series_lengths,
)

# Cases transformed per chunk: bounds the float32 copy of the input and the
# per-chunk scratch memory whatever n_cases is.
CHUNK_SIZE = 4096


def serial_and_parallel(function: Callable) -> tuple[Callable, Callable]:
    """Compile ``function`` twice: plain, and ``parallel=True`` over its prange.

    The parallel backend costs ~3x the compile time, so a single-threaded
    transform (the default ``n_jobs=1``) never pays it. Numba names a cache
    file after the function's qualified name and does not key it on the
    ``parallel`` flag: two dispatchers of one function would share one cache
    entry, and whichever compiled first would serve both (a warm cache then
    ran ``n_jobs=2`` on one thread). The parallel copy gets a name of its own.
    """
    copy = types.FunctionType(
        function.__code__,
        function.__globals__,
        function.__name__ + "_parallel",
        function.__defaults__,
        function.__closure__,
    )
    copy.__qualname__ = function.__qualname__ + "_parallel"
    copy.__doc__ = function.__doc__
    return njit(cache=True)(function), njit(cache=True, parallel=True)(copy)


@dataclass(frozen=True)
class SeriesBatch:
    """Series of any lengths packed into one flat float32 buffer.

    Case ``i`` occupies ``values[starts[i] : starts[i] + n_channels * lengths[i]]``
    as a row-major ``(n_channels, lengths[i])`` block, so equal-length 3-D
    arrays need no copy beyond the float32 cast, and the numba kernels handle
    equal and unequal length with one code path.
    """

    values: np.ndarray  # float32, 1-D
    starts: np.ndarray  # int64, (n_cases,)
    lengths: np.ndarray  # int64, (n_cases,)
    n_channels: int

    @classmethod
    def from_cases(cls, X: np.ndarray | list[np.ndarray]) -> SeriesBatch:
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


class BaseConvolutionTransformer(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator
):
    """Base class; not for direct use."""

    _min_length: int = 9

    def fit(self, X: Any, y: Any = None) -> BaseConvolutionTransformer:
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
        self._check_params()
        check_size_parameters(self)
        check_n_jobs(self.n_jobs, self)
        rng = check_random_state(self.random_state, self)
        X = self._validate(X)
        self.n_channels_ = X.shape[1] if isinstance(X, np.ndarray) else X[0].shape[0]
        self.equal_length_ = isinstance(X, np.ndarray)
        self.n_timepoints_ = X.shape[2] if self.equal_length_ else None
        if self.equal_length_:
            self.n_features_in_ = self.n_timepoints_ * self.n_channels_
        X = pad_short_series(X, self._min_length, self)
        self._fit(SeriesBatch.from_cases(X), rng)
        self._n_features_out = self._n_output_features()
        return self

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
        n_cases = len(X)
        check_output_size(n_cases, self._n_features_out, 4, self)
        out = np.empty((n_cases, self._n_features_out), dtype=np.float32)
        with numba_threads(self.n_jobs):
            for start in range(0, n_cases, CHUNK_SIZE):
                chunk = X[start : start + CHUNK_SIZE]
                self._transform_cases_into(
                    SeriesBatch.from_cases(chunk), out[start : start + len(chunk)]
                )
        return out

    # A subclass overrides one of these two; each default calls the other.
    def _transform_cases(self, batch: SeriesBatch) -> np.ndarray:
        """``batch``'s features as a new float32 array."""
        out = np.empty((len(batch), self._n_output_features()), dtype=np.float32)
        self._transform_cases_into(batch, out)
        return out

    def _transform_cases_into(self, batch: SeriesBatch, out: np.ndarray) -> None:
        """Write ``batch``'s features into ``out`` (rows of the result), in
        place where the subclass can, without a temporary array per chunk."""
        out[...] = self._transform_cases(batch)

    # -- helpers ---------------------------------------------------------------
    def _validate(self, X: Any, fitted: bool = False):
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = getattr(self, "missing_values", None) == (
            "interpolate"
        )
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
