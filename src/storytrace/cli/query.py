"""``storytrace query``: where else has this document, or these words, appeared?"""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from storytrace.cli._console import add_store_option, at_least_one, shown, store_path
from storytrace.ingest.formats import FORMATS_SENTENCE

NAME = "query"
HELP = "where else has this text appeared?"
DESCRIPTION = (
    "Look up a document (read as 'analyze' reads it) or a piece of text in a store: the "
    "stored documents that share passages or content with it, best first, with the passages "
    "they share. The store is not changed."
)
EXAMPLES = """\
examples:
  storytrace query article.html --db out
  storytrace query --text "the dam will be repaired by spring" --db out --top 3
  storytrace query article.txt --db out --format json"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "text",
        metavar="FILE",
        help=f"a file, read as 'analyze' reads it ({FORMATS_SENTENCE}; one document); "
        "with --text, the words to look up themselves",
    )
    p.add_argument(
        "--text",
        dest="is_text",
        action="store_true",
        help="the argument is the text to look up, not a file",
    )
    add_store_option(p)
    p.add_argument("--top", type=at_least_one, default=10, help="how many documents to show")
    p.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    from storytrace.query import query_file, query_store

    db = store_path(args)
    if args.is_text:
        hits = query_store(db, args.text, top=args.top)
    else:
        hits = query_file(db, args.text, top=args.top)
    if args.format == "json":
        out.print_json(json.dumps([h.as_dict() for h in hits], ensure_ascii=False))
        return 0
    if not hits:
        out.print("No document in the store shares passages or content with this text.")
        return 0
    for h in hits:
        out.print(
            f"[bold]{shown(h.id)}[/bold] {shown(h.source or '')} · {h.relation} · "
            f"Jaccard {h.jaccard:.2f} · containment {h.containment_query:.2f} · "
            f"semantic {h.semantic:.2f}"
        )
        for passage in h.passages[:3]:
            out.print(f"    [dim]shared:[/dim] {shown(passage)}")
    return 0
