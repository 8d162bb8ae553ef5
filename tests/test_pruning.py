"""Pruning: RocketClassifier(keep_features=...) and the restriction of a
fitted transformer to kept features (rocketconv.pruning)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from rocketconv import Hydra, MiniRocket, MultiRocket, Rocket, RocketClassifier
from rocketconv.datasets import load_ucr
from rocketconv.pruning import (
    detach_units,
    n_kept_features,
    restrict_transformer,
)
from rocketconv.transformers.multirocket_hydra import MultiRocketHydra

RNG = np.random.default_rng(0)

SMALL = {
    "minirocket": lambda: MiniRocket(n_features=840, random_state=0),
    "multirocket": lambda: MultiRocket(n_features=1344, random_state=0),
    "rocket": lambda: Rocket(n_kernels=200, random_state=0),
    "hydra": lambda: Hydra(n_kernels=4, n_groups=8, random_state=0),
    "multirocket+hydra": lambda: MultiRocketHydra(
        n_kernels=4, n_groups=8, n_features=1344, random_state=0
    ),
}


def planted(n_cases: int = 40, length: int = 60, n_classes: int = 2, seed: int = 0):
    """Noise with a class-dependent bump: class c has it at 10 + 15 c."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_cases) % n_classes
    X = rng.normal(size=(n_cases, 1, length))
    for case, label in enumerate(y):
        X[case, 0, 10 + 15 * label : 18 + 15 * label] += 3.0
    return X, y


