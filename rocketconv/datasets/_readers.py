"""Readers and writers for the time-series archive formats.

Three formats are read, each strictly: a problem on a line is a ``ValueError``
that names the file, the 1-based line number and what is wrong, so that a
corrupt download never turns silently into different data.

* UCR 2018 ``.tsv`` (``load_tsv``/``write_tsv``): label first, then the values;
  trailing ``NaN`` pad unequal-length series and are stripped.
* sktime/aeon ``.ts`` (``load_ts``/``write_ts``): ``@`` headers, ``:`` between
  channels, ``,`` between values, ``?`` for a missing value, label last.
* Weka ``.arff`` (``load_arff``/``write_arff``): numeric attributes and a
  nominal class (univariate), or the UEA relational layout (multivariate).

Every reader returns ``(X, y)``: ``X`` a float64 array ``(n_cases, n_channels,
n_timepoints)``, or a list of ``(n_channels, n_timepoints_i)`` arrays when the
lengths differ; ``y`` an array of the labels as written (str), float targets
for regression files, or None when the file has no labels.
"""

from __future__ import annotations

import functools
import math
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from rocketconv._validation import check_X

__all__ = [
    "load_tsv",
    "load_ts",
    "load_arff",
    "write_tsv",
    "write_ts",
    "write_arff",
]

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
        token = token.strip()
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
    if _values_re(sep, allow_question).fullmatch(text) is None:
        _explain_bad_values(text, sep, allow_question, what)
    if allow_question and "?" in text:
        text = text.replace("?", "nan")
    return np.array(_split(text, sep), dtype=np.float64)


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


# --------------------------------------------------------------------------
# UCR .tsv
# --------------------------------------------------------------------------


def _detect_separator(line: str) -> str | None:
    """UCR 2018 uses tabs; older archive copies use commas or spaces."""
    if "\t" in line:
        return "\t"
    if "," in line:
        return ","
    return None


def load_tsv(path: PathLike) -> tuple[Cases, np.ndarray]:
    """Read a UCR archive ``.tsv`` file (univariate, label first).

    Each line is one case: the class label, then the values, separated by
    tabs (comma- or space-separated files from older archive copies are read
    too). ``NaN`` marks a missing value. Trailing ``NaN`` pad unequal-length
    series to a common width and are removed; a ``NaN`` followed by a value
    is a missing value and is kept.

    Parameters
    ----------
    path : str or path-like
        The file to read.

    Returns
    -------
    X : ndarray of shape (n_cases, 1, n_timepoints) or list of ndarray
        float64 values; a list of ``(1, n_timepoints_i)`` arrays when the
        series have different lengths once the padding is removed.
    y : ndarray of str, shape (n_cases,)
        The labels exactly as written in the file.

    Raises
    ------
    ValueError
        When the file is empty, is in another format, or a line is malformed
        (the message names the file, the line number and the problem).

    Examples
    --------
    >>> from rocketconv.datasets import load_tsv, load_ucr
    >>> folder = load_ucr("GunPoint", return_X_y=False).path
    >>> X, y = load_tsv(folder / "GunPoint_TRAIN.tsv")
    >>> X.shape, X.dtype, y[:3]
    ((50, 1, 150), dtype('float64'), array(['2', '2', '1'], dtype='<U1'))
    """
    path, lines = _read_lines(path, "UCR .tsv")
    sep: str | None = None
    n_fields = 0
    labels: list[str] = []
    cases: list[np.ndarray] = []
    for lineno, line in enumerate(lines, start=1):
        # Keep a leading tab: it means an empty label, which is an error.
        line = line.lstrip(" ").rstrip()
        if not line:
            continue
        if not cases:
            _reject_other_format(path, lineno, line, "tsv")
            sep = _detect_separator(line)
        try:
            label, values, found = _parse_tsv_line(line, sep, n_fields)
        except _LineError as error:
            _fail(path, lineno, str(error))
        # Every line has the same number of fields: the first one sets it.
        n_fields = n_fields or found
        labels.append(label)
        cases.append(values)
    return _assemble(cases), _label_array(labels)


