"""Random-convolution transformers: Rocket, MiniRocket, MultiRocket, Hydra,
MultiRocketHydra (the names of ``rocketconv._registry``)."""

from __future__ import annotations

import importlib

from .._registry import ALGORITHMS

_PUBLIC = {
    algorithm.class_name: algorithm.module
    for algorithm in ALGORITHMS.values()
    if algorithm.is_transformer
}
__all__ = list(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
