"""A planted discriminative bump gets the largest attribution: class 1 has a
bump centred at t = 50; the per-timepoint difference between the classes'
mean attributions peaks inside the bump (50 +- 9, three widths)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import random_walks
from rocketconv import RocketClassifier
from rocketconv.transformers.rocket import Rocket

TRANSFORMERS = ["minirocket", "rocket", "multirocket", "hydra", "multirocket+hydra"]
WINDOW = range(41, 60)


def bump_data(n_channels: int = 1, channel: int = 0) -> tuple[np.ndarray, np.ndarray]:
    X = random_walks(60, n_channels, 100, seed=1)
    y = np.repeat([0, 1], 30)
    t = np.arange(100)
    X[y == 1, channel] += 3.0 * np.exp(-0.5 * ((t - 50) / 3.0) ** 2)
    return X, y


def fitted(name: str, X: np.ndarray, y: np.ndarray) -> RocketClassifier:
    transformer = Rocket(n_kernels=2000) if name == "rocket" else name
    return RocketClassifier(transformer, random_state=0).fit(X[::2], y[::2])


@pytest.mark.parametrize("name", TRANSFORMERS)
def test_bump_gets_the_largest_attribution(name):
    X, y = bump_data()
    clf = fitted(name, X, y)
    test, labels = X[1::2], y[1::2]
    attributions = clf.explain(test)[:, 0, 0]  # towards class 1
    contrast = attributions[labels == 1].mean(0) - attributions[labels == 0].mean(0)
    assert int(np.argmax(contrast)) in WINDOW
    # and more of it per timepoint than the rest of the series
    outside = np.delete(contrast, list(WINDOW))
    assert contrast[41:60].mean() > np.abs(outside).mean()


def test_bump_in_one_channel_is_found_in_that_channel():
    X, y = bump_data(n_channels=3, channel=2)
    clf = fitted("minirocket", X, y)
    test, labels = X[1::2], y[1::2]
    attributions = clf.explain(test)[:, 0]
    contrast = attributions[labels == 1].mean(0) - attributions[labels == 0].mean(0)
    channel, t = np.unravel_index(np.argmax(contrast), contrast.shape)
    assert channel == 2 and t in WINDOW
