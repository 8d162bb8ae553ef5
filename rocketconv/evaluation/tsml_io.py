"""Reading and writing classification results in the tsml results format.

The format is the one tsml-eval 0.6.0 writes (``write_classification_results``)
and reads (``load_classifier_results(..., verify_values=True)``)::

    <dataset>,<classifier>,TEST,<resample>,MILLISECONDS,<comment>
    <parameter info, free text>
    <accuracy>,<fit_time>,<predict_time>,<benchmark_time>,<memory_usage>,
        <n_classes>,<train_estimate_method>,<train_estimate_time>,
        <fit_and_estimate_time>                       (one line, 9 fields)
    <true_index>,<predicted_index>,,<p_0>,<p_1>,...   (one line per test case)

Labels are written as indices into the sorted classes (scikit-learn's
``LabelEncoder``), and the first line's comment records the mapping, as
tsml-eval does. tsml-eval's loader checks that the accuracy on line 3 equals
``accuracy_score`` of the per-case lines *exactly* and that every row of
probabilities sums to 1 within 1e-5; floats are therefore written with
``repr`` (shortest round-trip form).

A results folder holds ``<out>/<Classifier>/Predictions/<Dataset>/
testResample<i>.csv`` files (:func:`results_path`); :func:`load_results`
reads the metrics of all of them into one table.
"""

from __future__ import annotations

import ast
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .metrics import classification_metrics

__all__ = [
    "ClassificationResults",
    "METRICS",
    "METRIC_NAMES",
    "LOWER_IS_BETTER",
    "results_path",
    "atomic_write_text",
    "write_csv",
    "format_classification_results",
    "parse_classification_results",
    "read_classification_results",
    "classification_metrics",
    "load_results",
]

#: the metrics computed from a results file, as tsml-eval names them
METRICS = ("accuracy", "balacc", "auroc", "logloss")
#: how each metric is written in tables and plots
METRIC_NAMES = {
    "accuracy": "accuracy",
    "balacc": "balanced accuracy",
    "auroc": "AUROC",
    "logloss": "log-loss",
}
#: metrics where smaller is better
LOWER_IS_BETTER = frozenset({"logloss"})

THIRD_LINE_FIELDS = (
    "accuracy",
    "fit_time",
    "predict_time",
    "benchmark_time",
    "memory_usage",
    "n_classes",
    "train_estimate_method",
    "train_estimate_time",
    "fit_and_estimate_time",
)
_ENCODER_MARKER = "Encoder dictionary: "


@dataclass
class ClassificationResults:
    """The content of one tsml classification results file."""

    dataset: str
    classifier: str
    split: str
    resample: int | None
    time_unit: str
    comment: str
    parameters: str
    accuracy: float
    fit_time: float
    predict_time: float
    benchmark_time: float
    memory_usage: float
    n_classes: int
    train_estimate_method: str
    train_estimate_time: float
    fit_and_estimate_time: float
    true: np.ndarray  # int class indices
    predicted: np.ndarray  # int class indices
    probabilities: np.ndarray  # (n_cases, n_classes)
    classes: list[str] | None = field(default=None)

    def metrics(self) -> dict[str, float]:
        """:func:`classification_metrics` of the per-case lines."""
        return classification_metrics(self.true, self.predicted, self.probabilities)


# --------------------------------------------------------------------------
# Files and folders
# --------------------------------------------------------------------------


