"""The one place rocketconv compiles numba kernels and controls threads.

Every kernel module imports its decorators from here:

* :func:`jit` — ``njit(cache=True)`` for serial helpers and kernels;
* :func:`case_kernel` — ``jit(nogil=True)`` for the transformers' kernels,
  which loop over the cases of a batch; :func:`run_in_chunks` runs chunks of
  cases on ``n_jobs`` Python threads, each calling the serial kernel with
  the GIL released (MiniRocket's compiled fit of long series runs its
  dilations the same way). No kernel of a transformer is compiled by numba's
  parallel backend: a first ``transform`` with ``n_jobs=2`` compiles what
  ``n_jobs=1`` compiles (numba's parallel compile of a kernel took about
  as long again, 11 s of a 13 s first MiniRocket call);
* :func:`serial_and_parallel` — one kernel body compiled twice, plain and
  ``parallel=True``, and :func:`pick`, which chooses between them for
  numba's current thread count: InceptionTime's layer kernels
  (``rocketconv.deep``), whose parallel loops are inside one training step.

Process-wide numba settings
---------------------------
``import rocketconv`` changes nothing. Importing a kernel module (the first
``fit``) applies three settings, all documented in the user guide and all
skipped when ``ROCKETCONV_NUMBA_DEFAULTS=0`` is set or the user has set
the variable:

* ``NUMBA_THREADING_LAYER``: numba's default "workqueue" layer aborts when
  two Python threads run parallel kernels at once, so rocketconv asks for
  "threadsafe" (TBB or OpenMP) when one of them loads;
* ``OMP_WAIT_POLICY=PASSIVE``, set in the environment before numba's OpenMP
  layer loads (which reads it then): OpenMP's threads otherwise spin for a
  while after each parallel region, on the cores that OpenBLAS's threads
  need for the matrix product that follows. InceptionTime's training
  alternates the two (``docs/results/speed.md``, InceptionTime);
* ``NUMBA_CACHE_DIR``: only when the package folder is read-only (numba
  could not write its in-tree cache and ``cache=True`` would fail), a user
  cache folder, also exported to worker processes.

:func:`numba_settings` reports what was applied.
"""

from __future__ import annotations

import importlib
import os
import tempfile
import types
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba

__all__ = [
    "jit",
    "case_kernel",
    "run_in_chunks",
    "serial_and_parallel",
    "pick",
    "numba_settings",
    "available_threads",
]

_OPT_OUT = "ROCKETCONV_NUMBA_DEFAULTS"
_APPLIED: dict[str, str] = {}


def _threadsafe_layer_loadable() -> bool:
    """Whether numba's TBB or OpenMP threading layer can be loaded here."""
    for module in ("numba.np.ufunc.omppool", "numba.np.ufunc.tbbpool"):
        try:
            importlib.import_module(module)
        except (ImportError, OSError):
            continue
        return True
    return False


def _is_writable(folder: str) -> bool:
    """Whether numba could create its in-tree ``__pycache__`` under ``folder``."""
    pycache = os.path.join(folder, "__pycache__")
    if os.path.isdir(pycache):
        return os.access(pycache, os.W_OK | os.X_OK)
    return os.access(folder, os.W_OK | os.X_OK)


def fallback_cache_dir(
    environ: Mapping[str, str] = os.environ,
    is_writable: Callable[[str], bool] = _is_writable,
) -> str | None:
    """A user cache folder for numba when the package folder is read-only.

    None when the user set ``NUMBA_CACHE_DIR`` or numba can cache next to the
    sources; otherwise ``$XDG_CACHE_HOME/rocketconv/numba`` (``~/.cache``
    by default), or a per-user temporary folder when that is not writable.
    """
    if environ.get("NUMBA_CACHE_DIR"):
        return None
    here = os.path.dirname(os.path.abspath(__file__))
    if is_writable(os.path.join(here, "transformers")):
        return None
    base = environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    user = getattr(os, "getuid", lambda: "user")()
    for folder in (
        os.path.join(base, "rocketconv", "numba"),
        os.path.join(tempfile.gettempdir(), f"rocketconv-numba-{user}"),
    ):
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK | os.X_OK):
            return folder
    return None


