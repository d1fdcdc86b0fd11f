"""Throughput of the local executor against Spark on this machine, on generated documents.

    python benchmarks/scale.py --docs 100000 [--engines local,spark] [--master local[2]]
                               [--words 520] [--format json]

Both engines run the lexical engine (``encoder="none"``): with embeddings the sentence encoder
(~300 sentences/s/core) is the whole cost on both, and a comparison would only measure it
twice. Both start from the same generated corpus (``benchmarks/corpus.py``): the local
executor reads it as JSONL, Spark as Parquet (read by Spark's own readers).

What is timed, per engine, is the work both do: reading inputs -> cleaning and
fingerprinting -> candidates and comparison -> story grouping. Provenance, alignments and
the reports run the same local code after either engine, and are left out. The local run
uses ``pipeline``'s own stage functions on a store in a temporary folder (its ``analyze``
minus the provenance step); the Spark run is ``spark_pipeline.run_spark`` writing Parquet
to a temporary folder, with the session's start-up timed apart. Both report the number of
matches and stories found, which must agree.

Each engine runs in a fresh process of its own (spawned after the corpus is written), so the
peak resident memory reported per engine is that engine's alone: ``peak_rss_mib`` of the
process that drove it, ``peak_rss_mib_largest_child`` of the largest process it started and
waited for (a local worker), ``peak_rss_mib_jvm`` of Spark's JVM (driver and local[N]
executors). The corpus is generated in a process of its own too: ``peak_rss_mib_corpus``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Generated, iter_generate
from pipeline import TimingProgress
from storytrace.config import Config

LEXICAL = Config(encoder="none")
_ROW_GROUP = 10_000


def write_corpus(n_docs: int, words: int, folder: Path) -> tuple[Path, Path]:
    """The generated corpus as JSONL (local executor) and as Parquet (Spark), written as it
    is generated: only the texts stay in memory, as copies draw on them (~3.4 GB of text at
    1M; the process was seen at 10.6 GB resident after writing 1M, so plan for ~12 GB)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    jsonl = folder / "corpus.jsonl"
    parquet = folder / "corpus.parquet"
    schema = pa.schema([("id", pa.string()), ("text", pa.string())])
    rows: list[Generated] = []
    with jsonl.open("w", encoding="utf-8") as out, pq.ParquetWriter(parquet, schema) as writer:

        def flush() -> None:
            writer.write_table(
                pa.table({"id": [d.id for d in rows], "text": [d.text for d in rows]}, schema)
            )
            rows.clear()

        for d in iter_generate(n_docs, words_per_doc=words):
            out.write(json.dumps({"id": d.id, "text": d.text}) + "\n")
            rows.append(d)
            if len(rows) == _ROW_GROUP:
                flush()
        if rows:
            flush()
    return jsonl, parquet


def _corpus(n_docs: int, words: int, folder: Path) -> dict[str, Any]:
    jsonl, parquet = write_corpus(n_docs, words, folder)
    return {"jsonl": str(jsonl), "parquet": str(parquet)}


def run_local(jsonl: Path, folder: Path, workers: int | None) -> dict[str, Any]:
    from storytrace import pipeline
    from storytrace.executors import LocalExecutor
    from storytrace.ingest import MAX_CHARS
    from storytrace.store import DB_NAME, Store
    from storytrace.stories import build_stories

    timing = TimingProgress()
    start = time.perf_counter()
    with Store(folder / DB_NAME, writer=True) as store, LocalExecutor(workers) as executor:
        run = store.start_run(LEXICAL, [str(jsonl)])
        pipeline._ingest(store, run, [jsonl], timing, MAX_CHARS)
        pipeline._index(store, LEXICAL, None, executor, timing, 256)
        pipeline._match(store, LEXICAL, timing, 256)
        with timing.task("Grouping stories", None):
            matches = store.matches()
            stories = build_stories(store.document_ids(), matches)
        n = store.count_documents()
    seconds = time.perf_counter() - start
    return {
        "engine": "local",
        "docs": n,
        "seconds": round(seconds, 1),
        "docs_per_second": round(n / seconds, 1),
        "stages_seconds": {k: round(v, 1) for k, v in timing.times.items()},
        "matches": sum(1 for m in matches if m.relation != "unrelated"),
        "stories": len(stories),
    }


