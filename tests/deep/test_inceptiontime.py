"""InceptionTimeClassifier: architecture, training loop and scikit-learn rules.

Networks here are tiny (depth 3, 4 filters, kernels 8/4/2, few epochs) so the
file runs in seconds; only the parameter-count test builds the full-size
network, without training it.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from rocketconv import InceptionTimeClassifier
from rocketconv.deep.conv import Conv1D, MultiKernelConv1D
from rocketconv.deep.layers import BatchNorm
from rocketconv.deep.network import InceptionNetwork
from rocketconv.deep.training import recalibrate_batchnorm, stratified_split

TINY = dict(depth=3, n_filters=4, kernel_sizes=(8, 4, 2), bottleneck_size=4)

# The one place the tiny settings for scikit-learn's estimator checks live
# (the contract suite takes them from here). One small network, few epochs,
# yet enough to score > 0.83 on the checks' blob problems (length-2 series),
# which check_classifiers_train requires: the checks pass, none is expected
# to fail. About 15 s for the whole check list.
TINY_INCEPTIONTIME_PARAMS = dict(
    n_estimators=1,
    n_epochs=5,
    batch_size=16,
    depth=1,
    n_filters=4,
    kernel_sizes=(4, 2),
    bottleneck_size=2,
    learning_rate=0.01,
)


@parametrize_with_checks(
    [InceptionTimeClassifier(**TINY_INCEPTIONTIME_PARAMS, random_state=0)]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def make_data(n_cases=24, n_channels=1, length=20, seed=0, labels=("a", "b")):
    """Classes that differ by the sign and width of a bump mid-series."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_cases, n_channels, length))
    y = np.array([labels[i % len(labels)] for i in range(n_cases)])
    for k, label in enumerate(labels):
        X[y == label, :, 5 : 9 + 2 * k] += 3.0 * (-1) ** k
    return X, y


@pytest.mark.parametrize("n_classes", [2, 5])
def test_parameter_count_matches_the_paper(n_classes):
    net = InceptionNetwork(1, n_classes)
    assert net.n_parameters == 420_192 + 129 * n_classes
    assert net.state.size == 2_048
    # univariate: the first module has no bottleneck, the others do
    assert net.modules[0].bottleneck is None
    assert all(m.bottleneck is not None for m in net.modules[1:])
    assert net.modules[0].convs.kernel_sizes == (40, 20, 10)
    assert sorted(net.shortcuts) == [2, 5]
    convs = [layer for layer in net.layers if isinstance(layer, MultiKernelConv1D)]
    assert all(not any(name.startswith("b") for name in c.params) for c in convs)


def test_multivariate_parameter_count():
    # the first module of a 3-channel problem gets a bottleneck (3*32) and its
    # max-pool branch and shortcut see 3 channels
    uni, multi = InceptionNetwork(1, 2), InceptionNetwork(3, 2)
    bottleneck = 3 * 32
    convs = (40 + 20 + 10) * 32 * 32 - (40 + 20 + 10) * 32
    pool = 3 * 32 - 32
    shortcut = 3 * 128 - 128
    assert multi.n_parameters - uni.n_parameters == bottleneck + convs + pool + shortcut


def test_parameters_are_views_of_one_buffer():
    net = InceptionNetwork(2, 3, rng=0, **TINY)
    total = 0
    for layer in net.layers:
        for name, array in layer.params.items():
            assert np.shares_memory(array, net.params), name
            assert np.shares_memory(layer.grads[name], net.grads)
            total += array.size
        if isinstance(layer, BatchNorm):
            assert np.shares_memory(layer.state["running_mean"], net.state)
    assert total == net.params.size


def test_glorot_uniform_limits():
    conv = Conv1D(8, 16, 5, rng=np.random.default_rng(0))
    limit = np.sqrt(6 / (5 * 8 + 5 * 16))
    W = conv.params["W0"]
    assert W.dtype == np.float32
    assert np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.9 * limit


