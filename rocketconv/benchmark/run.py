"""Running a benchmark: tasks, resamples, result files, resume, Dask.

A task is one (classifier, dataset, resample). Resample 0 is the archive's
default train/test split; resample ``i > 0`` is either

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

Each finished task writes ``<out>/<Classifier>/Predictions/<Dataset>/
testResample<i>.csv`` (tsml format, written to a temporary file and renamed).
A re-run skips tasks whose file exists, so an interrupted run resumes; a task
that raises is recorded in ``<out>/errors.csv`` with its traceback and the
others go on. The classifier of resample ``i`` gets ``random_state = seed +
i``, so results do not depend on where (which process, which Dask worker) or
in which order tasks run.
"""

from __future__ import annotations

import functools
import logging
import os
import platform
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from rocketconv.benchmark import _tsml
from rocketconv.benchmark.published import published_accuracy, published_names, ucr112
from rocketconv.benchmark.registry import (
    CLASSIFIERS,
    check_classifier_names,
    display_name,
    make_classifier,
)

__all__ = [
    "Task",
    "RunConfig",
    "make_tasks",
    "resolve_datasets",
    "load_split",
    "stratified_resample_indices",
    "read_resample_indices",
    "run_task",
    "run_benchmark",
    "summary_table",
]

SUMMARY_COLUMNS = [
    "classifier",
    "name",
    "dataset",
    "resample",
    "status",
    "accuracy",
    "balacc",
    "auroc",
    "logloss",
    "published_accuracy",
    "fit_s",
    "predict_s",
    "n_train",
    "n_test",
    "n_classes",
    "error",
    "warnings",
]


@dataclass(frozen=True)
class Task:
    """One (classifier, dataset, resample) to run."""

    classifier: str  # registry key, e.g. "minirocket"
    dataset: str
    resample: int


@dataclass(frozen=True)
class RunConfig:
    """Everything a task needs besides its own coordinates (picklable)."""

    out: str | None = None
    data_home: str | None = None
    resample_indices: str | None = None
    n_jobs: int = 1
    seed: int = 0
    params: tuple[tuple[str, Any], ...] = field(default=())

    def classifier_dir(self, key: str) -> str:
        return display_name(key, dict(self.params))


# --------------------------------------------------------------------------
# Datasets and resamples
# --------------------------------------------------------------------------


def _bundled_datasets() -> list[str]:
    from rocketconv.datasets import _loaders

    dirs = getattr(_loaders, "_bundled_dirs", lambda: [])()
    names: set[str] = set()
    for root in dirs:
        root = Path(root)
        if root.is_dir():
            names.update(
                p.name
                for p in root.iterdir()
                if p.is_dir() and any(p.glob(f"{p.name}_TRAIN.*"))
            )
    return sorted(names)


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
    """
    from rocketconv.datasets import list_datasets

    if not isinstance(spec, str):
        names = [str(s).strip() for s in spec]
    elif spec.strip().lower() == "ucr112":
        names = ucr112()
    elif spec.strip().lower() == "bundled":
        names = _bundled_datasets()
    elif spec.strip().lower() == "all":
        names = list_datasets(data_home)
    elif os.path.isfile(spec):
        names = []
        for line in Path(spec).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    else:
        names = [part.strip() for part in spec.split(",")]
    names = list(dict.fromkeys(n for n in names if n))
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


@functools.lru_cache(maxsize=4)
def _load_train_test(name: str, data_home: str | None):
    from rocketconv.datasets import load_ucr

    X_train, y_train = load_ucr(name, split="train", data_home=data_home)
    X_test, y_test = load_ucr(name, split="test", data_home=data_home)
    return X_train, np.asarray(y_train), X_test, np.asarray(y_test)


def _pool(first, second):
    """vstack(TRAIN, TEST): one array when the shapes allow, else a list."""
    if (
        isinstance(first, np.ndarray)
        and isinstance(second, np.ndarray)
        and first.shape[1:] == second.shape[1:]
    ):
        return np.concatenate([first, second])
    return list(first) + list(second)


def _take(X, rows: np.ndarray):
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

    def line_of(path: Path) -> np.ndarray:
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

    train = line_of(train_file)
    if train.size and np.all(train == -1):
        return None
    if train.size == 0 or train.min() < 0 or train.max() >= n_total:
        raise ValueError(
            f"{train_file} line {resample + 1}: indices must lie in 0..{n_total - 1}."
        )
    if len(np.unique(train)) != len(train):
        raise ValueError(f"{train_file} line {resample + 1} repeats an index.")
    complement = np.setdiff1d(np.arange(n_total), train)
    test_file = directory / f"{dataset}_INDICES_TEST.txt"
    if test_file.is_file():
        test = line_of(test_file)
        if len(test) != len(complement) or not np.array_equal(
            np.sort(test), complement
        ):
            raise ValueError(
                f"{test_file} line {resample + 1} is not the complement of the "
                "training indices."
            )
    else:
        test = complement
    return train, test


def load_split(
    dataset: str,
    resample: int,
    data_home: str | None = None,
    resample_indices: str | None = None,
):
    """``X_train, y_train, X_test, y_test`` of one resample of a problem.

    Unequal-length problems come back as lists of 2-D arrays.
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
    X = _pool(X_train, X_test)
    y = np.concatenate([y_train, y_test])
    train, test = rows
    return _take(X, train), y[train], _take(X, test), y[test]