def _parse_tsv_line(
    line: str, sep: str | None, n_fields: int
) -> tuple[str, np.ndarray, int]:
    """One .tsv line: (label, values (1, length without padding), n fields)."""
    found = len(_split(line, sep))
    if n_fields and found != n_fields:
        raise _LineError(
            f"expected {n_fields} values (the label and {n_fields - 1} series "
            f"values, as on the first line), got {found}"
        )
    parts = line.split(None, 1) if sep is None else line.split(sep, 1)
    label = parts[0].strip()
    if not label:
        raise _LineError("the class label (first field) is empty")
    if len(parts) < 2 or not parts[1].strip():
        raise _LineError(f"no values after the label {_short(label)}")
    values = _parse_values(parts[1], sep, allow_question=False, what="the series")
    return label, _strip_trailing_nan(values[np.newaxis, :]), found


# --------------------------------------------------------------------------
# sktime/aeon .ts
# --------------------------------------------------------------------------


@dataclass
class _TsHeader:
    """What the ``@`` lines of a .ts file declare."""

    univariate: bool | None = None
    dimensions: int | None = None
    equal_length: bool | None = None
    series_length: int | None = None
    class_labels: list[str] | None = None
    target: bool = False

    @property
    def has_label(self) -> bool:
        return self.class_labels is not None or self.target

    @property
    def n_channels(self) -> int | None:
        if self.dimensions is not None:
            return self.dimensions
        return 1 if self.univariate else None


def _parse_bool(key: str, args: list[str]) -> bool:
    if len(args) != 1 or args[0].lower() not in ("true", "false"):
        raise _LineError(f"@{key} needs one value, true or false; got {args}")
    return args[0].lower() == "true"


def _parse_positive_int(key: str, args: list[str]) -> int:
    if len(args) != 1 or not (args[0].isascii() and args[0].isdigit()):
        raise _LineError(f"@{key} needs one positive integer; got {args}")
    if int(args[0]) < 1:
        raise _LineError(f"@{key} needs one positive integer; got {args}")
    return int(args[0])


def _parse_ts_header(line: str, header: _TsHeader) -> None:
    """Apply one ``@key value...`` line (keys are case-insensitive)."""
    tokens = line.split()
    key, args = tokens[0][1:].lower(), tokens[1:]
    if key == "problemname":
        if not args:
            raise _LineError("@problemName needs a name")
    elif key == "timestamps":
        if _parse_bool(key, args):
            raise _LineError(
                "@timeStamps true is not supported: rocketconv reads series "
                "without time stamps (convert the file to plain values first)"
            )
    elif key == "missing":
        _parse_bool(key, args)
    elif key == "univariate":
        header.univariate = _parse_bool(key, args)
    elif key in ("dimensions", "dimension"):
        header.dimensions = _parse_positive_int(key, args)
    elif key == "equallength":
        header.equal_length = _parse_bool(key, args)
    elif key == "serieslength":
        header.series_length = _parse_positive_int(key, args)
    elif key == "classlabel":
        _parse_class_label(args, header)
    elif key == "targetlabel":
        header.target = _parse_bool(key, args)
    elif key in ("relation", "attribute"):
        raise _LineError("this looks like a Weka ARFF file; use load_arff")
    else:
        warnings.warn(f"unknown .ts header {tokens[0]!r} ignored", stacklevel=4)
    if header.univariate and (header.dimensions or 1) > 1:
        raise _LineError(
            f"@univariate true contradicts @dimensions {header.dimensions}"
        )


def _parse_class_label(args: list[str], header: _TsHeader) -> None:
    if not args or args[0].lower() not in ("true", "false"):
        raise _LineError(
            f"@classLabel needs true (and the labels) or false; got {args}"
        )
    if args[0].lower() == "false":
        if len(args) > 1:
            raise _LineError("@classLabel false must not be followed by labels")
        header.class_labels = None
        return
    if len(args) == 1:
        raise _LineError("@classLabel true must be followed by the class labels")
    header.class_labels = list(dict.fromkeys(args[1:]))


