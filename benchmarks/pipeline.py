"""Throughput of the whole job (``storytrace analyze``: every stage, default settings) on
news, per stage, with start-up, peak memory and quality, against another git revision.

    python benchmarks/pipeline.py --corpus wmt21 [--data ../shared/eval/wmt21-ru-en]
    python benchmarks/pipeline.py --corpus wmt21 --docs 169 338 676 --baseline-rev 776905c
    python benchmarks/pipeline.py --corpus wire [--data ../shared/eval]   # 423 agency/paper texts
    python benchmarks/pipeline.py --corpus semeval                  # 1,499 real news articles
    python benchmarks/pipeline.py --corpus news --docs 500 1000 2000
    python benchmarks/pipeline.py --corpus salad --docs 400        # the old word-salad corpus
    python benchmarks/pipeline.py --corpus wmt21 --profile 40      # cProfile, top 40 by cumtime

Corpora: ``wmt21`` reads the real news versions of WMT21 ru-en (``docs.jsonl``, read at run
time, never copied; answer fields dropped before the pipeline sees them); ``--docs N`` takes
the first whole stories up to N documents. ``wire`` is the derivation wire set (agency copy
and the papers written from it, or not: ``storytrace eval derivation --set wire --half all``,
docs/derivation-sets.md), scored by its own scorer (derived-vs-not F1 in the F1 column).
``semeval`` is the real news articles of the derivation SemEval set (10 languages; no
answers, so no quality columns). ``news`` is generated news-like stories
(``corpus.generate_news``: wire originals and their partial, edited, credited copies by
other outlets, plus lone articles). ``salad``: random common words with near-copies.

Every measurement runs in a fresh Python process (``--child``), so the wall time includes
start-up: interpreter, imports and loading the encoder, as a user's ``storytrace analyze``
pays them. Stages are the pipeline's own progress tasks: reading, cleaning+fingerprinting
(embeddings included), candidates+compare, provenance (reuse, lineage, alignment, changes),
then report (building and writing report.json/html). A stage that runs twice (a source's
furniture found after the first stories) is summed. CPU seconds count worker processes;
peak RSS is the largest of the process and its workers. Quality: stories pairwise F1 and
parent accuracy against the corpus's own answers (the generated parents for ``news``).

``--baseline-rev REV`` checks REV out into a temporary git worktree and measures it in the
same run on the same inputs, reporting ratios (baseline time / this tree's time).
``OMP_NUM_THREADS`` is 1 unless set (the project's setting on shared 2-core machines).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from stage_timing import timing_progress  # noqa: E402 (benchmarks/ on sys.path)

# --- the measured process ---------------------------------------------------------------------


def child(feed: Path, out: Path, profile: int) -> None:
    """Run the whole job once in this (fresh) process and print its measurements as JSON."""
    started = time.perf_counter()
    from storytrace.pipeline import analyze

    imported = time.perf_counter()
    times: dict[str, float] = defaultdict(float)
    last_end = [imported]

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    result = analyze([feed], out, progress=timing_progress(times, last_end))
    done = time.perf_counter()
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(profile)
        print(text.getvalue(), file=sys.stderr)
    times["report"] += done - last_end[0]
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "imports_s": imported - started,
                "analyze_s": done - imported,
                "stages_s": dict(times),
                "cpu_s": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime,
                "peak_rss_mib": max(own.ru_maxrss, kids.ru_maxrss) / 1024,
                "report": str(result.report_json),
            }
        )
    )


# --- corpora ----------------------------------------------------------------------------------


def _wmt21(
    data: Path, n: int | None
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, str]]:
    path = data / "docs.jsonl"
    if not path.is_file():
        sys.exit(f"{path}: missing (pass --data DIR holding WMT21 ru-en's docs.jsonl)")
    from storytrace.eval.wmt21 import ANSWER_FIELDS, load_gold

    by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                record = json.loads(line)
                by_story[record["story"]].append(record)
    chosen: list[dict[str, Any]] = []
    for records in by_story.values():
        if n is not None and chosen and len(chosen) + len(records) > n:
            break
        chosen.extend(records)
    gold = load_gold(data)
    ids = {r["id"] for r in chosen}
    blind = [{k: v for k, v in r.items() if k not in ANSWER_FIELDS} for r in chosen]
    clusters = {d: s for d, s in gold.clusters.items() if d in ids}
    parents = {d: p for d, p in gold.parents.items() if d in ids}
    return blind, clusters, parents


def _news(n: int) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, str]]:
    from corpus import generate_news

    docs = generate_news(n)
    records = [
        {"id": d.id, "source": d.source, "published": d.published, "title": d.title, "text": d.text}
        for d in docs
    ]
    return records, {d.id: d.story for d in docs}, {d.id: d.parent for d in docs if d.parent}


def _salad(n: int) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, str]]:
    from corpus import generate

    docs = generate(n)
    root: dict[str, str] = {}
    for d in docs:
        root[d.id] = root[d.copy_of] if d.copy_of else d.id
    return (
        [{"id": d.id, "text": d.text} for d in docs],
        root,
        {d.id: d.copy_of for d in docs if d.copy_of},
    )


def _wire(root: Path, n: int | None):  # type: ignore[no-untyped-def]
    """The derivation wire set, both halves (``storytrace eval derivation --set wire --half
    all``): 92 agency copies and 331 papers written from them or not. Quality: derived-vs-not
    F1 and parent accuracy from the set's own scorer."""
    from storytrace.eval import derivation, wire

    wires, others = derivation.split_pool(
        derivation.wire_sources(root), derivation.spare_pages(root)
    )
    items = wire.build_items(wires, others, wire.SEED)
    records: list[dict[str, Any]] = []
    for item in items:
        recs = list(item.records())
        if n is not None and records and len(records) + len(recs) > n:
            break
        records.extend(recs)
    kept = {str(r["id"]) for r in records}
    answers = [i.answer() for i in items if all(str(r["id"]) in kept for r in i.records())]
    texts = {str(r["id"]): str(r["text"]) for r in records}

    def score(report: dict[str, Any]) -> dict[str, float]:
        from storytrace.codec import report_from_plain

        scores = wire.score_wire(report_from_plain(report), answers, texts)
        return {
            "stories_f1": round(scores.derived.f1, 4),
            "parent_accuracy": round(scores.parent_accuracy, 4),
        }

    return records, score


