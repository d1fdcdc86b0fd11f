"""``storytrace clean``: a document's cleaned text and every removal with its reason."""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from storytrace.cli._console import plural, shown
from storytrace.errors import InputError
from storytrace.ingest.formats import FORMATS_SENTENCE

NAME = "clean"
HELP = "print a document's cleaned text and every removal"
DESCRIPTION = (
    "Read one document as 'analyze' reads it and print the text that cleaning keeps, then "
    "every removed span (raw offsets) with its reason; for an HTML page, what the extractor "
    "left out is listed too. Nothing is stored."
)
EXAMPLES = """\
examples:
  storytrace clean page.html
  storytrace clean article.txt --format json"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help=f"a file ({FORMATS_SENTENCE}); of several documents, the first")
    p.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    from storytrace.clean import clean
    from storytrace.ingest import read_inputs
    from storytrace.records import Document

    for record in read_inputs([args.file]):
        if not isinstance(record, Document):
            raise InputError(f"{record.input}: {record.reason}")
        cleaned = clean(record)
        removals = [
            {
                "start": r.start,
                "end": r.end,
                "reason": r.reason,
                "text": record.text[r.start : r.end],
            }
            for r in cleaned.removed
        ]
        if args.format == "json":
            document = {"id": record.id, "lang": cleaned.lang, "text": cleaned.text}
            print(json.dumps({**document, "removed": removals}, ensure_ascii=False, indent=1))
        else:
            out.print(shown(cleaned.text, multiline=True), highlight=False)
            out.print(f"\n[bold]{plural(len(removals), 'removal')}[/bold] (raw offsets):")
            for r in removals:
                snippet = " ".join(str(r["text"]).split())
                out.print(
                    f"  [{r['start']}, {r['end']}) [yellow]{r['reason']}[/yellow]: "
                    f"{shown(snippet[:100])}"
                )
        return 0
    return 1
