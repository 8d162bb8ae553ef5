"""RocketClassifier and RocketRegressor: the published heads, threads, and
the estimators used the way scikit-learn users use them (the generic
estimator checks are in test_contract)."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import RidgeClassifierCV
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rocketconv import (
    Hydra,
    MiniRocket,
    MultiRocket,
    MultiRocketHydra,
    Rocket,
    RocketClassifier,
    RocketRegressor,
    _heads,
)
from rocketconv.datasets import load_ucr
from rocketconv.scalers import L2ColumnScaler, SparseScaler

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


@pytest.mark.parametrize("estimator", ["ridge", "logistic"])
def test_predict_with_proba_transforms_once_and_equals_both(estimator, monkeypatch):
    X, y = two_class_problem(n_cases=60)
    X_test, _ = two_class_problem(n_cases=30, seed=1)
    clf = RocketClassifier(
        MiniRocket(n_features=840), estimator=estimator, random_state=0
    ).fit(X, y)
    expected = clf.predict(X_test), clf.predict_proba(X_test)
    calls = []
    transform = type(clf.transformer_)._transform_checked
    monkeypatch.setattr(
        type(clf.transformer_),
        "_transform_checked",
        lambda self, X: calls.append(len(X)) or transform(self, X),
    )
    labels, proba = clf.predict_with_proba(X_test)
    assert calls == [30]  # one transform serves labels and probabilities
    np.testing.assert_array_equal(labels, expected[0])
    np.testing.assert_array_equal(proba, expected[1])


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


@pytest.mark.parametrize("n_cases", [30, 2500])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_l2_scaler_fit_transform_is_fit_then_transform(n_cases, dtype):
    """fit_transform's one in-place copy gives fit(X).transform(X) bit for bit
    (2,500 rows: more than one of fit's 2,048-row blocks)."""
    X = (RNG.normal(loc=50, scale=[1e-3, 1.0, 1e4], size=(n_cases, 3))).astype(dtype)
    X[:, 1] = -2.5
    fitted = L2ColumnScaler().fit(X)
    scaler = L2ColumnScaler()
    scaled = scaler.fit_transform(X)
    assert scaled.dtype == np.float64 and not np.shares_memory(scaled, X)
    np.testing.assert_array_equal(scaler.mean_, fitted.mean_)
    np.testing.assert_array_equal(scaler.scale_, fitted.scale_)
    np.testing.assert_array_equal(scaled, fitted.transform(X))


@pytest.mark.parametrize("estimator", ["ridge", "streaming_ridge", "logistic"])
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


def test_auto_head_switches_to_minibatch_for_large_data(monkeypatch):
    # features wider than the streaming ridge's limit go to the softmax head
    monkeypatch.setattr(_heads._streaming_ridge, "STREAMING_RIDGE_MAX_FEATURES", 100)
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


# The papers' heads, written out here independently of rocketconv._registry:
# ROCKET and MiniRocket used normalize=True (L2 columns), MultiRocket
# StandardScaler, Hydra its SparseScaler, MultiRocket-Hydra each on its block.
def _mr_hydra_scaler(transformer):
    n_hydra = transformer.n_hydra_features_
    return ColumnTransformer(
        [
            ("h", SparseScaler(), slice(0, n_hydra)),
            ("m", StandardScaler(), slice(n_hydra, None)),
        ]
    )


PUBLISHED = {
    "rocket": (lambda: Rocket(n_kernels=2000), lambda t: L2ColumnScaler()),
    "minirocket": ("minirocket", lambda t: L2ColumnScaler()),
    "multirocket": (lambda: MultiRocket(n_features=6720), lambda t: StandardScaler()),
    "hydra": (lambda: Hydra(n_kernels=8, n_groups=16), lambda t: SparseScaler()),
    "multirocket+hydra": (
        lambda: MultiRocketHydra(n_kernels=8, n_groups=16, n_features=6720),
        _mr_hydra_scaler,
    ),
}
OTHER_SCALER = {
    L2ColumnScaler: StandardScaler,
    StandardScaler: L2ColumnScaler,
    SparseScaler: StandardScaler,
    ColumnTransformer: StandardScaler,
}


@pytest.mark.parametrize("key", list(PUBLISHED))
def test_each_transformer_gets_its_published_head(key):
    """The fitted classifier equals the published pipeline fitted by hand on
    its features, and differs from the same ridge behind another scaler (so
    this problem tells the heads apart: on ItalyPowerDemand MiniRocket picks
    alpha 46.4 with the L2 head and 1000 with StandardScaler)."""
    make, published_scaler = PUBLISHED[key]
    X, y = load_ucr("ItalyPowerDemand", split="train")
    X_test, _ = load_ucr("ItalyPowerDemand", split="test")
    transformer = make if isinstance(make, str) else make()
    clf = RocketClassifier(transformer, estimator="ridge", random_state=0).fit(X, y)
    features = clf.transformer_.transform(X)
    test_features = clf.transformer_.transform(X_test).astype(np.float64)
    alphas = np.logspace(-3, 3, 10)
    scaler = published_scaler(clf.transformer_)
    by_hand = make_pipeline(scaler, RidgeClassifierCV(alphas)).fit(features, y)
    assert clf.head_[-1].alpha_ == by_hand[-1].alpha_
    decision = clf.decision_function(X_test)
    np.testing.assert_allclose(
        decision, by_hand.decision_function(test_features), rtol=1e-4, atol=1e-5
    )
    other = make_pipeline(OTHER_SCALER[type(scaler)](), RidgeClassifierCV(alphas))
    other.fit(features, y)
    differs = other[-1].alpha_ != by_hand[-1].alpha_ or not np.allclose(
        other.decision_function(test_features), decision, rtol=1e-2
    )
    assert differs, "this problem cannot tell the published head from another"


def test_minirocket_by_name_selects_the_published_alpha():
    X, y = load_ucr("ItalyPowerDemand", split="train")
    clf = RocketClassifier(random_state=0).fit(X, y)
    assert isinstance(clf.head_[0], L2ColumnScaler)
    assert np.isclose(clf.head_[-1].alpha_, 46.4158883)


def test_a_users_own_transformer_gets_standard_scaler():
    class MyMiniRocket(MiniRocket):
        pass

    X, y = two_class_problem()
    clf = RocketClassifier(MyMiniRocket(n_features=168), random_state=0).fit(X, y)
    assert type(clf.head_[0]) is StandardScaler


@pytest.mark.parametrize("classifier_n_jobs, transformer_n_jobs", [(2, 1), (1, 2)])
def test_the_classifiers_n_jobs_wins(
    classifier_n_jobs, transformer_n_jobs, monkeypatch
):
    """A transformer instance is cloned with the classifier's n_jobs, and its
    transform runs on that many threads."""
    from rocketconv import _numba
    from rocketconv.transformers._base import CHUNK_SIZE

    used = []
    real = _numba.run_in_chunks

    def spy(work, n_items, n_threads, max_chunk):
        if max_chunk == CHUNK_SIZE:  # a transform's chunks of cases (not fit's)
            used.append(n_threads)
        return real(work, n_items, n_threads, max_chunk)

    monkeypatch.setattr(_numba, "run_in_chunks", spy)
    X, y = two_class_problem()
    clf = RocketClassifier(
        MiniRocket(n_features=168, n_jobs=transformer_n_jobs),
        n_jobs=classifier_n_jobs,
        random_state=0,
    ).fit(X, y)
    assert clf.transformer_.n_jobs == classifier_n_jobs
    expected = min(classifier_n_jobs, _numba.available_threads())
    assert used and used[0] == expected


def test_auto_head_depends_on_size_only(monkeypatch):
    """The same data and seed give the same head whatever memory is free."""
    choices = set()
    for free_pages in (10, 10**9):
        monkeypatch.setattr("os.sysconf", _sysconf_with_free_pages(free_pages))
        choices.add(_heads.choose_head("auto", 5_000, 10_000, 10_000, 50_000))
    assert choices == {"ridge"}
    # above ridge_max_cases: the exact streaming ridge while its p x p fits
    assert _heads.choose_head("auto", 10_001, 84, 10_000, 50_000) == "streaming_ridge"
    assert _heads.choose_head("auto", 10_001, 49_728, 10_000, 50_000) == "logistic"
    assert _heads.choose_head("auto", 50_001, 49_728, 10_000, 50_000) == "minibatch"


def _sysconf_with_free_pages(free_pages):
    import os

    real = os.sysconf

    def sysconf(name):
        return free_pages if name == "SC_AVPHYS_PAGES" else real(name)

    return sysconf


def test_ridge_that_cannot_fit_in_memory_fails_clearly(monkeypatch):
    monkeypatch.setattr(_heads, "_physical_memory_bytes", lambda: 2**30)
    with pytest.raises(MemoryError, match=r"ridge head on 9000 cases.*logistic"):
        _heads.choose_head("ridge", 9000, 10_000, 10_000, 50_000)


def test_parameters_are_checked_before_any_work(monkeypatch):
    """A misspelt head fails before the transformer is fitted."""
    monkeypatch.setattr(
        MiniRocket, "fit", lambda *a, **k: pytest.fail("transformer was fitted")
    )
    X, y = two_class_problem()
    with pytest.raises(ValueError, match="'estimator' parameter"):
        RocketClassifier(estimator="rigde").fit(X, y)


def test_predictions_do_not_depend_on_the_batch():
    """Features reach the head in float64 per chunk, so a case's probability
    is the same alone or in a batch (float32 features through BLAS were not)."""
    X, y = two_class_problem()
    clf = RocketClassifier(MultiRocket(n_features=672), random_state=0).fit(X, y)
    together = clf.predict_proba(X)
    alone = np.vstack([clf.predict_proba(X[i : i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(together, alone, rtol=1e-12, atol=1e-15)