def kept_sets(n_features: int, units: np.ndarray) -> list[np.ndarray]:
    """Scattered columns, one whole unit, a unit plus one column elsewhere,
    the last column, and every column."""
    first_unit = np.flatnonzero(units == units[0])
    last = n_features - 1
    return [
        np.sort(RNG.choice(n_features, n_features // 7, replace=False)),
        first_unit,
        np.union1d(np.flatnonzero(units == units[last]), [0]),
        np.array([last]),
        np.arange(n_features),
    ]


@pytest.mark.parametrize("n_channels", [1, 3])
@pytest.mark.parametrize("key", list(SMALL))
def test_restricted_output_is_the_kept_columns(key, n_channels):
    X = RNG.normal(size=(6, n_channels, 45))
    full = SMALL[key]().fit(X)
    features = full.transform(X)
    names = full.get_feature_names_out()
    unequal = [RNG.normal(size=(n_channels, n)) for n in (45, 30, 12)]
    unequal_features = full.transform(unequal)
    for kept in kept_sets(features.shape[1], full._feature_units()):
        restricted = restrict_transformer(full, kept)
        assert type(restricted) is type(full)
        np.testing.assert_array_equal(restricted.transform(X), features[:, kept])
        np.testing.assert_array_equal(
            restricted.transform(unequal), unequal_features[:, kept]
        )
        assert list(restricted.get_feature_names_out()) == list(names[kept])
        np.testing.assert_array_equal(restricted.kept_features_, kept)
    # the full transformer is left as it was
    np.testing.assert_array_equal(full.transform(X), features)


def test_restricting_a_restricted_transformer_composes():
    X = RNG.normal(size=(5, 1, 40))
    full = SMALL["multirocket"]().fit(X)
    once = restrict_transformer(full, np.arange(100, 1300, 3))
    twice = restrict_transformer(once, [0, 5, 399])
    np.testing.assert_array_equal(
        twice.transform(X), full.transform(X)[:, np.arange(100, 1300, 3)[[0, 5, 399]]]
    )


@pytest.mark.parametrize(
    "kept, message",
    [([], "non-empty"), ([3, 3], "distinct"), ([-1], r"\[0, 840\)"), ([840], "840")],
)
def test_bad_kept_columns_are_refused(kept, message):
    full = SMALL["minirocket"]().fit(RNG.normal(size=(4, 1, 40)))
    with pytest.raises(ValueError, match=message):
        restrict_transformer(full, np.asarray(kept, dtype=int))


def test_only_the_kept_units_are_computed():
    X = RNG.normal(size=(5, 2, 60))
    mini = SMALL["minirocket"]().fit(X)
    units = mini._feature_units()
    n_pairs = 84 * len(mini.dilations_)
    assert len(np.unique(units)) == n_pairs
    # three pairs of the first dilation, one of the last: two dilations
    chosen = [0, 5, 83, n_pairs - 1]
    kept = np.flatnonzero(np.isin(units, chosen))
    plan = restrict_transformer(mini, kept)._plan
    assert plan.n_combinations == 4
    assert plan.kernels.tolist() == [0, 5, 83, 83]
    assert plan.dilations.tolist() == [mini.dilations_[0], mini.dilations_[-1]]
    # one bias of a pair keeps only that pair
    assert restrict_transformer(mini, [kept[1]])._plan.n_combinations == 1

    rocket = SMALL["rocket"]().fit(X)
    restricted = restrict_transformer(rocket, [0, 1, 7, 399])
    assert restricted._plan["lengths"].tolist() == rocket.lengths_[[0, 3, 199]].tolist()

    hydra = SMALL["hydra"]().fit(X)
    groups = restrict_transformer(hydra, [0, 1, 2, 3, 4])._computed_groups
    assert groups.sum() == 2 and groups[0, 0, :2].all()

    multi = SMALL["multirocket"]().fit(X)
    block = multi.representation_.n_features
    # PPV and MIPV of triple 0 of X: one (dilation, kernel) pair, none of diff(X)
    plans = restrict_transformer(multi, [0, 3 * block])._plans
    assert [p.n_combinations for p in plans] == [1, 0]


def test_n_kept_features_rounds_to_nearest_and_keeps_one():
    assert n_kept_features(0.1, 9996) == 1000  # 999.6
    assert n_kept_features(0.05, 9996) == 500  # 499.8
    assert n_kept_features(0.5, 5) == 3  # 2.5 rounds up
    assert n_kept_features(1e-9, 9996) == 1
    assert n_kept_features(1.0, 9996) == 9996


@pytest.mark.parametrize("keep", [0.5, 0.1, 0.013, 0.0001])
def test_pruning_keeps_exactly_the_promised_number(keep):
    X, y = planted()
    clf = RocketClassifier(SMALL["minirocket"](), keep_features=keep).fit(X, y)
    n_keep = n_kept_features(keep, 840)
    assert len(clf.kept_features_) == n_keep
    assert clf.transformer_.transform(X).shape == (len(X), n_keep)
    assert clf.head_[-1].coef_.shape[-1] == n_keep
    assert clf.pruning_.n_features_kept == n_keep
    pairs = np.unique(clf.transformer_._feature_units()[clf.kept_features_])
    assert clf.transformer_._plan.n_combinations == len(pairs)
    assert clf.pruning_.n_units_kept == len(pairs)


def test_pruning_removes_whole_pairs():
    """At 10 % of the features, at most 60 % as many pairs live as when as
    many features are kept at random (measured: 353 vs 626 of 1344)."""
    X, y = planted(n_cases=60, length=150)
    clf = RocketClassifier("minirocket", random_state=0, keep_features=0.1).fit(X, y)
    summary = clf.pruning_
    units = clf.transformer_._feature_units()
    scattered = RNG.choice(len(units), summary.n_features_kept, replace=False)
    n_scattered = len(np.unique(units[scattered]))
    assert n_scattered > 0.3 * summary.n_units
    assert summary.n_units_kept < 0.6 * n_scattered
    assert clf.transformer_._plan.n_combinations == summary.n_units_kept


@pytest.mark.parametrize("key", list(SMALL))
def test_pruned_classifier_predicts_through_the_restricted_transformer(key):
    X, y = planted(n_classes=3)
    clf = RocketClassifier(SMALL[key](), keep_features=0.05).fit(X, y)
    full = RocketClassifier(SMALL[key]()).fit(X, y)
    kept = clf.kept_features_
    features = full.transformer_.transform(X)[:, kept]
    # the classifier gives its final estimator float64 (the pipeline float32)
    np.testing.assert_allclose(
        clf.decision_function(X), clf.head_.decision_function(features), rtol=1e-5
    )
    assert clf.score(X, y) > 0.9


def test_keep_all_gives_the_predictions_of_none():
    X, y = planted()
    X_test, _ = planted(seed=1)
    full = RocketClassifier(SMALL["minirocket"]()).fit(X, y)
    kept_all = RocketClassifier(SMALL["minirocket"](), keep_features=1.0).fit(X, y)
    np.testing.assert_array_equal(
        kept_all.decision_function(X_test), full.decision_function(X_test)
    )
    np.testing.assert_array_equal(kept_all.kept_features_, np.arange(840))
    assert kept_all.pruning_.n_ridge_fits == 0


@pytest.mark.parametrize("estimator", ["logistic", "ridge"])
def test_weighted_and_logistic_heads_prune(estimator):
    X, y = planted(n_classes=3)
    weights = np.where(y == 0, 2.0, 1.0)
    clf = RocketClassifier(
        SMALL["minirocket"](),
        estimator=estimator,
        class_weight="balanced",
        keep_features=0.1,
    ).fit(X, y, sample_weight=weights)
    assert clf.head_kind_ == estimator
    assert len(clf.kept_features_) == 84
    assert clf.score(X, y) > 0.9


def test_pruned_accuracy_on_gunpoint_is_within_two_points():
    """GunPoint (bundled): 10 % of MiniRocket's features, in a quarter of
    its pairs, lose at most 0.02 of test accuracy (stated margin)."""
    X_train, y_train = load_ucr("GunPoint", split="train")
    X_test, y_test = load_ucr("GunPoint", split="test")
    full = RocketClassifier(random_state=0).fit(X_train, y_train)
    pruned = clone(full).set_params(keep_features=0.1).fit(X_train, y_train)
    assert pruned.score(X_test, y_test) >= full.score(X_test, y_test) - 0.02
    assert pruned.pruning_.n_units_kept < 0.25 * pruned.pruning_.n_units


class _FitForbidden(TransformerMixin, BaseEstimator):
    """A transformer whose fit fails the test: no work may start."""

    def fit(self, X, y=None):
        raise AssertionError("the transformer was fitted before the check")

    def transform(self, X):
        raise AssertionError("transform called")


@pytest.mark.parametrize("keep", [0, 0.0, -0.1, 1.5, np.nan, "half", [0.1]])
def test_bad_keep_features_are_refused_before_any_work(keep):
    X, y = planted()
    with pytest.raises(InvalidParameterError, match="keep_features"):
        RocketClassifier(_FitForbidden(), keep_features=keep).fit(X, y)


def test_transformers_without_restriction_are_refused_clearly():
    class Plain(TransformerMixin, BaseEstimator):
        def fit(self, X, y=None):
            return self

        def transform(self, X):
            return np.asarray(X)[:, 0, :5]

    X, y = planted()
    with pytest.raises(TypeError, match="cannot be restricted"):
        RocketClassifier(Plain(), keep_features=0.5).fit(X, y)


def test_grid_search_over_keep_features():
    X, y = planted(n_cases=40)
    clf = RocketClassifier(SMALL["minirocket"]())
    assert clone(clf).get_params()["keep_features"] is None
    search = GridSearchCV(clf, {"keep_features": [None, 0.5, 0.05]}, cv=2)
    search.fit(X, y)
    assert search.best_params_["keep_features"] in (None, 0.5, 0.05)
    assert len(search.cv_results_["params"]) == 3
    if search.best_params_["keep_features"] is not None:
        assert len(search.best_estimator_.kept_features_) < 840
    assert search.score(X, y) > 0.9


def test_detachment_keeps_the_informative_units():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 300))
    y = np.where(X[:, 40] - X[:, 250] > 0, 1.0, -1.0)[:, None]
    units = np.repeat(np.arange(60), 5)  # units of 5 features
    kept, n_fits = detach_units(X, y, units, 10, alpha=1.0)
    assert len(kept) == 10 and {40, 250} <= set(kept.tolist())
    assert sorted(set(units[kept].tolist())) == [8, 50]  # two whole units
    assert n_fits > 1
