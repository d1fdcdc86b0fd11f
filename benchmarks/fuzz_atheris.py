"""Coverage-guided fuzzing of ingest and cleaning with atheris (libFuzzer), for a fixed time.

    python benchmarks/fuzz_atheris.py --seconds 120

The fuzzer's bytes go through decoding, the .txt/.html/.jsonl parsers and ``clean``; any
exception other than a reported ``IngestError`` (or a span outside the text) is a finding,
and libFuzzer writes the crashing input as ``crash-*`` in the working directory. Needs the
``bench`` extra (atheris). ``benchmarks/fuzz.py`` is the dependency-free mutation fuzzer.
"""

from __future__ import annotations

import argparse
import sys

import atheris

with atheris.instrument_imports(include=["storytrace"]):
    from storytrace.clean import clean
    from storytrace.errors import InputError
    from storytrace.ingest.decode import decode_text
    from storytrace.ingest.readers import parse_html, parse_jsonl, parse_plain
    from storytrace.records import Document

_PARSERS = (
    lambda text: list(parse_jsonl(text, "fuzz.jsonl", "fuzz.jsonl")),
    lambda text: [parse_html(text, "fuzz.html", "fuzz.html")],
    lambda text: [parse_plain(text, "fuzz.txt", "fuzz.txt")],
)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    parser = _PARSERS[data[0] % len(_PARSERS)]
    try:
        text = decode_text(data[1:])
    except InputError:
        return
    for record in parser(text):
        if isinstance(record, Document):
            cleaned = clean(record)
            for r in cleaned.removed:
                if not 0 <= r.start < r.end <= len(record.text):
                    raise AssertionError(f"removal outside the text: {r}")
            for s in cleaned.sentences:
                span = cleaned.raw_span(s)
                if not 0 <= span.start <= span.end <= len(record.text):
                    raise AssertionError(f"sentence outside the text: {span}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=60)
    args, rest = parser.parse_known_args()
    flags = [f"-max_total_time={args.seconds}", "-max_len=20000", "-rss_limit_mb=4096"]
    atheris.Setup([sys.argv[0], *flags, *rest], test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
