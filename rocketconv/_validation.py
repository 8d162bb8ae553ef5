"""Input checking and conversion shared by every rocketconv estimator.

Everything a user may pass as ``X`` is turned here, once, into one of two
shapes that the numba kernels understand:

* a C-contiguous float array ``(n_cases, n_channels, n_timepoints)``, or
* a list of float arrays ``(n_channels, n_timepoints_i)`` for unequal length.

Each problem with the input raises a ``ValueError`` or ``TypeError`` whose
message names the problem, so that no user ever sees a numba traceback or
silent NaN features. Parameter checks (``n_jobs``, ``random_state``, sizes)
live in ``_params``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._params import (  # noqa: F401  (re-exported for the estimators)
    FIT_BYTES_PER_FEATURE,
    check_n_jobs,
    check_output_size,
    check_positive_int,
    check_random_state,
    check_size_parameters,
    output_limit_bytes,
)

__all__ = [
    "MAX_ABS_VALUE",
    "check_X",
    "check_y",
    "check_X_y",
    "check_sample_weight",
    "check_fitted_shape",
    "pad_short_series",
    "series_lengths",
    "interpolate_missing",
    "ShortSeriesWarning",
]

# The kernels compute in float32 (max 3.4e38). ROCKET and InceptionTime
# square values (per-case normalisation, batch statistics) and sum them over
# up to ~10^6 timepoints: (1e15)^2 * 1e6 = 1e36 stays finite, and convolution
# sums (a few dozen terms of |w| <= 3) stay far below the limit. Larger
# magnitudes are refused by name instead of silently overflowing.
MAX_ABS_VALUE = 1e15

# validated input: equal-length (n_cases, n_channels, n_timepoints), or one
# (n_channels, n_timepoints_i) array per case
Cases = np.ndarray | list[np.ndarray]


class ShortSeriesWarning(UserWarning):
    """Series shorter than a transformer's minimum were zero-padded."""


def _name(estimator: Any) -> str:
    if estimator is None:
        return "rocketconv"
    return estimator if isinstance(estimator, str) else type(estimator).__name__


def _as_float_array(values: Any, where: str) -> np.ndarray:
    """Convert one array-like to float64, with errors that name the problem."""
    array = np.asarray(values)
    if array.dtype.kind == "c":
        # ValueError with sklearn's wording, as sklearn's own checks expect
        raise ValueError(f"{where}: Complex data not supported ({array.dtype}).")
    if array.dtype.kind in "OUSV":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"{where}: X must be numeric, but it holds non-numeric values "
                f"({array.dtype}); {error}"
            ) from None
    elif array.dtype.kind == "b":
        array = array.astype(np.float64)
    elif array.dtype.kind not in "iuf":
        raise TypeError(f"{where}: X must be numeric, got dtype {array.dtype}.")
    if array.dtype != np.float32:
        array = array.astype(np.float64, copy=False)
    return array


def _from_nested_frame(frame: pd.DataFrame, where: str) -> list[np.ndarray]:
    """sktime's nested format: one row a case, one column a channel, cells Series."""
    cases = []
    for row in frame.itertuples(index=False):
        channels = [_as_float_array(np.asarray(cell), where).ravel() for cell in row]
        lengths = {len(channel) for channel in channels}
        if len(lengths) != 1:
            raise ValueError(
                f"{where}: the channels of one case must have the same length, "
                f"got lengths {sorted(lengths)}."
            )
        cases.append(np.stack(channels))
    return cases


def _is_nested_frame(X: Any) -> bool:
    return (
        isinstance(X, pd.DataFrame)
        and X.shape[0] > 0
        and X.shape[1] > 0
        and isinstance(X.iloc[0, 0], pd.Series | np.ndarray | list)
    )


