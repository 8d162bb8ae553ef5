"""What the readers of the three formats share: text, numbers and errors.

Every reader is strict: a problem on a line is a ``ValueError`` that names the
file, the 1-based line number and what is wrong, so that a corrupt download
never turns silently into different data. The per-line parsers raise
``_LineError`` with just the "what is wrong"; the reader's loop adds the file
and the line number (``_fail``).

Every reader returns ``(X, y)``: ``X`` a float64 array ``(n_cases, n_channels,
n_timepoints)``, or a list of ``(n_channels, n_timepoints_i)`` arrays when the
lengths differ (``_assemble``); ``y`` an array of the labels as written
(str), float targets for regression files, or None when the file has no
labels.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import numpy as np

PathLike = str | os.PathLike
Cases = np.ndarray | list[np.ndarray]

# A number as the archives write it. Python's float() alone is not strict
# enough: it accepts '1_0' (= 10.0), so a corrupted file could parse silently.
# Each number must match in one way only ('\d+(?:\.\d*)?', not '\d+\.?\d*'):
# an ambiguous pattern, repeated over a long line, backtracks exponentially
# when the line is bad, and the reader would hang.
_NUMBER = r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?|nan)"
_NUMBER_RE = re.compile(_NUMBER, re.IGNORECASE)
_NUMBER_OR_MISSING_RE = re.compile(rf"(?:{_NUMBER}|\?)", re.IGNORECASE)
# A character that is in no number, separator or space of a clean line. On a
# line without one, float()'s grammar is _NUMBER's, so float() alone checks it.
_OUTSIDE_NUMBERS_RE = re.compile(r"[^0-9.eE+\-infatyINFATY \t,]")


class _LineError(Exception):
    """What is wrong with one line; the reader adds the file and line number."""


def _fail(path: Path, lineno: int, message: str) -> NoReturn:
    raise ValueError(f"{path}: line {lineno}: {message}") from None


def _short(text: str, limit: int = 40) -> str:
    """Quote a piece of a line for an error message, cut if it is long."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


# --------------------------------------------------------------------------
# Reading text and numbers
# --------------------------------------------------------------------------


