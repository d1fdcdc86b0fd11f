"""Tests for storytrace.ingest.warc: crawls written here record by record (tests/inputs.py)."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tests.inputs import CAPTURED, WarcRecord, crawl, html_page, http_response, story, warc_bytes

from storytrace.ingest import read_inputs
from storytrace.ingest.readers import read_stream
from storytrace.ingest.warc import read_warc
from storytrace.records import Document, IngestError


def _split(records: list[Document | IngestError]) -> tuple[list[Document], list[IngestError]]:
    return (
        [r for r in records if isinstance(r, Document)],
        [r for r in records if isinstance(r, IngestError)],
    )


def test_a_crawl_gives_one_document_per_html_page_with_url_and_times(tmp_path: Path) -> None:
    records, expected = crawl(20)
    (tmp_path / "crawl.warc.gz").write_bytes(warc_bytes(records, gzipped=True))
    docs, errors = _split(list(read_inputs([tmp_path])))
    assert [d.url for d in docs] == [e["url"] for e in expected]
    assert [d.id for d in docs] == [f"crawl.warc.gz#{e['url']}" for e in expected]
    assert [d.title for d in docs] == [e["title"] for e in expected]
    for n, (doc, exp) in enumerate(zip(docs, expected, strict=True)):
        captured = datetime(2025, 3, 4, 12, 30 + n, tzinfo=UTC)
        assert doc.meta["captured"] == captured.isoformat()
        assert doc.meta["format"] == "warc"
        assert doc.meta["warc_record_id"].startswith("<urn:uuid:")
        # The page's own time when it has one; the capture time is never passed off as it.
        if exp["published"]:
            assert doc.published == datetime.fromisoformat(exp["published"])
        else:
            assert doc.published is None
        assert doc.source == exp["url"].split("/")[2]
        assert story(n)[1][1] in doc.text or n == 5
    # Chunked transfer and gzip content encoding are undone (pages 3, 4, 10, 11, 17, 18).
    assert "Update 4.1" in docs[4].text and "Update 3.2" in docs[3].text
    # The Russian page declares windows-1251 only in its HTTP header.
    russian = docs[5]
    assert russian.title == "Паром на остров Орск отменён (5)"
    assert "Паромное сообщение с островом Орск" in russian.text
    assert (russian.meta["encoding"], russian.meta["encoding_from"]) == ("cp1251", "http")
    # Not-HTML and unsuccessful responses are counted in one line; requests, metadata,
    # warcinfo and revisit records hold no document and are not counted.
    assert errors == [
        IngestError(
            str(tmp_path / "crawl.warc.gz"),
            "3 records skipped: not HTML pages or not successful "
            "(HTTP status 301 1, application/pdf 1, image/png 1)",
        )
    ]


def test_resource_records_and_pages_without_content_type(tmp_path: Path) -> None:
    title, paras = story(7)
    page = html_page(title, paras, charset="iso-8859-1").replace("report", "r\u00e9sum\u00e9")
    records = [
        WarcRecord(
            "resource",
            "https://archive.example.test/orsk.html",
            page.encode("latin-1"),
            CAPTURED,
            "text/html; charset=iso-8859-1",
        ),
        WarcRecord(
            "response",
            "https://bare.example.test/page",
            b"HTTP/1.1 200 OK\r\n\r\n" + html_page(*story(8)).encode(),
            CAPTURED,
            "application/http; msgtype=response",
        ),
        WarcRecord(
            "resource",
            "https://archive.example.test/notes.txt",
            b"plain notes",
            CAPTURED,
            "text/plain",
        ),
    ]
    (tmp_path / "a.warc").write_bytes(warc_bytes(records))
    docs, errors = _split(list(read_inputs([tmp_path])))
    assert [d.url for d in docs] == [
        "https://archive.example.test/orsk.html",
        "https://bare.example.test/page",
    ]
    assert docs[0].title == title.replace("report", "r\u00e9sum\u00e9")
    assert docs[0].meta["encoding"] == "cp1252" and docs[0].meta["encoding_from"] == "http"
    assert errors[0].reason.endswith("(text/plain 1)")


def test_a_page_claiming_publication_after_its_capture_is_not_trusted(tmp_path: Path) -> None:
    title, paras = story(9)
    page = html_page(title, paras, published="2025-06-01T10:00:00+00:00")
    record = WarcRecord(
        "response",
        "https://news.example.test/late",
        http_response(page.encode(), "text/html"),
        CAPTURED,
        "application/http; msgtype=response",
    )
    (tmp_path / "a.warc").write_bytes(warc_bytes([record]))
    (doc,) = list(read_inputs([tmp_path]))
    assert isinstance(doc, Document)
    assert doc.published is None
    assert "after the capture time" in doc.meta["published_problem"]


def test_the_same_url_captured_twice_keeps_both_versions(tmp_path: Path) -> None:
    first = html_page(*story(1))
    second = html_page(*story(2))
    url = "https://news.example.test/live"
    records = [
        WarcRecord(
            "response", url, http_response(page.encode(), "text/html"), date, "application/http"
        )
        for page, date in ((first, CAPTURED), (second, CAPTURED.replace(hour=18)))
    ]
    (tmp_path / "a.warc").write_bytes(warc_bytes(records))
    docs, errors = _split(list(read_inputs([tmp_path])))
    assert errors == []
    assert [d.id for d in docs] == [f"a.warc#{url}", f"a.warc#{url}@2025-03-04T18:30:00Z"]


def test_damage_part_way_keeps_the_pages_before_it(tmp_path: Path) -> None:
    records, expected = crawl(6, with_noise=False)
    data = warc_bytes(records, gzipped=True)
    (tmp_path / "cut.warc.gz").write_bytes(data[: len(data) * 2 // 3])
    docs, errors = _split(list(read_inputs([tmp_path])))
    assert 2 <= len(docs) < 6
    assert [d.url for d in docs] == [e["url"] for e in expected[: len(docs)]]
    assert len(errors) == 1
    assert errors[0].reason.startswith("damaged WARC data after record ")


def test_records_over_the_size_limit_are_refused_before_reading(tmp_path: Path) -> None:
    big = html_page("Big", ["word " * 4000])
    small_title, small = story(4)
    records = [
        WarcRecord(
            "response",
            "https://a.test/big",
            http_response(big.encode(), "text/html"),
            CAPTURED,
            "application/http",
        ),
        # 200 KB of spaces sent gzip-encoded: small in the WARC, large once decoded.
        WarcRecord(
            "response",
            "https://a.test/bomb",
            http_response(b"<p>" + b" " * 200_000, "text/html", content_encoding="gzip"),
            CAPTURED,
            "application/http",
        ),
        WarcRecord(
            "response",
            "https://a.test/ok",
            http_response(html_page(small_title, small).encode(), "text/html"),
            CAPTURED,
            "application/http",
        ),
    ]
    (tmp_path / "a.warc").write_bytes(warc_bytes(records))
    docs, errors = _split(list(read_inputs([tmp_path], max_chars=5000)))
    assert [d.url for d in docs] == ["https://a.test/ok"]
    reasons = {e.input.rsplit("#", 1)[1]: e.reason for e in errors}
    assert reasons["https://a.test/big"].startswith("document too large (")
    assert reasons["https://a.test/bomb"].startswith(
        "document too large (decodes to more than 20,000 bytes"
    )


def test_a_warc_is_read_as_a_stream(tmp_path: Path) -> None:
    """The first page comes out after reading little more than its own record: the file is
    never read whole."""
    records, _ = crawl(800, with_noise=False)
    data = warc_bytes(records)
    stream = io.BytesIO(data)
    pages = read_warc(stream, None, "big.warc", "big.warc", 100_000)
    first = next(pages)
    assert isinstance(first, Document)
    assert stream.tell() < len(data) // 10


def test_an_empty_or_foreign_file_named_warc_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "a.warc").write_bytes(b"")
    (tmp_path / "b.warc.gz").write_bytes(gzip.compress(b"<html>not a warc</html>"))
    (tmp_path / "c.txt").write_text("Orsk ferry resumes.")
    docs, errors = _split(list(read_inputs([tmp_path])))
    assert [d.id for d in docs] == ["c.txt"]
    assert [(Path(e.input).name, e.reason.split(" (")[0]) for e in errors] == [
        ("a.warc", "no response or resource record in this WARC file"),
        ("b.warc.gz", "not a WARC file, or damaged from the start"),
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(cut=1132, flips=[(671, 0)], gz=False)  # a flipped header byte lost the record's URI
@given(
    cut=st.integers(min_value=0, max_value=6000),
    flips=st.lists(st.tuples(st.integers(0, 6000), st.integers(0, 255)), max_size=8),
    gz=st.booleans(),
)
def test_property_damaged_warc_bytes_give_documents_or_errors(
    cut: int, flips: list[tuple[int, int]], gz: bool
) -> None:
    records, _ = crawl(3)
    data = bytearray(warc_bytes(records, gzipped=gz)[:cut])
    for at, value in flips:
        if at < len(data):
            data[at] = value
    name = "x.warc.gz" if gz else "x.warc"
    for record in read_stream(io.BytesIO(bytes(data)), name, name, max_chars=20_000):
        assert isinstance(record, Document | IngestError)
        if isinstance(record, Document):
            assert record.url and record.text.strip()
