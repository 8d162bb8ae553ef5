"""Which problems a benchmark runs, and the train/test split of each resample.

Resample 0 is the archive's default train/test split; resample ``i > 0`` is
either

* the stratified resample of tsml-eval / aeon (``stratified_resample_data``
  in ``tsml_eval.utils.resampling`` and ``aeon.benchmarking.resampling``,
  seeded with ``i``): train and test are pooled (train first), then for each
  class in ``np.unique`` order its pooled row indices are shuffled by one
  ``RandomState(i)`` and the first ``n_train(class)`` go to the training set,
  the rest to the test set; or
* with ``resample_indices``, the published indices of the MultiRocket
  repository (``indices109/<Name>_INDICES_TRAIN.txt``: line ``i`` holds the
  training rows of resample ``i`` as indices into the pooled data, line 0 is
  all ``-1`` = default split; ``_INDICES_TEST.txt`` holds the test rows,
  which are the complement). These are the splits of the published
  MiniRocket / MultiRocket / bake-off resamples.

Problems are found and loaded with the public functions of
:mod:`rocketconv.datasets` only.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from unittest import mock

import numpy as np

from rocketconv._validation import Cases
from rocketconv.datasets._loaders import concatenate_cases
from rocketconv.evaluation.published import ucr112

# X_train, y_train, X_test, y_test
Split = tuple[Cases, np.ndarray, Cases, np.ndarray]

__all__ = [
    "bundled_datasets",
    "resolve_datasets",
    "stratified_resample_indices",
    "read_resample_indices",
    "load_split",
]


# --------------------------------------------------------------------------
# Which problems
# --------------------------------------------------------------------------


def bundled_datasets() -> list[str]:
    """The problems shipped with rocketconv.

    Those ``list_datasets()`` finds with no ``data_home``, no
    ``ROCKETCONV_DATA`` and an empty download cache.

    Examples
    --------
    >>> {"GunPoint", "BasicMotions"} <= set(bundled_datasets())
    True
    """
    from rocketconv.datasets import list_datasets

    with tempfile.TemporaryDirectory() as empty:
        environ = {"ROCKETCONV_DATA": "", "XDG_CACHE_HOME": empty}
        with mock.patch.dict(os.environ, environ):
            return list_datasets()


def _names_of(spec: str | Sequence[str], data_home: str | None) -> list[str]:
    """The names a ``--datasets`` value stands for, unchecked."""
    from rocketconv.datasets import list_datasets

    if not isinstance(spec, str):
        return [str(s).strip() for s in spec]
    keyword = spec.strip().lower()
    if keyword == "ucr112":
        return ucr112()
    if keyword == "bundled":
        return bundled_datasets()
    if keyword == "all":
        return list_datasets(data_home)
    if os.path.isfile(spec):
        lines = Path(spec).read_text().splitlines()
        return [line.split("#", 1)[0].strip() for line in lines]
    return [part.strip() for part in spec.split(",")]


def resolve_datasets(
    spec: str | Sequence[str],
    data_home: str | None = None,
    skip_missing: bool = False,
) -> list[str]:
    """Dataset names from a ``--datasets`` value.

    ``spec`` is comma separated names, a path to a file with one name per line
    (blank lines and ``#`` comments ignored), ``"ucr112"`` (the 112
    equal-length UCR problems of the bake-off), ``"bundled"`` (the problems
    shipped with rocketconv) or ``"all"`` (every problem found). Names are
    checked against what ``rocketconv.datasets.list_datasets(data_home)``
    finds; unknown names raise a ValueError listing the known ones, unless
    ``skip_missing`` (then they are dropped with a warning on stderr).

    Examples
    --------
    >>> resolve_datasets("GunPoint, ItalyPowerDemand,GunPoint")
    ['GunPoint', 'ItalyPowerDemand']
    """
    from rocketconv.datasets import list_datasets

    names = list(dict.fromkeys(n for n in _names_of(spec, data_home) if n))
    if not names:
        raise ValueError(f"no datasets in {spec!r}.")
    known = list_datasets(data_home)
    missing = [n for n in names if n not in known]
    if missing:
        where = f"data_home={data_home!r}, " if data_home else ""
        message = (
            f"unknown dataset(s) {', '.join(missing)} (searched {where}"
            f"ROCKETCONV_DATA and the bundled problems). Known datasets "
            f"({len(known)}): {', '.join(known)}."
        )
        if not skip_missing:
            raise ValueError(message)
        print(f"warning: skipping {message}", file=sys.stderr)
        names = [n for n in names if n in known]
    return names


# --------------------------------------------------------------------------
# Resamples
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _load_train_test(name: str, data_home: str | None) -> Split:
    from rocketconv.datasets import load_ucr

    X_train, y_train = load_ucr(name, split="train", data_home=data_home)
    X_test, y_test = load_ucr(name, split="test", data_home=data_home)
    return X_train, np.asarray(y_train), X_test, np.asarray(y_test)


def _take(X: Cases, rows: np.ndarray) -> Cases:
    if isinstance(X, np.ndarray):
        return X[rows]
    return [X[i] for i in rows]


def stratified_resample_indices(
    y_train: np.ndarray, y_test: np.ndarray, random_state: int
) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices into ``concat(y_train, y_test)`` of the
    tsml-eval / aeon stratified resample seeded with ``random_state``.

    Every class keeps its training-set count. Matches
    ``aeon.benchmarking.resampling.stratified_resample_data_indices``
    (one ``RandomState``, classes in ``np.unique`` order, one shuffle each).
    Classes found only in the test set stay in the test set.

    Examples
    --------
    >>> import numpy as np
    >>> y_train, y_test = np.array(["a", "a", "b"]), np.array(["a", "b", "b"])
    >>> train, test = stratified_resample_indices(y_train, y_test, 1)
    >>> np.r_[y_train, y_test][train].tolist(), len(test)
    (['a', 'a', 'b'], 3)
    """
    y_train = np.asarray(y_train)
    y_test = np.asarray(y_test)
    pooled = np.concatenate([y_train, y_test])
    rng = np.random.RandomState(random_state)
    classes, counts = np.unique(y_train, return_counts=True)
    train_parts, test_parts = [], []
    for label, count in zip(classes, counts, strict=True):
        members = np.flatnonzero(pooled == label)
        rng.shuffle(members)
        train_parts.append(members[:count])
        test_parts.append(members[count:])
    only_test = np.flatnonzero(~np.isin(pooled, classes))
    train = np.concatenate(train_parts).astype(int)
    test = np.concatenate(test_parts + [only_test]).astype(int)
    return train, test


