"""Where a ROCKET-family classifier looks: exact timepoint attributions,
feature provenance, and a plot.

* :func:`explain` (also ``RocketClassifier.explain``): for each case, the
  decision function split over the (channel, timepoint) cells of the input,
  exactly: the attributions plus :func:`attribution_baseline` sum to
  ``decision_function``.
* :func:`feature_info` (also ``transformer.feature_info()``): one row per
  feature, saying which kernel, dilation, padding, bias, channels,
  representation and pooling operator made it.
* :func:`plot_attributions`: a series coloured by its attributions (needs
  matplotlib, the ``plots`` extra; imported only when called).

The convention is documented in the user guide ("Explaining predictions").

Examples
--------
>>> import numpy as np
>>> from rocketconv import RocketClassifier
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(20, 1, 40))
>>> y = np.repeat([0, 1], 10)
>>> X[y == 1, 0, 15:20] += 3.0  # class 1: a bump at t = 15..19
>>> clf = RocketClassifier(random_state=0).fit(X, y)
>>> attributions = clf.explain(X[:3])
>>> attributions.shape  # (cases, outputs, channels, timepoints)
(3, 1, 1, 40)
>>> total = attributions.sum(axis=(2, 3))[:, 0] + clf.attribution_baseline_[0]
>>> bool(np.allclose(total, clf.decision_function(X[:3]), atol=1e-5))
True
"""

from __future__ import annotations

from ._attribution import attribution_baseline, explain
from ._provenance import feature_info
from .plots import plot_attributions

__all__ = ["attribution_baseline", "explain", "feature_info", "plot_attributions"]