def _check_finite(
    array: np.ndarray, where: str, allow_nan: bool, max_abs: float | None
) -> None:
    """No infinity, no NaN (unless allowed), no magnitude beyond ``max_abs``."""
    if np.isinf(array).any():
        raise ValueError(f"{where}: X contains infinity; remove or clip it first.")
    if not allow_nan and np.isnan(array).any():
        raise ValueError(
            f"{where}: X contains NaN (missing values). Impute them first, or pass "
            "missing_values='interpolate' to fill gaps by linear interpolation."
        )
    if array.size == 0 or max_abs is None:
        return
    largest = float(np.fmax.reduce(np.abs(array), axis=None))  # fmax skips NaN
    if largest > max_abs:
        raise ValueError(
            f"{where}: X holds values up to {largest:.3g} in magnitude, above the "
            f"limit of {max_abs:.0e}: rocketconv computes in float32, where "
            "such values overflow. Rescale X first (e.g. divide it by its largest "
            "absolute value)."
        )


def _as_supported_container(X: Any, where: str) -> Any:
    """Reject what is never time series; unwrap pandas containers."""
    if X is None:
        raise ValueError(f"{where}: X is None; expected time series.")
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            f"{where}: sparse input is not supported; pass a dense array (X.toarray())."
        )
    if isinstance(X, pd.Series):
        if len(X) and isinstance(X.iloc[0], pd.Series | np.ndarray | list):
            return _from_nested_frame(X.to_frame(), where)  # one nested channel
        raise ValueError(
            f"{where}: X is a 1-D pandas Series of {len(X)} values; expected 2-D "
            "(n_cases, n_timepoints) or 3-D input. For one series use "
            "X.to_numpy().reshape(1, -1)."
        )
    if _is_nested_frame(X):
        return _from_nested_frame(X, where)
    if isinstance(X, pd.DataFrame):
        return X.to_numpy()
    if isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1 and len(X):
        if not np.isscalar(X[0]):
            return list(X)  # a ragged object array: one case per element
    return X


def _check_case_list(
    cases: list | tuple,
    where: str,
    allow_unequal: bool,
    allow_nan: bool,
    dtype: type,
    max_abs: float | None,
) -> Cases:
    """A list of cases: stacked when they share a shape, else unequal length."""
    cases = [_as_float_array(case, where) for case in cases]
    for i, case in enumerate(cases):
        if case.ndim == 1:
            cases[i] = case[np.newaxis, :]
        elif case.ndim != 2:
            raise ValueError(
                f"{where}: each case in a list must be 1-D (n_timepoints,) or "
                f"2-D (n_channels, n_timepoints); case {i} has shape {case.shape}."
            )
    shapes = {case.shape for case in cases}
    if len(shapes) == 1:
        return _check_array(np.stack(cases), where, allow_nan, dtype, max_abs)
    n_channels = {shape[0] for shape in shapes}
    if len(n_channels) != 1:
        raise ValueError(
            f"{where}: all cases must have the same number of channels, "
            f"got {sorted(n_channels)}."
        )
    if not allow_unequal:
        lengths = sorted({shape[1] for shape in shapes})
        raise ValueError(
            f"{where}: series have unequal lengths ({lengths[0]} to "
            f"{lengths[-1]}), which this estimator does not support; resample "
            "or pad them to one length."
        )
    if n_channels.pop() == 0:
        raise ValueError(f"{where}: X has 0 channels.")
    for i, case in enumerate(cases):
        if case.shape[1] == 0:
            raise ValueError(f"{where}: case {i} has length 0.")
        _check_finite(case, f"{where} (case {i})", allow_nan, max_abs)
    return [np.ascontiguousarray(case, dtype=dtype) for case in cases]


def _check_array(
    array: np.ndarray,
    where: str,
    allow_nan: bool,
    dtype: type,
    max_abs: float | None,
) -> np.ndarray:
    """An equal-length array: 2-D means one channel; no empty dimension."""
    if array.ndim == 2:
        array = array[:, np.newaxis, :]
    if array.ndim != 3:
        raise ValueError(
            f"{where}: X must be 2-D (n_cases, n_timepoints) or 3-D (n_cases, "
            f"n_channels, n_timepoints), got a {array.ndim}-D array of shape "
            f"{array.shape}. Reshape your data, e.g. X.reshape(1, -1) for one "
            "series."
        )
    n_cases, n_channels, n_timepoints = array.shape
    if n_cases == 0:
        raise ValueError(f"{where}: X is empty: 0 cases (shape {array.shape}).")
    if n_channels == 0:
        raise ValueError(f"{where}: X has 0 channels (shape {array.shape}).")
    if n_timepoints == 0:
        raise ValueError(
            f"{where}: X has series of length 0: 0 feature(s) (shape="
            f"({n_cases}, 0)) while a minimum of 1 is required."
        )
    _check_finite(array, where, allow_nan, max_abs)
    return np.ascontiguousarray(array, dtype=dtype)