def results_path(
    out: str | os.PathLike, classifier: str, dataset: str, resample: int
) -> Path:
    """``<out>/<classifier>/Predictions/<dataset>/testResample<resample>.csv``.

    Examples
    --------
    >>> results_path("results", "MiniRocket", "GunPoint", 3).as_posix()
    'results/MiniRocket/Predictions/GunPoint/testResample3.csv'
    """
    return (
        Path(out) / classifier / "Predictions" / dataset / f"testResample{resample}.csv"
    )


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it, so a
    reader (or a resumed run) never sees a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """``frame.to_csv(index=False)``, written atomically."""
    atomic_write_text(path, frame.to_csv(index=False))


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Free text fields must stay on one line."""
    return str(text).replace("\r", " ").replace("\n", " ")


def _class_indices(labels: Iterable, index: dict) -> np.ndarray:
    return np.array([index[label] for label in labels], dtype=int)


def format_classification_results(
    *,
    dataset: str,
    classifier: str,
    resample: int,
    classes: Iterable,
    true: Iterable,
    predicted: Iterable,
    probabilities: ArrayLike,
    fit_time_ms: int,
    predict_time_ms: int,
    parameters: str = "No Parameter Info",
    comment: str = "",
    benchmark_time: int = -1,
    memory_usage: int = -1,
) -> str:
    """The text of a tsml test results file.

    ``true`` and ``predicted`` are labels (any type found in ``classes``);
    ``probabilities`` has one column per entry of ``classes`` (sorted).

    Examples
    --------
    >>> text = format_classification_results(
    ...     dataset="Toy", classifier="Clf", resample=0, classes=["a", "b"],
    ...     true=["a", "b"], predicted=["a", "a"],
    ...     probabilities=[[0.9, 0.1], [0.6, 0.4]],
    ...     fit_time_ms=3, predict_time_ms=1)
    >>> print(text.splitlines()[2])
    0.5,3,1,-1,-1,2,N/A,-1,-1
    >>> text.splitlines()[4]
    '1,0,,0.6,0.4'
    """
    classes = list(classes)
    index = {label: i for i, label in enumerate(classes)}
    true_idx = _class_indices(true, index)
    pred_idx = _class_indices(predicted, index)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    n_cases = len(true_idx)
    if probabilities.shape != (n_cases, len(classes)) or len(pred_idx) != n_cases:
        raise ValueError(
            f"{n_cases} true labels, {len(pred_idx)} predictions and "
            f"probabilities of shape {probabilities.shape} for {len(classes)} "
            "classes do not line up."
        )
    if not np.all(np.isfinite(probabilities)):
        raise ValueError("probabilities contain NaN or inf.")
    accuracy = float(np.mean(true_idx == pred_idx))
    encoder = {str(label): i for i, label in enumerate(classes)}
    first = (
        f"{dataset},{classifier},TEST,{resample},MILLISECONDS,PREDICTIONS,"
        f"{_clean(comment)} {_ENCODER_MARKER}{encoder}"
    )
    third = (
        f"{accuracy!r},{int(fit_time_ms)},{int(predict_time_ms)},{int(benchmark_time)},"
        f"{int(memory_usage)},{len(classes)},N/A,-1,-1"
    )
    lines = [first, _clean(parameters), third]
    # repr: the shortest text that reads back as the same float64
    for t, p, row in zip(
        true_idx.tolist(), pred_idx.tolist(), probabilities.tolist(), strict=True
    ):
        lines.append(f"{t},{p},," + ",".join(map(repr, row)))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def _float(text: str, what: str, source: object) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{source}: {what} is not a number: {text!r}.") from None


def _parse_header(
    lines: list[str], source: object
) -> tuple[list[str], list[str], dict]:
    """Fields of lines 1 and 3, and line 3's numbers by name."""
    if len(lines) < 4:
        raise ValueError(f"{source}: a results file needs 3 header lines and 1+ cases.")
    first = lines[0].split(",")
    if len(first) < 5:
        raise ValueError(f"{source}: line 1 needs at least 5 comma separated fields.")
    third = lines[2].split(",")
    if len(third) != 9:
        raise ValueError(
            f"{source}: line 3 must have 9 fields ({', '.join(THIRD_LINE_FIELDS)}), "
            f"found {len(third)}."
        )
    numbers = {
        name: _float(third[i], f"line 3 field {name}", source)
        for i, name in enumerate(THIRD_LINE_FIELDS)
        if name != "train_estimate_method"
    }
    return first, third, numbers


def _parse_case(line: str, n_classes: int, where: str) -> tuple[int, int, list]:
    parts = line.split(",")
    if len(parts) < 3 + n_classes or parts[2] != "":
        raise ValueError(
            f"{where}: expected 'true,predicted,,p_0,...,p_{n_classes - 1}'."
        )
    try:
        case = (
            int(parts[0]),
            int(parts[1]),
            list(map(float, parts[3 : 3 + n_classes])),
        )
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    if len(parts) > 3 + n_classes and parts[3 + n_classes] != "":
        raise ValueError(f"{where}: more probabilities than n_classes.")
    total = sum(case[2])
    if not 0.99999 <= total <= 1.00001:
        raise ValueError(f"{where}: probabilities sum to {total}, not 1.")
    return case