# --------------------------------------------------------------------------
# One task
# --------------------------------------------------------------------------


def _predict_with_proba(clf, X):
    """Labels by the classifier's own decision rule (the published one) and
    probabilities. A ``predict_with_proba`` method, when the classifier has
    one, does both from a single transform."""
    both = getattr(clf, "predict_with_proba", None)
    if callable(both):
        return both(X)
    predicted = clf.predict(X)
    if hasattr(clf, "predict_proba"):
        return predicted, clf.predict_proba(X)
    proba = (
        np.asarray(clf.classes_)[None, :] == np.asarray(predicted)[:, None]
    ).astype(float)
    return predicted, proba


def _row_from_results(task: Task, config: RunConfig, res: _tsml.ClassificationResults):
    metrics = _tsml.classification_metrics(res.true, res.predicted, res.probabilities)
    return {
        "classifier": config.classifier_dir(task.classifier),
        "name": task.classifier,
        "dataset": task.dataset,
        "resample": task.resample,
        "status": "ok",
        **metrics,
        "published_accuracy": _published(task, config),
        "fit_s": res.fit_time / 1000.0,
        "predict_s": res.predict_time / 1000.0,
        "n_train": None,
        "n_test": len(res.true),
        "n_classes": res.n_classes,
        "error": "",
    }


def _published(task: Task, config: RunConfig) -> float | None:
    """Published accuracy of the same split: resample 0, or any resample
    when the published indices are used (stratified resamples seeded with i
    are other splits than the published resample i)."""
    if task.classifier not in published_names():
        return None
    if task.resample > 0 and config.resample_indices is None:
        return None
    return published_accuracy(task.classifier, task.dataset, task.resample)


def _resampling(task: Task, config: RunConfig) -> str:
    if config.resample_indices is not None and task.resample > 0:
        return f"Resample: published indices ({Path(config.resample_indices).name})."
    if task.resample == 0:
        return "Resample: default train/test split."
    return f"Resample: stratified (tsml-eval/aeon), seed {task.resample}."


def _parameters(clf) -> str:
    try:
        return str(clf.get_params(deep=False))
    except Exception:  # not sklearn-like: still a valid file
        return type(clf).__name__


