"""Run a pure function over a batch, in this process or in a pool of local processes.

Worker processes never outlive the process that started them: each asks the kernel for a
signal when its parent dies (``PR_SET_PDEATHSIG``) and also watches its parent's pid, so a run
killed with SIGKILL or SIGTERM leaves no worker behind holding memory or the caller's
stdout/stderr pipes. Workers ignore SIGINT (Ctrl-C reaches the whole process group): the parent
decides, and on an interrupt it cancels what is queued and ends its workers.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a process pool costs more (start-up, pickling) than it saves.
MIN_PARALLEL_ITEMS = 64


_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.25
"""How often a worker checks that its parent is alive (the fallback where the death signal is
not available, or was tied to a thread of the parent that has ended)."""


def _parent_gone(parent: int) -> None:
    """Signal handler: the kernel reports the death of the thread that forked this worker; the
    worker ends if that was its whole parent process (the pid it was forked by is gone)."""
    if os.getppid() != parent:
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(_WATCH_SECONDS)


def worker_initializer(parent: int) -> None:
    """Run first in every worker process: end with ``parent`` (its pid), ignore SIGINT.

    Linux delivers ``PR_SET_PDEATHSIG``'s signal when the *thread* that forked the worker ends,
    which is not always the whole parent (a web app's pool thread); so the signal is caught and
    the worker ends only when its parent pid changed (it was re-parented). A daemon thread
    checks the same every quarter second, for platforms without ``prctl`` and for a parent
    that died before the signal was armed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        signal.signal(signal.SIGUSR2, lambda *_: _parent_gone(parent))
        # The running program's own symbols include libc's (find_library would run ldconfig).
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGUSR2, 0, 0, 0)
    _parent_gone(parent)  # it may already have died between fork and here
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


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
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                initializer=worker_initializer,
                initargs=(os.getpid(),),
            )
        return self._pool

    def close(self, *, abort: bool = False) -> None:
        """Stop the workers: after their work (default), or at once (``abort``: queued work is
        cancelled and running workers are terminated, for an interrupted or failed run)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if abort:
            # The pool has no public way to end running work; its processes are ours to end.
            processes = list(getattr(pool, "_processes", {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(timeout=5)
        else:
            pool.shutdown()

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(abort=exc_type is not None)


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
