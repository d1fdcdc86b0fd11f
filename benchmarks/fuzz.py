"""Fuzz ingest and cleaning for a fixed time with mutated real-looking inputs.

    python benchmarks/fuzz.py --seconds 60 [--seed 1]

Seeds are the demo corpus files and generated crawls, dumps and print files (a WARC, plain
and gzipped; a gzipped JSONL dump; a zstd text; Windows-1251 text and HTML; a PDF; see
tests/inputs.py); each round mutates one (byte flips, truncation, splices of other files,
random Unicode including controls, bidi and zero-width characters, broken HTML/JSON) and
runs it through the reader its name selects (``ingest.readers.read_stream``: decompression,
decoding, the parsers) and ``clean``. Any
exception other than a reported ``IngestError`` is a finding: it is printed with a
reproduction file written under ``--findings`` and the exit status is 1.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import sys
import time
import traceback
from pathlib import Path

from storytrace.clean import clean
from storytrace.ingest.readers import read_stream
from storytrace.ingest.streams import zstd
from storytrace.records import Document

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.inputs import crawl, html_page, pdf_article, story, warc_bytes

DEMO = Path(__file__).resolve().parents[1] / "src" / "storytrace" / "demo" / "corpus"
SPICE = [
    "\u200b",
    "\u202e",
    "\x00",
    "\x07",
    "\ufeff",
    "\r",
    "\u2028",
    "é",
    "ß",
    "Ж",
    "中",
    "ا",
    "-\n",
    "\n\n",
    "<p>",
    "</div>",
    '{"',
    "\\u00",
    "[ad_1]",
    "3 comments\n",
]


def mutate(data: bytes, others: list[bytes], rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(5)
        pos = rng.randrange(len(out) + 1)
        if op == 0 and out:
            out[rng.randrange(len(out))] = rng.randrange(256)
        elif op == 1:
            del out[pos : pos + rng.randint(1, 400)]
        elif op == 2:
            other = rng.choice(others)
            start = rng.randrange(len(other) + 1)
            out[pos:pos] = other[start : start + rng.randint(1, 300)]
        elif op == 3:
            out[pos:pos] = rng.choice(SPICE).encode("utf-8", "surrogatepass")
        else:
            out = out[:pos]
    return bytes(out)


def run_one(data: bytes, kind: str) -> None:
    records = list(read_stream(io.BytesIO(data), f"fuzz{kind}", "fuzz", max_chars=200_000))
    for record in records:
        if isinstance(record, Document):
            cleaned = clean(record)
            for r in cleaned.removed:
                assert 0 <= r.start < r.end <= len(record.text), r
            for s in cleaned.sentences:
                span = cleaned.raw_span(s)
                assert 0 <= span.start <= span.end <= len(record.text), span


def generated_seeds() -> list[tuple[str, bytes]]:
    """(suffix, bytes) of the generated inputs: crawls, compressed dumps, legacy encodings,
    a PDF."""
    records, _ = crawl(4)
    title, paras = story(2)
    feed = "".join(json.dumps({"id": f"r{n}", "text": story(n)[1][0]}) + "\n" for n in range(3))
    russian = "Паромное сообщение с островом Орск прекращено во вторник после шторма."
    return [
        (".warc", warc_bytes(records)),
        (".warc.gz", warc_bytes(records, gzipped=True)),
        (".jsonl.gz", gzip.compress(feed.encode())),
        (".txt.zst", zstd.compress("\n\n".join(paras).encode())),
        (".txt", (russian * 3).encode("cp1251")),
        (".html", html_page(russian[:30], [russian], charset="windows-1251").encode("cp1251")),
        (".pdf", pdf_article(title, paras, columns=2)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--findings", default="fuzz-findings")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seeds = [(p.suffix, p.read_bytes()) for p in sorted(DEMO.rglob("*")) if p.is_file()]
    seeds += generated_seeds()
    others = [d for _, d in seeds]
    deadline = time.monotonic() + args.seconds
    rounds = findings = 0
    while time.monotonic() < deadline:
        kind, data = rng.choice(seeds)
        sample = mutate(data, others, rng)
        rounds += 1
        try:
            run_one(sample, kind)
        except Exception:
            findings += 1
            folder = Path(args.findings)
            folder.mkdir(exist_ok=True)
            path = folder / f"finding-{findings:03d}{kind}"
            path.write_bytes(sample)
            print(f"FINDING {path}:\n{traceback.format_exc()}", file=sys.stderr)
    print(f"{rounds} inputs in {args.seconds:.0f} s, {findings} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
