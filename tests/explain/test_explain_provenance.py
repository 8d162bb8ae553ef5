"""feature_info: one row per output column, consistent with
get_feature_names_out, and enough to recompute features with plain numpy
(float64 taps written from the row, not the package's kernels)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import dilated_output, pooled_range, random_walks
from rocketconv.explain import feature_info
from rocketconv.explain._provenance import COLUMNS
from rocketconv.transformers.hydra import Hydra
from rocketconv.transformers.minirocket import MiniRocket
from rocketconv.transformers.multirocket import MultiRocket
from rocketconv.transformers.multirocket_hydra import MultiRocketHydra
from rocketconv.transformers.rocket import Rocket

TRANSFORMERS = [
    MiniRocket(n_features=840, random_state=0),
    Rocket(n_kernels=50, random_state=0),
    MultiRocket(n_features=1344, random_state=0),
    Hydra(n_groups=4, random_state=0),
    MultiRocketHydra(n_groups=4, n_features=1344, random_state=0),
]


@pytest.fixture(scope="module")
def multivariate() -> np.ndarray:
    return random_walks(5, 3, 50, seed=11)


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=lambda t: type(t).__name__)
def test_one_row_per_column_named_as_get_feature_names_out(transformer, multivariate):
    fitted = transformer.fit(multivariate)
    info = fitted.feature_info()
    assert list(info.columns) == COLUMNS
    assert len(info) == fitted.transform(multivariate[:1]).shape[1]
    np.testing.assert_array_equal(info.feature, fitted.get_feature_names_out())
    assert set(info.representation) <= {"X", "diff"}
    assert info.channels.map(lambda c: all(0 <= i < 3 for i in c)).all()
    assert (info.dilation >= 1).all()


def test_multirocket_names_say_representation_and_pooling(multivariate):
    info = feature_info(MultiRocket(n_features=1344, random_state=0).fit(multivariate))
    parts = info.feature.str.split("_", expand=True)
    np.testing.assert_array_equal(
        parts[0].map({"base": "X", "diff": "diff"}), info.representation
    )
    np.testing.assert_array_equal(parts[1], info.pooling)
    assert (info.left_shift == (info.representation == "diff")).all()


def ppv(output: np.ndarray, bias: float) -> float:
    return float(np.mean(output > bias))


def test_minirocket_features_recomputed_from_the_table(multivariate):
    transformer = MiniRocket(n_features=840, random_state=0).fit(multivariate)
    features = transformer.transform(multivariate)
    info = transformer.feature_info()
    length = multivariate.shape[-1]
    exact = 0
    columns = np.random.default_rng(0).choice(len(info), 25, replace=False)
    for column in columns:
        row = info.iloc[column]
        start, stop = pooled_range(length, row)
        for case, x in enumerate(multivariate):
            value = ppv(dilated_output(x, row)[start:stop], row.bias)
            # float32 vs float64 may flip one point at a tie
            assert abs(value - features[case, column]) <= 1 / (stop - start) + 1e-6
            exact += np.isclose(value, features[case, column], atol=1e-6)
    assert exact >= 0.95 * len(columns) * len(multivariate)


def multirocket_value(output: np.ndarray, bias: float, pooling: str) -> float:
    above = output > bias
    if pooling == "ppv":
        return float(above.mean())
    if pooling == "mpv":
        return float((output + bias)[above].mean()) if above.any() else 0.0
    if pooling == "mipv":
        return float(np.flatnonzero(above).mean()) if above.any() else -1.0
    # lspv: longest gap between points below the bias, ends counted as such
    below = [0] + [t for t in range(1, len(output) - 1) if output[t] < bias]
    below.append(len(output) - 1)
    return float(max(np.diff(below)))


@pytest.mark.parametrize("representation", ["X", "diff"])
def test_multirocket_features_recomputed_from_the_table(representation):
    X = random_walks(5, 1, 50, seed=12)
    transformer = MultiRocket(n_features=1344, random_state=0).fit(X)
    features = transformer.transform(X)
    info = transformer.feature_info()
    source = X if representation == "X" else np.diff(X, axis=-1)
    rng = np.random.default_rng(1)
    checked = 0
    for pooling in ("ppv", "lspv", "mpv", "mipv"):
        rows = np.flatnonzero(
            (info.pooling == pooling) & (info.representation == representation)
        )
        for column in rng.choice(rows, 6, replace=False):
            row = info.iloc[column]
            start, stop = pooled_range(source.shape[-1], row)
            for case, x in enumerate(source):
                output = dilated_output(x, row)[start:stop]
                if np.abs(output - row.bias).min() < 1e-4:
                    continue  # a tie: float32 may differ
                value = multirocket_value(output, row.bias, pooling)
                np.testing.assert_allclose(features[case, column], value, rtol=1e-5)
                checked += 1
    assert checked > 60


def test_rocket_features_recomputed_from_the_table():
    X = random_walks(5, 2, 50, seed=13)
    transformer = Rocket(n_kernels=40, random_state=0).fit(X)
    features = transformer.transform(X)
    info = transformer.feature_info()
    normalised = (X - X.mean(-1, keepdims=True)) / (X.std(-1, keepdims=True) + 1e-8)
    for column in range(0, 80, 3):
        row = info.iloc[column]
        kernel_length = row.weights.shape[1]
        assert row.weights.shape[0] == len(row.channels)
        half = (kernel_length - 1) * row.dilation // 2
        for case, x in enumerate(normalised):
            output = dilated_output(x, row, (kernel_length - 1) // 2) + row.bias
            if row.padding == 0:
                output = output[half : x.shape[-1] - half]
            value = np.mean(output > 0) if row.pooling == "ppv" else output.max()
            np.testing.assert_allclose(
                features[case, column], value, rtol=1e-4, atol=1e-4
            )


def test_hydra_features_recomputed_from_the_table(multivariate):
    transformer = Hydra(n_groups=4, random_state=0).fit(multivariate)
    features = transformer.transform(multivariate)
    info = transformer.feature_info()
    for (_, r, _), group in info.groupby(["dilation", "representation", "group"]):
        maxima = group[group.pooling == "max_sum"]
        minima = group[group.pooling == "min_count"]
        source = multivariate if r == "X" else np.diff(multivariate, axis=-1)
        for case, x in enumerate(source):
            # the group's kernels see the sum of its drawn channels
            summed = x[list(maxima.channels.iloc[0])].sum(axis=0)[None]
            one = maxima.assign(channels=[(0,)] * len(maxima))
            outputs = np.stack(
                [dilated_output(summed, row) for row in one.itertuples()]
            )
            best, worst = outputs.argmax(axis=0), outputs.argmin(axis=0)
            soft = [outputs[k][best == k].sum() for k in range(len(maxima))]
            hard = [np.sum(worst == k) for k in range(len(minima))]
            np.testing.assert_allclose(features[case, maxima.index], soft, atol=1e-3)
            np.testing.assert_array_equal(features[case, minima.index], hard)


def test_multirocket_hydra_table_is_hydra_then_multirocket(multivariate):
    both = MultiRocketHydra(n_groups=4, n_features=1344, random_state=0).fit(
        multivariate
    )
    info = both.feature_info()
    n_hydra = both.n_hydra_features_
    assert (info.transformer[:n_hydra] == "Hydra").all()
    assert (info.transformer[n_hydra:] == "MultiRocket").all()
    part = both.multirocket_
    biases = np.concatenate([np.tile(part.biases_, 4), np.tile(part.biases_diff_, 4)])
    np.testing.assert_array_equal(info.bias[n_hydra:], biases)
    assert info.bias[:n_hydra].isna().all()


def test_unfitted_transformer_raises():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        MiniRocket().feature_info()
