"""MultiRocket: pooling operators by hand, a naive re-implementation of the
reference transform, feature layout, and the sklearn/engineering contract."""

from __future__ import annotations

import numpy as np
import pytest

from rocketconv import MultiRocket
from rocketconv.transformers._dilations import KERNEL_INDICES, kernel_weights
from rocketconv.transformers.multirocket import _pool

RNG = np.random.default_rng(42)
X_SMALL = RNG.normal(size=(6, 1, 40)).cumsum(axis=-1)


def pool_by_hand(C: np.ndarray, bias: float) -> tuple[float, float, float, float]:
    """The reference loop, transcribed: PPV, LSPV, MPV, MIPV."""
    count, last, longest, index_sum, total = 0, 0, 0, 0, 0.0
    for j, value in enumerate(C):
        if value > bias:
            count += 1
            index_sum += j
            total += float(np.float32(value) + np.float32(bias))
        elif value < bias:
            longest = max(longest, j - last)
            last = j
    longest = max(longest, len(C) - 1 - last)
    if count == 0:
        return 0.0, float(longest), 0.0, -1.0
    return count / len(C), float(longest), total / count, index_sum / count


def test_pooling_operators_by_hand():
    # C > 1 at 1, 4, 5, 7;  C < 1 at 0, 3, 6;  C == 1 at 2 (neither)
    C = np.array([0.5, 3.0, 1.0, -1.0, 4.0, 4.0, -2.0, 2.0], dtype=np.float32)
    row = np.zeros(4, dtype=np.float32)
    _pool(C, 0, len(C), np.array([1.0], dtype=np.float32), row, 0, 1)
    ppv, lspv, mpv, mipv = row
    assert ppv == 4 / 8
    # points below the bias, with the virtual ends 0 and 7: {0, 3, 6, 7}
    # -> gaps 3, 3, 1: the equal value at 2 neither ends nor starts a stretch
    assert lspv == 3
    # mean of C + bias over C > bias: (4 + 5 + 5 + 3) / 4
    assert mpv == pytest.approx(17 / 4)
    # mean index of C > bias: (1 + 4 + 5 + 7) / 4
    assert mipv == pytest.approx(17 / 4)


def test_pooling_no_positive_values_and_subrange():
    C = np.array([9.0, -1.0, -2.0, -3.0, -1.0, 9.0], dtype=np.float32)
    row = np.zeros(8, dtype=np.float32)
    # pooled over C[1:5] = [-1, -2, -3, -1] only, two biases (block of 2):
    # row = [PPV0, PPV1, LSPV0, LSPV1, MPV0, MPV1, MIPV0, MIPV1]
    _pool(C, 1, 5, np.array([0.0, -2.5], dtype=np.float32), row, 0, 2)
    # bias 0: nothing above; everything below -> S = {0, 1, 2, 3}, gaps of 1
    assert (row[0], row[2], row[4], row[6]) == (0.0, 1.0, 0.0, -1.0)
    # bias -2.5: above at local 0, 1, 3; below at 2 -> S = {0, 2, 3}
    assert row[1] == 0.75
    assert row[3] == 2.0
    assert row[5] == pytest.approx(((-1 - 2.5) + (-2 - 2.5) + (-1 - 2.5)) / 3)
    assert row[7] == pytest.approx((0 + 1 + 3) / 3)


@pytest.mark.parametrize("n", [1, 2, 3, 7])
def test_pooling_matches_reference_loop_on_random_values(n):
    rng = np.random.default_rng(n)
    C = rng.integers(-3, 4, size=n).astype(np.float32)  # many ties
    biases = np.array([-1.0, 0.0, 0.5, 2.0, 3.0], dtype=np.float32)
    row = np.zeros(4 * len(biases), dtype=np.float32)
    _pool(C, 0, n, biases, row, 0, len(biases))
    for b, bias in enumerate(biases):
        expected = pool_by_hand(C, bias)
        got = row[b :: len(biases)]
        np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize("n", [63, 64, 65, 127, 128, 129, 200, 1000])
