"""RocketClassifier and RocketRegressor: a convolution transformer followed by
the linear head its paper used.

Heads
-----
* ``"ridge"``: the published head. ROCKET and MiniRocket used scikit-learn's
  ``RidgeClassifierCV(alphas=logspace(-3, 3, 10), normalize=True)``: columns
  centred and divided by their L2 norm (:class:`L2ColumnScaler`), which
  scikit-learn has since removed and sktime/aeon replaced by StandardScaler
  (a different regularisation by a factor of n_cases). MultiRocket uses
  StandardScaler, Hydra its SparseScaler; each transformer names its own
  scaler through ``_published_scaler()``.
* ``"logistic"``: StandardScaler + LogisticRegression, or, above
  ``minibatch_threshold`` cases, a mini-batch softmax (SGD with log loss)
  trained on chunks of the float32 features, so that no n x n or p x p
  matrix is ever formed.
* ``"auto"``: ridge while ``n_cases <= ridge_max_cases`` and its matrices fit
  in memory, else logistic, as the papers do for large data.

Probabilities from the ridge head are calibrated: a temperature (one
positive factor in a softmax) is fitted on the ridge's leave-one-out decision
values, which RidgeClassifierCV computes anyway, not on training decision
values, which ridge nearly interpolates when n_cases < n_features.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    clone,
)
from sklearn.linear_model import (
    LogisticRegression,
    RidgeClassifierCV,
    RidgeCV,
    SGDClassifier,
)
from sklearn.preprocessing import LabelEncoder, StandardScaler
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
)

from ._registry import get_algorithm, published_scaler, transformer_keys
from ._validation import check_n_jobs, check_random_state, check_X, check_y
from .scalers import L2ColumnScaler  # noqa: F401  (re-exported)

DEFAULT_ALPHAS = np.logspace(-3, 3, 10)


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
    if not (hasattr(transformer, "fit") and hasattr(transformer, "transform")):
        raise TypeError(
            f"transformer must be a name or an object with fit/transform, got "
            f"{transformer!r}."
        )
    transformer = clone(transformer)
    params = transformer.get_params(deep=False)
    if params.get("random_state", 0) is None and random_state is not None:
        transformer.set_params(random_state=random_state)
    if "n_jobs" in params:
        transformer.set_params(n_jobs=n_jobs)
    return transformer


def _available_memory_bytes() -> int:
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def ridge_memory_bytes(n_cases: int, n_features: int) -> int:
    """Rough peak of RidgeClassifierCV's leave-one-out fit: a float64 copy of
    the features, the n x n Gram matrix and its eigenvectors."""
    return 8 * (2 * n_cases * n_features + 3 * n_cases * min(n_cases, n_features))


class _MiniBatchSoftmax(ClassifierMixin, BaseEstimator):
    """Softmax regression by SGD over chunks of a float32 feature matrix.

    Scaling statistics are accumulated chunk by chunk (``partial_fit``) and
    applied per chunk, so memory beyond the features is one chunk in float64.
    """

    def __init__(self, n_epochs=20, chunk_size=4096, alpha=1e-4, random_state=None):
        self.n_epochs = n_epochs
        self.chunk_size = chunk_size
        self.alpha = alpha
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        self.scaler_ = StandardScaler()
        for start in range(0, len(X), self.chunk_size):
            self.scaler_.partial_fit(X[start : start + self.chunk_size])
        self.classes_ = np.unique(y)
        self.sgd_ = SGDClassifier(
            loss="log_loss", alpha=self.alpha, random_state=self.random_state
        )
        rng = np.random.RandomState(self.random_state)
        for _ in range(self.n_epochs):
            order = rng.permutation(len(X))
            for start in range(0, len(X), self.chunk_size):
                rows = np.sort(order[start : start + self.chunk_size])
                weights = None if sample_weight is None else sample_weight[rows]
                self.sgd_.partial_fit(
                    self.scaler_.transform(X[rows]),
                    y[rows],
                    classes=self.classes_,
                    sample_weight=weights,
                )
        return self

    def _chunks(self, method, X):
        return np.concatenate(
            [
                getattr(self.sgd_, method)(self.scaler_.transform(X[s : s + 4096]))
                for s in range(0, len(X), 4096)
            ]
        )

    def decision_function(self, X):
        return self._chunks("decision_function", X)

    def predict_proba(self, X):
        return self._chunks("predict_proba", X)

    def predict(self, X):
        return self.classes_[self.sgd_.predict(self.scaler_.transform(X))]


class _RocketBase(BaseEstimator):
    """Shared fit plumbing: resolve and fit the transformer, build features."""

    def _fit_features(self, X):
        """Fit the transformer on validated X and return its features."""
        self.transformer_ = resolve_transformer(
            self.transformer, self.random_state, self.n_jobs
        )
        features = self.transformer_.fit(X).transform(X)
        self.n_features_in_ = getattr(self.transformer_, "n_features_in_", None)
        if self.n_features_in_ is None:
            del self.n_features_in_
        return features

    def _features(self, X):
        check_is_fitted(self, "head_")
        return self.transformer_.transform(X)

    def _allows_nan(self) -> bool:
        inner = self.transformer
        return getattr(inner, "missing_values", None) == "interpolate"

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
        "rocket", "minirocket", "multirocket", "hydra", "multirocket+hydra",
        or an unfitted transformer (it is cloned).
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
        Threads for the transformer.
    random_state : int, RandomState or None, default=None
        Passed to the transformer (when given by name) and the heads.

    Attributes
    ----------
    transformer_ : fitted transformer
    head_ : fitted scaler + linear model (Pipeline) or mini-batch softmax
    head_kind_ : {"ridge", "logistic", "minibatch"}
    calibrator_ : TemperatureScaler or None
        Maps ridge decision values to probabilities (ridge head only).
    classes_ : ndarray

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

    def _choose_head(self, n_cases: int, n_features: int) -> str:
        if self.estimator not in ("auto", "ridge", "logistic"):
            raise ValueError(
                "estimator must be 'auto', 'ridge' or 'logistic', got "
                f"{self.estimator!r}."
            )
        if self.estimator == "auto":
            fits = ridge_memory_bytes(n_cases, n_features) < _available_memory_bytes()
            head = "ridge" if n_cases <= self.ridge_max_cases and fits else "logistic"
        else:
            head = self.estimator
        if head == "logistic" and n_cases > self.minibatch_threshold:
            head = "minibatch"
        return head

    def fit(self, X, y, sample_weight=None) -> RocketClassifier:
        """Fit the transformer on X, then the head on its features.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or list
        y : array-like of shape (n_cases,)
        sample_weight : array-like of shape (n_cases,), optional
            Passed to the head.

        Returns
        -------
        self : object
        """
        check_random_state(self.random_state, self)  # fail before any work
        check_n_jobs(self.n_jobs, self)
        X = check_X(X, self, allow_nan=self._allows_nan())
        y = check_y(y, len(X), self)
        self._label_encoder = LabelEncoder().fit(y)
        self.classes_ = self._label_encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__}: y has 1 class ({self.classes_[0]!r}); "
                "classification needs at least two."
            )
        features = self._fit_features(X)
        codes = self._label_encoder.transform(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, features)
            if len(np.unique(codes[sample_weight > 0])) < 2:
                raise ValueError(
                    f"{type(self).__name__}: only one class has non-zero sample "
                    "weight; classification needs at least two."
                )
        self.head_kind_ = self._choose_head(*features.shape)
        self.calibrator_ = None
        if self.head_kind_ == "ridge":
            self._fit_ridge(features, codes, sample_weight)
        elif self.head_kind_ == "logistic":
            self.head_ = _pipeline(
                StandardScaler(),
                LogisticRegression(
                    max_iter=1000,
                    class_weight=_encode_class_weight(
                        self.class_weight, self._label_encoder
                    ),
                    random_state=self.random_state,
                ),
            ).fit(features, codes, logisticregression__sample_weight=sample_weight)
        else:
            seed = _seed(self.random_state)
            self.head_ = _MiniBatchSoftmax(random_state=seed).fit(
                features, codes, sample_weight
            )
        return self

    def _fit_ridge(self, features, codes, sample_weight):
        class_weight = _encode_class_weight(self.class_weight, self._label_encoder)
        alphas = DEFAULT_ALPHAS if self.alphas is None else np.asarray(self.alphas)
        ridge = RidgeClassifierCV(
            alphas=alphas,
            class_weight=class_weight,
            scoring=_LeaveOneOutSquaredError(codes, len(self.classes_)),
            store_cv_results=True,
        )
        self.head_ = _pipeline(published_scaler(self.transformer_), ridge)
        self.head_.fit(features, codes, ridgeclassifiercv__sample_weight=sample_weight)
        # leave-one-out decision values at the chosen alpha -> calibration
        chosen = int(np.flatnonzero(np.isclose(alphas, ridge.alpha_))[0])
        loo = ridge.cv_results_[:, :, chosen]
        # zero-weight cases have no leave-one-out value (0/0): leave them out
        usable = np.isfinite(loo).all(axis=1)
        if sample_weight is not None:
            usable &= sample_weight > 0
        self.calibrator_ = TemperatureScaler().fit(loo[usable], codes[usable])

    def decision_function(self, X) -> np.ndarray:
        """Decision values of the head (ridge: one column per class, or 1-D
        for two classes)."""
        features = self._features(X)
        return self.head_.decision_function(features)

    def predict(self, X) -> np.ndarray:
        """Predicted class labels."""
        features = self._features(X)
        return self.classes_[np.asarray(self.head_.predict(features), dtype=int)]

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_cases, n_classes), columns in
        ``classes_`` order. Calibrated on leave-one-out decision values for
        the ridge head."""
        features = self._features(X)
        if self.calibrator_ is None:
            return self.head_.predict_proba(features)
        return self.calibrator_.predict_proba(self.head_.decision_function(features))


