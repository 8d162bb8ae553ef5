"""Execute every notebook in notebooks/ top to bottom, with small settings.

``ROCKETCONV_NOTEBOOK_MODE=ci`` makes ``notebooks/_settings.py`` pick the
small settings; the committed outputs come from the full settings. The
notebooks are executed in memory (the committed files are not rewritten).
Notebook 6 needs the espeak-ng speech synthesiser (``.ci/run`` installs it);
without it the notebook stops with a message that says how to install it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = [
    "01_quickstart.ipynb",
    "02_how_the_convolutions_work.ipynb",
    "03_rocket_family_vs_inceptiontime.ipynb",
    "04_multivariate_and_unequal_length.ipynb",
    "05_scaling.ipynb",
    "06_spoken_digits.ipynb",
    "07_explanations.ipynb",
]
# seconds per cell; a whole notebook takes well under a minute in CI mode on
# 2 idle cores, so this only catches hangs
CELL_TIMEOUT = 300


def test_every_notebook_is_listed():
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")) == sorted(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_has_outputs(name):
    """Committed with the outputs of a full run: every code cell executed,
    in order, without errors, and figures embedded."""
    nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.get("execution_count") for c in code]
    assert None not in counts, f"{name}: cells not executed"
    assert counts == sorted(counts), f"{name}: cells executed out of order"
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"], f"{name}: error output"
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{name}: no figure"
    text = "".join(o.get("text", "") for o in outputs)
    assert "settings: ci" not in text, f"{name}: committed with CI settings"


def test_committed_notebooks_are_small():
    total = sum((NOTEBOOKS_DIR / name).stat().st_size for name in NOTEBOOKS)
    assert total < 3 * 2**20, f"notebooks take {total / 2**20:.1f} MB"


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs(name, monkeypatch):
    monkeypatch.setenv("ROCKETCONV_NOTEBOOK_MODE", "ci")  # inherited by the kernel
    nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError with the failing cell
    elapsed = time.perf_counter() - start
    text = "".join(
        o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    assert "settings: ci" in text, "the notebook did not pick the CI settings"
    print(f"{name}: {elapsed:.0f} s")
