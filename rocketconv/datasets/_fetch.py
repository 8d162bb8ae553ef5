"""Downloading a UCR/UEA problem: ``fetch_ucr``.

The zip is streamed to a temporary name and renamed only when complete (and
its checksum matches, when one is given), then unzipped into a staging folder
and moved into place, so that an interrupted download or a hostile archive
never leaves a half-written problem or writes outside the data folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

from rocketconv.datasets._locations import (
    DataHome,
    _as_dirs,
    _cache_dir,
    _check_name,
    _env_dirs,
    _is_complete,
)
from rocketconv.datasets._parsing import PathLike

__all__ = ["fetch_ucr"]

DEFAULT_URL = "https://timeseriesclassification.com/aeon-toolkit/{name}.zip"
_DOWNLOAD_TIMEOUT = 60.0  # seconds without data before a download gives up
_CHUNK = 1 << 20


def _download_root(data_home: DataHome) -> Path:
    dirs = _as_dirs(data_home) or _env_dirs()
    return dirs[0] if dirs else _cache_dir()


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


def _extract_member(
    zip_file: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path
) -> None:
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
