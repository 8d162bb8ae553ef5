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

    Takes no parameters: the temperature is learnt by :meth:`fit`.

    Attributes
    ----------
    temperature_ : float
        The fitted ``T``.

    See Also
    --------
    rocketconv.RocketClassifier : fits one on the leave-one-out decision values
        of its ridge head (``calibrator_``).

    References
    ----------
    Guo, C., Pleiss, G., Sun, Y. and Weinberger, K. Q. (2017). On calibration of
    modern neural networks. *Proceedings of the 34th International Conference on
    Machine Learning (ICML)*, PMLR 70, 1321-1330 (no DOI).
    https://proceedings.mlr.press/v70/guo17a.html

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv.calibration import TemperatureScaler
    >>> decision = np.array([-1.5, -0.5, 0.4, 1.2, -0.2, 0.9])  # two classes
    >>> codes = np.array([0, 0, 1, 1, 0, 1])
    >>> scaler = TemperatureScaler().fit(decision, codes)
    >>> round(scaler.temperature_, 3)
    1.413
    >>> scaler.predict_proba(decision[:2]).round(3)
    array([[0.893, 0.107],
           [0.67 , 0.33 ]])
    """

    def fit(self, decision: np.ndarray, codes: np.ndarray) -> TemperatureScaler:
        """Learn ``T`` from held-out decision values.

        Parameters
        ----------
        decision : ndarray of shape (n_cases,) or (n_cases, n_classes)
            Decision values (one column, or 1-D, for two classes).
        codes : ndarray of int, shape (n_cases,)
            The true class of each case, as ``0 .. n_classes - 1``.

        Returns
        -------
        self : TemperatureScaler
        """
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

        def loss(log_temperature: float) -> float:
            scaled = np.exp(log_temperature) * logits
            return -(targets * log_softmax(scaled, axis=1)).sum(axis=1).mean()

        result = minimize_scalar(loss, bounds=(-5.0, 8.0), method="bounded")
        self.temperature_ = float(np.exp(result.x))
        return self

    @staticmethod
    def _logits(decision: np.ndarray) -> np.ndarray:
        decision = np.asarray(decision, dtype=np.float64)
        if decision.ndim == 1:
            decision = decision[:, np.newaxis]
        if decision.shape[1] == 1:
            return np.column_stack([np.zeros(len(decision)), decision[:, 0]])
        return decision

    def predict_proba(self, decision: np.ndarray) -> np.ndarray:
        """Class probabilities ``softmax(T * logits)``, one row per case.

        Parameters
        ----------
        decision : ndarray of shape (n_cases,) or (n_cases, n_classes)

        Returns
        -------
        ndarray of shape (n_cases, n_classes)
        """
        return softmax(self.temperature_ * self._logits(decision), axis=1)


class LeaveOneOutSquaredError:
    """RidgeClassifierCV scorer that selects alpha exactly as its default does.

    With ``scoring=None`` RidgeClassifierCV keeps only squared leave-one-out
    errors; with a scorer it keeps the leave-one-out decision values, which
    calibration needs. This scorer recomputes the default criterion (mean
    weighted squared error against the +-1 targets) from those values.
    """

    def __init__(self, codes: np.ndarray, n_classes: int) -> None:
        targets = -np.ones((len(codes), n_classes))
        targets[np.arange(len(codes)), codes] = 1.0
        self.targets = targets if n_classes > 2 else targets[:, 1:]

    def __call__(
        self,
        estimator: object,
        predictions: np.ndarray,
        y_true: np.ndarray | None,
        sample_weight: np.ndarray | None = None,
    ) -> float:
        # sample_weight already includes class_weight (RidgeClassifierCV folds it in)
        weights = np.ones(len(self.targets)) if sample_weight is None else sample_weight
        predictions = predictions.reshape(self.targets.shape)
        weights = np.asarray(weights)[:, np.newaxis]
        with np.errstate(invalid="ignore"):  # 0 * NaN, set to 0 below
            errors = weights * (self.targets - predictions) ** 2
        # a zero-weight case has no leave-one-out value (0/0) but adds 0 to
        # the default criterion, whose errors are scaled by sqrt(weight)
        errors[np.broadcast_to(weights == 0, errors.shape)] = 0.0
        return -float(errors.mean())
