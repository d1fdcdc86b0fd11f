"""Walk the user's inputs and read each supported file into ``Document`` records.

Ids: a file inside a directory input is named by its path relative to that directory; a file
given directly by the path as given; a JSONL record by its ``id`` field (else
``file:line``). Anything unreadable becomes an ``IngestError`` naming the input and the
reason; the walk goes on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlparse

from storytrace.errors import InputError
from storytrace.ingest.decode import decode_text
from storytrace.ingest.fields import normalise_lang, parse_published
from storytrace.ingest.html import extract_html
from storytrace.records import Document, IngestError
from storytrace.text import content_id

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
    if suffix not in JSONL_SUFFIXES:
        try:
            size = path.stat().st_size
        except OSError as exc:
            yield IngestError(str(path), f"cannot read: {exc.strerror or exc}")
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
        yield IngestError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    if suffix in JSONL_SUFFIXES:
        for record in parse_jsonl(text, str(path), ident):
            yield _limit(record, max_chars)
    elif suffix in HTML_SUFFIXES:
        yield _limit(parse_html(text, str(path), ident), max_chars)
    else:
        yield _limit(parse_plain(text, str(path), ident), max_chars)


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
    if problem:
        meta["published_problem"] = problem
    return Document(
        id=ident,
        doc_id=content_id(content.text),
        text=content.text,
        input=input_name,
        url=content.url,
        source=content.site or _host(content.url),
        published=published,
        title=content.title,
        meta=meta,
    )


def parse_jsonl(text: str, input_name: str, ident: str) -> Iterator[Record]:
    """One document per non-blank line; each bad line is its own error."""
    seen: set[str] = set()
    if not text.strip():
        yield IngestError(input_name, "empty JSONL file (no records)")
        return
    # Split on "\n" only: str.splitlines() would also split inside records at U+2028/U+2029,
    # which JSON writers leave unescaped in strings.
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{input_name}:{lineno}"
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