def test_fit_predict_learns_and_follows_sklearn_rules():
    X, y = make_data()
    # small batches: inference uses BatchNorm running statistics (momentum
    # 0.99), which need a few dozen updates to settle
    clf = InceptionTimeClassifier(
        n_estimators=2, n_epochs=25, batch_size=8, random_state=0, **TINY
    )
    assert clf.fit(X, y) is clf
    np.testing.assert_array_equal(clf.classes_, ["a", "b"])
    proba = clf.predict_proba(X)
    assert proba.shape == (24, 2)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert not np.all((proba == 0) | (proba == 1))
    assert clf.score(X, y) >= 0.9
    assert len(clf.networks_) == 2 and len(clf.loss_curves_) == 2
    for curve, best in zip(clf.loss_curves_, clf.best_epochs_, strict=True):
        assert len(curve) == 25
        assert best == int(np.argmin(curve))
        assert curve[best] < curve[0]
    assert clf.n_parameters_ == clf.networks_[0].n_parameters
    # the ensemble averages its networks' softmax outputs
    Xc = np.ascontiguousarray(X.transpose(0, 2, 1), dtype=np.float32)
    mean = np.mean([net.predict_proba(Xc) for net in clf.networks_], axis=0)
    np.testing.assert_allclose(proba, mean)
    labels, both = clf.predict_with_proba(X)  # one pass, the same answers
    np.testing.assert_array_equal(labels, clf.predict(X))
    np.testing.assert_array_equal(both, proba)


def test_same_seed_same_model_other_seed_differs():
    X, y = make_data()
    params = dict(n_estimators=1, n_epochs=5, **TINY)
    a = InceptionTimeClassifier(random_state=3, **params).fit(X, y)
    b = InceptionTimeClassifier(random_state=3, **params).fit(X, y)
    c = InceptionTimeClassifier(random_state=4, **params).fit(X, y)
    np.testing.assert_array_equal(a.networks_[0].params, b.networks_[0].params)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(a.networks_[0].params, c.networks_[0].params)


def test_clone_pickle_and_params():
    X, y = make_data()
    clf = InceptionTimeClassifier(n_estimators=1, n_epochs=3, random_state=0, **TINY)
    assert clone(clf).get_params() == clf.get_params()
    clf.set_params(n_epochs=4)
    assert clf.n_epochs == 4
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    # training caches are dropped, so the pickle is about the weights' size
    assert len(pickle.dumps(clf)) < 20 * clf.networks_[0].params.nbytes + 200_000
    assert not hasattr(clone(clf), "networks_")


def test_keeps_the_weights_of_the_best_training_loss():
    X, y = make_data()
    clf = InceptionTimeClassifier(
        n_estimators=1, n_epochs=12, random_state=1, learning_rate=0.05, **TINY
    )
    clf.fit(X, y)
    net = clf.networks_[0]
    best = clf.best_epochs_[0]
    assert clf.loss_curves_[0][best] == np.min(clf.loss_curves_[0])
    # refit with exactly best + 1 epochs: the last weights are the kept ones
    short = clone(clf).set_params(n_epochs=best + 1).fit(X, y)
    np.testing.assert_array_equal(short.networks_[0].params, net.params)
    np.testing.assert_array_equal(short.networks_[0].state, net.state)