@pytest.mark.parametrize("smooth", [False, True])
def test_pooling_matches_reference_loop_on_long_segments(n, smooth):
    """Long pooled segments: stretches over many points (smooth values),
    ones that end at the last position, and biases below or above every
    value (one stretch over all of 1..n-2, or none)."""
    rng = np.random.default_rng(n)
    C = rng.integers(-3, 4, size=n).astype(np.float32)
    if smooth:  # long stretches above and below each bias
        C = np.cumsum(rng.normal(size=n)).astype(np.float32)
    biases = np.quantile(C, [0.0, 0.05, 0.3, 0.5, 0.9, 1.0]).astype(np.float32)
    biases = np.concatenate([biases, [C.min() - 1, C.max() + 1]]).astype(np.float32)
    row = np.zeros(4 * len(biases), dtype=np.float32)
    _pool(C, 0, n, biases, row, 0, len(biases))
    for b, bias in enumerate(biases):
        expected = pool_by_hand(C, bias)
        np.testing.assert_allclose(row[b :: len(biases)], expected, rtol=1e-6)


def naive_features(transformer: MultiRocket, series: np.ndarray) -> np.ndarray:
    """MultiRocket of one univariate series by explicit weights and loops."""
    weights = kernel_weights().astype(np.float64)
    out = []
    per_representation = []
    for name, x, offset in (("", series, 0), ("_diff", np.diff(series), 1)):
        dilations = getattr(transformer, f"dilations{name}_")
        counts = getattr(transformer, f"n_features_per_dilation{name}_")
        biases = getattr(transformer, f"biases{name}_")
        n = len(x)
        blocks = [[], [], [], []]
        feature = 0
        for d, dilation in enumerate(dilations):
            for k in range(84):
                C = np.zeros(n)
                for j in range(9):
                    shift = (j - 4) * dilation + (offset if j < 4 else 0)
                    for t in range(n):
                        if 0 <= t + shift < n:
                            C[t] += weights[k, j] * x[t + shift]
                C = C.astype(np.float32)
                padding = 4 * dilation
                if (d + k) % 2 == 1 and n - 2 * padding > 0:
                    C = C[padding : n - padding]
                for _ in range(counts[d]):
                    for i, value in enumerate(pool_by_hand(C, biases[feature])):
                        blocks[i].append(value)
                    feature += 1
        per_representation.append(np.concatenate(blocks))
    out = np.concatenate(per_representation)
    return out


def test_transform_matches_naive_reference():
    # integer series: float32 sums are exact, so the comparison is tight
    X = RNG.integers(-5, 6, size=(3, 1, 30)).astype(np.float64)
    transformer = MultiRocket(n_features=672 * 2, random_state=1).fit(X)
    features = transformer.transform(X)
    assert features.shape == (3, 1344)
    for case in range(3):
        np.testing.assert_allclose(
            features[case],
            naive_features(transformer, X[case, 0]),
            rtol=1e-5,
            atol=1e-5,
        )


def test_default_feature_count_and_names():
    transformer = MultiRocket(random_state=0).fit(X_SMALL)
    features = transformer.transform(X_SMALL)
    assert features.shape == (6, 49_728)
    assert len(transformer.biases_) == len(transformer.biases_diff_) == 6_216
    names = transformer.get_feature_names_out()
    assert len(names) == 49_728
    assert names[0] == "base_ppv_0" and names[6_216] == "base_lspv_0"
    assert names[4 * 6_216] == "diff_ppv_0" and names[-1] == "diff_mipv_6215"
    block = 6_216
    ppv = features[:, np.r_[0:block, 4 * block : 5 * block]]
    assert ((ppv >= 0) & (ppv <= 1)).all()
    mipv = features[:, 3 * block : 4 * block]
    assert ((mipv == -1) | (mipv >= 0)).all()
    # a kernel output with no value above the bias: MPV 0 and MIPV -1 together
    assert np.array_equal(
        features[:, :block] == 0, features[:, 3 * block : 4 * block] == -1
    )