def _indices_line(path: Path, resample: int) -> np.ndarray:
    """Line ``resample`` (0-based) of an indices file, as integers."""
    lines = path.read_text().splitlines()
    if resample >= len(lines):
        raise ValueError(
            f"{path} has {len(lines)} resamples (lines); resample {resample} "
            "is not among them."
        )
    try:
        return np.array(lines[resample].split(), dtype=np.int64)
    except ValueError:
        raise ValueError(
            f"{path} line {resample + 1} is not space separated integers."
        ) from None


def read_resample_indices(
    directory: str | os.PathLike, dataset: str, resample: int, n_total: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """The published train/test rows of one resample, or None for the
    default split (a line of ``-1``).

    Reads ``<directory>/<dataset>_INDICES_TRAIN.txt`` (line ``resample``:
    space separated training rows into vstack(TRAIN, TEST)) and, when
    present, ``_INDICES_TEST.txt`` (the test rows, in their order), and
    checks that the two are disjoint and cover all ``n_total`` rows. Without
    a TEST file the test rows are the sorted complement.
    """
    directory = Path(directory)
    train_file = directory / f"{dataset}_INDICES_TRAIN.txt"
    if not train_file.is_file():
        raise FileNotFoundError(f"no published resample indices {train_file}.")
    train = _indices_line(train_file, resample)
    if train.size and np.all(train == -1):
        return None
    where = f"{train_file} line {resample + 1}"
    if train.size == 0 or train.min() < 0 or train.max() >= n_total:
        raise ValueError(f"{where}: indices must lie in 0..{n_total - 1}.")
    if len(np.unique(train)) != len(train):
        raise ValueError(f"{where} repeats an index.")
    complement = np.setdiff1d(np.arange(n_total), train)
    test_file = directory / f"{dataset}_INDICES_TEST.txt"
    if not test_file.is_file():
        return train, complement
    test = _indices_line(test_file, resample)
    if len(test) != len(complement) or not np.array_equal(np.sort(test), complement):
        raise ValueError(
            f"{test_file} line {resample + 1} is not the complement of the "
            "training indices."
        )
    return train, test


def load_split(
    dataset: str,
    resample: int,
    data_home: str | None = None,
    resample_indices: str | None = None,
) -> Split:
    """``X_train, y_train, X_test, y_test`` of one resample of a problem.

    Unequal-length problems come back as lists of 2-D arrays.

    Examples
    --------
    >>> X_train, y_train, X_test, y_test = load_split("GunPoint", 1)
    >>> X_train.shape, X_test.shape
    ((50, 1, 150), (150, 1, 150))
    """
    X_train, y_train, X_test, y_test = _load_train_test(dataset, data_home)
    if resample == 0 and resample_indices is None:
        return X_train, y_train, X_test, y_test
    n_total = len(y_train) + len(y_test)
    if resample_indices is not None:
        rows = read_resample_indices(resample_indices, dataset, resample, n_total)
        if rows is None:
            return X_train, y_train, X_test, y_test
    else:
        rows = stratified_resample_indices(y_train, y_test, resample)
    X = concatenate_cases(X_train, X_test)
    y = np.concatenate([y_train, y_test])
    train, test = rows
    return _take(X, train), y[train], _take(X, test), y[test]
