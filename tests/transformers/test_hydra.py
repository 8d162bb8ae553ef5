"""Hydra: counting by hand, a naive re-implementation of the reference
forward pass, feature layout, SparseScaler and MultiRocketHydra."""

from __future__ import annotations

import numpy as np
import pytest

from rocketconv import Hydra
from rocketconv.scalers import SparseScaler
from rocketconv.transformers.hydra import hydra_dilations
from rocketconv.transformers.multirocket_hydra import MultiRocketHydra

RNG = np.random.default_rng(7)


def naive_hydra(transformer: Hydra, case: np.ndarray) -> np.ndarray:
    """The reference ``forward`` for one case, with explicit loops (float64)."""
    weights, channels = transformer.weights_, transformer.channels_
    n_dilations, n_repr, n_groups, n_kernels, _ = weights.shape
    out = []
    for d, dilation in enumerate(transformer.dilations_):
        for r in range(n_repr):
            x = case if r == 0 else np.diff(case, axis=-1)
            n = x.shape[1]
            count_max = np.zeros((n_groups, n_kernels))
            count_min = np.zeros((n_groups, n_kernels))
            for g in range(n_groups):
                z = x[0] if len(case) == 1 else x[channels[d, r, g]].sum(axis=0)
                padded = np.concatenate(
                    [np.zeros(4 * dilation), z, np.zeros(4 * dilation)]
                )
                C = np.array(
                    [
                        [
                            sum(
                                weights[d, r, g, k, j] * padded[t + j * dilation]
                                for j in range(9)
                            )
                            for t in range(n)
                        ]
                        for k in range(n_kernels)
                    ]
                )
                for t in range(n):
                    count_max[g, C[:, t].argmax()] += C[:, t].max()
                    count_min[g, C[:, t].argmin()] += 1
            out += [count_max.ravel(), count_min.ravel()]
    return np.concatenate(out)


def test_dilations_and_feature_count():
    assert hydra_dilations(150).tolist() == [1, 2, 4, 8, 16]  # log2(149/8) = 4.2
    assert hydra_dilations(9).tolist() == [1]
    assert hydra_dilations(17).tolist() == [1, 2]
    X = RNG.normal(size=(3, 1, 150))
    features = Hydra(random_state=0).fit_transform(X)
    # 5 dilations x 2 representations x (max + min counts) x 32 groups x 8 kernels
    assert features.shape == (3, 5 * 2 * 2 * 32 * 8)
    assert Hydra(n_groups=1, n_kernels=4, random_state=0).fit_transform(X).shape == (
        3,
        5 * 1 * 2 * 1 * 4,
    )


def test_weights_are_centred_and_l1_normalised():
    transformer = Hydra(random_state=0).fit(RNG.normal(size=(2, 1, 40)))
    w = transformer.weights_.astype(np.float64)
    np.testing.assert_allclose(w.sum(axis=-1), 0, atol=1e-6)
    np.testing.assert_allclose(np.abs(w).sum(axis=-1), 1, rtol=1e-5)


def test_counting_by_hand():
    # one group per representation, two kernels: +identity and -identity
    x = np.array([1.0, -2.0, 0.0, 3.0, -1.0, 2.0, 0.0, 0.0, 4.0])
    transformer = Hydra(n_kernels=2, n_groups=2, random_state=0).fit(x[None, None])
    weights = np.zeros_like(transformer.weights_)
    weights[..., 0, 4] = 1.0
    weights[..., 1, 4] = -1.0
    transformer.weights_ = weights
    features = transformer.transform(x[None, None])[0]
    # layout: [X max(2), X min(2), diff max(2), diff min(2)]
    # X: kernel 0 wins the max where x > 0 (adds x), kernel 1 where x < 0
    # (adds -x); at x == 0 both give 0 and the tie goes to kernel 0.
    assert features[0:2].tolist() == [1 + 3 + 2 + 4, 2 + 1]
    # min: kernel 1 where x > 0, kernel 0 where x <= 0 (tie -> kernel 0)
    assert features[2:4].tolist() == [5, 4]
    # diff(x) = [-3, 2, 3, -4, 3, -2, 0, 4]
    assert np.diff(x).tolist() == [-3, 2, 3, -4, 3, -2, 0, 4]
    assert features[4:6].tolist() == [2 + 3 + 3 + 4, 3 + 4 + 2]
    assert features[6:8].tolist() == [4, 4]


