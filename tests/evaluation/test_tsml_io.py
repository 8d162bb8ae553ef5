"""tsml results files: format, strict reader, atomic writes, metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rocketconv.evaluation import tsml_io


def _file_text(n_correct=7, n=10, proba=None, classes=("x", "y")):
    true = [classes[i % 2] for i in range(n)]
    predicted = [
        t if i < n_correct else classes[1 - classes.index(t)]
        for i, t in enumerate(true)
    ]
    if proba is None:
        proba = np.array(
            [[0.8, 0.2] if p == classes[0] else [0.3, 0.7] for p in predicted]
        )
    return tsml_io.format_classification_results(
        dataset="Toy",
        classifier="Clf",
        resample=3,
        classes=classes,
        true=true,
        predicted=predicted,
        probabilities=proba,
        fit_time_ms=12,
        predict_time_ms=5,
        parameters="{'a': 1,\n 'b': 2}",
    )


def test_results_file_round_trip(tmp_path):
    path = tmp_path / "testResample3.csv"
    path.write_text(_file_text())
    lines = path.read_text().splitlines()
    assert lines[0].startswith("Toy,Clf,TEST,3,MILLISECONDS,PREDICTIONS,")
    assert lines[1] == "{'a': 1,  'b': 2}"  # one line
    assert len(lines[2].split(",")) == 9  # tsml-eval's classification third line
    assert lines[3] == "0,0,,0.8,0.2"
    res = tsml_io.read_classification_results(path)
    assert res.accuracy == 0.7 and res.fit_time == 12 and res.predict_time == 5
    assert res.n_classes == 2 and res.classes == ["x", "y"]
    assert list(res.true) == [0, 1] * 5
    assert res.resample == 3 and res.time_unit == "milliseconds"
    metrics = tsml_io.classification_metrics(res.true, res.predicted, res.probabilities)
    assert metrics["accuracy"] == 0.7 and metrics["balacc"] == 0.7
    assert math.isclose(
        metrics["logloss"], -np.mean(np.log(res.probabilities[np.arange(10), res.true]))
    )


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda lines: lines[:2] + ["0.7,12,5,-1,-1,2,N/A,-1"] + lines[3:], "9 fields"),
        (lambda lines: lines[:2] + ["0.8" + lines[2][3:]] + lines[3:], "accuracy"),
        (lambda lines: lines[:3] + ["0,0,,0.8,0.3"] + lines[4:], "sum to"),
        (lambda lines: lines[:3] + ["0,0,0.8,0.2"] + lines[4:], "expected"),
        (lambda lines: lines[:3] + ["0,5,,0.8,0.2"] + lines[4:], "outside"),
    ],
)
def test_results_reader_is_strict(tmp_path, edit, message):
    path = tmp_path / "r.csv"
    path.write_text("\n".join(edit(_file_text().splitlines())) + "\n")
    with pytest.raises(ValueError, match=message):
        tsml_io.read_classification_results(path)


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "a" / "b.csv"

    class Boom:
        def __str__(self):
            raise RuntimeError

    with pytest.raises(TypeError):
        tsml_io.atomic_write_text(target, Boom())  # fails while writing
    assert not target.exists() and not list(target.parent.iterdir())
