"""A store that grows: the cost of adding documents to a large store, against adding the same
documents to an empty one, whether the grown store equals one run over everything, and how
fast the web app answers on it.

    python benchmarks/incremental.py --base 100000 --add 1000 --encoder none --format json
    python benchmarks/incremental.py --base 5000 --add 500                 # the default encoder

Documents are generated news (``corpus.generate_news``: wire originals and their edited,
credited copies by other outlets, a third of the articles alone). The ``--add`` documents are
the newest ones (the next day's crawl: new stories and new versions of the latest ones) plus,
with ``--late F``, a share F of them drawn from older stories (versions that arrive late and
join, or merge, stories already stored). Each ``analyze`` runs as a fresh process, so each
time includes start-up (interpreter, imports, the encoder), as a user's command pays it.

Printed: ``add_s`` (the add into the base store), ``empty_s`` (the same documents into an
empty store), ``ratio`` (add_s / empty_s), each with its stages, ``same`` (the grown store's
stories, edges and alignments equal those of one run over base and add together: that run
is made too, ``--no-same`` skips it) and ``same_matches`` (their related matches are equal),
with ``--retrace`` ``same_as_retrace`` (the grown store's stories equal tracing all of them
again from its own matches: the incremental trace is exact whatever the matches), and ``web_p95_ms``: the 95th percentile of the main
pages' latency (the story listing and its pages, a search, stories, documents, comparisons of
stored edges), each fetched over HTTP from a real ``storytrace serve`` on the grown store,
with the p95 of each kind of page.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from stage_timing import timing_progress  # noqa: E402 (benchmarks/ on sys.path)

CLI = "import sys; from storytrace.cli import main; sys.exit(main())"


# --- the measured process ---------------------------------------------------------------------


def child(feed: Path, out: Path, encoder: str) -> None:
    """One ``analyze`` of ``feed`` into ``out`` in this fresh process; prints its times."""
    started = time.perf_counter()
    from storytrace.config import Config
    from storytrace.pipeline import analyze

    imported = time.perf_counter()
    times: dict[str, float] = defaultdict(float)
    traced: list[int | None] = []
    last_end = [imported]

    def count_traced(description: str, total: int | None) -> None:
        if description == "Tracing provenance":
            traced.append(total)

    result = analyze(
        [feed],
        out,
        Config(encoder=encoder),
        progress=timing_progress(times, last_end, count_traced),
    )
    done = time.perf_counter()
    times["report"] += done - last_end[0]
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "imports_s": round(imported - started, 2),
                "analyze_s": round(done - imported, 2),
                "stages_s": {k: round(v, 2) for k, v in times.items()},
                "stories_traced": traced,
                "added": result.added,
                "total": result.total,
                "cpu_s": round(own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime, 1),
                "peak_rss_mib": round(max(own.ru_maxrss, kids.ru_maxrss) / 1024),
            }
        )
    )


# --- the driver -------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def run_analyze(feed: Path, out: Path, encoder: str) -> dict[str, Any]:
    """``analyze`` in a fresh process, timed from outside (start-up included)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(feed), str(out)]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, "--encoder", encoder], env=_env(), capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"analyze of {feed} into {out} failed:\n{done.stderr[-3000:]}")
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    row["wall_s"] = round(wall, 2)
    return row


def split(base: int, add: int, late: float, seed: int) -> tuple[list[Any], list[Any]]:
    """The base documents and the added ones (the newest, and a share ``late`` of older
    stories' later versions), from one generated corpus."""
    from corpus import generate_news

    docs = generate_news(base + add)
    rng = random.Random(seed)
    n_late = round(add * late)
    older = [i for i, d in enumerate(docs[:base]) if d.parent is not None]
    late_ix = set(rng.sample(older, min(n_late, len(older))))
    newest = list(range(base + add - (add - len(late_ix)), base + add))
    added = sorted(late_ix | set(newest))
    chosen = set(added)
    return [d for i, d in enumerate(docs) if i not in chosen], [docs[i] for i in added]


