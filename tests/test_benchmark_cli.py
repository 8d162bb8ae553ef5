"""rocketconv benchmark: CLI, result files, resume, crashes, resamples, Dask."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from rocketconv.benchmark import _tsml, registry
from rocketconv.benchmark.cli import main
from rocketconv.benchmark.run import (
    RunConfig,
    Task,
    load_split,
    make_tasks,
    read_resample_indices,
    run_benchmark,
    run_task,
    stratified_resample_indices,
)
from rocketconv.datasets import load_ucr

SMALL = ["--params", "n_features=840", "--no-progress"]
SMALL_DIR = "MiniRocket_n_features=840"


def _lines_without_times(path):
    """A results file with the timing fields of line 3 blanked."""
    lines = path.read_text().splitlines()
    third = lines[2].split(",")
    third[1] = third[2] = "T"
    return [lines[0], lines[1], ",".join(third)] + lines[3:]


# --------------------------------------------------------------------------
# CLI end to end
# --------------------------------------------------------------------------


def test_benchmark_writes_tsml_files_summary_and_resumes(tmp_path, capsys, monkeypatch):
    out = tmp_path / "results"
    argv = ["benchmark", "--datasets", "GunPoint", "--resample-ids", "0,1"]
    assert main(argv + ["--out", str(out)] + SMALL) == 0
    printed = capsys.readouterr().out
    assert "GunPoint" in printed and SMALL_DIR in printed

    paths = [_tsml.results_path(out, SMALL_DIR, "GunPoint", r) for r in (0, 1)]
    X_test_default = load_ucr("GunPoint", split="test")[1]
    for resample, path in enumerate(paths):
        res = _tsml.read_classification_results(path)
        assert res.dataset == "GunPoint" and res.resample == resample
        assert res.n_classes == 2 and res.classes == ["1", "2"]
        assert len(res.true) == 150
        assert res.accuracy > 0.8
    # resample 0 is the default split: true labels in file order
    res0 = _tsml.read_classification_results(paths[0])
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
    monkeypatch.setattr("rocketconv.benchmark.run.make_classifier", broken)
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
    assert _tsml.results_path(out, SMALL_DIR, "GunPoint", 0).exists()
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


def test_dataset_file_and_bundled_specs(tmp_path):
    from rocketconv.benchmark.run import resolve_datasets

    listing = tmp_path / "names.txt"
    listing.write_text("# problems\nGunPoint\n\nItalyPowerDemand  # short\n")
    assert resolve_datasets(str(listing)) == ["GunPoint", "ItalyPowerDemand"]
    assert {"GunPoint", "BasicMotions"} <= set(resolve_datasets("bundled"))
    assert resolve_datasets("GunPoint,Nope", skip_missing=True) == ["GunPoint"]


def test_registry():
    clf = registry.make_classifier(
        "MiniRocket", random_state=3, params={"n_features": 840}
    )
    assert clf.random_state == 3 and clf.transformer.n_features == 840
    assert registry.display_name("multirocket+hydra") == "MultiRocket-Hydra"
    with pytest.raises(ValueError, match="unknown parameter"):
        registry.make_classifier("minirocket", params={"n_featurez": 1})
    # inceptiontime is registered whether or not its module exists yet
    assert "inceptiontime" in registry.available_classifiers()
    with pytest.raises(ValueError, match="known classifiers"):
        make_tasks(["nope"], ["GunPoint"], [0])


# --------------------------------------------------------------------------
# Resamples
# --------------------------------------------------------------------------


def test_stratified_resample_keeps_class_counts():
    rng = np.random.default_rng(1)
    y_train = rng.choice(["a", "b", "c"], size=40, p=[0.5, 0.3, 0.2])
    y_test = rng.choice(["a", "b", "c"], size=60, p=[0.2, 0.3, 0.5])
    pooled = np.concatenate([y_train, y_test])
    train, test = stratified_resample_indices(y_train, y_test, 7)
    assert sorted(np.concatenate([train, test])) == list(range(100))
    for label in "abc":
        assert (pooled[train] == label).sum() == (y_train == label).sum()
        assert (pooled[test] == label).sum() == (y_test == label).sum()
    again = stratified_resample_indices(y_train, y_test, 7)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    other = stratified_resample_indices(y_train, y_test, 8)
    assert not np.array_equal(train, other[0])


def test_stratified_resample_of_unequal_length_problem():
    X_train, y_train, X_test, y_test = load_split("JapaneseVowels", 2)
    X0, y0, Xt0, yt0 = load_split("JapaneseVowels", 0)
    assert isinstance(X_train, list) and len(X_train) == len(X0)
    pooled_X = list(X0) + list(Xt0)
    pooled_y = np.concatenate([y0, yt0])
    train, test = stratified_resample_indices(y0, yt0, 2)
    for i in (0, 5, len(train) - 1):
        assert np.array_equal(X_train[i], pooled_X[train[i]])
        assert y_train[i] == pooled_y[train[i]]
    assert np.array_equal(X_test[3], pooled_X[test[3]])


def _write_indices(folder, name, train_lines, test_lines):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}_INDICES_TRAIN.txt").write_text(
        "\n".join(" ".join(map(str, line)) for line in train_lines) + "\n"
    )
    if test_lines is not None:
        (folder / f"{name}_INDICES_TEST.txt").write_text(
            "\n".join(" ".join(map(str, line)) for line in test_lines) + "\n"
        )


def test_read_resample_indices(tmp_path):
    folder = tmp_path / "indices"
    _write_indices(
        folder,
        "Toy",
        [[-1, -1, -1], [4, 0, 2], [1, 1, 2]],
        [[-1, -1, -1, -1], [5, 1, 3], [0, 3, 4]],
    )
    assert read_resample_indices(folder, "Toy", 0, 6) is None
    train, test = read_resample_indices(folder, "Toy", 1, 6)
    assert list(train) == [4, 0, 2] and list(test) == [5, 1, 3]  # file order kept
    with pytest.raises(ValueError, match="repeats"):
        read_resample_indices(folder, "Toy", 2, 6)
    with pytest.raises(ValueError, match="0..3"):
        read_resample_indices(folder, "Toy", 1, 4)
    with pytest.raises(ValueError, match="resample 5"):
        read_resample_indices(folder, "Toy", 5, 6)
    with pytest.raises(FileNotFoundError):
        read_resample_indices(folder, "Other", 1, 6)
    _write_indices(folder, "Bad", [[-1], [0, 1]], [[-1], [2]])
    with pytest.raises(ValueError, match="complement"):
        read_resample_indices(folder, "Bad", 1, 4)
    _write_indices(folder, "NoTest", [[-1], [3, 1]], None)
    assert list(read_resample_indices(folder, "NoTest", 1, 4)[1]) == [0, 2]


def test_load_split_uses_published_indices(tmp_path):
    X0, y0, Xt0, yt0 = load_split("GunPoint", 0)
    pooled = np.concatenate([X0, Xt0])
    labels = np.concatenate([y0, yt0])
    rng = np.random.default_rng(0)
    order = rng.permutation(200)
    folder = tmp_path / "idx"
    _write_indices(
        folder, "GunPoint", [[-1] * 50, order[:50]], [[-1] * 150, order[50:]]
    )
    X_train, y_train, X_test, y_test = load_split(
        "GunPoint", 1, resample_indices=str(folder)
    )
    assert np.array_equal(X_train, pooled[order[:50]])
    assert np.array_equal(y_test, labels[order[50:]])
    default = load_split("GunPoint", 0, resample_indices=str(folder))
    assert np.array_equal(default[0], X0)


# --------------------------------------------------------------------------
# Dask
# --------------------------------------------------------------------------


def test_dask_local_cluster_gives_identical_files(tmp_path):
    distributed = pytest.importorskip("dask.distributed")  # in the test extra
    tasks = [Task("minirocket", "GunPoint", r) for r in (0, 1)]
    params = (("n_features", 840),)
    serial = RunConfig(out=str(tmp_path / "serial"), params=params)
    run_benchmark(tasks, serial, progress=False, warmup=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dask_config = RunConfig(out=str(tmp_path / "dask"), params=params)
        summary = run_benchmark(tasks, dask_config, client=client, progress=False)
    assert (summary["status"] == "ok").all()
    for task in tasks:
        a = _tsml.results_path(serial.out, SMALL_DIR, task.dataset, task.resample)
        b = _tsml.results_path(dask_config.out, SMALL_DIR, task.dataset, task.resample)
        assert _lines_without_times(a) == _lines_without_times(b)


def test_results_do_not_depend_on_blas_threads(tmp_path):
    """Dask worker processes run with one BLAS thread; a different BLAS thread
    count changes the last bits of the ridge solution (seen on this task)
    unless run_task pins it, and then a Dask run would not match a local one."""
    from threadpoolctl import threadpool_limits

    task = Task("minirocket", "ItalyPowerDemand", 0)
    files = []
    for blas_threads in (1, 2):
        config = RunConfig(
            out=str(tmp_path / str(blas_threads)), params=(("n_features", 840),)
        )
        with threadpool_limits(limits=blas_threads, user_api="blas"):
            assert run_task(task, config)["status"] == "ok"
        files.append(_tsml.results_path(config.out, SMALL_DIR, task.dataset, 0))
    assert _lines_without_times(files[0]) == _lines_without_times(files[1])
