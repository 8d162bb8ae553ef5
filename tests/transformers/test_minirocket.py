"""MiniRocket pinned to the published algorithm (SPEC.md), not just to shapes."""

from itertools import combinations

import numpy as np
import pytest

from rocketconv import MiniRocket
from rocketconv.transformers import _minirocket_univariate as univariate
from rocketconv.transformers import minirocket
from rocketconv.transformers._base import SeriesBatch
from rocketconv.transformers._dilations import (
    KERNEL_INDICES,
    draw_channels,
    fit_dilations,
    kernel_weights,
    pooling_range,
    quantiles,
)
from rocketconv.transformers._minirocket_univariate import TILE
from rocketconv.transformers._restriction import full_plan, restricted_plan

RNG = np.random.default_rng(42)


def published_dilations(length, n_features=10_000, max_dilations=32):
    """The formula of SPEC.md, written out independently of the package."""
    per_kernel = n_features // 84
    n_dilations = min(per_kernel, max_dilations)
    exponents = np.linspace(0, np.log2((length - 1) / 8), n_dilations)
    raw = (2.0**exponents).astype(np.int32)
    dilations, counts = np.unique(raw, return_counts=True)
    counts = (counts * (per_kernel / n_dilations)).astype(np.int32)
    i = 0
    while counts.sum() < per_kernel:
        counts[i % len(counts)] += 1
        i += 1
    return dilations, counts


def dilated_same_convolution(series, weights, dilation):
    """Explicit 'same' convolution with zeros outside the series (float64)."""
    length = len(series)
    out = np.zeros(length)
    for t in range(length):
        for j, w in enumerate(weights):
            source = t + (j - 4) * dilation
            if 0 <= source < length:
                out[t] += w * series[source]
    return out


# -- the oracle: explicit float64 convolutions, independent of the kernel -----
# The 84 weight vectors, built here (not read from the package): -1 with 2 at
# each of the C(9, 3) placements, in lexicographic order.
ORACLE_WEIGHTS = np.full((84, 9), -1.0)
for _kernel, _positions in enumerate(combinations(range(9), 3)):
    ORACLE_WEIGHTS[_kernel, list(_positions)] = 2.0
FLOAT32_UNIT_ROUNDOFF = 2.0**-24


def shifted(row, shift):
    """``y[t] = row[t + shift]``, zero where ``t + shift`` is outside the row."""
    out = np.zeros(len(row))
    lo, hi = max(0, -shift), min(len(row), len(row) - shift)
    if lo < hi:
        out[lo:hi] = row[lo + shift : hi + shift]
    return out


def explicit_features(model, case):
    """MiniRocket features of one ``(n_channels, length)`` case, in float64.

    For each (dilation d, kernel k) the plain dilated convolution
    ``C[t] = sum_{c in subset} sum_j w_j x[c, t + (j - 4) d]`` with zero
    padding, pooled over all of C when (dilation index + k) is even and over
    its unpadded part (``4 d`` points less on each side; all of C when that
    is empty) when odd; PPV = mean(C > bias).

    Also returns, per feature, how many pooled points are certainly above
    the bias, how many are ties (``|C - bias| <= tol``) and the pooled
    length, with ``tol`` the rounding bound of a float32 evaluation of C:
    whatever the order of its additions, the transform sums 12 terms per
    channel (9 values and 3 tripled ones, whose absolute values add up to
    at most ``2 sum_j |w_j x_j|``) with at most ``12 s`` roundings for
    ``s`` channels, and casts the input to float32 (one more rounding), so
    ``|C_float32 - C| <= (24 s + 4) u S`` with ``u = 2**-24`` and
    ``S = sum_{c, j} |w_j x[c, t + (j - 4) d]|``. Only a tie can compare
    differently in float32.
    """
    case = np.asarray(case, dtype=np.float64)
    length = case.shape[1]
    features, above, ties, spans = [], [], [], []
    combination = feature = 0
    for d_index, (dilation, n_this) in enumerate(
        zip(model.dilations_, model.n_features_per_dilation_, strict=True)
    ):
        for kernel in range(84):
            subset = model.channels_[
                model.channel_offsets_[combination] : model.channel_offsets_[
                    combination + 1
                ]
            ]
            C, S = np.zeros(length), np.zeros(length)
            for c in subset:
                for j, w in enumerate(ORACLE_WEIGHTS[kernel]):
                    x = shifted(case[c], (j - 4) * dilation)
                    C += w * x
                    S += abs(w) * np.abs(x)
            padding = 4 * dilation
            if (d_index + kernel) % 2 == 1 and length - 2 * padding > 0:
                C, S = C[padding:-padding], S[padding:-padding]
            tol = (24 * len(subset) + 4) * FLOAT32_UNIT_ROUNDOFF * S
            for bias in model.biases_[feature : feature + n_this].astype(np.float64):
                features.append(np.mean(C > bias))
                above.append(np.sum(C - bias > tol))
                ties.append(np.sum(np.abs(C - bias) <= tol))
                spans.append(len(C))
            feature += n_this
            combination += 1
    return tuple(map(np.array, (features, above, ties, spans)))