def load_ts(path: PathLike) -> tuple[Cases, np.ndarray | None]:
    """Read a sktime/aeon ``.ts`` file.

    The header (``@problemName``, ``@timeStamps``, ``@missing``,
    ``@univariate``, ``@dimensions``, ``@equalLength``, ``@seriesLength``,
    ``@classLabel``, ``@targetlabel``; keys are case-insensitive; ``#`` starts
    a comment) is followed by ``@data`` and one case per line: channels
    separated by ``:``, values by ``,``, ``?`` for a missing value, and the
    label as the last ``:`` field when the file declares labels.

    Parameters
    ----------
    path : str or path-like
        The file to read.

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timepoints) or list of ndarray
        float64 values; a list of ``(n_channels, n_timepoints_i)`` arrays when
        the cases have different lengths.
    y : ndarray or None
        Class labels as written (str) for ``@classLabel true``, float targets
        for ``@targetlabel true``, None for a file without labels.

    Raises
    ------
    ValueError
        When the file is empty, has no ``@data``, declares time stamps, or a
        line is malformed: wrong number of channels or values, channels of
        one case with different lengths, a non-numeric value, or a class
        label that ``@classLabel`` does not declare. The message names the
        file, the line number and the problem.

    Examples
    --------
    >>> from rocketconv.datasets import load_ts, load_ucr
    >>> folder = load_ucr("BasicMotions", return_X_y=False).path
    >>> X, y = load_ts(folder / "BasicMotions_TRAIN.ts")
    >>> X.shape, sorted(set(y.tolist()))
    ((40, 6, 100), ['Badminton', 'Running', 'Standing', 'Walking'])
    """
    path, lines = _read_lines(path, "sktime/aeon .ts")
    header = _TsHeader()
    in_data = False
    labels: list[str] = []
    cases: list[np.ndarray] = []
    for lineno, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            if not in_data:
                in_data = _read_ts_header_line(path, lineno, line, header)
                continue
            if line.startswith("@"):
                raise _LineError(f"header line {_short(line)} after @data")
            case, label = _parse_ts_line(line, header, cases)
        except _LineError as error:
            _fail(path, lineno, str(error))
        cases.append(case)
        labels.append(label)
    if not in_data:
        raise ValueError(f"{path}: no @data line; this is not a complete .ts file.")
    if not cases:
        raise ValueError(f"{path}: no data: there are no cases after @data.")
    return _assemble(cases), _ts_targets(labels, header)


def _read_ts_header_line(path: Path, lineno: int, line: str, header: _TsHeader) -> bool:
    """Parse a line before @data; True when it is @data itself."""
    if not line.startswith("@"):
        _reject_other_format(path, lineno, line, "ts")
        raise _LineError(
            f"expected a header line starting with '@' before @data, got "
            f"{_short(line)}; is this a .ts file? (UCR .tsv files: use load_tsv)"
        )
    if line.split()[0].lower() == "@data":
        if header.class_labels is not None and header.target:
            raise _LineError("@classLabel true and @targetlabel true are exclusive")
        return True
    _parse_ts_header(line, header)
    return False


def _parse_ts_line(
    line: str, header: _TsHeader, previous: list[np.ndarray]
) -> tuple[np.ndarray, str]:
    """One data line: (case of shape (n_channels, length), label or '')."""
    fields = line.split(":")
    n_channels = header.n_channels or (previous[0].shape[0] if previous else None)
    n_expected = None if n_channels is None else n_channels + header.has_label
    if n_expected is not None and len(fields) != n_expected:
        raise _LineError(
            f"expected {n_expected} ':'-separated fields ({n_channels} "
            f"channel(s){' and the label' if header.has_label else ''}), "
            f"got {len(fields)}"
        )
    label = ""
    if header.has_label:
        if len(fields) < 2:
            raise _LineError(
                "no ':' before the label: the label or the values are missing"
            )
        label = _check_ts_label(fields.pop().strip(), header)
    case = _parse_channels(fields)
    _check_ts_length(case.shape[1], header, previous)
    return case, label


def _parse_channels(fields: list[str]) -> np.ndarray:
    channels = []
    for number, field in enumerate(fields, start=1):
        if not field.strip():
            raise _LineError(f"channel {number} is empty")
        if "(" in field:
            raise _LineError("time-stamped values '(t, v)' are not supported")
        channels.append(
            _parse_values(field, ",", allow_question=True, what=f"channel {number}")
        )
    lengths = [len(channel) for channel in channels]
    if len(set(lengths)) > 1:
        # aeon does not support this either: a case is one (channels, length)
        # block, and padding silently would invent data.
        raise _LineError(
            f"the channels of this case have different lengths {lengths}; "
            "unequal length between the channels of one case is not supported"
        )
    return np.stack(channels)


def _check_ts_label(label: str, header: _TsHeader) -> str:
    if not label:
        raise _LineError("the label (last ':' field) is empty")
    if header.class_labels is not None and label not in header.class_labels:
        declared = " ".join(header.class_labels)
        raise _LineError(
            f"class label {_short(label)} is not among the labels declared by "
            f"@classLabel ({_short(declared, 80)})"
        )
    if header.target and _NUMBER_RE.fullmatch(label) is None:
        raise _LineError(f"the target value {_short(label)} is not a number")
    return label


