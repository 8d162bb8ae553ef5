"""MultiRocket + Hydra: the two transformers' features side by side, as in
Dempster, Schmidt & Webb (DMKD 2023)."""

from __future__ import annotations

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from ..scalers import SparseScaler
from ._base import BaseConvolutionTransformer, SeriesBatch
from ._dilations import KERNEL_LENGTH
from .hydra import Hydra
from .multirocket import MultiRocket


class MultiRocketHydra(BaseConvolutionTransformer):
    """Hydra and MultiRocket features side by side, as aeon's MultiRocketHydra.

    Features are ``[Hydra | MultiRocket]`` (aeon's order), each computed
    exactly as :class:`Hydra` and :class:`~rocketconv.MultiRocket`. The
    published head (aeon's ``MultiRocketHydraClassifier``, the bake-off's
    MR-Hydra) scales the Hydra block with :class:`SparseScaler` and the
    MultiRocket block with ``StandardScaler`` before one
    ``RidgeClassifierCV(logspace(-3, 3, 10))``; ``_published_scaler``
    returns that block scaler. Series shorter than 10 are zero-padded to 10.

    Parameters
    ----------
    n_kernels, n_groups : int, default=8, 64
        Hydra's parameters.
    n_features : int, default=50_000
        MultiRocket's (49,728 features).
    missing_values : {None, "interpolate"}, default=None
    n_jobs : int, default=1
    random_state : int, RandomState instance or None, default=None

    Attributes
    ----------
    hydra_, multirocket_ : fitted Hydra and MultiRocket
    n_hydra_features_ : int
        Width of the Hydra block (the first columns).

    Examples
    --------
    >>> import numpy as np
    >>> from rocketconv.transformers.multirocket_hydra import MultiRocketHydra
    >>> X = np.random.default_rng(0).normal(size=(10, 1, 50))
    >>> transformer = MultiRocketHydra(random_state=0).fit(X)
    >>> transformer.transform(X).shape  # 3,072 Hydra + 49,728 MultiRocket
    (10, 52800)
    """

    _min_length = KERNEL_LENGTH + 1

    def __init__(
        self,
        n_kernels: int = 8,
        n_groups: int = 64,
        n_features: int = 50_000,
        missing_values: str | None = None,
        n_jobs: int | None = 1,
        random_state=None,
    ):
        self.n_kernels = n_kernels
        self.n_groups = n_groups
        self.n_features = n_features
        self.missing_values = missing_values
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _parts(self) -> tuple[Hydra, MultiRocket]:
        return (
            Hydra(self.n_kernels, self.n_groups, n_jobs=self.n_jobs),
            MultiRocket(self.n_features, n_jobs=self.n_jobs),
        )

    def _check_params(self) -> None:
        for part in self._parts():
            part._check_params()

    def _fit(self, batch: SeriesBatch, rng: np.random.RandomState) -> None:
        self.hydra_, self.multirocket_ = self._parts()
        for part in (self.hydra_, self.multirocket_):
            # the batch is validated and padded already: fit the parts on it
            part._fit(batch, rng)
            part._n_features_out = part._n_output_features()
        self.n_hydra_features_ = self.hydra_._n_features_out

    def _n_output_features(self) -> int:
        return self.n_hydra_features_ + self.multirocket_._n_features_out

    def _transform_cases(self, batch: SeriesBatch) -> np.ndarray:
        return np.hstack(
            (
                self.hydra_._transform_cases(batch),
                self.multirocket_._transform_cases(batch),
            )
        )

    def _published_scaler(self):
        """SparseScaler on the Hydra block, StandardScaler on MultiRocket's."""
        check_is_fitted(self, "n_hydra_features_")
        return ColumnTransformer(
            [
                ("hydra", SparseScaler(), slice(0, self.n_hydra_features_)),
                (
                    "multirocket",
                    StandardScaler(),
                    slice(self.n_hydra_features_, self._n_features_out),
                ),
            ]
        )
