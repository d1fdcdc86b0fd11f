"""Run a pure function over a batch, in this process or in a pool of local processes."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a process pool costs more (start-up, pickling) than it saves.
MIN_PARALLEL_ITEMS = 64


class LocalExecutor:
    """``map`` in-process for small batches, across ``workers`` processes for large ones."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else min(4, os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def map(
        self, fn: Callable[[T], R], items: Sequence[T], *, parallel: bool | None = None
    ) -> list[R]:
        """``fn`` over ``items`` in order; ``parallel`` forces the choice (default: by size)."""
        if not self._use_pool(items, parallel):
            return [fn(item) for item in items]
        chunk = max(1, len(items) // (self.workers * 4)) if len(items) >= 4 * self.workers else 1
        return list(self._started().map(fn, items, chunksize=chunk))

    def submit(
        self, fn: Callable[[T], R], items: Sequence[T], *, parallel: bool | None = None
    ) -> Submitted[R]:
        """``map``, started now and collected later: the caller can do other work (write the
        previous batch's results) while the worker processes compute. In-process, the work
        runs at once and ``Submitted.results`` only hands it over."""
        if not self._use_pool(items, parallel):
            return Submitted(done=[fn(item) for item in items])
        pool = self._started()
        return Submitted(futures=[pool.submit(fn, item) for item in items])

    def _use_pool(self, items: Sequence[object], parallel: bool | None) -> bool:
        """Worker processes for these items? ``parallel`` forces it (default: by size)."""
        if parallel is None:
            parallel = len(items) >= MIN_PARALLEL_ITEMS
        return self.workers > 1 and parallel and len(items) >= 2

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Submitted(Generic[R]):
    """Results of ``LocalExecutor.submit``, in the order of the items."""

    def __init__(
        self, *, done: list[R] | None = None, futures: list[Future[R]] | None = None
    ) -> None:
        self._done = done
        self._futures = futures or []

    def results(self) -> list[R]:
        """Wait for every item (re-raising the first error) and return the results."""
        if self._done is None:
            self._done = [f.result() for f in self._futures]
        return self._done
