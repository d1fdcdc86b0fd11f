"""Query latency on a large index: how fast "where else has this text appeared?" answers.

    python benchmarks/query.py --docs 100000 [--db DIR] [--workers 2] [--format json]

Builds a store of ``--docs`` generated documents (the corpus of benchmarks/neardup.py, from
the PAN13 source documents), indexed lexically (``encoder="none"``: cleaning, shingles,
MinHash and the LSH band index in SQLite), unless ``--db`` already holds one; ``--raw``
stores each text as its own cleaned text instead of running the cleaning stage (~10 ms a
document here, which would make a 100k build take most of an hour; the query's own text is
always cleaned, and what a query costs depends on the index, not on how stored texts were
cleaned). Then times
``query_store`` for edited copies of stored documents and for unrelated texts (median and
worst over ``--queries`` each, in this process after one warm-up query), and ``storytrace
query FILE --db DB`` in a fresh process (interpreter start and imports included).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from neardup import Generator, default_src, load_paragraphs
from storytrace.candidates import band_keys, lsh_params
from storytrace.config import Config
from storytrace.engine import index as index_documents
from storytrace.executors import LocalExecutor
from storytrace.fingerprint import fingerprint
from storytrace.query import query_store
from storytrace.records import CleanDoc, Document, OffsetRun, Signature
from storytrace.store import DB_NAME, Store
from storytrace.text import content_id, split_paragraphs, split_sentences

CONFIG = Config(encoder="none")


def index_raw(docs: list[Document], config: Config) -> list[tuple[CleanDoc, Signature]]:
    """Fingerprint documents with their raw text as the cleaned text (no cleaning stage)."""
    cleaned = [
        CleanDoc(
            d.id,
            d.text,
            (),
            (OffsetRun(0, 0, len(d.text)),),
            tuple(split_sentences(d.text)),
            tuple(split_paragraphs(d.text)),
            "en",
            len(d.text),
        )
        for d in docs
    ]
    sigs = fingerprint(
        cleaned,
        shingle_size=config.shingle_size,
        num_perm=config.num_perm,
        seed=config.seed,
        encoder=None,
    )
    return list(zip(cleaned, sigs, strict=True))


def build(db: Path, gen: Generator, n: int, workers: int, raw: bool) -> float:
    """Add and index ``n`` generated documents; seconds taken."""
    params = lsh_params(CONFIG.lsh_threshold, CONFIG.num_perm)
    work = partial(index_raw if raw else index_documents, config=CONFIG)
    start = time.perf_counter()
    with Store(db, writer=True) as store, LocalExecutor(workers) as executor:
        run = store.start_run(CONFIG, ["benchmarks/query.py"])
        for lo in range(0, n, 2000):
            docs = []
            for i in range(lo, min(lo + 2000, n)):
                text = gen.doc(i).text
                docs.append(Document(f"doc{i:07d}", content_id(text), text, "generated"))
            store.add_documents(docs, run)
            chunks = [docs[j : j + 100] for j in range(0, len(docs), 100)]
            results = [r for part in executor.map(work, chunks, parallel=True) for r in part]
            sigs = [s for _, s in results]
            keys = band_keys(np.stack([s.minhash for s in sigs]), params)
            store.save_indexed([c for c, _ in results], sigs, keys)
            print(f"indexed {min(lo + 2000, n)} documents", file=sys.stderr, end="\r")
        store.finish_run(run, n)
    print(file=sys.stderr)
    return time.perf_counter() - start


def edited_copy(text: str, rng: random.Random) -> str:
    """A stored text with a few words changed and a line added: a typical re-publication."""
    tokens = text.split(" ")
    for _ in range(max(1, len(tokens) // 50)):
        tokens[rng.randrange(len(tokens))] = "zzzq"
    return " ".join(tokens) + "\nShare this article."


def timed(db: Path, texts: list[str]) -> tuple[list[float], list[int]]:
    seconds, hits = [], []
    for text in texts:
        start = time.perf_counter()
        found = query_store(db, text)
        seconds.append(time.perf_counter() - start)
        hits.append(len(found))
    return seconds, hits


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="a folder for the store (kept; reused if built)")
    parser.add_argument(
        "--src", default=str(default_src()), help="the PAN13 source documents folder"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--raw", action="store_true", help="index without the cleaning stage")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    gen = Generator(load_paragraphs(Path(args.src)), seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.db or tmp)
        db = folder / DB_NAME
        build_s = None
        if not db.exists():
            build_s = build(db, gen, args.docs, args.workers, args.raw)
        with Store(db) as store:
            stored = store.count_documents()
        rng = random.Random(5)
        copies = [
            edited_copy(gen.doc(rng.randrange(stored)).text, rng) for _ in range(args.queries)
        ]
        other = Generator(gen.paragraphs, seed=12345)  # other paragraph mixes: unrelated texts
        unrelated = [other.doc(stored + i).text for i in range(args.queries)]
        query_store(db, copies[0])  # warm-up: imports and the page cache
        copy_s, copy_hits = timed(db, copies)
        other_s, other_hits = timed(db, unrelated)
        query_file = folder / "query.txt"
        query_file.write_text(copies[1], encoding="utf-8")
        start = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).parent / "storytrace"),
                "query",
                str(query_file),
                "--db",
                str(db),
            ],
            check=True,
            capture_output=True,
        )
        cli_s = time.perf_counter() - start
    out: dict[str, Any] = {
        "documents": stored,
        "build_seconds": None if build_s is None else round(build_s, 1),
        "cleaned_at_build": not args.raw,
        "copy_query_median_s": round(statistics.median(copy_s), 3),
        "copy_query_max_s": round(max(copy_s), 3),
        "copies_found": sum(1 for h in copy_hits if h > 0),
        "unrelated_query_median_s": round(statistics.median(other_s), 3),
        "unrelated_query_max_s": round(max(other_s), 3),
        "unrelated_with_hits": sum(1 for h in other_hits if h > 0),
        "queries": args.queries,
        "cli_fresh_process_s": round(cli_s, 2),
    }
    if args.format == "json":
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