def _apply_defaults() -> None:
    """Apply the process-wide settings of the module docstring, once."""
    if os.environ.get(_OPT_OUT, "1") == "0":
        return
    if "OMP_WAIT_POLICY" not in os.environ:
        # before _threadsafe_layer_loadable loads the OpenMP runtime
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
        _APPLIED["OMP_WAIT_POLICY"] = "PASSIVE"
    if "NUMBA_THREADING_LAYER" not in os.environ and _threadsafe_layer_loadable():
        numba.config.THREADING_LAYER = "threadsafe"
        _APPLIED["NUMBA_THREADING_LAYER"] = "threadsafe"
    cache_dir = fallback_cache_dir()
    if cache_dir is not None:
        # before any kernel is decorated: numba reads it when caching is set up
        numba.config.CACHE_DIR = cache_dir
        os.environ["NUMBA_CACHE_DIR"] = cache_dir  # worker processes agree
        _APPLIED["NUMBA_CACHE_DIR"] = cache_dir


_apply_defaults()


def numba_settings() -> dict[str, str]:
    """The process-wide numba settings rocketconv applied (empty if none).

    Examples
    --------
    >>> isinstance(numba_settings(), dict)
    True
    """
    return dict(_APPLIED)


def jit(function: Callable | None = None, **options: Any) -> Callable:
    """``numba.njit(cache=True, **options)``: a compiled, disk-cached serial
    function. Use bare (``@jit``) or with numba options
    (``@jit(inline="always")``, ``@jit(fastmath={"reassoc"})``); a kernel
    that uses ``fastmath`` says beside it why its results stay identical.
    """
    if "cache" in options or "parallel" in options:
        raise TypeError("jit always caches and is serial: see serial_and_parallel")
    decorator = numba.njit(cache=True, **options)
    return decorator if function is None else decorator(function)


def case_kernel(function: Callable) -> Callable:
    """``jit(nogil=True)``: a transformer's kernel over the cases of a batch.

    It releases the GIL, so the chunks :func:`run_in_chunks` hands to its
    threads run at once. Such a kernel keeps no state between calls and
    writes only the rows of its own cases.
    """
    return jit(function, nogil=True)


# chunks per thread: a thread that drew long series does not leave the others
# idle at the end (unequal lengths), at a few hundred microseconds a chunk
CHUNKS_PER_THREAD = 4


def run_in_chunks(
    work: Callable[[int, int], None], n_items: int, n_threads: int, max_chunk: int
) -> None:
    """Call ``work(start, stop)`` over consecutive chunks of ``range(n_items)``
    of at most ``max_chunk`` items, on up to ``n_threads`` threads (a count
    already resolved by ``_params.check_n_jobs``).

    With one thread the chunks run in order in the calling thread. With more,
    each thread takes about ``CHUNKS_PER_THREAD`` chunks; at most
    ``n_threads`` chunks are in progress at once, which bounds the memory
    they use. ``work`` must write disjoint outputs for disjoint chunks; an
    exception in any chunk is raised here once all chunks have stopped.
    """
    n_threads = max(1, min(int(n_threads), n_items))
    if n_threads == 1:
        for start in range(0, n_items, max_chunk):
            work(start, min(start + max_chunk, n_items))
        return
    size = -(-n_items // (CHUNKS_PER_THREAD * n_threads))
    size = max(1, min(size, max_chunk))
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        futures = [
            pool.submit(work, start, min(start + size, n_items))
            for start in range(0, n_items, size)
        ]
    for future in futures:
        future.result()


def serial_and_parallel(function: Callable) -> tuple[Callable, Callable]:
    """Compile ``function`` twice: plain, and ``parallel=True`` over its prange.

    Numba names a cache file after the function's qualified name and does not
    key it on the ``parallel`` flag: two dispatchers of one function would
    share one cache entry, and whichever compiled first would serve both (a
    warm cache then ran ``n_jobs=2`` on one thread). The parallel copy gets a
    name of its own.
    """
    copy = types.FunctionType(
        function.__code__,
        function.__globals__,
        function.__name__ + "_parallel",
        function.__defaults__,
        function.__closure__,
    )
    copy.__qualname__ = function.__qualname__ + "_parallel"
    copy.__doc__ = function.__doc__
    serial = numba.njit(cache=True)(function)
    parallel = numba.njit(cache=True, parallel=True)(copy)
    return serial, parallel


def pick(serial: Callable, parallel: Callable) -> Callable:
    """The parallel variant when more than one numba thread is set, else serial.

    The caller sets numba's thread count (``numba.set_num_threads``).
    """
    return parallel if numba.get_num_threads() > 1 else serial


def available_threads() -> int:
    """Threads this process may use: numba's count capped by joblib's
    ``cpu_count()``, which honours CPU affinity and cgroup quotas."""
    import joblib

    return max(1, min(numba.config.NUMBA_NUM_THREADS, joblib.cpu_count()))
