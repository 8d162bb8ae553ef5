"""MiniRocket and RocketClassifier used the way sklearn users use estimators."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import RidgeClassifierCV
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from rocketconv import MiniRocket, RocketClassifier, RocketRegressor
from rocketconv.linear import L2ColumnScaler

RNG = np.random.default_rng(0)


def two_class_problem(n_cases=40, length=60, n_channels=1, seed=0, noise=0.5):
    """Sine waves of two frequencies in noise: easy, but not trivially so."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_cases) % 2
    t = np.linspace(0, 1, length)
    phase = rng.uniform(0, 2 * np.pi, size=(n_cases, n_channels, 1))
    X = np.sin(2 * np.pi * (3 + 3 * y[:, None, None]) * t + phase)
    X += rng.normal(scale=noise, size=X.shape)
    return X, np.array(["low", "high"])[y]


# sklearn's generic checks feed 2-D tabular data; for us 2-D means one channel.
SAMPLE_WEIGHT_REASON = (
    "weights go to the head only: the transformer draws the training case "
    "each bias is fitted on, so duplicating a case changes the features, "
    "unlike weighting it"
)
EXPECTED_FAILED = {
    # A series of a few timepoints is zero-padded to 9 (SPEC.md policy); the
    # checks' tiny synthetic tables (e.g. 2 "timepoints" of blobs) carry too
    # little shape for the convolution features to separate their classes.
    "check_classifiers_train": (
        "2-feature blob data padded to length 9 is not separable by "
        "convolution features"
    ),
}


def _expected_failed_checks(estimator):
    if isinstance(estimator, RocketClassifier | RocketRegressor):
        return {"check_sample_weight_equivalence_on_dense_data": SAMPLE_WEIGHT_REASON}
    return {}


