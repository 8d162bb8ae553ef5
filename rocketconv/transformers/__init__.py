"""Random-convolution transformers: Rocket, MiniRocket, MultiRocket, Hydra,
MultiRocketHydra (the names of ``rocketconv._registry``)."""

from __future__ import annotations

import importlib

from .._registry import ALGORITHMS

# class name: module; a transformer always names both (only published-results
# entries name neither)
_PUBLIC: dict[str, str] = {
    algorithm.class_name: algorithm.module
    for algorithm in ALGORITHMS.values()
    if algorithm.is_transformer
    and algorithm.class_name is not None
    and algorithm.module is not None
}
__all__ = list(_PUBLIC)


def __getattr__(name: str) -> type:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
