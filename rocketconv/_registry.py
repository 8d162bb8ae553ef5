"""The one list of the algorithms rocketconv knows.

Every other place that names an algorithm — the public package names,
``RocketClassifier(transformer="...")``, the ``rocketconv benchmark``
classifier names, the published-results tables and their labels, and the
scaler of each transformer's published ridge head — reads this table.
Adding an algorithm is one entry here.

Names are matched case-insensitively, after stripping, against the key and
the aliases (all stored lower-case).
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # scikit-learn is imported when a scaler is made
    from sklearn.base import TransformerMixin

__all__ = [
    "Algorithm",
    "ALGORITHMS",
    "get_algorithm",
    "transformer_keys",
    "published_scaler",
]


@dataclass(frozen=True)
class Algorithm:
    """One algorithm: where its class lives and how it is published.

    Attributes
    ----------
    key : str
        The name users pass (``RocketClassifier(transformer=key)``,
        ``rocketconv benchmark --classifiers key``).
    display_name : str
        Result folders, tables and plots.
    module, class_name : str or None
        The estimator; None for a reference-only entry (published results
        rocketconv does not implement, e.g. HIVE-COTE 2).
    bakeoff_family, bakeoff_stem : str
        The folder and file stem of its results in the 2023 bake-off redux.
    head_scaler : str or None
        The scaler of the published ridge head for a transformer: ``"l2"``
        (centre and divide by the L2 norm, scikit-learn's old
        ``normalize=True``), ``"standard"``, ``"sparse"`` (Hydra's
        SparseScaler) or ``"sparse+standard"`` (MultiRocket-Hydra: each on
        its block); None for an algorithm that is not a transformer.
    aliases : tuple of str
        Other accepted spellings, lower-case.
    """

    key: str
    display_name: str
    module: str | None
    class_name: str | None
    bakeoff_family: str
    bakeoff_stem: str
    head_scaler: str | None = None
    aliases: tuple[str, ...] = ()

    def load(self) -> type:
        """The estimator class (imported on first use)."""
        if self.module is None or self.class_name is None:
            raise ValueError(
                f"{self.display_name} has published results only; rocketconv "
                "does not implement it."
            )
        return getattr(importlib.import_module(self.module), self.class_name)

    @property
    def is_transformer(self) -> bool:
        return self.head_scaler is not None


_T = "rocketconv.transformers."

ALGORITHMS: dict[str, Algorithm] = {
    a.key: a
    for a in (
        Algorithm(
            "rocket", "ROCKET", _T + "rocket", "Rocket",
            "convolution", "ROCKET", "l2",
        ),
        Algorithm(
            "minirocket", "MiniRocket", _T + "minirocket", "MiniRocket",
            "convolution", "MiniROCKET", "l2",
        ),
        Algorithm(
            "multirocket", "MultiRocket", _T + "multirocket", "MultiRocket",
            "convolution", "MR", "standard", aliases=("mr",),
        ),
        Algorithm(
            "hydra", "Hydra", _T + "hydra", "Hydra",
            "convolution", "Hydra", "sparse",
        ),
        Algorithm(
            "multirocket+hydra", "MultiRocket-Hydra", _T + "multirocket_hydra",
            "MultiRocketHydra", "convolution", "MR-Hydra", "sparse+standard",
            aliases=("mr-hydra", "multirocket-hydra", "multirockethydra"),
        ),
        Algorithm(
            "inceptiontime", "InceptionTime", "rocketconv.deep.inceptiontime",
            "InceptionTimeClassifier", "deeplearning", "InceptionTime",
            aliases=("it",),
        ),
        Algorithm(
            "hc2", "HC2", None, None, "hybrid", "HC2",
            aliases=("hive-cote2", "hivecote2", "hive-cote 2.0"),
        ),
    )
}  # fmt: skip

_BY_ALIAS = {
    name: algorithm
    for algorithm in ALGORITHMS.values()
    for name in (algorithm.key, *algorithm.aliases)
}


def get_algorithm(name: str, what: str = "algorithm") -> Algorithm:
    """The registry entry for ``name`` (case-insensitive, aliases accepted).

    Raises ValueError naming the known keys (and close matches) otherwise.

    Examples
    --------
    >>> get_algorithm("MR-Hydra").key
    'multirocket+hydra'
    """
    if not isinstance(name, str):
        raise TypeError(f"{what} name must be a string, got {name!r}.")
    found = _BY_ALIAS.get(name.strip().lower())
    if what == "transformer" and found is not None and not found.is_transformer:
        found = None
    if found is None:
        known = transformer_keys() if what == "transformer" else list(ALGORITHMS)
        close = difflib.get_close_matches(name.strip().lower(), _BY_ALIAS, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"unknown {what} {name!r}; known: {', '.join(known)}.{hint}")
    return found


def transformer_keys() -> list[str]:
    """Keys of the convolution transformers, in registry order."""
    return [key for key, a in ALGORITHMS.items() if a.is_transformer]


def _algorithm_of(transformer: Any) -> Algorithm | None:
    """The entry whose class is exactly ``type(transformer)``, if any."""
    for algorithm in ALGORITHMS.values():
        if algorithm.is_transformer and type(transformer).__name__ == (
            algorithm.class_name
        ):
            if type(transformer) is algorithm.load():
                return algorithm
    return None


def published_scaler(transformer: Any) -> TransformerMixin:
    """A new, unfitted scaler of the published ridge head for ``transformer``.

    ``transformer`` is fitted (MultiRocket-Hydra's scaler needs its block
    sizes). A transformer of a registered class gets its paper's scaler; any
    other transformer (a user's own) gets ``StandardScaler``, the choice of
    sktime and aeon.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

    from .scalers import L2ColumnScaler, SparseScaler

    algorithm = _algorithm_of(transformer)
    kind = "standard" if algorithm is None else algorithm.head_scaler
    if kind == "l2":
        return L2ColumnScaler()
    if kind == "sparse":
        return SparseScaler()
    if kind == "sparse+standard":
        n_hydra = transformer.n_hydra_features_
        n_total = transformer._n_features_out
        return ColumnTransformer(
            [
                ("hydra", SparseScaler(), slice(0, n_hydra)),
                ("multirocket", StandardScaler(), slice(n_hydra, n_total)),
            ]
        )
    return StandardScaler()