def _parse_cases(
    lines: list[str], n_classes: int, accuracy: float, source: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True and predicted indices and probabilities, checked against line 3."""
    cases = [
        _parse_case(line, n_classes, f"{source}: line {i + 4}")
        for i, line in enumerate(lines)
    ]
    true = np.array([c[0] for c in cases], dtype=int)
    predicted = np.array([c[1] for c in cases], dtype=int)
    probabilities = np.array([c[2] for c in cases], dtype=np.float64)
    if true.min() < 0 or true.max() >= n_classes or predicted.max() >= n_classes:
        raise ValueError(f"{source}: a class index is outside 0..{n_classes - 1}.")
    found = float(np.mean(true == predicted))
    if found != accuracy:
        raise ValueError(
            f"{source}: line 3 says accuracy {accuracy!r} but the cases give {found!r}."
        )
    return true, predicted, probabilities


def _parse_classes(first_line: str) -> list[str] | None:
    """The labels of the encoder dictionary in line 1, in index order."""
    if _ENCODER_MARKER not in first_line:
        return None
    try:
        encoder = ast.literal_eval(first_line.split(_ENCODER_MARKER, 1)[1].strip())
        return [label for label, _ in sorted(encoder.items(), key=lambda kv: kv[1])]
    except (ValueError, SyntaxError, AttributeError):
        return None


def parse_classification_results(
    text: str, source: str | os.PathLike = "<text>"
) -> ClassificationResults:
    """Parse and verify the text of a tsml classification results file.

    ``source`` names the text in error messages. See
    :func:`read_classification_results` for the checks.

    Examples
    --------
    >>> text = format_classification_results(
    ...     dataset="Toy", classifier="Clf", resample=2, classes=["a", "b"],
    ...     true=["a", "b"], predicted=["a", "b"],
    ...     probabilities=[[0.9, 0.1], [0.2, 0.8]],
    ...     fit_time_ms=3, predict_time_ms=1)
    >>> res = parse_classification_results(text)
    >>> res.accuracy, res.classes, res.true.tolist(), res.resample
    (1.0, ['a', 'b'], [0, 1], 2)
    """
    lines = text.splitlines()
    first, third, numbers = _parse_header(lines, source)
    n_classes = int(numbers["n_classes"])
    true, predicted, probabilities = _parse_cases(
        lines[3:], n_classes, numbers["accuracy"], source
    )
    return ClassificationResults(
        dataset=first[0],
        classifier=first[1],
        split=first[2],
        resample=None if first[3] == "None" else int(first[3]),
        time_unit=first[4].lower(),
        comment=",".join(first[5:]).strip(),
        parameters=lines[1].strip(),
        accuracy=numbers["accuracy"],
        fit_time=numbers["fit_time"],
        predict_time=numbers["predict_time"],
        benchmark_time=numbers["benchmark_time"],
        memory_usage=numbers["memory_usage"],
        n_classes=n_classes,
        train_estimate_method=third[6],
        train_estimate_time=numbers["train_estimate_time"],
        fit_and_estimate_time=numbers["fit_and_estimate_time"],
        true=true,
        predicted=predicted,
        probabilities=probabilities,
        classes=_parse_classes(lines[0]),
    )


def read_classification_results(path: str | os.PathLike) -> ClassificationResults:
    """Read and verify a tsml classification results file.

    Applies the checks of tsml-eval's ``validate_results_file`` and
    ``load_classifier_results(..., verify_values=True)``: at least 5 fields on
    line 1, 9 fields on line 3 with numbers where numbers belong, an empty
    field between predictions and probabilities, ``n_classes`` probabilities
    per case summing to 1 (within 1e-5), and a line-3 accuracy equal to that
    of the per-case lines.

    Raises
    ------
    ValueError
        Naming the file, the line and the problem.
    """
    path = Path(path)
    return parse_classification_results(path.read_text(), source=path)


def load_results(
    results_dir: str | os.PathLike, datasets: Sequence[str] | None = None
) -> pd.DataFrame:
    """The metrics of every ``<Classifier>/Predictions/<Dataset>/
    testResample<i>.csv`` under ``results_dir``.

    Returns
    -------
    DataFrame
        Columns classifier, dataset, resample, accuracy, balacc, auroc,
        logloss, fit_s, predict_s and stratified (whether the file says it
        used a stratified resample).
    """
    root = Path(results_dir)
    if not root.is_dir():
        raise ValueError(f"results directory {root} does not exist.")
    wanted = None if datasets is None else set(datasets)
    rows = []
    for path in sorted(root.glob("*/Predictions/*/testResample*.csv")):
        classifier, dataset = path.parts[-4], path.parts[-2]
        if wanted is not None and dataset not in wanted:
            continue
        res = read_classification_results(path)
        rows.append(
            {
                "classifier": classifier,
                "dataset": dataset,
                "resample": int(path.stem.removeprefix("testResample")),
                **res.metrics(),
                "fit_s": res.fit_time / 1000.0,
                "predict_s": res.predict_time / 1000.0,
                "stratified": "Resample: stratified" in res.comment,
            }
        )
    if not rows:
        raise ValueError(
            f"no results files <Classifier>/Predictions/<Dataset>/testResample<i>.csv "
            f"under {root}."
        )
    return pd.DataFrame(rows)
