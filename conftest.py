"""Root pytest configuration: doctest collection of optional-dependency modules.

``pytest`` collects the package's docstring examples (``--doctest-modules``
in pyproject.toml). ``rocketconv.interop`` imports sktime, an optional extra,
and raises ImportError without it, so it is collected only where sktime is
installed (the ``test`` extra installs it).
"""

import importlib.util

collect_ignore = []
if importlib.util.find_spec("sktime") is None:
    collect_ignore.append("rocketconv/interop.py")
