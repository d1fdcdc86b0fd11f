"""Walk the user's inputs and read each supported file into ``Document`` records.

Ids: a file inside a directory input is named by its path relative to that directory; a file
given directly by the path as given; a JSONL record by its ``id`` field (else
``file:line``); a WARC page by ``file#url``. Anything unreadable becomes an ``IngestError``
naming the input and the reason; the walk goes on.

Only regular files are read from directories: a named pipe, a device or a socket is
reported (it could block the run or never end), as is a directory that cannot be listed, a
symbolic link to a directory (not followed, so a link cycle cannot trap the walk) and a file
name that is not UTF-8 (it could not be stored or printed as an id).
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse

from storytrace.errors import InputError
from storytrace.ingest.decode import (
    decode_document,
    decode_text,
    decode_utf8,
    has_wide_bom,
    looks_binary,
)
from storytrace.ingest.fields import normalise_lang, parse_published
from storytrace.ingest.formats import (
    FORMATS_SENTENCE,
    SUPPORTED_SUFFIXES,
    Compression,
    Format,
    classify,
)
from storytrace.ingest.html import extract_html
from storytrace.ingest.streams import (
    DECOMPRESSION_ERRORS,
    TooLarge,
    decompressed,
    kind_of,
    open_regular,
    peek,
    read_capped,
)
from storytrace.records import Document, IngestError
from storytrace.text import content_id, encode_spans

__all__ = ["SUPPORTED_SUFFIXES", "read_file", "read_inputs", "read_stream"]

_FIELD_ALIASES = {
    "source": ("source", "outlet", "site", "sitename"),
    "published": ("published", "date", "published_at", "timestamp"),
    "lang": ("lang", "language"),
    "text": ("text", "content", "body"),
}
_KNOWN_FIELDS = frozenset({"id", "url", "title"} | {a for v in _FIELD_ALIASES.values() for a in v})
INTERNAL_META = frozenset(
    {
        "format",
        "extractor",
        "pages",
        "html_kept",
        "encoding",
        "encoding_from",
        "published_problem",
        "captured",
        "page_url",
        "warc_record_id",
    }
)
"""Metadata keys the readers set themselves; some steer later stages (``format`` and
``html_kept`` decide how ``clean`` treats a page). A record's own field of one of these names
is kept as ``input.NAME``, so input data never sets an internal flag."""

Record = Document | IngestError

MAX_CHARS = 2_000_000
"""Default size limit of one document (a long news article is ~50,000 characters)."""

BYTES_PER_CHAR = 4
"""The most bytes one character takes in any encoding read here (UTF-8, UTF-16, UTF-32)."""

JSON_BYTES_PER_CHAR = 12
"""The most bytes one character of a JSON string takes (an escaped surrogate pair,
``\\ud83d\\ude00``): a JSONL line longer than this many bytes per allowed character (plus
room for the other fields) cannot hold a document within the limit and is refused unparsed."""

_JSON_FIELDS_ROOM = 1 << 20


def read_inputs(
    paths: Iterable[str | os.PathLike[str]], max_chars: int = MAX_CHARS
) -> Iterator[Record]:
    """Documents and errors from files, directories (recursively) and JSONL dumps.

    A document longer than ``max_chars`` is reported, not analysed: it is not a news article,
    and its sentences would dominate the run. The limit holds on decompressed data too.
    """
    for given in paths:
        path = Path(given)
        shown = printable(os.fspath(given))
        if shown != os.fspath(given):
            yield IngestError(shown, "path is not valid UTF-8; rename it")
            continue
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            yield IngestError(shown, "no such file or directory")
            continue
        except OSError as exc:
            yield IngestError(shown, f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(mode):
            yield from _read_directory(path, max_chars)
        elif stat.S_ISREG(mode):
            yield from read_file(path, path.as_posix(), max_chars)
        else:
            yield IngestError(shown, f"not a regular file or directory ({kind_of(mode)})")


def printable(name: str) -> str:
    """``name`` with bytes that are not UTF-8 (kept by Python as lone surrogates) written
    as ``\\xNN`` escapes, so it can be printed and stored."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return os.fsencode(name).decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a surrogate that no file name decoding made
            return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return name


