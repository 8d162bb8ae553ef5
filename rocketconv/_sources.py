"""Input larger than memory: chunk sources and where their features are made.

A :class:`ChunkSource` wraps any array-like with ``shape`` and slicing (a
``numpy.memmap``, an HDF5 or zarr dataset, a dask array) and reads it one
chunk of cases at a time, each chunk validated by
:func:`rocketconv._validation.check_X` (so NaN, infinity or too-large
values in any chunk raise the same errors as for numpy input, naming the
cases). A :class:`FeatureStream` yields the features of a source (or of an
in-memory feature matrix) chunk by chunk, in case order, computed where the
active configuration says:

* a dask array: ``map_blocks`` of the transform, so each block is
  transformed on the worker that holds it; the client fetches one window of
  blocks at a time, in block order;
* inside ``joblib.parallel_backend("dask")`` (scikit-learn's convention for
  a dask.distributed cluster): one joblib task per chunk, run on the
  cluster's workers in windows of two chunks per worker (so the client
  never holds more than one window of features), results returned in
  chunk order;
* otherwise in this process, on the transformer's ``n_jobs`` numba threads.

Whatever runs where, the consumer (a head) receives the chunks in the same
order, so what it accumulates is summed in the same order as a serial run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_X

__all__ = [
    "CHUNK_CASES",
    "FIT_SAMPLE_BYTES",
    "ChunkSource",
    "FeatureStream",
    "as_source",
    "joblib_backend_is_dask",
]

# Cases per chunk read from a source and transformed at once: 4096 cases of
# 10,000 float32 features are 160 MB.
CHUNK_CASES = 4096
# Chunks (or dask blocks) in flight per worker on a cluster: enough to keep
# each worker busy while the client consumes, few enough to bound its memory.
CHUNKS_PER_WORKER = 2
# The transformer is fitted on at most this many bytes of float32 input
# (all of it below; evenly spaced cases above), read chunk by chunk.
FIT_SAMPLE_BYTES = 512 * 2**20


def _is_dask_array(X: Any) -> bool:
    return type(X).__module__.startswith("dask.") and hasattr(X, "map_blocks")


def as_source(X: Any, estimator: Any, allow_nan: bool = False) -> ChunkSource | None:
    """A :class:`ChunkSource` for out-of-core input, None for in-memory input.

    Out-of-core: a ``numpy.memmap``, a dask array, or any other object with
    ``shape`` and ``__getitem__`` that is not a numpy array, list, tuple or
    pandas container (h5py and zarr datasets). In-memory input (None) takes
    the ordinary path through ``check_X``.
    """
    if isinstance(X, np.memmap) or _is_dask_array(X):
        return ChunkSource(X, estimator, allow_nan)
    if isinstance(X, np.ndarray | list | tuple | pd.DataFrame | pd.Series):
        return None
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        return None  # sparse matrices: check_X refuses them by name
    has_shape, sliceable = hasattr(X, "shape"), hasattr(X, "__getitem__")
    if has_shape and sliceable:
        return ChunkSource(X, estimator, allow_nan)
    if has_shape or (sliceable and not hasattr(X, "__array__")):
        name = type(estimator).__name__
        missing = "slicing (X[start:stop])" if has_shape else "a shape attribute"
        raise TypeError(
            f"{name}: X of type {type(X).__name__} has no {missing}; out-of-core "
            "input needs both (a numpy.memmap, an h5py/zarr dataset, a dask "
            "array), other input must be array-like."
        )
    return None


class ChunkSource:
    """Validated float32 chunks of cases of an array-like with shape and slicing.

    Parameters
    ----------
    data : array-like with ``shape`` and ``__getitem__``
        2-D ``(n_cases, n_timepoints)`` or 3-D ``(n_cases, n_channels,
        n_timepoints)``.
    estimator : object
        Named in error messages.
    allow_nan : bool, default=False
        Passed to ``check_X`` (for ``missing_values="interpolate"``).
    """

    def __init__(self, data: Any, estimator: Any, allow_nan: bool = False) -> None:
        shape = tuple(int(size) for size in data.shape)
        self.where = type(estimator).__name__
        if len(shape) not in (2, 3):
            raise ValueError(
                f"{self.where}: X must be 2-D (n_cases, n_timepoints) or 3-D "
                f"(n_cases, n_channels, n_timepoints), got a {len(shape)}-D "
                f"array-like of shape {shape}."
            )
        if shape[0] == 0:
            raise ValueError(f"{self.where}: X is empty: 0 cases (shape {shape}).")
        self.data = data
        self.shape = shape if len(shape) == 3 else (shape[0], 1, shape[1])
        self.allow_nan = allow_nan
        self.is_dask = _is_dask_array(data)

    def __len__(self) -> int:
        return self.shape[0]

    def bounds(self, chunk_cases: int | None = None) -> list[tuple[int, int]]:
        """``(start, stop)`` of every chunk, in case order."""
        size = chunk_cases or CHUNK_CASES
        return [(s, min(s + size, len(self))) for s in range(0, len(self), size)]

    def read(self, start: int, stop: int) -> np.ndarray:
        """Cases ``start:stop``, validated, as C-contiguous float32 3-D."""
        block = self.data[start:stop]
        if self.is_dask:
            block = block.compute()
        return self.check(block, start, stop)

    def check(self, block: Any, start: int, stop: int) -> np.ndarray:
        where = f"{self.where} (cases {start} to {stop - 1})"
        checked = check_X(
            np.asarray(block), where, allow_nan=self.allow_nan, dtype=np.float32
        )
        assert isinstance(checked, np.ndarray)  # 2-D/3-D input stays an array
        return checked

    def fit_sample(self) -> np.ndarray:
        """The cases the transformer is fitted on, validated float32.

        All cases while they take at most ``FIT_SAMPLE_BYTES``; above, that
        many evenly spaced cases. Every chunk is read (and so validated)
        once, except for a dask array, whose sample is gathered by dask.
        """
        n_cases = len(self)
        per_case = 4 * self.shape[1] * self.shape[2]
        n_fit = max(1, min(n_cases, FIT_SAMPLE_BYTES // per_case))
        keep = np.unique(np.linspace(0, n_cases - 1, n_fit).round().astype(np.int64))
        if self.is_dask:
            data = self.data if self.data.ndim == 3 else self.data[:, None, :]
            if n_fit == n_cases:
                return self.check(data.compute(), 0, n_cases)
            return self.check(data[keep].compute(), 0, n_cases)
        parts = []
        for start, stop in self.bounds():
            chunk = self.read(start, stop)
            rows = keep[(keep >= start) & (keep < stop)] - start
            parts.append(chunk if len(rows) == len(chunk) else chunk[rows])
        return np.concatenate(parts)


def joblib_backend_is_dask() -> bool:
    """Whether the active joblib backend is dask's
    (``with joblib.parallel_backend("dask")``)."""
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    return type(backend).__name__ == "DaskDistributedBackend"


def _transform(transformer: Any, chunk: np.ndarray) -> np.ndarray:
    """Features of a validated chunk (the task each worker runs)."""
    transform = getattr(transformer, "_transform_checked", transformer.transform)
    return np.ascontiguousarray(transform(chunk), dtype=np.float32)


def _boxed_transform(transformer: Any, chunk: np.ndarray) -> list[np.ndarray]:
    """:func:`_transform` in a one-item list (see ``FeatureStream._launch``)."""
    return [_transform(transformer, chunk)]


def _check_and_transform(
    block: np.ndarray,
    transformer: Any,
    where: str,
    allow_nan: bool,
    block_info: dict | None = None,
) -> np.ndarray:
    """One dask block: validated and transformed where it lives (dask passes
    ``block_info``, whose output location names the cases in errors)."""
    if block_info is not None and None in block_info:
        start, stop = block_info[None]["array-location"][0]
        where = f"{where} (cases {start} to {stop - 1})"
    checked = check_X(block, where, allow_nan=allow_nan, dtype=np.float32)
    return _transform(transformer, checked)  # type: ignore[arg-type]


class FeatureStream:
    """The features of a source (or a feature matrix), chunk by chunk.

    Iterating yields ``(start, features)`` with float32 ``features`` of
    cases ``start : start + len(features)``, in case order (or in the chunk
    order given to :meth:`chunks`). Each iteration of a source transforms it
    again: features are never cached.
    """

    def __init__(
        self,
        source: ChunkSource | None = None,
        transformer: Any = None,
        features: np.ndarray | None = None,
    ) -> None:
        self.source = source
        self.transformer = transformer
        self.features = features
        if features is not None:
            self.n_cases, self.n_features = features.shape
        else:
            assert source is not None and transformer is not None
            self.n_cases = len(source)
            self.n_features = getattr(transformer, "_n_features_out", None) or int(
                _transform(transformer, source.read(0, 1)).shape[1]
            )

    @classmethod
    def from_matrix(cls, features: np.ndarray) -> FeatureStream:
        """A stream over features already in memory (no transform)."""
        return cls(features=features)

    def __iter__(self) -> Iterator[tuple[int, np.ndarray]]:
        return self.chunks()

    def bounds(self) -> list[tuple[int, int]]:
        """``(start, stop)`` of each chunk, in case order."""
        if self.source is not None and self.source.is_dask:
            return self._dask_bounds()
        if self.source is not None:
            return self.source.bounds()
        return [
            (s, min(s + CHUNK_CASES, self.n_cases))
            for s in range(0, self.n_cases, CHUNK_CASES)
        ]

    def chunks(
        self, order: Sequence[int] | np.ndarray | None = None
    ) -> Iterator[tuple[int, np.ndarray]]:
        """``(start, features)`` of the chunks, in ``order`` (default: all,
        in case order)."""
        bounds = self.bounds()
        picked = [bounds[i] for i in (range(len(bounds)) if order is None else order)]
        if self.features is not None:
            for start, stop in picked:
                yield start, self.features[start:stop]
        elif self.source is not None and self.source.is_dask:
            yield from self._dask_blocks(picked)
        elif joblib_backend_is_dask():
            yield from self._joblib_tasks(picked)
        else:
            for start, stop in picked:
                yield start, _transform(self.transformer, self._read(start, stop))

    def collect(self) -> np.ndarray:
        """All features in one float32 matrix (for the in-memory heads)."""
        if self.features is not None:
            return self.features
        parts = [features for _, features in self.chunks()]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def _read(self, start: int, stop: int) -> np.ndarray:
        assert self.source is not None
        return self.source.read(start, stop)

    def _joblib_tasks(
        self, picked: list[tuple[int, int]]
    ) -> Iterator[tuple[int, np.ndarray]]:
        """One joblib task per chunk, results in submission order.

        joblib dispatches a new task whenever one finishes, whether or not
        its results were consumed, so one call over every chunk would pile
        all their features up in this process when the head consumes
        slower than the workers transform. Chunks therefore go out in
        windows of two chunks per worker, one ``Parallel`` call per window
        (joblib's dask backend does not take two calls at once): at most
        one window of features is held here.
        """
        from joblib import effective_n_jobs

        size = CHUNKS_PER_WORKER * max(1, effective_n_jobs(-1))
        for first in range(0, len(picked), size):
            window = picked[first : first + size]
            for (start, _), box in zip(window, self._launch(window), strict=True):
                yield start, box.pop()

    def _launch(self, window: list[tuple[int, int]]) -> Iterator[list[np.ndarray]]:
        """Start the transforms of a window of chunks as joblib tasks.

        Each task returns its features in a one-item list that the consumer
        empties: joblib's dask backend keeps every batch's result in a
        future caught in a reference cycle, so without the box each chunk
        would stay in memory until the cycle collector runs.
        """
        from joblib import Parallel, delayed

        return Parallel(return_as="generator")(
            delayed(_boxed_transform)(self.transformer, self._read(start, stop))
            for start, stop in window
        )

    def _dask_blocks(
        self, picked: list[tuple[int, int]]
    ) -> Iterator[tuple[int, np.ndarray]]:
        """map_blocks of the transform over the dask array's case blocks;
        with a distributed client a window of blocks is computed at once."""
        assert self.source is not None
        features = self._dask_features()
        offsets = np.cumsum((0,) + features.chunks[0])
        index = {int(start): i for i, start in enumerate(offsets[:-1])}
        # one delayed per block, keyed ("rocketconv-transform-<token>", i, 0)
        delayed_blocks = features.to_delayed().ravel()
        client = _distributed_client()
        window = 1
        if client is not None:
            window = CHUNKS_PER_WORKER * max(1, len(client.nthreads()))
        pending: deque[tuple[int, Any]] = deque()
        for start, _ in picked:
            block = delayed_blocks[index[start]]
            pending.append((start, client.compute(block) if client else block))
            if len(pending) >= window:
                yield _finish(pending.popleft())
        while pending:
            yield _finish(pending.popleft())

    def _dask_features(self) -> Any:
        """The lazy feature array: blocks of at most CHUNK_CASES whole cases."""
        assert self.source is not None
        data = self.source.data
        data = data if data.ndim == 3 else data[:, None, :]
        case_chunks = data.chunks[0]
        rechunk: dict[int, Any] = {1: -1, 2: -1}
        if max(case_chunks) > CHUNK_CASES:
            rechunk[0] = CHUNK_CASES
        data = data.rechunk(rechunk)
        n_features = self.n_features
        return data.map_blocks(
            _check_and_transform,
            self.transformer,
            self.source.where,
            self.source.allow_nan,
            dtype=np.float32,
            token="rocketconv-transform",
            drop_axis=2,
            chunks=(data.chunks[0], (n_features,)),
            meta=np.empty((0, 0), dtype=np.float32),
        )

    def _dask_bounds(self) -> list[tuple[int, int]]:
        """Chunk bounds of a dask source: its (re)chunked case blocks."""
        features = self._dask_features()
        offsets = np.cumsum((0,) + features.chunks[0])
        return [
            (int(a), int(b)) for a, b in zip(offsets[:-1], offsets[1:], strict=True)
        ]


def _finish(item: tuple[int, Any]) -> tuple[int, np.ndarray]:
    start, pending = item
    result = pending.result() if hasattr(pending, "result") else pending.compute()
    return start, np.asarray(result, dtype=np.float32)


def _distributed_client() -> Any:
    """The active dask.distributed client, or None."""
    try:
        from distributed import get_client
    except ImportError:
        return None
    try:
        return get_client()
    except ValueError:
        return None
