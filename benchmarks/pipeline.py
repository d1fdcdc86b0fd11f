"""Throughput of the whole local pipeline (ingest -> reports) on a generated corpus.

    python benchmarks/pipeline.py --docs 2000 [--format json]

Reports documents/second end to end and per stage, and peak memory (RSS). Near-duplicate
recall is checked against the generated copies. Speed comparisons with the anchor tools
(datasketch, rensa) belong to benchmarks/neardup.py.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate
from storytrace.pipeline import analyze
from storytrace.progress import SilentProgress


class TimingProgress(SilentProgress):
    """Records the wall time of every pipeline stage."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def task(self, description: str, total: int | None):  # type: ignore[no-untyped-def]
        outer = super().task(description, total)
        start = time.perf_counter()
        times = self.times

        class _Timed:
            def __enter__(self):  # type: ignore[no-untyped-def]
                return outer.__enter__()

            def __exit__(self, *exc):  # type: ignore[no-untyped-def]
                times[description] = time.perf_counter() - start
                return outer.__exit__(*exc)

        return _Timed()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args()
    docs = generate(args.docs)
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.jsonl"
        feed.write_text(
            "\n".join(json.dumps({"id": d.id, "text": d.text}) for d in docs), encoding="utf-8"
        )
        timing = TimingProgress()
        start = time.perf_counter()
        result = analyze([feed], Path(tmp) / "out", progress=timing)
        elapsed = time.perf_counter() - start
    truth = {(min(d.id, d.copy_of), max(d.id, d.copy_of)) for d in docs if d.copy_of}
    found = {
        (min(m["a"], m["b"]), max(m["a"], m["b"]))
        for m in result.report["matches"]
        if m["relation"] in ("duplicate", "near_duplicate")
    }
    out = {
        "docs": args.docs,
        "seconds": round(elapsed, 2),
        "docs_per_second": round(args.docs / elapsed, 1),
        "stages_seconds": {k: round(v, 2) for k, v in timing.times.items()},
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "near_duplicate_recall": round(len(truth & found) / len(truth), 4) if truth else None,
    }
    if args.format == "json":
        print(json.dumps(out))
        return
    for key, value in out.items():
        print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
