"""RocketRegressor: a convolution transformer, its published scaler and
RidgeCV, for time-series extrinsic regression (the classifier and the
machinery both share are in ``rocketconv.linear``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import RegressorMixin
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline

from . import _heads
from ._registry import published_scaler
from ._validation import check_sample_weight
from .linear import _RocketBase


class RocketRegressor(RegressorMixin, _RocketBase):
    """A ROCKET-family transformer, its published scaler and RidgeCV, for
    time-series extrinsic regression.

    Parameters
    ----------
    transformer : str or transformer instance, default="minirocket"
    alphas : array-like, default=None
        Searched by leave-one-out; None is ``np.logspace(-3, 3, 10)``.
    n_jobs : int, default=1
        Threads for the transformer (also for a transformer instance given).
    random_state : int, RandomState or None, default=None

    Attributes
    ----------
    transformer_ : fitted transformer
    head_ : Pipeline(scaler, RidgeCV)

    See Also
    --------
    rocketconv.MiniRocket, rocketconv.MultiRocket, rocketconv.Hydra : the
        transformers (and ``Rocket``, ``MultiRocketHydra``).
    RocketClassifier : the same transformers with classification heads.

    References
    ----------
    The transformers are those of the classification papers (ROCKET:
    https://doi.org/10.1007/s10618-020-00701-z, MiniRocket:
    https://doi.org/10.1145/3447548.3467231; full citations on their pages),
    with a ``RidgeCV`` head in place of ``RidgeClassifierCV``.

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv import RocketRegressor
    >>> rng = np.random.default_rng(0)
    >>> freq = rng.uniform(2, 6, size=20)  # target: the frequency of a noisy sine
    >>> t = np.linspace(0, 1, 60)
    >>> X = np.sin(2 * np.pi * freq[:, None] * t)[:, None, :]
    >>> X += 0.1 * rng.normal(size=X.shape)
    >>> reg = RocketRegressor(random_state=0).fit(X[:15], freq[:15])
    >>> reg.predict(X[15:]).shape
    (5,)
    >>> bool(reg.score(X[15:], freq[15:]) > 0.9)  # R² on 5 held-out series
    True
    """

    def __init__(
        self,
        transformer: Any = "minirocket",
        alphas: ArrayLike | None = None,
        n_jobs: int | None = 1,
        random_state: _heads.Seed = None,
    ) -> None:
        self.transformer = transformer
        self.alphas = alphas
        self.n_jobs = n_jobs
        self.random_state = random_state

    def fit(
        self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> RocketRegressor:
        """Fit the transformer, then RidgeCV on its scaled features."""
        alphas = self._check_params()
        X, y, n_cases = self._check_fit_input(X, y, regression=True)
        weights = None
        if sample_weight is not None:
            weights = check_sample_weight(sample_weight, n_cases, self)
        # RidgeCV needs every feature at once, also for out-of-core input
        features = self._fit_features(X).collect()
        scaler = published_scaler(self.transformer_)
        self.head_ = make_pipeline(scaler, RidgeCV(alphas=alphas))
        self.head_.fit(features, y, ridgecv__sample_weight=weights)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets."""
        return self._head_outputs(X, "predict")[0]