def _semeval(root: Path, n: int | None):  # type: ignore[no-untyped-def]
    """The real news articles of the derivation SemEval set, both halves (SemEval-2022 Task
    8's original pairs: 1,499 articles in 10 languages). No answers to score here."""
    import re

    from storytrace.eval.semeval import load_pairs

    rows, _ = load_pairs(root / "semeval2022-task8")
    texts: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: r.pair_id):
        if re.search(r"[a-z]", r.pair_id):  # machine-translated augmentations
            continue
        a, b = r.pair_id.split("_", 1)
        texts.setdefault(f"se{a}", r.text1)
        texts.setdefault(f"se{b}", r.text2)
    records = [{"id": k, "text": v} for k, v in list(texts.items())[:n]]
    return records, lambda report: {"stories_f1": float("nan"), "parent_accuracy": float("nan")}


def corpus(name: str, n: int | None, data: Path):  # type: ignore[no-untyped-def]
    """(records, score): the documents to analyse, and a function of report.json giving
    ``stories_f1`` and ``parent_accuracy`` (for ``wire``: derived-vs-not F1 and parent
    accuracy)."""
    if name == "wire":
        return _wire(data, n)
    if name == "semeval":
        return _semeval(data, n)
    if name == "wmt21":
        records, clusters, parents = _wmt21(data, n)
    elif name == "news":
        records, clusters, parents = _news(n or 1000)
    else:
        records, clusters, parents = _salad(n or 400)
    return records, lambda report: quality(report, clusters, parents)


# --- the driver -------------------------------------------------------------------------------


def measure(src: Path, feed: Path, out: Path, profile: int) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(src))
    env.setdefault("OMP_NUM_THREADS", "1")
    command = [sys.executable, str(HERE / "pipeline.py"), "--child", str(feed), str(out)]
    if profile:
        command += ["--profile", str(profile)]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"benchmark run under {src} failed:\n{done.stderr[-3000:]}")
    if profile:
        print(done.stderr, file=sys.stderr)
    row: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    row["wall_s"] = wall
    return row


def quality(
    report: dict[str, Any], clusters: dict[str, str], parents: dict[str, str]
) -> dict[str, float]:
    from storytrace.eval.metrics import accuracy, pairwise_clustering

    predicted = {m: s["id"] for s in report["stories"] for m in s["members"]}
    parent_of = {e["child"]: e["parent"] for s in report["stories"] for e in s["edges"]}
    return {
        "stories_f1": round(pairwise_clustering(predicted, clusters).f1, 4),
        "parent_accuracy": round(accuracy(parent_of, parents), 4) if parents else float("nan"),
    }


def exponent(sizes: Sequence[int], seconds: Sequence[float]) -> float | None:
    """Least-squares slope of log(seconds) against log(size): 1.0 is linear."""
    if len(sizes) < 2:
        return None
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den, 3)


