"""The classifiers ``rocketconv benchmark`` knows by name.

Each name maps to a display name (used for result folders, as tsml does) and
a factory ``(random_state, n_jobs, params) -> unfitted classifier``.
Factories import their estimator lazily, so the registry works while an
estimator module (e.g. InceptionTime) is missing; the error then comes from
the task that needs it and is recorded like any other crash.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = [
    "CLASSIFIERS",
    "available_classifiers",
    "check_classifier_names",
    "display_name",
    "make_classifier",
]


def _rocket_family(transformer: str) -> Callable[..., Any]:
    def factory(random_state, n_jobs=1, params=None):
        from rocketconv._registry import get_algorithm
        from rocketconv.linear import RocketClassifier

        params = dict(params or {})
        if not params:
            return RocketClassifier(
                transformer=transformer, random_state=random_state, n_jobs=n_jobs
            )
        # params name either the transformer's or the classifier's arguments
        cls = get_algorithm(transformer).load()
        t_names = set(inspect.signature(cls).parameters) - {"random_state", "n_jobs"}
        c_names = set(inspect.signature(RocketClassifier).parameters) - {
            "transformer",
            "random_state",
            "n_jobs",
        }
        unknown = set(params) - t_names - c_names
        if unknown:
            raise ValueError(
                f"unknown parameter(s) {sorted(unknown)} for {transformer}; "
                f"transformer takes {sorted(t_names)}, classifier {sorted(c_names)}."
            )
        t_params = {k: v for k, v in params.items() if k in t_names}
        c_params = {k: v for k, v in params.items() if k not in t_names}
        instance = cls(random_state=random_state, n_jobs=n_jobs, **t_params)
        return RocketClassifier(
            transformer=instance, random_state=random_state, n_jobs=n_jobs, **c_params
        )

    return factory


def _inceptiontime(random_state, n_jobs=1, params=None):
    try:
        module = importlib.import_module("rocketconv.deep.inceptiontime")
    except ImportError as error:
        raise ImportError(
            f"InceptionTimeClassifier is not available in this installation ({error})."
        ) from error
    cls = module.InceptionTimeClassifier
    kwargs = dict(params or {})
    if "n_jobs" in inspect.signature(cls).parameters:
        kwargs.setdefault("n_jobs", n_jobs)
    return cls(random_state=random_state, **kwargs)


#: name -> (display name, factory)
CLASSIFIERS: dict[str, tuple[str, Callable[..., Any]]] = {
    "minirocket": ("MiniRocket", _rocket_family("minirocket")),
    "rocket": ("ROCKET", _rocket_family("rocket")),
    "multirocket": ("MultiRocket", _rocket_family("multirocket")),
    "hydra": ("Hydra", _rocket_family("hydra")),
    "multirocket+hydra": ("MultiRocket-Hydra", _rocket_family("multirocket+hydra")),
    "inceptiontime": ("InceptionTime", _inceptiontime),
}


def available_classifiers() -> list[str]:
    """The registered classifier names."""
    return list(CLASSIFIERS)


def _unknown_message(name: str, known: Iterable[str], what: str) -> str:
    known = list(known)
    close = difflib.get_close_matches(name.lower(), known, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return f"unknown {what} {name!r}; known {what}s: {', '.join(known)}.{hint}"


def check_classifier_names(names: Iterable[str]) -> list[str]:
    """Lower-case, de-duplicated names; ValueError listing the known names
    for any unknown one.

    Examples
    --------
    >>> check_classifier_names(["MiniRocket", "rocket"])
    ['minirocket', 'rocket']
    """
    out: list[str] = []
    for name in names:
        key = name.strip().lower()
        if key not in CLASSIFIERS:
            raise ValueError(_unknown_message(name, CLASSIFIERS, "classifier"))
        if key not in out:
            out.append(key)
    return out


def display_name(name: str, params: Mapping[str, Any] | None = None) -> str:
    """The result-folder name: ``MiniRocket``, or ``MiniRocket_n_features=840``
    with non-default parameters, so such runs never resume from default ones.

    Examples
    --------
    >>> display_name("minirocket", {"n_features": 840})
    'MiniRocket_n_features=840'
    """
    base = CLASSIFIERS[check_classifier_names([name])[0]][0]
    if not params:
        return base
    return base + "".join(f"_{k}={v}" for k, v in sorted(params.items()))


def make_classifier(
    name: str,
    *,
    random_state: int | None = 0,
    n_jobs: int = 1,
    params: Mapping[str, Any] | None = None,
):
    """A fresh, unfitted classifier for a registered name.

    Parameters
    ----------
    name : str
        One of :func:`available_classifiers` (case-insensitive).
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
    key = check_classifier_names([name])[0]
    return CLASSIFIERS[key][1](random_state, n_jobs, params)
