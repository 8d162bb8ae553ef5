"""Loading a UCR/UEA archive problem by name: ``load_ucr``.

``_locations`` finds the problem's folder; the reader of each split's file
is chosen by its extension; the two splits are concatenated, train first,
when both are asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from rocketconv.datasets._arff import load_arff
from rocketconv.datasets._locations import (
    SPLITS,
    DataHome,
    _check_name,
    _locate,
)
from rocketconv.datasets._parsing import Cases, PathLike
from rocketconv.datasets._ts import load_ts
from rocketconv.datasets._tsv import load_tsv

__all__ = ["load_ucr"]

_READERS: dict[str, Callable[[PathLike], tuple[Cases, np.ndarray | None]]] = {
    "ts": load_ts,
    "tsv": load_tsv,
    "arff": load_arff,
}


def _check_split(split: str | None) -> tuple[str, ...]:
    if split is None:
        return SPLITS
    if isinstance(split, str) and split.lower() in SPLITS:
        return (split.lower(),)
    raise ValueError(f"split must be 'train', 'test' or None, got {split!r}.")


def _read(path: Path) -> tuple[Cases, np.ndarray | None]:
    return _READERS[path.suffix[1:]](path)


def concatenate_cases(first: Cases, second: Cases) -> Cases:
    """Train then test (vstack(TRAIN, TEST)): one array when the shapes allow
    it, else a list; ``load_ucr`` and the evaluation's resamples use it."""
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


def _concatenate_y(
    first: np.ndarray | None, second: np.ndarray | None
) -> np.ndarray | None:
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
) -> tuple[Cases, np.ndarray | None] | Bunch:
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
        X = concatenate_cases(loaded["train"][0], loaded["test"][0])
        y = _concatenate_y(loaded["train"][1], loaded["test"][1])
    else:
        X, y = loaded[splits[0]]
    if return_X_y:
        return X, y
    data = Bunch(X=X, y=y, name=name, split=splits[0] if split else None)
    data.update(path=folder, files=files)
    for s in SPLITS:
        data[f"X_{s}"], data[f"y_{s}"] = loaded.get(s, (None, None))
    return data
