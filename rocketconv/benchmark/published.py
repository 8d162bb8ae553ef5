"""Published results shipped with rocketconv, and look-ups into them.

Two long-format tables (columns ``classifier, dataset, resample, metric,
value``) live in ``rocketconv/benchmark/published/``; ``SOURCES.md`` there
says where every number came from:

* ``bakeoff_redux_2023.csv``: the bake-off redux (Middlehurst, Schaefer,
  Bagnall 2024) for ROCKET, MiniRocket, MultiRocket, Hydra, MultiRocket-Hydra
  and InceptionTime (accuracy, balanced accuracy, AUROC, log-loss) and
  HIVE-COTE 2 (accuracy), 112 UCR problems x 30 resamples (0 = default split).
* ``authors.csv``: the accuracies in the authors' own repositories: ROCKET
  (default split, mean of 10 runs), MiniRocket (109 problems x 30 resamples),
  MultiRocket (128 x 30), InceptionTime (default split).

Classifier keys are those of the benchmark registry (``minirocket``,
``rocket``, ``multirocket``, ``hydra``, ``multirocket+hydra``,
``inceptiontime``) plus ``hc2``. The resamples 1..29 of both sources are the
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

__all__ = [
    "PUBLISHED_DIR",
    "METRICS",
    "SOURCES",
    "load_published",
    "published_accuracy",
    "published_metric",
    "published_names",
    "ucr112",
    "build_published_tables",
]

PUBLISHED_DIR = Path(__file__).parent / "published"
METRICS = ("accuracy", "balacc", "auroc", "logloss")
#: metrics where smaller is better
LOWER_IS_BETTER = frozenset({"logloss"})
SOURCES = ("authors", "bakeoff_redux_2023")

# key -> (family folder, file stem, metrics) in bakeoff_redux_2023/
_BAKEOFF = {
    "rocket": ("convolution", "ROCKET", METRICS),
    "minirocket": ("convolution", "MiniROCKET", METRICS),
    "multirocket": ("convolution", "MR", METRICS),
    "hydra": ("convolution", "Hydra", METRICS),
    "multirocket+hydra": ("convolution", "MR-Hydra", METRICS),
    "inceptiontime": ("deeplearning", "InceptionTime", METRICS),
    "hc2": ("hybrid", "HC2", ("accuracy",)),
}
#: how each key is labelled in tables and plots
LABELS = {
    "rocket": "ROCKET",
    "minirocket": "MiniRocket",
    "multirocket": "MultiRocket",
    "hydra": "Hydra",
    "multirocket+hydra": "MultiRocket-Hydra",
    "inceptiontime": "InceptionTime",
    "hc2": "HC2",
}
_ALIASES = {
    "miniROCKET": "minirocket",
    "mr": "multirocket",
    "mr-hydra": "multirocket+hydra",
    "multirocket-hydra": "multirocket+hydra",
    "hive-cote2": "hc2",
    "hivecote2": "hc2",
    "hive-cote 2.0": "hc2",
    "it": "inceptiontime",
}


def published_names() -> list[str]:
    """Classifier keys with published results."""
    return list(_BAKEOFF)


def _key(classifier: str) -> str:
    key = classifier.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in _BAKEOFF:
        raise ValueError(
            f"no published results for {classifier!r}; available: "
            f"{', '.join(_BAKEOFF)}."
        )
    return key


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
    key = _key(classifier)
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


def _long(wide: pd.DataFrame, classifier: str, metric: str) -> pd.DataFrame:
    """Rows = datasets, columns = resample ids -> long rows."""
    wide = wide.copy()
    wide.columns = [int(c) for c in wide.columns]
    out = wide.stack().rename("value").reset_index()
    out.columns = ["dataset", "resample", "value"]
    out.insert(0, "classifier", classifier)
    out.insert(3, "metric", metric)
    return out


def _read_bakeoff(path: Path) -> pd.DataFrame:
    # header "Resamples:,0,...,29"; first column the dataset
    wide = pd.read_csv(path, index_col=0)
    wide.index.name = "dataset"
    return wide.astype(float)


def build_published_tables(
    reference_dir: str | os.PathLike, out_dir: str | os.PathLike = PUBLISHED_DIR
) -> dict[str, Path]:
    """Regenerate ``bakeoff_redux_2023.csv`` and ``authors.csv`` from a folder
    laid out like ``reference-results`` (see ``published/SOURCES.md``).

    Values are rounded to 6 significant digits to keep the package small.
    """
    ref = Path(reference_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    parts = []
    for key, (family, stem, metrics) in _BAKEOFF.items():
        for metric in metrics:
            wide = _read_bakeoff(
                ref / "bakeoff_redux_2023" / family / f"{stem}_{metric}.csv"
            )
            parts.append(_long(wide, key, metric))
    bakeoff = pd.concat(parts, ignore_index=True)

    authors = []
    rocket = pd.read_csv(ref / "rocket" / "results_ucr.csv")
    authors.append(
        pd.DataFrame(
            {
                "classifier": "rocket",
                "dataset": rocket["dataset"],
                "resample": 0,
                "metric": "accuracy",
                "value": rocket["accuracy_mean"],
            }
        )
    )
    mini = pd.read_csv(
        ref / "minirocket" / "accuracy_ucr109_resamples.csv", index_col=0
    )
    authors.append(_long(mini, "minirocket", "accuracy"))
    multi = pd.read_csv(
        ref / "multirocket" / "resamples" / "MULTIROCKET_50K_TESTFOLDS.csv"
    )
    multi = multi.drop(columns=multi.columns[0]).set_index(multi.columns[1])
    authors.append(_long(multi.astype(float), "multirocket", "accuracy"))
    inception = pd.read_csv(ref / "inceptiontime" / "results-InceptionTime-128.csv")
    inception = inception[inception["iteration"] == 0]
    authors.append(
        pd.DataFrame(
            {
                "classifier": "inceptiontime",
                "dataset": inception["dataset_name"],
                "resample": 0,
                "metric": "accuracy",
                "value": inception["accuracy"],
            }
        )
    )
    written = {}
    for name, table in (
        ("bakeoff_redux_2023", bakeoff),
        ("authors", pd.concat(authors, ignore_index=True)),
    ):
        table = table.dropna(subset=["value"]).copy()
        table["value"] = [_round(float(v)) for v in table["value"]]
        table = table.sort_values(["classifier", "dataset", "metric", "resample"])
        path = out / f"{name}.csv"
        table.to_csv(path, index=False, float_format="%.6g")
        written[name] = path
    _load.cache_clear()
    _index.cache_clear()
    return written


def _round_array(values: np.ndarray, digits: int = 6) -> np.ndarray:
    """Round to ``digits`` significant digits, as the shipped tables are."""
    values = np.asarray(values, dtype=np.float64)
    return np.array([_round(float(v), digits) for v in values.ravel()]).reshape(
        values.shape
    )