def test_the_84_kernels():
    weights = kernel_weights()
    assert weights.shape == (84, 9)
    assert np.all(weights.sum(axis=1) == 0)  # -1 x 6 + 2 x 3
    assert np.all((weights == 2).sum(axis=1) == 3)
    placements = {tuple(np.flatnonzero(row == 2)) for row in weights}
    assert placements == set(combinations(range(9), 3))
    assert tuple(KERNEL_INDICES[0]) == (0, 1, 2)
    assert tuple(KERNEL_INDICES[-1]) == (6, 7, 8)


@pytest.mark.parametrize("length", [9, 24, 150, 500, 2000])
def test_dilations_follow_the_published_formula(length):
    dilations, counts = fit_dilations(length, 10_000, 32)
    expected_dilations, expected_counts = published_dilations(length)
    np.testing.assert_array_equal(dilations, expected_dilations)
    np.testing.assert_array_equal(counts, expected_counts)
    assert counts.sum() == 119
    assert dilations.max() <= (length - 1) / 8


def test_dilations_for_length_150_and_500():
    dilations, counts = fit_dilations(150, 10_000, 32)
    assert dilations[0] == 1 and dilations[-1] == 18  # int(2**log2(149/8))
    assert counts[0] == 30  # 8 values in logspace round down to 1, x 119/32, +1
    dilations, counts = fit_dilations(500, 10_000, 32)
    assert dilations[-1] == int((500 - 1) / 8)
    assert len(dilations) == 23


def test_quantiles_are_the_golden_ratio_sequence():
    q = quantiles(5)
    phi = (1 + 5**0.5) / 2
    np.testing.assert_allclose(q, [(i * phi) % 1 for i in range(1, 6)], rtol=1e-6)


def test_feature_count_and_range():
    X = RNG.normal(size=(6, 1, 60))
    features = MiniRocket(random_state=0).fit_transform(X)
    assert features.shape == (6, 9996)
    assert features.dtype == np.float32
    assert np.all((features >= 0) & (features <= 1))


def test_biases_are_quantiles_of_one_examples_output():
    # identical cases: whichever example is drawn, the output is this series'
    series = RNG.normal(size=80)
    X = np.tile(series, (5, 1))
    model = MiniRocket(n_features=840, random_state=1).fit(X)
    weights = kernel_weights().astype(np.float64)
    q = quantiles(len(model.biases_)).astype(np.float64)
    feature = 0
    for dilation, n_this in zip(
        model.dilations_, model.n_features_per_dilation_, strict=True
    ):
        for kernel in range(84):
            output = dilated_same_convolution(series, weights[kernel], dilation)
            expected = np.quantile(output, q[feature : feature + n_this])
            np.testing.assert_allclose(
                model.biases_[feature : feature + n_this],
                expected,
                rtol=1e-4,
                atol=1e-4,
            )
            feature += n_this


