"""A torch-free InceptionTime in numpy and numba.

Modules, by idea:

* ``_kernels``: the numba kernels (im2col, col2im, max-pool, BatchNorm's
  training passes, the Adam step);
* ``conv``: the convolutions (one im2col, then one product, or one per
  ring of taps);
* ``layers``: the other layers, with hand-written forward and backward
  passes, and their base class;
* ``network``: one Inception network (modules, shortcuts, flat buffers);
* ``optim``: Adam and the reduce-on-plateau schedule;
* ``training``: epochs, mini-batches, the best-epoch checkpoint, the
  BatchNorm recalibration;
* ``inceptiontime``: the scikit-learn ensemble estimator.
"""

from __future__ import annotations

import importlib

__all__ = ["InceptionTimeClassifier", "InceptionNetwork"]

_HOMES = {"InceptionTimeClassifier": ".inceptiontime", "InceptionNetwork": ".network"}


def __getattr__(name: str) -> type:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
