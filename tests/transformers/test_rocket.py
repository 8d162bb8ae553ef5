"""Tests for Rocket: the published kernel sampling, a hand-computed kernel,
and the fast transform against two plain reference loops (the oracles
below): in float32 it is bit-identical to the loop; in float64 the loop
differs by float32 rounding only."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from numba import njit
from sklearn.base import clone

from rocketconv import Rocket
from rocketconv._validation import ShortSeriesWarning
from rocketconv.transformers.rocket import generate_kernels

# -- the oracles: the published loop, written for clarity, not speed ---------
U = 2.0**-24  # float32 unit roundoff


@njit(cache=True)
def _loop_kernel(series, weights, channels, bias, dilation, padding, float32):
    """One kernel on one case, timepoint by timepoint, skipping the padding.

    The sum runs ``bias + w_0 x_0 + w_1 x_1 + ...`` channel by channel, in
    float32 (``float32``, every product and sum rounded) or float64. Returns
    PPV, max and, for the float64 loop, the number of outputs within the
    float32 rounding bound of 0 ("ties") and the largest bound: an output of
    ``n`` products with float32-rounded inputs, rounded products and ``n``
    rounded additions is off by at most ``(n + 3) u (|b| + sum |w_j x_j|)``.
    """
    n_taps = weights.shape[1]
    length = series.shape[1]
    span = (n_taps - 1) * dilation
    if padding == 0 and length <= span:  # documented fallback for short cases
        padding = span // 2
    n_out = length + 2 * padding - span
    n_terms = len(channels) * n_taps
    positive = ties = 0
    maximum = -np.inf
    largest_bound = 0.0
    for start in range(-padding, length + padding - span):
        total = np.float32(bias) if float32 else np.float64(bias)
        magnitude = abs(bias)
        for i in range(len(channels)):
            for j in range(n_taps):
                index = start + j * dilation
                if 0 <= index < length:
                    product = weights[i, j] * series[channels[i], index]
                    if float32:
                        total = np.float32(total + np.float32(product))
                    else:
                        total += product
                    magnitude += abs(product)
        bound = (n_terms + 3) * U * magnitude
        largest_bound = max(largest_bound, bound)
        positive += total > 0
        ties += abs(total) <= bound
        maximum = max(maximum, total)
    return positive / n_out, maximum, ties, largest_bound


@njit(cache=True)
def _normalised_float32(case):
    """The documented normalisation: float64 mean and std accumulated in
    order from the float32 values, ``(x - mean) * (1 / (std + 1e-8))``,
    rounded to float32."""
    out = np.empty(case.shape, dtype=np.float32)
    for c in range(case.shape[0]):
        row = case[c].astype(np.float32).astype(np.float64)
        mean = 0.0
        for value in row:
            mean += value
        mean /= len(row)
        variance = 0.0
        for value in row:
            variance += (value - mean) ** 2
        scale = 1.0 / (np.sqrt(variance / len(row)) + 1e-8)
        for t in range(len(row)):
            out[c, t] = (row[t] - mean) * scale
    return out


def reference_transform(rocket: Rocket, X, float32: bool = False):
    """Transform with the fitted kernels of ``rocket``, case by case, kernel
    by kernel, timepoint by timepoint.

    ``float32``: on the normalised float32 input (as the transformer
    computes it), in float32. Otherwise on the input normalised in float64
    (``(x - mean) / (std + 1e-8)``, as the reference experiments), in
    float64. Returns the features and, per kernel, the number of PPV ties
    and the largest rounding bound of an output (float64 only).
    """
    cases = list(X) if isinstance(X, np.ndarray) else X
    n_kernels = len(rocket.lengths_)
    out = np.empty((len(cases), 2 * n_kernels))
    ties = np.empty((len(cases), n_kernels))
    bounds = np.empty((len(cases), n_kernels))
    for n, case in enumerate(cases):
        case = np.asarray(case, dtype=np.float64).reshape(-1, np.shape(case)[-1])
        if rocket.normalise and float32:
            case = _normalised_float32(case)
        elif rocket.normalise:
            case = (case - case.mean(axis=1, keepdims=True)) / (
                case.std(axis=1, keepdims=True) + 1e-8
            )
        dtype = np.float32 if float32 else np.float64
        for k in range(n_kernels):
            length = rocket.lengths_[k]
            weights = rocket.weights_[
                rocket.weight_offsets_[k] : rocket.weight_offsets_[k + 1]
            ].reshape(-1, length)
            channels = rocket.channels_[
                rocket.channel_offsets_[k] : rocket.channel_offsets_[k + 1]
            ]
            ppv, maximum, ties[n, k], bounds[n, k] = _loop_kernel(
                case.astype(dtype),
                weights.astype(dtype),
                channels,
                float(rocket.biases_[k]),
                rocket.dilations_[k],
                rocket.paddings_[k],
                float32,
            )
            out[n, 2 * k : 2 * k + 2] = ppv, maximum
    return out, ties, bounds


def assert_matches_references(rocket, X):
    """Bit-identical to the float32 loop; within float32 rounding of the
    float64 loop.

    ``X`` holds float32 values, so that both loops start from the values the
    transformer sees. The maximum differs from the float64 loop's by at most
    the largest rounding bound of an output; a PPV only by outputs within
    their bound of 0, each worth ``1 / n_out`` (``1 / 11`` or more).
    """
    fast = rocket.transform(X)
    loop32, _, _ = reference_transform(rocket, X, float32=True)
    np.testing.assert_array_equal(fast, loop32.astype(np.float32))
    loop64, ties, bounds = reference_transform(rocket, X)
    assert np.all(np.abs(fast[:, 1::2] - loop64[:, 1::2]) <= bounds)
    ppv_difference = np.abs(fast[:, 0::2] - loop64[:, 0::2])
    assert np.all(ppv_difference[ties == 0] <= 1e-7)  # float32 of a count/n
    assert np.all(ppv_difference <= ties + 1e-7)


def float32_values(X):
    """``X`` rounded to float32 values, in float64 arrays."""
    if isinstance(X, list):
        return [np.asarray(case, np.float32).astype(np.float64) for case in X]
    return np.asarray(X, np.float32).astype(np.float64)


# -- sampling ------------------------------------------------------------------
@pytest.fixture(scope="module")
def kernels():
    return generate_kernels(20_000, 301, 1, np.random.RandomState(0))


def test_lengths_uniform(kernels):
    values, counts = np.unique(kernels["lengths"], return_counts=True)
    assert values.tolist() == [7, 9, 11]
    # binomial std of a count is ~67 here; 5 std
    assert np.all(np.abs(counts - 20_000 / 3) < 340)


def test_weights_centred_and_normal(kernels):
    offsets, lengths = kernels["weight_offsets"], kernels["lengths"]
    weights = kernels["weights"]
    sums = np.add.reduceat(weights.astype(np.float64), offsets[:-1])
    np.testing.assert_allclose(sums, 0, atol=1e-5)
    # centring n N(0,1) draws leaves variance (n-1)/n
    expected = np.mean((lengths - 1) / lengths)
    assert abs(weights.var() - expected) < 0.02


def test_biases_uniform(kernels):
    biases = kernels["biases"]
    assert biases.min() > -1 and biases.max() < 1
    assert abs(biases.mean()) < 0.02 and abs(biases.var() - 1 / 3) < 0.02


def test_dilations_published_form(kernels):
    length = 301
    lengths, dilations = kernels["lengths"], kernels["dilations"]
    upper = (length - 1) / (lengths - 1)
    assert dilations.min() >= 1 and np.all(dilations <= upper)
    # int(2 ** U(0, log2(upper))): P(d <= k) = log2(k + 1) / log2(upper)
    for kernel_length in (7, 9, 11):
        d = dilations[lengths == kernel_length]
        top = np.log2((length - 1) / (kernel_length - 1))
        for k in (1, 3, 7, 15):
            expected = min(1.0, np.log2(k + 1) / top)
            assert abs(np.mean(d <= k) - expected) < 0.03, (kernel_length, k)
    assert dilations.max() >= 0.8 * upper.min()


def test_paddings_half_same(kernels):
    lengths, dilations, paddings = (
        kernels["lengths"],
        kernels["dilations"],
        kernels["paddings"],
    )
    same = ((lengths - 1) * dilations) // 2
    assert np.all((paddings == 0) | (paddings == same))
    assert abs(np.mean(paddings == same) - 0.5) < 0.02


def test_multivariate_channel_counts():
    rng = np.random.RandomState(1)
    kernels = generate_kernels(5000, 100, 4, rng)
    counts = np.diff(kernels["channel_offsets"])
    # int(2 ** U(0, log2(5))): 1 w.p. 1/log2(5) (0.43), up to 4
    assert counts.min() == 1 and counts.max() == 4
    assert abs(np.mean(counts == 1) - 1 / np.log2(5)) < 0.03
    for k in range(0, 5000, 97):
        channels = kernels["channels"][
            kernels["channel_offsets"][k] : kernels["channel_offsets"][k + 1]
        ]
        assert len(set(channels.tolist())) == len(channels)  # no replacement
        assert channels.min() >= 0 and channels.max() < 4
    sizes = counts * kernels["lengths"]
    assert np.array_equal(np.diff(kernels["weight_offsets"]), sizes)
    # each channel's row is centred on its own
    for k in range(0, 5000, 97):
        block = kernels["weights"][
            kernels["weight_offsets"][k] : kernels["weight_offsets"][k + 1]
        ].reshape(counts[k], -1)
        np.testing.assert_allclose(block.sum(axis=1), 0, atol=1e-5)


# -- a kernel by hand ------------------------------------------------------------
def _one_kernel(rocket, weights, bias, dilation, padding):
    rocket.lengths_ = np.array([len(weights)], dtype=np.int32)
    rocket.weights_ = np.array(weights, dtype=np.float32)
    rocket.weight_offsets_ = np.array([0, len(weights)], dtype=np.int64)
    rocket.biases_ = np.array([bias], dtype=np.float32)
    rocket.dilations_ = np.array([dilation], dtype=np.int32)
    rocket.paddings_ = np.array([padding], dtype=np.int32)
    rocket.channels_ = np.array([0], dtype=np.int32)
    rocket.channel_offsets_ = np.array([0, 1], dtype=np.int64)
    rocket._n_features_out = 2


def test_hand_computed_kernel():
    x = np.arange(12, dtype=np.float64)  # 0..11
    rocket = Rocket(n_kernels=1, normalise=False).fit(x[None, None])
    weights = [1, 0, 0, 0, 0, 0, -1]  # output = x[i] - x[i + 6 d]
    # dilation 1, no padding: 6 outputs, each -6 + bias 0.5 -> PPV 0, max -5.5
    _one_kernel(rocket, weights, 0.5, 1, 0)
    np.testing.assert_allclose(rocket.transform(x[None, None]), [[0.0, -5.5]])
    # padding 3: outputs at i = -3..8; i < 0 gives -x[i+6] + 0.5; i > 5 gives
    # x[i] + 0.5: 3 positive of 12, max x[8] + 0.5 = 8.5
    _one_kernel(rocket, weights, 0.5, 1, 3)
    np.testing.assert_allclose(rocket.transform(x[None, None]), [[3 / 12, 8.5]])
    # dilation 2, no padding: outputs x[i] - x[i + 12] would need length 13;
    # the case is too short, so 'same' padding 6 applies: 12 outputs i=-6..5,
    # x[i]*[i>=0] - x[i+12]*[i+12<12] + 0.5 -> i<0: -x[i+12]+0.5 (all < 0),
    # i>=0: x[i] + 0.5 (6 positive), max 5.5
    _one_kernel(rocket, weights, 0.5, 2, 0)
    np.testing.assert_allclose(rocket.transform([x[None]]), [[6 / 12, 5.5]])


# -- fast transform == reference loops -------------------------------------------
@pytest.mark.parametrize("n_channels", [1, 3])
def test_matches_reference_equal_length(n_channels):
    rng = np.random.default_rng(n_channels)
    X = float32_values(rng.normal(size=(6, n_channels, 60)).cumsum(axis=2) + 5)
    rocket = Rocket(n_kernels=300, random_state=1).fit(X)
    assert_matches_references(rocket, X)


def test_matches_reference_unequal_length():
    rng = np.random.default_rng(7)
    X = float32_values([rng.normal(size=(2, n)) for n in (80, 15, 33, 11, 61)])
    rocket = Rocket(n_kernels=300, random_state=3).fit(X)
    assert rocket.fit_length_ == 80
    assert np.isfinite(rocket.transform(X)).all()
    assert_matches_references(rocket, X)
    # an unequal list at transform after an equal-length fit works too
    equal = np.stack([rng.normal(size=(2, 40)) for _ in range(3)])
    rocket = Rocket(n_kernels=200, random_state=0).fit(equal)
    assert_matches_references(rocket, X)


def test_normalise_on_off():
    rng = np.random.default_rng(2)
    X = float32_values(rng.normal(size=(4, 1, 50)))
    shifted = 3 * X + 10
    on = Rocket(n_kernels=100, random_state=0).fit(X)
    off = Rocket(n_kernels=100, normalise=False, random_state=0).fit(X)
    # z-normalisation makes the features invariant to scale and offset (up
    # to the rounding of the normalised values: a PPV may move by one point)
    a, b = on.transform(shifted), on.transform(X)
    np.testing.assert_allclose(a[:, 1::2], b[:, 1::2], rtol=1e-5, atol=1e-5)
    assert np.all(np.abs(a[:, 0::2] - b[:, 0::2]) <= 1 / 50 + 1e-7)
    assert not np.allclose(off.transform(shifted), off.transform(X))
    assert_matches_references(off, X)
    assert_matches_references(on, X)
    # constant series: zeros after normalisation, no NaN; outputs are the bias
    constant = np.full((2, 1, 50), 4.2)
    features = on.transform(constant)
    assert np.isfinite(features).all()
    np.testing.assert_allclose(features[:, 1::2], np.tile(on.biases_, (2, 1)))


def test_output_and_params():
    X = np.random.default_rng(0).normal(size=(5, 30))
    rocket = Rocket(n_kernels=64, random_state=0)
    features = rocket.fit_transform(X)
    assert features.shape == (5, 128) and features.dtype == np.float32
    assert ((features[:, 0::2] >= 0) & (features[:, 0::2] <= 1)).all()
    assert len(rocket.get_feature_names_out()) == 128
    assert rocket.get_params()["n_kernels"] == 64
    cloned = clone(rocket)
    assert not hasattr(cloned, "lengths_")
    assert np.array_equal(cloned.fit_transform(X), features)
    restored = pickle.loads(pickle.dumps(rocket))
    assert np.array_equal(restored.transform(X), features)
    with pytest.raises(ValueError, match="n_kernels"):
        Rocket(n_kernels=0).fit(X)
    with pytest.raises(TypeError, match="normalise"):
        Rocket(normalise="yes").fit(X)


def test_published_scaler_is_l2():
    from rocketconv._registry import published_scaler
    from rocketconv.scalers import L2ColumnScaler

    rocket = Rocket(n_kernels=10, random_state=0).fit(np.zeros((2, 20)))
    assert isinstance(published_scaler(rocket), L2ColumnScaler)


def test_classifier_learns():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 1, 60)
    y = np.repeat([0, 1], 20)
    X = np.stack([np.sin(2 * np.pi * (3 + 3 * c) * t) for c in y])
    X = X + 0.3 * rng.normal(size=X.shape)
    from rocketconv import RocketClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("error", ShortSeriesWarning)
        clf = RocketClassifier(transformer="rocket", random_state=0)
        clf.fit(X[::2], y[::2])
    assert clf.score(X[1::2], y[1::2]) >= 0.9