def test_counting_with_dilation_and_padding():
    # kernel 0 looks 4 steps ahead, kernel 1 four steps back (zeros outside)
    x = np.arange(1.0, 11.0)  # length 10 -> dilation 1 only
    transformer = Hydra(n_kernels=2, n_groups=1, random_state=0).fit(x[None, None])
    weights = np.zeros_like(transformer.weights_)
    weights[..., 0, 8] = 1.0
    weights[..., 1, 0] = 1.0
    transformer.weights_ = weights
    features = transformer.transform(x[None, None])[0]
    ahead = np.r_[x[4:], np.zeros(4)]
    back = np.r_[np.zeros(4), x[:-4]]
    winner_is_ahead = ahead >= back  # ties to kernel 0
    assert features[0] == ahead[winner_is_ahead].sum()
    assert features[1] == back[~winner_is_ahead].sum()
    loser_is_ahead = ahead <= back  # the min; ties to kernel 0
    assert features[2] == loser_is_ahead.sum()
    assert features[3] == (~loser_is_ahead).sum()


@pytest.mark.parametrize("n_channels", [1, 3])
def test_transform_matches_naive_reference(n_channels):
    X = RNG.normal(size=(2, n_channels, 20))
    transformer = Hydra(n_kernels=3, n_groups=4, random_state=1).fit(X)
    features = transformer.transform(X)
    for case in range(2):
        np.testing.assert_allclose(
            features[case], naive_hydra(transformer, X[case]), rtol=1e-4, atol=1e-4
        )


def test_min_counts_sum_to_length_per_group():
    X = RNG.normal(size=(4, 2, 37))
    transformer = Hydra(random_state=0).fit(X)
    features = transformer.transform(X).reshape(4, -1, 2, 2, 32, 8)
    n_dilations = len(transformer.dilations_)
    assert features.shape[1] == n_dilations
    min_counts = features[:, :, :, 1].sum(axis=-1)  # (case, dilation, repr, group)
    np.testing.assert_array_equal(min_counts[:, :, 0], 37)
    np.testing.assert_array_equal(min_counts[:, :, 1], 36)
    # the channel draws: clip(C // 2, 2, 8) = 2 channels with replacement
    assert transformer.channels_.shape == (n_dilations, 2, 32, 2)


def test_sparse_scaler_formula():
    X = np.array(
        [[0.0, 4.0, -1.0], [4.0, 16.0, 9.0], [16.0, 0.0, 0.0], [1.0, 1.0, 0.0]]
    )
    scaler = SparseScaler().fit(X)
    Z = np.sqrt(np.clip(X, 0, None))  # negative counts clamp to 0
    mu = Z.mean(axis=0)
    sigma = Z.std(axis=0, ddof=1) + (Z == 0).mean(axis=0) ** 4 + 1e-8
    np.testing.assert_allclose(scaler.mean_, mu)
    np.testing.assert_allclose(scaler.scale_, sigma)
    out = scaler.transform(X)
    np.testing.assert_allclose(out, (Z - mu) * (Z != 0) / sigma)
    assert out[0, 0] == 0 and out[0, 2] == 0 and out[2, 1] == 0  # zeros stay zero
    unmasked = SparseScaler(mask=False).fit_transform(X)
    np.testing.assert_allclose(unmasked, (Z - mu) / sigma)
    # a column that is mostly zero gets a larger scale than its std alone
    assert scaler.scale_[2] > Z[:, 2].std(ddof=1) + 0.05
    with pytest.raises(ValueError):
        scaler.transform(X[:, :2])


def test_multirocket_hydra_blocks_and_classifier():
    from rocketconv import RocketClassifier
    from rocketconv._registry import published_scaler

    y = np.repeat([0, 1], 8)
    X = RNG.normal(size=(16, 1, 30))
    X[y == 1, 0, 5:15] += 3.0
    combined = MultiRocketHydra(random_state=0).fit(X)
    features = combined.transform(X)
    n_hydra = combined.n_hydra_features_
    assert n_hydra == 2 * 1024  # L = 30: dilations 1, 2
    assert features.shape == (16, n_hydra + 49_728)
    scaled = published_scaler(combined).fit_transform(features)
    hydra_block = features[:, :n_hydra]
    assert (scaled[:, :n_hydra][hydra_block <= 0] == 0).all()  # SparseScaler's mask
    np.testing.assert_allclose(scaled[:, n_hydra:].mean(axis=0), 0, atol=1e-4)
    clf = RocketClassifier("multirocket+hydra", random_state=0).fit(X, y)
    assert clf.score(X, y) == 1.0
    hydra_clf = RocketClassifier("hydra", random_state=0).fit(X, y)
    assert isinstance(hydra_clf.head_.steps[0][1], SparseScaler)
    assert hydra_clf.score(X, y) == 1.0
