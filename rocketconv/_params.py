"""Checks of estimator parameters shared by every rocketconv estimator.

Input data (X, y) is checked in ``_validation``; this module checks the
parameters that say how much work and memory a fit takes (``n_jobs``,
``random_state``, sizes such as ``n_features``), so that an impossible
request fails at once with a message naming the parameter, before any
allocation.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ._numba import available_threads

__all__ = [
    "check_n_jobs",
    "check_positive_int",
    "check_output_size",
    "check_size_parameters",
    "check_random_state",
    "output_limit_bytes",
]

# A transform whose output would need more than this many bytes is refused
# before anything is allocated (see ``check_output_size``). Without the
# environment variable the machine's physical memory lowers it further.
OUTPUT_LIMIT_VARIABLE = "ROCKETCONV_MAX_OUTPUT_BYTES"
DEFAULT_OUTPUT_LIMIT = 64 * 2**30

# Bytes that fitting costs per requested feature, a generous upper bound:
# float32 biases plus the float64/int64 temporaries of building them
# (MiniRocket's quantiles take three 8-byte arrays of n_features).
FIT_BYTES_PER_FEATURE = 32


def _name(estimator: Any) -> str:
    if estimator is None:
        return "rocketconv"
    return estimator if isinstance(estimator, str) else type(estimator).__name__


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
    # read at each call, not frozen at import: a user may set it at any time
    from_env = os.environ.get(OUTPUT_LIMIT_VARIABLE)
    if from_env:
        return int(from_env)
    physical = _physical_memory_bytes()
    return (
        DEFAULT_OUTPUT_LIMIT
        if physical is None
        else min(DEFAULT_OUTPUT_LIMIT, physical)
    )


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


def check_random_state(
    random_state: Any, estimator: Any = None
) -> np.random.RandomState:
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
    """Number of threads: None means 1, negative counts back from all cores.

    "All cores" are the ones this process may use: numba's thread count
    capped by joblib's ``cpu_count()``, which honours CPU affinity and
    cgroup quotas (numba alone counts every core of the host). Inside a
    joblib worker, joblib has already lowered ``NUMBA_NUM_THREADS`` to the
    worker's share, so ``n_jobs=-1`` under ``GridSearchCV(n_jobs=k)`` does
    not oversubscribe. ``estimator`` (optional) only names the estimator in
    error messages.
    """
    prefix = "" if estimator is None else f"{_name(estimator)}: "
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int | np.integer):
        raise TypeError(f"{prefix}n_jobs must be an int or None, got {n_jobs!r}.")
    if n_jobs == 0:
        raise ValueError(
            f"{prefix}n_jobs == 0 has no meaning; use None, a positive int or -1."
        )
    if n_jobs == 1:
        # no core count to read (joblib's reads cgroup files at every call)
        return 1
    available = available_threads()
    if n_jobs < 0:
        return max(1, available + 1 + int(n_jobs))
    return min(int(n_jobs), available)