def check_X(
    X: Any,
    estimator: Any = None,
    *,
    allow_unequal: bool = True,
    allow_nan: bool = False,
    dtype: type = np.float64,
    max_abs: float | None = MAX_ABS_VALUE,
) -> Cases:
    """Validate time-series input and return it in rocketconv's internal shape.

    Parameters
    ----------
    X : array-like, list of arrays or pandas.DataFrame
        ``(n_cases, n_channels, n_timepoints)``; ``(n_cases, n_timepoints)``
        means one channel; a list (or 1-D object array) of
        ``(n_channels, n_timepoints_i)`` or 1-D arrays means unequal length;
        a DataFrame whose cells are Series is sktime's nested format, a
        DataFrame of numbers is 2-D input. 1-D input (an array or a pandas
        Series of numbers) is refused, as scikit-learn refuses 1-D X.
    estimator : object or str, optional
        Used only to name the estimator in error messages.
    allow_unequal : bool, default=True
        Whether a list of unequal-length series is acceptable.
    allow_nan : bool, default=False
        Whether NaN values are passed through (for a later imputation step).
    dtype : numpy dtype, default=np.float64
        Float type of the returned arrays.
    max_abs : float or None, default=MAX_ABS_VALUE
        Largest magnitude accepted (the estimators compute in float32);
        None accepts any finite value (the dataset writers).

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timepoints) or list of ndarray
        A list only when the series have unequal lengths.

    Examples
    --------
    >>> import numpy as np
    >>> check_X(np.zeros((4, 20))).shape
    (4, 1, 20)
    >>> check_X(np.ones((2, 10)) * 1e30)
    Traceback (most recent call last):
    ...
    ValueError: rocketconv: X holds values up to 1e+30 in magnitude, ...
    """
    where = _name(estimator)
    X = _as_supported_container(X, where)
    if isinstance(X, list | tuple) and len(X) == 0:
        raise ValueError(f"{where}: X is empty: 0 cases (an empty {type(X).__name__}).")
    if isinstance(X, list | tuple) and not np.isscalar(X[0]):
        return _check_case_list(X, where, allow_unequal, allow_nan, dtype, max_abs)
    array = _as_float_array(X, where)
    return _check_array(array, where, allow_nan, dtype, max_abs)


def check_y(
    y: Any, n_cases: int, estimator: Any = None, *, regression: bool = False
) -> np.ndarray:
    """Validate a target vector against the number of cases in X."""
    where = _name(estimator)
    if y is None:
        raise ValueError(f"{where} requires y to be passed, but the target y is None.")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)  # sklearn's DataConversionWarning
    if y.ndim != 1:
        raise ValueError(f"{where}: y must be 1-D, got shape {y.shape}.")
    if len(y) != n_cases:
        raise ValueError(
            f"{where}: X and y disagree: X has {n_cases} cases but y has "
            f"{len(y)} values."
        )
    if regression:
        try:
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{where}: regression targets must be numeric.") from None
        if not np.isfinite(y).all():
            raise ValueError(f"{where}: y contains NaN or infinity.")
    else:
        if y.dtype.kind == "f" and np.isnan(y).any():
            raise ValueError(f"{where}: y contains NaN labels.")
        check_classification_targets(y)  # "Unknown label type: continuous"
    return y


