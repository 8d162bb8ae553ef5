"""Finding, loading and downloading UCR/UEA archive problems by name.

A problem ``<name>`` is a folder ``<root>/<name>/`` holding
``<name>_TRAIN.<ext>`` and ``<name>_TEST.<ext>``, the layout of the archives
themselves, so a user can point rocketconv at a full archive anywhere. The
roots searched, in order:

1. the ``data_home`` argument;
2. the folders in the ``ROCKETCONV_DATA`` environment variable (separated by
   ``os.pathsep``);
3. the bundled ``datasets/`` folder at the top of the repository (and
   ``rocketconv/_bundled_datasets/`` when a build ships one);
4. the ``fetch_ucr`` download cache (``$XDG_CACHE_HOME/rocketconv`` or
   ``~/.cache/rocketconv``).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import shutil
import stat
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from sklearn.utils import Bunch

from rocketconv.datasets._readers import Cases, PathLike, load_arff, load_ts, load_tsv

__all__ = ["load_ucr", "list_datasets", "fetch_ucr"]

# Preferred first when a problem is stored in several formats: .ts carries
# the most metadata (declared labels, lengths, channels).
_READERS: dict[str, Callable[[PathLike], tuple[Cases, np.ndarray | None]]] = {
    "ts": load_ts,
    "tsv": load_tsv,
    "arff": load_arff,
}
_SPLITS = ("train", "test")
DEFAULT_URL = "https://timeseriesclassification.com/aeon-toolkit/{name}.zip"
_DOWNLOAD_TIMEOUT = 60.0  # seconds without data before a download gives up
_CHUNK = 1 << 20

DataHome = PathLike | Sequence[PathLike] | None


# --------------------------------------------------------------------------
# Where problems are looked for
# --------------------------------------------------------------------------


def _cache_dir() -> Path:
    """fetch_ucr's default cache (platformdirs is not a dependency)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "rocketconv"


def _bundled_dirs() -> list[Path]:
    package = Path(__file__).resolve().parents[1]  # the rocketconv/ folder
    top = package.parent / "datasets"
    # Installed into site-packages, '../datasets' may be some other package
    # (Hugging Face's is called 'datasets'): never take a package for ours.
    dirs = [] if (top / "__init__.py").exists() else [top]
    return [*dirs, package / "_bundled_datasets"]


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
    for extension in _READERS:
        path = folder / f"{name}_{split.upper()}.{extension}"
        if path.is_file():
            return path
    return None


def _has_train(folder: Path) -> bool:
    return _split_file(folder, folder.name, "train") is not None


# --------------------------------------------------------------------------
# list_datasets and load_ucr
# --------------------------------------------------------------------------


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


def _check_split(split: str | None) -> tuple[str, ...]:
    if split is None:
        return _SPLITS
    if isinstance(split, str) and split.lower() in _SPLITS:
        return (split.lower(),)
    raise ValueError(f"split must be 'train', 'test' or None, got {split!r}.")


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


def _read(path: Path) -> tuple[Cases, np.ndarray | None]:
    return _READERS[path.suffix[1:]](path)


def _concatenate_X(first: Cases, second: Cases) -> Cases:
    """Train then test: one array when the shapes allow it, else a list."""
    if (
        isinstance(first, np.ndarray)
        and isinstance(second, np.ndarray)
        and first.shape[1:] == second.shape[1:]
    ):
        return np.concatenate([first, second])
    cases = list(first) + list(second)
    channels = {case.shape[0] for case in cases}
    if len(channels) > 1:
        raise ValueError(
            f"the train and test files have different numbers of channels "
            f"{sorted(channels)}; they cannot be concatenated."
        )
    return cases


def _concatenate_y(first: np.ndarray | None, second: np.ndarray | None):
    if first is None and second is None:
        return None
    if first is None or second is None:
        raise ValueError("one split has labels and the other has none.")
    return np.concatenate([first, second])


