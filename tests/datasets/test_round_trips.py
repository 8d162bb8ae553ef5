"""Property tests for the readers and writers of rocketconv.datasets.

* Round trip: any well-formed data (univariate or multivariate, equal or
  unequal length, missing values, string labels or regression targets)
  written with write_ts / write_tsv / write_arff reads back bit-exactly.
* Corruption: a valid file damaged by deleting a field, inserting garbage text
  into the data, or truncating a line raises ValueError: never a hang, never
  a silently different parse. The corruptions are those a reader can detect
  in principle: garbage is not numeric text ('e', digits, 'nan', 'inf' are
  excluded), and it is not inserted into a .tsv label, which has no declared
  set of values to check it against.
* Fuzz: arbitrary bytes give a parse or a ValueError, no other exception.
"""

from __future__ import annotations

import string
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rocketconv.datasets import (
    load_arff,
    load_ts,
    load_tsv,
    write_arff,
    write_ts,
    write_tsv,
)

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Labels the .ts and .tsv formats can hold: no white space, ':' or ','.
PLAIN_LABEL = st.text(
    string.ascii_letters + string.digits + "_-.+", min_size=1, max_size=6
)
# ARFF quotes what needs it: spaces, quotes, commas, backslashes, braces.
ARFF_LABEL = st.text(
    string.ascii_letters + string.digits + " _-.,'\"\\%{}?", min_size=1, max_size=6
)
# Inserted garbage: nothing that could extend a number or a separator.
GARBAGE = st.text("xyzQWXYZ!$&~^|", min_size=1, max_size=4)

FINITE = st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def series_sets(
    draw,
    max_channels: int = 3,
    missing: bool = True,
    fixed_width: bool = False,
    min_cases: int = 1,
) -> list[np.ndarray]:
    """Cases of shape (n_channels, length_i); maybe unequal, maybe with NaN.

    ``fixed_width``: .tsv and .arff pad with NaN, so no case may end with a
    value missing in every channel (it would read back as padding).
    """
    n_cases = draw(st.integers(min_cases, 5))
    n_channels = draw(st.integers(1, max_channels))
    if draw(st.booleans()):
        lengths = [draw(st.integers(1, 8))] * n_cases
    else:
        lengths = draw(st.lists(st.integers(1, 8), min_size=n_cases, max_size=n_cases))
    element = st.one_of(FINITE, FINITE, FINITE, st.just(np.nan)) if missing else FINITE
    cases = []
    for length in lengths:
        size = n_channels * length
        values = draw(st.lists(element, min_size=size, max_size=size))
        case = np.array(values, dtype=np.float64).reshape(n_channels, length)
        if fixed_width and np.isnan(case[:, -1]).all():
            case[0, -1] = draw(FINITE)
        cases.append(case)
    return cases


def assert_same_cases(X, cases: list[np.ndarray]) -> None:
    """Bit-exact equality (NaN equal to NaN, -0.0 distinct from 0.0)."""
    if len({case.shape for case in cases}) == 1:
        assert isinstance(X, np.ndarray) and X.dtype == np.float64
    else:
        assert isinstance(X, list)
    assert len(X) == len(cases)
    for read, written in zip(X, cases, strict=True):
        assert read.shape == written.shape
        np.testing.assert_array_equal(read, written)
        np.testing.assert_array_equal(np.signbit(read), np.signbit(written))


def labels_for(draw, cases, label=PLAIN_LABEL) -> list[str]:
    return draw(st.lists(label, min_size=len(cases), max_size=len(cases)))


# --------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_ts_round_trip(tmp_path: Path, data):
    cases = data.draw(series_sets())
    kind = data.draw(st.sampled_from(["class", "regression", "none"]))
    path = tmp_path / "round.ts"
    if kind == "class":
        y = labels_for(data.draw, cases)
        write_ts(path, cases, y)
    elif kind == "regression":
        y = data.draw(st.lists(FINITE, min_size=len(cases), max_size=len(cases)))
        write_ts(path, cases, y, regression=True)
    else:
        y = None
        write_ts(path, cases)
    X, y_read = load_ts(path)
    assert_same_cases(X, cases)
    if kind == "class":
        assert y_read.dtype.kind == "U" and y_read.tolist() == y
    elif kind == "regression":
        assert y_read.dtype == np.float64 and y_read.tolist() == y
    else:
        assert y_read is None


