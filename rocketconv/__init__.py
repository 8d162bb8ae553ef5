"""rocketconv: fast, scikit-learn compatible random-convolution time-series
classification (ROCKET, MiniRocket, MultiRocket, Hydra) and a numpy
InceptionTime ensemble.

Public names are imported lazily, so ``import rocketconv`` stays cheap and
compiles nothing.
"""

from __future__ import annotations

import importlib
import os

__version__ = "0.1.0"


def _threadsafe_layer_loadable() -> bool:
    """Whether numba's TBB or OpenMP threading layer can be loaded here."""
    for module in ("numba.np.ufunc.omppool", "numba.np.ufunc.tbbpool"):
        try:
            importlib.import_module(module)
        except (ImportError, OSError):
            continue
        return True
    return False


# Numba's 'workqueue' threading layer aborts when two Python threads run
# parallel kernels at once; 'threadsafe' picks TBB or OpenMP instead. Only
# when one of them loads: with neither (e.g. a slim container without
# libgomp and without the tbb package) 'threadsafe' would make every
# parallel kernel raise, while workqueue stays safe for rocketconv's kernels,
# which hold the GIL. A user's own NUMBA_THREADING_LAYER setting wins.
if "NUMBA_THREADING_LAYER" not in os.environ and _threadsafe_layer_loadable():
    import numba

    numba.config.THREADING_LAYER = "threadsafe"

_PUBLIC = {
    "Rocket": "rocketconv.transformers.rocket",
    "MiniRocket": "rocketconv.transformers.minirocket",
    "MultiRocket": "rocketconv.transformers.multirocket",
    "Hydra": "rocketconv.transformers.hydra",
    "RocketClassifier": "rocketconv.linear",
    "RocketRegressor": "rocketconv.linear",
    "InceptionTimeClassifier": "rocketconv.deep.inceptiontime",
}

__all__ = list(_PUBLIC) + ["__version__"]


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'rocketconv' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
