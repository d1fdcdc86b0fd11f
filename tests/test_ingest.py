"""Tests for storytrace.ingest: readers, decoding, field parsing and HTML extraction."""

from __future__ import annotations

import codecs
import io
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storytrace.errors import InputError
from storytrace.ingest import SUPPORTED_SUFFIXES, read_inputs
from storytrace.ingest.decode import decode_text, looks_binary
from storytrace.ingest.fields import normalise_lang, parse_published
from storytrace.ingest.html import extract_html
from storytrace.ingest.readers import parse_jsonl, parse_record, read_stream
from storytrace.records import Document, IngestError
from storytrace.text import content_id, decode_spans

STORY = (
    "Ferry services between Tallmere and the island of Orsk were suspended on Tuesday "
    "after a storm damaged the island's only passenger pier.\n\n"
    "About 2,300 people live on Orsk, which depends on the ferry for food and medicine."
)
STORY_DE = (
    "Der Fährverkehr zwischen Tallmere und der Insel Orsk wurde am Dienstag eingestellt, "
    "nachdem ein Sturm den einzigen Anleger der Insel beschädigt hatte."
)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Ferry service to Orsk suspended after storm damages pier | Tallmere Gazette</title>
<meta property="og:title" content="Ferry service to Orsk suspended after storm damages pier">
<meta property="og:site_name" content="Tallmere Gazette">
<meta property="og:url"
  content="https://www.tallmere-gazette.test/news/2025/02/18/orsk-ferry-suspended">
<link rel="canonical"
  href="https://www.tallmere-gazette.test/news/2025/02/18/orsk-ferry-suspended">