def _check_ts_length(length: int, header: _TsHeader, previous: list[np.ndarray]):
    if not header.equal_length:
        return
    expected = header.series_length or (previous[0].shape[1] if previous else None)
    if expected is not None and length != expected:
        source = "@seriesLength" if header.series_length else "the first case"
        raise _LineError(
            f"expected {expected} values per channel (@equalLength true, "
            f"{source}), got {length}"
        )


def _ts_targets(labels: list[str], header: _TsHeader) -> np.ndarray | None:
    if header.target:
        return np.array(labels, dtype=np.float64)
    if header.class_labels is not None:
        return _label_array(labels)
    return None


# --------------------------------------------------------------------------
# Weka .arff
# --------------------------------------------------------------------------

# One comma-separated ARFF field: quoted (either quote, backslash escapes) or
# bare, then a comma or the end of the line. Written so that each field
# matches in one way only: no backtracking blow-up on a bad line.
_ARFF_FIELD_RE = re.compile(
    r"""(?:[ \t]*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")[ \t]*|([^,'"]*))(,|$)"""
)
_ARFF_ATTRIBUTE_RE = re.compile(
    r"""@attribute\s+('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+)\s*(.*)$""",
    re.IGNORECASE,
)
_ARFF_NUMERIC_TYPES = ("numeric", "real", "integer")


def _split_arff_fields(text: str) -> list[str]:
    """Split on commas outside quotes; fields keep their quotes."""
    if "'" not in text and '"' not in text:
        return [field.strip() for field in text.split(",")]
    fields, position = [], 0
    while True:
        match = _ARFF_FIELD_RE.match(text, position)
        if match is None:
            raise _LineError(
                f"unbalanced quotes near {_short(text[position:])} "
                "(a quote character inside a value must be escaped)"
            )
        quoted, bare, end = match.groups()
        fields.append(quoted if quoted is not None else bare.strip())
        if end == "":
            return fields
        position = match.end()


def _unquote(field: str) -> tuple[str, bool]:
    """Remove ARFF quotes and backslash escapes; also say whether it was quoted."""
    if len(field) >= 2 and field[0] == field[-1] and field[0] in "'\"":
        return re.sub(r"\\(.)", r"\1", field[1:-1]), True
    return field, False


@dataclass
class _ArffLayout:
    """The attribute layout of a time-series ARFF file."""

    n_values: int = 0  # numeric attributes: series length
    relational: str | None = None  # name of the relational attribute, if any
    target: str | None = None  # 'nominal', 'string' or 'numeric'
    classes: list[str] | None = None
    open_relational: bool = False


def _parse_arff_attribute(line: str, layout: _ArffLayout) -> None:
    match = _ARFF_ATTRIBUTE_RE.match(line)
    if match is None or not match.group(2).strip():
        raise _LineError(f"malformed @attribute line {_short(line)}")
    name, kind = _unquote(match.group(1))[0], match.group(2).strip()
    lower = kind.lower()
    if layout.target is not None:
        raise _LineError(
            f"attribute {_short(name)} after the class attribute: only numeric "
            "series values followed by one class attribute are supported"
        )
    if layout.open_relational and lower not in _ARFF_NUMERIC_TYPES:
        raise _LineError(
            f"attribute {_short(name)} of type {_short(kind)} inside the "
            f"relational attribute {_short(layout.relational or '')}, which "
            f"holds numeric time points only (is '@end {layout.relational}' "
            "missing?)"
        )
    if lower in _ARFF_NUMERIC_TYPES:
        if layout.relational is not None and not layout.open_relational:
            layout.target = "numeric"
        else:
            layout.n_values += 1
    elif lower == "relational":
        if layout.relational is not None or layout.n_values:
            raise _LineError("only one relational attribute, first, is supported")
        layout.relational, layout.open_relational = name, True
    elif kind.startswith("{"):
        layout.target = "nominal"
        layout.classes = _parse_nominal(kind)
    elif lower == "string":
        layout.target = "string"
    else:
        raise _LineError(f"attribute type {_short(kind)} is not supported")


def _parse_nominal(kind: str) -> list[str]:
    if not kind.endswith("}"):
        raise _LineError(f"nominal values {_short(kind)} do not end with '}}'")
    values = [_unquote(field)[0] for field in _split_arff_fields(kind[1:-1])]
    if not all(values):
        raise _LineError(f"empty nominal value in {_short(kind)}")
    return values


