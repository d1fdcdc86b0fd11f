"""What every command shares: safe printing, progress bars, plurals, option types, paths.

Nothing here knows a command; the command modules import from it.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from storytrace.errors import ConfigError
from storytrace.progress import Task

# Characters a terminal would act on: C0 and C1 controls (ESC starts escape sequences that
# can retitle the window, move the cursor or hide text; 0x9b is a one-byte CSI) and the bidi
# controls that reorder what is shown.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNPRINTABLE_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown(value: object, *, multiline: bool = False) -> str:
    """``value`` safe to print: Rich markup escaped, and every control character that a
    terminal would interpret (ids, paths, titles and texts come from the input) written as a
    visible ``\\x1b``-style escape. ``multiline`` keeps line breaks and tabs (document text)."""
    pattern = _UNPRINTABLE_IN_TEXT if multiline else _UNPRINTABLE
    text = pattern.sub(lambda m: ascii(m.group(0))[1:-1], str(value))
    return escape(text)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``"1 document"``, ``"2 documents"``; ``many`` for irregular plurals ("stories")."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


class RichProgress:
    """Progress bars on stderr; ``enabled=False`` (``--quiet``) shows none."""

    def __init__(self, console: Console, enabled: bool = True) -> None:
        self.console = console
        self.enabled = enabled

    @contextmanager
    def task(self, description: str, total: int | None) -> Iterator[Task]:
        if not self.enabled:
            yield _NoTask()
            return
        columns = [
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        ]
        with Progress(*columns, console=self.console, transient=False) as bar:
            task_id = bar.add_task(description, total=total)
            yield _RichTask(bar, task_id)
            if total is None:
                bar.update(task_id, total=bar.tasks[0].completed)


class _RichTask:
    def __init__(self, bar: Progress, task_id: Any) -> None:
        self.bar, self.task_id = bar, task_id

    def advance(self, n: int = 1) -> None:
        self.bar.advance(self.task_id, n)


class _NoTask:
    def advance(self, n: int = 1) -> None:
        return None


def at_least_one(value: str) -> int:
    """argparse type: a whole number of at least 1 (argparse prints the usage and the reason)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def port(value: str) -> int:
    """argparse type: a TCP port, 1-65535."""
    number = at_least_one(value)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, not {number}")
    return number


MAX_WORKERS = 512
"""More worker processes than this is a typo (each is a forked copy of the run)."""
MAX_MAX_CHARS = 10**10
"""A larger --max-chars overflowed the readers' byte limits (a traceback)."""


def check_positive(option: str, value: int | None, most: int | None = None) -> None:
    """``ConfigError`` unless ``value`` is unset or between 1 and ``most``."""
    if value is not None and value < 1:
        raise ConfigError(f"{option} must be at least 1, not {value}")
    if value is not None and most is not None and value > most:
        raise ConfigError(f"{option} must be at most {most:,}, not {value:,}")


def check_out_dir(value: str) -> Path:
    """``value`` as an output folder that exists or can be made: not a file, and its nearest
    existing folder writable. The store checks again when it creates the folder (the only
    check that holds for root, who passes ``os.access``)."""
    out = Path(value)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {value}: is a file, not a folder")
    probe = out.absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise ConfigError(f"--out {value}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ConfigError(f"--out {value}: {probe} is not writable (permission denied)")
    return out


class DeprecatedAlias(argparse.Action):
    """An old option name kept working: stores into the new option's ``dest`` and leaves a
    note in ``namespace.deprecations`` that ``main`` prints (once, on stderr)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        self.instead: str = kwargs.pop("instead")
        super().__init__(option_strings, dest, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, values)
        notes = list(getattr(namespace, "deprecations", None) or [])
        notes.append(f"{option_string} is deprecated here; use {self.instead}")
        namespace.deprecations = notes


def add_store_option(parser: argparse.ArgumentParser, old: str | None = None) -> None:
    """``--db DIR`` naming a store (the folder given to ``analyze --out``, or the
    ``storytrace.db`` inside it); ``old`` is a former name kept as a deprecated alias."""
    parser.add_argument(
        "--db",
        metavar="DIR",
        help="the store: the folder given to 'analyze --out', or the storytrace.db in it",
    )
    if old:
        parser.add_argument(
            old, dest="db", action=DeprecatedAlias, instead="--db", help=argparse.SUPPRESS
        )


def store_path(args: argparse.Namespace) -> Path:
    """The ``storytrace.db`` that ``--db`` names (a folder or the file itself)."""
    from storytrace.store import DB_NAME

    if not args.db:
        raise ConfigError("--db is required: the folder given to 'analyze --out'")
    db = Path(args.db)
    if db.is_dir() or (not db.exists() and db.suffix != ".db"):
        return db / DB_NAME
    return db