def test_hand_computed_impulse():
    # One series of length 9 with a unit impulse in the middle: the only
    # dilation is 1 and the output of kernel k at t is its weight at 8 - t.
    X = np.zeros((1, 9))
    X[0, 4] = 1.0
    model = MiniRocket(random_state=0).fit(X)
    np.testing.assert_array_equal(model.dilations_, [1])
    model.biases_[:] = 0.0
    features = model.transform(X)[0].reshape(84, 119)
    # kernel 0 = weights 2 at positions 0,1,2: C = [-1]*6 + [2]*3, padded (d+k
    # even) -> PPV 3/9
    assert np.all(features[0] == np.float32(3 / 9))
    # kernel 1 = positions 0,1,3: odd -> valid part only, C[4] = w[4] = -1 -> 0
    assert np.all(features[1] == 0)
    # kernel 83 = positions 6,7,8: (0 + 83) odd -> valid part, C[4] = -1 -> 0
    assert np.all(features[83] == 0)
    # kernel 2 = positions 0,1,4: even -> padded, C = w reversed: 2s at t=4,7,8
    assert np.all(features[2] == np.float32(3 / 9))
    # with bias -1.5 every point of kernel 0's output counts
    model.biases_[:119] = -1.5
    assert np.all(model.transform(X)[0, :119] == 1.0)


@pytest.mark.parametrize(
    "shape", [(1, 40), (3, 40), (3, None)], ids=["1ch", "3ch", "3ch-unequal"]
)
def test_matches_explicit_convolution(shape):
    """Every feature equals the float64 oracle's, except where ties allow.

    A feature may differ only by points within the float32 rounding bound
    of its bias (see ``explicit_features``): its count of points above the
    bias lies between the oracle's "certainly above" and "certainly above
    or tied". A feature without ties must equal the oracle's exactly.

    Measured (10 seeds each, 33,600 features): equal length, 1, 3 and 12
    channels: 7, 11 and 49 features with a tie, none different; unequal
    length (3 channels, cases of 12-40 points): 83 with a tie, 45 different.
    A bias is a quantile of its example's float32 output, interpolated
    between two output values, so it is an output value itself only when
    that output repeats a value: a short case at a large dilation (12
    points at dilation 4) sees the same in-range inputs at ``t`` and
    ``t + 8``, its float32 output repeats, and the bias equals it exactly;
    the float64 output at those points lies a rounding error to either side
    of it. Here: 0, 1 and 13 features with a tie, 0, 0 and 8 different.
    """
    n_channels, length = shape
    rng = np.random.default_rng(n_channels)
    if length is None:
        X = [rng.normal(size=(n_channels, n)) for n in (40, 25, 12, 31)]
    else:
        X = rng.normal(size=(4, n_channels, length))
    model = MiniRocket(n_features=840, random_state=3).fit(X)
    if n_channels > 1:
        assert np.diff(model.channel_offsets_).max() > 1  # real channel sums
    assert_matches_oracle(model, X)


def assert_matches_oracle(model, X):
    """The assertions of ``test_matches_explicit_convolution``."""
    fast = model.transform(X)
    n_ties = n_different = 0
    for case in range(len(X)):
        expected, above, ties, spans = explicit_features(model, X[case])
        counts = np.rint(fast[case].astype(np.float64) * spans)
        assert np.all(counts >= above) and np.all(counts <= above + ties)
        exact = ties == 0
        np.testing.assert_array_equal(
            fast[case][exact], expected[exact].astype(np.float32)
        )
        n_ties += int((~exact).sum())
        n_different += int((fast[case] != expected.astype(np.float32)).sum())
    assert n_different <= n_ties < 0.01 * fast.size


def test_long_one_channel_series_match_explicit_convolution():
    """One-channel series longer than a tile of the one-channel kernel
    (``_minirocket_univariate.TILE``) are counted tile by tile: the counts
    must still be the oracle's, at the tile borders too (uneven lengths,
    so tiles and pooled ranges start at odd places)."""
    rng = np.random.default_rng(11)
    lengths = (3 * TILE + 5, TILE + 1, 2 * TILE - 3, 40)
    X = [rng.normal(size=(1, n)) for n in lengths]
    model = MiniRocket(n_features=336, random_state=1).fit(X)
    assert_matches_oracle(model, X)


