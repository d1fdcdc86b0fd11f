"""The local executor: same results in-process and across worker processes."""

from __future__ import annotations

import os
import signal
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import DEMO

from storytrace.config import Config
from storytrace.engine import index as index_documents
from storytrace.executors import LocalExecutor
from storytrace.ingest import read_inputs
from storytrace.records import Document


def _square(x: int) -> int:
    return x * x


def test_map_keeps_order_in_process_and_in_processes() -> None:
    items = list(range(100))
    with LocalExecutor(workers=2) as ex:
        assert ex.map(_square, items, parallel=False) == [x * x for x in items]
        assert ex.map(_square, items, parallel=True) == [x * x for x in items]


def _fail_on_seven(x: int) -> int:
    if x == 7:
        raise ValueError("seven")
    return x


def test_submit_computes_while_the_caller_works_and_keeps_order() -> None:
    items = list(range(50))
    with LocalExecutor(workers=2) as ex:
        first = ex.submit(_square, items, parallel=True)
        second = ex.submit(_square, items[::-1], parallel=True)  # two batches in flight
        assert second.results() == [x * x for x in items[::-1]]
        assert first.results() == [x * x for x in items]
        assert first.results() is first.results()  # collected once
        assert ex.submit(_square, items, parallel=False).results() == [x * x for x in items]
        failing = ex.submit(_fail_on_seven, items, parallel=True)
        with pytest.raises(ValueError, match="seven"):
            failing.results()
    with pytest.raises(ValueError, match="seven"):  # in-process work fails at once
        LocalExecutor(workers=1).submit(_fail_on_seven, items)


def test_single_worker_never_starts_a_pool() -> None:
    ex = LocalExecutor(workers=1)
    assert ex.map(_square, list(range(200))) == [x * x for x in range(200)]
    assert ex._pool is None


def test_indexing_in_worker_processes_equals_in_process() -> None:
    docs = [r for r in read_inputs([DEMO / "text"]) if isinstance(r, Document)][:4]
    work = partial(index_documents, config=Config())
    chunks = [docs[:2], docs[2:]]
    with LocalExecutor(workers=2) as ex:
        parallel = [r for part in ex.map(work, chunks, parallel=True) for r in part]
    serial = index_documents(docs, Config())
    for (c1, s1), (c2, s2) in zip(parallel, serial, strict=True):
        assert c1 == c2
        assert np.array_equal(s1.minhash, s2.minhash)
        assert s1.embedding is not None and s2.embedding is not None
        assert np.allclose(s1.embedding, s2.embedding, atol=1e-5)


_PARENT = """
import sys, threading, time
from storytrace.executors import LocalExecutor
work, made_by = sys.argv[1], sys.argv[2]
ex = LocalExecutor(workers=2)
if made_by == "ended-thread":  # a web app's job thread: it ends, the pool lives on
    maker = threading.Thread(target=lambda: ex.submit(abs, [-1] * 2, parallel=True).results())
    maker.start()
    maker.join()
    time.sleep(0.5)
if work == "sleep":
    pending = ex.submit(time.sleep, [30.0] * 4, parallel=True)
else:  # a C call that holds the GIL for an hour: no Python code runs in the worker meanwhile
    pending = ex.submit(sum, [range(10**13)] * 4, parallel=True)
print("started", flush=True)
pending.results()
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(
    ("work", "made_by"),
    [
        ("sleep", "main-thread"),
        ("gil-held-c-call", "main-thread"),
        ("gil-held-c-call", "ended-thread"),
    ],
)
def test_workers_end_when_their_parent_is_killed(work: str, made_by: str) -> None:
    """The parent is SIGKILLed while its two workers are in an endless task: the workers end
    at once (they used to sleep on, orphaned, holding the caller's pipes). A worker inside a
    C call that holds the GIL runs no signal handler and no watchdog thread, so only the
    kernel can end it (``PR_SET_PDEATHSIG`` with SIGKILL); the thread that forked the workers
    may have ended long before without taking them along."""
    import subprocess
    import sys
    import time

    from tests.test_reliability import _alive, _descendants

    proc = subprocess.Popen(
        [sys.executable, "-c", _PARENT, work, made_by],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stdout.readline() == b"started\n"
    deadline = time.monotonic() + 30
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline:
        workers = _descendants(proc.pid)
        time.sleep(0.02)
    assert len(workers) >= 2
    time.sleep(0.5)  # the workers are inside their task now
    assert all(_alive(p) for p in workers), "a worker ended before its parent"
    proc.kill()
    start = time.monotonic()
    try:
        proc.communicate(timeout=10)  # end of output: no worker holds the pipes
        while any(_alive(p) for p in workers) and time.monotonic() - start < 10:
            time.sleep(0.02)
        assert not any(_alive(p) for p in workers)
        assert time.monotonic() - start < 3
    finally:  # a failure leaves no hour-long orphan behind
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
