"""Where UCR/UEA problems are looked for, and which ones are there.

A problem ``<name>`` is a folder ``<root>/<name>/`` holding
``<name>_TRAIN.<ext>`` and ``<name>_TEST.<ext>``, the layout of the archives
themselves, so a user can point rocketconv at a full archive anywhere. The
roots searched, in order:

1. the ``data_home`` argument;
2. the folders in the ``ROCKETCONV_DATA`` environment variable (separated by
   ``os.pathsep``);
3. the problems bundled inside the package, ``rocketconv/datasets/bundled/``;
4. the ``fetch_ucr`` download cache (``$XDG_CACHE_HOME/rocketconv`` or
   ``~/.cache/rocketconv``).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rocketconv.datasets._parsing import PathLike

__all__ = ["list_datasets"]

# Preferred first when a problem is stored in several formats: .ts carries
# the most metadata (declared labels, lengths, channels).
EXTENSIONS = ("ts", "tsv", "arff")
SPLITS = ("train", "test")

DataHome = PathLike | Sequence[PathLike] | None

# Inside the package, so that a wheel and an editable install both carry it
# (pyproject.toml lists it as package data); never '..' outside the package,
# which in site-packages is some other project's folder.
_BUNDLED = Path(__file__).resolve().parent / "bundled"


def _cache_dir() -> Path:
    """fetch_ucr's default cache (platformdirs is not a dependency)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "rocketconv"


def _bundled_dirs() -> list[Path]:
    """The folders of the problems that ship with rocketconv."""
    return [_BUNDLED]


def _env_dirs() -> list[Path]:
    value = os.environ.get("ROCKETCONV_DATA", "")
    return [Path(entry).expanduser() for entry in value.split(os.pathsep) if entry]


def _as_dirs(data_home: DataHome) -> list[Path]:
    if data_home is None:
        return []
    if isinstance(data_home, str | os.PathLike):
        return [Path(data_home).expanduser()]
    return [Path(entry).expanduser() for entry in data_home]


def _search_roots(data_home: DataHome) -> list[tuple[Path, str]]:
    """(folder, where it comes from), in search order, without repeats."""
    roots = [(path, "data_home") for path in _as_dirs(data_home)]
    roots += [(path, "ROCKETCONV_DATA") for path in _env_dirs()]
    roots += [(path, "bundled") for path in _bundled_dirs()]
    roots.append((_cache_dir(), "fetch_ucr cache"))
    seen: set[Path] = set()
    unique = []
    for path, origin in roots:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((path, origin))
    return unique


def _check_name(name: Any) -> str:
    """A problem name is one folder name: no path tricks."""
    if not isinstance(name, str):
        raise TypeError(f"the dataset name must be a str, got {type(name).__name__}.")
    if (
        not name
        or name != name.strip()
        or name in (".", "..")
        or re.search(r"[/\\:\x00]", name)
    ):
        raise ValueError(
            f"invalid dataset name {name!r}: expected a plain name such as "
            "'GunPoint' (no path separators)."
        )
    return name


def _split_file(folder: Path, name: str, split: str) -> Path | None:
    """The file of one split, preferring .ts, then .tsv, then .arff."""
    for extension in EXTENSIONS:
        path = folder / f"{name}_{split.upper()}.{extension}"
        if path.is_file():
            return path
    return None


def _has_train(folder: Path) -> bool:
    return _split_file(folder, folder.name, "train") is not None


def _is_complete(folder: Path, name: str) -> bool:
    return all(_split_file(folder, name, split) for split in SPLITS)


def list_datasets(data_home: DataHome = None) -> list[str]:
    """Names of the problems found in all the search roots.

    A folder ``<root>/<name>/`` counts when it holds ``<name>_TRAIN.ts``,
    ``.tsv`` or ``.arff``. The roots are those of ``load_ucr``: ``data_home``,
    the ``ROCKETCONV_DATA`` folders, the bundled problems, the ``fetch_ucr``
    cache.

    Parameters
    ----------
    data_home : str, path-like or list of them, optional
        Folders searched first.

    Returns
    -------
    names : list of str
        Sorted, without repeats.

    Examples
    --------
    >>> from rocketconv.datasets import list_datasets
    >>> {"GunPoint", "BasicMotions"} <= set(list_datasets())
    True
    """
    names = set()
    for root, _ in _search_roots(data_home):
        if root.is_dir():
            names.update(
                child.name
                for child in root.iterdir()
                if child.is_dir() and _has_train(child)
            )
    return sorted(names)


def _locate(
    name: str, splits: tuple[str, ...], data_home: DataHome
) -> tuple[Path, dict[str, Path]]:
    """The first root whose ``<name>/`` folder has every requested split."""
    roots = _search_roots(data_home)
    incomplete = []
    for root, _ in roots:
        folder = root / name
        if not folder.is_dir():
            continue
        files = {split: _split_file(folder, name, split) for split in splits}
        if all(files.values()):
            return folder, files  # type: ignore[return-value]
        incomplete.append(folder)
    raise ValueError(_not_found_message(name, splits, roots, incomplete, data_home))


def _not_found_message(
    name: str,
    splits: Iterable[str],
    roots: list[tuple[Path, str]],
    incomplete: list[Path],
    data_home: DataHome,
) -> str:
    wanted = " and ".join(f"{name}_{split.upper()}.ts/.tsv/.arff" for split in splits)
    lines = [f"dataset {name!r} not found: looked for {name}/{wanted} in"]
    for root, origin in roots:
        note = "" if root.is_dir() else ", does not exist"
        lines.append(f"  - {root} ({origin}{note})")
    if not _env_dirs():
        lines.append("  (the ROCKETCONV_DATA environment variable is not set)")
    for folder in incomplete:
        lines.append(f"{folder} exists but lacks a requested split file.")
    names = list_datasets(data_home)
    same_case = [known for known in names if known.lower() == name.lower()]
    close = same_case + difflib.get_close_matches(name, names, n=5, cutoff=0.6)
    if close:
        lines.append(f"Did you mean: {', '.join(dict.fromkeys(close))}?")
    lines.append(
        f"Download it with fetch_ucr({name!r}), or point data_home or the "
        "ROCKETCONV_DATA environment variable at a folder holding the archive."
    )
    return "\n".join(lines)
