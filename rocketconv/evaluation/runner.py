"""Running many benchmark tasks: resume, serially or on Dask, a progress bar.

:func:`run_benchmark` skips tasks that already have results, compiles the
classifiers' numba code once (in every Dask worker), runs the rest in this
process or on a Dask cluster (an existing client, a scheduler address or a
``LocalCluster`` started here), shows a tqdm bar and writes ``summary.csv``
and ``errors.csv``. Tasks are independent and seeded by their resample, so
where and in which order they run does not change their results.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING

import pandas as pd

from rocketconv.evaluation.tasks import (
    RunConfig,
    Task,
    is_done,
    run_task,
    save_summary,
    summary_frame,
    summary_row,
    warm_up,
)

__all__ = ["run_benchmark", "run_serial", "run_on_dask", "dask_client"]

if TYPE_CHECKING:  # optional: the dask extra
    from dask.distributed import Client
    from tqdm import tqdm

Callback = Callable[[dict], None]

# glibc settings of the LocalCluster's worker processes, set before they
# start (Dask's "pre-spawn-environ"). Dask asks glibc to return freed memory
# above 64 KiB to the system at once; a task allocates and frees feature
# matrices of tens of MB, and the system then zeroes their pages again for
# the next task. Keeping up to 256 MiB of freed heap (and growing it 64 MiB
# at a time) avoids that (docs/results/speed.md, "End to end"). Dask sets
# them in this process's environment too, as it does its own pre-spawn
# settings (OMP_NUM_THREADS).
WORKER_ALLOCATOR = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": str(256 * 2**20),
    "distributed.nanny.pre-spawn-environ.MALLOC_TOP_PAD_": str(64 * 2**20),
}


def run_serial(tasks: Sequence[Task], config: RunConfig, callback: Callback) -> None:
    """Run ``tasks`` one after the other in this process."""
    for task in tasks:
        callback(run_task(task, config))


def run_on_dask(
    tasks: Sequence[Task], config: RunConfig, callback: Callback, client: Client
) -> None:
    """Run ``tasks`` on a Dask cluster; ``callback`` gets each row as its task
    finishes. A task whose worker died (e.g. out of memory) gets an error
    row."""
    from dask.distributed import as_completed

    futures = {
        client.submit(run_task, task, config, pure=False): task for task in tasks
    }
    for future in as_completed(futures):
        try:
            row = future.result()
        except Exception as error:
            row = summary_row(futures[future], config, "error", error=error)
        callback(row)


def dask_client(
    stack: ExitStack, scheduler: str | None = None, dask_local: int | None = None
) -> Client | None:
    """A Dask client of ``scheduler`` (``tcp://host:port``) or of a new
    ``LocalCluster`` of ``dask_local`` single-threaded worker processes
    (with :data:`WORKER_ALLOCATOR`), closed when ``stack`` closes; None when
    neither is given."""
    if scheduler:
        from dask.distributed import Client

        return stack.enter_context(Client(scheduler))
    if not dask_local:
        return None
    import dask
    from dask.distributed import Client, LocalCluster

    with dask.config.set(WORKER_ALLOCATOR):
        cluster = stack.enter_context(
            LocalCluster(
                n_workers=int(dask_local),
                threads_per_worker=1,
                processes=True,
                silence_logs=logging.ERROR,
            )
        )
    return stack.enter_context(Client(cluster))


def _progress(bar: tqdm, rows: list[dict]) -> Callback:
    """Collects each finished row and reports it on the tqdm ``bar``."""

    def callback(row: dict) -> None:
        rows.append(row)
        where = f"{row['classifier']} {row['dataset']} r{row['resample']}"
        bar.set_postfix_str(where, refresh=False)
        if row["status"] == "error":
            bar.write(
                f"error in {row['classifier']} {row['dataset']} resample "
                f"{row['resample']}: {row['error']}"
            )
        bar.update(1)

    return callback


def _run_pending(
    pending: Sequence[Task],
    config: RunConfig,
    client: Client | None,
    callback: Callback,
    warmup: bool,
    log: Callable[[str], None],
) -> None:
    keys = sorted({t.classifier for t in pending})
    if warmup and client is not None:
        client.run(warm_up, keys, config)
    elif warmup:
        log(f"warm-up (numba compilation): {warm_up(keys, config):.1f} s")
    if client is not None:
        run_on_dask(pending, config, callback, client)
    else:
        run_serial(pending, config, callback)


def run_benchmark(
    tasks: Sequence[Task],
    config: RunConfig,
    *,
    scheduler: str | None = None,
    dask_local: int | None = None,
    client: Client | None = None,
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
        timing tasks; see :func:`rocketconv.evaluation.tasks.warm_up`.
    log : callable, optional
        Receives progress messages (default: print to stderr).

    With ``config.out``, writes ``summary.csv`` (and ``errors.csv`` when a
    task failed) there, also when the run is interrupted.
    """
    from tqdm.auto import tqdm

    log = log or (lambda message: print(message, file=sys.stderr))
    done = [t for t in tasks if is_done(t, config)]
    pending = [t for t in tasks if not is_done(t, config)]
    if done:
        log(
            f"{len(done)} of {len(tasks)} tasks already have results in "
            f"{config.out}; skipping them."
        )
    rows: list[dict] = [run_task(t, config) for t in done]  # reads the files
    try:
        with ExitStack() as stack:
            if pending:
                if client is None:
                    client = dask_client(stack, scheduler, dask_local)
                bar = stack.enter_context(
                    tqdm(
                        total=len(pending),
                        unit="task",
                        disable=not progress,
                        dynamic_ncols=True,
                    )
                )
                _run_pending(pending, config, client, _progress(bar, rows), warmup, log)
    finally:
        summary = summary_frame(rows)
        if config.out is not None:
            save_summary(summary, config.out)
    return summary
