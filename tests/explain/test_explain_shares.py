"""Each feature's shares sit where its condition held, with the stated
amounts: checked one feature at a time (a head that is that feature),
against float64 numpy oracles built from ``feature_info``."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import dilated_output, one_feature_head, pooled_range, random_walks
from rocketconv.explain._attribution import attribute
from rocketconv.transformers.hydra import Hydra
from rocketconv.transformers.minirocket import MiniRocket
from rocketconv.transformers.multirocket import MultiRocket
from rocketconv.transformers.rocket import Rocket

# a float32 output within this of its bias may compare the other way than
# the float64 oracle: such points are not asserted
TIE = 1e-4


def feature_shares(transformer, column: int, X: np.ndarray, **head) -> np.ndarray:
    """(n_cases, n_channels, n_timepoints) shares of one feature."""
    width = transformer.transform(X[:1]).shape[1]
    return attribute(transformer, one_feature_head(width, column, **head), X)[:, 0]


def columns_of(info, rng, count: int, **where) -> list[int]:
    mask = np.ones(len(info), dtype=bool)
    for key, value in where.items():
        mask &= (info[key] == value).to_numpy()
    return sorted(rng.choice(np.flatnonzero(mask), count, replace=False).tolist())


def test_minirocket_ppv_shares_only_where_output_exceeds_bias(walks):
    transformer = MiniRocket(n_features=840, random_state=0).fit(walks)
    info = transformer.feature_info()
    features = transformer.transform(walks)
    length = walks.shape[-1]
    for column in columns_of(info, np.random.default_rng(0), 12):
        row = info.iloc[column]
        shares = feature_shares(transformer, column, walks)
        start, stop = pooled_range(length, row)
        for case, x in enumerate(walks):
            output = dilated_output(x, row)
            above = np.zeros(length, dtype=bool)
            above[start:stop] = output[start:stop] > row.bias
            clear = np.abs(output - row.bias) > TIE
            expected = above / (stop - start)
            np.testing.assert_allclose(shares[case, 0][clear], expected[clear])
            # nothing where the condition failed or outside the pooled range
            assert (shares[case, 0][~above & clear] == 0).all()
            np.testing.assert_allclose(shares[case].sum(), features[case, column])


def test_multichannel_share_split_equally_over_the_subset():
    X = random_walks(4, 4, 50, seed=8)
    transformer = MiniRocket(n_features=840, random_state=2).fit(X)
    info = transformer.feature_info()
    sizes = info.channels.map(len)
    column = int(np.flatnonzero(sizes >= 2)[0])
    subset = list(info.channels[column])
    shares = feature_shares(transformer, column, X)
    others = [c for c in range(4) if c not in subset]
    assert (shares[:, others] == 0).all()
    for c in subset[1:]:
        np.testing.assert_allclose(shares[:, c], shares[:, subset[0]])
    assert shares[:, subset[0]].sum() > 0


def longest_stretch_points(output: np.ndarray, bias: float) -> tuple[set[int], int]:
    """Points of the longest run(s) of ``output >= bias`` among the interior
    points 1..n-2, and LSPV (one more than the run's length)."""
    runs, current = [], []
    for t in range(1, len(output) - 1):
        if output[t] >= bias:
            current.append(t)
        else:
            runs.append(current)
            current = []
    runs.append(current)
    longest = max(len(run) for run in runs)
    points = {t for run in runs if len(run) == longest and longest for t in run}
    return points, longest + 1


def test_multirocket_operators_share_over_their_timepoints(walks):
    transformer = MultiRocket(n_features=1344, random_state=0).fit(walks)
    info = transformer.feature_info()
    features = transformer.transform(walks)
    rng = np.random.default_rng(1)
    for pooling in ("mpv", "mipv", "lspv"):
        for column in columns_of(info, rng, 4, representation="X", pooling=pooling):
            row = info.iloc[column]
            shares = feature_shares(transformer, column, walks)[:, 0]
            start, stop = pooled_range(walks.shape[-1], row)
            for case, x in enumerate(walks):
                output = dilated_output(x, row)[start:stop]
                if np.abs(output - row.bias).min() < TIE:
                    continue  # a tie: the float32 transform may differ
                value = features[case, column]
                inside = shares[case, start:stop]
                if pooling == "lspv":
                    points, lspv = longest_stretch_points(output, row.bias)
                    assert value == lspv
                    if not points:  # no stretch: spread over the case
                        np.testing.assert_allclose(shares[case], value / len(x[0]))
                        continue
                    held = np.isin(np.arange(len(output)), list(points))
                else:
                    held = output > row.bias
                    if not held.any():
                        assert value == (-1.0 if pooling == "mipv" else 0.0)
                        np.testing.assert_allclose(shares[case], value / len(x[0]))
                        continue
                assert (inside[~held] == 0).all()
                np.testing.assert_allclose(inside[held], value / held.sum(), rtol=1e-5)
                assert (shares[case, :start] == 0).all()
                assert (shares[case, stop:] == 0).all()


def test_mipv_with_nothing_positive_is_spread_over_the_series(walks):
    transformer = MultiRocket(n_features=1344, random_state=0).fit(walks)
    info = transformer.feature_info()
    features = transformer.transform(walks)
    mipv = np.flatnonzero((info.pooling == "mipv").to_numpy())
    case, column = np.argwhere(features[:, mipv] == -1.0)[0]
    shares = feature_shares(transformer, int(mipv[column]), walks[case : case + 1])
    np.testing.assert_allclose(shares[0, 0], -1.0 / walks.shape[-1])


def test_diff_representation_split_half_half(walks):
    """A diff(X) PPV's share at difference t lands half on t, half on t+1."""
    transformer = MultiRocket(n_features=1344, random_state=0).fit(walks)
    info = transformer.feature_info()
    diffs = np.diff(walks, axis=-1)
    for column in columns_of(
        info, np.random.default_rng(2), 5, representation="diff", pooling="ppv"
    ):
        row = info.iloc[column]
        assert row.left_shift == 1
        shares = feature_shares(transformer, column, walks)[:, 0]
        start, stop = pooled_range(diffs.shape[-1], row)
        for case, d in enumerate(diffs):
            output = dilated_output(d, row)
            if np.abs(output[start:stop] - row.bias).min() < TIE:
                continue
            per_diff = np.zeros(len(output))
            per_diff[start:stop] = (output[start:stop] > row.bias) / (stop - start)
            expected = np.zeros(walks.shape[-1])
            expected[:-1] += per_diff / 2
            expected[1:] += per_diff / 2
            np.testing.assert_allclose(shares[case], expected, atol=1e-12)


def normalised(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(axis=-1, keepdims=True)) / (x.std(axis=-1, keepdims=True) + 1e-8)


def test_rocket_max_at_the_argmax_and_ppv_where_positive(walks):
    transformer = Rocket(n_kernels=60, random_state=0).fit(walks)
    info = transformer.feature_info()
    features = transformer.transform(walks)
    length = walks.shape[-1]
    for kernel in range(0, 60, 7):
        ppv_row = info.iloc[2 * kernel]
        ppv = feature_shares(transformer, 2 * kernel, walks)[:, 0]
        peak = feature_shares(transformer, 2 * kernel + 1, walks)[:, 0]
        kernel_length = ppv_row.weights.shape[1]
        half = (kernel_length - 1) * ppv_row.dilation // 2
        centres = np.arange(length)
        if ppv_row.padding == 0:
            centres = centres[half : length - half]
        for case, x in enumerate(walks):
            row_output = dilated_output(
                normalised(x), ppv_row, (kernel_length - 1) // 2
            )
            output = row_output[centres] + ppv_row.bias
            if np.abs(output).min() < TIE:
                continue
            positive = np.zeros(length, dtype=bool)
            positive[centres] = output > 0
            np.testing.assert_allclose(ppv[case], positive / len(centres))
            at = centres[np.argmax(output)]
            assert peak[case, at] == pytest.approx(features[case, 2 * kernel + 1])
            assert np.count_nonzero(peak[case]) == 1


def hydra_group_outputs(x: np.ndarray, rows) -> np.ndarray:
    """(n_kernels, length) outputs of one Hydra group from its rows."""
    return np.stack([dilated_output(x, row) for row in rows.itertuples()])


def test_hydra_counts_at_winning_timepoints(walks):
    transformer = Hydra(n_groups=4, random_state=0).fit(walks)
    info = transformer.feature_info()
    group = info[
        (info.dilation == 2) & (info.representation == "X") & (info.group == 1)
    ]
    max_rows = group[group.pooling == "max_sum"]
    min_rows = group[group.pooling == "min_count"]
    for k in (0, 5):
        best = feature_shares(transformer, int(max_rows.index[k]), walks)[:, 0]
        worst = feature_shares(transformer, int(min_rows.index[k]), walks)[:, 0]
        for case, x in enumerate(walks):
            outputs = hydra_group_outputs(x, max_rows)
            ordered = np.sort(outputs, axis=0)
            if np.min(ordered[1:] - ordered[:-1]) < TIE:
                continue
            wins = outputs.argmax(axis=0) == k
            np.testing.assert_allclose(
                best[case], np.where(wins, outputs[k], 0), atol=1e-5
            )
            np.testing.assert_array_equal(worst[case], outputs.argmin(axis=0) == k)


def test_sparse_scaler_shares_follow_the_raw_contributions(walks):
    """Hydra's SparseScaler: the scaled value (sqrt, centred, masked) is
    shared over the winning timepoints in proportion to their responses
    when those share a sign, evenly otherwise; nothing elsewhere."""
    transformer = Hydra(n_groups=4, random_state=0).fit(walks)
    features = transformer.transform(walks).astype(np.float64)
    info = transformer.feature_info()
    for column in np.flatnonzero((info.pooling == "max_sum").to_numpy())[:16]:
        raw = feature_shares(transformer, int(column), walks)[:, 0]
        scaled = feature_shares(transformer, int(column), walks, sparse=True, mean=0.5)
        scaled = scaled[:, 0]
        for case in range(len(walks)):
            value = features[case, column]
            root = np.sqrt(max(value, 0.0))
            expected_total = (root - 0.5) * (root != 0)
            assert scaled[case].sum() == pytest.approx(expected_total, abs=1e-6)
            won = raw[case] != 0
            assert (scaled[case][~won] == 0).all()
            if won.any() and (raw[case][won] > 0).all():
                proportion = raw[case] / raw[case].sum()
                np.testing.assert_allclose(
                    scaled[case], expected_total * proportion, rtol=1e-5, atol=1e-9
                )
            elif won.any() and not (raw[case][won] < 0).all():
                even = expected_total / won.sum()
                np.testing.assert_allclose(scaled[case][won], even, rtol=1e-5)


def test_padding_of_a_short_series_gets_nothing():
    """A series shorter than the kernel is zero-padded for the transform;
    the shares that would land on the zeros go to its last real point."""
    x = random_walks(1, 1, 6, seed=9)
    train = random_walks(5, 1, 30, seed=9)
    transformer = MiniRocket(n_features=84, random_state=0).fit(train)
    width = len(transformer.biases_)
    head = one_feature_head(width, 0)
    with pytest.warns(UserWarning, match="zero-padded"):
        shares = attribute(transformer, head, list(x))
        padded = transformer.transform(list(x))
    assert shares[0].shape == (1, 1, 6)
    np.testing.assert_allclose(shares[0].sum(), padded[0, 0])
