"""RocketClassifier and RocketRegressor: a convolution transformer followed by
the linear head its paper used.

Heads
-----
* ``"ridge"``: the published head, a scaler then ``RidgeClassifierCV`` with
  ``alphas=logspace(-3, 3, 10)`` chosen by leave-one-out. The scaler is the
  one each paper used, declared per transformer in ``rocketconv._registry``:
  ROCKET and MiniRocket used scikit-learn's old ``normalize=True``
  (:class:`~rocketconv.scalers.L2ColumnScaler`; scikit-learn has removed it
  and sktime/aeon replaced it by StandardScaler, a regularisation different
  by a factor of n_cases), MultiRocket StandardScaler, Hydra its
  :class:`~rocketconv.scalers.SparseScaler`. A transformer instance of a
  class the registry does not know (a user's own) gets StandardScaler.
* ``"logistic"``: StandardScaler + LogisticRegression, or, above
  ``minibatch_threshold`` cases, a mini-batch softmax (SGD with log loss)
  trained on chunks of the float32 features.
* ``"auto"``: ridge while ``n_cases <= ridge_max_cases``, else logistic, as
  the papers do for large data; a function of the data's size only.

Probabilities from the ridge head are calibrated (``rocketconv.calibration``).

Threads: the classifier's ``n_jobs`` is the one that counts; a transformer
instance passed in is cloned with it.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import _heads
from ._registry import get_algorithm, published_scaler, transformer_keys
from ._validation import (
    check_n_jobs,
    check_random_state,
    check_sample_weight,
    check_X,
    check_y,
)
from .scalers import L2ColumnScaler  # noqa: F401  (re-exported)

# Cases per predict chunk: features are computed, cast to float64 and passed
# through the head one chunk at a time, so memory stays bounded and every
# case's prediction is independent of the batch it arrives in.
PREDICT_CHUNK = 4096


def resolve_transformer(transformer: Any, random_state=None, n_jobs=1):
    """A fresh transformer from a registered name or an instance.

    The classifier's ``n_jobs`` always wins: an instance is cloned with the
    classifier's ``n_jobs`` (a user sets threads in one place, the estimator
    a pipeline or a grid search sees). An instance without its own seed takes
    the classifier's ``random_state``, so that alone makes a fit reproducible.
    """
    if isinstance(transformer, str):
        algorithm = get_algorithm(transformer, "transformer")
        if not algorithm.is_transformer:
            raise ValueError(
                f"{transformer!r} is not a convolution transformer; choose one "
                f"of {transformer_keys()} or pass a transformer instance."
            )
        return algorithm.load()(random_state=random_state, n_jobs=n_jobs)
    transformer = clone(transformer)
    params = transformer.get_params(deep=False)
    if params.get("random_state", 0) is None and random_state is not None:
        transformer.set_params(random_state=random_state)
    if "n_jobs" in params:
        transformer.set_params(n_jobs=n_jobs)
    return transformer


def _check_alphas(alphas, where: str) -> np.ndarray:
    if alphas is None:
        return _heads.DEFAULT_ALPHAS
    values = np.asarray(alphas, dtype=np.float64).ravel()
    if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError(
            f"{where}: alphas must be a non-empty list of positive, finite "
            f"penalties, got {alphas!r}."
        )
    return values


class _RocketBase(BaseEstimator):
    """Shared plumbing: parameter checks, the transformer, chunked features."""

    _parameter_constraints: dict = {
        "transformer": [str, HasMethods(["fit", "transform"])],
        "alphas": ["array-like", None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def _check_params(self) -> np.ndarray:
        """Every parameter, before any work; returns the alphas to search."""
        where = type(self).__name__
        check_random_state(self.random_state, self)
        check_n_jobs(self.n_jobs, self)
        self._validate_params()  # types and ranges: sklearn's InvalidParameterError
        if isinstance(self.transformer, str):
            algorithm = get_algorithm(self.transformer, "transformer")
            if not algorithm.is_transformer:
                raise ValueError(
                    f"{where}: {self.transformer!r} is not a convolution "
                    f"transformer; choose one of {transformer_keys()}."
                )
        return _check_alphas(self.alphas, where)

    def _fit_features(self, X) -> np.ndarray:
        """Fit the transformer on validated X and return its features."""
        self.transformer_ = resolve_transformer(
            self.transformer, self.random_state, self.n_jobs
        )
        # X was validated by the classifier: a rocketconv transformer takes
        # it as it is (once per fit); any other transformer checks it itself
        if hasattr(self.transformer_, "_fit_transform_checked"):
            features = self.transformer_._fit_transform_checked(X)
        else:
            features = self.transformer_.fit_transform(X)
        n_features_in = getattr(self.transformer_, "n_features_in_", None)
        if n_features_in is not None:
            self.n_features_in_ = n_features_in
        return features

    def _head_outputs(self, X, method: str) -> np.ndarray:
        """``head_.method(features)`` chunk by chunk, features in float64."""
        check_is_fitted(self, "head_")
        X = check_X(X, self, allow_nan=self._allows_nan())
        head_method = getattr(self.head_, method)
        transform = getattr(
            self.transformer_, "_transform_checked", self.transformer_.transform
        )
        parts = []
        for start in range(0, len(X), PREDICT_CHUNK):
            features = transform(X[start : start + PREDICT_CHUNK])
            parts.append(head_method(features.astype(np.float64)))
        return np.concatenate(parts)

    def _allows_nan(self) -> bool:
        return getattr(self.transformer, "missing_values", None) == "interpolate"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = self._allows_nan()
        return tags


class RocketClassifier(ClassifierMixin, _RocketBase):
    """A ROCKET-family transformer followed by its published linear head.

    Parameters
    ----------
    transformer : str or transformer instance, default="minirocket"
        "rocket", "minirocket", "multirocket", "hydra", "multirocket+hydra"
        (case-insensitive; see ``rocketconv._registry``), or an unfitted
        transformer (it is cloned, with this classifier's ``n_jobs``).
    estimator : {"auto", "ridge", "logistic"}, default="auto"
        The head; see the module docstring.
    alphas : array-like, default=None
        Ridge penalties searched by leave-one-out; None is
        ``np.logspace(-3, 3, 10)`` as published.
    class_weight : dict, "balanced" or None, default=None
        Passed to the ridge or logistic head.
    ridge_max_cases : int, default=10_000
        "auto" uses ridge up to this many training cases.
    minibatch_threshold : int, default=50_000
        "logistic" trains a mini-batch softmax above this many cases.
    n_jobs : int, default=1
        Threads for the transformer (also for a transformer instance given).
    random_state : int, RandomState or None, default=None
        Passed to the transformer (when given by name or without its own
        seed) and the heads.

    Attributes
    ----------
    transformer_ : fitted transformer
    head_ : fitted scaler + linear model (Pipeline) or mini-batch softmax
    head_kind_ : {"ridge", "logistic", "minibatch"}
    calibrator_ : TemperatureScaler or None
        Maps ridge decision values to probabilities (ridge head only).
    classes_ : ndarray
    n_features_in_ : int
        ``n_channels * n_timepoints`` of equal-length training series.

    See Also
    --------
    RocketRegressor : the same transformers with a RidgeCV head.

    Examples
    --------
    >>> from rocketconv import RocketClassifier
    >>> from rocketconv.datasets import load_ucr
    >>> X_train, y_train = load_ucr("GunPoint", split="train")
    >>> X_test, y_test = load_ucr("GunPoint", split="test")
    >>> clf = RocketClassifier(random_state=0).fit(X_train, y_train)
    >>> bool(clf.score(X_test, y_test) > 0.9)
    True
    """

    _parameter_constraints: dict = {
        **_RocketBase._parameter_constraints,
        "estimator": [StrOptions(set(_heads.HEADS))],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "ridge_max_cases": [Interval(Integral, 1, None, closed="left")],
        "minibatch_threshold": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        transformer="minirocket",
        estimator="auto",
        alphas=None,
        class_weight=None,
        ridge_max_cases=10_000,
        minibatch_threshold=50_000,
        n_jobs=1,
        random_state=None,
    ):
        self.transformer = transformer
        self.estimator = estimator
        self.alphas = alphas
        self.class_weight = class_weight
        self.ridge_max_cases = ridge_max_cases
        self.minibatch_threshold = minibatch_threshold
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None) -> RocketClassifier:
        """Fit the transformer on X, then the head on its features.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or list
        y : array-like of shape (n_cases,)
        sample_weight : array-like of shape (n_cases,), optional
            Non-negative; passed to the head.

        Returns
        -------
        self : object
        """
        alphas = self._check_params()
        X = check_X(X, self, allow_nan=self._allows_nan())
        y = check_y(y, len(X), self)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        codes = encoder.transform(y)
        class_weight = _heads.encode_class_weight(self.class_weight, encoder)
        sample_weight = self._check_weights(sample_weight, codes, len(X))
        features = self._fit_features(X)
        self.head_kind_ = _heads.choose_head(
            self.estimator,
            *features.shape,
            self.ridge_max_cases,
            self.minibatch_threshold,
        )
        self.calibrator_ = None
        if self.head_kind_ == "ridge":
            self.head_, self.calibrator_ = _heads.fit_ridge_head(
                published_scaler(self.transformer_),
                features,
                codes,
                len(self.classes_),
                alphas,
                class_weight,
                sample_weight,
            )
        elif self.head_kind_ == "logistic":
            self.head_ = _heads.fit_logistic_head(
                features, codes, class_weight, sample_weight, self.random_state
            )
        else:
            seed = _heads.seed_of(self.random_state)
            self.head_ = _heads.MiniBatchSoftmax(
                class_weight=class_weight, random_state=seed
            )
            self.head_.fit(features, codes, sample_weight)
        return self

    def _check_weights(self, sample_weight, codes, n_cases) -> np.ndarray | None:
        """Two classes needed; weights non-negative with two weighted classes."""
        where = type(self).__name__
        if len(self.classes_) < 2:
            raise ValueError(
                f"{where}: y has 1 class ({self.classes_[0]!r}); classification "
                "needs at least two."
            )
        if sample_weight is None:
            return None
        weights = check_sample_weight(sample_weight, n_cases, self)
        if len(np.unique(codes[weights > 0])) < 2:
            raise ValueError(
                f"{where}: only one class has non-zero sample weight; "
                "classification needs at least two."
            )
        return weights

    def decision_function(self, X) -> np.ndarray:
        """Decision values of the head (one column per class, or 1-D for two
        classes)."""
        return self._head_outputs(X, "decision_function")

    def predict(self, X) -> np.ndarray:
        """Predicted class labels."""
        codes = self._head_outputs(X, "predict")
        return self.classes_[np.asarray(codes, dtype=int)]

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_cases, n_classes), columns in
        ``classes_`` order. Calibrated on leave-one-out decision values for
        the ridge head."""
        check_is_fitted(self, "head_")
        if self.calibrator_ is None:
            return self._head_outputs(X, "predict_proba")
        return self.calibrator_.predict_proba(self.decision_function(X))


class RocketRegressor(RegressorMixin, _RocketBase):
    """A ROCKET-family transformer, its published scaler and RidgeCV, for
    time-series extrinsic regression.

    Parameters
    ----------
    transformer : str or transformer instance, default="minirocket"
    alphas : array-like, default=None
        Searched by leave-one-out; None is ``np.logspace(-3, 3, 10)``.
    n_jobs : int, default=1
        Threads for the transformer (also for a transformer instance given).
    random_state : int, RandomState or None, default=None

    Attributes
    ----------
    transformer_ : fitted transformer
    head_ : Pipeline(scaler, RidgeCV)

    See Also
    --------
    RocketClassifier : the same transformers with classification heads.

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv import RocketRegressor
    >>> rng = np.random.default_rng(0)
    >>> freq = rng.uniform(2, 6, size=20)  # target: the frequency of a noisy sine
    >>> t = np.linspace(0, 1, 60)
    >>> X = np.sin(2 * np.pi * freq[:, None] * t)[:, None, :]
    >>> X += 0.1 * rng.normal(size=X.shape)
    >>> reg = RocketRegressor(random_state=0).fit(X[:15], freq[:15])
    >>> reg.predict(X[15:]).shape
    (5,)
    >>> bool(reg.score(X[15:], freq[15:]) > 0.9)  # R² on 5 held-out series
    True
    """

    def __init__(
        self, transformer="minirocket", alphas=None, n_jobs=1, random_state=None
    ):
        self.transformer = transformer
        self.alphas = alphas
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None) -> RocketRegressor:
        """Fit the transformer, then RidgeCV on its scaled features."""
        alphas = self._check_params()
        X = check_X(X, self, allow_nan=self._allows_nan())
        y = check_y(y, len(X), self, regression=True)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, len(X), self)
        features = self._fit_features(X)
        scaler = published_scaler(self.transformer_)
        self.head_ = make_pipeline(scaler, RidgeCV(alphas=alphas))
        self.head_.fit(features, y, ridgecv__sample_weight=sample_weight)
        return self

    def predict(self, X) -> np.ndarray:
        """Predicted targets."""
        return self._head_outputs(X, "predict")
