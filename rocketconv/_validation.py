"""Input checking and conversion shared by every rocketconv estimator.

Everything a user may pass as ``X`` is turned here, once, into one of two
shapes that the numba kernels understand:

* a C-contiguous float array ``(n_cases, n_channels, n_timepoints)``, or
* a list of float arrays ``(n_channels, n_timepoints_i)`` for unequal length.

Each problem with the input raises a ``ValueError`` or ``TypeError`` whose
message names the problem, so that no user ever sees a numba traceback or
silent NaN features.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from typing import Any

import joblib
import numba
import numpy as np
import pandas as pd
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

__all__ = [
    "check_X",
    "check_y",
    "check_X_y",
    "check_n_jobs",
    "check_positive_int",
    "check_output_size",
    "check_size_parameters",
    "check_random_state",
    "output_limit_bytes",
    "pad_short_series",
    "series_lengths",
    "interpolate_missing",
    "numba_threads",
    "ShortSeriesWarning",
]

# A transform whose output would need more than this many bytes is refused
# before anything is allocated (see ``check_output_size``). Without the
# environment variable the machine's physical memory lowers it further.
_LIMIT_FROM_ENV = "ROCKETCONV_MAX_OUTPUT_BYTES" in os.environ
MAX_OUTPUT_BYTES = int(os.environ.get("ROCKETCONV_MAX_OUTPUT_BYTES", 64 * 2**30))

# Bytes that fitting costs per requested feature, a generous upper bound:
# float32 biases plus the float64/int64 temporaries of building them
# (MiniRocket's quantiles take three 8-byte arrays of n_features).
FIT_BYTES_PER_FEATURE = 32


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


def _check_finite(array: np.ndarray, where: str, allow_nan: bool) -> None:
    if np.isinf(array).any():
        raise ValueError(f"{where}: X contains infinity; remove or clip it first.")
    if not allow_nan and np.isnan(array).any():
        raise ValueError(
            f"{where}: X contains NaN (missing values). Impute them first, or pass "
            "missing_values='interpolate' to fill gaps by linear interpolation."
        )


def check_X(
    X: Any,
    estimator: Any = None,
    *,
    allow_unequal: bool = True,
    allow_nan: bool = False,
    dtype: type = np.float64,
) -> np.ndarray | list[np.ndarray]:
    """Validate time-series input and return it in rocketconv's internal shape.

    Parameters
    ----------
    X : array-like, list of arrays or pandas.DataFrame
        ``(n_cases, n_channels, n_timepoints)``; ``(n_cases, n_timepoints)``
        means one channel; a list of ``(n_channels, n_timepoints_i)`` (or 1-D)
        arrays means unequal length; a DataFrame whose cells are Series is
        sktime's nested format, a DataFrame of numbers is 2-D input.
    estimator : object or str, optional
        Used only to name the estimator in error messages.
    allow_unequal : bool, default=True
        Whether a list of unequal-length series is acceptable.
    allow_nan : bool, default=False
        Whether NaN values are passed through (for a later imputation step).
    dtype : numpy dtype, default=np.float64
        Float type of the returned arrays.

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timepoints) or list of ndarray
        A list only when the series have unequal lengths.
    """
    where = _name(estimator)
    if X is None:
        raise ValueError(f"{where}: X is None; expected time series.")
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            f"{where}: sparse input is not supported; pass a dense array (X.toarray())."
        )
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if _is_nested_frame(X):
        X = _from_nested_frame(X, where)
    elif isinstance(X, pd.DataFrame):
        X = X.to_numpy()

    if isinstance(X, list | tuple) and len(X) == 0:
        raise ValueError(f"{where}: X is empty: 0 cases (an empty {type(X).__name__}).")
    if isinstance(X, list | tuple) and not np.isscalar(X[0]):
        cases = [_as_float_array(case, where) for case in X]
        shapes = set()
        for i, case in enumerate(cases):
            if case.ndim == 1:
                cases[i] = case = case[np.newaxis, :]
            if case.ndim != 2:
                raise ValueError(
                    f"{where}: each case in a list must be 1-D (n_timepoints,) or "
                    f"2-D (n_channels, n_timepoints); case {i} has shape {case.shape}."
                )
            shapes.add(case.shape)
        if len(shapes) == 1:
            X = np.stack(cases)
        else:
            n_channels = {shape[0] for shape in shapes}
            if len(n_channels) != 1:
                raise ValueError(
                    f"{where}: all cases must have the same number of channels, "
                    f"got {sorted(n_channels)}."
                )
            if not allow_unequal:
                raise ValueError(
                    f"{where}: series have unequal lengths, which this estimator "
                    "does not support; resample or pad them to one length."
                )
            if n_channels.pop() == 0:
                raise ValueError(f"{where}: X has 0 channels.")
            for i, case in enumerate(cases):
                if case.shape[1] == 0:
                    raise ValueError(f"{where}: case {i} has length 0.")
                _check_finite(case, f"{where} (case {i})", allow_nan)
            return [np.ascontiguousarray(case, dtype=dtype) for case in cases]

    array = _as_float_array(X, where)
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
    _check_finite(array, where, allow_nan)
    return np.ascontiguousarray(array, dtype=dtype)


def check_y(y: Any, n_cases: int, estimator: Any = None, *, regression=False):
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


def check_X_y(X: Any, y: Any, estimator: Any = None, **kwargs):
    """``check_X`` then ``check_y``; returns both."""
    regression = kwargs.pop("regression", False)
    X = check_X(X, estimator, **kwargs)
    return X, check_y(y, len(X), estimator, regression=regression)


def series_lengths(X: np.ndarray | list[np.ndarray]) -> np.ndarray:
    """Length of each case, as int64."""
    if isinstance(X, np.ndarray):
        return np.full(X.shape[0], X.shape[2], dtype=np.int64)
    return np.array([case.shape[1] for case in X], dtype=np.int64)


def pad_short_series(X, min_length: int, estimator: Any = None):
    """Zero-pad series shorter than ``min_length`` at the end, with a warning.

    This is SPEC.md's policy (aeon's too): problems such as PenDigits (L=8)
    and JapaneseVowels (L from 7) still work with kernels of length 9-11.
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


