"""Random-convolution transformers: Rocket, MiniRocket, MultiRocket, Hydra."""

from __future__ import annotations

import importlib

_PUBLIC = {
    "Rocket": "rocketconv.transformers.rocket",
    "MiniRocket": "rocketconv.transformers.minirocket",
    "MultiRocket": "rocketconv.transformers.multirocket",
    "Hydra": "rocketconv.transformers.hydra",
}
__all__ = list(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
