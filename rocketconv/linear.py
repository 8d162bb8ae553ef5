"""RocketClassifier: a convolution transformer followed by the linear head
its paper used (RocketRegressor, the regression counterpart, is in
``rocketconv.regressor``).

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
  With no more cases than features, the ridge model is computed through the
  cases' Gram matrix by rocketconv itself (``rocketconv._gram_ridge``: the
  same formulas as RidgeClassifierCV, without its copies and per-alpha
  products), and ``head_[-1]`` is a ``LeaveOneOutRidgeClassifier`` with
  ``coef_``, ``intercept_``, ``alpha_`` and ``best_score_``.
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

from numbers import Integral, Real
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import Tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import _heads, _sources, pruning
from ._registry import get_algorithm, published_scaler, transformer_keys
from ._validation import (
    check_n_jobs,
    check_random_state,
    check_X,
    check_y,
)
from .scalers import L2ColumnScaler  # noqa: F401  (re-exported)

# Cases per predict chunk: features are computed and passed through the head
# (scaler, then float64 into the final estimator) one chunk at a time, so
# memory stays bounded and every case's prediction is independent of the
# batch it arrives in.
PREDICT_CHUNK = 4096


def resolve_transformer(
    transformer: Any, random_state: _heads.Seed = None, n_jobs: int | None = 1
) -> Any:
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


class _RocketBase(BaseEstimator):
    """Shared plumbing: parameter checks, the transformer, chunked features."""

    _parameter_constraints: dict[str, list[Any]] = {
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
        return _heads.check_alphas(self.alphas, where)

    def _check_fit_input(
        self, X: Any, y: ArrayLike, regression: bool = False
    ) -> tuple[Any, np.ndarray, int]:
        """``(X, y, n_cases)`` checked: X an array, a list of series or (input
        larger than memory) a ChunkSource."""
        source = _sources.as_source(X, self, allow_nan=self._allows_nan())
        if source is None:
            X = check_X(X, self, allow_nan=self._allows_nan())
        n_cases = len(X) if source is None else len(source)
        y = check_y(y, n_cases, self, regression=regression)
        return X if source is None else source, y, n_cases

    def _fit_features(self, X: Any) -> _sources.FeatureStream:
        """Fit the transformer; the features of the training cases as a stream.

        ``X`` is validated in-memory input (its features are computed here,
        at once, as before) or a :class:`~rocketconv._sources.ChunkSource`
        (the transformer is fitted on its ``fit_sample()``; the stream
        transforms it chunk by chunk whenever the head iterates it). Inside
        ``joblib.parallel_backend("dask")`` in-memory input is transformed
        chunk by chunk on the cluster too.
        """
        self.transformer_ = resolve_transformer(
            self.transformer, self.random_state, self.n_jobs
        )
        if isinstance(X, _sources.ChunkSource):
            self.transformer_.fit(X.fit_sample())
            stream = _sources.FeatureStream(X, self.transformer_)
        elif _sources.joblib_backend_is_dask() and isinstance(X, np.ndarray):
            self.transformer_.fit(X)
            source = _sources.ChunkSource(X, self, self._allows_nan())
            features = _sources.FeatureStream(source, self.transformer_).collect()
            stream = _sources.FeatureStream.from_matrix(features)
        else:
            # X was validated by the classifier: a rocketconv transformer takes
            # it as it is (once per fit); any other transformer checks it itself
            if hasattr(self.transformer_, "_fit_transform_checked"):
                features = self.transformer_._fit_transform_checked(X)
            else:
                features = self.transformer_.fit_transform(X)
            stream = _sources.FeatureStream.from_matrix(features)
        n_features_in = getattr(self.transformer_, "n_features_in_", None)
        if n_features_in is not None:
            self.n_features_in_ = n_features_in
        return stream

    def _head_outputs(self, X: Any, *methods: str) -> list[np.ndarray]:
        """``head_.<method>(features)`` for each method, chunk by chunk: one
        transform serves them all; the final estimator gets float64 features.

        Out-of-core input (and any array inside a joblib dask backend) is
        read and transformed chunk by chunk by a FeatureStream.
        """
        check_is_fitted(self, "head_")
        source = _sources.as_source(X, self, allow_nan=self._allows_nan())
        if source is None:
            X = check_X(X, self, allow_nan=self._allows_nan())
            if _sources.joblib_backend_is_dask() and isinstance(X, np.ndarray):
                source = _sources.ChunkSource(X, self, self._allows_nan())
        if source is not None:
            chunks = (
                features
                for _, features in _sources.FeatureStream(source, self.transformer_)
            )
        else:
            transform = getattr(
                self.transformer_, "_transform_checked", self.transformer_.transform
            )
            chunks = (
                transform(X[start : start + PREDICT_CHUNK])
                for start in range(0, len(X), PREDICT_CHUNK)
            )
        # a Pipeline head: its scaler runs once per chunk, not once per method
        steps, final = _heads.split_pipeline(self.head_)
        parts = []
        for features in chunks:
            # the scaler gets the features as fit gave them to it (float32; the
            # L2 scaler converts while centring), the final estimator float64
            if steps is not None:
                features = steps.transform(features)
            features = np.asarray(features, dtype=np.float64)
            parts.append([getattr(final, method)(features) for method in methods])
        return [np.concatenate(outputs) for outputs in zip(*parts, strict=True)]

    def _allows_nan(self) -> bool:
        return getattr(self.transformer, "missing_values", None) == "interpolate"

    def __sklearn_tags__(self) -> Tags:
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
    estimator : {"auto", "ridge", "streaming_ridge", "logistic"}, default="auto"
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
    keep_features : float in (0, 1] or None, default=None
        Prune to this fraction of the transformer's features
        (``max(1, round(keep_features * n_features))`` of them), removing
        whole units of computation (e.g. MiniRocket's (dilation, kernel)
        pairs) by sequential detachment, then refit the head on the kept
        features; the fitted transformer computes only those, so predict
        is faster. None keeps all. See ``rocketconv.pruning``.

    Attributes
    ----------
    transformer_ : fitted transformer
        Restricted to the kept features when ``keep_features`` is set.
    head_ : fitted scaler + linear model (Pipeline) or mini-batch softmax
    head_kind_ : {"ridge", "streaming_ridge", "logistic", "minibatch"}
    calibrator_ : TemperatureScaler or None
        Maps ridge decision values to probabilities (ridge head only).
    classes_ : ndarray
    n_features_in_ : int
        ``n_channels * n_timepoints`` of equal-length training series.
    kept_features_ : ndarray of int
        With ``keep_features``: the columns of the full transformer's output
        that are kept (``transformer_`` outputs these, in this order).
    pruning_ : rocketconv.pruning.PruningSummary
        With ``keep_features``: features and units kept, the detachment's
        ridge refits and time.
    attribution_baseline_ : ndarray of shape (n_outputs,)
        The part of ``decision_function`` that :meth:`explain` attributes to
        no timepoint (intercept minus the scaler's centring term).

    See Also
    --------
    RocketRegressor : the same transformers with a RidgeCV head.
    rocketconv.InceptionTimeClassifier : the deep-learning alternative, far
        slower to train (user guide: which classifier).
    rocketconv.MiniRocket, rocketconv.MultiRocket, rocketconv.Hydra : the
        transformers (and ``Rocket``, ``MultiRocketHydra``).
    rocketconv.calibration.TemperatureScaler : the ridge head's probabilities.
    rocketconv.explain : exact timepoint attributions (:meth:`explain`).

    References
    ----------
    Each transformer's paper, whose head this classifier reproduces (full
    citations on the transformers' pages): ROCKET, Dempster et al. 2020,
    https://doi.org/10.1007/s10618-020-00701-z; MiniRocket, Dempster et al.
    2021, https://doi.org/10.1145/3447548.3467231; MultiRocket, Tan et al.
    2022, https://doi.org/10.1007/s10618-022-00844-1; Hydra, Dempster et al.
    2023, https://doi.org/10.1007/s10618-023-00939-3.

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

    _parameter_constraints: dict[str, list[Any]] = {
        **_RocketBase._parameter_constraints,
        "estimator": [StrOptions(set(_heads.HEADS))],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "ridge_max_cases": [Interval(Integral, 1, None, closed="left")],
        "minibatch_threshold": [Interval(Integral, 1, None, closed="left")],
        "keep_features": [Interval(Real, 0, 1, closed="right"), None],
    }

    def __init__(
        self,
        transformer: Any = "minirocket",
        estimator: str = "auto",
        alphas: ArrayLike | None = None,
        class_weight: dict[Any, float] | str | None = None,
        ridge_max_cases: int = 10_000,
        minibatch_threshold: int = 50_000,
        n_jobs: int | None = 1,
        random_state: _heads.Seed = None,
        keep_features: float | None = None,
    ) -> None:
        self.transformer = transformer
        self.estimator = estimator
        self.alphas = alphas
        self.class_weight = class_weight
        self.ridge_max_cases = ridge_max_cases
        self.minibatch_threshold = minibatch_threshold
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.keep_features = keep_features

    def fit(
        self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> RocketClassifier:
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
        X, y, _ = self._check_fit_input(X, y)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        codes = encoder.transform(y)
        class_weight = _heads.encode_class_weight(self.class_weight, encoder)
        weights = _heads.check_weights(sample_weight, codes, self.classes_, self)
        stream = self._fit_features(X)
        self.head_kind_ = _heads.choose_head(
            self.estimator,
            stream.n_cases,
            stream.n_features,
            self.ridge_max_cases,
            self.minibatch_threshold,
        )
        # the in-memory heads need every feature at once; the streaming ridge
        # and the mini-batch softmax iterate the stream (a source: re-read)
        if stream.features is None and self.head_kind_ in ("ridge", "logistic"):
            stream = _sources.FeatureStream.from_matrix(stream.collect())
        self.head_, self.calibrator_ = _heads.fit_head(
            self.head_kind_,
            published_scaler(self.transformer_),
            stream,
            codes,
            len(self.classes_),
            alphas,
            class_weight,
            weights,
            self.random_state,
        )
        if self.keep_features is not None:  # detach units, refit the head
            pruning.prune_fitted_classifier(
                self, stream.features, codes, alphas, class_weight, weights
            )
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Decision values of the head (one column per class, or 1-D for two
        classes)."""
        return self._head_outputs(X, "decision_function")[0]

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels."""
        codes = self._head_outputs(X, "predict")[0]
        return self.classes_[np.asarray(codes, dtype=int)]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_cases, n_classes), columns in
        ``classes_`` order. Calibrated on leave-one-out decision values for
        the ridge head."""
        check_is_fitted(self, "head_")
        if self.calibrator_ is None:
            return self._head_outputs(X, "predict_proba")[0]
        return self.calibrator_.predict_proba(self.decision_function(X))

    def predict_with_proba(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(predict(X), predict_proba(X))`` from a single transform of X.

        The benchmark runner (``rocketconv.evaluation``) asks for both on
        every test set; this halves the transforms it pays for.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints)

        Returns
        -------
        labels : ndarray of shape (n_cases,)
        proba : ndarray of shape (n_cases, n_classes)
        """
        check_is_fitted(self, "head_")
        if self.calibrator_ is None:
            codes, proba = self._head_outputs(X, "predict", "predict_proba")
        else:
            codes, decision = self._head_outputs(X, "predict", "decision_function")
            proba = self.calibrator_.predict_proba(decision)
        return self.classes_[np.asarray(codes, dtype=int)], proba

    def explain(self, X: Any) -> np.ndarray | list[np.ndarray]:
        """Exact timepoint attributions of the decision function.

        Each case's decision function split over the (channel, timepoint)
        cells of its series: ``explain(X).sum(axis=(2, 3)) +
        attribution_baseline_`` equals ``decision_function(X)`` (as one
        column for two classes). The convention (kernel centres, diff(X),
        channel subsets, values that belong to no timepoint, Hydra's
        SparseScaler) is in the user guide, "Explaining predictions", and
        :mod:`rocketconv.explain`.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or list
            Checked as for :meth:`predict`.

        Returns
        -------
        attributions : ndarray of shape (n_cases, n_outputs, n_channels, n_timepoints)
            ``n_outputs`` is the number of columns of ``decision_function``
            (1 for two classes: positive values push towards
            ``classes_[1]``). For unequal-length input, a list of
            ``(n_outputs, n_channels, length_i)`` arrays.
        """
        from .explain import explain

        return explain(self, X)

    @property
    def attribution_baseline_(self) -> np.ndarray:
        """The part of ``decision_function`` that belongs to no timepoint:
        the intercept minus the scaler's centring term, shape
        ``(n_outputs,)`` (see :meth:`explain`)."""
        from .explain import attribution_baseline

        return attribution_baseline(self)
