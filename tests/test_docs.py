"""The documentation site builds without a warning and has the pages it must.

The build is the documented command, ``sphinx-build -W --keep-going -b html
docs <out>``, run in a subprocess into a temporary folder (once for the
module). Warnings are errors, so a broken cross-reference, a page left out of
every toctree or a docstring numpydoc cannot parse fails here. The notebooks
are rendered from their committed outputs, never executed.

The build writes its generated sources into the checkout (autosummary's
``docs/api/generated/`` and the notebook copies in ``docs/notebooks/``, both
ignored by git), as every Sphinx build does; the HTML goes to the temporary
folder only.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")
pytest.importorskip("numpydoc")
pytest.importorskip("pydata_sphinx_theme")

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
# the build takes about 30 s on 2 shared cores; this only catches hangs
BUILD_TIMEOUT = 600


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    html = out / "html"
    # never a previous build's state: a fresh doctree folder too
    args = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-d",
        str(out / "doctrees"),
        str(DOCS),
        str(html),
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    proc = subprocess.run(
        args,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        env=env,
    )
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, (
        f"sphinx-build failed (exit {proc.returncode}, {seconds:.0f} s):\n"
        f"{proc.stderr[-6000:]}\n--- stdout ---\n{proc.stdout[-3000:]}"
    )
    return html


def _public_api() -> list[str]:
    """Every public name the API reference must have a page for:
    ``rocketconv.__all__``, ``rocketconv.datasets.__all__``,
    ``rocketconv.calibration.__all__`` and the ``__all__`` of every public
    module of the evaluation package (``rocketconv.evaluation``, formerly
    ``rocketconv.benchmark``)."""
    names = []
    for module_name in ["rocketconv", "rocketconv.datasets", "rocketconv.calibration"]:
        module = importlib.import_module(module_name)
        names += [f"{module_name}.{n}" for n in module.__all__ if not n.startswith("_")]
    for package_name in ["rocketconv.evaluation", "rocketconv.benchmark"]:
        try:
            package = importlib.import_module(package_name)
        except ImportError:
            continue
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            module_name = f"{package_name}.{info.name}"
            module = importlib.import_module(module_name)
            exported = getattr(module, "__all__", None)
            assert exported is not None, f"{module_name} has no __all__"
            names += [f"{module_name}.{n}" for n in exported]
    return names


def test_every_public_name_has_a_page(site):
    """A class or function has its own page; a constant is documented on
    its module's page."""
    api = site / "api" / "generated"
    names = _public_api()
    assert "rocketconv.RocketClassifier" in names
    assert "rocketconv.calibration.TemperatureScaler" in names
    assert "rocketconv.datasets.load_ucr" in names
    missing = []
    for name in names:
        module_name, attr = name.rsplit(".", 1)
        value = getattr(importlib.import_module(module_name), attr)
        if inspect.isclass(value) or callable(value):
            if not (api / f"{name}.html").is_file():
                missing.append(name)
        else:
            module_page = (api / f"{module_name}.html").read_text(encoding="utf-8")
            if f'id="{name}"' not in module_page:
                missing.append(name)
    assert not missing, f"no API page for {missing}"


def test_rocket_classifier_page(site):
    page = (site / "api" / "generated" / "rocketconv.RocketClassifier.html").read_text(
        encoding="utf-8"
    )
    # the signature, the numpydoc sections and the methods, from the docstrings
    assert 'id="rocketconv.RocketClassifier"' in page
    for text in ["Parameters", "transformer", "Attributes", "Examples"]:
        assert text in page, text
    for method in ["fit", "predict", "predict_proba"]:
        assert f'id="rocketconv.RocketClassifier.{method}"' in page, method


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_rendered_with_its_figures(site, notebook):
    page = site / "notebooks" / f"{notebook.stem}.html"
    assert page.is_file(), f"{notebook.name} is not rendered"
    html = page.read_text(encoding="utf-8")
    images = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert images, f"{notebook.name}: no figure in the rendered page"
    for src in images:
        assert (page.parent / src).is_file(), f"{notebook.name}: {src} missing"
    # committed outputs, not a re-run: the first output names the settings
    assert "settings: full" in html


def test_notebooks_are_listed(site):
    index = (site / "notebooks" / "index.html").read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        assert f'href="{notebook.stem}.html"' in index, notebook.name


def test_guide_and_results_pages_are_in_the_site(site):
    pages = sorted((DOCS / "user_guide").glob("*.md")) + sorted(
        (DOCS / "results").glob("*.md")
    )
    for page in pages:
        html = site / page.parent.name / f"{page.stem}.html"
        assert html.is_file(), f"{page.relative_to(REPO)} is not in the site"
    home = (site / "index.html").read_text(encoding="utf-8")
    for hub in ["getting_started", "user_guide", "results", "api/index", "changelog"]:
        assert f'href="{hub}.html"' in home, hub


def test_pages_carry_the_version(site):
    import rocketconv

    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"rocketconv {rocketconv.__version__}" in home


def _pyproject_version() -> str:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]
    match = re.search(r'^version\s*=\s*"([^"]+)"', project, re.M)
    assert match, "no version in [project]"
    return match.group(1)


def test_version_has_one_source():
    """pyproject's version is the installed metadata's and
    ``rocketconv.__version__`` (reinstall after changing it)."""
    import rocketconv

    assert rocketconv.__version__ == _pyproject_version()


def test_command_line_prints_the_version(capsys):
    """``rocketconv --version``, through the installed console script's entry
    point."""
    from importlib.metadata import entry_points

    import rocketconv

    (script,) = entry_points(group="console_scripts", name="rocketconv")
    with pytest.raises(SystemExit) as exit_info:
        script.load()(["--version"])
    assert exit_info.value.code in (0, None)
    assert rocketconv.__version__ in capsys.readouterr().out


def test_changelog_covers_the_version():
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[?{re.escape(_pyproject_version())}\]?", changelog, re.M)


@pytest.mark.parametrize("name", ["Rocket", "MiniRocket", "MultiRocket", "Hydra"])
def test_transformer_pages_list_the_inherited_methods(site, name):
    # fit/transform/feature_info live in BaseConvolutionTransformer: the
    # class template must document inherited members (not sklearn's own)
    page = (site / "api" / "generated" / f"rocketconv.{name}.html").read_text(
        encoding="utf-8"
    )
    for method in ["fit", "transform", "feature_info", "get_feature_names_out"]:
        assert f'id="rocketconv.{name}.{method}"' in page, method
    assert f'id="rocketconv.{name}.set_params"' not in page