@pytest.mark.parametrize("restricted", [False, True])
def test_one_channel_kernel_equals_the_channel_sum_kernel(restricted):
    """The one-channel kernel (convolution fused with counting, in tiles)
    gives the multichannel kernel's features bit for bit, on one channel,
    with one workspace for the whole batch (short cases after long ones)."""
    rng = np.random.default_rng(5)
    lengths = (9, 150, TILE - 1, TILE, TILE + 1, 2 * TILE + 7, 1500, 12, 150)
    X = [rng.normal(size=(1, n)) for n in lengths]
    model = MiniRocket(n_features=1000, random_state=2).fit(X)
    plan = full_plan(model.representation_)
    if restricted:
        kept = np.sort(rng.choice(model.representation_.n_features, 200, False))
        plan = restricted_plan(model.representation_, kept)
    n_out = plan.feature_offsets[-1]
    batch = SeriesBatch.from_cases(X)
    fused = np.full((len(X), n_out), np.nan, dtype=np.float32)
    summed = np.full((len(X), n_out), np.nan, dtype=np.float32)
    work = univariate.workspace(plan, max(lengths))
    univariate.transform(batch.values, batch.starts, batch.lengths, plan, fused, work)
    minirocket._transform(batch.values, batch.starts, batch.lengths, 1, plan, summed)
    np.testing.assert_array_equal(fused, summed)
    assert not np.isnan(fused).any()


def test_multivariate_channel_subsets():
    X = RNG.normal(size=(10, 12, 40))
    model = MiniRocket(n_features=840, random_state=0).fit(X)
    sizes = np.diff(model.channel_offsets_)
    assert sizes.min() >= 1 and sizes.max() <= 9
    assert len(np.unique(sizes)) > 2  # the size is random, not fixed
    assert model.channels_.max() < 12
    for start, stop in zip(
        model.channel_offsets_[:-1], model.channel_offsets_[1:], strict=True
    ):
        subset = model.channels_[start:stop]
        assert len(np.unique(subset)) == len(subset)  # without replacement
    univariate = MiniRocket(n_features=840, random_state=0).fit(X[:, :1])
    assert np.all(np.diff(univariate.channel_offsets_) == 1)


@pytest.mark.parametrize("n_channels", [1, 2, 6, 12])
def test_channel_subsets_are_the_reference_draws(n_channels):
    """The subsets are the reference code's ``rng.choice(n, size,
    replace=False)`` draws, and the random stream after them is the same
    (the example draws that follow depend on it)."""
    ours, reference = np.random.RandomState(3), np.random.RandomState(3)
    channels, offsets = draw_channels(300, n_channels, ours)
    sizes = (2 ** reference.uniform(0, np.log2(min(n_channels, 9) + 1), 300)).astype(
        np.int32
    )
    for m, size in enumerate(sizes):
        expected = reference.choice(n_channels, size, replace=False)
        np.testing.assert_array_equal(channels[offsets[m] : offsets[m + 1]], expected)
    assert offsets[-1] == len(channels) == sizes.sum()
    np.testing.assert_array_equal(
        ours.randint(2**30, size=5), reference.randint(2**30, size=5)
    )


def test_reference_length_sets_the_dilations():
    cases = [RNG.normal(size=(1, n)) for n in (20, 100, 400)]
    longest = MiniRocket(n_features=840, random_state=0).fit(cases)
    shortest = MiniRocket(n_features=840, reference_length="min", random_state=0)
    shortest.fit(cases)
    assert longest.dilations_.max() == int(399 / 8)
    assert shortest.dilations_.max() == 2  # int(2 ** log2(19 / 8))


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        (np.zeros(10), ValueError, "2-D .* or 3-D"),
        (np.zeros((0, 20)), ValueError, "0 cases"),
        (np.full((3, 20), np.nan), ValueError, "NaN"),
        (np.full((3, 20), np.inf), ValueError, "infinity"),
        (np.array([["a"] * 20] * 3), TypeError, "non-numeric"),
        (np.zeros((3, 20), dtype=complex), ValueError, "Complex data"),
        (np.zeros((3, 0, 20)), ValueError, "0 channels"),
    ],
)
def test_bad_input_is_named(X, error, message):
    with pytest.raises(error, match=message):
        MiniRocket(n_features=840).fit(X)


