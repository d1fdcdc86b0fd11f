"""The wall time of every pipeline stage, read from the progress reporter's tasks.

Shared by the benchmarks that run ``analyze`` in a fresh process (pipeline.py, incremental.py):
each stage opens one progress task, so timing the task times the stage.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from typing import Any

STAGES = {
    "Reading inputs": "reading",
    "Cleaning and fingerprinting": "clean_fingerprint",
    "Finding and comparing candidates": "candidates_compare",
    "Tracing provenance": "provenance",
}
"""Progress task descriptions -> the stage names the benchmarks report."""


def timing_progress(
    times: MutableMapping[str, float],
    last_end: list[float],
    on_task: Callable[[str, int | None], None] | None = None,
) -> Any:
    """A silent progress reporter that adds each stage's wall time to ``times`` (a stage may
    run twice) and keeps the end of the last one in ``last_end[0]`` (what follows it is the
    report); ``on_task`` sees every task as it opens."""
    from storytrace.progress import SilentProgress

    class TimingProgress(SilentProgress):
        def task(self, description: str, total: int | None):  # type: ignore[no-untyped-def]
            outer = super().task(description, total)
            if on_task is not None:
                on_task(description, total)

            class _Timed:
                def __enter__(self):  # type: ignore[no-untyped-def]
                    self.start = time.perf_counter()
                    return outer.__enter__()

                def __exit__(self, *exc):  # type: ignore[no-untyped-def]
                    now = time.perf_counter()
                    times[STAGES.get(description, description)] += now - self.start
                    last_end[0] = now
                    return outer.__exit__(*exc)

            return _Timed()

    return TimingProgress()
