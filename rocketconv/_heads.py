"""The linear heads behind RocketClassifier: which one to use, and how to fit
the two that scikit-learn does not provide as they are needed here.

* ``choose_head``: ``"auto"`` is a function of ``n_cases`` and
  ``n_features`` only (never of the machine's current load), so the same
  seed gives the same model anywhere.
* ``fit_head``: the chosen head, fitted on a feature stream (by
  ``RocketClassifier.fit``, and again on the kept features by
  ``rocketconv.pruning``).
* ``fit_ridge_head``: the published scaler + RidgeClassifierCV with alpha
  chosen by leave-one-out, and a temperature calibrated on the leave-one-out
  decision values; with no more cases than features, the same model computed
  through the cases' Gram matrix by ``rocketconv._gram_ridge``.
* the mini-batch softmax head is ``rocketconv._softmax``: softmax regression
  by SGD over chunks, with early stopping, for data too large for an
  in-memory logistic regression.
* the streaming ridge head is ``rocketconv._streaming_ridge``: the exact
  ridge head without the feature matrix.
"""

from __future__ import annotations

import os
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import TransformerMixin
from sklearn.linear_model import LogisticRegression, RidgeClassifierCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler

from . import _gram_ridge, _streaming_ridge
from ._softmax import MiniBatchSoftmax
from ._sources import FeatureStream
from ._validation import check_sample_weight
from .calibration import LeaveOneOutSquaredError, TemperatureScaler

DEFAULT_ALPHAS = np.logspace(-3, 3, 10)
HEADS = ("auto", "ridge", "streaming_ridge", "logistic")

# class_weight as the heads take it: keyed by integer codes, or "balanced"
ClassWeight: TypeAlias = dict[int, float] | str | None
# random_state as the estimators take it
Seed: TypeAlias = int | np.integer | np.random.RandomState | None
# a fitted head: a Pipeline (scaler + linear model) or the mini-batch softmax
Head: TypeAlias = "Pipeline | MiniBatchSoftmax"


def ridge_memory_bytes(n_cases: int, n_features: int) -> int:
    """Rough peak of RidgeClassifierCV's leave-one-out fit: a float64 copy of
    the features, the n x n Gram matrix and its eigenvectors."""
    return 8 * (2 * n_cases * n_features + 3 * n_cases * min(n_cases, n_features))


def _physical_memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def choose_head(
    estimator: str,
    n_cases: int,
    n_features: int,
    ridge_max_cases: int,
    minibatch_threshold: int,
    where: str = "RocketClassifier",
) -> str:
    """``"ridge"``, ``"streaming_ridge"``, ``"logistic"`` or ``"minibatch"``.

    ``"auto"``: the in-memory ridge up to ``ridge_max_cases`` cases; above,
    the exact streaming ridge while ``n_features`` is at most
    ``_streaming_ridge.STREAMING_RIDGE_MAX_FEATURES`` (its p x p Gram
    fits), else the softmax head. Logistic becomes the mini-batch softmax
    above ``minibatch_threshold`` cases. A ridge fit whose matrices exceed
    the machine's physical memory fails here, naming the way out, instead of
    being killed half-way.
    """
    head = estimator
    if estimator == "auto":
        if n_cases <= ridge_max_cases:
            head = "ridge"
        elif n_features <= _streaming_ridge.STREAMING_RIDGE_MAX_FEATURES:
            head = "streaming_ridge"
        else:
            head = "logistic"
    if head == "logistic" and n_cases > minibatch_threshold:
        head = "minibatch"
    physical = _physical_memory_bytes()
    if head == "ridge":
        need = ridge_memory_bytes(n_cases, n_features)
        way_out = "estimator='streaming_ridge' or 'logistic', or fewer features"
    elif head == "streaming_ridge":
        need = _streaming_ridge.streaming_ridge_memory_bytes(n_cases, n_features)
        way_out = "estimator='logistic' (the softmax head) or fewer features"
    else:
        return head
    if physical is not None and need > physical:
        raise MemoryError(
            f"{where}: the {head} head on {n_cases} cases x {n_features} "
            f"features needs about {need / 2**30:.1f} GiB, more than this "
            f"machine's {physical / 2**30:.1f} GiB. Use {way_out}."
        )
    return head


def check_alphas(alphas: ArrayLike | None, where: str) -> np.ndarray:
    """The ridge penalties to search: ``DEFAULT_ALPHAS`` for None, else the
    given ones as a 1-D float64 array (non-empty, positive, finite)."""
    if alphas is None:
        return DEFAULT_ALPHAS
    values = np.asarray(alphas, dtype=np.float64).ravel()
    if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError(
            f"{where}: alphas must be a non-empty list of positive, finite "
            f"penalties, got {alphas!r}."
        )
    return values


def encode_class_weight(
    class_weight: dict[Any, float] | str | None, encoder: LabelEncoder
) -> ClassWeight:
    """The heads see integer codes, so a dict keyed by labels is re-keyed."""
    if isinstance(class_weight, dict):
        unknown = set(class_weight) - set(encoder.classes_.tolist())
        if unknown:
            raise ValueError(f"class_weight names labels not in y: {sorted(unknown)}.")
        return {int(encoder.transform([k])[0]): v for k, v in class_weight.items()}
    return class_weight