def write_feed(path: Path, docs: list[Any]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for d in docs:
            record = {
                "id": d.id,
                "source": d.source,
                "published": d.published,
                "title": d.title,
                "text": d.text,
            }
            out.write(json.dumps(record) + "\n")


def related_matches(db: Path) -> set[tuple[Any, ...]]:
    """Every match that found a relation, with its relation."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT a, b, relation FROM matches WHERE relation != 'unrelated'")
        return set(rows)
    finally:
        conn.close()


def retrace(store: Path, copy: Path, encoder: str) -> dict[str, Any]:
    """Trace every story of a copy of ``store`` again from its own matches (no document
    added): what the incremental trace must equal, whatever the matches."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy)
    conn = sqlite3.connect(copy / "storytrace.db")
    with conn:
        conn.execute("DELETE FROM meta WHERE key = 'traced_sources'")
    conn.close()
    empty = copy.parent / "nothing.jsonl"
    empty.write_text("", encoding="utf-8")
    return run_analyze(empty, copy, encoder)


def lineage(db: Path) -> tuple[Any, ...]:
    """Everything a trace produces, comparable across stores: stories (bodies) and
    alignments, each sorted by id."""
    conn = sqlite3.connect(db)
    try:
        stories = [json.loads(b) for (b,) in conn.execute("SELECT body FROM stories ORDER BY id")]
        aligned = [
            json.loads(b)
            for (b,) in conn.execute("SELECT body FROM alignments ORDER BY parent, child")
        ]
    finally:
        conn.close()
    return stories, aligned


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def web_latency(db_dir: Path, requests: int, seed: int) -> dict[str, Any]:
    """Serve the store with ``storytrace serve`` and fetch its main pages over HTTP."""
    conn = sqlite3.connect(db_dir / "storytrace.db")
    try:
        stories = [r[0] for r in conn.execute("SELECT id FROM story_index")]
        docs = [r[0] for r in conn.execute("SELECT id FROM documents")]
        edges = [(r[0], r[1]) for r in conn.execute("SELECT parent, child FROM alignments")]
        words = [r[0].split()[0] for r in conn.execute("SELECT title FROM documents LIMIT 200")]
    finally:
        conn.close()
    n_stories = len(stories)
    rng = random.Random(seed)
    kinds = ("listing", "listing page", "search", "story", "document", "compare")
    urls: list[tuple[str, str]] = []
    for n in range(requests):
        kind = kinds[n % len(kinds)]
        if kind == "listing":
            url = "/"
        elif kind == "listing page":
            url = f"/?page={rng.randrange(max(1, n_stories // 50))}"
        elif kind == "search":
            url = "/?" + urllib.parse.urlencode({"q": rng.choice(words)})
        elif kind == "story":
            url = "/story/" + rng.choice(stories)
        elif kind == "document":
            url = "/doc?" + urllib.parse.urlencode({"id": rng.choice(docs)})
        else:
            a, b = rng.choice(edges)
            url = "/compare?" + urllib.parse.urlencode({"a": a, "b": b})
        urls.append((kind, url))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", CLI, "serve", "--db", str(db_dir), "--port", str(port)],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/jobs/none", timeout=5):
                    pass
            except urllib.error.HTTPError:
                break  # 404: it answers
            except OSError as exc:
                if server.poll() is not None or time.monotonic() > deadline:
                    problem = server.stderr.read() if server.stderr else ""
                    raise SystemExit(f"storytrace serve did not start: {problem}") from exc
                time.sleep(0.2)
        timings: dict[str, list[float]] = defaultdict(list)
        for kind, url in urls:
            start = time.perf_counter()
            with urllib.request.urlopen(base + url, timeout=120) as response:
                response.read()
                assert response.status == 200, (url, response.status)
            timings[kind].append((time.perf_counter() - start) * 1000)
    finally:
        server.terminate()
        server.wait(timeout=30)
    every = sorted(t for ts in timings.values() for t in ts)
    return {
        "web_p95_ms": round(_p95(every), 1),
        "web_requests": len(every),
        "web_p95_by_page_ms": {k: round(_p95(sorted(v)), 1) for k, v in timings.items()},
        "web_max_ms": round(every[-1], 1),
    }


def _p95(values: list[float]) -> float:
    return values[min(len(values) - 1, int(0.95 * len(values)))] if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=int, default=10_000)
    parser.add_argument("--add", type=int, default=1_000)
    parser.add_argument(
        "--late", type=float, default=0.1, help="share of the add from older stories"
    )
    parser.add_argument("--encoder", default="use-multilingual")
    parser.add_argument("--requests", type=int, default=300, help="web pages fetched")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-same", action="store_true", help="skip the one-run comparison")
    parser.add_argument(
        "--retrace",
        action="store_true",
        help="also trace every story of the grown store again from its matches (same_as_retrace)",
    )
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--format", choices=("json", "text"), default="text")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.encoder)
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="storytrace-incremental-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        base_docs, added_docs = split(args.base, args.add, args.late, args.seed)
        write_feed(work / "base.jsonl", base_docs)
        write_feed(work / "add.jsonl", added_docs)
        summary: dict[str, Any] = {
            "base": len(base_docs),
            "add": len(added_docs),
            "late": args.late,
            "encoder": args.encoder,
            "cpus": os.cpu_count(),
        }
        grown = work / "grown"
        if not (grown / "storytrace.db").exists():
            summary["base_run"] = run_analyze(work / "base.jsonl", grown, args.encoder)
        else:  # --keep: a base store from an earlier run, copied back before its add
            summary["base_run"] = "kept"
        shutil.rmtree(work / "before-add", ignore_errors=True)
        shutil.copytree(grown, work / "before-add")
        summary["add_run"] = run_analyze(work / "add.jsonl", grown, args.encoder)
        shutil.rmtree(work / "empty", ignore_errors=True)
        summary["empty_run"] = run_analyze(work / "add.jsonl", work / "empty", args.encoder)
        summary["add_s"] = summary["add_run"]["wall_s"]
        summary["empty_s"] = summary["empty_run"]["wall_s"]
        summary["ratio"] = round(summary["add_s"] / summary["empty_s"], 2)
        if not args.no_same:
            both = work / "both.jsonl"
            write_feed(both, base_docs + added_docs)
            shutil.rmtree(work / "one", ignore_errors=True)
            summary["one_run"] = run_analyze(both, work / "one", args.encoder)
            summary["same"] = lineage(grown / "storytrace.db") == lineage(
                work / "one" / "storytrace.db"
            )
            # Matches come from candidate search, whose caps (a reuse key held by more than
            # REUSE_MAX_DF documents is chained, not paired; a few neighbours per vector)
            # depend on what the store held when a document was matched.
            summary["same_matches"] = related_matches(grown / "storytrace.db") == related_matches(
                work / "one" / "storytrace.db"
            )
        if args.retrace:
            summary["retrace_run"] = retrace(grown, work / "retraced", args.encoder)
            summary["same_as_retrace"] = lineage(grown / "storytrace.db") == lineage(
                work / "retraced" / "storytrace.db"
            )
        summary.update(web_latency(grown, args.requests, args.seed))
        # leave the base store as it was before the add, for a rerun with --keep
        shutil.rmtree(grown)
        shutil.move(work / "before-add", grown)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.format == "json":
        print(json.dumps(summary, indent=1))
    else:
        for key, value in summary.items():
            print(f"{key:>12}: {value}")


if __name__ == "__main__":
    main()