def _parse_arff_header_line(line: str, layout: _ArffLayout) -> bool:
    """Parse a line before @data; True when it is @data itself."""
    key = line.split()[0].lower()
    if key == "@relation":
        return False
    if key == "@attribute":
        _parse_arff_attribute(line, layout)
        return False
    if key == "@end":
        if not layout.open_relational:
            raise _LineError("@end without an open relational attribute")
        layout.open_relational = False
        return False
    if key == "@data":
        if layout.open_relational:
            raise _LineError(f"@data before '@end {layout.relational}'")
        if layout.n_values == 0:
            raise _LineError("no numeric attributes (series values) declared")
        return True
    raise _LineError(f"unknown ARFF keyword {_short(line.split()[0])}")


def load_arff(path: PathLike) -> tuple[Cases, np.ndarray | None]:
    """Read a Weka ``.arff`` time-series file (univariate or UEA multivariate).

    Two layouts are read. Univariate: one numeric attribute per time point,
    then an optional nominal (or string) class attribute; each data line
    holds the values and the label. Multivariate (the UEA archive layout):
    one ``relational`` attribute with one numeric attribute per time point,
    closed by ``@end``, then the class attribute; each data line is a quoted
    block of channels separated by a literal ``\\n``, then the label, e.g.
    ``'1,2,3\\n4,5,6',label``. ``?`` is a missing value; ``?`` at the end of
    every channel pad unequal lengths and are removed, as in ``load_tsv``.
    Sparse rows (``{...}``) and date attributes are not supported.

    Parameters
    ----------
    path : str or path-like
        The file to read.

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timepoints) or list of ndarray
        float64 values; a list when the lengths differ once padding is removed.
    y : ndarray or None
        Nominal or string class labels as str; float targets when the
        attribute after a relational one is numeric; None when there is no
        class attribute (a univariate file whose last attribute is numeric
        has no class: that attribute is a time point).

    Raises
    ------
    ValueError
        When the file is empty, is not ARFF, uses an unsupported layout, or a
        line is malformed (the message names the file, the line number and
        the problem).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from rocketconv.datasets import load_arff, load_ucr, write_arff
    >>> X, y = load_ucr("BasicMotions", split="test")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "BasicMotions_TEST.arff"
    >>> write_arff(path, X, y, relation="BasicMotions")
    >>> X2, y2 = load_arff(path)
    >>> X2.shape, bool((X2 == X).all()), bool((y2 == y).all())
    ((40, 6, 100), True, True)
    """
    path, lines = _read_lines(path, "ARFF")
    layout = _ArffLayout()
    in_data = False
    labels: list[str] = []
    cases: list[np.ndarray] = []
    for lineno, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("%"):
            continue
        try:
            if not in_data:
                if not line.startswith("@"):
                    _reject_other_format(path, lineno, line, "arff")
                    raise _LineError(
                        f"expected an ARFF header line (@relation, @attribute, "
                        f"@data), got {_short(line)}"
                    )
                _reject_other_format(path, lineno, line, "arff")
                in_data = _parse_arff_header_line(line, layout)
                continue
            case, label = _parse_arff_row(line, layout, cases)
        except _LineError as error:
            _fail(path, lineno, str(error))
        cases.append(case)
        labels.append(label)
    if not in_data:
        raise ValueError(f"{path}: no @data line; this is not a complete ARFF file.")
    if not cases:
        raise ValueError(f"{path}: no data: there are no cases after @data.")
    return _assemble(cases), _arff_targets(labels, layout)


def _parse_arff_row(
    line: str, layout: _ArffLayout, previous: list[np.ndarray]
) -> tuple[np.ndarray, str]:
    """One data line: (case without trailing padding, label or '')."""
    if line.startswith("{"):
        raise _LineError("sparse ARFF rows '{...}' are not supported")
    if line.startswith("@"):
        raise _LineError(f"header line {_short(line)} after @data")
    fields = _split_arff_fields(line)
    n_series_fields = 1 if layout.relational else layout.n_values
    expected = n_series_fields + (layout.target is not None)
    if len(fields) != expected:
        what = "relational block" if layout.relational else "values"
        raise _LineError(
            f"expected {expected} comma-separated fields ({n_series_fields} "
            f"{what}{' and the label' if layout.target else ''}), got {len(fields)}"
        )
    label = _check_arff_label(fields[-1], layout) if layout.target else ""
    if layout.relational:
        case = _parse_relational(fields[0], layout.n_values, previous)
    else:
        case = _parse_values(
            ",".join(fields[:n_series_fields]),
            ",",
            allow_question=True,
            what="the series",
        )[np.newaxis, :]
    return _strip_trailing_nan(case), label