def check_sample_weight(
    sample_weight: Any, n_cases: int, estimator: Any = None
) -> np.ndarray:
    """Per-case weights: 1-D, one per case, finite and non-negative (float64)."""
    from sklearn.utils.validation import _check_sample_weight

    where = _name(estimator)
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.ndim == 1 and len(weights) == n_cases and np.isfinite(weights).all():
        if (weights < 0).any():
            raise ValueError(
                f"{where}: sample_weight has negative values (smallest "
                f"{weights.min():g}); weights must be >= 0."
            )
    return _check_sample_weight(sample_weight, np.empty((n_cases, 0)))


def check_X_y(
    X: Any, y: Any, estimator: Any = None, **kwargs: Any
) -> tuple[Cases, np.ndarray]:
    """``check_X`` then ``check_y``; returns both."""
    regression = kwargs.pop("regression", False)
    X = check_X(X, estimator, **kwargs)
    return X, check_y(y, len(X), estimator, regression=regression)


def series_lengths(X: Cases) -> np.ndarray:
    """Length of each case, as int64."""
    if isinstance(X, np.ndarray):
        return np.full(X.shape[0], X.shape[2], dtype=np.int64)
    return np.array([case.shape[1] for case in X], dtype=np.int64)


def pad_short_series(X: Cases, min_length: int, estimator: Any = None) -> Cases:
    """Zero-pad series shorter than ``min_length`` at the end, with a warning.

    rocketconv's own, documented choice (user guide: input and data), so
    that problems such as PenDigits (L=8) and JapaneseVowels (L from 7)
    still work with kernels of length 9-11: aeon 1.6 raises for series
    shorter than 9 points, and sktime's ``MiniRocketMultivariateVariable``
    does so unless ``pad_value_short_series`` is set.
    """
    lengths = series_lengths(X)
    if lengths.min() >= min_length:
        return X
    warnings.warn(
        f"{_name(estimator)}: {int((lengths < min_length).sum())} series are shorter "
        f"than the minimum length {min_length} (shortest {int(lengths.min())}); they "
        "were zero-padded at the end.",
        ShortSeriesWarning,
        stacklevel=3,
    )
    if isinstance(X, np.ndarray):
        padded = np.zeros(X.shape[:2] + (min_length,), dtype=X.dtype)
        padded[:, :, : X.shape[2]] = X
        return padded
    out = []
    for case in X:
        if case.shape[1] < min_length:
            padded = np.zeros((case.shape[0], min_length), dtype=case.dtype)
            padded[:, : case.shape[1]] = case
            case = padded
        out.append(case)
    return out


def interpolate_missing(X: Cases, estimator: Any = None) -> Cases:
    """Fill NaN inside each series by linear interpolation (ends: nearest value).

    A series that is entirely NaN cannot be interpolated and is an error.
    """
    where = _name(estimator)
    cases = X if isinstance(X, list) else list(X)
    filled = []
    for i, case in enumerate(cases):
        case = np.array(case, dtype=np.float64, copy=True)
        for channel in case:
            missing = np.isnan(channel)
            if missing.all():
                raise ValueError(
                    f"{where}: case {i} has a channel that is entirely NaN; "
                    "it cannot be interpolated."
                )
            if missing.any():
                positions = np.arange(len(channel))
                channel[missing] = np.interp(
                    positions[missing], positions[~missing], channel[~missing]
                )
        filled.append(case)
    return filled if isinstance(X, list) else np.stack(filled)


def check_fitted_shape(
    X: Cases, n_channels: int, n_timepoints: int | None, estimator: Any
) -> None:
    """Transform-time input must have the channel count (and length) seen in fit.

    ``n_timepoints`` is None for estimators that accept any length at transform.
    """
    where = _name(estimator)
    channels = X.shape[1] if isinstance(X, np.ndarray) else X[0].shape[0]
    if channels != n_channels:
        raise ValueError(
            f"{where}: X has {channels} channels, but the estimator was fitted "
            f"with {n_channels}."
        )
    if n_timepoints is not None and isinstance(X, np.ndarray):
        if X.shape[2] != n_timepoints:
            raise ValueError(
                f"{where}: X has series of length {X.shape[2]}, but the estimator "
                f"was fitted with length {n_timepoints}."
            )
