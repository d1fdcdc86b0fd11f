"""Walk the user's inputs and read each supported file into ``Document`` records.

Ids: a file inside a directory input is named by its path relative to that directory; a file
given directly by the path as given; a JSONL record by its ``id`` field (else
``file:line``). Anything unreadable becomes an ``IngestError`` naming the input and the
reason; the walk goes on.
"""

from __future__ import annotations

import codecs
import io
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlparse

from storytrace.errors import InputError
from storytrace.ingest.decode import decode_text, decode_utf8, has_wide_bom, looks_binary
from storytrace.ingest.fields import normalise_lang, parse_published
from storytrace.ingest.html import extract_html
from storytrace.records import Document, IngestError
from storytrace.text import content_id, encode_spans

TEXT_SUFFIXES = frozenset({".txt", ".text"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

_FIELD_ALIASES = {
    "source": ("source", "outlet", "site", "sitename"),
    "published": ("published", "date", "published_at", "timestamp"),
    "lang": ("lang", "language"),
    "text": ("text", "content", "body"),
}
_KNOWN_FIELDS = frozenset({"id", "url", "title"} | {a for v in _FIELD_ALIASES.values() for a in v})

Record = Document | IngestError

MAX_CHARS = 2_000_000
"""Default size limit of one document (a long news article is ~50,000 characters)."""


def read_inputs(
    paths: Iterable[str | os.PathLike[str]], max_chars: int = MAX_CHARS
) -> Iterator[Record]:
    """Documents and errors from files, directories (recursively) and JSONL dumps.

    A document longer than ``max_chars`` is reported, not analysed: it is not a news article,
    and its sentences would dominate the run.
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _read_directory(path, max_chars)
        elif path.is_file():
            yield from read_file(path, Path(given).as_posix(), max_chars)
        elif path.exists():
            yield IngestError(str(given), "not a regular file or directory")
        else:
            yield IngestError(str(given), "no such file or directory")


def _read_directory(root: Path, max_chars: int) -> Iterator[Record]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            yield from read_file(path, path.relative_to(root).as_posix(), max_chars)


def read_file(path: Path, ident: str, max_chars: int = MAX_CHARS) -> Iterator[Record]:
    """Documents in one file; ``ident`` is the id its documents are known by."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        yield IngestError(
            str(path),
            f"unsupported file type '{suffix or path.name}' (storytrace reads "
            f"{', '.join(sorted(SUPPORTED_SUFFIXES))})",
        )
        return
    if suffix in JSONL_SUFFIXES:
        for record in _read_jsonl(path, ident):
            yield _limit(record, max_chars)
        return
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield _unreadable(path, exc)
        return
    if size > 4 * max_chars:  # more bytes than any text of max_chars characters can take
        yield IngestError(str(path), _too_large(size, max_chars, "bytes"))
        return
    try:
        text = decode_text(path.read_bytes())
    except InputError as exc:
        yield IngestError(str(path), str(exc))
        return
    except OSError as exc:
        yield _unreadable(path, exc)
        return
    if suffix in HTML_SUFFIXES:
        yield _limit(parse_html(text, str(path), ident), max_chars)
    else:
        yield _limit(parse_plain(text, str(path), ident), max_chars)


def _unreadable(path: Path, exc: OSError) -> IngestError:
    return IngestError(str(path), f"cannot read: {exc.strerror or exc}")


def _limit(record: Record, max_chars: int) -> Record:
    if isinstance(record, Document) and len(record.text) > max_chars:
        return IngestError(record.input, _too_large(len(record.text), max_chars, "characters"))
    return record


def _too_large(size: int, max_chars: int, unit: str) -> str:
    return (
        f"document too large ({size:,} {unit}; the limit is {max_chars:,} characters, "
        "raise it with --max-chars)"
    )


def parse_plain(text: str, input_name: str, ident: str) -> Record:
    """A plain-text document (no metadata)."""
    if not text.strip():
        return IngestError(input_name, "empty document (no text)")
    return Document(
        id=ident, doc_id=content_id(text), text=text, input=input_name, meta={"format": "txt"}
    )


def parse_html(html: str, input_name: str, ident: str) -> Record:
    """The main content of an HTML page, with its title, date, site name and URL."""
    if not html.strip():
        return IngestError(input_name, "empty document (no text)")
    content = extract_html(html)
    if content is None:
        return IngestError(input_name, "HTML page with no extractable text")
    published, problem = parse_published(content.published)
    meta = {"format": "html", "extractor": content.extractor}
    if content.kept:  # the page's visible text, and what of it the extractor kept
        meta["html_kept"] = encode_spans(content.kept)
    if problem:
        meta["published_problem"] = problem
    return Document(
        id=ident,
        doc_id=content_id(content.text),
        text=content.page_text if content.kept else content.text,
        input=input_name,
        url=content.url,
        source=content.site or _host(content.url),
        published=published,
        title=content.title,
        meta=meta,
    )


_SNIFF_BYTES = 8192
_READ_BUFFER = 1 << 20


def _read_jsonl(path: Path, ident: str) -> Iterator[Record]:
    """A JSONL file read line by line, so a dump of any size streams in constant memory.

    Only the first 8 KiB (of a pipe: what its first read gives) are checked for binary
    data; a line that is not UTF-8 is its own error. A UTF-16/32 file (byte-order mark) is
    decoded whole, as its lines cannot be found byte by byte."""
    try:
        handle = io.BufferedReader(io.FileIO(path), buffer_size=_READ_BUFFER)
    except OSError as exc:
        yield _unreadable(path, exc)
        return
    with handle:
        try:
            head = handle.peek(_SNIFF_BYTES)  # one read: a pipe's first lines
            if has_wide_bom(head):
                yield from parse_jsonl(decode_text(handle.read()), str(path), ident)
                return
            if looks_binary(head):
                yield IngestError(str(path), "binary file, not text")
                return
            yield from parse_jsonl_lines(_utf8_lines(handle), str(path), ident)
        except InputError as exc:
            yield IngestError(str(path), str(exc))
        except OSError as exc:
            yield _unreadable(path, exc)


def _utf8_lines(lines: Iterable[bytes]) -> Iterator[str | InputError]:
    """Lines split on b"\n" only (U+2028/U+2029 inside records stay whole), decoded one by
    one; an undecodable line becomes its ``InputError``. A UTF-8 byte-order mark is dropped."""
    for number, line in enumerate(lines):
        if number == 0 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        try:
            yield decode_utf8(line, " of the line")
        except InputError as exc:
            yield exc


def parse_jsonl(text: str, input_name: str, ident: str) -> Iterator[Record]:
    """One document per non-blank line of ``text``; each bad line is its own error."""
    # Split on "\n" only: str.splitlines() would also split inside records at U+2028/U+2029,
    # which JSON writers leave unescaped in strings.
    return parse_jsonl_lines(text.split("\n"), input_name, ident)


def parse_jsonl_lines(
    lines: Iterable[str | InputError], input_name: str, ident: str
) -> Iterator[Record]:
    """One document per non-blank line (numbered from 1); each bad line is its own error,
    and a file with no record at all is reported as empty."""
    seen: set[str] = set()
    empty = True
    for lineno, line in enumerate(lines, start=1):
        where = f"{input_name}:{lineno}"
        if isinstance(line, InputError):
            empty = False
            yield IngestError(where, str(line))
            continue
        if not line.strip():
            continue
        empty = False
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield IngestError(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        record = parse_record(obj, where, f"{ident}:{lineno}")
        if isinstance(record, Document):
            if record.id in seen:
                yield IngestError(where, f"duplicate id {record.id!r} in this file")
                continue
            seen.add(record.id)
        yield record
    if empty:
        yield IngestError(input_name, "empty JSONL file (no records)")


def parse_record(obj: object, where: str, fallback_id: str) -> Record:
    """A ``Document`` from one JSON object (fields: text, id, url, source, published, ...)."""
    if not isinstance(obj, dict):
        return IngestError(where, f"expected a JSON object, got {type(obj).__name__}")
    text = _first(obj, "text")
    if text is None:
        return IngestError(where, "no 'text' field")
    if not isinstance(text, str):
        return IngestError(where, f"'text' is {type(text).__name__}, not a string")
    if not text.strip():
        return IngestError(where, "empty document (no text)")
    raw_id = obj.get("id")
    if raw_id is not None and not isinstance(raw_id, str | int):
        return IngestError(where, f"'id' is {type(raw_id).__name__}, not a string or number")
    published, problem = parse_published(_first(obj, "published"))
    meta = {"format": "jsonl"}
    meta.update(
        {
            k: str(v)
            for k, v in obj.items()
            if k not in _KNOWN_FIELDS and isinstance(v, str | int | float)
        }
    )
    if problem:
        meta["published_problem"] = problem
    url = _str_or_none(obj.get("url"))
    return Document(
        id=str(raw_id) if raw_id is not None and str(raw_id) else fallback_id,
        doc_id=content_id(text),
        text=text,
        input=where,
        url=url,
        source=_str_or_none(_first(obj, "source")) or _host(url),
        published=published,
        title=_str_or_none(obj.get("title")),
        lang=normalise_lang(_first(obj, "lang")),
        meta=meta,
    )


def _first(obj: dict[str, object], field: str) -> object:
    for key in _FIELD_ALIASES[field]:
        if key in obj and obj[key] is not None:
            return obj[key]
    return None


def _str_or_none(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlparse(url).hostname
    if not host:
        return None
    return host.removeprefix("www.")
