"""Tests for rocketconv.datasets: readers, writers, load_ucr, list_datasets,
fetch_ucr (offline: file:// URLs to zips built here) and the bundled data."""

from __future__ import annotations

import csv
import hashlib
import os
import stat
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils import Bunch

import rocketconv
from rocketconv.datasets import (
    _locations,
    fetch_ucr,
    list_datasets,
    load_arff,
    load_ts,
    load_tsv,
    load_ucr,
    write_arff,
    write_ts,
    write_tsv,
)

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "rocketconv" / "datasets" / "bundled"
# the shared data beside the checkout, or where ROCKETCONV_SHARED says
SHARED = Path(os.environ.get("ROCKETCONV_SHARED", REPO.parent / "shared"))
SHARED_DATA = SHARED / "datasets"
BUNDLED_NAMES = ["BasicMotions", "GunPoint", "ItalyPowerDemand", "JapaneseVowels"]

needs_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason="../shared/datasets is not available"
)


@pytest.fixture(autouse=True)
def _isolated_roots(monkeypatch, tmp_path):
    """No user's ROCKETCONV_DATA or download cache may leak into a test."""
    monkeypatch.delenv("ROCKETCONV_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


def write_text(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def lengths(X) -> list[int]:
    return [case.shape[1] for case in X]


# --------------------------------------------------------------------------
# Real files: bundled problems
# --------------------------------------------------------------------------


def test_gunpoint_tsv_train_and_test():
    X, y = load_tsv(BUNDLED / "GunPoint" / "GunPoint_TRAIN.tsv")
    assert isinstance(X, np.ndarray) and X.dtype == np.float64
    assert X.shape == (50, 1, 150)
    assert y.dtype.kind == "U" and set(y.tolist()) == {"1", "2"}
    # The first line of the file is "2\t-0.6478854\t-0.64199155\t...".
    assert y[0] == "2" and X[0, 0, 0] == -0.6478854 and X[0, 0, 1] == -0.64199155
    X_test, y_test = load_tsv(BUNDLED / "GunPoint" / "GunPoint_TEST.tsv")
    assert X_test.shape == (150, 1, 150) and len(y_test) == 150


def test_italy_power_demand_tsv():
    X, y = load_tsv(BUNDLED / "ItalyPowerDemand" / "ItalyPowerDemand_TRAIN.tsv")
    assert X.shape == (67, 1, 24)
    assert y[0] == "1" and X[0, 0, 0] == -0.71051757
    assert not np.isnan(X).any()


def test_basic_motions_ts():
    X, y = load_ts(BUNDLED / "BasicMotions" / "BasicMotions_TRAIN.ts")
    assert isinstance(X, np.ndarray) and X.shape == (40, 6, 100)
    assert set(y.tolist()) == {"Standing", "Running", "Walking", "Badminton"}
    X_test, _ = load_ts(BUNDLED / "BasicMotions" / "BasicMotions_TEST.ts")
    assert X_test.shape == (40, 6, 100)


def test_japanese_vowels_unequal_length_ts():
    X, y = load_ts(BUNDLED / "JapaneseVowels" / "JapaneseVowels_TRAIN.ts")
    assert isinstance(X, list) and len(X) == 270
    assert all(case.shape[0] == 12 and case.dtype == np.float64 for case in X)
    assert min(lengths(X)) == 7 and max(lengths(X)) == 26
    assert set(y.tolist()) == {str(i) for i in range(1, 10)}
    # First value of the first data line of the file.
    assert X[0][0, 0] == 1.860936
    X_test, _ = load_ts(BUNDLED / "JapaneseVowels" / "JapaneseVowels_TEST.ts")
    assert len(X_test) == 370 and (min(lengths(X_test)), max(lengths(X_test))) == (
        7,
        29,
    )


def test_ts_reader_matches_sktime():
    """An independent reader gives the same values (sktime lower-cases labels)."""
    pytest.importorskip("sktime")
    from sktime.datasets import load_from_tsfile

    path = BUNDLED / "BasicMotions" / "BasicMotions_TRAIN.ts"
    X, y = load_ts(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X_ref, y_ref = load_from_tsfile(str(path), return_data_type="numpy3D")
    np.testing.assert_array_equal(X, X_ref)
    assert [label.lower() for label in y] == list(y_ref)


def test_bundled_sha256_match_manifest():
    manifest = SHARED_DATA / "MANIFEST.csv"
    if not manifest.is_file():
        pytest.skip("../shared/datasets/MANIFEST.csv is not available")
    with open(manifest, newline="") as file:
        expected = {row["path"]: row["sha256"] for row in csv.DictReader(file)}
    bundled = sorted(BUNDLED.glob("*/*_T*.ts*"))
    assert len(bundled) == 8
    for path in bundled:
        relative = f"{path.parent.name}/{path.name}"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest == expected[relative], relative


def test_sources_md_names_every_bundled_problem():
    text = (BUNDLED / "SOURCES.md").read_text(encoding="utf-8")
    for name in BUNDLED_NAMES:
        assert name in text


# --------------------------------------------------------------------------
# Real files: ../shared/datasets
# --------------------------------------------------------------------------


@needs_shared
def test_plaid_unequal_univariate_ts():
    X, y = load_ts(SHARED_DATA / "PLAID" / "PLAID_TRAIN.ts")
    assert isinstance(X, list) and len(X) == 537
    assert all(case.shape[0] == 1 for case in X)
    assert (min(lengths(X)), max(lengths(X))) == (100, 1344)
    assert len(set(y.tolist())) == 11


@needs_shared
@pytest.mark.parametrize("split", ["TRAIN", "TEST"])
def test_padded_tsv_matches_unequal_ts(split):
    """Trailing NaN of AllGestureWiimoteX .tsv are padding: same data as .ts."""
    folder = SHARED_DATA / "AllGestureWiimoteX"
    X_tsv, y_tsv = load_tsv(folder / f"AllGestureWiimoteX_{split}.tsv")
    X_ts, y_ts = load_ts(folder / f"AllGestureWiimoteX_{split}.ts")
    assert isinstance(X_tsv, list) and lengths(X_tsv) == lengths(X_ts)
    for a, b in zip(X_tsv, X_ts, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(y_tsv, y_ts)


@needs_shared
def test_missing_values_inside_series_are_kept():
    """DodgerLoopDay: 236 missing values in TRAIN (MANIFEST), none padding."""
    folder = SHARED_DATA / "DodgerLoopDay"
    X_tsv, _ = load_tsv(folder / "DodgerLoopDay_TRAIN.tsv")
    X_ts, _ = load_ts(folder / "DodgerLoopDay_TRAIN.ts")
    assert X_tsv.shape == X_ts.shape == (78, 1, 288)
    assert int(np.isnan(X_tsv).sum()) == int(np.isnan(X_ts).sum()) == 236
    np.testing.assert_array_equal(X_tsv, X_ts)


@needs_shared
def test_load_ucr_reads_a_whole_archive_folder():
    names = list_datasets(SHARED_DATA)
    assert len(names) >= 89 and {"PLAID", "Coffee"} <= set(names)
    X, y = load_ucr("Coffee", data_home=SHARED_DATA, split="test")
    assert X.shape == (28, 1, 286) and len(y) == 28


# --------------------------------------------------------------------------
# Hand-made files: formats and conventions
# --------------------------------------------------------------------------


def test_tsv_trailing_nan_is_padding_inner_nan_is_missing(tmp_path):
    path = write_text(
        tmp_path,
        "a.tsv",
        "a\t1.0\tNaN\t2.0\tNaN\tNaN\nb\t3.0\t4.0\t5.0\t6.0\t7.0\n",
    )
    X, y = load_tsv(path)
    assert isinstance(X, list) and lengths(X) == [3, 5]
    np.testing.assert_array_equal(X[0], [[1.0, np.nan, 2.0]])
    assert y.tolist() == ["a", "b"]


def test_tsv_padding_to_equal_lengths_gives_an_array(tmp_path):
    path = write_text(tmp_path, "a.tsv", "1\t1\t2\tNaN\n2\t3\t4\tNaN\n")
    X, y = load_tsv(path)
    assert isinstance(X, np.ndarray) and X.shape == (2, 1, 2)
    assert y.tolist() == ["1", "2"]


@pytest.mark.parametrize(
    "text",
    [
        "1,0.5,-1.5e-3,NaN,2\n2,1,2,3,4\n",  # comma separated
        "  1.0000000e+00  5.0e-01 -1.5e-03  NaN  2\n 2 1 2 3 4\n",  # spaces
        "1\t0.5\t-1.5e-3\tNaN\t2\r\n2\t1\t2\t3\t4\r\n\n",  # CRLF, blank line
    ],
)
def test_tsv_separators(tmp_path, text):
    X, y = load_tsv(write_text(tmp_path, "a.tsv", text))
    assert X.shape == (2, 1, 4)
    np.testing.assert_array_equal(X[0, 0], [0.5, -1.5e-3, np.nan, 2.0])
    assert len(y) == 2 and y[1] == "2"


def test_tsv_labels_stay_strings(tmp_path):
    path = write_text(tmp_path, "a.tsv", "-1\t1\t2\n1.0\t1\t2\ncat\t3\t4\n")
    _, y = load_tsv(path)
    assert y.tolist() == ["-1", "1.0", "cat"]


TS_HEADER = """# a comment
@ProblemName toy
@TIMESTAMPS false
@missing true
@univariate false
@dimensions 2
@equalLength true
@seriesLength 3
@classLabel true a b
@data
"""


def test_ts_multivariate_missing_and_case_insensitive_headers(tmp_path):
    body = "1,2,3:4,?,6:a\n\n# comment\n 7 , 8 ,9:10,11,12 : b\n"
    X, y = load_ts(write_text(tmp_path, "a.ts", TS_HEADER + body))
    assert X.shape == (2, 2, 3)
    np.testing.assert_array_equal(X[0], [[1, 2, 3], [4, np.nan, 6]])
    np.testing.assert_array_equal(X[1], [[7, 8, 9], [10, 11, 12]])
    assert y.tolist() == ["a", "b"]


def test_ts_regression_targets_are_float(tmp_path):
    text = "@problemName r\n@univariate true\n@targetlabel true\n@data\n"
    text += "1,2,3:0.5\n4,5,6:-1.25e2\n"
    X, y = load_ts(write_text(tmp_path, "r.ts", text))
    assert X.shape == (2, 1, 3)
    assert y.dtype == np.float64 and y.tolist() == [0.5, -125.0]


def test_ts_without_labels_gives_none(tmp_path):
    text = "@problemName u\n@classLabel false\n@data\n1,2:3,4\n5,6,7:8,9,10\n"
    X, y = load_ts(write_text(tmp_path, "u.ts", text))
    assert y is None and isinstance(X, list) and lengths(X) == [2, 3]
    assert X[0].shape == (2, 2)


def test_ts_unknown_header_warns(tmp_path):
    text = "@problemName u\n@frequency 12\n@classLabel false\n@data\n1,2\n"
    with pytest.warns(UserWarning, match="@frequency"):
        X, _ = load_ts(write_text(tmp_path, "u.ts", text))
    assert X.shape == (1, 1, 2)


ARFF_UNIVARIATE = """% a comment
@RELATION toy
@ATTRIBUTE t0 NUMERIC
@attribute 't 1' real
@attribute t2 numeric
@attribute class {'1', two, 'three four'}

@DATA
1.5,2,?,'1'
3,4,5,two
-1,?,?,'three four'
"""

ARFF_MULTIVARIATE = """@relation toy
@attribute series relational
  @attribute t0 numeric
  @attribute t1 numeric
  @attribute t2 numeric
@end series
@attribute activity {Walking,Running}
@data
'1,2,3\\n4,5,6',Walking
"7,8,?\\n?,10,?",Running
"""


def test_arff_univariate(tmp_path):
    X, y = load_arff(write_text(tmp_path, "u.arff", ARFF_UNIVARIATE))
    assert isinstance(X, list) and lengths(X) == [2, 3, 1]
    np.testing.assert_array_equal(X[0], [[1.5, 2.0]])  # trailing '?' is padding
    np.testing.assert_array_equal(X[2], [[-1.0]])
    assert y.tolist() == ["1", "two", "three four"]


def test_arff_multivariate_relational(tmp_path):
    X, y = load_arff(write_text(tmp_path, "m.arff", ARFF_MULTIVARIATE))
    assert isinstance(X, list) and [case.shape for case in X] == [(2, 3), (2, 2)]
    np.testing.assert_array_equal(X[1], [[7, 8], [np.nan, 10]])
    assert y.tolist() == ["Walking", "Running"]


def test_arff_without_class_gives_none(tmp_path):
    text = "@relation x\n@attribute a numeric\n@attribute b numeric\n@data\n1,2\n3,4\n"
    X, y = load_arff(write_text(tmp_path, "x.arff", text))
    assert y is None and X.shape == (2, 1, 2)


def test_arff_round_trip_of_bundled_problems(tmp_path):
    for name, split in [("BasicMotions", "train"), ("GunPoint", "test")]:
        X, y = load_ucr(name, split=split)
        path = tmp_path / f"{name}.arff"
        write_arff(path, X, y, relation=name)
        X2, y2 = load_arff(path)
        np.testing.assert_array_equal(X2, X)
        np.testing.assert_array_equal(y2, y)


def test_arff_round_trip_unequal_and_quoted_labels(tmp_path):
    X = [np.array([[1.0, np.nan, 3.0], [4.0, 5.0, 6.0]]), np.ones((2, 2))]
    y = ["it's here", "a,b"]
    path = tmp_path / "q.arff"
    write_arff(path, X, y)
    X2, y2 = load_arff(path)
    for a, b in zip(X, X2, strict=True):
        np.testing.assert_array_equal(a, b)
    assert y2.tolist() == y


def test_write_ts_round_trip_regression_and_unlabelled(tmp_path):
    X = np.random.default_rng(0).normal(size=(4, 3, 5))
    targets = np.array([0.1, -2.5, 1e-300, 3.0])
    write_ts(tmp_path / "r.ts", X, targets, regression=True, comment="two\nlines")
    X2, y2 = load_ts(tmp_path / "r.ts")
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, targets)
    write_ts(tmp_path / "u.ts", X)
    X3, y3 = load_ts(tmp_path / "u.ts")
    np.testing.assert_array_equal(X3, X)
    assert y3 is None


def test_write_ts_declares_labels_in_numeric_order(tmp_path):
    write_ts(tmp_path / "a.ts", np.zeros((3, 1, 2)), [10, 2, 1])
    text = (tmp_path / "a.ts").read_text()
    assert "@classLabel true 1 2 10\n" in text


# --------------------------------------------------------------------------
# Error paths: every message names the file, the line and the problem
# --------------------------------------------------------------------------

TS_OK = "@problemName p\n@univariate true\n@classLabel true a b\n@data\n"
ARFF_OK = (
    "@relation r\n@attribute t0 numeric\n@attribute t1 numeric\n"
    "@attribute t2 numeric\n@attribute c {a,b}\n@data\n"
)
ARFF_REL = (
    "@relation r\n@attribute s relational\n@attribute t0 numeric\n"
    "@attribute t1 numeric\n@attribute t2 numeric\n@end s\n"
    "@attribute c {a,b}\n@data\n"
)

ERROR_CASES = [
    # (reader, file text, fragments the message must contain)
    (load_tsv, "1\t1\t2\t3\n1\t1\t2\t3\n2\t1\t2\n", ["line 3", "expected 4", "got 3"]),
    (load_tsv, "1\t1\t2\n2\t1\tabc\n", ["line 2", "non-numeric value 'abc'"]),
    (load_tsv, "1\t1\t2\n2\t1_0\t3\n", ["line 2", "non-numeric value '1_0'"]),
    # more that float() alone would read: whitespace other than spaces and tabs
    (load_tsv, "1\t1\t2\n2\t3\x0c\t1\n", ["line 2", "non-numeric value '3\\x0c'"]),
    (load_tsv, "1\t1\t2\n2\t1\t\x1c3\n", ["line 2", "non-numeric value '\\x1c3'"]),
    (load_tsv, "1\t1\t2\n2\t1\t.e5\n", ["line 2", "non-numeric value '.e5'"]),
    (load_ts, TS_OK + "1,2,3:a\n1,2_0,3:b\n", ["line 6", "non-numeric value '2_0'"]),
    (load_tsv, "1\t1\t\t2\n", ["line 1", "empty value at position 2"]),
    (load_tsv, "1\t1\t2\n\t1\t2\n", ["line 2", "label", "empty"]),
    (load_tsv, "1\t1\t2\n2\tNaN\tNaN\n", ["line 2", "no values"]),
    (load_tsv, "1\n", ["line 1", "no values after the label"]),
    (load_tsv, "\n  \n", ["empty"]),
    (load_tsv, "@problemName x\n@data\n1,2:a\n", ["line 1", "load_ts"]),
    (load_tsv, "@relation x\n", ["line 1", "load_arff"]),
    (load_ts, TS_OK + "1,2,3:a\n1,2,3:c\n", ["line 6", "class label 'c'", "a b"]),
    (load_ts, TS_OK + "1,2,3:a\n1,x,3:b\n", ["line 6", "non-numeric value 'x'"]),
    (load_ts, TS_OK + "1,2,3:a\n1,2:3:b\n", ["line 6", "expected 2", "got 3"]),
    (load_ts, TS_OK + "1,2,3\n", ["line 5", "expected 2", "got 1"]),
    (load_ts, TS_OK + "1,2,3:\n", ["line 5", "label", "empty"]),
    (load_ts, TS_OK + "1,,3:a\n", ["line 5", "empty value at position 2"]),
    (load_ts, TS_OK + ":a\n", ["line 5", "channel 1 is empty"]),
    (load_ts, TS_OK + "(0,1),(1,2):a\n", ["line 5", "time-stamped"]),
    (load_ts, TS_OK + "1,2:a\n@data\n", ["line 6", "after @data"]),
    (
        load_ts,
        "@dimensions 2\n@classLabel false\n@data\n1,2,3:4,5\n",
        ["line 4", "different lengths [3, 2]"],
    ),
    (
        load_ts,
        "@equalLength true\n@seriesLength 3\n@classLabel false\n@data\n1,2,3\n1,2\n",
        ["line 6", "expected 3 values per channel", "got 2"],
    ),
    (
        load_ts,
        "@equalLength true\n@classLabel false\n@data\n1,2,3\n1,2\n",
        ["line 5", "expected 3 values per channel", "first case"],
    ),
    (load_ts, "@problemName p\n@timeStamps true\n@data\n", ["line 2", "@timeStamps"]),
    (load_ts, "@univariate maybe\n@data\n1\n", ["line 1", "true or false"]),
    (load_ts, "@dimensions two\n@data\n1\n", ["line 1", "positive integer"]),
    (load_ts, "@univariate true\n@dimensions 2\n", ["line 2", "contradicts"]),
    (load_ts, "@classLabel true\n@data\n1:a\n", ["line 1", "labels"]),
    (load_ts, "@classLabel false a\n@data\n1\n", ["line 1", "false"]),
    (
        load_ts,
        "@classLabel true a\n@targetLabel true\n@data\n1:a\n",
        ["line 3", "exclusive"],
    ),
    (load_ts, "@targetlabel true\n@data\n1,2:big\n", ["line 3", "'big'", "number"]),
    (load_ts, "@problemName p\n@classLabel false\n", ["no @data"]),
    (load_ts, TS_OK + "# only a comment\n", ["no data"]),
    (load_ts, "1\t0.5\t0.25\n", ["line 1", "load_tsv"]),
    (load_ts, "@relation x\n@attribute a numeric\n", ["line 1", "load_arff"]),
    (load_arff, ARFF_OK + "1,2,a\n", ["line 7", "expected 4", "got 3"]),
    (load_arff, ARFF_OK + "1,2,3,c\n", ["line 7", "'c'", "not among"]),
    (load_arff, ARFF_OK + "1,2,3,?\n", ["line 7", "label is missing"]),
    (load_arff, ARFF_OK + "1,zz,3,a\n", ["line 7", "non-numeric value 'zz'"]),
    (load_arff, ARFF_OK + "{0 1.5, 3 a}\n", ["line 7", "sparse"]),
    (load_arff, ARFF_OK + "1,2,3,'a\n", ["line 7", "unbalanced quotes"]),
    (load_arff, ARFF_REL + "'1,2,3\\n4,5,6',a\n'1,2,3',b\n", ["line 10", "2 channels"]),
    (load_arff, ARFF_REL + "'1,2,3\\n4,5',a\n", ["line 9", "channel 2", "got 2"]),
    (load_arff, ARFF_REL + "1,2,3,a\n", ["line 9", "expected 2", "got 4"]),
    (load_arff, ARFF_REL + "1,a\n", ["line 9", "must be quoted"]),
    (load_arff, ARFF_REL.replace("@end s\n", ""), ["@end"]),
    (load_arff, "@relation r\n@attribute d date\n@data\n", ["line 2", "date"]),
    (load_arff, "@relation r\n@attribute c {a}\n@data\n", ["line 3", "numeric"]),
    (load_arff, ARFF_OK, ["no data"]),
    (load_arff, "@relation r\n@attribute t0 numeric\n", ["no @data"]),
    (load_arff, "@problemName x\n", ["line 1", "load_ts"]),
    (load_arff, "1\t2\t3\n", ["line 1", "ARFF header"]),
]


@pytest.mark.parametrize(
    "reader, text, fragments",
    ERROR_CASES,
    ids=[f"{case[0].__name__}-{i}" for i, case in enumerate(ERROR_CASES)],
)
def test_malformed_files_raise_with_line_and_problem(tmp_path, reader, text, fragments):
    path = write_text(tmp_path, "bad.file", text)
    with pytest.raises(ValueError) as info:
        reader(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize("reader", [load_tsv, load_ts, load_arff])
def test_binary_zip_and_empty_files(tmp_path, reader):
    empty = write_text(tmp_path, "empty.txt", "")
    with pytest.raises(ValueError, match="empty"):
        reader(empty)
    binary = tmp_path / "binary.bin"
    binary.write_bytes(b"\x00\x01\x02garbage\xff")
    with pytest.raises(ValueError, match="binary"):
        reader(binary)
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x.txt", "1\t2\n")
    with pytest.raises(ValueError, match="zip"):
        reader(archive)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_tsv(tmp_path / "nope.tsv")


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda p: write_tsv(p, np.zeros((2, 2, 3)), ["a", "b"]), "univariate"),
        (lambda p: write_tsv(p, [[1.0, np.nan]], ["a"]), "ends with a missing"),
        (lambda p: write_tsv(p, [[1.0, 2.0]], ["a b"]), "white space"),
        (lambda p: write_tsv(p, [[1.0, 2.0]], ["a,b"]), "','"),
        (lambda p: write_tsv(p, [[1.0, 2.0]], ["a"], sep=";"), "sep"),
        (lambda p: write_tsv(p, [[1.0, 2.0]], ["a", "b"]), "1 cases but y has 2"),
        (lambda p: write_ts(p, [[1.0]], ["a:b"]), "':'"),
        (lambda p: write_ts(p, [[1.0]], [""]), "non-empty"),
        (lambda p: write_ts(p, [[1.0]], ["a"], problem_name="a b"), "problem_name"),
        (lambda p: write_ts(p, [[1.0]], ["a"], class_labels=["b"]), "not in"),
        (lambda p: write_ts(p, [[np.inf]], ["a"]), "infinity"),
        (lambda p: write_arff(p, [[1.0, np.nan]], ["a"]), "ends with a missing"),
        (lambda p: write_arff(p, [[1.0]], ["a\nb"]), "line breaks"),
    ],
)
def test_writers_refuse_what_cannot_be_read_back(tmp_path, call, fragment):
    with pytest.raises(ValueError, match=None) as info:
        call(tmp_path / "out")
    assert fragment in str(info.value)


# --------------------------------------------------------------------------
# load_ucr and list_datasets
# --------------------------------------------------------------------------


def make_problem(root: Path, name: str, ext: str = "tsv", value: float = 0.0):
    """A tiny problem whose first value tells which copy was read."""
    X = np.full((2, 1, 3), value)
    y = ["a", "b"]
    writer = {"tsv": write_tsv, "ts": write_ts, "arff": write_arff}[ext]
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    for split in ("TRAIN", "TEST"):
        writer(folder / f"{name}_{split}.{ext}", X, y)
    return folder


def test_bundled_folder_is_found_inside_the_package():
    expected = Path(rocketconv.__file__).resolve().parent / "datasets" / "bundled"
    assert _locations._bundled_dirs()[0] == expected == BUNDLED.resolve()


def test_list_datasets_bundled_and_data_home(tmp_path):
    assert set(BUNDLED_NAMES) <= set(list_datasets())
    make_problem(tmp_path, "Zeta")
    (tmp_path / "NotAProblem").mkdir()
    write_text(tmp_path, "Half/Half_TEST.tsv", "a\t1\n")
    names = list_datasets(tmp_path)
    assert names == sorted(names)
    assert "Zeta" in names and "NotAProblem" not in names and "Half" not in names


@pytest.mark.parametrize(
    "name, split, shape",
    [
        ("GunPoint", "train", (50, 1, 150)),
        ("GunPoint", "TEST", (150, 1, 150)),
        ("GunPoint", None, (200, 1, 150)),
        ("ItalyPowerDemand", None, (1096, 1, 24)),
        ("BasicMotions", "Train", (40, 6, 100)),
        ("BasicMotions", None, (80, 6, 100)),
    ],
)
def test_load_ucr_bundled(name, split, shape):
    X, y = load_ucr(name, split=split)
    assert isinstance(X, np.ndarray) and X.shape == shape and len(y) == shape[0]


def test_load_ucr_concatenates_train_then_test():
    X, y = load_ucr("GunPoint")
    X_train, y_train = load_ucr("GunPoint", split="train")
    X_test, y_test = load_ucr("GunPoint", split="test")
    np.testing.assert_array_equal(X, np.concatenate([X_train, X_test]))
    np.testing.assert_array_equal(y, np.concatenate([y_train, y_test]))


def test_load_ucr_unequal_length_concatenation():
    X, y = load_ucr("JapaneseVowels")
    assert isinstance(X, list) and len(X) == len(y) == 640
    assert (min(lengths(X)), max(lengths(X))) == (7, 29)


def test_load_ucr_bunch():
    data = load_ucr("BasicMotions", return_X_y=False)
    assert isinstance(data, Bunch)
    assert data.X_train.shape == data.X_test.shape == (40, 6, 100)
    assert data.X.shape == (80, 6, 100) and len(data.y) == 80
    assert data.name == "BasicMotions" and data.split is None
    assert data.path.resolve() == (BUNDLED / "BasicMotions").resolve()
    assert data.files["train"].name == "BasicMotions_TRAIN.ts"
    one = load_ucr("GunPoint", split="test", return_X_y=False)
    assert one.X_train is None and one.X_test.shape == (150, 1, 150)
    assert one.split == "test"


def test_load_ucr_search_order(tmp_path, monkeypatch):
    home, env_a, env_b = tmp_path / "home", tmp_path / "env_a", tmp_path / "env_b"
    make_problem(home, "GunPoint", value=1.0)
    make_problem(env_b, "GunPoint", value=2.0)
    make_problem(env_b, "OnlyInEnv", value=3.0)
    env_a.mkdir()
    monkeypatch.setenv("ROCKETCONV_DATA", os.pathsep.join([str(env_a), str(env_b)]))
    assert load_ucr("GunPoint", data_home=home)[0][0, 0, 0] == 1.0
    assert load_ucr("GunPoint")[0][0, 0, 0] == 2.0  # env beats bundled
    assert load_ucr("OnlyInEnv", split="train")[0][0, 0, 0] == 3.0
    assert "OnlyInEnv" in list_datasets()
    monkeypatch.delenv("ROCKETCONV_DATA")
    assert load_ucr("GunPoint")[0].shape == (200, 1, 150)  # bundled


def test_load_ucr_prefers_ts_then_tsv_then_arff(tmp_path):
    make_problem(tmp_path, "Multi", "arff", value=3.0)
    assert load_ucr("Multi", data_home=tmp_path)[0][0, 0, 0] == 3.0
    make_problem(tmp_path, "Multi", "tsv", value=2.0)
    assert load_ucr("Multi", data_home=tmp_path)[0][0, 0, 0] == 2.0
    make_problem(tmp_path, "Multi", "ts", value=1.0)
    assert load_ucr("Multi", data_home=tmp_path)[0][0, 0, 0] == 1.0


def test_load_ucr_unknown_name_lists_roots_and_suggests(tmp_path):
    with pytest.raises(ValueError) as info:
        load_ucr("GunPiont", data_home=tmp_path)
    message = str(info.value)
    assert "GunPiont" in message and str(tmp_path) in message
    assert "ROCKETCONV_DATA" in message and "Did you mean: GunPoint" in message
    assert str(BUNDLED) in message and "fetch_ucr" in message


def test_load_ucr_missing_split_is_reported(tmp_path):
    write_text(tmp_path, "Half/Half_TRAIN.tsv", "a\t1\t2\n")
    assert load_ucr("Half", split="train", data_home=tmp_path)[0].shape == (1, 1, 2)
    with pytest.raises(ValueError, match="lacks a requested split"):
        load_ucr("Half", data_home=tmp_path)


@pytest.mark.parametrize("name", ["../GunPoint", "a/b", "", " GunPoint", ".."])
def test_load_ucr_rejects_path_like_names(name):
    with pytest.raises(ValueError, match="invalid dataset name"):
        load_ucr(name)


def test_load_ucr_rejects_bad_split():
    with pytest.raises(ValueError, match="split"):
        load_ucr("GunPoint", split="validation")


# --------------------------------------------------------------------------
# fetch_ucr (offline: file:// URLs)
# --------------------------------------------------------------------------

TOY_TRAIN = "a\t1\t2\t3\nb\t4\t5\t6\n"
TOY_TEST = "a\t7\t8\t9\n"


def make_zip(path: Path, members: dict[str, str], symlink: str | None = None) -> str:
    with zipfile.ZipFile(path, "w") as zf:
        for member, text in members.items():
            zf.writestr(member, text)
        if symlink is not None:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path.as_uri()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


@pytest.mark.parametrize("prefix", ["", "Toy/", "Univariate_ts/Toy/"])
def test_fetch_ucr_from_file_url(tmp_path, prefix):
    url = make_zip(
        tmp_path / "Toy.zip",
        {f"{prefix}Toy_TRAIN.tsv": TOY_TRAIN, f"{prefix}Toy_TEST.tsv": TOY_TEST},
    )
    home = tmp_path / "home"
    folder = fetch_ucr("Toy", data_home=home, url=url)
    assert folder == home / "Toy"
    assert sorted(p.name for p in folder.iterdir()) == ["Toy_TEST.tsv", "Toy_TRAIN.tsv"]
    assert leftovers(home) == ["Toy"]  # no zip, no partial file, no staging
    X, y = load_ucr("Toy", data_home=home)
    assert X.shape == (3, 1, 3) and y.tolist() == ["a", "b", "a"]


def test_fetch_ucr_verifies_sha256(tmp_path):
    archive = tmp_path / "Toy.zip"
    url = make_zip(archive, {"Toy_TRAIN.tsv": TOY_TRAIN, "Toy_TEST.tsv": TOY_TEST})
    home = tmp_path / "home"
    with pytest.raises(ValueError, match="checksum mismatch"):
        fetch_ucr("Toy", data_home=home, url=url, sha256="0" * 64)
    assert leftovers(home) == []  # the download was deleted
    folder = fetch_ucr("Toy", data_home=home, url=url, sha256=sha256_of(archive))
    assert (folder / "Toy_TRAIN.tsv").read_text() == TOY_TRAIN
    with pytest.raises(ValueError, match="64 hexadecimal"):
        fetch_ucr("Toy", data_home=home, url=url, sha256="abc", force=True)


@pytest.mark.parametrize(
    "member", ["../evil.txt", "Toy/../../evil.txt", "/tmp/evil.txt", "..\\evil.txt"]
)
def test_fetch_ucr_rejects_path_traversal(tmp_path, member):
    url = make_zip(
        tmp_path / "Toy.zip",
        {"Toy_TRAIN.tsv": TOY_TRAIN, "Toy_TEST.tsv": TOY_TEST, member: "pwned"},
    )
    home = tmp_path / "a" / "home"
    with pytest.raises(ValueError, match="unsafe zip"):
        fetch_ucr("Toy", data_home=home, url=url)
    assert not (tmp_path / "a" / "evil.txt").exists()
    assert not Path("/tmp/evil.txt").exists() or member != "/tmp/evil.txt"
    assert leftovers(home) == []  # nothing extracted, zip removed


def test_fetch_ucr_rejects_symlinks(tmp_path):
    url = make_zip(
        tmp_path / "Toy.zip",
        {"Toy_TRAIN.tsv": TOY_TRAIN, "Toy_TEST.tsv": TOY_TEST},
        symlink="Toy/link",
    )
    with pytest.raises(ValueError, match="symbolic link"):
        fetch_ucr("Toy", data_home=tmp_path / "home", url=url)


def test_fetch_ucr_skips_download_when_present_unless_force(tmp_path):
    home = tmp_path / "home"
    url = make_zip(
        tmp_path / "v1.zip", {"Toy_TRAIN.tsv": TOY_TRAIN, "Toy_TEST.tsv": TOY_TEST}
    )
    fetch_ucr("Toy", data_home=home, url=url)
    missing = (tmp_path / "missing.zip").as_uri()
    # Present: nothing is downloaded, so a dead URL does not matter.
    assert fetch_ucr("Toy", data_home=home, url=missing) == home / "Toy"
    with pytest.raises(ConnectionError, match="could not download"):
        fetch_ucr("Toy", data_home=home, url=missing, force=True)
    assert load_ucr("Toy", data_home=home)[0].shape == (3, 1, 3)  # untouched
    url2 = make_zip(
        tmp_path / "v2.zip", {"Toy_TRAIN.tsv": TOY_TEST, "Toy_TEST.tsv": TOY_TEST}
    )
    fetch_ucr("Toy", data_home=home, url=url2, force=True)
    assert load_ucr("Toy", data_home=home)[0].shape == (2, 1, 3)


def test_fetch_ucr_bad_archives(tmp_path):
    home = tmp_path / "home"
    not_zip = write_text(tmp_path, "page.html", "<html>moved</html>")
    with pytest.raises(ValueError, match="not a zip"):
        fetch_ucr("Toy", data_home=home, url=not_zip.as_uri())
    url = make_zip(tmp_path / "Other.zip", {"Other_TRAIN.tsv": TOY_TRAIN})
    with pytest.raises(ValueError, match="holds no Toy_TRAIN"):
        fetch_ucr("Toy", data_home=home, url=url)
    assert leftovers(home) == []
    with pytest.raises(ValueError, match="invalid dataset name"):
        fetch_ucr("../Toy", data_home=home, url=url)


def test_fetch_ucr_default_roots(tmp_path, monkeypatch):
    url = make_zip(
        tmp_path / "Toy.zip", {"Toy_TRAIN.tsv": TOY_TRAIN, "Toy_TEST.tsv": TOY_TEST}
    )
    cache = tmp_path / "xdg-cache" / "rocketconv"
    assert fetch_ucr("Toy", url=url) == cache / "Toy"  # XDG_CACHE_HOME
    assert "Toy" in list_datasets()  # load_ucr searches the cache too
    assert load_ucr("Toy", split="test")[0].shape == (1, 1, 3)
    env = tmp_path / "env"
    monkeypatch.setenv("ROCKETCONV_DATA", os.pathsep.join([str(env), str(tmp_path)]))
    assert fetch_ucr("Toy", url=url) == env / "Toy"  # first ROCKETCONV_DATA folder
    assert _locations._cache_dir() == cache
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert _locations._cache_dir() == Path.home() / ".cache" / "rocketconv"