def test_multivariate_and_the_fitted_shape_at_predict():
    X, y = make_data(n_channels=3, length=16)
    clf = InceptionTimeClassifier(n_estimators=1, n_epochs=3, random_state=0, **TINY)
    clf.fit(X.astype(np.float32), y)
    assert clf.networks_[0].modules[0].bottleneck is not None
    assert (clf.n_channels_, clf.n_timepoints_, clf.n_features_in_) == (3, 16, 48)
    assert clf.predict(X).shape == (24,)
    assert clf.predict(list(X)).shape == (24,)  # a list of equal-length cases
    channels = "X has 2 channels, but the estimator was fitted with 3"
    with pytest.raises(ValueError, match=channels):
        clf.predict(X[:, :2])
    # the README's Input rule: a length other than fit's is an error
    with pytest.raises(
        ValueError,
        match=r"X has 30 features, but InceptionTimeClassifier is expecting 48 "
        r"features as input: series of length 10 where fit saw length 16",
    ):
        clf.predict(X[:, :, :10])
    with pytest.raises(ValueError, match="length 20 where fit saw length 16"):
        clf.predict_proba(np.concatenate([X, X[:, :, :4]], axis=2))
    with pytest.raises(ValueError, match="unequal lengths"):
        clf.predict([X[0], X[1, :, :10]])


def test_batch_size_larger_than_training_set_and_ragged_last_batch():
    X, y = make_data(n_cases=11)
    for batch_size in (64, 4):
        clf = InceptionTimeClassifier(
            n_estimators=1, n_epochs=2, batch_size=batch_size, random_state=0, **TINY
        ).fit(X, y)
        assert np.isfinite(clf.loss_curves_[0]).all()


def test_validation_split_and_early_stopping():
    X, y = make_data(n_cases=30)
    clf = InceptionTimeClassifier(
        n_estimators=1,
        n_epochs=200,
        validation_fraction=0.3,
        n_iter_no_change=3,
        learning_rate=0.05,
        random_state=0,
        **TINY,
    ).fit(X, y)
    assert len(clf.loss_curves_[0]) < 200
    assert clf.best_epochs_[0] == len(clf.loss_curves_[0]) - 4
    train, val = stratified_split(
        np.repeat([0, 1, 2], [10, 5, 2]), 0.3, np.random.RandomState(0)
    )
    assert len(np.intersect1d(train, val)) == 0 and len(train) + len(val) == 17
    assert len(val) == 3 + 2 + 1  # every class in both parts


def test_verbose_progress_bar(capsys):
    X, y = make_data()
    InceptionTimeClassifier(
        n_estimators=1, n_epochs=2, random_state=0, verbose=True, **TINY
    ).fit(X, y)
    err = capsys.readouterr().err
    assert "network 1/1" in err and "loss=" in err


@pytest.mark.parametrize(
    "params, error, message",
    [
        (dict(n_estimators=0), ValueError, "n_estimators must be a positive"),
        (dict(n_epochs=1.5), TypeError, "n_epochs must be a positive"),
        (dict(batch_size=True), TypeError, "batch_size must be a positive"),
        (dict(kernel_sizes=()), ValueError, "kernel_sizes is empty"),
        (dict(kernel_sizes=(4, 0)), ValueError, "each of kernel_sizes must be"),
        (dict(kernel_sizes=(4, 2.5)), TypeError, "each of kernel_sizes must be"),
        (dict(kernel_sizes="abc"), TypeError, "'kernel_sizes' parameter"),
        (dict(kernel_sizes=None), TypeError, "'kernel_sizes' parameter"),
        (dict(learning_rate=-1.0), ValueError, "'learning_rate' parameter"),
        (dict(learning_rate=np.inf), ValueError, "'learning_rate' parameter"),
        (dict(learning_rate=np.nan), ValueError, "'learning_rate' parameter"),
        (dict(validation_fraction=1.0), ValueError, "'validation_fraction'"),
        (dict(bottleneck_size=-1), ValueError, "'bottleneck_size' parameter"),
        (dict(bottleneck_size=1.5), TypeError, "'bottleneck_size' parameter"),
        (dict(n_iter_no_change=0), ValueError, "'n_iter_no_change' parameter"),
        (dict(use_residual="yes"), TypeError, "'use_residual' parameter"),
        (dict(recalibrate_batchnorm=None), TypeError, "'recalibrate_batchnorm'"),
        (dict(verbose="loud"), TypeError, "'verbose' parameter"),
        (dict(random_state=np.random.default_rng(0)), TypeError, "Generator"),
        (dict(random_state=-1), ValueError, "between 0 and 2\\*\\*32 - 1"),
    ],
)
def test_bad_parameters(params, error, message):
    X, y = make_data()
    with pytest.raises(error, match=message):
        InceptionTimeClassifier(**params).fit(X, y)
    # every parameter is checked before any work, input included
    with pytest.raises(error, match=message):
        InceptionTimeClassifier(**params).fit(None, None)


