"""Benchmark tasks: what one task is, running it, its summary row, resuming.

A task is one (classifier, dataset, resample); see
:mod:`rocketconv.evaluation.resampling` for the split of each resample.
Each finished task writes ``<out>/<Classifier>/Predictions/<Dataset>/
testResample<i>.csv`` (tsml format, written to a temporary file and renamed).
A re-run skips tasks whose file exists, so an interrupted run resumes; a task
that raises is recorded in ``<out>/errors.csv`` with its traceback and the
others go on. The classifier of resample ``i`` gets ``random_state = seed +
i``, so results do not depend on where (which process, which Dask worker) or
in which order tasks run.

Every summary row, of a task run now, read back from its file or failed, is
made by :func:`summary_row`.
"""

from __future__ import annotations

import time
import traceback
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from rocketconv._registry import ALGORITHMS
from rocketconv._validation import Cases
from rocketconv.evaluation import tsml_io
from rocketconv.evaluation.published import published_accuracy, published_names
from rocketconv.evaluation.registry import (
    check_classifier_names,
    display_name,
    make_classifier,
)
from rocketconv.evaluation.resampling import load_split

__all__ = [
    "Task",
    "RunConfig",
    "SUMMARY_COLUMNS",
    "make_tasks",
    "is_done",
    "run_task",
    "summary_row",
    "summary_frame",
    "save_summary",
    "predict_with_proba",
    "warm_up",
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
        """The result folder of classifier ``key`` with these params."""
        return display_name(key, dict(self.params))

    def results_path(self, task: Task) -> Path | None:
        """Where ``task``'s results file goes (None without ``out``)."""
        if self.out is None:
            return None
        folder = self.classifier_dir(task.classifier)
        return tsml_io.results_path(self.out, folder, task.dataset, task.resample)


def make_tasks(
    classifiers: Iterable[str], datasets: Iterable[str], resamples: Iterable[int]
) -> list[Task]:
    """All (classifier, dataset, resample) combinations, dataset-major so the
    per-process data cache is reused.

    Examples
    --------
    >>> [(t.classifier, t.resample) for t in make_tasks(["MiniRocket"], ["X"], [0, 1])]
    [('minirocket', 0), ('minirocket', 1)]
    """
    keys = check_classifier_names(classifiers)
    resamples = [int(r) for r in resamples]
    if any(r < 0 for r in resamples):
        raise ValueError("resample ids must be >= 0.")
    return [Task(c, d, r) for d in datasets for r in resamples for c in keys]


def is_done(task: Task, config: RunConfig) -> bool:
    """Whether ``task`` already has a results file under ``config.out``."""
    path = config.results_path(task)
    return path is not None and path.exists()


# --------------------------------------------------------------------------
# Summary rows
# --------------------------------------------------------------------------


def _published(task: Task, config: RunConfig) -> float | None:
    """Published accuracy of the same split: resample 0, or any resample
    when the published indices are used (stratified resamples seeded with i
    are other splits than the published resample i)."""
    if task.classifier not in published_names():
        return None
    if task.resample > 0 and config.resample_indices is None:
        return None
    return published_accuracy(task.classifier, task.dataset, task.resample)


def summary_row(
    task: Task,
    config: RunConfig,
    status: str,
    results: tsml_io.ClassificationResults | None = None,
    *,
    n_train: int | None = None,
    warning_text: str = "",
    error: BaseException | None = None,
) -> dict[str, Any]:
    """The summary row of one task.

    ``status`` is "ok" (run now), "done" (read from an earlier run's file;
    shown as "ok" in the summary) or "error". Metrics and times come from
    ``results``; an error row carries the exception and its traceback
    (call this in the ``except`` block).
    """
    row: dict[str, Any] = {
        "classifier": config.classifier_dir(task.classifier),
        "name": task.classifier,
        "dataset": task.dataset,
        "resample": task.resample,
        "status": status,
        "published_accuracy": _published(task, config),
        "error": "",
    }
    if results is not None:
        row.update(results.metrics())
        row.update(
            fit_s=results.fit_time / 1000.0,
            predict_s=results.predict_time / 1000.0,
            n_train=n_train,
            n_test=len(results.true),
            n_classes=results.n_classes,
            warnings=warning_text,
        )
    if error is not None:
        row["error"] = f"{type(error).__name__}: {error}"
        row["traceback"] = traceback.format_exc()
    return row


def summary_frame(rows: list[dict]) -> pd.DataFrame:
    """Summary rows as a table of :data:`SUMMARY_COLUMNS` (and ``traceback``
    when a task failed), sorted by dataset, classifier, resample."""
    frame = pd.DataFrame(rows)
    for column in SUMMARY_COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    frame = frame[SUMMARY_COLUMNS + (["traceback"] if "traceback" in frame else [])]
    frame["status"] = frame["status"].replace({"done": "ok"})
    return frame.sort_values(["dataset", "classifier", "resample"]).reset_index(
        drop=True
    )


def save_summary(summary: pd.DataFrame, out: str | Path) -> None:
    """``<out>/summary.csv``, and ``errors.csv`` (classifier, dataset,
    resample, error, traceback) when a task failed; a stale ``errors.csv``
    is removed once every task has results."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tsml_io.write_csv(
        summary.drop(columns=["traceback"], errors="ignore"), out / "summary.csv"
    )
    errors = summary[summary["status"] == "error"]
    path = out / "errors.csv"
    if len(errors):
        columns = ["classifier", "dataset", "resample", "error", "traceback"]
        tsml_io.write_csv(errors[columns], path)
    elif path.exists():
        path.unlink()


# --------------------------------------------------------------------------
# Running one task
# --------------------------------------------------------------------------


def predict_with_proba(clf: Any, X: Cases) -> tuple[np.ndarray, np.ndarray]:
    """Labels by the classifier's own decision rule (the published one) and
    probabilities. A ``predict_with_proba`` method, when the classifier has
    one, does both from a single transform; a classifier without
    ``predict_proba`` gets one-hot probabilities of its predictions."""
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


def _resampling(task: Task, config: RunConfig) -> str:
    if config.resample_indices is not None and task.resample > 0:
        return f"Resample: published indices ({Path(config.resample_indices).name})."
    if task.resample == 0:
        return "Resample: default train/test split."
    return f"Resample: stratified (tsml-eval/aeon), seed {task.resample}."


def _parameters(clf: Any) -> str:
    try:
        return str(clf.get_params(deep=False))
    except Exception:  # not sklearn-like: still a valid file
        return type(clf).__name__


def _fit_and_predict(
    clf: Any, X_train: Cases, y_train: np.ndarray, X_test: Cases, n_jobs: int
) -> dict[str, Any]:
    """Timed fit and predict; the warnings raised, recorded once each."""
    # BLAS threads pinned to n_jobs: Dask worker processes default to one
    # BLAS thread, and a different thread count changes the last bits of
    # the ridge solution, so the same task would give other probabilities
    with (
        threadpool_limits(limits=n_jobs, user_api="blas"),
        warnings.catch_warnings(record=True) as caught,
    ):
        # recorded in the summary instead of flooding the terminal
        warnings.simplefilter("always")
        start = time.perf_counter()
        clf.fit(X_train, y_train)
        fit_ms = round((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        predicted, proba = predict_with_proba(clf, X_test)
        predict_ms = round((time.perf_counter() - start) * 1000)
    messages = dict.fromkeys(
        f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught
    )
    return {
        "predicted": predicted,
        "proba": proba,
        "fit_time_ms": fit_ms,
        "predict_time_ms": predict_ms,
        "warnings": " | ".join(messages),
    }


def _results_text(
    task: Task,
    config: RunConfig,
    clf: Any,
    y_train: np.ndarray,
    y_test: np.ndarray,
    run: dict[str, Any],
) -> str:
    """The tsml file of a finished task: a column for every class of train
    and test, in sorted order."""
    classes = np.unique(np.concatenate([np.asarray(y_train), np.asarray(y_test)]))
    full = np.zeros((len(y_test), len(classes)))
    full[:, np.searchsorted(classes, np.asarray(clf.classes_))] = run["proba"]
    return tsml_io.format_classification_results(
        dataset=task.dataset,
        classifier=config.classifier_dir(task.classifier),
        resample=task.resample,
        classes=classes,
        true=y_test,
        predicted=run["predicted"],
        probabilities=full,
        fit_time_ms=run["fit_time_ms"],
        predict_time_ms=run["predict_time_ms"],
        parameters=_parameters(clf),
        comment=f"Generated by rocketconv benchmark, classifier seed "
        f"{config.seed + task.resample}. {_resampling(task, config)}",
    )


def _read_finished(task: Task, config: RunConfig) -> dict[str, Any] | None:
    """The row of a task whose results file exists and reads, else None."""
    path = config.results_path(task)
    if path is None or not path.exists():
        return None
    try:
        results = tsml_io.read_classification_results(path)
    except Exception:  # unreadable: run again
        return None
    return summary_row(task, config, "done", results)


def run_task(task: Task, config: RunConfig) -> dict[str, Any]:
    """Run one task and return its summary row; never raises.

    With ``config.out`` the tsml results file is written (atomically) and an
    existing one is read instead of re-running. Exceptions are returned as a
    row with ``status="error"`` and the traceback in ``traceback``.
    """
    finished = _read_finished(task, config)
    if finished is not None:
        return finished
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
        run = _fit_and_predict(clf, X_train, y_train, X_test, config.n_jobs)
        text = _results_text(task, config, clf, y_train, y_test, run)
        path = config.results_path(task)
        if path is not None:
            tsml_io.atomic_write_text(path, text)
        # the row is computed from the file's text, as for a resumed task
        results = tsml_io.parse_classification_results(text, path or "<results>")
        return summary_row(
            task,
            config,
            "ok",
            results,
            n_train=len(y_train),
            warning_text=run["warnings"],
        )
    except Exception as error:
        return summary_row(task, config, "error", error=error)


def warm_up(classifiers: Sequence[str], config: RunConfig) -> float:
    """Fit and predict each rocket-family classifier once on tiny synthetic
    univariate and multivariate data, so numba's first-call compilation is
    not charged to the first task's fit time. Returns the seconds spent.
    (Only the transformers are warmed up: InceptionTime compiles little and
    trains long.)"""
    start = time.perf_counter()
    rng = np.random.RandomState(0)
    y = np.array(["a", "b"] * 6)
    for key in check_classifier_names(classifiers):
        if not ALGORITHMS[key].is_transformer:
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
                predict_with_proba(clf, X)
            except Exception:  # a broken classifier fails in its tasks, visibly
                break
    return time.perf_counter() - start
