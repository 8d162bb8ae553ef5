"""AUROC from ranks against scikit-learn's roc_auc_score, the definition it
replaces in the benchmark's metrics."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from rocketconv.evaluation.metrics import classification_metrics, weighted_ovr_auroc


def scikit_learn_auroc(true, probabilities):
    """What classification_metrics computed before: NaN where it raises."""
    n_classes = probabilities.shape[1]
    try:
        return roc_auc_score(
            true,
            probabilities[:, 1] if n_classes == 2 else probabilities,
            average="weighted",
            multi_class="ovr",
            labels=None if n_classes == 2 else np.arange(n_classes),
        )
    except ValueError:
        return float("nan")


def random_predictions(n_cases, n_classes, seed, decimals=None):
    """Probabilities that lean to the true class; rounded, many tie."""
    rng = np.random.default_rng(seed)
    true = rng.integers(n_classes, size=n_cases)
    true[:n_classes] = np.arange(n_classes)
    logits = rng.normal(size=(n_cases, n_classes))
    logits[np.arange(n_cases), true] += 1.0
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    if decimals is not None:
        probabilities = np.round(probabilities, decimals)
        probabilities[:, -1] = 1.0 - probabilities[:, :-1].sum(axis=1)
    return true, probabilities


@pytest.mark.parametrize("n_classes", [2, 3, 7, 50])
@pytest.mark.parametrize("decimals", [None, 1, 2])
@pytest.mark.parametrize("seed", range(3))
def test_auroc_from_ranks_equals_roc_auc_score(n_classes, decimals, seed):
    true, probabilities = random_predictions(300, n_classes, seed, decimals)
    expected = scikit_learn_auroc(true, probabilities)
    assert weighted_ovr_auroc(true, probabilities) == pytest.approx(expected, rel=1e-12)


def test_auroc_is_nan_where_roc_auc_score_raises():
    true, probabilities = random_predictions(60, 4, seed=0)
    unnormalised = probabilities * 1.1
    assert np.isnan(scikit_learn_auroc(true, unnormalised))
    assert np.isnan(weighted_ovr_auroc(true, unnormalised))
    one_class = np.zeros(60, dtype=int)
    binary = np.column_stack([1 - probabilities[:, 0], probabilities[:, 0]])
    assert np.isnan(scikit_learn_auroc(one_class, binary))
    assert np.isnan(weighted_ovr_auroc(one_class, binary))


def test_a_class_missing_from_true_has_weight_zero():
    true, probabilities = random_predictions(60, 4, seed=0)
    missing = np.where(true == 2, 0, true)  # class 2 never true
    expected = scikit_learn_auroc(missing, probabilities)
    assert np.isfinite(expected)
    assert weighted_ovr_auroc(missing, probabilities) == pytest.approx(expected)
    outside = np.where(true == 2, 4, true)  # a label past the columns
    assert np.isnan(scikit_learn_auroc(outside, probabilities))
    assert np.isnan(weighted_ovr_auroc(outside, probabilities))


def test_binary_auroc_uses_the_second_column_only():
    """Two classes: rows need not sum to 1 (roc_auc_score sees column 1)."""
    true = np.array([0, 0, 1, 1, 1])
    probabilities = np.array([[0.9, 0.1], [0.2, 0.4], [0.5, 0.4], [0.0, 0.8], [3, 0.9]])
    expected = roc_auc_score(true, probabilities[:, 1])
    assert expected == pytest.approx(5.5 / 6)
    assert weighted_ovr_auroc(true, probabilities) == pytest.approx(expected)


def test_metrics_keep_their_keys():
    true, probabilities = random_predictions(40, 3, seed=1)
    metrics = classification_metrics(true, probabilities.argmax(axis=1), probabilities)
    assert set(metrics) == {"accuracy", "balacc", "auroc", "logloss"}
    assert metrics["auroc"] == pytest.approx(scikit_learn_auroc(true, probabilities))