def interpolate_missing(X, estimator: Any = None):
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


def check_fitted_shape(X, n_channels: int, n_timepoints: int | None, estimator: Any):
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


def check_positive_int(value: Any, name: str, estimator: Any = None) -> int:
    """Parameters such as ``n_features`` and ``n_kernels`` must be ints >= 1."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(
            f"{_name(estimator)}: {name} must be a positive integer, got {value!r}."
        )
    if value < 1:
        raise ValueError(
            f"{_name(estimator)}: {name} must be a positive integer, got {value}."
        )
    return int(value)


def _physical_memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def output_limit_bytes() -> int:
    """The largest output (or fitted state) rocketconv agrees to allocate.

    ``ROCKETCONV_MAX_OUTPUT_BYTES`` when set (honoured exactly: a machine
    with swap or a memory-mapped output may want more than its RAM);
    otherwise 64 GiB or the machine's physical memory, whichever is less, so
    that a request that cannot fit fails with a message instead of being
    killed by the operating system half-way through a transform.
    """
    if _LIMIT_FROM_ENV:
        return MAX_OUTPUT_BYTES
    physical = _physical_memory_bytes()
    return MAX_OUTPUT_BYTES if physical is None else min(MAX_OUTPUT_BYTES, physical)


def check_output_size(
    n_cases: int, n_features: int, itemsize: int, estimator: Any = None
) -> None:
    """Refuse, before allocating, an output that could never fit in memory."""
    n_bytes = int(n_cases) * int(n_features) * int(itemsize)
    limit = output_limit_bytes()
    if n_bytes > limit:
        raise MemoryError(
            f"{_name(estimator)}: the output would be {n_cases} x {n_features} "
            f"features = {n_bytes / 2**30:.1f} GiB, more than the limit of "
            f"{limit / 2**30:.1f} GiB (physical memory, or "
            "ROCKETCONV_MAX_OUTPUT_BYTES). Use fewer features or transform in "
            "smaller batches."
        )


def _int_param(params: dict, name: str) -> int | None:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        return None
    return int(value)


def check_size_parameters(
    estimator: Any, bytes_per_feature: int = FIT_BYTES_PER_FEATURE
) -> None:
    """Refuse, before fit allocates anything, size parameters that cannot fit.

    The number of features per case is bounded below from the parameters
    alone: ``n_features`` (MiniRocket, MultiRocket), ``n_kernels`` (ROCKET
    makes two features per kernel) and ``n_kernels * n_groups`` (Hydra makes
    at least that many). If even that many features for ONE case, at
    ``bytes_per_feature`` bytes of fitted state each, exceed
    :func:`output_limit_bytes`, fitting would exhaust memory (or, worse,
    spend minutes in a Python loop first), so a ``MemoryError`` naming the
    parameter is raised at once. Call it after the parameters' types have
    been checked; non-integer values are ignored here.
    """
    params = estimator.get_params(deep=False)
    n_kernels = _int_param(params, "n_kernels")
    n_groups = _int_param(params, "n_groups")
    candidates = {
        "n_features": _int_param(params, "n_features"),
        "n_kernels": n_kernels,
    }
    if n_kernels is not None and n_groups is not None:
        candidates["n_kernels * n_groups"] = n_kernels * n_groups
    limit = output_limit_bytes()
    for name, value in candidates.items():
        if value is not None and value * bytes_per_feature > limit:
            shown = (
                f"{name}={value}"
                if "*" not in name
                else f"n_kernels * n_groups = {n_kernels} * {n_groups}"
            )
            raise MemoryError(
                f"{_name(estimator)}: {shown} is too large: its features would "
                f"need about {value * bytes_per_feature / 2**30:.1f} GiB for a "
                f"single case, more than the limit of {limit / 2**30:.1f} GiB "
                "(physical memory, or ROCKETCONV_MAX_OUTPUT_BYTES)."
            )


def check_random_state(random_state: Any, estimator: Any = None):
    """sklearn's ``check_random_state`` with errors that name ``random_state``.

    Accepted: None, an int (Python or numpy) in ``[0, 2**32 - 1]``, or a
    ``numpy.random.RandomState``. A ``numpy.random.Generator`` is refused
    with a ``TypeError`` (as scikit-learn does): estimators draw with the
    RandomState API, and silently re-seeding from a Generator would consume
    the caller's stream, so repeated fits would differ. Pass an int seed, e.g.
    ``int(rng.integers(2**32))``.
    """
    from sklearn.utils import check_random_state as sklearn_check_random_state

    where = _name(estimator)
    if isinstance(random_state, np.random.Generator):
        raise TypeError(
            f"{where}: random_state must be None, an int or a "
            "numpy.random.RandomState; a numpy.random.Generator is not supported. "
            "Pass an int seed instead, e.g. random_state=int(rng.integers(2**32))."
        )
    if random_state is None or isinstance(random_state, np.random.RandomState):
        return sklearn_check_random_state(random_state)
    if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer):
        raise TypeError(
            f"{where}: random_state must be None, an int or a "
            f"numpy.random.RandomState, got {random_state!r} "
            f"({type(random_state).__name__})."
        )
    if not 0 <= int(random_state) <= 2**32 - 1:
        raise ValueError(
            f"{where}: random_state must be between 0 and 2**32 - 1, got "
            f"{random_state}."
        )
    return np.random.RandomState(int(random_state))


def check_n_jobs(n_jobs: int | None, estimator: Any = None) -> int:
    """Number of numba threads: None means 1, negative counts back from all cores.

    "All cores" are the ones this process may use: numba's thread count
    capped by joblib's ``cpu_count()``, which honours CPU affinity and
    cgroup quotas (numba alone counts every core of the host). Inside a
    joblib worker, joblib has already lowered ``NUMBA_NUM_THREADS`` to the
    worker's share, so ``n_jobs=-1`` under ``GridSearchCV(n_jobs=k)`` does
    not oversubscribe. ``estimator`` (optional) only names the estimator in
    error messages.
    """
    available = min(numba.config.NUMBA_NUM_THREADS, joblib.cpu_count())
    prefix = "" if estimator is None else f"{_name(estimator)}: "
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int | np.integer):
        raise TypeError(f"{prefix}n_jobs must be an int or None, got {n_jobs!r}.")
    if n_jobs == 0:
        raise ValueError(
            f"{prefix}n_jobs == 0 has no meaning; use None, a positive int or -1."
        )
    if n_jobs < 0:
        return max(1, available + 1 + int(n_jobs))
    return min(int(n_jobs), available)


@contextlib.contextmanager
def numba_threads(n_jobs: int | None) -> Iterator[int]:
    """Run the enclosed numba ``prange`` loops on ``n_jobs`` threads."""
    n_threads = check_n_jobs(n_jobs)
    previous = numba.get_num_threads()
    numba.set_num_threads(n_threads)
    try:
        yield n_threads
    finally:
        numba.set_num_threads(previous)