def load_ucr(
    name: str,
    *,
    split: str | None = None,
    data_home: DataHome = None,
    return_X_y: bool = True,
):
    """Load a UCR/UEA archive problem by name.

    Looks for ``<root>/<name>/<name>_TRAIN.<ext>`` and ``_TEST.<ext>`` in
    ``data_home``, then the ``ROCKETCONV_DATA`` folders (separated by
    ``os.pathsep``), then the bundled problems (GunPoint, ItalyPowerDemand,
    BasicMotions, JapaneseVowels), then the ``fetch_ucr`` cache. When a
    problem is stored in several formats, ``.ts`` is read first, then
    ``.tsv``, then ``.arff``.

    Parameters
    ----------
    name : str
        The problem's name, e.g. ``"GunPoint"`` (case-sensitive, as the
        archive spells it).
    split : {"train", "test"} or None, default=None
        One split, or (None) train and test concatenated, train first, as
        aeon and sktime do. Case-insensitive.
    data_home : str, path-like or list of them, optional
        Folders searched first.
    return_X_y : bool, default=True
        Return ``(X, y)``; when False, return a ``sklearn.utils.Bunch``.

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timepoints) or list of ndarray
        float64; a list of ``(n_channels, n_timepoints_i)`` arrays when the
        lengths differ.
    y : ndarray or None
        Labels as written in the file (str); float targets for regression
        problems.
    data : sklearn.utils.Bunch
        When ``return_X_y=False``, with attributes ``X_train``, ``y_train``,
        ``X_test``, ``y_test`` (None for a split not loaded), ``X`` and ``y``
        (the requested split, or both concatenated when ``split=None``),
        ``name``, ``split``, ``path`` (the problem's folder, a
        ``pathlib.Path``) and ``files`` (split -> file read).

    Raises
    ------
    ValueError
        When the problem is not found (the message lists the folders searched
        and close names), or a file is malformed.

    Examples
    --------
    >>> from rocketconv.datasets import load_ucr
    >>> X, y = load_ucr("GunPoint", split="train")
    >>> X.shape, y[:4]
    ((50, 1, 150), array(['2', '2', '1', '1'], dtype='<U1'))
    >>> X, y = load_ucr("JapaneseVowels")  # unequal length: a list
    >>> len(X), X[0].shape
    (640, (12, 20))
    >>> data = load_ucr("BasicMotions", return_X_y=False)
    >>> data.X_train.shape, data.X_test.shape, data.X.shape
    ((40, 6, 100), (40, 6, 100), (80, 6, 100))
    """
    name = _check_name(name)
    splits = _check_split(split)
    folder, files = _locate(name, splits, data_home)
    loaded = {s: _read(files[s]) for s in splits}
    if len(splits) == 2:
        X = _concatenate_X(loaded["train"][0], loaded["test"][0])
        y = _concatenate_y(loaded["train"][1], loaded["test"][1])
    else:
        X, y = loaded[splits[0]]
    if return_X_y:
        return X, y
    data = Bunch(X=X, y=y, name=name, split=splits[0] if split else None)
    data.update(path=folder, files=files)
    for s in _SPLITS:
        data[f"X_{s}"], data[f"y_{s}"] = loaded.get(s, (None, None))
    return data


# --------------------------------------------------------------------------
# fetch_ucr
# --------------------------------------------------------------------------


def _download_root(data_home: DataHome) -> Path:
    dirs = _as_dirs(data_home) or _env_dirs()
    return dirs[0] if dirs else _cache_dir()


def _is_complete(folder: Path, name: str) -> bool:
    return all(_split_file(folder, name, split) for split in _SPLITS)


def fetch_ucr(
    name: str,
    *,
    data_home: PathLike | None = None,
    url: str | None = None,
    sha256: str | None = None,
    force: bool = False,
) -> Path:
    """Download a UCR/UEA problem and unzip it into the data folder.

    The zip (by default from the aeon-toolkit copy of the archive at
    timeseriesclassification.com) is streamed to a temporary name, checked
    against ``sha256`` when given, renamed, and unzipped safely: members with
    absolute paths, ``..`` or symbolic links are refused, so an archive can
    never write outside the target folder. Zips with the files at the top or
    under a folder are both accepted. Nothing is downloaded when the problem
    is already there, unless ``force``.

    Parameters
    ----------
    name : str
        The problem's name, e.g. ``"GunPoint"``.
    data_home : str or path-like, optional
        Where to store it; default: the first ``ROCKETCONV_DATA`` folder,
        else ``$XDG_CACHE_HOME/rocketconv`` or ``~/.cache/rocketconv``.
        ``load_ucr`` searches all of these.
    url : str, optional
        Where to download from (``http(s)://`` or ``file://``); default
        ``https://timeseriesclassification.com/aeon-toolkit/{name}.zip``.
    sha256 : str, optional
        Expected SHA-256 of the zip (hex); on a mismatch the download is
        deleted and a ValueError raised.
    force : bool, default=False
        Download again and replace the folder even when present.

    Returns
    -------
    folder : pathlib.Path
        ``<data folder>/<name>``, holding ``<name>_TRAIN.*`` and ``_TEST.*``.

    Raises
    ------
    ConnectionError
        When the download fails (no network, HTTP error).
    ValueError
        On a checksum mismatch, a file that is not a zip, an unsafe zip
        member, or a zip without ``<name>_TRAIN`` data.

    Examples
    --------
    ``fetch_ucr("Beef")`` downloads Beef; then ``load_ucr("Beef")`` finds it.
    Offline, from a local zip (here one made of a bundled problem):

    >>> import pathlib, shutil, tempfile
    >>> from rocketconv.datasets import fetch_ucr, load_ucr
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> bundled = load_ucr("ItalyPowerDemand", return_X_y=False).path
    >>> zipped = shutil.make_archive(str(tmp / "ItalyPowerDemand"), "zip", bundled)
    >>> folder = fetch_ucr("ItalyPowerDemand", data_home=tmp / "data",
    ...                    url=pathlib.Path(zipped).as_uri())
    >>> sorted(p.name for p in folder.iterdir())
    ['ItalyPowerDemand_TEST.tsv', 'ItalyPowerDemand_TRAIN.tsv']
    >>> data = load_ucr("ItalyPowerDemand", data_home=tmp / "data", return_X_y=False)
    >>> data.path == folder, data.X_test.shape
    (True, (1029, 1, 24))
    >>> fetch_ucr("ItalyPowerDemand", data_home=tmp / "data") == folder  # no download
    True
    >>> shutil.rmtree(tmp)
    """
    name = _check_name(name)
    if sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise ValueError(f"sha256 must be 64 hexadecimal digits, got {sha256!r}.")
    root = _download_root(data_home)
    target = root / name
    if not force and _is_complete(target, name):
        return target
    root.mkdir(parents=True, exist_ok=True)
    url = url or DEFAULT_URL.format(name=name)
    archive = _download(url, root, name, sha256)
    try:
        _extract(archive, url, root, name, target, force)
    finally:
        archive.unlink(missing_ok=True)
    return target


