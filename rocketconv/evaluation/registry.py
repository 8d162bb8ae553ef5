"""The classifiers ``rocketconv benchmark`` can run, by name.

The names, display names (result folders, as tsml does) and aliases are
those of :data:`rocketconv._registry.ALGORITHMS`; every entry with an
estimator class is runnable (reference-only entries such as HIVE-COTE 2 have
published results but no class). A transformer entry is run as a
``RocketClassifier`` around that transformer; any other entry is its own
estimator class. Classes are imported when a classifier is made, so a
missing optional module fails in the tasks that need it, where the failure
is recorded like any other crash.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rocketconv._registry import ALGORITHMS, Algorithm, get_algorithm

if TYPE_CHECKING:  # imported when a classifier is made
    from sklearn.base import BaseEstimator

    from rocketconv.linear import RocketClassifier

__all__ = [
    "available_classifiers",
    "check_classifier_names",
    "display_name",
    "make_classifier",
]


def available_classifiers() -> list[str]:
    """The names of the runnable classifiers, in registry order.

    Examples
    --------
    >>> "minirocket" in available_classifiers(), "hc2" in available_classifiers()
    (True, False)
    """
    return [key for key, a in ALGORITHMS.items() if a.module is not None]


def _unknown_message(name: str) -> str:
    known = available_classifiers()
    spellings = [
        spelling for key in known for spelling in (key, *ALGORITHMS[key].aliases)
    ]
    close = difflib.get_close_matches(name.strip().lower(), spellings, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(dict.fromkeys(close))}?" if close else ""
    return f"unknown classifier {name!r}; known classifiers: {', '.join(known)}.{hint}"


def _runnable(name: str) -> Algorithm:
    try:
        algorithm = get_algorithm(name, "classifier")
    except ValueError:
        raise ValueError(_unknown_message(name)) from None
    if algorithm.module is None:
        raise ValueError(
            f"{algorithm.display_name} has published results only; rocketconv "
            f"cannot run it. Known classifiers: {', '.join(available_classifiers())}."
        )
    return algorithm


def check_classifier_names(names: Iterable[str]) -> list[str]:
    """Registry keys of ``names`` (case-insensitive, aliases accepted),
    de-duplicated; ValueError listing the known names for any unknown one.

    Examples
    --------
    >>> check_classifier_names(["MiniRocket", "rocket", "MR-Hydra"])
    ['minirocket', 'rocket', 'multirocket+hydra']
    """
    keys = (_runnable(name).key for name in names)
    return list(dict.fromkeys(keys))


def display_name(name: str, params: Mapping[str, Any] | None = None) -> str:
    """The result-folder name: ``MiniRocket``, or ``MiniRocket_n_features=840``
    with non-default parameters, so such runs never resume from default ones.

    Examples
    --------
    >>> display_name("minirocket", {"n_features": 840})
    'MiniRocket_n_features=840'
    """
    base = _runnable(name).display_name
    if not params:
        return base
    return base + "".join(f"_{k}={v}" for k, v in sorted(params.items()))


def _rocket_classifier(
    algorithm: Algorithm, random_state: int | None, n_jobs: int, params: dict
) -> RocketClassifier:
    """``RocketClassifier`` around the transformer; ``params`` name either
    the transformer's or the classifier's arguments."""
    from rocketconv.linear import RocketClassifier

    if not params:
        return RocketClassifier(
            transformer=algorithm.key, random_state=random_state, n_jobs=n_jobs
        )
    cls = algorithm.load()
    shared = {"transformer", "random_state", "n_jobs"}
    t_names = set(inspect.signature(cls).parameters) - shared
    c_names = set(inspect.signature(RocketClassifier).parameters) - shared
    unknown = set(params) - t_names - c_names
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {sorted(unknown)} for {algorithm.key}; "
            f"transformer takes {sorted(t_names)}, classifier {sorted(c_names)}."
        )
    t_params = {k: v for k, v in params.items() if k in t_names}
    c_params = {k: v for k, v in params.items() if k not in t_names}
    instance = cls(random_state=random_state, n_jobs=n_jobs, **t_params)
    return RocketClassifier(
        transformer=instance, random_state=random_state, n_jobs=n_jobs, **c_params
    )


def _own_classifier(
    algorithm: Algorithm, random_state: int | None, n_jobs: int, params: dict
) -> BaseEstimator:
    """The entry's own estimator class (e.g. InceptionTime)."""
    try:
        cls = algorithm.load()
    except ImportError as error:
        raise ImportError(
            f"{algorithm.class_name} is not available in this installation ({error})."
        ) from error
    if "n_jobs" in inspect.signature(cls).parameters:
        params.setdefault("n_jobs", n_jobs)
    return cls(random_state=random_state, **params)


def make_classifier(
    name: str,
    *,
    random_state: int | None = 0,
    n_jobs: int = 1,
    params: Mapping[str, Any] | None = None,
) -> BaseEstimator:
    """A fresh, unfitted classifier for a registered name.

    Parameters
    ----------
    name : str
        One of :func:`available_classifiers` (case-insensitive, aliases
        accepted).
    random_state : int or None
    n_jobs : int
    params : mapping, optional
        Extra constructor arguments, e.g. ``{"n_features": 840}`` for the
        MiniRocket transformer.

    Examples
    --------
    >>> clf = make_classifier("minirocket", random_state=1)
    >>> type(clf).__name__, clf.transformer, clf.random_state
    ('RocketClassifier', 'minirocket', 1)
    """
    algorithm = _runnable(name)
    factory = _rocket_classifier if algorithm.is_transformer else _own_classifier
    return factory(algorithm, random_state, n_jobs, dict(params or {}))
