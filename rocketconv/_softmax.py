"""The mini-batch softmax head: SGD over chunks of features, for data too
large for an in-memory logistic regression.

It takes a feature matrix or a :class:`~rocketconv._sources.FeatureStream`
(an out-of-core source, transformed again each epoch, so an epoch costs a
transform). Training stops early, as the ROCKET authors train their softmax
on large data (a held-out validation set of at most 2,048 cases) and by
scikit-learn's ``SGDClassifier(early_stopping=True)`` rule: the held-out
cases (a tenth, at most ``MAX_VALIDATION_CASES``) are scored after every
SGD step, not every epoch, and training stops once their accuracy has not
improved by ``tol`` for ``n_iter_no_change`` steps in a row. On a million
cases that happens within the first epoch, where the fixed schedule would
transform the data ``n_epochs`` times. (The validation log loss, the
authors' criterion, suits their Adam; SGD's weights grow large in its first
steps and the log loss then keeps creeping down for many epochs after the
accuracy has levelled off.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from ._sources import FeatureStream

# the mini-batch softmax takes at least this many single-case SGD steps
MIN_CASE_UPDATES = 100_000
# the ROCKET authors' validation set for their large-data softmax (2 ** 11)
MAX_VALIDATION_CASES = 2048
# SGD's first steps swing widely: after this many case updates (or one
# epoch, if shorter) the weights are averaged (ASGD) and the validation
# accuracy is watched
WARM_UP_CASES = 10_000


@dataclass
class _Training:
    """The state of one fit, kept off the estimator (so the fitted model
    keeps no training data): the held-out cases and early stopping's count.

    ``validation`` holds the held-out cases' scaled features, labels and
    weights (None when nothing is held out, or all their weights are 0).
    """

    held_out: np.ndarray
    validation: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None
    warm_up: int
    n_iter_no_change: int
    tol: float
    cases_seen: int = 0
    stalled: int = 0
    best_score: float = np.nan

    def should_stop(self, n_cases: int, sgd: SGDClassifier) -> bool:
        """After a step on ``n_cases`` cases: past the warm-up, score the
        validation set; True after ``n_iter_no_change`` steps in a row
        without an improvement of at least ``tol``."""
        self.cases_seen += n_cases
        if self.validation is None or self.cases_seen < self.warm_up:
            return False
        features, labels, weights = self.validation
        score = accuracy_score(labels, sgd.predict(features), sample_weight=weights)
        if score > self.best_score + self.tol:
            self.best_score, self.stalled = score, 0
        else:
            self.stalled += 1
        return self.stalled >= self.n_iter_no_change


class MiniBatchSoftmax(ClassifierMixin, BaseEstimator):
    """Softmax regression by SGD over chunks of a float32 feature matrix.

    Scaling statistics are accumulated chunk by chunk (``partial_fit``) and
    applied per chunk, so memory beyond the features is one chunk in float64
    (and the validation set's features, at most ``MAX_VALIDATION_CASES``
    rows). ``class_weight`` becomes per-case weights (SGD's ``partial_fit``
    cannot take "balanced" itself), multiplied into ``sample_weight``; the
    validation accuracy is weighted the same way.

    Attributes
    ----------
    n_updates_ : int
        SGD steps taken (each on at most ``chunk_size`` cases).
    best_validation_score_ : float
        The highest validation accuracy seen (nan without early stopping).
    """

    def __init__(
        self,
        n_epochs: int = 20,
        chunk_size: int = 4096,
        alpha: float = 1e-4,
        class_weight: Any = None,
        random_state: int | None = None,
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        tol: float = 1e-4,
    ) -> None:
        self.n_epochs = n_epochs
        self.chunk_size = chunk_size
        self.alpha = alpha
        self.class_weight = class_weight
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol

    def fit(
        self,
        X: np.ndarray | FeatureStream,
        y: np.ndarray,
        sample_weight: np.ndarray | None = None,
    ) -> MiniBatchSoftmax:
        """SGD on a feature matrix or a :class:`FeatureStream` (see
        :meth:`_fit_stream`)."""
        if self.class_weight is not None:
            per_class = compute_sample_weight(self.class_weight, y)
            sample_weight = per_class * (
                1.0 if sample_weight is None else sample_weight
            )
        if not isinstance(X, FeatureStream):
            training = self._fit_matrix(X, y, sample_weight)
        elif X.features is not None:
            training = self._fit_matrix(X.features, y, sample_weight)
        else:
            training = self._fit_stream(X, y, sample_weight)
        self.best_validation_score_ = training.best_score
        return self

    def _fit_matrix(
        self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None
    ) -> _Training:
        """In memory: each epoch, the training cases in a new random order."""
        rng = np.random.RandomState(self.random_state)
        small = len(X) <= self.chunk_size
        chunks = range(0, len(X), self.chunk_size)
        pairs = ((start, X[start : start + self.chunk_size]) for start in chunks)
        training = self._start(pairs, y, sample_weight, rng, chunked=not small)
        if small:  # one chunk: SGD's own epochs, in Cython
            self.sgd_.set_params(max_iter=self._epochs(len(X)), tol=None)
            scaled = self.scaler_.transform(X)
            self.sgd_.fit(scaled, y, sample_weight=sample_weight)
            return training
        for _ in range(self._epochs(len(X))):
            order = rng.permutation(len(X))
            if self._train_on(training, X, 0, order, y, sample_weight):
                break
        return training

    def _fit_stream(
        self, stream: FeatureStream, y: np.ndarray, sample_weight: np.ndarray | None
    ) -> _Training:
        """Out of core: one pass for the scaler, then each epoch one pass over
        the source's chunks (transformed again: an epoch costs a transform),
        chunks in a random order and each chunk's rows shuffled. Rows are
        mixed within a chunk only: data stored sorted by class should be
        shuffled once on disk."""
        rng = np.random.RandomState(self.random_state)
        training = self._start(stream, y, sample_weight, rng, chunked=True)
        n_chunks = len(stream.bounds())
        for _ in range(self._epochs(stream.n_cases)):
            for start, features in stream.chunks(rng.permutation(n_chunks)):
                order = rng.permutation(len(features))
                if self._train_on(training, features, start, order, y, sample_weight):
                    return training
        return training

    def _start(
        self,
        pairs: Iterable[tuple[int, np.ndarray]],
        y: np.ndarray,
        sample_weight: np.ndarray | None,
        rng: np.random.RandomState,
        chunked: bool,
    ) -> _Training:
        """The scaler fitted over ``pairs`` (``(start, features)``: all the
        features, in turn), the validation set's features gathered on the
        way, the classes, and an untrained SGD softmax (averaged after the
        warm-up when trained chunk by chunk; data in one chunk keeps SGD's
        own epochs, not averaged, without early stopping)."""
        held_out = self._pick_validation(len(y), rng, chunked)
        self.scaler_ = StandardScaler()
        gathered = []
        for start, features in pairs:
            self.scaler_.partial_fit(features)
            rows = np.flatnonzero(held_out[start : start + len(features)])
            gathered.append((start + rows, features[rows]))
        self.classes_ = np.unique(y)
        warm_up = min(WARM_UP_CASES, len(y) - int(held_out.sum()))
        self.sgd_ = SGDClassifier(
            loss="log_loss",
            alpha=self.alpha,
            average=warm_up if chunked else False,
            random_state=self.random_state,
        )
        self.n_updates_ = 0
        training = _Training(held_out, None, warm_up, self.n_iter_no_change, self.tol)
        cases = np.concatenate([rows for rows, _ in gathered])
        weights = None if sample_weight is None else sample_weight[cases]
        if len(cases) and (weights is None or weights.sum() > 0):
            features = np.concatenate([part for _, part in gathered])
            training.validation = (self.scaler_.transform(features), y[cases], weights)
            training.best_score = -np.inf
        return training

    def _pick_validation(
        self, n_cases: int, rng: np.random.RandomState, chunked: bool
    ) -> np.ndarray:
        """Boolean mask of the held-out validation cases (none without
        early stopping)."""
        held_out = np.zeros(n_cases, dtype=bool)
        if self.early_stopping and chunked:
            size = min(int(np.ceil(self.validation_fraction * n_cases)),
                       MAX_VALIDATION_CASES, n_cases - 1)  # fmt: skip
            held_out[rng.choice(n_cases, size, replace=False)] = True
        return held_out

    def _train_on(
        self,
        training: _Training,
        features: np.ndarray,
        start: int,
        order: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None,
    ) -> bool:
        """SGD steps over the rows of ``features`` (cases ``start`` on) in
        ``order``, ``chunk_size`` at a time, held-out cases left out; True
        when training should stop."""
        order = order[~training.held_out[start + order]]
        for offset in range(0, len(order), self.chunk_size):
            rows = np.sort(order[offset : offset + self.chunk_size])
            if self._step(training, features[rows], y, start + rows, sample_weight):
                return True
        return False

    def _step(
        self,
        training: _Training,
        features: np.ndarray,
        y: np.ndarray,
        cases: np.ndarray,
        sample_weight: np.ndarray | None,
    ) -> bool:
        """One SGD update on the scaled ``features`` of ``cases``; True when
        training should stop."""
        weights = None if sample_weight is None else sample_weight[cases]
        self.sgd_.partial_fit(
            self.scaler_.transform(features),
            y[cases],
            classes=self.classes_,
            sample_weight=weights,
        )
        self.n_updates_ += 1
        return training.should_stop(len(cases), self.sgd_)

    def _epochs(self, n_cases: int) -> int:
        """``n_epochs``, or more for small data: at least MIN_CASE_UPDATES
        single-case SGD steps in all, so that a small training set is not
        left after a few dozen steps (large data keeps ``n_epochs``)."""
        return max(self.n_epochs, -(-MIN_CASE_UPDATES // max(n_cases, 1)))

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The softmax's decision values on features ``X``."""
        return self.sgd_.decision_function(self.scaler_.transform(X))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities on features ``X``."""
        return self.sgd_.predict_proba(self.scaler_.transform(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted classes on features ``X``."""
        return self.classes_[self.sgd_.predict(self.scaler_.transform(X))]
