"""The ``storytrace`` command: thin wrappers over the library, one module per command.

Each command module holds its ``NAME``, ``HELP`` (one line in ``storytrace --help``),
``DESCRIPTION`` and ``EXAMPLES`` (its own ``--help``), ``add_arguments`` and ``run``; this
module assembles the parser and turns every error storytrace raises on purpose into one
line with its code (``error[ST102]: ...``, the codes in ``storytrace.errors``), never a
traceback.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence
from typing import Protocol

from rich.console import Console

from storytrace import __version__
from storytrace.cli import analyze, clean, config, evaluate, query, report, serve
from storytrace.cli._console import shown
from storytrace.errors import FileSystemError, StoreError, StorytraceError

os.environ.setdefault(
    "OMP_NUM_THREADS", "1"
)  # CPU inference on small machines: no oversubscription


class Command(Protocol):
    """What a command module provides (checked by mypy on ``COMMANDS``)."""

    NAME: str
    HELP: str
    DESCRIPTION: str
    EXAMPLES: str

    def add_arguments(self, p: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace, out: Console, err: Console) -> int: ...


COMMANDS: tuple[Command, ...] = (analyze, report, query, clean, serve, evaluate, config)


def parser() -> argparse.ArgumentParser:
    """The whole command line: one subparser per module in ``COMMANDS``."""
    top = argparse.ArgumentParser(
        prog="storytrace",
        description="Follow a news story across the web: copies, rewrites, translations, "
        "who derived from whom, and what each version changed.",
        epilog="'storytrace COMMAND --help' describes a command, with examples.",
    )
    top.add_argument("--version", action="version", version=f"storytrace {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        p = sub.add_parser(
            command.NAME,
            help=command.HELP,
            description=command.DESCRIPTION,
            epilog=command.EXAMPLES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(p)
        p.set_defaults(run=command.run)
    return top


def error_line(exc: BaseException) -> str:
    """The one line an error is shown as: ``error[CODE]: message``."""
    if isinstance(exc, OSError) and not isinstance(exc, StorytraceError):
        where = f"{exc.filename}: " if exc.filename else ""
        return error_line(FileSystemError(where + (exc.strerror or str(exc))))
    code = exc.code if isinstance(exc, StorytraceError) else "ST000"
    return f"error[{code}]: {exc}"


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    for note in getattr(args, "deprecations", None) or []:
        err.print(f"[yellow]warning[/yellow]: {shown(note)}")
    try:
        code: int = args.run(args, out, err)
        return code
    except (StorytraceError, OSError) as exc:  # on purpose, or a file-system failure: one line
        err.print(f"[red]{shown(error_line(exc))}[/red]")
        return 1
    except sqlite3.DatabaseError as exc:  # a store damaged past its header (disk, copying)
        folder = getattr(args, "out", None) or getattr(args, "db", None)
        store = f"the store in {folder}" if folder else "the store"
        damaged = StoreError(
            f"{store} is damaged ({exc}): restore it from a copy, or analyse into a new --out"
        )
        err.print(f"[red]{shown(error_line(damaged))}[/red]")
        return 1
    except KeyboardInterrupt:
        err.print(
            "[yellow]interrupted[/yellow]: the store keeps every finished batch; run again to resume"
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
