"""The rocketconv command line end to end: benchmark and compare."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from rocketconv.datasets import load_ucr
from rocketconv.evaluation import registry, tsml_io
from rocketconv.evaluation.cli import main

SMALL = ["--params", "n_features=840", "--no-progress"]


SMALL_DIR = "MiniRocket_n_features=840"


def test_benchmark_writes_tsml_files_summary_and_resumes(tmp_path, capsys, monkeypatch):
    out = tmp_path / "results"
    argv = ["benchmark", "--datasets", "GunPoint", "--resample-ids", "0,1"]
    assert main(argv + ["--out", str(out)] + SMALL) == 0
    printed = capsys.readouterr().out
    assert "GunPoint" in printed and SMALL_DIR in printed

    paths = [tsml_io.results_path(out, SMALL_DIR, "GunPoint", r) for r in (0, 1)]
    X_test_default = load_ucr("GunPoint", split="test")[1]
    for resample, path in enumerate(paths):
        res = tsml_io.read_classification_results(path)
        assert res.dataset == "GunPoint" and res.resample == resample
        assert res.n_classes == 2 and res.classes == ["1", "2"]
        assert len(res.true) == 150
        assert res.accuracy > 0.8
    # resample 0 is the default split: true labels in file order
    res0 = tsml_io.read_classification_results(paths[0])
    assert [res0.classes[i] for i in res0.true] == list(X_test_default)
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["resample"]) == [0, 1]
    # published accuracy only for the default split: stratified resample 1 is
    # another split than the published resample 1
    assert summary["published_accuracy"][0] == pytest.approx(0.993333)
    assert np.isnan(summary["published_accuracy"][1])
    assert (summary["status"] == "ok").all()
    assert not (out / "errors.csv").exists()

    # second run: nothing is refitted (a classifier factory that fails proves it)
    stamps = [p.stat().st_mtime_ns for p in paths]

    def broken(*args, **kwargs):
        raise AssertionError("a finished task was run again")

    monkeypatch.setattr(registry, "make_classifier", broken)
    monkeypatch.setattr("rocketconv.evaluation.tasks.make_classifier", broken)
    assert main(argv + ["--out", str(out)] + SMALL) == 0
    captured = capsys.readouterr()
    assert "2 of 2 tasks already have results" in captured.err
    assert [p.stat().st_mtime_ns for p in paths] == stamps
    assert len(pd.read_csv(out / "summary.csv")) == 2
    # no temporary files left behind
    assert not list(out.rglob("*.tmp"))


def _write_tsv(path, labels, rng):
    rows = [
        "\t".join([str(lab)] + [f"{v:.4f}" for v in rng.normal(size=30)])
        for lab in labels
    ]
    path.write_text("\n".join(rows) + "\n")


def test_crash_is_recorded_and_other_tasks_go_on(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(load_ucr("GunPoint", return_X_y=False).path, data / "GunPoint")
    broken = data / "OneClass"
    broken.mkdir()
    rng = np.random.default_rng(0)
    _write_tsv(broken / "OneClass_TRAIN.tsv", [1] * 6, rng)  # one class: fit fails
    _write_tsv(broken / "OneClass_TEST.tsv", [1] * 4, rng)
    out = tmp_path / "results"
    argv = ["benchmark", "--datasets", "OneClass,GunPoint", "--data-dir", str(data)]
    assert main(argv + ["--out", str(out)] + SMALL) == 1
    assert "FAILED" in capsys.readouterr().err
    errors = pd.read_csv(out / "errors.csv")
    assert list(errors["dataset"]) == ["OneClass"]
    assert errors["error"][0].startswith("ValueError") and "class" in errors["error"][0]
    assert errors["traceback"][0].startswith("Traceback")
    assert tsml_io.results_path(out, SMALL_DIR, "GunPoint", 0).exists()
    summary = pd.read_csv(out / "summary.csv").set_index("dataset")
    assert summary.loc["GunPoint", "status"] == "ok"
    assert summary.loc["OneClass", "status"] == "error"


def test_readme_command_prints_published_accuracy(capsys):
    argv = ["benchmark", "--datasets", "GunPoint,BasicMotions", "--no-warmup"]
    assert main(argv + SMALL) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "dataset", "classifier", "resamples", "accuracy", "published", "fit_s",
        "predict_s",
    ]  # fmt: skip
    gunpoint = next(line for line in lines if line.split()[0] == "GunPoint").split()
    assert gunpoint[4] == "0.9933"  # published MiniRocket, default split
    motions = next(line for line in lines if line.split()[0] == "BasicMotions").split()
    assert len(motions) == 6  # no published figure: the column is blank


def test_unknown_classifier_lists_known_names(capsys):
    assert (
        main(["benchmark", "--classifiers", "minirokcet", "--datasets", "GunPoint"])
        == 2
    )
    err = capsys.readouterr().err
    for name in registry.available_classifiers():
        assert name in err
    assert "Did you mean minirocket" in err


def test_unknown_dataset_lists_known_names(capsys):
    assert main(["benchmark", "--datasets", "GunPont"]) == 2
    err = capsys.readouterr().err
    assert "GunPont" in err and "GunPoint" in err and "ItalyPowerDemand" in err


def test_compare_cli(tmp_path, capsys, write_results):
    root = tmp_path / "results"
    write_results(root, "Mine", [0.9] * 8, resamples=(0,))
    rc = main(["compare", str(root), "--reference", "minirocket,rocket", "--markdown",
               "--metrics", "accuracy", "--out", str(tmp_path / "rep")])  # fmt: skip
    assert rc == 0
    out = capsys.readouterr().out
    assert "MiniRocket (published)" in out and "| Mine |" in out
    assert (tmp_path / "rep" / "cd_accuracy.png").exists()
    assert main(["compare", str(root), "--reference", "nope"]) == 2
    assert "available" in capsys.readouterr().err
    assert main(["compare", str(tmp_path / "missing")]) == 2
