"""The fitted model of rocketconv's own leave-one-out ridge heads.

Two heads compute scikit-learn's ``RidgeClassifierCV`` model without calling
it: the streaming head (``_streaming_ridge``, from the p x p Gram of features
that arrive chunk by chunk) and the Gram head (``_gram_ridge``, from the
n x n Gram of the cases, when there are fewer cases than features). Both end
the same way, here: alpha chosen from the leave-one-out decision values by
RidgeClassifierCV's rule, the temperature of ``predict_proba`` fitted on the
chosen alpha's values, and a linear model holding ``coef_`` and
``intercept_`` behind the fitted scaler.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model._base import LinearClassifierMixin
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.utils.class_weight import compute_sample_weight

from .calibration import LeaveOneOutSquaredError, TemperatureScaler

__all__ = [
    "LeaveOneOutRidgeClassifier",
    "best_alpha",
    "case_weights",
    "finish_ridge_head",
]


class LeaveOneOutRidgeClassifier(LinearClassifierMixin, BaseEstimator):
    """The linear model a leave-one-out ridge head fitted (after its scaler).

    Built by the streaming and Gram ridge heads; predicts like a fitted
    ``RidgeClassifierCV`` on integer class codes.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    alpha_ : float
        The alpha chosen by leave-one-out.
    best_score_ : float
        Its criterion (minus the mean weighted squared leave-one-out error).
    classes_ : ndarray of int
    """

    def fit(self, X: Any, y: Any = None) -> LeaveOneOutRidgeClassifier:
        """Not fitted directly: the ridge heads of RocketClassifier build it."""
        raise TypeError(
            "LeaveOneOutRidgeClassifier is built by RocketClassifier's ridge "
            "heads; use RocketClassifier(estimator='ridge') or "
            "estimator='streaming_ridge'."
        )


def case_weights(
    codes: np.ndarray, class_weight: Any, sample_weight: Any
) -> np.ndarray:
    """Per-case weights as RidgeClassifierCV forms them (class weights folded in)."""
    weights = np.ones(len(codes)) if sample_weight is None else np.array(sample_weight)
    if class_weight is not None:
        weights = weights * compute_sample_weight(class_weight, codes)
    return weights.astype(np.float64)


def best_alpha(
    scorer: LeaveOneOutSquaredError, loo: np.ndarray, scored: np.ndarray | None
) -> tuple[int, float]:
    """Index and score of the alpha RidgeClassifierCV picks from the
    leave-one-out values ``loo`` (n_cases, n_targets, n_alphas): the first
    best. ``scored`` is the weights the scorer sees (None when unweighted)."""
    best, best_score = 0, None
    for i in range(loo.shape[2]):
        score = scorer(None, loo[:, :, i], None, sample_weight=scored)
        if best_score is None or score > best_score:
            best, best_score = i, score
    assert best_score is not None
    return best, best_score


def finish_ridge_head(
    scaler: Any,
    coef: np.ndarray,
    intercept: np.ndarray,
    alpha: float,
    score: float,
    chosen_loo: np.ndarray,
    weights: np.ndarray,
    codes: np.ndarray,
) -> tuple[Pipeline, TemperatureScaler]:
    """``(scaler + model, calibrator)`` from the coefficients (p, n_targets)
    of the chosen alpha and its leave-one-out values (n_cases, n_targets)."""
    model = LeaveOneOutRidgeClassifier()
    # shapes as RidgeClassifierCV's: (p,) for two classes, (n_classes, p) else
    model.coef_ = coef[:, 0].copy() if coef.shape[1] == 1 else coef.T.copy()
    model.intercept_ = intercept
    model.alpha_ = alpha
    model.best_score_ = score
    model.classes_ = np.arange(max(2, coef.shape[1]))
    model.n_features_in_ = coef.shape[0]
    # zero-weight cases have no leave-one-out value (0/0): leave them out
    usable = np.isfinite(chosen_loo).all(axis=1) & (weights > 0)
    calibrator = TemperatureScaler().fit(chosen_loo[usable], codes[usable])
    return make_pipeline(scaler, model), calibrator
