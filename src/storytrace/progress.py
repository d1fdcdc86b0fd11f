"""A minimal progress protocol, so stages and the pipeline never depend on a terminal library.

The CLI passes a rich-backed implementation; library users get silence by default.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class Task(Protocol):
    def advance(self, n: int = 1) -> None: ...


class Progress(Protocol):
    def task(self, description: str, total: int | None) -> AbstractContextManager[Task]: ...


class _Silent:
    def advance(self, n: int = 1) -> None:
        return None


class SilentProgress:
    """Reports nothing."""

    @contextmanager
    def task(self, description: str, total: int | None) -> Iterator[Task]:
        yield _Silent()
