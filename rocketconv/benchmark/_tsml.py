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
"""

from __future__ import annotations

import ast
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

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


def results_path(out: str | os.PathLike, classifier: str, dataset: str, resample: int):
    """``<out>/<classifier>/Predictions/<dataset>/testResample<resample>.csv``."""
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


def _clean(text: str) -> str:
    """Free text fields must stay on one line."""
    return str(text).replace("\r", " ").replace("\n", " ")


def format_classification_results(
    *,
    dataset: str,
    classifier: str,
    resample: int,
    classes,
    true,
    predicted,
    probabilities,
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
    """
    classes = list(classes)
    index = {label: i for i, label in enumerate(classes)}
    true_idx = np.array([index[label] for label in true], dtype=int)
    pred_idx = np.array([index[label] for label in predicted], dtype=int)
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
        f"{_clean(comment)} Encoder dictionary: {encoder}"
    )
    third = (
        f"{accuracy!r},{int(fit_time_ms)},{int(predict_time_ms)},{int(benchmark_time)},"
        f"{int(memory_usage)},{len(classes)},N/A,-1,-1"
    )
    lines = [first, _clean(parameters), third]
    for t, p, row in zip(true_idx, pred_idx, probabilities, strict=True):
        lines.append(f"{t},{p}," + "".join(f",{float(v)!r}" for v in row))
    return "\n".join(lines) + "\n"


def _float(text: str, what: str, path) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{path}: {what} is not a number: {text!r}.") from None


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
    lines = path.read_text().splitlines()
    if len(lines) < 4:
        raise ValueError(f"{path}: a results file needs 3 header lines and 1+ cases.")
    first = lines[0].split(",")
    if len(first) < 5:
        raise ValueError(f"{path}: line 1 needs at least 5 comma separated fields.")
    third = lines[2].split(",")
    if len(third) != 9:
        raise ValueError(
            f"{path}: line 3 must have 9 fields ({', '.join(THIRD_LINE_FIELDS)}), "
            f"found {len(third)}."
        )
    numbers = {
        name: _float(third[i], f"line 3 field {name}", path)
        for i, name in enumerate(THIRD_LINE_FIELDS)
        if name != "train_estimate_method"
    }
    n_classes = int(numbers["n_classes"])
    n_cases = len(lines) - 3
    true = np.empty(n_cases, dtype=int)
    predicted = np.empty(n_cases, dtype=int)
    probabilities = np.empty((n_cases, n_classes))
    for i, line in enumerate(lines[3:]):
        where = f"{path}: line {i + 4}"
        parts = line.split(",")
        if len(parts) < 3 + n_classes or parts[2] != "":
            raise ValueError(
                f"{where}: expected 'true,predicted,,p_0,...,p_{n_classes - 1}'."
            )
        try:
            true[i] = int(parts[0])
            predicted[i] = int(parts[1])
            probabilities[i] = [float(v) for v in parts[3 : 3 + n_classes]]
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        if len(parts) > 3 + n_classes and parts[3 + n_classes] != "":
            raise ValueError(f"{where}: more probabilities than n_classes.")
        total = probabilities[i].sum()
        if not 0.99999 <= total <= 1.00001:
            raise ValueError(f"{where}: probabilities sum to {total}, not 1.")
    if true.min() < 0 or true.max() >= n_classes or predicted.max() >= n_classes:
        raise ValueError(f"{path}: a class index is outside 0..{n_classes - 1}.")
    accuracy = float(np.mean(true == predicted))
    if accuracy != numbers["accuracy"]:
        raise ValueError(
            f"{path}: line 3 says accuracy {numbers['accuracy']!r} but the cases "
            f"give {accuracy!r}."
        )
    classes = None
    marker = "Encoder dictionary: "
    if marker in lines[0]:
        try:
            encoder = ast.literal_eval(lines[0].split(marker, 1)[1].strip())
            classes = [
                label for label, _ in sorted(encoder.items(), key=lambda kv: kv[1])
            ]
        except (ValueError, SyntaxError):
            classes = None
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
        classes=classes,
    )


def classification_metrics(true, predicted, probabilities) -> dict[str, float]:
    """Accuracy, balanced accuracy, AUROC and log-loss as tsml-eval computes
    them (``ClassifierResults.calculate_statistics``): AUROC one-vs-rest,
    weighted by class support, from the positive-class column for two
    classes; log-loss natural log. AUROC is NaN when a class is missing from
    ``true``."""
    from sklearn.metrics import (
        accuracy_score,
        balanced_accuracy_score,
        log_loss,
        roc_auc_score,
    )

    true = np.asarray(true)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    n_classes = probabilities.shape[1]
    labels = np.arange(n_classes)
    try:
        auroc = float(
            roc_auc_score(
                true,
                probabilities[:, 1] if n_classes == 2 else probabilities,
                average="weighted",
                multi_class="ovr",
                labels=None if n_classes == 2 else labels,
            )
        )
    except ValueError:
        auroc = float("nan")
    # renormalise exactly so sklearn does not warn about rows summing to 1-1e-16
    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)
    return {
        "accuracy": float(accuracy_score(true, predicted)),
        "balacc": float(balanced_accuracy_score(true, predicted)),
        "auroc": auroc,
        "logloss": float(log_loss(true, probabilities, labels=labels)),
    }
