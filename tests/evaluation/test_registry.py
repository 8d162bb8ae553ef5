"""Classifier names, display names, aliases: all from rocketconv._registry."""

from __future__ import annotations

import pytest

from rocketconv.evaluation import registry
from rocketconv.evaluation.tasks import make_tasks


def test_registry():
    clf = registry.make_classifier(
        "MiniRocket", random_state=3, params={"n_features": 840}
    )
    assert clf.random_state == 3 and clf.transformer.n_features == 840
    assert registry.display_name("multirocket+hydra") == "MultiRocket-Hydra"
    with pytest.raises(ValueError, match="unknown parameter"):
        registry.make_classifier("minirocket", params={"n_featurez": 1})
    # inceptiontime is registered whether or not its module exists yet
    assert "inceptiontime" in registry.available_classifiers()
    with pytest.raises(ValueError, match="known classifiers"):
        make_tasks(["nope"], ["GunPoint"], [0])


def test_names_come_from_the_one_registry():
    from rocketconv._registry import ALGORITHMS

    runnable = [k for k, a in ALGORITHMS.items() if a.module is not None]
    assert registry.available_classifiers() == runnable
    for key in runnable:
        algorithm = ALGORITHMS[key]
        assert registry.display_name(key) == algorithm.display_name
        for alias in algorithm.aliases:  # any case, surrounding spaces
            assert registry.check_classifier_names([f" {alias.upper()} "]) == [key]


def test_reference_only_entry_cannot_run():
    assert "hc2" not in registry.available_classifiers()
    with pytest.raises(ValueError, match="published results only"):
        registry.make_classifier("HIVE-COTE2")


def test_own_estimator_class_gets_random_state_and_params():
    clf = registry.make_classifier(
        "IT", random_state=4, params={"n_epochs": 1, "n_estimators": 1}
    )
    assert type(clf).__name__ == "InceptionTimeClassifier"
    assert clf.random_state == 4 and clf.n_epochs == 1