def run_spark(parquet: Path, folder: Path, master: str, driver_memory: str) -> dict[str, Any]:
    from storytrace import spark_pipeline
    from storytrace.executors.spark import SparkExecutor

    start = time.perf_counter()
    with SparkExecutor(master, driver_memory=driver_memory) as executor:
        _ = executor.session
        started = time.perf_counter() - start
        run = spark_pipeline.run_spark(executor, [str(parquet)], str(folder / "parquet"), LEXICAL)
        seconds = time.perf_counter() - start - started
        jvm = _jvm_peak_mib()
    return {
        "engine": f"spark {master}",
        "docs": run.documents,
        "seconds": round(seconds, 1),
        "docs_per_second": round(run.documents / seconds, 1),
        "session_start_seconds": round(started, 1),
        "stages_seconds": dict(run.seconds),
        "matches": run.matches,
        "stories": run.stories,
        "peak_rss_mib_jvm": jvm,
    }


def _jvm_peak_mib() -> int | None:
    """Peak resident memory of the Spark JVM this process started (Linux: VmHWM), or None.

    The JVM outlives the session's stop and is never waited for, so it does not show in
    this process's children's usage."""
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    proc = getattr(gateway, "proc", None)
    try:
        status = Path(f"/proc/{proc.pid}/status").read_text() if proc is not None else ""
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return None


def _peak_mib(who: int) -> int:
    return round(resource.getrusage(who).ru_maxrss / 1024)


def _measured(
    target: Callable[..., dict[str, Any]], args: tuple[Any, ...], out: Connection
) -> None:
    result = target(*args)
    result["peak_rss_mib"] = _peak_mib(resource.RUSAGE_SELF)
    result["peak_rss_mib_largest_child"] = _peak_mib(resource.RUSAGE_CHILDREN)
    out.send(result)
    out.close()


def in_own_process(target: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """``target(*args)`` in a freshly spawned process, with that process's peak memory."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_measured, args=(target, args, send))
    process.start()
    send.close()
    try:
        result: dict[str, Any] = receive.recv()
    except EOFError:
        process.join()
        raise SystemExit(f"{target.__name__} failed (exit status {process.exitcode})") from None
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=520, help="words per generated document")
    parser.add_argument("--engines", default="local,spark")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--workers", type=int, default=None, help="local executor processes")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        corpus = in_own_process(_corpus, args.docs, args.words, root)
        made = time.perf_counter() - start
        jsonl, parquet = Path(corpus["jsonl"]), Path(corpus["parquet"])
        for engine in args.engines.split(","):
            folder = root / engine
            folder.mkdir()
            if engine == "local":
                results.append(in_own_process(run_local, jsonl, folder, args.workers))
            elif engine == "spark":
                results.append(
                    in_own_process(run_spark, parquet, folder, args.master, args.driver_memory)
                )
            else:
                parser.error(f"unknown engine {engine!r}")
    out = {
        "docs": args.docs,
        "words_per_doc": args.words,
        "corpus_seconds": round(made, 1),
        "peak_rss_mib_corpus": corpus["peak_rss_mib"],
        "results": results,
    }
    if args.format == "json":
        print(json.dumps(out))
        return
    print(f"{args.docs} generated documents of {args.words} words (lexical engine)")
    for r in results:
        print(
            f"  {r['engine']:<16} {r['seconds']:>8.1f} s  {r['docs_per_second']:>8.1f} docs/s  "
            f"matches {r['matches']}  stories {r['stories']}  stages {r['stages_seconds']}  "
            f"peak RSS {r['peak_rss_mib']} MiB (largest child {r['peak_rss_mib_largest_child']})"
            + (f", JVM {r['peak_rss_mib_jvm']} MiB" if r.get("peak_rss_mib_jvm") else "")
            + (
                f"  (session start {r['session_start_seconds']} s)"
                if "session_start_seconds" in r
                else ""
            )
        )


if __name__ == "__main__":
    main()