def _download(url: str, root: Path, name: str, sha256: str | None) -> Path:
    """Stream ``url`` to ``root/<name>.zip``; a failed download leaves no file."""
    handle, partial = tempfile.mkstemp(prefix=f".{name}-", suffix=".zip.part", dir=root)
    partial_path = Path(partial)
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT) as response:
                    while chunk := response.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                reason = getattr(error, "reason", error)
                raise ConnectionError(
                    f"could not download {url}: {reason}. Without network access, "
                    f"download the zip elsewhere and unzip it into {root / name}/ "
                    "(or any folder listed in ROCKETCONV_DATA)."
                ) from error
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise ValueError(
                f"checksum mismatch for {url}: expected sha256 {sha256.lower()}, "
                f"got {digest.hexdigest()}; the download was deleted."
            )
        archive = root / f"{name}.zip"
        os.replace(partial_path, archive)  # atomic: never a half-written zip
        return archive
    finally:
        partial_path.unlink(missing_ok=True)


def _safe_parts(info: zipfile.ZipInfo, source: str) -> tuple[str, ...] | None:
    """The member's path parts, or None for macOS metadata; unsafe -> error."""
    member = info.filename.replace("\\", "/")
    parts = PurePosixPath(member).parts
    if member.startswith("/") or re.match(r"[A-Za-z]:", member) or ".." in parts:
        raise ValueError(
            f"unsafe zip from {source}: member {info.filename!r} would be written "
            "outside the target folder (absolute path or '..'); nothing was "
            "extracted."
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ValueError(
            f"unsafe zip from {source}: member {info.filename!r} is a symbolic "
            "link; nothing was extracted."
        )
    if not parts or parts[0] == "__MACOSX" or parts[-1].startswith("._"):
        return None
    return parts


def _extract(
    archive: Path, source: str, root: Path, name: str, target: Path, force: bool
) -> None:
    """Unzip into a staging folder, then move the problem's folder into place."""
    try:
        zip_file = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise ValueError(
            f"the file downloaded from {source} is not a zip archive."
        ) from None
    with zip_file:
        # Check every member before writing anything.
        members = [(info, _safe_parts(info, source)) for info in zip_file.infolist()]
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
        try:
            for info, parts in members:
                if parts is not None:
                    _extract_member(zip_file, info, staging.joinpath(*parts))
            folder = _problem_folder(staging, name, source, zip_file)
            if target.exists():
                if not force and _is_complete(target, name):
                    return  # another process unzipped it meanwhile
                shutil.rmtree(target)
            os.replace(folder, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _extract_member(zip_file: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path):
    if info.is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zip_file.open(info) as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out, _CHUNK)


def _problem_folder(
    staging: Path, name: str, source: str, zip_file: zipfile.ZipFile
) -> Path:
    """The extracted folder holding ``<name>_TRAIN.*`` (shallowest first)."""
    found = sorted(
        (
            path
            for path in staging.rglob(f"{name}_TRAIN.*")
            if _is_complete(path.parent, name)
        ),
        key=lambda path: len(path.parts),
    )
    if not found:
        names = zip_file.namelist()
        listed = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise ValueError(
            f"the zip from {source} holds no {name}_TRAIN and {name}_TEST "
            f".ts/.tsv/.arff files (it holds: {listed})."
        )
    return found[0].parent