def _parse_relational(
    field: str, length: int, previous: list[np.ndarray]
) -> np.ndarray:
    """The quoted channel block of a UEA multivariate row."""
    if len(field) < 2 or field[0] != field[-1] or field[0] not in "'\"":
        raise _LineError("the relational block (channels) must be quoted")
    rows = field[1:-1].split("\\n")
    n_channels = previous[0].shape[0] if previous else len(rows)
    if len(rows) != n_channels:
        raise _LineError(f"expected {n_channels} channels, got {len(rows)}")
    channels = []
    for number, row in enumerate(rows, start=1):
        values = _parse_values(row, ",", allow_question=True, what=f"channel {number}")
        if len(values) != length:
            raise _LineError(
                f"channel {number}: expected {length} values, got {len(values)}"
            )
        channels.append(values)
    return np.stack(channels)


def _check_arff_label(field: str, layout: _ArffLayout) -> str:
    label, quoted = _unquote(field)
    if not label or (label == "?" and not quoted):
        raise _LineError("the class label is missing")
    if layout.target == "nominal" and label not in (layout.classes or []):
        declared = ",".join(layout.classes or [])
        raise _LineError(
            f"class label {_short(label)} is not among the declared values "
            f"{{{_short(declared, 80)}}}"
        )
    if layout.target == "numeric" and _NUMBER_RE.fullmatch(label) is None:
        raise _LineError(f"the target value {_short(label)} is not a number")
    return label


def _arff_targets(labels: list[str], layout: _ArffLayout) -> np.ndarray | None:
    if layout.target is None:
        return None
    if layout.target == "numeric":
        return np.array(labels, dtype=np.float64)
    return _label_array(labels)


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------


def _format_values(values: np.ndarray, missing: str) -> list[str]:
    """repr() of each float: the shortest text that reads back bit-exactly."""
    return [missing if math.isnan(v) else repr(v) for v in values.tolist()]


def _cases_for_writing(X: Any, writer: str) -> list[np.ndarray]:
    X = check_X(X, writer, allow_nan=True)
    return list(X)


def _labels_for_writing(
    y: Any, n_cases: int, writer: str, forbidden: str, *, spaces: bool = False
) -> list[str]:
    """Labels as str, refusing those that the format cannot hold."""
    labels = [str(label) for label in np.asarray(y).ravel().tolist()]
    if len(labels) != n_cases:
        raise ValueError(f"{writer}: X has {n_cases} cases but y has {len(labels)}.")
    for label in labels:
        bad = [c for c in label if c in forbidden or (c.isspace() and not spaces)]
        if not label or bad:
            rule = "line breaks" if spaces else "white space"
            raise ValueError(
                f"{writer}: label {label!r} cannot be written: labels must be "
                f"non-empty, without {rule} or any of {forbidden!r}."
            )
    return labels


def _sorted_labels(labels: Sequence[str]) -> list[str]:
    """Declared class order: numeric order when every label is a number."""
    unique = sorted(set(labels))
    if all(_NUMBER_RE.fullmatch(label) for label in unique):
        return sorted(unique, key=float)
    return unique


def _refuse_trailing_nan(cases: list[np.ndarray], writer: str) -> None:
    """Padding formats cannot tell a final NaN from padding: refuse it."""
    for i, case in enumerate(cases):
        if np.isnan(case[:, -1]).all():
            raise ValueError(
                f"{writer}: case {i} ends with a missing value (NaN) in every "
                "channel, which this fixed-width format would read back as "
                "padding; use write_ts, or impute the value."
            )


def _check_name(name: str, what: str, writer: str) -> None:
    if not name or any(c.isspace() for c in name):
        raise ValueError(f"{writer}: {what} {name!r} must be one word without spaces.")


