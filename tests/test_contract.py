"""One contract for every public estimator.

scikit-learn's estimator checks run over each transformer, each scaler,
``RocketClassifier`` x every transformer x each head, ``RocketRegressor`` x
every transformer and ``InceptionTimeClassifier`` (tiny settings), with ONE
mapping of expected failures: the sample-weight equivalence checks, for the
reason given in ``SAMPLE_WEIGHT_REASON``. Every other check passes for every
estimator.

Beyond sklearn, the time-series contracts: unequal-length lists (each case
is transformed on its own length), short-series zero-padding (with a
warning, and exactly the features of explicitly padded input), and values
too large for float32 (refused by name). Determinism (seeds, n_jobs,
pickle, processes) is the other half of the contract: ``test_determinism``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from deep.test_inceptiontime import TINY_INCEPTIONTIME_PARAMS
from sklearn.utils.estimator_checks import parametrize_with_checks

from rocketconv import (
    Hydra,
    InceptionTimeClassifier,
    L2ColumnScaler,
    MiniRocket,
    MultiRocket,
    MultiRocketHydra,
    Rocket,
    RocketClassifier,
    RocketRegressor,
    SparseScaler,
)
from rocketconv._validation import MAX_ABS_VALUE, ShortSeriesWarning

# Tiny settings: every estimator of the package at a size the checks run fast.
TINY_TRANSFORMERS = {
    "rocket": lambda: Rocket(n_kernels=50),
    "minirocket": lambda: MiniRocket(n_features=168),
    "multirocket": lambda: MultiRocket(n_features=672),
    "hydra": lambda: Hydra(n_kernels=2, n_groups=4),
    "multirocket+hydra": lambda: MultiRocketHydra(
        n_kernels=2, n_groups=4, n_features=672
    ),
}
# InceptionTime's tiny settings live in one place, beside its own tests
TINY_INCEPTIONTIME = TINY_INCEPTIONTIME_PARAMS
# "logistic" above minibatch_threshold is the mini-batch softmax head
HEADS = {
    "ridge": dict(estimator="ridge"),
    "logistic": dict(estimator="logistic"),
    "minibatch": dict(estimator="logistic", minibatch_threshold=1),
}


def tiny(key: str):
    """A tiny transformer, seeded."""
    return TINY_TRANSFORMERS[key]().set_params(random_state=0)


# 16 Hydra features cannot fit the regression check's data (R² 0.10): the
# regressor gets a larger tiny Hydra (256 features, R² 0.71).
TINY_REGRESSOR_TRANSFORMERS = {
    **TINY_TRANSFORMERS,
    "hydra": lambda: Hydra(n_kernels=8, n_groups=16),
}


def every_estimator() -> list:
    estimators = [tiny(key) for key in TINY_TRANSFORMERS]
    estimators += [L2ColumnScaler(), SparseScaler()]
    for make in TINY_TRANSFORMERS.values():
        for head in HEADS.values():
            estimators.append(RocketClassifier(make(), random_state=0, **head))
    for make in TINY_REGRESSOR_TRANSFORMERS.values():
        estimators.append(RocketRegressor(make(), random_state=0))
    estimators.append(InceptionTimeClassifier(random_state=0, **TINY_INCEPTIONTIME))
    return estimators


SAMPLE_WEIGHT_REASON = (
    "weights reach the head only, and duplicating a case is not the same as "
    "weighting it twice: (1) the transformer fits its biases on convolution "
    "outputs of randomly drawn training cases, so duplicates change which "
    "cases are drawn and so the features; (2) the ridge head's leave-one-out "
    "alpha selection and the temperature fitted on leave-one-out decision "
    "values differ, because leaving out one copy of a duplicated case keeps "
    "its twin in the training set, while leaving out a weighted case removes "
    "it whole; (3) the mini-batch softmax sees duplicates in other batches."
)
SAMPLE_WEIGHT_CHECKS = (
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
)


def expected_failed_checks(estimator) -> dict[str, str]:
    """The one expected-failure mapping of the whole package."""
    if not isinstance(estimator, RocketClassifier | RocketRegressor):
        return {}
    return dict.fromkeys(SAMPLE_WEIGHT_CHECKS, SAMPLE_WEIGHT_REASON)


@parametrize_with_checks(
    every_estimator(), expected_failed_checks=expected_failed_checks
)
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        # the checks' tiny tables are 2-D = series of a few timepoints
        warnings.simplefilter("ignore", ShortSeriesWarning)
        check(estimator)


# --------------------------------------------------------------------------
# Time-series contracts
# --------------------------------------------------------------------------
RNG = np.random.default_rng(3)
X_EQUAL = RNG.normal(size=(12, 2, 40))
Y = np.array(["a", "b", "c"] * 4)
X_UNEQUAL = [case[:, : 40 - 3 * (i % 5)] for i, case in enumerate(X_EQUAL)]


def time_series_estimators() -> dict[str, object]:
    """Transformers, and RocketClassifier over each (its default head)."""
    out = {
        key: make().set_params(random_state=0)
        for key, make in TINY_TRANSFORMERS.items()
    }
    for key, make in TINY_TRANSFORMERS.items():
        out[f"RocketClassifier[{key}]"] = RocketClassifier(make(), random_state=0)
    out["InceptionTime"] = InceptionTimeClassifier(random_state=0, **TINY_INCEPTIONTIME)
    return out


ESTIMATORS = time_series_estimators()
UNEQUAL_CAPABLE = [key for key in ESTIMATORS if key != "InceptionTime"]


def output(estimator, X):
    if hasattr(estimator, "transform"):
        return estimator.transform(X)
    return estimator.predict_proba(X)


def fit(estimator, X):
    if hasattr(estimator, "transform"):
        return estimator.fit(X)
    return estimator.fit(X, Y)


@pytest.mark.parametrize("key", UNEQUAL_CAPABLE)
def test_unequal_length_each_case_on_its_own_length(key):
    """A list of unequal-length cases: each case's output equals the output
    of that case alone, so no case is padded to another case's length."""
    estimator = fit(ESTIMATORS[key], X_UNEQUAL)
    together = output(estimator, X_UNEQUAL)
    alone = np.vstack([output(estimator, [case]) for case in X_UNEQUAL])
    np.testing.assert_allclose(together, alone, rtol=1e-12, atol=0)
    assert np.isfinite(together).all()