def _worktree(rev: str, where: Path) -> Path:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(where), rev],
        check=True,
    )
    return where


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", choices=("wmt21", "wire", "semeval", "news", "salad"), default="wmt21"
    )
    parser.add_argument("--docs", type=int, nargs="*", default=None, help="corpus sizes")
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="WMT21 ru-en's folder (wmt21), or the eval folder (wire, semeval)",
    )
    parser.add_argument("--baseline-rev", default=None, help="git revision to compare with")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.data is None:
        eval_root = ROOT.parent / "shared/eval"
        args.data = eval_root / "wmt21-ru-en" if args.corpus == "wmt21" else eval_root
    if args.child:
        child(args.child[0], args.child[1], args.profile)
        return
    sys.path.insert(0, str(ROOT / "src"))
    # A terminated run still removes its temporary worktree (the ``finally`` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("benchmark terminated"))
    sizes: list[int | None] = list(args.docs) if args.docs else [None]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="st-bench-") as tmp_name:
        tmp = Path(tmp_name)
        trees = [("current", ROOT / "src")]
        if args.baseline_rev:
            base = _worktree(args.baseline_rev, tmp / "baseline")
            trees.append((args.baseline_rev, base / "src"))
        try:
            for size in sizes:
                records, score = corpus(args.corpus, size, args.data)
                feed = tmp / f"feed-{len(records)}.jsonl"
                feed.write_text(
                    "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8",
                )
                for label, src in trees:
                    row = measure(src, feed, tmp / f"out-{label}-{len(records)}", args.profile)
                    report = json.loads(Path(row.pop("report")).read_text(encoding="utf-8"))
                    row.update(score(report))
                    row.update(tree=label, docs=len(records))
                    row["docs_per_s"] = len(records) / row["wall_s"]
                    row["docs_per_cpu_s"] = len(records) / row["cpu_s"]
                    rows.append(row)
        finally:
            if args.baseline_rev:
                subprocess.run(
                    [
                        "git",
                        "-C",
                        str(ROOT),
                        "worktree",
                        "remove",
                        "--force",
                        str(tmp / "baseline"),
                    ],
                    check=False,
                )
    summary: dict[str, Any] = {"corpus": args.corpus, "runs": rows}
    for label, _ in trees:
        mine = [r for r in rows if r["tree"] == label]
        summary.setdefault("exponent_wall", {})[label] = exponent(
            [r["docs"] for r in mine], [r["wall_s"] for r in mine]
        )
        summary.setdefault("exponent_cpu", {})[label] = exponent(
            [r["docs"] for r in mine], [r["cpu_s"] for r in mine]
        )
    if args.baseline_rev:
        summary["speedup"] = {
            str(r["docs"]): {
                "wall": round(b["wall_s"] / r["wall_s"], 2),
                "cpu": round(b["cpu_s"] / r["cpu_s"], 2),
            }
            for r in rows
            if r["tree"] == "current"
            for b in rows
            if b["tree"] == args.baseline_rev and b["docs"] == r["docs"]
        }
    if args.format == "json":
        print(json.dumps(summary, default=float))
        return
    _print(summary)


def _print(summary: dict[str, Any]) -> None:
    print(
        f"corpus: {summary['corpus']}  (OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '1')})"
    )
    stage_names = ["reading", "clean_fingerprint", "candidates_compare", "provenance", "report"]
    header = (
        f"{'tree':>10} {'docs':>5} {'wall s':>7} {'docs/s':>7} {'cpu s':>7} {'docs/cpu-s':>10} "
        f"{'RSS MiB':>8} {'import':>6} "
        + " ".join(f"{s[:10]:>10}" for s in stage_names)
        + f" {'F1':>6} {'parent':>6}"
    )
    print(header)
    for r in summary["runs"]:
        stages = " ".join(f"{r['stages_s'].get(s, 0.0):>10.2f}" for s in stage_names)
        print(
            f"{r['tree']:>10} {r['docs']:>5} {r['wall_s']:>7.2f} {r['docs_per_s']:>7.1f} "
            f"{r['cpu_s']:>7.2f} {r['docs_per_cpu_s']:>10.1f} {r['peak_rss_mib']:>8.0f} "
            f"{r['imports_s']:>6.2f} {stages} {r['stories_f1']:>6.3f} {r['parent_accuracy']:>6.3f}"
        )
    for key in ("exponent_wall", "exponent_cpu", "speedup"):
        if key in summary:
            print(f"{key}: {summary[key]}")


if __name__ == "__main__":
    main()