def write_tsv(path: PathLike, X: Any, y: Any, *, sep: str = "\t") -> None:
    """Write univariate series and labels as a UCR ``.tsv`` file.

    Values are written with ``repr``, so that ``load_tsv`` reads back exactly
    the same floats. Unequal-length series are padded at the end with
    ``NaN``, as the UCR archive does.

    Parameters
    ----------
    path : str or path-like
        The file to write (overwritten).
    X : array-like or list of arrays
        Univariate series, in any form ``check_X`` accepts; NaN allowed
        inside a series but not as its last value (it would read back as
        padding).
    y : array-like of shape (n_cases,)
        The labels, written as ``str(label)``: non-empty, without white space
        or commas.
    sep : {"\\t", ","}, default="\\t"
        The separator.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from rocketconv.datasets import load_tsv, write_tsv
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "toy.tsv"
    >>> X = [np.array([0.1, np.nan, 3.0]), np.array([2.5, 1.0])]
    >>> write_tsv(path, X, ["a", "b"])
    >>> X, y = load_tsv(path)
    >>> X[0], X[1], y
    (array([[0.1, nan, 3. ]]), array([[2.5, 1. ]]), array(['a', 'b'], dtype='<U1'))
    """
    writer = "write_tsv"
    if sep not in ("\t", ","):
        raise ValueError(f"{writer}: sep must be a tab or a comma, got {sep!r}.")
    cases = _cases_for_writing(X, writer)
    if cases[0].shape[0] != 1:
        raise ValueError(
            f"{writer}: the UCR .tsv format is univariate, but X has "
            f"{cases[0].shape[0]} channels; use write_ts."
        )
    _refuse_trailing_nan(cases, writer)
    labels = _labels_for_writing(y, len(cases), writer, forbidden=",")
    width = max(case.shape[1] for case in cases)
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        for label, case in zip(labels, cases, strict=True):
            values = _format_values(case[0], "NaN")
            values += ["NaN"] * (width - len(values))
            file.write(sep.join([label, *values]) + "\n")


def write_ts(
    path: PathLike,
    X: Any,
    y: Any = None,
    *,
    problem_name: str = "data",
    class_labels: Sequence[str] | None = None,
    regression: bool = False,
    comment: str | None = None,
) -> None:
    """Write series (and labels or targets) as a sktime/aeon ``.ts`` file.

    Values are written with ``repr`` (bit-exact when read back by
    ``load_ts``); a missing value (NaN) is written as ``?``.

    Parameters
    ----------
    path : str or path-like
        The file to write (overwritten).
    X : array-like or list of arrays
        ``(n_cases, n_channels, n_timepoints)`` or an unequal-length list, in
        any form ``check_X`` accepts; NaN allowed.
    y : array-like of shape (n_cases,), optional
        Class labels (written as ``str(label)``: non-empty, without white
        space or ``:``), or regression targets when ``regression=True``.
        None writes ``@classLabel false``.
    problem_name : str, default="data"
        The ``@problemName`` (one word).
    class_labels : sequence of str, optional
        The declared labels, in order; default: the labels in ``y``, sorted
        (numerically when they are all numbers).
    regression : bool, default=False
        Write ``y`` as float targets (``@targetlabel true``).
    comment : str, optional
        Text written as ``#`` comment lines at the top.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from rocketconv.datasets import load_ts, write_ts
    >>> X = [np.array([[1.0, 2.0, np.nan], [0.5, 0.25, 0.0]]), np.ones((2, 2))]
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "toy.ts"
    >>> write_ts(path, X, ["yes", "no"], problem_name="toy")
    >>> X2, y2 = load_ts(path)
    >>> X2[0], y2
    (array([[1.  , 2.  ,  nan],
           [0.5 , 0.25, 0.  ]]), array(['yes', 'no'], dtype='<U3'))
    """
    writer = "write_ts"
    _check_name(problem_name, "problem_name", writer)
    cases = _cases_for_writing(X, writer)
    labels = _ts_labels_for_writing(y, len(cases), regression, writer)
    header = _ts_header_lines(cases, labels, problem_name, class_labels, regression)
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        for text in (comment or "").splitlines():
            file.write(f"# {text}\n")
        file.write("\n".join(header) + "\n")
        for i, case in enumerate(cases):
            fields = [",".join(_format_values(channel, "?")) for channel in case]
            if labels is not None:
                fields.append(labels[i])
            file.write(":".join(fields) + "\n")


def _ts_labels_for_writing(
    y: Any, n_cases: int, regression: bool, writer: str
) -> list[str] | None:
    if y is None:
        return None
    if regression:
        targets = np.asarray(y, dtype=np.float64).ravel()
        if len(targets) != n_cases:
            raise ValueError(
                f"{writer}: X has {n_cases} cases but y has {len(targets)}."
            )
        return [repr(value) for value in targets.tolist()]
    return _labels_for_writing(y, n_cases, writer, forbidden=":")


