"""The in-memory ridge head through the cases' Gram matrix
(``rocketconv._gram_ridge``) against scikit-learn's RidgeClassifierCV, the
head it replaces when there are no more cases than features."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import RidgeClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from rocketconv import _gram_ridge, _heads
from rocketconv._ridge_model import LeaveOneOutRidgeClassifier, case_weights
from rocketconv.calibration import LeaveOneOutSquaredError, TemperatureScaler
from rocketconv.scalers import L2ColumnScaler, SparseScaler

ALPHAS = np.logspace(-3, 3, 10)


def features_of(n_cases, n_features, n_classes, seed, sparse=False):
    """Classes that differ in a fifth of the features, noisy enough that the
    leave-one-out errors tell the alphas apart."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(n_classes, size=n_cases)
    codes[:n_classes] = np.arange(n_classes)
    X = rng.random((n_cases, n_features))
    X[:, : n_features // 5] += 0.15 * codes[:, None]
    if sparse:  # Hydra-like counts: many exact zeros
        X[X < 0.5] = 0.0
    return X.astype(np.float32), codes


def scikit_learn_head(scaler, X, codes, n_classes, class_weight, weights):
    """The head fit_ridge_head fitted before: the scaler + RidgeClassifierCV
    keeping the leave-one-out values of every alpha."""
    ridge = RidgeClassifierCV(
        alphas=ALPHAS,
        class_weight=class_weight,
        scoring=LeaveOneOutSquaredError(codes, n_classes),
        store_cv_results=True,
    )
    head = make_pipeline(scaler, ridge)
    head.fit(X, codes, ridgeclassifiercv__sample_weight=weights)
    return head


# (scaler, n_cases, n_features, n_classes, class_weight, weighted, rtol):
# StandardScaler and SparseScaler return float32 on float32 input, and
# RidgeClassifierCV then rounds its coefficients to float32.
CASES = [
    (L2ColumnScaler, 40, 100, 2, None, False, 1e-9),
    (L2ColumnScaler, 60, 300, 4, None, False, 1e-9),
    (L2ColumnScaler, 50, 120, 3, "balanced", False, 1e-9),
    (L2ColumnScaler, 50, 120, 2, None, True, 1e-9),
    (L2ColumnScaler, 50, 120, 3, {0: 5.0, 1: 1.0, 2: 0.2}, True, 1e-9),
    (L2ColumnScaler, 120, 120, 2, None, False, 1e-8),  # n == p: still Gram
    (StandardScaler, 60, 300, 3, "balanced", True, 1e-6),
    (SparseScaler, 60, 200, 2, None, True, 1e-5),
]


@pytest.mark.parametrize("make_scaler, n, p, k, class_weight, weighted, rtol", CASES)
def test_gram_head_equals_ridge_classifier_cv(
    make_scaler, n, p, k, class_weight, weighted, rtol
):
    X, codes = features_of(n, p, k, seed=n + p + k, sparse=make_scaler is SparseScaler)
    weights = np.random.default_rng(k).uniform(0.2, 3.0, n) if weighted else None
    reference = scikit_learn_head(make_scaler(), X, codes, k, class_weight, weights)
    head, calibrator = _gram_ridge.fit_gram_ridge(
        make_scaler(), X, codes, k, ALPHAS, class_weight, weights
    )
    ridge, model = reference[-1], head[-1]
    assert isinstance(model, LeaveOneOutRidgeClassifier)
    assert model.alpha_ == ridge.alpha_
    assert model.best_score_ == pytest.approx(ridge.best_score_, rel=rtol)
    scale = np.abs(ridge.coef_).max()
    np.testing.assert_allclose(model.coef_, ridge.coef_, rtol=0, atol=rtol * scale)
    np.testing.assert_allclose(model.intercept_, ridge.intercept_, atol=rtol * 10)
    gram = _gram_ridge._CaseGram(
        *centred_inputs(head, X, codes, k, class_weight, weights)
    )
    np.testing.assert_allclose(
        gram.leave_one_out(ALPHAS), ridge.cv_results_, rtol=1e-6, atol=10 * rtol
    )
    chosen = ridge.cv_results_[:, :, list(ALPHAS).index(ridge.alpha_)]
    usable = np.isfinite(chosen).all(axis=1)
    expected = TemperatureScaler().fit(chosen[usable], codes[usable])
    assert calibrator.temperature_ == pytest.approx(expected.temperature_, rel=1e-5)
    X_test, _ = features_of(30, p, k, seed=99, sparse=make_scaler is SparseScaler)
    np.testing.assert_allclose(
        head.decision_function(X_test),
        reference.decision_function(X_test),
        rtol=0,
        atol=1e-6 * np.abs(reference.decision_function(X_test)).max(),
    )
    np.testing.assert_array_equal(head.predict(X_test), reference.predict(X_test))


def centred_inputs(head, X, codes, n_classes, class_weight, weights):
    """The arguments of ``_CaseGram`` for the fitted scaler of ``head``."""
    w = case_weights(codes, class_weight, weights)
    Z = np.asarray(head[0].transform(X), dtype=np.float64)
    Z = Z - w @ Z / w.sum()
    return Z, w, LeaveOneOutSquaredError(codes, n_classes).targets


@pytest.mark.parametrize("seed", range(4))
def test_zero_weight_cases_keep_the_default_alpha(seed):
    """A case of weight 0 has no leave-one-out value (0/0); the criterion
    must still be RidgeClassifierCV's default, which counts it as 0 (it was
    NaN for every alpha, so the first alpha won whatever the data)."""
    X, codes = features_of(50, 120, 2 + seed % 2, seed=seed)
    weights = np.random.default_rng(seed).uniform(0.2, 3.0, 50)
    weights[[3, 17, 40]] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn's 0/0
        default = make_pipeline(L2ColumnScaler(), RidgeClassifierCV(alphas=ALPHAS))
        default.fit(X, codes, ridgeclassifiercv__sample_weight=weights)
        in_memory = scikit_learn_head(
            L2ColumnScaler(), X, codes, 2 + seed % 2, None, weights
        )
    head, _ = _gram_ridge.fit_gram_ridge(
        L2ColumnScaler(), X, codes, 2 + seed % 2, ALPHAS, None, weights
    )
    assert head[-1].alpha_ == default[-1].alpha_
    assert in_memory[-1].alpha_ == default[-1].alpha_
    assert head[-1].best_score_ == pytest.approx(default[-1].best_score_, rel=1e-9)


def test_gram_head_leaves_the_features_alone():
    """A scaler that returns its input: the head centres a copy."""
    X, codes = features_of(30, 80, 2, seed=5)
    X = X.astype(np.float64)
    before = X.copy()
    head, _ = _gram_ridge.fit_gram_ridge(FunctionTransformer(), X, codes, 2, ALPHAS)
    np.testing.assert_array_equal(X, before)
    reference = scikit_learn_head(FunctionTransformer(), X, codes, 2, None, None)
    assert head[-1].alpha_ == reference[-1].alpha_


def test_fit_ridge_head_takes_the_gram_path_up_to_n_features():
    X, codes = features_of(40, 40, 2, seed=1)
    fitted = _heads.fit_ridge_head(L2ColumnScaler(), X, codes, 2, ALPHAS, None, None)
    assert isinstance(fitted[0][-1], LeaveOneOutRidgeClassifier)
    X, codes = features_of(41, 40, 2, seed=1)
    fitted = _heads.fit_ridge_head(L2ColumnScaler(), X, codes, 2, ALPHAS, None, None)
    assert isinstance(fitted[0][-1], RidgeClassifierCV)


def test_the_model_is_not_fitted_directly():
    with pytest.raises(TypeError, match="RocketClassifier"):
        LeaveOneOutRidgeClassifier().fit(np.zeros((2, 2)), [0, 1])
