"""The metrics of one task's test predictions, as tsml-eval computes them.

A benchmark computes them once per task (and again for every results file
it reads), so they must cost little next to a MiniRocket fit: AUROC comes
from the ranks of the probabilities, one ``scipy.stats.rankdata`` call for
all classes, rather than scikit-learn's ``roc_auc_score``, which builds a
ROC curve per class with its input checks (the metrics were 9 % of a
MiniRocket benchmark task with it, 6 % now: ``benchmarks/results/
task_profile_zen3_*.csv``). The value is the same: the area under the ROC
curve is the Mann-Whitney statistic, ties counting one half
(``tests/evaluation/test_metrics.py`` checks it against ``roc_auc_score``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import rankdata

__all__ = ["classification_metrics", "weighted_ovr_auroc"]


def weighted_ovr_auroc(true: np.ndarray, probabilities: np.ndarray) -> float:
    """AUROC one-vs-rest, weighted by class support; from the positive-class
    column for two classes. As ``roc_auc_score``: a class missing from
    ``true`` has weight 0 (three classes and more); NaN where it raises:
    two classes with one missing, a label outside the columns, or (three
    classes and more) rows that do not sum to 1.

    ``true`` holds class indices into the columns of ``probabilities``.
    """
    n_cases, n_classes = probabilities.shape
    if true.min() < 0 or true.max() >= n_classes:
        return float("nan")
    counts = np.bincount(true, minlength=n_classes)
    if n_classes == 2:
        if (counts == 0).any():
            return float("nan")
        columns, classes = probabilities[:, 1:], np.array([1])
    else:
        if not np.allclose(1.0, probabilities.sum(axis=1)):
            return float("nan")
        classes = np.flatnonzero(counts)  # weight 0: left out
        columns = probabilities[:, classes]
    ranks = rankdata(columns, axis=0)  # average ranks: a tie counts 1/2
    positive = true[:, None] == classes[None, :]
    n_positive = counts[classes]
    rank_sums = (ranks * positive).sum(axis=0)
    areas = (rank_sums - n_positive * (n_positive + 1) / 2) / (
        n_positive * (n_cases - n_positive)
    )
    if n_classes == 2:
        return float(areas[0])
    return float(areas @ (n_positive / n_cases))


def classification_metrics(
    true: ArrayLike, predicted: ArrayLike, probabilities: ArrayLike
) -> dict[str, float]:
    """Accuracy, balanced accuracy, AUROC and log-loss as tsml-eval computes
    them (``ClassifierResults.calculate_statistics``).

    AUROC is one-vs-rest, weighted by class support, from the positive-class
    column for two classes (:func:`weighted_ovr_auroc`); log-loss uses the
    natural log. ``true`` and ``predicted`` are class indices into the
    columns of ``probabilities``.

    Examples
    --------
    >>> m = classification_metrics([0, 1, 1], [0, 1, 0],
    ...                            [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    >>> round(m["accuracy"], 4), m["balacc"], m["auroc"]
    (0.6667, 0.75, 1.0)
    """
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, log_loss

    true = np.asarray(true)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    labels = np.arange(probabilities.shape[1])
    auroc = weighted_ovr_auroc(true.astype(np.int64), probabilities)
    # renormalise exactly so sklearn does not warn about rows summing to 1-1e-16
    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
    return {
        "accuracy": float(accuracy_score(true, predicted)),
        "balacc": float(balanced_accuracy_score(true, predicted)),
        "auroc": auroc,
        "logloss": float(log_loss(true, probabilities, labels=labels)),
    }
