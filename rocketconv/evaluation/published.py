"""Published results shipped with rocketconv, and look-ups into them.

Two long-format tables (columns ``classifier, dataset, resample, metric,
value``) live in ``rocketconv/evaluation/published/``; ``SOURCES.md`` there
says where every number came from:

* ``bakeoff_redux_2023.csv``: the bake-off redux (Middlehurst, Schaefer,
  Bagnall 2024) for ROCKET, MiniRocket, MultiRocket, Hydra, MultiRocket-Hydra
  and InceptionTime (accuracy, balanced accuracy, AUROC, log-loss) and
  HIVE-COTE 2 (accuracy), 112 UCR problems x 30 resamples (0 = default split).
* ``authors.csv``: the accuracies in the authors' own repositories: ROCKET
  (default split, mean of 10 runs), MiniRocket (109 problems x 30 resamples),
  MultiRocket (128 x 30), InceptionTime (default split).

Classifier keys, display names, aliases and bake-off file names are those
of :data:`rocketconv._registry.ALGORITHMS` (``rocket``, ``minirocket``,
``multirocket``, ``hydra``, ``multirocket+hydra``, ``inceptiontime`` and the
reference-only ``hc2``). The resamples 1..29 of both sources are the
same train/test splits as ``multirocket/indices109`` (the per-resample
accuracies of the two MiniRocket sources agree), so a run with
``--resample-indices`` lines up resample by resample.

``build_published_tables`` regenerates the tables from a
``reference-results`` folder (the layout of the raw published files).
"""

from __future__ import annotations

import functools
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from rocketconv._registry import ALGORITHMS, get_algorithm
from rocketconv.evaluation.tsml_io import LOWER_IS_BETTER, METRICS

__all__ = [
    "PUBLISHED_DIR",
    "METRICS",
    "LOWER_IS_BETTER",
    "SOURCES",
    "load_published",
    "published_accuracy",
    "published_key",
    "published_label",
    "published_metric",
    "published_names",
    "round_significant",
    "ucr112",
    "build_published_tables",
]

PUBLISHED_DIR = Path(__file__).parent / "published"
SOURCES = ("authors", "bakeoff_redux_2023")


def published_names() -> list[str]:
    """Keys of the algorithms with published results (every registry entry).

    Examples
    --------
    >>> published_names()[-1]
    'hc2'
    """
    return list(ALGORITHMS)


def published_key(classifier: str) -> str:
    """The registry key of ``classifier`` (case-insensitive, aliases such as
    "MR", "MR-Hydra" or "HIVE-COTE2" accepted).

    Examples
    --------
    >>> published_key("HIVE-COTE2"), published_key("miniROCKET")
    ('hc2', 'minirocket')
    """
    try:
        return get_algorithm(classifier).key
    except (TypeError, ValueError):
        raise ValueError(
            f"no published results for {classifier!r}; available: "
            f"{', '.join(published_names())}."
        ) from None


def published_label(classifier: str) -> str:
    """How a published column is labelled in tables and plots.

    Examples
    --------
    >>> published_label("mr-hydra")
    'MultiRocket-Hydra (published)'
    """
    return f"{ALGORITHMS[published_key(classifier)].display_name} (published)"


@functools.lru_cache(maxsize=4)
def _load(source: str) -> pd.DataFrame:
    table = pd.read_csv(
        PUBLISHED_DIR / f"{source}.csv",
        dtype={"classifier": str, "dataset": str, "metric": str},
    )
    table["resample"] = table["resample"].astype(int)
    return table