def test_values_too_large_for_float32_are_refused():
    """Finite in float64, beyond float32 (3.4e38): refused by check_X, the
    package's one input validation, at fit and at predict."""
    X, y = make_data()
    clf = InceptionTimeClassifier(**TINY_INCEPTIONTIME_PARAMS, random_state=0)
    with pytest.raises(ValueError, match="float32"):
        clf.fit(X * 3e38, y)
    clf.fit(X, y)
    with pytest.raises(ValueError, match="float32"):
        clf.predict_proba(X * 3e38)


def test_fit_is_deterministic_for_a_fixed_random_state():
    X, y = make_data()
    params = dict(TINY_INCEPTIONTIME_PARAMS, n_estimators=2, validation_fraction=0.3)
    a = InceptionTimeClassifier(**params, random_state=5).fit(X, y)
    b = InceptionTimeClassifier(**params, random_state=5).fit(X, y)
    for net_a, net_b in zip(a.networks_, b.networks_, strict=True):
        np.testing.assert_array_equal(net_a.params, net_b.params)
        np.testing.assert_array_equal(net_a.state, net_b.state)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    tags = a.__sklearn_tags__()
    assert tags.input_tags.three_d_array and not tags.non_deterministic
    assert InceptionTimeClassifier().__sklearn_tags__().non_deterministic


def test_bad_input():
    X, y = make_data()
    clf = InceptionTimeClassifier(n_estimators=1, n_epochs=1, **TINY)
    with pytest.raises(ValueError, match="unequal"):
        clf.fit([x[:, : 10 + i % 3] for i, x in enumerate(X)], y)
    with pytest.raises(ValueError, match="NaN"):
        bad = X.copy()
        bad[0, 0, 0] = np.nan
        clf.fit(bad, y)
    with pytest.raises(ValueError, match="1 class"):
        clf.fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="disagree"):
        clf.fit(X, y[:-1])
    with pytest.raises(Exception, match="not fitted"):
        clf.predict(X)


def test_batchnorm_recalibration_averages_batch_statistics():
    X, y = make_data()
    clf = InceptionTimeClassifier(
        n_estimators=1,
        n_epochs=3,
        random_state=0,
        recalibrate_batchnorm=False,  # the reference's running averages
        **TINY,
    )
    clf.fit(X, y)
    net = clf.networks_[0]
    Xc = np.ascontiguousarray(X.transpose(0, 2, 1), dtype=np.float32)
    before = net.state.copy()
    params = net.params.copy()
    recalibrate_batchnorm(net, Xc, batch_size=len(Xc))
    assert not np.allclose(net.state, before)
    np.testing.assert_array_equal(net.params, params)
    # one batch of everything: running stats = that batch's stats exactly
    first = net.modules[0]
    inner = first.convs.forward(Xc)
    pooled = first.pool_conv.forward(first.pool.forward(Xc))
    out = np.concatenate([inner, pooled], axis=2).reshape(-1, first.bn.channels)
    np.testing.assert_allclose(first.bn.state["running_mean"], out.mean(0), rtol=1e-4)
    np.testing.assert_allclose(
        first.bn.state["running_var"], out.var(0, ddof=1), rtol=1e-3
    )
    assert first.bn.momentum == 0.99
    # the estimator option (the default) gives the same network
    other = clone(clf).set_params(recalibrate_batchnorm=True).fit(X, y)
    np.testing.assert_allclose(other.networks_[0].state, net.state, rtol=1e-5)
    assert InceptionTimeClassifier().recalibrate_batchnorm is True