def _read_directory(root: Path, max_chars: int) -> Iterator[Record]:
    """Every regular file under ``root``, files of a folder (sorted) before its subfolders;
    hidden entries (names starting with '.') are left out."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(
                    (e for e in listing if not e.name.startswith(".")), key=lambda e: e.name
                )
        except OSError as exc:
            yield IngestError(printable(str(folder)), f"cannot read directory: {exc.strerror}")
            continue
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            shown = printable(str(path))
            if shown != str(path):
                yield IngestError(shown, "file name is not valid UTF-8; rename it")
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(path)
                    continue
                mode = entry.stat(follow_symlinks=True).st_mode
            except FileNotFoundError:
                yield IngestError(shown, "broken symbolic link")
                continue
            except OSError as exc:
                yield IngestError(shown, f"cannot read: {exc.strerror or exc}")
                continue
            if stat.S_ISDIR(mode):
                yield IngestError(shown, "symbolic link to a directory (not followed)")
            elif not stat.S_ISREG(mode):
                yield IngestError(shown, f"not a regular file ({kind_of(mode)})")
            else:
                yield from read_file(path, path.relative_to(root).as_posix(), max_chars)
        stack.extend(reversed(subfolders))


def read_file(path: Path, ident: str, max_chars: int = MAX_CHARS) -> Iterator[Record]:
    """Documents in one regular file; ``ident`` is the id its documents are known by."""
    if classify(path.name)[0] is None:  # refused by name before the file is opened
        yield from read_stream(None, str(path), ident, max_chars)
        return
    try:
        raw = open_regular(path)
    except InputError as exc:
        yield IngestError(str(path), str(exc))
        return
    except OSError as exc:
        yield _unreadable(path, exc)
        return
    with raw:
        yield from read_stream(raw, str(path), ident, max_chars)


def read_stream(
    stream: BinaryIO | None, name: str, ident: str, max_chars: int = MAX_CHARS
) -> Iterator[Record]:
    """Documents in the bytes of ``stream``, in the format and compression its file
    ``name`` tells (e.g. an upload, a pipe); ``name`` is also the input errors name.
    ``stream`` may be None for a name of no supported format (the error is all there is)."""
    fmt, compression, suffix = classify(Path(name).name)
    if fmt is None or stream is None:
        what = "compressed file" if compression else "file"
        yield IngestError(
            name, f"unsupported {what} type '{suffix}' (storytrace reads {FORMATS_SENTENCE})"
        )
        return
    try:
        yield from _read_stream(stream, name, ident, fmt, compression, max_chars)
    except InputError as exc:
        yield IngestError(name, str(exc))
    except DECOMPRESSION_ERRORS as exc:
        yield IngestError(name, f"damaged {compression} data: {exc}")
    except OSError as exc:
        if compression is not None and not exc.strerror:
            yield IngestError(name, f"damaged {compression} data: {exc}")
        else:
            yield IngestError(name, f"cannot read: {exc.strerror or exc}")


def _read_stream(
    raw: BinaryIO,
    name: str,
    ident: str,
    fmt: Format,
    compression: Compression | None,
    max_chars: int,
) -> Iterator[Record]:
    if fmt == "warc":
        from storytrace.ingest.warc import read_warc

        yield from read_warc(raw, compression, name, ident, max_chars)
        return
    stream = decompressed(raw, compression)
    if fmt == "jsonl":
        for record in _read_jsonl(stream, name, ident, max_chars):
            yield _limit(record, max_chars)
        return
    if fmt == "pdf":
        from storytrace.ingest.pdf import PDF_BYTES_PER_CHAR, parse_pdf

        data = _read_document(stream, compression, PDF_BYTES_PER_CHAR * max_chars, max_chars)
        yield _limit(parse_pdf(data, name, ident, max_chars), max_chars)
        return
    data = _read_document(stream, compression, BYTES_PER_CHAR * max_chars, max_chars)
    try:
        decoded = decode_document(data, html=fmt == "html")
    except InputError as exc:
        yield IngestError(name, str(exc))
        return
    if fmt == "html":
        record = parse_html(decoded.text, name, ident)
    else:
        record = parse_plain(decoded.text, name, ident)
    yield _limit(_with_encoding(record, decoded.encoding, decoded.source), max_chars)


def _read_document(
    stream: BinaryIO, compression: Compression | None, cap: int, max_chars: int
) -> bytes:
    """The bytes of a one-document file, refused (``InputError``) past ``cap`` bytes:
    from the file size when it is a file and not compressed, else as soon as reading or
    decompression passes it."""
    if compression is None:
        size = _file_size(stream)
        if size > cap:
            raise InputError(_too_large(size, max_chars, "bytes"))
    try:
        return read_capped(stream, cap)
    except TooLarge as exc:
        if compression is None:
            raise InputError(
                f"document too large (more than {cap:,} bytes; the limit is "
                f"{max_chars:,} characters, raise it with --max-chars)"
            ) from exc
        raise InputError(_too_large_compressed(cap, max_chars)) from exc


def _file_size(stream: BinaryIO) -> int:
    """The size of the file behind ``stream`` (0 for a pipe or an in-memory stream)."""
    try:
        return os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        return 0


def _with_encoding(record: Record, encoding: str, source: str) -> Record:
    """``record`` with the encoding its bytes were decoded from (and why) in its metadata."""
    if not isinstance(record, Document):
        return record
    meta = {**record.meta, "encoding": encoding, "encoding_from": source}
    return dataclasses.replace(record, meta=meta)


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


def _too_large_compressed(cap: int, max_chars: int) -> str:
    return (
        f"document too large (decompresses to more than {cap:,} bytes; the limit is "
        f"{max_chars:,} characters, raise it with --max-chars)"
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


def _read_jsonl(stream: BinaryIO, input_name: str, ident: str, max_chars: int) -> Iterator[Record]:
    """A JSONL stream read line by line, so a dump of any size streams in constant memory.

    Only the first 8 KiB are checked for binary data; a line that is not UTF-8 is its own
    error, and so is a line too long to hold a document within the limit (it is skipped
    without being held or parsed). A UTF-16/32 file (byte-order mark) is decoded whole, as
    its lines cannot be found byte by byte."""
    head = peek(stream, _SNIFF_BYTES)
    if has_wide_bom(head):
        cap = BYTES_PER_CHAR * JSON_BYTES_PER_CHAR * max_chars
        try:
            data = read_capped(stream, cap)
        except TooLarge:
            yield IngestError(input_name, _too_large_compressed(cap, max_chars))
            return
        yield from parse_jsonl(decode_text(data), input_name, ident)
        return
    if looks_binary(head):
        yield IngestError(input_name, "binary file, not text")
        return
    cap = JSON_BYTES_PER_CHAR * max_chars + _JSON_FIELDS_ROOM
    yield from parse_jsonl_lines(_utf8_lines(_capped_lines(stream, cap)), input_name, ident)


def _capped_lines(stream: BinaryIO, cap: int) -> Iterator[bytes | InputError]:
    """Lines split on b"\\n"; a line over ``cap`` bytes becomes an ``InputError`` and is
    read past in 1 MiB pieces, never held whole."""
    while True:
        line = stream.readline(cap + 1)
        if not line:
            return
        if len(line) <= cap or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while line and not line.endswith(b"\n"):
            line = stream.readline(1 << 20)
            size += len(line)
        yield InputError(
            f"record too large ({size:,} bytes; no record of at most {cap:,} bytes can hold "
            "a document within the limit, raise it with --max-chars)"
        )


def _utf8_lines(lines: Iterable[bytes | InputError]) -> Iterator[str | InputError]:
    """Lines (U+2028/U+2029 inside records stay whole) decoded one by one; an undecodable
    line becomes its ``InputError``. A UTF-8 byte-order mark is dropped."""
    for number, line in enumerate(lines):
        if isinstance(line, InputError):
            yield line
            continue
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
        except RecursionError:
            yield IngestError(where, "invalid JSON (nested too deeply)")
            continue
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            yield IngestError(where, f"invalid JSON ({exc})")
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
    meta = {
        (f"input.{k}" if k in INTERNAL_META else k): str(v)
        for k, v in obj.items()
        if k not in _KNOWN_FIELDS and isinstance(v, str | int | float)
    }
    meta["format"] = "jsonl"
    problem = _unencodable(obj, meta)
    if problem:
        return IngestError(where, problem)
    published, date_problem = parse_published(_first(obj, "published"))
    if date_problem:
        meta["published_problem"] = date_problem
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


def _unencodable(obj: dict[str, object], meta: dict[str, str]) -> str | None:
    """The problem with a string the record keeps that is not Unicode text: JSON's ``\\ud800``
    escapes can make lone surrogates, which no file or database can hold."""
    kept = [(k, obj.get(k)) for k in ("id", "url", "title")]
    kept += [(k, obj.get(k)) for aliases in _FIELD_ALIASES.values() for k in aliases]
    kept += list(meta.items())
    for name, value in kept:
        for text in (name, value):
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError as exc:
                    return (
                        f"'{printable(name)}' holds a lone surrogate "
                        f"(U+{ord(text[exc.start]):04X} at offset {exc.start}), not text"
                    )
    return None


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
    try:
        host = urlparse(url).hostname
    except ValueError:  # e.g. an unbalanced '[' in the host
        return None
    if not host:
        return None
    return host.removeprefix("www.")
