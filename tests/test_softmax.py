"""The mini-batch softmax head's early stopping: the validation cases never
train, training stops by the documented rule, and a stream stops reading
once it has stopped."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from rocketconv import MiniRocket, RocketClassifier, _heads, _softmax, _sources


def separable(n_cases, n_features=20, seed=0):
    """Three classes told apart by the sign pattern of two features."""
    rng = np.random.default_rng(seed)
    y = rng.integers(3, size=n_cases)
    X = rng.normal(size=(n_cases, n_features)).astype(np.float32)
    X[:, 0] += 3.0 * (y == 1)
    X[:, 1] += 3.0 * (y == 2)
    return X, y


def recorded_fit(model, X, y, monkeypatch):
    """Fit, returning the held-out mask and every case each step trained on."""
    picked, trained = [], []
    pick, step = model._pick_validation, model._step

    def watched_pick(*args):
        picked.append(pick(*args))
        return picked[-1]

    def watched_step(training, features, labels, cases, weights):
        trained.append(np.array(cases))
        return step(training, features, labels, cases, weights)

    monkeypatch.setattr(model, "_pick_validation", watched_pick)
    monkeypatch.setattr(model, "_step", watched_step)
    model.fit(X, y)
    return picked[0], trained


def test_validation_cases_never_train(monkeypatch):
    X, y = separable(3000)
    model = _softmax.MiniBatchSoftmax(chunk_size=256, n_iter_no_change=1000)
    held_out, trained = recorded_fit(model, X, y, monkeypatch)
    assert held_out.sum() == 300  # a tenth of 3,000
    first_epoch = np.concatenate(trained[:11])  # ceil(2,700 / 256) steps
    np.testing.assert_array_equal(np.sort(first_epoch), np.flatnonzero(~held_out))
    assert not np.isin(np.concatenate(trained), np.flatnonzero(held_out)).any()


def test_validation_set_is_capped_at_the_published_size(monkeypatch):
    X, y = separable(30_000, n_features=4)
    model = _softmax.MiniBatchSoftmax(chunk_size=4096, random_state=0)
    held_out, _ = recorded_fit(model, X, y, monkeypatch)
    assert held_out.sum() == 2048


def test_stops_after_n_iter_no_change_steps_without_improvement(monkeypatch):
    # accuracy is watched from the second step (warm-up: 300 case updates);
    # scripted validation accuracies: best 0.8 at step 4; steps 5-7 do not
    # beat it by tol (0.80005 is within 1e-4), so training stops after step 7
    monkeypatch.setattr(_softmax, "WARM_UP_CASES", 300)
    scores = iter([0.5, 0.6, 0.8, 0.8, 0.75, 0.80005, 0.9, 0.9])
    monkeypatch.setattr(_softmax, "accuracy_score", lambda *a, **k: next(scores))
    X, y = separable(3000)
    model = _softmax.MiniBatchSoftmax(chunk_size=256, n_iter_no_change=3, tol=1e-4)
    model.fit(X, y)
    assert model.n_updates_ == 7
    assert model.best_validation_score_ == 0.8


def test_without_early_stopping_every_epoch_runs():
    X, y = separable(3000)
    model = _softmax.MiniBatchSoftmax(chunk_size=256, early_stopping=False)
    model.fit(X, y)
    # 34 epochs (100,000 case updates at least) of ceil(3,000 / 256) steps
    assert model.n_updates_ == 34 * 12
    assert np.isnan(model.best_validation_score_)


def test_early_stopping_stops_early_and_still_learns():
    X, y = separable(20_000, seed=1)
    X_test, y_test = separable(2000, seed=2)
    model = _softmax.MiniBatchSoftmax(chunk_size=512, random_state=0).fit(X, y)
    full_schedule = 20 * int(np.ceil(18_000 / 512))
    assert model.n_updates_ < full_schedule / 4
    assert model.score(X_test, y_test) > 0.9


def test_fitted_model_keeps_no_training_data():
    X, y = separable(20_000, n_features=200)
    model = _softmax.MiniBatchSoftmax(chunk_size=512, random_state=0).fit(X, y)
    # the 2,000 validation rows alone would pickle to 1.6 MB
    assert len(pickle.dumps(model)) < 200_000


def test_weighted_validation_score_ignores_zero_weight_cases(monkeypatch):
    X, y = separable(3000)
    weights = np.ones(3000)
    weights[::2] = 0.0
    seen = []
    real = _softmax.accuracy_score

    def watched(y_true, proba, **kwargs):
        seen.append(kwargs["sample_weight"])
        return real(y_true, proba, **kwargs)

    monkeypatch.setattr(_softmax, "accuracy_score", watched)
    model = _softmax.MiniBatchSoftmax(chunk_size=256, random_state=0)
    held_out, _ = recorded_fit(model, X, y, monkeypatch)
    held_weights = weights[np.flatnonzero(held_out)]
    model.fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(seen[-1], held_weights)


@pytest.mark.parametrize("early_stopping", [True, False])
def test_a_stream_stops_reading_once_training_stops(
    early_stopping, tmp_path, monkeypatch
):
    """On a memmap each epoch is a transform pass: with early stopping the
    fit reads the scaler pass and a few more, not twenty."""
    rng = np.random.default_rng(0)
    n_cases, length = 20_000, 24
    y = rng.integers(2, size=n_cases)
    X = rng.normal(size=(n_cases, 1, length)).astype(np.float32)
    X[:, 0, 8:16] += 2.0 * y[:, None]
    y[rng.random(n_cases) < 0.1] ^= 1  # label noise: accuracy levels off
    path = tmp_path / "X.npy"
    np.save(path, X)
    monkeypatch.setattr(_sources, "CHUNK_CASES", 1000)
    rows = []
    real = MiniRocket._transform_checked

    def counted(self, chunk, *args, **kwargs):
        rows.append(len(chunk))
        return real(self, chunk, *args, **kwargs)

    model = RocketClassifier(
        MiniRocket(n_features=84),
        estimator="logistic",
        minibatch_threshold=1000,
        random_state=0,
    )
    monkeypatch.setattr(
        _heads,
        "MiniBatchSoftmax",
        lambda **kw: _softmax.MiniBatchSoftmax(early_stopping=early_stopping, **kw),
    )
    monkeypatch.setattr(MiniRocket, "_transform_checked", counted)
    model.fit(np.load(path, mmap_mode="r"), y)
    assert model.head_kind_ == "minibatch"
    read = sum(rows)
    if early_stopping:
        assert read < 4 * n_cases
    else:
        assert read >= 20 * n_cases
    assert model.score(X, y) > 0.85
