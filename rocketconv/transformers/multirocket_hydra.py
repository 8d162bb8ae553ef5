"""MultiRocket + Hydra: the two transformers' features side by side, as in
Dempster, Schmidt & Webb (DMKD 2023)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import BaseConvolutionTransformer, SeriesBatch
from ._dilations import KERNEL_LENGTH
from .hydra import Hydra
from .multirocket import MultiRocket


class MultiRocketHydra(BaseConvolutionTransformer):
    """Hydra and MultiRocket features side by side, as aeon's MultiRocketHydra.

    Features are ``[Hydra | MultiRocket]`` (aeon's order), each computed
    exactly as :class:`Hydra` and :class:`~rocketconv.MultiRocket`. The
    published head (aeon's ``MultiRocketHydraClassifier``, the bake-off's
    MR-Hydra) scales the Hydra block with
    :class:`~rocketconv.scalers.SparseScaler` and the MultiRocket block with
    ``StandardScaler`` before one ``RidgeClassifierCV(logspace(-3, 3, 10))``;
    ``rocketconv._registry.published_scaler`` builds that block scaler from
    ``n_hydra_features_``. Series shorter than 10 are zero-padded to 10.

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
    hydra_, multirocket_ : Hydra and MultiRocket
        The two parts, with their fitted kernel parameters; they transform
        through this transformer (which checks the input once for both).
    n_hydra_features_ : int
        Width of the Hydra block (the first columns).

    See Also
    --------
    rocketconv.Hydra : the first block of features.
    rocketconv.MultiRocket : the second block of features.
    rocketconv.RocketClassifier : a transformer and its published linear head.

    References
    ----------
    Hydra+MultiRocket was introduced with Hydra (Dempster, Schmidt and Webb
    2023, https://doi.org/10.1007/s10618-023-00939-3); MultiRocket is Tan,
    Dempster, Bergmeir and Webb 2022, https://doi.org/10.1007/s10618-022-00844-1
    (full citations on :class:`rocketconv.Hydra` and
    :class:`rocketconv.MultiRocket`).

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
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self._store_parameters(locals())

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
        # the batch is validated and padded already: fit the parts on it
        self.hydra_._fit(batch, rng)
        self.multirocket_._fit(batch, rng)
        self.n_hydra_features_ = self.hydra_._n_output_features()

    def _n_output_features(self) -> int:
        kept = getattr(self, "kept_features_", None)
        if kept is not None:
            return len(kept)
        return self.n_hydra_features_ + self.multirocket_._n_output_features()

    def _transform_into(self, batch: SeriesBatch, out: np.ndarray) -> None:
        # each part writes a C-contiguous block (its kernels are compiled for
        # those), copied into its columns; a restricted transformer runs its
        # restricted parts (None: no kept column in that part)
        parts = getattr(self, "_restricted_parts", (self.hydra_, self.multirocket_))
        n_hydra = self.n_hydra_features_
        columns = (slice(0, n_hydra), slice(n_hydra, None))
        for part, where in zip(parts, columns, strict=True):
            if part is None:
                continue
            block = np.empty((len(batch), part._n_output_features()), np.float32)
            part._transform_into(batch, block)
            out[:, where] = block

    def _feature_units(self) -> np.ndarray:
        """Unit of each feature of the full output: Hydra's groups, then
        MultiRocket's (representation, dilation, kernel) combinations."""
        hydra = self.hydra_._feature_units()
        multirocket = self.multirocket_._feature_units() + hydra.max() + 1
        return np.concatenate([hydra, multirocket])

    def _restriction(self, full: np.ndarray) -> dict[str, Any]:
        """Restrict each part to its columns of ``full``.
        ``n_hydra_features_`` becomes the number of kept Hydra columns (the
        width of the Hydra block of the output, as the head's scaler needs)."""
        n_hydra = self.hydra_._n_output_features()
        in_hydra = full[full < n_hydra]
        in_multirocket = full[full >= n_hydra] - n_hydra
        parts = tuple(
            part._restrict(columns) if len(columns) else None
            for part, columns in (
                (self.hydra_, in_hydra),
                (self.multirocket_, in_multirocket),
            )
        )
        return {"_restricted_parts": parts, "n_hydra_features_": len(in_hydra)}