@SETTINGS
@given(data=st.data(), sep=st.sampled_from(["\t", ","]))
def test_tsv_round_trip(tmp_path: Path, data, sep):
    cases = data.draw(series_sets(max_channels=1, fixed_width=True))
    y = labels_for(data.draw, cases)
    path = tmp_path / "round.tsv"
    write_tsv(path, cases, y, sep=sep)
    X, y_read = load_tsv(path)
    assert_same_cases(X, cases)
    assert y_read.tolist() == y


@SETTINGS
@given(data=st.data())
def test_arff_round_trip(tmp_path: Path, data):
    cases = data.draw(series_sets(fixed_width=True))
    y = labels_for(data.draw, cases, ARFF_LABEL) if data.draw(st.booleans()) else None
    path = tmp_path / "round.arff"
    write_arff(path, cases, y)
    X, y_read = load_arff(path)
    assert_same_cases(X, cases)
    assert (y_read is None) if y is None else (y_read.tolist() == y)


# --------------------------------------------------------------------------
# Corruptions
# --------------------------------------------------------------------------


def write_valid(fmt: str, path: Path, cases, labels) -> None:
    {"ts": write_ts, "tsv": write_tsv, "arff": write_arff}[fmt](path, cases, labels)


def data_line_numbers(fmt: str, lines: list[str]) -> list[int]:
    """Indices of the data lines (after @data for .ts and .arff)."""
    if fmt == "tsv":
        start = 0
    else:
        start = next(i for i, line in enumerate(lines) if line.lower() == "@data") + 1
    return [i for i in range(start, len(lines)) if lines[i].strip()]


def field_separator(fmt: str, line: str) -> str:
    if fmt == "ts":
        return ":"
    if fmt == "tsv":
        return "\t"
    return ","


def delete_field(draw, fmt: str, line: str) -> str:
    """Remove one separated field (for .arff relational rows: the block or
    the label, as its fields are)."""
    if fmt == "arff" and line.startswith("'"):
        block_end = line.rindex("',")
        fields = [line[: block_end + 1], line[block_end + 2 :]]
    else:
        fields = line.split(field_separator(fmt, line))
    del fields[draw(st.integers(0, len(fields) - 1))]
    return field_separator(fmt, line).join(fields)


def insert_garbage(draw, fmt: str, line: str) -> str:
    # A .tsv label has no declared values: garbage there is a valid label.
    first = line.index("\t") + 1 if fmt == "tsv" else 0
    position = draw(st.integers(first, len(line)))
    return line[:position] + draw(GARBAGE) + line[position:]


def truncate(draw, fmt: str, line: str) -> str:
    """Cut the line before its last separator, so a whole field is lost.

    (Cutting inside the last field can give another valid number: '1.25' ->
    '1.2'. No reader can detect that.) Never cut to an empty line, which
    is a blank line, not a damaged one.
    """
    last = line.rindex(field_separator(fmt, line))
    return line[: draw(st.integers(1, max(1, last)))]


CORRUPTIONS = {"delete": delete_field, "garbage": insert_garbage, "truncate": truncate}
READERS = {"ts": load_ts, "tsv": load_tsv, "arff": load_arff}


