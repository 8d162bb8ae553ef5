"""Exact timepoint attributions of a fitted RocketClassifier.

For every case, ``attributions.sum(axis=(channels, timepoints)) + baseline``
is the classifier's decision function: each feature is written as a sum of
shares over the timepoints that produced it (the family modules), the head
is written as per-feature weights and a baseline (``_head``), and the
shares land on (channel, timepoint) cells by the rules of ``_timepoints``.
Cases are explained in chunks of one length at a time, so memory is the
output plus ``O(chunk x n_features_per_kernel x length)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._validation import check_X, pad_short_series, series_lengths
from ..transformers.hydra import Hydra
from ..transformers.minirocket import MiniRocket
from ..transformers.multirocket import MultiRocket
from ..transformers.multirocket_hydra import MultiRocketHydra
from ..transformers.rocket import Rocket
from ._head import LinearHead, linear_head
from ._hydra import explain_hydra
from ._minirocket import explain_minirocket, explain_multirocket
from ._rocket import explain_rocket
from ._timepoints import TimepointAccumulator

__all__ = ["attribution_baseline", "explain"]

# Cases explained at once: bounds the per-kernel scratch arrays
EXPLAIN_CHUNK = 64

Explainer = Callable[[Any, np.ndarray, LinearHead, TimepointAccumulator, int], None]


def _explain_multirocket_hydra(
    transformer: Any,
    x: np.ndarray,
    head: LinearHead,
    accumulator: TimepointAccumulator,
    first_column: int = 0,
) -> None:
    """``[Hydra | MultiRocket]``, each part on its columns."""
    explain_hydra(transformer.hydra_, x, head, accumulator, first_column)
    # full columns: a pruned transformer's n_hydra_features_ counts kept ones
    first = first_column + full_width(transformer.hydra_)
    explain_multirocket(transformer.multirocket_, x, head, accumulator, first)


EXPLAINERS: dict[type, Explainer] = {
    MiniRocket: explain_minirocket,
    MultiRocket: explain_multirocket,
    Rocket: explain_rocket,
    Hydra: explain_hydra,
    MultiRocketHydra: _explain_multirocket_hydra,
}


def _explainer(transformer: Any) -> Explainer:
    explainer = EXPLAINERS.get(type(transformer))
    if explainer is None:
        known = ", ".join(cls.__name__ for cls in EXPLAINERS)
        raise TypeError(
            f"explain knows the transformers {known}; got {type(transformer).__name__}."
        )
    return explainer


def full_width(transformer: Any) -> int:
    """Columns of the full output of a fitted transformer (a pruned one's
    ``kept_features_`` index these)."""
    if isinstance(transformer, MultiRocketHydra):
        return full_width(transformer.hydra_) + full_width(transformer.multirocket_)
    if isinstance(transformer, MiniRocket):
        return len(transformer.representation_.biases)
    if isinstance(transformer, MultiRocket):
        return 8 * len(transformer.representation_.biases)
    if isinstance(transformer, Rocket):
        return 2 * len(transformer.lengths_)
    return 2 * int(np.prod(transformer.weights_.shape[:4]))  # Hydra


def _fitted_head(classifier: Any) -> LinearHead:
    check_is_fitted(classifier, "head_")
    transformer = classifier.transformer_
    _explainer(transformer)
    kept = getattr(transformer, "kept_features_", None)
    return linear_head(classifier.head_, full_width(transformer), kept)


def attribution_baseline(classifier: Any) -> np.ndarray:
    """The part of the decision function that belongs to no timepoint.

    Parameters
    ----------
    classifier : fitted RocketClassifier

    Returns
    -------
    baseline : ndarray of shape (n_outputs,)
        The intercept minus the scaler's centring term ``sum w mu / s`` (of
        the affine-scaled features), per column of ``decision_function``
        (one column for two classes).
    """
    return _fitted_head(classifier).baseline


def _explain_chunk(
    transformer: Any,
    explainer: Explainer,
    head: LinearHead,
    cube: np.ndarray,
    real: int,
) -> np.ndarray:
    """Attributions ``(n, n_outputs, n_channels, real)`` of padded ``cube``."""
    accumulator = TimepointAccumulator(
        len(cube), head.n_outputs, cube.shape[1], cube.shape[2], real
    )
    explainer(transformer, np.ascontiguousarray(cube, np.float32), head, accumulator, 0)
    return accumulator.result()


def explain(classifier: Any, X: Any) -> np.ndarray | list[np.ndarray]:
    """Per-case, per-output, per-(channel, timepoint) shares of the decision.

    Parameters
    ----------
    classifier : fitted RocketClassifier
    X : array-like of shape (n_cases, n_channels, n_timepoints) or list
        As for ``predict``; checked the same way.

    Returns
    -------
    attributions : ndarray of shape (n_cases, n_outputs, n_channels, n_timepoints)
        Or, for unequal-length input, a list of ``(n_outputs, n_channels,
        length_i)`` arrays. ``attributions.sum(axis=(2, 3)) +
        attribution_baseline(classifier)`` equals
        ``classifier.decision_function(X)`` (as a column for two classes).
    """
    head = _fitted_head(classifier)
    transformer = classifier.transformer_
    X = check_X(X, classifier, allow_nan=classifier._allows_nan())
    return attribute(transformer, head, X)


def attribute(
    transformer: Any, head: LinearHead, X: np.ndarray | list[np.ndarray]
) -> np.ndarray | list[np.ndarray]:
    """Attributions of ``head`` on the features of ``transformer`` for
    ``X`` (validated by ``check_X``): :func:`explain` without the classifier."""
    explainer = _explainer(transformer)
    X = transformer._validate(X, fitted=True, checked=True)
    lengths = series_lengths(X)
    padded = pad_short_series(X, transformer._min_length, transformer)
    if isinstance(padded, np.ndarray):
        parts = [
            _explain_chunk(
                transformer, explainer, head, padded[s : s + EXPLAIN_CHUNK], lengths[0]
            )
            for s in range(0, len(padded), EXPLAIN_CHUNK)
        ]
        return np.concatenate(parts)
    out: list[np.ndarray] = [np.empty(0)] * len(padded)
    for length in np.unique(lengths):
        cases = np.flatnonzero(lengths == length)
        for s in range(0, len(cases), EXPLAIN_CHUNK):
            chunk = cases[s : s + EXPLAIN_CHUNK]
            cube = np.stack([padded[i] for i in chunk])
            values = _explain_chunk(transformer, explainer, head, cube, int(length))
            for i, case in enumerate(chunk):
                out[case] = values[i]
    return out
