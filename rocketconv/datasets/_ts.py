"""The sktime/aeon ``.ts`` format: ``load_ts`` and ``write_ts``.

``@`` header lines (``#`` starts a comment), then ``@data`` and one case per
line: ``:`` between channels, ``,`` between values, ``?`` for a missing
value, and the label or regression target last when the header declares one.
"""

from __future__ import annotations

import functools
import warnings
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
)
from rocketconv.datasets._writing import (
    _cases_for_writing,
    _format_values,
    _labels_for_writing,
    _sorted_labels,
)

__all__ = ["load_ts", "write_ts"]

# --------------------------------------------------------------------------
# Reading: the header
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
        # Point at the caller of load_ts: _parse_ts_header is called by
        # _read_ts_header_line, by _read_headed_file, by load_ts.
        warnings.warn(f"unknown .ts header {tokens[0]!r} ignored", stacklevel=5)
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


def _read_ts_header_line(header: _TsHeader, path: Path, lineno: int, line: str) -> bool:
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


# --------------------------------------------------------------------------
# Reading: load_ts and the data lines
# --------------------------------------------------------------------------


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
        The ``.ts`` file to read.

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
    header = _TsHeader()
    X, labels = _read_headed_file(
        path,
        comment="#",
        kind="sktime/aeon .ts",
        read_header_line=functools.partial(_read_ts_header_line, header),
        read_case=functools.partial(_parse_ts_line, header=header),
    )
    return X, _ts_targets(labels, header)


def _parse_ts_line(
    line: str, previous: list[np.ndarray], header: _TsHeader
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


def _check_ts_length(
    length: int, header: _TsHeader, previous: list[np.ndarray]
) -> None:
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
# Writing: write_ts
# --------------------------------------------------------------------------


def _check_word(name: str, what: str, writer: str) -> None:
    if not name or any(c.isspace() for c in name):
        raise ValueError(f"{writer}: {what} {name!r} must be one word without spaces.")


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
    _check_word(problem_name, "problem_name", writer)
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
        _check_word(label, "class label", writer)
    unknown = sorted(set(labels) - set(declared))
    if unknown:
        raise ValueError(f"{writer}: labels {unknown} are not in class_labels.")
    return declared
