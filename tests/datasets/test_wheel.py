"""A wheel of the checkout works on its own: it carries the bundled problems,
and the main job runs from it with the checkout out of reach.

The wheel is built once (from a copy of the checkout, so that the build's
``build/`` and ``*.egg-info`` never land in the tree other runs share),
installed without dependencies into a temporary ``site`` folder, and used by
subprocesses whose ``PYTHONPATH`` is that folder and whose working directory
is elsewhere: the dependencies come from this interpreter's environment,
rocketconv itself only from the wheel.
"""

from __future__ import annotations

import csv
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUNDLED = ["BasicMotions", "GunPoint", "ItalyPowerDemand", "JapaneseVowels"]
BUNDLED_IN_WHEEL = "rocketconv/datasets/bundled"
# The command-line module, wherever the package keeps it (the benchmark
# subpackage is being renamed evaluation): the first one the wheel holds.
CLI_MODULES = ["rocketconv.evaluation.cli", "rocketconv.benchmark.cli"]

# Not copied for the build: version control, environments, caches and
# outputs; none of them is part of a wheel.
_NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "results",
)
# Building without isolation uses this environment's setuptools and needs
# its bdist_wheel command (the 'wheel' package, or setuptools >= 70.1);
# otherwise pip installs the build requirements from the index.
_HAS_BDIST_WHEEL = (
    "import importlib.util as u, sys; sys.exit(not (u.find_spec('wheel') or "
    "u.find_spec('setuptools.command.bdist_wheel')))"
)


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def _check(result: subprocess.CompletedProcess, what: str) -> None:
    assert result.returncode == 0, (
        f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )


def _build_wheel(source: Path, out: Path) -> Path:
    """Build a wheel of ``source`` into ``out``, offline when possible."""
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out)]
    if _run([sys.executable, "-c", _HAS_BDIST_WHEEL]).returncode == 0:
        command.append("--no-build-isolation")
    _check(_run([*command, str(source)], cwd=out.parent), "pip wheel")
    (wheel,) = out.glob("rocketconv-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """The wheel, and the folder it is installed into (no dependencies)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=_NOT_SOURCES)
    wheel = _build_wheel(source, tmp / "dist")
    site = tmp / "site"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile"]
    _check(_run([*install, "--target", str(site), str(wheel)]), "pip install")
    shutil.rmtree(source)
    return {"wheel": wheel, "site": site, "tmp": tmp}


def _python(installed: dict[str, Path], *args: str, cwd: Path):
    """Run this interpreter with rocketconv importable from the wheel only."""
    env = {k: v for k, v in os.environ.items() if k != "ROCKETCONV_DATA"}
    env["PYTHONPATH"] = str(installed["site"])
    # Nothing but the wheel may supply the data: no user cache either.
    env["XDG_CACHE_HOME"] = str(installed["tmp"] / "xdg-cache")
    cwd.mkdir(parents=True, exist_ok=True)
    return _run([sys.executable, *args], cwd=cwd, env=env, timeout=300)


def _cli_module(site: Path) -> str:
    for module in CLI_MODULES:
        if (site / Path(*module.split("."))).with_suffix(".py").is_file():
            return module
    raise AssertionError(f"the wheel holds none of {CLI_MODULES}")


def test_wheel_lists_the_bundled_data(installed):
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        names = set(wheel.namelist())
    assert f"{BUNDLED_IN_WHEEL}/SOURCES.md" in names
    for name in BUNDLED:
        split_files = [
            n
            for n in names
            if n.startswith(f"{BUNDLED_IN_WHEEL}/{name}/{name}_")
            and n.endswith((".ts", ".tsv"))
        ]
        assert len(split_files) == 2, (name, split_files)


def test_load_ucr_from_the_installed_wheel(installed):
    script = (
        "import json, rocketconv\n"
        "from rocketconv.datasets import list_datasets, load_ucr\n"
        "data = load_ucr('GunPoint', return_X_y=False)\n"
        "print(json.dumps({'module': rocketconv.__file__, 'path': str(data.path),\n"
        "    'train': data.X_train.shape, 'test': data.X_test.shape,\n"
        "    'names': list_datasets()}))\n"
    )
    result = _python(installed, "-c", script, cwd=installed["tmp"] / "run-load")
    _check(result, "load_ucr from the wheel")
    found = json.loads(result.stdout)
    site = installed["site"].resolve()
    # Imported from the wheel, not from the checkout.
    assert Path(found["module"]).resolve().is_relative_to(site), found["module"]
    assert Path(found["path"]).resolve().is_relative_to(site), found["path"]
    assert found["train"] == [50, 1, 150] and found["test"] == [150, 1, 150]
    assert set(BUNDLED) <= set(found["names"])


def test_main_job_runs_from_the_installed_wheel(installed):
    site, out = installed["site"], installed["tmp"] / "out"
    job = ["benchmark", "--datasets", "GunPoint,ItalyPowerDemand", "--out", str(out)]
    result = _python(
        installed, "-m", _cli_module(site), *job, cwd=installed["tmp"] / "run-cli"
    )
    _check(result, "the main job from the wheel")
    with open(out / "summary.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    done = {row["dataset"] for row in rows if row.get("status") == "ok"}
    assert {"GunPoint", "ItalyPowerDemand"} <= done, rows
    predictions = sorted(p.parent.name for p in out.glob("*/Predictions/*/*.csv"))
    assert {"GunPoint", "ItalyPowerDemand"} <= set(predictions)


def test_console_script_is_in_the_wheel(installed):
    """The ``rocketconv`` command names a module that the wheel holds."""
    (dist,) = importlib.metadata.distributions(path=[str(installed["site"])])
    (script,) = [ep for ep in dist.entry_points if ep.name == "rocketconv"]
    assert script.group == "console_scripts"
    module = installed["site"] / Path(*script.module.split("."))
    assert module.with_suffix(".py").is_file(), script.value
