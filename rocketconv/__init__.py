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


def _is_writable(folder: str) -> bool:
    """Whether numba could create its in-tree ``__pycache__`` under ``folder``."""
    pycache = os.path.join(folder, "__pycache__")
    if os.path.isdir(pycache):
        return os.access(pycache, os.W_OK | os.X_OK)
    return os.access(folder, os.W_OK | os.X_OK)


def _fallback_cache_dir(environ=os.environ, is_writable=_is_writable) -> str | None:
    """A user cache folder for numba when the package folder is read-only.

    None when the user set ``NUMBA_CACHE_DIR`` or numba can cache next to the
    sources; otherwise ``$XDG_CACHE_HOME/rocketconv/numba`` (``~/.cache``
    by default), or a per-user temporary folder when that is not writable.
    """
    if environ.get("NUMBA_CACHE_DIR"):
        return None
    here = os.path.dirname(os.path.abspath(__file__))
    if is_writable(os.path.join(here, "transformers")):
        return None
    base = environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    user = getattr(os, "getuid", lambda: "user")()
    import tempfile

    for folder in (
        os.path.join(base, "rocketconv", "numba"),
        os.path.join(tempfile.gettempdir(), f"rocketconv-numba-{user}"),
    ):
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK | os.X_OK):
            return folder
    return None


# cache=True kernels need a writable cache: numba's own fallback (its
# user-wide folder) fails in some containers (read-only site-packages and
# HOME), and ``@njit(cache=True)`` then raises at import. Set before any
# rocketconv kernel is defined, so every dispatcher uses it.
_CACHE_DIR = _fallback_cache_dir()
if _CACHE_DIR is not None:
    import numba

    numba.config.CACHE_DIR = _CACHE_DIR
    os.environ["NUMBA_CACHE_DIR"] = _CACHE_DIR  # worker processes agree

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