@parametrize_with_checks(
    [
        MiniRocket(n_features=168, random_state=0),
        RocketClassifier(MiniRocket(n_features=168), random_state=0),
        RocketRegressor(MiniRocket(n_features=168), random_state=0),
        L2ColumnScaler(),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_published_pipeline_with_grid_search():
    X, y = two_class_problem()
    pipeline = make_pipeline(
        MiniRocket(random_state=0),
        StandardScaler(),
        RidgeClassifierCV(np.logspace(-3, 3, 10)),
    )
    search = GridSearchCV(
        pipeline, {"minirocket__n_features": [420, 840]}, cv=3, error_score="raise"
    )
    search.fit(X, y)
    assert search.best_params_["minirocket__n_features"] in (420, 840)
    assert search.score(X, y) > 0.9
    scores = cross_val_score(clone(pipeline), X, y, cv=3)
    assert scores.mean() > 0.8


def test_classifier_tunes_its_transformer_in_grid_search():
    X, y = two_class_problem()
    search = GridSearchCV(
        RocketClassifier(MiniRocket(random_state=0)),
        {"transformer__n_features": [168, 840], "estimator": ["ridge", "logistic"]},
        cv=2,
        error_score="raise",
    )
    search.fit(X, y)
    assert set(search.best_params_) == {"transformer__n_features", "estimator"}


def test_pandas_output_and_feature_names():
    X, _ = two_class_problem(n_cases=6)
    model = MiniRocket(n_features=168, random_state=0).set_output(transform="pandas")
    frame = model.fit_transform(X)
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape == (6, 168)
    names = model.get_feature_names_out()
    assert list(frame.columns) == list(names)
    assert names[0] == "minirocket0" and names[-1] == "minirocket167"


def test_classifier_pickles_and_predicts_the_same():
    X, y = two_class_problem()
    clf = RocketClassifier(random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict(X), clf.predict(X))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_labels_are_returned_as_given():
    X, y = two_class_problem()
    clf = RocketClassifier(random_state=0).fit(X, y)
    assert set(clf.predict(X)) <= {"low", "high"}
    assert list(clf.classes_) == ["high", "low"]


def test_predict_proba_is_calibrated_not_one_hot():
    # a noisy problem that ridge cannot solve perfectly
    X, y = two_class_problem(n_cases=80, noise=3.0)
    X_test, y_test = two_class_problem(n_cases=200, seed=1, noise=3.0)
    clf = RocketClassifier(random_state=0).fit(X, y)
    proba = clf.predict_proba(X_test)
    assert proba.shape == (200, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (proba.max(axis=1) < 0.99).mean() > 0.5  # not one-hot rows
    accuracy = clf.score(X_test, y_test)
    assert 0.6 < accuracy < 1.0
    # calibrated: the mean confidence is close to the accuracy
    assert abs(proba.max(axis=1).mean() - accuracy) < 0.1
    one_hot = np.eye(2)[proba.argmax(axis=1)]
    codes = np.searchsorted(clf.classes_, y_test)
    rows = np.arange(200)
    assert (
        -np.log(proba[rows, codes]).mean()
        < -np.log(np.clip(one_hot[rows, codes], 1e-15, 1)).mean()
    )
    # probabilities agree with the ridge decision on the predicted class
    np.testing.assert_array_equal(
        clf.classes_[proba.argmax(axis=1)], clf.predict(X_test)
    )


def test_ridge_alpha_is_selected_as_published():
    """The calibration scorer must not change which alpha ridge picks."""
    X, y = two_class_problem(n_cases=60)
    clf = RocketClassifier(MiniRocket(n_features=840, random_state=0)).fit(X, y)
    features = L2ColumnScaler().fit_transform(clf.transformer_.transform(X))
    plain = RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)).fit(features, y)
    assert clf.head_[-1].alpha_ == plain.alpha_
    np.testing.assert_array_equal(clf.predict(X), plain.predict(features))


def test_l2_scaler_is_sklearns_old_normalize():
    X = RNG.normal(loc=3, size=(20, 5))
    X[:, 2] = 7.0  # constant column keeps scale 1
    scaled = L2ColumnScaler().fit_transform(X)
    centred = X - X.mean(axis=0)
    norms = np.linalg.norm(centred, axis=0)
    norms[2] = 1.0
    np.testing.assert_allclose(scaled, centred / norms)
    np.testing.assert_allclose(np.linalg.norm(scaled[:, [0, 1, 3, 4]], axis=0), 1.0)


@pytest.mark.parametrize("estimator", ["ridge", "logistic"])
def test_heads_and_weights(estimator):
    X, y = two_class_problem(n_cases=60)
    weights = np.where(y == "low", 2.0, 1.0)
    clf = RocketClassifier(
        MiniRocket(n_features=840),
        estimator=estimator,
        class_weight="balanced",
        random_state=0,
    ).fit(X, y, sample_weight=weights)
    assert clf.head_kind_ == estimator
    assert clf.score(X, y) > 0.9
    assert clf.predict_proba(X).shape == (60, 2)


def test_auto_head_switches_to_minibatch_for_large_data():
    X, y = two_class_problem(n_cases=120)
    clf = RocketClassifier(
        MiniRocket(n_features=168),
        ridge_max_cases=50,
        minibatch_threshold=100,
        random_state=0,
    ).fit(X, y)
    assert clf.head_kind_ == "minibatch"
    assert clf.score(X, y) > 0.8
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_class_weight_dict_uses_labels():
    X, y = two_class_problem()
    clf = RocketClassifier(
        MiniRocket(n_features=168), class_weight={"low": 3, "high": 1}
    )
    clf.fit(X, y)
    with pytest.raises(ValueError, match="not in y"):
        RocketClassifier(class_weight={"nope": 1}).fit(X, y)


def test_single_class_is_an_error():
    X, _ = two_class_problem(n_cases=10)
    with pytest.raises(ValueError, match="1 class"):
        RocketClassifier().fit(X, ["a"] * 10)


def test_x_and_y_must_agree():
    X, y = two_class_problem(n_cases=10)
    with pytest.raises(ValueError, match="X has 10 cases but y has 9"):
        RocketClassifier().fit(X, y[:9])


def test_unknown_transformer_name():
    X, y = two_class_problem(n_cases=10)
    with pytest.raises(ValueError, match="Unknown transformer 'superrocket'"):
        RocketClassifier("superrocket").fit(X, y)


def test_regressor_learns_dominant_frequency():
    rng = np.random.default_rng(0)
    frequency = rng.uniform(1, 10, size=120)
    t = np.linspace(0, 1, 100)
    X = np.sin(2 * np.pi * frequency[:, None] * t + rng.uniform(0, 6, (120, 1)))
    X += rng.normal(scale=0.1, size=X.shape)
    model = RocketRegressor(random_state=0).fit(X[:80], frequency[:80])
    error = np.abs(model.predict(X[80:]) - frequency[80:])
    assert error.mean() < 0.5  # the frequencies span 1..10
    assert model.score(X[80:], frequency[80:]) > 0.9