def _ts_header_lines(
    cases: list[np.ndarray],
    labels: list[str] | None,
    problem_name: str,
    class_labels: Sequence[str] | None,
    regression: bool,
) -> list[str]:
    lengths = {case.shape[1] for case in cases}
    n_channels = cases[0].shape[0]
    missing = any(np.isnan(case).any() for case in cases)
    lines = [
        f"@problemName {problem_name}",
        "@timeStamps false",
        f"@missing {str(missing).lower()}",
        f"@univariate {str(n_channels == 1).lower()}",
        f"@dimensions {n_channels}",
        f"@equalLength {str(len(lengths) == 1).lower()}",
    ]
    if len(lengths) == 1:
        lines.append(f"@seriesLength {lengths.pop()}")
    if labels is None:
        lines.append("@classLabel false")
    elif regression:
        lines.append("@targetlabel true")
    else:
        declared = _declared_labels(labels, class_labels, "write_ts")
        lines.append("@classLabel true " + " ".join(declared))
    lines.append("@data")
    return lines


def _declared_labels(
    labels: list[str], class_labels: Sequence[str] | None, writer: str
) -> list[str]:
    if class_labels is None:
        return _sorted_labels(labels)
    declared = [str(label) for label in class_labels]
    for label in declared:
        _check_name(label, "class label", writer)
    unknown = sorted(set(labels) - set(declared))
    if unknown:
        raise ValueError(f"{writer}: labels {unknown} are not in class_labels.")
    return declared


def _arff_quote(text: str) -> str:
    """Quote an ARFF name or label when it holds anything but plain characters."""
    if re.fullmatch(r"[A-Za-z0-9_.+\-]+", text):
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def write_arff(
    path: PathLike,
    X: Any,
    y: Any = None,
    *,
    relation: str = "data",
    class_labels: Sequence[str] | None = None,
) -> None:
    """Write series and class labels as a Weka ``.arff`` file.

    Univariate data gets one numeric attribute per time point; multivariate
    data gets the UEA relational layout. Unequal-length series are padded at
    the end with ``?`` (``load_arff`` removes that padding again). Values are
    written with ``repr``, bit-exact when read back.

    Parameters
    ----------
    path : str or path-like
        The file to write (overwritten).
    X : array-like or list of arrays
        Series in any form ``check_X`` accepts; NaN allowed, but not as the
        last value of every channel of a case (it would read back as padding).
    y : array-like of shape (n_cases,), optional
        Class labels, written as a nominal attribute (``str(label)``; quoted
        when needed; no line breaks). None writes no class attribute.
    relation : str, default="data"
        The ``@relation`` name.
    class_labels : sequence of str, optional
        The declared nominal values, in order; default: sorted labels of ``y``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from rocketconv.datasets import load_arff, load_ucr, write_arff
    >>> X, y = load_ucr("ItalyPowerDemand", split="train")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ItalyPowerDemand_TRAIN.arff"
    >>> write_arff(path, X, y, relation="ItalyPowerDemand")
    >>> X2, y2 = load_arff(path)
    >>> X2.shape, bool((X2 == X).all()), bool((y2 == y).all())
    ((67, 1, 24), True, True)
    """
    writer = "write_arff"
    cases = _cases_for_writing(X, writer)
    _refuse_trailing_nan(cases, writer)
    labels = None
    if y is not None:
        labels = _labels_for_writing(
            y, len(cases), writer, forbidden="\n\r", spaces=True
        )
    width = max(case.shape[1] for case in cases)
    multivariate = cases[0].shape[0] > 1
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.write(f"@relation {_arff_quote(relation)}\n\n")
        if multivariate:
            file.write("@attribute series relational\n")
        for t in range(width):
            file.write(f"@attribute t{t} numeric\n")
        if multivariate:
            file.write("@end series\n")
        if labels is not None:
            declared = _declared_labels_arff(labels, class_labels)
            file.write(f"@attribute target {{{','.join(declared)}}}\n")
        file.write("\n@data\n")
        for i, case in enumerate(cases):
            rows = [_format_values(c, "?") + ["?"] * (width - len(c)) for c in case]
            if multivariate:
                fields = ["'" + "\\n".join(",".join(row) for row in rows) + "'"]
            else:
                fields = [",".join(rows[0])]
            if labels is not None:
                fields.append(_arff_quote(labels[i]))
            file.write(",".join(fields) + "\n")


def _declared_labels_arff(
    labels: list[str], class_labels: Sequence[str] | None
) -> list[str]:
    declared = _sorted_labels(labels) if class_labels is None else list(class_labels)
    unknown = sorted(set(labels) - set(declared))
    if unknown:
        raise ValueError(f"write_arff: labels {unknown} are not in class_labels.")
    return [_arff_quote(str(label)) for label in declared]