def run_task(task: Task, config: RunConfig) -> dict[str, Any]:
    """Run one task and return its summary row; never raises.

    With ``config.out`` the tsml results file is written (atomically) and an
    existing one is read instead of re-running. Exceptions are returned as a
    row with ``status="error"`` and the traceback in ``traceback``.
    """
    path = None
    if config.out is not None:
        path = _tsml.results_path(
            config.out,
            config.classifier_dir(task.classifier),
            task.dataset,
            task.resample,
        )
        if path.exists():
            try:
                row = _row_from_results(
                    task, config, _tsml.read_classification_results(path)
                )
                row["status"] = "done"
                return row
            except Exception:  # unreadable: run again
                pass
    try:
        X_train, y_train, X_test, y_test = load_split(
            task.dataset, task.resample, config.data_home, config.resample_indices
        )
        clf = make_classifier(
            task.classifier,
            random_state=config.seed + task.resample,
            n_jobs=config.n_jobs,
            params=dict(config.params),
        )
        # BLAS threads pinned to n_jobs: Dask worker processes default to one
        # BLAS thread, and a different thread count changes the last bits of
        # the ridge solution, so the same task would give other probabilities
        with (
            threadpool_limits(limits=config.n_jobs, user_api="blas"),
            warnings.catch_warnings(record=True) as caught,
        ):
            # recorded in the summary instead of flooding the terminal
            warnings.simplefilter("always")
            start = time.perf_counter()
            clf.fit(X_train, y_train)
            fit_ms = round((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            predicted, proba = _predict_with_proba(clf, X_test)
            predict_ms = round((time.perf_counter() - start) * 1000)
        messages = dict.fromkeys(
            f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught
        )
        # columns for every class of train and test, in sorted order
        classes = np.unique(np.concatenate([np.asarray(y_train), np.asarray(y_test)]))
        full = np.zeros((len(y_test), len(classes)))
        full[:, np.searchsorted(classes, np.asarray(clf.classes_))] = proba
        text = _tsml.format_classification_results(
            dataset=task.dataset,
            classifier=config.classifier_dir(task.classifier),
            resample=task.resample,
            classes=classes,
            true=y_test,
            predicted=predicted,
            probabilities=full,
            fit_time_ms=fit_ms,
            predict_time_ms=predict_ms,
            parameters=_parameters(clf),
            comment=f"Generated by rocketconv benchmark, classifier seed "
            f"{config.seed + task.resample}. {_resampling(task, config)}",
        )
        if path is not None:
            _tsml.atomic_write_text(path, text)
        index = {label: i for i, label in enumerate(classes)}
        true_idx = np.array([index[v] for v in y_test])
        pred_idx = np.array([index[v] for v in predicted])
        row = {
            "classifier": config.classifier_dir(task.classifier),
            "name": task.classifier,
            "dataset": task.dataset,
            "resample": task.resample,
            "status": "ok",
            **_tsml.classification_metrics(true_idx, pred_idx, full),
            "published_accuracy": _published(task, config),
            "fit_s": fit_ms / 1000.0,
            "predict_s": predict_ms / 1000.0,
            "n_train": len(y_train),
            "n_test": len(y_test),
            "n_classes": len(classes),
            "error": "",
            "warnings": " | ".join(messages),
        }
        return row
    except Exception as error:
        return {
            "classifier": config.classifier_dir(task.classifier),
            "name": task.classifier,
            "dataset": task.dataset,
            "resample": task.resample,
            "status": "error",
            "error": f"{type(error).__name__}: {error}",
            "traceback": traceback.format_exc(),
            "published_accuracy": _published(task, config),
        }


# --------------------------------------------------------------------------
# Many tasks
# --------------------------------------------------------------------------


def make_tasks(
    classifiers: Iterable[str], datasets: Iterable[str], resamples: Iterable[int]
) -> list[Task]:
    """All (classifier, dataset, resample) combinations, dataset-major so the
    per-process data cache is reused."""
    keys = check_classifier_names(classifiers)
    resamples = [int(r) for r in resamples]
    if any(r < 0 for r in resamples):
        raise ValueError("resample ids must be >= 0.")
    return [Task(c, d, r) for d in datasets for r in resamples for c in keys]


def _is_done(task: Task, config: RunConfig) -> bool:
    if config.out is None:
        return False
    return _tsml.results_path(
        config.out, config.classifier_dir(task.classifier), task.dataset, task.resample
    ).exists()


def warm_up(classifiers: Iterable[str], config: RunConfig) -> float:
    """Fit and predict each rocket-family classifier once on tiny synthetic
    univariate and multivariate data, so numba's first-call compilation is
    not charged to the first task's fit time. Returns the seconds spent.
    (InceptionTime is not warmed up: it compiles little and trains long.)"""
    start = time.perf_counter()
    rng = np.random.RandomState(0)
    y = np.array(["a", "b"] * 6)
    for key in check_classifier_names(classifiers):
        if key == "inceptiontime":
            continue
        for n_channels in (1, 2):
            X = rng.normal(size=(len(y), n_channels, 40))
            try:
                clf = make_classifier(
                    key,
                    random_state=0,
                    n_jobs=config.n_jobs,
                    params=dict(config.params),
                )
                clf.fit(X, y)
                _predict_with_proba(clf, X)
            except Exception:  # a broken classifier fails in its tasks, visibly
                break
    return time.perf_counter() - start


def _serial(tasks, config, callback):
    for task in tasks:
        callback(run_task(task, config))


def _dask(tasks, config, callback, client):
    from dask.distributed import as_completed

    futures = {
        client.submit(run_task, task, config, pure=False): task for task in tasks
    }
    for future in as_completed(futures):
        task = futures[future]
        try:
            row = future.result()
        except Exception as error:  # the worker died (e.g. out of memory)
            row = {
                **asdict(task),
                "classifier": config.classifier_dir(task.classifier),
                "name": task.classifier,
                "status": "error",
                "error": f"{type(error).__name__}: {error}",
                "traceback": traceback.format_exc(),
            }
        callback(row)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    _tsml.atomic_write_text(path, frame.to_csv(index=False))


def run_benchmark(
    tasks: Sequence[Task],
    config: RunConfig,
    *,
    scheduler: str | None = None,
    dask_local: int | None = None,
    client=None,
    progress: bool = True,
    warmup: bool = True,
    log: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Run tasks (skipping finished ones when ``config.out`` is set) and
    return the summary (one row per task, finished earlier or now).

    Parameters
    ----------
    tasks : sequence of Task
    config : RunConfig
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:port``).
    dask_local : int, optional
        Start a ``LocalCluster`` with this many single-threaded workers.
    client : dask.distributed.Client, optional
        An existing client (wins over the two above).
    progress : bool
        A tqdm bar over the tasks (on stderr).
    warmup : bool
        Compile the classifiers' numba code (in every Dask worker) before
        timing tasks; see :func:`warm_up`.

    With ``config.out``, writes ``summary.csv`` (and ``errors.csv`` when a
    task failed) there.
    """
    from tqdm.auto import tqdm

    log = log or (lambda message: print(message, file=sys.stderr))
    done = [t for t in tasks if _is_done(t, config)]
    pending = [t for t in tasks if not _is_done(t, config)]
    if done:
        log(
            f"{len(done)} of {len(tasks)} tasks already have results in "
            f"{config.out}; skipping them."
        )
    rows: list[dict] = [run_task(t, config) for t in done]  # reads the files
    bar = None

    def callback(row):
        rows.append(row)
        bar.set_postfix_str(
            f"{row['classifier']} {row['dataset']} r{row['resample']}", refresh=False
        )
        if row["status"] == "error":
            bar.write(
                f"error in {row['classifier']} {row['dataset']} resample "
                f"{row['resample']}: {row['error']}"
            )
        bar.update(1)

    own: list = []  # client/cluster started here, closed here
    try:
        if pending:
            if client is None and (scheduler or dask_local):
                from dask.distributed import Client, LocalCluster

                if scheduler:
                    client = Client(scheduler)
                    own.append(client)
                else:
                    cluster = LocalCluster(
                        n_workers=int(dask_local),
                        threads_per_worker=1,
                        processes=True,
                        silence_logs=logging.ERROR,
                    )
                    client = Client(cluster)
                    own += [client, cluster]
            keys = sorted({t.classifier for t in pending})
            if warmup and client is not None:
                client.run(warm_up, keys, config)
            elif warmup:
                log(f"warm-up (numba compilation): {warm_up(keys, config):.1f} s")
            bar = tqdm(
                total=len(pending),
                unit="task",
                disable=not progress,
                dynamic_ncols=True,
            )
            if client is not None:
                _dask(pending, config, callback, client)
            else:
                _serial(pending, config, callback)
    finally:
        if bar is not None:
            bar.close()
        for thing in own:
            thing.close()
        summary = _summary_frame(rows)
        if config.out is not None:
            _save(summary, rows, Path(config.out))
    return summary


def _summary_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in SUMMARY_COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    frame = frame[SUMMARY_COLUMNS + (["traceback"] if "traceback" in frame else [])]
    frame["status"] = frame["status"].replace({"done": "ok"})
    return frame.sort_values(["dataset", "classifier", "resample"]).reset_index(
        drop=True
    )


def _save(summary: pd.DataFrame, rows: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _write_csv(
        summary.drop(columns=["traceback"], errors="ignore"), out / "summary.csv"
    )
    errors = summary[summary["status"] == "error"]
    path = out / "errors.csv"
    if len(errors):
        _write_csv(
            errors[["classifier", "dataset", "resample", "error", "traceback"]], path
        )
    elif path.exists():
        path.unlink()  # every task now has results: the old errors are stale


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Per (dataset, classifier): mean accuracy over resamples, the published
    accuracy averaged over the same resamples (NaN when a resample is not
    published), fit and predict seconds (means)."""
    ok = summary[summary["status"] == "ok"]
    if ok.empty:
        return pd.DataFrame(
            columns=[
                "dataset",
                "classifier",
                "resamples",
                "accuracy",
                "published",
                "fit_s",
                "predict_s",
            ]
        )
    grouped = ok.groupby(["dataset", "classifier"], sort=True)
    table = grouped.agg(
        resamples=("resample", "size"),
        accuracy=("accuracy", "mean"),
        published=("published_accuracy", lambda v: v.astype(float).mean(skipna=False)),
        fit_s=("fit_s", "mean"),
        predict_s=("predict_s", "mean"),
    ).reset_index()
    return table


def environment() -> str:
    """One line describing the machine, for logs."""
    python = platform.python_version()
    return f"{platform.platform()}, Python {python}, {os.cpu_count()} CPUs"


__all__ += ["environment", "CLASSIFIERS"]