def test_transform_must_match_fit():
    X = RNG.normal(size=(5, 2, 30))
    model = MiniRocket(n_features=840, random_state=0).fit(X)
    with pytest.raises(ValueError, match="3 channels.*fitted with 2"):
        model.transform(RNG.normal(size=(5, 3, 30)))
    with pytest.raises(ValueError, match="length 40 where fit saw length 30"):
        model.transform(RNG.normal(size=(5, 2, 40)))


@pytest.mark.parametrize("n_features", [0, -5, 83])
def test_bad_n_features(n_features):
    with pytest.raises(ValueError, match="n_features"):
        MiniRocket(n_features=n_features).fit(RNG.normal(size=(3, 20)))


def test_missing_values_interpolated_on_request():
    X = RNG.normal(size=(4, 30))
    X_missing = X.copy()
    X_missing[1, 10] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MiniRocket(n_features=840).fit(X_missing)
    model = MiniRocket(n_features=840, missing_values="interpolate", random_state=0)
    features = model.fit_transform(X_missing)
    assert np.isfinite(features).all()
    X_filled = X.copy()
    X_filled[1, 10] = (X[1, 9] + X[1, 11]) / 2
    expected = MiniRocket(n_features=840, random_state=0).fit_transform(X_filled)
    np.testing.assert_array_equal(features, expected)


def test_transformer_hooks_are_abstract():
    from rocketconv.transformers._base import BaseConvolutionTransformer

    class NoTransform(BaseConvolutionTransformer):
        def _check_params(self):
            pass

        def _fit(self, batch, rng):
            pass

        def _n_output_features(self):
            return 1

    # a subclass without _transform_into cannot be built (it used to recurse)
    with pytest.raises(TypeError, match="_transform_into"):
        NoTransform()


def test_fitted_parameters_are_one_representation():
    X = RNG.normal(size=(5, 3, 40))
    model = MiniRocket(n_features=840, random_state=0).fit(X)
    fitted = model.representation_
    assert fitted.n_features == len(model.biases_) == 840
    for name in fitted._fields:  # the attributes are its fields, not copies
        assert getattr(model, f"{name}_") is getattr(fitted, name)
    with pytest.raises(AttributeError):
        model.biases_ = fitted.biases.copy()  # read-only: cannot drift apart
    assert not hasattr(MiniRocket(), "biases_")


@pytest.mark.parametrize("length", [150, univariate.EXACT_FLOAT32 - 1, 2**24 + 3])
def test_one_channel_ppv_division_is_the_float64_quotient(length):
    """The one-channel kernel divides counts by spans in float32 below
    ``EXACT_FLOAT32`` points and in float64 above; both must give the
    float64 quotient rounded to float32 (the multichannel kernel's PPV), for
    counts anywhere in ``0 .. span``, padded and valid spans alike."""
    model = MiniRocket(n_features=1000, random_state=0).fit(
        np.random.default_rng(0).normal(size=(3, 1, 300))
    )
    plan = full_plan(model.representation_)
    # each feature's pooling, from the plan as pooling_range decides it
    dilation_of = np.repeat(
        np.arange(len(plan.dilations)), np.diff(plan.combination_offsets)
    )
    odd = (plan.dilation_indices[dilation_of] + plan.kernels) % 2 == 1
    valid = np.repeat(odd, np.diff(plan.feature_offsets))
    rng = np.random.default_rng(length)
    row = np.full(plan.feature_offsets[-1], np.nan, dtype=np.float32)
    expected = np.empty_like(row)
    for d in range(len(plan.dilations)):
        first = plan.feature_offsets[plan.combination_offsets[d]]
        stop = plan.feature_offsets[plan.combination_offsets[d + 1]]
        valid_start, valid_stop = pooling_range(length, plan.dilations[d], 0, 1)
        spans = np.where(valid[first:stop], valid_stop - valid_start, length)
        counts = (rng.random(stop - first) * (spans + 1)).astype(np.int32)
        univariate._features_of_counts(plan, d, length, counts, valid, row)
        expected[first:stop] = (counts / spans).astype(np.float32)
    np.testing.assert_array_equal(row, expected)