def test_diff_representation_ignores_offsets():
    X = RNG.integers(-20, 20, size=(5, 1, 25)).astype(np.float64)
    transformer = MultiRocket(n_features=2_000, random_state=0).fit(X)
    base, shifted = transformer.transform(X), transformer.transform(X + 7.0)
    half = base.shape[1] // 2
    np.testing.assert_array_equal(base[:, half:], shifted[:, half:])
    assert not np.array_equal(base[:, :half], shifted[:, :half])
    # diff dilations are fitted on L - 1 = 24, the base ones on L = 25
    assert transformer.dilations_diff_.max() <= transformer.dilations_.max()


def test_n_features_rounding_and_errors():
    assert MultiRocket(n_features=10_000, random_state=0).fit_transform(
        X_SMALL
    ).shape == (6, 8 * 84 * (10_000 // 8 // 84))
    with pytest.raises(ValueError, match="at least 672"):
        MultiRocket(n_features=100).fit(X_SMALL)
    with pytest.raises(TypeError):
        MultiRocket(n_features=1.5).fit(X_SMALL)


def test_multivariate_channel_subsets():
    X = RNG.normal(size=(5, 12, 30))
    transformer = MultiRocket(n_features=2_000, random_state=0).fit(X)
    features = transformer.transform(X)
    assert features.shape == (5, 8 * 84 * (2_000 // 8 // 84))
    for channels, offsets in (
        (transformer.channels_, transformer.channel_offsets_),
        (transformer.channels_diff_, transformer.channel_offsets_diff_),
    ):
        sizes = np.diff(offsets)
        assert sizes.min() >= 1 and sizes.max() <= 9
        assert channels.max() < 12
    # a channel that no subset uses cannot change the features
    used = set(transformer.channels_) | set(transformer.channels_diff_)
    unused = sorted(set(range(12)) - used)
    if unused:
        Y = X.copy()
        Y[:, unused[0]] += 100.0
        np.testing.assert_array_equal(features, transformer.transform(Y))


def test_kernel_indices_shared_with_minirocket():
    # MultiRocket reuses MiniRocket's 84 kernels (the reference's index table)
    assert KERNEL_INDICES.shape == (84, 3)
    assert (kernel_weights().sum(axis=1) == 0).all()


def test_published_head_and_classifier():
    from sklearn.preprocessing import StandardScaler

    from rocketconv import RocketClassifier
    from rocketconv._registry import published_scaler

    y = np.repeat([0, 1], 10)
    X = RNG.normal(size=(20, 1, 30))
    X[y == 1, 0, 10:20] += 3.0
    fitted = MultiRocket(n_features=672, random_state=0).fit(X)
    assert isinstance(published_scaler(fitted), StandardScaler)
    clf = RocketClassifier("multirocket", random_state=0).fit(X, y)
    assert clf.transformer_.transform(X).shape[1] == 49_728
    assert clf.score(X, y) == 1.0


def test_one_difference_helper_for_fit_and_kernels():
    from rocketconv.transformers._base import SeriesBatch, difference

    X = [RNG.normal(size=(2, n)).astype(np.float32) for n in (10, 13, 11)]
    diff = SeriesBatch.from_cases(X).difference()  # fit: the Python body
    assert diff.lengths.tolist() == [9, 12, 10]
    for case, series in enumerate(X):
        expected = np.diff(series, axis=1)
        np.testing.assert_array_equal(diff.case(case), expected)
        np.testing.assert_array_equal(difference(series), expected)  # compiled
    # equal lengths: one vectorised difference of the whole batch
    cube = RNG.normal(size=(3, 2, 12)).astype(np.float32)
    diff = SeriesBatch.from_cases(cube).difference()
    np.testing.assert_array_equal(diff.values, np.diff(cube, axis=2).ravel())
    assert diff.lengths.tolist() == [11] * 3