class RocketRegressor(RegressorMixin, _RocketBase):
    """A ROCKET-family transformer, its published scaler and RidgeCV, for
    time-series extrinsic regression.

    Parameters
    ----------
    transformer : str or transformer instance, default="minirocket"
    alphas : array-like, default=None
        Searched by leave-one-out; None is ``np.logspace(-3, 3, 10)``.
    n_jobs : int, default=1
    random_state : int, RandomState or None, default=None

    Attributes
    ----------
    transformer_ : fitted transformer
    head_ : Pipeline(scaler, RidgeCV)

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
        check_random_state(self.random_state, self)  # fail before any work
        check_n_jobs(self.n_jobs, self)
        X = check_X(X, self, allow_nan=self._allows_nan())
        y = check_y(y, len(X), self, regression=True)
        features = self._fit_features(X)
        alphas = DEFAULT_ALPHAS if self.alphas is None else np.asarray(self.alphas)
        self.head_ = _pipeline(
            published_scaler(self.transformer_), RidgeCV(alphas=alphas)
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, features)
        self.head_.fit(features, y, ridgecv__sample_weight=sample_weight)
        return self

    def predict(self, X) -> np.ndarray:
        """Predicted targets."""
        features = self._features(X)
        return self.head_.predict(features)


class TemperatureScaler(BaseEstimator):
    """Probabilities ``softmax(T * decision)`` with one temperature ``T > 0``.

    ``T`` minimises the log-loss of held-out (here: leave-one-out) decision
    values. One positive factor keeps the ordering of the decision values,
    so ``argmax(predict_proba) == predict`` always holds, and one parameter
    cannot overfit the few cases of a small UCR training set. For two
    classes the ridge decision ``d`` becomes the logits ``(0, d)``.

    Attributes
    ----------
    temperature_ : float
    """

    def fit(self, decision, codes) -> TemperatureScaler:
        logits = self._logits(decision)
        n_classes = logits.shape[1]
        # Platt's smoothed targets, (n_k + 1) / (n_k + 2) for the true class:
        # when leave-one-out separates the classes perfectly, hard targets
        # would drive T to infinity and the probabilities to one-hot.
        counts = np.bincount(codes, minlength=n_classes)
        true_mass = (counts[codes] + 1.0) / (counts[codes] + 2.0)
        targets = np.repeat(
            ((1.0 - true_mass) / (n_classes - 1))[:, None], n_classes, 1
        )
        targets[np.arange(len(codes)), codes] = true_mass

        def loss(log_temperature):
            scaled = np.exp(log_temperature) * logits
            return -(targets * log_softmax(scaled, axis=1)).sum(axis=1).mean()

        result = minimize_scalar(loss, bounds=(-5.0, 8.0), method="bounded")
        self.temperature_ = float(np.exp(result.x))
        return self

    @staticmethod
    def _logits(decision) -> np.ndarray:
        decision = np.asarray(decision, dtype=np.float64)
        if decision.ndim == 1:
            decision = decision[:, np.newaxis]
        if decision.shape[1] == 1:
            return np.column_stack([np.zeros(len(decision)), decision[:, 0]])
        return decision

    def predict_proba(self, decision) -> np.ndarray:
        return softmax(self.temperature_ * self._logits(decision), axis=1)


class _LeaveOneOutSquaredError:
    """RidgeClassifierCV scorer that selects alpha exactly as its default does.

    With ``scoring=None`` RidgeClassifierCV keeps only squared leave-one-out
    errors; with a scorer it keeps the leave-one-out decision values, which
    calibration needs. This scorer recomputes the default criterion (mean
    weighted squared error against the +-1 targets) from those values.
    """

    def __init__(self, codes, n_classes):
        targets = -np.ones((len(codes), n_classes))
        targets[np.arange(len(codes)), codes] = 1.0
        self.targets = targets if n_classes > 2 else targets[:, 1:]

    def __call__(self, estimator, predictions, y_true, sample_weight=None) -> float:
        # sample_weight already includes class_weight (RidgeClassifierCV folds it in)
        weights = np.ones(len(self.targets)) if sample_weight is None else sample_weight
        predictions = predictions.reshape(self.targets.shape)
        errors = np.asarray(weights)[:, np.newaxis] * (self.targets - predictions) ** 2
        return -float(errors.mean())


def _pipeline(*steps):
    from sklearn.pipeline import make_pipeline

    return make_pipeline(*steps)


def _encode_class_weight(class_weight, encoder: LabelEncoder):
    """The heads see integer codes, so a dict keyed by labels is re-keyed."""
    if isinstance(class_weight, dict):
        unknown = set(class_weight) - set(encoder.classes_.tolist())
        if unknown:
            raise ValueError(f"class_weight names labels not in y: {sorted(unknown)}.")
        return {int(encoder.transform([k])[0]): v for k, v in class_weight.items()}
    return class_weight


def _seed(random_state) -> int | None:
    if random_state is None or isinstance(random_state, int | np.integer):
        return random_state
    return int(random_state.randint(2**31 - 1))
