"""The in-memory ridge head through the cases' Gram matrix.

The published head is the scaler, then scikit-learn's ``RidgeClassifierCV``
choosing alpha by leave-one-out. With fewer cases than features (n <= p,
every UCR problem under MiniRocket's 9,996 features) scikit-learn computes
it from the n x n Gram matrix of the centred features (its ``gcv_mode``
"gram"). This module computes the same model, by the same formulas, without
the work scikit-learn spends around them (the head took 43 % of a
MiniRocket benchmark task before, ``benchmarks/results/
task_profile_zen3_e44c839.csv``):

* scikit-learn copies the scaler's float64 output to centre it, with a
  weighted average that makes temporaries; here the scaler's output is
  centred in place (it is this head's own copy).
* scikit-learn multiplies the n x p feature matrix by the dual coefficients
  for every alpha (ten passes over the largest array); here only for the
  chosen alpha.
* the diagonal of the hat matrix squares the n x n eigenvectors once, not
  once per alpha.

The formulas, with ``Z`` the scaled features centred by their weighted mean,
``s = sqrt(w)`` the square roots of the case weights, ``Y`` the +-1 targets
centred by their weighted mean and scaled by ``s``:

* ``K = diag(s) Z Z^T diag(s) = Q diag(lambda) Q^T``;
* per alpha, ``D = 1 / (lambda + alpha)``, dual coefficients
  ``c = Q D Q^T Y``, hat-matrix complement ``d = (Q * Q) D`` less the
  unpenalised intercept's share ``(Q D Q^T s) * s / (s . s)``;
* leave-one-out values ``(Y - c / d) / s + mean(Y)``, scored by
  :class:`~rocketconv.calibration.LeaveOneOutSquaredError`, the first best
  alpha kept;
* ``coef = Z^T (s * c)``, ``intercept = mean(Y) - mean(Z) . coef``.

They agree with ``RidgeClassifierCV`` to float rounding
(``tests/test_gram_ridge.py``). With more cases than features the head
stays scikit-learn's (``rocketconv._heads.fit_ridge_head``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from ._ridge_model import best_alpha, case_weights, finish_ridge_head
from .calibration import LeaveOneOutSquaredError, TemperatureScaler

__all__ = ["fit_gram_ridge"]


class _CaseGram:
    """The eigendecomposition of ``K`` and the centred targets."""

    def __init__(self, centred: np.ndarray, weights: np.ndarray, targets: np.ndarray):
        self.root_weights = np.sqrt(weights)
        self.target_mean = weights @ targets / weights.sum()
        self.targets = (targets - self.target_mean) * self.root_weights[:, None]
        gram = centred @ centred.T  # BLAS syrk: numpy sees X @ X.T
        gram *= self.root_weights[:, None]
        gram *= self.root_weights[None, :]
        self.eigenvalues, self.vectors = np.linalg.eigh(gram)  # as scikit-learn
        del gram
        self.squared_vectors = self.vectors**2
        self.projected_targets = self.vectors.T @ self.targets
        self.projected_roots = self.vectors.T @ self.root_weights

    def dual(self, alpha: float) -> tuple[np.ndarray, np.ndarray]:
        """Dual coefficients ``c`` (n, n_targets) and leave-one-out values."""
        inverse = 1.0 / (self.eigenvalues + alpha)
        dual = self.vectors @ (inverse[:, None] * self.projected_targets)
        diagonal = self.squared_vectors @ inverse
        # the intercept is not penalised: remove its share of the hat matrix
        roots = self.root_weights
        intercept_share = self.vectors @ (inverse * self.projected_roots)
        diagonal -= intercept_share * roots / (roots @ roots)
        values = self.targets - dual / diagonal[:, None]
        # 0 / 0 for a zero-weight case, as in scikit-learn
        with np.errstate(invalid="ignore", divide="ignore"):
            values /= roots[:, None]
        return dual, values + self.target_mean

    def leave_one_out(self, alphas: np.ndarray) -> np.ndarray:
        """Leave-one-out values of every alpha, (n_cases, n_targets, n_alphas)."""
        loo = np.empty((len(self.targets), self.targets.shape[1], len(alphas)))
        for i, alpha in enumerate(alphas):
            loo[:, :, i] = self.dual(float(alpha))[1]
        return loo


def fit_gram_ridge(
    scaler: Any,
    features: np.ndarray,
    codes: np.ndarray,
    n_classes: int,
    alphas: np.ndarray,
    class_weight: Any = None,
    sample_weight: np.ndarray | None = None,
) -> tuple[Pipeline, TemperatureScaler]:
    """Scaler + ridge with leave-one-out alpha, through the cases' Gram.

    Arguments and result as :func:`rocketconv._streaming_ridge.
    fit_streaming_ridge`, with ``features`` (n_cases, n_features), ``n_cases
    <= n_features``, in place of the stream and its width; ``features`` is
    not modified. Returns ``(fitted scaler + LeaveOneOutRidgeClassifier,
    TemperatureScaler of the chosen alpha's leave-one-out values)``.
    """
    scorer = LeaveOneOutSquaredError(codes, n_classes)
    weights = case_weights(codes, class_weight, sample_weight)
    scaled = scaler.fit_transform(features)
    centred = np.array(scaled, dtype=np.float64, copy=None)
    if np.shares_memory(centred, features):  # a scaler that passes X through
        centred = centred.copy()
    feature_mean = weights @ centred / weights.sum()
    centred -= feature_mean
    gram = _CaseGram(centred, weights, scorer.targets)
    loo = gram.leave_one_out(alphas)
    scored = None if sample_weight is None and class_weight is None else weights
    best, score = best_alpha(scorer, loo, scored)
    dual, _ = gram.dual(float(alphas[best]))
    coef = centred.T @ (gram.root_weights[:, None] * dual)
    intercept = gram.target_mean - feature_mean @ coef
    return finish_ridge_head(
        scaler, coef, intercept, float(alphas[best]), score, loo[:, :, best],
        weights, codes,
    )  # fmt: skip
