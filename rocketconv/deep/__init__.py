"""A torch-free InceptionTime: numpy layers with hand-written backward passes
(``layers``), Adam and the plateau schedule (``optim``), and the network and
scikit-learn ensemble estimator (``inceptiontime``)."""

from __future__ import annotations

import importlib

__all__ = ["InceptionTimeClassifier", "InceptionNetwork"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module(".inceptiontime", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
