"""Calibrated probabilities for the ridge head.

Ridge decision values are not probabilities. :class:`TemperatureScaler`
fits one temperature on the ridge's *leave-one-out* decision values (which
RidgeClassifierCV computes anyway when it selects alpha): training decision
values would be overconfident, because ridge nearly interpolates when
n_cases < n_features. :class:`LeaveOneOutSquaredError` is the scorer that
makes RidgeClassifierCV keep those values while selecting alpha exactly as
its default criterion does.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator

__all__ = ["TemperatureScaler", "LeaveOneOutSquaredError"]


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


class LeaveOneOutSquaredError:
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