def check_weights(
    sample_weight: ArrayLike | None,
    codes: np.ndarray,
    classes: np.ndarray,
    classifier: Any,
) -> np.ndarray | None:
    """The checked ``sample_weight`` (or None) of the cases of ``codes``.

    Classification needs two classes in ``classes``, and with weights two
    classes of non-zero weight; the errors name ``classifier``.
    """
    where = type(classifier).__name__
    if len(classes) < 2:
        raise ValueError(
            f"{where}: y has 1 class ({classes[0]!r}); classification "
            "needs at least two."
        )
    if sample_weight is None:
        return None
    weights = check_sample_weight(sample_weight, len(codes), classifier)
    if len(np.unique(codes[weights > 0])) < 2:
        raise ValueError(
            f"{where}: only one class has non-zero sample weight; "
            "classification needs at least two."
        )
    return weights


def seed_of(random_state: Seed) -> int | None:
    """An int seed (or None) for heads that take one."""
    if random_state is None:
        return None
    if isinstance(random_state, int | np.integer):
        return int(random_state)
    return int(random_state.randint(2**31 - 1))


def split_pipeline(head: Any) -> tuple[Pipeline | None, Any]:
    """``(head[:-1], head[-1])`` of a Pipeline head, ``(None, head)`` else:
    ``head.predict(X)`` is ``head[-1].predict(head[:-1].transform(X))``."""
    if isinstance(head, Pipeline) and len(head.steps) > 1:
        return head[:-1], head[-1]
    return None, head


def fit_head(
    kind: str,
    scaler: TransformerMixin,
    stream: FeatureStream,
    codes: np.ndarray,
    n_classes: int,
    alphas: np.ndarray,
    class_weight: ClassWeight,
    weights: np.ndarray | None,
    random_state: Seed,
) -> tuple[Head, TemperatureScaler | None]:
    """The head of ``kind`` (a :func:`choose_head` answer) on ``stream``.

    Returns ``(head, calibrator)``; the calibrator (of the ridge heads'
    probabilities) is None for the logistic and mini-batch heads. The
    streaming ridge and the mini-batch softmax iterate ``stream``; the
    in-memory heads take its feature matrix (collected if it has none).
    ``scaler`` is the published scaler, used by the ridge heads only.
    """
    if kind == "streaming_ridge":
        return _streaming_ridge.fit_streaming_ridge(
            scaler,
            stream,
            stream.n_features,
            codes,
            n_classes,
            alphas,
            class_weight,
            weights,
        )
    if kind == "minibatch":
        softmax = MiniBatchSoftmax(
            class_weight=class_weight, random_state=seed_of(random_state)
        )
        return softmax.fit(stream, codes, weights), None
    features = stream.collect() if stream.features is None else stream.features
    if kind == "ridge":
        return fit_ridge_head(
            scaler, features, codes, n_classes, alphas, class_weight, weights
        )
    return fit_logistic_head(features, codes, class_weight, weights, random_state), None


def fit_ridge_head(
    scaler: TransformerMixin,
    features: np.ndarray,
    codes: np.ndarray,
    n_classes: int,
    alphas: np.ndarray,
    class_weight: ClassWeight,
    weights: np.ndarray | None,
) -> tuple[Pipeline, TemperatureScaler]:
    """Scaler + RidgeClassifierCV, and the temperature of its probabilities.

    Returns ``(pipeline, calibrator)``. Alpha is selected by the same
    leave-one-out squared error as RidgeClassifierCV's default; the scorer
    keeps the leave-one-out decision values, on which the temperature is fit.
    With no more cases than features, the same model comes from
    :func:`rocketconv._gram_ridge.fit_gram_ridge`, which spares
    scikit-learn's copies and per-alpha products.
    """
    if len(codes) <= features.shape[1]:
        return _gram_ridge.fit_gram_ridge(
            scaler, features, codes, n_classes, alphas, class_weight, weights
        )
    ridge = RidgeClassifierCV(
        alphas=alphas,
        class_weight=class_weight,
        scoring=LeaveOneOutSquaredError(codes, n_classes),
        store_cv_results=True,
    )
    head = make_pipeline(scaler, ridge)
    head.fit(features, codes, ridgeclassifiercv__sample_weight=weights)
    chosen = int(np.flatnonzero(np.isclose(alphas, ridge.alpha_))[0])
    loo = ridge.cv_results_[:, :, chosen]
    # zero-weight cases have no leave-one-out value (0/0): leave them out
    usable = np.isfinite(loo).all(axis=1)
    if weights is not None:
        usable &= weights > 0
    return head, TemperatureScaler().fit(loo[usable], codes[usable])


def fit_logistic_head(
    features: np.ndarray,
    codes: np.ndarray,
    class_weight: ClassWeight,
    weights: np.ndarray | None,
    random_state: Seed,
) -> Pipeline:
    """StandardScaler + LogisticRegression (lbfgs, up to 1000 iterations).

    ``tol=1e-6``: at scikit-learn's default 1e-4, lbfgs stops after ~15
    iterations on strongly weighted problems (class weights 1000 : 0.0001)
    far from the optimum, and the class weights then seem to do nothing.
    """
    model = LogisticRegression(
        max_iter=1000, tol=1e-6, class_weight=class_weight, random_state=random_state
    )
    head = make_pipeline(StandardScaler(), model)
    return head.fit(features, codes, logisticregression__sample_weight=weights)