def _read_lines(path: PathLike, kind: str) -> tuple[Path, list[str]]:
    """Read a text file as lines (line i of the file is element i - 1)."""
    path = Path(path)
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise ValueError(
            f"{path}: this is a zip archive, not a {kind} file; unzip it first "
            "(rocketconv.datasets.fetch_ucr downloads and unzips archives)."
        )
    if b"\x00" in raw:
        raise ValueError(f"{path}: binary content, not a {kind} text file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Some archive files have Latin-1 characters in their comments; every
        # byte decodes in Latin-1 and the numeric parts are ASCII either way.
        text = raw.decode("latin-1")
    # Split on '\n' only: str.splitlines also splits on characters such as
    # '\x0c' and '\u2028', which would make the line numbers differ from an
    # editor's.
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if not any(line.strip() for line in lines):
        raise ValueError(f"{path}: the file is empty; expected a {kind} file.")
    return path, lines


@functools.lru_cache(maxsize=16)
def _values_re(sep: str | None, allow_question: bool) -> re.Pattern[str]:
    """A regex matching a whole run of separated numbers."""
    token = rf"(?:{_NUMBER}|\?)" if allow_question else _NUMBER
    if sep is None:
        return re.compile(rf"\s*{token}(?:\s+{token})*\s*", re.IGNORECASE)
    space = "[ ]*" if sep == "\t" else r"[ \t]*"
    body = rf"{space}{token}{space}"
    return re.compile(rf"{body}(?:{re.escape(sep)}{body})*", re.IGNORECASE)


def _split(text: str, sep: str | None) -> list[str]:
    return text.split() if sep is None else text.split(sep)


def _explain_bad_values(
    text: str, sep: str | None, allow_question: bool, what: str
) -> NoReturn:
    """Find the first token that is not a number and say so."""
    token_re = _NUMBER_OR_MISSING_RE if allow_question else _NUMBER_RE
    for position, token in enumerate(_split(text, sep), start=1):
        token = token.strip(" \t")  # the spaces a number may have around it
        if not token:
            raise _LineError(
                f"empty value at position {position} of {what} "
                "(two separators in a row, or a separator at the end?)"
            )
        if token_re.fullmatch(token) is None:
            raise _LineError(
                f"non-numeric value {_short(token)} at position {position} of {what}"
            )
    raise _LineError(f"cannot read the values of {what}")


def _parse_values(
    text: str, sep: str | None, *, allow_question: bool, what: str
) -> np.ndarray:
    """Parse separated numbers into float64; '?' (when allowed) is NaN."""
    # float() reads more than _NUMBER ('1_0', non-ASCII digits, other
    # whitespace; '?' is no number to it): a line with any character outside
    # numbers and separators is checked in full, the others by float() alone
    if _OUTSIDE_NUMBERS_RE.search(text) is not None:
        if _values_re(sep, allow_question).fullmatch(text) is None:
            _explain_bad_values(text, sep, allow_question, what)
        if allow_question:
            text = text.replace("?", "nan")
    try:
        # the numbers as float() reads them; a bad token is named below
        return np.array(_split(text, sep), dtype=np.float64)
    except ValueError:
        _explain_bad_values(text, sep, allow_question, what)


def _strip_trailing_nan(case: np.ndarray) -> np.ndarray:
    """Drop the time points at the end that are missing in every channel.

    Fixed-width formats (.tsv, .arff) pad unequal-length series with NaN at
    the end; a NaN followed by a value is a real missing value and stays.
    """
    present = ~np.isnan(case).all(axis=0)
    if not present.any():
        raise _LineError("the series has no values: every value is missing")
    length = len(present) - int(np.argmax(present[::-1]))
    return case[:, :length]


def _assemble(cases: list[np.ndarray]) -> Cases:
    """A 3-D array when every case has the same shape, else the list."""
    if len({case.shape for case in cases}) == 1:
        return np.stack(cases)
    return cases


def _label_array(labels: list[str]) -> np.ndarray:
    return np.array(labels, dtype=str)


# --------------------------------------------------------------------------
# File structure
# --------------------------------------------------------------------------


def _reject_other_format(path: Path, lineno: int, line: str, wanted: str) -> None:
    """Name the right reader when the first line shows another format."""
    head = line.lstrip().lower()
    ts_keys = ("@problemname", "@timestamps", "@univariate", "@classlabel")
    if head.startswith(("@relation", "@attribute", "%")) and wanted != "arff":
        raise ValueError(
            f"{path}: line {lineno}: this looks like a Weka ARFF file "
            f"({_short(line.strip())}), not a .{wanted} file; use load_arff."
        )
    if (head.startswith(ts_keys) or head.startswith("#")) and wanted != "ts":
        raise ValueError(
            f"{path}: line {lineno}: this looks like a sktime/aeon .ts file "
            f"({_short(line.strip())}), not a .{wanted} file; use load_ts."
        )
    if head.startswith("@") and wanted == "tsv":
        raise ValueError(
            f"{path}: line {lineno}: a header line ({_short(line.strip())}) in "
            "what should be a UCR .tsv file; use load_ts or load_arff."
        )


def _read_headed_file(
    path: PathLike,
    *,
    comment: str,
    kind: str,
    read_header_line: Callable[[Path, int, str], bool],
    read_case: Callable[[str, list[np.ndarray]], tuple[np.ndarray, str]],
) -> tuple[Cases, list[str]]:
    """Read a file of a format with ``@`` headers, then ``@data`` (.ts,
    .arff): the cases (assembled) and their labels ('' when none).

    Blank lines and lines starting with ``comment`` are skipped. Before
    ``@data``, ``read_header_line(path, lineno, line)`` parses each line and
    returns True on ``@data`` itself; after it, ``read_case(line, cases so
    far)`` returns ``(case, label)``. A ``_LineError`` from either becomes a
    ValueError naming the file and the line; ``kind`` names the format in the
    messages about a wrong file, a missing ``@data`` or missing cases.
    """
    path, lines = _read_lines(path, kind)
    in_data = False
    labels: list[str] = []
    cases: list[np.ndarray] = []
    for lineno, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith(comment):
            continue
        try:
            if not in_data:
                in_data = read_header_line(path, lineno, line)
                continue
            if line.startswith("@"):
                raise _LineError(f"header line {_short(line)} after @data")
            case, label = read_case(line, cases)
        except _LineError as error:
            _fail(path, lineno, str(error))
        cases.append(case)
        labels.append(label)
    if not in_data:
        raise ValueError(f"{path}: no @data line; this is not a complete {kind} file.")
    if not cases:
        raise ValueError(f"{path}: no data: there are no cases after @data.")
    return _assemble(cases), labels