def load_published(source: str = "bakeoff_redux_2023") -> pd.DataFrame:
    """The shipped table of one source (a copy), long format.

    Parameters
    ----------
    source : {"bakeoff_redux_2023", "authors"}

    Examples
    --------
    >>> table = load_published()
    >>> list(table.columns)
    ['classifier', 'dataset', 'resample', 'metric', 'value']
    >>> sorted(table["metric"].unique())
    ['accuracy', 'auroc', 'balacc', 'logloss']
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}.")
    return _load(source).copy()


@functools.lru_cache(maxsize=4)
def _index(source: str) -> dict:
    table = _load(source)
    keys = zip(
        table["classifier"],
        table["dataset"],
        table["resample"],
        table["metric"],
        strict=True,
    )
    return dict(zip(keys, table["value"], strict=True))


def published_metric(
    classifier: str,
    dataset: str,
    metric: str = "accuracy",
    resample: int = 0,
    source: str = "auto",
) -> float | None:
    """A published figure, or None when the source does not have it.

    Parameters
    ----------
    classifier : str
        A key of :func:`published_names` (case-insensitive; "MR", "MR-Hydra"
        and "HIVE-COTE2" are understood too).
    dataset : str
    metric : {"accuracy", "balacc", "auroc", "logloss"}
    resample : int, default=0
        0 is the default train/test split.
    source : {"auto", "authors", "bakeoff_redux_2023"}
        "auto": the authors' own table first, then the bake-off.

    Examples
    --------
    >>> published_metric("minirocket", "GunPoint", "logloss", resample=3) > 0
    True
    """
    key = published_key(classifier)
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}.")
    sources = ("authors", "bakeoff_redux_2023") if source == "auto" else (source,)
    for name in sources:
        if name not in SOURCES:
            raise ValueError(f"source must be 'auto' or one of {SOURCES}.")
        value = _index(name).get((key, dataset, int(resample), metric))
        if value is not None:
            return float(value)
    return None


def published_accuracy(
    classifier: str, dataset: str, resample: int = 0, source: str = "auto"
) -> float | None:
    """The published accuracy of ``classifier`` on one split of ``dataset``.

    The authors' repository value when it exists (for ROCKET's default split
    that is the mean of 10 runs), else the bake-off's.

    Examples
    --------
    >>> published_accuracy("minirocket", "GunPoint")
    0.993333
    >>> published_accuracy("minirocket", "NoSuchProblem") is None
    True
    """
    return published_metric(classifier, dataset, "accuracy", resample, source)


def ucr112() -> list[str]:
    """The 112 equal-length UCR problems of the bake-off redux.

    Examples
    --------
    >>> names = ucr112()
    >>> len(names), "GunPoint" in names
    (112, True)
    """
    table = _load("bakeoff_redux_2023")
    return sorted(table.loc[table["classifier"] == "minirocket", "dataset"].unique())


# --------------------------------------------------------------------------
# Building the shipped tables from the raw published files
# --------------------------------------------------------------------------


def _round(value: float, digits: int = 6) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


def round_significant(values: ArrayLike, digits: int = 6) -> np.ndarray:
    """Round to ``digits`` significant digits, as the shipped tables are.

    Examples
    --------
    >>> round_significant([0.123456789, 1234567.0, 0.0]).tolist()
    [0.123457, 1234570.0, 0.0]
    """
    values = np.asarray(values, dtype=np.float64)
    return np.array([_round(float(v), digits) for v in values.ravel()]).reshape(
        values.shape
    )


def _long(wide: pd.DataFrame, classifier: str, metric: str) -> pd.DataFrame:
    """Rows = datasets, columns = resample ids -> long rows."""
    wide = wide.copy()
    wide.columns = [int(c) for c in wide.columns]
    out = wide.stack().rename("value").reset_index()
    out.columns = ["dataset", "resample", "value"]
    out.insert(0, "classifier", classifier)
    out.insert(3, "metric", metric)
    return out


def _bakeoff_table(ref: Path) -> pd.DataFrame:
    """``<family>/<stem>_<metric>.csv`` of every registry entry that has it
    (HC2 publishes accuracy only)."""
    parts = []
    for key, algorithm in ALGORITHMS.items():
        folder = ref / "bakeoff_redux_2023" / algorithm.bakeoff_family
        for metric in METRICS:
            path = folder / f"{algorithm.bakeoff_stem}_{metric}.csv"
            if path.is_file():
                # header "Resamples:,0,...,29"; first column the dataset
                wide = pd.read_csv(path, index_col=0).astype(float)
                parts.append(_long(wide, key, metric))
    if not parts:
        raise FileNotFoundError(f"no bake-off results under {ref}/bakeoff_redux_2023.")
    return pd.concat(parts, ignore_index=True)


def _default_split(
    classifier: str, datasets: pd.Series, values: pd.Series
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "classifier": classifier,
            "dataset": datasets,
            "resample": 0,
            "metric": "accuracy",
            "value": values,
        }
    )


def _authors_table(ref: Path) -> pd.DataFrame:
    """The accuracies of the authors' own repositories (see SOURCES.md)."""
    rocket = pd.read_csv(ref / "rocket" / "results_ucr.csv")
    mini = pd.read_csv(
        ref / "minirocket" / "accuracy_ucr109_resamples.csv", index_col=0
    )
    multi = pd.read_csv(
        ref / "multirocket" / "resamples" / "MULTIROCKET_50K_TESTFOLDS.csv"
    )
    multi = multi.drop(columns=multi.columns[0]).set_index(multi.columns[1])
    inception = pd.read_csv(ref / "inceptiontime" / "results-InceptionTime-128.csv")
    inception = inception[inception["iteration"] == 0]
    parts = [
        _default_split("rocket", rocket["dataset"], rocket["accuracy_mean"]),
        _long(mini, "minirocket", "accuracy"),
        _long(multi.astype(float), "multirocket", "accuracy"),
        _default_split(
            "inceptiontime", inception["dataset_name"], inception["accuracy"]
        ),
    ]
    return pd.concat(parts, ignore_index=True)


def build_published_tables(
    reference_dir: str | os.PathLike, out_dir: str | os.PathLike = PUBLISHED_DIR
) -> dict[str, Path]:
    """Regenerate ``bakeoff_redux_2023.csv`` and ``authors.csv`` from a folder
    laid out like ``reference-results`` (see ``published/SOURCES.md``).

    The bake-off files read are those named by each registry entry's
    ``bakeoff_family`` and ``bakeoff_stem``. Values are rounded to 6
    significant digits to keep the package small.
    """
    ref = Path(reference_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, table in (
        ("bakeoff_redux_2023", _bakeoff_table(ref)),
        ("authors", _authors_table(ref)),
    ):
        table = table.dropna(subset=["value"]).copy()
        table["value"] = round_significant(table["value"].to_numpy())
        table = table.sort_values(["classifier", "dataset", "metric", "resample"])
        path = out / f"{name}.csv"
        table.to_csv(path, index=False, float_format="%.6g")
        written[name] = path
    _load.cache_clear()
    _index.cache_clear()
    return written
