"""WARC crawls (ISO 28500; ``.warc``, ``.warc.gz`` and other compressions), record by record.

FastWARC reads the records (``python benchmarks/readers.py``: a generated crawl of 30,000
pages, 49 MB, read in 0.43 s against warcio's 5.28 s, 1.32 s against 10.01 s gzipped, at
23 MB against 27 MB peak memory, on 2 shared cores). One record is held at a time, so a crawl
of any size streams through in constant memory.

Response and resource records whose payload is HTML become documents: the URL is the
record's ``WARC-Target-URI``, the text is decoded by the HTTP ``charset`` (then the page's
own ``<meta>``, then detection), and the publication time is the page's own. The capture
time (``WARC-Date``) is kept apart, in ``meta["captured"]``: a page was published no later
than it was captured, so it bounds the publication time from above, and is never passed off
as it. Other records (requests, metadata, revisits, warcinfo) hold no document; responses
that are not HTML pages, or not successful (a redirect, a 404), are skipped and counted in one
line per file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import BinaryIO, cast

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from storytrace.errors import InputError
from storytrace.ingest.decode import charset_from_content_type, decode_document
from storytrace.ingest.fields import parse_published
from storytrace.ingest.formats import Compression
from storytrace.ingest.readers import BYTES_PER_CHAR, _host, _limit, _too_large, parse_html
from storytrace.ingest.streams import TooLarge, decompressed, read_capped
from storytrace.records import Document, IngestError

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_NATIVE = frozenset({"gzip", "zstd"})  # compressions FastWARC decompresses itself, per record


def read_warc(
    raw: BinaryIO,
    compression: Compression | None,
    input_name: str,
    ident: str,
    max_chars: int,
) -> Iterator[Document | IngestError]:
    """Documents from the HTML pages of one WARC file, then one line counting the records
    skipped; a record too large, undecodable or without text is its own error, and damage
    part-way through the file keeps every page read before it."""

    stream = (
        raw if compression is None or compression in _NATIVE else decompressed(raw, compression)
    )
    cap = BYTES_PER_CHAR * max_chars
    skipped: Counter[str] = Counter()
    seen: set[str] = set()
    number = 0
    records = ArchiveIterator(
        stream,
        record_types=WarcRecordType.response | WarcRecordType.resource,
        parse_http=True,
        auto_decode="all",  # undo chunked transfer and gzip/deflate/brotli content encoding
    )
    try:
        for record in records:
            number += 1
            url = record.headers.get("WARC-Target-URI") or None
            where = f"{input_name}#{url or number}"
            if url is None:  # mandatory for response and resource records (WARC 1.1, 5.6)
                yield IngestError(where, "record without a WARC-Target-URI (damaged header?)")
                continue
            content_type, charset, status = _payload_type(record)
            if status is not None and not 200 <= status < 300:
                skipped[f"HTTP status {status}"] += 1
                continue
            if record.content_length > cap:
                yield IngestError(where, _too_large(record.content_length, max_chars, "bytes"))
                continue
            try:  # in pieces: read(cap + 1) would allocate the whole limit
                payload = read_capped(cast(BinaryIO, record.reader), cap)
            except TooLarge:
                yield IngestError(
                    where,
                    f"document too large (decodes to more than {cap:,} bytes; the limit is "
                    f"{max_chars:,} characters, raise it with --max-chars)",
                )
                continue
            if content_type is None and _looks_like_html(payload):
                content_type = "text/html"
            if content_type not in HTML_TYPES:
                skipped[content_type or "no content type"] += 1
                continue
            doc_id = _unique_id(f"{ident}#{url or number}", record, seen)
            if doc_id is None:
                yield IngestError(where, "the same URL captured twice at the same time")
                continue
            try:
                decoded = decode_document(payload, [("http", charset)], html=True)
            except InputError as exc:
                yield IngestError(where, str(exc))
                continue
            page = parse_html(decoded.text, where, doc_id)
            if isinstance(page, Document):
                page = _as_capture(page, record, url, decoded.encoding, decoded.source)
            yield _limit(page, max_chars)
    except (OSError, ValueError) as exc:
        if number == 0:
            yield IngestError(input_name, f"not a WARC file, or damaged from the start ({exc})")
            return
        yield IngestError(input_name, f"damaged WARC data after record {number}: {exc}")
    if skipped:
        total = sum(skipped.values())
        detail = ", ".join(f"{kind} {count:,}" for kind, count in sorted(skipped.items()))
        yield IngestError(
            input_name, f"{total:,} records skipped: not HTML pages or not successful ({detail})"
        )
    elif number == 0:
        yield IngestError(input_name, "no response or resource record in this WARC file")


def _payload_type(record: WarcRecord) -> tuple[str | None, str | None, int | None]:
    """(media type, charset, HTTP status) of a record's payload: from the HTTP headers of a
    response, from the record's own Content-Type for a resource."""
    if record.record_type == WarcRecordType.response:
        if not record.is_http:
            return None, None, None
        value = record.http_headers.get("Content-Type")
        status = record.http_headers.status_code
    else:
        value = record.headers.get("Content-Type")
        status = None
    if not value:
        return None, None, status
    media = value.split(";")[0].strip().lower() or None
    return media, charset_from_content_type(value), status


def _looks_like_html(payload: bytes) -> bool:
    head = payload[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _unique_id(candidate: str, record: WarcRecord, seen: set[str]) -> str | None:
    """``candidate``, or with the capture time when the file already has a page of that id
    (the same URL crawled twice); None when that is taken too."""
    for doc_id in (candidate, f"{candidate}@{record.headers.get('WARC-Date') or ''}"):
        if doc_id not in seen:
            seen.add(doc_id)
            return doc_id
    return None


def _as_capture(
    page: Document, record: WarcRecord, url: str | None, encoding: str, encoding_from: str
) -> Document:
    """A page read from ``record``: its URL the captured one, the capture time and the
    record id in its metadata, and a publication time later than the capture dropped."""
    meta = dict(page.meta)
    meta.update({"format": "warc", "encoding": encoding, "encoding_from": encoding_from})
    if page.url and url and page.url != url:
        meta["page_url"] = page.url
    record_id = record.headers.get("WARC-Record-ID")
    if record_id:
        meta["warc_record_id"] = record_id
    captured, _ = parse_published(record.headers.get("WARC-Date"))
    published = page.published
    if captured is not None:
        meta["captured"] = captured.isoformat()
        if published is not None and published > captured + timedelta(days=1):
            meta["published_problem"] = (
                f"published {published.isoformat()} is after the capture time "
                f"{captured.isoformat()}"
            )
            published = None
    source = page.source
    if url and (source is None or source == _host(page.url)):  # no site name: the host
        source = _host(url) or source
    return Document(
        id=page.id,
        doc_id=page.doc_id,
        text=page.text,
        input=page.input,
        url=url or page.url,
        source=source,
        published=published,
        title=page.title,
        lang=page.lang,
        meta=meta,
    )