@SETTINGS
@given(
    data=st.data(),
    fmt=st.sampled_from(sorted(READERS)),
    corruption=st.sampled_from(sorted(CORRUPTIONS)),
)
def test_corrupted_files_raise_value_error(tmp_path: Path, data, fmt, corruption):
    # Two or more cases: a .tsv file's field count is set by its first line.
    max_channels = 1 if fmt == "tsv" else 3
    cases = data.draw(
        series_sets(max_channels=max_channels, fixed_width=fmt != "ts", min_cases=2)
    )
    labels = labels_for(data.draw, cases)
    path = tmp_path / f"valid.{fmt}"
    write_valid(fmt, path, cases, labels)
    lines = path.read_text(encoding="utf-8").split("\n")
    index = data.draw(st.sampled_from(data_line_numbers(fmt, lines)))
    damaged = CORRUPTIONS[corruption](data.draw, fmt, lines[index])
    lines[index] = damaged
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ValueError) as info:
        READERS[fmt](path)
    message = str(info.value)
    assert str(path) in message
    # A damaged first .tsv line sets the field count, so line 2 disagrees.
    expected = ("line 1", "line 2") if fmt == "tsv" and index == 0 else ()
    assert f"line {index + 1}:" in message or any(e in message for e in expected)


# --------------------------------------------------------------------------
# Fuzz: anything at all
# --------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:unknown .ts header")
@SETTINGS
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.text(string.printable, max_size=300),
        st.text("0123456789.,:\t\n?@#-eNa ", max_size=300),
    ),
    prefix=st.sampled_from(["", "@data\n", "@classLabel true 1 2\n@data\n"]),
    fmt=st.sampled_from(sorted(READERS)),
)
def test_arbitrary_content_parses_or_raises_value_error(tmp_path, content, prefix, fmt):
    raw = prefix.encode() + (
        content if isinstance(content, bytes) else content.encode()
    )
    path = tmp_path / f"fuzz.{fmt}"
    path.write_bytes(raw)
    try:
        X, y = READERS[fmt](path)
    except ValueError as error:
        assert str(path) in str(error)
        return
    assert len(X) > 0 and all(case.dtype == np.float64 for case in X)
    assert y is None or len(y) == len(X)


# --------------------------------------------------------------------------
# Long damaged lines fail fast (a regex that backtracks would hang here)
# --------------------------------------------------------------------------

READ_IN_CHILD = """
import sys, time
from rocketconv.datasets import load_arff, load_ts, load_tsv
readers = {"ts": load_ts, "tsv": load_tsv, "arff": load_arff}
for path in sys.argv[1:]:
    start = time.perf_counter()
    try:
        readers[path.rsplit(".", 1)[1]](path)
    except ValueError as error:
        print(f"{time.perf_counter() - start:.3f}", str(error).replace("\\n", " "))
"""


def damaged_long_file(folder: Path, fmt: str, damage: str) -> tuple[Path, int]:
    """A valid file of two 3000-value cases with an 'x' put into its last line."""
    rng = np.random.default_rng(1)
    cases = [rng.normal(size=(1, 3000)), rng.normal(size=(1, 3000))]
    path = folder / f"{damage}.{fmt}"
    write_valid(fmt, path, cases, ["a", "b"])
    lines = path.read_text(encoding="utf-8").split("\n")
    index = data_line_numbers(fmt, lines)[-1]
    line = lines[index]
    sep = field_separator(fmt, line)
    cut = line.rindex(sep) if damage == "end" else len(line) // 2
    lines[index] = line[:cut] + "x" + line[cut:]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, index + 1


def test_long_damaged_lines_fail_fast(tmp_path):
    files = [
        damaged_long_file(tmp_path, fmt, damage)
        for fmt in sorted(READERS)
        for damage in ("end", "middle")
    ]
    # In a child process, so that a hang fails this test instead of the run.
    result = subprocess.run(
        [sys.executable, "-c", READ_IN_CHILD, *(str(path) for path, _ in files)],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    reports = result.stdout.splitlines()
    assert len(reports) == len(files), result.stdout + result.stderr
    for (path, lineno), report in zip(files, reports, strict=True):
        seconds, _, message = report.partition(" ")
        assert message.startswith(f"{path}: line {lineno}: non-numeric value")
        assert float(seconds) < 5.0, report
