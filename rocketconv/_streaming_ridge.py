"""The exact streaming ridge head: RidgeClassifierCV without the feature matrix.

The in-memory ridge head (``rocketconv._heads.fit_ridge_head``) is the
published scaler, then ``RidgeClassifierCV`` choosing alpha by leave-one-out.
This module computes the same model from features that arrive chunk by
chunk (:class:`rocketconv._sources.FeatureStream`), in two passes:

1. **Gram pass.** In float64, per chunk: the weighted Gram matrix
   ``sum_i w_i x_i x_i^T`` (``dsyrk``, upper triangle), ``X^T W Y``, the
   weighted and unweighted column sums and sums of squares, all of features
   shifted by the first chunk's column means (the shift makes the centring
   below lose no precision). The published scalers of ROCKET and MiniRocket
   (:class:`~rocketconv.scalers.L2ColumnScaler`) and StandardScaler are
   affine, ``z = (x - m) / s``, so the Gram of the *scaled, weighted-centred*
   features follows by algebra from these sums, ``S^-1 (G - W d d^T) S^-1``,
   with no pass of their own. Any other scaler (Hydra's SparseScaler) gets a
   statistics pass first and the Gram pass accumulates its output.
2. **Eigendecomposition.** ``scipy.linalg.eigh(overwrite_a=True,
   driver="evr")`` of the p x p Gram: the Gram's memory is reused and the
   eigenvectors take another p x p, so the head needs ``2 * 8 * p**2``
   bytes (1.6 GB for MiniRocket's 9,996 features). The limit is
   :data:`STREAMING_RIDGE_MAX_FEATURES`; wider transformers (MultiRocket's
   49,728 features) go to the softmax head.
3. **Leave-one-out pass.** The features are computed again (re-transformed,
   not cached on disk) to get each case's hat-matrix diagonal and fitted
   values for every alpha, hence its leave-one-out decision values. Alpha is
   chosen from them by the criterion RidgeClassifierCV uses
   (:class:`~rocketconv.calibration.LeaveOneOutSquaredError`, first best
   alpha kept), and the temperature of ``predict_proba`` is fitted on them,
   exactly as for the in-memory ridge.

The intercept is unpenalised and the centring weighted, as scikit-learn's
leave-one-out ridge does; with all data in memory the two agree to float
rounding (tests/test_streaming.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.linalg import blas, eigh
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ._ridge_model import best_alpha, case_weights, finish_ridge_head
from ._sources import FeatureStream
from .calibration import LeaveOneOutSquaredError, TemperatureScaler
from .scalers import L2ColumnScaler, SparseScaler

__all__ = [
    "STREAMING_RIDGE_MAX_FEATURES",
    "fit_streaming_ridge",
    "streaming_ridge_memory_bytes",
]

# p x p float64 Gram + eigenvectors: 2 * 8 * 20,000**2 = 6.4 GB at the limit
# (ROCKET's 20,000 features fit; MultiRocket's 49,728 would need 40 GB).
STREAMING_RIDGE_MAX_FEATURES = 20_000
# Rows of a chunk turned into float64 at once: bounds the head's temporaries
# (three blocks of HEAD_BLOCK x p float64, 80 MB each at p = 10,000).
HEAD_BLOCK = 1024


def streaming_ridge_memory_bytes(
    n_cases: int, n_features: int, n_targets: int = 1, n_alphas: int = 10
) -> int:
    """Peak memory of the head beyond its input chunks: the Gram matrix and
    its eigenvectors, the leave-one-out values of every alpha, and the
    float64 block temporaries."""
    square = 2 * 8 * n_features**2
    return square + 8 * n_cases * n_targets * n_alphas + 3 * 8 * HEAD_BLOCK * n_features


class _GramSums:
    """The float64 sums of the Gram pass (see the module docstring)."""

    def __init__(self, n_features: int, n_targets: int) -> None:
        self.shift: np.ndarray | None = None
        self.gram = np.zeros((n_features, n_features), order="F")
        self.cross = np.zeros((n_features, n_targets))
        self.column_sum = np.zeros(n_features)
        self.column_sum_squares = np.zeros(n_features)
        self.weighted_sum = np.zeros(n_features)
        self.target_sum = np.zeros(n_targets)
        self.total_weight = 0.0
        self.n_cases = 0

    def add(self, block: np.ndarray, weights: np.ndarray, targets: np.ndarray) -> None:
        """Add ``HEAD_BLOCK`` or fewer rows (float64, modified in place)."""
        if self.shift is None:
            self.shift = block.mean(axis=0)
        block -= self.shift
        self.n_cases += len(block)
        self.column_sum += block.sum(axis=0)
        self.column_sum_squares += np.einsum("ij,ij->j", block, block)
        self.weighted_sum += weights @ block
        self.target_sum += weights @ targets
        self.total_weight += float(weights.sum())
        self.cross += block.T @ (weights[:, None] * targets)
        block *= np.sqrt(weights)[:, None]
        # upper triangle of gram += block.T @ block, in place (F-ordered)
        self.gram = blas.dsyrk(
            1.0, block.T, beta=1.0, c=self.gram, trans=0, lower=0, overwrite_c=1
        )

    def affine_scaling(self, scaler: Any) -> tuple[np.ndarray, np.ndarray]:
        """Fit ``scaler`` (L2ColumnScaler or StandardScaler) from the sums;
        returns its ``(mean, scale)``."""
        assert self.shift is not None
        n = self.n_cases
        offset = self.column_sum / n
        mean = self.shift + offset
        centred_squares = np.maximum(self.column_sum_squares - n * offset**2, 0.0)
        if isinstance(scaler, L2ColumnScaler):
            scale = np.sqrt(centred_squares)
            scale[scale == 0] = 1.0
        else:  # StandardScaler's variance and its test of constant columns
            variance = centred_squares / n
            eps = np.finfo(np.float64).eps
            constant = variance <= n * eps * variance + (n * mean * eps) ** 2
            scale = np.sqrt(variance)
            scale[constant | (scale < 10 * eps)] = 1.0
            scaler.var_, scaler.n_samples_seen_ = variance, n
        scaler.mean_, scaler.scale_ = mean, scale
        scaler.n_features_in_ = len(mean)
        return mean, scale


class _Eigen:
    """Eigendecomposition of the scaled, centred Gram and what the leave-one-
    out pass needs: weighted means, eigenvectors, projected ``X^T W Y``."""

    def __init__(self, sums: _GramSums, mean: np.ndarray, scale: np.ndarray) -> None:
        assert sums.shift is not None
        weight = sums.total_weight
        offset = sums.weighted_sum / weight  # weighted mean minus the shift
        self.weighted_mean = sums.shift + offset  # of the unscaled features
        self.inverse_scale = 1.0 / scale
        self.scaled_mean = (self.weighted_mean - mean) * self.inverse_scale
        self.target_mean = sums.target_sum / weight
        self.total_weight = weight
        gram = blas.dsyr(-weight, offset, lower=0, a=sums.gram, overwrite_a=1)
        sums.gram = np.empty((0, 0))  # the only reference left: eigh's to reuse
        gram *= self.inverse_scale[:, None]
        gram *= self.inverse_scale[None, :]
        cross = sums.cross - np.outer(offset, sums.target_sum)
        cross *= self.inverse_scale[:, None]
        self.eigenvalues, self.vectors = eigh(
            gram, lower=False, overwrite_a=True, check_finite=False, driver="evr"
        )
        del gram
        self.projected_cross = self.vectors.T @ cross  # (p, n_targets)

    def coefficients(self, alpha: float) -> np.ndarray:
        """Ridge coefficients (p, n_targets) of the scaled features."""
        shrunk = self.projected_cross / (self.eigenvalues + alpha)[:, None]
        return self.vectors @ shrunk


def _blocks(stream: FeatureStream, transform: Any = None) -> Any:
    """``(start, float64 block)`` of HEAD_BLOCK rows, optionally scaled."""
    for start, features in stream:
        for offset in range(0, len(features), HEAD_BLOCK):
            block = features[offset : offset + HEAD_BLOCK]
            block = block if transform is None else transform(block)
            yield start + offset, np.array(block, dtype=np.float64)


def _is_affine(scaler: Any) -> bool:
    """Scalers whose Gram follows from the raw sums by algebra."""
    if type(scaler) is StandardScaler:
        return bool(scaler.with_mean and scaler.with_std)
    return type(scaler) is L2ColumnScaler


def _gram_pass(
    stream: FeatureStream,
    n_features: int,
    weights: np.ndarray,
    targets: np.ndarray,
    scaler: Any,
) -> tuple[_GramSums, np.ndarray, np.ndarray]:
    """Pass 1 (with a statistics pass before it for a non-affine scaler)."""
    affine = _is_affine(scaler)
    if not affine:
        _fit_scaler(scaler, stream)
    sums = _GramSums(n_features, targets.shape[1])
    for start, block in _blocks(stream, None if affine else scaler.transform):
        stop = start + len(block)
        sums.add(block, weights[start:stop], targets[start:stop])
    if affine:
        return (sums, *sums.affine_scaling(scaler))
    return sums, np.zeros(n_features), np.ones(n_features)


def _fit_scaler(scaler: Any, stream: FeatureStream) -> None:
    """A statistics pass for a scaler that is not affine."""
    if isinstance(scaler, SparseScaler):
        _fit_sparse_scaler(scaler, stream)
    elif hasattr(scaler, "partial_fit"):
        for _, features in stream:
            scaler.partial_fit(features)
    else:
        raise TypeError(
            f"The streaming ridge head cannot fit a {type(scaler).__name__} "
            "chunk by chunk (it has no partial_fit); use estimator='logistic'."
        )


def _fit_sparse_scaler(scaler: SparseScaler, stream: FeatureStream) -> None:
    """SparseScaler.fit from streamed sums of ``Z = sqrt(max(X, 0))``."""
    count, total, squares, zeros, shift = 0, 0.0, 0.0, 0.0, None
    for _, features in stream:
        roots = np.sqrt(np.clip(features.astype(np.float64), 0, None))
        shift = roots.mean(axis=0) if shift is None else shift
        count += len(roots)
        total = total + (roots - shift).sum(axis=0)
        squares = squares + ((roots - shift) ** 2).sum(axis=0)
        zeros = zeros + (roots == 0).sum(axis=0)
    assert shift is not None
    offset = total / count
    ddof = 1 if count > 1 else 0
    variance = np.maximum(squares - count * offset**2, 0.0) / (count - ddof)
    scaler.mean_ = shift + offset
    scaler.scale_ = np.sqrt(variance) + (zeros / count) ** scaler.exponent + 1e-8
    scaler.n_features_in_ = int(np.size(offset))


def _leave_one_out_pass(
    stream: FeatureStream,
    eigen: _Eigen,
    weights: np.ndarray,
    targets: np.ndarray,
    alphas: np.ndarray,
    scaler: Any,
    affine: bool,
) -> np.ndarray:
    """Leave-one-out decision values, shape (n_cases, n_targets, n_alphas)."""
    n_targets = targets.shape[1]
    inverse_penalty = 1.0 / (eigen.eigenvalues[:, None] + alphas[None, :])
    fit_matrix = eigen.projected_cross[:, None, :] * inverse_penalty[:, :, None]
    fit_matrix = fit_matrix.reshape(len(inverse_penalty), -1)  # (p, A*T)
    loo = np.empty((len(weights), n_targets, len(alphas)))
    for start, block in _blocks(stream, None if affine else scaler.transform):
        stop = start + len(block)
        block -= eigen.weighted_mean
        block *= eigen.inverse_scale
        projected = block @ eigen.vectors
        del block
        fitted = eigen.target_mean + (projected @ fit_matrix).reshape(
            len(projected), len(alphas), n_targets
        )
        projected *= projected
        row_weights = weights[start:stop, None]
        leverage = row_weights / eigen.total_weight + row_weights * (
            projected @ inverse_penalty
        )
        truth = targets[start:stop, None, :]
        values = truth - (truth - fitted) / (1.0 - leverage)[:, :, None]
        # a zero-weight case has no leave-one-out value: 0/0 in scikit-learn
        values[weights[start:stop] == 0] = np.nan
        loo[start:stop] = values.transpose(0, 2, 1)
    return loo


def fit_streaming_ridge(
    scaler: Any,
    stream: FeatureStream,
    n_features: int,
    codes: np.ndarray,
    n_classes: int,
    alphas: np.ndarray,
    class_weight: Any = None,
    sample_weight: np.ndarray | None = None,
) -> tuple[Pipeline, TemperatureScaler]:
    """Scaler + ridge with leave-one-out alpha, from a stream of features.

    Parameters
    ----------
    scaler : unfitted scaler
        The published scaler of the transformer (fitted here).
    stream : FeatureStream
        Iterated twice (three times for a non-affine scaler).
    n_features : int
    codes : ndarray of int, shape (n_cases,)
    n_classes : int
    alphas : ndarray
    class_weight : dict, "balanced" or None
    sample_weight : ndarray or None

    Returns
    -------
    head : Pipeline
        ``(fitted scaler, LeaveOneOutRidgeClassifier)``.
    calibrator : TemperatureScaler
        Fitted on the leave-one-out decision values of the chosen alpha.
    """
    scorer = LeaveOneOutSquaredError(codes, n_classes)
    targets = scorer.targets
    weights = case_weights(codes, class_weight, sample_weight)
    sums, mean, scale = _gram_pass(stream, n_features, weights, targets, scaler)
    affine = _is_affine(scaler)
    eigen = _Eigen(sums, mean, scale)
    del sums
    loo = _leave_one_out_pass(stream, eigen, weights, targets, alphas, scaler, affine)
    scored = None if sample_weight is None and class_weight is None else weights
    best, score = best_alpha(scorer, loo, scored)
    coef = eigen.coefficients(float(alphas[best]))
    intercept = eigen.target_mean - eigen.scaled_mean @ coef
    return finish_ridge_head(
        scaler, coef, intercept, float(alphas[best]), score, loo[:, :, best],
        weights, codes,
    )  # fmt: skip
