"""Running tasks: serially and on Dask, independent of BLAS threads."""

from __future__ import annotations

import pytest

from rocketconv.evaluation import tsml_io
from rocketconv.evaluation.runner import run_benchmark
from rocketconv.evaluation.tasks import RunConfig, Task, run_task

SMALL_DIR = "MiniRocket_n_features=840"


def _lines_without_times(path):
    """A results file with the timing fields of line 3 blanked."""
    lines = path.read_text().splitlines()
    third = lines[2].split(",")
    third[1] = third[2] = "T"
    return [lines[0], lines[1], ",".join(third)] + lines[3:]


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
        a, b = serial.results_path(task), dask_config.results_path(task)
        assert a.parent.parent.parent.name == SMALL_DIR
        assert _lines_without_times(a) == _lines_without_times(b)


def test_local_cluster_workers_keep_freed_memory():
    """The workers of ``--dask-local`` start with the allocator settings of
    WORKER_ALLOCATOR, not Dask's trim-at-64-KiB default."""
    pytest.importorskip("dask.distributed")
    import os
    from contextlib import ExitStack

    from rocketconv.evaluation.runner import dask_client

    with ExitStack() as stack:
        client = dask_client(stack, dask_local=1)

        def allocator_settings():
            names = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
            return [os.environ.get(name) for name in names]

        settings = list(client.run(allocator_settings).values())
    assert settings == [[str(256 * 2**20), str(64 * 2**20)]]


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
        files.append(tsml_io.results_path(config.out, SMALL_DIR, task.dataset, 0))
    assert _lines_without_times(files[0]) == _lines_without_times(files[1])


def test_summary_row_is_the_same_run_or_resumed(tmp_path):
    task = Task("minirocket", "ItalyPowerDemand", 0)
    config = RunConfig(out=str(tmp_path), params=(("n_features", 840),))
    fresh = run_task(task, config)
    resumed = run_task(task, config)  # reads the file written above
    assert fresh["status"] == "ok" and resumed["status"] == "done"
    for column in ("accuracy", "balacc", "auroc", "logloss", "fit_s", "n_test"):
        assert fresh[column] == resumed[column]
    assert fresh["published_accuracy"] == resumed["published_accuracy"] is not None


def test_error_row_names_the_exception(tmp_path):
    row = run_task(Task("minirocket", "NoSuchProblem", 0), RunConfig())
    assert row["status"] == "error" and row["error"].startswith("ValueError")
    assert (
        row["traceback"].startswith("Traceback") and row["dataset"] == "NoSuchProblem"
    )
