"""Run a pure function over a batch, in this process or in a pool of local processes.

Worker processes never outlive the process that started them, whatever they are doing: on
Linux each is forked by one thread that lives as long as this process (``_spawner``) and asks
the kernel to SIGKILL it when that thread dies (``PR_SET_PDEATHSIG``), so a worker deep in a
long C call that holds the GIL (a regex, a numpy kernel) dies with its parent at once; a
signal *handler* would only run once that call returned. Each also watches its parent's pid
from a thread (for platforms without ``prctl``). So a run killed with SIGKILL or SIGTERM leaves
no worker behind holding memory, locks or the caller's stdout/stderr pipes. Workers ignore
SIGINT (Ctrl-C reaches the whole process group): the parent decides, and on an interrupt it
cancels what is queued and ends its workers.

Every process pool in storytrace comes from ``process_pool`` (``LocalExecutor``, the MinHash
sketching in ``neardup``, the evaluation runners).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Generic, TypeVar

from storytrace.errors import WorkerError

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a process pool costs more (start-up, pickling) than it saves.
MIN_PARALLEL_ITEMS = 64


_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.25
"""How often a worker checks that its parent is alive (the fallback where the death signal is
not available)."""


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


def _prctl_death_signal(sig: int) -> bool:
    """Ask the kernel for ``sig`` when the thread that forked this process dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    # The running program's own symbols include libc's (find_library would run ldconfig).
    libc = ctypes.CDLL(None, use_errno=True)
    return int(libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)) == 0


def worker_initializer(parent: int, forked_by_spawner: bool = False) -> None:
    """Run first in every worker process: end with ``parent`` (its pid), ignore SIGINT.

    Linux delivers ``PR_SET_PDEATHSIG``'s signal when the *thread* that forked the worker
    ends. A worker forked by ``_spawner`` (``forked_by_spawner``), which lives as long as its
    process, is SIGKILLed by the kernel: nothing in the worker has to run, so even a worker
    stuck in a C call ends. One forked by any other thread (which may end while the process
    lives on) gets SIGUSR2 instead and ends only if its parent pid changed (it was
    re-parented). A daemon thread checks the same every quarter second, for platforms without
    ``prctl`` and for a parent that died before the signal was armed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if forked_by_spawner:
        _prctl_death_signal(signal.SIGKILL)
    elif sys.platform.startswith("linux"):
        signal.signal(signal.SIGUSR2, lambda *_: _parent_gone(parent))
        _prctl_death_signal(signal.SIGUSR2)
    _parent_gone(parent)  # it may already have died between fork and here
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _start_worker(
    parent: int,
    forked_by_spawner: bool,
    initializer: Callable[..., object] | None,
    initargs: tuple[Any, ...],
) -> None:
    worker_initializer(parent, forked_by_spawner)
    if initializer is not None:
        initializer(*initargs)


class _Spawner:
    """One daemon thread that forks every worker process and lives as long as this process
    (it waits on a queue between calls), so the kernel's death signal, tied to the forking
    thread, fires exactly when the process dies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: queue.SimpleQueue[tuple[Callable[[], object], Future[object]]] | None = None

    def call(self, fn: Callable[[], R]) -> R:
        """``fn()`` run on the spawner thread (started on first use); its result or error."""
        with self._lock:
            if self._calls is None:
                self._calls = queue.SimpleQueue()
                threading.Thread(
                    target=self._serve, args=(self._calls,), name="storytrace-spawner", daemon=True
                ).start()
            calls = self._calls
        done: Future[object] = Future()
        calls.put((fn, done))
        return done.result()  # type: ignore[return-value]

    @staticmethod
    def _serve(calls: queue.SimpleQueue[tuple[Callable[[], object], Future[object]]]) -> None:
        while True:
            fn, done = calls.get()
            try:
                done.set_result(fn())
            except BaseException as exc:  # handed to the caller
                done.set_exception(exc)

    def forget(self) -> None:
        """After a fork, in the child: the thread was not copied; start a new one when needed."""
        self._lock = threading.Lock()
        self._calls = None


_spawner = _Spawner()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_spawner.forget)


def process_pool(
    workers: int,
    *,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
) -> ProcessPoolExecutor:
    """A process pool whose workers end with this process (see the module's docstring),
    ignore SIGINT and then run ``initializer(*initargs)``. Workers are forked where the
    platform can (all at once, by the spawner thread) and shared copy-on-write."""
    fork = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork") if fork else None
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), fork, initializer, initargs),
    )
    if fork:
        # A pool with the fork context forks all its workers on its first submit, in the
        # submitting thread: that is the spawner's.
        _spawner.call(lambda: pool.submit(os.getpid))
    return pool


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
        try:
            return list(self._started().map(fn, items, chunksize=chunk))
        except BrokenProcessPool as exc:
            raise _worker_died() from exc

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
            self._pool = process_pool(self.workers)
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
            try:
                self._done = [f.result() for f in self._futures]
            except BrokenProcessPool as exc:
                raise _worker_died() from exc
        return self._done


def _worker_died() -> WorkerError:
    return WorkerError(
        "a worker process died while it worked (killed by the system: out of memory?); every "
        "finished batch is kept: run again to resume, with fewer --workers if memory is short"
    )
