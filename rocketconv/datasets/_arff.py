"""The Weka ``.arff`` format for time series: ``load_arff`` and ``write_arff``.

Univariate files have one numeric attribute per time point; multivariate
files use the UEA relational layout, a quoted block of channels separated by
a literal ``\\n`` per case. Either is followed by an optional class
attribute. ``?`` is a missing value, and ``?`` at the end of every channel
pad unequal-length series.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rocketconv.datasets._parsing import (
    _NUMBER_RE,
    Cases,
    PathLike,
    _label_array,
    _LineError,
    _parse_values,
    _read_headed_file,
    _reject_other_format,
    _short,
    _strip_trailing_nan,
)
from rocketconv.datasets._writing import (
    _cases_for_writing,
    _format_values,
    _labels_for_writing,
    _refuse_trailing_nan,
    _sorted_labels,
)

__all__ = ["load_arff", "write_arff"]

# --------------------------------------------------------------------------
# Reading: fields and the header
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


def _read_arff_header_line(
    layout: _ArffLayout, path: Path, lineno: int, line: str
) -> bool:
    """Check and parse a line before @data; True when it is @data itself."""
    _reject_other_format(path, lineno, line, "arff")
    if not line.startswith("@"):
        raise _LineError(
            "expected an ARFF header line (@relation, @attribute, @data), "
            f"got {_short(line)}"
        )
    return _parse_arff_header_line(line, layout)


# --------------------------------------------------------------------------
# Reading: load_arff and the data lines
# --------------------------------------------------------------------------


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
        The ``.arff`` file to read.

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
    layout = _ArffLayout()
    X, labels = _read_headed_file(
        path,
        comment="%",
        kind="ARFF",
        read_header_line=functools.partial(_read_arff_header_line, layout),
        read_case=functools.partial(_parse_arff_row, layout=layout),
    )
    return X, _arff_targets(labels, layout)


def _parse_arff_row(
    line: str, previous: list[np.ndarray], layout: _ArffLayout
) -> tuple[np.ndarray, str]:
    """One data line: (case without trailing padding, label or '')."""
    if line.startswith("{"):
        raise _LineError("sparse ARFF rows '{...}' are not supported")
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
# Writing: write_arff
# --------------------------------------------------------------------------


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
    What it writes (``load_arff`` shows a round trip):

    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from rocketconv.datasets import write_arff
    >>> X = np.array([[[1.0, 2.5, 3.0]], [[0.5, np.nan, 0.0]]])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "toy.arff"
    >>> write_arff(path, X, ["yes", "no"], relation="toy")
    >>> print(path.read_text(encoding="utf-8"))
    @relation toy
    <BLANKLINE>
    @attribute t0 numeric
    @attribute t1 numeric
    @attribute t2 numeric
    @attribute target {no,yes}
    <BLANKLINE>
    @data
    1.0,2.5,3.0,yes
    0.5,?,0.0,no
    <BLANKLINE>
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
