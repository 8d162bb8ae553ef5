"""The release files of the checkout work on their own: ``python -m build``
makes an sdist and, from that sdist, a wheel; both carry the bundled problems,
and the main job runs from each with the checkout out of reach.

They are built once (from a copy of the checkout, so that the build's
``build/`` and ``*.egg-info`` never land in the tree other runs share). The
wheel is installed without dependencies into a temporary ``site`` folder;
the sdist is installed the way pip installs one (a wheel built from it,
without build isolation, so offline) into ``site-sdist``. Subprocesses whose
``PYTHONPATH`` is one of those folders and whose working directory is
elsewhere use them: the dependencies come from this interpreter's
environment, rocketconv itself only from the release file.

CI time: one build, two ``--no-deps`` installs and no new virtual
environment; the README's main job (GunPoint, ItalyPowerDemand,
BasicMotions) is split between them, GunPoint and ItalyPowerDemand from the
wheel and BasicMotions from the sdist, whose installed files are checked to
be byte-identical to the wheel's.
"""

from __future__ import annotations

import csv
import filecmp
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tarfile
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


def _offline() -> list[str]:
    """Build without isolation (this environment's setuptools) when it can."""
    if _run([sys.executable, "-c", _HAS_BDIST_WHEEL]).returncode == 0:
        return ["--no-isolation"]
    return []


def _build(source: Path, out: Path) -> tuple[Path, Path]:
    """``python -m build`` of ``source`` into ``out``: the sdist, then the
    wheel built from that sdist."""
    command = [sys.executable, "-m", "build", *_offline(), "--outdir", str(out)]
    _check(_run([*command, str(source)], cwd=out.parent), "python -m build")
    (sdist,) = out.glob("rocketconv-*.tar.gz")
    (wheel,) = out.glob("rocketconv-*.whl")
    return sdist, wheel


def _install(release: Path, site: Path) -> None:
    """pip install ``release`` (wheel or sdist) into ``site``, no dependencies."""
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile"]
    if release.suffix != ".whl" and _offline():
        command.append("--no-build-isolation")
    _check(_run([*command, "--target", str(site), str(release)]), "pip install")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel, and the folders they are installed into."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=_NOT_SOURCES)
    sdist, wheel = _build(source, tmp / "dist")
    shutil.rmtree(source)
    _install(wheel, tmp / "site")
    _install(sdist, tmp / "site-sdist")
    return {
        "sdist": sdist,
        "wheel": wheel,
        "site": tmp / "site",
        "site-sdist": tmp / "site-sdist",
        "tmp": tmp,
    }


def _python(installed: dict[str, Path], *args: str, cwd: Path, site: str = "site"):
    """Run this interpreter with rocketconv importable from one release file
    only (``site``: "site" for the wheel, "site-sdist" for the sdist)."""
    env = {k: v for k, v in os.environ.items() if k != "ROCKETCONV_DATA"}
    env["PYTHONPATH"] = str(installed[site])
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


def _main_job(installed: dict[str, Path], site: str, datasets: list[str]) -> None:
    """``rocketconv benchmark --datasets ...`` from one release file: every
    dataset finished, with its predictions file."""
    out = installed["tmp"] / f"out-{site}"
    job = ["benchmark", "--datasets", ",".join(datasets), "--out", str(out)]
    module = _cli_module(installed[site])
    cwd = installed["tmp"] / f"run-cli-{site}"
    result = _python(installed, "-m", module, *job, cwd=cwd, site=site)
    _check(result, f"the main job from {site}")
    with open(out / "summary.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    done = {row["dataset"] for row in rows if row.get("status") == "ok"}
    assert set(datasets) <= done, rows
    predictions = sorted(p.parent.name for p in out.glob("*/Predictions/*/*.csv"))
    assert set(datasets) <= set(predictions)


def test_main_job_runs_from_the_installed_wheel(installed):
    _main_job(installed, "site", ["GunPoint", "ItalyPowerDemand"])


def test_main_job_runs_from_the_installed_sdist(installed):
    _main_job(installed, "site-sdist", ["BasicMotions"])


def _package_files(site: Path) -> dict[str, Path]:
    """The installed package's files by relative path (no metadata, caches)."""
    root = site / "rocketconv"
    return {
        str(path.relative_to(root)): path
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_sdist_installs_the_same_files_as_the_wheel(installed):
    """What pip installs from the sdist is the wheel's package, byte for byte
    (so the wheel's tests hold for the sdist too)."""
    from_wheel = _package_files(installed["site"])
    from_sdist = _package_files(installed["site-sdist"])
    assert sorted(from_sdist) == sorted(from_wheel)
    differ = [
        name
        for name, path in from_sdist.items()
        if not filecmp.cmp(path, from_wheel[name], shallow=False)
    ]
    assert not differ, differ


def test_sdist_has_what_a_build_needs_and_no_bloat(installed):
    with tarfile.open(installed["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for needed in (
        "pyproject.toml",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "rocketconv/py.typed",
        "rocketconv/datasets/bundled/SOURCES.md",
        "rocketconv/datasets/bundled/GunPoint/GunPoint_TRAIN.tsv",
        "rocketconv/datasets/bundled/BasicMotions/BasicMotions_TEST.ts",
        "rocketconv/evaluation/published/authors.csv",
        "tests/datasets/test_wheel.py",
    ):
        assert needed in names, needed
    top = {name.split("/", 1)[0] for name in names}
    for unwanted in (".venv", ".git", "benchmarks", "docs", "notebooks", "dist"):
        assert unwanted not in top, (unwanted, sorted(top))
    cached = [n for n in names if "__pycache__" in n or n.endswith((".nbc", ".pyc"))]
    assert not cached, cached[:5]


def test_console_script_is_in_the_wheel(installed):
    """The ``rocketconv`` command names a module that the wheel holds."""
    (dist,) = importlib.metadata.distributions(path=[str(installed["site"])])
    (script,) = [ep for ep in dist.entry_points if ep.name == "rocketconv"]
    assert script.group == "console_scripts"
    module = installed["site"] / Path(*script.module.split("."))
    assert module.with_suffix(".py").is_file(), script.value
