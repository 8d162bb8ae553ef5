"""The UCR 2018 ``.tsv`` format: ``load_tsv`` and ``write_tsv``.

One case per line, univariate: the class label first, then the values,
separated by tabs (older archive copies use commas or spaces). Trailing
``NaN`` pad unequal-length series to a common width.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rocketconv.datasets._parsing import (
    Cases,
    PathLike,
    _assemble,
    _fail,
    _label_array,
    _LineError,
    _parse_values,
    _read_lines,
    _reject_other_format,
    _short,
    _split,
    _strip_trailing_nan,
)
from rocketconv.datasets._writing import (
    _cases_for_writing,
    _format_values,
    _labels_for_writing,
    _refuse_trailing_nan,
)

__all__ = ["load_tsv", "write_tsv"]


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
        The ``.tsv`` file to read.

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
