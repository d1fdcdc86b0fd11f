"""The input formats storytrace reads, told apart by file name, and one sentence naming them
(used by the error for an unsupported file, ``analyze --help`` and the README alike)."""

from __future__ import annotations

from typing import Literal

Format = Literal["txt", "html", "jsonl", "warc", "pdf"]
Compression = Literal["gzip", "bzip2", "xz", "zstd"]

FORMAT_SUFFIXES: dict[str, Format] = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".warc": "warc",
    ".pdf": "pdf",
}
COMPRESSION_SUFFIXES: dict[str, Compression] = {
    ".gz": "gzip",
    ".bz2": "bzip2",
    ".xz": "xz",
    ".zst": "zstd",
}
SUPPORTED_SUFFIXES = frozenset(FORMAT_SUFFIXES) | frozenset(COMPRESSION_SUFFIXES)
"""Every last suffix a supported file name can end with (``supported`` checks the whole name)."""


def _sentence() -> str:
    by_format: dict[Format, list[str]] = {}
    for suffix, fmt in FORMAT_SUFFIXES.items():
        by_format.setdefault(fmt, []).append(suffix)
    kinds = ["/".join(suffixes) for suffixes in by_format.values()]
    packed = list(COMPRESSION_SUFFIXES)
    return (
        f"{', '.join(kinds[:-1])} and {kinds[-1]} files, each also compressed as "
        f"{', '.join(packed[:-1])} or {packed[-1]} (e.g. .jsonl.gz, .warc.gz)"
    )


FORMATS_SENTENCE = _sentence()
"""What storytrace reads, in the words the CLI help, the errors and the README use
(e.g. ".txt/.text, .html/.htm, ... and .warc files, each also compressed as .gz, ...")."""


def classify(name: str) -> tuple[Format | None, Compression | None, str]:
    """(format, compression, the suffix that decided) of a file name; format None when
    the name is of no supported format, e.g. ``("jsonl", "gzip", ".jsonl.gz")`` or
    ``(None, "gzip", ".tar.gz")``."""
    lower = name.lower()
    stem, dot, last = lower.rpartition(".")
    if not dot or not stem:
        return None, None, name
    compression = COMPRESSION_SUFFIXES.get("." + last)
    if compression is not None:
        inner_stem, dot, inner = stem.rpartition(".")
        suffix = f".{inner}.{last}" if dot and inner_stem else f".{last}"
        return FORMAT_SUFFIXES.get("." + inner) if dot and inner_stem else None, compression, suffix
    return FORMAT_SUFFIXES.get("." + last), None, "." + last


def supported(name: str) -> bool:
    """True when storytrace reads a file of this name."""
    return classify(name)[0] is not None
