"""Root pytest configuration: doctest collection of optional-dependency modules.

``pytest`` collects the package's docstring examples (``--doctest-modules``
in pyproject.toml). ``rocketconv.interop`` imports sktime, an optional extra,
and raises ImportError without it, so it is collected only where sktime is
installed (the ``test`` extra installs it).
"""

import importlib.util
import os

# scikit-learn's check_array_api_input skips unless SciPy's array-API mode is
# on, and SciPy reads this once, at its first import: set it before any test
# module imports scipy, so that check runs instead of being skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

collect_ignore = []
if importlib.util.find_spec("sktime") is None:
    collect_ignore.append("rocketconv/interop.py")