<meta property="article:published_time" content="2025-02-18T07:45:12+01:00">
<script>
window.dataLayer = window.dataLayer || [];
function track() { dataLayer.push({event: "pageview", trackingToken: "zx81-secret"}); }
</script>
<style>.cookie-banner { position: fixed; bottom: 0; }</style>
</head>
<body>
<div class="cookie-banner" id="cookie-consent">We use cookies to improve your experience.
<button>Accept all cookies</button> <a href="/privacy">Privacy settings</a></div>
<header>
<nav class="main-nav"><ul>
<li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather forecast</a></li>
<li><a href="/opinion">Opinion</a></li>
</ul></nav>
</header>
<main>
<article>
<h1>Ferry service to Orsk suspended after storm damages pier</h1>
<p>Ferry services between the port of Tallmere and the island of Orsk were suspended on
Tuesday after an overnight storm tore away part of the island's only passenger pier, the
regional transport office said.</p>
<p>About 2,300 people live on Orsk, which depends on the ferry for food deliveries, school
transport and access to the hospital in Tallmere. The transport office said a temporary
landing stage would be built within ten days.</p>
<p>"Nobody was hurt, and that is what matters most tonight," said harbour master Ylva Krenn,
who inspected the damage at first light.</p>
<p>Until then, a chartered fishing boat will carry medicine and mail twice a day, and a rescue
helicopter will remain on standby at the island's school field.</p>
<p>Gusts of up to 140 kilometres per hour were recorded at the Orsk lighthouse shortly after
midnight, according to the national weather service.</p>
</article>
</main>
<aside class="related"><h3>Most read</h3><ul>
<li><a href="/a">Council approves new bus depot</a></li>
<li><a href="/b">Tallmere chess club wins national title</a></li></ul></aside>
<footer><p>Tallmere Gazette, 14 Harbour Road, Tallmere. Contact: desk@tallmere-gazette.test</p>
<p>Terms of use | Privacy | Cookie settings</p></footer>
<script>track();</script>
</body>
</html>
"""


def _write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def _jsonl(*records: object) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _split(records: list[Document | IngestError]) -> tuple[list[Document], list[IngestError]]:
    docs = [r for r in records if isinstance(r, Document)]
    errors = [r for r in records if isinstance(r, IngestError)]
    assert len(docs) + len(errors) == len(records)
    return docs, errors


def _error_for(errors: list[IngestError], input_name: str) -> IngestError:
    found = [e for e in errors if e.input == input_name]
    assert len(found) == 1, (input_name, errors)
    return found[0]


# --- reading directories and files ------------------------------------------------------


def test_reads_directory_with_relative_ids(tmp_path: Path) -> None:
    _write(tmp_path / "text" / "orsk_ferry.txt", STORY)
    _write(tmp_path / "web" / "orsk.html", PAGE)
    _write(
        tmp_path / "feeds" / "feed.jsonl",
        _jsonl({"id": "tg-1", "text": STORY}, {"text": STORY_DE, "lang": "de"}),
    )
    docs, errors = _split(list(read_inputs([tmp_path])))
    assert errors == []
    # Sorted walk: feeds/, text/, web/; JSONL records without an id are named file:line.
    assert [d.id for d in docs] == [
        "tg-1",
        "feeds/feed.jsonl:2",
        "text/orsk_ferry.txt",
        "web/orsk.html",
    ]
    plain = docs[2]
    assert plain.text == STORY
    assert plain.input == str(tmp_path / "text" / "orsk_ferry.txt")
    assert plain.doc_id == content_id(STORY)
    assert plain.meta == {"format": "txt", "encoding": "utf-8", "encoding_from": "utf-8"}
    assert plain.url is None and plain.source is None and plain.published is None
    assert docs[1].input == f"{tmp_path / 'feeds' / 'feed.jsonl'}:2"
    assert docs[1].lang == "de"


def test_directory_walk_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    _write(tmp_path / "b.txt", STORY)
    _write(tmp_path / "a.txt", STORY_DE)
    _write(tmp_path / ".draft.txt", "draft text that must not be read")
    _write(tmp_path / ".cache" / "old.txt", "cached text that must not be read")
    _write(tmp_path / "sub" / "c.txt", STORY)
    docs, errors = _split(list(read_inputs([str(tmp_path)])))
    assert errors == []
    assert [d.id for d in docs] == ["a.txt", "b.txt", "sub/c.txt"]
    # Exact copies share a content id but keep their own ids.
    assert docs[1].doc_id == docs[2].doc_id


def test_file_given_directly_keeps_path_as_given(tmp_path: Path) -> None:
    path = _write(tmp_path / "text" / "orsk_ferry.txt", STORY)
    (doc,) = list(read_inputs([str(path)]))
    assert isinstance(doc, Document)
    assert doc.id == str(path)
    assert doc.input == str(path)


def test_relative_file_given_directly_keeps_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "news" / "orsk.txt", STORY)
    monkeypatch.chdir(tmp_path)
    (doc,) = list(read_inputs(["news/orsk.txt"]))
    assert isinstance(doc, Document)
    assert doc.id == "news/orsk.txt"


def test_jsonl_given_directly_uses_path_for_fallback_ids(tmp_path: Path) -> None:
    path = _write(tmp_path / "feed.jsonl", _jsonl({"text": STORY}))
    (doc,) = list(read_inputs([path]))
    assert isinstance(doc, Document)
    assert doc.id == f"{path.as_posix()}:1"


# --- JSONL fields -----------------------------------------------------------------------


def test_jsonl_fields_and_aliases(tmp_path: Path) -> None:
    feed = _jsonl(
        {
            "id": "tg-2025-02-18-orsk",
            "url": "https://www.tallmere-gazette.test/news/orsk",
            "outlet": "Tallmere Gazette",
            "published": "2025-02-18T07:45:00Z",
            "lang": "EN-gb",
            "title": "Ferry service to Orsk suspended",
            "text": STORY,
            "section": "regional",
            "word_count": 312,
            "score": 0.5,
            "tags": ["ferry", "storm"],
            "extra": {"nested": True},
        },
        {
            "id": 7,
            "url": "https://www.orsk-bote.test/2025/02/19/faehre",
            "content": STORY_DE,
            "date": "2025-02-19T10:00:00",
            "language": "de_DE",
        },
        {
            "body": "Coastwire: the Orsk pier will be rebuilt with EU money, officials said.",
            "site": "Coastwire",
            "published_at": "2025-02-20T09:30:00+01:00",
        },
        {
            "id": "cw-4",
            "text": "Divers found no damage to the foundations of the old Orsk pier.",
            "sitename": "Coastwire",
            "timestamp": "2025-02-21",
        },
    )
    path = _write(tmp_path / "feed.jsonl", feed)
    docs, errors = _split(list(read_inputs([tmp_path])))
    assert errors == []
    first, second, third, fourth = docs

    assert first.id == "tg-2025-02-18-orsk"
    assert first.source == "Tallmere Gazette"
    assert first.published == datetime(2025, 2, 18, 7, 45, tzinfo=UTC)
    assert first.published is not None and first.published.utcoffset() == timedelta(0)
    assert first.lang == "en"
    assert first.title == "Ferry service to Orsk suspended"
    assert first.url == "https://www.tallmere-gazette.test/news/orsk"
    assert first.text == STORY
    assert first.input == f"{path}:1"
    # Extra scalar fields are kept (as strings); lists and objects are not.
    assert dict(first.meta) == {
        "format": "jsonl",
        "section": "regional",
        "word_count": "312",
        "score": "0.5",
    }

    assert second.id == "7"
    assert second.text == STORY_DE
    # A naive timestamp is taken as UTC.
    assert second.published == datetime(2025, 2, 19, 10, 0, tzinfo=UTC)
    assert second.lang == "de"
    # No source field: the URL's host without "www.".
    assert second.source == "orsk-bote.test"

    assert third.id == "feed.jsonl:3"
    assert third.source == "Coastwire"
    assert third.published == datetime(2025, 2, 20, 8, 30, tzinfo=UTC)
    assert third.published is not None
    assert third.published.utcoffset() == timedelta(hours=1)
    assert third.lang is None
    assert third.url is None

    assert fourth.source == "Coastwire"
    assert fourth.published == datetime(2025, 2, 21, tzinfo=UTC)


def test_jsonl_unparsable_published_is_kept_as_problem() -> None:
    records = list(
        parse_jsonl(
            _jsonl(
                {"id": "a", "text": STORY, "published": "last Tuesday"},
                {"id": "b", "text": STORY, "published": 1739865600},
            ),
            "feed.jsonl",
            "feed.jsonl",
        )
    )
    a, b = records
    assert isinstance(a, Document) and isinstance(b, Document)
    assert a.published is None
    assert a.meta["published_problem"] == "unparsable 'published' value 'last Tuesday'"
    assert b.published is None
    assert b.meta["published_problem"] == "'published' is int, not an ISO-8601 string"


def test_jsonl_blank_lines_are_skipped_and_line_numbers_kept() -> None:
    text = "\n" + _jsonl({"text": STORY}) + "   \n" + _jsonl({"text": STORY_DE})
    records = list(parse_jsonl(text, "dump.jsonl", "dump.jsonl"))
    assert [r.id for r in records if isinstance(r, Document)] == [
        "dump.jsonl:2",
        "dump.jsonl:4",
    ]


def test_parse_record_empty_id_falls_back() -> None:
    doc = parse_record({"id": "", "text": STORY}, "f.jsonl:9", "f.jsonl:9")
    assert isinstance(doc, Document)
    assert doc.id == "f.jsonl:9"


# --- error cases: every bad input is reported, the batch goes on ------------------------


def test_bad_files_are_reported_and_good_ones_still_read(tmp_path: Path) -> None:
    bom_text = "Orsk pier to be rebuilt by June, Tallmere officials say."
    files = {
        "01_good.txt": STORY.encode("utf-8"),
        "02_binary.txt": b"PK\x03\x04\x14\x00\x00\x00\x08\x00orsk.docx\x00\x00\x00",
        "03_empty.txt": b"",
        "04_blank.txt": b"  \n\t\n\r\n   ",
        # Mostly UTF-8 with a run of Latin-1 bytes: no one encoding decodes it all.
        "05_mixed.txt": "Fähre Orsk Straße über".encode() * 5 + b"\xe9t\xe9",
        "06_bom8.txt": codecs.BOM_UTF8 + bom_text.encode("utf-8"),
        "07_bom16le.txt": bom_text.encode("utf-16"),
        "08_bom16be.txt": codecs.BOM_UTF16_BE + bom_text.encode("utf-16-be"),
        "09_notes.docx": b"PK\x03\x04 fake",
        "10_README": b"plain file without suffix",
        "11_empty.html": b"  \n ",
        "12_scripts.html": b"<html><body><script>var a = 1;</script></body></html>",
        "13_good.html": PAGE.encode("utf-8"),
    }
    for name, data in files.items():
        _write(tmp_path / name, data)
    docs, errors = _split(list(read_inputs([tmp_path])))

    assert [d.id for d in docs] == [
        "01_good.txt",
        "06_bom8.txt",
        "07_bom16le.txt",
        "08_bom16be.txt",
        "13_good.html",
    ]
    for doc in docs[1:4]:
        assert doc.text == bom_text  # BOM stripped, text decoded
    assert len(errors) == 8

    def reason(name: str) -> str:
        return _error_for(errors, str(tmp_path / name)).reason

    assert reason("02_binary.txt") == "binary file, not text"
    assert reason("03_empty.txt") == "empty document (no text)"
    assert reason("04_blank.txt") == "empty document (no text)"
    mixed = reason("05_mixed.txt")
    assert mixed.startswith("undecodable bytes: not UTF-8 (byte 0xe9 at offset 125)")
    assert "re-encode" in mixed
    docx = reason("09_notes.docx")
    assert docx.startswith("unsupported file type '.docx'")
    for suffix in SUPPORTED_SUFFIXES:
        assert suffix in docx
    assert reason("10_README").startswith("unsupported file type '10_README'")
    assert reason("11_empty.html") == "empty document (no text)"
    assert reason("12_scripts.html") == "HTML page with no extractable text"


def test_missing_and_special_paths_do_not_stop_the_batch(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.txt", STORY)
    missing = tmp_path / "gone" / "story.txt"
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    records = list(read_inputs([str(missing), str(fifo), str(good)]))
    docs, errors = _split(records)
    assert [d.id for d in docs] == [str(good)]
    assert errors == [
        IngestError(str(missing), "no such file or directory"),
        IngestError(str(fifo), "not a regular file or directory (named pipe)"),
    ]


def test_jsonl_bad_lines_are_reported_individually(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "ok-1", "text": STORY}),
        '{"id": "broken", "text": "unterminated',
        json.dumps(["not", "an", "object"]),
        json.dumps("just a string"),
        json.dumps({"id": "no-text", "title": "Orsk"}),
        json.dumps({"id": "blank", "text": "   \n "}),
        json.dumps({"id": "number", "text": 42}),
        json.dumps({"id": "list", "text": ["a", "b"]}),
        json.dumps({"id": "ok-1", "text": STORY_DE}),
        json.dumps({"id": {"nested": 1}, "text": STORY}),
        json.dumps({"id": "ok-2", "text": STORY_DE}),
    ]
    path = _write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    docs, errors = _split(list(read_inputs([tmp_path])))
    assert [d.id for d in docs] == ["ok-1", "ok-2"]
    assert docs[0].text == STORY  # the first of the duplicates wins

    by_line = {e.input: e.reason for e in errors}
    assert set(by_line) == {f"{path}:{n}" for n in range(2, 11)}
    assert by_line[f"{path}:2"].startswith("invalid JSON (")
    assert "at column" in by_line[f"{path}:2"]
    assert by_line[f"{path}:3"] == "expected a JSON object, got list"
    assert by_line[f"{path}:4"] == "expected a JSON object, got str"
    assert by_line[f"{path}:5"] == "no 'text' field"
    assert by_line[f"{path}:6"] == "empty document (no text)"
    assert by_line[f"{path}:7"] == "'text' is int, not a string"
    assert by_line[f"{path}:8"] == "'text' is list, not a string"
    assert by_line[f"{path}:9"] == "duplicate id 'ok-1' in this file"
    assert by_line[f"{path}:10"] == "'id' is dict, not a string or number"


def test_jsonl_duplicate_ids_across_files_are_not_errors(tmp_path: Path) -> None:
    _write(tmp_path / "a.jsonl", _jsonl({"id": "x", "text": STORY}))
    _write(tmp_path / "b.jsonl", _jsonl({"id": "x", "text": STORY_DE}))
    docs, errors = _split(list(read_inputs([tmp_path])))
    assert errors == []
    assert [d.text for d in docs] == [STORY, STORY_DE]


def test_jsonl_invalid_utf8_names_the_line_and_keeps_the_others(tmp_path: Path) -> None:
    good = _jsonl({"id": "a", "text": STORY}).encode()
    path = _write(tmp_path / "feed.jsonl", good + b'{"text": "Caf\xe9 Orsk"}\n' + good[:-1])
    records = list(read_inputs([path]))
    assert [r.id for r in records if isinstance(r, Document)] == ["a"]
    errors = [r for r in records if isinstance(r, IngestError)]
    assert [e.input for e in errors] == [f"{path}:2", f"{path}:3"]
    assert "byte 0xe9 at offset 13 of the line" in errors[0].reason
    assert errors[1].reason == "duplicate id 'a' in this file"


def test_jsonl_byte_order_marks_and_binary_files(tmp_path: Path) -> None:
    record = _jsonl({"id": "a", "text": STORY_DE})
    utf8 = _write(tmp_path / "bom8.jsonl", codecs.BOM_UTF8 + record.encode())
    utf16 = _write(tmp_path / "bom16.jsonl", record.encode("utf-16"))
    binary = _write(tmp_path / "blob.jsonl", b"\x00\x01\x02" * 100)
    for path in (utf8, utf16):
        (doc,) = list(read_inputs([path]))
        assert isinstance(doc, Document), doc
        assert (doc.id, doc.text) == ("a", STORY_DE)
    assert list(read_inputs([binary])) == [IngestError(str(binary), "binary file, not text")]


def test_jsonl_streams_records_as_lines_arrive(tmp_path: Path) -> None:
    """A dump is read line by line: the first record comes out while the writer is still
    holding the second back (a reader of the whole file would wait for the end)."""
    read_end, write_end = os.pipe()
    first_seen = threading.Event()

    def write() -> None:
        with open(write_end, "w", encoding="utf-8") as out:
            out.write(_jsonl({"id": "first", "text": STORY}))
            out.flush()
            first_seen.wait(timeout=10)
            out.write(_jsonl({"id": "second", "text": STORY_DE}))

    writer = threading.Thread(target=write)
    writer.start()
    pipe = open(read_end, "rb")  # noqa: SIM115 (closed below, after the generator)
    records = read_stream(pipe, "live.jsonl", "live.jsonl")
    first = next(records)
    held_back = not first_seen.is_set() and writer.is_alive()
    first_seen.set()
    rest = list(records)
    writer.join()
    pipe.close()
    assert held_back
    assert isinstance(first, Document) and first.id == "first"
    assert [r.id for r in rest if isinstance(r, Document)] == ["second"]


def test_jsonl_text_with_unicode_line_separator(tmp_path: Path) -> None:
    text = "Ferry services to Orsk were suspended.\u2028A temporary stage will be built."
    path = _write(tmp_path / "feed.jsonl", _jsonl({"id": "a", "text": text}))
    records = list(read_inputs([path]))
    assert len(records) == 1
    assert isinstance(records[0], Document)
    assert records[0].text == text


def test_empty_jsonl_file_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path / "feed.jsonl", "\n  \n")
    records = list(read_inputs([path]))
    assert len(records) == 1
    assert isinstance(records[0], IngestError)
    assert records[0].input == str(path)


# --- decode -----------------------------------------------------------------------------


def test_decode_text_plain_and_boms() -> None:
    text = "Orsk – Fähre fällt aus, сказала Кренн."
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(codecs.BOM_UTF8 + text.encode("utf-8")) == text
    assert decode_text(text.encode("utf-16")) == text
    assert decode_text(codecs.BOM_UTF16_LE + text.encode("utf-16-le")) == text
    assert decode_text(text.encode("utf-32")) == text


def test_decode_text_undecodable_names_byte_and_offset() -> None:
    # UTF-8 with a Latin-1 run: neither UTF-8 nor any one code page decodes both.
    # The offset counts bytes: "ä" takes two.
    data = "Fähre Orsk ".encode() * 10 + b"caf\xe9 \xe0 la gare"
    with pytest.raises(
        InputError, match=r"undecodable bytes: not UTF-8 \(byte 0xe9 at offset 123\)"
    ):
        decode_text(data)


def test_decode_text_invalid_after_bom() -> None:
    with pytest.raises(InputError, match="after its byte-order mark"):
        decode_text(codecs.BOM_UTF8 + b"Orsk \xc3\x28")


def test_decode_text_refuses_binary() -> None:
    with pytest.raises(InputError, match="binary file"):
        decode_text(b"Orsk\x00pier")


def test_looks_binary() -> None:
    assert not looks_binary(b"")
    assert not looks_binary(STORY.encode())
    assert not looks_binary(b"col1\tcol2\r\nline\x0cnext page\x1b[0m")
    assert looks_binary(b"text then a NUL\x00")
    # More than 5 % control bytes (other than tab, newline and the like).
    assert looks_binary(b"\x01\x02\x03" + b"a" * 40)
    assert not looks_binary(b"\x01" + b"a" * 40)
    # Only the first 8 KiB are looked at.
    assert not looks_binary(b"a" * 8192 + b"\x00")


# --- fields -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-02-18T07:45:00Z", datetime(2025, 2, 18, 7, 45, tzinfo=UTC)),
        ("2025-02-18T07:45:00", datetime(2025, 2, 18, 7, 45, tzinfo=UTC)),
        (" 2025-02-18 07:45 ", datetime(2025, 2, 18, 7, 45, tzinfo=UTC)),
        ("2025-02-18", datetime(2025, 2, 18, tzinfo=UTC)),
        (
            "2025-02-18T07:45:00+02:00",
            datetime(2025, 2, 18, 7, 45, tzinfo=timezone(timedelta(hours=2))),
        ),
    ],
)
def test_parse_published_valid(value: str, expected: datetime) -> None:
    parsed, problem = parse_published(value)
    assert problem is None
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None
    assert parsed.utcoffset() == expected.utcoffset()


def test_parse_published_missing_and_bad() -> None:
    assert parse_published(None) == (None, None)
    assert parse_published("") == (None, None)
    assert parse_published("18/02/2025") == (None, "unparsable 'published' value '18/02/2025'")
    assert parse_published(["2025"]) == (
        None,
        "'published' is list, not an ISO-8601 string",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("EN-gb", "en"),
        ("EN", "en"),
        (" de_DE ", "de"),
        ("es-419", "es"),
        ("ru", "ru"),
        ("", None),
        ("   ", None),
        (None, None),
        (7, None),
    ],
)
def test_normalise_lang(value: object, expected: str | None) -> None:
    assert normalise_lang(value) == expected


# --- HTML -------------------------------------------------------------------------------


def test_html_page_main_text_and_metadata(tmp_path: Path) -> None:
    _write(tmp_path / "web" / "orsk.html", PAGE)
    (doc,) = list(read_inputs([tmp_path]))
    assert isinstance(doc, Document)
    assert doc.id == "web/orsk.html"
    # The document's text is the page's visible text; the extractor's choice is kept as spans
    # of it, so what it dropped (the cookie banner, the menus) stays auditable.
    text = "\n".join(doc.text[s:e] for s, e in decode_spans(doc.meta["html_kept"]))
    assert "Accept all cookies" in doc.text and "Weather forecast" in doc.text
    for fragment in [
        "island of Orsk were suspended on Tuesday",
        "About 2,300 people live on Orsk",
        "said harbour master Ylva Krenn",
        "a chartered fishing boat will carry medicine and mail",
        "Gusts of up to 140 kilometres per hour",
    ]:
        assert fragment in " ".join(text.split())
    for junk in [
        "dataLayer",
        "trackingToken",
        "Accept all cookies",
        "We use cookies",
        "Weather forecast",
        "Terms of use",
        "position: fixed",
    ]:
        assert junk not in text
    assert doc.title == "Ferry service to Orsk suspended after storm damages pier"
    assert doc.source == "Tallmere Gazette"
    assert doc.url == "https://www.tallmere-gazette.test/news/2025/02/18/orsk-ferry-suspended"
    # The exact time from article:published_time, not just the day.
    assert doc.published == datetime(2025, 2, 18, 7, 45, 12, tzinfo=timezone(timedelta(hours=1)))
    assert doc.meta["format"] == "html"
    assert doc.meta["extractor"].startswith("trafilatura")
    # The id is the main text's: the same article under another menu is the same document.
    content = extract_html(PAGE)
    assert content is not None
    assert doc.doc_id == content_id(content.text)
    assert "dataLayer" not in doc.text and "position: fixed" not in doc.text  # scripts, styles
    assert (doc.meta["encoding"], doc.meta["encoding_from"]) == ("utf-8", "utf-8")


def test_extract_html_meta_time_with_content_first() -> None:
    para = "The Orsk ferry pier will be rebuilt with steel piles, the transport office said. " * 4
    html = (
        "<html><head><meta content='2025-03-01T06:00:00Z' property='og:published_time'>"
        f"</head><body><article><p>{para}</p></article></body></html>"
    )
    content = extract_html(html)
    assert content is not None
    assert content.published == "2025-03-01T06:00:00Z"
    assert "steel piles" in content.text


def test_extract_html_json_ld_date() -> None:
    para = "Divers found no damage to the foundations of the old Orsk pier, officials said. " * 4
    html = (
        '<html><head><script type="application/ld+json">'
        '{"@type": "NewsArticle", "datePublished": "2025-03-02T10:15:00+02:00"}</script>'
        f"</head><body><article><p>{para}</p></article></body></html>"
    )
    content = extract_html(html)
    assert content is not None
    assert content.published == "2025-03-02T10:15:00+02:00"


def test_html_unparsable_date_is_kept_as_problem(tmp_path: Path) -> None:
    para = "The Orsk harbour reopened on Friday after a week of repairs, officials said. " * 4
    html = (
        '<html><head><meta property="article:published_time" content="Friday morning">'
        f"</head><body><article><p>{para}</p></article></body></html>"
    )
    path = _write(tmp_path / "page.htm", html)
    (doc,) = list(read_inputs([path]))
    assert isinstance(doc, Document)
    assert doc.published is None
    assert doc.meta["published_problem"] == "unparsable 'published' value 'Friday morning'"


def test_future_publication_time_is_not_trusted() -> None:
    from datetime import UTC, datetime

    from storytrace.ingest.fields import parse_published

    now = datetime(2025, 3, 1, tzinfo=UTC)
    value, problem = parse_published("2999-01-01T00:00:00Z", now=now)
    assert value is None and problem and "future" in problem
    value, problem = parse_published("2025-03-01T20:00:00+00:00", now=now)
    assert value is not None and problem is None  # later today: clock skew, still trusted


def test_oversized_documents_are_reported_not_analysed(tmp_path: Path) -> None:
    (tmp_path / "huge.txt").write_text("word " * 3000)
    (tmp_path / "ok.txt").write_text("A normal short article about the harbour ferry.")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "big", "text": "word " * 3000}) + "\n")
    records = list(read_inputs([tmp_path], max_chars=1000))
    errors = {Path(r.input).name: r.reason for r in records if isinstance(r, IngestError)}
    assert "too large" in errors["huge.txt"] and "--max-chars" in errors["huge.txt"]
    assert "too large" in errors["feed.jsonl:1"]
    assert [r.id for r in records if isinstance(r, Document)] == ["ok.txt"]


def test_visible_text_one_block_per_paragraph_without_scripts() -> None:
    from storytrace.ingest.html import visible_text

    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<div>Menu <a href='/'>Home</a></div><script>var x = 1;</script>"
        "<p>First   paragraph <b>with bold</b> text.</p><ul><li>One</li><li>Two</li></ul>"
        "<noscript><p>Shown without scripts</p></noscript></body></html>"
    )
    assert visible_text(html).split("\n\n") == [
        "Menu Home",
        "First paragraph with bold text.",
        "One",
        "Two",
        "Shown without scripts",
    ]


def test_kept_spans_line_up_the_extraction_with_the_page() -> None:
    from storytrace.ingest.html import kept_spans

    page = "Home\n\nNews\n\nThe council met on Monday.\n\nIt voted to close the pier.\n\nContact"
    spans = kept_spans(page, "The council met on Monday.\nIt voted to close the pier.")
    assert [page[s:e] for s, e in spans] == [
        "The council met on Monday.",
        "It voted to close the pier.",
    ]
    # An extraction the page's blocks do not hold gives no spans (no audit, not a wrong one).
    assert kept_spans(page, "Entirely different words from another page altogether.") == ()


# --- encodings ----------------------------------------------------------------------------

RUSSIAN = (
    "Паромное сообщение с островом Орск прекращено во вторник после шторма, который "
    "повредил единственный пассажирский причал острова.\n\n"
    "На острове живут около 2300 человек, которые зависят от парома в доставке продуктов, "
    "лекарств и почты. Транспортное управление обещает построить временный причал."
)
FRENCH = (
    "Le service de traversier entre Tallmere et l'île d'Orsk a été suspendu mardi après "
    "qu'une tempête a endommagé le seul quai réservé aux passagers.\n\n"
    "Environ 2 300 personnes vivent à Orsk, qui dépend du traversier pour la nourriture, "
    "les médicaments et le courrier. « Personne n'a été blessé », a déclaré la capitaine."
)


def test_legacy_encodings_are_detected_and_kept_in_metadata(tmp_path: Path) -> None:
    _write(tmp_path / "ru.txt", RUSSIAN.encode("cp1251"))
    _write(tmp_path / "fr.txt", FRENCH.encode("latin-1"))
    _write(tmp_path / "koi8.txt", RUSSIAN.encode("koi8-r"))
    _write(tmp_path / "utf16.txt", FRENCH.encode("utf-16-le"))  # no byte-order mark
    docs, errors = _split(list(read_inputs([tmp_path])))
    assert errors == []
    by_id = {d.id: d for d in docs}
    assert by_id["ru.txt"].text == RUSSIAN
    assert by_id["ru.txt"].meta["encoding"] == "cp1251"
    assert by_id["ru.txt"].meta["encoding_from"] == "detected"
    assert by_id["fr.txt"].text == FRENCH
    assert by_id["fr.txt"].meta["encoding_from"] == "detected"
    assert by_id["koi8.txt"].text == RUSSIAN
    assert by_id["utf16.txt"].text == FRENCH
    assert by_id["utf16.txt"].meta["encoding"] == "utf-16-le"


@pytest.mark.parametrize(
    "declaration",
    [
        '<meta charset="windows-1251">',
        "<meta http-equiv='Content-Type' content='text/html; charset=windows-1251'>",
        '<?xml version="1.0" encoding="windows-1251"?>',
    ],
)
def test_html_declaring_its_charset_is_decoded_by_it(tmp_path: Path, declaration: str) -> None:
    head = declaration if declaration.startswith("<?xml") else ""
    meta = "" if head else declaration
    paras = "".join(f"<p>{p}</p>" for p in RUSSIAN.split("\n\n"))
    html = (
        f"{head}<html><head>{meta}<title>Паром на Орск отменён</title></head>"
        f"<body><article><h1>Паром на Орск отменён</h1>{paras}</article></body></html>"
    )
    path = _write(tmp_path / "ru.html", html.encode("cp1251"))
    (doc,) = list(read_inputs([path]))
    assert isinstance(doc, Document)
    assert doc.title == "Паром на Орск отменён"
    assert "Паромное сообщение с островом Орск" in doc.text
    assert doc.meta["encoding"] == "cp1251"
    assert doc.meta["encoding_from"] == "meta"


def test_decode_document_order_of_evidence() -> None:
    from storytrace.ingest.decode import decode_document

    cyrillic = RUSSIAN.encode("cp1251")
    # A transport header wins over the page's meta and over detection.
    found = decode_document(cyrillic, [("http", "windows-1251")], html=True)
    assert (found.text, found.encoding, found.source) == (RUSSIAN, "cp1251", "http")
    # Valid UTF-8 wins over a (wrong) declaration of a single-byte code page.
    found = decode_document(FRENCH.encode(), [("http", "iso-8859-1")])
    assert (found.text, found.source) == (FRENCH, "utf-8")
    # ISO-8859-1 is read as windows-1252, as browsers do ("smart quotes" in 0x80-0x9f).
    found = decode_document("“Orsk” – café".encode("cp1252"), [("http", "ISO-8859-1")])
    assert (found.text, found.encoding) == ("“Orsk” – café", "cp1252")
    # An unknown label is passed over; a wide encoding named by the transport is used.
    found = decode_document(
        FRENCH.encode("utf-16-be"), [("http", "no-such-charset"), ("http", "utf-16be")]
    )
    assert (found.text, found.encoding, found.source) == (FRENCH, "utf-16-be", "http")


# --- hostile input (issue 25): each is one error line, the rest of the batch is read ------


def test_lone_surrogates_in_any_kept_field_are_one_error_each(tmp_path: Path) -> None:
    fields = ["text", "id", "title", "url", "source", "outlet", "section"]
    lines = [json.dumps({"id": f"bad-{f}", "text": STORY, f: "Orsk \ud800 pier"}) for f in fields]
    lines.append('{"id": "bad-key", "text": "Orsk pier", "\\udfff": "x"}')
    lines.append(json.dumps({"id": "good", "text": STORY}))
    path = _write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    docs, errors = _split(list(read_inputs([path])))
    assert [d.id for d in docs] == ["good"]
    assert [e.input for e in errors] == [f"{path}:{n}" for n in range(1, 9)]
    for error, field in zip(errors, [*fields, "\\udfff"], strict=True):
        assert error.reason.startswith(f"'{field}' holds a lone surrogate (U+"), error
        error.reason.encode("utf-8")  # printable and storable


def test_huge_integers_and_deep_nesting_are_one_error_each(tmp_path: Path) -> None:
    lines = [
        '{"id": 1' + "0" * 4400 + ', "text": "Orsk"}',
        '{"id": "deep", "text": "Orsk", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps({"id": "good", "text": STORY, "big": 10**4000}),
    ]
    path = _write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    docs, errors = _split(list(read_inputs([path])))
    assert [d.id for d in docs] == ["good"]
    assert docs[0].meta["big"] == str(10**4000)
    assert errors[0].input == f"{path}:1" and "4300" in errors[0].reason
    assert errors[1] == IngestError(f"{path}:2", "invalid JSON (nested too deeply)")


def test_a_file_name_that_is_not_utf8_is_reported_by_an_escaped_name(tmp_path: Path) -> None:
    _write(tmp_path / "good.txt", STORY)
    bad = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(bad, "wb") as handle:
        handle.write(STORY.encode())
    docs, errors = _split(list(read_inputs([tmp_path])))
    assert [d.id for d in docs] == ["good.txt"]
    assert errors == [
        IngestError(f"{tmp_path}/caf\\xe9.txt", "file name is not valid UTF-8; rename it")
    ]
    (given,) = list(read_inputs([os.fsdecode(bad)]))
    assert given == IngestError(f"{tmp_path}/caf\\xe9.txt", "path is not valid UTF-8; rename it")


def test_only_regular_files_are_read_from_directories(tmp_path: Path) -> None:
    """A named pipe must not hang the run, a link to /dev/zero must not fill memory, a
    link to a folder is not followed (no cycles); each is reported."""
    _write(tmp_path / "a_good.txt", STORY)
    os.mkfifo(tmp_path / "b_pipe.txt")
    os.symlink("/dev/zero", tmp_path / "c_zero.txt")
    os.symlink(tmp_path, tmp_path / "d_loop")
    os.symlink(tmp_path / "missing.txt", tmp_path / "e_broken.txt")
    os.symlink(tmp_path / "a_good.txt", tmp_path / "f_link.txt")
    docs, errors = _split(list(read_inputs([tmp_path])))
    assert [d.id for d in docs] == ["a_good.txt", "f_link.txt"]
    assert [(Path(e.input).name, e.reason) for e in errors] == [
        ("b_pipe.txt", "not a regular file (named pipe)"),
        ("c_zero.txt", "not a regular file (character device)"),
        ("d_loop", "symbolic link to a directory (not followed)"),
        ("e_broken.txt", "broken symbolic link"),
    ]


def test_an_unreadable_subdirectory_is_reported(tmp_path: Path) -> None:
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="storytrace-perm-"))
    try:
        root.chmod(0o755)
        _write(root / "a.txt", STORY).chmod(0o644)
        (root / "locked").mkdir()
        _write(root / "locked" / "secret.txt", STORY)
        (root / "locked").chmod(0o000)
        _write(root / "z" / "b.txt", STORY_DE).chmod(0o644)
        (root / "z").chmod(0o755)
        with _unprivileged():
            records = list(read_inputs([root]))
    finally:
        (root / "locked").chmod(0o755)
        import shutil

        shutil.rmtree(root)
    docs, errors = _split(records)
    assert [d.id for d in docs] == ["a.txt", "z/b.txt"]
    assert errors == [IngestError(str(root / "locked"), "cannot read directory: Permission denied")]


@contextmanager
def _unprivileged() -> Iterator[None]:
    """Run the block as 'nobody' when the tests run as root (root reads any folder)."""
    was = os.geteuid()
    if was == 0:
        os.seteuid(65534)
    try:
        yield
    finally:
        if was == 0:
            os.seteuid(0)


def test_a_200_mb_jsonl_record_is_refused_unparsed(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    with path.open("wb") as out:
        out.write(json.dumps({"id": "first", "text": STORY}).encode() + b"\n")
        out.write(b'{"id": "huge", "text": "')
        chunk = b"word " * 200_000
        for _ in range(200):
            out.write(chunk)
        out.write(b'"}\n')
        out.write(json.dumps({"id": "last", "text": STORY_DE}).encode() + b"\n")
    start = time.perf_counter()
    docs, errors = _split(list(read_inputs([path])))
    elapsed = time.perf_counter() - start
    assert [d.id for d in docs] == ["first", "last"]
    assert len(errors) == 1 and errors[0].input == f"{path}:2"
    assert errors[0].reason.startswith("record too large (200,000,027 bytes; no record of at most")
    assert elapsed < 10, elapsed


# --- properties: whatever the bytes, documents or one-line errors --------------------------


def _storable(record: Document | IngestError) -> None:
    """Every string a record carries can be written as UTF-8 (the store, report.json,
    the terminal); an error is one line."""
    if isinstance(record, IngestError):
        assert "\n" not in record.reason
        (record.input + record.reason).encode("utf-8")
        return
    for value in (record.id, record.text, record.input, record.url, record.source, record.title):
        if value is not None:
            value.encode("utf-8")
    for key, value in record.meta.items():
        (key + value).encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".html"]))
def test_property_any_bytes_of_a_text_or_html_file(data: bytes, suffix: str) -> None:
    for record in read_stream(io.BytesIO(data), f"x{suffix}", "x", max_chars=10_000):
        _storable(record)
        if isinstance(record, Document):
            assert record.meta["encoding"] and record.meta["encoding_from"]


_JSON_TEXT = st.text(alphabet=st.characters(blacklist_categories=()), max_size=40)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_JSON_TEXT, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(
        st.fixed_dictionaries(
            {"text": _JSON_TEXT | _JSON},
            optional={k: _JSON_TEXT | _JSON for k in ("id", "title", "url", "source", "extra")},
        )
        | _JSON,
        max_size=5,
    ),
    junk=st.lists(st.binary(max_size=30), max_size=2),
)
def test_property_any_jsonl_records(records: list[object], junk: list[bytes]) -> None:
    """JSON of any shape (lone surrogates included: the alphabet has every code point) and
    undecodable lines: documents or one-line errors, each record on its own line number."""
    lines = [json.dumps(r).encode() for r in records] + [j.replace(b"\n", b" ") for j in junk]
    data = b"\n".join(lines) + b"\n"
    for record in read_stream(io.BytesIO(data), "x.jsonl", "x.jsonl", max_chars=10_000):
        _storable(record)


def test_html_unreadable_declared_time_falls_back_to_the_extractors_day() -> None:
    page = PAGE.replace(
        '<meta property="article:published_time" content="2025-02-18T07:45:12+01:00">',
        '<meta property="article:published_time" content="Tuesday morning">'
        '<meta name="date" content="2025-02-18">',
    )
    assert "Tuesday morning" in page
    content = extract_html(page)
    assert content is not None
    assert content.published is not None and content.published.startswith("2025-02-18")


def test_a_record_field_never_sets_an_internal_flag(tmp_path: Path) -> None:
    """A JSONL field named like storytrace's own metadata ("format": "html" would switch off
    the text rules that remove boilerplate, "html_kept" would name the text to keep) is kept
    as input.NAME, and the document is cleaned as any JSONL document."""
    from storytrace.clean import clean

    text = (
        "The Orsk ferry will run again from Monday, the island council said on Friday.\n\n"
        "Support independent journalism: donate today to keep our reporting free.\n\n"
        "Engineers replaced the damaged ramp over the winter, the council added."
    )
    plain = {"id": "plain", "text": text}
    steered = {**plain, "id": "steered", "format": "html", "html_kept": "0:5", "extractor": "x"}
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in (plain, steered)), encoding="utf-8")
    docs = {d.id: d for d in read_inputs([feed])}
    meta = docs["steered"].meta
    assert meta["format"] == "jsonl" and "html_kept" not in meta and "extractor" not in meta
    assert meta["input.format"] == "html" and meta["input.html_kept"] == "0:5"
    cleaned = {i: clean(d) for i, d in docs.items()}
    assert cleaned["steered"].text == cleaned["plain"].text
    assert "donate" not in cleaned["steered"].text
    assert [r.reason for r in cleaned["steered"].removed] == [
        r.reason for r in cleaned["plain"].removed
    ]