def test_inceptiontime_refuses_unequal_length():
    with pytest.raises(ValueError, match="unequal lengths"):
        fit(ESTIMATORS["InceptionTime"], X_UNEQUAL)


def _min_length(estimator) -> int:
    transformer = getattr(estimator, "transformer", estimator)
    return transformer._min_length


@pytest.mark.parametrize("key", UNEQUAL_CAPABLE)
def test_short_series_are_zero_padded_with_a_warning(key):
    """Series shorter than the kernels are zero-padded at the end (the
    documented policy), with a ShortSeriesWarning, and give exactly the
    output of input padded by hand."""
    estimator = ESTIMATORS[key]
    minimum = _min_length(estimator)
    short = X_EQUAL[:, :, : minimum - 3]
    by_hand = np.zeros(short.shape[:2] + (minimum,))
    by_hand[:, :, : short.shape[2]] = short
    with pytest.warns(ShortSeriesWarning, match=f"minimum length {minimum}"):
        padded_output = output(fit(estimator, short), short)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ShortSeriesWarning)  # none for by_hand
        expected = output(fit(estimator, by_hand), by_hand)
    np.testing.assert_array_equal(padded_output, expected)


@pytest.mark.parametrize("key", list(ESTIMATORS))
@pytest.mark.parametrize("where", ["fit", "predict"])
def test_values_too_large_for_float32_are_refused(key, where):
    """Finite float64 values beyond float32 arithmetic used to give silently
    wrong features (all 0, or NaN); now they are refused by name."""
    estimator = ESTIMATORS[key]
    huge = X_EQUAL * 3e38
    if where == "predict":
        estimator = fit(estimator, X_EQUAL)
        call = lambda: output(estimator, huge)  # noqa: E731
    else:
        call = lambda: fit(estimator, huge)  # noqa: E731
    with pytest.raises(ValueError, match=r"up to .*e\+39 in magnitude.*float32"):
        call()


@pytest.mark.parametrize("key", ["minirocket", "RocketClassifier[rocket]"])
def test_values_at_the_limit_are_accepted(key):
    estimator = fit(ESTIMATORS[key], X_EQUAL / np.abs(X_EQUAL).max() * MAX_ABS_VALUE)
    assert np.isfinite(output(estimator, X_EQUAL)).all()
