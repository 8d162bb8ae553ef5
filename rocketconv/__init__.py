"""rocketconv: fast, scikit-learn compatible random-convolution time-series
classification (ROCKET, MiniRocket, MultiRocket, Hydra) and a numpy
InceptionTime ensemble.

Public names are imported lazily, so ``import rocketconv`` stays cheap,
compiles nothing and changes no process-wide setting (see
``rocketconv._numba`` for the two numba settings the first fit applies).
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version

from ._registry import ALGORITHMS

try:
    __version__ = version("rocketconv")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

# the estimators of the registry, under their class names, plus the heads
_PUBLIC = {
    algorithm.class_name: algorithm.module
    for algorithm in ALGORITHMS.values()
    if algorithm.module is not None and algorithm.class_name is not None
}
_PUBLIC.update(
    {
        "RocketClassifier": "rocketconv.linear",
        "RocketRegressor": "rocketconv.regressor",
        "L2ColumnScaler": "rocketconv.scalers",
        "SparseScaler": "rocketconv.scalers",
    }
)

__all__ = sorted(_PUBLIC) + ["__version__"]


def __getattr__(name: str) -> type:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'rocketconv' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
