"""Use rocketconv classifiers where sktime expects a classifier.

rocketconv estimators already accept sktime's nested DataFrame and the
aeon/sktime ``(n_cases, n_channels, n_timepoints)`` numpy convention, so
they work in sklearn-style code unchanged. This adapter is for sktime's own
machinery (its pipelines, benchmarking and ``check_estimator``), which wants
a subclass of sktime's BaseClassifier.

sktime is an optional extra (``pip install "rocketconv[sktime]"``): only this
module imports it, and ``import rocketconv`` never imports this module.
"""

from __future__ import annotations

import numpy as np

try:
    from sktime.classification.base import BaseClassifier
except ImportError as error:  # pragma: no cover - depends on the extra
    raise ImportError(
        "rocketconv.interop needs sktime: pip install 'rocketconv[sktime]'"
    ) from error

from .linear import RocketClassifier
from .transformers.minirocket import MiniRocket

__all__ = ["SktimeRocketClassifier"]


class SktimeRocketClassifier(BaseClassifier):
    """sktime classifier that runs :class:`rocketconv.RocketClassifier`.

    Parameters
    ----------
    transformer : str or transformer instance, default="minirocket"
    estimator : {"auto", "ridge", "logistic"}, default="auto"
    n_jobs : int, default=1
    random_state : int or None, default=None

    Examples
    --------
    >>> from rocketconv.interop import SktimeRocketClassifier
    >>> from rocketconv.datasets import load_ucr
    >>> X, y = load_ucr("GunPoint", split="train")
    >>> clf = SktimeRocketClassifier(random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    _tags = {
        "authors": ["rocketconv developers"],
        "python_dependencies": "rocketconv",
        "X_inner_mtype": ["df-list", "numpy3D"],  # unequal length -> df-list
        "capability:multivariate": True,
        "capability:unequal_length": True,
        "capability:predict_proba": True,
        "capability:random_state": True,
        "property:randomness": "derandomized",
    }

    def __init__(
        self, transformer="minirocket", estimator="auto", n_jobs=1, random_state=None
    ):
        self.transformer = transformer
        self.estimator = estimator
        self.n_jobs = n_jobs
        self.random_state = random_state
        super().__init__()

    @staticmethod
    def _to_rocketconv(X):
        """sktime's df-list holds (n_timepoints, n_channels) frames."""
        if isinstance(X, list):
            return [np.asarray(frame, dtype=np.float64).T for frame in X]
        return X

    def _fit(self, X, y):
        self.classifier_ = RocketClassifier(
            transformer=self.transformer,
            estimator=self.estimator,
            n_jobs=self.n_jobs,
            random_state=self.random_state,
        ).fit(self._to_rocketconv(X), y)
        return self

    def _predict(self, X):
        return self.classifier_.predict(self._to_rocketconv(X))

    def _predict_proba(self, X):
        return self.classifier_.predict_proba(self._to_rocketconv(X))

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Small settings for sktime's estimator checks."""
        return [
            {"transformer": MiniRocket(n_features=168), "random_state": 0},
            {"transformer": "minirocket", "estimator": "logistic", "random_state": 1},
        ]
