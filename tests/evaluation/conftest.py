"""Shared fixtures of the rocketconv.evaluation tests."""

from __future__ import annotations

import numpy as np
import pytest

from rocketconv.evaluation import tsml_io

DATASETS = ["Beef", "Coffee", "ECG200", "GunPoint", "Ham", "Meat", "Trace", "Wine"]


def _write_results(root, classifier, accuracies, resamples=(0, 1), n=50):
    """Results files whose accuracy is exactly the given one per dataset."""
    for dataset, accuracy in zip(DATASETS, accuracies, strict=True):
        for resample in resamples:
            n_correct = round(accuracy * n)
            true = ["p" if i % 2 else "q" for i in range(n)]
            predicted = [
                t if i < n_correct else ("q" if t == "p" else "p")
                for i, t in enumerate(true)
            ]
            proba = np.array(
                [[0.1, 0.9] if p == "q" else [0.9, 0.1] for p in predicted]
            )
            text = tsml_io.format_classification_results(
                dataset=dataset,
                classifier=classifier,
                resample=resample,
                classes=["p", "q"],
                true=true,
                predicted=predicted,
                probabilities=proba,
                fit_time_ms=1000,
                predict_time_ms=500,
            )
            tsml_io.atomic_write_text(
                tsml_io.results_path(root, classifier, dataset, resample), text
            )


@pytest.fixture
def write_results():
    """``write_results(root, classifier, accuracies, resamples=(0, 1), n=50)``
    writes results files of exactly those accuracies on :data:`DATASETS`."""
    return _write_results
