"""The measurements behind two reader choices, on inputs generated here (tests/inputs.py).

    python benchmarks/readers.py [--pages 30000]

1. WARC: FastWARC against warcio, reading every response and resource record's payload of a
   generated crawl (``--pages`` pages; plain and gzipped, one gzip member per record), each
   library in a process of its own so its peak memory is its own.
2. PDF reading order: six print-style layouts (40 paragraphs; one and two columns; drawn in
   reading order or scrambled; 60, 47 and 53 lines per column), read by pypdf (plain and
   layout modes), pdfminer.six's own block order, and ``storytrace.ingest.pdf`` (pdfminer.six
   blocks in XY-cut order). Counted: paragraphs missing, and successive paragraphs out of
   order.

warcio and pypdf come with the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.inputs import crawl, pdf_article, story, warc_bytes  # noqa: E402


def _warc_worker(library: str, path: str) -> None:
    start = time.perf_counter()
    records = size = 0
    if library == "fastwarc":
        from fastwarc.warc import ArchiveIterator, WarcRecordType

        with open(path, "rb") as handle:
            for record in ArchiveIterator(
                handle,
                record_types=WarcRecordType.response | WarcRecordType.resource,
                auto_decode="all",
            ):
                size += len(record.reader.read())
                records += 1
    else:
        from warcio.archiveiterator import ArchiveIterator as WarcioIterator

        with open(path, "rb") as handle:
            for record in WarcioIterator(handle):
                if record.rec_type in ("response", "resource"):
                    size += len(record.content_stream().read())
                    records += 1
    seconds = time.perf_counter() - start
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so it would count the parent's.
    status = Path("/proc/self/status").read_text()
    peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
    print(json.dumps({"records": records, "bytes": size, "seconds": seconds, "peak_mb": peak}))


def _warc(pages: int) -> None:
    records, _ = crawl(pages, with_noise=False)
    with tempfile.TemporaryDirectory() as folder:
        for name, gz in (("crawl.warc", False), ("crawl.warc.gz", True)):
            path = Path(folder) / name
            path.write_bytes(warc_bytes(records, gzipped=gz))
            for library in ("fastwarc", "warcio"):
                out = subprocess.run(
                    [sys.executable, __file__, "--warc-worker", library, str(path)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                r = json.loads(out)
                print(
                    f"{name:14s} {path.stat().st_size / 1e6:6.1f} MB  {library:8s} "
                    f"{r['records']:,} records  {r['seconds']:.2f} s  peak RSS {r['peak_mb']:.0f} MB"
                )


def _order(text: str, paragraphs: list[str]) -> tuple[int, int]:
    flat = " ".join(text.split())
    found = [flat.find(" ".join(p.split()[:6])) for p in paragraphs]
    present = [f for f in found if f >= 0]
    return found.count(-1), sum(1 for a, b in pairwise(present) if b < a)


def _pdf() -> None:
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams
    from pypdf import PdfReader

    from storytrace.ingest.pdf import parse_pdf
    from storytrace.records import Document

    def pypdf_text(data: bytes, mode: str) -> str:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(p.extract_text(extraction_mode=mode) or "" for p in reader.pages)

    def ours(data: bytes) -> str:
        doc = parse_pdf(data, "x.pdf", "x.pdf", 10_000_000)
        return doc.text if isinstance(doc, Document) else ""

    readers = {
        "pypdf plain": lambda d: pypdf_text(d, "plain"),
        "pypdf layout": lambda d: pypdf_text(d, "layout"),
        "pdfminer.six": lambda d: extract_text(io.BytesIO(d), laparams=LAParams()),
        "storytrace (XY cut)": ours,
    }
    layouts = [(1, False, 60), (2, False, 60), (1, True, 60), (2, True, 60), (2, False, 47)]
    layouts.append((2, True, 53))
    cases = []
    for n, (columns, scrambled, lines) in enumerate(layouts):
        title, paras = story(n + 11, paragraphs=40)
        data = pdf_article(title, paras, columns=columns, scrambled=scrambled, lines_per_page=lines)
        cases.append((paras, data))
    for name, read in readers.items():
        start = time.perf_counter()
        scores = [_order(read(data), paras) for paras, data in cases]
        seconds = time.perf_counter() - start
        missing = sum(s[0] for s in scores)
        wrong = [s[1] for s in scores]
        print(
            f"{name:20s} missing {missing}  out of order per layout {wrong} "
            f"(total {sum(wrong)} of {len(cases) * 39})  {seconds:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=30_000)
    parser.add_argument("--warc-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.warc_worker:
        _warc_worker(*args.warc_worker)
        return
    _warc(args.pages)
    _pdf()


if __name__ == "__main__":
    main()
