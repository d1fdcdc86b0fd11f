"""The executor protocol: where the stages from ingest to matches run.

Modelled on datatrove's ``PipelineExecutor``: an executor runs the stages, and one function
(``pipeline.analyze``) does the bookkeeping around them once for every executor: the run's
record in the store, the "nothing to analyse" check, the stories, lineage and changes
(``engine.trace_story``), the second pass over a source's repeated lines, and the reports.

Two executors: ``pipeline.LocalStages`` (this machine's processes) and
``spark_pipeline.SparkStages`` (Apache Spark; it also groups the stories). Both call the
same engine functions, so they give the same store.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from storytrace.config import Config
    from storytrace.embed import Encoder
    from storytrace.executors.local import LocalExecutor
    from storytrace.progress import Progress
    from storytrace.records import IngestError
    from storytrace.store import Store


@dataclass(frozen=True, slots=True)
class RunContext:
    """What ``analyze`` hands an executor: the open store and this run's id, the settings,
    the progress display, the local process pool (for the work that stays on this machine),
    and the limits and encoder the caller chose."""

    store: Store
    run: int
    config: Config
    progress: Progress
    local: LocalExecutor
    max_chars: int
    batch_size: int
    encoder: Encoder | None = None


@dataclass(frozen=True, slots=True)
class Staged:
    """What an executor's stages left in the store: every document read, cleaned,
    fingerprinted and matched. ``errors``: the inputs it could not read (already recorded
    in the store); ``added``: documents new in this run; ``groups``: the stories' members
    when the executor grouped them itself (as ``stories.build_stories`` orders them)."""

    errors: tuple[IngestError, ...]
    added: int
    groups: list[list[str]] | None = None


class PipelineExecutor(Protocol):
    """Runs ingest, clean, fingerprint, candidates and compare into ``context.store``."""

    def check_store(self, store: Store) -> None:
        """Raise (a ``StorytraceError``) before the run starts if this executor cannot
        analyse into ``store``."""
        ...

    def run(self, inputs: Sequence[str | os.PathLike[str]], context: RunContext) -> Staged:
        """Run the stages over ``inputs``."""
        ...
