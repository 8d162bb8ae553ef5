"""The package type-checks, and says so to its users.

``python -m mypy`` runs with the ``[tool.mypy]`` settings of pyproject.toml
in a subprocess (``files = ["rocketconv"]``; every function body checked,
``check_untyped_defs``; ``disallow_incomplete_defs`` except in the modules
listed there; stub-less third-party modules ignored), with a fresh cache in
a temporary folder so that concurrent runs never share one.
``rocketconv/py.typed`` (PEP 561) tells type checkers that the installed
package's annotations are meant to be used; it is package data, so wheels
carry it (tests/test_wheel.py builds one).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# about 30 s with a cold cache on 2 shared cores; this only catches hangs
MYPY_TIMEOUT = 900


def test_mypy_passes(tmp_path):
    pytest.importorskip("mypy")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy_cache")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=MYPY_TIMEOUT,
    )
    assert proc.returncode == 0, f"mypy failed:\n{proc.stdout[-8000:]}{proc.stderr}"


def test_py_typed_is_shipped():
    assert (REPO / "rocketconv" / "py.typed").is_file()
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    package_data = pyproject.split("[tool.setuptools.package-data]", 1)[1]
    line = re.search(r'^"rocketconv"\s*=\s*\[([^\]]*)\]', package_data, re.M)
    assert line and '"py.typed"' in line.group(1)
