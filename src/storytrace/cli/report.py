"""``storytrace report``: rewrite report.json and report.html from a store."""

from __future__ import annotations

import argparse

from rich.console import Console

from storytrace.cli._console import add_store_option, shown, store_path

NAME = "report"
HELP = "rewrite report.json and report.html from a store"
DESCRIPTION = (
    "Build the reports again from what the store holds (after an upgrade, or when a report "
    "was deleted), into the store's folder. Nothing is analysed again."
)
EXAMPLES = """\
examples:
  storytrace report --db out"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_store_option(p, old="--out")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    from storytrace.report import write_reports
    from storytrace.store import Store

    db = store_path(args)
    with Store(db) as store:
        json_path, html_path = write_reports(store, db.parent)
    if not args.quiet:
        out.print(f"Wrote {shown(str(json_path))} and {shown(str(html_path))}")
    return 0
